"""The lifecycle: init, propose, accept, plan, approve, and the end states."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

import keps
import keps.index
from keps import CheckFailedError, KepExistsError, State, TransitionError, workflow
from keps.errors import KepNotFoundError, StorageError
from tests.kep_factory import T0, snapshot
from tests.workflow_helpers import APPROVER, AUTHOR, edit, runtime

GUIDES = (
    "guides/developer.md",
    "guides/operator.md",
    "guides/teacher.md",
    "graduation_criteria.md",
)


@pytest.fixture(name="root")
def _root(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    return root


def to_provisional(root: Path, target: str = "sig-node/my-kep") -> Path:
    kep_dir = workflow.init(runtime(root, target), now=T0)
    edit(kep_dir, "summary.md", "motivation.md")
    workflow.propose(runtime(root, target), now=T0)
    workflow.accept(runtime(root, target, APPROVER), now=T0)
    return kep_dir


def to_implementable(root: Path, target: str = "sig-node/my-kep") -> Path:
    kep_dir = to_provisional(root, target)
    workflow.plan(runtime(root, target), now=T0)
    edit(kep_dir, *GUIDES)
    workflow.approve(runtime(root, target, APPROVER), now=T0)
    return kep_dir


class TestInit:
    def test_creates_a_draft_with_templates(self, root: Path) -> None:
        """Skeleton, metadata with the principal as author, summary and motivation, README."""
        kep_dir = workflow.init(runtime(root, "sig-node/dynamic-kubelet-config"), now=T0)
        assert kep_dir == root.resolve() / "sig-node/sig-wide/dynamic-kubelet-config"
        kep = keps.open(kep_dir)
        assert kep.title == "Dynamic Kubelet Config"
        assert kep.state is State.DRAFT
        assert kep.authors == (AUTHOR,)
        assert kep.sections == ("summary.md", "motivation.md", "README.md")
        assert [(e.event_type, e.principal, e.date) for e in kep.events] == [("init", AUTHOR, T0)]
        assert "## Summary" in (kep_dir / "summary.md").read_text()
        assert "- **Owning SIG:** [Node](" in (kep_dir / "README.md").read_text()  # its name
        assert (kep_dir / "guides/.gitkeep").exists()

    @pytest.mark.parametrize("name", ["summary.md", "notes.txt", "guides/developer.md"])
    def test_refuses_a_folder_holding_hand_written_files(self, root: Path, name: str) -> None:
        """A folder with someone's files but no metadata yet: init writes nothing into it."""
        kep_dir = root / "sig-node/sig-wide/my-kep"
        (kep_dir / name).parent.mkdir(parents=True)
        (kep_dir / name).write_text("My own words, written before init.\n")
        before = snapshot(root)
        with pytest.raises(KepExistsError, match="not empty"):
            workflow.init(runtime(root, "sig-node/my-kep"), now=T0)
        assert snapshot(root) == before

    def test_refuses_a_target_that_holds_a_kep(self, root: Path) -> None:
        """A second init on the same target changes nothing."""
        workflow.init(runtime(root, "sig-node/my-kep"), now=T0)
        before = snapshot(root)
        with pytest.raises(KepExistsError, match="already exists"):
            workflow.init(runtime(root, "sig-node/my-kep", "bob"))
        assert snapshot(root) == before


class TestPropose:
    def test_refuses_unedited_templates_and_says_which(self, root: Path) -> None:
        """Both templates unedited: both named; nothing written."""
        workflow.init(runtime(root, "sig-node/my-kep"), now=T0)
        before = snapshot(root)
        with pytest.raises(TransitionError, match="unedited template: Summary, Motivation"):
            workflow.propose(runtime(root, "sig-node/my-kep"))
        assert snapshot(root) == before

    def test_names_only_the_section_still_unedited(self, root: Path) -> None:
        """Summary edited, motivation not: only Motivation is named."""
        kep_dir = workflow.init(runtime(root, "sig-node/my-kep"), now=T0)
        edit(kep_dir, "summary.md")
        with pytest.raises(TransitionError, match=r"unedited template: Motivation$"):
            workflow.propose(runtime(root, "sig-node/my-kep"))

    def test_stays_draft_and_records_the_proposal(self, root: Path) -> None:
        """Propose keeps the draft state and adds a 'propose' event; twice changes nothing."""
        kep_dir = workflow.init(runtime(root, "sig-node/my-kep"), now=T0)
        edit(kep_dir, "summary.md", "motivation.md")
        later = T0 + dt.timedelta(hours=1)
        workflow.propose(runtime(root, "sig-node/my-kep"), now=later)
        kep = keps.open(kep_dir)
        assert kep.state is State.DRAFT
        assert [e.event_type for e in kep.events] == ["init", "propose"]
        before = snapshot(root)
        workflow.propose(runtime(root, "sig-node/my-kep"))
        assert snapshot(root) == before


class TestAccept:
    def test_refuses_a_kep_never_proposed(self, root: Path) -> None:
        """accept before propose is refused, and nothing changes."""
        kep_dir = workflow.init(runtime(root, "sig-node/my-kep"), now=T0)
        edit(kep_dir, "summary.md", "motivation.md")
        before = snapshot(root)
        with pytest.raises(TransitionError, match="never proposed") as info:
            workflow.accept(runtime(root, "sig-node/my-kep", APPROVER))
        assert info.value.path == str(kep_dir)
        assert snapshot(root) == before

    def test_principal_becomes_approver_and_reviewer(self, root: Path) -> None:
        """draft -> provisional; the accepting approver is recorded twice over."""
        kep = keps.open(to_provisional(root))
        assert kep.state is State.PROVISIONAL
        assert kep.approvers == (APPROVER,)
        assert kep.reviewers == (APPROVER,)
        assert kep.kep_number is None

    def test_author_cannot_accept_their_own_kep(self, root: Path) -> None:
        """An author accepting would approve their own KEP: the checks refuse it."""
        kep_dir = workflow.init(runtime(root, "sig-node/my-kep"), now=T0)
        edit(kep_dir, "summary.md", "motivation.md")
        workflow.propose(runtime(root, "sig-node/my-kep"))
        before = snapshot(root)
        with pytest.raises(CheckFailedError, match="author-is-approver"):
            workflow.accept(runtime(root, "sig-node/my-kep", AUTHOR))
        assert snapshot(root) == before


class TestPlan:
    def test_renders_guides_and_stays_provisional(self, root: Path) -> None:
        """The three guides and the graduation criteria appear; state unchanged."""
        kep_dir = to_provisional(root)
        workflow.plan(runtime(root, "sig-node/my-kep"), now=T0)
        kep = keps.open(kep_dir)
        assert kep.state is State.PROVISIONAL
        assert kep.sections == ("summary.md", "motivation.md", *GUIDES, "README.md")
        assert all((kep_dir / g).read_text().strip() for g in GUIDES)

    def test_twice_changes_nothing(self, root: Path) -> None:
        """A second plan leaves every byte as it was, edited guides included."""
        kep_dir = to_provisional(root)
        workflow.plan(runtime(root, "sig-node/my-kep"), now=T0)
        edit(kep_dir, "guides/developer.md")
        before = snapshot(root)
        workflow.plan(runtime(root, "sig-node/my-kep"))
        assert snapshot(root) == before

    def test_refused_for_a_draft(self, root: Path) -> None:
        """plan needs a provisional KEP (the seed jumped to implementable here)."""
        workflow.init(runtime(root, "sig-node/my-kep"), now=T0)
        with pytest.raises(TransitionError, match="it is draft, and plan needs a provisional KEP"):
            workflow.plan(runtime(root, "sig-node/my-kep"))


class TestApprove:
    def test_refuses_bare_templates(self, root: Path) -> None:
        """Guides left as the template are named, and nothing changes."""
        kep_dir = to_provisional(root)
        workflow.plan(runtime(root, "sig-node/my-kep"), now=T0)
        edit(kep_dir, "guides/developer.md", "guides/teacher.md")
        before = snapshot(root)
        with pytest.raises(
            TransitionError, match="unedited template: Operator Guide, Graduation Criteria"
        ):
            workflow.approve(runtime(root, "sig-node/my-kep", APPROVER))
        assert snapshot(root) == before

    def test_refuses_when_checks_fail(self, root: Path) -> None:
        """A provisional KEP that never planned lacks sections an implementable KEP needs."""
        to_provisional(root)
        before = snapshot(root)
        with pytest.raises(CheckFailedError, match="section-required"):
            workflow.approve(runtime(root, "sig-node/my-kep", APPROVER))
        assert snapshot(root) == before

    def test_claims_a_number_and_records_it_in_the_index(self, root: Path) -> None:
        """provisional -> implementable with number 1, in metadata.yaml and keps.yaml."""
        kep_dir = to_implementable(root)
        kep = keps.open(kep_dir)
        assert kep.state is State.IMPLEMENTABLE
        assert kep.kep_number == 1
        assert [e.event_type for e in kep.events] == [
            "init",
            "propose",
            "accept",
            "plan",
            "approve",
        ]
        assert [e.principal for e in kep.events] == [AUTHOR, AUTHOR, APPROVER, AUTHOR, APPROVER]
        index = yaml.safe_load((root / "keps.yaml").read_text())
        numbers = {e["location"]: e.get("kep_number") for e in index["keps"]}
        assert numbers == {"sig-node/sig-wide/my-kep": 1}
        assert index["next_kep_number"] == 2

    def test_numbers_follow_the_highest_in_use(self, root: Path) -> None:
        """A second approval gets the next number, never one already given."""
        to_implementable(root, "sig-node/first")
        second = to_implementable(root, "sig-apps/second")
        assert keps.open(second).kep_number == 2

    def test_a_failed_write_leaves_everything_as_it_was(
        self, root: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """If the last write of approve fails, the KEP and keps.yaml are as before and no temp file remains."""
        kep_dir = to_provisional(root)
        workflow.plan(runtime(root, "sig-node/my-kep"), now=T0)
        edit(kep_dir, *GUIDES)
        keps.index.rebuild(root).persist()
        before = snapshot(root)
        import keps._files as files

        real = files.atomic_write_bytes
        calls: list[Path] = []

        def flaky(path: Path, data: bytes, **limit: int) -> None:
            calls.append(path)
            if path.name == "keps.yaml":
                raise StorageError("disk full", path=path)
            real(path, data, **limit)

        monkeypatch.setattr(files, "atomic_write_bytes", flaky)
        with pytest.raises(StorageError, match="disk full"):
            workflow.approve(runtime(root, "sig-node/my-kep", APPROVER))
        assert len(calls) >= 3
        assert snapshot(root) == before
        monkeypatch.undo()
        workflow.approve(runtime(root, "sig-node/my-kep", APPROVER))
        assert keps.open(kep_dir).kep_number == 1


class TestIndexAfterAStep:
    def test_the_next_open_needs_no_parse(self, root: Path, index_parses: list[Path]) -> None:
        """A step that writes keps.yaml remembers it: the next open parses nothing."""
        to_provisional(root, "sig-node/other-kep")
        keps.index.rebuild(root).persist()
        kep_dir = to_implementable(root)
        index = keps.index.open(root)
        assert index_parses == []
        assert index.by_number(1).location == kep_dir.relative_to(root).as_posix()
        keps.index.cache.parsed_path(root.absolute()).unlink()
        assert keps.index.open(root).entries == index.entries  # what a parse gives
        assert index_parses == [root / "keps.yaml"]


#: a time after T0, given to the end steps: their event and last_updated must carry it
T1 = T0 + dt.timedelta(days=3, microseconds=7)


class TestEndStates:
    def test_implement(self, root: Path) -> None:
        """implementable -> implemented, recorded as 'implement' by the approver at the time given."""
        kep_dir = to_implementable(root)
        workflow.implement(runtime(root, "sig-node/my-kep", APPROVER), now=T1)
        kep = keps.open(kep_dir)
        assert kep.state is State.IMPLEMENTED
        last = kep.events[-1]
        assert (last.event_type, last.principal, last.date) == ("implement", APPROVER, T1)
        assert kep.last_updated == T1

    @pytest.mark.parametrize(
        ("step", "name", "state"),
        [
            (workflow.defer, "defer", State.DEFERRED),
            (workflow.reject, "reject", State.REJECTED),
            (workflow.withdraw, "withdraw", State.WITHDRAWN),
        ],
    )
    def test_from_provisional(self, root: Path, step: object, name: str, state: State) -> None:
        """A provisional KEP may be deferred, rejected or withdrawn; the step is recorded."""
        kep_dir = to_provisional(root)
        step(runtime(root, "sig-node/my-kep", APPROVER), now=T1)  # type: ignore[operator]
        kep = keps.open(kep_dir)
        assert kep.state is state
        last = kep.events[-1]
        assert (last.event_type, last.principal, last.date) == (name, APPROVER, T1)
        assert kep.last_updated == T1

    def test_implement_refused_for_provisional(self, root: Path) -> None:
        """A KEP cannot be implemented before it is approved."""
        to_provisional(root)
        before = snapshot(root)
        with pytest.raises(
            TransitionError, match="it is provisional, and implement needs an implementable KEP"
        ):
            workflow.implement(runtime(root, "sig-node/my-kep"))
        assert snapshot(root) == before

    def test_nothing_leaves_an_end_state(self, root: Path) -> None:
        """A withdrawn KEP cannot be accepted or withdrawn again."""
        workflow.init(runtime(root, "sig-node/my-kep"), now=T0)
        workflow.withdraw(runtime(root, "sig-node/my-kep"))
        with pytest.raises(TransitionError, match="it is withdrawn"):
            workflow.withdraw(runtime(root, "sig-node/my-kep"))

    def test_replace_links_both_keps(self, root: Path) -> None:
        """The old KEP is replaced and points at the new one, which points back."""
        old_dir = to_implementable(root, "sig-node/old")
        new_dir = to_provisional(root, "sig-node/new")
        workflow.replace(runtime(root, "sig-node/old", APPROVER), by="sig-node/sig-wide/new")
        old, new = keps.open(old_dir), keps.open(new_dir)
        assert old.state is State.REPLACED
        assert old.superseded_by == ("sig-node/sig-wide/new",)
        assert new.replaces == ("sig-node/sig-wide/old",)
        index = yaml.safe_load((root / "keps.yaml").read_text())
        states = {e["location"]: e["state"] for e in index["keps"]}
        assert states["sig-node/sig-wide/old"] == "replaced"

    @pytest.mark.parametrize(
        "by",
        ["sig-node/sig-wide/my-kep", "sig-node/sig-wide/my-kep/", "sig-node/sig-wide/./my-kep"],
    )
    def test_a_kep_cannot_replace_itself(self, root: Path, by: str) -> None:
        """replace X --by X is refused, however the path is spelt, and changes nothing."""
        to_provisional(root)
        before = snapshot(root)
        with pytest.raises(keps.KepError, match="cannot replace itself"):
            workflow.replace(runtime(root, "sig-node/my-kep", APPROVER), by=by)
        assert snapshot(root) == before
        assert keps.open(root / "sig-node/sig-wide/my-kep").state is State.PROVISIONAL

    def test_replace_needs_an_existing_kep(self, root: Path) -> None:
        """Replacing by a KEP that does not exist is refused and changes nothing."""
        to_provisional(root)
        before = snapshot(root)
        with pytest.raises(KepNotFoundError):
            workflow.replace(runtime(root, "sig-node/my-kep"), by="sig-node/sig-wide/ghost")
        assert snapshot(root) == before

    def test_steps_on_a_missing_kep(self, root: Path) -> None:
        """A step on a target without a KEP says to run init."""
        with pytest.raises(KepNotFoundError, match="create one with init first"):
            workflow.propose(runtime(root, "sig-node/nothing-here"))
