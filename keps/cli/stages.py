"""kepctl create, promote and prr: today's KEPs (kep.yaml), as their authors and PRR
approvers work on them.

Plain functions over :mod:`keps.workflow` and :mod:`keps.index` return what the command
prints (a :class:`~keps.cli._app.Report`); the click commands below only read options::

    create(root, "sig-node/my-feature", principal="alice", stage="alpha")
    promote(root, "sig-node/my-feature", principal="alice", stage="beta", release="v1.37")
    prr_approve(root, "1287", principal="wojtek-t")
    prr_pending(root, milestone="v1.37")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import click

from keps import workflow
from keps.cli._app import Context, Report, emit, one_line, pass_context, runtime_for
from keps.cli._complete import (
    complete_milestones,
    complete_participating_sigs,
    complete_sigs,
    complete_stages,
    complete_states,
    complete_targets,
)
from keps.cli._pull_request import PullRequestOpener, pr_options, pull_request_opener
from keps.cli.output import FORMATS, render_records
from keps.errors import KepError
from keps.keps import Kep
from keps.workflow import Changes

__all__ = ["COMMANDS", "create", "promote", "prr_approve", "prr_pending"]


def _split(values: Sequence[str]) -> list[str]:
    """Repeated or comma-separated values (upstream's flags take "a,b"), in order, each once."""
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return list(dict.fromkeys(out))


def _kep_line(kep: Kep, what: str) -> str:
    milestone = f" ({kep.stage} in {kep.latest_milestone})" if kep.stage else ""
    return f"{what}: {kep.title} is {kep.state}{milestone}: {kep.path}\n"


# -- the plain functions ------------------------------------------------------------------


def create(
    content_root: Path,
    target: str,
    *,
    principal: str,
    title: str | None = None,
    number: int | None = None,
    authors: Sequence[str] = (),
    reviewers: Sequence[str] = (),
    approvers: Sequence[str] = (),
    participating_sigs: Sequence[str] = (),
    prr_approvers: Sequence[str] = (),
    stage: str = "",
    state: str = "provisional",
    pull_request: PullRequestOpener | None = None,
) -> Report:
    """Create a KEP in a kubernetes/enhancements checkout (see :func:`keps.workflow.create`)."""
    path, changes = workflow.recorded(
        workflow.create,
        content_root,
        target,
        principal=principal,
        title=title,
        kep_number=number,
        authors=_split(authors),
        reviewers=_split(reviewers),
        approvers=_split(approvers),
        participating_sigs=_split(participating_sigs),
        prr_approvers=_split(prr_approvers),
        stage=stage,
        state=state,
    )
    done = f"created {state} KEP: {path}\n"
    if pull_request is None:
        return Report(done)
    from keps.keps import open as open_kep

    return _with_pull_request(done, open_kep(path), changes, path.name, pull_request)


def _with_pull_request(
    done: str, kep: Kep, changes: Changes, target: str, pull_request: PullRequestOpener
) -> Report:
    """*done*, then the pull request of the step's *changes*; a failure is the error.

    The step is saved whatever happens to the pull request: the error says so, and
    what to run once it is fixed.
    """
    try:
        url = pull_request(kep, changes, target=target)
    except KepError as exc:
        return Report(
            done,
            error=f"the step is saved in {kep.path}, but the pull request failed: {one_line(exc)}",
        )
    return Report(f"{done}pull request: {url}\n")


def promote(
    content_root: Path,
    target: str,
    *,
    principal: str,
    stage: str,
    release: str,
    prr_approver: str | None = None,
    pull_request: PullRequestOpener | None = None,
) -> Report:
    """Move the KEP *target* to *stage* for *release* (see :func:`keps.workflow.promote`)."""
    runtime = runtime_for(content_root, target, principal)
    kep, changes = workflow.recorded(
        workflow.promote, runtime, stage=stage, release=release, prr_approver=prr_approver
    )
    done = _kep_line(kep, "promote")
    if pull_request is None:
        return Report(done)
    return _with_pull_request(done, kep, changes, target, pull_request)


def prr_approve(
    content_root: Path,
    target: str,
    *,
    principal: str,
    stage: str | None = None,
    pull_request: PullRequestOpener | None = None,
) -> Report:
    """Record the principal's PRR approval of *stage* (default: the KEP's current stage)."""
    runtime = runtime_for(content_root, target, principal)
    kep, changes = workflow.recorded(workflow.prr_approve, runtime, stage=stage)
    approver = kep.metadata.prr_approver_for(stage)
    done = f"prr approve: {approver} approved {kep.title} for {stage or kep.stage}\n"
    if pull_request is None:
        return Report(done)
    return _with_pull_request(done, kep, changes, target, pull_request)


#: The columns of ``kepctl prr pending``.
PENDING_COLUMNS = (
    "kep_number",
    "title",
    "owning_sig",
    "stage",
    "latest_milestone",
    "prr_approvers",
    "location",
)


def prr_pending(
    content_root: Path,
    *,
    milestone: str | None = None,
    approver: str | None = None,
    fmt: str = "table",
) -> Report:
    """The KEPs whose current stage waits for a PRR approval (see :func:`keps.index.prr_pending`)."""
    from keps import index

    entries = index.open(content_root).entries
    pending = index.prr_pending(entries, milestone=milestone, approver=approver)
    records = [{column: getattr(e, column) for column in PENDING_COLUMNS} for e in pending]
    return Report(render_records(records, fmt, PENDING_COLUMNS))


# -- the click commands ---------------------------------------------------------------------


def _opener(
    ctx: Context,
    upstream: str | None,
    token_file: Path | None,
    api_url: str | None,
    git_url_template: str | None,
) -> PullRequestOpener | None:
    """The pull request opener --pr asks for, checked before the step runs; None without."""
    if upstream is None:
        return None
    return pull_request_opener(ctx, upstream, token_file, api_url, git_url_template)


@click.command(name="create")
@click.option("--name", "name", required=True, help="The KEP's name (its folder after the number).")
@click.option(
    "--owning-sig",
    "owning_sig",
    required=True,
    shell_complete=complete_sigs,
    help="The SIG that owns it.",
)
@click.option("--title", default=None, help="Its title (default: from the name).")
@click.option(
    "--number",
    type=click.IntRange(0, 10**9),
    default=None,
    help="Its number: the tracking issue's (default: the next free one).",
)
@click.option("--group", default=None, help="A folder of the SIG's KEPs to create it in.")
@click.option(
    "--participating-sigs",
    "participating_sigs",
    shell_complete=complete_participating_sigs,
    help="Other SIGs taking part (repeatable or a,b).",
    multiple=True,
)
@click.option("--authors", help="Authors' GitHub handles (default: you).", multiple=True)
@click.option("--reviewers", help="Reviewers' handles (default: TBD).", multiple=True)
@click.option("--approvers", help="Approvers' handles (default: TBD).", multiple=True)
@click.option("--prr-approver", "prr_approvers", help="The PRR approver asked.", multiple=True)
@click.option("--stage", default="", shell_complete=complete_stages, help="The stage it targets.")
@click.option("--state", default="provisional", shell_complete=complete_states, help="Its status.")
@pr_options(required=False)
@pass_context
def create_command(
    ctx: Context,
    name: str,
    owning_sig: str,
    group: str | None,
    title: str | None,
    number: int | None,
    participating_sigs: tuple[str, ...],
    authors: tuple[str, ...],
    reviewers: tuple[str, ...],
    approvers: tuple[str, ...],
    prr_approvers: tuple[str, ...],
    stage: str,
    state: str,
    upstream: str | None,
    token_file: Path | None,
    api_url: str | None,
    git_url_template: str | None,
) -> None:
    """Create a KEP in a kubernetes/enhancements checkout, with upstream kepctl's options.

    It goes to keps/SIG/[GROUP/]NUMBER-NAME/ with kep.yaml and the checkout's README
    template; every option is checked (a SIG, stage or status typo writes nothing).
    """
    target = "/".join(part for part in (owning_sig, group, name) if part)
    opener = _opener(ctx, upstream, token_file, api_url, git_url_template)
    principal = ctx.principal
    emit(
        create(
            ctx.content_root,
            target,
            principal=principal,
            title=title,
            number=number,
            authors=authors,
            reviewers=reviewers,
            approvers=approvers,
            participating_sigs=participating_sigs,
            prr_approvers=prr_approvers,
            stage=stage,
            state=state,
            pull_request=opener,
        )
    )


@click.command(name="promote")
@click.argument("target", shell_complete=complete_targets)
@click.option(
    "--stage", required=True, shell_complete=complete_stages, help="The stage it moves to."
)
@click.option(
    "--release",
    required=True,
    shell_complete=complete_milestones,
    help="The release, such as v1.37.",
)
@click.option(
    "--prr-approver",
    "prr_approver",
    default=None,
    help="Record this PRR approval of the stage too.",
)
@pr_options(required=False)
@pass_context
def promote_command(
    ctx: Context,
    target: str,
    stage: str,
    release: str,
    prr_approver: str | None,
    upstream: str | None,
    token_file: Path | None,
    api_url: str | None,
    git_url_template: str | None,
) -> None:
    """Move an implementable KEP to STAGE for RELEASE: stage, milestone and last-updated."""
    opener = _opener(ctx, upstream, token_file, api_url, git_url_template)
    principal = ctx.principal
    emit(
        promote(
            ctx.content_root,
            target,
            principal=principal,
            stage=stage,
            release=release,
            prr_approver=prr_approver,
            pull_request=opener,
        )
    )


@click.group(name="prr")
def prr_group() -> None:
    """Production readiness review: approvals, and the KEPs waiting for one."""


@prr_group.command(name="approve")
@click.argument("target", shell_complete=complete_targets)
@click.option(
    "--stage",
    default=None,
    shell_complete=complete_stages,
    help="The stage approved (default: the KEP's).",
)
@pr_options(required=False)
@pass_context
def prr_approve_command(
    ctx: Context,
    target: str,
    stage: str | None,
    upstream: str | None,
    token_file: Path | None,
    api_url: str | None,
    git_url_template: str | None,
) -> None:
    """Approve TARGET's production readiness for a stage, as the PRR approver (--principal)."""
    opener = _opener(ctx, upstream, token_file, api_url, git_url_template)
    principal = ctx.principal
    emit(
        prr_approve(ctx.content_root, target, principal=principal, stage=stage, pull_request=opener)
    )


@prr_group.command(name="pending")
@click.option(
    "--milestone",
    default=None,
    shell_complete=complete_milestones,
    help="Only KEPs targeting this release.",
)
@click.option("--approver", default=None, help="Only KEPs whose kep.yaml asks this PRR approver.")
@click.option(
    "--output", "fmt", type=click.Choice(list(FORMATS)), default="table", show_default=True
)
@pass_context
def prr_pending_command(
    ctx: Context, milestone: str | None, approver: str | None, fmt: str
) -> None:
    """The implementable KEPs whose current stage has no PRR approval yet."""
    emit(prr_pending(ctx.content_root, milestone=milestone, approver=approver, fmt=fmt))


#: Every command of this module, by name.
COMMANDS: Mapping[str, click.Command] = MappingProxyType(
    {"create": create_command, "promote": promote_command, "prr": prr_group}
)
