"""The cross-process lock around keps.yaml, so two approvals never get one KEP number.

::

    with keps.index.locked(content_root) as index:
        number = index.claim_next_number()
        ...                       # record the number in the KEP
        index.update(kep)
        index.persist()           # or index.stage_writes(transaction); transaction.commit()

The lock (:func:`keps._locks.index_lock`, in the content root's state folder, never in
the tree) is held from before keps.yaml is read until after the caller has written it,
so a second process waits and then reads what the first one wrote. Whoever takes it
first rolls back any step a crash left half written, so an index is never built from,
or written over, a half-written step.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from keps._locks import index_lock, index_lock_file
from keps._recovery import recover_journals
from keps.errors import KepNotFoundError
from keps.index.build import open as open_index
from keps.index.build import rebuild as rebuild_index
from keps.index.index import Index
from keps.sigs import SigRegistry

__all__ = ["lock_path", "locked"]

log = logging.getLogger(__name__)


def lock_path(content_root: str | Path) -> Path:
    """The file the index lock of *content_root* is held on (outside the tree)."""
    return index_lock_file(Path(content_root).absolute())


@contextlib.contextmanager
def locked(
    content_root: str | Path,
    *,
    timeout: float = 30.0,
    rebuild: bool = False,
    registry: SigRegistry | None = None,
) -> Iterator[Index]:
    """Hold the index lock of *content_root* and yield its index, read fresh under the lock.

    The caller claims numbers and persists (or stages and commits) inside the ``with``
    block; the lock is released on leaving it, also on an error. With *rebuild* the
    index yielded is rebuilt from the tree (the safe way to rebuild and persist while
    others may be approving KEPs). Before the index is read, steps a crash left half
    written are rolled back (those whose KEP locks are free).

    Raises:
        LockTimeoutError: another process held the lock for more than *timeout* seconds.
        KepNotFoundError: *content_root* is not a folder.
        IndexCorruptError: keps.yaml cannot be read (see :func:`keps.index.open`).
        StorageError: a half-written step could not be rolled back.
    """
    root = Path(content_root).absolute()
    if not root.is_dir():
        msg = f"no content root at {root}"
        raise KepNotFoundError(msg, path=root)
    with index_lock(root, timeout=timeout) as path:
        log.debug("locked %s", path)
        recover_journals(root, held=(), index_held=True, timeout=timeout)
        yield (
            rebuild_index(root, registry=registry)
            if rebuild
            else open_index(root, registry=registry)
        )
    log.debug("unlocked %s", path)
