"""Which files a step changed: the record a pull request holding exactly them is made from.

A step writes all its files in one transaction (:func:`keps.workflow._step.write`); once
that transaction is committed, the files whose bytes it changed are noted for every
:func:`recorded` call running in the same thread. The steps keep their signatures and
return values; a caller who wants to know what changed runs the step through
:func:`recorded`::

    kep, changes = workflow.recorded(workflow.promote, runtime, stage="beta", release="v1.37")
    changes.files
    # ('keps/sig-node/1234-x/kep.yaml', 'keps/prod-readiness/sig-node/1234.yaml')
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import ParamSpec, TypeVar

from attrs import frozen

__all__ = ["Changes", "note_commit", "recorded"]

logger = logging.getLogger(__name__)

_P = ParamSpec("_P")
_T = TypeVar("_T")


def _once(*groups: Iterable[str]) -> tuple[str, ...]:
    """Every text of *groups* once, in the order first seen."""
    return tuple(dict.fromkeys(text for group in groups for text in group))


@frozen
class Changes:
    """The files one step changed, as ``/``-separated paths relative to the content root.

    Args:
        content_root: the absolute content root every path is relative to; None when
            nothing was written.
        step: the name of the step (``promote``); empty when unknown.
        keps: the folders of the KEPs written, the step's own KEP first (``replace``
            writes two).
        files: the files of those KEPs whose bytes changed, in the order written, each
            once: metadata, text and production readiness approval files. A file
            rewritten with the bytes it held is not listed.
        index_files: files kept beside the KEPs that changed with them (the seed
            layout's ``keps.yaml``); they belong to no KEP and to no pull request.
    """

    content_root: Path | None = None
    step: str = ""
    keps: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    index_files: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        """True when a file of a KEP changed."""
        return bool(self.files)

    def then(self, later: Changes) -> Changes:
        """These changes followed by *later* ones, under the same content root."""
        if self.content_root is None:
            return later if later.step or not self.step else _with_step(later, self.step)
        if later.content_root is None:
            return self
        if later.content_root != self.content_root:
            msg = (
                f"changes under {later.content_root} cannot follow those under {self.content_root}"
            )
            raise ValueError(msg)
        return Changes(
            self.content_root,
            self.step or later.step,
            _once(self.keps, later.keps),
            _once(self.files, later.files),
            _once(self.index_files, later.index_files),
        )


def _with_step(changes: Changes, step: str) -> Changes:
    return Changes(changes.content_root, step, changes.keps, changes.files, changes.index_files)


class _Recording:
    """The changes noted so far by one :func:`recorded` call."""

    def __init__(self, step: str) -> None:
        self.changes = Changes(step=step)

    def add(self, changes: Changes) -> None:
        try:
            self.changes = self.changes.then(changes)
        except ValueError:
            logger.warning("not recorded: a write under another content root (%s)", changes)


#: The recordings running in this thread (or asyncio task), innermost last.
_RECORDINGS: contextvars.ContextVar[tuple[_Recording, ...]] = contextvars.ContextVar(
    "keps_workflow_recordings", default=()
)


@contextlib.contextmanager
def _recording(step: str) -> Iterator[_Recording]:
    recording = _Recording(step)
    reset = _RECORDINGS.set((*_RECORDINGS.get(), recording))
    try:
        yield recording
    finally:
        _RECORDINGS.reset(reset)


def recorded(step: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> tuple[_T, Changes]:
    """Run *step* (a :mod:`keps.workflow` function) with *args*; its result and what it changed.

    Every write a step (or :func:`keps.workflow.editing`) commits in this thread while
    *step* runs is part of the :class:`Changes`, named after *step* (``create``,
    ``promote``, ``prr_approve``, ...). Steps write all or nothing, so a step that
    raises changed nothing and nothing is returned; a step with nothing to do (a KEP
    proposed again) returns empty changes.
    """
    name = getattr(step, "__name__", "")
    with _recording(name) as recording:
        result = step(*args, **kwargs)
    return result, recording.changes


def note_commit(
    content_root: Path,
    keps: Iterable[str],
    changed: Iterable[Path],
    kep_files: Collection[Path],
) -> None:
    """Tell the running recordings that a step's transaction changed *changed*.

    *kep_files* are the paths the KEPs staged (the rest is bookkeeping such as the
    index). Called once the transaction is committed; without a recording it does
    nothing.
    """
    recordings = _RECORDINGS.get()
    if not recordings:
        return
    root = content_root.absolute()
    files: list[str] = []
    index_files: list[str] = []
    for path in changed:
        try:
            rel = path.absolute().relative_to(root).as_posix()
        except ValueError:  # never for a step's files; nothing to propose outside the root
            logger.warning("not recorded: %s is outside the content root %s", path, root)
            continue
        (files if path in kep_files else index_files).append(rel)
    changes = Changes(root, "", tuple(keps), tuple(files), tuple(index_files))
    for recording in recordings:
        recording.add(changes)
