"""Bad arguments to the public functions of keps.filter and keps.validate: a keps error.

Each raises a KepError (InvalidArgumentError, or QuerySyntaxError for query text) that
is also a ValueError, so ``except ValueError`` keeps working, and whose message names
the bad value and says what would be valid. A bare ValueError, TypeError or
OverflowError from deep inside is what this guards against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

import keps.filter as kf
import keps.validate as kv
from keps.errors import KepError
from keps.keps.layouts import layout_named

#: (call, text the message must hold: the bad value, then what is valid)
CASES: dict[str, tuple[Callable[[], object], tuple[str, ...]]] = {
    # the three the issue found
    "state bogus": (lambda: kf.state("bogus"), ("'bogus'", "draft", "implementable")),
    "kep_number x": (lambda: kf.kep_number("x"), ("'x'", "whole number")),
    "validate level": (lambda: kv.validate(".", level="nope"), ("'nope'", "kepval", "lint")),
    # the sweep
    "unknown field": (lambda: kf.field_is("colour", "blue"), ("'colour'", "sig", "state")),
    "field is not text": (lambda: kf.field_is(3, "x"), ("3", "sig", "state")),  # type: ignore[arg-type]
    "no value": (lambda: kf.field_is("state"), ("state", "value")),
    "number of 4301 digits": (lambda: kf.kep_number("9" * 4301), ("'9999", "whole number")),
    "negative number": (lambda: kf.kep_number(-1), ("-1", "whole number")),
    "boolean number": (lambda: kf.kep_number(True), ("True", "whole number")),  # type: ignore[arg-type]
    "empty author": (lambda: kf.author(""), ("author", "empty")),
    "number as author": (lambda: kf.author(5), ("5", "text")),  # type: ignore[arg-type]
    "bad milestone": (lambda: kf.field_is("milestone", "soon"), ("'soon'", "milestone")),
    "bad date": (lambda: kf.created_between("2019-02-30"), ("'2019-02-30'", "date")),
    "last day there is": (lambda: kf.field_is("created", "9999-12-31"), ("9999-12-31", "created")),
    "last instant there is": (
        lambda: kf.field_is("updated", dt.datetime.max.replace(tzinfo=dt.UTC)),
        ("9999", "updated"),
    ),
    "order on a name": (lambda: kf.between("sig", "a"), ("sig", ">=")),
    "text number bound": (lambda: kf.number_between("ten"), ("'ten'", "whole number")),
    "Match on an unknown field": (lambda: kf.Match("colour", ["x"]), ("'colour'", "sig")),
    "Contains on an unknown field": (lambda: kf.Contains("colour", ["x"]), ("'colour'", "sig")),
    "Range on a name": (lambda: kf.Range("sig", "a"), ("sig", ">=")),
    "Range with a text bound": (lambda: kf.Range("number", "ten"), ("'ten'", "int")),
    "all_of a number": (lambda: kf.all_of(kf.state("draft"), 5), ("5", "criterion")),  # type: ignore[arg-type]
    "not_ a string": (lambda: kf.not_("state:draft"), ("'state:draft'", "criterion")),  # type: ignore[arg-type]
    "select with a number": (lambda: kf.select([], 5), ("5", "criterion")),  # type: ignore[arg-type]
    "sort by a number": (lambda: kf.select([], sort_by=5), ("5", "kep_number")),  # type: ignore[arg-type]
    "query is not text": (lambda: kf.parse_query(5), ("5", "sig:sig-node")),  # type: ignore[arg-type]
    "query past the last day": (lambda: kf.parse_query("updated>9999-12-31"), ("updated",)),
    "level None": (lambda: kv.validate(".", level=None), ("None", "kepval", "lint")),  # type: ignore[arg-type]
    "layout name": (lambda: layout_named("flat"), ("'flat'", "seed", "enhancements")),
    "layout not text": (lambda: layout_named(None), ("None", "seed", "enhancements")),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_argument_is_a_keps_error_naming_it(case: str, tmp_path: Path) -> None:
    """The error is a KepError and a ValueError; its message names the value and the valid ones."""
    call, expected = CASES[case]
    with pytest.raises(KepError) as caught:
        call()
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    for text in expected:
        assert text in message, message


def test_good_arguments_still_select(tmp_path: Path) -> None:
    """The same functions with good values build criteria that select as before."""

    class Item:
        kep_number = 7
        state = kf.state("draft").values[0]  # type: ignore[attr-defined]
        created = dt.datetime(2019, 1, 2, tzinfo=dt.UTC)
        authors = ("@alice",)

    item = Item()
    assert kf.kep_number("7", 8)(item)
    assert kf.number_between(1, 10**9 + 1)(item)
    assert kf.state("DRAFT")(item)
    assert kf.created_between("2019-01-02", "2019-01-03")(item)
    assert kf.all_of(kf.author("alice"), kf.not_(kf.state("implemented")))(item)
    assert kf.select([item], kf.parse_query("number:7 author:@alice")) == [item]


@pytest.mark.parametrize(
    "call",
    [
        lambda: kf.kep_number(10**5000),
        lambda: kf.all_of(10**5000),  # type: ignore[arg-type]
        lambda: kf.select([], sort_by=10**5000),  # type: ignore[arg-type]
    ],
    ids=["number", "criterion", "sort_by"],
)
def test_a_value_too_long_to_print_still_gets_its_keps_error(call: Callable[[], object]) -> None:
    """An int Python refuses to print (over 4300 digits) cannot break the error message."""
    with pytest.raises(KepError, match="too long to show"):
        call()
