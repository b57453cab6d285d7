"""How long a KEP has waited: the time of its last change, where that time came from, and ages.

The last change of a KEP is, in this order of preference:

1. ``events`` - its newest lifecycle event (2018 layout: each step records one);
2. ``git`` - the newest change :mod:`keps.history` found for it in the checkout's git
   history (a change of its status, stage or milestones - its progress; an edit of
   its text or its lists of people is not one);
3. ``last-updated`` - the date its metadata gives;
4. ``creation-date`` - when it has no last-updated either;

else nothing is known (source ''). An age is written ``90d``, ``12w``, ``6m`` or
``1y``: days, weeks, months of 30 days, years of 365 days.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from keps.errors import InvalidArgumentError
from keps.index.entry import Entry

if TYPE_CHECKING:
    from keps.history import History
    from keps.keps.metadata import Event

__all__ = ["SOURCES", "UNITS", "Since", "parse_age", "since_of"]

#: Where a last change can come from, in order of preference.
SOURCES: tuple[str, ...] = ("events", "git", "last-updated", "creation-date")

#: The units of an age and their days (a month is 30 days, a year 365).
UNITS = {"d": 1, "w": 7, "m": 30, "y": 365}

_AGE = re.compile(r"\s*(\d{1,6})\s*([dwmy])\s*", re.IGNORECASE)
_ZERO = dt.timedelta(0)


def _aware(value: dt.datetime) -> dt.datetime:
    """*value* in UTC; a time without a zone is UTC already (as the seed writes times)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _aware(value)


@attrs.frozen(repr=False)
class Since:
    """When a KEP last changed (*time*, UTC) and how that is known (*source*, see SOURCES).

    *commit* and *author* name the git commit (source ``git``) or the principal of the
    event (source ``events``); '' otherwise.
    """

    time: dt.datetime | None = attrs.field(default=None, converter=_utc)
    source: str = ""
    commit: str = ""
    author: str = ""

    def waited(self, now: dt.datetime) -> dt.timedelta | None:
        """How long from the last change to *now* (never negative); None when unknown."""
        if self.time is None:
            return None
        return max(_aware(now) - self.time, _ZERO)

    def __repr__(self) -> str:
        when = "unknown" if self.time is None else self.time.isoformat()
        by = f" {self.commit[:12]}" if self.commit else ""
        return f"<Since {when} from {self.source or 'nothing'}{by}>"


def since_of(
    entry: Entry, *, history: History | None = None, events: Iterable[Event] = ()
) -> Since:
    """When *entry* last changed, from its *events*, the *history*, else its dates."""
    newest = max(events, key=lambda event: _aware(event.date), default=None)
    if newest is not None:
        return Since(newest.date, "events", author=newest.principal)
    changes = history.for_kep(entry.location) if history is not None else ()
    if changes:
        last = max(changes, key=lambda c: c.time)
        return Since(last.time, "git" if last.commit else "events", last.commit, last.author)
    if entry.last_updated is not None:
        return Since(entry.last_updated, "last-updated")
    if entry.created is not None:
        return Since(entry.created, "creation-date")
    return Since()


def parse_age(text: str | dt.timedelta) -> dt.timedelta:
    """The age *text* names (``90d``, ``12w``, ``6m``, ``1y``); a timedelta is kept.

    Raises:
        InvalidArgumentError: *text* is no number of days, weeks, months or years.
    """
    if isinstance(text, dt.timedelta):
        return text
    match = _AGE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        msg = (
            f"age {text!r} is not a number of days, weeks, months or years such as 90d, 12w, 6m, 1y"
        )
        raise InvalidArgumentError(msg, argument="older_than", value=text)
    return dt.timedelta(days=int(match[1]) * UNITS[match[2].lower()])
