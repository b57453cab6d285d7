"""The one exception hierarchy of the keps library.

Every error the public API raises is a :class:`KepError`; no exception of a
dependency (ruamel.yaml, PyYAML, OSError, attrs, pygit2, PyGithub) escapes unwrapped.
Where a builtin fits, the error inherits it too, so code that catches builtins keeps
working::

    KepError
    ├── InvalidContentError (ValueError)      content that breaks the rules; carries every problem
    │   └── CheckFailedError                  a KEP failed its checks
    ├── KepNotFoundError (FileNotFoundError)  no KEP, or no file where one must be
    ├── KepExistsError (FileExistsError)      a KEP (or a path) is already there
    ├── PathOutsideError (ValueError)         a path leaves the content root or KEP folder
    ├── TransitionError                       a lifecycle step not allowed from this state
    ├── UnknownSigError (LookupError)         a SIG or subproject the registry does not know
    ├── SettingsError                         settings missing or unreadable
    │   └── ContentRootNotFoundError
    ├── IndexCorruptError                     keps.yaml unreadable or inconsistent
    ├── QuerySyntaxError (ValueError)         a filter query that does not parse; points at the term
    ├── InvalidArgumentError (ValueError)     a public function given a value it does not take
    ├── LockTimeoutError (TimeoutError)       a lock held by another process too long
    ├── StorageError (OSError)                a read or write failed (disk full, permissions)
    └── PorcelainError                        git and GitHub
        ├── GitError
        │   └── UncommittedChangesError
        ├── GitHubError
        │   ├── AuthenticationError           401: the token is wrong or expired
        │   ├── PermissionDeniedError         403: the token lacks a scope, or rate limits
        │   ├── RemoteNotFoundError           404: no such repository (or no access)
        │   ├── RemoteConflictError           422: e.g. a pull request already exists
        │   └── RemoteTimeoutError (TimeoutError)
        └── TokenError                        no token, or an unreadable token file
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from keps.problems import Problem

__all__ = [
    "AuthenticationError",
    "CheckFailedError",
    "ContentRootNotFoundError",
    "GitError",
    "GitHubError",
    "IndexCorruptError",
    "InvalidArgumentError",
    "InvalidContentError",
    "KepError",
    "KepExistsError",
    "KepNotFoundError",
    "LockTimeoutError",
    "MissingExtraError",
    "PathOutsideError",
    "PermissionDeniedError",
    "PorcelainError",
    "QuerySyntaxError",
    "RemoteConflictError",
    "RemoteNotFoundError",
    "RemoteTimeoutError",
    "SettingsError",
    "StorageError",
    "TokenError",
    "TransitionError",
    "UncommittedChangesError",
    "UnknownSigError",
]


class KepError(Exception):
    """Base of every error keps raises; ``path`` names the file concerned, if any."""

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        self.message = message
        self.path: str | None = None if path is None else str(path)
        super().__init__(message)

    def __str__(self) -> str:
        if self.path and self.path not in self.message:
            return f"{self.path}: {self.message}"
        return self.message


class InvalidContentError(KepError, ValueError):
    """Content breaks the rules; ``problems`` lists every problem found, not only the first."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        problems: Iterable[Problem] = (),
    ) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(message, path=path)

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"{head}\n{lines}"


class CheckFailedError(InvalidContentError):
    """A KEP failed its checks; ``problems`` holds every blocking and exempted problem."""


class KepNotFoundError(KepError, FileNotFoundError):
    """There is no KEP (or no required file) at the path given."""


class KepExistsError(KepError, FileExistsError):
    """A KEP, or another file, is already where a new one was to be created."""


class PathOutsideError(KepError, ValueError):
    """A path leaves the folder it must stay in (the content root or the KEP directory)."""


class TransitionError(KepError):
    """A lifecycle step is not allowed from the KEP's current state, or its preconditions fail."""


class UnknownSigError(KepError, LookupError):
    """A SIG or subproject is not in the registry in force."""


class SettingsError(KepError):
    """A setting is missing or the settings file cannot be read."""


class ContentRootNotFoundError(SettingsError):
    """No content root was configured and none was found by searching."""


class MissingExtraError(KepError, ImportError):
    """A feature needs an optional extra that is not installed; the message names it."""

    def __init__(self, feature: str, extra: str = "analysis") -> None:
        super().__init__(f"{feature} needs the keps[{extra}] extra: pip install 'keps[{extra}]'")
        self.extra = extra


class IndexCorruptError(KepError):
    """``keps.yaml`` cannot be read or contradicts itself."""


class QuerySyntaxError(KepError, ValueError):
    """A query string does not parse; ``term`` and ``position`` point at the bad part."""

    def __init__(self, message: str, *, query: str, term: str, position: int) -> None:
        self.query = query
        self.term = term
        self.position = position
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.message}\n  {self.query}\n  {' ' * self.position}^"


class InvalidArgumentError(KepError, ValueError):
    """A public function was given a value it does not take (an unknown state, level, field).

    The message names the value and the valid ones; ``argument`` is the parameter's name
    and ``value`` what was given.
    """

    def __init__(self, message: str, *, argument: str, value: object) -> None:
        self.argument = argument
        self.value = value
        super().__init__(message)


class LockTimeoutError(KepError, TimeoutError):
    """Another process held a lock for longer than the caller was willing to wait."""


class StorageError(KepError, OSError):
    """Reading or writing a file failed at the operating-system level."""


class PorcelainError(KepError):
    """A git or GitHub operation failed."""


class GitError(PorcelainError):
    """A git operation failed."""


class UncommittedChangesError(GitError):
    """The work tree has changes that were not committed, so pushing would lose them."""


class GitHubError(PorcelainError):
    """The GitHub API refused or failed a request."""


class AuthenticationError(GitHubError):
    """GitHub answered 401: the token is missing, wrong or expired."""


class PermissionDeniedError(GitHubError):
    """GitHub answered 403: the token lacks a scope, or a rate limit was hit."""


class RemoteNotFoundError(GitHubError):
    """GitHub answered 404: the repository does not exist or the token cannot see it."""


class RemoteConflictError(GitHubError):
    """GitHub answered 422: the request conflicts with what exists (e.g. an open PR)."""


class RemoteTimeoutError(GitHubError, TimeoutError):
    """GitHub did not answer in time."""


class TokenError(PorcelainError):
    """No token could be read (missing file, empty variable)."""
