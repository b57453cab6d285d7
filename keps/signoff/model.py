"""Sign-offs as values: one sign-off, all of one KEP's, and one entry of a SIG's agenda.

Every class is immutable (attrs, frozen) and prints as one short line; ``to_record()``
gives a plain dict (text, numbers, lists, None; times as RFC 3339) for JSON, YAML and
tables. What each sign-off means is said in :mod:`keps.signoff.rules`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Any

import attrs

from keps._time import format_time
from keps.index.entry import Entry
from keps.problems import Problem
from keps.signoff.since import Since

__all__ = ["Kind", "SignOff", "SignOffs", "Status", "Waiting", "days"]


class Kind(enum.StrEnum):
    """Which sign-off: the owning SIG's approval, a participating SIG's, or PRR."""

    APPROVAL = "approval"
    PARTICIPATION = "participation"
    PRODUCTION_READINESS = "production-readiness"


class Status(enum.StrEnum):
    """Whether a sign-off is given, given by someone no group claims, or missing."""

    GIVEN = "given"
    UNCONFIRMED = "unconfirmed"
    MISSING = "missing"


def _names(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _problems(items: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(items)


def _sign_offs(items: Iterable[SignOff]) -> tuple[SignOff, ...]:
    return tuple(items)


def _cut(text: str, limit: int) -> str:
    """*text* on one line, at most *limit* characters."""
    shown = repr(text)[1:-1]
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def days(span: dt.timedelta | None) -> float | None:
    """*span* in days, rounded to two places (None stays None)."""
    return None if span is None else round(span.total_seconds() / 86400, 2)


@attrs.frozen(kw_only=True, repr=False)
class SignOff:
    """One sign-off a KEP needs.

    *group* is the SIG whose sign-off it is (``sig-node``), or ``prod-readiness``;
    *stage* the stage a PRR approval is for. *listed* are the people the KEP names for
    it; *given_by* those of them who are the group's people (for PRR: the approver the
    approval file names); *unconfirmed_by* those who are nobody's people in the tree;
    *can_give* everyone the tree names as the group's people. Handles have no ``@``.
    """

    kind: Kind
    group: str
    stage: str = ""
    listed: tuple[str, ...] = attrs.field(default=(), converter=_names)
    given_by: tuple[str, ...] = attrs.field(default=(), converter=_names)
    unconfirmed_by: tuple[str, ...] = attrs.field(default=(), converter=_names)
    can_give: tuple[str, ...] = attrs.field(default=(), converter=_names)

    @property
    def status(self) -> Status:
        """Given, unconfirmed or missing (see :mod:`keps.signoff.rules`)."""
        if self.given_by:
            return Status.GIVEN
        if self.unconfirmed_by:
            return Status.UNCONFIRMED
        return Status.MISSING

    @property
    def what(self) -> str:
        """The sign-off in words: ``approval of sig-node``, ``production readiness for beta``."""
        if self.kind is Kind.PRODUCTION_READINESS:
            return f"production readiness for {self.stage or 'its stage'}"
        return f"{self.kind.value} of {self.group or 'no SIG'}"

    def to_record(self) -> dict[str, Any]:
        """The sign-off as a plain dict."""
        return {
            "sign_off": self.kind.value,
            "group": self.group,
            "stage": self.stage,
            "status": self.status.value,
            "given_by": list(self.given_by),
            "unconfirmed_by": list(self.unconfirmed_by),
            "listed": list(self.listed),
            "can_give": list(self.can_give),
        }

    def __repr__(self) -> str:
        by = self.given_by or self.unconfirmed_by
        who = f" by {_cut(', '.join(by), 60)}" if by else ""
        return f"<SignOff {_cut(self.what, 60)} {self.status.value}{who}>"


def _kep_record(entry: Entry) -> dict[str, Any]:
    return {
        "kep_number": entry.kep_number,
        "title": entry.title,
        "location": entry.location,
        "state": str(entry.as_written("state") or ""),
        "stage": entry.stage,
        "latest_milestone": entry.latest_milestone,
        "owning_sig": entry.owning_sig,
    }


def _since_record(since: Since, waited: dt.timedelta | None) -> dict[str, Any]:
    return {
        "since": None if since.time is None else format_time(since.time),
        "since_source": since.source,
        "since_commit": since.commit,
        "since_author": since.author,
        "days": days(waited),
        "seconds": None if waited is None else int(waited.total_seconds()),
    }


@attrs.frozen(kw_only=True, repr=False)
class SignOffs:
    """Every sign-off one KEP needs, and how long it has waited since its last change.

    *entry* is the KEP as the index knows it; *sign_offs* are its approval, each
    participating SIG's sign-off, then PRR when its stage needs one. *people_from* is the
    file that said who can give them ('' when none did); *problems* what could not be
    used in it.
    """

    entry: Entry
    sign_offs: tuple[SignOff, ...] = attrs.field(converter=_sign_offs)
    since: Since = attrs.field(factory=Since)
    people_from: str = ""
    problems: tuple[Problem, ...] = attrs.field(default=(), converter=_problems)

    @property
    def missing(self) -> tuple[SignOff, ...]:
        """The sign-offs nobody has given."""
        return tuple(s for s in self.sign_offs if s.status is Status.MISSING)

    @property
    def given(self) -> tuple[SignOff, ...]:
        """The sign-offs given by one of their group's people."""
        return tuple(s for s in self.sign_offs if s.status is Status.GIVEN)

    @property
    def unconfirmed(self) -> tuple[SignOff, ...]:
        """The sign-offs given only by people the tree ties to no group."""
        return tuple(s for s in self.sign_offs if s.status is Status.UNCONFIRMED)

    def waited(self, now: dt.datetime) -> dt.timedelta | None:
        """How long the KEP has waited at *now* since its last change; None when unknown."""
        return self.since.waited(now)

    def to_record(self, now: dt.datetime) -> dict[str, Any]:
        """The KEP, its sign-offs and its wait at *now*, as a plain dict."""
        entry = self.entry
        return {
            **_kep_record(entry),
            "milestones": dict(entry.milestones),
            "participating_sigs": list(entry.participating_sigs),
            "sign_offs": [s.to_record() for s in self.sign_offs],
            "missing": len(self.missing),
            "people_from": self.people_from,
            **_since_record(self.since, self.waited(now)),
            "as_of": format_time(now),
        }

    def __repr__(self) -> str:
        number = "-" if self.entry.kep_number is None else str(self.entry.kep_number)
        return (
            f"<SignOffs {number} {_cut(self.entry.location, 80)}: {len(self.given)} given,"
            f" {len(self.unconfirmed)} unconfirmed, {len(self.missing)} missing>"
        )


@attrs.frozen(kw_only=True, repr=False)
class Waiting:
    """One missing sign-off of a KEP that is not final: a line of a SIG's agenda.

    *waited* is how long the KEP has waited since its last change (*since*), at the time
    the agenda was drawn up; None when no date is known.
    """

    entry: Entry
    sign_off: SignOff
    since: Since
    waited: dt.timedelta | None

    def to_record(self) -> dict[str, Any]:
        """The line as a plain dict: the KEP, the sign-off, the wait."""
        sign_off = self.sign_off.to_record()
        for mine in ("stage", "status", "given_by", "unconfirmed_by"):  # the KEP's stage stays
            del sign_off[mine]
        return {**_kep_record(self.entry), **sign_off, **_since_record(self.since, self.waited)}

    def __repr__(self) -> str:
        number = "-" if self.entry.kep_number is None else str(self.entry.kep_number)
        waited = "?" if self.waited is None else f"{self.waited.days}d"
        return f"<Waiting {number} {_cut(self.sign_off.what, 60)} for {waited}>"
