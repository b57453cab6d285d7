"""Reading and writing files the way every part of keps must: atomically, errors wrapped.

A write goes to a temporary file in the same folder, is flushed and fsynced, then
renamed over the target, so a crash leaves either the old file or the new one, never
half of either. Reads turn OSError and bad UTF-8 into keps errors that name the file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from keps.errors import InvalidContentError, KepError, KepNotFoundError, StorageError
from keps.problems import Problem

log = logging.getLogger(__name__)

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_INDEX_BYTES",
    "TEMP_PREFIX",
    "FileTransaction",
    "UndoLog",
    "atomic_write_bytes",
    "atomic_write_text",
    "decode_text",
    "read_bytes",
    "read_head",
    "read_text",
    "remove_file",
    "restore_file",
]

#: Files larger than this are refused before they are read, and never written: no KEP
#: file is anywhere near.
MAX_FILE_BYTES = 8 * 1024 * 1024

#: The limit for keps.yaml, which summarises every KEP (some 19,000 KEPs fit in 8 MiB),
#: and for the original bytes a transaction keeps of any file it replaces.
MAX_INDEX_BYTES = 512 * 1024 * 1024

#: Temporary files are named with this prefix; readers ignore them (they are hidden).
TEMP_PREFIX = ".keps-tmp-"


def _mkstemp(path: Path) -> tuple[int, str]:
    """A new temporary file beside *path*: (descriptor, name).

    tempfile is imported here, on the first write: reading (``kepctl query``) never
    needs it, and it costs every start of a new process.
    """
    import tempfile

    return tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)


#: How every file is opened for reading: binary on every OS, never blocking (a FIFO or a
#: device opens at once and is then refused by its type), never a controlling terminal.
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_CHUNK = 1 << 20


def read_bytes(path: str | Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file *path*; anything else raises a KepError naming it.

    A missing file raises KepNotFoundError; a folder, FIFO, socket or device, or a file
    over *limit* bytes, InvalidContentError (before a byte is read: a FIFO would block,
    ``/dev/zero`` never ends); an unreadable one StorageError. Links are followed (the
    callers check where a path may lead). Plain ``os.open``/``os.read``: this runs once
    per opened KEP, and a buffered reader costs several times as much for a small file.
    """
    try:
        fd = os.open(path, _READ_FLAGS)
    except (FileNotFoundError, NotADirectoryError) as exc:
        msg = f"no such file: {path}"
        raise KepNotFoundError(msg, path=Path(path)) from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise _unreadable(path, exc) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(path, info.st_mode)
        if info.st_size > limit:
            raise _too_large(path, limit)
        first = os.read(fd, info.st_size + 1)
        if len(first) == info.st_size:  # the usual case: all of it in one read
            return first
        chunks, total = [first], len(first)  # it grew, shrank, or the read came up short
        while total <= limit and (more := os.read(fd, min(_CHUNK, limit + 1 - total))):
            chunks.append(more)
            total += len(more)
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    finally:
        os.close(fd)
    if total > limit:  # it grew while being read
        raise _too_large(path, limit)
    return b"".join(chunks)


def read_head(path: str | Path, size: int) -> bytes:
    """At most the first *size* bytes of the regular file *path*, by the same rules as
    :func:`read_bytes` (never blocking, nothing but a regular file) without a size limit:
    a look at a large file's first lines.

    Raises:
        KepError: as :func:`read_bytes`, but never for the size.
    """
    try:
        fd = os.open(path, _READ_FLAGS)
    except (FileNotFoundError, NotADirectoryError) as exc:
        msg = f"no such file: {path}"
        raise KepNotFoundError(msg, path=Path(path)) from exc
    except (OSError, ValueError) as exc:
        raise _unreadable(path, exc) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(path, info.st_mode)
        return os.read(fd, size)
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    finally:
        os.close(fd)


def _unreadable(path: str | Path, exc: Exception) -> StorageError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
    msg = f"cannot read {path}: {reason}"
    return StorageError(msg, path=Path(path))


def _not_regular(path: str | Path, mode: int) -> InvalidContentError:
    if stat.S_ISDIR(mode):
        msg = f"expected a file, found a directory: {path}"
    else:
        kind = _KINDS.get(stat.S_IFMT(mode), "not a file")
        msg = f"{path} is {kind}, not a regular file; it was not read"
    problem = Problem("not-a-regular-file", msg, path=str(path))
    return InvalidContentError(msg, path=Path(path), problems=[problem])


_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def _too_large(path: str | Path, limit: int) -> InvalidContentError:
    msg = f"{path} is larger than {limit} bytes"
    problem = Problem("file-too-large", msg, path=str(path))
    return InvalidContentError(msg, path=Path(path), problems=[problem])


def read_text(path: str | Path, *, limit: int = MAX_FILE_BYTES) -> str:
    """The text of *path* decoded as UTF-8; binary or invalid UTF-8 raises a KepError."""
    return decode_text(read_bytes(path, limit=limit), path)


def decode_text(data: bytes, path: str | Path) -> str:
    """*data*, read from *path*, decoded as UTF-8; invalid UTF-8 raises a KepError."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"{path} is not valid UTF-8 text (byte {exc.start})"
        problem = Problem("not-utf8", msg, path=str(path))
        raise InvalidContentError(msg, path=Path(path), problems=[problem]) from exc


def atomic_write_bytes(
    path: Path, data: bytes, *, limit: int = MAX_FILE_BYTES, temp_name: str | None = None
) -> None:
    """Replace *path* with *data* atomically (temp file, fsync, rename); folders are created.

    The temporary file lives in the target's folder and is named ``.keps-tmp-*`` (or
    *temp_name*, for a writer that must find its own leftover after a crash); it is
    removed on any failure. After the rename the folder is fsynced too, so the new name
    survives a power cut. *data* over *limit* bytes is refused before anything is
    touched: what keps writes, keps can read again.
    """
    _refuse_oversized(path, data, limit)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if temp_name is None:
            fd, tmp_name = _mkstemp(path)
        else:
            tmp_name = str(path.parent / temp_name)
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
            fd = os.open(tmp_name, flags, 0o600)
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror or exc}"
        raise StorageError(msg, path=path) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide KEP files from other users
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            msg = f"cannot write {path}: {exc.strerror or exc}"
            raise StorageError(msg, path=path) from exc
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make a rename or unlink in *folder* durable (best effort: not every OS allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_text(path: Path, text: str, *, limit: int = MAX_FILE_BYTES) -> None:
    """Replace *path* with *text* (UTF-8) atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), limit=limit)


def _refuse_oversized(path: Path, data: bytes, limit: int) -> None:
    if len(data) > limit:
        msg = f"refusing to write {path}: {len(data)} bytes is over the limit of {limit}"
        problem = Problem("file-too-large", msg, path=str(path))
        raise InvalidContentError(msg, path=path, problems=[problem])


class UndoLog(Protocol):
    """What a transaction tells its undo journal (see :class:`keps._journal.Journal`)."""

    def begin(
        self,
        new_dirs: Sequence[Path],
        originals: Mapping[Path, bytes | None],
        writes: Mapping[Path, bytes],
    ) -> None:
        """Record durably how to undo the write, before anything is touched."""

    def abort(self) -> None:
        """The write failed and could not be undone here: the next step must undo it."""

    def end(self) -> None:
        """The write finished, or was undone here: forget it."""


class FileTransaction:
    """Several file writes that happen all together or not at all.

    Stage writes with :meth:`write_text` / :meth:`write_bytes` and folders with
    :meth:`mkdir`, then :meth:`commit`. Each file is replaced atomically; if any write
    fails, every file already written gets its old content back (or is removed if it
    did not exist) and folders the commit created are removed, so the tree is as it was.

    An exception is handled in the process. A crash (SIGKILL, power cut) between two
    renames cannot be, so with a *journal* the commit first records how to undo the
    write there - the original bytes of every file and the folders it will create - and
    ends it once every file is written. :func:`keps._journal.roll_back` turns a journal
    left behind by a crash back into the state before the commit; the caller must hold
    whatever locks the writer held (see :mod:`keps._recovery`).
    """

    def __init__(self, *, journal: UndoLog | None = None) -> None:
        self._writes: dict[Path, bytes] = {}
        self._limits: dict[Path, int] = {}
        self._dirs: list[Path] = []
        self._journal = journal
        self._after_commit: list[Callable[[], None]] = []
        self._changed: tuple[Path, ...] = ()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call *callback* once every file is written (never after a failed commit).

        What stages a write can remember what it wrote this way (the index keeps the
        parse of the keps.yaml it staged), so callers need not know it does.
        """
        self._after_commit.append(callback)

    def write_bytes(self, path: Path, data: bytes, *, limit: int = MAX_FILE_BYTES) -> None:
        """Stage *data* to replace *path* (a later write to the same path wins).

        Raises:
            InvalidContentError: *data* is over *limit* bytes (nothing is staged).
        """
        _refuse_oversized(path, data, limit)
        self._writes[path] = data
        self._limits[path] = limit

    def write_text(self, path: Path, text: str, *, limit: int = MAX_FILE_BYTES) -> None:
        """Stage *text* (UTF-8) to replace *path*."""
        self.write_bytes(path, text.encode("utf-8"), limit=limit)

    def mkdir(self, path: Path) -> None:
        """Stage the creation of folder *path* (and its parents)."""
        self._dirs.append(path)

    @property
    def paths(self) -> tuple[Path, ...]:
        """The files this transaction will write, in staging order."""
        return tuple(self._writes)

    @property
    def changed(self) -> tuple[Path, ...]:
        """The files the commit changed, in staging order: new ones, and those whose bytes
        differ from before. Empty until a commit succeeded; a file rewritten with the
        bytes it held is not listed (a pull request would show no change for it).
        """
        return self._changed

    def __bool__(self) -> bool:
        return bool(self._writes or self._dirs)

    def commit(self) -> None:
        """Write everything, or on failure restore everything and re-raise."""
        originals: dict[Path, bytes | None] = {}
        created_dirs: list[Path] = []
        attempted: list[Path] = []
        journal_begun = False
        try:
            missing = _missing_dirs([*self._dirs, *(p.parent for p in self._writes)])
            for path in self._writes:
                originals[path] = _original(path)
            if self._journal is not None:
                self._journal.begin(missing, originals, self._writes)
                journal_begun = True
            for folder in missing:
                created_dirs.extend(_make_dirs(folder))
            for path, data in self._writes.items():
                # listed before the write: a failure after its rename must undo it too
                attempted.append(path)
                atomic_write_bytes(path, data, limit=self._limits[path])
        except BaseException:
            restored = True
            for path in reversed(attempted):  # every one, even after a failed restore
                restored = restore_file(path, originals[path]) and restored
            for folder in reversed(created_dirs):
                with contextlib.suppress(OSError):
                    folder.rmdir()
            if journal_begun and self._journal is not None:
                if restored:
                    self._journal.end()
                else:  # kept, marked: the next step must undo it even if every file is new
                    self._journal.abort()
            raise
        if journal_begun and self._journal is not None:
            self._journal.end()
        self._changed = tuple(p for p, data in self._writes.items() if originals[p] != data)
        for callback in self._after_commit:
            callback()


def _missing_dirs(folders: Iterable[Path]) -> list[Path]:
    """The folders among *folders* (and their parents) that do not exist, outermost first."""
    missing: dict[Path, None] = {}
    for folder in folders:
        chain = []
        current = folder
        while not current.exists() and current.parent != current:
            chain.append(current)
            current = current.parent
        for path in reversed(chain):
            missing.setdefault(path)
    return list(missing)


def remove_file(path: Path) -> None:
    """Remove *path* if it is there, durably (the folder is fsynced); errors are ignored."""
    with contextlib.suppress(OSError):
        path.unlink()
        _fsync_folder(path.parent)


def _make_dirs(folder: Path) -> list[Path]:
    """Create *folder* and missing parents; return the folders created, outermost first."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    created = []
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            msg = f"cannot create folder {path}: {exc.strerror or exc}"
            raise StorageError(msg, path=path) from exc
        created.append(path)
    return created


def _original(path: Path) -> bytes | None:
    """What *path* holds before a write, None if nothing; a FIFO or device raises a KepError."""
    try:
        return read_bytes(path, limit=MAX_INDEX_BYTES)
    except KepNotFoundError:
        return None


def restore_file(path: Path, original: bytes | None) -> bool:
    """Put back what *path* held before; False if that failed (the first error is what matters).

    A file that already holds its original bytes is not rewritten; the temporary file
    is removed whatever happens.
    """
    tmp: Path | None = None
    try:
        if original is None:
            path.unlink(missing_ok=True)
            return True
        with contextlib.suppress(KepError):
            if read_bytes(path, limit=MAX_INDEX_BYTES) == original:
                return True
        fd, tmp_name = _mkstemp(path)
        tmp = Path(tmp_name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(original)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        log.exception("could not restore %s", path)
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
    _fsync_folder(path.parent)
    return True
