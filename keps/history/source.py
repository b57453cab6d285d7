"""Where a history comes from: git for a checkout of today's KEPs, events for 2018 KEPs.

:func:`load` looks at the folder it is given, in this order:

1. a git repository (that folder itself, never a parent) whose commit *ref* has a
   ``keps/`` tree, or whose work tree is a checkout: its first-parent history
   (:mod:`keps.history.walk`);
2. a KEP content root (2018 ``metadata.yaml`` KEPs, in git or not): the lifecycle
   events in its files (:mod:`keps.history.seed`);
3. a git repository whose history held KEPs that are gone now: that history;
4. anything else is refused, naming the folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pygit2

from keps._checkout import is_checkout
from keps._names import KEPS_DIR
from keps.errors import InvalidArgumentError, KepNotFoundError
from keps.history.history import History
from keps.history.seed import read_events
from keps.history.walk import keps_tree, walk
from keps.index import find_kep_dirs

__all__ = ["load"]


def _folder(path: str | Path) -> Path:
    folder = Path(path).absolute()
    try:
        found = folder.is_dir()
    except (OSError, ValueError):
        found = False
    if not found:
        msg = f"no such folder: {folder}"
        raise KepNotFoundError(msg, path=folder)
    return folder


def _open(folder: Path) -> Any:
    """The git repository at exactly *folder* (no search upwards), or None."""
    try:
        return pygit2.Repository(str(folder), flags=pygit2.enums.RepositoryOpenFlag.NO_SEARCH)
    except (pygit2.GitError, OSError, ValueError):
        return None


def _repository(folder: Path) -> tuple[Any, Path]:
    """(repository, its root) for *folder*, or a checkout's ``keps/`` folder; else (None, folder)."""
    repo = _open(folder)
    if repo is None and folder.name == KEPS_DIR:
        repo = _open(folder.parent)
        if repo is not None:
            return repo, folder.parent
    return repo, folder


def _commit(repo: Any, ref: str, root: Path) -> Any:
    """The commit *ref* names in *repo*, or None for HEAD of a repository with no commit yet."""
    if ref == "HEAD" and repo.head_is_unborn:
        return None
    try:
        return repo.revparse_single(ref).peel(pygit2.Commit)
    except (KeyError, ValueError, TypeError, pygit2.GitError) as exc:
        msg = f"{root}: no commit {ref!r} in this git repository"
        raise InvalidArgumentError(msg, argument="ref", value=ref) from exc


def load(path: str | Path, *, ref: str = "HEAD") -> History:
    """The history of the KEPs at *path*: a kubernetes/enhancements git checkout (walked
    from commit *ref* back along first parents) or a 2018 content root (its events).

    Raises:
        KepNotFoundError: *path* is no folder, or neither of the two (a checkout that
            is not a git repository has no history to read).
        InvalidArgumentError: *ref* names no commit of the repository.
    """
    folder = _folder(path)
    repo, root = _repository(folder)
    head = None if repo is None else _commit(repo, ref, root)
    if head is not None and (keps_tree(head) is not None or is_checkout(root)):
        return walk(repo, head)
    if repo is None and is_checkout(folder):
        msg = f"{folder} is a kubernetes/enhancements checkout but not a git repository: its history is in git"
        raise KepNotFoundError(msg, path=folder)
    if repo is not None and head is None and is_checkout(root):
        return History((), ())  # nothing committed yet
    if next(iter(find_kep_dirs(folder)), None) is not None:
        return read_events(folder)
    if head is not None:  # KEPs that were in git once, and are gone now
        found = walk(repo, head)
        if found.changes or found.problems:
            return found
    msg = f"{folder} is neither a git checkout of KEPs (keps/<sig>/<kep>/kep.yaml) nor a KEP content root"
    raise KepNotFoundError(msg, path=folder)
