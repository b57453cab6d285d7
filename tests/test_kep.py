"""Kep: opening, creating, changing and persisting one KEP on disk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import keps
from keps import (
    CheckFailedError,
    InvalidContentError,
    KepExistsError,
    KepNotFoundError,
    PathOutsideError,
    State,
    TransitionError,
    UnknownSigError,
)
from tests.kep_factory import T0, make_kep, snapshot

LATER = T0 + dt.timedelta(days=3)

HAND_WRITTEN = """\
# Written by hand: keep this comment
authors:
- alice   # the first author
title: Hand Written KEP
reviewers:
- rita
approvers:
- arnold
state: provisional
last_updated: 2019-01-02T03:04:05.678901Z
created: 2019-01-02T03:04:05.678901Z
uuid: 0b1ad5c4-2a52-4d0b-a2e3-3b3b3f3e6f11
sections:
- summary.md
- motivation.md
- README.md
owning_sig: sig-node
sig_wide: true
tracking_issue: https://example.invalid/issues/1   # a key keps does not know
"""


@pytest.fixture(name="hand_written")
def _hand_written(tmp_path: Path) -> Path:
    kep_dir = tmp_path / "sig-node" / "sig-wide" / "hand-written-kep"
    kep_dir.mkdir(parents=True)
    (kep_dir / "metadata.yaml").write_text(HAND_WRITTEN)
    for name in ("summary.md", "motivation.md", "README.md"):
        (kep_dir / name).write_text(f"# {name}\n\nText.\n")
    return kep_dir


class TestOpen:
    def test_fields_as_properties(self, hand_written: Path) -> None:
        """Every metadata field reads as a property of the KEP."""
        kep = keps.open(hand_written)
        assert kep.title == "Hand Written KEP"
        assert kep.state is State.PROVISIONAL
        assert kep.authors == ("alice",)
        assert kep.sections == ("summary.md", "motivation.md", "README.md")
        assert kep.sig_wide and not kep.kubernetes_wide
        assert kep.created == dt.datetime(2019, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
        assert kep.content_root == hand_written.parent.parent.parent

    def test_open_by_metadata_path(self, hand_written: Path) -> None:
        """The path of metadata.yaml opens the KEP too."""
        assert keps.open(hand_written / "metadata.yaml").path == hand_written

    def test_content_root_is_the_folder_holding_keps_yaml(self, tmp_path: Path) -> None:
        """keps.yaml or sigs.yaml marks the content root, wherever the KEP sits below it."""
        root = tmp_path / "root"
        kep = make_kep(root, "sig-node/kubelet/deep-kep")
        (root / "keps.yaml").write_text("keps: []\n")
        assert keps.open(kep.path).content_root == root

    def test_missing_folder(self, tmp_path: Path) -> None:
        """No folder: KepNotFoundError, which is also a FileNotFoundError."""
        with pytest.raises(KepNotFoundError, match="no KEP folder") as caught:
            keps.open(tmp_path / "nope")
        assert isinstance(caught.value, FileNotFoundError)

    def test_folder_without_metadata(self, tmp_path: Path) -> None:
        """A folder without metadata.yaml is not a KEP, and the error says so."""
        with pytest.raises(KepNotFoundError) as caught:
            keps.open(tmp_path)
        message = f"{tmp_path.absolute()} holds no metadata.yaml or kep.yaml: it is not a KEP"
        assert caught.value.message == message
        assert caught.value.path == str(tmp_path.absolute() / "metadata.yaml")

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("", "is empty"),
            ("   \n# only a comment\n", "is empty"),
            ("title: [unclosed\n", "invalid YAML in .*metadata.yaml at line"),
            ("title: a\ntitle: b\n", "duplicate key 'title'"),
            ("- a\n- b\n", "must hold a YAML mapping"),
            ("title: T\nstate: pending\n", "unknown state 'pending'"),
            ("title: T\ncreated: 2018-15-40\n", "invalid YAML in .*metadata.yaml"),
        ],
    )
    def test_bad_metadata_names_the_file(self, tmp_path: Path, content: str, message: str) -> None:
        """Malformed YAML, an empty file, a list, an unknown state: a KepError naming the file."""
        (tmp_path / "metadata.yaml").write_text(content)
        with pytest.raises(InvalidContentError, match=message) as caught:
            keps.open(tmp_path)
        assert caught.value.path is not None
        assert caught.value.path.endswith("metadata.yaml")
        assert str(tmp_path) in str(caught.value)

    def test_binary_metadata(self, tmp_path: Path) -> None:
        """Bytes that are not UTF-8 give a KepError naming the file, not a UnicodeDecodeError."""
        (tmp_path / "metadata.yaml").write_bytes(b"title: \xff\xfe\x00\n")
        with pytest.raises(InvalidContentError, match="not valid UTF-8") as caught:
            keps.open(tmp_path)
        assert caught.value.path == str(tmp_path.absolute() / "metadata.yaml")

    def test_alias_bomb_is_refused(self, tmp_path: Path) -> None:
        """Aliases that would expand a small file into a huge one are refused quickly."""
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for i in range(1, 9):
            refs = ", ".join([f"*a{i - 1}"] * 10)
            lines.append(f"a{i}: &a{i} [{refs}]")
        (tmp_path / "metadata.yaml").write_text("\n".join(lines) + "\ntitle: T\n")
        with pytest.raises(InvalidContentError, match="more than .* YAML nodes"):
            keps.open(tmp_path)


class TestRoundTrip:
    def test_persist_unchanged_writes_nothing(self, hand_written: Path) -> None:
        """Opening and persisting unchanged leaves every byte (and mtime) as it was."""
        before = snapshot(hand_written)
        mtimes = {p: p.stat().st_mtime_ns for p in hand_written.rglob("*")}
        assert keps.open(hand_written).persist() is False
        assert snapshot(hand_written) == before
        assert {p: p.stat().st_mtime_ns for p in hand_written.rglob("*")} == mtimes

    def test_change_keeps_comments_unknown_keys_and_order(self, hand_written: Path) -> None:
        """Adding a reviewer changes that list and last_updated, and nothing else."""
        kep = keps.open(hand_written)
        kep.add_reviewers("bob")
        assert kep.persist(now=LATER) is True
        expected = HAND_WRITTEN.replace("- rita\n", "- rita\n- bob\n").replace(
            "last_updated: 2019-01-02T03:04:05.678901Z", "last_updated: 2019-01-05T03:04:05.678901Z"
        )
        assert (hand_written / "metadata.yaml").read_text() == expected

    def test_new_key_goes_where_the_seed_puts_it(self, hand_written: Path) -> None:
        """A field the file did not have is inserted at its place in the seed's key order."""
        kep = keps.open(hand_written)
        kep.update(editors=("ed",))
        kep.persist(now=LATER)
        text = (hand_written / "metadata.yaml").read_text()
        assert "approvers:\n- arnold\neditors:\n- ed\nstate: provisional\n" in text
        assert "# a key keps does not know" in text

    def test_indentation_of_the_file_is_kept(self, tmp_path: Path) -> None:
        """A file that indents its lists keeps doing so after an edit."""
        kep = make_kep(tmp_path, "sig-node/indented", state=State.PROVISIONAL)
        meta = kep.path / "metadata.yaml"
        indented = meta.read_text().replace("\n- ", "\n  - ")
        meta.write_text(indented)
        kep = keps.open(kep.path)
        kep.add_approvers("zoe")
        kep.persist(now=LATER)
        assert "approvers:\n  - arnold\n  - zoe\n" in meta.read_text()

    def test_reopened_kep_equals_what_was_saved(self, tmp_path: Path) -> None:
        """What persist writes, open reads back field for field."""
        kep = make_kep(tmp_path, "sig-node/kubelet/again", state=State.IMPLEMENTABLE)
        kep.add_reviewers("zed")
        kep.add_event("plan", "alice", now=LATER)
        kep.persist(now=LATER)
        assert keps.open(kep.path).metadata == kep.metadata

    def test_second_persist_after_a_change_writes_nothing(self, hand_written: Path) -> None:
        """After a persist, the same object persisting again has nothing to write."""
        kep = keps.open(hand_written)
        kep.add_reviewers("bob")
        assert kep.persist(now=LATER)
        assert kep.persist(now=LATER + dt.timedelta(days=1)) is False
        assert keps.open(hand_written).last_updated == LATER


class TestNew:
    @pytest.mark.parametrize(
        ("target", "where", "sig", "kind"),
        [
            ("my-kep", "kubernetes-wide/my-kep", "sig-architecture", "kubernetes_wide"),
            (
                "kubernetes-wide/my-kep",
                "kubernetes-wide/my-kep",
                "sig-architecture",
                "kubernetes_wide",
            ),
            ("sig-node/my-kep", "sig-node/sig-wide/my-kep", "sig-node", "sig_wide"),
            ("sig-node/sig-wide/my-kep", "sig-node/sig-wide/my-kep", "sig-node", "sig_wide"),
            ("sig-node/kubelet/my-kep", "sig-node/kubelet/my-kep", "sig-node", "subproject"),
        ],
    )
    def test_targets_route_to_the_three_kinds(
        self, tmp_path: Path, target: str, where: str, sig: str, kind: str
    ) -> None:
        """A name, SIG/NAME, SIG/SUBPROJECT/NAME and on-disk paths land where DESIGN says."""
        kep = keps.new(target, content_root=tmp_path, authors=["alice"], now=T0)
        assert kep.path == tmp_path.resolve() / where
        assert kep.owning_sig == sig
        assert kep.kubernetes_wide is (kind == "kubernetes_wide")
        assert kep.sig_wide is (kind == "sig_wide")
        assert kep.affected_subprojects == (("kubelet",) if kind == "subproject" else ())

    def test_absolute_target_inside_the_root(self, tmp_path: Path) -> None:
        """An absolute path inside the content root is a target too."""
        kep = keps.new(
            tmp_path / "sig-node" / "sig-wide" / "abs", content_root=tmp_path, authors=["a"]
        )
        assert kep.path == tmp_path.resolve() / "sig-node/sig-wide/abs"

    @pytest.mark.parametrize("target", ["../escape", "sig-node/../../escape", "sig-node/.hidden"])
    def test_targets_that_leave_the_root(self, tmp_path: Path, target: str) -> None:
        """'..' and hidden parts are refused before anything is written."""
        with pytest.raises(PathOutsideError):
            keps.new(target, content_root=tmp_path / "root", authors=["a"])
        assert not (tmp_path / "escape").exists()

    def test_absolute_target_outside_the_root(self, tmp_path: Path) -> None:
        """An absolute path elsewhere is refused and named."""
        with pytest.raises(PathOutsideError, match="not inside the content root"):
            keps.new(tmp_path / "elsewhere" / "k", content_root=tmp_path / "root", authors=["a"])

    def test_unknown_sig(self, tmp_path: Path) -> None:
        """A SIG the registry does not know is refused with a suggestion."""
        with pytest.raises(UnknownSigError, match="sig-node"):
            keps.new("sig-nod/my-kep", content_root=tmp_path, authors=["a"])

    def test_title_from_the_last_path_element(self, tmp_path: Path) -> None:
        """dynamic-kubelet-config becomes "Dynamic Kubelet Config"."""
        kep = keps.new("sig-node/dynamic-kubelet-config", content_root=tmp_path, authors=["a"])
        assert kep.title == "Dynamic Kubelet Config"

    def test_persist_creates_the_skeleton_and_readme(self, tmp_path: Path) -> None:
        """A new KEP's first persist writes the folders, metadata and README."""
        kep = keps.new("sig-node/fresh", content_root=tmp_path, authors=["alice"], now=T0)
        assert kep.persist(now=T0)
        files = set(snapshot(kep.path))
        assert files == {
            "metadata.yaml",
            "README.md",
            "guides/.gitkeep",
            "experience_reports/.gitkeep",
            "assets/.gitkeep",
        }
        reopened = keps.open(kep.path)
        assert reopened.state is State.DRAFT
        assert reopened.sections == ("README.md",)
        assert reopened.created == T0
        assert (
            "last_updated: 2019-01-02T03:04:05.678901Z" in (kep.path / "metadata.yaml").read_text()
        )

    def test_refuses_a_target_that_holds_a_kep(self, tmp_path: Path) -> None:
        """new() never overwrites a KEP."""
        make_kep(tmp_path, "sig-node/taken")
        with pytest.raises(KepExistsError, match="already exists"):
            keps.new("sig-node/taken", content_root=tmp_path, authors=["bob"])


class TestChanges:
    def test_set_state_follows_the_table(self, tmp_path: Path) -> None:
        """draft -> implementable skips a step and is refused with both states named."""
        kep = make_kep(tmp_path)
        with pytest.raises(TransitionError, match="a draft KEP cannot become implementable"):
            kep.set_state(State.IMPLEMENTABLE)
        kep.set_state("provisional")
        assert kep.state is State.PROVISIONAL

    def test_approvers_and_reviewers_keep_order(self, tmp_path: Path) -> None:
        """Added people go after the existing ones, each once."""
        kep = make_kep(tmp_path, state=State.PROVISIONAL)
        kep.add_approvers("zed", "arnold", "amy", "zed")
        kep.add_reviewers("bo")
        assert kep.approvers == ("arnold", "zed", "amy")
        assert kep.reviewers == ("rita", "bo")

    def test_sections_are_ordered_and_listed_once(self, tmp_path: Path) -> None:
        """Summary first, user sections after it in the order added, README last."""
        kep = make_kep(tmp_path, state=State.DRAFT)
        kep.set_section("Risks", "# Risks\n\nMany.\n")
        kep.set_section("Graduation Criteria", "# G\n\nCriteria.\n")
        kep.set_section("FAQ", "# FAQ\n\nQ.\n")
        kep.set_section("Risks", "# Risks\n\nFewer.\n")
        kep.persist(now=LATER)
        reopened = keps.open(kep.path)
        assert reopened.sections == (
            "summary.md",
            "risks.md",
            "faq.md",
            "motivation.md",
            "graduation_criteria.md",
            "README.md",
        )
        assert reopened.section_text("Risks") == "# Risks\n\nFewer.\n"
        readme = (kep.path / "README.md").read_text()
        contents = readme.split("## Table of Contents", 1)[1]
        assert contents.count("(risks.md)") == 1
        assert "README.md" not in contents
        assert (
            contents.index("Summary")
            < contents.index("Risks")
            < contents.index("Faq")
            < contents.index("Motivation")
        )

    @pytest.mark.parametrize(
        "section", ["../../etc/passwd.md", "/etc/passwd.md", "guides/../../x.md"]
    )
    def test_section_paths_that_leave_the_kep(self, tmp_path: Path, section: str) -> None:
        """A section may not be written outside the KEP folder."""
        kep = make_kep(tmp_path)
        with pytest.raises(PathOutsideError, match="leaves the KEP folder"):
            kep.set_section(section, "x")

    def test_update_refuses_unknown_fields(self, tmp_path: Path) -> None:
        """A typo in a field name is an error, not a silently ignored change."""
        kep = make_kep(tmp_path)
        with pytest.raises(InvalidContentError, match="unknown metadata field.*titel"):
            kep.update(titel="x")


class TestBrokenOnDisk:
    def test_listed_section_path_outside_is_a_problem(self, hand_written: Path) -> None:
        """A hand-edited '../../etc/passwd' in sections fails the check and is never read."""
        meta = hand_written / "metadata.yaml"
        meta.write_text(meta.read_text().replace("- motivation.md", "- ../../etc/passwd"))
        kep = keps.open(hand_written)
        with pytest.raises(CheckFailedError) as caught:
            kep.check()
        codes = [p.code for p in caught.value.problems]
        assert "section-path-outside" in codes
        assert str(hand_written) in str(caught.value)
        with pytest.raises(PathOutsideError):
            kep.section_text("../../etc/passwd")

    def test_symlink_out_of_the_kep_is_a_problem(self, hand_written: Path, tmp_path: Path) -> None:
        """A section that is a symlink pointing outside the KEP folder is refused."""
        secret = tmp_path / "secret.md"
        secret.write_text("secret")
        (hand_written / "motivation.md").unlink()
        (hand_written / "motivation.md").symlink_to(secret)
        problems = keps.open(hand_written).problems()
        assert [p.code for p in problems] == ["section-path-outside"]

    def test_missing_section_file_names_the_file(self, hand_written: Path) -> None:
        """A listed section that is not on disk is reported with its path."""
        (hand_written / "summary.md").unlink()
        with pytest.raises(CheckFailedError) as caught:
            keps.open(hand_written).check()
        (problem,) = caught.value.problems
        assert problem.code == "section-missing"
        assert problem.path == str(hand_written / "summary.md")
        with pytest.raises(KepNotFoundError, match="summary.md"):
            keps.open(hand_written).section_text("summary.md")

    def test_persist_refuses_a_kep_that_fails_its_checks(self, hand_written: Path) -> None:
        """persist checks first: nothing is written for a KEP that would be invalid."""
        before = snapshot(hand_written)
        kep = keps.open(hand_written)
        kep.update(title="")
        with pytest.raises(CheckFailedError, match="fails 1 check"):
            kep.persist()
        assert snapshot(hand_written) == before


def test_section_name_without_letters_is_a_kep_error(tmp_path: Path) -> None:
    """A section named only with punctuation is refused with a KepError, not a ValueError."""
    kep = make_kep(tmp_path)
    with pytest.raises(InvalidContentError, match="at least one letter or digit"):
        kep.set_section("!!!", "text")
