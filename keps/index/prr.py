"""Which KEPs wait for a production readiness (PRR) approval of their current stage.

kubernetes/enhancements requires a PRR approval for each stage a KEP ships in (alpha,
beta, stable) from release v1.21 on; its CI checks the approval file when the KEP is
implementable. A PRR approver's worklist is the implementable KEPs at such a stage
whose approval file has no approver for that stage yet.
"""

from __future__ import annotations

from collections.abc import Iterable

from keps.errors import InvalidArgumentError
from keps.index.entry import Entry
from keps.keps.states import State

__all__ = ["PRR_FROM", "PRR_STAGES", "needs_prr", "prr_pending"]

#: The stages a PRR approval is given for.
PRR_STAGES = ("alpha", "beta", "stable")

#: The first release whose KEPs need PRR approvals.
PRR_FROM = "v1.21"


def needs_prr(entry: Entry) -> bool:
    """True when *entry*'s current stage needs a PRR approval (approved or not yet).

    Implementable, at alpha, beta or stable, targeting v1.21 or later. A latest milestone
    that is no release (``TBD``) counts as needing one: the approval is what makes it ship.
    """
    from keps.keps.metadata import Milestone

    if entry.state is not State.IMPLEMENTABLE or entry.stage not in PRR_STAGES:
        return False
    try:
        return Milestone.parse(entry.latest_milestone) >= Milestone.parse(PRR_FROM)
    except (TypeError, ValueError):
        return True


def prr_pending(
    entries: Iterable[Entry], *, milestone: str | None = None, approver: str | None = None
) -> list[Entry]:
    """The entries whose current stage needs a PRR approval and has none, by number.

    *milestone* keeps those targeting that release (``v1.37``, ``1.37``); *approver* those
    whose kep.yaml names that PRR approver (``@x`` or ``x``).

    Raises:
        InvalidArgumentError: *milestone* is no release.
    """
    from keps.keps.metadata import Milestone

    wanted = None
    if milestone is not None:
        try:
            wanted = Milestone.parse(milestone)
        except (TypeError, ValueError) as exc:
            msg = f"milestone {milestone!r} is not a release such as v1.37"
            raise InvalidArgumentError(msg, argument="milestone", value=milestone) from exc
    handle = None if approver is None else approver.lower().lstrip("@")
    out = []
    for entry in entries:
        if not needs_prr(entry) or entry.prr_approver_for():
            continue
        if wanted is not None and _release(entry.latest_milestone) != wanted:
            continue
        if handle is not None and handle not in {
            a.lower().lstrip("@") for a in entry.prr_approvers
        }:
            continue
        out.append(entry)
    return sorted(out, key=lambda e: (e.kep_number is None, e.kep_number or 0, e.location))


def _release(text: str) -> object:
    from keps.keps.metadata import Milestone

    try:
        return Milestone.parse(text)
    except (TypeError, ValueError):
        return None
