"""The GitHub API calls porcelain needs, with PyGithub: fork, open a pull request, delete.

Where GitHub lives is configuration: the API base URL and the git URL template are
arguments, and default to ``KEPS_GITHUB_API_URL`` and ``KEPS_GITHUB_GIT_URL`` (read at
call time), then to github.com. GitHub Enterprise users, and tests, point them elsewhere;
a template may be a ``file://`` URL or a plain path for local repositories::

    KEPS_GITHUB_API_URL=https://ghe.example.com/api/v3
    KEPS_GITHUB_GIT_URL=https://ghe.example.com/{owner}/{repo}.git

Every failure becomes a :class:`keps.errors.GitHubError` subclass whose message says what
to do about it, with the token masked; that includes redirects and answers of an
unexpected shape (:class:`~keps.porcelain.answers.UnexpectedAnswerError`). Requests go
through PyGithub's requester as plain REST calls, so that keps sees each answer's status
and body and checks every value it takes (:mod:`keps.porcelain.answers`) instead of
trusting PyGithub's objects, which take URLs to call next from the answers themselves.
"""

from __future__ import annotations

import json
import logging
import os
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit

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
from keps.porcelain.answers import (
    MAX_BRANCH_LENGTH,
    MAX_NAME_LENGTH,
    AnswerReader,
    UnexpectedAnswerError,
)
from keps.porcelain.auth import TokenLike, masked_in_logs, redact, resolve_token

__all__ = [
    "API_URL_VARIABLE",
    "DEFAULT_API_URL",
    "DEFAULT_GIT_URL_TEMPLATE",
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "GIT_URL_VARIABLE",
    "GitHubClient",
    "PullRequest",
    "PullRequestRouting",
    "RemoteRepository",
    "UnexpectedAnswerError",
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


@frozen
class PullRequest:
    """A pull request: its number and its web address, as checked from GitHub's answer."""

    number: int
    url: str

    @classmethod
    def from_url(cls, url: str) -> PullRequest:
        """The pull request at *url*, checked to end in ``/pull/<number>``."""
        return cls(int(url.rsplit("/", 1)[-1]), url)


#: How much of GitHub's own explanation an error message quotes.
_SERVER_MESSAGE_LENGTH = 300


def _server_message(data: Any, token: str | None) -> str:
    """GitHub's own explanation from an error body: the message and each error's detail.

    Any shape is accepted (an error body is not checked like a value keps uses); the
    result is masked, then cut short, and holds no control characters.
    """
    if isinstance(data, dict):
        parts = [str(data["message"])] if data.get("message") else []
        errors = data.get("errors")
        for error in errors if isinstance(errors, list) else ():
            if isinstance(error, dict):
                detail = error.get("message") or error.get("code")
                if detail:
                    parts.append(str(detail))
            else:
                parts.append(str(error))
        text = ": ".join(parts)
    else:
        text = "" if data is None else str(data)
    masked = redact(text, token)
    shown = "".join(ch if ch.isprintable() else " " for ch in masked[:_SERVER_MESSAGE_LENGTH])
    return shown + ("..." if len(masked) > _SERVER_MESSAGE_LENGTH else "")


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


def _json(text: str) -> Any:
    """*text* parsed as JSON; :data:`_NOT_JSON` when it is not JSON (or nests too deep)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return _NOT_JSON


#: What :func:`_json` returns for a body that does not parse.
_NOT_JSON = object()


def _path(*parts: str) -> str:
    """An API path from *parts*, each quoted whole: a name can never add a path segment."""
    return "/" + "/".join(quote(part, safe="") for part in parts)


class GitHubClient:
    """The few GitHub calls porcelain makes, authenticated with one token.

    *timeout* bounds each request in whole seconds (PyGithub accepts no fractions);
    *retries* is how often a request failing with a connection error, a 5xx answer or a
    secondary rate limit is tried again (0 for none, as in tests).

    Every answer is untrusted: a redirect, a body that is not JSON or not of the
    expected shape, and any value that is malformed or holds the token raise an
    :class:`~keps.porcelain.answers.UnexpectedAnswerError` (a GitHubError) instead
    of being used (see :mod:`keps.porcelain.answers`). While a request runs, no log
    record of any logger holds the token (PyGithub logs whole answers at DEBUG), and
    no error raised here keeps the original exception (as cause or context) where
    it could hold the token: each says in its message what happened, masked.
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
        with masked_in_logs(self._token):
            self._github.close()

    # -- one request ----------------------------------------------------------------------

    def _request(
        self,
        verb: str,
        path: str,
        action: str,
        subject: str,
        body: Any = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        """Send one request; its status and body, or a keps error saying what went wrong.

        The error is raised here, after the dependency's exception was handled, so it
        has neither cause nor context: PyGithub's and requests' exceptions carry the
        answer's headers and body, and the request, where the token may be.
        """
        with masked_in_logs(self._token):
            outcome = self._send(verb, path, action, subject, body, params)
        if isinstance(outcome, GitHubError):
            raise outcome
        return outcome

    def _send(
        self,
        verb: str,
        path: str,
        action: str,
        subject: str,
        body: Any,
        params: dict[str, str] | None = None,
    ) -> tuple[int, str] | GitHubError:
        """Send one request through PyGithub; its status and body, or the error to raise."""
        try:
            status, _headers, text = self._github.requester.requestJson(
                verb, path, parameters=params, input=body
            )
        except github.GithubException as exc:  # raised by the retry policy
            return self._translate(exc.status, exc.data, action, subject)
        except requests.Timeout:
            msg = (
                f"GitHub at {self.api_url} did not answer within {self.timeout}s "
                f"while trying to {action}; try again later"
            )
            return RemoteTimeoutError(redact(msg, self._token))
        except requests.RequestException as exc:
            msg = (
                f"cannot reach GitHub at {self.api_url} to {action} ({_reason(exc)}): "
                f"check {API_URL_VARIABLE} and the network"
            )
            return GitHubError(redact(msg, self._token))
        except Exception as exc:
            # PyGithub's own trouble with an odd answer: a 301 to another host or to the
            # same address (RuntimeError), a header it cannot read (ValueError), ...
            msg = (
                f"GitHub answered the request to {action} in a way PyGithub cannot handle "
                f"({type(exc).__name__}), maybe a redirect: check {API_URL_VARIABLE}"
            )
            return UnexpectedAnswerError(redact(msg, self._token))
        return status, text

    def _call(
        self,
        verb: str,
        path: str,
        action: str,
        subject: str,
        body: Any = None,
        *,
        params: dict[str, str] | None = None,
        parse: bool = True,
    ) -> Any:
        """The parsed JSON body of GitHub's successful answer; every other answer raises.

        A 3xx answer is refused (keps follows no redirect of the API), as is a body
        that is not JSON (unless *parse* is False: then the body is ignored and None
        returned); a 4xx or 5xx answer becomes the matching GitHubError.
        """
        status, text = self._request(verb, path, action, subject, body, params)
        if 200 <= status < 300 and not parse:
            return None
        data = _json(text) if text else None
        if 200 <= status < 300:
            if data is _NOT_JSON:
                msg = "is not JSON"
                raise self._reader(action).refuse(msg)
            return data
        if status >= 400:
            raise self._translate(status, text if data is _NOT_JSON else data, action, subject)
        if 300 <= status < 400:
            msg = (
                f"GitHub answered the request to {action} with a redirect ({status}); keps "
                f"follows no redirect of the API: check {API_URL_VARIABLE} (a GitHub "
                "Enterprise API URL ends in /api/v3)"
            )
        else:
            msg = f"GitHub answered the request to {action} with status {status}"
        raise UnexpectedAnswerError(redact(msg, self._token))

    def _reader(self, action: str, note: str = "") -> AnswerReader:
        """The checker for values taken from the answer to *action*."""
        return AnswerReader(action, self.api_url, self._token, note)

    def _translate(self, status: int, data: Any, action: str, subject: str) -> GitHubError:
        """The keps error for GitHub's error answer, with advice a user can act on."""
        said = _server_message(data, self._token)
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

    # -- the calls ------------------------------------------------------------------------

    def repository(self, owner: str, repo: str) -> RemoteRepository:
        """*owner*/*repo* as GitHub describes it (its default branch, mainly)."""
        action = f"read {owner}/{repo}"
        data = self._call("GET", _path("repos", owner, repo), action, f"{owner}/{repo}")
        default = self._reader(action).branch(data)
        return RemoteRepository(owner, repo, git_url(owner, repo, self.git_url_template), default)

    def create_fork(self, owner: str, repo: str) -> RemoteRepository:
        """Fork *owner*/*repo* into the token's account; an existing fork is returned as is.

        An answer naming *owner*/*repo* itself as the fork is refused: pushing to it, or
        deleting it afterwards, would hit upstream.
        """
        action = f"fork {owner}/{repo}"
        path = _path("repos", owner, repo, "forks")
        data = self._call("POST", path, action, f"{owner}/{repo}", body={})
        read = self._reader(action)
        fork_owner = read.login(read.object(data).get("owner"), what="an owner login")
        fork_name = read.repo_name(data)
        default = read.branch(data)
        if (fork_owner.lower(), fork_name.lower()) == (owner.lower(), repo.lower()):
            msg = f"names {owner}/{repo} itself as the fork"
            raise read.refuse(msg)
        url = git_url(fork_owner, fork_name, self.git_url_template)
        logger.info("forked %s/%s to %s/%s", owner, repo, fork_owner, fork_name)
        return RemoteRepository(fork_owner, fork_name, url, default)

    def fork(self, owner: str, repo: str) -> str:
        """Fork *owner*/*repo* into the token's account and return the fork's git URL."""
        return self.create_fork(owner, repo).clone_url

    def create_pull_request(self, routing: PullRequestRouting, title: str, body: str) -> str:
        """Open a pull request from the fork's branch into upstream; returns its web URL.

        The URL is checked before it is returned (see
        :meth:`~keps.porcelain.answers.AnswerReader.pull_request_url`): callers write it
        into a KEP. When it is refused the pull request may exist all the same; the
        error says so.
        """
        owner, repo = routing.upstream_owner, routing.upstream_repo
        upstream = f"{owner}/{repo}"
        action = f"open a pull request from {routing.head} into {upstream}"
        base = routing.base or self.repository(owner, repo).default_branch
        request = {
            "title": title,
            "body": body,
            "base": base,
            "head": routing.head,
            "maintainer_can_modify": True,
        }
        data = self._call("POST", _path("repos", owner, repo, "pulls"), action, upstream, request)
        note = (
            f"The pull request may have been opened all the same: look for it in {upstream} "
            "on GitHub; it was not recorded anywhere."
        )
        url = self._reader(action, note).pull_request_url(data)
        logger.info("opened %s (%s into %s:%s)", url, routing.head, upstream, base)
        return url

    def find_open_pull_request(self, routing: PullRequestRouting) -> PullRequest | None:
        """The open pull request from *routing*'s head into upstream, or None when there is none.

        Asks GitHub for the open pull requests with that head
        (``GET /repos/{owner}/{repo}/pulls?head=owner:branch&state=open``) and takes the
        first whose head and state GitHub's answer confirms: a later step then updates
        that one instead of opening a second.
        """
        owner, repo = routing.upstream_owner, routing.upstream_repo
        upstream = f"{owner}/{repo}"
        action = f"look for an open pull request from {routing.head} into {upstream}"
        params = {"head": routing.head, "state": "open"}
        data = self._call(
            "GET", _path("repos", owner, repo, "pulls"), action, upstream, params=params
        )
        read = self._reader(action)
        for item in read.items(data, "the list of pull requests"):
            head = read.object(read.object(item).get("head"), "the head of a pull request")
            label = read.text(head, "label", max_length=MAX_NAME_LENGTH + MAX_BRANCH_LENGTH + 1)
            state = read.object(item).get("state")
            if label.lower() == routing.head.lower() and state == "open":
                found = PullRequest.from_url(read.pull_request_url(item))
                logger.info("found %s open from %s", found.url, routing.head)
                return found
        return None

    def update_pull_request(
        self, routing: PullRequestRouting, number: int, title: str, body: str
    ) -> PullRequest:
        """Set the title and body of pull request *number* of *routing*'s upstream."""
        owner, repo = routing.upstream_owner, routing.upstream_repo
        upstream = f"{owner}/{repo}"
        action = f"update pull request {number} of {upstream}"
        path = _path("repos", owner, repo, "pulls", str(number))
        data = self._call("PATCH", path, action, upstream, {"title": title, "body": body})
        note = "The pull request may have been updated all the same."
        updated = PullRequest.from_url(self._reader(action, note).pull_request_url(data))
        if updated.number != number:
            msg = f"names pull request {updated.number}, not {number}"
            raise self._reader(action, note).refuse(msg)
        logger.info("updated %s", updated.url)
        return updated

    def delete_repository(self, owner: str, repo: str) -> None:
        """Delete *owner*/*repo* on GitHub (the token needs the ``delete_repo`` scope).

        Only a 2xx answer counts as deleted; nothing is taken from its body.
        """
        action = f"delete {owner}/{repo}"
        self._call("DELETE", _path("repos", owner, repo), action, f"{owner}/{repo}", parse=False)
        logger.info("deleted %s/%s on GitHub", owner, repo)


# The constructor's keyword names shadow the module functions inside it; these aliases
# keep the module functions reachable there.
_resolve_api_url = api_url
_resolve_git_template = git_url_template
