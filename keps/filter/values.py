"""The values a query may name for its closed fields: states, stages and SIGs.

A query for ``stage:alhpa`` or ``sig:sig-nodes`` would select nothing and look like an
answer; :func:`check_values` refuses it instead, with the near match::

    check_values("stage", ["alhpa"])
    # InvalidArgumentError: stage: unknown stage 'alhpa' (did you mean 'alpha'?); stages are: ...
    check_values("sig", ["node"], sigs={"sig-node", "sig-apps"})  # ["sig-node"]

States and stages are closed sets of the KEP process. Which SIGs exist is data: the
caller passes them (:func:`known_sigs` gathers the SIG list in force and the SIGs the
index names), and a SIG given without its ``sig-`` prefix (``node``) means the SIG of
that name (``sig-node``) when there is one and nothing is called ``node`` itself.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from keps.errors import InvalidArgumentError
from keps.filter.fields import lookup, shown

if TYPE_CHECKING:
    from keps.sigs import SigRegistry

__all__ = ["SIG_FIELDS", "check_values", "known_sigs"]

#: The fields whose values are SIGs (owning and participating).
SIG_FIELDS = frozenset({"sig", "participating"})

_SIG_PREFIX = "sig-"


def known_sigs(registry: SigRegistry, entries: Iterable[object] = ()) -> frozenset[str]:
    """What a query may call a SIG: every group of *registry*, and every SIG *entries* name.

    *registry* is the SIG list in force (:func:`keps.sigs.registry_for`), working groups
    and committees included (they take part in KEPs); *entries* (index entries or
    anything with their attribute names) add the owning and participating SIGs of KEPs
    that exist, also those of SIGs since retired.
    """
    names = {group.dir.lower() for group in registry}
    for entry in entries:
        owner = getattr(entry, "owning_sig", None)
        if isinstance(owner, str) and owner.strip():
            names.add(owner.strip().lower())
        for sig in getattr(entry, "participating_sigs", None) or ():
            if isinstance(sig, str) and sig.strip():
                names.add(sig.strip().lower())
    return frozenset(names)


def _close(value: str, known: Iterable[str], *, prefix: str = "") -> str | None:
    """The known value nearest to *value* (or to *prefix* + *value*), if any is near."""
    candidates = list(known)
    tried = [value] if not prefix or value.startswith(prefix) else [value, prefix + value]
    scored = [
        (difflib.SequenceMatcher(None, text, match).ratio(), match)
        for text in tried
        for match in difflib.get_close_matches(text, candidates, n=1, cutoff=0.6)
    ]
    return max(scored)[1] if scored else None


def _unknown(kind: str, value: str, known: Collection[str], *, prefix: str = "") -> str:
    """The message for an unknown *value*: the near match if there is one, else the list."""
    near = _close(value, known, prefix=prefix)
    if near is not None:
        return f"unknown {kind} {shown(value)} (did you mean {near!r}?)"
    return f"unknown {kind} {shown(value)}; known {kind}s: {', '.join(sorted(known))}"


def check_values(
    field: str, values: Iterable[str], *, sigs: Collection[str] | None = None
) -> list[str]:
    """*values* of the query field *field* as a query compares them, each one checked.

    A state must be a KEP state and a stage a stage of the KEP process; a SIG (owning or
    participating) must be among *sigs*, when they are given, else it is taken as typed.
    ``node`` becomes ``sig-node`` when *sigs* has ``sig-node`` and no ``node``. Values of
    other fields are returned as they are.

    Raises:
        InvalidArgumentError: (a ValueError) an unknown state, stage or SIG; the message
            names it and the near match, or lists the known values.
    """
    name = lookup(field).name
    out = list(values)
    if name == "state":
        from keps.keps.states import State

        states = [state.value for state in State]
        for value in out:
            if value.strip().lower() not in states:
                near = _close(value.strip().lower(), states)
                hint = f" (did you mean {near!r}?)" if near else ""
                msg = f"{name}: unknown state {shown(value)}{hint}; valid states are: {', '.join(states)}"
                raise InvalidArgumentError(msg, argument=name, value=value)
        return out
    if name == "stage":
        from keps.keps.metadata import STAGES  # the object model, only for stage terms

        for value in out:
            if value.strip().lower() not in STAGES:
                near = _close(value.strip().lower(), STAGES)
                hint = f" (did you mean {near!r}?)" if near else ""
                msg = f"{name}: unknown stage {shown(value)}{hint}; stages are: {', '.join(STAGES)}"
                raise InvalidArgumentError(msg, argument=name, value=value)
        return out
    if name in SIG_FIELDS and sigs is not None:
        return [_sig(name, value, sigs) for value in out]
    return out


def _sig(field: str, value: str, sigs: Collection[str]) -> str:
    """*value* as a known SIG: itself, or ``sig-`` + itself; else InvalidArgumentError."""
    typed = value.strip().lower()
    if typed in sigs:
        return value
    if not typed.startswith(_SIG_PREFIX) and _SIG_PREFIX + typed in sigs:
        return _SIG_PREFIX + typed
    message = f"{field}: {_unknown('SIG', value, sigs, prefix=_SIG_PREFIX)}"
    raise InvalidArgumentError(message, argument=field, value=value)
