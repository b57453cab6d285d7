"""KEP metadata: the typed model of ``metadata.yaml`` and its conversion to and from YAML data.

:class:`Metadata` is an immutable attrs record; it changes through :func:`attrs.evolve`.
It knows nothing about files: :meth:`Metadata.from_mapping` builds it from parsed YAML
(collecting every problem, not only the first) and :meth:`Metadata.to_mapping` gives
the plain data to write, in the Go seed's key order and without empty fields, as the
seed writes them. The round-trip document that keeps comments lives with the KEP.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid as uuid_module
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import semver

from keps._kinds import kind_of
from keps._time import parse_time
from keps.errors import InvalidContentError
from keps.keps.numbers import MAX_KEP_NUMBER, parse_kep_number
from keps.keps.states import State, parse_state
from keps.problems import Problem

__all__ = [
    "ALL_KEYS",
    "KEY_ORDER",
    "STAGES",
    "TODAY_KEY_ORDER",
    "Event",
    "Exemption",
    "FeatureGate",
    "Metadata",
    "Milestone",
    "PrrApproval",
    "unique",
]

#: The keys of metadata.yaml in the order the Go seed writes them; ours follow.
KEY_ORDER: tuple[str, ...] = (
    "authors",
    "title",
    "kep_number",
    "reviewers",
    "approvers",
    "editors",
    "state",
    "replaces",
    "superseded_by",
    "development_themes",
    "last_updated",
    "created",
    "uuid",
    "sections",
    "owning_sig",
    "affected_subprojects",
    "participating_sigs",
    "kubernetes_wide",
    "sig_wide",
    "events",
    "associated_prs",
    "exemptions",
)

#: Today's fields (kubernetes/enhancements kep.yaml) in the seed's snake_case; a
#: metadata.yaml writes them after the seed's own keys.
TODAY_KEY_ORDER: tuple[str, ...] = (
    "stage",
    "latest_milestone",
    "milestone",
    "feature_gates",
    "disable_supported",
    "metrics",
    "see_also",
    "prr_approvers",
    "prr_approvals",
)

#: Every key metadata.yaml may hold, in the order it is written.
ALL_KEYS: tuple[str, ...] = KEY_ORDER + TODAY_KEY_ORDER

#: The stages of a feature, in the order it passes through them; the last three are
#: the ends a deprecated feature goes through (kubernetes/enhancements' template).
STAGES: tuple[str, ...] = ("alpha", "beta", "stable", "deprecated", "disabled", "removed")

_MILESTONE = re.compile(r"v?(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+))?")


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


@attrs.frozen(eq=False, order=False)
class Milestone:
    """A Kubernetes release such as ``v1.30``, compared as a version, not as text.

    ``v1.9 < v1.30`` holds here although ``"v1.9" > "v1.30"`` as strings. Build one with
    :meth:`parse`; ``text`` keeps what the file said, ``version`` is the semver value.

    >>> Milestone.parse("v1.9") < Milestone.parse("1.30")
    True
    """

    text: str
    version: semver.Version = attrs.field(eq=False, repr=False)

    @classmethod
    def parse(cls, value: object) -> Milestone:
        """The milestone *value* names (``v1.30``, ``1.30``, ``v1.30.2``).

        Raises:
            ValueError: naming the value, for anything that is not such a version
                (``TBD``, ``x.y``, a list of versions, a number that lost its zero).
        """
        if isinstance(value, Milestone):
            return value
        if not isinstance(value, str):
            msg = f'a milestone must be text such as "v1.30", got {kind_of(value)}'
            raise TypeError(msg)
        match = _MILESTONE.fullmatch(value.strip())
        if match is None:
            msg = f"{value!r} is not a milestone such as v1.30"
            raise ValueError(msg)
        version = semver.Version(int(match["major"]), int(match["minor"]), int(match["patch"] or 0))
        return cls(value.strip(), version)

    def __lt__(self, other: Milestone) -> bool:
        return bool(self.version < other.version)

    def __le__(self, other: Milestone) -> bool:
        return bool(self.version <= other.version)

    def __gt__(self, other: Milestone) -> bool:
        return bool(self.version > other.version)

    def __ge__(self, other: Milestone) -> bool:
        return bool(self.version >= other.version)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Milestone) and bool(self.version == other.version)

    def __hash__(self) -> int:
        return hash((self.version.major, self.version.minor, self.version.patch))

    def __add__(self, patches: int) -> Milestone:
        """The release *patches* patch releases later: ``milestone>v1.29`` starts at v1.29.1."""
        version = self.version.replace(patch=self.version.patch + patches)
        return Milestone(f"v{version.major}.{version.minor}.{version.patch}", version)

    def __str__(self) -> str:
        return f"v{self.version.major}.{self.version.minor}" + (
            f".{self.version.patch}" if self.version.patch else ""
        )


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

    @classmethod
    def from_mapping(
        cls, data: object, *, path: str, lines: Mapping[str, int] | None = None
    ) -> Metadata:
        """Build metadata from parsed YAML, checking the type of every known field.

        Unknown keys are ignored here (the round-trip document keeps them).

        Raises:
            InvalidContentError: listing every field with a wrong type or value, each
                naming *path*, the field and its line.
        """
        lines = lines or {}
        if data is None:
            msg = f"{path} is empty: a KEP's metadata needs at least a title and a state"
            raise InvalidContentError(
                msg, path=path, problems=[Problem("metadata-empty", msg, path=path)]
            )
        if not isinstance(data, Mapping):
            msg = f"{path} must hold a YAML mapping of metadata fields, not {type(data).__name__}"
            raise InvalidContentError(
                msg, path=path, problems=[Problem("metadata-not-mapping", msg, path=path)]
            )
        problems: list[tuple[int, Problem]] = []
        values: dict[str, Any] = {}
        # the keys the file has, not all 31 fields; problems are sorted into field order
        for raw_key, value in data.items():
            field = _FIELDS.get(raw_key)
            if field is None or value is None:
                continue
            position, key, convert = field
            try:
                values[key] = convert(value)
            except (ValueError, TypeError) as exc:
                code = "state-invalid" if key == "state" else "field-invalid"
                message = f"{key}: {exc}"
                problem = Problem(code, message, path=path, field=key, line=lines.get(key))
                problems.append((position, problem))
        if problems:
            problems.sort(key=lambda item: item[0])
            count = len(problems)
            msg = f"{path} has {count} invalid metadata field{'s' if count > 1 else ''}"
            raise InvalidContentError(msg, path=path, problems=[p for _, p in problems])
        return cls(**values)

    def to_mapping(self) -> dict[str, Any]:
        """Plain data for metadata.yaml: the seed's key order, empty fields left out."""
        out: dict[str, Any] = {}
        for key in ALL_KEYS:
            value = getattr(self, key)
            if value is None or value == () or value == "":
                continue
            if value is False and key != "disable_supported":
                continue
            if key == "state":
                out[key] = str(value)
            elif key in ("events", "exemptions", "feature_gates", "prr_approvals"):
                out[key] = [item.to_mapping() for item in value]
            elif key == "milestone":
                out[key] = dict(value)
            elif isinstance(value, tuple):
                out[key] = list(value)
            else:
                out[key] = value
        return out


# -- converters from raw YAML values to field types; each raises ValueError/TypeError --


def _text(value: object) -> str:
    if not isinstance(value, str):
        msg = f"expected text, got {kind_of(value)}"
        raise TypeError(msg)
    return value.strip()


def _texts(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if not isinstance(value, list):
        msg = f"expected a list of text, got {kind_of(value)}"
        raise TypeError(msg)
    items = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            text = item.strip()
            if text:
                items.append(text)
        elif item is not None:
            msg = f"item {index + 1} should be text, got {kind_of(item)}"
            raise TypeError(msg)
    return unique(items)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        msg = f"expected true or false, got {kind_of(value)}"
        raise TypeError(msg)
    return value


def _time(value: object) -> dt.datetime:
    try:
        return parse_time(value)
    except OverflowError as exc:  # 9999-12-31T23:59:59-01:00 is past the last UTC instant
        msg = f"{value!r} is outside the times Python can hold in UTC"
        raise ValueError(msg) from exc


def _events(value: object) -> tuple[Event, ...]:
    if not isinstance(value, list):
        msg = f"expected a list of events, got {kind_of(value)}"
        raise TypeError(msg)
    events = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            msg = f"event {index + 1} should be a mapping, got {kind_of(item)}"
            raise TypeError(msg)
        events.append(
            Event(
                principal=_text(item.get("principal", "")),
                date=_time(item.get("date")),
                event_type=_text(item.get("event_type", "")),
                notes=_text(item.get("notes") or ""),
            )
        )
    return tuple(events)


def _exemptions(value: object) -> tuple[Exemption, ...]:
    if not isinstance(value, list):
        msg = f"expected a list of {{code, reason}} mappings, got {kind_of(value)}"
        raise TypeError(msg)
    out = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping) or not item.get("code") or not item.get("reason"):
            msg = f"exemption {index + 1} needs a code and a reason"
            raise ValueError(msg)
        out.append(Exemption(code=_text(item["code"]), reason=_text(item["reason"])))
    return tuple(out)


def _milestones(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping):
        msg = f"expected a mapping of stage to milestone, got {kind_of(value)}"
        raise TypeError(msg)
    out = []
    for stage, text in value.items():
        if text is None:
            continue
        if not isinstance(text, str):
            msg = f'milestone of {stage} should be text such as "v1.30", got {kind_of(text)}'
            raise TypeError(msg)
        out.append((str(stage), text.strip()))
    return tuple(out)


def _feature_gates(value: object) -> tuple[FeatureGate, ...]:
    if not isinstance(value, list):
        msg = f"expected a list of {{name, components}} mappings, got {kind_of(value)}"
        raise TypeError(msg)
    gates = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            msg = f"feature gate {index + 1} needs a name"
            raise TypeError(msg)
        components = item.get("components")
        gates.append(
            FeatureGate(
                name=item["name"].strip(),
                components=() if components is None else _texts(components),
            )
        )
    return tuple(gates)


def _prr_approvals(value: object) -> tuple[PrrApproval, ...]:
    if not isinstance(value, list):
        msg = f"expected a list of {{stage, approver}} mappings, got {kind_of(value)}"
        raise TypeError(msg)
    out = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping) or not item.get("stage") or not item.get("approver"):
            msg = f"PRR approval {index + 1} needs a stage and an approver"
            raise ValueError(msg)
        out.append(PrrApproval(stage=_text(item["stage"]), approver=_text(item["approver"])))
    return tuple(out)


#: Each state by its exact text: the spelling every file uses, found without Enum's lookup.
_STATES: dict[object, State] = {state.value: state for state in State}


def _state(value: object) -> State:
    """The state *value* names; anything but the exact lower-case text goes to parse_state."""
    state = _STATES.get(value) if isinstance(value, str) else None
    return parse_state(value) if state is None else state


def _uuid(value: object) -> str:
    return _text(value)


_FIELD_CONVERTERS: dict[str, Callable[[object], Any]] = {
    "authors": _texts,
    "title": _text,
    "kep_number": parse_kep_number,
    "reviewers": _texts,
    "approvers": _texts,
    "editors": _texts,
    "state": _state,
    "replaces": _texts,
    "superseded_by": _texts,
    "development_themes": _texts,
    "last_updated": _time,
    "created": _time,
    "uuid": _uuid,
    "sections": _texts,
    "owning_sig": _text,
    "affected_subprojects": _texts,
    "participating_sigs": _texts,
    "kubernetes_wide": _flag,
    "sig_wide": _flag,
    "events": _events,
    "associated_prs": _texts,
    "exemptions": _exemptions,
    "stage": _text,
    "latest_milestone": _text,
    "milestone": _milestones,
    "feature_gates": _feature_gates,
    "disable_supported": _flag,
    "metrics": _texts,
    "see_also": _texts,
    "prr_approvers": _texts,
    "prr_approvals": _prr_approvals,
}

#: Each field by its key: (its position among the fields, the key, its converter).
_FIELDS: dict[str, tuple[int, str, Callable[[object], Any]]] = {
    key: (position, key, convert)
    for position, (key, convert) in enumerate(_FIELD_CONVERTERS.items())
}
