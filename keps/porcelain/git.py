"""Git work on one local clone, with pygit2: clone, lock, branch, stage, commit, push.

A :class:`Repository` holds an exclusive lock file inside ``.git`` for as long as it is
open, so two processes never drive one clone at once; ``close()`` (or leaving a ``with``
block) releases it. HTTPS remotes authenticate with the GitHub token as the password of
the user ``x-access-token``. Every pygit2 error becomes a :class:`keps.errors.GitError`
whose message has the token masked, in every form, and whose chain of causes and
contexts holds no exception that shows it.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any, TypeVar

import filelock
import pygit2
from attrs import field, frozen
from pygit2.enums import (
    CheckoutStrategy,
    CredentialType,
    FileStatus,
    RepositoryOpenFlag,
    ResetMode,
)

from keps.errors import (
    GitError,
    KepError,
    KepExistsError,
    KepNotFoundError,
    LockTimeoutError,
    PathOutsideError,
    UncommittedChangesError,
)
from keps.porcelain.auth import TokenLike, holds_token, redact, resolve_token

__all__ = [
    "COMMITTER",
    "DEFAULT_LOCK_TIMEOUT",
    "LOCK_FILE_NAME",
    "TOKEN_USER",
    "Repository",
    "Signature",
    "clone",
    "open",
]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

#: Seconds a second ``open`` of a busy clone waits before it gives up.
DEFAULT_LOCK_TIMEOUT = 1.0

#: The lock file, inside ``.git`` so it never shows in ``status()`` or a commit.
LOCK_FILE_NAME = "keps-porcelain.lock"

#: The user name HTTPS git hosts expect with a GitHub token as the password.
TOKEN_USER = "x-access-token"


def _valid_identity(instance: Any, attribute: Any, value: str) -> None:
    """Names and emails are one non-empty line without angle brackets (git's own rule)."""
    if not value.strip() or any(ch in value for ch in "<>\n\r\0"):
        msg = f"{attribute.name} must be non-empty, one line, without '<' or '>': {value!r}"
        raise ValueError(msg)


@frozen
class Signature:
    """Who wrote a commit: a name and an email (our own value, not pygit2's)."""

    name: str = field(validator=_valid_identity)
    email: str = field(validator=_valid_identity)

    @classmethod
    def for_github_handle(cls, handle: str) -> Signature:
        """The signature GitHub shows as *handle*, with its no-reply address."""
        return cls(handle, f"{handle}@users.noreply.github.com")

    def _to_pygit2(self) -> pygit2.Signature:
        return pygit2.Signature(self.name, self.email)


#: The committer of every commit keps makes; the author is the person it makes it for.
COMMITTER = Signature("keps", "keps@users.noreply.github.com")

# One human-readable word (or phrase) per status flag, in the order `git status` shows them.
_STATUS_WORDS: tuple[tuple[FileStatus, str], ...] = (
    (FileStatus.CONFLICTED, "conflicted"),
    (FileStatus.INDEX_NEW, "new file (staged)"),
    (FileStatus.INDEX_MODIFIED, "modified (staged)"),
    (FileStatus.INDEX_DELETED, "deleted (staged)"),
    (FileStatus.INDEX_RENAMED, "renamed (staged)"),
    (FileStatus.INDEX_TYPECHANGE, "type changed (staged)"),
    (FileStatus.WT_NEW, "untracked"),
    (FileStatus.WT_MODIFIED, "modified"),
    (FileStatus.WT_DELETED, "deleted"),
    (FileStatus.WT_RENAMED, "renamed"),
    (FileStatus.WT_TYPECHANGE, "type changed"),
    (FileStatus.WT_UNREADABLE, "unreadable"),
)

_STAGED = (
    FileStatus.INDEX_NEW
    | FileStatus.INDEX_MODIFIED
    | FileStatus.INDEX_DELETED
    | FileStatus.INDEX_RENAMED
    | FileStatus.INDEX_TYPECHANGE
)


def _describe_status(flags: int) -> str:
    """``'modified (staged), modified'`` for a file changed, staged, then changed again."""
    words = [word for flag, word in _STATUS_WORDS if flags & flag]
    return ", ".join(words) or "unchanged"


def _holds_token(error: BaseException, tokens: tuple[str | None, ...]) -> bool:
    """True when *error*, or anything in its chain of causes and contexts, shows a token."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        if holds_token(f"{current!s} {current!r} {current.args!r}", *tokens):
            return True
        todo += [current.__cause__, current.__context__]
    return False


def _guarded(action: str, work: Callable[[], _T], *tokens: str | None) -> _T:
    """``work()``, with pygit2's errors turned into GitError saying what failed, tokens masked.

    libgit2 puts URLs and paths into its messages, and a URL may hold the token (a
    ``file://`` path or an https URL with credentials). The GitError is raised once
    pygit2's error was handled, so it has no ``__context__``; pygit2's error is kept as
    the ``__cause__`` only when nothing in it or its own chain shows a token.
    """
    try:
        return work()
    except KepError:
        raise
    except (pygit2.GitError, KeyError, ValueError) as exc:
        error = GitError(redact(f"{action}: {exc}", *tokens))
        cause = None if _holds_token(exc, tokens) else exc
    raise error from cause


class _Callbacks(pygit2.RemoteCallbacks):
    """Answers credential requests with the token once, and records rejected pushes."""

    def __init__(self, token: str | None) -> None:
        super().__init__()
        self._token = token
        self._asked = 0
        self.rejected: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} token={'***' if self._token else None}>"

    def credentials(
        self, url: str, username_from_url: str | None, allowed_types: CredentialType
    ) -> pygit2.UserPass:
        """The token as the password of ``x-access-token``; a second request means refusal."""
        self._asked += 1
        shown = redact(url, self._token)
        if self._token is None:
            msg = f"the git server at {shown} asks for credentials and no token was given"
            raise GitError(msg)
        if self._asked > 1:
            msg = (
                f"the git server at {shown} rejected the token: "
                "check GITHUB_TOKEN or the token file, and that the token may push"
            )
            raise GitError(msg)
        if not allowed_types & CredentialType.USERPASS_PLAINTEXT:
            msg = f"the git server at {shown} does not accept a token (use an https:// URL)"
            raise GitError(msg)
        return pygit2.UserPass(TOKEN_USER, self._token)

    def push_update_reference(self, refname: str, message: str | None) -> None:
        """Remember each reference the remote refused, with its reason."""
        if message:
            self.rejected[refname] = message


def _remote_names(repo: pygit2.Repository) -> list[str]:
    """The names of the clone's remotes, in git's order."""
    return [r.name for r in repo.remotes if r.name]


def _lock(git_dir: Path, workdir: Path, timeout: float) -> filelock.BaseFileLock:
    """Take the clone's lock, or raise LockTimeoutError naming the clone."""
    lock = filelock.FileLock(git_dir / LOCK_FILE_NAME, timeout=timeout, thread_local=False)
    try:
        lock.acquire()
    except filelock.Timeout:
        msg = (
            f"the clone {workdir} is in use by another keps process "
            f"(waited {timeout:g}s for {git_dir / LOCK_FILE_NAME})"
        )
        raise LockTimeoutError(msg, path=workdir) from None
    except OSError as exc:
        msg = f"cannot lock the clone {workdir}: {exc.strerror or exc}"
        raise GitError(msg, path=workdir) from exc
    return lock


class Repository:
    """A locked local clone; build it with :func:`clone` or :func:`open`, then close it."""

    def __init__(
        self, repo: pygit2.Repository, lock: filelock.BaseFileLock, token: str | None
    ) -> None:
        self._repo = repo
        self._lock = lock
        self._token = token
        self._closed = False
        self.path = Path(repo.workdir).resolve()

    # -- life cycle ---------------------------------------------------------------------

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<Repository {str(self.path)!r} {state}>"

    def __enter__(self) -> Repository:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran; the lock is then free for another process."""
        return self._closed

    def close(self) -> None:
        """Release the lock and pygit2's file handles; calling it again does nothing."""
        if self._closed:
            return
        self._closed = True
        self._repo.free()
        self._lock.release(force=True)
        logger.debug("closed %s", self.path)

    def delete(self) -> None:
        """Close the clone and remove its folder; calling it again does nothing."""
        self.close()
        if self.path.exists():
            _remove_tree(self.path)
            logger.info("deleted the clone %s", self.path)

    def _open_repo(self) -> pygit2.Repository:
        if self._closed:
            msg = f"the clone {self.path} was closed; open it again"
            raise GitError(msg, path=self.path)
        return self._repo

    # -- remotes ------------------------------------------------------------------------

    def remotes(self) -> dict[str, str]:
        """Each remote's name and URL (tokens in URLs masked)."""
        repo = self._open_repo()
        return {r.name: redact(r.url or "", self._token) for r in repo.remotes if r.name}

    def set_remote(self, name: str, url: str) -> None:
        """Point the remote *name* at *url*, creating it when missing."""
        repo = self._open_repo()

        def work() -> None:
            if name in _remote_names(repo):
                repo.remotes.set_url(name, url)
            else:
                repo.remotes.create(name, url)

        _guarded(f"cannot set remote {name!r} of {self.path}", work, self._token)
        logger.info("remote %s of %s is now %s", name, self.path, redact(url, self._token))

    def set_origin(self, url: str) -> None:
        """Point ``origin`` at *url*: where :meth:`push` sends the branch (the fork)."""
        self.set_remote("origin", url)

    # -- branches -----------------------------------------------------------------------

    @property
    def current_branch(self) -> str | None:
        """The checked-out branch, or None when HEAD is detached."""
        repo = self._open_repo()
        if repo.head_is_detached:
            return None
        target = repo.references["HEAD"].target
        return str(target).removeprefix("refs/heads/")

    @property
    def default_branch(self) -> str:
        """The branch the cloned repository calls its default (its remote HEAD)."""
        repo = self._open_repo()
        names = _remote_names(repo)
        ordered = [n for n in ("upstream", "origin") if n in names] + sorted(names)
        for name in ordered:
            ref = repo.references.get(f"refs/remotes/{name}/HEAD")
            if ref is not None and isinstance(ref.target, str):
                return ref.target.removeprefix(f"refs/remotes/{name}/")
        return self.current_branch or "main"

    def _default_commit(self) -> pygit2.Commit:
        repo = self._open_repo()
        default = self.default_branch
        candidates = [f"refs/remotes/{name}/{default}" for name in _remote_names(repo)]
        candidates.insert(0, f"refs/remotes/upstream/{default}")
        candidates.append(f"refs/heads/{default}")
        for name in candidates:
            ref = repo.references.get(name)
            if ref is not None:
                return ref.peel(pygit2.Commit)
        msg = (
            f"the clone {self.path} has no commit on its default branch {default!r} to branch from"
        )
        raise GitError(msg, path=self.path)

    def checkout(self, branch: str) -> None:
        """Switch to *branch*, creating it from the default branch when it does not exist."""
        repo = self._open_repo()

        def work() -> None:
            local = repo.branches.local.get(branch)
            if local is None:
                start = self._default_commit()
                local = repo.branches.local.create(branch, start)
                logger.info("created branch %s at %s in %s", branch, start.id, self.path)
            repo.checkout(local, strategy=CheckoutStrategy.SAFE)

        _guarded(f"cannot check out {branch!r} in {self.path}", work, self._token)

    # -- the work tree ------------------------------------------------------------------

    def _relative(self, path: str | os.PathLike[str]) -> str:
        """*path* relative to the work tree, as git names it; paths that leave it are refused."""
        given = Path(path)
        full = given if given.is_absolute() else self.path / given
        normal = Path(os.path.normpath(full))
        try:
            # The parent is resolved (symlinks followed) but not the file itself: adding a
            # symlink records the link, it never reads or writes where it points.
            inside = normal.parent.resolve() / normal.name
            rel = PurePosixPath(inside.relative_to(self.path).as_posix())
        except ValueError:
            msg = f"{path} is outside the clone {self.path}"
            raise PathOutsideError(msg, path=str(path)) from None
        if rel.parts[:1] == (".git",) or not rel.parts:
            msg = f"{path} is not a file of the work tree of {self.path}"
            raise PathOutsideError(msg, path=str(path))
        return str(rel)

    def add(self, path: str | os.PathLike[str]) -> None:
        """Stage *path* (a file or a whole folder, relative to the clone) as it is on disk."""
        repo = self._open_repo()
        rel = self._relative(path)
        full = self.path / rel

        def work() -> None:
            index = repo.index
            if full.is_dir() and not full.is_symlink():
                index.add_all([rel])
                # add_all never records deletions: drop entries whose file is gone.
                gone = [
                    e.path
                    for e in index
                    if e.path.startswith(f"{rel}/")
                    and not (self.path / e.path).is_symlink()
                    and not (self.path / e.path).exists()
                ]
                for entry in gone:
                    index.remove(entry)
            elif full.exists() or full.is_symlink():
                index.add(rel)
            elif rel in index:
                index.remove(rel)
            else:
                msg = f"cannot add {rel}: no such file in {self.path}"
                raise KepNotFoundError(msg, path=full)
            index.write()

        _guarded(f"cannot add {rel} in {self.path}", work, self._token)
        logger.debug("staged %s in %s", rel, self.path)

    def status(self) -> dict[str, str]:
        """Each changed, staged or untracked path and what happened to it, in words."""
        repo = self._open_repo()
        raw = _guarded(
            f"cannot read the status of {self.path}",
            lambda: repo.status(untracked_files="all", ignored=False),
            self._token,
        )
        return {
            p: _describe_status(int(f)) for p, f in sorted(raw.items()) if f != FileStatus.IGNORED
        }

    def commit(self, message: str, author: Signature, *, allow_empty: bool = False) -> str:
        """Commit what is staged on the current branch, as *author* with keps as committer.

        Returns the new commit's id. Nothing staged raises GitError unless *allow_empty*.
        """
        repo = self._open_repo()

        def work() -> pygit2.Oid:
            tree = repo.index.write_tree()
            parents = [] if repo.head_is_unborn else [repo.head.target]
            if parents and not allow_empty and repo[parents[0]].peel(pygit2.Commit).tree_id == tree:
                msg = f"nothing to commit in {self.path}: add files first"
                raise GitError(msg, path=self.path)
            return repo.create_commit(
                "HEAD", author._to_pygit2(), COMMITTER._to_pygit2(), message, tree, parents
            )

        oid = _guarded(f"cannot commit in {self.path}", work, self._token)
        logger.info("committed %s in %s", oid, self.path)
        return str(oid)

    def has_staged_changes(self) -> bool:
        """True when the index holds changes that :meth:`commit` would record."""
        return bool(self.staged_paths())

    def staged_paths(self) -> tuple[str, ...]:
        """The paths whose staged content :meth:`commit` would record, sorted."""
        repo = self._open_repo()
        flags = _guarded(
            f"cannot read the status of {self.path}",
            lambda: repo.status(untracked_files="no", ignored=False),
            self._token,
        )
        return tuple(sorted(path for path, flag in flags.items() if flag & _STAGED))

    def has_uncommitted_changes(self) -> bool:
        """True when a file is staged, changed or untracked: a push would leave it behind."""
        return bool(self.status())

    # -- pushing ------------------------------------------------------------------------

    def push(
        self,
        remote: str,
        local_branch: str,
        remote_branch: str | None = None,
        force: bool = True,
    ) -> None:
        """Push *local_branch* to *remote_branch* (same name by default) of *remote*.

        Forced by default: the branch on the fork belongs to this clone. Refused with
        UncommittedChangesError while the work tree holds changes the push would miss.
        """
        repo = self._open_repo()
        changes = self.status()
        if changes:
            listed = ", ".join(f"{p} ({s})" for p, s in list(changes.items())[:5])
            more = f" and {len(changes) - 5} more" if len(changes) > 5 else ""
            msg = (
                f"{self.path} has uncommitted changes: {listed}{more}; "
                "commit them first, or they would not reach the pull request"
            )
            raise UncommittedChangesError(msg, path=self.path)
        target = remote_branch or local_branch
        if local_branch not in repo.branches.local:
            msg = f"cannot push {local_branch!r}: no such branch in {self.path}"
            raise GitError(msg, path=self.path)
        spec = f"{'+' if force else ''}refs/heads/{local_branch}:refs/heads/{target}"
        self._push(remote, spec, f"push {local_branch}")
        logger.info("pushed %s to %s/%s", local_branch, remote, target)

    def _push(self, remote: str, spec: str, action: str, *, where: str = "to") -> None:
        """Push one refspec to *remote*; a failed or refused push raises GitError naming
        *action* (``push main``) and the remote (``to origin``, or *where* else)."""
        repo = self._open_repo()
        names = _remote_names(repo)
        if remote not in names:
            known = ", ".join(names) or "none"
            msg = f"cannot push to {remote!r}: no such remote in {self.path} (known: {known})"
            raise GitError(msg, path=self.path)
        callbacks = _Callbacks(self._token)
        url = redact(repo.remotes[remote].url or "", self._token)
        _guarded(
            f"cannot {action} {where} {remote} ({url})",
            lambda: repo.remotes[remote].push([spec], callbacks=callbacks),
            self._token,
        )
        if callbacks.rejected:
            reasons = "; ".join(f"{ref}: {why}" for ref, why in callbacks.rejected.items())
            msg = redact(f"{remote} ({url}) refused to {action}: {reasons}", self._token)
            raise GitError(msg, path=self.path)

    def fetch_branch(self, remote: str, branch: str) -> str | None:
        """Fetch *branch* of *remote*; the id of its tip commit, or None when it has no such branch.

        The tip lands in ``refs/remotes/<remote>/<branch>``, so :meth:`reset_to` can
        continue it and :meth:`put_back_branch` can restore it.
        """
        repo = self._open_repo()
        if remote not in _remote_names(repo):
            msg = f"cannot fetch from {remote!r}: no such remote in {self.path}"
            raise GitError(msg, path=self.path)
        tracking = f"refs/remotes/{remote}/{branch}"
        spec = f"+refs/heads/{branch}:{tracking}"
        url = redact(repo.remotes[remote].url or "", self._token)

        def work() -> str | None:
            repo.remotes[remote].fetch([spec], callbacks=_Callbacks(self._token))
            ref = repo.references.get(tracking)
            return None if ref is None else str(ref.peel(pygit2.Commit).id)

        found = _guarded(f"cannot fetch {branch} from {remote} ({url})", work, self._token)
        logger.info("fetched %s from %s: %s", branch, remote, found or "no such branch")
        return found

    def reset_to(self, commit: str) -> None:
        """Move the current branch to *commit* and make the index and work tree match it.

        For a fresh clone that continues a branch fetched from a remote; refused with
        UncommittedChangesError while the work tree holds changes it would discard.
        """
        repo = self._open_repo()
        changes = self.status()
        if changes:
            msg = f"{self.path} has uncommitted changes ({', '.join(changes)}): not resetting it"
            raise UncommittedChangesError(msg, path=self.path)

        def work() -> None:
            target = repo.revparse_single(commit).peel(pygit2.Commit)
            repo.reset(target.id, ResetMode.HARD)

        _guarded(f"cannot reset {self.path} to {commit}", work, self._token)
        logger.info("reset %s to %s", self.path, commit)

    def put_back_branch(self, remote: str, branch: str, commit: str | None) -> None:
        """Set *branch* of *remote* back to *commit* (a force push), or delete it when None.

        Undoes a push whose pull request could not be opened or updated: the remote
        branch is as it was before. *commit* must be in the clone (see
        :meth:`fetch_branch`).
        """
        repo = self._open_repo()
        if commit is None:
            self._push(remote, f":refs/heads/{branch}", f"delete {branch}", where="on")
            logger.info("deleted %s on %s", branch, remote)
            return
        keep = f"refs/keps/put-back/{branch}"
        _guarded(
            f"cannot find {commit} in {self.path}",
            lambda: repo.references.create(keep, pygit2.Oid(hex=commit), force=True),
            self._token,
        )
        try:
            self._push(remote, f"+{keep}:refs/heads/{branch}", f"put {branch} back", where="on")
        finally:
            _guarded(f"cannot clean up {keep}", lambda: repo.references.delete(keep), self._token)
        logger.info("put %s on %s back to %s", branch, remote, commit)


def open(
    path: str | os.PathLike[str],
    token: TokenLike | None = None,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> Repository:
    """Open the clone at *path* and lock it; a clone locked elsewhere raises LockTimeoutError."""
    workdir = Path(path)
    secret = resolve_token(token)
    if not workdir.exists():
        msg = f"no clone at {workdir}: the folder does not exist"
        raise KepNotFoundError(msg, path=workdir)
    repo = _guarded(
        f"cannot open the clone {workdir}",
        lambda: pygit2.Repository(str(workdir), RepositoryOpenFlag.NO_SEARCH),
        secret,
    )
    if repo.is_bare or repo.workdir is None:
        repo.free()
        msg = f"{workdir} is a bare repository; porcelain needs a clone with a work tree"
        raise GitError(msg, path=workdir)
    try:
        lock = _lock(Path(repo.path), workdir, lock_timeout)
    except BaseException:
        repo.free()
        raise
    logger.debug("opened and locked %s", workdir)
    return Repository(repo, lock, secret)


def _remove_tree(path: Path) -> None:
    """Delete *path* and everything below it, read-only git objects included."""

    def _retry(func: Any, name: str, _exc: Any) -> None:
        Path(name).chmod(0o700)
        func(name)

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=_retry)
    else:
        shutil.rmtree(path, onerror=_retry)


def clone(
    url: str,
    to: str | os.PathLike[str],
    token: TokenLike | None = None,
    *,
    remote: str = "origin",
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> Repository:
    """Clone *url* into the new folder *to* (an existing path is refused) and open it.

    *remote* names the remote the clone comes from (``origin`` as in git; the hermetic
    flow calls it ``upstream``). *url* may be an https URL, a ``file://`` URL or a path.
    """
    dest = Path(to)
    secret = resolve_token(token)
    shown = redact(url, secret)
    if dest.exists() or dest.is_symlink():
        msg = f"cannot clone {shown} into {dest}: the path already exists"
        raise KepExistsError(msg, path=dest)
    if "://" not in url and not Path(url).exists():
        msg = f"cannot clone {shown}: there is no repository at that path"
        raise GitError(msg)

    def _remote(repo: pygit2.Repository, _name: str, remote_url: str) -> pygit2.Remote:
        return repo.remotes.create(remote, remote_url)

    try:
        repo = _guarded(
            f"cannot clone {shown} into {dest}",
            lambda: pygit2.clone_repository(
                url, str(dest), remote=_remote, callbacks=_Callbacks(secret)
            ),
            secret,
        )
    except BaseException:
        if dest.exists():
            _remove_tree(dest)
        raise
    logger.info("cloned %s into %s", shown, dest)
    try:
        lock = _lock(Path(repo.path), dest, lock_timeout)
    except BaseException:
        repo.free()
        raise
    return Repository(repo, lock, secret)
