"""Criteria: immutable values that say whether a KEP (an index entry or a Kep) is wanted.

Leaf criteria compare one field (see :mod:`keps.filter.fields`); :class:`All`,
:class:`Any` and :class:`Not` compose them, also written ``a & b``, ``a | b`` and ``~a``::

    >>> from keps.filter import author, owning_sig, state
    >>> wanted = owning_sig("sig-node") & state("implementable", "implemented") & ~author("@bob")

Criteria are attrs values, so two built the same way are equal: that is how a parsed
query is compared with the criteria it stands for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import partial
from typing import TypeVar, cast

import attrs

from keps.errors import InvalidArgumentError
from keps.filter.fields import Field, Kind, field_value, lookup, read_values, shown

__all__ = [
    "All",
    "Any",
    "Contains",
    "Criterion",
    "Match",
    "Not",
    "Range",
    "all_of",
    "any_of",
    "approver",
    "author",
    "between",
    "created_between",
    "editor",
    "field_is",
    "fields_of",
    "kep_number",
    "not_",
    "number_between",
    "owning_sig",
    "participating_sig",
    "reviewer",
    "state",
    "subproject",
    "theme",
    "title_contains",
    "updated_between",
]


class Criterion:
    """Base of every criterion: ``matches(item)`` and the ``& | ~`` operators."""

    __slots__ = ()

    def matches(self, item: object) -> bool:
        """True when *item* (anything with the Entry attribute names) is selected."""
        raise NotImplementedError

    def compiled(self) -> Callable[[object], bool]:
        """A function equal to :meth:`matches`, made once per query to run on many items.

        The leaf criteria look their field up once and remember what each distinct
        text value parses to, so a query over ten thousand entries allocates nothing
        per entry. A subclass that only defines :meth:`matches` gets that method.
        """
        return self.matches

    def __call__(self, item: object) -> bool:
        return self.matches(item)

    def __and__(self, other: Criterion) -> Criterion:
        return all_of(self, other)

    def __or__(self, other: Criterion) -> Criterion:
        return any_of(self, other)

    def __invert__(self) -> Criterion:
        return not_(self)


def _criterion(item: object) -> Criterion:
    """*item* if it is a criterion; a combination of anything else would fail only when run."""
    if not isinstance(item, Criterion):
        msg = f"expected a criterion such as keps.filter.state('draft'), got {shown(item)}"
        raise InvalidArgumentError(msg, argument="criterion", value=item)
    return item


def _criteria(items: Iterable[Criterion]) -> tuple[Criterion, ...]:
    return tuple(_criterion(item) for item in items)


@attrs.frozen
class All(Criterion):
    """Every one of *criteria* holds (no criteria: everything matches)."""

    criteria: tuple[Criterion, ...] = attrs.field(converter=_criteria)

    def matches(self, item: object) -> bool:
        """True when every criterion matches *item*."""
        return all(c.matches(item) for c in self.criteria)

    def compiled(self) -> Callable[[object], bool]:
        """See :meth:`Criterion.compiled`."""
        tests = tuple(c.compiled() for c in self.criteria)
        if len(tests) == 1:
            return tests[0]

        def every(item: object) -> bool:
            for test in tests:  # noqa: SIM110 - no generator per item
                if not test(item):
                    return False
            return True

        return every


@attrs.frozen
class Any(Criterion):
    """At least one of *criteria* holds (no criteria: nothing matches)."""

    criteria: tuple[Criterion, ...] = attrs.field(converter=_criteria)

    def matches(self, item: object) -> bool:
        """True when some criterion matches *item*."""
        return any(c.matches(item) for c in self.criteria)

    def compiled(self) -> Callable[[object], bool]:
        """See :meth:`Criterion.compiled`."""
        tests = tuple(c.compiled() for c in self.criteria)

        def some(item: object) -> bool:
            for test in tests:  # noqa: SIM110 - no generator per item
                if test(item):
                    return True
            return False

        return some


@attrs.frozen
class Not(Criterion):
    """*criterion* does not hold."""

    criterion: Criterion = attrs.field(converter=_criterion)

    def matches(self, item: object) -> bool:
        """True when the criterion does not match *item*."""
        return not self.criterion.matches(item)

    def compiled(self) -> Callable[[object], bool]:
        """See :meth:`Criterion.compiled`."""
        test = self.criterion.compiled()
        return lambda item: not test(item)


def _values(items: Iterable[object]) -> tuple[object, ...]:
    return tuple(dict.fromkeys(items))


def _known_field(_instance: object, _attribute: object, name: str) -> None:
    """A leaf criterion names a field of :data:`~keps.filter.fields.FIELDS` (any alias)."""
    lookup(name)


@attrs.frozen
class Match(Criterion):
    """The field holds one of *values* (for a list field: any item does).

    *values* are in the field's comparable form; build one with :func:`field_is` or the
    named factories, which parse what a person typed.
    """

    field: str = attrs.field(validator=_known_field)
    values: tuple[object, ...] = attrs.field(converter=_values)

    def matches(self, item: object) -> bool:
        """True when one of the item's values for the field is among *values*."""
        wanted = self.values
        return any(value in wanted for value in read_values(lookup(self.field), item))

    def compiled(self) -> Callable[[object], bool]:
        """See :meth:`Criterion.compiled`: the same answer as :meth:`matches`, memoized."""
        field = lookup(self.field)
        wanted = self.values

        def one(raw: object) -> bool:
            if field.kind is Kind.TIME:
                return raw in wanted
            try:
                return field.parse(raw) in wanted
            except (TypeError, ValueError):
                return False

        return _leaf(field.attribute, one)


@attrs.frozen
class Contains(Criterion):
    """The field's text contains one of *texts* (case-insensitive)."""

    field: str = attrs.field(validator=_known_field)
    texts: tuple[str, ...] = attrs.field(converter=_values)

    def matches(self, item: object) -> bool:
        """True when one of the item's values for the field contains one of *texts*."""
        values = read_values(lookup(self.field), item)
        return any(text in str(value) for value in values for text in self.texts)

    def compiled(self) -> Callable[[object], bool]:
        """See :meth:`Criterion.compiled`: the same answer as :meth:`matches`, memoized."""
        field = lookup(self.field)
        texts = self.texts

        def one(raw: object) -> bool:
            if field.kind is Kind.TIME:
                value = raw
            else:
                try:
                    value = field.parse(raw)
                except (TypeError, ValueError):
                    return False
            shown = str(value)
            return any(text in shown for text in texts)

        return _leaf(field.attribute, one)


@attrs.frozen
class Range(Criterion):
    """The field's value lies in ``[start, stop)``; a None bound is open. A KEP without a value never matches."""

    field: str = attrs.field(validator=_known_field)
    start: object = None
    stop: object = None

    def __attrs_post_init__(self) -> None:
        field = lookup(self.field)
        if not field.ranges:
            msg = f"{field.name} cannot be compared with >, <, >= or <="
            raise InvalidArgumentError(msg, argument="field", value=self.field)
        wanted = _bound_type(field.kind)
        for bound in (self.start, self.stop):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, wanted)):
                msg = f"a bound of {field.name} is a {wanted.__name__}, got {shown(bound)}"
                raise InvalidArgumentError(msg, argument=field.name, value=bound)

    def matches(self, item: object) -> bool:
        """True when the item's value is at least *start* and below *stop*."""
        for value in read_values(lookup(self.field), item):
            if self.start is not None and value < self.start:  # type: ignore[operator]
                continue
            if self.stop is not None and not value < self.stop:  # type: ignore[operator]
                continue
            return True
        return False


def _bound_type(kind: Kind) -> type:
    """The type of a range bound of a field of *kind* (its parse function's result)."""
    if kind is Kind.VERSION:
        from keps.keps.metadata import Milestone  # the object model, only for milestones

        return Milestone
    return dt.datetime if kind is Kind.TIME else int


#: At most this many distinct text values are remembered per compiled leaf criterion.
_MEMO_LIMIT = 100_000


def _leaf(attribute: str, one: Callable[[object], bool]) -> Callable[[object], bool]:
    """A test of *attribute* that holds when *one* holds for its value or any list item.

    Mirrors :func:`~keps.filter.fields.read_values`: None, "" and empty lists hold
    nothing. The answer for each distinct ``str`` value is remembered (exact str only:
    other types such as bool/int may compare equal yet parse differently).
    """
    memo: dict[str, bool] = {}

    def check(raw: object) -> bool:
        if type(raw) is str:
            known = memo.get(raw)
            if known is None:
                known = one(raw)
                if len(memo) < _MEMO_LIMIT:
                    memo[raw] = known
            return known
        return one(raw)

    read = partial(field_value, attribute=attribute) if "." in attribute else None

    def test(item: object) -> bool:
        value = getattr(item, attribute, None) if read is None else read(item)
        if value is None or value == "":
            return False
        if isinstance(value, tuple | list):
            for raw in value:  # noqa: SIM110 - no generator per item
                if check(raw):
                    return True
            return False
        return check(value)

    return test


def fields_of(criterion: object) -> frozenset[str]:
    """The names of the fields *criterion* reads (none for a plain function).

    A caller can tell before running a query whether it needs more than the index:
    a ``text:`` term reads each KEP's files (see :mod:`keps.analysis.search`).
    """
    if isinstance(criterion, All | Any):
        return frozenset().union(*(fields_of(c) for c in criterion.criteria))
    if isinstance(criterion, Not):
        return fields_of(criterion.criterion)
    if isinstance(criterion, Match | Contains | Range):
        return frozenset({lookup(criterion.field).name})
    return frozenset()


# -- composing --


def all_of(*criteria: Criterion) -> All:
    """Every one of *criteria* holds; nested :class:`All` are flattened."""
    flat: list[Criterion] = []
    for criterion in criteria:
        flat.extend(criterion.criteria if isinstance(criterion, All) else (criterion,))
    return All(flat)


def any_of(*criteria: Criterion) -> Any:
    """At least one of *criteria* holds; nested :class:`Any` are flattened."""
    flat: list[Criterion] = []
    for criterion in criteria:
        flat.extend(criterion.criteria if isinstance(criterion, Any) else (criterion,))
    return Any(flat)


def not_(criterion: Criterion) -> Criterion:
    """*criterion* does not hold (``not_(not_(c))`` is ``c``)."""
    if isinstance(criterion, Not):
        return criterion.criterion
    return Not(criterion)


# -- leaf criteria by field --


def _field(name: str) -> Field:
    return lookup(name)


def field_is(name: str, *values: object) -> Criterion:
    """The field *name* (any alias) equals one of *values*; for text fields, contains one.

    Raises:
        InvalidArgumentError: (a ValueError) an unknown field, no value, or a value the
            field cannot take (an unknown state, a number that is none); the message
            names it and what the field takes.
    """
    field = _field(name)
    if not values:
        msg = f"{field.name}: give at least one value"
        raise InvalidArgumentError(msg, argument="values", value=values)
    if field.kind is Kind.TIME:
        ranges = [_parsed(field, _day_or_instant, value) for value in values]
        return ranges[0] if len(ranges) == 1 else any_of(*ranges)
    parsed = [_parsed(field, _parse, value) for value in values]
    if field.kind is Kind.TEXT:
        return Contains(field.name, [str(p) for p in parsed])
    return Match(field.name, parsed)


_T = TypeVar("_T")


def _parse(field: Field, value: object) -> object:
    return field.parse(value)


def _parsed(field: Field, parse: Callable[[Field, object], _T], value: object) -> _T:
    """``parse(field, value)``, a bad value raised as InvalidArgumentError naming it."""
    try:
        return parse(field, value)
    except (ValueError, TypeError) as exc:
        msg = f"{field.name}: {exc}"
        raise InvalidArgumentError(msg, argument=field.name, value=value) from exc
    except OverflowError as exc:  # the day after 9999-12-31
        msg = f"{field.name}: {shown(value)} is too close to the end of time (year 9999)"
        raise InvalidArgumentError(msg, argument=field.name, value=value) from exc


def _day_or_instant(field: Field, value: object) -> Range:
    """The range "within that day" for a date, "at that instant" for a time."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        start = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
        return Range(field.name, start, start + dt.timedelta(days=1))
    if isinstance(value, str) and "T" not in value.upper():
        start = _as_time(field, value)
        return Range(field.name, start, start + dt.timedelta(days=1))
    start = _as_time(field, value)
    return Range(field.name, start, start + dt.timedelta(microseconds=1))


def _as_time(field: Field, value: object) -> dt.datetime:
    return cast(dt.datetime, field.parse(value))


def between(name: str, start: object = None, stop: object = None) -> Range:
    """The field *name* lies in ``[start, stop)``: *start* included, *stop* excluded.

    For times, a date means midnight UTC of that day. A number bound may be any whole
    number (``number_between(1, 10**9 + 1)``), not only a KEP number.

    Raises:
        InvalidArgumentError: (a ValueError) an unknown field, a field without order, or
            a bad bound, named in the message.
    """
    field = _field(name)
    if not field.ranges:
        msg = f"{field.name} cannot be compared with >, <, >= or <="
        raise InvalidArgumentError(msg, argument="name", value=name)
    low = None if start is None else _parsed(field, _bound, start)
    high = None if stop is None else _parsed(field, _bound, stop)
    return Range(field.name, low, high)


def _bound(field: Field, value: object) -> object:
    """A range bound in the field's comparable form; any whole number bounds a number."""
    if field.kind is Kind.NUMBER and value.__class__ is int:
        return value
    return field.parse(_midnight(value))


def _midnight(value: object) -> object:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return value


def owning_sig(*sigs: str) -> Criterion:
    """The owning SIG is one of *sigs* (case ignored)."""
    return field_is("sig", *sigs)


def participating_sig(*sigs: str) -> Criterion:
    """One of the participating SIGs is one of *sigs*."""
    return field_is("participating", *sigs)


def subproject(*names: str) -> Criterion:
    """One of the affected subprojects is one of *names*."""
    return field_is("subproject", *names)


def state(*states: object) -> Criterion:
    """The state is one of *states* (State values or their names)."""
    return field_is("state", *states)


def author(*handles: str) -> Criterion:
    """One of the authors is one of *handles* (a leading "@" and case ignored)."""
    return field_is("author", *handles)


def approver(*handles: str) -> Criterion:
    """One of the approvers is one of *handles*."""
    return field_is("approver", *handles)


def reviewer(*handles: str) -> Criterion:
    """One of the reviewers is one of *handles*."""
    return field_is("reviewer", *handles)


def editor(*handles: str) -> Criterion:
    """One of the editors is one of *handles*."""
    return field_is("editor", *handles)


def theme(*themes: str) -> Criterion:
    """One of the development themes is one of *themes*."""
    return field_is("theme", *themes)


def kep_number(*numbers: int | str) -> Criterion:
    """The KEP number is one of *numbers*."""
    return field_is("number", *numbers)


def title_contains(*texts: str) -> Criterion:
    """The title contains one of *texts* (case ignored)."""
    return field_is("title", *texts)


def number_between(start: int | None = None, stop: int | None = None) -> Range:
    """*start* <= KEP number < *stop*; a KEP without a number never matches."""
    return between("number", start, stop)


def created_between(
    start: dt.datetime | dt.date | str | None = None,
    stop: dt.datetime | dt.date | str | None = None,
) -> Range:
    """Created at or after *start* and before *stop* (a date means its midnight UTC)."""
    return between("created", start, stop)


def updated_between(
    start: dt.datetime | dt.date | str | None = None,
    stop: dt.datetime | dt.date | str | None = None,
) -> Range:
    """Last updated at or after *start* and before *stop*."""
    return between("updated", start, stop)
