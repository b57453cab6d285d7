"""Undo what a crashed write left half done, before anyone builds on it.

A lifecycle step writes its files in one :class:`~keps._files.FileTransaction` with an
undo journal beside its KEP lock (:mod:`keps._locks`). A process killed between two
renames leaves that journal behind. The next step that takes a KEP lock, the next holder
of the index lock, or :func:`keps.workflow.recover` finds it, takes the locks the dead
writer held - the KEP locks the journal names and the index lock - and rolls the files
back to the state before the step (:func:`keps._journal.roll_back`). A journal whose
locks are busy belongs to a live process and is left alone; a journal keps did not write
is set aside, never replayed.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Collection
from pathlib import Path

from keps._files import TEMP_PREFIX, remove_file
from keps._journal import InvalidJournal, read_journal, roll_back, set_aside
from keps._locks import JOURNAL_SUFFIX, index_lock, lock_file, locks_dir, try_lock

__all__ = ["recover_journals"]

log = logging.getLogger(__name__)

#: Where keps before 0.2 kept its locks and journals: inside the tree.
_OLD_LOCK_DIR = ".keps-locks"


def recover_journals(
    content_root: Path, *, held: Collection[str], index_held: bool, timeout: float
) -> tuple[Path, ...]:
    """Roll back the journals of *content_root* whose locks are free or held by the caller.

    *held* are the KEP locations whose locks the caller holds already, *index_held* says
    whether it holds the index lock. Other KEP locks are tried without waiting (busy means
    the writer is alive); the index lock is waited for up to *timeout* seconds. Returns
    the files put back.

    Raises:
        LockTimeoutError: the index stayed locked for more than *timeout* seconds.
        StorageError: a file could not be restored (the journal is kept for a retry).
    """
    _warn_about_old_journals(content_root)
    folder = locks_dir(content_root)
    try:
        names = sorted(os.listdir(folder))  # noqa: PTH208 - plain names
    except OSError:
        return ()
    journals = [folder / name for name in names if name.endswith(JOURNAL_SUFFIX)]
    held_files = {lock_file(content_root, location) for location in held}
    restored: list[Path] = []
    for journal in journals:
        with contextlib.ExitStack() as stack:
            own = _lock_of(journal)
            if own not in held_files and not try_lock(stack, own):
                continue  # its writer is alive
            if journal.name.startswith(TEMP_PREFIX):  # a crash while it was written
                remove_file(journal)
                continue
            try:
                record = read_journal(journal, content_root)
            except InvalidJournal as exc:
                set_aside(journal, exc.reason)
                continue
            if record is None:  # removed meanwhile
                continue
            locks = {lock_file(content_root, label) for label in record.labels}
            if lock_file(content_root, sorted(record.labels)[0]) != own:
                set_aside(journal, "its name does not belong to the KEPs it names")
                continue
            if not all(try_lock(stack, lock) for lock in sorted(locks - held_files - {own})):
                continue  # a live process holds one of its KEPs
            if not index_held:
                stack.enter_context(index_lock(content_root, timeout=timeout))
            log.warning("rolling back a step a crash interrupted (%s)", journal)
            restored.extend(roll_back(journal, content_root, record))
    return tuple(restored)


def _warn_about_old_journals(content_root: Path) -> None:
    """Say so when an older keps left a journal inside the tree: it is never replayed."""
    old = content_root / _OLD_LOCK_DIR
    with contextlib.suppress(OSError):
        if any(name.endswith(JOURNAL_SUFFIX) for name in os.listdir(old)):  # noqa: PTH208
            log.warning(
                "%s holds an undo journal of an older keps (or one planted in the tree);"
                " it is not replayed: check the KEPs there with git status, then delete it",
                old,
            )


def _lock_of(journal: Path) -> Path:
    """The KEP lock guarding *journal* (or its temporary file)."""
    return journal.with_name(journal.name.removeprefix(TEMP_PREFIX)).with_suffix(".lock")
