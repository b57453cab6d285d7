"""One printer per output format (table, json, yaml, csv), behind one function."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["FORMATS", "render_records"]


def _plain(value: Any) -> Any:
    """A JSON/YAML-friendly value: times as RFC 3339, enums as their value, tuples as lists."""
    if isinstance(value, dt.datetime):
        from keps._yaml import format_time

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


def _table(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    rows = [[_cell(r.get(c)) for c in columns] for r in records]
    widths = [max([len(c), *(len(row[i]) for row in rows)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines) + "\n"


def _json(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    return json.dumps([_plain(dict(r)) for r in records], indent=2, ensure_ascii=False) + "\n"


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
