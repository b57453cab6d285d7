"""Times as keps writes and reads them: RFC 3339 in UTC.

Kept apart from :mod:`keps._yaml` (which imports PyYAML) so that reading and printing
the index, which formats and parses times, does not import a YAML library.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["format_time", "parse_time"]


def format_time(value: dt.datetime) -> str:
    """RFC 3339 in UTC with microseconds and ``Z``: ``2018-12-09T01:37:52.328024Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: object) -> dt.datetime:
    """A UTC datetime from a YAML timestamp, an RFC 3339 string or a plain date.

    Raises:
        ValueError: for anything else, naming the value.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            return parse_time(dt.datetime.fromisoformat(text))
        except ValueError:
            pass
    msg = f"{value!r} is not an RFC 3339 time or a date (YYYY-MM-DD)"
    raise ValueError(msg)
