"""The seed's ``metadata.yaml`` format: its keys, their order, and how each value converts.

The Go seed's snake_case keys in the Go seed's order; today's fields (kubernetes/enhancements'
kep.yaml) follow in the seed's spelling. :func:`metadata_from_mapping` builds the model
from parsed YAML, collecting every problem (not only the first); :func:`metadata_to_mapping`
gives the plain data to write, without empty fields, as the seed writes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from keps._kinds import kind_of
from keps._time import parse_time
from keps.errors import InvalidContentError
from keps.keps.metadata import Event, Exemption, FeatureGate, Metadata, PrrApproval, unique
from keps.keps.numbers import parse_kep_number
from keps.keps.states import State, parse_state
from keps.problems import Problem

__all__ = [
    "ALL_KEYS",
    "KEY_ORDER",
    "TODAY_KEY_ORDER",
    "metadata_from_mapping",
    "metadata_to_mapping",
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


def metadata_from_mapping(
    data: object, *, path: str, lines: Mapping[str, int] | None = None
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
    return Metadata(**values)


def metadata_to_mapping(metadata: Metadata) -> dict[str, Any]:
    """Plain data for metadata.yaml: the seed's key order, empty fields left out."""
    out: dict[str, Any] = {}
    for key in ALL_KEYS:
        value = getattr(metadata, key)
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
