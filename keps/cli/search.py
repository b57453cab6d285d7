"""kepctl search: the lines of the KEPs' text that hold some words, shown as grep shows them.

``search(root, ("sidecar", "restart"))`` returns what ``kepctl --content-root root search
sidecar restart`` prints: one line per hit, ``path:line: text``, where *path* is the
file's, relative to the content root (``keps/sig-node/753-sidecar-containers/README.md``),
KEPs in number order. A line must hold every word, case ignored; a quoted argument with
spaces is a phrase. ``--where`` searches only the KEPs a query selects. A file that
is not read (a FIFO, a symlink out of the tree, too large) is a warning on stderr.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import click

from keps.cli._app import Context, Report, emit, pass_context, printable

__all__ = ["COMMANDS", "search"]


def search(
    content_root: Path, words: tuple[str, ...], *, where: str = "", fresh: bool = False
) -> Report:
    """Each line of the KEPs of *content_root* (those *where* selects) that holds every
    one of *words*, as ``path:line: text``; nothing found is a note, not an error.

    Raises:
        InvalidArgumentError: no word given.
        QuerySyntaxError: *where* does not parse.
    """
    from keps.analysis import load

    collection = load(content_root, fresh=fresh)
    if where.strip():
        collection = collection.query(where)
    lines = [
        f"{hit.path}:{hit.line_number}: {printable(hit.line.strip())}"
        for hit in collection.search(*words)
    ]
    if not lines:
        asked = " ".join(repr(word) for word in words)
        note = f"kepctl: no line of {len(collection)} KEPs holds {printable(asked)}"
        return Report(notes=(note,))
    return Report("\n".join(lines) + "\n")


@click.command(name="search")
@click.argument("words", nargs=-1, required=True)
@click.option(
    "--where",
    default="",
    metavar="QUERY",
    help="Search only the KEPs this query selects, e.g. 'sig:node stage:beta'.",
)
@click.option("--rebuild", "fresh", is_flag=True, help="Rebuild the index from the tree first.")
@pass_context
def _main(ctx: Context, /, words: tuple[str, ...], where: str, fresh: bool) -> None:
    """Show each line of the KEPs' text that holds every one of WORDS (case ignored)."""
    emit(search(ctx.content_root, words, where=where, fresh=fresh))


#: Every command of this module, by name.
COMMANDS: Mapping[str, click.Command] = MappingProxyType({"search": _main})
