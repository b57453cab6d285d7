"""Building an Index from disk: read keps.yaml (:func:`open`) or walk the tree (:func:`rebuild`).

A rebuild reads each ``metadata.yaml`` once, runs every check of the KEP's state on it
(the checks only stat section files, never read them) and sorts the KEPs into good ones,
which are indexed, and broken ones, which are listed with their problems. Nothing stops
at the first bad KEP. The next KEP number survives a rebuild: the one stored in an
existing keps.yaml, and every number it or the tree records, stay used.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

from keps._files import read_text
from keps._yaml import load_fast
from keps.errors import IndexCorruptError, InvalidContentError, KepError, KepNotFoundError
from keps.index.entry import BrokenKep, Entry
from keps.index.index import Index
from keps.index.store import IndexData, next_number_in_text, parse_index
from keps.keps import Kep
from keps.keps.check import METADATA_FILE
from keps.keps.path import INDEX_FILE
from keps.problems import Problem, Severity, errors_only
from keps.sigs import SigRegistry, registry_for

__all__ = ["find_kep_dirs", "open", "rebuild"]

log = logging.getLogger(__name__)

#: At most this many problems are spelled out in an IndexCorruptError message.
_SHOWN_PROBLEMS = 10


def _content_root(content_root: str | Path) -> Path:
    root = Path(content_root).absolute()
    if not root.is_dir():
        msg = f"no content root at {root}"
        raise KepNotFoundError(msg, path=root)
    return root


def open(content_root: str | Path, *, registry: SigRegistry | None = None) -> Index:
    """The index persisted in ``<content_root>/keps.yaml``; a rebuild when there is none.

    A missing keps.yaml is not an error: the tree is walked (see :func:`rebuild`) and
    nothing is written. Duplicate numbers or uuids in the file, or a stored next number
    below a number in use, do not stop it either; they are listed in
    :attr:`Index.problems` and :func:`rebuild` fixes them.

    Raises:
        KepNotFoundError: *content_root* is not a folder.
        IndexCorruptError: keps.yaml cannot be read, is not YAML, or is not shaped like an
            index (not a mapping, entries of the wrong type); the message names the file
            and every problem, and says to rebuild.
    """
    root = _content_root(content_root)
    path = root / INDEX_FILE
    if not path.exists():
        log.info("%s does not exist; rebuilding the index from the tree", path)
        return rebuild(root, registry=registry)
    data = _read(path)
    if data.problems:
        raise _corrupt(path, data.problems)
    return Index(root, data.entries, next_kep_number=data.next_kep_number)


def _read(path: Path) -> IndexData:
    """The parsed content of keps.yaml at *path*; IndexCorruptError if it is not YAML."""
    try:
        loaded = load_fast(read_text(path), path=path)
    except KepError as exc:
        problems = exc.problems if isinstance(exc, InvalidContentError) else ()
        raise _corrupt(path, problems, reason=exc.message) from exc
    return parse_index(loaded.data, path=str(path))


def _corrupt(
    path: Path, problems: tuple[Problem, ...], *, reason: str | None = None
) -> IndexCorruptError:
    lines = [f"  - {p.message}" for p in problems[:_SHOWN_PROBLEMS]]
    if len(problems) > _SHOWN_PROBLEMS:
        lines.append(f"  ... and {len(problems) - _SHOWN_PROBLEMS} more")
    head = reason or f"{path} is not a valid KEP index"
    msg = "\n".join([f"{head} (run keps.index.rebuild to write it again from the KEPs)", *lines])
    return IndexCorruptError(msg, path=path)


def find_kep_dirs(content_root: Path) -> Iterator[Path]:
    """Every KEP folder under *content_root* (one holding metadata.yaml), in name order.

    Hidden folders are skipped, symlinked folders are not followed, and a KEP folder's
    own subfolders (guides, assets) are not searched for further KEPs.
    """
    stack = [content_root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                children = sorted(
                    (e for e in it if e.is_dir(follow_symlinks=False)),
                    key=lambda e: e.name,
                    reverse=True,
                )
        except OSError as exc:
            log.warning("cannot list %s: %s", folder, exc.strerror or exc)
            continue
        for child in children:
            if child.name.startswith("."):
                continue
            path = Path(child.path)
            if (path / METADATA_FILE).is_file():
                yield path
            else:
                stack.append(path)


def rebuild(content_root: str | Path, *, registry: SigRegistry | None = None) -> Index:
    """A fresh index of every KEP under *content_root*, in every state (nothing written).

    Good KEPs become entries; a KEP whose metadata cannot be read or that fails a
    blocking check becomes a :class:`BrokenKep` with every problem found. The next
    number is at least the one an existing keps.yaml stores, above every number that
    file or the tree records; an unreadable keps.yaml only costs a warning.
    *registry* defaults to the content root's sigs.yaml, else the packaged list.

    Raises:
        KepNotFoundError: *content_root* is not a folder.
    """
    root = _content_root(content_root)
    registry = registry_for(root, registry)
    floor, problems = _salvage(root / INDEX_FILE)
    entries: list[Entry] = []
    broken: list[BrokenKep] = []
    for kep_dir in find_kep_dirs(root):
        location = kep_dir.relative_to(root).as_posix()
        result = _index_one(kep_dir, location, root, registry)
        if isinstance(result, Entry):
            entries.append(result)
        else:
            broken.append(result)
    numbers = [e.kep_number for e in entries] + [b.kep_number for b in broken]
    highest = max((n for n in numbers if n is not None), default=0)
    index = Index(
        root,
        entries,
        next_kep_number=max(floor, highest + 1),
        broken=broken,
        problems=problems,
    )
    log.info("indexed %d KEPs under %s (%d broken)", len(entries), root, len(broken))
    return index


def _index_one(
    kep_dir: Path, location: str, root: Path, registry: SigRegistry
) -> Entry | BrokenKep:
    """The entry of the KEP in *kep_dir*, or what is wrong with it."""
    try:
        kep = Kep.open(kep_dir, registry=registry, content_root=root)
    except KepError as exc:
        problems = exc.problems if isinstance(exc, InvalidContentError) else ()
        if not problems:
            path = str(kep_dir / METADATA_FILE)
            problems = (Problem("kep-unreadable", exc.message, path=path),)
        return BrokenKep(location, problems)
    problems = kep.problems()
    if errors_only(problems):
        return BrokenKep(location, problems, kep_number=kep.kep_number, uuid=kep.uuid or None)
    return Entry.from_metadata(kep.metadata, location)


def _salvage(path: Path) -> tuple[int, tuple[Problem, ...]]:
    """The lowest next number an existing keps.yaml allows, and a warning if it is unreadable.

    Whatever the file's state, every number it records stays used: the stored next
    number, and every entry's number plus one.
    """
    if not path.exists():
        return 1, ()
    text = ""
    try:
        text = read_text(path)
        loaded = load_fast(text, path=path)
    except KepError as exc:
        quick = next_number_in_text(text)
        msg = f"the old index could not be read ({exc.message}); next numbers come from the tree"
        warning = Problem("index-unreadable", msg, path=str(path), severity=Severity.WARNING)
        return max(quick or 1, 1), (warning,)
    data = loaded.data
    floor = 1
    if isinstance(data, dict):
        stored = data.get("next_kep_number")
        if isinstance(stored, int) and not isinstance(stored, bool):
            floor = max(floor, stored)
        items = data.get("keps")
        if isinstance(items, list):
            for item in items:
                number = item.get("kep_number") if isinstance(item, dict) else None
                if isinstance(number, int) and not isinstance(number, bool):
                    floor = max(floor, number + 1)
    return floor, ()
