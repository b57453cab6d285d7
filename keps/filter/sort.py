"""Selecting and sorting: apply a criterion to entries, order the result by any field.

Sorting is stable and puts KEPs without a value for the sort field last, whichever the
direction; text sorts case-insensitively (handles without their "@") and states in lifecycle order (draft first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from keps.errors import InvalidArgumentError, QuerySyntaxError
from keps.filter.criteria import Criterion
from keps.filter.fields import FIELDS, Kind, field_value, lookup, shown
from keps.keps.states import State

__all__ = ["select", "sort_attribute"]

T = TypeVar("T")

_STATE_ORDER = {state: position for position, state in enumerate(State)}


def sort_attribute(sort_by: str, sample: object | None = None) -> str:
    """The attribute *sort_by* names: a filter field (any alias) or an attribute of *sample*.

    Raises:
        QuerySyntaxError: neither a field nor an attribute of *sample*.
        InvalidArgumentError: *sort_by* is not text.
    """
    _require_text(sort_by)
    try:
        return lookup(sort_by).attribute
    except ValueError as exc:
        if sample is not None and not sort_by.startswith("_") and hasattr(sample, sort_by):
            return sort_by
        msg = f"cannot sort by {sort_by!r}: {exc}"
        raise QuerySyntaxError(msg, query=sort_by, term=sort_by, position=0) from exc


def _require_text(sort_by: object) -> None:
    if not isinstance(sort_by, str):
        msg = f"sort_by names a field, such as 'kep_number' or 'updated', got {shown(sort_by)}"
        raise InvalidArgumentError(msg, argument="sort_by", value=sort_by)


def _key(value: object, *, handles: bool = False) -> Any:
    """A sort key for one value: text without case (handles without "@"), states in order."""
    if isinstance(value, State):
        return _STATE_ORDER[value]
    if isinstance(value, str):
        return value.casefold().lstrip("@") if handles else value.casefold()
    if isinstance(value, tuple | list):
        return tuple(_key(item, handles=handles) for item in value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def select(
    entries: Iterable[T],
    criterion: Criterion | Callable[[T], bool] | str | None = None,
    *,
    sort_by: str = "kep_number",
    reverse: bool = False,
) -> list[T]:
    """The entries *criterion* matches (all when None), sorted by the field *sort_by*.

    *entries* may be index entries, Kep objects (read through the entry they make, so a
    field reads the same on both) or anything with the Entry attribute names (an
    :class:`~keps.index.Index` works too). *criterion* may be a query string as
    ``kepctl query`` takes it. Entries without a value for *sort_by* (None or empty)
    come last, in their original order.

    Raises:
        QuerySyntaxError: *criterion* is a query that does not parse, or *sort_by* is
            neither a field nor an attribute of the entries.
        InvalidArgumentError: *criterion* is neither a criterion, a query nor a
            function, or *sort_by* is not text.
    """
    _require_text(sort_by)
    if isinstance(criterion, str):
        from keps.filter.query import parse_query

        criterion = parse_query(criterion) if criterion.strip() else None
    if criterion is not None and not callable(criterion):
        msg = f"criterion is a keps.filter criterion, a query or a function, got {shown(criterion)}"
        raise InvalidArgumentError(msg, argument="criterion", value=criterion)
    items = list(entries)
    views = [_view(item) for item in items]
    if criterion is None:
        chosen = list(zip(items, views, strict=True))
    else:
        test: Callable[[object], bool] = (
            criterion.compiled() if isinstance(criterion, Criterion) else criterion  # type: ignore[assignment]
        )
        # a plain function sees the caller's objects; a criterion reads the entry view
        chosen = [
            (item, view)
            for item, view in zip(items, views, strict=True)
            if test(view if isinstance(criterion, Criterion) else item)
        ]
    if not chosen:
        return []
    attribute = sort_attribute(sort_by, chosen[0][1])
    kinds = {f.kind for f in FIELDS.values() if f.attribute == attribute}
    handles = Kind.HANDLE in kinds
    with_value: list[tuple[T, object]] = []
    without: list[tuple[T, object]] = []
    for item, view in chosen:
        value = field_value(view, attribute)
        if Kind.VERSION in kinds:  # releases in release order: v1.9 before v1.30
            value = _release(value)
        (without if value is None or value in ("", ()) else with_value).append((item, value))
    with_value.sort(key=lambda pair: _key(pair[1], handles=handles), reverse=reverse)
    return [item for item, _ in with_value + without]


def _release(value: object) -> object:
    """*value* as a Milestone to sort by, or None when it names no release."""
    from keps.keps.milestones import Milestone

    try:
        return Milestone.parse(value)
    except (TypeError, ValueError):
        return None


def _view(item: object) -> object:
    """What a criterion reads of *item*: a Kep's index entry, anything else as it is.

    A Kep holds its fields as the model does (feature gates as objects, PRR approvals per
    stage); the entry it makes holds them as queries compare them, the same as the
    index's own entries, so one query gives one answer on both.
    """
    metadata = getattr(item, "metadata", None)
    if metadata is None or not hasattr(item, "content_root"):
        return item
    from keps.index.entry import Entry

    path, root = getattr(item, "path", None), item.content_root
    try:
        location = path.relative_to(root).as_posix() if path is not None else ""
    except ValueError:
        location = str(path)
    return Entry.from_metadata(metadata, location)
