"""Small generated trees and a later clock for the incremental index cache tests.

Everything here runs in a fresh clone: trees are made with :func:`tests.kep_factory.make_kep`
(seed layout) or written by hand (a kubernetes/enhancements checkout), never taken from
``../shared``.
"""

from __future__ import annotations

import marshal
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import keps
import keps.index
from keps.index import Index, build, cache
from tests.kep_factory import make_kep

#: The seed KEPs of :func:`seed_tree`: target, state, number.
SEED_KEPS = (
    ("sig-node/alpha-kep", keps.State.IMPLEMENTABLE, 7),
    ("sig-node/kubelet/bravo-kep", keps.State.IMPLEMENTED, 12),
    ("sig-apps/charlie-kep", keps.State.PROVISIONAL, None),
    ("sig-apps/workloads-api/delta-kep", keps.State.DRAFT, None),
    ("sig-storage/echo-kep", keps.State.IMPLEMENTABLE, 30),
)


def seed_tree(root: Path) -> Path:
    """Five seed KEPs in four states under *root*, each number once; returns *root*."""
    for target, state, number in SEED_KEPS:
        kep = make_kep(root, target, state=state)
        if kep.kep_number != number:
            kep.update(kep_number=number)
            kep.persist()
    return root


def kep_dir(root: Path, name: str) -> Path:
    """The folder of the KEP called *name* (``alpha-kep``) under *root*."""
    (found,) = (p.parent for p in root.rglob("metadata.yaml") if p.parent.name == name)
    return found


def location(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


KEP_YAML = """\
title: Pod Things
kep-number: 1234
authors:
  - "@alice"
owning-sig: sig-node
status: implementable
creation-date: 2023-01-05
reviewers:
  - "@rita"
approvers:
  - "@arnold"
stage: beta
latest-milestone: "v1.30"
"""


def enhancements_tree(root: Path, *, prr: str | None) -> Path:
    """A kubernetes/enhancements checkout with one kep.yaml KEP (number 1234, sig-node)
    and, unless *prr* is None, its production readiness file holding *prr*."""
    folder = root / "keps" / "sig-node" / "1234-pod-things"
    folder.mkdir(parents=True)
    (folder / "kep.yaml").write_text(KEP_YAML, encoding="utf-8")
    (folder / "README.md").write_text("# KEP-1234: Pod Things\n\n## Summary\n\nThings.\n")
    if prr is not None:
        write_prr(root, prr)
    return root


def prr_path(root: Path) -> Path:
    return root / "keps" / "prod-readiness" / "sig-node" / "1234.yaml"


def write_prr(root: Path, approver: str) -> Path:
    """The PRR file of KEP 1234 naming *approver* for beta."""
    path = prr_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'kep-number: 1234\nbeta:\n  approver: "{approver}"\n', encoding="utf-8")
    return path


def same(warm: Index, full: Index) -> None:
    """Assert that two indexes give a user the same answers: entries, broken KEPs with
    their problems, the next number and the index's own problems."""
    assert warm.entries == full.entries
    assert sorted(warm.broken, key=lambda k: k.location) == sorted(
        full.broken, key=lambda k: k.location
    )
    assert warm.next_kep_number == full.next_kep_number
    assert warm.problems == full.problems


def warm_equals_full(root: Path) -> Index:
    """A warm (incremental) rebuild, asserted equal to a full walk; returns the warm one."""
    warm = keps.index.rebuild(root)
    same(warm, keps.index.rebuild(root, incremental=False))
    return warm


def edit_same_size(path: Path, old: str, new: str) -> None:
    """Replace *old* by *new* (of the same length) in *path* and put its times back,
    as ``cp -p``, ``rsync -t`` or ``tar`` leave a file: only the change time moves."""
    assert len(old.encode()) == len(new.encode())
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    with path.open("r+", encoding="utf-8") as handle:  # in place: the inode stays
        handle.write(text.replace(old, new, 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        info.st_size,
        info.st_mtime_ns,
        info.st_ino,
    )


class LaterClock:
    """``time`` as keps.index.build sees it: *seconds* ahead of the real clock."""

    def __init__(self, seconds: float) -> None:
        self.offset = int(seconds * 1e9)

    def time_ns(self) -> int:
        return time.time_ns() + self.offset


def run_later(monkeypatch: pytest.MonkeyPatch, seconds: float = 10.0) -> None:
    """Rebuilds and opens run as if *seconds* had passed since the test wrote its files.

    The racy window stays on at its real width: a file written within it of a rebuild
    is still not trusted. A change time cannot be set back, so instead of waiting, the
    reader's clock moves on - as in real use, where an edit and the next rebuild are
    seconds apart.
    """
    monkeypatch.setattr(build, "time", LaterClock(seconds))


def tamper(root: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Apply *change* to the data of the rebuild cache of *root*, keeping its key valid."""
    path = cache.cache_path(root.absolute())
    data = marshal.loads(path.read_bytes())
    assert isinstance(data, dict)
    change(data)
    path.write_bytes(marshal.dumps(data))


def tamper_parsed(root: Path, change: Callable[[list[Any]], None]) -> None:
    """Apply *change* to the fields of the parsed keps.yaml cache of *root*."""
    path = cache.parsed_path(root.absolute())
    fields = list(marshal.loads(path.read_bytes()))
    change(fields)
    path.write_bytes(marshal.dumps(tuple(fields)))
