"""kepctl show, check and pr: looking at one existing KEP, and sending it as it is."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import click

from keps._files import read_text
from keps.cli._app import Context, Report, emit, find_kep, pass_context
from keps.cli._complete import complete_targets
from keps.cli._pull_request import PullRequestOpener, pr_options, pull_request_opener
from keps.cli.output import _plain
from keps.keps import Kep
from keps.keps.states import with_article
from keps.problems import errors_only

__all__ = ["COMMANDS", "SHOW_FORMATS", "check", "pull_request", "show"]

#: The formats of ``kepctl show``.
SHOW_FORMATS = ("text", "json", "yaml")


def _open(content_root: Path, target: str) -> Kep:
    return Kep.open(find_kep(content_root, target), content_root=content_root)


# -- the plain functions ------------------------------------------------------------------


def show(content_root: Path, target: str, *, fmt: str = "text") -> Report:
    """The KEP *target*: its metadata as JSON, its metadata file as written (yaml), or
    both with its title, state and sections (text)."""
    kep = _open(content_root, target)
    data = kep.layout.to_mapping(kep.metadata)
    if fmt == "json":
        return Report(json.dumps(_plain(data), indent=2) + "\n")
    text = read_text(kep.metadata_path)
    if fmt == "yaml":
        return Report(text)
    sections = "".join(f"  {name}\n" for name in kep.section_names())
    return Report(f"{kep.title} ({kep.state}) at {kep.path}\n{text}sections:\n{sections}")


def check(content_root: Path, target: str) -> Report:
    """Every problem of the KEP *target*; the report's error counts those that block."""
    kep = _open(content_root, target)
    problems = kep.problems()
    listed = "".join(f"{problem}\n" for problem in problems)
    blocking = errors_only(problems)
    if blocking:
        return Report(listed, error=f"{len(blocking)} problem(s) in {kep.path}")
    return Report(f"{listed}ok: {kep.title} passes every check for {with_article(kep.state)} KEP\n")


def pull_request(content_root: Path, target: str, opener: PullRequestOpener) -> Report:
    """Open a pull request with the files of the KEP *target* as they are (no step runs)."""
    kep = _open(content_root, target)
    return Report(f"pull request: {opener(kep, target=target)}\n")


# -- the click commands ---------------------------------------------------------------------


@click.command(name="show")
@click.argument("target", shell_complete=complete_targets)
@click.option("--output", "fmt", type=click.Choice(list(SHOW_FORMATS)), default="text")
@pass_context
def show_command(ctx: Context, target: str, fmt: str) -> None:
    """Show a KEP's metadata and sections."""
    emit(show(ctx.content_root, target, fmt=fmt))


@click.command(name="check")
@click.argument("target", shell_complete=complete_targets)
@pass_context
def check_command(ctx: Context, target: str) -> None:
    """Run a KEP's checks and list every problem (exit 1 if any blocks)."""
    emit(check(ctx.content_root, target))


@click.command(name="pr")
@click.argument("target", shell_complete=complete_targets)
@pr_options(required=True)
@pass_context
def pr_command(
    ctx: Context,
    target: str,
    upstream: str,
    token_file: Path | None,
    api_url: str | None,
    git_url_template: str | None,
) -> None:
    """Open a pull request with TARGET's files as they are (no step runs).

    For a step whose pull request failed, or a KEP edited since its last one.
    """
    opener = pull_request_opener(ctx, upstream, token_file, api_url, git_url_template)
    emit(pull_request(ctx.content_root, target, opener))


#: Every command of this module, by name.
COMMANDS: Mapping[str, click.Command] = MappingProxyType(
    {"show": show_command, "check": check_command, "pr": pr_command}
)
