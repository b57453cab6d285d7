"""What keps takes from a GitHub answer, checked before it is used or written anywhere.

A GitHub answer is untrusted input, like a content repository: a proxy, a misconfigured
GitHub Enterprise or a server that is not GitHub at all may answer anything. Each value
porcelain uses goes through :class:`AnswerReader` first, which refuses:

* a body that is not a JSON object, a field that is missing, null or of another type;
* any text holding the token in any form :func:`keps.porcelain.auth.redact` knows (it
  would be published: a pull request URL goes into the KEP's ``associated_prs``);
* a pull request URL over :data:`MAX_URL_LENGTH` characters (a 9 MiB URL would make the
  KEP's metadata too large to open), with characters other than printable ASCII, with
  credentials, or not ``http(s)://<the GitHub host>/.../pull/<number>``;
* a login, repository name or branch name GitHub itself would not give out (they end up
  in API paths, git URLs, and ``owner:branch`` heads).

A refusal is an :class:`UnexpectedAnswerError`, a :class:`keps.errors.GitHubError`, whose
message describes the value without repeating it whole and with the token masked.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from attrs import frozen

from keps.errors import GitHubError
from keps.porcelain.auth import holds_token, redact

__all__ = [
    "MAX_BRANCH_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_URL_LENGTH",
    "AnswerReader",
    "UnexpectedAnswerError",
    "describe",
    "web_host",
]

#: The longest pull request URL accepted; GitHub's are under 200 characters.
MAX_URL_LENGTH = 2048
#: The longest login or repository name accepted (GitHub allows 39 and 100).
MAX_NAME_LENGTH = 100
#: The longest branch name accepted (git's own limit for a file name).
MAX_BRANCH_LENGTH = 255

#: How much of a refused text an error message shows.
_SHOWN = 60

_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_REPO_NAME = re.compile(r"[A-Za-z0-9._-]+")
_PULL_PATH = re.compile(r"(?:/[^/]+)+/pull/[1-9][0-9]*")
_REF_FORBIDDEN = set(" ~^:?*[\\")


class UnexpectedAnswerError(GitHubError, ValueError):
    """GitHub answered in a way keps will not act on.

    A redirect, a body that is not JSON or not of the expected shape, or a value that
    is too long, malformed, on another host, or holds the token.
    """


def describe(value: object, *tokens: str | None) -> str:
    """A short, safe description of a refused *value* for an error message.

    Text is shown masked, cut to a few dozen characters and escaped (no control
    characters reach a terminal); anything else is named by its JSON type only.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if not isinstance(value, str):
        return type(value).__name__
    masked = redact(value, *tokens)  # before cutting, so no part of a token survives
    cut = masked[:_SHOWN] + ("..." if len(masked) > _SHOWN else "")
    return f"{cut!r} ({len(value)} characters)" if len(value) > _SHOWN else repr(cut)


def web_host(api_url: str) -> str:
    """The host GitHub's web pages live on for *api_url*: ``api.github.com`` -> ``github.com``."""
    host = (urlsplit(api_url).hostname or "").lower()
    return host.removeprefix("api.")


def _branch_problem(name: str) -> str | None:
    """Why *name* is not a branch name git accepts, or None (the rules of git check-ref-format)."""
    if (
        set(name) & _REF_FORBIDDEN
        or ".." in name
        or "@{" in name
        or "//" in name
        or "/." in name
        or name == "@"
        or name.startswith(("-", "/", "."))
        or name.endswith(("/", ".", ".lock"))
    ):
        return "is not a branch name git accepts"
    return None


@frozen
class AnswerReader:
    """Takes checked values out of GitHub's answer to one request.

    *action* says what was asked (``fork kubernetes/enhancements``), for messages;
    *api_url* is where the client talks to (pull request URLs must be on its host);
    *token* is masked in messages and refused in values; *note* is added to every
    refusal (e.g. that the pull request may exist even so).
    """

    action: str
    api_url: str
    token: str | None
    note: str = ""

    def refuse(self, problem: str) -> UnexpectedAnswerError:
        """The error for an answer with *problem*; its message names the request."""
        note = f" {self.note}" if self.note else ""
        msg = (
            f"GitHub's answer to the request to {self.action} {problem}: keps did not use it.{note}"
        )
        return UnexpectedAnswerError(redact(msg, self.token))

    def object(self, data: Any, what: str = "the answer") -> dict[str, Any]:
        """*data* itself, which must be a JSON object."""
        if not isinstance(data, dict):
            msg = f"is {describe(data, self.token)} where {what} must be an object"
            raise self.refuse(msg)
        return data

    def items(self, data: Any, what: str = "the answer") -> list[Any]:
        """*data* itself, which must be a JSON list."""
        if not isinstance(data, list):
            msg = f"is {describe(data, self.token)} where {what} must be a list"
            raise self.refuse(msg)
        return data

    def text(self, data: Any, key: str, *, max_length: int, what: str | None = None) -> str:
        """``data[key]``: a non-empty string of at most *max_length* characters without the token.

        Control, format and separator characters (newlines, bidirectional overrides,
        spaces) are refused too: no value keps uses has them.
        """
        name = what or key
        value = self.object(data).get(key)
        if not isinstance(value, str) or not value:
            found = "missing" if key not in data else describe(value, self.token)
            msg = f"has {name} {found} where a text is expected"
            raise self.refuse(msg)
        if len(value) > max_length:
            msg = f"has {name} of {len(value)} characters (at most {max_length} are accepted)"
            raise self.refuse(msg)
        if holds_token(value, self.token):
            msg = f"has {name} holding the token ({describe(value, self.token)})"
            raise self.refuse(msg)
        if any(unicodedata.category(ch)[0] in "CZ" for ch in value):
            msg = f"has {name} with control or space characters ({describe(value, self.token)})"
            raise self.refuse(msg)
        return value

    def login(self, data: Any, key: str = "login", what: str = "a login") -> str:
        """A GitHub account name: letters, digits, ``-`` and ``_``, not starting with ``-``."""
        value = self.text(data, key, max_length=MAX_NAME_LENGTH, what=what)
        if not _LOGIN.fullmatch(value):
            msg = f"has {what} GitHub does not give out ({describe(value)})"
            raise self.refuse(msg)
        return value

    def repo_name(self, data: Any, key: str = "name", what: str = "a repository name") -> str:
        """A repository name: letters, digits, ``.``, ``-`` and ``_``; never ``.`` or ``..``."""
        value = self.text(data, key, max_length=MAX_NAME_LENGTH, what=what)
        if not _REPO_NAME.fullmatch(value) or value in (".", ".."):
            msg = f"has {what} GitHub does not give out ({describe(value)})"
            raise self.refuse(msg)
        return value

    def branch(self, data: Any, key: str = "default_branch", what: str = "a branch name") -> str:
        """A branch name git accepts."""
        value = self.text(data, key, max_length=MAX_BRANCH_LENGTH, what=what)
        problem = _branch_problem(value)
        if problem:
            msg = f"has {what} that {problem} ({describe(value)})"
            raise self.refuse(msg)
        return value

    def pull_request_url(self, data: Any, key: str = "html_url") -> str:
        """The web address of a pull request, fit to be written into a KEP.

        At most :data:`MAX_URL_LENGTH` printable ASCII characters, without the token or
        credentials, ``https://`` (``http://`` only when the API itself is plain http),
        on the API's host or its web host (``github.com`` for ``api.github.com``), with
        a path ending in ``/pull/<number>`` and no query or fragment.
        """
        what = f"a pull request URL ({key})"
        value = self.text(data, key, max_length=MAX_URL_LENGTH, what=what)
        if not all("!" <= ch <= "~" for ch in value):
            msg = f"has {what} with characters other than printable ASCII"
            raise self.refuse(msg)
        try:
            parts = urlsplit(value)
            host, _port, user = parts.hostname, parts.port, parts.username  # a bad port raises
        except ValueError:
            msg = f"has {what} that is not a URL ({describe(value)})"
            raise self.refuse(msg) from None
        api = urlsplit(self.api_url)
        schemes = ("https", "http") if api.scheme == "http" else ("https",)
        hosts = {(api.hostname or "").lower(), web_host(self.api_url)}
        if parts.scheme not in schemes:
            allowed = " or ".join(f"{s}://" for s in schemes)
            msg = f"has {what} that is not an {allowed} URL ({describe(value)})"
            raise self.refuse(msg)
        if user is not None or parts.password is not None:
            msg = f"has {what} with credentials in it"
            raise self.refuse(msg)
        if host is None or host.lower() not in hosts:
            expected = " or ".join(sorted(hosts))
            msg = f"has {what} on another host than {expected} ({describe(value)})"
            raise self.refuse(msg)
        if parts.query or parts.fragment or not _PULL_PATH.fullmatch(parts.path):
            msg = f"has {what} that is not the address of a pull request ({describe(value)})"
            raise self.refuse(msg)
        return value
