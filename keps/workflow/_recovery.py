"""Undo what a crashed step half wrote, before anyone builds on it.

A step writes its files in one :class:`~keps._files.FileTransaction` with an undo
journal in ``<content root>/.keps-locks/``. A process killed between two renames leaves
that journal behind. The next step that takes a KEP lock (or :func:`recover`) finds it,
takes the locks the dead writer held - the KEP locks and, when ``keps.yaml`` was among
the files, the index lock - and rolls the files back to the state before the step.
A journal whose locks are busy belongs to a live process and is left alone.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Collection
from pathlib import Path

import filelock

from keps._files import journal_labels, roll_back_journal
from keps.errors import LockTimeoutError
from keps.index import LOCK_FILE
from keps.keps.path import INDEX_FILE
from keps.workflow._locks import JOURNAL_SUFFIX, LOCK_DIR, lock_file

__all__ = ["recover", "recover_journals"]

log = logging.getLogger(__name__)


def recover(content_root: str | Path, *, timeout: float = 30.0) -> tuple[Path, ...]:
    """Roll back every step a crash left half written under *content_root*.

    Every step does this itself for the journals it can lock, so calling it is only
    needed to clean up without running a step. Returns the files put back.

    Raises:
        LockTimeoutError: the index stayed locked for more than *timeout* seconds.
        StorageError: a file could not be restored (the journal is kept for a retry).
    """
    return recover_journals(Path(content_root).absolute(), held=(), timeout=timeout)


def recover_journals(
    content_root: Path, *, held: Collection[str], timeout: float
) -> tuple[Path, ...]:
    """Roll back the journals under *content_root* whose locks are free or held by us.

    *held* are the KEP locations whose locks the caller holds already; other KEP locks
    are tried without waiting (busy means the writer is alive), the index lock is
    waited for up to *timeout* seconds.
    """
    lock_dir = content_root / LOCK_DIR
    try:
        journals = sorted(lock_dir.glob(f"*{JOURNAL_SUFFIX}"))
    except OSError:
        return ()
    if not journals:
        return ()
    held_files = {lock_file(content_root, location) for location in held}
    restored: list[Path] = []
    for journal in journals:
        with contextlib.ExitStack() as stack:
            own = journal.with_suffix(".lock")
            if own not in held_files and not _try_lock(stack, own):
                continue
            labels = journal_labels(journal)
            others = [] if labels is None else sorted(set(labels))
            if not all(
                _try_lock(stack, lock_file(content_root, location))
                for location in others
                if lock_file(content_root, location) not in held_files | {own}
            ):
                continue
            _lock_index(stack, content_root, timeout)
            log.warning("rolling back a step a crash interrupted (%s)", journal)
            restored.extend(roll_back_journal(journal))
    return tuple(restored)


def _try_lock(stack: contextlib.ExitStack, path: Path) -> bool:
    """Take the lock at *path* if it is free right now (its holder, if any, is alive)."""
    try:
        stack.enter_context(filelock.FileLock(str(path), timeout=0))
    except filelock.Timeout:
        return False
    except OSError:
        return False
    return True


def _lock_index(stack: contextlib.ExitStack, content_root: Path, timeout: float) -> None:
    """Take the index lock: keps.yaml may be among the files to restore."""
    if not (content_root / INDEX_FILE).exists():
        return
    path = content_root / LOCK_FILE
    try:
        stack.enter_context(filelock.FileLock(str(path), timeout=timeout))
    except filelock.Timeout as exc:
        msg = f"the KEP index of {content_root} stayed locked for more than {timeout:g} s"
        raise LockTimeoutError(msg, path=path) from exc
