"""The incremental index cache on small generated trees: a warm rebuild is a full walk.

These tests need no ``../shared``. They keep the racy window on at its real width and
make the edits that identity checks find hardest: same-size edits with the modification
time put back (as ``cp -p``, ``rsync -t`` and ``tar`` leave files), folders swapped for
symlinks whose files keep every identity, files outside the KEP folder (production
readiness approvals, the packaged SIG list). Each warm rebuild is compared with a full
walk (``incremental=False``), which reads every file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import keps
import keps.index
from keps._files import FileTransaction
from keps.cli import cli
from keps.index import build, forked
from tests.index_cache_helpers import (
    edit_same_size,
    enhancements_tree,
    kep_dir,
    location,
    prr_path,
    run_later,
    same,
    seed_tree,
    warm_equals_full,
    write_prr,
)
from tests.kep_factory import make_kep

ALL = 5  # KEPs in seed_tree


@pytest.fixture(name="tree", params=["one-process", "forked"])
def _tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Path:
    """A generated seed tree, rebuilt as if some seconds after it was written.

    Each test runs twice: all files checked in this process, and a share of them
    checked by a forked child (see keps.index.forked), as on a large tree.
    """
    monkeypatch.setattr(forked, "FORK_THRESHOLD", 1 if request.param == "forked" else 10**9)
    run_later(monkeypatch)
    return seed_tree(tmp_path / "content")


@pytest.fixture(name="reads")
def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The location of every KEP a rebuild reads from disk (rather than its cache)."""
    seen: list[str] = []
    original = build._index_one

    def counting(kep_dir: Path, location: str, *args: object) -> object:
        seen.append(location)
        return original(kep_dir, location, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "_index_one", counting)
    return seen


class TestWarmRebuild:
    def test_nothing_changed_reads_nothing(self, tree: Path, reads: list[str]) -> None:
        """A second rebuild of an unchanged tree takes every KEP from the cache."""
        first = keps.index.rebuild(tree)
        assert len(reads) == ALL
        reads.clear()
        same(keps.index.rebuild(tree), first)
        assert reads == []

    def test_keps_with_problems_come_from_the_cache_too(self, tree: Path, reads: list[str]) -> None:
        """A KEP with an exempted problem and a broken one whose problems name a field and
        a line are remembered with their problems: the second rebuild reads neither."""
        from keps.keps.metadata import Exemption

        exempt = make_kep(tree, "sig-node/exempt-kep", state=keps.State.PROVISIONAL)
        exempt.update(
            participating_sigs=("sig-gone",),
            exemptions=(Exemption("participating-sig-unknown", "merged into sig-node"),),
        )
        exempt.persist()
        broken = make_kep(tree, "sig-apps/broken-kep")
        broken.metadata_path.write_text(broken.metadata_path.read_text() + "kep_number: x\n")
        first = keps.index.rebuild(tree)
        assert [b.location for b in first.broken] == [location(tree, broken.path)]
        assert any(p.field and p.line for p in first.broken[0].problems)
        reads.clear()
        same(keps.index.rebuild(tree), first)
        assert reads == []

    def test_a_same_size_edit_with_its_time_put_back_is_seen(
        self, tree: Path, reads: list[str]
    ) -> None:
        """metadata.yaml edited in place to the same size, its mtime restored: the change
        time is all that differs, and it is enough."""
        keps.index.rebuild(tree)
        target = kep_dir(tree, "alpha-kep")
        edit_same_size(target / "metadata.yaml", "title: Alpha Kep", "title: Omega Kep")
        reads.clear()
        index = warm_equals_full(tree)
        assert reads[0] == location(tree, target)
        assert index.by_number(7).title == "Omega Kep"

    def test_added_moved_and_deleted_keps(self, tree: Path) -> None:
        """KEPs added, renamed, moved to another SIG or deleted between rebuilds."""
        keps.index.rebuild(tree)
        make_kep(tree, "sig-node/foxtrot-kep")
        bravo = kep_dir(tree, "bravo-kep")
        bravo.rename(bravo.parent / "bravo-renamed")
        charlie = kep_dir(tree, "charlie-kep")
        shutil.move(str(charlie), str(kep_dir(tree, "alpha-kep").parent / "charlie-kep"))
        shutil.rmtree(kep_dir(tree, "delta-kep"))
        index = warm_equals_full(tree)
        assert sorted(e.location for e in index.entries) == [
            "sig-node/kubelet/bravo-renamed",
            "sig-node/sig-wide/alpha-kep",
            "sig-node/sig-wide/charlie-kep",
            "sig-node/sig-wide/foxtrot-kep",
            "sig-storage/sig-wide/echo-kep",
        ]

    def test_guides_moved_out_and_linked_back(self, tree: Path) -> None:
        """guides/ moved out of the KEP and symlinked back: its files keep inode, size and
        times, yet the sections now leave the KEP folder (issue 12, item 3a)."""
        keps.index.rebuild(tree)
        target = kep_dir(tree, "alpha-kep")
        outside = tree.parent / "elsewhere"
        outside.mkdir()
        (target / "guides").rename(outside / "guides")  # a rename: the files keep identity
        (target / "guides").symlink_to(outside / "guides")
        index = warm_equals_full(tree)
        (broken,) = index.broken
        assert broken.location == location(tree, target)
        outside_codes = [p.code for p in broken.problems if p.code == "section-path-outside"]
        assert len(outside_codes) == 3

    def test_guides_linked_to_a_folder_inside_the_kep(self, tree: Path) -> None:
        """A guides/ link that stays inside the KEP folder keeps the KEP good, and moving
        the link's target out afterwards breaks it."""
        keps.index.rebuild(tree)
        target = kep_dir(tree, "alpha-kep")
        (target / "guides").rename(target / "assets" / "guides")
        (target / "guides").symlink_to(Path("assets") / "guides")
        assert location(tree, target) in {e.location for e in warm_equals_full(tree).entries}
        (target / "assets" / "guides").rename(tree.parent / "guides")
        (target / "assets" / "guides").symlink_to(tree.parent / "guides")
        assert location(tree, target) in {b.location for b in warm_equals_full(tree).broken}

    def test_a_broken_keps_number_still_counts(self, tree: Path) -> None:
        """A broken KEP's number clashes with a good KEP's number and stays in use, from
        the cache as from a full walk (issue 18: numbers of broken KEPs ignored)."""
        clash = make_kep(tree, "sig-apps/golf-kep", state=keps.State.IMPLEMENTABLE)
        clash.update(kep_number=7)
        clash.persist()
        high = make_kep(tree, "sig-apps/hotel-kep", state=keps.State.IMPLEMENTABLE)
        high.update(kep_number=50)
        high.persist()
        for kep in (clash, high):
            (kep.path / "summary.md").unlink()  # now broken: a required section is gone
        keps.index.rebuild(tree)
        index = warm_equals_full(tree)
        assert {b.location for b in index.broken} == {
            location(tree, clash.path),
            location(tree, high.path),
        }
        (problem,) = index.problems  # and no "next number too low" from a broken KEP's number
        assert problem.code == "duplicate-kep-number"
        assert location(tree, clash.path) in problem.message
        assert location(tree, kep_dir(tree, "alpha-kep")) in problem.message
        assert index.next_kep_number == 51


def test_the_rebuilding_process_carries_on_after_its_child(tmp_path: Path) -> None:
    """A warm rebuild that forks a child to check sections returns in the process that
    called it: only the child leaves early (a parent taking the child's branch would end
    the caller's process with exit code 0, which no in-process test could notice)."""
    import subprocess
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("keps forks a section-check child on Linux only")
    root = seed_tree(tmp_path / "content")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "import keps.index\n"
        "from keps.index import build, forked\n"
        "from tests.index_cache_helpers import LaterClock\n"
        "forked.FORK_THRESHOLD = 1\n"
        "forked.os.cpu_count = lambda: 2  # a one-CPU machine forks no child\n"
        "build.time = LaterClock(10.0)\n"
        "root = Path(sys.argv[1])\n"
        "keps.index.rebuild(root)\n"
        "started = []\n"
        "original = forked.start\n"
        "forked.start = lambda *a: started.append(original(*a)) or started[-1]\n"
        "index = keps.index.rebuild(root)\n"
        "print('carried on', len(index.entries), [c is not None for c in started], flush=True)\n"
    )
    repository = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code, str(root)],
        cwd=repository,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "carried on 5 [True]\n", "")


class TestRacyWindow:
    """With the real clock: files written just before a rebuild are not remembered."""

    def test_keps_written_within_the_window_are_read_again(
        self, tmp_path: Path, reads: list[str]
    ) -> None:
        """A second change in the same clock tick could keep a file's identity, so a KEP
        changed within the window is read by the next rebuild too."""
        root = seed_tree(tmp_path / "content")
        for path in root.rglob("*"):
            os.utime(path)  # every file changed just now, however long the set-up took
        first = keps.index.rebuild(root)
        reads.clear()
        same(keps.index.rebuild(root), first)
        assert len(reads) == ALL

    def test_a_parsed_index_changed_within_the_window_is_checked_by_its_bytes(
        self, tmp_path: Path
    ) -> None:
        """keps.yaml rewritten between persist's write and its record of the file (same
        size, same tick): the record holds the new file's identity with the old bytes'
        digest, and open must still give what the file says."""
        root = seed_tree(tmp_path / "content")
        index = keps.index.rebuild(root)
        path = root / "keps.yaml"
        written_ns = time.time_ns()
        text = index.to_yaml()
        path.write_text(text, encoding="utf-8")
        # another writer, within the same tick
        path.write_text(text.replace("title: Alpha Kep", "title: Omega Kep"), encoding="utf-8")
        index.remember_written(text, written_ns)
        assert keps.index.open(root).by_number(7).title == "Omega Kep"


class TestIndexFile:
    def test_a_same_size_edit_of_keps_yaml_is_seen_by_open(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """keps.yaml edited to the same size with its mtime put back, after open has come
        to trust its identity: the next open reads what the file now says."""
        root = seed_tree(tmp_path / "content")
        path = root / "keps.yaml"
        path.write_text(keps.index.rebuild(root).to_yaml(), encoding="utf-8")
        run_later(monkeypatch)
        assert keps.index.open(root).by_number(7).title == "Alpha Kep"  # remembered
        edit_same_size(path, "title: Alpha Kep", "title: Omega Kep")
        assert keps.index.open(root).by_number(7).title == "Omega Kep"

    def test_a_same_size_edit_of_keps_yaml_is_seen_by_rebuild(
        self, tree: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A number recorded in keps.yaml stays used, also after a same-size edit with the
        mtime put back (the warm rebuild remembers what it learned from the file)."""
        gone = make_kep(tree, "sig-apps/india-kep", state=keps.State.IMPLEMENTABLE)
        gone.update(kep_number=15)
        gone.persist()
        keps.index.rebuild(tree).persist()
        shutil.rmtree(gone.path)
        assert warm_equals_full(tree).next_kep_number == 31  # keps.yaml's next number
        edit_same_size(tree / "keps.yaml", "kep_number: 15", "kep_number: 95")
        assert warm_equals_full(tree).next_kep_number == 96

    def test_stage_on_a_stale_index_never_lowers_the_next_number(self, tmp_path: Path) -> None:
        """An index read before another process claimed numbers writes its keps.yaml
        through a transaction: the stored next number stays where the other left it."""
        root = seed_tree(tmp_path / "content")
        stale = keps.index.rebuild(root)
        fresh = keps.index.rebuild(root)
        claimed = [fresh.claim_next_number() for _ in range(5)]
        fresh.persist()
        assert claimed == [31, 32, 33, 34, 35]
        transaction = FileTransaction()
        stale.stage_writes(transaction)
        transaction.commit()
        assert keps.index.open(root).next_kep_number == 36
        assert keps.index.rebuild(root, incremental=False).next_kep_number == 36

    def test_kepctl_index_rebuild_leaves_an_unchanged_file_alone(self, tmp_path: Path) -> None:
        """A second `kepctl index rebuild` with nothing changed writes nothing: keps.yaml
        keeps its inode and times (editors and file watchers see no change)."""
        root = seed_tree(tmp_path / "content")
        runner = CliRunner()
        args = ["--content-root", str(root), "index", "rebuild"]
        assert runner.invoke(cli, args).exit_code == 0
        path = root / "keps.yaml"
        before = path.stat()
        text = path.read_bytes()
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        after = path.stat()
        assert (after.st_ino, after.st_mtime_ns, after.st_ctime_ns) == (
            before.st_ino,
            before.st_mtime_ns,
            before.st_ctime_ns,
        )
        assert path.read_bytes() == text

    def test_persist_writes_when_the_file_differs(self, tmp_path: Path) -> None:
        """persist still writes a changed index, and says whether it wrote."""
        root = seed_tree(tmp_path / "content")
        index = keps.index.rebuild(root)
        assert index.persist() is True
        assert index.persist() is False
        index.claim_next_number()
        assert index.persist() is True
        assert keps.index.open(root).next_kep_number == 32


class TestProductionReadiness:
    """kubernetes/enhancements layout: approvals live in keps/prod-readiness/<sig>/<n>.yaml."""

    @pytest.fixture(name="checkout")
    def _checkout(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        run_later(monkeypatch)
        return tmp_path / "enhancements"

    def test_an_edit_of_only_the_prr_file_is_seen(self, checkout: Path) -> None:
        """The approver changed in the PRR file alone - same size, mtime put back - shows
        in a warm rebuild (issue 12, item 3b)."""
        enhancements_tree(checkout, prr="@alice")
        assert warm_equals_full(checkout).by_number(1234).prr_approver_for("beta") == "@alice"
        edit_same_size(prr_path(checkout), '"@alice"', '"@bobby"')
        assert warm_equals_full(checkout).by_number(1234).prr_approver_for("beta") == "@bobby"

    def test_a_prr_file_added_later_is_seen(self, checkout: Path) -> None:
        """A KEP without approvals gets a PRR file: its absence was part of the cache key."""
        enhancements_tree(checkout, prr=None)
        assert warm_equals_full(checkout).by_number(1234).prr_approvals == ()
        write_prr(checkout, "@alice")
        assert warm_equals_full(checkout).by_number(1234).prr_approvals == (("beta", "@alice"),)
        prr_path(checkout).unlink()
        assert warm_equals_full(checkout).by_number(1234).prr_approvals == ()


# -- the keps package itself ----------------------------------------------------------------

PACKAGE = Path(keps.__file__).resolve().parent

#: Rebuild the tree in argv[1] 10 s "later" (see run_later) and print what a user sees.
REBUILD = """
import json, sys, time
import keps, keps.index
from keps.index import build, cache

class Later:
    def time_ns(self):
        return time.time_ns() + 10 * 10**9

build.time = Later()
root = sys.argv[1]
warm = keps.index.rebuild(root)
full = keps.index.rebuild(root, incremental=False)
print(json.dumps({
    "package": keps.__file__,
    "fingerprint": cache.code_fingerprint(),
    "warm": sorted(b.location for b in warm.broken),
    "full": sorted(b.location for b in full.broken),
}))
"""


@pytest.fixture(name="package_copy")
def _package_copy(tmp_path: Path) -> Path:
    """A copy of the keps package, importable by a child process (the real one is left alone)."""
    site = tmp_path / "site"
    shutil.copytree(PACKAGE, site / "keps", ignore=shutil.ignore_patterns("__pycache__"))
    return site


def rebuild_with(site: Path, root: Path) -> dict[str, object]:
    """What a rebuild in a new process that imports keps from *site* shows."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", REBUILD, str(root)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=site,
    ).stdout
    shown: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    assert shown["package"] == str(site / "keps" / "__init__.py")
    return shown


class TestPackagedFiles:
    def test_a_change_to_the_packaged_sig_list_invalidates_the_cache(
        self, tmp_path: Path, package_copy: Path
    ) -> None:
        """sig-storage removed from keps/sigs/data/sigs.yaml: its KEP is broken at once,
        without a change to the tree (issue 12, item 3c)."""
        root = seed_tree(tmp_path / "content")
        shown = rebuild_with(package_copy, root)
        assert shown["warm"] == shown["full"] == []
        sigs = package_copy / "keps" / "sigs" / "data" / "sigs.yaml"
        lines = sigs.read_text(encoding="utf-8").splitlines(keepends=True)
        start = lines.index("- dir: sig-storage\n")
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("- dir: "))
        sigs.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
        shown = rebuild_with(package_copy, root)
        assert shown["warm"] == shown["full"] == ["sig-storage/sig-wide/echo-kep"]

    def test_every_file_of_the_package_counts_also_in_a_new_folder(
        self, tmp_path: Path, package_copy: Path
    ) -> None:
        """A module in a folder the package did not have before, and a template, are
        part of the code fingerprint: editing either invalidates the cache."""
        root = seed_tree(tmp_path / "content")
        added = package_copy / "keps" / "newly_added" / "module.py"
        added.parent.mkdir()
        added.write_text('"""A module moved to a new folder."""\n', encoding="utf-8")
        first = rebuild_with(package_copy, root)["fingerprint"]
        assert rebuild_with(package_copy, root)["fingerprint"] == first
        added.write_text('"""A module moved to a new folder, then edited."""\n')
        second = rebuild_with(package_copy, root)["fingerprint"]
        assert second != first
        template = next((package_copy / "keps").rglob("*.md"))
        template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert rebuild_with(package_copy, root)["fingerprint"] not in (first, second)
