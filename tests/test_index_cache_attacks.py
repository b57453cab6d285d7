"""The index caches under attack: tampered records, FIFOs and devices, non-regular KEP files.

The caches live in the user's cache directory and are never trusted for their shape: a
record of the wrong shape is ignored (that KEP is read again, keps.yaml parsed again), so
a tampered cache can cost time but never give a TypeError, a missing KEP or a wrong next
number (issue 12, item 14). Every file is opened without blocking and refused unless it
is a regular file within its size limit, so a FIFO or a link to ``/dev/zero`` can neither
hang a rebuild nor fill memory; a KEP whose metadata file is such a thing is listed as
broken, never skipped (issue 12, item 8). Calls that could block run under
:func:`tests.test_reliability_special_files.bounded`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import keps
import keps.index
from keps.index import cache
from tests.index_cache_helpers import (
    enhancements_tree,
    kep_dir,
    location,
    run_later,
    same,
    seed_tree,
    tamper,
    tamper_parsed,
    warm_equals_full,
)
from tests.test_reliability_special_files import bounded, plant_fifo

needs_fifos = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")


@pytest.fixture(name="tree")
def _tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A generated seed tree whose every KEP the first rebuild remembers, and its keps.yaml,
    whose next number (34) is above the tree's highest number plus one (31)."""
    run_later(monkeypatch)
    root = seed_tree(tmp_path / "content")
    index = keps.index.rebuild(root)
    for _ in range(3):
        index.claim_next_number()
    index.persist()
    keps.index.rebuild(root)  # the cache now holds every KEP and what keps.yaml allows
    return root


def alpha(root: Path) -> str:
    return location(root, kep_dir(root, "alpha-kep"))


def _set_plain(data: dict[str, Any], where: str, plain: object) -> None:
    record = data["keps"][where]
    data["keps"][where] = (*record[:2], plain, *record[3:])


def _text_number(root: Path) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        plain = data["keps"][alpha(root)][2]
        _set_plain(data, alpha(root), (*plain[:2], "7", *plain[3:]))

    return change


def _nones(root: Path) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        _set_plain(data, alpha(root), ("entry", *(None,) * 19))

    return change


def _record_of_nones(root: Path) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["keps"][alpha(root)] = (None,) * len(data["keps"][alpha(root)])

    return change


def _another_location(root: Path) -> Callable[[dict[str, Any]], None]:
    """alpha's record holds what the cache knows of echo."""

    def change(data: dict[str, Any]) -> None:
        echo = location(root, kep_dir(root, "echo-kep"))
        _set_plain(data, alpha(root), data["keps"][echo][2])

    return change


def _naive_time(root: Path) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        plain = data["keps"][alpha(root)][2]
        _set_plain(data, alpha(root), (*plain[:13], "2019-01-02T03:04:05", *plain[14:]))

    return change


def _text_as_list(root: Path) -> Callable[[dict[str, Any]], None]:
    """authors as one string: iterating it would give letters, not people."""

    def change(data: dict[str, Any]) -> None:
        plain = data["keps"][alpha(root)][2]
        _set_plain(data, alpha(root), (*plain[:8], "alice", *plain[9:]))

    return change


def _names_not_text(root: Path) -> Callable[[dict[str, Any]], None]:
    """The files a record lists are a number, None and bytes."""

    def change(data: dict[str, Any]) -> None:
        record = data["keps"][alpha(root)]
        data["keps"][alpha(root)] = (record[0], (1, None, b"summary.md"), *record[2:])

    return change


def _forged_listing(root: Path) -> Callable[[dict[str, Any]], None]:
    """A folder listing that claims the content root holds no folders, under the root's
    real identity (the form in which keps 0.x cached listings)."""

    def change(data: dict[str, Any]) -> None:
        info = os.stat(root, follow_symlinks=False)
        data["dirs"] = {"": ((info.st_mtime_ns, info.st_ctime_ns, info.st_ino), ())}

    return change


def _huge_salvage(root: Path) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        identity, _, problems = data["salvage"]
        data["salvage"] = (identity, 10**30, problems)

    return change


def _low_salvage(root: Path) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        identity, _, problems = data["salvage"]
        data["salvage"] = (identity, 1, problems)

    return change


def _broken_with_text_number(root: Path) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        _set_plain(data, alpha(root), ("broken", alpha(root), (), "7", None))

    return change


def _problem_of_the_wrong_shape(root: Path) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        problem = ("code", None, None, None, "line one", "error", None)
        _set_plain(data, alpha(root), ("broken", alpha(root), (problem,), 7, None))

    return change


def _problem_field(value: object, exempted: object = None) -> Callable[[Path], Any]:
    """A broken KEP whose one problem names the field *value* (and is *exempted*)."""

    def tampered(root: Path) -> Callable[[dict[str, Any]], None]:
        def change(data: dict[str, Any]) -> None:
            problem = ("code", "message", None, value, 3, "error", exempted)
            _set_plain(data, alpha(root), ("broken", alpha(root), (problem,), 7, None))

        return change

    return tampered


def _broken_without_location(root: Path) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        _set_plain(data, alpha(root), ("broken", "", (), 7, None))

    return change


TAMPERED = {
    "problem field a list": _problem_field(["title"]),
    "problem exempted by a number": _problem_field("title", exempted=7),
    "broken KEP without a location": _broken_without_location,
    "text kep_number": _text_number,
    "an entry of Nones": _nones,
    "a record of Nones": _record_of_nones,
    "another KEP's result": _another_location,
    "a naive time": _naive_time,
    "text for a list": _text_as_list,
    "probe names not text": _names_not_text,
    "forged folder listing": _forged_listing,
    "salvaged next number 10**30": _huge_salvage,
    "salvaged next number 1": _low_salvage,
    "broken KEP, text number": _broken_with_text_number,
    "problem of the wrong shape": _problem_of_the_wrong_shape,
}


@pytest.mark.parametrize("how", TAMPERED)
def test_a_tampered_rebuild_cache_gives_what_a_full_walk_gives(tree: Path, how: str) -> None:
    """A cache with a valid key and one tampered record: the warm rebuild still lists
    every KEP, each as the files say, with the full walk's next number."""
    full = keps.index.rebuild(tree, incremental=False)
    tamper(tree, TAMPERED[how](tree))
    warm = keps.index.rebuild(tree)
    same(warm, full)
    assert len(warm.entries) == 5
    assert warm.next_kep_number == 34


def _parsed_text_number(fields: list[Any]) -> None:
    fields[5] = "34"


def _parsed_huge_number(fields: list[Any]) -> None:
    fields[5] = 10**30


def _parsed_low_number(fields: list[Any]) -> None:
    fields[5] = 1


def _parsed_nones(fields: list[Any]) -> None:
    fields[6] = [(None,) * 19 for _ in fields[6]]


def _parsed_location_outside(fields: list[Any]) -> None:
    fields[6] = [(*item[:14], "../../outside", *item[15:]) for item in fields[6]]


def _parsed_entries_as_text(fields: list[Any]) -> None:
    fields[6] = "entries"


def _parsed_text_number_in_entry(fields: list[Any]) -> None:
    fields[6] = [(*item[:1], "7", *item[2:]) for item in fields[6]]


PARSED = {
    "next number as text": _parsed_text_number,
    "next number 10**30": _parsed_huge_number,
    "next number 1": _parsed_low_number,
    "entries of Nones": _parsed_nones,
    "a location outside the root": _parsed_location_outside,
    "entries as text": _parsed_entries_as_text,
    "a text kep_number": _parsed_text_number_in_entry,
}


@pytest.mark.parametrize("how", PARSED)
def test_a_tampered_parsed_index_cache_gives_what_keps_yaml_says(tree: Path, how: str) -> None:
    """kepctl query's cache of keps.yaml, tampered under a valid key: open gives what a
    parse of keps.yaml gives, or nothing wrong at all."""
    expected = keps.index.open(tree)
    assert cache.parsed_path(tree.absolute()).is_file()
    tamper_parsed(tree, PARSED[how])
    opened = keps.index.open(tree)
    assert opened.entries == expected.entries
    assert opened.next_kep_number == expected.next_kep_number == 34
    assert opened.problems == expected.problems == ()
    assert all(not e.location.startswith("..") for e in opened.entries)


# -- FIFOs, devices and other non-regular files ----------------------------------------------


@needs_fifos
@pytest.mark.parametrize("name", ["metadata.yaml", "kep.yaml"])
def test_a_kep_whose_metadata_file_is_a_fifo_is_listed_as_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Not skipped ("0 KEPs, 0 broken"): listed as broken, naming the file, cold and warm."""
    run_later(monkeypatch)
    if name == "metadata.yaml":
        root = seed_tree(tmp_path / "content")
        folder = kep_dir(root, "alpha-kep")
    else:
        root = enhancements_tree(tmp_path / "enhancements", prr=None)
        folder = root / "keps" / "sig-node" / "1234-pod-things"
    keps.index.rebuild(root)
    fifo = plant_fifo(folder / name)
    outcome: list[keps.index.Index] = []
    assert bounded(lambda: outcome.append(warm_equals_full(root)), fifo) is None
    (broken,) = outcome[0].broken
    assert broken.location == location(root, folder)
    assert any(p.path == str(fifo) for p in broken.problems), broken.problems
    assert bounded(lambda: outcome.append(warm_equals_full(root)), fifo) is None
    assert outcome[1].broken == outcome[0].broken


def test_a_kep_whose_metadata_file_is_a_device_or_a_folder_is_listed_as_broken(
    tmp_path: Path,
) -> None:
    """metadata.yaml linked to /dev/null, or a folder of that name: a broken KEP each."""
    root = seed_tree(tmp_path / "content")
    device = kep_dir(root, "alpha-kep")
    (device / "metadata.yaml").unlink()
    (device / "metadata.yaml").symlink_to("/dev/null")
    folder = kep_dir(root, "echo-kep")
    (folder / "metadata.yaml").unlink()
    (folder / "metadata.yaml").mkdir()
    index = warm_equals_full(root)
    assert {b.location for b in index.broken} == {location(root, device), location(root, folder)}
    assert len(index.entries) == 3
    found = list(keps.index.find_kep_dirs(root))
    assert device in found
    assert folder in found


@needs_fifos
@pytest.mark.parametrize("which", ["rebuild cache", "parsed index cache"])
def test_a_cache_file_that_is_a_fifo_is_ignored(tree: Path, which: str) -> None:
    """Neither rebuild nor open blocks on a FIFO planted as a cache file."""
    expected = keps.index.rebuild(tree, incremental=False)
    root = tree.absolute()
    path = cache.cache_path(root) if which == "rebuild cache" else cache.parsed_path(root)
    fifo = plant_fifo(path)
    call = keps.index.rebuild if which == "rebuild cache" else keps.index.open
    outcome: list[keps.index.Index] = []
    assert bounded(lambda: outcome.append(call(tree)), fifo) is None
    assert outcome[0].entries == expected.entries
    assert outcome[0].next_kep_number == expected.next_kep_number


@pytest.mark.parametrize("which", ["rebuild cache", "parsed index cache"])
def test_a_cache_file_linked_to_dev_zero_is_ignored(tree: Path, which: str) -> None:
    """A link to /dev/zero is refused before a byte is read: no endless read, no
    MemoryError."""
    expected = keps.index.rebuild(tree, incremental=False)
    root = tree.absolute()
    path = cache.cache_path(root) if which == "rebuild cache" else cache.parsed_path(root)
    path.unlink()
    path.symlink_to("/dev/zero")
    call = keps.index.rebuild if which == "rebuild cache" else keps.index.open
    index = call(tree)
    assert index.entries == expected.entries
    assert index.next_kep_number == expected.next_kep_number


def test_an_oversized_cache_file_is_ignored(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache file over the size limit is not read (and what would be over it is not written)."""
    expected = keps.index.rebuild(tree, incremental=False)
    monkeypatch.setattr(cache, "MAX_CACHE_BYTES", 64)
    same(keps.index.rebuild(tree), expected)
    assert cache.cache_path(tree.absolute()).stat().st_size > 64  # the old one, left alone


@needs_fifos
def test_a_fifo_where_the_cache_writes_its_temporary_file(tree: Path) -> None:
    """The temporary file a cache write uses is made new: a FIFO planted under its name
    (it is predictable) cannot block the write."""
    path = cache.cache_path(tree.absolute())
    fifo = plant_fifo(path.with_name(f".{path.name}.{os.getpid()}.tmp"))
    summary = kep_dir(tree, "alpha-kep") / "summary.md"
    summary.write_text("# Alpha Kep\n\n## Summary\n\nChanged, so the cache is written.\n")
    outcome: list[keps.index.Index] = []
    assert bounded(lambda: outcome.append(keps.index.rebuild(tree)), fifo) is None
    assert len(outcome[0].entries) == 5


@pytest.mark.parametrize("key", ["kep_number: 12", "next_kep_number: 34"])
def test_a_number_too_long_for_int_in_keps_yaml_does_not_stop_a_rebuild(
    tree: Path, key: str
) -> None:
    """A recorded number of 5,000 digits (more than int() takes) is passed over, never a
    ValueError; warm and full walk agree, and persist writes a keps.yaml that opens."""
    path = tree / "keps.yaml"
    name = key.split(":")[0]
    path.write_text(
        path.read_text(encoding="utf-8").replace(key, f"{name}: {'9' * 5000}"), encoding="utf-8"
    )
    index = warm_equals_full(tree)
    assert len(index.entries) == 5
    assert index.next_kep_number == (34 if name == "kep_number" else 31)
    index.persist()
    assert keps.index.open(tree).next_kep_number == index.next_kep_number
    assert "9" * 5000 not in path.read_text(encoding="utf-8")
