"""KEP metadata: the typed model of what a KEP says about itself, in either layout.

:class:`Metadata` is an immutable attrs record; it changes through :func:`attrs.evolve`.
It knows nothing about files or formats: each layout turns its metadata file into a
:class:`Metadata` and back (:mod:`keps.keps.layouts.seed` for ``metadata.yaml``,
:mod:`keps.keps.layouts.enhancements` for ``kep.yaml``).
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from collections.abc import Iterable
from typing import Any

import attrs

from keps.errors import InvalidContentError
from keps.keps.milestones import STAGES, Milestone
from keps.keps.numbers import MAX_KEP_NUMBER, parse_kep_number
from keps.keps.states import State

__all__ = [
    "STAGES",
    "Event",
    "Exemption",
    "FeatureGate",
    "Metadata",
    "Milestone",
    "PrrApproval",
    "unique",
]


def unique(items: Iterable[str]) -> tuple[str, ...]:
    """*items* without duplicates, in first-seen order (dict keys keep insertion order)."""
    if items.__class__ is tuple and len(items) < 2:
        return items  # the default (), or one name: nothing to drop
    return tuple(dict.fromkeys(items))


def _number_in_range(_instance: object, _attribute: object, value: int | None) -> None:
    """The model never holds a KEP number that :func:`parse_kep_number` would refuse."""
    if value is None or (value.__class__ is int and 0 <= value <= MAX_KEP_NUMBER):
        return
    try:
        parse_kep_number(value)
    except (TypeError, ValueError) as exc:
        msg = f"kep_number: {exc}"
        raise InvalidContentError(msg) from exc
    msg = f"kep_number: expected a whole number, got {value.__class__.__name__}"
    raise InvalidContentError(msg)


def _event_tuple(items: Iterable[Event]) -> tuple[Event, ...]:
    return tuple(items)


def _exemption_tuple(items: Iterable[Exemption]) -> tuple[Exemption, ...]:
    return tuple(items)


@attrs.frozen
class Event:
    """Something that happened to a KEP: who did which lifecycle step, and when."""

    principal: str
    date: dt.datetime
    event_type: str
    notes: str = ""

    def to_mapping(self) -> dict[str, Any]:
        """The event as metadata.yaml holds it (the Go seed's keys)."""
        out: dict[str, Any] = {
            "principal": self.principal,
            "date": self.date,
            "event_type": self.event_type,
        }
        if self.notes:
            out["notes"] = self.notes
        return out


@attrs.frozen
class Exemption:
    """A waived check: the problem *code* and the *reason* a maintainer gave for waiving it."""

    code: str
    reason: str

    def to_mapping(self) -> dict[str, str]:
        """The exemption as metadata.yaml holds it."""
        return {"code": self.code, "reason": self.reason}


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


@attrs.frozen
class FeatureGate:
    """A feature gate a KEP adds, and the components that must enable it."""

    name: str
    components: tuple[str, ...] = attrs.field(default=(), converter=_strings)

    def to_mapping(self) -> dict[str, Any]:
        """The gate as kep.yaml and metadata.yaml hold it."""
        out: dict[str, Any] = {"name": self.name}
        if self.components:
            out["components"] = list(self.components)
        return out


@attrs.frozen
class PrrApproval:
    """Who approved production readiness for one *stage* (from prod-readiness/<sig>/<n>.yaml)."""

    stage: str
    approver: str

    def to_mapping(self) -> dict[str, str]:
        """The approval as metadata.yaml holds it."""
        return {"stage": self.stage, "approver": self.approver}


def _pairs(items: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    if items == ():  # the default: no generator to run
        return ()
    return tuple((str(k), str(v)) for k, v in items)


def _gate_tuple(items: Iterable[FeatureGate]) -> tuple[FeatureGate, ...]:
    return tuple(items)


def _approval_tuple(items: Iterable[PrrApproval]) -> tuple[PrrApproval, ...]:
    return tuple(items)


@attrs.frozen(kw_only=True)
class Metadata:
    """Everything metadata.yaml says about one KEP.

    Lists keep the order people were added in and hold each value once. Times are
    timezone-aware UTC datetimes. ``state`` is None only when the file names none.
    """

    authors: tuple[str, ...] = attrs.field(default=(), converter=unique)
    title: str = ""
    kep_number: int | None = attrs.field(default=None, validator=_number_in_range)
    reviewers: tuple[str, ...] = attrs.field(default=(), converter=unique)
    approvers: tuple[str, ...] = attrs.field(default=(), converter=unique)
    editors: tuple[str, ...] = attrs.field(default=(), converter=unique)
    state: State | None = None
    replaces: tuple[str, ...] = attrs.field(default=(), converter=unique)
    superseded_by: tuple[str, ...] = attrs.field(default=(), converter=unique)
    development_themes: tuple[str, ...] = attrs.field(default=(), converter=unique)
    last_updated: dt.datetime | None = None
    created: dt.datetime | None = None
    uuid: str = ""
    sections: tuple[str, ...] = attrs.field(default=(), converter=unique)
    owning_sig: str = ""
    affected_subprojects: tuple[str, ...] = attrs.field(default=(), converter=unique)
    participating_sigs: tuple[str, ...] = attrs.field(default=(), converter=unique)
    kubernetes_wide: bool = False
    sig_wide: bool = False
    events: tuple[Event, ...] = attrs.field(default=(), converter=_event_tuple)
    associated_prs: tuple[str, ...] = attrs.field(default=(), converter=unique)
    exemptions: tuple[Exemption, ...] = attrs.field(default=(), converter=_exemption_tuple)
    # today's fields: raw text where people write free-form values, checked by keps.validate
    stage: str = ""
    latest_milestone: str = ""
    milestone: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    feature_gates: tuple[FeatureGate, ...] = attrs.field(default=(), converter=_gate_tuple)
    disable_supported: bool | None = None
    metrics: tuple[str, ...] = attrs.field(default=(), converter=unique)
    see_also: tuple[str, ...] = attrs.field(default=(), converter=unique)
    prr_approvers: tuple[str, ...] = attrs.field(default=(), converter=unique)
    prr_approvals: tuple[PrrApproval, ...] = attrs.field(default=(), converter=_approval_tuple)
    #: (field, text as written) for each value the file gives that its field cannot hold
    #: (status ``imlpemented``, creation date ``2023-14-05``): kept, never dropped, and
    #: written back as it was; the layout reports each as a problem.
    unparsed: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)

    def as_written(self, field: str) -> object:
        """The value of *field*, or the text the file gives for it when it does not parse."""
        value = getattr(self, field)
        if value is None or value == "" or value == ():
            return dict(self.unparsed).get(field, value)
        return value

    def milestone_for(self, stage: str | None = None) -> str:
        """The milestone text the KEP gives for *stage* (default: its current stage), or ''."""
        wanted = self.stage if stage is None else stage
        return dict(self.milestone).get(wanted, "")

    def prr_approver_for(self, stage: str | None = None) -> str:
        """Who approved production readiness for *stage* (default: the current one), or ''."""
        wanted = self.stage if stage is None else stage
        for approval in self.prr_approvals:
            if approval.stage == wanted:
                return approval.approver
        return ""

    @classmethod
    def new(
        cls,
        *,
        title: str,
        authors: Iterable[str],
        owning_sig: str,
        now: dt.datetime,
        **fields: Any,
    ) -> Metadata:
        """Metadata for a brand-new draft KEP: a fresh uuid, created and updated *now*."""
        return cls(
            title=title,
            authors=tuple(authors),
            owning_sig=owning_sig,
            state=State.DRAFT,
            uuid=str(uuid_module.uuid4()),
            created=now,
            last_updated=now,
            **fields,
        )
