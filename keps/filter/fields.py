"""The fields a filter can select on: one table, one row per field.

A row says which attribute of an entry (or a :class:`~keps.keps.Kep`) holds the field,
the names a query may use for it, how to turn a value a person typed into something
comparable, and what kind of comparisons it supports. Adding a field (stage, milestone,
feature gate) means adding a row.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from keps._time import parse_time
from keps.errors import InvalidArgumentError
from keps.keps.milestones import STAGES
from keps.keps.numbers import MAX_KEP_NUMBER, parse_kep_number
from keps.keps.states import State, parse_state

if TYPE_CHECKING:
    from keps.keps.milestones import Milestone

__all__ = [
    "FIELDS",
    "Field",
    "Kind",
    "field_value",
    "lookup",
    "parse_day",
    "read_values",
    "shown",
]


class Kind(enum.StrEnum):
    """What a field holds, which decides the comparisons a query may make on it."""

    NAME = "name"  # equality, case-insensitive (SIGs, subprojects, themes)
    HANDLE = "handle"  # equality, case-insensitive, a leading "@" ignored (people)
    STATE = "state"  # equality with one of the KEP states
    NUMBER = "number"  # equality and ranges (>=, <=, >, <)
    TIME = "time"  # ranges; "=" means within that day (or at that instant)
    TEXT = "text"  # case-insensitive substring
    VERSION = "version"  # a release (v1.30): equality and ranges, compared as semver


def shown(value: object, limit: int = 60) -> str:
    """*value* as an error message shows it: its repr, cut short; never raises.

    >>> shown("x" * 100)[-4:], shown(10**5000)
    ('x...', 'an int too long to show')
    """
    try:
        text = repr(value)
    except ValueError:  # an int of more than 4300 digits
        return f"an {type(value).__name__} too long to show"
    return text if len(text) <= limit else f"{text[:limit]}..."


def _name(value: object) -> str:
    if not isinstance(value, str):
        msg = f"expected text, got {shown(value)}"
        raise TypeError(msg)
    text = value.strip().lower()
    if not text:
        msg = "empty value"
        raise ValueError(msg)
    return text


def _handle(value: object) -> str:
    text = _name(value).lstrip("@")
    if not text:
        msg = "empty handle"
        raise ValueError(msg)
    return text


def _state(value: object) -> State:
    return parse_state(value)


def _number(value: object) -> int:
    try:
        return parse_kep_number(value)
    except (TypeError, ValueError) as exc:
        msg = f"{shown(value)} is not a KEP number (a whole number from 0 to {MAX_KEP_NUMBER})"
        raise ValueError(msg) from exc


def _time(value: object) -> dt.datetime:
    if isinstance(value, str):
        day = parse_day(value)
        if day is not None:
            return day
    return parse_time(value)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str) -> dt.datetime | None:
    """Midnight UTC of the day *text* names (``YYYY-MM-DD``), None if it is no plain date.

    Raises:
        ValueError: *text* looks like a date but is none (``2019-02-30``).
    """
    text = text.strip()
    if not _DAY.fullmatch(text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        msg = f"{text!r} is not a date: {exc}"
        raise ValueError(msg) from exc
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _text(value: object) -> str:
    return _name(value)


def _prose(value: object) -> str:
    """Text as a ``text:`` term compares it: lower case, each run of whitespace one space,
    so a phrase matches across a line break. Runs on a whole README: no extra copy."""
    if not isinstance(value, str):
        msg = f"expected text, got {shown(value)}"
        raise TypeError(msg)
    text = " ".join(value.lower().split())
    if not text:
        msg = "empty value"
        raise ValueError(msg)
    return text


def _version(value: object) -> Milestone:
    from keps.keps.milestones import Milestone

    return Milestone.parse(value)


@attrs.frozen
class Field:
    """One selectable field.

    Args:
        name: the canonical name, used in criteria and in error messages.
        attribute: the attribute of an entry (or Kep) that holds the value(s).
        aliases: every name a query may use for it (the canonical name included).
        kind: what it holds; decides the comparisons allowed.
        parse: turns a value given by a person (query text, or a Python value passed to
            a criterion factory) into the comparable form; raises ValueError/TypeError.
    """

    name: str
    attribute: str
    aliases: tuple[str, ...]
    kind: Kind
    parse: Callable[[object], object]

    @property
    def ranges(self) -> bool:
        """True when the field can be compared with ``>= <= > <``."""
        return self.kind in (Kind.NUMBER, Kind.TIME, Kind.VERSION)


_PARSERS: Mapping[Kind, Callable[[object], object]] = {
    Kind.NAME: _name,
    Kind.HANDLE: _handle,
    Kind.STATE: _state,
    Kind.NUMBER: _number,
    Kind.TIME: _time,
    Kind.TEXT: _text,
    Kind.VERSION: _version,
}


def _row(name: str, attribute: str, kind: Kind, *aliases: str) -> Field:
    names = tuple(dict.fromkeys((name, attribute, *aliases)))
    return Field(name=name, attribute=attribute, aliases=names, kind=kind, parse=_PARSERS[kind])


#: Every field, by canonical name. Query names are matched case-insensitively.
FIELDS: Mapping[str, Field] = MappingProxyType(
    {
        field.name: field
        for field in (
            _row("sig", "owning_sig", Kind.NAME, "owning-sig"),
            _row("participating", "participating_sigs", Kind.NAME, "participating-sig"),
            _row("subproject", "affected_subprojects", Kind.NAME, "subprojects"),
            _row("state", "state", Kind.STATE, "status"),
            _row("author", "authors", Kind.HANDLE, "authors"),
            _row("approver", "approvers", Kind.HANDLE, "approvers"),
            _row("reviewer", "reviewers", Kind.HANDLE, "reviewers"),
            _row("editor", "editors", Kind.HANDLE, "editors"),
            _row("theme", "development_themes", Kind.NAME, "themes", "development-theme"),
            _row("number", "kep_number", Kind.NUMBER, "kep", "kep-number"),
            _row("created", "created", Kind.TIME),
            _row("updated", "last_updated", Kind.TIME, "last-updated"),
            _row("title", "title", Kind.TEXT),
            # the KEP's prose (README.md; a 2018 KEP's section files). No entry holds it,
            # so on entries and Kep objects it is empty: KepCollection.query and kepctl
            # query read it from disk for a text: term (keps.analysis.search.TextView).
            attrs.evolve(_row("text", "text", Kind.TEXT), parse=_prose),
            _row("stage", "stage", Kind.NAME),
            _row("milestone", "latest_milestone", Kind.VERSION, "latest-milestone"),
            _row("gate", "feature_gates", Kind.NAME, "feature-gate", "feature-gates"),
            _row("prr", "prr_people", Kind.HANDLE, "prr-approver", "prr-approvers"),
            # one field per stage: milestone.beta, prr.beta (ByStage attributes of an entry)
            *(_row(f"milestone.{stage}", f"milestone.{stage}", Kind.VERSION) for stage in STAGES),
            *(_row(f"prr.{stage}", f"prr.{stage}", Kind.HANDLE) for stage in STAGES),
        )
    }
)

_BY_ALIAS: Mapping[str, Field] = MappingProxyType(
    {alias.lower(): field for field in FIELDS.values() for alias in field.aliases}
)


def lookup(name: str) -> Field:
    """The field a query calls *name* (any alias, any case).

    Raises:
        InvalidArgumentError: (a ValueError) with a message naming near matches and the
            known fields.
    """
    if not isinstance(name, str):
        msg = f"a field name is text, got {shown(name)}; known fields: {', '.join(FIELDS)}"
        raise InvalidArgumentError(msg, argument="field", value=name)
    field = _BY_ALIAS.get(name.strip().lower())
    if field is not None:
        return field
    close = difflib.get_close_matches(name.lower(), list(_BY_ALIAS), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    msg = f"unknown field {shown(name)}{hint}; known fields: {', '.join(FIELDS)}"
    raise InvalidArgumentError(msg, argument="field", value=name)


def field_value(item: object, attribute: str) -> object:
    """The value of *attribute* of *item*; a dotted name (``milestone.beta``) reads through.

    None when *item* has no such attribute (a Kep has no ``milestone.beta`` of its own).
    """
    if "." not in attribute:
        return getattr(item, attribute, None)
    value: object = item
    for part in attribute.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def read_values(field: Field, item: object) -> tuple[object, ...]:
    """The comparable values *item* holds for *field*: none, one, or one per list item."""
    value = field_value(item, field.attribute)
    if value is None or value == "":
        return ()
    items = value if isinstance(value, tuple | list) else (value,)
    out: list[object] = []
    for raw in items:
        if field.kind is Kind.TIME:
            out.append(raw)
            continue
        try:
            out.append(field.parse(raw))
        except (TypeError, ValueError):
            continue
    return tuple(out)
