"""The index caches under attack: FIFOs and devices, non-regular KEP files.

Every file is opened without blocking and refused unless it is a regular file within its
size limit, so a FIFO or a link to ``/dev/zero`` can neither hang a rebuild nor fill
memory; a KEP whose metadata file is such a thing is listed as broken, never skipped
(issue 12, item 8). Calls that could block run under
:func:`tests.test_reliability_special_files.bounded`.
"""

from __future__ import annotations

import os
from pathlib import Path

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
