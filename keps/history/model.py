"""What a KEP's history is made of: a change of one field, one KEP's trail, one span of a value.

A :class:`Change` is one field of one KEP taking a new value at one commit (or one
lifecycle event of a 2018 KEP). A :class:`Trail` is every change of one KEP, across the
folders it lived in. A :class:`Span` is the time one value held. All are immutable.
"""

from __future__ import annotations

import datetime as dt

import attrs

from keps.keps.metadata import STAGES

__all__ = ["FIELDS", "Change", "Span", "Trail"]

#: The fields a history follows, in the order a commit's changes are listed.
FIELDS: tuple[str, ...] = (
    "state",
    "stage",
    "latest_milestone",
    *(f"milestone.{stage}" for stage in STAGES),
)


@attrs.frozen
class Change:
    """One field of one KEP taking a new value.

    ``old`` and ``new`` are the values as the file wrote them (None: not set, or the KEP
    was not there). ``commit`` is the hex id ('' for a 2018 event), ``author`` is
    ``name <email>`` (a GitHub handle for an event), ``time`` is timezone-aware UTC.
    """

    location: str
    kep_number: int | None
    field: str
    old: str | None
    new: str | None
    commit: str
    author: str
    time: dt.datetime


@attrs.frozen
class Span:
    """How long one *value* of *field* held for one KEP: from *start* to *end*.

    *location*, *kep_number* and *owning_sig* name the KEP as the history ends (its
    newest folder), so the spans of a KEP that moved stay together.
        *end* is None while the value still holds; *duration* then runs to the history's
        end (see :meth:`keps.history.History.spans`). *release* is the KEP's
        ``latest_milestone`` when the span began ('' when it named none).
    """

    location: str
    kep_number: int | None
    owning_sig: str
    field: str
    value: str
    start: dt.datetime
    end: dt.datetime | None
    duration: dt.timedelta
    release: str = ""


@attrs.frozen(repr=False)
class Trail:
    """Every change of one KEP, in order, across the folders it lived in.

    *location*, *kep_number* and *owning_sig* are the newest the history saw;
    *locations* lists every folder, oldest first. A KEP that moved keeps one trail.
    """

    location: str
    kep_number: int | None
    owning_sig: str
    locations: tuple[str, ...]
    changes: tuple[Change, ...]

    def __repr__(self) -> str:
        return (
            f"Trail(location={self.location!r}, kep_number={self.kep_number!r},"
            f" owning_sig={self.owning_sig!r}, locations={len(self.locations)},"
            f" changes={len(self.changes)})"
        )
