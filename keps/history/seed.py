"""History of 2018 KEPs (metadata.yaml): their lifecycle events are the record.

Every lifecycle step appends an event (who, when, which step) to the KEP it changes
(see :mod:`keps.workflow`). :data:`STEP_STATES` says which state each step leaves a
KEP in; steps that change no state (propose, plan, promote, prr-approve) add no change.
Events are read from the content root's files as they are now, whatever git holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from keps.errors import KepError
from keps.history.blobs import Parsed
from keps.history.history import History
from keps.history.trails import Book, Stamp
from keps.index import find_kep_dirs
from keps.keps.kep import Kep
from keps.keps.states import State
from keps.problems import Problem, Severity

__all__ = ["STEP_STATES", "read_events"]

#: The state each lifecycle step (an event's ``event_type``) leaves a KEP in.
STEP_STATES: Mapping[str, State] = MappingProxyType(
    {
        "init": State.DRAFT,
        "accept": State.PROVISIONAL,
        "approve": State.IMPLEMENTABLE,
        "implement": State.IMPLEMENTED,
        "defer": State.DEFERRED,
        "reject": State.REJECTED,
        "withdraw": State.WITHDRAWN,
        "replace": State.REPLACED,
    }
)


def _warning(code: str, message: str, path: Path) -> Problem:
    return Problem(code, message, path=str(path), severity=Severity.WARNING)


def _utc(when: dt.datetime) -> dt.datetime:
    """*when* in UTC; a time without a zone is UTC already (as the seed writes times)."""
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def _steps(kep: Kep) -> list[tuple[Stamp, State]]:
    """The state-changing events of *kep*, oldest first (events of one time keep their order)."""
    steps = [
        (Stamp("", event.principal, _utc(event.date)), STEP_STATES[event.event_type])
        for event in kep.events
        if event.event_type in STEP_STATES
    ]
    steps.sort(key=lambda step: step[0].time)
    return steps


def read_events(content_root: Path) -> History:
    """The state changes of every KEP under *content_root*, from its lifecycle events.

    A KEP that does not open is skipped with a problem; so is a KEP whose events end in
    another state than its metadata names (someone edited the state by hand), though
    its events still count.
    """
    problems: list[Problem] = []
    per_kep: list[tuple[str, Kep, list[tuple[Stamp, State]]]] = []
    for kep_dir in find_kep_dirs(content_root):
        location = kep_dir.relative_to(content_root).as_posix()
        try:
            kep = Kep.open(kep_dir, content_root=content_root)
        except (KepError, ValueError) as exc:  # ValueError: a number too long to convert
            problems.append(_warning("history-unreadable", f"{location}: {exc}; skipped", kep_dir))
            continue
        steps = _steps(kep)
        if steps and kep.state is not None and steps[-1][1] is not kep.state:
            msg = f"{location}: its events end {steps[-1][1]}, its metadata says {kep.state}"
            problems.append(_warning("history-events-disagree", msg, kep_dir))
        per_kep.append((location, kep, steps))
    book = Book()
    everything = [
        (stamp, state, location, kep) for location, kep, steps in per_kep for stamp, state in steps
    ]
    everything.sort(key=lambda item: (item[0].time, item[2]))
    for stamp, state, location, kep in everything:
        parsed = Parsed({"state": state.value}, kep.kep_number, kep.owning_sig)
        book.commit(stamp, {location: parsed}, ())
    until = everything[-1][0].time if everything else None
    return History(book.changes, book.trails(), problems, until)
