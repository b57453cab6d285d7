"""Rolling back what a crashed step left half written, without running a step.

Every step does this itself (:func:`keps.workflow._step.step_lock`) for the journals it can
lock, and so does every holder of the index lock; :func:`recover` is for cleaning up on
its own (``kepctl recover``). The journals, their trust rules and the roll back itself
are in :mod:`keps._journal` and :mod:`keps._recovery`.
"""

from __future__ import annotations

from pathlib import Path

from keps._recovery import recover_journals

__all__ = ["recover"]


def recover(content_root: str | Path, *, timeout: float = 30.0) -> tuple[Path, ...]:
    """Roll back every step a crash left half written under *content_root*.

    Only journals keps wrote for this content root are replayed, and only onto the files
    their step could have written; anything else found is set aside with a warning.
    Returns the files put back.

    Raises:
        LockTimeoutError: the index stayed locked for more than *timeout* seconds.
        StorageError: a file could not be restored (the journal is kept for a retry).
    """
    return recover_journals(
        Path(content_root).absolute(), held=(), index_held=False, timeout=timeout
    )
