"""keps.index: rebuild, open, persist, number claims, duplicates, broken KEPs, keps.yaml."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import attrs
import filelock
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import keps
import keps.index
from keps._files import FileTransaction
from keps.errors import (
    IndexCorruptError,
    InvalidContentError,
    KepNotFoundError,
    LockTimeoutError,
)
from keps.index import BrokenKep, Entry, Index
from keps.keps import State, sections
from tests.kep_factory import gen_tree

T0 = dt.datetime(2019, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
TEXT = "Written by a person, not the template.\n"


def make_kep(
    root: Path,
    target: str,
    *,
    state: State = State.DRAFT,
    number: int | None = None,
    authors: tuple[str, ...] = ("jdoe",),
    check: bool = True,
    **fields: object,
) -> keps.Kep:
    """A KEP persisted under *root*, passing the checks of *state* unless *fields* spoil it."""
    kep = keps.new(target, content_root=root, authors=authors, now=T0)
    for spec in sections.required_for(state) or (sections.SUMMARY,):
        kep.set_section(spec.filename, TEXT)
    if state is not State.DRAFT:
        kep.update(reviewers=("rev1",), approvers=("appr1",))
    kep.update(state=state, kep_number=number, **fields)
    kep.persist(now=T0 + dt.timedelta(days=1), check=check)
    return kep


@pytest.fixture(name="tree")
def _tree(shared: Path, tmp_path: Path) -> Path:
    return gen_tree(shared, tmp_path / "content", 40)


def metadata_dirs(root: Path) -> set[str]:
    return {p.parent.relative_to(root).as_posix() for p in root.rglob("metadata.yaml")}


class TestRebuild:
    def test_indexes_every_kep_of_a_generated_tree(self, tree: Path) -> None:
        """Every folder with a metadata.yaml becomes one entry; nothing is broken."""
        index = keps.index.rebuild(tree)
        assert {e.location for e in index.entries} == metadata_dirs(tree)
        assert index.broken == ()
        assert index.problems == ()

    def test_every_state_is_indexed(self, tmp_path: Path) -> None:
        """Draft to replaced: a rebuild indexes KEPs in every state, not only approved ones."""
        for position, state in enumerate(State):
            number = position + 1 if state in (State.IMPLEMENTABLE, State.IMPLEMENTED) else None
            make_kep(tmp_path, f"sig-node/kubelet/kep-{state}", state=state, number=number)
        index = keps.index.rebuild(tmp_path)
        assert index.broken == ()
        assert {e.state for e in index.entries} == set(State)

    def test_locations_are_relative_posix_paths(self, tmp_path: Path) -> None:
        """An entry's location is the KEP folder relative to the content root, '/'-separated."""
        make_kep(tmp_path, "sig-node/kubelet/my-kep")
        make_kep(tmp_path, "project-wide")
        (entry_a, entry_b) = keps.index.rebuild(tmp_path).entries
        assert entry_a.location == "kubernetes-wide/project-wide"
        assert entry_b.location == "sig-node/kubelet/my-kep"
        assert (tmp_path / entry_b.location / "metadata.yaml").is_file()

    def test_entry_carries_the_metadata(self, tmp_path: Path) -> None:
        """What the index knows of a KEP is what its metadata.yaml says."""
        kep = make_kep(
            tmp_path,
            "sig-node/kubelet/my-kep",
            number=12,
            participating_sigs=("sig-apps",),
            development_themes=("stability",),
            editors=("ed",),
        )
        entry = keps.index.rebuild(tmp_path).by_number(12)
        assert entry == Entry.from_kep(kep, tmp_path)
        assert entry.uuid == kep.uuid
        assert entry.title == "My Kep"
        assert entry.owning_sig == "sig-node"
        assert entry.affected_subprojects == ("kubelet",)
        assert entry.participating_sigs == ("sig-apps",)
        assert entry.created == T0
        assert entry.last_updated is not None
        assert entry.last_updated.tzinfo is not None

    def test_hidden_folders_are_skipped(self, tmp_path: Path) -> None:
        """A KEP copied under .git or another hidden folder is not indexed."""
        make_kep(tmp_path, "sig-node/kubelet/my-kep")
        shutil.copytree(tmp_path / "sig-node", tmp_path / ".trash" / "sig-node")
        index = keps.index.rebuild(tmp_path)
        assert [e.location for e in index.entries] == ["sig-node/kubelet/my-kep"]
        assert index.problems == ()

    def test_next_number_is_above_the_highest_in_use(self, tmp_path: Path) -> None:
        """Without keps.yaml the next number follows the highest number the tree records."""
        make_kep(tmp_path, "sig-node/kubelet/a", number=41)
        make_kep(tmp_path, "sig-node/kubelet/b", number=3)
        index = keps.index.rebuild(tmp_path)
        assert index.next_kep_number == 42
        assert index.claim_next_number() == 42
        assert index.next_kep_number == 43

    def test_empty_tree_starts_at_one(self, tmp_path: Path) -> None:
        """The first KEP number handed out is 1, never 0."""
        index = keps.index.rebuild(tmp_path)
        assert index.entries == ()
        assert index.claim_next_number() == 1

    def test_stored_next_number_survives_a_rebuild(self, tmp_path: Path) -> None:
        """Numbers handed out before (stored in keps.yaml) stay used after a rebuild."""
        make_kep(tmp_path, "sig-node/kubelet/a", number=5)
        index = keps.index.rebuild(tmp_path)
        for _ in range(10):
            index.claim_next_number()
        index.persist()
        assert keps.index.rebuild(tmp_path).next_kep_number == 16

    def test_numbers_in_an_old_index_stay_used(self, tmp_path: Path) -> None:
        """A KEP deleted from the tree keeps its number used if the old keps.yaml has it."""
        make_kep(tmp_path, "sig-node/kubelet/a", number=5)
        gone = make_kep(tmp_path, "sig-node/kubelet/gone", number=9)
        keps.index.rebuild(tmp_path).persist()
        text = (
            (tmp_path / "keps.yaml")
            .read_text()
            .replace("next_kep_number: 10", "next_kep_number: 2")
        )
        (tmp_path / "keps.yaml").write_text(text)
        shutil.rmtree(gone.path)
        assert keps.index.rebuild(tmp_path).next_kep_number == 10

    def test_duplicate_numbers_name_both_keps(self, tmp_path: Path) -> None:
        """Two KEPs with one number: a duplicate-kep-number problem names both locations."""
        make_kep(tmp_path, "sig-node/kubelet/a", number=7)
        make_kep(tmp_path, "sig-apps/sig-wide/b", number=7)
        index = keps.index.rebuild(tmp_path)
        (problem,) = index.problems
        assert (problem.code, problem.field) == ("duplicate-kep-number", "kep_number")
        assert (
            problem.message
            == "KEP number 7 is used by both sig-apps/sig-wide/b and sig-node/kubelet/a"
        )
        assert problem.path == str(tmp_path / "sig-node/kubelet/a/metadata.yaml")
        assert index.next_kep_number == 8

    def test_duplicate_uuids_name_both_keps(self, tmp_path: Path) -> None:
        """A copied KEP folder shares its uuid (in any case): duplicate-uuid names both
        locations, the first by location first, and is the later one's problem."""
        kep = make_kep(tmp_path, "sig-node/kubelet/a")
        copy = tmp_path / "sig-node" / "kubelet" / "copy"
        shutil.copytree(kep.path, copy)
        meta = copy / "metadata.yaml"
        meta.write_text(meta.read_text().replace(kep.uuid, kep.uuid.upper()))
        index = keps.index.rebuild(tmp_path)
        (problem,) = index.problems
        assert (problem.code, problem.field) == ("duplicate-uuid", "uuid")
        assert problem.path == str(tmp_path / "sig-node/kubelet/copy/metadata.yaml")
        assert problem.message == (
            f"uuid {kep.uuid.upper()} is used by both sig-node/kubelet/a and sig-node/kubelet/copy"
        )

    def test_broken_keps_are_listed_and_good_ones_indexed(self, tmp_path: Path) -> None:
        """Bad YAML or failed checks put a KEP in broken, with its problems; others are indexed."""
        make_kep(tmp_path, "sig-node/kubelet/good", number=1)
        make_kep(tmp_path, "sig-node/kubelet/no-title", number=50, title="", check=False)
        bad_yaml = make_kep(tmp_path, "sig-node/kubelet/bad-yaml")
        (bad_yaml.path / "metadata.yaml").write_text("title: [unclosed\n")
        missing = make_kep(tmp_path, "sig-node/kubelet/missing-section")
        (missing.path / "summary.md").unlink()

        index = keps.index.rebuild(tmp_path)

        assert [e.location for e in index.entries] == ["sig-node/kubelet/good"]
        broken = {b.location: b for b in index.broken}
        assert set(broken) == {
            "sig-node/kubelet/bad-yaml",
            "sig-node/kubelet/missing-section",
            "sig-node/kubelet/no-title",
        }
        assert [p.code for p in broken["sig-node/kubelet/bad-yaml"].problems] == ["yaml-invalid"]
        assert "section-missing" in {
            p.code for p in broken["sig-node/kubelet/missing-section"].problems
        }
        no_title = broken["sig-node/kubelet/no-title"]
        assert [p.code for p in no_title.problems] == ["title-not-set"]
        assert no_title.kep_number == 50
        # the broken KEP's number is still in use
        assert index.next_kep_number == 51

    def test_missing_content_root(self, tmp_path: Path) -> None:
        """Rebuilding a folder that does not exist says so."""
        with pytest.raises(KepNotFoundError, match="no content root"):
            keps.index.rebuild(tmp_path / "nowhere")


class TestLookups:
    def test_fetch_and_by_number(self, tmp_path: Path) -> None:
        """An entry is found by its uuid (any case) and by its number."""
        kep = make_kep(tmp_path, "sig-node/kubelet/a", number=3)
        index = keps.index.rebuild(tmp_path)
        assert index.fetch(kep.uuid.upper()).location == "sig-node/kubelet/a"
        assert index.by_number(3).uuid == kep.uuid

    def test_misses_raise_kep_not_found(self, tmp_path: Path) -> None:
        """An unknown uuid or number is a KepNotFoundError (also a FileNotFoundError)."""
        make_kep(tmp_path, "sig-node/kubelet/a", number=3)
        index = keps.index.rebuild(tmp_path)
        with pytest.raises(KepNotFoundError, match="no KEP number 4"):
            index.by_number(4)
        with pytest.raises(FileNotFoundError, match="no KEP with uuid nope") as info:
            index.fetch("nope")
        assert info.value.path == str(tmp_path / "keps.yaml")  # type: ignore[attr-defined]


class TestUpdate:
    def test_update_adds_and_replaces(self, tmp_path: Path) -> None:
        """update() adds a new KEP, and replaces the entry of a KEP that changed."""
        index = keps.index.rebuild(tmp_path)
        kep = make_kep(tmp_path, "sig-node/kubelet/a")
        index.update(kep)
        kep.update(kep_number=index.claim_next_number(), title="Renamed")
        index.update(kep)
        (entry,) = index.entries
        assert (entry.kep_number, entry.title) == (1, "Renamed")

    def test_update_follows_a_moved_kep_by_uuid(self, tmp_path: Path) -> None:
        """An entry with the same uuid at another location is replaced (the KEP moved)."""
        kep = make_kep(tmp_path, "sig-node/kubelet/a")
        index = keps.index.rebuild(tmp_path)
        moved = attrs.evolve(Entry.from_kep(kep, tmp_path), location="sig-node/kubelet/b")
        index.update(moved)
        assert [e.location for e in index.entries] == ["sig-node/kubelet/b"]

    def test_update_refuses_a_number_in_use(self, tmp_path: Path) -> None:
        """Giving a second KEP a number already in use is refused; the index is unchanged."""
        make_kep(tmp_path, "sig-node/kubelet/a", number=3)
        other = make_kep(tmp_path, "sig-node/kubelet/b")
        index = keps.index.rebuild(tmp_path)
        other.update(kep_number=3)
        with pytest.raises(InvalidContentError, match="KEP number 3 is used by both") as info:
            index.update(other)
        assert [p.code for p in info.value.problems] == ["duplicate-kep-number"]
        assert index.by_number(3).location == "sig-node/kubelet/a"

    def test_update_clears_a_fixed_broken_kep(self, tmp_path: Path) -> None:
        """A broken KEP that is fixed and updated leaves the broken list."""
        kep = make_kep(tmp_path, "sig-node/kubelet/a", title="", check=False)
        index = keps.index.rebuild(tmp_path)
        assert [b.location for b in index.broken] == ["sig-node/kubelet/a"]
        kep.update(title="Fixed")
        kep.persist()
        index.update(kep)
        assert index.broken == ()
        assert len(index) == 1

    def test_stage_writes_index_and_kep_together(self, tmp_path: Path) -> None:
        """stage() puts keps.yaml into the same transaction as the KEP's own files."""
        kep = make_kep(tmp_path, "sig-node/kubelet/a")
        index = keps.index.rebuild(tmp_path)
        kep.update(kep_number=index.claim_next_number())
        index.update(kep)
        transaction = FileTransaction()
        kep.stage_writes(transaction)
        index.stage_writes(transaction)
        assert tmp_path / "keps.yaml" in transaction.paths
        assert not (tmp_path / "keps.yaml").exists()
        transaction.commit()
        assert keps.index.open(tmp_path).by_number(1).location == "sig-node/kubelet/a"
        assert keps.open(kep.path).kep_number == 1


class TestPersistAndOpen:
    def test_round_trip(self, tree: Path) -> None:
        """What persist writes, open reads back: the same entries and the same next number."""
        index = keps.index.rebuild(tree)
        index.persist()
        again = keps.index.open(tree)
        assert again.entries == index.entries
        assert again.next_kep_number == index.next_kep_number
        assert again.problems == ()

    def test_second_open_comes_from_the_parsed_cache_and_equals_the_first(self, tree: Path) -> None:
        """A second open of the same keps.yaml reads the parsed cache: the same index."""
        keps.index.rebuild(tree).persist()
        first = keps.index.open(tree)
        cached = keps.index.cache.parsed_path(tree.absolute())
        assert cached.is_file()
        second = keps.index.open(tree)
        assert second.entries == first.entries
        assert [hash(e) for e in second.entries] == [hash(e) for e in first.entries]
        assert second.next_kep_number == first.next_kep_number
        assert second.problems == first.problems == ()

    def test_an_edited_index_is_parsed_again(self, tree: Path) -> None:
        """The parsed cache is keyed by keps.yaml's bytes: a same-size edit is seen."""
        keps.index.rebuild(tree).persist()
        first = keps.index.open(tree)
        entry = first.entries[0]
        path = tree / "keps.yaml"
        text = path.read_text(encoding="utf-8")
        old = f"  title: {entry.title}\n"
        assert old in text
        edited = "X" + entry.title[1:]
        path.write_text(text.replace(old, f"  title: {edited}\n", 1), encoding="utf-8")
        assert keps.index.open(tree).entries[0].title == edited

    def test_a_corrupt_parsed_cache_is_ignored(self, tree: Path) -> None:
        """Garbage in the parsed cache costs a parse, never a wrong answer."""
        keps.index.rebuild(tree).persist()
        first = keps.index.open(tree)
        keps.index.cache.parsed_path(tree.absolute()).write_bytes(b"\x00garbage")
        assert keps.index.open(tree).entries == first.entries

    def test_an_unchanged_old_index_is_not_read_again(
        self, tree: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Once keps.yaml is older than the racy window, its identity alone vouches for it."""
        keps.index.rebuild(tree).persist()
        first = keps.index.open(tree)
        # as if keps.yaml had been written long before that first open
        monkeypatch.setattr(keps.index.cache, "RACY_NS", -(10**18))
        keps.index.open(tree)  # remembers the identity as trusted
        reads: list[Path] = []
        original = keps.index.build.read_bytes

        def counting(path: Path, **kwargs: int) -> bytes:
            reads.append(path)
            return original(path, **kwargs)

        monkeypatch.setattr(keps.index.build, "read_bytes", counting)
        assert keps.index.open(tree).entries == first.entries
        assert reads == []
        # an edit changes the identity (change time at least), so the file is read again
        path = tree / "keps.yaml"
        entry = first.entries[0]
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(entry.title, "X" + entry.title[1:], 1), encoding="utf-8")
        assert keps.index.open(tree).entries[0].title == "X" + entry.title[1:]
        assert reads == [path]

    def test_open_after_persist_parses_nothing(self, tree: Path, index_parses: list[Path]) -> None:
        """persist remembers what it wrote: the next open (a new kepctl query) parses nothing."""
        index = keps.index.rebuild(tree)
        index.persist()
        opened = keps.index.open(tree)
        assert index_parses == []
        assert opened.entries == index.entries
        assert opened.next_kep_number == index.next_kep_number
        # a write by anyone else afterwards is parsed
        path = tree / "keps.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        assert keps.index.open(tree).entries == index.entries
        assert index_parses == [path]

    def test_an_entry_the_file_would_change_is_not_remembered(self, tmp_path: Path) -> None:
        """A location that a parse normalises makes open parse the file, as it would."""
        entry = Entry(uuid="u-1", title="T", location="sig-node//sig-wide/x")
        Index(tmp_path, [entry], next_kep_number=2).persist()
        assert not keps.index.cache.parsed_path(tmp_path.absolute()).exists()
        assert [e.location for e in keps.index.open(tmp_path).entries] == ["sig-node/sig-wide/x"]

    def test_an_index_larger_than_a_kep_file_limit_opens(self, tree: Path) -> None:
        """keps.yaml of many thousand KEPs is larger than the 8 MiB a KEP file may be."""
        from keps._files import MAX_FILE_BYTES

        index = keps.index.rebuild(tree)
        index.persist()
        path = tree / "keps.yaml"
        padding = "# padding\n" * (MAX_FILE_BYTES // 10 + 1)
        path.write_text(path.read_text(encoding="utf-8") + padding, encoding="utf-8")
        assert path.stat().st_size > MAX_FILE_BYTES
        assert keps.index.open(tree).entries == index.entries
        assert keps.index.rebuild(tree).next_kep_number == index.next_kep_number

    def test_file_is_deterministic_and_sorted(self, tree: Path) -> None:
        """The same index gives the same bytes; entries are sorted by location."""
        first = keps.index.rebuild(tree).to_yaml()
        assert keps.index.rebuild(tree).to_yaml() == first
        locations = [
            line[len("- location: ") :]
            for line in first.splitlines()
            if line.startswith("- location: ")
        ]
        assert locations == sorted(locations)
        assert "next_kep_number: " in first

    def test_open_without_index_rebuilds_and_writes_nothing(self, tmp_path: Path) -> None:
        """No keps.yaml: open walks the tree instead, and leaves the disk alone."""
        make_kep(tmp_path, "sig-node/kubelet/a", number=4)
        index = keps.index.open(tmp_path)
        assert index.by_number(4).location == "sig-node/kubelet/a"
        assert not (tmp_path / "keps.yaml").exists()

    def test_a_claimed_number_is_never_given_again(self, tmp_path: Path) -> None:
        """Once persisted, a claim holds: a later open, or a stale index, hands out the next one."""
        stale = keps.index.open(tmp_path)
        fresh = keps.index.open(tmp_path)
        assert fresh.claim_next_number() == 1
        fresh.persist()
        assert keps.index.open(tmp_path).claim_next_number() == 2
        stale.persist()  # written from an older read: must not lower the stored number
        assert keps.index.open(tmp_path).next_kep_number == 2

    @settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        title=st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
        author=st.text(min_size=1, max_size=12),
    )
    def test_any_text_survives_the_file(self, tmp_path: Path, title: str, author: str) -> None:
        """Titles and handles with quotes, colons, '@', 'yes' or digits load back unchanged."""
        entry = Entry(
            uuid="u-1",
            title=title,
            authors=(author,),
            kep_number=1,
            created=T0,
            last_updated=T0,
            state=State.DRAFT,
            location="sig-node/sig-wide/x",
        )
        Index(tmp_path, [entry], next_kep_number=2).persist()
        assert keps.index.open(tmp_path).entries == (entry,)  # what persist remembered
        keps.index.cache.parsed_path(tmp_path.absolute()).unlink()
        assert keps.index.open(tmp_path).entries == (entry,)  # a parse of the file


class TestCorruptIndex:
    @pytest.mark.parametrize(
        ("text", "detail"),
        [
            ("next_kep_number: [\n", "invalid YAML"),  # not YAML
            ("- a\n- b\n", "must hold a mapping"),  # not a mapping
            ("next_kep_number: -3\nkeps: []\n", "must not be negative"),
            ("next_kep_number: 2\nkeps: {a: 1}\n", "expected a list of entries"),
            ("next_kep_number: 2\nkeps:\n- uuid: u\n  title: T\n", "location is missing"),
            ("keps:\n- {location: ../x, uuid: u}\n", "without '..'"),
            ("keps:\n- {location: a/b, uuid: u, kep_number: one}\n", "expected a whole number"),
        ],
    )
    def test_unreadable_index_is_corrupt(self, tmp_path: Path, text: str, detail: str) -> None:
        """keps.yaml that is not an index raises IndexCorruptError naming the file."""
        path = tmp_path / "keps.yaml"
        path.write_text(text)
        with pytest.raises(IndexCorruptError, match=detail) as info:
            keps.index.open(tmp_path)
        assert info.value.path == str(path)
        assert str(path) in str(info.value)
        assert "rebuild" in str(info.value)

    def test_hand_edited_duplicates_are_problems_and_rebuild_fixes_them(
        self, tmp_path: Path
    ) -> None:
        """Two entries with one number and a low next number are reported; rebuild repairs both."""
        make_kep(tmp_path, "sig-node/kubelet/a", number=7)
        make_kep(tmp_path, "sig-node/kubelet/b", number=8)
        keps.index.rebuild(tmp_path).persist()
        path = tmp_path / "keps.yaml"
        text = path.read_text().replace("kep_number: 8", "kep_number: 7")
        path.write_text(text.replace("next_kep_number: 9", "next_kep_number: 3"))

        index = keps.index.open(tmp_path)
        codes = sorted(p.code for p in index.problems)
        assert codes == ["duplicate-kep-number", "next-number-too-low"]
        assert index.next_kep_number == 8  # still above every number the file records

        fixed = keps.index.rebuild(tmp_path)
        fixed.persist()
        reopened = keps.index.open(tmp_path)
        assert reopened.problems == ()
        assert reopened.by_number(8).location == "sig-node/kubelet/b"
        assert reopened.next_kep_number == 9

    def test_rebuild_over_garbage_keeps_the_tree_numbers(self, tmp_path: Path) -> None:
        """A keps.yaml that is not even YAML costs a warning; the tree's numbers stay used."""
        make_kep(tmp_path, "sig-node/kubelet/a", number=30)
        (tmp_path / "keps.yaml").write_text("next_kep_number: 99\nkeps: [\n")
        index = keps.index.rebuild(tmp_path)
        (warning,) = index.problems
        assert warning.code == "index-unreadable"
        assert not warning.is_blocking
        assert index.next_kep_number == 99  # the stored number could still be read


class TestLocked:
    def test_claim_under_the_lock(self, tmp_path: Path) -> None:
        """locked() yields the index read fresh; a claim persisted there is seen next time."""
        with keps.index.locked(tmp_path) as index:
            assert index.claim_next_number() == 1
            index.persist()
        with keps.index.locked(tmp_path) as index:
            assert index.claim_next_number() == 2

    def test_timeout(self, tmp_path: Path) -> None:
        """While another holder keeps the lock, locked() gives up with LockTimeoutError."""
        path = keps.index.lock_path(tmp_path)
        path.parent.mkdir(parents=True)
        holder = filelock.FileLock(path)
        with (
            holder,
            pytest.raises(LockTimeoutError, match="stayed locked"),
            keps.index.locked(tmp_path, timeout=0.1),
        ):
            pass  # pragma: no cover

    def test_lock_is_released_on_error(self, tmp_path: Path) -> None:
        """An error inside the block releases the lock."""
        with pytest.raises(RuntimeError), keps.index.locked(tmp_path):
            raise RuntimeError
        with keps.index.locked(tmp_path, timeout=0.1) as index:
            assert isinstance(index, Index)

    def test_rebuild_under_the_lock(self, tmp_path: Path) -> None:
        """locked(rebuild=True) yields a rebuilt index, for a rebuild-and-persist."""
        make_kep(tmp_path, "sig-node/kubelet/a", number=2)
        with keps.index.locked(tmp_path, rebuild=True) as index:
            index.persist()
        assert keps.index.open(tmp_path).by_number(2).location == "sig-node/kubelet/a"


def test_broken_kep_is_a_value() -> None:
    """BrokenKep holds a tuple of problems, so it compares and hashes as a value."""
    broken = BrokenKep("a/b", [])
    assert broken == BrokenKep("a/b", ())


def test_number_floor_from_our_own_index_matches_a_full_parse(tmp_path: Path) -> None:
    """The quick scan of a keps.yaml we wrote finds the same floor as parsing it fully."""
    from keps.index import Entry, dump_index
    from keps.index.build import _salvage
    from keps.index.store import HEADER

    entries = [
        Entry(uuid=f"u{n}", kep_number=n, title=f"kep_number: {n + 500}", location=f"s/w/k{n}")
        for n in (3, 41, 7)
    ]
    ours = tmp_path / "ours.yaml"
    ours.write_text(dump_index(12, entries))
    hand = tmp_path / "hand.yaml"
    hand.write_text(dump_index(12, entries).removeprefix(HEADER))  # no header: full parse
    assert _salvage(hand) == (42, ())
    # the scan may only err upwards (a title that looks like a number), never below the parse
    floor, problems = _salvage(ours)
    assert problems == ()
    assert floor >= 42
