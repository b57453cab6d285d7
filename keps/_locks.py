"""Cross-process locks on a content root: one per KEP, one for the index.

A lifecycle step holds the lock of every KEP it changes; claiming a KEP number or writing
``keps.yaml`` holds the index lock. The lock files live in the content root's state
folder (:func:`keps._state.state_dir`: the git directory, else the user cache directory),
never in the tree. They are ``flock`` locks, which the operating system releases when the
holding process dies, so a killed process never leaves a stale lock behind.

Beside a KEP's lock file, a step keeps the undo journal of its write (``<lock
name>.journal``) while the write is under way; a journal still there when the lock is
free was left by a crash (see :mod:`keps._recovery`).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path

import filelock

from keps._state import state_dir
from keps.errors import LockTimeoutError, StorageError

__all__ = [
    "JOURNAL_SUFFIX",
    "LOCKS_SUBDIR",
    "index_lock",
    "index_lock_file",
    "journal_file",
    "kep_lock",
    "lock_file",
    "locks_dir",
    "site_lock",
    "try_lock",
]

#: The folder of the state folder that holds the lock files and journals.
LOCKS_SUBDIR = "locks"
JOURNAL_SUFFIX = ".journal"
_INDEX_LOCK = "index.lock"


def locks_dir(content_root: Path) -> Path:
    """The folder of *content_root*'s lock files and journals."""
    return state_dir(content_root) / LOCKS_SUBDIR


def lock_file(content_root: Path, location: str) -> Path:
    """The lock file of the KEP at *location* (relative to *content_root*)."""
    return _lock_file(locks_dir(content_root), location)


def _lock_file(folder: Path, location: str) -> Path:
    digest = hashlib.sha256(location.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    readable = location.replace("/", "__")[-80:]
    return folder / f"{readable}-{digest}.lock"


def index_lock_file(content_root: Path) -> Path:
    """The lock file held while ``keps.yaml`` is read for a change and written."""
    return locks_dir(content_root) / _INDEX_LOCK


def journal_file(content_root: Path, locations: list[str]) -> Path:
    """The journal of a write to the KEPs at *locations*: named after the first one's lock."""
    return lock_file(content_root, sorted(locations)[0]).with_suffix(JOURNAL_SUFFIX)


def _acquire(stack: contextlib.ExitStack, path: Path, timeout: float, busy: str) -> None:
    """Take the lock at *path* into *stack*; *busy* says what a timeout means."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        stack.enter_context(filelock.FileLock(str(path), timeout=timeout))
    except filelock.Timeout as exc:
        msg = f"{busy} (waited {timeout:g} s for {path})"
        raise LockTimeoutError(msg, path=path) from exc
    except OSError as exc:
        msg = f"cannot lock {path}: {exc.strerror or exc}"
        raise StorageError(msg, path=path) from exc


@contextlib.contextmanager
def kep_lock(content_root: Path, locations: list[str], *, timeout: float) -> Iterator[None]:
    """Hold the locks of every KEP in *locations* (taken in sorted order, so no deadlock)."""
    folder = locks_dir(content_root)
    with contextlib.ExitStack() as stack:
        for location in sorted(set(locations)):
            busy = f"another process is changing the KEP {location}"
            _acquire(stack, _lock_file(folder, location), timeout, busy)
        yield


@contextlib.contextmanager
def index_lock(content_root: Path, *, timeout: float) -> Iterator[Path]:
    """Hold the index lock of *content_root*; yields the lock file's path."""
    path = index_lock_file(content_root)
    with contextlib.ExitStack() as stack:
        _acquire(stack, path, timeout, f"the KEP index of {content_root} stayed locked")
        yield path


@contextlib.contextmanager
def site_lock(out_dir: Path, *, timeout: float) -> Iterator[Path]:
    """Hold the lock of the website folder *out_dir*, so two builds never write it at once.

    The lock file is kept in *out_dir*'s own state folder (:func:`keps._state.state_dir`
    is keyed by the folder's path), never inside the site.
    """
    path = locks_dir(out_dir) / "site.lock"
    with contextlib.ExitStack() as stack:
        _acquire(stack, path, timeout, f"another build is writing the site {out_dir}")
        yield path


def try_lock(stack: contextlib.ExitStack, path: Path) -> bool:
    """Take the lock at *path* into *stack* if it is free right now (a holder is alive)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        stack.enter_context(filelock.FileLock(str(path), timeout=0))
    except (filelock.Timeout, OSError):
        return False
    return True
