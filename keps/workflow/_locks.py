"""Cross-process locks that serialise lifecycle steps on one KEP.

The lock files live in ``<content root>/.keps-locks/`` (hidden; add it to .gitignore),
one per KEP location. They are ``flock`` locks, which the operating system releases
when the holding process dies, so a killed process never leaves a stale lock behind.

Beside a KEP's lock file, a step keeps the undo journal of its write
(``<lock name>.journal``) while the write is under way; a journal still there when the
lock is free was left by a crash (see :mod:`keps.workflow._recovery`).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path

import filelock

from keps.errors import LockTimeoutError, StorageError

__all__ = ["JOURNAL_SUFFIX", "LOCK_DIR", "journal_file", "kep_lock", "lock_file"]

LOCK_DIR = ".keps-locks"
JOURNAL_SUFFIX = ".journal"


def lock_file(content_root: Path, location: str) -> Path:
    """The lock file of the KEP at *location* (relative to *content_root*)."""
    digest = hashlib.sha256(location.encode("utf-8")).hexdigest()[:16]
    readable = location.replace("/", "__")[-80:]
    return content_root / LOCK_DIR / f"{readable}-{digest}.lock"


def journal_file(content_root: Path, locations: list[str]) -> Path:
    """The journal of a write to the KEPs at *locations*: named after the first one's lock."""
    return lock_file(content_root, sorted(locations)[0]).with_suffix(JOURNAL_SUFFIX)


@contextlib.contextmanager
def kep_lock(content_root: Path, locations: list[str], *, timeout: float) -> Iterator[None]:
    """Hold the locks of every KEP in *locations* (taken in sorted order, so no deadlock)."""
    with contextlib.ExitStack() as stack:
        for location in sorted(set(locations)):
            path = lock_file(content_root, location)
            try:
                path.parent.mkdir(exist_ok=True)
                lock = filelock.FileLock(str(path), timeout=timeout)
                stack.enter_context(lock)
            except filelock.Timeout as exc:
                msg = f"another process is changing the KEP {location} (waited {timeout:g}s for {path})"
                raise LockTimeoutError(msg, path=path) from exc
            except OSError as exc:
                msg = f"cannot lock the KEP {location}: {exc.strerror or exc}"
                raise StorageError(msg, path=path) from exc
        yield
