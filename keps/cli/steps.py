"""kepctl init and the lifecycle steps (propose ... withdraw, replace), and recover.

Each step is a plain function over :mod:`keps.workflow` that returns what the command
prints (a :class:`~keps.cli._app.Report`); the click commands below only read options
and print. ``step("propose", root, "sig-node/my-kep", principal="alice")`` is
``kepctl --content-root root --principal alice propose sig-node/my-kep``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

import attrs
import click

from keps import workflow
from keps.cli._app import (
    Context,
    Report,
    emit,
    find_kep,
    one_line,
    pass_context,
    runtime_for,
)
from keps.cli._complete import complete_targets
from keps.cli._pull_request import PullRequestOpener, pr_options, pull_request_opener
from keps.errors import KepError
from keps.keps import Kep
from keps.settings import Runtime

__all__ = ["COMMANDS", "STEPS", "Step", "init", "recover", "replace", "step"]


@attrs.frozen
class Step:
    """One lifecycle step as a command: its workflow function, its help, whether --pr follows."""

    run: Callable[[Runtime], Kep]
    summary: str
    pull_request: bool = False


#: The lifecycle steps that take one KEP, in lifecycle order (init and replace aside).
STEPS: Mapping[str, Step] = MappingProxyType(
    {
        "propose": Step(
            workflow.propose,
            "Propose a draft KEP to its SIG (summary and motivation written).",
            pull_request=True,
        ),
        "accept": Step(
            workflow.accept, "Accept a proposed KEP as a SIG approver: draft -> provisional."
        ),
        "plan": Step(
            workflow.plan, "Render the guides and graduation criteria of a provisional KEP."
        ),
        "approve": Step(
            workflow.approve,
            "Approve a provisional KEP: -> implementable, with a KEP number.",
            pull_request=True,
        ),
        "implement": Step(
            workflow.implement, "Mark an implementable KEP as implemented.", pull_request=True
        ),
        "defer": Step(workflow.defer, "Defer a KEP.", pull_request=True),
        "reject": Step(workflow.reject, "Reject a KEP.", pull_request=True),
        "withdraw": Step(workflow.withdraw, "Withdraw a KEP.", pull_request=True),
    }
)


def _done(kep: Kep, name: str) -> str:
    return f"{name}: {kep.title} is {kep.state}: {kep.path}\n"


# -- the plain functions ------------------------------------------------------------------


def init(content_root: Path, target: str, *, principal: str) -> Report:
    """Create a KEP at *target*: upstream's layout in a checkout, the seed's anywhere else.

    In a kubernetes/enhancements checkout the KEP is keps/SIG/NUMBER-NAME/kep.yaml and
    README.md, provisional, with the next free number; elsewhere a draft, one file per
    section.
    """
    from keps._checkout import is_checkout

    if is_checkout(content_root):
        path = workflow.create(content_root, target, principal=principal)
        return Report(f"created provisional KEP: {path}\n")
    path = workflow.init(runtime_for(content_root, target, principal, new=True))
    return Report(f"created draft KEP: {path}\n")


def step(
    name: str,
    content_root: Path,
    target: str,
    *,
    principal: str,
    pull_request: PullRequestOpener | None = None,
) -> Report:
    """Run the step *name* of :data:`STEPS` on the KEP *target*, then open its pull request.

    A pull request that fails after the step succeeded is the report's error, with the
    command to run once it is fixed: the step is saved and is not undone.
    """
    runtime = runtime_for(content_root, target, principal)
    if pull_request is None:
        return Report(_done(STEPS[name].run(runtime), name))
    kep, changes = workflow.recorded(STEPS[name].run, runtime)
    done = _done(kep, name)
    try:
        url = pull_request(kep, changes, target=target)
    except KepError as exc:
        return Report(
            done,
            error=f"{name} succeeded and is saved in {kep.path}, but the pull request "
            f"failed: {one_line(exc)}; once fixed, run: "
            f"kepctl pr {target} --pr {pull_request.upstream}",
        )
    return Report(f"{done}pull request: {url}\n")


def replace(content_root: Path, target: str, *, by: str, principal: str) -> Report:
    """Mark the KEP *target* as replaced by the KEP *by*, linking both."""
    runtime = runtime_for(content_root, target, principal)
    kep = workflow.replace(runtime, by=find_kep(content_root, by))
    return Report(_done(kep, "replace"))


def recover(content_root: Path) -> Report:
    """Roll back the steps a crashed process left half written under *content_root*."""
    restored = workflow.recover(content_root)
    lines = [f"restored {path}\n" for path in restored]
    lines.append(f"recovered {len(restored)} file(s) under {content_root}\n")
    return Report("".join(lines))


# -- the click commands ---------------------------------------------------------------------


_target = click.argument("target", shell_complete=complete_targets)


@click.command(name="init")
@click.argument("target")
@pass_context
def init_command(ctx: Context, target: str) -> None:
    """Create a KEP at TARGET (NAME, SIG/NAME or SIG/SUBPROJECT/NAME).

    In a kubernetes/enhancements checkout the KEP is laid out as upstream does
    (keps/SIG/NUMBER-NAME/kep.yaml and README.md, provisional, the next free number);
    anywhere else as the seed does (a draft, one file per section).
    """
    root = ctx.content_root
    emit(init(root, target, principal=ctx.principal))


def _step_command(name: str, spec: Step) -> click.Command:
    """The command for the step *name*; with --pr and its options when the step opens PRs."""
    if not spec.pull_request:

        @click.command(name=name, help=spec.summary)
        @_target
        @pass_context
        def command(ctx: Context, target: str) -> None:
            principal = ctx.principal
            emit(step(name, ctx.content_root, target, principal=principal))

        return command

    @click.command(name=name, help=f"{spec.summary} With --pr, then open a pull request.")
    @_target
    @pr_options(required=False)
    @pass_context
    def command_with_pr(
        ctx: Context,
        target: str,
        upstream: str | None,
        token_file: Path | None,
        api_url: str | None,
        git_url_template: str | None,
    ) -> None:
        opener = (
            pull_request_opener(ctx, upstream, token_file, api_url, git_url_template)
            if upstream is not None
            else None
        )
        principal = ctx.principal
        emit(step(name, ctx.content_root, target, principal=principal, pull_request=opener))

    return command_with_pr


@click.command(name="replace")
@_target
@click.option(
    "--by",
    "by",
    required=True,
    help="The KEP that replaces TARGET.",
    shell_complete=complete_targets,
)
@pass_context
def replace_command(ctx: Context, target: str, by: str) -> None:
    """Mark TARGET as replaced by another KEP (both are linked)."""
    principal = ctx.principal
    emit(replace(ctx.content_root, target, by=by, principal=principal))


@click.command(name="recover")
@pass_context
def recover_command(ctx: Context) -> None:
    """Roll back steps a crashed process left half written (each step also does this)."""
    emit(recover(ctx.content_root))


#: Every command of this module, by name.
COMMANDS: Mapping[str, click.Command] = MappingProxyType(
    {
        "init": init_command,
        **{name: _step_command(name, spec) for name, spec in STEPS.items()},
        "replace": replace_command,
        "recover": recover_command,
    }
)
