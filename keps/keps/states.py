"""The states of the KEP process and which state may follow which.

The table follows the KEP process as presented at KubeCon 2018: a KEP starts as a
draft, becomes provisional when a SIG accepts it, implementable when it is approved,
and ends implemented, deferred, rejected, withdrawn or replaced. The whole process, one
line per state (the tests hold :data:`TRANSITIONS` to these lines)::

    draft          -> provisional, rejected, withdrawn
    provisional    -> implementable, deferred, rejected, withdrawn, replaced
    implementable  -> implemented, deferred, rejected, withdrawn, replaced
    implemented    -> replaced
    deferred       -> provisional, withdrawn, replaced
    rejected       -> (an end state)
    withdrawn      -> (an end state)
    replaced       -> (an end state)
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["TRANSITIONS", "State", "can_transition", "parse_state", "with_article"]


class State(enum.StrEnum):
    """One of the eight states of a KEP; the value is what metadata.yaml holds."""

    DRAFT = "draft"
    PROVISIONAL = "provisional"
    IMPLEMENTABLE = "implementable"
    IMPLEMENTED = "implemented"
    DEFERRED = "deferred"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REPLACED = "replaced"


#: For every state, the states a KEP may move to next. End states lead nowhere;
#: a deferred KEP may be picked up again as provisional.
TRANSITIONS: Mapping[State, frozenset[State]] = MappingProxyType(
    {
        State.DRAFT: frozenset({State.PROVISIONAL, State.REJECTED, State.WITHDRAWN}),
        State.PROVISIONAL: frozenset(
            {State.IMPLEMENTABLE, State.DEFERRED, State.REJECTED, State.WITHDRAWN, State.REPLACED}
        ),
        State.IMPLEMENTABLE: frozenset(
            {State.IMPLEMENTED, State.DEFERRED, State.REJECTED, State.WITHDRAWN, State.REPLACED}
        ),
        State.IMPLEMENTED: frozenset({State.REPLACED}),
        State.DEFERRED: frozenset({State.PROVISIONAL, State.WITHDRAWN, State.REPLACED}),
        State.REJECTED: frozenset(),
        State.WITHDRAWN: frozenset(),
        State.REPLACED: frozenset(),
    }
)


def can_transition(current: State, target: State) -> bool:
    """True when the process allows a KEP in *current* to move to *target*."""
    return target in TRANSITIONS[current]


def parse_state(value: object) -> State:
    """The State named by *value* (case and surrounding space ignored).

    Raises:
        ValueError: naming the bad value and listing the valid ones.
    """
    if isinstance(value, State):
        return value
    if isinstance(value, str):
        try:
            return State(value.strip().lower())
        except ValueError:
            pass
    valid = ", ".join(s.value for s in State)
    msg = f"unknown state {value!r}; valid states are: {valid}"
    raise ValueError(msg)


def with_article(state: str | None) -> str:
    """*state* as a message says it: "an implementable", "a draft", "a stateless" (None)."""
    word = "stateless" if state is None else str(state)
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
