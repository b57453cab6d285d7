"""Spans: the changes of one field turned into the stretches of time each value held.

A commit (or event) can change several fields at once; a span opened by it sees the
other fields as that commit left them, so a KEP made implementable for v1.30 in one
commit has a span whose ``release`` is v1.30. A span names its KEP as the history ends
(newest folder and number), so the spans of a KEP that moved stay together. Times that run backwards (a committer's
clock set wrong) give a zero duration, never a negative one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from keps.history.model import Change, Span, Trail

__all__ = ["spans_of"]

_ZERO = dt.timedelta(0)


def _by_commit(changes: Iterable[Change]) -> Iterator[list[Change]]:
    """*changes* in runs that one commit (or one event) made."""
    run: list[Change] = []
    for change in changes:
        if run and (run[0].commit, run[0].time) != (change.commit, change.time):
            yield run
            run = []
        run.append(change)
    if run:
        yield run


def _span(
    opened: Change, trail: Trail, release: str, end: dt.datetime | None, until: dt.datetime
) -> Span:
    assert opened.new is not None
    stop = until if end is None else end
    return Span(
        location=trail.location,
        kep_number=trail.kep_number,
        owning_sig=trail.owning_sig,
        field=opened.field,
        value=opened.new,
        start=opened.time,
        end=end,
        duration=max(stop - opened.time, _ZERO),
        release=release,
    )


def spans_of(trail: Trail, field: str, until: dt.datetime) -> list[Span]:
    """The spans of *field* in *trail*, as the history stood at *until*.

    Changes after *until* are left out; the value holding at *until* has no end.
    """
    spans: list[Span] = []
    values: dict[str, str] = {}
    opened: tuple[Change, str] | None = None
    for run in _by_commit(c for c in trail.changes if c.time <= until):
        for change in run:
            if change.new is None:
                values.pop(change.field, None)
            else:
                values[change.field] = change.new
        for change in run:
            if change.field != field:
                continue
            if opened is not None:
                spans.append(_span(opened[0], trail, opened[1], change.time, until))
                opened = None
            if change.new is not None:
                opened = (change, values.get("latest_milestone", ""))
    if opened is not None:
        spans.append(_span(opened[0], trail, opened[1], None, until))
    return spans
