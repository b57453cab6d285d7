"""Checks: every check of the Go seed with a failing and a passing case, and exemptions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

import attrs
import pytest

import keps
from keps import CheckFailedError, Metadata, Problem, State
from keps.keps import check
from keps.keps.metadata import Exemption
from keps.sigs import SigRegistry
from tests.kep_factory import T0, gen_tree, make_kep, snapshot

REGISTRY = SigRegistry.packaged()
UUID = "0b1ad5c4-2a52-4d0b-a2e3-3b3b3f3e6f11"

GOOD = Metadata(
    title="Good",
    authors=("alice",),
    reviewers=("rita",),
    approvers=("arnold",),
    state=State.IMPLEMENTABLE,
    uuid=UUID,
    created=T0,
    last_updated=T0 + dt.timedelta(days=1),
    owning_sig="sig-node",
    affected_subprojects=("kubelet",),
    participating_sigs=("sig-apps",),
    development_themes=("stability",),
    sections=(
        "summary.md",
        "motivation.md",
        "guides/developer.md",
        "guides/operator.md",
        "guides/teacher.md",
        "graduation_criteria.md",
        "README.md",
    ),
)


def ctx(**changes: object) -> check.CheckContext:
    return check.CheckContext(metadata=attrs.evolve(GOOD, **changes), registry=REGISTRY, now=T0)


def codes(problems: Iterable[Problem]) -> list[str]:
    return [p.code for p in problems]


# (check, change that breaks it, expected problem code)
CASES: list[tuple[Callable[[check.CheckContext], Iterable[Problem]], dict[str, object], str]] = [
    (check.state_is_set, {"state": None}, "state-not-set"),
    (check.title_is_set, {"title": ""}, "title-not-set"),
    (check.authors_are_set, {"authors": ()}, "authors-not-set"),
    (check.uuid_is_valid, {"uuid": "not-a-uuid"}, "uuid-invalid"),
    (check.uuid_is_valid, {"uuid": ""}, "uuid-invalid"),
    (check.created_is_set, {"created": None}, "created-not-set"),
    (
        check.last_updated_is_not_before_created,
        {"last_updated": T0 - dt.timedelta(seconds=1)},
        "last-updated-before-created",
    ),
    (check.owning_sig_exists, {"owning_sig": "sig-nodes"}, "sig-unknown"),
    (
        check.participating_sigs_exist,
        {"participating_sigs": ("sig-apps", "sig-aws")},
        "participating-sig-unknown",
    ),
    (check.subprojects_exist, {"affected_subprojects": ("kubectl",)}, "subproject-unknown"),
    (check.routing_is_consistent, {"sig_wide": True}, "routing-inconsistent"),
    (check.development_themes_are_known, {"development_themes": ("vibes",)}, "theme-unknown"),
    (check.authors_are_not_approvers, {"approvers": ("@Alice",)}, "author-is-approver"),
    (check.authors_are_not_reviewers, {"reviewers": ("alice",)}, "author-is-reviewer"),
    (check.kep_number_is_not_set, {"kep_number": 5}, "kep-number-too-early"),
    (
        check.required_sections_are_listed,
        {"sections": ("summary.md", "README.md")},
        "section-required",
    ),
    (check.owning_sig_is_set, {"owning_sig": ""}, "owning-sig-not-set"),
    (check.reviewers_are_set, {"reviewers": ()}, "reviewers-not-set"),
    (check.approvers_are_set, {"approvers": ()}, "approvers-not-set"),
]


@pytest.mark.parametrize(
    ("func", "change", "code"), CASES, ids=[c[2] + "-" + c[0].__name__ for c in CASES]
)
class TestEachCheck:
    def test_fails(
        self,
        func: Callable[[check.CheckContext], Iterable[Problem]],
        change: dict[str, object],
        code: str,
    ) -> None:
        """The broken field gives the check's problem, naming the field."""
        problems = list(func(ctx(**change)))
        assert codes(problems) and set(codes(problems)) == {code}
        assert all(p.field for p in problems)

    def test_passes(
        self,
        func: Callable[[check.CheckContext], Iterable[Problem]],
        change: dict[str, object],
        code: str,
    ) -> None:
        """The good metadata gives no problem."""
        assert list(func(ctx())) == []


#: What each case of CASES reports, in full: (field, message) of every problem, in order.
MESSAGES: list[list[tuple[str, str]]] = [
    [
        (
            "state",
            "state must be set to one of: draft, provisional, implementable, implemented, deferred, rejected, withdrawn, replaced",
        )
    ],
    [("title", "title must be set")],
    [("authors", "authors must name at least one person")],
    [("uuid", "uuid must be a valid UUID, got 'not-a-uuid'")],
    [("uuid", "uuid must be a valid UUID, got nothing")],
    [("created", "created must be set")],
    [
        (
            "last_updated",
            "last_updated (2019-01-02T03:04:04.678901+00:00) must not be before created (2019-01-02T03:04:05.678901+00:00)",
        )
    ],
    [("owning_sig", "owning SIG 'sig-nodes' is not a known SIG")],
    [("participating_sigs", "participating SIG 'sig-aws' is not a known SIG")],
    [("affected_subprojects", "subproject 'kubectl' is not a subproject of sig-node")],
    [("sig_wide", "a KEP must be only one of sig_wide / affected_subprojects")],
    [
        (
            "development_themes",
            "development theme 'vibes' is not one of: stability, scalability, security, extensibility, usability, portability, reliability, performance, conformance, observability",
        )
    ],
    [("approvers", "author alice must not also approve the KEP")],
    [("reviewers", "author alice must not also review the KEP")],
    [("kep_number", "an implementable KEP must not have a kep_number yet (has 5)")],
    [
        ("sections", "an implementable KEP needs the Motivation section (motivation.md)"),
        (
            "sections",
            "an implementable KEP needs the Developer Guide section (guides/developer.md)",
        ),
        ("sections", "an implementable KEP needs the Operator Guide section (guides/operator.md)"),
        ("sections", "an implementable KEP needs the Teacher Guide section (guides/teacher.md)"),
        (
            "sections",
            "an implementable KEP needs the Graduation Criteria section (graduation_criteria.md)",
        ),
    ],
    [("owning_sig", "owning_sig must be set")],
    [("reviewers", "reviewers must name at least one person")],
    [("approvers", "approvers must name at least one person")],
]


@pytest.mark.parametrize(
    ("case", "expected"),
    list(zip(CASES, MESSAGES, strict=True)),
    ids=[c[2] + "-" + c[0].__name__ for c in CASES],
)
def test_each_check_says_what_is_wrong(
    case: tuple[Callable[[check.CheckContext], Iterable[Problem]], dict[str, object], str],
    expected: list[tuple[str, str]],
) -> None:
    """Every problem names its field and says, in our words, what is wrong and with what."""
    func, change, code = case
    problems = list(func(ctx(**change)))
    assert [(p.field, p.message) for p in problems] == expected
    assert {p.code for p in problems} == {code}


class TestFileChecks:
    def test_missing_empty_duplicate_and_outside_sections(self, tmp_path: Path) -> None:
        """Section files are stat'ed: missing, empty, listed twice, or leaving the folder."""
        (tmp_path / "summary.md").write_text("text")
        (tmp_path / "empty.md").write_text("")
        meta = attrs.evolve(GOOD, sections=("summary.md", "empty.md", "gone.md", "../x.md"))
        context = check.context_for(
            meta,
            registry=REGISTRY,
            now=T0,
            kep_dir=tmp_path,
            raw_sections=[*meta.sections, "summary.md"],
        )
        assert codes(check.sections_exist_with_content(context)) == [
            "section-empty",
            "section-missing",
            "section-path-outside",
        ]
        assert [(p.code, p.field, p.message) for p in check.sections_are_unique(context)] == [
            ("section-duplicate", "sections", "section summary.md is listed more than once")
        ]

    def test_a_linked_folder_that_leaves_the_kep(self, tmp_path: Path) -> None:
        """guides/ linked to a folder outside: its sections leave the KEP; a link inside is fine."""
        kep_dir, outside = tmp_path / "kep", tmp_path / "elsewhere"
        (kep_dir / "inner").mkdir(parents=True)
        outside.mkdir()
        for folder in (outside, kep_dir / "inner"):
            (folder / "developer.md").write_text("text")
        (kep_dir / "guides").symlink_to(outside)
        (kep_dir / "kept").symlink_to(kep_dir / "inner")
        meta = attrs.evolve(GOOD, sections=("guides/developer.md", "kept/developer.md"))
        context = check.context_for(meta, registry=REGISTRY, now=T0, kep_dir=kep_dir)
        assert [(p.code, p.message) for p in check.sections_exist_with_content(context)] == [
            ("section-path-outside", "section path 'guides/developer.md' leaves the KEP folder")
        ]

    def test_every_section_fault_in_full(self, tmp_path: Path) -> None:
        """Invalid, outside, missing and empty sections: each reported, in list order, in full."""
        (tmp_path / "empty.md").write_text("")
        (tmp_path / "ok.md").write_text("x")
        names = ("bad\x00.md", "../x.md", "gone.md", "empty.md", "ok.md")
        meta = attrs.evolve(GOOD, sections=names)
        metadata_path = str(tmp_path / "metadata.yaml")
        context = check.context_for(
            meta, registry=REGISTRY, now=T0, kep_dir=tmp_path, metadata_path=metadata_path
        )
        assert context.now == T0
        assert context.metadata_path == metadata_path
        found = [(p.code, p.field, p.path, p.message) for p in check.run_checks(context, [
            check.sections_exist_with_content
        ])]  # fmt: skip
        metadata = str(tmp_path / "metadata.yaml")
        assert found == [
            (
                "section-path-invalid",
                "sections",
                metadata,
                "section path 'bad\\x00.md' names no file: it holds the control character U+0000",
            ),
            ("section-path-outside", "sections", metadata, "section path '../x.md' leaves the KEP folder"),
            ("section-missing", "sections", str(tmp_path / "gone.md"), "section file gone.md does not exist"),
            ("section-empty", "sections", str(tmp_path / "empty.md"), "section file empty.md is empty"),
        ]  # fmt: skip

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            (
                {"owning_sig": "", "affected_subprojects": ("kubelet",)},
                "subproject 'kubelet' is not a subproject of the owning SIG",
            ),
            (
                {"owning_sig": "sig-gone", "affected_subprojects": ("kubelet",)},
                "subproject 'kubelet' is not a subproject of sig-gone",
            ),
        ],
    )
    def test_subprojects_without_a_known_owner(
        self, changes: dict[str, object], expected: str
    ) -> None:
        """No owning SIG, or one the registry does not know: its subprojects are unknown."""
        assert [p.message for p in check.subprojects_exist(ctx(**changes))] == [expected]

    def test_empty_people_are_counted_from_one(self) -> None:
        """An empty handle is reported by its field and its position, counted from 1."""
        problems = check.people_are_named(ctx(authors=("alice", " "), reviewers=("",)))
        assert [(p.field, p.message) for p in problems] == [
            ("authors", "authors item 2 is empty: give a GitHub handle"),
            ("reviewers", "reviewers item 1 is empty: give a GitHub handle"),
        ]

    def test_sections_with_names_off_the_fast_path(self, tmp_path: Path) -> None:
        """Names with spaces take the careful path: missing, a folder, and present are told apart."""
        (tmp_path / "my dir").mkdir()
        (tmp_path / "my notes.md").write_text("x")
        meta = attrs.evolve(GOOD, sections=("my gone.md", "my dir", "my notes.md"))
        context = check.context_for(meta, registry=REGISTRY, now=T0, kep_dir=tmp_path)
        assert [(p.code, p.message) for p in check.sections_exist_with_content(context)] == [
            ("section-missing", "section file my gone.md does not exist"),
            ("section-missing", "section file my dir does not exist"),
        ]

    def test_problems_name_the_metadata_file_the_layout_gives(self) -> None:
        """The checks name the metadata file the layout passes, and none without one (the
        checks do not know which layout a KEP has: issue #13)."""
        untitled = attrs.evolve(GOOD, title="")
        given = check.context_for(untitled, registry=REGISTRY, now=T0, metadata_path="k/kep.yaml")
        assert [(p.code, p.path) for p in check.title_is_set(given)] == [
            ("title-not-set", "k/kep.yaml")
        ]
        bare = check.context_for(untitled, registry=REGISTRY, now=T0)
        assert [(p.code, p.path) for p in check.title_is_set(bare)] == [("title-not-set", None)]

    def test_a_linked_folder_deeper_down(self, tmp_path: Path) -> None:
        """A link two folders down, or at the top of a deep path, is followed and caught."""
        kep_dir, outside = tmp_path / "kep", tmp_path / "elsewhere"
        (kep_dir / "in").mkdir(parents=True)
        (outside / "deep").mkdir(parents=True)
        (outside / "deep" / "x.md").write_text("text")
        (outside / "x.md").write_text("text")
        (kep_dir / "in" / "deep").symlink_to(outside)
        (kep_dir / "out").symlink_to(outside)
        meta = attrs.evolve(GOOD, sections=("in/deep/x.md", "out/deep/x.md"))
        context = check.context_for(meta, registry=REGISTRY, now=T0, kep_dir=kep_dir)
        assert [p.message for p in check.sections_exist_with_content(context)] == [
            "section path 'in/deep/x.md' leaves the KEP folder",
            "section path 'out/deep/x.md' leaves the KEP folder",
        ]

    @pytest.mark.parametrize(
        "name", ["", "/etc/passwd", "../x.md", "guides/../../x.md", "guides\\developer.md"]
    )
    def test_names_that_leave_the_folder_whatever_is_on_disk(
        self, tmp_path: Path, name: str
    ) -> None:
        """Empty, absolute, '..' and backslash names leave the KEP folder without a look at disk."""
        assert check.section_is_outside(tmp_path, name) is True

    def test_kubernetes_wide_and_sig_wide_at_once(self) -> None:
        """A KEP both kubernetes-wide and SIG-wide is reported on kubernetes_wide."""
        context = ctx(kubernetes_wide=True, sig_wide=True, affected_subprojects=())
        assert [(p.field, p.message) for p in check.routing_is_consistent(context)] == [
            ("kubernetes_wide", "a KEP must be only one of kubernetes_wide / sig_wide")
        ]

    def test_present_sections_pass(self, tmp_path: Path) -> None:
        """Existing, non-empty, listed-once sections give no problem."""
        (tmp_path / "summary.md").write_text("text")
        meta = attrs.evolve(GOOD, sections=("summary.md",))
        context = check.context_for(meta, registry=REGISTRY, now=T0, kep_dir=tmp_path)
        assert list(check.sections_exist_with_content(context)) == []
        assert list(check.sections_are_unique(context)) == []


class TestStateTable:
    def test_draft_needs_only_the_basics(self) -> None:
        """A draft without reviewers, approvers or guides is fine."""
        problems = check.run_checks(
            ctx(state=State.DRAFT, reviewers=(), approvers=(), sections=("README.md",)),
            check.checks_for(State.DRAFT),
        )
        assert problems == ()

    def test_provisional_needs_summary_and_motivation_and_no_number(self) -> None:
        """Provisional: summary and motivation listed, no KEP number yet."""
        problems = check.run_checks(
            ctx(state=State.PROVISIONAL, kep_number=3, sections=("README.md",)),
            check.checks_for(State.PROVISIONAL),
        )
        assert sorted(codes(problems)) == [
            "kep-number-too-early",
            "section-required",
            "section-required",
        ]

    def test_implementable_needs_everything(self) -> None:
        """Implementable: every section, an owning SIG, reviewers and approvers - all reported at once."""
        problems = check.run_checks(
            ctx(
                owning_sig="",
                reviewers=(),
                approvers=(),
                affected_subprojects=(),
                sections=("summary.md",),
            ),
            check.checks_for(State.IMPLEMENTABLE),
        )
        assert sorted(set(codes(problems))) == [
            "approvers-not-set",
            "owning-sig-not-set",
            "reviewers-not-set",
            "section-required",
        ]
        assert codes(problems).count("section-required") == 5

    @pytest.mark.parametrize("state", [State.IMPLEMENTABLE, State.IMPLEMENTED])
    def test_implemented_keps_need_what_implementable_ones_need(
        self, tmp_path: Path, state: State
    ) -> None:
        """An implemented KEP on disk without reviewers, approvers or graduation criteria fails."""
        kep = make_kep(tmp_path, "sig-node/done", state=state)
        assert kep.check() == ()
        kep.update(
            reviewers=(),
            approvers=(),
            sections=tuple(s for s in kep.sections if s != "graduation_criteria.md"),
        )
        with pytest.raises(CheckFailedError) as caught:
            kep.check()
        assert [(p.code, p.field) for p in caught.value.problems] == [
            ("section-required", "sections"),
            ("reviewers-not-set", "reviewers"),
            ("approvers-not-set", "approvers"),
        ]
        assert "graduation_criteria.md" in caught.value.problems[0].message

    @pytest.mark.parametrize("state", [State.IMPLEMENTABLE, State.IMPLEMENTED])
    def test_implemented_keps_need_an_owning_sig(self, tmp_path: Path, state: State) -> None:
        """An implemented KEP whose owning SIG was cleared fails on owning_sig alone."""
        kep = make_kep(tmp_path, "sig-node/owned", state=state)
        kep.update(owning_sig="")
        with pytest.raises(CheckFailedError) as caught:
            kep.check()
        assert [(p.code, p.field) for p in caught.value.problems] == [
            ("owning-sig-not-set", "owning_sig")
        ]


class TestExemptions:
    def test_exempted_problem_is_reported_but_does_not_fail(self, tmp_path: Path) -> None:
        """An exemption waives one code, and check() still returns the problem, marked."""
        kep = make_kep(tmp_path, "sig-node/exempt", state=State.PROVISIONAL)
        kep.update(
            participating_sigs=("sig-gone",),
            exemptions=(
                Exemption("participating-sig-unknown", "sig-gone merged into sig-node in 2019"),
            ),
        )
        problems = kep.check()
        assert [(p.code, p.exempted) for p in problems] == [
            ("participating-sig-unknown", "sig-gone merged into sig-node in 2019")
        ]
        assert "exempted: sig-gone merged" in str(problems[0])
        assert kep.persist()

    def test_exemption_of_another_code_waives_nothing(self, tmp_path: Path) -> None:
        """Only the named code is waived; the error carries every problem."""
        kep = make_kep(tmp_path, "sig-node/not-exempt", state=State.PROVISIONAL)
        kep.update(
            title="",
            participating_sigs=("sig-gone",),
            exemptions=(Exemption("title-not-set", "r"),),
        )
        with pytest.raises(CheckFailedError) as caught:
            kep.check()
        assert [(p.code, p.exempted) for p in caught.value.problems] == [
            ("title-not-set", "r"),
            ("participating-sig-unknown", None),
        ]

    def test_added_checks_run_too(self, tmp_path: Path) -> None:
        """add_checks adds a caller's own rule to the state's checks."""
        kep = make_kep(tmp_path, "sig-node/custom")

        def title_is_short(c: check.CheckContext) -> Iterable[Problem]:
            if len(c.metadata.title) > 5:
                yield Problem("title-too-long", "keep it short")

        kep.add_checks(title_is_short)
        with pytest.raises(CheckFailedError, match="title-too-long"):
            kep.check()


def test_generated_tree_opens_checks_and_round_trips(shared: Path, tmp_path: Path) -> None:
    """1,000 KEPs as the Go seed writes them: each opens, passes check(), and persists byte for byte."""
    root = gen_tree(shared, tmp_path / "content", 1000)
    before = snapshot(root)
    dirs = sorted(p.parent for p in root.rglob("metadata.yaml"))
    assert len(dirs) == 1000
    states = set()
    for kep_dir in dirs:
        kep = keps.open(kep_dir)
        kep.check()
        states.add(kep.state)
        assert kep.persist() is False
    assert snapshot(root) == before
    assert states == {State.DRAFT, State.PROVISIONAL, State.IMPLEMENTABLE, State.IMPLEMENTED}

    kep = keps.open(dirs[0])
    meta = dirs[0] / "metadata.yaml"
    meta.write_text("# maintained by hand\n" + meta.read_text() + "custom_key: kept  # note\n")
    kep = keps.open(dirs[0])
    kep.add_reviewers("new-reviewer")
    kep.persist()
    text = meta.read_text()
    assert text.startswith("# maintained by hand\n")
    assert text.endswith("custom_key: kept  # note\n")
    assert keps.open(dirs[0]).reviewers[-1] == "new-reviewer"


def test_an_author_approving_under_another_spelling() -> None:
    """'Xavier' and '@xavier' are one person: '@' and case are ignored, nothing else."""
    context = ctx(authors=("Xavier",), approvers=("@xavier",))
    assert [(p.code, p.message) for p in check.authors_are_not_approvers(context)] == [
        ("author-is-approver", "author Xavier must not also approve the KEP")
    ]
