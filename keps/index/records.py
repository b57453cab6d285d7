"""Entries as plain records: one set of field names for every output.

The names are :class:`~keps.index.Entry`'s attributes, in its order, so a field is
called the same in Python (``entry.owning_sig``), in ``kepctl query --output
json|yaml|csv``, in ``kepctl export`` and in a DataFrame column. The per-stage pairs
become one column per stage, named as a query names them: ``milestone.beta`` and
``prr.beta`` (``entry.milestone.beta``, ``entry.prr.beta``)::

    to_record(entry)["milestone.beta"]     # 'v1.31'
    RECORD_FIELDS[:3]                     # ('uuid', 'kep_number', 'title')

A value that does not parse is given as the file writes it (a status of
``imlpemented``), never dropped; a release is written ``v1.31`` however the file spells
it, so ``1.31`` and ``v1.31`` do not show as two releases.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from keps.index.entry import Entry
from keps.keps.milestones import STAGES, Milestone
from keps.keps.states import State

__all__ = ["LIST_FIELDS", "RECORD_FIELDS", "STAGE_FIELDS", "release_text", "to_record"]

#: Entry attributes holding (stage, value) pairs -> the prefix of their per-stage columns.
STAGE_FIELDS: Mapping[str, str] = MappingProxyType(
    {"milestones": "milestone", "prr_approvals": "prr"}
)

#: Entry attributes a record leaves out: ``unparsed`` shows through the fields it names.
_HIDDEN = frozenset({"unparsed"})

#: Entry attributes whose text is a release.
_RELEASES = frozenset({"latest_milestone"})


def _columns() -> tuple[str, ...]:
    names: list[str] = []
    for field in attrs.fields(Entry):
        if field.name in _HIDDEN:
            continue
        prefix = STAGE_FIELDS.get(field.name)
        if prefix is None:
            names.append(field.name)
        else:
            names.extend(f"{prefix}.{stage}" for stage in STAGES)
    return tuple(names)


#: Every field of a record, in order.
RECORD_FIELDS: tuple[str, ...] = _columns()

#: The fields that hold a list of text (people, SIGs, gates, links): Entry's tuple fields.
LIST_FIELDS: frozenset[str] = frozenset(
    field.name
    for field in attrs.fields(Entry)
    if field.default == () and field.name not in STAGE_FIELDS and field.name not in _HIDDEN
)


def release_text(text: str) -> str:
    """*text* as ``vX.Y`` when it names a release, else as written ('' stays '')."""
    if not text:
        return text
    try:
        return str(Milestone.parse(text))
    except (TypeError, ValueError):
        return text


#: (attribute, per-stage prefix or None) for each Entry attribute a record shows.
_PLAN: tuple[tuple[str, str | None], ...] = tuple(
    (field.name, STAGE_FIELDS.get(field.name))
    for field in attrs.fields(Entry)
    if field.name not in _HIDDEN
)


def to_record(entry: Entry) -> dict[str, object]:
    """*entry* as a dict of :data:`RECORD_FIELDS`: text, numbers, times, tuples of text.

    A state is its text (``implementable``). A value that did not parse is the text the
    KEP's file gives; a missing per-stage value is ''.
    """
    record: dict[str, object] = {}
    unparsed = dict(entry.unparsed) if entry.unparsed else None
    for name, prefix in _PLAN:
        value = getattr(entry, name)
        if prefix is not None:
            given = dict(value) if value else {}
            for stage in STAGES:
                text = given.get(stage, "")
                record[f"{prefix}.{stage}"] = (
                    release_text(text) if text and prefix == "milestone" else text
                )
            continue
        if unparsed and name in unparsed and (value is None or value == "" or value == ()):
            value = unparsed[name]
        elif value.__class__ is State:
            value = value.value
        elif name in _RELEASES:
            value = release_text(value)
        record[name] = value
    return record
