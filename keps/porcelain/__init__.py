"""Git and GitHub porcelain: turn local KEP changes into a pull request.

The whole flow, from a token to a pull request and back to nothing::

    from keps.porcelain import hermetic, token_from_env

    repo = hermetic.fork(
        "alice",                          # the user's GitHub handle
        token_from_env("GITHUB_TOKEN"),   # or token_from_file("~/.config/keps/token")
        "kubernetes",                     # upstream owner ...
        "enhancements",                   # ... and repository
        "/tmp/kep-1234",                  # a new folder for the clone
        "kep-1234-provisional",           # the branch for this change
    )
    try:
        repo.add("work/keps/sig-node/1234-x", "keps/sig-node/1234-x")  # copy a folder in
        url = repo.create_pr("KEP-1234: mark provisional", "Ready for SIG review.")
        # commit (author alice, committer keps), force-push alice:kep-1234-provisional,
        # open the pull request into kubernetes/enhancements' default branch
    finally:
        repo.delete_local()     # the clone; safe to call twice
    # repo.delete_remote()      # the fork, once the pull request is merged

Modules, one job each:

* :mod:`keps.porcelain.auth`: token providers (file, environment, value) and ``redact``,
  which keeps the token out of every log line, message and repr.
* :mod:`keps.porcelain.git`: a locked pygit2 clone (``clone``, ``open``; checkout, add,
  commit, push, status).
* :mod:`keps.porcelain.github`: the GitHub API calls (fork, pull request, delete) with
  errors a user can act on.
* :mod:`keps.porcelain.answers`: the checks every value taken from a GitHub answer
  passes before it is used or written (a pull request URL goes into the KEP);
  refusals raise :class:`UnexpectedAnswerError`.
* :mod:`keps.porcelain.hermetic`: the flow above.
* :mod:`keps.porcelain.pull_request`: a pull request with a KEP's whole folder.
* :mod:`keps.porcelain.step_pull_request`: one pull request per KEP with exactly the
  files its steps changed (:func:`keps.workflow.recorded`), updated by each later step::

      kep, changes = workflow.recorded(workflow.promote, runtime, stage="beta", release="v1.37")
      pull = open_step_pull_request(changes, github_handle="alice", token=token,
                                    upstream="kubernetes/enhancements")

Where GitHub lives is configuration: ``KEPS_GITHUB_API_URL`` (default
``https://api.github.com``) and ``KEPS_GITHUB_GIT_URL`` (default
``https://github.com/{owner}/{repo}.git``), read at call time, or the ``api_url`` and
``git_url_template`` arguments. A ``file://`` or plain path template serves local
repositories. Failures are :class:`keps.errors.PorcelainError` subclasses; none of them
holds the token, in its message or anywhere in its chain of causes, and no log record
does while a GitHub client runs (:func:`keps.porcelain.auth.masked_in_logs`).

``import keps`` does not import this package; it is the only importer of pygit2 and
PyGithub.
"""

from __future__ import annotations

from keps.porcelain.answers import UnexpectedAnswerError
from keps.porcelain.auth import redact, token_from_env, token_from_file, token_from_value
from keps.porcelain.git import Signature
from keps.porcelain.github import GitHubClient, PullRequestRouting
from keps.porcelain.hermetic import Repo, fork
from keps.porcelain.pull_request import open_kep_pull_request
from keps.porcelain.step_pull_request import (
    StepPullRequest,
    kep_changes,
    open_step_pull_request,
)

__all__ = [
    "GitHubClient",
    "PullRequestRouting",
    "Repo",
    "Signature",
    "StepPullRequest",
    "UnexpectedAnswerError",
    "fork",
    "kep_changes",
    "open_kep_pull_request",
    "open_step_pull_request",
    "redact",
    "token_from_env",
    "token_from_file",
    "token_from_value",
]
