"""History: every change of every KEP that a walk found, and the questions asked of it.

:func:`keps.history.load` makes one; it is immutable and answers from memory, so a
notebook can ask for spans by state, then by stage, without walking git again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from keps.errors import InvalidArgumentError
from keps.history.model import FIELDS, Change, Span, Trail
from keps.history.report import BY, records_for
from keps.history.spans import spans_of
from keps.problems import Problem

__all__ = ["History"]


def _changes(items: tuple[Change, ...] | list[Change]) -> tuple[Change, ...]:
    return tuple(items)


def _trails(items: tuple[Trail, ...] | list[Trail]) -> tuple[Trail, ...]:
    return tuple(items)


def _problems(items: tuple[Problem, ...] | list[Problem]) -> tuple[Problem, ...]:
    return tuple(items)


@attrs.frozen(repr=False)
class History:
    """What changed, when and by whom, for every KEP a walk saw.

    *changes* are in history order (oldest commit first; within a commit, KEP by KEP in
    the order of :data:`~keps.history.model.FIELDS`); *trails* hold them per KEP.
    *problems* are what the walk skipped and why (a kep.yaml that is no YAML, a
    symlink, a file too large). *until* is the time of the newest commit (or event)
    walked: where spans still open end by default, so an answer never depends on the
    clock of the machine that asks.
    """

    changes: tuple[Change, ...] = attrs.field(converter=_changes)
    trails: tuple[Trail, ...] = attrs.field(converter=_trails)
    problems: tuple[Problem, ...] = attrs.field(default=(), converter=_problems)
    until: dt.datetime | None = None

    def for_kep(self, kep: int | str) -> tuple[Change, ...]:
        """The changes of the KEP numbered *kep* (``1287`` or ``"1287"``), or that ever
        lived in folder *kep* (``keps/sig-node/1287-in-place-update-pod-resources``).

        A KEP that moved answers to each of its folders with all its changes. A number
        two folders share (upstream has a few) gives the changes of both.
        """
        if isinstance(kep, str) and kep.strip().isdigit():
            kep = int(kep)
        if isinstance(kep, int) and not isinstance(kep, bool):
            found = [t for t in self.trails if t.kep_number == kep]
        elif isinstance(kep, str):
            wanted = kep.strip().strip("/")
            found = [t for t in self.trails if wanted in t.locations]
        else:
            msg = f"for_kep takes a KEP number or folder, not {type(kep).__name__}"
            raise InvalidArgumentError(msg, argument="kep", value=kep)
        mine = {c for t in found for c in t.changes}
        return tuple(c for c in self.changes if c in mine)

    def spans(self, field: str = "state", *, until: dt.datetime | None = None) -> tuple[Span, ...]:
        """How long each value of *field* held, per KEP, as the history stood at *until*.

        *until* defaults to :attr:`until` (the newest commit walked); a value still
        holding then has ``end`` None and its duration runs to *until*. Spans are in
        order of their start, then of their KEP's folder.

        Raises:
            InvalidArgumentError: *field* is not one the history follows (see FIELDS).
        """
        _check_field(field)
        end = until if until is not None else self.until
        if end is None:  # nothing was walked
            return ()
        if end.tzinfo is None:
            end = end.replace(tzinfo=dt.UTC)
        found = [span for trail in self.trails for span in spans_of(trail, field, end)]
        found.sort(key=lambda s: (s.start, s.location))
        return tuple(found)

    def time_in_state(
        self, field: str = "state", by: str = "kep", *, until: dt.datetime | None = None
    ) -> list[dict[str, Any]]:
        """How long KEPs spent in each value of *field*, grouped *by* kep, sig or release.

        Plain records (see :mod:`keps.history.report` for what each grouping holds).

        Raises:
            InvalidArgumentError: an unknown *field* or *by*.
        """
        if by not in BY:
            msg = f"cannot group by {by!r}; choose one of: {', '.join(BY)}"
            raise InvalidArgumentError(msg, argument="by", value=by)
        return records_for(self.spans(field, until=until), by)

    def __repr__(self) -> str:
        until = "None" if self.until is None else self.until.isoformat()
        return (
            f"History(changes={len(self.changes)}, keps={len(self.trails)},"
            f" problems={len(self.problems)}, until={until})"
        )


def _check_field(field: str) -> None:
    if field not in FIELDS:
        msg = f"history does not follow {field!r}; it follows: {', '.join(FIELDS)}"
        raise InvalidArgumentError(msg, argument="field", value=field)
