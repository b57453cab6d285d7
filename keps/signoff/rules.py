"""The final-say rule: which sign-offs a KEP needs, who gave each, and which are missing.

* **Approval** - the owning SIG decides. Its approval is what makes a KEP
  implementable; it is given by an approver the KEP lists (kep.yaml ``approvers``; for
  the 2018 layout also whoever recorded an ``approve`` event) who is one of the owning
  SIG's people. A draft or provisional KEP has not been approved yet, whoever it lists:
  its approvers are the ones it asks.
* **Participation** - each participating SIG (other than the owning SIG) must have
  someone listed for it: an approver or reviewer of the KEP who is one of that SIG's
  people.
* **Production readiness** - a PRR approver approves the KEP's current stage when
  :func:`keps.index.needs_prr` says it needs one (implementable, at alpha, beta or
  stable, from v1.21); the approval file naming an approver for the stage gives it,
  as ``kepctl prr pending`` counts it.

A SIG's people are who :mod:`keps.signoff.groups` reads from the tree. A sign-off is
*given* when someone listed for it is one of its group's people; *unconfirmed* when
nobody listed is, but someone listed belongs to no group at all (the tree cannot say
whom they speak for, so they may speak for this SIG); *missing* otherwise - nobody is
listed, or everyone listed speaks for other groups only.
"""

from __future__ import annotations

from collections.abc import Iterable

from keps.index.entry import Entry
from keps.index.prr import needs_prr
from keps.keps.states import TRANSITIONS, State
from keps.signoff.groups import PRR_GROUP, Groups, bare, same_person
from keps.signoff.model import Kind, SignOff

__all__ = [
    "AWAITING_APPROVAL",
    "FINAL_STATES",
    "approval",
    "is_final",
    "participation",
    "production_readiness",
    "sign_offs",
]


def _reaches(start: State, goal: State) -> bool:
    """True when some path of one or more transitions leads from *start* to *goal*."""
    seen: set[State] = set()
    todo = list(TRANSITIONS[start])
    while todo:
        state = todo.pop()
        if state is goal:
            return True
        if state not in seen:
            seen.add(state)
            todo.extend(TRANSITIONS[state])
    return False


#: The states a KEP has reached for good: no transition leads it to implementable again
#: (implemented, rejected, withdrawn, replaced). A deferred KEP may be taken up again.
FINAL_STATES: frozenset[State] = frozenset(
    state for state in State if not _reaches(state, State.IMPLEMENTABLE)
)

#: The states before the owning SIG's approval: it has not been given yet.
AWAITING_APPROVAL: frozenset[State] = frozenset({State.DRAFT, State.PROVISIONAL})


def is_final(state: State | None) -> bool:
    """True for a state in :data:`FINAL_STATES`; a KEP whose status is no state is not final."""
    return state in FINAL_STATES


def _once(names: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in names:
        if bare(name):
            seen.setdefault(same_person(name), bare(name))
    return tuple(seen.values())


def _sign_off(kind: Kind, group: str, listed: tuple[str, ...], groups: Groups) -> SignOff:
    """A SIG's sign-off: given by the listed people of *group*, or unconfirmed by people of none."""
    return SignOff(
        kind=kind,
        group=group,
        listed=listed,
        given_by=tuple(p for p in listed if groups.is_of(group, p)),
        unconfirmed_by=tuple(p for p in listed if not groups.belongs_anywhere(p)),
        can_give=groups.of(group),
    )


def approval(entry: Entry, groups: Groups, approved_by: Iterable[str] = ()) -> SignOff:
    """The owning SIG's approval of *entry*; *approved_by* are who recorded approve events."""
    listed = _once((*entry.approvers, *approved_by))
    if entry.state in AWAITING_APPROVAL:
        return SignOff(
            kind=Kind.APPROVAL,
            group=entry.owning_sig,
            listed=listed,
            can_give=groups.of(entry.owning_sig),
        )
    return _sign_off(Kind.APPROVAL, entry.owning_sig, listed, groups)


def participation(entry: Entry, groups: Groups) -> tuple[SignOff, ...]:
    """The sign-off of each participating SIG of *entry* but its owning SIG, in file order."""
    listed = _once((*entry.approvers, *entry.reviewers))
    return tuple(
        _sign_off(Kind.PARTICIPATION, sig, listed, groups)
        for sig in dict.fromkeys(entry.participating_sigs)
        if sig and sig != entry.owning_sig
    )


def production_readiness(entry: Entry, groups: Groups) -> SignOff | None:
    """The PRR approval of *entry*'s current stage, or None when that stage needs none."""
    if not needs_prr(entry):
        return None
    approver = entry.prr_approver_for()
    return SignOff(
        kind=Kind.PRODUCTION_READINESS,
        group=PRR_GROUP,
        stage=entry.stage,
        listed=_once(entry.prr_approvers),
        given_by=_once([approver]),
        can_give=groups.prr,
    )


def sign_offs(
    entry: Entry, groups: Groups, *, approved_by: Iterable[str] = ()
) -> tuple[SignOff, ...]:
    """Every sign-off *entry* needs: approval, participation of each SIG, then PRR."""
    prr = production_readiness(entry, groups)
    return (
        approval(entry, groups, approved_by),
        *participation(entry, groups),
        *(() if prr is None else (prr,)),
    )
