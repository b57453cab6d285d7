"""keps.index.rebuild(incremental=True): the cache saves reads and never changes a result."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import attrs
import pytest

import keps.index
from keps.index import Entry, Index, build, cache, forked
from tests.kep_factory import gen_tree


@pytest.fixture(name="tree", params=["one-process", "forked"])
def _tree(
    shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Path:
    # files written a moment ago are "racily clean" and never cached; trust them here so
    # that the cache is really used (every edit below changes a size or adds/removes a file)
    monkeypatch.setattr(cache, "RACY_NS", -(10**18))
    # every test runs twice: all section files checked here, and a share of them checked
    # by a forked child (see keps.index.forked), as on a large tree
    monkeypatch.setattr(forked, "FORK_THRESHOLD", 1 if request.param == "forked" else 10**9)
    return gen_tree(shared, tmp_path / "content", 30)


@pytest.fixture(name="reads")
def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The location of every KEP a rebuild reads from disk, in order."""
    seen: list[str] = []
    original = build._index_one

    def counting(kep_dir: Path, location: str, *args: object) -> object:
        seen.append(location)
        return original(kep_dir, location, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "_index_one", counting)
    return seen


def same(a: Index, b: Index) -> None:
    """Assert that two indexes hold exactly the same entries, broken KEPs and numbers."""
    assert a.entries == b.entries
    assert sorted(a.broken, key=lambda k: k.location) == sorted(b.broken, key=lambda k: k.location)
    assert a.next_kep_number == b.next_kep_number
    assert a.problems == b.problems


def check(root: Path) -> Index:
    """An incremental rebuild, compared with a full walk."""
    incremental = keps.index.rebuild(root)
    same(incremental, keps.index.rebuild(root, incremental=False))
    return keps.index.rebuild(root)


def kep_dirs(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.rglob("metadata.yaml"))


def implementable(root: Path) -> Path:
    return next(d for d in kep_dirs(root) if "state: implementable" in read(d))


def read(kep_dir: Path) -> str:
    return (kep_dir / "metadata.yaml").read_text(encoding="utf-8")


class TestIncrementalRebuild:
    def test_nothing_changed_reads_nothing(self, tree: Path, reads: list[str]) -> None:
        """A second rebuild of an unchanged tree takes every KEP from the cache."""
        first = keps.index.rebuild(tree)
        assert len(reads) == 30
        reads.clear()
        same(keps.index.rebuild(tree), first)
        assert reads == []

    def test_full_walk_reads_everything(self, tree: Path, reads: list[str]) -> None:
        """incremental=False reads every KEP even with a warm cache."""
        keps.index.rebuild(tree)
        reads.clear()
        keps.index.rebuild(tree, incremental=False)
        assert len(reads) == 30

    def test_one_changed_kep_is_read_again(self, tree: Path, reads: list[str]) -> None:
        """Only the KEP whose metadata changed is read again, and its change shows."""
        keps.index.rebuild(tree)
        target = kep_dirs(tree)[3]
        text = read(target)
        (target / "metadata.yaml").write_text(
            text.replace("title: ", "title: Renamed "), encoding="utf-8"
        )
        reads.clear()
        index = keps.index.rebuild(tree)
        assert reads == [target.relative_to(tree).as_posix()]
        same(index, keps.index.rebuild(tree, incremental=False))
        assert any(e.title.startswith("Renamed ") for e in index.entries)

    def test_edit_add_move_delete(self, tree: Path) -> None:
        """Edits, new KEPs, moved and deleted KEPs between rebuilds match a full walk."""
        check(tree)
        dirs = kep_dirs(tree)
        # edit
        (dirs[0] / "metadata.yaml").write_text(
            read(dirs[0]).replace("title: ", "title: Edited "), encoding="utf-8"
        )
        # add (a copy with a new uuid)
        new = dirs[1].parent / "a-brand-new-kep"
        shutil.copytree(dirs[1], new)
        text = read(new)
        uuid_line = next(line for line in text.splitlines() if line.startswith("uuid: "))
        (new / "metadata.yaml").write_text(
            text.replace(uuid_line, "uuid: 00000000-0000-4000-8000-000000000001"),
            encoding="utf-8",
        )
        # move to another SIG folder, and rename a KEP folder in place
        shutil.move(str(dirs[2]), str(dirs[5].parent / dirs[2].name))
        dirs[3].rename(dirs[3].parent / (dirs[3].name + "-renamed"))
        # delete
        shutil.rmtree(dirs[4])
        index = check(tree)
        locations = {e.location for e in index.entries} | {b.location for b in index.broken}
        assert new.relative_to(tree).as_posix() in locations
        assert dirs[4].relative_to(tree).as_posix() not in locations
        assert (dirs[3].relative_to(tree).as_posix() + "-renamed") in locations

    def test_deleted_section_breaks_the_kep(self, tree: Path) -> None:
        """A section file deleted after a rebuild makes the KEP broken in the next one."""
        check(tree)
        target = implementable(tree)
        (target / "guides" / "operator.md").unlink()
        index = check(tree)
        broken = {b.location: b for b in index.broken}
        codes = {p.code for p in broken[target.relative_to(tree).as_posix()].problems}
        assert "section-missing" in codes

    def test_emptied_section_breaks_the_kep(self, tree: Path) -> None:
        """A section file emptied after a rebuild (same names, new size) is noticed."""
        check(tree)
        target = implementable(tree)
        (target / "summary.md").write_text("", encoding="utf-8")
        index = check(tree)
        assert target.relative_to(tree).as_posix() in {b.location for b in index.broken}

    def test_emptied_target_of_a_linked_section_breaks_the_kep(self, tree: Path) -> None:
        """A section that is a symlink is remembered by what it points to."""
        target = implementable(tree)
        summary = target / "summary.md"
        real = target / "assets" / "summary-text.md"
        real.write_bytes(summary.read_bytes())
        summary.unlink()
        summary.symlink_to(Path("assets") / "summary-text.md")
        index = check(tree)
        location = target.relative_to(tree).as_posix()
        assert location in {e.location for e in index.entries}
        real.write_text("", encoding="utf-8")  # the link itself does not change
        assert location in {b.location for b in check(tree).broken}

    def test_sigs_yaml_change_breaks_a_kep(self, tree: Path) -> None:
        """Removing a SIG from sigs.yaml makes its KEPs broken without touching them."""
        check(tree)
        target = implementable(tree)
        sig = next(
            line.split(": ", 1)[1]
            for line in read(target).splitlines()
            if line.startswith("owning_sig: ")
        )
        sigs = tree / "sigs.yaml"
        lines = sigs.read_text(encoding="utf-8").splitlines(keepends=True)
        start = lines.index(f"  - dir: {sig}\n")
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("  - dir: ")),
            len(lines),
        )
        sigs.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
        index = check(tree)
        broken = {b.location: b for b in index.broken}
        codes = {p.code for p in broken[target.relative_to(tree).as_posix()].problems}
        assert "sig-unknown" in codes

    def test_corrupt_cache_is_rebuilt_silently(self, tree: Path, reads: list[str]) -> None:
        """Garbage in the cache file costs a full read, never an error or a wrong result."""
        first = keps.index.rebuild(tree)
        path = cache.cache_path(tree.absolute())
        assert path.is_file()
        for garbage in (b"", b"\x00garbage", b"\xe3" * 100):
            path.write_bytes(garbage)
            reads.clear()
            same(keps.index.rebuild(tree), first)
            assert len(reads) == 30
        reads.clear()
        keps.index.rebuild(tree)
        assert reads == []

    def test_corrupt_cache_entries_are_read_again(self, tree: Path, reads: list[str]) -> None:
        """A well-formed cache file holding a malformed entry costs a read of that KEP only."""
        first = keps.index.rebuild(tree)
        root = tree.absolute()
        path, key = cache.cache_path(root), build._cache_key(root)
        data = cache.load(path, key)
        assert data is not None
        spoiled = sorted(loc for loc, known in data["keps"].items() if known[2][0] == "entry")[:4]
        bad_state, short, wrong_kind, wrong_shape = spoiled
        packed, files, plain, folders = data["keps"][bad_state]
        data["keps"][bad_state] = (packed, files, (*plain[:4], "bogus", *plain[5:]), folders)
        packed, files, plain, folders = data["keps"][short]
        data["keps"][short] = (packed, files, plain[:-1], folders)
        packed, files, plain, folders = data["keps"][wrong_kind]
        data["keps"][wrong_kind] = (packed, files, ("nonsense", *plain[1:]), folders)
        packed, files, plain, folders = data["keps"][wrong_shape]
        data["keps"][wrong_shape] = (packed.hex(), files, plain, folders)
        cache.save(path, key, data["keps"], salvage=data["salvage"])
        reads.clear()
        same(keps.index.rebuild(tree), first)
        assert sorted(reads) == spoiled

    def test_cache_lives_outside_the_tree(self, tree: Path) -> None:
        """The cache is in the user's cache directory, nothing new appears in the tree."""
        before = sorted(p.relative_to(tree) for p in tree.rglob("*"))
        keps.index.rebuild(tree)
        after = sorted(p.relative_to(tree) for p in tree.rglob("*"))
        assert before == after
        path = cache.cache_path(tree.absolute())
        assert tree not in path.parents
        assert "keps" in path.parts

    def test_recent_files_are_not_trusted(
        self, tree: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Files changed within the racy window are read again by the next rebuild."""
        monkeypatch.setattr(cache, "RACY_NS", 10**18)
        keps.index.rebuild(tree)
        data = cache.load(cache.cache_path(tree.absolute()), build._cache_key(tree.absolute()))
        assert data is not None
        assert data["keps"] == {}

    def test_parallel_read_matches_serial(
        self, tree: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Worker processes give the same index as reading in this process."""
        serial = keps.index.rebuild(tree, incremental=False)
        monkeypatch.setattr(build, "PARALLEL_THRESHOLD", 1)
        monkeypatch.setattr(build, "_BATCH", 7)
        same(keps.index.rebuild(tree, incremental=False), serial)

    def test_keps_yaml_change_is_noticed(self, tree: Path) -> None:
        """The next number stored in keps.yaml is looked at again once the file changes."""
        keps.index.rebuild(tree).persist()
        check(tree)
        index_file = tree / "keps.yaml"
        text = index_file.read_text(encoding="utf-8")
        number = keps.index.rebuild(tree).next_kep_number
        index_file.write_text(
            text.replace(f"next_kep_number: {number}", "next_kep_number: 99999"), encoding="utf-8"
        )
        assert check(tree).next_kep_number == 99999


class TestForked:
    @pytest.fixture(name="children")
    def _children(self, monkeypatch: pytest.MonkeyPatch) -> list[forked.SectionChecker]:
        """Every child a rebuild starts (forked for any number of KEPs)."""
        monkeypatch.setattr(forked, "FORK_THRESHOLD", 1)
        started: list[forked.SectionChecker] = []
        original = forked.start

        def recording(base: str, old_keps: dict[str, object]) -> forked.SectionChecker | None:
            checker = original(base, old_keps)
            if checker is not None:
                started.append(checker)
            return checker

        monkeypatch.setattr(forked, "start", recording)
        return started

    def test_the_child_reports_a_change_in_its_share(
        self, tree: Path, children: list[forked.SectionChecker], reads: list[str]
    ) -> None:
        """An emptied section of a KEP the child checks is found by the child."""
        first = keps.index.rebuild(tree)
        reads.clear()
        same(keps.index.rebuild(tree), first)
        assert reads == []
        checker = children[-1]
        covered = [d for d in kep_dirs(tree) if checker.covers(d.relative_to(tree).as_posix())]
        assert 0 < len(covered) < 30
        target = next(d for d in covered if "state: implementable" in read(d))
        (target / "summary.md").write_text("", encoding="utf-8")
        reads.clear()
        index = keps.index.rebuild(tree)
        location = target.relative_to(tree).as_posix()
        assert children[-1].changed() == {location}
        assert reads == [location]
        assert location in {b.location for b in index.broken}
        same(index, keps.index.rebuild(tree, incremental=False))

    @pytest.mark.parametrize("failure", ["raises", "garbage", "killed"])
    def test_a_failed_child_costs_time_not_correctness(
        self,
        tree: Path,
        children: list[forked.SectionChecker],
        monkeypatch: pytest.MonkeyPatch,
        failure: str,
    ) -> None:
        """A child that crashes, reports nonsense or dies: the parent checks its share."""
        keps.index.rebuild(tree)
        target = implementable(tree)
        (target / "summary.md").write_text("", encoding="utf-8")

        def broken_child(base: str, old_keps: dict[str, object], share: object) -> object:
            if failure == "raises":
                raise RuntimeError("boom")
            if failure == "garbage":
                return {"not": "a list"}
            os.kill(os.getpid(), signal.SIGKILL)
            return []

        monkeypatch.setattr(forked, "_changed", broken_child)
        index = keps.index.rebuild(tree)
        assert children[-1].changed() is None
        assert target.relative_to(tree).as_posix() in {b.location for b in index.broken}
        same(index, keps.index.rebuild(tree, incremental=False))


class TestPlain:
    def test_round_trip_of_entries_and_broken(self, tree: Path) -> None:
        """to_plain / from_plain give back equal entries and broken KEPs."""
        target = implementable(tree)
        (target / "summary.md").unlink()
        index = keps.index.rebuild(tree, incremental=False)
        assert index.broken
        for item in (*index.entries, *index.broken):
            assert cache.from_plain(cache.to_plain(item)) == item

    def test_plain_fields_are_every_entry_field_in_order(self) -> None:
        """The cached layout names every Entry field once, in the class's own order."""
        assert tuple(f.name for f in attrs.fields(Entry)) == cache._ENTRY_FIELDS
