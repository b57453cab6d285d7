"""What an incremental rebuild remembers between runs, kept in the user's cache directory.

A rebuild of 10,000 KEPs mostly re-reads files that did not change. The cache records,
per content root, what the last rebuild learned about every KEP folder: the identity
(size, modification and change time in ns, inode) of ``metadata.yaml``, and of every
other file the result was made from - each listed section, the folders on the way to
it (their kind and inode, so a folder swapped for a symlink shows), and in the
kubernetes/enhancements layout the KEP's production readiness file, present or absent -
and what the rebuild made of it (an index entry, or a broken KEP with its problems). A
KEP whose files all still have the same identity is taken from the cache; every other
KEP is read and checked again. Folders are listed afresh on every rebuild: a listing
cannot be checked without listing.

The file lives under ``platformdirs.user_cache_path("keps")/index/``, named by a hash of
the absolute content root, never inside the tree. It is ``marshal`` of plain data (no
pickle, nothing in it is ever called) with a version and the identities of everything
else a result depends on: the SIG list in force and every file of the keps package.
A missing, unreadable, oversized, corrupt or foreign cache is ignored and rewritten, and
so is any record in it of the wrong shape: it can cost time, never correctness. Only
the shape can be checked: the cache is the user's own file, like their settings.

Files changed within :data:`RACY_NS` of the start of a rebuild are not remembered: a
second change inside the file system's time granularity could keep the same identity
(git calls these "racily clean").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import logging
import marshal
import os
import stat
import struct
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeAlias

from keps._files import MAX_INDEX_BYTES, read_bytes, read_head
from keps._names import INDEX_FILE
from keps.errors import KepError, KepNotFoundError
from keps.index.entry import BrokenKep, Entry
from keps.index.store import is_plain_location, next_number_in_text
from keps.keps.states import State
from keps.problems import Problem, Severity

__all__ = [
    "CACHE_VERSION",
    "MAX_CACHE_BYTES",
    "PACKED_SIZE",
    "RACY_NS",
    "Identity",
    "Probes",
    "cache_path",
    "code_fingerprint",
    "file_identity",
    "from_plain",
    "gc_paused",
    "head_next_number",
    "load",
    "pack",
    "pack_one",
    "packed_stats",
    "probes_for",
    "problem_plain",
    "problems_from_plain",
    "record",
    "remember_written",
    "save",
    "to_plain",
    "well_formed",
]

log = logging.getLogger(__name__)

#: Bumped whenever the layout of the cached data changes.
CACHE_VERSION = 6

#: Files modified this close to (or after) the start of a rebuild are read next time too.
RACY_NS = 2_000_000_000

#: (size, mtime_ns, ctime_ns, inode) of a file, or None when it cannot be stat'ed.
Identity: TypeAlias = tuple[int, int, int, int] | None


def file_identity(path: str) -> Identity:
    """The identity of the file at *path* (following symlinks), None if it is not there."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


#: A file identity as 32 bytes; every KEP's identities are one bytes object in the cache,
#: so loading it makes one object per KEP instead of a tuple and four ints per file.
_PACKED = struct.Struct("<qqqQ")

#: The packed identity of a file that is not there (no real file has a negative size).
_MISSING = _PACKED.pack(-1, 0, 0, 0)

#: The first value of a packed folder on the way to a section, and of a packed symlink.
_FOLDER, _LINK = -2, -3


def pack(identities: Iterable[Identity]) -> bytes:
    """*identities* as one bytes object, equal for equal identities in the same order."""
    return b"".join(_MISSING if i is None else _PACKED.pack(*i) for i in identities)


def pack_one(identity: Identity) -> bytes:
    """``pack((identity,))``, without the generator: once per KEP in a warm rebuild."""
    return _MISSING if identity is None else _PACKED.pack(*identity)


#: The size of one packed identity.
PACKED_SIZE = _PACKED.size


#: What to look at in a KEP folder besides its metadata file: (files, folders), names
#: relative to the folder (see :func:`probes_for`).
Probes: TypeAlias = tuple[tuple[str, ...], tuple[str, ...]]


def probes_for(sections: Iterable[str], extra: Iterable[str] = ()) -> Probes:
    """What to look at in a KEP folder to know that its listed *sections* did not change.

    The files are the sections and the *extra* files (relative to the KEP folder: the
    production readiness file); the folders are those on the way to a section, each
    once (for ``guides/developer.md``: ``guides``). See :func:`packed_stats`.
    """
    files = (*sections, *extra)
    folders: dict[str, None] = {}
    for name in sections:
        parts = name.split("/")[:-1]
        for end in range(1, len(parts) + 1):
            folder = "/".join(parts[:end])
            if folder:
                folders.setdefault(folder)
    return files, tuple(folders)


def packed_stats(folder: str, files: Iterable[str], folders: Iterable[str] = ()) -> bytes:
    """The identities of *files* and then *folders* in *folder*, stat'ed now, packed.

    The check of a warm rebuild: one ``lstat`` per name, straight into bytes. A file is
    its identity; a folder on the way to a section its kind and inode, so that a folder
    moved away and symlinked back, whose files keep every identity, still shows. A
    symlink adds its own identity, its target's, and where it leads in the end.
    """
    found: list[bytes] = []
    add, lstat, pack = found.append, os.lstat, _PACKED.pack  # locals: 60,000 calls at 10,000 KEPs
    for name in files:
        path = f"{folder}/{name}"
        try:
            info = lstat(path)
        except (OSError, ValueError):
            add(_MISSING)
            continue
        if info.st_mode & _IFMT == _IFLNK:
            add(_probe_link(path, info, is_folder=False)[0])
        else:
            add(pack(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
    for name in folders:
        path = f"{folder}/{name}"
        try:
            info = lstat(path)
        except (OSError, ValueError):
            add(_MISSING)
            continue
        if info.st_mode & _IFMT == _IFLNK:
            add(_probe_link(path, info, is_folder=True)[0])
        else:
            add(pack(_FOLDER, info.st_mode, 0, info.st_ino))
    return b"".join(found)


#: The file type bits of a mode, and those of a symlink (stat.S_ISLNK without a call).
_IFMT, _IFLNK = 0o170000, stat.S_IFLNK


def _probe_link(path: str, info: os.stat_result, *, is_folder: bool) -> tuple[bytes, int]:
    """A symlink packed - its own identity, its target's (a file), where it resolves to -
    and the newest time in it. Rare, so one careful path for the check and the record.
    """
    own = _PACKED.pack(_LINK, info.st_mode, info.st_ctime_ns, info.st_ino)
    target = None if is_folder else file_identity(path)
    where = os.path.realpath(path)
    digest = hashlib.blake2b(where.encode("utf-8", "surrogateescape"), digest_size=32).digest()
    newest = max(info.st_mtime_ns, info.st_ctime_ns)
    if target is not None:
        newest = max(newest, target[1], target[2])
    return own + pack_one(target) + digest, newest


def _probe(path: str, *, is_folder: bool) -> tuple[bytes, int]:
    """(:func:`packed_stats` of the one file or folder *path*, its newest modification or
    change time). A folder's kind and inode carry no time (0).
    """
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        return _MISSING, 0
    if stat.S_ISLNK(info.st_mode):
        return _probe_link(path, info, is_folder=is_folder)
    if is_folder:
        return _PACKED.pack(_FOLDER, info.st_mode, 0, info.st_ino), 0
    packed = _PACKED.pack(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    return packed, max(info.st_mtime_ns, info.st_ctime_ns)


def record(
    folder: str, probes: Probes, seen: Mapping[str, os.stat_result | None]
) -> tuple[bytes, int]:
    """(:func:`packed_stats` of *probes*, the newest modification or change time in it).

    *seen* holds the ``lstat`` the checks made of sections with no symlink on the way
    (None: missing): their identity is taken from that very call, so nothing can change
    between the check and the record. The newest time decides whether the record is
    racy (see :func:`is_racy`).
    """
    files, folders = probes
    found: list[bytes] = []
    newest = 0
    for name in files:
        if name in seen:
            info = seen[name]
            if info is None:
                found.append(_MISSING)
                continue
            found.append(
                _PACKED.pack(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
            )
            newest = max(newest, info.st_mtime_ns, info.st_ctime_ns)
            continue
        packed, when = _probe(f"{folder}/{name}", is_folder=False)
        found.append(packed)
        newest = max(newest, when)
    for name in folders:
        packed, when = _probe(f"{folder}/{name}", is_folder=True)
        found.append(packed)
        newest = max(newest, when)
    return b"".join(found), newest


def is_racy(identity: Identity, start_ns: int) -> bool:
    """True when *identity* changed so recently that a same-tick change could hide."""
    if identity is None:
        return False
    return max(identity[1], identity[2]) >= start_ns - RACY_NS


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector while many objects are made at once.

    Loading a cache makes hundreds of thousands of tuples and strings, none of them
    garbage; each allocation burst would otherwise start collections that walk every
    object made so far (a quarter of the load time). Reference counting still frees
    what is dropped, and the collector's previous state is restored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def cache_path(content_root: Path) -> Path:
    """The cache file for *content_root* (absolute) in the user's cache directory."""
    from platformdirs import user_cache_path

    digest = hashlib.sha256(str(content_root).encode("utf-8", "surrogateescape")).hexdigest()
    return user_cache_path("keps") / "index" / f"{digest[:32]}.marshal"


def code_fingerprint() -> str:
    """A digest of the name and identity of every file of the keps package.

    A newer keps (or an edited checkout) may check differently; its cached results are
    then not trusted. Every module and data file counts - the packaged SIG list and
    templates feed results as much as the code - and the whole package folder is
    walked, so a module moved to a new folder counts too (``__pycache__`` does not:
    Python writes it). About a hundred stats, a fraction of a millisecond; it runs on
    every rebuild and every ``kepctl query``.
    """
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # noqa: PTH120
    digest = hashlib.blake2b(package.encode("utf-8", "surrogateescape"), digest_size=20)
    stack = [package]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            digest.update(b"\0unlistable\0" + folder.encode("utf-8", "surrogateescape"))
            continue
        for entry in entries:
            if entry.name == "__pycache__":
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
                continue
            try:
                info = entry.stat()
            except OSError:
                continue
            digest.update(
                _PACKED.pack(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
                + entry.path[len(package) :].encode("utf-8", "surrogateescape")
                + b"\0"
            )
    return digest.hexdigest()


#: Cache files are refused above this size before they are read (a 10,000 KEP tree
#: makes about 7 MiB): the same cap as keps.yaml, whose content they summarise.
MAX_CACHE_BYTES = MAX_INDEX_BYTES


def load(path: Path, key: dict[str, Any]) -> dict[str, Any] | None:
    """The cached data in *path* if its version and *key* match; None otherwise.

    Only the outer shape is checked here; each KEP's record is checked when it is used
    (:func:`well_formed`, :func:`from_plain`), and a bad one costs a read of that KEP.
    """
    data = _read(path)
    if type(data) is not dict or data.get("version") != CACHE_VERSION:
        return None
    if data.get("key") != key:
        return None
    if type(data.get("keps")) is not dict:
        return None
    return data


def save(
    path: Path,
    key: dict[str, Any],
    keps: dict[str, Any],
    *,
    salvage: tuple[Any, ...] | None = None,
) -> None:
    """Write the cache atomically; a failure only costs a log line.

    *salvage* is what the last rebuild learned from keps.yaml: (its identity, the next
    number floor, plain problems).
    """
    data = {"version": CACHE_VERSION, "key": key, "keps": keps, "salvage": salvage}
    _replace(path, marshal.dumps(data))


def _read(path: Path) -> object:
    """What the cache file *path* holds; None when it is missing, unreadable or no cache.

    Read through the guarded reader: a FIFO, a device or a file over
    :data:`MAX_CACHE_BYTES` is refused without blocking or filling memory. One read
    (marshal.load reads in small bites), with the collector paused: a cache of 10,000
    KEPs is hundreds of thousands of objects, none of them garbage.
    """
    try:
        raw = read_bytes(path, limit=MAX_CACHE_BYTES)
    except KepNotFoundError:
        return None
    except KepError as exc:
        log.info("ignoring the cache file %s: %s", path, exc.message)
        return None
    try:
        with gc_paused():
            return marshal.loads(raw)
    except (EOFError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        log.info("ignoring the unreadable cache file %s: %s", path, exc)
        return None


def _replace(path: Path, payload: bytes) -> None:
    """Write a cache file: a temporary file renamed over it; a failure only costs a log line.

    No fsync: a cache lost or cut short by a crash is unreadable, and an unreadable cache
    is only ignored. A plain rename, not the tree's atomic_write_bytes: rebuild and open
    run inside lifecycle steps, whose writes must be the only ones in the tree's journal.
    The temporary file is made new (never opened if something is already there, such as
    a FIFO), and nothing is written that :func:`_read` would refuse.
    """
    if len(payload) > MAX_CACHE_BYTES:
        log.info("not writing the index cache %s: %d bytes", path, len(payload))
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, _NEW_FILE, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.rename(tmp, path)  # noqa: PTH104 - the same call on str and Path
    except OSError as exc:
        log.info("cannot write the index cache %s: %s", path, exc)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


#: How a temporary cache file is created: new, never through a link, never blocking.
_NEW_FILE = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


# -- results as plain data ----------------------------------------------------------------

_ENTRY_FIELDS = (
    "uuid",
    "kep_number",
    "title",
    "state",
    "owning_sig",
    "participating_sigs",
    "affected_subprojects",
    "authors",
    "reviewers",
    "approvers",
    "editors",
    "development_themes",
    "created",
    "last_updated",
    "location",
    "stage",
    "latest_milestone",
    "feature_gates",
    "prr_approvers",
    "unparsed",
    "prr_approvals",
    "milestones",
    "replaces",
    "superseded_by",
    "see_also",
)


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def problem_plain(problem: Problem) -> tuple[Any, ...]:
    """*problem* as a tuple of plain values."""
    return (
        problem.code,
        problem.message,
        problem.path,
        problem.field,
        problem.line,
        str(problem.severity),
        problem.exempted,
    )


_intern = sys.intern


def _interned(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(map(_intern, names)) if names else names


def to_plain(result: Entry | BrokenKep) -> tuple[Any, ...]:
    """*result* as a tuple of str, int, None and tuples (what marshal and pickle carry fast).

    Values that repeat from KEP to KEP (states, SIGs, people, stages) are interned: equal
    strings become one object, which marshal and pickle then write and load once.
    """
    if isinstance(result, Entry):
        # one expression per field, in _ENTRY_FIELDS order: a cold rebuild makes 10,000
        state = result.state
        return (
            "entry",
            result.uuid,
            result.kep_number,
            result.title,
            None if state is None else _intern(state.value),
            _intern(result.owning_sig),
            _interned(result.participating_sigs),
            _interned(result.affected_subprojects),
            _interned(result.authors),
            _interned(result.reviewers),
            _interned(result.approvers),
            _interned(result.editors),
            _interned(result.development_themes),
            _time(result.created),
            _time(result.last_updated),
            result.location,
            _intern(result.stage),
            _intern(result.latest_milestone),
            _interned(result.feature_gates),
            _interned(result.prr_approvers),
            result.unparsed,
            result.prr_approvals,
            tuple((_intern(stage), _intern(text)) for stage, text in result.milestones),
            result.replaces,
            result.superseded_by,
            result.see_also,
        )
    problems = tuple(problem_plain(p) for p in result.problems)
    return ("broken", result.location, problems, result.kep_number, result.uuid)


#: What a cached problem's field may be: a metadata key as YAML gave it.
_FIELD_TYPES = frozenset({str, int, bool, float, type(None)})
_SEVERITIES = {str(severity): severity for severity in Severity}


def problems_from_plain(items: Iterable[Any]) -> tuple[Problem, ...]:
    """The problems that :func:`problem_plain` turned into *items*.

    Raises:
        ValueError, TypeError, KeyError: *items* is not what problem_plain makes.
    """
    if type(items) is not tuple:
        msg = "expected a tuple of problems"
        raise TypeError(msg)
    problems = []
    for code, message, path, field, line, severity, exempted in items:
        if not (
            type(code) is str
            and type(message) is str
            and (path is None or type(path) is str)
            and type(field) in _FIELD_TYPES
            and (line is None or type(line) is int)
            and (exempted is None or type(exempted) is str)
        ):
            msg = "a cached problem of the wrong shape"
            raise TypeError(msg)
        problems.append(Problem(code, message, path, field, line, _SEVERITIES[severity], exempted))
    return tuple(problems)


def from_plain(plain: tuple[Any, ...]) -> Entry | BrokenKep:
    """The Entry or BrokenKep that :func:`to_plain` turned into *plain*.

    Every value is checked for its type, so a corrupt or tampered cache can never put
    a number that is text, or a missing location, into an index.

    Raises:
        ValueError, TypeError, KeyError: *plain* is not what to_plain makes (a corrupt
            cache).
    """
    if type(plain) is not tuple or not plain:
        msg = "expected a tuple"
        raise TypeError(msg)
    kind = plain[0]
    if kind == "entry":
        return _trusted_entry(plain[1:])
    if kind == "broken":
        _, location, problems, number, uuid = plain
        if type(location) is not str or not location:
            msg = "a broken KEP's location must be text"
            raise TypeError(msg)
        _check_number(number)
        if uuid is not None and type(uuid) is not str:
            msg = "a broken KEP's uuid must be text"
            raise TypeError(msg)
        return BrokenKep(location, problems_from_plain(problems), kep_number=number, uuid=uuid)
    msg = f"unknown cached result {kind!r}"
    raise ValueError(msg)


def _check_number(number: object) -> None:
    """Raise unless *number* is None or a whole number >= 0 (never a bool or text)."""
    if number is not None and (type(number) is not int or number < 0):
        msg = f"a KEP number must be a whole number, not {number!r:.40}"
        raise TypeError(msg)


def well_formed(known: object) -> bool:
    """True when *known* has the shape of a cached KEP.

    That is (packed identities, the files probed, the result as plain data, the folders
    probed; see :func:`probes_for`). A name that is not text only makes a path that is
    not there, so the KEP is read again; the result itself is checked when it is made
    (:func:`from_plain`).
    """
    return (
        type(known) is tuple
        and len(known) == 4
        and type(known[0]) is bytes
        and type(known[1]) is tuple
        and type(known[3]) is tuple
    )


# -- the parsed keps.yaml ------------------------------------------------------------------
#
# `kepctl query` opens keps.yaml in a new process each time; parsing 10,000 entries takes
# seconds. What the parse gave is kept next to the rebuild cache with keps.yaml's
# identity and a digest of its bytes, and the keps code. An unchanged identity that is
# not racy (see is_racy) is trusted without reading the file, as git trusts its index;
# otherwise the bytes are read and their digest compared, so no same-tick write can
# fool it.

#: Bumped whenever the layout of the parsed-index cache changes.
PARSED_VERSION = 5


def parsed_path(content_root: Path) -> Path:
    """The parsed-index cache file for *content_root* (absolute)."""
    path = cache_path(content_root)
    return path.with_name(path.stem + ".parsed.marshal")


def content_digest(data: bytes) -> str:
    """The digest of keps.yaml's bytes that keys the parsed-index cache."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def load_parsed(
    path: Path, index_file: Path, identity: Identity, digest_of: Callable[[], str | None]
) -> tuple[int | None, list[Entry]] | None:
    """(stored next number, entries) parsed from keps.yaml, if it is the file cached.

    *identity* is the identity of keps.yaml (*index_file*) now; *digest_of* gives the
    digest of its bytes and is called only when the identity cannot be trusted. The
    stored next number must also be the one the head of keps.yaml states
    (:func:`head_next_number`), and every entry must be well formed, with a location a
    parse would give. None when nothing usable is cached (missing, corrupt, of the wrong
    shape, another file or keps code): keps.yaml is then parsed.
    """
    data = _read(path)
    if type(data) is not tuple or len(data) != 7 or data[0] != PARSED_VERSION:
        return None
    _, cached_identity, saved_ns, cached_digest, code, next_number, items = data
    if code != code_fingerprint() or type(items) is not list:
        return None
    if next_number is not None and (type(next_number) is not int or next_number < 0):
        return None
    same_file = (
        identity is not None
        and cached_identity == identity
        and type(saved_ns) is int
        and not is_racy(identity, saved_ns)
    )
    if not same_file and (type(cached_digest) is not str or digest_of() != cached_digest):
        return None
    if head_next_number(index_file) != (True, next_number):
        return None
    try:
        with gc_paused():
            entries = [_trusted_entry(item) for item in items]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    if not all(is_plain_location(entry.location) for entry in entries):
        return None
    return next_number, entries


#: How much of keps.yaml :func:`head_next_number` reads: our emitter writes the next
#: number on its second line.
HEAD_BYTES = 4096


def head_next_number(path: Path) -> tuple[bool, int | None]:
    """(True, the next number) that the first lines of keps.yaml at *path* state.

    The cross-check of a cached next number: a few KiB read instead of the whole index.
    (True, None) when the whole file was read and states none; (False, None) when the
    file cannot be read (a regular file only, opened without blocking) or the number
    is not in its head.
    """
    try:
        head = read_head(path, HEAD_BYTES + 1)
    except KepError:
        return False, None
    whole = len(head) <= HEAD_BYTES
    if not whole:
        head = head[: head.rfind(b"\n", 0, HEAD_BYTES) + 1]
    number = next_number_in_text(head.decode("utf-8", "replace"))
    if number is None and not whole:
        return False, None
    return True, number


def save_parsed(
    path: Path,
    identity: Identity,
    saved_ns: int,
    digest: str,
    next_number: int | None,
    entries: Iterable[Entry],
) -> None:
    """Remember what keps.yaml parses to; a failure only costs a log line.

    *identity* was taken at *saved_ns* (a time_ns before the file was read), *digest*
    is that of the bytes parsed.
    """
    items = [to_plain(entry)[1:] for entry in entries]
    record = (PARSED_VERSION, identity, saved_ns, digest, code_fingerprint(), next_number, items)
    _replace(path, marshal.dumps(record))


def remember_written(
    content_root: Path,
    text: str,
    written_ns: int,
    next_number: int | None,
    entries: Iterable[Entry],
) -> None:
    """Remember that the keps.yaml just written as *text* parses to *entries*.

    Called right after the write (*written_ns* is a time_ns from before it), with entries
    that :func:`keps.index.store.round_trips` vouches for, so that the next
    :func:`keps.index.open` (``kepctl query`` after ``kepctl index rebuild``) needs no
    parse. Keyed like any parse: the file's identity now, and the digest of *text*; if
    another write came in between, the digest differs and the file is parsed.
    """
    path = content_root / INDEX_FILE
    identity = file_identity(str(path))
    digest = content_digest(text.encode("utf-8"))
    save_parsed(parsed_path(content_root), identity, written_ns, digest, next_number, entries)


#: The slot setters of Entry's fields, in _ENTRY_FIELDS order (see _trusted_entry).
(
    _set_uuid,
    _set_kep_number,
    _set_title,
    _set_state,
    _set_owning_sig,
    _set_participating_sigs,
    _set_affected_subprojects,
    _set_authors,
    _set_reviewers,
    _set_approvers,
    _set_editors,
    _set_development_themes,
    _set_created,
    _set_last_updated,
    _set_location,
    _set_stage,
    _set_latest_milestone,
    _set_feature_gates,
    _set_prr_approvers,
    _set_unparsed,
    _set_prr_approvals,
    _set_milestones,
    _set_replaces,
    _set_superseded_by,
    _set_see_also,
) = (Entry.__dict__[name].__set__ for name in _ENTRY_FIELDS)

#: Each state by its value: a dict lookup instead of parse_state for cached values.
_STATES = {str(state): state for state in State}
_FIELD_COUNT = len(_ENTRY_FIELDS)
_new = object.__new__
_from_iso = dt.datetime.fromisoformat


def _trusted_entry(values: tuple[Any, ...]) -> Entry:
    """The Entry whose :func:`to_plain` values (without the kind) are *values*.

    The values came from an Entry, so they are already converted (unique names, UTC
    times): the attrs ``__init__`` and its converters are skipped and each slot is set
    directly, one line per field with no loop, which is four times faster than
    ``Entry(**values)``. Ten thousand entries are built on every ``kepctl query`` and
    every warm rebuild. Their types are checked all the same, in a few C-level calls: a
    cache file can be corrupt or tampered with.

    Raises:
        ValueError, TypeError, KeyError: *values* is not what to_plain makes.
    """
    if type(values) is not tuple or len(values) != _FIELD_COUNT:
        msg = f"expected a tuple of {_FIELD_COUNT} values"
        raise ValueError(msg)
    (uuid, number, title, state, sig, sigs, subprojects, authors, reviewers, approvers,
     editors, themes, created, updated, location, stage, milestone, gates, prr,
     unparsed, approvals, milestones, replaces, superseded_by, see_also) = values  # fmt: skip
    # each text field is a str and each list a tuple of str, or TypeError: adding to ()
    # takes only tuples, and a join only str (marshal makes no subclasses)
    "".join((uuid, title, sig, location, stage, milestone))
    "".join(() + sigs + subprojects + authors + reviewers + approvers + editors)  # noqa: RUF005 - the + is the type check
    "".join(() + themes + gates + prr + replaces + superseded_by + see_also)  # noqa: RUF005 - the + is the type check
    if not location:
        msg = "an entry without a location"
        raise ValueError(msg)
    if number is not None and (type(number) is not int or number < 0):
        msg = "kep_number is not a whole number"
        raise TypeError(msg)
    entry: Entry = _new(Entry)
    _set_uuid(entry, uuid)
    _set_kep_number(entry, number)
    _set_title(entry, title)
    _set_state(entry, None if state is None else _STATES[state])
    _set_owning_sig(entry, sig)
    _set_participating_sigs(entry, sigs)
    _set_affected_subprojects(entry, subprojects)
    _set_authors(entry, authors)
    _set_reviewers(entry, reviewers)
    _set_approvers(entry, approvers)
    _set_editors(entry, editors)
    _set_development_themes(entry, themes)
    # to_plain writes UTC times: anything else (a naive time, text that is no time) raises
    if created is not None:
        created = _from_iso(created) if created.endswith(_UTC) else _not_utc(created)
    if updated is not None:
        updated = _from_iso(updated) if updated.endswith(_UTC) else _not_utc(updated)
    _set_created(entry, created)
    _set_last_updated(entry, updated)
    _set_location(entry, location)
    _set_stage(entry, stage)
    _set_latest_milestone(entry, milestone)
    _set_feature_gates(entry, gates)
    _set_prr_approvers(entry, prr)
    _set_unparsed(entry, _text_pairs(unparsed))
    _set_prr_approvals(entry, _text_pairs(approvals))
    _set_milestones(entry, _text_pairs(milestones))
    _set_replaces(entry, replaces)
    _set_superseded_by(entry, superseded_by)
    _set_see_also(entry, see_also)
    return entry


def _text_pairs(value: object) -> tuple[tuple[str, str], ...]:
    """*value* if it is a tuple of (text, text) pairs, as to_plain writes them.

    Raises:
        TypeError: anything else (a corrupt or tampered cache).
    """
    if value == ():
        return ()
    if type(value) is not tuple or not all(
        type(pair) is tuple and len(pair) == 2 and type(pair[0]) is str and type(pair[1]) is str
        for pair in value
    ):
        msg = "expected (text, text) pairs"
        raise TypeError(msg)
    return value


_UTC = "+00:00"


def _not_utc(text: str) -> dt.datetime:
    """Raise for a cached time that :func:`_time` cannot have written."""
    msg = f"not a UTC time: {text!r:.40}"
    raise ValueError(msg)
