"""keps.history on real git repositories made with pygit2, whose commit times are known.

Each repository is written commit by commit from whole snapshots of its files, with an
explicit author and time per commit, so every change, author, commit and span length
below is exact. The 2018 layout's history comes from the events the lifecycle steps
write; the shared corpus, made into a repository, checks a real checkout's size.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Mapping
from pathlib import Path

import pygit2
import pytest

import keps.history
from keps import workflow
from keps.errors import InvalidArgumentError, KepError, KepNotFoundError
from keps.history import Change
from tests.conftest import CORPUS
from tests.workflow_helpers import APPROVER, AUTHOR, edit, runtime

UTC = dt.UTC
JAN, MAR, JUN = (dt.datetime(2024, m, 1, tzinfo=UTC) for m in (1, 3, 6))
KEP = "keps/sig-node/1234-faster-pods"

#: a snapshot of a repository: path -> text, bytes, or (bytes, git file mode)
Files = Mapping[str, str | bytes | tuple[bytes, int]]


def kep_yaml(status: str, number: int = 1234, sig: str = "sig-node", **more: str) -> str:
    """A kep.yaml as upstream writes it; *more* adds keys (``latest_milestone`` ...)."""
    lines = [
        "title: Faster pods",
        f"kep-number: {number}",
        "authors:",
        '  - "@alice"',
        f"owning-sig: {sig}",
        f"status: {status}",
        "approvers:",
        '  - "@arnold"',
    ]
    milestones = {k.split("_", 1)[1]: v for k, v in more.items() if k.startswith("milestone_")}
    for key, value in more.items():
        if not key.startswith("milestone_"):
            lines.append(f"{key.replace('_', '-')}: {value}")
    if milestones:
        lines.append("milestone:")
        lines += [f"  {stage}: {value}" for stage, value in milestones.items()]
    return "\n".join(lines) + "\n"


class Git:
    """A git repository written with pygit2, one whole snapshot per commit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.repo = pygit2.init_repository(str(path))

    def tree(self, files: Files) -> pygit2.Oid:
        index = pygit2.Index()
        for name, content in files.items():
            data, mode = content if isinstance(content, tuple) else (content, 0o100644)
            raw = data.encode() if isinstance(data, str) else data
            index.add(
                pygit2.IndexEntry(name, self.repo.create_blob(raw), pygit2.enums.FileMode(mode))
            )
        return index.write_tree(self.repo)

    def commit(
        self,
        files: Files,
        when: dt.datetime,
        author: str = "Alice",
        *,
        offset: int = 0,
        parents: list[str] | None = None,
        ref: str | None = "HEAD",
    ) -> str:
        """Commit *files* as the whole tree at *when* (UTC offset *offset* minutes); its id."""
        signature = pygit2.Signature(
            author, f"{author.lower()}@example.com", int(when.timestamp()), offset
        )
        if parents is None:
            parents = [] if self.repo.head_is_unborn else [str(self.repo.head.target)]
        oid = self.repo.create_commit(
            ref, signature, signature, f"commit by {author}", self.tree(files), parents
        )
        return str(oid)


@pytest.fixture(name="git")
def _git(tmp_path: Path) -> Git:
    return Git(tmp_path / "enhancements")


def three_states(git: Git) -> list[str]:
    """Provisional on Jan 1 (Alice), implementable Mar 1 (Bob), implemented Jun 1 (Carol)."""
    kep = f"{KEP}/kep.yaml"
    return [
        git.commit({kep: kep_yaml("provisional"), "README.md": "hi"}, JAN, "Alice"),
        git.commit({kep: kep_yaml("implementable"), "README.md": "hi"}, MAR, "Bob"),
        git.commit({kep: kep_yaml("implemented"), "README.md": "hi"}, JUN, "Carol"),
    ]


def state(old: str | None, new: str | None, commit: str, author: str, when: dt.datetime) -> Change:
    email = f"{author} <{author.lower()}@example.com>"
    return Change(KEP, 1234, "state", old, new, commit, email, when)


class TestStates:
    def test_every_state_change_with_its_commit_author_and_time(self, git: Git) -> None:
        first, second, third = three_states(git)
        history = keps.history.load(git.path)
        assert history.changes == (
            state(None, "provisional", first, "Alice", JAN),
            state("provisional", "implementable", second, "Bob", MAR),
            state("implementable", "implemented", third, "Carol", JUN),
        )
        assert history.problems == ()
        assert history.until == JUN

    def test_time_in_each_state_is_exact(self, git: Git) -> None:
        three_states(git)
        spans = keps.history.load(git.path).spans()
        assert [(s.value, s.start, s.end, s.duration) for s in spans] == [
            ("provisional", JAN, MAR, dt.timedelta(days=60)),  # 2024 is a leap year
            ("implementable", MAR, JUN, dt.timedelta(days=92)),
            ("implemented", JUN, None, dt.timedelta(0)),  # still holds at the newest commit
        ]
        assert {(s.location, s.kep_number, s.owning_sig) for s in spans} == {
            (KEP, 1234, "sig-node")
        }

    def test_a_later_until_counts_the_current_state_up_to_it(self, git: Git) -> None:
        three_states(git)
        later = dt.datetime(2024, 7, 1, tzinfo=UTC)
        spans = keps.history.load(git.path).spans(until=later)
        assert spans[-1].duration == dt.timedelta(days=30)
        assert spans[-1].end is None

    def test_an_earlier_until_is_the_history_as_it_stood_then(self, git: Git) -> None:
        three_states(git)
        april = dt.datetime(2024, 4, 1, tzinfo=UTC)
        spans = keps.history.load(git.path).spans(until=april)
        assert [(s.value, s.end, s.duration) for s in spans] == [
            ("provisional", MAR, dt.timedelta(days=60)),
            ("implementable", None, dt.timedelta(days=31)),
        ]

    def test_time_in_state_by_kep_gives_days_and_seconds(self, git: Git) -> None:
        three_states(git)
        records = keps.history.load(git.path).time_in_state()
        assert [(r["value"], r["days"], r["seconds"], r["current"]) for r in records] == [
            ("provisional", 60.0, 60 * 86400, False),
            ("implementable", 92.0, 92 * 86400, False),
            ("implemented", 0.0, 0, True),
        ]
        assert records[0]["location"] == KEP
        assert records[0]["kep_number"] == 1234

    def test_a_ref_reads_the_history_up_to_that_commit(self, git: Git) -> None:
        first, second, _ = three_states(git)
        history = keps.history.load(git.path, ref=second)
        assert [c.commit for c in history.changes] == [first, second]
        assert history.until == MAR

    def test_a_commit_that_changes_nothing_followed_adds_no_change(self, git: Git) -> None:
        kep = f"{KEP}/kep.yaml"
        git.commit({kep: kep_yaml("provisional")}, JAN)
        git.commit({kep: kep_yaml("provisional") + "# a comment\n", "x": "y"}, MAR)
        assert len(keps.history.load(git.path).changes) == 1


class TestStagesAndMilestones:
    def test_a_promotion_changes_stage_latest_milestone_and_the_stage_milestone(
        self, git: Git
    ) -> None:
        kep = f"{KEP}/kep.yaml"
        alpha = kep_yaml(
            "implementable", stage="alpha", latest_milestone="v1.30", milestone_alpha="v1.30"
        )
        beta = kep_yaml(
            "implementable",
            stage="beta",
            latest_milestone="v1.31",
            milestone_alpha="v1.30",
            milestone_beta="v1.31",
        )
        first = git.commit({kep: alpha}, JAN)
        second = git.commit({kep: beta}, MAR, "Bob")
        history = keps.history.load(git.path)
        assert [(c.field, c.old, c.new) for c in history.changes if c.commit == first] == [
            ("state", None, "implementable"),
            ("stage", None, "alpha"),
            ("latest_milestone", None, "v1.30"),
            ("milestone.alpha", None, "v1.30"),
        ]
        assert [(c.field, c.old, c.new) for c in history.changes if c.commit == second] == [
            ("stage", "alpha", "beta"),
            ("latest_milestone", "v1.30", "v1.31"),
            ("milestone.beta", None, "v1.31"),
        ]
        stages = history.spans("stage")
        assert [(s.value, s.duration, s.release) for s in stages] == [
            ("alpha", dt.timedelta(days=60), "v1.30"),
            ("beta", dt.timedelta(0), "v1.31"),
        ]

    def test_time_by_release_counts_a_span_for_the_release_named_when_it_began(
        self, git: Git
    ) -> None:
        kep = f"{KEP}/kep.yaml"
        git.commit({kep: kep_yaml("provisional")}, JAN)
        git.commit({kep: kep_yaml("implementable", latest_milestone="v1.30")}, MAR)
        git.commit({kep: kep_yaml("implemented", latest_milestone="v1.31")}, JUN)
        records = keps.history.load(git.path).time_in_state(by="release")
        assert [(r["release"], r["value"], r["mean_days"], r["keps"]) for r in records] == [
            ("v1.30", "implementable", 92.0, 1),
            ("v1.31", "implemented", 0.0, 1),
            ("", "provisional", 60.0, 1),  # no milestone named yet: listed last
        ]


class TestIdentity:
    def test_a_moved_kep_keeps_its_history(self, git: Git) -> None:
        old, new = "keps/sig-apps/1234-faster-pods", KEP
        first = git.commit({f"{old}/kep.yaml": kep_yaml("provisional", sig="sig-apps")}, JAN)
        git.commit({f"{new}/kep.yaml": kep_yaml("provisional")}, MAR)  # moved, same state
        third = git.commit({f"{new}/kep.yaml": kep_yaml("implementable")}, JUN, "Bob")
        history = keps.history.load(git.path)
        assert [(c.location, c.new, c.commit) for c in history.changes] == [
            (old, "provisional", first),
            (new, "implementable", third),
        ]
        assert history.for_kep(1234) == history.for_kep("1234") == history.changes
        assert history.for_kep(4321) == history.for_kep("keps/sig-node/4321-x") == ()
        assert history.for_kep(old) == history.for_kep(new) == history.changes
        (trail,) = history.trails
        assert trail.locations == (old, new)
        assert (trail.location, trail.owning_sig) == (new, "sig-node")
        provisional = history.spans()[0]
        assert (provisional.location, provisional.duration) == (new, JUN - JAN)

    def test_a_kep_that_moves_and_changes_in_one_commit(self, git: Git) -> None:
        old = "keps/sig-apps/1234-faster-pods"
        git.commit({f"{old}/kep.yaml": kep_yaml("provisional")}, JAN)
        git.commit({f"{KEP}/kep.yaml": kep_yaml("implementable")}, MAR)
        history = keps.history.load(git.path)
        assert [(c.location, c.old, c.new) for c in history.changes] == [
            (old, None, "provisional"),
            (KEP, "provisional", "implementable"),
        ]
        assert len(history.trails) == 1

    def test_a_removed_kep_ends_its_values_and_its_span(self, git: Git) -> None:
        git.commit({f"{KEP}/kep.yaml": kep_yaml("provisional", stage="alpha")}, JAN)
        gone = git.commit({"README.md": "no KEPs"}, MAR)
        history = keps.history.load(git.path)
        assert [(c.field, c.old, c.new, c.commit) for c in history.changes[2:]] == [
            ("state", "provisional", None, gone),
            ("stage", "alpha", None, gone),
        ]
        (span,) = history.spans()
        assert (span.end, span.duration) == (MAR, dt.timedelta(days=60))

    def test_two_folders_with_one_number_are_two_keps(self, git: Git) -> None:
        one, two = "keps/sig-node/2133-a", "keps/sig-cloud-provider/2133-b"
        git.commit(
            {
                f"{one}/kep.yaml": kep_yaml("implemented", 2133),
                f"{two}/kep.yaml": kep_yaml("provisional", 2133, "sig-cloud-provider"),
            },
            JAN,
        )
        history = keps.history.load(git.path)
        assert sorted(t.location for t in history.trails) == sorted([one, two])
        assert len(history.for_kep(2133)) == 2
        assert [c.new for c in history.for_kep(two)] == ["provisional"]

    def test_only_kep_folders_count(self, git: Git) -> None:
        git.commit(
            {
                "keps/NNNN-kep-template/kep.yaml": kep_yaml("provisional", 0),
                "keps/prod-readiness/sig-node/1234.yaml": "kep-number: 1234\n",
                f"{KEP}/kep.yaml": kep_yaml("provisional"),
                f"{KEP}/guides/kep.yaml": kep_yaml("withdrawn"),  # inside a KEP folder
                "keps/sig-node/.hidden/kep.yaml": kep_yaml("withdrawn"),
                "keps/sig-node/group/4321-deep/kep.yaml": kep_yaml("implemented", 4321),
                "pkg/testdata/keps/sig-x/9999-x/kep.yaml": kep_yaml("withdrawn", 9999),
            },
            JAN,
        )
        history = keps.history.load(git.path)
        assert [(c.location, c.new) for c in history.changes] == [
            ("keps/sig-node/1234-faster-pods", "provisional"),
            ("keps/sig-node/group/4321-deep", "implemented"),
        ]

    def test_the_number_comes_from_the_folder_when_kep_yaml_has_none(self, git: Git) -> None:
        text = kep_yaml("provisional").replace("kep-number: 1234\n", "")
        git.commit({f"{KEP}/kep.yaml": text}, JAN)
        assert keps.history.load(git.path).changes[0].kep_number == 1234


class TestMerges:
    def test_the_first_parent_is_followed_and_a_merge_is_one_change(self, git: Git) -> None:
        kep, other = f"{KEP}/kep.yaml", "keps/sig-apps/99-other/kep.yaml"
        base = git.commit({kep: kep_yaml("provisional")}, JAN, "Alice")
        feb = dt.datetime(2024, 2, 1, tzinfo=UTC)
        branch = git.commit({kep: kep_yaml("implementable")}, feb, "Dev", parents=[base], ref=None)
        main = git.commit(
            {kep: kep_yaml("provisional"), other: kep_yaml("provisional", 99, "sig-apps")},
            MAR,
            "Alice",
        )
        merge = git.commit(
            {kep: kep_yaml("implementable"), other: kep_yaml("provisional", 99, "sig-apps")},
            JUN,
            "Merger",
            parents=[main, branch],
        )
        history = keps.history.load(git.path)
        assert branch not in {c.commit for c in history.changes}
        assert [(c.commit, c.author, c.time) for c in history.for_kep(1234)] == [
            (base, "Alice <alice@example.com>", JAN),
            (merge, "Merger <merger@example.com>", JUN),
        ]
        assert [c.new for c in history.for_kep(99)] == ["provisional"]


class TestTimes:
    def test_a_commit_with_a_utc_offset_is_the_same_instant_in_utc(self, git: Git) -> None:
        kep = f"{KEP}/kep.yaml"
        git.commit({kep: kep_yaml("provisional")}, JAN)
        # 02:00 on Mar 1 in UTC+2 is midnight UTC; git stores the instant and the offset
        berlin = dt.datetime(2024, 3, 1, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
        git.commit({kep: kep_yaml("implementable")}, berlin, "Bob", offset=120)
        history = keps.history.load(git.path)
        assert history.changes[1].time == MAR
        assert history.changes[1].time.utcoffset() == dt.timedelta(0)
        assert history.spans()[0].duration == dt.timedelta(days=60)

    def test_a_negative_offset(self, git: Git) -> None:
        kep = f"{KEP}/kep.yaml"
        git.commit({kep: kep_yaml("provisional")}, JAN)
        new_york = dt.datetime(2024, 2, 29, 19, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
        git.commit({kep: kep_yaml("implementable")}, new_york, "Bob", offset=-300)
        assert keps.history.load(git.path).changes[1].time == MAR

    def test_a_clock_that_runs_backwards_gives_no_negative_span(self, git: Git) -> None:
        kep = f"{KEP}/kep.yaml"
        git.commit({kep: kep_yaml("provisional")}, MAR)
        git.commit({kep: kep_yaml("implementable")}, JAN)
        spans = keps.history.load(git.path).spans(until=MAR)
        assert [(s.value, s.end, s.duration) for s in spans] == [
            ("implementable", None, MAR - JAN),  # spans are in order of their start
            ("provisional", JAN, dt.timedelta(0)),
        ]


class TestBrokenVersions:
    def test_a_kep_yaml_that_is_not_yaml_is_skipped_for_that_commit(self, git: Git) -> None:
        kep = f"{KEP}/kep.yaml"
        git.commit({kep: kep_yaml("provisional")}, JAN)
        broken = git.commit({kep: "status: [implementable\n"}, MAR)
        fixed = git.commit({kep: kep_yaml("implemented")}, JUN, "Carol")
        history = keps.history.load(git.path)
        assert [(c.old, c.new, c.commit) for c in history.changes][1:] == [
            ("provisional", "implemented", fixed)
        ]
        (problem,) = history.problems
        assert problem.path == f"{KEP}/kep.yaml"
        assert broken in problem.message
        assert problem.code == "yaml-invalid"

    def test_a_status_that_is_no_state_is_recorded_as_written(self, git: Git) -> None:
        kep = f"{KEP}/kep.yaml"
        git.commit({kep: kep_yaml("implementable")}, JAN)
        git.commit({kep: kep_yaml("imlpemented")}, MAR)
        git.commit({kep: kep_yaml("implemented")}, JUN)
        changes = keps.history.load(git.path).changes
        assert [c.new for c in changes] == ["implementable", "imlpemented", "implemented"]


class TestErrors:
    def test_an_unknown_ref_names_the_repository(self, git: Git) -> None:
        three_states(git)
        with pytest.raises(InvalidArgumentError, match="no commit 'v9.99'") as caught:
            keps.history.load(git.path, ref="v9.99")
        assert str(git.path) in str(caught.value)

    def test_a_folder_with_no_keps_names_the_folder(self, tmp_path: Path) -> None:
        with pytest.raises(KepNotFoundError) as caught:
            keps.history.load(tmp_path)
        assert str(tmp_path) in str(caught.value)

    def test_a_missing_folder(self, tmp_path: Path) -> None:
        with pytest.raises(KepNotFoundError, match="no such folder"):
            keps.history.load(tmp_path / "nowhere")

    def test_a_checkout_that_is_not_git_has_no_history(self, tmp_path: Path) -> None:
        folder = tmp_path / "enhancements" / "keps" / "sig-node" / "1234-x"
        folder.mkdir(parents=True)
        (folder / "kep.yaml").write_text(kep_yaml("provisional"))
        with pytest.raises(KepNotFoundError, match="not a git repository") as caught:
            keps.history.load(tmp_path / "enhancements")
        assert str(tmp_path / "enhancements") in str(caught.value)

    def test_a_repository_inside_another_is_not_searched_upwards(self, git: Git) -> None:
        three_states(git)
        inner = git.path / "docs"
        inner.mkdir()
        with pytest.raises(KepNotFoundError):
            keps.history.load(inner)

    def test_the_keps_folder_of_a_checkout_names_the_checkout(self, git: Git) -> None:
        three_states(git)
        (git.path / "keps").mkdir()
        assert len(keps.history.load(git.path / "keps").changes) == 3

    def test_a_repository_without_commits_has_an_empty_history(self, git: Git) -> None:
        (git.path / "keps" / "sig-node" / "1-x").mkdir(parents=True)
        (git.path / "keps" / "sig-node" / "1-x" / "kep.yaml").write_text(kep_yaml("provisional"))
        history = keps.history.load(git.path)
        assert (history.changes, history.until, history.spans()) == ((), None, ())

    @pytest.mark.parametrize(("field", "by"), [("status", "kep"), ("state", "owner")])
    def test_an_unknown_field_or_grouping(self, git: Git, field: str, by: str) -> None:
        three_states(git)
        with pytest.raises(InvalidArgumentError) as caught:
            keps.history.load(git.path).time_in_state(field, by)
        assert isinstance(caught.value, KepError)

    def test_every_repr_is_one_line(self, git: Git) -> None:
        three_states(git)
        history = keps.history.load(git.path)
        shown = [history, history.changes[0], history.spans()[0], history.trails[0]]
        assert all("\n" not in repr(item) for item in shown)
        assert repr(history) == (
            "History(changes=3, keps=1, problems=0, until=2024-06-01T00:00:00+00:00)"
        )


class TestSeedLayout:
    def test_states_come_from_the_lifecycle_events(self, tmp_path: Path) -> None:
        root = tmp_path / "content"
        root.mkdir()
        target = "sig-node/my-kep"
        days = [dt.datetime(2019, 1, d, 12, tzinfo=UTC) for d in (1, 5, 10, 20, 30)]
        kep_dir = workflow.init(runtime(root, target), now=days[0])
        edit(kep_dir, "summary.md", "motivation.md")
        workflow.propose(runtime(root, target), now=days[1])
        workflow.accept(runtime(root, target, APPROVER), now=days[2])
        workflow.plan(runtime(root, target), now=days[2])
        edit(kep_dir, "guides/developer.md", "guides/operator.md", "guides/teacher.md")
        edit(kep_dir, "graduation_criteria.md")
        workflow.approve(runtime(root, target, APPROVER), now=days[3])
        workflow.implement(runtime(root, target, APPROVER), now=days[4])
        history = keps.history.load(root)
        location = "sig-node/sig-wide/my-kep"
        assert [
            (c.location, c.old, c.new, c.author, c.time, c.commit) for c in history.changes
        ] == [
            (location, None, "draft", AUTHOR, days[0], ""),
            (location, "draft", "provisional", APPROVER, days[2], ""),
            (location, "provisional", "implementable", APPROVER, days[3], ""),
            (location, "implementable", "implemented", APPROVER, days[4], ""),
        ]
        assert history.until == days[4]
        assert [s.duration for s in history.spans()] == [
            dt.timedelta(days=9),
            dt.timedelta(days=10),
            dt.timedelta(days=10),
            dt.timedelta(0),
        ]
        assert history.spans()[0].owning_sig == "sig-node"

    def test_a_seed_tree_in_git_is_read_from_its_events(self, tmp_path: Path) -> None:
        root = tmp_path / "content"
        root.mkdir()
        workflow.init(runtime(root, "sig-node/my-kep"), now=JAN)
        repo = Git(root)
        repo.commit({"README.md": "content"}, MAR)
        history = keps.history.load(root)
        assert [(c.new, c.time) for c in history.changes] == [("draft", JAN)]

    def test_every_event_that_changes_a_state_is_known(self) -> None:
        assert set(keps.history.STEP_STATES) == {
            "init",
            "accept",
            "approve",
            "implement",
            "defer",
            "reject",
            "withdraw",
            "replace",
        }


@pytest.mark.corpus
def test_the_corpus_as_a_repository_finds_exactly_the_one_change(tmp_path: Path) -> None:
    """All of kubernetes/enhancements in one commit, then one KEP's status changed."""
    if not CORPUS.is_dir():
        pytest.skip(
            f"needs the shared KEP corpus at {CORPUS} (absent in a fresh clone; present in CI)"
        )
    root = tmp_path / "enhancements"
    shutil.copytree(CORPUS / "enhancements-2026", root)
    repo = pygit2.init_repository(str(root))
    repo.index.add_all()
    repo.index.write()
    everyone = pygit2.Signature("Corpus", "corpus@example.com", int(JAN.timestamp()), 0)
    first = repo.create_commit("HEAD", everyone, everyone, "corpus", repo.index.write_tree(), [])
    kep = root / "keps" / "sig-node" / "1287-in-place-update-pod-resources" / "kep.yaml"
    text = kep.read_text()
    before = next(line for line in text.splitlines() if line.startswith("status:"))
    kep.write_text(text.replace(before, "status: withdrawn"))
    repo.index.add(kep.relative_to(root).as_posix())
    repo.index.write()
    bob = pygit2.Signature("Bob", "bob@example.com", int(MAR.timestamp()), 60)
    second = repo.create_commit("HEAD", bob, bob, "withdraw", repo.index.write_tree(), [first])
    history = keps.history.load(root)
    assert len(history.trails) == 655
    assert [c for c in history.changes if c.commit != str(first)] == [
        Change(
            "keps/sig-node/1287-in-place-update-pod-resources",
            1287,
            "state",
            before.split(":", 1)[1].strip(),
            "withdrawn",
            str(second),
            "Bob <bob@example.com>",
            MAR,
        )
    ]
