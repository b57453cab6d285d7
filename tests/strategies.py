"""Hypothesis strategies for hostile input: metadata mappings, YAML text, bytes, Markdown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from keps.keps.layouts.seed import KEY_ORDER

#: Any value YAML can hold, nested a little.
yaml_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.datetimes(timezones=st.just(dt.UTC)),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

_VALID: dict[str, Any] = {
    "authors": ["alice"],
    "title": "A Title",
    "state": "provisional",
    "created": dt.datetime(2019, 1, 2, tzinfo=dt.UTC),
    "last_updated": dt.datetime(2019, 1, 3, tzinfo=dt.UTC),
    "uuid": "016db929-7658-4acf-aebb-2df0a66df425",
    "sections": ["summary.md", "README.md"],
    "owning_sig": "sig-node",
    "reviewers": ["rita"],
    "approvers": ["arnold"],
}


@st.composite
def mutated_metadata(draw: st.DrawFn) -> dict[str, Any]:
    """A valid metadata mapping with some fields replaced by values of any type."""
    data = dict(_VALID)
    for key in draw(st.lists(st.sampled_from(KEY_ORDER), max_size=5, unique=True)):
        data[key] = draw(yaml_values)
    if draw(st.booleans()):
        data[draw(st.text(max_size=10))] = draw(yaml_values)
    return data


#: YAML-ish text: fragments of real YAML syntax glued together, plus random text.
yaml_text: st.SearchStrategy[str] = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            [
                "title: x\n",
                "authors:\n- a\n",
                "state: draft\n",
                "&a ",
                "*a ",
                "[",
                "]",
                "{",
                "}",
                ": ",
                "- ",
                "? ",
                "!!python/object:os.system ",
                "!!binary ",
                "---\n",
                "...\n",
                "'",
                '"',
                "\t",
                "\n",
                "  ",
                "#",
                "|",
                ">",
                "%YAML 1.1\n",
                "<<: *a\n",
                "kep_number: 5\n",
                "sections: [../x]\n",
                "\x00",
                "\ufeff",
                "é",
            ]
        ),
        max_size=40,
    ).map("".join),
)

#: Markdown with headings, links, front matter fences and odd characters.
markdown: st.SearchStrategy[str] = st.lists(
    st.sampled_from(["# H\n", "## Summary\n", "text ", "[l](../x)\n", "---\n", "\x00", "\r\n", "é"])
    | st.text(max_size=20),
    max_size=20,
).map("".join)
