"""Building an Index from disk: read keps.yaml (:func:`open`) or walk the tree (:func:`rebuild`).

A rebuild reads each ``metadata.yaml`` once, runs every check of the KEP's state on it
(the checks only stat section files, never read them) and sorts the KEPs into good ones,
which are indexed, and broken ones, which are listed with their problems. Nothing stops
at the first bad KEP. The next KEP number survives a rebuild: the one stored in an
existing keps.yaml, and every number it or the tree records, stay used.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from keps._checkout import content_root_of, is_checkout, kep_area
from keps._files import decode_text, read_bytes
from keps._names import INDEX_FILE, KEP_FILE, METADATA_FILE
from keps.errors import IndexCorruptError, InvalidContentError, KepError, KepNotFoundError
from keps.index import cache, forked
from keps.index.entry import BrokenKep, Entry
from keps.index.index import Index
from keps.index.store import (
    HEADER,
    MAX_INDEX_BYTES,
    IndexData,
    next_number_in_text,
    parse_index,
)
from keps.problems import Problem, Severity, errors_only

if TYPE_CHECKING:
    from keps.keps.kep import Kep
    from keps.sigs import SigRegistry

# Reading KEPs (the object model, YAML, the SIG list, worker processes) is imported by the
# functions that do it: `kepctl query` only opens keps.yaml and must start fast.

__all__ = ["find_kep_dirs", "keeps_index_file", "open", "rebuild"]

log = logging.getLogger(__name__)

#: At most this many problems are spelled out in an IndexCorruptError message.
_SHOWN_PROBLEMS = 10


def _content_root(content_root: str | Path) -> Path:
    """*content_root* made absolute; a checkout's keps/ folder means the checkout."""
    root = Path(content_root).absolute()
    if not root.is_dir():
        msg = f"no content root at {root}"
        raise KepNotFoundError(msg, path=root)
    return content_root_of(root)


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
    start_ns = time.time_ns()
    identity = cache.file_identity(str(path))
    if identity is None and not path.exists():
        log.info("%s does not exist; rebuilding the index from the tree", path)
        return rebuild(root, registry=registry)
    parsed = cache.parsed_path(root)
    read: list[bytes] = []

    def digest_of() -> str | None:
        try:
            read.append(_read_bytes(path))
        except KepError:
            return None
        return cache.content_digest(read[-1])

    cached = cache.load_parsed(parsed, path, identity, digest_of)
    if cached is not None:
        next_number, entries = cached
        return Index(root, entries, next_kep_number=next_number)
    raw = read[-1] if read else _read_bytes(path)
    data = _parse(path, raw)
    if data.problems:
        raise _corrupt(path, data.problems)
    digest = cache.content_digest(raw)
    cache.save_parsed(parsed, identity, start_ns, digest, data.next_kep_number, data.entries)
    return Index(root, data.entries, next_kep_number=data.next_kep_number)


def _read_bytes(path: Path) -> bytes:
    """The bytes of keps.yaml at *path*; IndexCorruptError if it cannot be read."""
    try:
        return read_bytes(path, limit=MAX_INDEX_BYTES)
    except KepError as exc:
        raise _corrupt(path, (), reason=exc.message) from exc


def _parse(path: Path, raw: bytes) -> IndexData:
    """The parsed content of keps.yaml's bytes *raw*; IndexCorruptError if it is not YAML."""
    from keps._yaml import load_fast

    try:
        text = decode_text(raw, path)
        loaded = load_fast(text, path=path)
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


def keeps_index_file(content_root: str | Path) -> bool:
    """True when *content_root* keeps its index as content (``keps.yaml``).

    The seed layout does; a kubernetes/enhancements checkout does not (its index lives
    only in the user's cache), unless someone put a keps.yaml there.
    """
    root = Path(content_root)
    return (root / INDEX_FILE).is_file() or not is_checkout(root)


def find_kep_dirs(content_root: Path) -> Iterator[Path]:
    """Every KEP folder under *content_root* (holding metadata.yaml or kep.yaml), in name order.

    In a kubernetes/enhancements checkout only ``keps/`` is walked, without its template
    and its production readiness approvals (see :func:`keps._checkout.kep_area`): never
    ``pkg/**/testdata`` or ``vendor/``. Hidden folders are skipped, symlinked folders are not followed, and a KEP folder's
    own subfolders (guides, assets) are not searched for further KEPs. A metadata file
    of any kind counts (a FIFO, a folder, a dangling link): such a KEP is broken, not
    absent.
    """
    area, skipped = kep_area(content_root)
    start = content_root / area if area else content_root
    stack = [start]
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
            if child.name.startswith(".") or (folder == start and child.name in skipped):
                continue
            if kep_file(child.path)[0]:
                yield Path(child.path)
            else:
                stack.append(Path(child.path))


def kep_file(folder: str) -> tuple[bool, cache.Identity]:
    """(True, identity of its metadata file) when *folder* is a KEP folder, else (False, None).

    A folder is a KEP folder when it holds ``metadata.yaml`` or ``kep.yaml`` of any
    kind: a regular file (the usual case, one stat), or anything else - a FIFO, a
    device, a folder, a dangling link - which makes a broken KEP that a rebuild lists,
    never a folder it silently walks past. The identity is that of the file found
    (None for a dangling link).
    """
    for name in (METADATA_FILE, KEP_FILE):
        try:
            info = os.stat(f"{folder}/{name}")
        except (OSError, ValueError):
            continue
        return True, (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    for name in (METADATA_FILE, KEP_FILE):  # neither is there: a dangling link?
        if os.path.lexists(f"{folder}/{name}"):
            return True, None
    return False, None


def rebuild(
    content_root: str | Path, *, registry: SigRegistry | None = None, incremental: bool = True
) -> Index:
    """A fresh index of every KEP under *content_root*, in every state (nothing written).

    Good KEPs become entries; a KEP whose metadata cannot be read or that fails a
    blocking check becomes a :class:`BrokenKep` with every problem found. The next
    number is at least the one an existing keps.yaml stores, above every number that
    file or the tree records; an unreadable keps.yaml only costs a warning.
    *registry* defaults to the content root's sigs.yaml, else the packaged list.

    With *incremental* (the default) a KEP whose files are unchanged since the last
    rebuild - its metadata file, each listed section and the folders on the way to it,
    its production readiness file (same size, modification and change time, inode) -
    under the same SIG list and keps code, is taken from the cache in the user's cache
    directory (see :mod:`keps.index.cache`); every other KEP is read and checked.
    ``incremental=False`` reads every KEP. Either way the cache is refreshed, and the
    result is the same. An explicit *registry* is not cached: every KEP is read. A cold
    rebuild of many KEPs reads them in worker processes, one per core.

    Raises:
        KepNotFoundError: *content_root* is not a folder.
    """
    from keps.sigs import registry_for

    root = _content_root(content_root)
    explicit = registry
    registry = registry_for(root, registry)
    start_ns = time.time_ns()
    key = _cache_key(root) if explicit is None else None
    path = cache.cache_path(root) if key is not None else None
    # the cache and the entries made from it are hundreds of thousands of objects, none of
    # them garbage: one collection when the pause ends, not one per allocation burst
    with cache.gc_paused():
        old = (
            cache.load(path, key) if incremental and path is not None and key is not None else None
        )
        floor, problems, salvage = _floor(root, old, start_ns)
        new_keps: dict[str, Any] = {}
        results: list[Entry | BrokenKep | None] = []
        todo: list[tuple[int, str, str, cache.Identity]] = []
        old_keps: dict[str, Any] = old["keps"] if old else {}
        checker = forked.start(str(root), old_keps)
        deferred: list[tuple[int, str, str, cache.Identity, Any]] = []
        try:
            for kep_dir, location, meta_id in _walk(root):
                known = old_keps.get(location)
                if checker is not None and checker.covers(location) and _head_matches(
                    meta_id, known
                ):  # fmt: skip
                    deferred.append((len(results), kep_dir, location, meta_id, known))
                    results.append(None)
                    continue
                result = _from_cache(kep_dir, location, meta_id, known)
                if result is not None:
                    new_keps[location] = known
                else:
                    todo.append((len(results), kep_dir, location, meta_id))
                results.append(result)
        finally:
            differ = checker.changed() if checker is not None else None
        for slot, kep_dir, location, meta_id, known in deferred:
            if differ is None:  # the child failed: check its share here
                result = _from_cache(kep_dir, location, meta_id, known)
            else:
                result = None if location in differ else _result_of(location, known)
            if result is not None:
                new_keps[location] = known
                results[slot] = result
            else:
                todo.append((slot, kep_dir, location, meta_id))
        todo.sort()
    for (slot, _, location, meta_id), (fresh, probes, packed, newest, plain) in zip(
        todo, _read_many(root, todo, explicit), strict=True
    ):
        results[slot] = fresh
        if not cache.is_racy(meta_id, start_ns) and newest < start_ns - cache.RACY_NS:
            # section names, SIGs and people repeat from KEP to KEP: one object each in
            # the cache file, which marshal then writes and loads once
            files, folders = (tuple(map(sys.intern, names)) for names in probes)
            new_keps[location] = (cache.pack_one(meta_id) + packed, files, plain, folders)
    changed = not old or todo or len(new_keps) != len(old_keps) or old.get("salvage") != salvage
    if path is not None and key is not None and changed:
        cache.save(path, key, new_keps, salvage=salvage)
    entries = [r for r in results if isinstance(r, Entry)]
    broken = [r for r in results if isinstance(r, BrokenKep)]
    numbers = [e.kep_number for e in entries] + [b.kep_number for b in broken]
    highest = max((n for n in numbers if n is not None), default=0)
    index = Index(
        root,
        entries,
        next_kep_number=max(floor, highest + 1),
        broken=broken,
        problems=problems,
    )
    log.info(
        "indexed %d KEPs under %s (%d broken, %d read, %d from the cache)",
        len(entries),
        root,
        len(broken),
        len(todo),
        len(results) - len(todo),
    )
    return index


def _floor(
    root: Path, old: dict[str, Any] | None, start_ns: int
) -> tuple[int, tuple[Problem, ...], tuple[Any, ...]]:
    """(next number floor, problems, what to cache) from keps.yaml, or from the cache.

    keps.yaml of 10,000 KEPs takes a while to scan; an unchanged one needs no new look.
    A floor the cache holds is taken only when it is the next number the head of
    keps.yaml states, which is what a scan of a keps.yaml our emitter wrote gives; any
    other floor (a hand-edited file, a tampered cache) is worked out again.
    """
    index_file = root / INDEX_FILE
    index_id = cache.file_identity(str(index_file))
    salvaged = old.get("salvage") if old else None
    floor: int | None = None
    problems: tuple[Problem, ...] = ()
    if (
        type(salvaged) is tuple
        and len(salvaged) == 3
        and index_id is not None
        and salvaged[0] == index_id
        and not cache.is_racy(index_id, start_ns)
        and type(salvaged[1]) is int
        and salvaged[2] == ()
        and cache.head_next_number(index_file) == (True, salvaged[1])
    ):
        floor = salvaged[1]
    if floor is None:
        floor, problems = _salvage(index_file)
    return floor, problems, (index_id, floor, tuple(cache.problem_plain(p) for p in problems))


#: A rebuild that reads at least this many KEPs spreads them over worker processes.
#: Below it, starting the workers costs more than they save (measured on 2 cores: at
#: 655 checkout KEPs the pool took a cold load from 360 to 300 ms, at 1,000 2018 KEPs a
#: full rebuild from 222 to 178 ms).
PARALLEL_THRESHOLD = 500

#: Each worker gets its KEPs in batches of this many, so one slow batch cannot stall.
_BATCH = 250


def _cache_key(root: Path) -> dict[str, Any]:
    """Everything besides each KEP's own files that a rebuild's results depend on.

    The root's real path too: whether a symlinked section leaves its KEP folder depends
    on where the folder really is.
    """
    sigs = cache.file_identity(str(root / "sigs.yaml"))
    return {
        "root": str(root),
        "real": os.path.realpath(root),
        "sigs": sigs,
        "code": cache.code_fingerprint(),
    }


def _from_cache(
    kep_dir: str, location: str, meta_id: cache.Identity, known: Any
) -> Entry | BrokenKep | None:
    """The cached result for the KEP in *kep_dir* if none of its files changed, else None.

    *known* is what the cache holds for it: (packed identities of the metadata file and
    of each file and folder probed, the files, the result as plain data, the folders;
    see :func:`cache.probes_for`).
    """
    if not _head_matches(meta_id, known):
        return None
    packed, files, _, folders = known
    if cache.packed_stats(kep_dir, files, folders) != packed[_HEAD:]:
        return None
    return _result_of(location, known)


#: The size of one packed identity (metadata.yaml's comes first in a cached KEP).
_HEAD = cache.PACKED_SIZE


def _head_matches(meta_id: cache.Identity, known: Any) -> bool:
    """True when *known* is a well-formed cached KEP whose metadata file is unchanged."""
    return cache.well_formed(known) and known[0].startswith(cache.pack_one(meta_id))


def _result_of(location: str, known: tuple[Any, ...]) -> Entry | BrokenKep | None:
    """The result a cached KEP records; None if the record is corrupt (read it again).

    A result that names another folder than the one it is cached for is corrupt too.
    """
    try:
        result = cache.from_plain(known[2])
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    return result if result.location == location else None


def _walk(root: Path) -> Iterator[tuple[str, str, cache.Identity]]:
    """(folder, location, identity of its metadata file) of every KEP, as :func:`find_kep_dirs`.

    The same folders in the same order, as plain strings. Every folder is listed: a
    remembered listing could only be checked by listing it again (about a microsecond
    per entry, 11 ms for 10,000 KEPs).
    """
    area, skipped = kep_area(root)
    stack = [area]
    base = str(root)
    while stack:
        rel = stack.pop()
        folder = f"{base}/{rel}" if rel else base
        for name in reversed(_subfolders(folder)):
            if rel == area and name in skipped:
                continue
            child_rel = f"{rel}/{name}" if rel else name
            child = f"{base}/{child_rel}"
            is_kep, meta_id = kep_file(child)
            if is_kep:
                yield child, child_rel, meta_id
            else:
                stack.append(child_rel)


def _subfolders(folder: str) -> list[str]:
    """The names of *folder*'s subfolders that are neither hidden nor symlinks, sorted."""
    try:
        with os.scandir(folder) as it:
            names = [
                e.name for e in it if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")
            ]
    except OSError as exc:
        log.warning("cannot list %s: %s", folder, exc.strerror or exc)
        return []
    names.sort()
    return names


#: What :func:`_read_many` yields per KEP: the result, the probes that cover its files,
#: their packed identities, the newest time among them, and the result as plain data.
_Read: TypeAlias = tuple[Entry | BrokenKep, cache.Probes, bytes, int, tuple[Any, ...]]


def _read_many(
    root: Path, todo: list[tuple[int, str, str, cache.Identity]], registry: SigRegistry | None
) -> Iterator[_Read]:
    """Read and check each KEP in *todo*, in order; in worker processes when there are many.

    Each result comes with its plain form for the cache (the workers send that anyway).
    """
    from keps.sigs import registry_for

    jobs = [(kep_dir, location) for _, kep_dir, location, _ in todo]
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) >= PARALLEL_THRESHOLD and workers > 1:
        batches = [jobs[i : i + _BATCH] for i in range(0, len(jobs), _BATCH)]
        from concurrent.futures import ProcessPoolExecutor

        # import what reading a KEP needs before the workers fork, so they share it
        # instead of each importing the object model again
        import keps.keps.kep  # noqa: F401

        try:
            pool = ProcessPoolExecutor(max_workers=workers)
        except (OSError, NotImplementedError) as exc:  # no process support here
            log.info("reading KEPs in this process: %s", exc)
        else:
            with pool:
                args = [(str(root), batch, registry) for batch in batches]
                for part in pool.map(_read_batch, args):
                    for plain, probes, packed, newest in part:
                        yield cache.from_plain(plain), probes, packed, newest, plain
            return
    resolved = registry_for(root, registry)
    for kep_dir, location in jobs:
        result, probes, packed, newest = _read_one(kep_dir, location, root, resolved)
        yield result, probes, packed, newest, cache.to_plain(result)


def _read_batch(
    args: tuple[str, list[tuple[str, str]], SigRegistry | None],
) -> list[tuple[tuple[Any, ...], cache.Probes, bytes, int]]:
    """Worker side of :func:`_read_many`: plain results, cheap to send back."""
    from keps.sigs import registry_for

    base, jobs, registry = args
    root = Path(base)
    resolved = registry_for(root, registry)
    out = []
    for kep_dir, location in jobs:
        result, probes, packed, newest = _read_one(kep_dir, location, root, resolved)
        out.append((cache.to_plain(result), probes, packed, newest))
    return out


def _read_one(
    kep_dir: str, location: str, root: Path, registry: SigRegistry
) -> tuple[Entry | BrokenKep, cache.Probes, bytes, int]:
    """The result for one KEP, the probes that cover the files it was made from, their
    packed identities as the checks saw them, and the newest time among those.

    A section the checks looked at with ``lstat`` (a plain name, no symlink on the way)
    takes its identity from that very call: one system call per file instead of two,
    and no window in which the file could change between the check and the record.
    Other probes are stat'ed after the read.
    """
    result, sections, seen, extra = _index_one(Path(kep_dir), location, root, registry)
    probes = cache.probes_for(sections, extra)
    packed, newest = cache.record(kep_dir, probes, seen)
    return result, probes, packed, newest


def _index_one(
    kep_dir: Path, location: str, root: Path, registry: SigRegistry
) -> tuple[
    Entry | BrokenKep, tuple[str, ...], Mapping[str, os.stat_result | None], tuple[str, ...]
]:
    """The entry of the KEP in *kep_dir*, or what is wrong with it; its listed sections;
    the ``lstat`` the checks made of each (see :attr:`CheckContext.section_stats`); and
    the other files it was read from, relative to *kep_dir* (see :func:`_other_sources`).
    """
    from keps.keps.kep import Kep

    try:
        kep = Kep.open(kep_dir, registry=registry, content_root=root)
    except KepError as exc:
        problems = exc.problems if isinstance(exc, InvalidContentError) else ()
        if not problems:  # the error names the file it could not read (kep.yaml too)
            path = exc.path or str(kep_dir / METADATA_FILE)
            problems = (Problem("kep-unreadable", exc.message, path=path),)
        return BrokenKep(location, problems), (), {}, ()
    sections = tuple(kep.metadata.sections)
    extra = _other_sources(kep, kep_dir)
    problems, context = kep.problems_and_context()
    seen = context.section_stats
    if errors_only(problems):
        broken = BrokenKep(location, problems, kep_number=kep.kep_number, uuid=kep.uuid or None)
        return broken, sections, seen, extra
    return Entry.from_metadata(kep.metadata, location), sections, seen, extra


def _other_sources(kep: Kep, kep_dir: Path) -> tuple[str, ...]:
    """The files besides its metadata file that *kep* was read from, relative to *kep_dir*.

    What is in them is part of the entry (a production readiness approval file, present
    or absent), so their identities are part of the KEP's in the cache. The layout says
    which they are (:attr:`keps.keps.layouts.base.Loaded.sources`).
    """
    return tuple(os.path.relpath(path, kep_dir) for path in kep.sources)


#: ``kep_number: 12`` anywhere in a keps.yaml our emitter wrote (quotes tolerated). No
#: ``\b`` before the key: it stops the regex engine from searching for the literal key
#: (25 times slower on a 4 MiB file); :func:`_recorded_numbers` checks the boundary.
_RECORDED_NUMBER = re.compile(r"""kep_number["']?[ \t]*:[ \t]*["']?(\d+)""")


def _recorded_numbers(text: str) -> Iterator[int]:
    """Every number recorded as ``kep_number`` in *text* (not ``next_kep_number``).

    A number of more digits than ``int()`` takes (4300) is no number keps ever wrote or
    could hand out: it is passed over rather than stopping the rebuild.
    """
    for match in _RECORDED_NUMBER.finditer(text):
        start = match.start()
        before = text[start - 1] if start else " "
        if not (before.isalnum() or before == "_"):
            with contextlib.suppress(ValueError):
                yield int(match.group(1))


def _salvage(path: Path) -> tuple[int, tuple[Problem, ...]]:
    """The lowest next number an existing keps.yaml allows, and a warning if it is unreadable.

    Whatever the file's state, every number it records stays used: the stored next
    number, and every entry's number plus one.
    """
    if not path.exists():
        return 1, ()
    text = ""
    try:
        text = decode_text(read_bytes(path, limit=MAX_INDEX_BYTES), path)
        if text.startswith(HEADER):
            # written by our own emitter: every number is a plain decimal after the key, so
            # a scan finds them all at a fraction of a full parse (over-matching only
            # raises the floor, which is the safe direction)
            numbers = list(_recorded_numbers(text))
            return max([1, *(n + 1 for n in numbers), next_number_in_text(text) or 1]), ()
        from keps._yaml import load_fast

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
