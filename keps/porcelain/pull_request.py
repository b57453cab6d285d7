"""The workflow link: open a pull request carrying one KEP's files against an upstream repository.

The KEP process README says that "eventually Propose may also handle git and GitHub
operations"; this module is that step. :func:`open_kep_pull_request` takes a KEP as it
lies on disk and runs the hermetic flow (:mod:`keps.porcelain.hermetic`) for it::

    from keps import workflow
    from keps.porcelain import open_kep_pull_request, token_from_env

    kep = workflow.propose(runtime)
    url = open_kep_pull_request(
        kep,
        github_handle="alice",
        token=token_from_env(),
        upstream="kubernetes/enhancements",
    )
    # fork, fresh clone, keps/<location>/ replaced by the KEP's files, commit as alice,
    # force-push alice:kep-<location>, pull request into the default branch, clone gone;
    # the URL is then appended to the KEP's associated_prs.

What goes into the pull request is the KEP folder as it is on disk, every file except
the library's bookkeeping (``*.lock`` files and unfinished ``.keps-tmp-*`` writes);
changes still held in memory by a :class:`~keps.keps.Kep` object are not included.
Symbolic links are left out (with a warning): following one could publish a file from
outside the KEP folder.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from keps._locks import kep_lock
from keps.errors import (
    GitError,
    KepError,
    KepNotFoundError,
    PathOutsideError,
    PorcelainError,
    SettingsError,
)
from keps.keps import Kep
from keps.keps.path import relative_location
from keps.porcelain import hermetic
from keps.porcelain.auth import TokenLike
from keps.porcelain.github import DEFAULT_RETRIES, DEFAULT_TIMEOUT
from keps.workflow import editing

__all__ = [
    "DEFAULT_PATH_PREFIX",
    "default_body",
    "default_branch",
    "default_path_in_repo",
    "default_title",
    "kep_files",
    "open_kep_pull_request",
    "split_upstream",
]

logger = logging.getLogger(__name__)

#: Where KEPs live in kubernetes/enhancements; a KEP at ``sig-node/x`` goes to ``keps/sig-node/x``.
DEFAULT_PATH_PREFIX = "keps"

#: Seconds to wait for a lifecycle step holding the KEP's lock (as the steps themselves wait).
LOCK_TIMEOUT = 30.0

# The word a pull request title uses for the step that last happened to the KEP.
_DONE: dict[str, str] = {
    "init": "draft",
    "propose": "proposed",
    "accept": "accepted",
    "plan": "planned",
    "approve": "approved",
    "implement": "implemented",
    "defer": "deferred",
    "reject": "rejected",
    "withdraw": "withdrawn",
    "replace": "replaced",
}

_TEMP_PREFIX = ".keps-tmp-"


def split_upstream(upstream: str) -> tuple[str, str]:
    """``("kubernetes", "enhancements")`` for ``"kubernetes/enhancements"``.

    Checked before anything reaches the network, so a typo costs no fork.

    Raises:
        SettingsError: *upstream* is not OWNER/REPO.
    """
    owner, slash, repo = upstream.strip().partition("/")
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
    if (
        not slash
        or not owner
        or not repo
        or not set(owner + repo) <= allowed
        or repo in (".", "..")
        or owner.startswith(".")
    ):
        msg = f"upstream repository {upstream!r} must be OWNER/REPO, e.g. kubernetes/enhancements"
        raise SettingsError(msg)
    return owner, repo


def default_path_in_repo(kep: Kep) -> str:
    """``keps/`` plus the KEP's location under its content root, as kubernetes/enhancements lays it out."""
    return f"{DEFAULT_PATH_PREFIX}/{relative_location(kep.path, kep.content_root)}"


def default_branch(kep: Kep) -> str:
    """``kep-<location with / as ->``: one branch per KEP, so a rerun updates the same branch."""
    location = relative_location(kep.path, kep.content_root)
    return "kep-" + location.replace("/", "-")


def _last_step_word(kep: Kep) -> str:
    """``proposed`` after propose; the state itself when no step was recorded."""
    if kep.events:
        step = kep.events[-1].event_type
        return _DONE.get(step, step)
    return str(kep.state or "draft")


def default_title(kep: Kep) -> str:
    """``KEP: <title> (proposed)``, or ``KEP-<n>: <title> (approved)`` once numbered."""
    prefix = f"KEP-{kep.kep_number}" if kep.kep_number is not None else "KEP"
    return f"{prefix}: {kep.title} ({_last_step_word(kep)})"


def _summary(kep: Kep) -> str:
    """The summary section's text without its leading headings; empty when there is none.

    The file opens with the KEP's title and a "Summary" heading, which the pull request
    already shows in its title.
    """
    try:
        text = kep.section_text("summary")
    except KepError:
        return ""
    lines = text.strip().splitlines()
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines = lines[1:]
    return "\n".join(lines).strip()


def default_body(kep: Kep) -> str:
    """The KEP's summary, then one line naming its location, state and number."""
    location = relative_location(kep.path, kep.content_root)
    number = str(kep.kep_number) if kep.kep_number is not None else "none yet (given on approval)"
    status = f"KEP `{location}`: state {kep.state or 'unknown'}, KEP number {number}."
    summary = _summary(kep) or "(no summary yet)"
    return f"{summary}\n\n---\n{status}\n"


def _is_bookkeeping(name: str) -> bool:
    """Lock files and unfinished atomic writes: the library's, never the KEP's content."""
    return name.endswith(".lock") or name.startswith(_TEMP_PREFIX)


def kep_files(kep_dir: Path) -> Iterator[PurePosixPath]:
    """Every content file of the KEP folder, relative to it, sorted; symlinks are skipped."""
    found: list[PurePosixPath] = []
    for folder, dirs, files in os.walk(kep_dir):
        here = Path(folder)
        for name in list(dirs):
            if (here / name).is_symlink():
                logger.warning("not copying the folder symlink %s", here / name)
                dirs.remove(name)
        for name in files:
            path = here / name
            if _is_bookkeeping(name):
                continue
            if path.is_symlink():
                logger.warning("not copying the symlink %s", path)
                continue
            found.append(PurePosixPath(path.relative_to(kep_dir).as_posix()))
    yield from sorted(found)


def _checked_path_in_repo(path_in_repo: str) -> PurePosixPath:
    """*path_in_repo* as a clean relative path; anything that could leave the clone is refused."""
    given = PurePosixPath(path_in_repo.replace("\\", "/"))
    parts = [p for p in given.parts if p not in ("", ".")]
    if given.is_absolute() or not parts or ".." in parts or parts[0] == ".git":
        msg = f"path in the repository {path_in_repo!r} must be a relative folder path inside it"
        raise PathOutsideError(msg, path=path_in_repo)
    return PurePosixPath(*parts)


def _copy_kep(repo: hermetic.Repo, kep_dir: Path, rel: PurePosixPath) -> None:
    """Make *rel* in the clone hold exactly the KEP's files, and stage that.

    A KEP already upstream at *rel* is replaced whole, so a file deleted locally is
    deleted in the pull request too.
    """
    root = repo.path.resolve()
    target = root / rel
    if not target.resolve().is_relative_to(root) or target.is_symlink():
        msg = f"{rel} leaves the repository {root}"
        raise PathOutsideError(msg, path=str(rel))
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    files = list(kep_files(kep_dir))
    if not files:
        msg = f"the KEP folder {kep_dir} holds no files to propose"
        raise KepNotFoundError(msg, path=kep_dir)
    for name in files:
        repo.add(kep_dir / name, rel / name)
    repo.clone.add(str(rel))  # records the deletions of files no longer in the KEP


def _record(kep: Kep, url: str) -> None:
    """Append *url* to the KEP's associated_prs on disk, under the KEP's lock.

    The KEP is read fresh, so only this field changes whatever the caller's object
    holds; keps.yaml is rewritten with it when there is one (its last_updated moves),
    in one journaled step (:func:`keps.workflow.editing`). Checks are not run: the pull
    request exists, and refusing to note it would lose it.
    """
    with editing(
        kep.path, content_root=kep.content_root, check=False, timeout=LOCK_TIMEOUT
    ) as fresh:
        fresh.update(associated_prs=(*fresh.associated_prs, url))
    logger.info("recorded %s in the associated_prs of %s", url, kep.path)


def open_kep_pull_request(
    kep: Kep,
    *,
    github_handle: str,
    token: TokenLike,
    upstream: str,
    workdir: str | os.PathLike[str] | None = None,
    path_in_repo: str | None = None,
    branch: str | None = None,
    title: str | None = None,
    body: str | None = None,
    api_url: str | None = None,
    git_url_template: str | None = None,
    keep_clone: bool = False,
    timeout: int = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
) -> str:
    """Open a pull request carrying *kep*'s folder against *upstream*; returns its URL.

    The flow: fork *upstream* (``"owner/repo"``) for *github_handle*, clone it fresh
    into *workdir* (a folder that must not exist yet; default: a new temporary
    folder), replace *path_in_repo* (default ``keps/<location>``) with the KEP's files,
    commit them authored by *github_handle* (GitHub's no-reply address), force-push
    *branch* (default ``kep-<location>``) to the fork, and open the pull request into
    upstream's default branch. The clone is deleted afterwards, on failure too, unless
    *keep_clone* (then it is kept either way, for a look at what went wrong).

    The URL is appended to the KEP's ``associated_prs`` only after the pull request
    was opened: before, there is no URL, and a failed attempt must not leave a link to
    nothing. So the pull request itself carries the metadata without its own link;
    the next pull request for the KEP carries it. The *kep* object passed in is not
    changed; open the KEP again to see the new field.

    *title* defaults to ``KEP: <title> (proposed)`` (the last step, and the number
    once there is one); *body* to the KEP's summary and a line naming its state and
    number. *api_url*, *git_url_template*, *timeout* and *retries* are passed on to
    :func:`keps.porcelain.hermetic.fork` (the first two default to the
    ``KEPS_GITHUB_API_URL`` and ``KEPS_GITHUB_GIT_URL`` settings).

    Running it again for the same KEP pushes to the same branch; while the first pull
    request is still open GitHub refuses a second one (RemoteConflictError), but the
    open one already shows the new commit.

    Raises:
        SettingsError: *upstream* is not OWNER/REPO, or a bad API URL or git template.
        PathOutsideError: *path_in_repo* would leave the repository.
        GitError: git failed, or upstream already holds the KEP exactly as it is here.
        GitHubError: GitHub refused or failed (AuthenticationError for a bad token...);
            UnexpectedAnswerError when GitHub's answer is not one keps will act on (a
            redirect, a body of the wrong shape, a URL too long, elsewhere or holding
            the token): then nothing is recorded, though the pull request may exist.
        TokenError: the token cannot be read.
        PorcelainError: the pull request was opened (its URL is in the message) but
            could not be recorded in the KEP.
    """
    owner, repo_name = split_upstream(upstream)
    location = relative_location(kep.path, kep.content_root)
    rel = _checked_path_in_repo(path_in_repo or default_path_in_repo(kep))
    chosen_branch = branch or default_branch(kep)

    temp_parent: Path | None = None
    if workdir is None:
        temp_parent = Path(tempfile.mkdtemp(prefix="keps-pr-"))
        clone_dir = temp_parent / repo_name
    else:
        clone_dir = Path(workdir)
    try:
        repo = hermetic.fork(
            github_handle,
            token,
            owner,
            repo_name,
            clone_dir,
            chosen_branch,
            api_url=api_url,
            git_url_template=git_url_template,
            timeout=timeout,
            retries=retries,
        )
        try:
            with kep_lock(kep.content_root, [location], timeout=LOCK_TIMEOUT):
                # Read and copy under the KEP's lock: a step running meanwhile cannot
                # leave half of its change in the pull request.
                on_disk = Kep.open(kep.path, content_root=kep.content_root, registry=kep.registry)
                _copy_kep(repo, on_disk.path, rel)
            if not repo.clone.has_staged_changes():
                msg = (
                    f"{owner}/{repo_name} already holds {location} at {rel} exactly as it "
                    "is here: there is nothing to propose"
                )
                raise GitError(msg, path=kep.path)
            url = repo.create_pr(title or default_title(on_disk), body or default_body(on_disk))
        finally:
            repo.close()
            if not keep_clone:
                repo.delete_local()
    finally:
        if temp_parent is not None and not keep_clone and temp_parent.exists():
            shutil.rmtree(temp_parent, ignore_errors=True)
    if keep_clone:
        logger.info("kept the clone %s", clone_dir)
    logger.info("opened %s for %s", url, location)
    try:
        _record(kep, url)
    except KepError as exc:
        msg = f"opened {url}, but could not add it to the KEP's associated_prs: {exc}"
        raise PorcelainError(msg, path=kep.path) from exc
    return url
