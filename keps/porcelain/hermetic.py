"""The hermetic flow: a fresh clone per change, pushed to the user's fork, proposed upstream.

:func:`fork` forks upstream through the API, clones upstream into a new folder (remote
``upstream``), points ``origin`` at the fork and checks out a new branch. The returned
:class:`Repo` copies files in (:meth:`Repo.add`), turns them into a pull request
(:meth:`Repo.create_pr`: commit, force-push to the fork, open the pull request) and
cleans up (:meth:`Repo.delete_local`, :meth:`Repo.delete_remote`). Nothing depends on
the user's own clones, so a half-finished change never leaks into one.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path, PurePath
from types import TracebackType

from keps.errors import (
    GitError,
    KepError,
    KepExistsError,
    KepNotFoundError,
    PathOutsideError,
    PorcelainError,
    RemoteNotFoundError,
    StorageError,
)
from keps.porcelain import git
from keps.porcelain.auth import TokenLike, resolve_token
from keps.porcelain.git import Signature
from keps.porcelain.github import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    GitHubClient,
    PullRequest,
    PullRequestRouting,
    RemoteRepository,
    git_url,
)

__all__ = ["Repo", "fork", "with_advice"]

logger = logging.getLogger(__name__)


def with_advice(error: KepError, advice: str) -> KepError:
    """*error* again, its message followed by *advice* (what happened since, what to do).

    The same class when it takes a plain message (every GitError and GitHubError does),
    so callers catching it keep working; a :class:`~keps.errors.PorcelainError`
    otherwise. The caller raises it ``from`` *error*, whose message it repeats.
    """
    message = f"{error.message.rstrip('.')}. {advice}"
    kind = type(error) if type(error).__init__ is KepError.__init__ else PorcelainError
    return kind(message, path=error.path)


class Repo:
    """A fresh clone on its own branch, whose pull request goes upstream through the fork.

    Built by :func:`fork`. It holds the clone's lock until :meth:`close`,
    :meth:`delete_local` or the end of a ``with`` block.
    """

    def __init__(
        self,
        clone: git.Repository,
        client: GitHubClient,
        fork: RemoteRepository,
        routing: PullRequestRouting,
        author: Signature,
    ) -> None:
        self._clone = clone
        self._client = client
        self.fork = fork
        self.routing = routing
        self.author = author
        self.path = clone.path
        self.pull_request_url: str | None = None
        self._committed = False
        self._local_deleted = False
        self._remote_deleted = False

    def __repr__(self) -> str:
        return (
            f"<Repo {str(self.path)!r} {self.routing.head} -> "
            f"{self.routing.upstream_owner}/{self.routing.upstream_repo}>"
        )

    def __enter__(self) -> Repo:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def branch(self) -> str:
        """The branch the change lives on, locally and on the fork."""
        return self.routing.branch

    @property
    def clone(self) -> git.Repository:
        """The underlying clone, for status and finer git work."""
        return self._clone

    def close(self) -> None:
        """Release the clone's lock and the HTTP connections; the folder stays."""
        self._clone.close()
        self._client.close()

    # -- files --------------------------------------------------------------------------

    def _destination(self, to_path_in_repo: str | os.PathLike[str]) -> Path:
        """Where *to_path_in_repo* lands in the clone; anything leaving the clone is refused.

        ``../x``, ``/abs/x`` and a path through a symlink pointing out of the clone all
        raise PathOutsideError, as does anything inside ``.git``.
        """
        given = PurePath(to_path_in_repo)
        if given.is_absolute() or given.anchor:
            msg = f"{to_path_in_repo} must be a path relative to the repository, not absolute"
            raise PathOutsideError(msg, path=str(to_path_in_repo))
        root = self.path.resolve()
        lexical = Path(os.path.normpath(root / given))
        resolved = lexical.resolve()  # follows every symlink that already exists
        for candidate in (lexical, resolved):
            try:
                inside = candidate.relative_to(root)
            except ValueError:
                msg = f"{to_path_in_repo} leaves the repository {root}"
                raise PathOutsideError(msg, path=str(to_path_in_repo)) from None
            if not inside.parts or inside.parts[0] == ".git":
                msg = f"{to_path_in_repo} is not a file path inside the repository {root}"
                raise PathOutsideError(msg, path=str(to_path_in_repo))
        return lexical

    def _copy_file(self, source: Path, target: Path, shown: str) -> None:
        """Copy one file, after checking the target (symlinks included) stays inside."""
        self._destination(target.relative_to(self.path.resolve()))
        if target.is_dir() and not target.is_symlink():
            msg = f"cannot copy {source} to {shown}: a folder of that name is in the repository"
            raise KepExistsError(msg, path=target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink():
                target.unlink()  # write a file where the link was, never through it
            shutil.copy2(source, target)
        except OSError as exc:
            msg = f"cannot copy {source} to {shown}: {exc.strerror or exc}"
            raise StorageError(msg, path=target) from exc

    def add(
        self, from_path: str | os.PathLike[str], to_path_in_repo: str | os.PathLike[str]
    ) -> Path:
        """Copy the file or folder *from_path* to *to_path_in_repo* in the clone and stage it.

        Folders are created as needed; returns where the copy landed.
        """
        source = Path(from_path)
        if not source.exists():
            msg = f"cannot add {source}: no such file or folder"
            raise KepNotFoundError(msg, path=source)
        target = self._destination(to_path_in_repo)
        rel = target.relative_to(self.path.resolve())
        if source.is_dir() and target.resolve().is_relative_to(source.resolve()):
            msg = f"cannot copy the folder {source} into itself ({to_path_in_repo})"
            raise PathOutsideError(msg, path=str(to_path_in_repo))
        if source.is_dir():
            for folder, dirs, files in os.walk(source):
                for name in sorted(dirs):
                    if (Path(folder) / name).is_symlink():
                        logger.warning("not following the folder symlink %s", Path(folder) / name)
                for name in sorted(files):
                    src = Path(folder) / name
                    dest = target / src.relative_to(source)
                    self._copy_file(src, dest, str(rel / src.relative_to(source)))
        else:
            self._copy_file(source, target, str(rel))
        self._clone.add(rel)
        logger.info("added %s as %s in %s", source, rel, self.path)
        return target

    # -- the pull request ---------------------------------------------------------------

    def create_pr(self, title: str, body: str) -> str:
        """Commit what was added, force-push the branch to the fork, open the pull request.

        Returns the pull request's URL. Called again after more :meth:`add` calls, it
        commits and pushes again and returns the same pull request, which now shows the
        new commit.
        """
        if self._clone.has_staged_changes():
            message = f"{title}\n\n{body}".rstrip() + "\n"
            self._clone.commit(message, self.author)
            self._committed = True
        elif not self._committed:
            msg = f"nothing to propose from {self.path}: add files with Repo.add() first"
            raise GitError(msg, path=self.path)
        self._clone.push("origin", self.branch, self.branch, force=True)
        if self.pull_request_url is None:
            self.pull_request_url = self._client.create_pull_request(self.routing, title, body)
        return self.pull_request_url

    def find_pull_request(self) -> PullRequest | None:
        """The open pull request from this branch into upstream, or None when there is none."""
        return self._client.find_open_pull_request(self.routing)

    def fork_branch_tip(self) -> str | None:
        """Fetch this branch from the fork: its tip commit, or None when the fork has none.

        What :meth:`propose` puts back if GitHub refuses the pull request; with an open
        pull request, what the new commit goes on top of (``clone.reset_to``).
        """
        return self._clone.fetch_branch("origin", self.branch)

    def propose(
        self,
        title: str,
        body: str,
        *,
        update: PullRequest | None = None,
        previous_tip: str | None = None,
    ) -> PullRequest:
        """Commit what was added, push it and open a pull request, or update *update*.

        Without *update*, the branch is force-pushed (what the fork held there is left
        from an earlier, closed pull request) and a pull request opened. With it, the
        commit goes on top of the branch *update* shows (a fast-forward push, refused if
        the branch moved meanwhile) and *update* gets the new title and body.

        All or nothing on the fork: if GitHub refuses after the push, the fork's branch
        is put back to *previous_tip* (deleted when None), so no branch is left pushed
        without its pull request, and the error says so (or says what is left).
        """
        message = f"{title}\n\n{body}".rstrip() + "\n"
        self._clone.commit(message, self.author)
        self._committed = True
        self._clone.push("origin", self.branch, self.branch, force=update is None)
        failure: KepError | None = None
        try:
            if update is None:
                url = self._client.create_pull_request(self.routing, title, body)
                pull = PullRequest.from_url(url)
            else:
                pull = self._client.update_pull_request(self.routing, update.number, title, body)
        except KepError as exc:
            failure = exc
        if failure is not None:
            raise with_advice(failure, self._put_back(previous_tip)) from failure
        self.pull_request_url = pull.url
        return pull

    def _put_back(self, previous_tip: str | None) -> str:
        """Undo the push of this branch to the fork; a sentence saying how that went."""
        where = f"{self.routing.head} on the fork {self.fork.owner}/{self.fork.name}"
        try:
            self._clone.put_back_branch("origin", self.branch, previous_tip)
        except KepError as exc:
            logger.warning("could not put back %s: %s", where, exc)
            return f"The branch {where} could not be put back ({exc.message}); a retry pushes it again."
        done = "deleted" if previous_tip is None else f"put back to {previous_tip[:12]}"
        return f"The push was undone: the branch {where} is {done}."

    # -- cleaning up --------------------------------------------------------------------

    def delete_local(self) -> None:
        """Remove the clone's folder (and release its lock); calling it again does nothing."""
        if self._local_deleted:
            return
        self._clone.delete()
        self._local_deleted = True

    def delete_remote(self) -> None:
        """Delete the fork on GitHub; calling it again, or after it vanished, does nothing.

        This deletes the whole fork, with every branch on it, not only this change's
        branch: the hermetic flow assumes the fork exists for this change alone. The
        token needs the ``delete_repo`` scope.
        """
        if self._remote_deleted:
            return
        try:
            self._client.delete_repository(self.fork.owner, self.fork.name)
        except RemoteNotFoundError:
            logger.info("the fork %s/%s was already gone", self.fork.owner, self.fork.name)
        self._remote_deleted = True


def fork(
    github_handle: str,
    token: TokenLike,
    owner: str,
    repo: str,
    to_location: str | os.PathLike[str],
    branch: str,
    *,
    api_url: str | None = None,
    git_url_template: str | None = None,
    author: Signature | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    lock_timeout: float = git.DEFAULT_LOCK_TIMEOUT,
) -> Repo:
    """Fork *owner*/*repo* for *github_handle*, clone it to *to_location*, check out *branch*.

    Remotes: ``upstream`` is *owner*/*repo*, ``origin`` the fork. Commits are authored
    by *author* (default: *github_handle* with GitHub's no-reply address). *to_location*
    must not exist yet. *api_url* and *git_url_template* default to the
    ``KEPS_GITHUB_API_URL`` and ``KEPS_GITHUB_GIT_URL`` settings.
    """
    dest = Path(to_location)
    if dest.exists() or dest.is_symlink():
        msg = f"cannot clone {owner}/{repo} into {dest}: the path already exists"
        raise KepExistsError(msg, path=dest)
    secret = resolve_token(token)
    signer = author or Signature.for_github_handle(github_handle)
    client = GitHubClient(
        secret,
        api_url=api_url,
        git_url_template=git_url_template,
        timeout=timeout,
        retries=retries,
    )
    try:
        forked = client.create_fork(owner, repo)
        if forked.owner.lower() != github_handle.lower():
            logger.warning(
                "GitHub forked %s/%s to %s, not to %s: the token belongs to %s",
                owner,
                repo,
                forked.owner,
                github_handle,
                forked.owner,
            )
        upstream_url = git_url(owner, repo, client.git_url_template)
        clone = git.clone(upstream_url, dest, secret, remote="upstream", lock_timeout=lock_timeout)
    except BaseException:
        client.close()
        raise
    try:
        clone.set_origin(forked.clone_url)
        clone.checkout(branch)
    except BaseException:
        clone.delete()
        client.close()
        raise
    routing = PullRequestRouting(owner, repo, forked.owner, branch)
    logger.info("ready: %s on %s, pull requests from %s", dest, branch, routing.head)
    return Repo(clone, client, forked, routing, signer)
