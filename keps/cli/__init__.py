"""kepctl: the command line over the keps library.

Only this package (and ``helpers/``) talks to a terminal; every expected error is one
line on stderr and exit code 1, without a traceback.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from keps.cli._app import Context, KepctlGroup, show_logs

__all__ = ["cli", "main"]


#: The modules that add commands, in the order they register them.
_MODULES = ("lifecycle", "index_query", "validate", "demo")

#: Commands whose module is known, so running one imports only that module.
_HOME = {
    "index": "index_query",
    "query": "index_query",
    "validate": "validate",
    "export": "validate",
}


class _LazyGroup(KepctlGroup):
    """A KepctlGroup that imports a command's module only when the command is needed.

    ``kepctl query`` starts in a new process each time; importing every command module
    (lifecycle pulls in the porcelain and the whole object model) cost a third of a second.
    Listing the commands (``--help``) or an unknown name loads them all.
    """

    _loaded: set[str]

    def _load(self, module: str) -> None:
        loaded = self.__dict__.setdefault("_loaded", set())
        if module not in loaded:
            loaded.add(module)
            importlib.import_module(f"keps.cli.{module}").register(self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        home = _HOME.get(cmd_name)
        if home is not None:
            self._load(home)
        if cmd_name not in self.commands:
            for module in _MODULES:
                self._load(module)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in _MODULES:
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
