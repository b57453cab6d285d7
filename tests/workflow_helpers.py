"""Shared pieces for lifecycle tests: a content root and an author who edits sections."""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from keps.keps.path import locate
from keps.settings import Runtime
from keps.sigs import SigRegistry

AUTHOR = "alice"
APPROVER = "arnold"


def runtime(root: Path, target: str, principal: str = AUTHOR) -> Runtime:
    kep_dir, _ = locate(target, root, SigRegistry.packaged())
    return Runtime(principal=principal, target_dir=kep_dir, content_root=root)


def edit(kep_dir: Path, *filenames: str) -> None:
    """Replace each section's body with real text, keeping its headings."""
    for filename in filenames:
        path = kep_dir / filename
        heads = [line for line in path.read_text().splitlines() if line.startswith("#")]
        path.write_text("\n".join(heads) + f"\n\nReal text for {filename}.\n")


def approve_in_process(root: str, target: str, start: Any) -> int:
    """Run in a child: wait at the *start* barrier with the others, approve, return the number."""
    import keps
    from keps import workflow

    start.wait(BARRIER_TIMEOUT)
    workflow.approve(runtime(Path(root), target, APPROVER))
    number = keps.open(runtime(Path(root), target).target_dir).kep_number
    assert number is not None
    return number


#: Seconds a child waits at a start barrier for the others (then the barrier breaks and
#: the test fails instead of hanging).
BARRIER_TIMEOUT = 120.0


@contextlib.contextmanager
def start_barrier(parties: int) -> Iterator[Any]:
    """A barrier that spawned pool workers can share: every child starts its step only
    once all *parties* are waiting, so the steps really overlap (a start time on the wall
    clock let late children run one after another and pass anyway)."""
    with multiprocessing.get_context("spawn").Manager() as manager:
        yield manager.Barrier(parties)


_T = TypeVar("_T")

#: Seconds the parent waits for all children of :func:`together`: a child that dies
#: (killed, out of CPU time) loses its task, and a pool would wait for it for ever.
POOL_TIMEOUT = BARRIER_TIMEOUT + 180.0


def together(function: Callable[..., _T], arguments: list[tuple[Any, ...]]) -> list[_T]:
    """``function(*args, start)`` for each tuple of *arguments*, each in its own spawned
    process, all started at one :func:`start_barrier`; their results in order."""
    with (
        start_barrier(len(arguments)) as start,
        multiprocessing.get_context("spawn").Pool(len(arguments)) as pool,
    ):
        calls = pool.starmap_async(function, [(*args, start) for args in arguments])
        return calls.get(timeout=POOL_TIMEOUT)
