"""One printer per output format (table, json, yaml, csv), behind one function."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
from collections.abc import Callable, Mapping, Sequence
from json.encoder import encode_basestring
from typing import Any

from keps._time import format_time
from keps.cli._app import printable

__all__ = ["FORMATS", "render_records"]


_AS_IS = (str, int, bool, float, type(None))


def _plain(value: Any) -> Any:
    """A JSON/YAML-friendly value: times as RFC 3339, enums as their value, tuples as lists."""
    kind = type(value)
    if kind in _AS_IS:  # the common case first: most fields are plain strings
        return value
    if kind is tuple or kind is list:
        return [item if type(item) is str else _plain(item) for item in value]
    if isinstance(value, dt.datetime):
        return format_time(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


#: The widest a table cell gets: a longer value (a hostile 9 MiB title) is cut with "...",
#: so one KEP cannot widen every row; json, yaml and csv hold values whole.
CELL_WIDTH = 120


def _table_cell(value: Any) -> str:
    """*value* as a table shows it: one line, control characters escaped, cut short."""
    text = printable(_cell(value))
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 3] + "..."


def _table(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    rows = [[_table_cell(r.get(c)) for c in columns] for r in records]
    widths = [max([len(c), *(len(row[i]) for row in rows)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines) + "\n"


def _json(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    plain = [_plain(dict(r)) for r in records]
    flat = _flat_json(plain)
    if flat is not None:
        return flat
    return json.dumps(plain, indent=2, ensure_ascii=False) + "\n"


_JSON_WORDS = {None: "null", True: "true", False: "false"}


def _json_scalar(value: Any) -> str | None:
    """*value* as json.dumps writes it, for strings, whole numbers and null; else None."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if value is None or kind is bool:
        return _JSON_WORDS[value]
    return None


def _flat_json(records: list[Any]) -> str | None:
    """``json.dumps(records, indent=2, ensure_ascii=False)`` plus a newline, built directly.

    The standard encoder takes its pure-Python path whenever it indents: 20 ms for a
    few hundred KEPs, a tenth of a ``kepctl query``. Records of strings, whole numbers,
    null and lists of those (every record kepctl prints) are written here line by line
    with the C string encoder; anything else returns None and takes json.dumps.
    """
    if not records:
        return "[]\n"
    out = ["["]
    for number, record in enumerate(records):
        if not isinstance(record, dict):
            return None
        if not record:
            out.append(f"  {{}}{',' if number < len(records) - 1 else ''}")
            continue
        out.append("  {")
        last = len(record) - 1
        for position, (key, value) in enumerate(record.items()):
            if type(key) is not str:
                return None
            comma = "," if position < last else ""
            name = encode_basestring(key)
            if isinstance(value, list):
                if not value:
                    out.append(f"    {name}: []{comma}")
                    continue
                items = [_json_scalar(item) for item in value]
                if None in items:
                    return None
                out.append(f"    {name}: [")
                out.append(",\n".join(f"      {item}" for item in items))
                out.append(f"    ]{comma}")
                continue
            scalar = _json_scalar(value)
            if scalar is None:
                return None
            out.append(f"    {name}: {scalar}{comma}")
        out.append(f"  }}{',' if number < len(records) - 1 else ''}")
    out.append("]\n")
    return "\n".join(out)


def _yaml(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    import yaml  # PyYAML only for this format: every kepctl run is a new process

    return yaml.safe_dump([_plain(dict(r)) for r in records], sort_keys=False, allow_unicode=True)


def _csv(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record.get(c)) for c in columns])
    return buffer.getvalue()


FORMATS: Mapping[str, Callable[[Sequence[Mapping[str, Any]], Sequence[str]], str]] = {
    "table": _table,
    "json": _json,
    "yaml": _yaml,
    "csv": _csv,
}


def render_records(records: Sequence[Mapping[str, Any]], fmt: str, columns: Sequence[str]) -> str:
    """*records* in format *fmt*; table and csv show *columns*, json and yaml every field."""
    return FORMATS[fmt](records, columns)
