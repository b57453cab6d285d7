"""The lifecycle steps, each a short script: open, check the state, change, check, write.

Every step takes a :class:`~keps.settings.Runtime` (who, which KEP, which content
root), appends an event (principal, UTC time, step) to the KEP, and either changes
every file it means to change or none (see :func:`keps.workflow._step.write`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from keps import index
from keps.errors import (
    InvalidArgumentError,
    InvalidContentError,
    KepExistsError,
    TransitionError,
)
from keps.keps import Kep
from keps.keps.path import relative_location
from keps.keps.sections import (
    DEVELOPER_GUIDE,
    GRADUATION_CRITERIA,
    MOTIVATION,
    OPERATOR_GUIDE,
    SUMMARY,
    TEACHER_GUIDE,
    SectionSpec,
    is_unedited,
    render,
)
from keps.keps.states import State, parse_state
from keps.settings import Runtime
from keps.workflow._step import (
    DEFAULT_TIMEOUT,
    locked_kep,
    require_state,
    step_lock,
    utcnow,
    write,
    write_under_index_lock,
)

__all__ = [
    "accept",
    "approve",
    "create",
    "defer",
    "implement",
    "init",
    "plan",
    "propose",
    "reject",
    "replace",
    "withdraw",
]

INTRODUCTION: tuple[SectionSpec, ...] = (SUMMARY, MOTIVATION)
PLANNING: tuple[SectionSpec, ...] = (
    DEVELOPER_GUIDE,
    OPERATOR_GUIDE,
    TEACHER_GUIDE,
    GRADUATION_CRITERIA,
)


def _sig_name(kep: Kep) -> str:
    sig = kep.owning_sig
    return kep.registry.display_name(sig) if sig and kep.registry.exists(sig) else sig


def _unedited(kep: Kep, specs: tuple[SectionSpec, ...]) -> list[SectionSpec]:
    return [
        spec
        for spec in specs
        if spec.filename in kep.sections
        and is_unedited(kep.section_text(spec.filename), spec, kep.metadata)
    ]


def _has_event(kep: Kep, step: str) -> bool:
    return any(event.event_type == step for event in kep.events)


def init(
    runtime: Runtime, *, now: dt.datetime | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Path:
    """Create a draft KEP at the runtime's target: skeleton, metadata, summary and motivation
    templates, README. The principal is the author; the title comes from the folder name.

    Raises:
        KepExistsError: a KEP already lives at the target.
    """
    now = now or utcnow()
    location = relative_location(runtime.target_dir, runtime.content_root)
    with step_lock(runtime.content_root, [location], timeout=timeout):
        kep = Kep.new(
            location, content_root=runtime.content_root, authors=[runtime.principal], now=now
        )
        if kep.path.exists() and any(kep.path.iterdir()):
            msg = f"{kep.path} already exists and is not empty; init only creates new KEPs"
            raise KepExistsError(msg, path=kep.path)
        for spec in INTRODUCTION:
            kep.set_section(spec.filename, render(spec, kep.metadata, sig_name=_sig_name(kep)))
        kep.add_event("init", runtime.principal, now=now)
        write([kep], runtime.content_root, now=now, timeout=timeout)
    return kep.path


def create(
    content_root: str | Path,
    target: str,
    *,
    principal: str,
    title: str | None = None,
    kep_number: int | None = None,
    authors: Sequence[str] = (),
    reviewers: Sequence[str] = (),
    approvers: Sequence[str] = (),
    participating_sigs: Sequence[str] = (),
    prr_approvers: Sequence[str] = (),
    stage: str = "",
    state: State | str = State.PROVISIONAL,
    now: dt.datetime | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Path:
    """Create a KEP in a kubernetes/enhancements checkout (today's layout), as upstream's
    ``kepctl create`` does, with its options checked.

    *target* is ``SIG/NAME`` or ``SIG/GROUP/NAME``; the KEP goes to
    ``keps/<sig>/[<group>/]<number>-<name>/`` with kep.yaml and the checkout's README
    template (see :meth:`keps.keps.layouts.enhancements.EnhancementsKep.create`). The
    number is *kep_number* (upstream uses the tracking issue's) or the next free one,
    claimed under the index lock so that two creations never share one. The authors
    are *authors*, else the principal; people not named are ``TBD``. The owning SIG is
    not added to the participating ones. Returns the new KEP's folder.

    Raises:
        KepExistsError: the number is already used in the checkout, or the folder exists.
        CheckFailedError: a stage, status or SIG that does not exist (with a
            suggestion); nothing is written.
    """
    from keps._locks import index_lock, kep_lock
    from keps._recovery import recover_journals
    from keps.keps.layouts.enhancements import EnhancementsKep

    now = now or utcnow()
    root = Path(content_root).absolute()
    with index_lock(root, timeout=timeout):
        recover_journals(root, held=(), index_held=True, timeout=timeout)
        built = index.rebuild(root)
        used = {e.kep_number for e in built.entries} | {b.kep_number for b in built.broken}
        if kep_number is not None and kep_number in used:
            msg = f"KEP number {kep_number} is already used in {root}"
            raise KepExistsError(msg, path=root)
        number = built.next_kep_number if kep_number is None else kep_number
        try:
            fields: dict[str, object] = {"state": parse_state(state)}
        except ValueError as exc:
            raise InvalidArgumentError(str(exc), argument="state", value=state) from exc
        if stage:
            fields["stage"] = stage
        if participating_sigs:
            fields["participating_sigs"] = tuple(participating_sigs)
        kep = EnhancementsKep.create(
            target,
            content_root=root,
            authors=list(authors) or [principal],
            title=title,
            registry=None,
            now=now,
            kep_number=number,
            people={
                "reviewers": reviewers,
                "approvers": approvers,
                "prr_approvers": prr_approvers,
            },
            fields=fields,
        )
        location = relative_location(kep.path, root)
        with kep_lock(root, [location], timeout=timeout):
            write_under_index_lock([kep], root, now=now)
    return kep.path


def propose(
    runtime: Runtime, *, now: dt.datetime | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Kep:
    """Propose a draft to its SIG: refused while the summary or motivation is the bare template.

    The KEP stays a draft; the proposal is recorded as an event. Proposing again
    changes nothing.
    """
    now = now or utcnow()
    with locked_kep(runtime, timeout=timeout) as kep:
        require_state(kep, "propose", State.DRAFT)
        missing = [spec.name for spec in INTRODUCTION if spec.filename not in kep.sections]
        unedited = [spec.name for spec in _unedited(kep, INTRODUCTION)]
        if missing or unedited:
            parts = []
            if unedited:
                parts.append(f"still the unedited template: {', '.join(unedited)}")
            if missing:
                parts.append(f"missing: {', '.join(missing)}")
            msg = f"cannot propose {kep.path.name}: " + "; ".join(parts)
            raise TransitionError(msg, path=kep.path)
        if _has_event(kep, "propose"):
            return kep
        kep.add_event("propose", runtime.principal, now=now)
        kep.check(now=now)
        write([kep], runtime.content_root, now=now, timeout=timeout)
        return kep


def accept(
    runtime: Runtime, *, now: dt.datetime | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Kep:
    """A SIG approver accepts a proposed draft: they become approver and reviewer; draft -> provisional."""
    now = now or utcnow()
    with locked_kep(runtime, timeout=timeout) as kep:
        require_state(kep, "accept", State.DRAFT)
        if not _has_event(kep, "propose"):
            msg = f"cannot accept {kep.path.name}: it was never proposed (run propose first)"
            raise TransitionError(msg, path=kep.path)
        kep.add_approvers(runtime.principal)
        kep.add_reviewers(runtime.principal)
        kep.set_state(State.PROVISIONAL)
        kep.add_event("accept", runtime.principal, now=now)
        kep.check(now=now)
        write([kep], runtime.content_root, now=now, timeout=timeout)
        return kep


def plan(
    runtime: Runtime, *, now: dt.datetime | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Kep:
    """Render the developer, operator and teacher guides and the graduation criteria.

    The KEP stays provisional. Sections that exist are never overwritten, so running
    plan twice changes nothing.
    """
    now = now or utcnow()
    with locked_kep(runtime, timeout=timeout) as kep:
        require_state(kep, "plan", State.PROVISIONAL)
        missing = [spec for spec in PLANNING if spec.filename not in kep.sections]
        if not missing:
            return kep
        for spec in missing:
            kep.set_section(spec.filename, render(spec, kep.metadata, sig_name=_sig_name(kep)))
        kep.add_event("plan", runtime.principal, now=now)
        kep.check(now=now)
        write([kep], runtime.content_root, now=now, timeout=timeout)
        return kep


def approve(
    runtime: Runtime, *, now: dt.datetime | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Kep:
    """Approve a provisional KEP: provisional -> implementable, with the next KEP number.

    Every implementable check must pass first, and no guide or the graduation criteria
    may be the bare template. A KEP without a number claims one from the index under
    its lock, recorded in the KEP's metadata and in ``keps.yaml`` in one atomic write; a
    KEP of today's layout keeps the number it has.
    """
    now = now or utcnow()
    with locked_kep(runtime, timeout=timeout) as kep:
        require_state(kep, "approve", State.PROVISIONAL)
        unedited = [spec.name for spec in _unedited(kep, PLANNING)]
        if unedited:
            msg = f"cannot approve {kep.path.name}: still the unedited template: {', '.join(unedited)}"
            raise TransitionError(msg, path=kep.path)
        kep.set_state(State.IMPLEMENTABLE)
        kep.add_event("approve", runtime.principal, now=now)
        kep.mark_updated(now)
        kep.check(now=now)
        # a KEP of today's layout has its number from the start (the tracking issue's)
        claim = kep if kep.kep_number is None else None
        write([kep], runtime.content_root, now=now, claim_number_for=claim, timeout=timeout)
        return kep


def _end(
    runtime: Runtime,
    step: str,
    target: State,
    allowed: tuple[State, ...],
    now: dt.datetime | None,
    timeout: float,
) -> Kep:
    now = now or utcnow()
    with locked_kep(runtime, timeout=timeout) as kep:
        require_state(kep, step, *allowed)
        kep.set_state(target)
        kep.add_event(step, runtime.principal, now=now)
        kep.mark_updated(now)
        kep.check(now=now)
        write([kep], runtime.content_root, now=now, timeout=timeout)
        return kep


def implement(
    runtime: Runtime, *, now: dt.datetime | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Kep:
    """Mark an implementable KEP as implemented."""
    return _end(runtime, "implement", State.IMPLEMENTED, (State.IMPLEMENTABLE,), now, timeout)


def defer(
    runtime: Runtime, *, now: dt.datetime | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Kep:
    """Defer a provisional or implementable KEP; it may become provisional again later."""
    return _end(
        runtime, "defer", State.DEFERRED, (State.PROVISIONAL, State.IMPLEMENTABLE), now, timeout
    )


def reject(
    runtime: Runtime, *, now: dt.datetime | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Kep:
    """Reject a KEP that has not been implemented."""
    allowed = (State.DRAFT, State.PROVISIONAL, State.IMPLEMENTABLE)
    return _end(runtime, "reject", State.REJECTED, allowed, now, timeout)


def withdraw(
    runtime: Runtime, *, now: dt.datetime | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Kep:
    """Withdraw a KEP its authors no longer pursue."""
    allowed = (State.DRAFT, State.PROVISIONAL, State.IMPLEMENTABLE, State.DEFERRED)
    return _end(runtime, "withdraw", State.WITHDRAWN, allowed, now, timeout)


def replace(
    runtime: Runtime,
    *,
    by: str | Path,
    now: dt.datetime | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Kep:
    """Mark the runtime's KEP as replaced *by* another KEP, linking both ways.

    *by* is a KEP folder (absolute, or relative to the content root). The old KEP gets
    ``superseded_by``, the new one ``replaces``; both are written together.
    """
    now = now or utcnow()
    by_path = Path(by) if Path(by).is_absolute() else runtime.content_root / by
    old_location = relative_location(runtime.target_dir, runtime.content_root)
    new_location = relative_location(by_path, runtime.content_root)
    if old_location == new_location:
        msg = f"a KEP cannot replace itself ({old_location})"
        raise InvalidContentError(msg, path=runtime.target_dir)
    with step_lock(runtime.content_root, [old_location, new_location], timeout=timeout):
        old = Kep.open(runtime.target_dir, content_root=runtime.content_root)
        new = Kep.open(by_path, content_root=runtime.content_root)
        allowed = (State.PROVISIONAL, State.IMPLEMENTABLE, State.IMPLEMENTED, State.DEFERRED)
        require_state(old, "replace", *allowed)
        old.set_state(State.REPLACED)
        old.update(superseded_by=(*old.superseded_by, new_location))
        new.update(replaces=(*new.replaces, old_location))
        old.add_event("replace", runtime.principal, now=now, notes=f"replaced by {new_location}")
        old.mark_updated(now)
        new.mark_updated(now)
        old.check(now=now)
        new.check(now=now)
        write([old, new], runtime.content_root, now=now, timeout=timeout)
        return old
