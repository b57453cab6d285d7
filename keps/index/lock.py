"""The cross-process lock around keps.yaml, so two approvals never get one KEP number.

::

    with keps.index.locked(content_root) as index:
        number = index.claim_next_number()
        ...                       # record the number in the KEP
        index.update(kep)
        index.persist()           # or index.stage(transaction); transaction.commit()

The lock is a file lock (``<content_root>/.keps.yaml.lock``) held from before keps.yaml
is read until after the caller has written it, so a second process waits and then reads
what the first one wrote.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import filelock

from keps.errors import KepNotFoundError, LockTimeoutError, StorageError
from keps.index.build import open as open_index
from keps.index.build import rebuild as rebuild_index
from keps.index.index import Index
from keps.keps.path import INDEX_FILE
from keps.sigs import SigRegistry

__all__ = ["LOCK_FILE", "locked"]

log = logging.getLogger(__name__)

#: The lock file's name, beside keps.yaml; hidden, so a rebuild never walks into it.
LOCK_FILE = f".{INDEX_FILE}.lock"


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
    others may be approving KEPs).

    Raises:
        LockTimeoutError: another process held the lock for more than *timeout* seconds.
        KepNotFoundError: *content_root* is not a folder.
        IndexCorruptError: keps.yaml cannot be read (see :func:`keps.index.open`).
    """
    root = Path(content_root).absolute()
    if not root.is_dir():
        msg = f"no content root at {root}"
        raise KepNotFoundError(msg, path=root)
    lock_path = root / LOCK_FILE
    lock = filelock.FileLock(lock_path, timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        msg = f"the KEP index of {root} stayed locked for more than {timeout:g} s ({lock_path})"
        raise LockTimeoutError(msg, path=lock_path) from exc
    except OSError as exc:
        msg = f"cannot lock {lock_path}: {exc.strerror or exc}"
        raise StorageError(msg, path=lock_path) from exc
    log.debug("locked %s", lock_path)
    try:
        yield (
            rebuild_index(root, registry=registry)
            if rebuild
            else open_index(root, registry=registry)
        )
    finally:
        lock.release()
        log.debug("unlocked %s", lock_path)
