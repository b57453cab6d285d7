"""The states of the KEP process and the transition table."""

from __future__ import annotations

import re

import pytest

from keps.keps.states import TRANSITIONS, State, can_transition, parse_state, with_article


def _documented_table() -> dict[State, frozenset[State]]:
    """The table as the module docstring of keps.keps.states draws it, one line per state."""
    import keps.keps.states as states

    table: dict[State, frozenset[State]] = {}
    for line in (states.__doc__ or "").splitlines():
        match = re.fullmatch(r"\s+(\w+)\s+-> (.*)", line)
        if match:
            targets = "" if match[2].startswith("(") else match[2]
            table[State(match[1])] = frozenset(State(t.strip()) for t in targets.split(",") if t)
    return table


@pytest.mark.parametrize("target", list(State))
@pytest.mark.parametrize("current", list(State))
def test_every_pair_of_states_is_as_documented(current: State, target: State) -> None:
    """All 64 pairs: the table allows exactly the moves the documentation draws."""
    documented = _documented_table()
    assert set(documented) == set(State)
    assert can_transition(current, target) is (target in documented[current])


class TestStates:
    def test_the_eight_states_of_the_process(self) -> None:
        """The process has exactly these eight states, spelled as metadata.yaml holds them."""
        assert [s.value for s in State] == [
            "draft",
            "provisional",
            "implementable",
            "implemented",
            "deferred",
            "rejected",
            "withdrawn",
            "replaced",
        ]

    def test_every_state_has_a_row(self) -> None:
        """The table is total: every state says where it may go."""
        assert set(TRANSITIONS) == set(State)

    @pytest.mark.parametrize(
        ("current", "target"),
        [
            (State.DRAFT, State.PROVISIONAL),
            (State.PROVISIONAL, State.IMPLEMENTABLE),
            (State.IMPLEMENTABLE, State.IMPLEMENTED),
            (State.PROVISIONAL, State.DEFERRED),
            (State.DEFERRED, State.PROVISIONAL),
            (State.IMPLEMENTED, State.REPLACED),
            (State.DRAFT, State.WITHDRAWN),
        ],
    )
    def test_allowed_moves(self, current: State, target: State) -> None:
        """The happy path and the end states are reachable."""
        assert can_transition(current, target)

    @pytest.mark.parametrize(
        ("current", "target"),
        [
            (State.DRAFT, State.IMPLEMENTABLE),  # the seed's Plan jumped here; we do not
            (State.DRAFT, State.IMPLEMENTED),
            (State.PROVISIONAL, State.IMPLEMENTED),
            (State.IMPLEMENTED, State.DRAFT),
            (State.REJECTED, State.PROVISIONAL),
            (State.WITHDRAWN, State.DRAFT),
            (State.REPLACED, State.IMPLEMENTED),
        ],
    )
    def test_refused_moves(self, current: State, target: State) -> None:
        """Skipping approval or leaving an end state is not allowed."""
        assert not can_transition(current, target)

    def test_end_states_lead_nowhere(self) -> None:
        """Rejected, withdrawn and replaced KEPs stay as they are."""
        for state in (State.REJECTED, State.WITHDRAWN, State.REPLACED):
            assert TRANSITIONS[state] == frozenset()

    def test_parse_ignores_case_and_space(self) -> None:
        """Hand-written metadata says ' Implementable' too."""
        assert parse_state(" Implementable") is State.IMPLEMENTABLE

    def test_parse_names_the_bad_value_and_the_valid_ones(self) -> None:
        """An unknown state is refused with the list of valid states."""
        with pytest.raises(ValueError, match=r"unknown state 'pending'; valid states are: draft, "):
            parse_state("pending")

    @pytest.mark.parametrize(
        ("state", "said"),
        [
            (State.IMPLEMENTABLE, "an implementable"),
            (State.IMPLEMENTED, "an implemented"),
            (State.DRAFT, "a draft"),
            (State.PROVISIONAL, "a provisional"),
            ("Implementable", "an Implementable"),
            (None, "a stateless"),
        ],
    )
    def test_a_state_is_said_with_its_article(self, state: State | str | None, said: str) -> None:
        """Messages say "an implementable KEP", never "a implementable KEP"."""
        assert with_article(state) == said
