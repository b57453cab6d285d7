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

__all__ = ["MAX_FILE_BYTES", "atomic_write_bytes", "atomic_write_text", "read_bytes", "read_text"]

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
