"""kepctl: the command line over the keps library.

Only this package (and ``helpers/``) talks to a terminal; every expected error is one
line on stderr and exit code 1, without a traceback. Each command module holds plain
functions that return a :class:`Report` (``keps.cli.query.query(root, "sig:node")``)
and click commands that only read options and print it; this module assembles them.

Shell completion is click's: ``eval "$(_KEPCTL_COMPLETE=bash_source kepctl)"`` (or
``zsh_source``, ``fish_source``) completes commands, KEP targets, SIGs, states, stages
and milestones (see :mod:`keps.cli._complete`).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import click

from keps.cli._app import Context, KepctlGroup, Report, show_logs

__all__ = ["Report", "cli", "main"]


#: Where each command lives: the module of keps.cli whose ``COMMANDS`` holds it. One
#: module per group of commands, each a thin click wrapper over plain functions:
#:
#: ======== ==================================================================
#: steps    init, the lifecycle steps (propose ... withdraw), replace, recover
#: stages   create, promote, prr approve, prr pending (today's kep.yaml KEPs)
#: kep      show, check, pr: one existing KEP
#: query    query
#: search   search (lines of the KEPs' text, as grep shows them)
#: graph    graph (the links between KEPs, as DOT or Mermaid)
#: index    index rebuild
#: validate validate (the checkout's rules)
#: export   export (json, csv, parquet)
#: site     site (a static website of the KEPs)
#: report   report time-in-state (the KEP history, from git)
#: status   status, waiting (sign-offs: who decides, what a KEP waits for)
#: demo     demo
#: ======== ==================================================================
_HOME: Mapping[str, str] = MappingProxyType(
    {
        "init": "steps",
        "propose": "steps",
        "accept": "steps",
        "plan": "steps",
        "approve": "steps",
        "implement": "steps",
        "defer": "steps",
        "reject": "steps",
        "withdraw": "steps",
        "replace": "steps",
        "recover": "steps",
        "create": "stages",
        "promote": "stages",
        "prr": "stages",
        "show": "kep",
        "check": "kep",
        "pr": "kep",
        "query": "query",
        "search": "search",
        "graph": "graph",
        "index": "index",
        "validate": "validate",
        "export": "export",
        "site": "site",
        "report": "report",
        "status": "status",
        "waiting": "status",
        "demo": "demo",
    }
)

#: Modules that still add their commands through ``register(group)``.
_REGISTERING = frozenset({"validate"})


class _LazyGroup(KepctlGroup):
    """A KepctlGroup that imports a command's module only when the command is needed.

    ``kepctl query`` starts in a new process each time; importing every command module
    (the steps pull in the workflow and the whole object model) cost a third of a second.
    Listing the commands (``--help``, completing a command name) loads them all.
    """

    _loaded: set[str]

    def _load(self, module: str) -> None:
        loaded = self.__dict__.setdefault("_loaded", set())
        if module in loaded:
            return
        loaded.add(module)
        imported = importlib.import_module(f"keps.cli.{module}")
        if module in _REGISTERING:
            imported.register(self)
            return
        for name, command in imported.COMMANDS.items():
            self.add_command(command, name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        home = _HOME.get(cmd_name)
        if home is not None:
            self._load(home)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in dict.fromkeys(_HOME.values()):
            self._load(module)
        return super().list_commands(ctx)


@click.group(cls=_LazyGroup)
@click.option(
    "--content-root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Root of the KEP content tree (default: KEP_CONTENT_ROOT, the settings file, else the tree the current folder is in).",
)
@click.option(
    "--principal",
    default=None,
    help="Your GitHub handle (default: KEP_PRINCIPAL_GITHUB_HANDLE or settings).",
)
@click.option(
    "--debug",
    is_flag=True,
    default=False,
    help="Show the library's debug messages, and tracebacks with errors.",
)
@click.version_option(package_name="keps")
@click.pass_context
def cli(ctx: click.Context, content_root: Path | None, principal: str | None, debug: bool) -> None:
    """Work with Kubernetes Enhancement Proposals."""
    show_logs(debug=debug)
    ctx.obj = Context(content_root_option=content_root, principal_option=principal, debug=debug)


def main() -> None:
    """Entry point of the kepctl console script."""
    cli(prog_name="kepctl")
