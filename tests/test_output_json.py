"""kepctl's JSON output is exactly what json.dumps(indent=2) writes, however it is built."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from keps.cli.output import render_records

SCALARS = st.one_of(st.text(), st.integers(), st.none(), st.booleans())
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=4),
    # shapes the fast path leaves to json.dumps: floats, nested lists and mappings
    st.floats(allow_nan=False),
    st.lists(st.lists(st.text(), max_size=2), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
RECORDS = st.lists(st.dictionaries(st.text(), VALUES, max_size=6), max_size=5)


def reference(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


@given(RECORDS)
def test_json_output_equals_json_dumps(records: list[dict[str, Any]]) -> None:
    """Any records, including control characters, quotes and non-ASCII text."""
    assert render_records(records, "json", ()) == reference(records)


def test_json_output_of_kep_records() -> None:
    """A record shaped like kepctl's: strings, numbers, null and lists of names."""
    records = [
        {
            "kep_number": 42,
            "title": 'A "quoted" title\twith ünïcode',
            "state": None,
            "authors": ["alice", "bob"],
            "reviewers": [],
        },
        {},
    ]
    text = render_records(records, "json", ())
    assert text == reference(records)
    assert json.loads(text) == records
