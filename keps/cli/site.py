"""kepctl site: a static website of the KEPs, to open from disk or put on any static host.

``site(root, out)`` builds what ``kepctl --content-root root site OUT`` builds (see
:mod:`keps.site`) and returns the one line it prints. A rebuild into the same folder
renders only what changed; a folder that holds files of its own is refused. On a
terminal the KEP pages count up on stderr; piped, nothing is shown but the summary.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import click

from keps.cli._app import Context, Report, emit, pass_context

if TYPE_CHECKING:
    from keps.site.builder import Progress

__all__ = ["COMMANDS", "LEVELS", "site"]

#: The validation levels a site can show (those of ``kepctl validate``).
LEVELS = ("kepval", "lint")


def site(
    content_root: Path,
    out: Path,
    *,
    templates: Path | None = None,
    with_history: bool = False,
    level: str = "kepval",
    fresh: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Build the site of the KEPs under *content_root* into *out*; the summary line.

    *with_history* adds each KEP's history (``keps.history.load``: the git history of
    a checkout, the events of a 2018 content root).

    Raises:
        KepExistsError: *out* holds files that no site build wrote.
        KepNotFoundError: *with_history* for a checkout that is not a git repository.
    """
    from keps.analysis.collection import load
    from keps.site import build

    collection = load(content_root, fresh=fresh)
    history = None
    if with_history:
        from keps.history import load as load_history

        history = load_history(collection.content_root)
    result = build(
        collection, out, templates=templates, history=history, level=level, progress=progress
    )
    summary = (
        f"site of {len(collection)} KEPs in {out}: {len(result.written)} files written, "
        f"{len(result.removed)} removed, {len(result.files) - len(result.written)} unchanged; "
        f"open {out / 'index.html'}"
    )
    return Report(notes=(summary,))


@contextlib.contextmanager
def _progress() -> Iterator[Progress | None]:
    """A counter of the pages done on stderr when it is a terminal, else nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    shown = [0]

    def advance(done: int, total: int) -> None:
        if done == total or done - shown[0] >= max(1, total // 100):
            click.echo(f"\rpages {done}/{total}", err=True, nl=False)
            shown[0] = done

    try:
        yield advance
    finally:
        if shown[0]:
            click.echo("", err=True)


@click.command(name="site")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--templates",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="A folder of templates (and site.css, site.js) that replace the packaged ones by name.",
)
@click.option(
    "--history",
    "with_history",
    is_flag=True,
    help="Show each KEP's history: the checkout's git history, or a 2018 tree's events.",
)
@click.option(
    "--level",
    type=click.Choice(LEVELS),
    default="kepval",
    show_default=True,
    help="The validation level whose findings a checkout's site shows.",
)
@click.option("--rebuild", "fresh", is_flag=True, help="Rebuild the index from the tree first.")
@pass_context
def _main(
    ctx: Context,
    /,
    out: Path,
    templates: Path | None,
    with_history: bool,
    level: str,
    fresh: bool,
) -> None:
    """Write a static website of the KEPs into OUT (new, empty, or an earlier site)."""
    with _progress() as progress:
        report = site(
            ctx.content_root,
            out,
            templates=templates,
            with_history=with_history,
            level=level,
            fresh=fresh,
            progress=progress,
        )
    emit(report)


#: Every command of this module, by name.
COMMANDS: Mapping[str, click.Command] = MappingProxyType({"site": _main})
