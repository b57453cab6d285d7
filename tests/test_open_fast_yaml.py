"""load_simple, the flat-YAML fast path, reads a document exactly as the safe loader does.

It may give up (None) on anything, but whatever it returns must equal what the strict
safe loader makes of the same text: the same values of the same types, and the same
line for each key. Hostile and near-miss scalars are mixed into flat documents here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from keps._yaml import _load_full, load_simple
from keps.errors import InvalidContentError

#: One-line scalars close to what load_simple accepts, on either side of the line.
TRICKY = (
    "", " ", "~", "null", "Null", "NULL", "nUll", "yes", "Yes", "YES", "yEs", "y", "Y", "n",
    "N", "on", "off", "On", "OFF", "true", "True", "TRUE", "tRue", "false", "no", "0", "00",
    "007", "012", "0o12", "0x1F", "0b11", "1_000", "-1", "+1", "1.5", "1e3", "1.0", ".inf",
    ".NaN", "1:20", "190:20:30", "2018-09-07", "2018-9-7", "2018-09-07T03:45:13Z",
    "2018-09-07T03:45:13.476773Z", "2018-09-07T03:45:13.4767731Z", "2018-09-07T03:45:13.4Z",
    "2018-02-30T00:00:00Z", "2018-13-01T00:00:00Z", "2018-09-07 03:45:13Z",
    "2018-09-07t03:45:13z", "2018-09-07T03:45:13+01:00", "2018-09-07T24:00:00Z",
    "2018-09-07T23:59:60Z", "2018-09-07T03:45:13", "0000-01-01T00:00:00Z",
    "d8751f2d-1fec-4974-9144-2c476f61abdf", "D8751F2D-1FEC-4974-9144-2C476F61ABDF",
    "12345678-1234-1234-1234-123456789012", "12345678-1234-1234-1234-1234567890123",
    '"quoted"', '""', '"with \\" escape"', '"a\\nb"', '"a #b"', '"é"', "'single'", "it's",
    "a 'b'", "sig-node", "summary.md", "guides/developer.md", "a: b", "a:b", "a:", "a #b",
    "a#b", "- x", "-x", "[a]", "{a: b}", "a, b", "a,b", "@x", "`x", "%x", "!x", "!!str x",
    "&a x", "*a", "|", ">", "? x", "?x", "a b ", " a", "a  b", "Ünïcode", "aé", "a=b", "=",
    "<<", "x\u2028y", "a\x85b", "a\u2029b", "a\tb", "v1.30", "TBD", "_x", ".md", "x.", "e",
    "E", "1e", "0.", ".5", "+", "-", "12345678901234567890", "a\\b", "x(y)", "a+b",
    "Dynamic Kubelet Config", "a ", "a - b", "a -b", "a:  b",
)  # fmt: skip

KEYS = (
    "authors", "title", "kep_number", "a", "_x", "x1", "yes", "no", "null", "on", "y", "n",
    "Key", "key-dash", "1a", "k", "Null", "TRUE", "é", "a b", "<<", "?", "a.b",
)  # fmt: skip

_ALPHABET = "aZy0189 -_.:/#'\"\\@()+=!&*[]{},?|>%`~\té\u2028\x85\r"

#: Scalars load_simple is meant to read: words, whole numbers, UTC times, quoted text.
GOOD = st.one_of(
    st.from_regex(r"[A-Za-z][A-Za-z0-9 ._/@()+'=-]{0,12}", fullmatch=True),
    st.integers(min_value=0, max_value=10**20).map(str),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)).map(
        lambda d: (
            f"{d.year:04d}{d:-%m-%dT%H:%M:%S}" + f".{d.microsecond:06d}"[: d.microsecond % 8] + "Z"
        )
    ),
    st.uuids().map(str),
    st.from_regex(r'"[ !#-\[\]-~]{0,10}"', fullmatch=True),
)
NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)


@st.composite
def _scalar(draw: st.DrawFn) -> str:
    """Mostly a scalar load_simple reads; sometimes a near miss or random text."""
    pick = draw(st.integers(min_value=0, max_value=9))
    if pick < 8:
        return draw(GOOD)
    if pick < 9:
        return draw(st.sampled_from(TRICKY))
    return draw(st.text(alphabet=_ALPHABET, max_size=12))


@st.composite
def _key(draw: st.DrawFn) -> str:
    """Mostly a plain name; sometimes a keyword, a near miss or random text."""
    pick = draw(st.integers(min_value=0, max_value=9))
    if pick < 7:
        return draw(NAMES)
    if pick < 9:
        return draw(st.sampled_from(KEYS))
    return draw(st.text(alphabet=_ALPHABET, min_size=1, max_size=6))


@st.composite
def flat_documents(draw: st.DrawFn) -> str:
    """A document of ``key: scalar`` and ``key:`` + ``- item`` blocks, with a little noise."""
    noisy = draw(st.integers(min_value=0, max_value=3)) == 0
    lines: list[str] = []
    if noisy and draw(st.booleans()):
        lines.append(draw(st.sampled_from(["---", "", "# comment", " ", "%YAML 1.1\n---"])))
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        key = draw(_key())
        if draw(st.booleans()):
            lines.append(f"{key}: {draw(_scalar())}")
            continue
        lines.append(f"{key}:" if not noisy else draw(st.sampled_from([f"{key}:", f"{key}: "])))
        indent = draw(st.sampled_from([0, 0, 2, 1, 4]))
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            width = draw(st.sampled_from([indent, indent, 0, 2, 3])) if noisy else indent
            lines.append(f"{' ' * width}- {draw(_scalar())}")
        if noisy and draw(st.integers(min_value=0, max_value=3)) == 0:
            lines.append(draw(st.sampled_from(["", " ", "  x: y", "...", "- ", "-"])))
    end = draw(st.sampled_from(["\n", "", "\n\n", "\n...\n"])) if noisy else "\n"
    return "\n".join(lines) + end


def _typed(value: Any) -> Any:
    """*value* with the type of every part spelled out, so True != 1 and aware != naive."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    if isinstance(value, dt.datetime):
        return ("datetime", repr(value), value.utcoffset())
    return (type(value).__name__, repr(value))


def assert_agrees(text: str) -> None:
    """load_simple gives up on *text*, or reads it exactly as the full loader does."""
    simple = load_simple(text)
    if simple is None:
        return
    try:
        full = _load_full(text, path="doc.yaml")
    except InvalidContentError as exc:  # pragma: no cover - the failure being looked for
        pytest.fail(f"load_simple read {text!r}, which the safe loader refuses: {exc}")
    assert _typed(simple.data) == _typed(full.data), text
    assert simple.lines == full.lines, text


@pytest.mark.parametrize("value", TRICKY)
def test_each_tricky_scalar_as_a_value_and_an_item(value: str) -> None:
    """Every near-miss scalar is read right (or refused) as a value and as list items."""
    assert_agrees(f"title: {value}\n")
    assert_agrees(f"authors:\n- {value}\n- x\n")
    assert_agrees(f"authors:\n  - x\n  - {value}\nstate: draft\n")


@pytest.mark.parametrize("key", KEYS)
def test_each_key(key: str) -> None:
    """Keys that are YAML keywords, or not plain names, are read right or refused."""
    assert_agrees(f"{key}: x\n")
    assert_agrees(f"{key}:\n- x\n")
    assert_agrees(f"a: 1\n{key}: 2\n")


@pytest.mark.parametrize(
    "text",
    [
        "title: A\ntitle: B\n",  # a duplicate key
        "authors:\n- a\n  - b\n",  # items at two columns
        "authors:\n  - a\n- b\n",
        "authors:\n- a\ntitle: T\n- b\n",  # an item after a scalar key
        "- a\n- b\n",  # a top-level list
        "title: T\n  more\n",  # a continuation line
        "a:\nb:\n",  # keys with nothing under them are null
        "a:\n\n- x\n",  # a blank line inside a list
        "\n\ntitle: T\n\n",
        "title: T",  # no final newline
        "title: T\r\n",
        "",
        "\n",
    ],
)
def test_shapes(text: str) -> None:
    """Document shapes at the edge of "flat" are read right or refused."""
    assert_agrees(text)


def test_generated_metadata_takes_the_fast_path() -> None:
    """The shape the seed and the generator write is read by load_simple (no fallback)."""
    text = (
        "authors:\n- lubex62\n- tenvel55\ntitle: Add Server-Side Custom Resources\n"
        "kep_number: 7100\nreviewers:\n- toraritor18\nstate: implementable\n"
        "last_updated: 2018-11-04T17:24:47.266201Z\ncreated: 2018-09-14T02:22:39Z\n"
        "uuid: d8751f2d-1fec-4974-9144-2c476f61abdf\nsections:\n- summary.md\n"
        "- guides/developer.md\n- README.md\nowning_sig: sig-api-machinery\n"
        'kubernetes_wide: false\nsig_wide: true\nlatest_milestone: "v1.30"\n'
    )
    simple = load_simple(text)
    assert simple is not None
    assert simple.data["created"] == dt.datetime(2018, 9, 14, 2, 22, 39, tzinfo=dt.UTC)
    assert simple.data["sig_wide"] is True
    assert simple.data["latest_milestone"] == "v1.30"
    assert_agrees(text)


@given(flat_documents())
@example("title: 2018-09-07T03:45:13.1Z\n")
@example("a: yes\nb:\n  - on\n  - 0\n")
def test_flat_documents_agree(text: str) -> None:
    """Generated near-flat documents: load_simple agrees with the safe loader or gives up."""
    assert_agrees(text)


@given(st.text(alphabet=_ALPHABET + "\n", max_size=60))
def test_any_text_agrees(text: str) -> None:
    """Arbitrary short text: load_simple agrees with the safe loader or gives up."""
    assert_agrees(text)
