"""GitHub tokens: where they come from, and how they are kept out of every message.

A token provider has one method, ``value()``, which reads the token when it is needed
(so a rotated token file is picked up). Providers never show the token in their repr.
:func:`redact` is the one function every error path and log line goes through before a
text that might echo a token (a URL, a header, a server's answer) reaches the user.
"""

from __future__ import annotations

import base64
import logging
import os
import stat
import warnings
from pathlib import Path
from typing import Protocol, TypeAlias, overload, runtime_checkable
from urllib.parse import quote

from attrs import field, frozen

from keps.errors import TokenError

__all__ = [
    "DEFAULT_TOKEN_VARIABLE",
    "REDACTED",
    "EnvToken",
    "FileToken",
    "TokenLike",
    "TokenProvider",
    "ValueToken",
    "redact",
    "resolve_token",
    "token_from_env",
    "token_from_file",
    "token_from_value",
]

logger = logging.getLogger(__name__)

#: What a token is replaced with in every message.
REDACTED = "***"

#: The default environment variable, as the GitHub CLI and Actions use it.
DEFAULT_TOKEN_VARIABLE = "GITHUB_TOKEN"


@runtime_checkable
class TokenProvider(Protocol):
    """Anything with a ``value()`` that returns the token (or raises TokenError)."""

    def value(self) -> str:
        """The token, read now."""
        ...


#: What every call that needs a token accepts: the token itself or a provider of it.
TokenLike: TypeAlias = str | TokenProvider


def _checked(token: str, source: str) -> str:
    """*token* without surrounding whitespace; empty or multi-word tokens are refused.

    Whitespace inside would break the HTTP header, and some HTTP libraries echo the
    header value in their error, so it is refused here rather than leaked there.
    """
    token = token.strip()
    if not token:
        msg = f"{source} is empty: it must hold a GitHub token"
        raise TokenError(msg)
    if any(ch.isspace() or not ch.isprintable() for ch in token):
        msg = f"{source} holds whitespace or control characters inside: it must hold one token"
        raise TokenError(msg)
    return token


def _as_path(value: str | os.PathLike[str]) -> Path:
    """*value* as a Path, with ``~`` expanded (token files usually live in the home)."""
    return Path(value).expanduser()


@frozen
class FileToken:
    """A token read from a file; surrounding whitespace and the trailing newline are dropped."""

    path: Path = field(converter=_as_path)

    def value(self) -> str:
        """The token in the file; warns when other users may read the file."""
        try:
            mode = self.path.stat().st_mode
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            msg = f"token file {self.path} does not exist"
            raise TokenError(msg, path=self.path) from exc
        except IsADirectoryError as exc:
            msg = f"token file {self.path} is a directory, not a file"
            raise TokenError(msg, path=self.path) from exc
        except OSError as exc:
            msg = f"cannot read token file {self.path}: {exc.strerror or type(exc).__name__}"
            raise TokenError(msg, path=self.path) from None
        except UnicodeDecodeError:
            msg = f"token file {self.path} is not UTF-8 text"
            raise TokenError(msg, path=self.path) from None
        if stat.S_IMODE(mode) & 0o077:
            msg = (
                f"token file {self.path} can be read by other users "
                f"(mode {stat.S_IMODE(mode):#o}); run: chmod 600 {self.path}"
            )
            logger.warning("%s", msg)
            warnings.warn(msg, UserWarning, stacklevel=2)
        return _checked(text, f"token file {self.path}")


@frozen
class EnvToken:
    """A token read from an environment variable (``GITHUB_TOKEN`` unless named)."""

    name: str = DEFAULT_TOKEN_VARIABLE

    def value(self) -> str:
        """The token in the variable, read now."""
        text = os.environ.get(self.name)
        if text is None:
            msg = f"environment variable {self.name} is not set: it must hold a GitHub token"
            raise TokenError(msg)
        return _checked(text, f"environment variable {self.name}")


@frozen(repr=False)
class ValueToken:
    """A token given directly, e.g. from a secret store; its repr never shows it."""

    _token: str = field(repr=False)

    def value(self) -> str:
        """The token given, checked for emptiness."""
        return _checked(self._token, "the token given")

    def __repr__(self) -> str:
        return f"ValueToken({REDACTED})"


def token_from_file(path: str | os.PathLike[str]) -> FileToken:
    """A provider reading the token from *path* each time it is asked."""
    return FileToken(_as_path(path))


def token_from_env(name: str = DEFAULT_TOKEN_VARIABLE) -> EnvToken:
    """A provider reading the token from the environment variable *name* each time."""
    return EnvToken(name)


def token_from_value(value: str) -> ValueToken:
    """A provider for a token already in hand; empty tokens fail at ``value()``."""
    return ValueToken(value)


@overload
def resolve_token(token: TokenLike) -> str: ...
@overload
def resolve_token(token: None) -> None: ...
@overload
def resolve_token(token: TokenLike | None) -> str | None: ...
def resolve_token(token: TokenLike | None) -> str | None:
    """The token string of *token* (a string or a provider), or None for no token."""
    if token is None:
        return None
    if isinstance(token, str):
        return _checked(token, "the token given")
    return token.value()


def _forms(token: str) -> set[str]:
    """The ways a token shows up in text: as is, URL-quoted, and inside Basic auth headers."""
    forms = {token, quote(token, safe="")}
    for plain in (token, f"x-access-token:{token}"):
        forms.add(base64.b64encode(plain.encode("utf-8")).decode("ascii"))
    return forms


def redact(text: str, *tokens: str | None) -> str:
    """*text* with every token in *tokens* (and its URL-quoted and Basic-auth forms) masked.

    >>> redact("https://x-access-token:s3cr3t@github.com/o/r.git", "s3cr3t")
    'https://x-access-token:***@github.com/o/r.git'
    """
    forms: set[str] = set()
    for token in tokens:
        if token:
            forms |= _forms(token)
    # Longest first, so a form containing another is masked whole.
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return text
