"""GitHub tokens: where they come from, and how they are kept out of every message.

A token provider has one method, ``value()``, which reads the token when it is needed
(so a rotated token file is picked up). Providers never show the token in their repr.
:func:`redact` is the one function every error path and log line goes through before a
text that might echo a token (a URL, a header, a server's answer) reaches the user; it
finds the token raw, URL-quoted and base64-encoded. :func:`masked_in_logs` does the same
for the log records of every logger (dependencies' debug records included) while a
GitHub client runs.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import functools
import logging
import os
import re
import stat
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, TypeAlias, overload, runtime_checkable

from attrs import field, frozen

from keps._files import read_bytes
from keps.errors import InvalidContentError, KepError, KepNotFoundError, TokenError

__all__ = [
    "DEFAULT_TOKEN_VARIABLE",
    "REDACTED",
    "EnvToken",
    "FileToken",
    "TokenLike",
    "TokenProvider",
    "ValueToken",
    "holds_token",
    "masked_in_logs",
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


#: A token file holds one token: anything larger is not one (and is not read).
_TOKEN_FILE_LIMIT = 64 * 1024


@frozen
class FileToken:
    """A token read from a file; surrounding whitespace and the trailing newline are dropped."""

    path: Path = field(converter=_as_path)

    def value(self) -> str:
        """The token in the file; warns when other users may read the file."""
        try:
            mode = self.path.stat().st_mode
            text = read_bytes(self.path, limit=_TOKEN_FILE_LIMIT).decode("utf-8")
        except (FileNotFoundError, KepNotFoundError) as exc:
            msg = f"token file {self.path} does not exist"
            raise TokenError(msg, path=self.path) from exc
        except InvalidContentError as exc:  # a folder, a FIFO, a device, far too large
            shown = (
                "is a directory, not a file"
                if self.path.is_dir()
                else "is not a regular file of at most 64 KiB"
            )
            msg = f"token file {self.path} {shown}"
            raise TokenError(msg, path=self.path) from exc
        except (OSError, KepError) as exc:  # not kept: an OSError may carry file text
            cause = exc.__cause__ if isinstance(exc, KepError) else exc
            reason = (
                cause.strerror
                if isinstance(cause, OSError) and cause.strerror
                else type(cause or exc).__name__
            )
            msg = f"cannot read token file {self.path}: {reason}"
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


# -- finding a token in text ----------------------------------------------------------

#: Base64 runs shorter than this are not masked: they would match ordinary text by chance.
_MIN_BASE64_RUN = 8


def _hex_pattern(byte: int) -> str:
    """``%2F`` as a pattern that also matches ``%2f`` and the double-quoted ``%252F``."""
    digits = "".join(f"[{d.upper()}{d.lower()}]" if d.isalpha() else d for d in f"{byte:02x}")
    return f"%(?:25)?{digits}"


def _quoted_pattern(token: str) -> str:
    """A pattern for *token* with any of its characters URL-quoted (or not), in any case.

    ``quote(token)``, ``quote(token, safe="")``, ``quote_plus`` and a lower-case or
    double quoting all match, as does the raw token.
    """
    parts = []
    for ch in token:
        quoted = "".join(_hex_pattern(b) for b in ch.encode("utf-8"))
        parts.append(f"(?:{re.escape(ch)}|{quoted})")
    return "".join(parts)


def _base64_runs(token: str) -> set[str]:
    """The base64 characters that only *token* determines, at each of the three alignments.

    Base64 turns 3 bytes into 4 characters, so a token inside encoded data (a Basic auth
    header of ``x-access-token:TOKEN``, the bare token, ``TOKEN:x-oauth-basic``) is spelt
    one of three ways, depending on its offset modulo 3. Character *i* of the encoding
    covers bits ``6i .. 6i+6``; those that fall wholly inside the token are the same in
    any encoded text holding the token at that alignment, padded or not, standard or
    URL-safe alphabet.
    """
    data = token.encode("utf-8")
    runs: set[str] = set()
    for shift in range(3):
        first = -(-8 * shift // 6)  # the first character made of token bits only
        end = 8 * (shift + len(data)) // 6  # one past the last such character
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            run = encode(b"\0" * shift + data).decode("ascii")[first:end]
            if len(run) >= _MIN_BASE64_RUN:
                runs.add(run)
    return runs


@functools.lru_cache(maxsize=16)
def _pattern(tokens: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern matching every form of every token in *tokens* (longest tokens first)."""
    ordered = sorted(tokens, key=len, reverse=True)
    runs = sorted({run for token in ordered for run in _base64_runs(token)}, key=len, reverse=True)
    return re.compile(
        "|".join([_quoted_pattern(t) for t in ordered] + [re.escape(r) for r in runs])
    )


def redact(text: str, *tokens: str | None) -> str:
    """*text* with every token in *tokens* masked, in every form an echo may take.

    The forms: the token as is; URL-quoted, wholly or partly, in either case, once or
    twice; and base64 at any alignment (the Basic auth header git sends, the bare token
    encoded, the token inside any longer encoded text).

    >>> redact("https://x-access-token:s3cr3t@github.com/o/r.git", "s3cr3t")
    'https://x-access-token:***@github.com/o/r.git'
    """
    given = tuple(sorted({t for t in tokens if t}))
    if not given:
        return text
    return _pattern(given).sub(REDACTED, text)


def holds_token(text: str, *tokens: str | None) -> bool:
    """True when *text* holds one of *tokens* in any form :func:`redact` masks."""
    return redact(text, *tokens) != text


# -- keeping the token out of every log record ----------------------------------------

_masking_lock = threading.Lock()
_masking_counts: collections.Counter[str] = collections.Counter()
#: The tokens masked right now; read without the lock (a tuple is replaced whole).
_masked_tokens: tuple[str, ...] = ()
_MASKING_MARK = "_keps_masks_tokens"


def _scrub(record: logging.LogRecord, tokens: tuple[str, ...]) -> None:
    """Mask *tokens* in *record*'s message, arguments, exception and stack text, in place."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep both halves, masked
        message = f"{record.msg!s} {record.args!r}"
    if holds_token(message, *tokens) or holds_token(repr(record.args), *tokens):
        record.msg = redact(message, *tokens)
        record.args = None
    if record.exc_info and record.exc_info[1] is not None:
        text = record.exc_text or logging.Formatter().formatException(record.exc_info)
        if holds_token(text, *tokens):
            # The formatted text stays, masked; the exception itself (which holds the
            # token) is dropped from the record.
            record.exc_text = redact(text, *tokens)
            record.exc_info = None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text, *tokens)
    if record.stack_info:
        record.stack_info = redact(record.stack_info, *tokens)


def _install_factory() -> None:
    """Wrap the current log record factory in one that masks the active tokens."""
    current = logging.getLogRecordFactory()
    if getattr(current, _MASKING_MARK, False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        tokens = _masked_tokens
        if tokens:
            _scrub(record, tokens)
        return record

    setattr(factory, _MASKING_MARK, True)
    factory.__wrapped__ = current  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def _uninstall_factory() -> None:
    """Restore the factory ours wrapped, unless another one was installed on top since."""
    current = logging.getLogRecordFactory()
    if getattr(current, _MASKING_MARK, False):
        logging.setLogRecordFactory(current.__wrapped__)  # type: ignore[attr-defined]


@contextlib.contextmanager
def masked_in_logs(*tokens: str | None) -> Iterator[None]:
    """While inside, no log record of any logger holds one of *tokens* in any form.

    Dependencies log what keps cannot mask at the source: PyGithub's DEBUG records
    (logger ``github.Requester``) carry whole response bodies and headers, urllib3 logs
    request paths. Every record created meanwhile, by any logger in any thread, has
    each token masked in its message, arguments, exception text and stack; a record
    whose exception held a token keeps only the masked text of it. Nesting and
    concurrent use (several clients) are fine; the masking ends with the last user.
    """
    global _masked_tokens
    given = [t for t in tokens if t]
    with _masking_lock:
        _install_factory()
        _masking_counts.update(given)
        _masked_tokens = tuple(_masking_counts)
    try:
        yield
    finally:
        with _masking_lock:
            _masking_counts.subtract(given)
            for token in given:
                if _masking_counts[token] <= 0:
                    del _masking_counts[token]
            _masked_tokens = tuple(_masking_counts)
            if not _masked_tokens:
                _uninstall_factory()
