"""One pull request per KEP holding exactly the files its steps changed (issue 14, item 5).

A step run through :func:`keps.workflow.recorded` says which files it changed;
:func:`open_step_pull_request` proposes exactly those upstream, at their paths in the
upstream repository, on a branch named after the KEP::

    from keps import workflow
    from keps.porcelain import open_step_pull_request, token_from_env

    kep, changes = workflow.recorded(workflow.promote, runtime, stage="beta", release="v1.37")
    pull = open_step_pull_request(
        changes, github_handle="alice", token=token_from_env(), upstream="kubernetes/enhancements"
    )
    # fork, fresh clone, keps/sig-node/1234-x/kep.yaml copied in (and nothing else), commit
    # as alice, push alice:kep-1234-x, pull request "KEP-1234: X (beta in v1.37)", clone gone

Running it again for a later step on the same KEP finds the open pull request of that
branch and adds a commit on top of it (the pull request gets the new title and body)
instead of opening a second one; once that pull request is merged or closed, the next
step opens a new one. Nothing but the changed files goes in: no ``keps.yaml``, lock,
journal or cache file, no other file of the KEP folder.

A failure leaves nothing half done: the clone is deleted, a branch pushed without its
pull request is put back as it was on the fork, the KEP's files are as the step left
them, and the error (a GitError or GitHubError, the token masked) ends with what to
run to try again. :func:`kep_changes` is what that retry proposes: every file of the
KEP, of which only those upstream does not hold as they are make a change.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pygit2
from attrs import frozen

from keps._checkout import is_checkout
from keps._locks import kep_lock
from keps.errors import (
    GitError,
    InvalidArgumentError,
    KepError,
    KepNotFoundError,
    PathOutsideError,
    PorcelainError,
)
from keps.keps import Kep
from keps.keps.path import relative_location
from keps.porcelain import hermetic
from keps.porcelain.auth import TokenLike
from keps.porcelain.github import DEFAULT_RETRIES, DEFAULT_TIMEOUT, PullRequest
from keps.porcelain.pull_request import (
    DEFAULT_PATH_PREFIX,
    LOCK_TIMEOUT,
    _checked_path_in_repo,
    _record,
    default_branch,
    kep_files,
    split_upstream,
)
from keps.workflow import Changes

__all__ = [
    "StepPullRequest",
    "kep_changes",
    "open_step_pull_request",
    "step_body",
    "step_branch",
    "step_title",
]

logger = logging.getLogger(__name__)


@frozen
class StepPullRequest:
    """The pull request a step's changes went into.

    Args:
        url: its web address.
        number: its number in the upstream repository.
        branch: the branch on the fork it comes from (``kep-1234-x``).
        files: the paths in the upstream repository the new commit changed; empty when
            the open pull request already held every file as it is.
        opened: True when this call opened it, False when it updated the open one.
    """

    url: str
    number: int
    branch: str
    files: tuple[str, ...]
    opened: bool


def step_branch(kep: Kep) -> str:
    """``kep-1234-x`` for the folder ``1234-x`` of KEP 1234: one branch, one pull request, per KEP.

    A folder not named after its number gives ``kep-<location with / as ->``.
    """
    name = kep.path.name
    if kep.kep_number is not None and name.startswith(f"{kep.kep_number}-"):
        return f"kep-{name}"
    return default_branch(kep)


def _milestones(kep: Kep) -> str:
    return ", ".join(f"{stage} {release}" for stage, release in kep.milestone)


def _approvals(kep: Kep) -> str:
    return ", ".join(f"{a.stage} {a.approver}" for a in kep.prr_approvals)


def _status(kep: Kep) -> str:
    return str(kep.state or "no status")


# What a pull request title says happened, per step; any other step says the status.
_HAPPENED: dict[str, Callable[[Kep], str]] = {
    "create": lambda kep: f"new, {kep.state}",
    "init": lambda kep: f"new, {kep.state}",
    "promote": lambda kep: f"{kep.stage} in {kep.latest_milestone}",
    "prr_approve": lambda kep: "production readiness approval",
}


def step_title(kep: Kep, step: str) -> str:
    """``KEP-1234: <title> (beta in v1.37)``: the KEP and what *step* did to it."""
    number = f"KEP-{kep.kep_number}" if kep.kep_number is not None else "KEP"
    happened = _HAPPENED.get(step, _status)(kep)
    return f"{number}: {kep.title} ({happened})"


def step_body(kep: Kep, step: str, files: tuple[str, ...]) -> str:
    """What *step* changed: the KEP's status, stage and releases after it, and *files*.

    ::

        KEP-1234 "X" after `promote`:

        - status: implementable
        - stage: beta
        ...

        Files changed:

        - `keps/sig-node/1234-x/kep.yaml`
    """
    number = f"KEP-{kep.kep_number}" if kep.kep_number is not None else "KEP"
    after = f"after `{step}`" if step else "as it is now"
    facts = [
        ("status", str(kep.state or "")),
        ("stage", kep.stage),
        ("latest milestone", kep.latest_milestone),
        ("milestones", _milestones(kep)),
        ("production readiness approvals", _approvals(kep)),
        ("replaces", ", ".join(kep.replaces)),
        ("superseded by", ", ".join(kep.superseded_by)),
    ]
    lines = [f'{number} "{kep.title}" {after}:', ""]
    lines += [f"- {name}: {value}" for name, value in facts if value]
    lines += ["", "Files changed:", ""]
    lines += [f"- `{name}`" for name in files]
    return "\n".join(lines) + "\n"


def kep_changes(kep: Kep) -> Changes:
    """Every content file of *kep* as :class:`~keps.workflow.Changes`, for a pull request of
    the KEP as it is (``kepctl pr``, or a retry after a failed one).

    The files of its folder (no lock or unfinished write, no symlink) and those it was
    read with that exist (its production readiness approval file). Of these, only the
    files upstream (or the open pull request) does not already hold as they are make a
    change in the commit.
    """
    root = kep.content_root.absolute()
    location = relative_location(kep.path, root)
    files = [f"{location}/{name}" for name in kep_files(kep.path)]
    for source in kep.sources:
        if source.is_file() and not source.is_symlink():
            files.append(source.absolute().relative_to(root).as_posix())
    return Changes(root, "", (location,), tuple(dict.fromkeys(files)))


def _source(root: Path, name: str) -> Path:
    """The file *name* (relative to *root*) a pull request copies; refused unless a regular
    file inside *root*, reached without a symlink (it could publish a file from elsewhere)."""
    path = root / name
    if path.is_symlink() or not path.resolve().is_relative_to(root.resolve()):
        msg = f"{path} leads out of the content root {root}: it is not proposed"
        raise PathOutsideError(msg, path=path)
    if not path.is_file():
        msg = f"{path}, changed by the step, is no longer there: nothing to propose"
        raise KepNotFoundError(msg, path=path)
    return path


def _in_repository(root: Path, files: tuple[str, ...], prefix: str) -> dict[str, PurePosixPath]:
    """Each file's path in the upstream repository: *prefix*/name, checked to stay inside."""
    return {name: _checked_path_in_repo(f"{prefix}/{name}" if prefix else name) for name in files}


def _copy(repo: hermetic.Repo, root: Path, where: dict[str, PurePosixPath]) -> None:
    for name, rel in where.items():
        repo.add(_source(root, name), rel)


def open_step_pull_request(
    changes: Changes,
    *,
    github_handle: str,
    token: TokenLike,
    upstream: str,
    workdir: str | os.PathLike[str] | None = None,
    path_prefix: str | None = None,
    branch: str | None = None,
    title: str | None = None,
    body: str | None = None,
    retry_command: str | None = None,
    api_url: str | None = None,
    git_url_template: str | None = None,
    keep_clone: bool = False,
    timeout: int = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
) -> StepPullRequest:
    """Open one pull request against *upstream* holding exactly the files of *changes*,
    or add them to the open pull request of the KEP's branch.

    The files go to their paths in the upstream repository: in a kubernetes/enhancements
    checkout the content root is the repository's root (``keps/sig-node/1234-x/kep.yaml``,
    ``keps/prod-readiness/sig-node/1234.yaml``); any other content root is upstream's
    ``keps/`` folder. *path_prefix* says otherwise ('' for the root). The branch is
    *branch*, else :func:`step_branch` of the step's KEP; *title* and *body* default to
    :func:`step_title` and :func:`step_body`. The commit is authored by *github_handle*.

    The flow: fork *upstream* (``"owner/repo"``), clone it fresh into *workdir* (default:
    a new temporary folder; deleted afterwards unless *keep_clone*), look for the open
    pull request from the branch; with one, continue the fork's branch, else start from
    upstream's default branch. Copy the files in under the KEPs' locks, commit, push, then
    open the pull request or update the open one (title and body). A seed-layout KEP
    records a newly opened pull request in its ``associated_prs``; a ``kep.yaml`` has no
    such key, and stays as the step left it.

    On a failure the clone is deleted, the fork's branch is as it was (a push whose pull
    request GitHub refused is put back), the KEP's files are untouched, and the error
    ends with *retry_command* (default ``kepctl pr <location> --pr <upstream>``).

    Raises:
        InvalidArgumentError: *changes* holds no file of a KEP: there is nothing to propose.
        SettingsError: *upstream* is not OWNER/REPO, or a bad API URL or git template.
        PathOutsideError: a file would leave the content root or the repository.
        GitError: git failed or the push was refused, or upstream already holds the files
            exactly as they are here.
        GitHubError: GitHub refused or failed (AuthenticationError, RemoteConflictError,
            ...; UnexpectedAnswerError for an answer keps will not act on).
        TokenError: the token cannot be read.
        PorcelainError: the pull request was opened (its URL is in the message) but could
            not be recorded in the KEP.
    """
    if not changes or changes.content_root is None or not changes.keps:
        msg = (
            f"the {changes.step or 'change'} changed no file of a KEP: there is nothing to propose"
        )
        raise InvalidArgumentError(msg, argument="changes", value=changes)
    owner, repo_name = split_upstream(upstream)
    root = changes.content_root
    for name in changes.files:
        _source(root, name)
    prefix = path_prefix if path_prefix is not None else _prefix(root)
    where = _in_repository(root, changes.files, prefix.strip("/"))
    kep = Kep.open(root / changes.keps[0], content_root=root)
    chosen_branch = branch or step_branch(kep)
    if not pygit2.reference_is_valid_name(f"refs/heads/{chosen_branch}"):
        msg = f"{chosen_branch!r} cannot name a branch: pass another branch"
        raise InvalidArgumentError(msg, argument="branch", value=chosen_branch)
    retry = retry_command or f"kepctl pr {changes.keps[0]} --pr {upstream}"

    temp_parent: Path | None = None
    if workdir is None:
        temp_parent = Path(tempfile.mkdtemp(prefix="keps-pr-"))
        clone_dir = temp_parent / repo_name
    else:
        clone_dir = Path(workdir)
    failure: KepError | None = None
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
            pull = _propose(repo, changes, where, title, body)
        except KepError as exc:
            failure = exc
        finally:
            repo.close()
            if not keep_clone:
                repo.delete_local()
    except KepError as exc:  # the fork or the clone failed: nothing was pushed
        failure = exc
    finally:
        if temp_parent is not None and not keep_clone and temp_parent.exists():
            shutil.rmtree(temp_parent, ignore_errors=True)
    if failure is not None:
        if isinstance(failure, _NothingToPropose):
            raise GitError(failure.message, path=failure.path) from None
        raise hermetic.with_advice(failure, _advice(retry)) from failure
    if keep_clone:
        logger.info("kept the clone %s", clone_dir)
    if pull.opened:
        _remember(root / changes.keps[0], root, pull.url)
    return pull


class _NothingToPropose(GitError):
    """Upstream already holds every file as it is here: no failure, nothing to retry."""


def _prefix(root: Path) -> str:
    """'' for a kubernetes/enhancements checkout (its root is upstream's), else ``keps``."""
    return "" if is_checkout(root) else DEFAULT_PATH_PREFIX


def _advice(retry: str) -> str:
    return f"The KEP's files are as the step left them; once fixed, run: {retry}"


def _propose(
    repo: hermetic.Repo,
    changes: Changes,
    where: dict[str, PurePosixPath],
    title: str | None,
    body: str | None,
) -> StepPullRequest:
    """The part of :func:`open_step_pull_request` that needs the fork and the clone."""
    assert changes.content_root is not None  # checked by the caller
    root = changes.content_root
    existing = repo.find_pull_request()
    previous_tip = repo.fork_branch_tip()
    if existing is not None:
        if previous_tip is None:
            msg = (
                f"pull request {existing.url} is open from {repo.routing.head}, but the fork "
                "has no such branch to add to"
            )
            raise GitError(msg)
        repo.clone.reset_to(previous_tip)
    with kep_lock(root, list(changes.keps), timeout=LOCK_TIMEOUT):
        # Read and copy under the KEPs' locks: a step running meanwhile cannot leave
        # half of its change in the pull request.
        kep = Kep.open(root / changes.keps[0], content_root=root)
        _copy(repo, root, where)
    files = repo.clone.staged_paths()
    if not files:
        if existing is not None:
            logger.info("%s already holds every file as it is here", existing.url)
            return StepPullRequest(existing.url, existing.number, repo.branch, (), opened=False)
        shown = ", ".join(str(rel) for rel in where.values())
        msg = (
            f"{repo.routing.upstream_owner}/{repo.routing.upstream_repo} already holds "
            f"{shown} exactly as they are here: there is nothing to propose"
        )
        raise _NothingToPropose(msg, path=root / changes.keps[0])
    chosen_title = title or step_title(kep, changes.step)
    chosen_body = body or step_body(kep, changes.step, files)
    if existing is not None and body is None:
        chosen_body += "\nThe earlier commits of this pull request hold the earlier steps.\n"
    pull: PullRequest = repo.propose(
        chosen_title, chosen_body, update=existing, previous_tip=previous_tip
    )
    verb = "opened" if existing is None else "updated"
    logger.info("%s %s with %s", verb, pull.url, ", ".join(files))
    return StepPullRequest(pull.url, pull.number, repo.branch, files, opened=existing is None)


def _remember(kep_dir: Path, root: Path, url: str) -> None:
    """Record *url* in the KEP's ``associated_prs`` where its layout keeps them (the seed's
    metadata.yaml); a kep.yaml has no such key, so its file stays as the step left it."""
    kep = Kep.open(kep_dir, content_root=root)
    if url in kep.associated_prs:
        return
    try:
        _record(kep, url)
    except KepError as exc:
        msg = f"opened {url}, but could not add it to the KEP's associated_prs: {exc}"
        raise PorcelainError(msg, path=kep_dir) from exc
