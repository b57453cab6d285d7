"""keps.filter: every criterion, composition, sorting, the query language and its errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

import keps
import keps.filter as kf
import keps.index
from keps.errors import InvalidArgumentError, QuerySyntaxError
from keps.filter.fields import lookup, shown
from keps.index import Entry
from keps.keps import State
from tests.kep_factory import gen_tree


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


A = Entry(
    uuid="a",
    kep_number=1,
    title="Pod Priority and Preemption",
    state=State.IMPLEMENTABLE,
    owning_sig="sig-node",
    participating_sigs=("sig-apps",),
    affected_subprojects=("kubelet",),
    authors=("@JDoe",),
    approvers=("alice",),
    reviewers=("bob",),
    development_themes=("stability",),
    created=utc(2018, 5, 1),
    last_updated=utc(2019, 1, 1),
    location="sig-node/kubelet/pod-priority",
)
B = Entry(
    uuid="b",
    kep_number=2,
    title="Workloads API, v2",
    state=State.IMPLEMENTED,
    owning_sig="sig-apps",
    participating_sigs=("sig-node",),
    affected_subprojects=("workloads-api",),
    authors=("alice",),
    approvers=("jdoe",),
    reviewers=("carol",),
    development_themes=("security", "usability"),
    created=utc(2018, 6, 15, 12),
    last_updated=dt.datetime(2018, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
    location="sig-apps/workloads-api/workloads",
)
C = Entry(
    uuid="c",
    title="pod overhead",
    state=State.DRAFT,
    owning_sig="sig-node",
    authors=("carol",),
    editors=("Ed",),
    created=utc(2019, 3, 1),
    last_updated=utc(2019, 3, 2),
    location="sig-node/sig-wide/pod-overhead",
)
D = Entry(
    uuid="d",
    kep_number=10,
    title="Ingress v2",
    state=State.WITHDRAWN,
    owning_sig="sig-network",
    authors=("dave",),
    location="sig-network/ingress/ingress-v2",
)
ALL = [A, B, C, D]


def chosen(criterion: kf.Criterion | None) -> list[str]:
    """The uuids *criterion* selects from ALL, in the default (number) order."""
    return [e.uuid for e in kf.select(ALL, criterion)]


class TestCriteria:
    @pytest.mark.parametrize(
        ("criterion", "expected"),
        [
            (lambda: kf.owning_sig("SIG-Node"), ["a", "c"]),
            (lambda: kf.owning_sig("sig-apps", "sig-network"), ["b", "d"]),
            (lambda: kf.participating_sig("sig-node"), ["b"]),
            (lambda: kf.subproject("Kubelet"), ["a"]),
            (lambda: kf.state("implementable", State.IMPLEMENTED), ["a", "b"]),
            (lambda: kf.state(" Draft "), ["c"]),
            (lambda: kf.author("jdoe"), ["a"]),  # the entry says "@JDoe"
            (lambda: kf.author("@ALICE"), ["b"]),
            (lambda: kf.approver("@jdoe"), ["b"]),
            (lambda: kf.reviewer("carol"), ["b"]),
            (lambda: kf.editor("ed"), ["c"]),
            (lambda: kf.theme("Usability"), ["b"]),
            (lambda: kf.kep_number(2, "10"), ["b", "d"]),
            (lambda: kf.number_between(2, 10), ["b"]),
            (lambda: kf.number_between(start=2), ["b", "d"]),
            (lambda: kf.created_between(dt.date(2018, 6, 1), dt.date(2019, 3, 1)), ["b"]),
            (lambda: kf.created_between(stop="2018-06-15T12:00:00Z"), ["a"]),
            (lambda: kf.updated_between(start=dt.date(2019, 1, 1)), ["a", "c"]),
            (lambda: kf.updated_between(stop=utc(2019, 1, 1)), ["b"]),
            (lambda: kf.title_contains("POD"), ["a", "c"]),
            (lambda: kf.title_contains("api, v2"), ["b"]),
            (lambda: kf.field_is("created", dt.date(2018, 6, 15)), ["b"]),  # that whole day
            (lambda: kf.field_is("created", "2018-06-15"), ["b"]),
            (lambda: kf.field_is("updated", utc(2019, 1, 1)), ["a"]),  # that instant
            (lambda: kf.field_is("updated", utc(2019, 1, 1), utc(2019, 3, 2)), ["a", "c"]),
        ],
    )
    def test_each_criterion(
        self, criterion: Callable[[], kf.Criterion], expected: list[str]
    ) -> None:
        """Each field selects what it names; handles ignore '@' and case, text ignores case."""
        assert chosen(criterion()) == expected

    def test_missing_values_never_match_a_range(self) -> None:
        """A KEP without a number or a time is outside every range, and inside its negation."""
        assert "c" not in chosen(kf.number_between(0))
        assert "d" not in chosen(kf.created_between(start="2000-01-01"))
        assert "d" in chosen(~kf.created_between(start="2000-01-01"))

    def test_unknown_state_lists_the_valid_ones(self) -> None:
        """A state that does not exist is refused with the list of states."""
        with pytest.raises(ValueError, match="valid states are: draft, provisional"):
            kf.state("done")

    def test_works_on_kep_objects(self, tmp_path: Path) -> None:
        """A Kep has the Entry attribute names, so criteria and select take Keps too."""
        one = keps.new("sig-node/kubelet/one", content_root=tmp_path, authors=["@jdoe"])
        two = keps.new("sig-apps/sig-wide/two", content_root=tmp_path, authors=["bob"])
        assert kf.select([two, one], kf.author("JDOE")) == [one]
        assert kf.select([two, one], kf.owning_sig("sig-apps")) == [two]
        assert kf.select([one, two], sort_by="title") == [one, two]


class TestComposition:
    def test_all_any_not(self) -> None:
        """all_of, any_of and not_ compose like and, or and not."""
        node = kf.owning_sig("sig-node")
        done = kf.state("implemented", "withdrawn")
        assert chosen(kf.all_of(node, kf.title_contains("pod"))) == ["a", "c"]
        assert chosen(kf.any_of(node, done)) == ["a", "b", "d", "c"]
        assert chosen(kf.not_(node)) == ["b", "d"]
        assert chosen(kf.all_of(kf.any_of(node, done), kf.not_(kf.state("draft")))) == [
            "a",
            "b",
            "d",
        ]

    def test_operators_equal_the_functions(self) -> None:
        """a & b, a | b and ~a build the same values as all_of, any_of and not_."""
        a, b, c = kf.owning_sig("sig-node"), kf.author("bob"), kf.theme("security")
        assert a & b & c == kf.all_of(a, b, c) == kf.All((a, b, c))
        assert a | b | c == kf.any_of(a, b, c) == kf.Any((a, b, c))
        assert ~a == kf.not_(a) == kf.Not(a)
        assert ~~a == a

    def test_empty_compositions(self) -> None:
        """No criteria: All selects everything, Any nothing."""
        assert chosen(kf.All(())) == ["a", "b", "d", "c"]
        assert chosen(kf.Any(())) == []


class TestSelect:
    def test_default_order_is_by_number_with_missing_last(self) -> None:
        """By default results sort by KEP number; a KEP without one comes last."""
        assert chosen(None) == ["a", "b", "d", "c"]

    def test_reverse_keeps_missing_values_last(self) -> None:
        """Reversing the order still leaves KEPs without a value at the end."""
        assert [e.uuid for e in kf.select(ALL, reverse=True)] == ["d", "b", "a", "c"]
        by_created = kf.select(ALL, sort_by="created", reverse=True)
        assert [e.uuid for e in by_created] == ["c", "b", "a", "d"]

    @pytest.mark.parametrize(
        ("sort_by", "expected"),
        [
            ("title", ["d", "c", "a", "b"]),  # Ingress, pod overhead, Pod Priority, Workloads
            ("updated", ["b", "a", "c", "d"]),
            ("last_updated", ["b", "a", "c", "d"]),
            ("state", ["c", "a", "b", "d"]),  # lifecycle order: draft first
            ("sig", ["b", "d", "a", "c"]),  # stable within one SIG
            ("author", ["b", "c", "d", "a"]),  # "@JDoe" sorts as "jdoe"
            ("location", ["b", "d", "a", "c"]),  # any attribute of the entries
        ],
    )
    def test_sort_by_any_field(self, sort_by: str, expected: list[str]) -> None:
        """Any field (by its query name or attribute) orders the result, text without case."""
        assert [e.uuid for e in kf.select(ALL, sort_by=sort_by)] == expected

    def test_unknown_sort_field(self) -> None:
        """Sorting by a name that is neither a field nor an attribute is a QuerySyntaxError."""
        with pytest.raises(QuerySyntaxError, match="cannot sort by 'colour'"):
            kf.select(ALL, sort_by="colour")


class TestQuery:
    @pytest.mark.parametrize(
        ("query", "compose"),
        [
            (
                "sig:sig-node state:implementable,implemented author:@jdoe updated>=2019-01-01",
                lambda: kf.all_of(
                    kf.owning_sig("sig-node"),
                    kf.state("implementable", "implemented"),
                    kf.author("jdoe"),
                    kf.updated_between(start=dt.date(2019, 1, 1)),
                ),
            ),
            ("owning-sig:SIG-NODE", lambda: kf.owning_sig("sig-node")),
            ("participating:sig-node", lambda: kf.participating_sig("sig-node")),
            ("subproject:kubelet", lambda: kf.subproject("kubelet")),
            ("approver:alice reviewer:bob", lambda: kf.approver("alice") & kf.reviewer("bob")),
            ("theme:stability,security", lambda: kf.theme("stability", "security")),
            ("number:1,10", lambda: kf.kep_number(1, 10)),
            ("number>=2", lambda: kf.number_between(2)),
            ("number>2", lambda: kf.number_between(3)),
            ("number<=2", lambda: kf.number_between(stop=3)),
            ("number<2", lambda: kf.number_between(stop=2)),
            ("kep=2", lambda: kf.kep_number(2)),
            ("created>2018-06-15", lambda: kf.created_between(start=dt.date(2018, 6, 16))),
            ("created<=2018-06-15", lambda: kf.created_between(stop=dt.date(2018, 6, 16))),
            ("created<2018-06-15", lambda: kf.created_between(stop=dt.date(2018, 6, 15))),
            (
                "created:2018-06-15",
                lambda: kf.created_between(dt.date(2018, 6, 15), dt.date(2018, 6, 16)),
            ),
            (
                "updated>=2018-12-31T23:59:59.999999Z",
                lambda: kf.updated_between(
                    start=dt.datetime(2018, 12, 31, 23, 59, 59, 999999, dt.UTC)
                ),
            ),
            ('title:"pod priority"', lambda: kf.title_contains("pod priority")),
            ('title:"api, v2",ingress', lambda: kf.title_contains("api, v2", "ingress")),
            ("-state:draft", lambda: ~kf.state("draft")),
            (
                "sig:sig-node -title:overhead",
                lambda: kf.owning_sig("sig-node") & ~kf.title_contains("overhead"),
            ),
            ("", lambda: kf.All(())),
            ("   ", lambda: kf.All(())),
        ],
    )
    def test_query_equals_composed_criteria(
        self, query: str, compose: Callable[[], kf.Criterion]
    ) -> None:
        """A query parses to the same value as the criteria composed by hand, and selects alike."""
        composed = compose()
        parsed = kf.parse_query(query)
        assert parsed == composed
        assert chosen(parsed) == chosen(composed)

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("created:2018-06-15", ["b"]),
            ("created>2018-06-15", ["c"]),
            ("created<=2018-06-15", ["a", "b"]),
            ("updated>2018-12-31", ["a", "c"]),
            ("updated<2019-01-01", ["b"]),
            ("updated=2019-01-01T00:00:00Z", ["a"]),
            ('title:"pod priority"', ["a"]),
            ("author:JDOE,carol", ["a", "c"]),
            ("-state:draft -state:withdrawn", ["a", "b"]),
        ],
    )
    def test_query_selections(self, query: str, expected: list[str]) -> None:
        """Dates mean whole days, quotes keep spaces, commas mean any of, '-' negates."""
        assert chosen(kf.parse_query(query)) == expected

    def test_query_over_a_real_index(self, shared: Path, tmp_path: Path) -> None:
        """Over a generated tree, a query and its composed criteria pick the same KEPs."""
        root = gen_tree(shared, tmp_path / "content", 60)
        index = keps.index.rebuild(root)
        query = "state:implementable,implemented -sig:sig-node number<=40 created>=2018-03-01"
        composed = (
            kf.state(State.IMPLEMENTABLE, State.IMPLEMENTED)
            & ~kf.owning_sig("sig-node")
            & kf.number_between(stop=41)
            & kf.created_between(start="2018-03-01")
        )
        picked = kf.select(index, kf.parse_query(query))
        assert picked == kf.select(index, composed)
        assert picked  # the generated tree has such KEPs
        assert all(e.state in (State.IMPLEMENTABLE, State.IMPLEMENTED) for e in picked)
        assert all(e.owning_sig != "sig-node" for e in picked)
        assert [e.kep_number for e in picked] == sorted(e.kep_number or 0 for e in picked)


def _at(name: str, when: dt.datetime) -> Entry:
    return Entry(uuid=name, title=name, created=when, last_updated=when, location=f"x/{name}")


#: KEPs around 2019-01-02T10:00:00Z, one microsecond and one second either side.
INSTANTS = [
    _at("second-before", utc(2019, 1, 2, 9, 59, 59)),
    _at("micro-before", dt.datetime(2019, 1, 2, 9, 59, 59, 999999, dt.UTC)),
    _at("at", utc(2019, 1, 2, 10)),
    _at("micro-after", dt.datetime(2019, 1, 2, 10, 0, 0, 1, dt.UTC)),
    _at("second-after", utc(2019, 1, 2, 10, 0, 1)),
]

#: KEPs around the day 2019-01-02: the last microsecond before it, its first and last
#: microsecond, and the first microsecond after it.
DAYS = [
    _at("day-before", dt.datetime(2019, 1, 1, 23, 59, 59, 999999, dt.UTC)),
    _at("day-start", utc(2019, 1, 2)),
    _at("day-end", dt.datetime(2019, 1, 2, 23, 59, 59, 999999, dt.UTC)),
    _at("day-after", utc(2019, 1, 3)),
]


class TestTimeBoundaries:
    """Ranges over times are exact to the microsecond; a date covers its whole day."""

    @pytest.mark.parametrize("field", ["updated", "created"])
    @pytest.mark.parametrize(
        "instant", ["2019-01-02T10:00:00Z", "2019-01-02t10:00:00z", "2019-01-02T10:00:00+00:00"]
    )
    @pytest.mark.parametrize(
        ("op", "expected"),
        [
            (">", ["micro-after", "second-after"]),
            (">=", ["at", "micro-after", "second-after"]),
            ("<", ["second-before", "micro-before"]),
            ("<=", ["second-before", "micro-before", "at"]),
            (":", ["at"]),
            ("=", ["at"]),
        ],
    )
    def test_a_time_is_one_instant(
        self, field: str, instant: str, op: str, expected: list[str]
    ) -> None:
        """updated>T10:00:00Z starts one microsecond later; a lower-case t is still a time."""
        criterion = kf.parse_query(f"{field}{op}{instant}")
        assert [e.uuid for e in kf.select(INSTANTS, criterion, sort_by="updated")] == expected
        assert [e.uuid for e in INSTANTS if criterion.matches(e)] == expected

    @pytest.mark.parametrize("field", ["updated", "created"])
    @pytest.mark.parametrize(
        ("op", "expected"),
        [
            (">", ["day-after"]),
            (">=", ["day-start", "day-end", "day-after"]),
            ("<", ["day-before"]),
            ("<=", ["day-before", "day-start", "day-end"]),
            (":", ["day-start", "day-end"]),
        ],
    )
    def test_a_date_is_the_whole_day(self, field: str, op: str, expected: list[str]) -> None:
        """updated>2019-01-02 starts at 2019-01-03T00:00; updated<=2019-01-02 ends there."""
        criterion = kf.parse_query(f"{field}{op}2019-01-02")
        assert [e.uuid for e in kf.select(DAYS, criterion, sort_by="updated")] == expected
        assert [e.uuid for e in DAYS if criterion.matches(e)] == expected

    def test_a_date_object_is_the_whole_day(self) -> None:
        """field_is with a date (not a datetime) takes that day and not the next."""
        criterion = kf.field_is("updated", dt.date(2019, 1, 2))
        assert [e.uuid for e in kf.select(DAYS, criterion, sort_by="updated")] == [
            "day-start",
            "day-end",
        ]

    def test_a_time_at_midnight_is_not_a_day(self) -> None:
        """updated:2019-01-02T00:00:00Z is that instant, not the day that starts there."""
        criterion = kf.parse_query("updated:2019-01-02t00:00:00z")
        assert [e.uuid for e in kf.select(DAYS, criterion)] == ["day-start"]
        after = kf.parse_query("updated>2019-01-02t00:00:00z")
        assert [e.uuid for e in kf.select(DAYS, after, sort_by="updated")] == [
            "day-end",
            "day-after",
        ]


class TestSelectDetails:
    def test_handles_sort_without_at_sign_and_other_text_with_it(self) -> None:
        """Sorting by author ignores a leading '@'; sorting by title does not."""
        at = Entry(uuid="at", title="@zeta", authors=("@zed",), location="x/at")
        plain = Entry(uuid="plain", title="alpha", authors=("bob",), location="x/plain")
        assert [e.uuid for e in kf.select([at, plain], sort_by="title")] == ["at", "plain"]
        assert [e.uuid for e in kf.select([at, plain], sort_by="author")] == ["plain", "at"]

    def test_empty_text_and_missing_attributes_come_last(self) -> None:
        """A KEP with an empty title, or an object without the attribute, sorts after the rest."""
        empty = Entry(uuid="empty", title="", location="x/empty")
        bare = SimpleNamespace(uuid="bare")
        items = [empty, bare, *ALL]
        assert [e.uuid for e in kf.select(items, sort_by="title")][-2:] == ["empty", "bare"]
        assert kf.select(items, kf.owning_sig("sig-apps")) == [B]

    def test_naive_and_aware_times_sort_together(self) -> None:
        """A time without a zone counts as UTC beside one with it."""
        naive = SimpleNamespace(kep_number=1, created=dt.datetime(2019, 1, 2))
        aware = SimpleNamespace(kep_number=2, created=utc(2019, 1, 1, 12))
        assert kf.select([naive, aware], sort_by="created") == [aware, naive]

    def test_a_plain_function_is_a_criterion(self) -> None:
        """select takes any function of an entry as well as a criterion."""
        assert kf.select(ALL, lambda e: e.kep_number == 10) == [D]

    def test_argument_errors_name_the_argument(self) -> None:
        """A sort_by that is not text, or a criterion that is neither a function nor a query,
        names the argument (a query string is parsed as kepctl query parses it)."""
        with pytest.raises(InvalidArgumentError) as sort_error:
            kf.select(ALL, sort_by=5)  # type: ignore[arg-type]
        assert (sort_error.value.argument, sort_error.value.value) == ("sort_by", 5)
        with pytest.raises(InvalidArgumentError) as criterion_error:
            kf.select(ALL, 42)  # type: ignore[arg-type]
        assert (criterion_error.value.argument, criterion_error.value.value) == ("criterion", 42)
        assert kf.select(ALL, "sig:sig-node") == kf.select(ALL, kf.parse_query("sig:sig-node"))

    def test_private_attributes_are_no_sort_field(self) -> None:
        """An attribute every object has, but whose name starts with '_', is refused."""
        with pytest.raises(QuerySyntaxError, match="cannot sort by '__doc__'"):
            kf.select(ALL, sort_by="__doc__")

    def test_an_unknown_sort_field_points_at_itself(self) -> None:
        """The QuerySyntaxError for a bad sort_by holds it as query and term, at position 0."""
        with pytest.raises(QuerySyntaxError) as info:
            kf.select(ALL, sort_by="colour")
        assert (info.value.query, info.value.term, info.value.position) == ("colour", "colour", 0)


class TestQueryErrors:
    @pytest.mark.parametrize(
        ("query", "message", "term", "position"),
        [
            (
                "sig:sig-node colour:red",
                "unknown field 'colour'; known fields: sig,",
                "colour:red",
                13,
            ),
            ("sg:sig-node", "did you mean 'sig'?", "sg:sig-node", 0),
            (
                "state:done",
                "unknown state 'done'; valid states are: draft, provisional",
                "state:done",
                0,
            ),
            ("sig:a  updated>=2019-13-01", "'2019-13-01' is not a date", "updated>=2019-13-01", 7),
            ("created:yesterday", "'yesterday' is not a date (YYYY-MM-DD)", "created:yesterday", 0),
            ("number>=x1", "'x1' is not a KEP number", "number>=x1", 0),
            ("number:3,", "empty value in 'number:3,'", "number:3,", 0),
            ("sig:", "empty value in 'sig:'", "sig:", 0),
            ('title:""', "empty value", 'title:""', 0),
            ('sig:a title:"pod priority', "unclosed quote", 'title:"pod priority', 6),
            (
                "sig:a pod",
                "cannot read 'pod': write FIELD:VALUE (or FIELD>=VALUE), "
                "e.g. sig:sig-node or updated>=2019-01-01",
                "pod",
                6,
            ),
            (
                "sig:a - state:draft",
                "a lone '-' must be followed by a term to negate, e.g. -state:withdrawn",
                "-",
                6,
            ),
            (
                "updated>9999-12-31",
                "updated: 'updated>9999-12-31' reaches past the end of time (year 9999)",
                "updated>9999-12-31",
                0,
            ),
            (
                "updated>=2019-13-01",
                "updated: '2019-13-01' is not a date (YYYY-MM-DD) or an RFC 3339 time",
                "updated>=2019-13-01",
                0,
            ),
            ("title>pod", "> needs a number or a time", "title>pod", 0),
            ("number>=1,2", "compares with one value", "number>=1,2", 0),
        ],
    )
    def test_malformed_query(self, query: str, message: str, term: str, position: int) -> None:
        """A bad query names what is wrong and points at the term at fault."""
        with pytest.raises(QuerySyntaxError) as info:
            kf.parse_query(query)
        error = info.value
        assert message in error.message
        assert error.term == term
        assert error.position == position
        assert error.query == query
        # the rendered error shows the query with a caret under the bad term
        assert str(error).splitlines()[-1] == "  " + " " * position + "^"
        assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "sig:a pod",
            "cannot read 'pod': write FIELD:VALUE (or FIELD>=VALUE), "
            "e.g. sig:sig-node or updated>=2019-01-01",
        ),
        ("-", "a lone '-' must be followed by a term to negate, e.g. -state:withdrawn"),
        (
            "updated>9999-12-31",
            "updated: 'updated>9999-12-31' reaches past the end of time (year 9999)",
        ),
        (
            "created<2019-02-30",
            "created: '2019-02-30' is not a date (YYYY-MM-DD) or an RFC 3339 time",
        ),
    ],
)
def test_query_error_messages_in_full(query: str, message: str) -> None:
    """The whole message, word for word, for the faults a person makes most."""
    with pytest.raises(QuerySyntaxError) as info:
        kf.parse_query(query)
    assert info.value.message == message


class TestFieldValues:
    def test_shown_cuts_at_sixty_characters(self) -> None:
        """A value's repr is shown whole up to 60 characters, then cut with '...'."""
        assert shown("x" * 58) == repr("x" * 58)  # 60 characters with the quotes
        assert shown("x" * 59) == repr("x" * 59)[:60] + "..."
        assert shown(10**5000) == "an int too long to show"

    def test_empty_handles_and_names_are_refused(self) -> None:
        """'@' alone is no handle, and blank text no name: the message says which."""
        with pytest.raises(InvalidArgumentError) as handle:
            kf.author("@")
        assert handle.value.message == "author: empty handle"
        with pytest.raises(InvalidArgumentError) as name:
            kf.owning_sig("  ")
        assert name.value.message == "sig: empty value"

    def test_an_unknown_field_name(self) -> None:
        """lookup names the field given, a near match, and every known field."""
        known = ", ".join(kf.FIELDS)
        with pytest.raises(InvalidArgumentError) as unknown:
            lookup("colour")
        assert unknown.value.message == f"unknown field 'colour'; known fields: {known}"
        assert (unknown.value.argument, unknown.value.value) == ("field", "colour")
        with pytest.raises(InvalidArgumentError) as not_text:
            lookup(5)  # type: ignore[arg-type]
        assert not_text.value.message == f"a field name is text, got 5; known fields: {known}"
        assert (not_text.value.argument, not_text.value.value) == ("field", 5)

    def test_a_text_term_on_a_value_that_is_no_text(self) -> None:
        """text: compares text only; another value is a TypeError saying what it got."""
        from keps.filter import fields

        with pytest.raises(TypeError, match=r"^expected text, got 5$"):
            fields._prose(5)

    def test_objects_without_the_field_and_unreadable_items(self) -> None:
        """An object lacking the attribute matches nothing; an unreadable item is skipped."""
        assert not kf.owning_sig("sig-node").matches(SimpleNamespace())
        people = SimpleNamespace(authors=("@", "bob"))
        assert kf.author("bob").matches(people)
        assert kf.author("bob").compiled()(people)


class TestCriterionErrors:
    @pytest.mark.parametrize(
        ("make", "argument", "value"),
        [
            (lambda: kf.all_of("sig:sig-node"), "criterion", "sig:sig-node"),  # type: ignore[arg-type]
            (lambda: kf.Range("title"), "field", "title"),
            (lambda: kf.Range("number", start="3"), "number", "3"),
            (lambda: kf.between("title", "a"), "name", "title"),
            (lambda: kf.state("done"), "state", "done"),
            (lambda: kf.field_is("created", "9999-12-31"), "created", "9999-12-31"),
            (lambda: kf.field_is("sig"), "values", ()),
            (lambda: kf.parse_query(5), "query", 5),  # type: ignore[arg-type]
        ],
    )
    def test_the_error_names_the_argument_and_value(
        self, make: Callable[[], object], argument: str, value: object
    ) -> None:
        """InvalidArgumentError carries which argument was wrong and the value given."""
        with pytest.raises(InvalidArgumentError) as info:
            make()
        assert (info.value.argument, info.value.value) == (argument, value)


class TestCompiledEdges:
    def test_values_that_cannot_be_read_never_match(self) -> None:
        """A number where text belongs matches neither an equality nor a text criterion."""
        odd = SimpleNamespace(owning_sig=5, title=5)
        for criterion in (kf.owning_sig("sig-node"), kf.title_contains("5")):
            assert criterion.compiled()(odd) is False
            assert criterion.matches(odd) is False

    def test_criteria_made_by_hand_on_times(self) -> None:
        """Match and Contains on a time field answer alike compiled or not."""
        for criterion in (kf.Match("created", [A.created]), kf.Contains("created", ["2018-06"])):
            test = criterion.compiled()
            assert [test(e) for e in ALL] == [criterion.matches(e) for e in ALL]
        assert [e.uuid for e in kf.select(ALL, kf.Match("created", [A.created]))] == ["a"]

    def test_all_of_one(self) -> None:
        """All of a single criterion selects what that criterion selects."""
        assert chosen(kf.All((kf.owning_sig("sig-node"),))) == ["a", "c"]


def test_field_table_is_data() -> None:
    """Every field is one row with its attribute and aliases; the query names resolve."""
    assert set(kf.FIELDS) >= {
        "sig",
        "participating",
        "subproject",
        "state",
        "author",
        "approver",
        "reviewer",
        "theme",
        "number",
        "created",
        "updated",
        "title",
    }
    for field in kf.FIELDS.values():
        if field.name == "text":  # read from the KEP's files, not held by an entry
            continue
        head, _, stage = field.attribute.partition(".")
        assert hasattr(A, head)
        assert not stage or stage in dict(getattr(A, head))  # milestone.beta, prr.beta
        assert field.name in field.aliases


@pytest.mark.parametrize(
    "make",
    [
        lambda: kf.owning_sig("SIG-Node"),
        lambda: kf.participating_sig("sig-node"),
        lambda: kf.author("@jdoe") | kf.approver("JDOE"),
        lambda: kf.state("implementable", "draft") & ~kf.theme("security"),
        lambda: kf.title_contains("POD"),
        lambda: kf.kep_number(1, "10"),
        lambda: kf.created_between("2018-06-01", "2019-01-01"),
        lambda: kf.field_is("created", "2019-03-01"),
        lambda: kf.field_is("milestone", "v1.30"),
        lambda: kf.parse_query("sig:sig-node,sig-apps -state:draft updated>=2018-12-31"),
        lambda: kf.all_of(),
        lambda: kf.any_of(),
    ],
)
def test_compiled_criteria_agree_with_matches(make: Callable[[], kf.Criterion]) -> None:
    """select runs criterion.compiled(); it answers exactly as matches() on every entry."""
    criterion = make()
    test = criterion.compiled()
    for _ in range(2):  # the second pass answers from the memo
        assert [test(e) for e in ALL] == [criterion.matches(e) for e in ALL]
