"""Lint rules from the sign-off model (:mod:`keps.signoff`): who is listed, and who waits.

* ``participating-sig-unlisted`` - a participating SIG (not the owning SIG) has nobody
  listed: no approver or reviewer of the KEP is one of that SIG's people in
  ``OWNERS_ALIASES`` (its ``-leads``, ``-tech-leads``, ``-approvers`` aliases), and none
  belongs to no group at all (each listed speaks for other groups only, or nobody is
  listed). The participation sign-off of :mod:`keps.signoff.rules` is then missing.
* ``kep-stale`` - a KEP whose state is not final (see
  :data:`keps.signoff.FINAL_STATES`: draft, provisional, implementable or deferred) has
  not changed for more than :data:`STALE_AFTER` (365 days): its ``last-updated``, else
  its ``creation-date``, lies that long before the newest such date of the checkout.
  The checkout's own newest date stands for "now", so the answer depends on the
  content, not on the day it is asked; :func:`keps.validate.lint.context_for` takes
  another ``stale_after``.

Both are warnings. They read only what :class:`~keps.validate.lint.LintContext` holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from keps.index.entry import Entry
from keps.keps import Kep
from keps.problems import Problem, Severity
from keps.signoff.groups import OWNERS_ALIASES, Groups, from_aliases
from keps.signoff.model import Status
from keps.signoff.rules import is_final, participation

if TYPE_CHECKING:
    from keps.validate.lint import LintContext
    from keps.validate.owners import Owners

__all__ = [
    "STALE_AFTER",
    "groups_of",
    "kep_is_not_stale",
    "last_change",
    "newest_change",
    "participating_sigs_have_someone",
]

#: How long a KEP that is not final may stay unchanged before lint says so.
STALE_AFTER = dt.timedelta(days=365)


def groups_of(owners: Owners, root: Path) -> Groups:
    """The SIGs' people as the checkout's OWNERS_ALIASES (already read) names them."""
    path = Path(owners.path) if owners.path else root / OWNERS_ALIASES
    return from_aliases({"aliases": dict(owners.aliases)}, path)


def last_change(kep: Kep) -> tuple[dt.datetime, str] | None:
    """The KEP's last-updated, else its creation-date, with the field that gave it."""
    meta = kep.metadata
    if meta.last_updated is not None:
        return meta.last_updated, "last-updated"
    if meta.created is not None:
        return meta.created, "creation-date"
    return None


def newest_change(keps: Iterable[Kep]) -> dt.datetime | None:
    """The newest :func:`last_change` of *keps*: the checkout's "now"."""
    found = [change[0] for kep in keps if (change := last_change(kep)) is not None]
    return max(found, default=None)


def _warning(kep: Kep, code: str, message: str, field: str, line: int | None) -> Problem:
    return Problem(
        code,
        message,
        path=str(kep.metadata_path),
        field=field,
        line=line,
        severity=Severity.WARNING,
    )


def participating_sigs_have_someone(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """Each participating SIG has an approver or reviewer listed who may speak for it."""
    entry = Entry.from_metadata(kep.metadata, ctx.key(kep))
    listed = bool(entry.approvers or entry.reviewers)
    for sign_off in participation(entry, ctx.groups):
        if sign_off.status is not Status.MISSING:
            continue
        sig = sign_off.group
        if listed:
            why = (
                "no approver or reviewer is one of its leads, tech leads or approvers in"
                " OWNERS_ALIASES, and each listed belongs to another group"
            )
        else:
            why = "the KEP lists no approver or reviewer"
        index = kep.participating_sigs.index(sig)
        line = kep.lines.get(f"participating-sigs[{index}]", kep.lines.get("participating-sigs"))
        msg = f"participating SIG {sig} has nobody listed for it: {why}"
        yield _warning(kep, "participating-sig-unlisted", msg, "participating-sigs", line)


def kep_is_not_stale(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """A KEP that is not final changed within ``ctx.stale_after`` of the checkout's newest date."""
    change = last_change(kep)
    if change is None or ctx.newest_change is None or kep.state is None or is_final(kep.state):
        return
    when, field = change
    age = ctx.newest_change - when
    if age > ctx.stale_after:
        msg = (
            f"{kep.state.value} and unchanged since {when.date()} ({field}), {age.days} days"
            f" before the newest date in the checkout ({ctx.newest_change.date()}): update"
            f" its status, or withdraw it"
        )
        yield _warning(kep, "kep-stale", msg, field, kep.lines.get(field))
