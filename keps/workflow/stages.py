"""Stages and production readiness: promote a KEP, approve its production readiness.

Today's KEPs move through stages within the implementable state, one release at a time::

    alpha -> beta -> stable                 (the feature matures)
    any of them -> deprecated -> disabled -> removed   (the deprecation path)

:func:`promote` moves a KEP to a later stage for a release: it sets ``stage``,
``milestone.<stage>``, ``latest-milestone`` and ``last-updated`` (a date, as upstream
writes it), and refuses a move backwards or a release before an earlier stage's.
:func:`prr_approve` records the production readiness approval of a stage in
``keps/prod-readiness/<sig>/<number>.yaml``. Both are steps like the others: locked,
checked, written all at once or not at all (:mod:`keps.workflow._step`).
"""

from __future__ import annotations

import datetime as dt

from keps.errors import InvalidArgumentError, InvalidContentError, TransitionError
from keps.keps import Kep
from keps.keps.metadata import STAGES, Milestone, PrrApproval
from keps.keps.states import State
from keps.settings import Runtime
from keps.workflow._step import (
    DEFAULT_TIMEOUT,
    locked_kep,
    require_state,
    utcnow,
    write,
)

__all__ = ["DEPRECATION", "MATURITY", "can_promote", "promote", "prr_approve"]

#: The stages a feature matures through, in order.
MATURITY: tuple[str, ...] = ("alpha", "beta", "stable")

#: The stages a feature is taken away through, in order, from any stage of maturity.
DEPRECATION: tuple[str, ...] = ("deprecated", "disabled", "removed")


def can_promote(current: str, target: str) -> bool:
    """True when a KEP at stage *current* ('' for none yet) may move to stage *target*.

    Forward along alpha, beta, stable; from any of those (or none) into deprecation and
    forward along it; the same stage again for a new release. Never backwards, never out
    of deprecation.
    """
    if target not in STAGES:
        return False
    if not current or current == target:
        return True
    if current in MATURITY:
        if target in MATURITY:
            return MATURITY.index(target) > MATURITY.index(current)
        return True  # into the deprecation path
    if current in DEPRECATION and target in DEPRECATION:
        return DEPRECATION.index(target) > DEPRECATION.index(current)
    return False


def _release(release: str) -> Milestone:
    try:
        return Milestone.parse(release)
    except (TypeError, ValueError) as exc:
        msg = f"release {release!r} is not a release such as v1.37"
        raise InvalidArgumentError(msg, argument="release", value=release) from exc


def _stage(stage: str) -> str:
    if stage not in STAGES:
        import difflib

        close = difflib.get_close_matches(stage, STAGES, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        msg = f"stage {stage!r} is not one of: {', '.join(STAGES)}{hint}"
        raise InvalidArgumentError(msg, argument="stage", value=stage)
    return stage


#: Problems that mean kep.yaml's milestone mapping was not read at all.
_UNREAD = frozenset({"key-unknown", "field-type"})


def promote(
    runtime: Runtime,
    *,
    stage: str,
    release: str,
    prr_approver: str | None = None,
    now: dt.datetime | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Kep:
    """Move an implementable KEP to *stage* for *release* (``v1.37``).

    Sets ``stage``, ``milestone.<stage>``, ``latest-milestone`` and ``last-updated``;
    with *prr_approver* also records that person's production readiness approval of
    the new stage.

    Raises:
        InvalidArgumentError: *stage* is no stage or *release* no release (a suggestion
            is given); nothing is written.
        TransitionError: the KEP is not implementable, the move goes backwards or out of
            the deprecation path, or *release* is before the release of an earlier stage.
        InvalidContentError: the KEP's ``milestone`` does not parse (a key that is no
            stage): promoting would rewrite it and lose what it says.
    """
    now = now or utcnow()
    stage = _stage(stage)
    target_release = _release(release)
    with locked_kep(runtime, timeout=timeout) as kep:
        require_state(kep, "promote", State.IMPLEMENTABLE)
        if not can_promote(kep.stage, stage):
            msg = (
                f"cannot promote {kep.path.name} from {kep.stage} to {stage}: stages go forward"
                f" ({' -> '.join(MATURITY)}), and {' -> '.join(DEPRECATION)} is the deprecation path"
            )
            raise TransitionError(msg, path=kep.path)
        unread = [
            p
            for p in kep.problems()
            if p.code in _UNREAD and str(p.field or "").split(".")[0] == "milestone"
        ]
        if unread:  # rewriting the mapping would drop the stages it does give
            msg = (
                f"cannot promote {kep.path.name}: its milestone does not parse"
                f" ({unread[0].message}); correct it in the KEP's file first"
            )
            raise InvalidContentError(msg, path=kep.metadata_path, problems=unread)
        milestones = dict(kep.milestone)
        for earlier, text in milestones.items():
            if earlier == stage or earlier not in STAGES:
                continue
            if STAGES.index(earlier) < STAGES.index(stage):
                try:
                    before = Milestone.parse(text)
                except (TypeError, ValueError):
                    continue  # lint reports a milestone that is no release
                if target_release < before:
                    msg = (
                        f"cannot promote {kep.path.name} to {stage} in {release}: it reached"
                        f" {earlier} later, in {text}"
                    )
                    raise TransitionError(msg, path=kep.path)
        milestones[stage] = release
        ordered = tuple((s, milestones[s]) for s in STAGES if s in milestones)
        ordered += tuple((s, t) for s, t in milestones.items() if s not in STAGES)
        kep.update(stage=stage, milestone=ordered, latest_milestone=release)
        kep.mark_updated(now)
        if prr_approver is not None:
            _approve(kep, stage, prr_approver)
        kep.add_event("promote", runtime.principal, now=now, notes=f"{stage} in {release}")
        kep.check(now=now)
        write([kep], runtime.content_root, now=now, timeout=timeout)
        return kep


def prr_approve(
    runtime: Runtime,
    *,
    stage: str | None = None,
    now: dt.datetime | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Kep:
    """Record the principal's production readiness approval of *stage* (default: the
    KEP's current stage) in the KEP's PRR approval file, keeping the other stages'.

    Raises:
        InvalidArgumentError: *stage* is no stage, or the KEP has none to approve.
        InvalidContentError: the KEP has no number, owning SIG or ``keps/`` folder.
    """
    now = now or utcnow()
    with locked_kep(runtime, timeout=timeout) as kep:
        wanted = _stage(stage) if stage is not None else kep.stage
        if not wanted:
            msg = f"{kep.path.name} has no stage yet: say which stage the approval is for"
            raise InvalidArgumentError(msg, argument="stage", value=stage)
        _approve(kep, _stage(wanted), runtime.principal)
        kep.add_event("prr-approve", runtime.principal, now=now, notes=wanted)
        kep.check(now=now)
        write([kep], runtime.content_root, now=now, timeout=timeout)
        return kep


def _approve(kep: Kep, stage: str, approver: str) -> None:
    """Make *approver* the PRR approver of *stage* (as an ``@`` handle), once per stage."""
    handle = approver if approver.startswith("@") else f"@{approver}"
    others = tuple(a for a in kep.prr_approvals if a.stage != stage)
    approvals = (*others, PrrApproval(stage, handle))
    kep.update(prr_approvals=tuple(sorted(approvals, key=lambda a: _position(a.stage))))


def _position(stage: str) -> int:
    return STAGES.index(stage) if stage in STAGES else len(STAGES)
