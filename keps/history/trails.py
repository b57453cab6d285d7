"""Following KEPs from one commit to the next: who is who, and what changed.

A KEP is known by its folder while it stays there. When a folder's kep.yaml goes and
one with the same KEP number appears elsewhere - in the same commit (``git mv``) or
later - it is the same KEP moved, and its trail goes on. A KEP whose kep.yaml goes
for good has its values end (changes to None) at that commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import attrs

from keps.history.blobs import Parsed
from keps.history.model import FIELDS, Change, Trail

__all__ = ["Book", "Stamp"]


@attrs.frozen
class Stamp:
    """Who made a set of changes, and when: a commit, or a 2018 lifecycle event."""

    commit: str
    author: str
    time: dt.datetime


@attrs.define
class _Track:
    """One KEP as the walk follows it; becomes a :class:`Trail` at the end."""

    location: str
    kep_number: int | None
    owning_sig: str = ""
    values: dict[str, str] = attrs.Factory(dict)
    locations: list[str] = attrs.Factory(list)
    changes: list[Change] = attrs.Factory(list)


def _ordered(fields: Iterable[str]) -> list[str]:
    known = set(fields)
    return [f for f in FIELDS if f in known] + sorted(known.difference(FIELDS))


class Book:
    """Every KEP seen so far: live ones by folder, gone ones by number and by folder."""

    def __init__(self) -> None:
        self.changes: list[Change] = []
        self._tracks: list[_Track] = []
        self._live: dict[str, _Track] = {}
        self._gone_numbers: dict[int, _Track] = {}
        self._gone_places: dict[str, _Track] = {}

    def commit(self, stamp: Stamp, seen: Mapping[str, Parsed], removed: Iterable[str]) -> None:
        """Record one commit: the KEPs read at folders *seen*, the folders *removed*."""
        leaving = {loc: self._live.pop(loc) for loc in removed if loc in self._live}
        for location in sorted(seen):
            parsed = seen[location]
            track = self._live.get(location) or self._adopt(location, parsed.kep_number, leaving)
            self._record(track, location, parsed, stamp)
        for location, track in leaving.items():
            self._record(track, location, Parsed({}, track.kep_number, track.owning_sig), stamp)
            self._gone_places[location] = track
            if track.kep_number is not None:
                self._gone_numbers[track.kep_number] = track

    def trails(self) -> list[Trail]:
        """One trail per KEP that changed, in the order they first appeared."""
        return [
            Trail(t.location, t.kep_number, t.owning_sig, tuple(t.locations), tuple(t.changes))
            for t in self._tracks
            if t.changes
        ]

    def _adopt(self, location: str, number: int | None, leaving: dict[str, _Track]) -> _Track:
        """The KEP now at *location*: one that left a folder with its number, else a new one."""
        track = None
        if number is not None:
            moved = next((loc for loc, t in leaving.items() if t.kep_number == number), None)
            track = leaving.pop(moved) if moved is not None else self._gone_numbers.get(number)
        if track is None:
            earlier = self._gone_places.get(location)
            if earlier is not None and number in (None, earlier.kep_number):
                track = earlier
        if track is None:
            track = _Track(location, number)
            self._tracks.append(track)
        self._forget_gone(track)
        track.location = location
        if location not in track.locations:
            track.locations.append(location)
        self._live[location] = track
        return track

    def _forget_gone(self, track: _Track) -> None:
        if self._gone_places.get(track.location) is track:
            del self._gone_places[track.location]
        if track.kep_number is not None and self._gone_numbers.get(track.kep_number) is track:
            del self._gone_numbers[track.kep_number]

    def _record(self, track: _Track, location: str, parsed: Parsed, stamp: Stamp) -> None:
        old, new = track.values, parsed.values
        for field in _ordered([*old, *new]):
            if old.get(field) != new.get(field):
                change = Change(
                    location=location,
                    kep_number=parsed.kep_number,
                    field=field,
                    old=old.get(field),
                    new=new.get(field),
                    commit=stamp.commit,
                    author=stamp.author,
                    time=stamp.time,
                )
                track.changes.append(change)
                self.changes.append(change)
        track.values = dict(new)
        track.kep_number = parsed.kep_number
        track.owning_sig = parsed.owning_sig or track.owning_sig
