"""Metadata.from_mapping's fast path: the file's keys only, field order kept in errors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keps.errors import InvalidContentError
from keps.keps.layouts._seedyaml import _state
from keps.keps.layouts.seed import metadata_from_mapping
from keps.keps.metadata import unique
from keps.keps.states import State, parse_state
from tests.strategies import mutated_metadata, yaml_values


def _outcome(data: dict[str, Any], lines: dict[str, int]) -> object:
    """The metadata *data* gives, or its problems as (field, code, message, line)."""
    try:
        return metadata_from_mapping(data, path="m.yaml", lines=lines)
    except InvalidContentError as exc:
        return [(p.field, p.code, p.message, p.line) for p in exc.problems], str(exc)


@given(mutated_metadata())
def test_key_order_of_the_file_does_not_matter(data: dict[str, Any]) -> None:
    """The same keys in reverse order give the same metadata, or the same problems in order."""
    lines = {key: number for number, key in enumerate(data, start=1) if isinstance(key, str)}
    reverse = dict(reversed(list(data.items())))
    assert _outcome(data, lines) == _outcome(reverse, lines)


def test_problems_come_in_field_order() -> None:
    """Problems are listed in the order of the fields, not of the file's keys."""
    data = {"sig_wide": "yes", "state": "pending", "title": 3, "authors": 5}
    with pytest.raises(InvalidContentError) as caught:
        metadata_from_mapping(data, path="m.yaml")
    assert [p.field for p in caught.value.problems] == ["authors", "title", "state", "sig_wide"]


@given(
    st.sampled_from([s.value for s in State])
    | st.sampled_from([" draft", "DRAFT", "Provisional ", "pending", ""])
    | yaml_values
)
def test_state_converter_agrees_with_parse_state(value: object) -> None:
    """The exact-text shortcut gives parse_state's state, or its error."""
    try:
        expected: object = parse_state(value)
    except ValueError as exc:
        with pytest.raises(ValueError, match="unknown state") as caught:
            _state(value)
        assert str(caught.value) == str(exc)
    else:
        assert _state(value) is expected


@given(st.lists(st.sampled_from("abc")).map(tuple) | st.lists(st.sampled_from("abc")))
def test_unique(items: tuple[str, ...] | list[str]) -> None:
    """unique keeps first-seen order and always returns a tuple, whatever it was given."""
    result = unique(items)
    assert isinstance(result, tuple)
    assert result == tuple(dict.fromkeys(items))
