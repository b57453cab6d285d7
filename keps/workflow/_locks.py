"""Cross-process locks that serialise lifecycle steps on one KEP.

The lock files live in ``<content root>/.keps-locks/`` (hidden; add it to .gitignore),
one per KEP location. They are ``flock`` locks, which the operating system releases
when the holding process dies, so a killed process never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path

import filelock

from keps.errors import LockTimeoutError, StorageError

__all__ = ["LOCK_DIR", "kep_lock"]

LOCK_DIR = ".keps-locks"


def _lock_file(content_root: Path, location: str) -> Path:
    digest = hashlib.sha256(location.encode("utf-8")).hexdigest()[:16]
    readable = location.replace("/", "__")[-80:]
    return content_root / LOCK_DIR / f"{readable}-{digest}.lock"


@contextlib.contextmanager
def kep_lock(content_root: Path, locations: list[str], *, timeout: float) -> Iterator[None]:
    """Hold the locks of every KEP in *locations* (taken in sorted order, so no deadlock)."""
    with contextlib.ExitStack() as stack:
        for location in sorted(set(locations)):
            path = _lock_file(content_root, location)
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
