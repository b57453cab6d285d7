"""kepctl graph: the links between KEPs (replaces, superseded-by, see-also) as DOT or Mermaid.

``graph(root, "sig:node", fmt="mermaid")`` returns what ``kepctl --content-root root
graph --format mermaid sig:node`` prints. The KEPs a query selects (every KEP without
one) are drawn with the KEPs they link to or are linked from, one arrow per reference
as written: from the KEP whose metadata makes it to the KEP it names (so a replacement
declared on both sides is two arrows). Only KEPs with at least one arrow are drawn.

Node ids are ``kep<number>`` (``kep753``; ``kep0_2`` for the second KEP numbered 0,
``kep_1`` for the first without a number); labels are ``KEP-753: <title>``, escaped for
the format, so a title with quotes, backslashes, brackets or line breaks cannot break
the syntax. Feed DOT to Graphviz (``kepctl graph | dot -Tsvg``); paste Mermaid into a
Markdown ```mermaid block.

The references of the drawn KEPs that name no KEP are warnings on stderr: one line for
each that looks meant for a KEP (a moved or mistyped folder, an unknown number), and one
line counting the rest (placeholders such as ``n/a``, links to other pages); with
``--debug``, one line for every one.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import click

from keps.analysis.links import KINDS
from keps.cli._app import Context, Report, emit, pass_context, printable
from keps.errors import InvalidArgumentError

if TYPE_CHECKING:
    from keps.analysis.links import Edge, Unresolved
    from keps.index import Entry

__all__ = ["COMMANDS", "FORMATS", "KINDS", "dot", "graph", "mermaid"]

#: What an arrow of each kind says.
_LABELS: Mapping[str, str] = {
    "replaces": "replaces",
    "superseded-by": "superseded by",
    "see-also": "see also",
}


def _one_line(text: str) -> str:
    """*text* on one line: control characters and line breaks become spaces."""
    spaced = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in text
    )
    return " ".join(spaced.split())


def _label(entry: Entry) -> str:
    name = f"KEP-{entry.kep_number}" if entry.kep_number is not None else entry.location
    return _one_line(f"{name}: {entry.title}" if entry.title else name)


def node_ids(entries: Iterable[Entry]) -> dict[str, str]:
    """A safe, unique id for each KEP, by location: ``kep753``, ``kep0_2``, ``kep_1``."""
    entries = list(entries)
    counts = Counter(entry.kep_number for entry in entries)
    seen: Counter[int | None] = Counter()
    ids: dict[str, str] = {}
    for entry in entries:
        number = entry.kep_number
        seen[number] += 1
        if number is None:
            ids[entry.location] = f"kep_{seen[number]}"
        elif counts[number] > 1:
            ids[entry.location] = f"kep{number}_{seen[number]}"
        else:
            ids[entry.location] = f"kep{number}"
    return ids


# -- DOT --

_DOT_STYLES: Mapping[str, str] = {
    "replaces": "solid",
    "superseded-by": "bold",
    "see-also": "dashed",
}


def _dot_string(text: str) -> str:
    """*text* as a DOT quoted string whose label shows it as it is.

    Inside quotes DOT ends the string at ``"`` unless escaped, and a label reads
    ``\\`` sequences (``\\n``, ``\\l``): both ``\\`` and ``"`` are escaped.
    """
    return '"' + _one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(entries: Sequence[Entry], edges: Sequence[Edge], ids: Mapping[str, str]) -> str:
    """*entries* and *edges* as a Graphviz digraph."""
    lines = ["digraph keps {", "  rankdir=LR;", "  node [shape=box];"]
    for entry in entries:
        label, tooltip = _dot_string(_label(entry)), _dot_string(entry.location)
        lines.append(f"  {ids[entry.location]} [label={label}, tooltip={tooltip}];")
    for edge in edges:
        label = _dot_string(_LABELS[edge.kind])
        style = _DOT_STYLES[edge.kind]
        lines.append(f"  {ids[edge.source]} -> {ids[edge.target]} [label={label}, style={style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- Mermaid --

#: Mermaid reads ``#name;`` and ``#35;`` as characters in a label: a quote would end the
#: label, ``#`` start a code, ``<``, ``>`` and ``&`` make HTML, a backtick Markdown.
_MERMAID_CODES = str.maketrans({char: f"#{ord(char)};" for char in '"#&<>`'})

_MERMAID_ARROWS: Mapping[str, str] = {"replaces": "-->", "superseded-by": "==>", "see-also": "-.->"}


def _mermaid_string(text: str) -> str:
    return '"' + _one_line(text).translate(_MERMAID_CODES) + '"'


def mermaid(entries: Sequence[Entry], edges: Sequence[Edge], ids: Mapping[str, str]) -> str:
    """*entries* and *edges* as a Mermaid flowchart."""
    lines = ["flowchart LR"]
    lines += [f"    {ids[e.location]}[{_mermaid_string(_label(e))}]" for e in entries]
    lines += [
        f"    {ids[e.source]} {_MERMAID_ARROWS[e.kind]}|{_LABELS[e.kind]}| {ids[e.target]}"
        for e in edges
    ]
    return "\n".join(lines) + "\n"


#: Every output format, by name.
FORMATS = MappingProxyType({"dot": dot, "mermaid": mermaid})


def _kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    """The kinds asked for, each checked (``see_also`` is ``see-also``)."""
    chosen: list[str] = []
    for kind in kinds:
        name = kind.strip().lower().replace("_", "-")
        if name not in KINDS:
            msg = f"unknown link kind {kind!r}; kinds are: {', '.join(KINDS)}"
            raise InvalidArgumentError(msg, argument="kind", value=kind)
        chosen.append(name)
    return tuple(dict.fromkeys(chosen)) or KINDS


def _warnings(unresolved: Sequence[Unresolved], *, every: bool) -> tuple[str, ...]:
    """What stderr says of the references that name no KEP (see the module docstring)."""
    shown = [u for u in unresolved if every or u.broken]
    notes = [
        f"kepctl: warning: {printable(u.location)}: {u.field} {printable(repr(u.text))}: "
        f"{printable(u.reason)}"
        for u in shown
    ]
    rest = Counter(u.reason for u in unresolved if not every and not u.broken)
    if rest:
        counted = "; ".join(f"{count} {reason}" for reason, count in rest.most_common())
        notes.append(
            f"kepctl: warning: {rest.total()} more references name no KEP ({counted});"
            " --debug lists them"
        )
    return tuple(notes)


def graph(
    content_root: Path,
    text: str = "",
    *,
    fmt: str = "dot",
    kinds: Iterable[str] = KINDS,
    every_warning: bool = False,
    fresh: bool = False,
) -> Report:
    """The links of the KEPs the query *text* selects, in format *fmt* (dot, mermaid).

    *kinds* are the lists drawn (default: all three); *every_warning* lists every
    reference that names no KEP instead of counting placeholders and other links.

    Raises:
        InvalidArgumentError: an unknown format or kind.
        QuerySyntaxError: the query does not parse.
    """
    from keps.analysis import load

    if fmt not in FORMATS:
        msg = f"unknown format {fmt!r}; formats are: {', '.join(FORMATS)}"
        raise InvalidArgumentError(msg, argument="fmt", value=fmt)
    wanted = _kinds(kinds)
    collection = load(content_root, fresh=fresh)
    chosen = collection.query(text) if text.strip() else collection
    selected = {entry.location for entry in chosen}
    links = collection.links
    edges = [
        edge
        for edge in links.edges
        if edge.kind in wanted and (edge.source in selected or edge.target in selected)
    ]
    drawn = {location for edge in edges for location in edge[:2]}
    entries = [entry for entry in collection if entry.location in drawn]
    out = FORMATS[fmt](entries, edges, node_ids(collection))
    unresolved = [u for u in links.unresolved if u.location in selected and u.field in wanted]
    return Report(out, notes=_warnings(unresolved, every=every_warning))


@click.command(name="graph")
@click.argument("words", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="dot",
    show_default=True,
    help="DOT for Graphviz, or a Mermaid flowchart.",
)
@click.option(
    "--kind",
    "kinds",
    default=",".join(KINDS),
    show_default=True,
    help="The links to draw, comma-separated.",
)
@click.option("--rebuild", "fresh", is_flag=True, help="Rebuild the index from the tree first.")
@pass_context
def _main(ctx: Context, /, words: tuple[str, ...], fmt: str, kinds: str, fresh: bool) -> None:
    """Draw the links between the KEPs a query selects (all KEPs without one).

    References that name no KEP are warnings on stderr: each one meant for a KEP, and
    a count of the rest (placeholders, other pages); --debug lists every one.
    """
    text = " ".join(words)
    report = graph(
        ctx.content_root,
        text,
        fmt=fmt,
        kinds=kinds.split(","),
        every_warning=ctx.debug,
        fresh=fresh,
    )
    emit(report)


#: Every command of this module, by name.
COMMANDS: Mapping[str, click.Command] = MappingProxyType({"graph": _main})
