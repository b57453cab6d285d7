"""The GitHub API calls porcelain needs, with PyGithub: fork, open a pull request, delete.

Where GitHub lives is configuration: the API base URL and the git URL template are
arguments, and default to ``KEPS_GITHUB_API_URL`` and ``KEPS_GITHUB_GIT_URL`` (read at
call time), then to github.com. GitHub Enterprise users, and tests, point them elsewhere;
a template may be a ``file://`` URL or a plain path for local repositories::

    KEPS_GITHUB_API_URL=https://ghe.example.com/api/v3
    KEPS_GITHUB_GIT_URL=https://ghe.example.com/{owner}/{repo}.git

Every failure becomes a :class:`keps.errors.GitHubError` subclass whose message says what
to do about it, with the token masked.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import github
import requests
from attrs import frozen

from keps.errors import (
    AuthenticationError,
    GitHubError,
    PermissionDeniedError,
    RemoteConflictError,
    RemoteNotFoundError,
    RemoteTimeoutError,
    SettingsError,
)
from keps.porcelain.auth import TokenLike, redact, resolve_token

__all__ = [
    "API_URL_VARIABLE",
    "DEFAULT_API_URL",
    "DEFAULT_GIT_URL_TEMPLATE",
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "GIT_URL_VARIABLE",
    "GitHubClient",
    "PullRequestRouting",
    "RemoteRepository",
    "api_url",
    "git_url",
    "git_url_template",
]

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_GIT_URL_TEMPLATE = "https://github.com/{owner}/{repo}.git"
API_URL_VARIABLE = "KEPS_GITHUB_API_URL"
GIT_URL_VARIABLE = "KEPS_GITHUB_GIT_URL"

#: Seconds to wait for GitHub to answer one request (PyGithub takes whole seconds).
DEFAULT_TIMEOUT = 15
#: How often a failed request (connection error, 5xx, secondary rate limit) is retried.
DEFAULT_RETRIES = 2


def api_url(explicit: str | None = None) -> str:
    """*explicit*, else ``$KEPS_GITHUB_API_URL``, else ``https://api.github.com``."""
    chosen = (explicit or os.environ.get(API_URL_VARIABLE) or DEFAULT_API_URL).rstrip("/")
    parts = urlsplit(chosen)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        msg = f"GitHub API URL {chosen!r} must be an https:// (or http://) URL with a host"
        raise SettingsError(msg)
    return chosen


def git_url_template(explicit: str | None = None) -> str:
    """*explicit*, else ``$KEPS_GITHUB_GIT_URL``, else ``https://github.com/{owner}/{repo}.git``."""
    return explicit or os.environ.get(GIT_URL_VARIABLE) or DEFAULT_GIT_URL_TEMPLATE


def git_url(owner: str, repo: str, template: str | None = None) -> str:
    """The git URL of *owner*/*repo* built from *template* (see :func:`git_url_template`)."""
    chosen = git_url_template(template)
    if "{owner}" not in chosen or "{repo}" not in chosen:
        msg = f"git URL template {chosen!r} must contain {{owner}} and {{repo}}"
        raise SettingsError(msg)
    try:
        return chosen.format(owner=owner, repo=repo)
    except (KeyError, IndexError, ValueError) as exc:
        msg = f"git URL template {chosen!r} is not valid: only {{owner}} and {{repo}} may appear"
        raise SettingsError(msg) from exc


@frozen
class RemoteRepository:
    """A repository on GitHub: its owner, name, git URL and default branch."""

    owner: str
    name: str
    clone_url: str
    default_branch: str


@frozen
class PullRequestRouting:
    """Where a pull request goes: from *fork_owner*:*branch* into upstream's *base*.

    *base* None means the upstream repository's default branch.
    """

    upstream_owner: str
    upstream_repo: str
    fork_owner: str
    branch: str
    base: str | None = None

    @property
    def head(self) -> str:
        """The head GitHub expects for a pull request from a fork: ``owner:branch``."""
        return f"{self.fork_owner}:{self.branch}"


def _server_message(data: Any) -> str:
    """GitHub's own explanation from an error body: the message and each error's detail."""
    if not isinstance(data, dict):
        return "" if data is None else str(data)[:300]
    parts = [str(data["message"])] if data.get("message") else []
    for error in data.get("errors") or ():
        if isinstance(error, dict):
            detail = error.get("message") or error.get("code")
            if detail:
                parts.append(str(detail))
        else:
            parts.append(str(error))
    return ": ".join(parts)


def _reason(exc: requests.RequestException) -> str:
    """The root cause of a network failure in a few words (no URL, no headers)."""
    text = str(exc)
    for marker, words in (
        ("Connection refused", "connection refused"),
        ("Name or service not known", "unknown host name"),
        ("nodename nor servname", "unknown host name"),
        ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"),
    ):
        if marker in text:
            return words
    return type(exc).__name__


class GitHubClient:
    """The few GitHub calls porcelain makes, authenticated with one token.

    *timeout* bounds each request in whole seconds (PyGithub accepts no fractions);
    *retries* is how often a request failing with a connection error, a 5xx answer or a
    secondary rate limit is tried again (0 for none, as in tests).
    """

    def __init__(
        self,
        token: TokenLike,
        *,
        api_url: str | None = None,
        git_url_template: str | None = None,
        timeout: int = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
    ) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
            msg = f"timeout must be a whole number of seconds, at least 1: {timeout!r}"
            raise ValueError(msg)
        self._token = resolve_token(token)
        self.api_url = _resolve_api_url(api_url)
        self.git_url_template = _resolve_git_template(git_url_template)
        self.timeout = timeout
        self._github = github.Github(
            auth=github.Auth.Token(self._token),
            base_url=self.api_url,
            timeout=timeout,
            retry=github.GithubRetry(total=retries) if retries > 0 else None,
            # PyGithub spaces requests out by default (1 s between writes); porcelain makes
            # three writes per pull request, far below any limit that spacing guards.
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,
        )

    def __repr__(self) -> str:
        return f"<GitHubClient {self.api_url}>"

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections; the client is not used afterwards."""
        self._github.close()

    @contextlib.contextmanager
    def _errors(self, action: str, subject: str) -> Iterator[None]:
        """Translate PyGithub and network errors into keps errors for *action* on *subject*."""
        try:
            yield
        except github.GithubException as exc:
            raise self._translate(exc, action, subject) from self._safe_cause(exc)
        except requests.Timeout as exc:
            msg = (
                f"GitHub at {self.api_url} did not answer within {self.timeout}s "
                f"while trying to {action}; try again later"
            )
            raise RemoteTimeoutError(redact(msg, self._token)) from self._safe_cause(exc)
        except requests.RequestException as exc:
            msg = (
                f"cannot reach GitHub at {self.api_url} to {action} ({_reason(exc)}): "
                f"check {API_URL_VARIABLE} and the network"
            )
            raise GitHubError(redact(msg, self._token)) from self._safe_cause(exc)

    def _safe_cause(self, exc: BaseException) -> BaseException | None:
        """*exc* to chain as the cause, unless its text holds the token."""
        text = f"{exc!s} {exc!r}"
        return exc if redact(text, self._token) == text else None

    def _translate(self, exc: github.GithubException, action: str, subject: str) -> GitHubError:
        """The keps error for GitHub's answer *exc*, with advice a user can act on."""
        status = exc.status
        said = _server_message(exc.data)
        said_part = f" GitHub said: {said}" if said else ""
        error: type[GitHubError]
        if status == 401:
            error = AuthenticationError
            msg = (
                f"GitHub rejected the token (401) while trying to {action}: "
                f"check GITHUB_TOKEN or the token file.{said_part}"
            )
        elif status == 403:
            error = PermissionDeniedError
            msg = (
                f"GitHub refused to {action} (403): the token lacks a permission "
                "(forks and pull requests need the 'public_repo' or 'repo' scope) "
                f"or a rate limit was hit.{said_part}"
            )
        elif status == 404:
            error = RemoteNotFoundError
            msg = (
                f"GitHub has no repository {subject} (404), or the token cannot see it, "
                f"while trying to {action}: check the owner and the name.{said_part}"
            )
        elif status == 422:
            error = RemoteConflictError
            msg = f"GitHub refused to {action} (422): {said or 'the request conflicts'}"
        else:
            error = GitHubError
            msg = f"GitHub failed to {action} ({status}).{said_part}"
        return error(redact(msg, self._token))

    def repository(self, owner: str, repo: str) -> RemoteRepository:
        """*owner*/*repo* as GitHub describes it (its default branch, mainly)."""
        with self._errors(f"read {owner}/{repo}", f"{owner}/{repo}"):
            found = self._github.get_repo(f"{owner}/{repo}")
            default = str(found.default_branch)
        return RemoteRepository(owner, repo, git_url(owner, repo, self.git_url_template), default)

    def create_fork(self, owner: str, repo: str) -> RemoteRepository:
        """Fork *owner*/*repo* into the token's account; an existing fork is returned as is."""
        with self._errors(f"fork {owner}/{repo}", f"{owner}/{repo}"):
            fork = self._github.get_repo(f"{owner}/{repo}").create_fork()
            fork_owner = str(fork.owner.login)
            fork_name = str(fork.name)
            default = str(fork.default_branch)
        url = git_url(fork_owner, fork_name, self.git_url_template)
        logger.info("forked %s/%s to %s/%s", owner, repo, fork_owner, fork_name)
        return RemoteRepository(fork_owner, fork_name, url, default)

    def fork(self, owner: str, repo: str) -> str:
        """Fork *owner*/*repo* into the token's account and return the fork's git URL."""
        return self.create_fork(owner, repo).clone_url

    def create_pull_request(self, routing: PullRequestRouting, title: str, body: str) -> str:
        """Open a pull request from the fork's branch into upstream; returns its web URL."""
        upstream = f"{routing.upstream_owner}/{routing.upstream_repo}"
        action = f"open a pull request from {routing.head} into {upstream}"
        with self._errors(action, upstream):
            target = self._github.get_repo(upstream)
            base = routing.base or str(target.default_branch)
            pull = target.create_pull(
                base=base,
                head=routing.head,
                title=title,
                body=body,
                maintainer_can_modify=True,
            )
            url = str(pull.html_url)
        logger.info("opened %s (%s into %s:%s)", url, routing.head, upstream, base)
        return url

    def delete_repository(self, owner: str, repo: str) -> None:
        """Delete *owner*/*repo* on GitHub (the token needs the ``delete_repo`` scope)."""
        with self._errors(f"delete {owner}/{repo}", f"{owner}/{repo}"):
            self._github.get_repo(f"{owner}/{repo}").delete()
        logger.info("deleted %s/%s on GitHub", owner, repo)


# The constructor's keyword names shadow the module functions inside it; these aliases
# keep the module functions reachable there.
_resolve_api_url = api_url
_resolve_git_template = git_url_template
