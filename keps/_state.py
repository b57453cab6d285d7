"""Where keps keeps the bookkeeping of a content root: locks and undo journals.

Never inside the tree, so a checkout's ``git status`` stays clean and a content repository
(or a tarball of one) cannot ship them:

* for a folder inside a git working tree, ``<git dir>/keps/<root key>/`` (git never looks
  there, and it goes when the clone goes);
* else ``<user cache dir>/keps/roots/<root key>/``.

The root key is a digest of the content root's real path, so every process working on
one tree meets at the same locks whatever path it was given (relative, through a link).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from keps._files import read_bytes
from keps.errors import KepError

__all__ = ["git_dir_of", "root_key", "state_dir"]

#: The folder inside a git directory that holds keps' bookkeeping.
GIT_SUBDIR = "keps"

#: A ``.git`` file (worktrees, submodules) names its git directory in a line or two.
_GIT_FILE_LIMIT = 4096


def root_key(content_root: Path) -> str:
    """A digest of *content_root*'s real path: the same tree gives the same key."""
    real = os.path.realpath(content_root)
    return hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:24]


def state_dir(content_root: Path) -> Path:
    """The folder for *content_root*'s locks and journals (not created here)."""
    key = root_key(content_root)
    git_dir = git_dir_of(Path(os.path.realpath(content_root)))
    if git_dir is not None and os.access(git_dir, os.W_OK | os.X_OK):
        return git_dir / GIT_SUBDIR / key
    from platformdirs import user_cache_path

    return user_cache_path("keps") / "roots" / key


def git_dir_of(folder: Path) -> Path | None:
    """The git directory of the working tree holding *folder* (a real path), if any.

    ``.git`` is either that directory, or a file naming it (``gitdir: ...``, as worktrees
    and submodules have). Anything else there - a ``.git`` that names no git directory -
    means no git directory: the user cache directory is used instead.
    """
    for current in (folder, *folder.parents):
        candidate = current / ".git"
        try:
            info = os.lstat(candidate)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode):
            return candidate if _is_git_dir(candidate) else None
        if stat.S_ISREG(info.st_mode):
            return _named_git_dir(candidate)
        return None
    return None


def _named_git_dir(git_file: Path) -> Path | None:
    """The git directory a ``.git`` file names, if it names one."""
    try:
        text = read_bytes(git_file, limit=_GIT_FILE_LIMIT).decode("utf-8")
    except (KepError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        if line.startswith("gitdir:"):
            named = Path(line[len("gitdir:") :].strip())
            target = named if named.is_absolute() else git_file.parent / named
            real = Path(os.path.realpath(target))
            return real if _is_git_dir(real) else None
    return None


def _is_git_dir(path: Path) -> bool:
    """True when *path* looks like a git directory (it holds HEAD)."""
    try:
        return stat.S_ISREG(os.stat(path / "HEAD").st_mode)
    except OSError:
        return False
