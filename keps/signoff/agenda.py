"""Sign-offs of the KEPs of a collection: one KEP's (:func:`of`), and what waits (:func:`waiting`).

Both take a :class:`keps.analysis.KepCollection`. The people who can give sign-offs
come from the content root (:func:`keps.signoff.groups.read_groups`). For a 2018
content root each KEP is opened for its lifecycle events (its approvals, its last
change); a kubernetes/enhancements checkout keeps no events, and its last changes come
from its git history (:func:`keps.history.load`) when it is a git repository.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from keps.errors import InvalidArgumentError, KepError
from keps.index.entry import Entry
from keps.problems import Problem, Severity
from keps.signoff.groups import PRR_GROUP, Groups, read_groups
from keps.signoff.model import SignOffs, Waiting
from keps.signoff.rules import is_final, sign_offs
from keps.signoff.since import parse_age, since_of

if TYPE_CHECKING:
    from keps.analysis.collection import KepCollection
    from keps.history import History
    from keps.keps.metadata import Event

__all__ = ["of", "waiting"]

log = logging.getLogger(__name__)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@attrs.frozen
class _Facts:
    """One KEP as sign-offs see it: its entry, its events, what went wrong reading it."""

    entry: Entry
    events: tuple[Event, ...] = ()
    problems: tuple[Problem, ...] = ()


def _facts(collection: KepCollection, entry: Entry) -> _Facts:
    """*entry*, and for a 2018 content root the KEP as its files say now, with its events."""
    if collection.is_checkout:
        return _Facts(entry)
    try:
        kep = collection.open(entry.location)
    except KepError as exc:
        problem = Problem(
            "kep-unreadable",
            exc.message,
            path=exc.path or entry.location,
            severity=Severity.WARNING,
        )
        return _Facts(entry, problems=(problem,))
    return _Facts(Entry.from_metadata(kep.metadata, entry.location), kep.metadata.events)


def _history(collection: KepCollection, history: History | None) -> History | None:
    """*history*, else the git history of a checkout that is a git repository, else None."""
    if history is not None or not collection.is_checkout:
        return history
    from keps import history as histories

    try:
        return histories.load(collection.content_root)
    except KepError as exc:
        log.info("no git history for %s: %s", collection.content_root, exc)
        return None


def _sign_offs(facts: _Facts, groups: Groups, history: History | None) -> SignOffs:
    approved_by = [e.principal for e in facts.events if e.event_type == "approve"]
    return SignOffs(
        entry=facts.entry,
        sign_offs=sign_offs(facts.entry, groups, approved_by=approved_by),
        since=since_of(facts.entry, history=history, events=facts.events),
        people_from=groups.source,
        problems=(*groups.problems, *facts.problems),
    )


def of(
    collection: KepCollection, key: int | str | Path, *, history: History | None = None
) -> SignOffs:
    """Every sign-off the KEP numbered or located *key* needs, and since when it waits.

    *history* gives the last changes; by default a checkout's git history is read (pass
    ``keps.history.History((), ())`` to use kep.yaml's dates only).

    Raises:
        KepNotFoundError: no KEP of *collection* has that number or location.
    """
    entry = collection[key]
    groups = read_groups(collection.content_root)
    return _sign_offs(_facts(collection, entry), groups, _history(collection, history))


def _known_groups(collection: KepCollection) -> set[str]:
    """Every SIG a sign-off can name: the SIG list in force, the KEPs' SIGs, PRR."""
    from keps.sigs import registry_for

    known = {PRR_GROUP}
    try:
        known.update(group.dir for group in registry_for(collection.content_root))
    except KepError as exc:  # a sigs.yaml that is no SIG list: the KEPs still name SIGs
        log.warning("%s", exc)
    for entry in collection:
        known.add(entry.owning_sig)
        known.update(entry.participating_sigs)
    known.discard("")
    return known


def _group(sig: str, known: set[str]) -> str:
    """The SIG *sig* names (``node`` is ``sig-node``).

    Raises:
        InvalidArgumentError: no such SIG, with the near matches.
    """
    for name in (sig, f"sig-{sig}"):
        if name in known:
            return name
    close = difflib.get_close_matches(sig, sorted(known), n=3, cutoff=0.6)
    close = close or difflib.get_close_matches(f"sig-{sig}", sorted(known), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    msg = f"no SIG {sig!r} in the SIG list or among the KEPs' SIGs{hint}"
    raise InvalidArgumentError(msg, argument="sig", value=sig)


def _lines(
    found: Iterable[SignOffs], group: str | None, now: dt.datetime
) -> Iterator[tuple[int, Waiting]]:
    for signed in found:
        for position, sign_off in enumerate(signed.missing):
            if group is None or sign_off.group == group:
                waited = signed.waited(now)
                yield (
                    position,
                    Waiting(
                        entry=signed.entry, sign_off=sign_off, since=signed.since, waited=waited
                    ),
                )


def _oldest_first(item: tuple[int, Waiting]) -> tuple[bool, dt.datetime, bool, int, str, int]:
    position, line = item
    number = line.entry.kep_number
    when = line.since.time
    return (
        when is None,
        when or _EPOCH,
        number is None,
        number or 0,
        line.entry.location,
        position,
    )


def waiting(
    collection: KepCollection,
    *,
    sig: str | None = None,
    older_than: str | dt.timedelta | None = None,
    history: History | None = None,
    now: dt.datetime | None = None,
) -> list[Waiting]:
    """Each missing sign-off of a KEP that is not final, oldest wait first: an agenda.

    *sig* keeps the sign-offs of one SIG (``sig-node`` or ``node``; ``prod-readiness``
    for PRR). *older_than* (``90d``, ``12w``, ``6m``, ``1y`` or a timedelta) keeps KEPs
    that waited longer than that at *now* (default: the current time); a KEP with no
    known last change is then left out. *history* as for :func:`of`. KEPs whose last
    change is unknown come last.

    Raises:
        InvalidArgumentError: an unknown SIG (with the near match) or an age that does
            not parse.
    """
    at = dt.datetime.now(dt.UTC) if now is None else now
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    age = None if older_than is None else parse_age(older_than)
    group = None if sig is None else _group(sig, _known_groups(collection))
    groups = read_groups(collection.content_root)
    for problem in groups.problems:
        log.warning("%s", problem)
    walked = _history(collection, history)
    found = []
    for entry in collection:
        facts = _facts(collection, entry)
        for problem in facts.problems:
            log.warning("%s", problem)
        if not is_final(facts.entry.state):
            found.append(_sign_offs(facts, groups, walked))
    lines = sorted(_lines(found, group, at), key=_oldest_first)
    return [
        line for _, line in lines if age is None or (line.waited is not None and line.waited > age)
    ]
