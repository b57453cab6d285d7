"""Reading and writing files the way every part of keps must: atomically, errors wrapped.

A write goes to a temporary file in the same folder, is flushed and fsynced, then
renamed over the target, so a crash leaves either the old file or the new one, never
half of either. Reads turn OSError and bad UTF-8 into keps errors that name the file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from keps.errors import InvalidContentError, KepNotFoundError, StorageError
from keps.problems import Problem

__all__ = [
    "MAX_FILE_BYTES",
    "FileTransaction",
    "atomic_write_bytes",
    "atomic_write_text",
    "read_bytes",
    "read_text",
]

#: Files larger than this are refused before they are read: no KEP file is anywhere near.
MAX_FILE_BYTES = 8 * 1024 * 1024

_TEMP_PREFIX = ".keps-tmp-"


def read_bytes(path: Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of *path*; a missing, unreadable or oversized file raises a KepError."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError as exc:
        msg = f"no such file: {path}"
        raise KepNotFoundError(msg, path=path) from exc
    except IsADirectoryError as exc:
        msg = f"expected a file, found a directory: {path}"
        raise InvalidContentError(msg, path=path) from exc
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise StorageError(msg, path=path) from exc
    if len(data) > limit:
        msg = f"{path} is larger than {limit} bytes"
        problem = Problem("file-too-large", msg, path=str(path))
        raise InvalidContentError(msg, path=path, problems=[problem])
    return data


def read_text(path: Path, *, limit: int = MAX_FILE_BYTES) -> str:
    """The text of *path* decoded as UTF-8; binary or invalid UTF-8 raises a KepError."""
    data = read_bytes(path, limit=limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"{path} is not valid UTF-8 text (byte {exc.start})"
        problem = Problem("not-utf8", msg, path=str(path))
        raise InvalidContentError(msg, path=path, problems=[problem]) from exc


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace *path* with *data* atomically (temp file, fsync, rename); folders are created."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=path.parent)
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


def atomic_write_text(path: Path, text: str) -> None:
    """Replace *path* with *text* (UTF-8) atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


class FileTransaction:
    """Several file writes that happen all together or not at all.

    Stage writes with :meth:`write_text` / :meth:`write_bytes` and folders with
    :meth:`mkdir`, then :meth:`commit`. Each file is replaced atomically; if any write
    fails, every file already written gets its old content back (or is removed if it
    did not exist) and folders the commit created are removed, so the tree is as it was.
    """

    def __init__(self) -> None:
        self._writes: dict[Path, bytes] = {}
        self._dirs: list[Path] = []

    def write_bytes(self, path: Path, data: bytes) -> None:
        """Stage *data* to replace *path* (a later write to the same path wins)."""
        self._writes[path] = data

    def write_text(self, path: Path, text: str) -> None:
        """Stage *text* (UTF-8) to replace *path*."""
        self.write_bytes(path, text.encode("utf-8"))

    def mkdir(self, path: Path) -> None:
        """Stage the creation of folder *path* (and its parents)."""
        self._dirs.append(path)

    @property
    def paths(self) -> tuple[Path, ...]:
        """The files this transaction will write, in staging order."""
        return tuple(self._writes)

    def __bool__(self) -> bool:
        return bool(self._writes or self._dirs)

    def commit(self) -> None:
        """Write everything, or on failure restore everything and re-raise."""
        originals: dict[Path, bytes | None] = {}
        created_dirs: list[Path] = []
        done: list[Path] = []
        try:
            for folder in [*self._dirs, *(p.parent for p in self._writes)]:
                created_dirs.extend(_make_dirs(folder))
            for path in self._writes:
                originals[path] = _original(path)
            for path, data in self._writes.items():
                atomic_write_bytes(path, data)
                done.append(path)
        except BaseException:
            for path in reversed(done):
                _restore(path, originals[path])
            for folder in reversed(created_dirs):
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise


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
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise StorageError(msg, path=path) from exc


def _restore(path: Path, original: bytes | None) -> None:
    """Put back what *path* held before (best effort: the first error is what matters)."""
    with contextlib.suppress(OSError):
        if original is None:
            path.unlink(missing_ok=True)
            return
        fd, tmp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(original)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
