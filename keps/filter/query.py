"""A short query language a person can type, parsed into criteria.

::

    sig:sig-node state:implementable,implemented author:@jdoe updated>=2019-01-01
    -state:withdrawn title:"pod priority" number>100

* terms separated by spaces must all hold; commas inside a term mean any of the values;
* a leading ``-`` negates a term; double quotes allow spaces (and commas) in a value;
* ``field:value`` and ``field=value`` compare for equality (a substring for ``title``,
  "within that day" for a date); ``>= <= > <`` compare numbers and times, where a date
  means the whole day (``created>2019-01-01`` is from 2019-01-02 on).

A query that does not parse raises :class:`~keps.errors.QuerySyntaxError` pointing at
the term at fault; so does an unknown state or stage and, when the caller says which
SIGs exist, an unknown SIG (see :mod:`keps.filter.values`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from typing import cast

import attrs

from keps.errors import InvalidArgumentError, QuerySyntaxError
from keps.filter.criteria import All, Criterion, all_of, between, field_is, not_
from keps.filter.fields import Field, Kind, lookup, shown
from keps.filter.values import SIG_FIELDS, check_values

__all__ = ["parse_query"]

_TERM = re.compile(
    r"(?P<field>[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z][A-Za-z0-9_-]*)?)"
    r"(?P<op>:?(?:>=|<=|>|<)|=|:)(?P<value>.*)",
    re.S,
)


@attrs.frozen
class _Term:
    text: str
    position: int


def _split_terms(query: str) -> list[_Term]:
    """The space-separated terms of *query* with their positions; quotes keep spaces."""
    terms: list[_Term] = []
    index = 0
    while index < len(query):
        if query[index].isspace():
            index += 1
            continue
        start = index
        quote_at: int | None = None
        while index < len(query) and (quote_at is not None or not query[index].isspace()):
            if query[index] == '"':
                quote_at = index if quote_at is None else None
            index += 1
        text = query[start:index]
        if quote_at is not None:
            msg = f'unclosed quote in {text!r}: close it with another "'
            raise QuerySyntaxError(msg, query=query, term=text, position=start)
        terms.append(_Term(text, start))
    return terms


def _split_values(text: str) -> list[str]:
    """The comma-separated values of a term, quotes removed (commas in quotes are kept)."""
    values: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return values


#: The SIGs a query may name, or a function that says so when the query names one.
KnownSigs = Collection[str] | Callable[[], Collection[str]]


def parse_query(query: str, *, sigs: KnownSigs | None = None) -> Criterion:
    """The criterion *query* stands for: one term's criterion, or :class:`All` of them.

    An empty query selects everything (``All(())``). With *sigs* (see
    :func:`~keps.filter.known_sigs`), a SIG term must name one of them, and ``sig:node``
    means ``sig:sig-node``; *sigs* may be a function, called only if a SIG term comes.

    Raises:
        QuerySyntaxError: an unknown field, a bad date or number, an unknown state or
            stage, an unknown SIG (with *sigs*; the message names the near match or lists
            the valid ones), an empty value or an unclosed quote; its ``term`` and
            ``position`` point at the term at fault.
        InvalidArgumentError: *query* is not text.
    """
    if not isinstance(query, str):
        msg = f"a query is text such as 'sig:sig-node state:draft', got {shown(query)}"
        raise InvalidArgumentError(msg, argument="query", value=query)
    known: list[frozenset[str]] = []

    def known_sigs() -> frozenset[str] | None:
        """The SIGs in lower case, asked for once; None when any SIG is taken as typed."""
        if sigs is None:
            return None
        if not known:
            given = sigs() if callable(sigs) else sigs
            known.append(frozenset(sig.strip().lower() for sig in given))
        return known[0]

    criteria = [_parse_term(query, term, known_sigs) for term in _split_terms(query)]
    if len(criteria) == 1:
        return criteria[0]
    return all_of(*criteria) if criteria else All(())


def _parse_term(query: str, term: _Term, sigs: Callable[[], frozenset[str] | None]) -> Criterion:
    def fail(message: str) -> QuerySyntaxError:
        return QuerySyntaxError(message, query=query, term=term.text, position=term.position)

    text = term.text
    negate = text.startswith("-")
    body = text[1:] if negate else text
    match = _TERM.fullmatch(body)
    if match is None:
        if not body:
            msg = "a lone '-' must be followed by a term to negate, e.g. -state:withdrawn"
        else:
            msg = (
                f"cannot read {text!r}: write FIELD:VALUE (or FIELD>=VALUE), "
                "e.g. sig:sig-node or updated>=2019-01-01"
            )
        raise fail(msg)
    try:
        field = lookup(match["field"])
    except ValueError as exc:
        raise fail(str(exc)) from exc
    op = match["op"].removeprefix(":") or ":"  # milestone:>=v1.29 is milestone>=v1.29
    values = _split_values(match["value"])
    if any(not value.strip() for value in values):
        msg = f"empty value in {text!r}: give a value after {match['field']}{op}"
        raise fail(msg)
    known = sigs() if field.name in SIG_FIELDS else None
    try:
        values = check_values(field.name, values, sigs=known)
        criterion = _criterion(field, op, values)
    except InvalidArgumentError as exc:  # names the field already
        raise fail(exc.message) from exc
    except (ValueError, TypeError) as exc:
        msg = f"{field.name}: {exc}"
        raise fail(msg) from exc
    except OverflowError as exc:  # updated>9999-12-31: the day after the last one
        msg = f"{field.name}: {text!r} reaches past the end of time (year 9999)"
        raise fail(msg) from exc
    return not_(criterion) if negate else criterion


def _criterion(field: Field, op: str, values: list[str]) -> Criterion:
    """The criterion for ``field op values``; ValueError says what is wrong."""
    if op in (":", "="):
        if field.kind is Kind.TIME:
            for value in values:
                _check_time(field, value)
        return field_is(field.name, *values)
    if not field.ranges:
        msg = f"{op} needs a number or a time; {field.name} only takes {field.name}:VALUE"
        raise ValueError(msg)
    if len(values) != 1:
        msg = f"{op} compares with one value, not a list"
        raise ValueError(msg)
    value = values[0].strip()
    bound = _check_time(field, value) if field.kind is Kind.TIME else field.parse(value)
    # [start, stop): a date covers its whole day, a time one microsecond, a number one.
    step: object
    if field.kind is Kind.TIME:
        step = dt.timedelta(days=1) if "T" not in value.upper() else dt.timedelta(microseconds=1)
    else:
        step = 1
    after = bound + step  # type: ignore[operator]
    if op == ">=":
        return between(field.name, start=bound)
    if op == ">":
        return between(field.name, start=after)
    if op == "<=":
        return between(field.name, stop=after)
    return between(field.name, stop=bound)


def _check_time(field: Field, value: str) -> dt.datetime:
    """The time a person typed (a date is its midnight UTC); ValueError for anything else."""
    try:
        return cast(dt.datetime, field.parse(value.strip()))
    except ValueError as exc:
        msg = f"{value.strip()!r} is not a date (YYYY-MM-DD) or an RFC 3339 time"
        raise ValueError(msg) from exc
