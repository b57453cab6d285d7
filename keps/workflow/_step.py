"""What every lifecycle step shares: open under a lock, require a state, write atomically.

A step takes the locks of its KEPs (:func:`step_lock`), first rolls back whatever a
crashed step left half written (:mod:`keps._recovery`), and writes every file in one
transaction with an undo journal (:func:`write`), under the index lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from keps import index
from keps._files import FileTransaction
from keps._journal import Journal
from keps._locks import index_lock, journal_file, kep_lock
from keps._recovery import recover_journals
from keps.errors import KepNotFoundError, TransitionError
from keps.keps import Kep
from keps.keps.path import INDEX_FILE, relative_location
from keps.keps.states import State, with_article
from keps.settings import Runtime
from keps.workflow._changes import note_commit

__all__ = [
    "DEFAULT_TIMEOUT",
    "editing",
    "locked_kep",
    "require_state",
    "step_lock",
    "utcnow",
    "write",
    "write_under_index_lock",
]

#: Seconds a step waits for another process working on the same KEP or the index.
DEFAULT_TIMEOUT = 30.0


def utcnow() -> dt.datetime:
    """The current time in UTC (steps take *now* as an argument so tests can fix it)."""
    return dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def step_lock(content_root: Path, locations: list[str], *, timeout: float) -> Iterator[None]:
    """Hold the locks of the KEPs at *locations*, after undoing any step a crash cut short."""
    with kep_lock(content_root, locations, timeout=timeout):
        recover_journals(content_root, held=locations, index_held=False, timeout=timeout)
        yield


@contextlib.contextmanager
def locked_kep(runtime: Runtime, *, timeout: float = DEFAULT_TIMEOUT) -> Iterator[Kep]:
    """Open the runtime's KEP while holding its lock for the whole step."""
    location = relative_location(runtime.target_dir, runtime.content_root)
    with step_lock(runtime.content_root, [location], timeout=timeout):
        try:
            kep = Kep.open(runtime.target_dir, content_root=runtime.content_root)
        except KepNotFoundError as exc:
            msg = f"no KEP at {runtime.target_dir}; create one with init first"
            raise KepNotFoundError(msg, path=runtime.target_dir) from exc
        yield kep


@contextlib.contextmanager
def editing(
    kep_dir: str | Path,
    *,
    content_root: str | Path,
    now: dt.datetime | None = None,
    check: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> Iterator[Kep]:
    """Change one KEP as a lifecycle step does: locked, read fresh, written as one step.

    ::

        with keps.workflow.editing(kep_dir, content_root=root) as kep:
            kep.update(associated_prs=(*kep.associated_prs, url))

    The KEP is opened under its lock (after rolling back what a crash left) and, when
    the block ends without an error, written with ``keps.yaml`` in one journaled
    transaction under the index lock; an error in the block writes nothing. With
    *check* false a KEP that fails its checks is written anyway.
    """
    root = Path(content_root).absolute()
    folder = Path(kep_dir).absolute()
    with step_lock(root, [relative_location(folder, root)], timeout=timeout):
        kep = Kep.open(folder, content_root=root)
        yield kep
        write([kep], root, now=now or utcnow(), check=check, timeout=timeout)


def require_state(kep: Kep, step: str, *allowed: State) -> None:
    """Refuse *step* unless the KEP is in one of the *allowed* states, saying which it is in."""
    if kep.state not in allowed:
        wanted = " or ".join(str(s) for s in allowed)
        msg = f"cannot {step} {kep.path.name}: it is {kep.state or 'in no state'}, and {step} needs {with_article(wanted)} KEP"
        raise TransitionError(msg, path=kep.path)


def write(
    keps_to_write: list[Kep],
    content_root: Path,
    *,
    now: dt.datetime,
    claim_number_for: Kep | None = None,
    check: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Write the KEPs, and the index when there is one (or a number is claimed), atomically.

    Every file of every KEP and ``keps.yaml`` change together or not at all, also when
    the process is killed half way (the undo journal beside the KEP lock lets the next
    step roll back). The whole write holds the index lock, so parallel approvals get
    distinct numbers and an index made meanwhile never misses this write. The caller
    holds the locks of every KEP written (:func:`step_lock`), and has rolled back what a
    crash left.
    """
    # the index lock even without keps.yaml: a step that creates it meanwhile (an
    # approval) must see this write, or its index would miss the KEP
    with index_lock(content_root, timeout=timeout):
        write_under_index_lock(
            keps_to_write, content_root, now=now, claim_number_for=claim_number_for, check=check
        )


def write_under_index_lock(
    keps_to_write: list[Kep],
    content_root: Path,
    *,
    now: dt.datetime,
    claim_number_for: Kep | None = None,
    check: bool = True,
) -> None:
    """:func:`write` for a caller that holds the index lock already (and the KEP locks)."""
    root = content_root
    locations = [relative_location(kep.path, root) for kep in keps_to_write]
    journal = Journal(journal_file(root, locations), root, locations)
    transaction = FileTransaction(journal=journal)
    if claim_number_for is None and not (root / INDEX_FILE).is_file():
        _stage_keps(transaction, keps_to_write, root, locations, now=now, check=check)
        transaction.commit()
        return
    idx = index.open(root)
    if claim_number_for is not None:
        claim_number_for.update(kep_number=idx.claim_next_number())
    _stage_keps(transaction, keps_to_write, root, locations, now=now, check=check)
    if not index.keeps_index_file(root):  # a checkout: its index is no content
        transaction.commit()
        return
    for kep in keps_to_write:
        idx.update(kep)
    idx.stage_writes(transaction)
    transaction.commit()


def _stage_keps(
    transaction: FileTransaction,
    keps_to_write: list[Kep],
    root: Path,
    locations: list[str],
    *,
    now: dt.datetime,
    check: bool,
) -> None:
    """Stage the KEPs' files, and have :func:`keps.workflow.recorded` told what changed.

    What the KEPs stage is told apart from what is staged after them (the index), so a
    pull request can hold the KEPs' files only.
    """
    for kep in keps_to_write:
        kep.stage_writes(transaction, now=now, check=check)
    kep_files = frozenset(transaction.paths)
    transaction.after_commit(lambda: note_commit(root, locations, transaction.changed, kep_files))
