"""HTML for notebooks: what Jupyter shows for KEPs, one KEP and validation findings.

The ``_repr_html_`` methods of :class:`~keps.analysis.collection.KepCollection`,
:class:`~keps.index.Entry`, :class:`~keps.keps.Kep` and
:class:`~keps.analysis.findings.Findings` each call one function here, so the markup
lives in one module and the classes stay free of it::

    ks = keps.load("~/src/enhancements")
    ks                     # a table of the first 100 KEPs, then "... and 555 more"
    ks[753]                # the KEP's fields, its links
    ks.validate()          # findings by code, then the first 100

KEP content is untrusted: every value is escaped (``html.escape``), so a title
``<script>`` shows as text and runs nothing; links show as text, never as anchors.
Tables stop after :data:`MAX_ROWS` rows, so a collection of 650 KEPs does not make a
megabyte notebook cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from keps.analysis.findings import RECORD_KEYS
from keps.errors import PathOutsideError
from keps.index.records import RECORD_FIELDS, to_record
from keps.problems import Problem

if TYPE_CHECKING:
    from keps.analysis.collection import KepCollection
    from keps.analysis.findings import Findings
    from keps.index.entry import Entry
    from keps.keps import Kep

__all__ = [
    "LINK_FIELDS",
    "MAX_ROWS",
    "collection_html",
    "entry_html",
    "findings_html",
    "kep_html",
]

#: The most rows one table shows; the rest are counted in an "… and N more" line.
MAX_ROWS = 100

#: Record fields naming other KEPs: shown apart from the metadata, as text.
LINK_FIELDS: tuple[str, ...] = ("replaces", "superseded_by", "see_also")

#: The columns of a collection's table: (heading, record field).
_COLLECTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", "kep_number"),
    ("title", "title"),
    ("state", "state"),
    ("stage", "stage"),
    ("latest milestone", "latest_milestone"),
    ("owning SIG", "owning_sig"),
    ("location", "location"),
)


def _text(value: object) -> str:
    """*value* as plain text for a cell: lists joined, times as dates where that is all."""
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.utcoffset() in (None, dt.timedelta(0)):
            return value.date().isoformat()
        return value.isoformat()
    return str(value)


def _cell(tag: str, value: object) -> str:
    return f"<{tag}>{escape(_text(value))}</{tag}>"


def _table(headings: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A table of *rows* under *headings*, every value escaped."""
    head = "".join(_cell("th", heading) for heading in headings)
    body = "".join("<tr>" + "".join(_cell("td", v) for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _more(total: int, shown: int) -> str:
    """The line under a capped table; '' when every row was shown."""
    return f"<p>… and {total - shown} more</p>" if total > shown else ""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _has_value(value: object) -> bool:
    return value is not None and value != "" and value != ()


# -- a collection --


def collection_html(collection: KepCollection) -> str:
    """The KEPs of *collection*: a header line, then a table of the first :data:`MAX_ROWS`.

    Columns: number, title, state, stage, latest milestone, owning SIG, location; a
    value the KEP's file gives that does not parse shows as written.
    """
    total = len(collection)
    header = (
        f"<p>{_plural(total, 'KEP')} under {escape(str(collection.content_root))}, "
        f"{_plural(len(collection.problems), 'problem')}</p>"
    )
    shown = collection.entries[:MAX_ROWS]
    records = (to_record(entry) for entry in shown)
    rows = ([record[field] for _, field in _COLLECTION_COLUMNS] for record in records)
    headings = [heading for heading, _ in _COLLECTION_COLUMNS]
    return f"<div>{header}{_table(headings, rows)}{_more(total, len(shown))}</div>"


# -- one KEP --


def _heading(number: int | None, title: str) -> str:
    name = f"KEP {number}" if number is not None else "KEP (no number)"
    return f"<h4>{escape(name)}: {escape(title)}</h4>" if title else f"<h4>{escape(name)}</h4>"


def _record_html(record: Mapping[str, object]) -> str:
    """A record as a field/value table of every field with a value, then its links."""
    fields = [
        (name, record[name])
        for name in RECORD_FIELDS
        if name not in LINK_FIELDS and _has_value(record.get(name))
    ]
    links = [(name, record[name]) for name in LINK_FIELDS if _has_value(record.get(name))]
    parts = [_table(("field", "value"), fields)]
    if links:
        parts.append("<p>links</p>" + _table(("link", "KEPs"), links))
    return "".join(parts)


def entry_html(entry: Entry) -> str:
    """One KEP as the index knows it: its fields with a value, then the KEPs it links to."""
    record = to_record(entry)
    return f"<div>{_heading(entry.kep_number, entry.title)}{_record_html(record)}</div>"


def _problems_html(problems: Sequence[Problem]) -> str:
    """*problems* as a table (the first :data:`MAX_ROWS`), under a count."""
    shown = problems[:MAX_ROWS]
    rows = ([getattr(p, column) for column in RECORD_KEYS] for p in shown)
    return _table(RECORD_KEYS, rows) + _more(len(problems), len(shown))


def kep_html(kep: Kep) -> str:
    """A full KEP: its fields with a value, its links, and what its checks find.

    The checks only read (:meth:`~keps.keps.Kep.problems`); nothing is written.
    """
    from keps.index.entry import Entry
    from keps.keps.path import relative_location

    try:
        location = relative_location(kep.path, kep.content_root)
    except PathOutsideError:  # a KEP outside its content root shows its whole path
        location = str(kep.path)
    record = to_record(Entry.from_metadata(kep.metadata, location))
    problems = kep.problems()
    said = f"<p>{_plural(len(problems), 'problem')}</p>"
    listed = _problems_html(problems) if problems else ""
    return f"<div>{_heading(kep.kep_number, kep.title)}{_record_html(record)}{said}{listed}</div>"


# -- validation findings --


def findings_html(findings: Findings) -> str:
    """Findings by code with their counts (most first), then the first :data:`MAX_ROWS`."""
    problems = tuple(findings)
    errors = sum(1 for p in problems if p.severity == "error")
    header = (
        f"<p>{_plural(len(problems), 'finding')}: {_plural(errors, 'error')}, "
        f"{_plural(len(problems) - errors, 'warning')}</p>"
    )
    counts = findings.count().most_common()
    return f"<div>{header}{_table(('code', 'count'), counts)}{_problems_html(problems)}</div>"
