"""Tests for keps.porcelain.auth: token providers and redaction."""

from __future__ import annotations

import base64
import errno
import logging
import os
import socket
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from keps.errors import TokenError
from keps.porcelain.auth import (
    REDACTED,
    TokenProvider,
    holds_token,
    masked_in_logs,
    redact,
    resolve_token,
    token_from_env,
    token_from_file,
    token_from_value,
)

SECRET = "ghp_authTEST_0123456789abcdef"


def _token_file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "token"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


class TestTokenFromFile:
    def test_strips_whitespace_and_trailing_newline(self, tmp_path: Path) -> None:
        """The token is the file's text without surrounding whitespace."""
        path = _token_file(tmp_path, f"  {SECRET}\n\n")
        assert token_from_file(path).value() == SECRET

    def test_home_is_expanded(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """``~`` in the path means the user's home."""
        monkeypatch.setenv("HOME", str(tmp_path))
        _token_file(tmp_path, SECRET)
        assert token_from_file("~/token").value() == SECRET

    def test_private_file_does_not_warn(self, tmp_path: Path) -> None:
        """A 0600 token file is read silently."""
        path = _token_file(tmp_path, SECRET, 0o600)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert token_from_file(path).value() == SECRET

    def test_file_readable_by_others_warns(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A 0644 token file earns a warning and a log line naming the file and the fix."""
        path = _token_file(tmp_path, SECRET, 0o644)
        with pytest.warns(UserWarning, match="chmod 600") as record:
            assert token_from_file(path).value() == SECRET
        assert str(path) in str(record[0].message)
        assert any("other users" in r.getMessage() for r in caplog.records)
        assert all(SECRET not in r.getMessage() for r in caplog.records)

    def test_missing_file_names_the_file(self, tmp_path: Path) -> None:
        """A missing token file raises TokenError naming it."""
        path = tmp_path / "nope"
        with pytest.raises(TokenError, match="does not exist") as info:
            token_from_file(path).value()
        assert str(path) in str(info.value)

    @pytest.mark.parametrize("kind", ["fifo", "folder", "device", "huge"])
    def test_a_token_file_that_is_no_token_is_refused_without_hanging(
        self, tmp_path: Path, kind: str
    ) -> None:
        """A FIFO, folder, device or 1 MiB file: a TokenError naming it, nothing read."""
        import os

        from tests.test_reliability_special_files import bounded

        path = tmp_path / "token"
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        elif kind == "device":
            path.symlink_to("/dev/zero")
        else:
            path.write_bytes(b"x" * (1 << 20))
        error = bounded(lambda: token_from_file(path).value(), *([path] if kind == "fifo" else []))
        assert isinstance(error, TokenError), repr(error)
        shown = (
            "is a directory, not a file"
            if kind == "folder"
            else ("is not a regular file of at most 64 KiB")
        )
        assert error.message == f"token file {path} {shown}"
        assert error.path == str(path)

    def test_empty_file_names_the_file(self, tmp_path: Path) -> None:
        """A file holding only whitespace is refused, naming the file."""
        path = _token_file(tmp_path, " \n")
        with pytest.raises(TokenError, match="is empty") as info:
            token_from_file(path).value()
        assert str(path) in str(info.value)

    def test_two_words_are_refused_without_showing_them(self, tmp_path: Path) -> None:
        """A token with whitespace inside is refused; the message never shows it."""
        path = _token_file(tmp_path, f"{SECRET}\n{SECRET}\n")
        with pytest.raises(TokenError) as info:
            token_from_file(path).value()
        assert SECRET not in str(info.value)
        assert SECRET not in repr(info.value)

    def test_repr_shows_the_path_not_the_token(self, tmp_path: Path) -> None:
        """The provider's repr names the file only."""
        path = _token_file(tmp_path, SECRET)
        provider = token_from_file(path)
        assert str(path) in repr(provider)
        assert SECRET not in repr(provider)
        assert isinstance(provider, TokenProvider)


class TestTokenFromEnv:
    def test_reads_github_token_by_default(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a name the provider reads GITHUB_TOKEN, at value() time."""
        provider = token_from_env()
        monkeypatch.setenv("GITHUB_TOKEN", f"{SECRET}\n")
        assert provider.value() == SECRET

    def test_other_variable(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A named variable is read instead."""
        monkeypatch.setenv("MY_TOKEN", SECRET)
        assert token_from_env("MY_TOKEN").value() == SECRET

    def test_unset_variable_names_it(self) -> None:
        """An unset variable raises TokenError naming the variable."""
        with pytest.raises(TokenError, match="GITHUB_TOKEN is not set"):
            token_from_env().value()

    def test_empty_variable_names_it(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An empty variable raises TokenError naming the variable."""
        monkeypatch.setenv("GITHUB_TOKEN", "  ")
        with pytest.raises(TokenError, match="GITHUB_TOKEN is empty"):
            token_from_env().value()

    def test_repr_never_shows_the_token(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The provider's repr names the variable, not its value."""
        monkeypatch.setenv("GITHUB_TOKEN", SECRET)
        provider = token_from_env()
        provider.value()
        assert "GITHUB_TOKEN" in repr(provider)
        assert SECRET not in repr(provider)


class TestTokenFromValue:
    def test_value_and_repr(self) -> None:
        """The token comes back from value() and never from repr() or str()."""
        provider = token_from_value(SECRET)
        assert provider.value() == SECRET
        assert SECRET not in repr(provider)
        assert SECRET not in str(provider)

    def test_empty_value_is_refused(self) -> None:
        """An empty token raises TokenError."""
        with pytest.raises(TokenError, match="empty"):
            token_from_value("").value()

    def test_resolve_token_accepts_strings_and_providers(self) -> None:
        """resolve_token turns a string, a provider or None into the token or None."""
        assert resolve_token(SECRET) == SECRET
        assert resolve_token(token_from_value(SECRET)) == SECRET
        assert resolve_token(None) is None


# A secret with characters URL-quoting changes ("/", "+", "=", "%", ":", "@", "?", "&", "#"),
# so a quoted echo differs from the raw one, and a length whose base64 needs padding.
QUOTABLE = "ghp_q/u+o=t%e:d@s?e&c#r~et01"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# Each way a token travels: how a server, a proxy or a library may echo it back.
FORMS = {
    "raw": QUOTABLE,
    "quoted": quote(QUOTABLE, safe=""),
    "quoted, / kept": quote(QUOTABLE),
    "quoted, lower-case hex": quote(QUOTABLE, safe="").lower(),
    "quoted twice": quote(quote(QUOTABLE, safe=""), safe=""),
    "Basic auth as git sends it": _b64(f"x-access-token:{QUOTABLE}"),
    "base64 of the bare token": _b64(QUOTABLE),
    "base64 without padding": _b64(QUOTABLE).rstrip("="),
    "URL-safe base64": base64.urlsafe_b64encode(QUOTABLE.encode()).decode(),
    "base64 of token:x-oauth-basic": _b64(f"{QUOTABLE}:x-oauth-basic"),
    # the token one and two bytes further into the encoded text: other base64 spellings
    "Basic auth of git:token": _b64(f"git:{QUOTABLE}"),
    "Basic auth of x:token": _b64(f"x:{QUOTABLE}"),
}


class TestRedact:
    def test_the_secret_is_changed_by_quoting_and_encoding(self) -> None:
        """The forms really differ from the raw token, so masking the raw one is not enough."""
        assert len(set(FORMS.values())) == len(FORMS)
        for name, form in FORMS.items():
            if name != "raw":
                assert QUOTABLE not in form, name

    @pytest.mark.parametrize("name", list(FORMS))
    @pytest.mark.parametrize(
        "template",
        [
            "https://x-access-token:{}@github.com/o/r.git",
            "Authorization: Basic {}",
            '{{"message": "bad {}"}}',
            "{}",
        ],
    )
    def test_masks_every_form(self, name: str, template: str) -> None:
        """The token disappears in every form an echo may take, and the text around stays."""
        form = FORMS[name]
        before, after = template.split("{}")
        before, after = before.replace("{{", "{"), after.replace("}}", "}")
        masked = redact(before + form + after, QUOTABLE)
        assert form not in masked
        assert REDACTED in masked
        assert masked.startswith(before)
        assert masked.endswith(after)
        # At least as many characters as the token has are gone (base64 keeps the encoded
        # text around the token, and a character or two that also hold a neighbour's bits).
        middle = masked[len(before) : len(masked) - len(after)]
        assert len(form) - len(middle) >= len(QUOTABLE) - len(REDACTED)

    def test_quoted_and_raw_forms_are_masked_whole(self) -> None:
        """A quoted or raw token leaves nothing of itself behind."""
        for name in ("raw", "quoted", "quoted, / kept", "quoted twice"):
            assert redact(f"<{FORMS[name]}>", QUOTABLE) == f"<{REDACTED}>", name

    def test_holds_token(self) -> None:
        """holds_token answers whether any form is present."""
        assert holds_token(f"x {FORMS['base64 of the bare token']} y", QUOTABLE)
        assert not holds_token("x y", QUOTABLE)
        assert not holds_token(f"x {QUOTABLE}", None)

    def test_leaves_other_text_alone(self) -> None:
        """Text without a token, or with no token given, is unchanged."""
        assert redact("nothing here", SECRET) == "nothing here"
        assert redact(f"x {SECRET}", None, "") == f"x {SECRET}"

    def test_several_tokens(self) -> None:
        """Every token given is masked."""
        assert redact("a-one b-two", "one", "two") == f"a-{REDACTED} b-{REDACTED}"


def _boom(token: str) -> BaseException:
    """An exception whose text holds *token*, raised so it has a traceback."""
    try:
        raise RuntimeError(f"server said {token}")
    except RuntimeError as exc:
        return exc


class TestMaskedInLogs:
    def test_records_of_any_logger_are_masked(self, caplog: pytest.LogCaptureFixture) -> None:
        """Inside, a dependency's record holds no form of the token: message, args, exception."""
        caplog.set_level(logging.DEBUG)
        dependency = logging.getLogger("some.dependency")
        with masked_in_logs(QUOTABLE):
            dependency.debug("GET %s ==> %s", f"/x?t={FORMS['quoted']}", {"body": QUOTABLE})
            dependency.debug("header %s", FORMS["Basic auth as git sends it"])
            dependency.error("failed", exc_info=_boom(QUOTABLE))
            dependency.warning("broken format %s %s", QUOTABLE)  # one argument short
            dependency.info("nothing secret %s", 42)
        records = [r for r in caplog.records if r.name == "some.dependency"]
        assert len(records) == 5
        assert records[-1].getMessage() == "nothing secret 42"
        assert records[2].exc_text is not None
        assert "RuntimeError" in records[2].exc_text
        for record in records:
            assert not holds_token(caplog.handler.format(record), QUOTABLE)
            assert not holds_token(repr(vars(record)), QUOTABLE)
            for form in FORMS.values():
                assert form not in caplog.handler.format(record)

    def test_masking_ends_with_the_block(self, caplog: pytest.LogCaptureFixture) -> None:
        """Outside, records are left as they are, and the record factory is restored."""
        factory = logging.getLogRecordFactory()
        caplog.set_level(logging.DEBUG)
        with masked_in_logs(QUOTABLE):
            pass
        logging.getLogger("some.dependency").debug("%s", "plain")
        assert caplog.records[-1].args == ("plain",)
        assert logging.getLogRecordFactory() is factory

    def test_nested_and_overlapping_clients(self, caplog: pytest.LogCaptureFixture) -> None:
        """Two tokens masked at once; the inner block ending keeps the outer token masked."""
        caplog.set_level(logging.DEBUG)
        log = logging.getLogger("some.dependency")
        with masked_in_logs(QUOTABLE):
            with masked_in_logs(SECRET, QUOTABLE):
                log.debug("%s %s", SECRET, QUOTABLE)
            log.debug("%s", QUOTABLE)
        assert [r.getMessage() for r in caplog.records[-2:]] == [
            f"{REDACTED} {REDACTED}",
            REDACTED,
        ]

    def test_a_factory_installed_meanwhile_is_kept(self) -> None:
        """Another library's record factory set inside the block survives its end."""
        original = logging.getLogRecordFactory()

        def theirs(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return original(*args, **kwargs)

        try:
            with masked_in_logs(QUOTABLE):
                logging.setLogRecordFactory(theirs)
            assert logging.getLogRecordFactory() is theirs
        finally:
            logging.setLogRecordFactory(original)


class TestTokenErrors:
    """Each way a token cannot be had: a TokenError with our words, naming the file."""

    def test_each_unreadable_file_names_itself(self, tmp_path: Path) -> None:
        """Missing, a folder, a socket, not UTF-8: message and path name the file, no cause shown."""
        folder = tmp_path / "folder"
        folder.mkdir()
        undecodable = tmp_path / "latin1"
        undecodable.write_bytes(b"caf\xe9")
        undecodable.chmod(0o600)
        listening = socket.socket(socket.AF_UNIX)
        sock = tmp_path / "sock"
        listening.bind(str(sock))
        try:
            cases = [
                (tmp_path / "nope", "token file {} does not exist", True),
                (folder, "token file {} is a directory, not a file", True),
                (sock, "cannot read token file {}: " + os.strerror(errno.ENXIO), False),
                (undecodable, "token file {} is not UTF-8 text", False),
            ]
            for path, words, chained in cases:
                with pytest.raises(TokenError) as info:
                    token_from_file(path).value()
                assert info.value.message.startswith(words.format(path)), path
                assert info.value.path == str(path)
                # an OSError or a decode error is not kept: neither may carry file text
                assert (info.value.__cause__ is not None) is chained, path
        finally:
            listening.close()

    def test_warning_points_at_the_caller_and_the_log_has_the_same_words(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The mode warning is a UserWarning at the caller's line; the log line says the same."""
        path = _token_file(tmp_path, SECRET, 0o640)
        expected = (
            f"token file {path} can be read by other users (mode 0o640); run: chmod 600 {path}"
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            token_from_file(path).value()
        [warning] = caught
        assert warning.category is UserWarning
        assert str(warning.message) == expected
        if "MUTANT_UNDER_TEST" not in os.environ:  # mutmut puts a frame of its own between
            assert warning.filename == __file__
        assert [r.getMessage() for r in caplog.records if r.name == "keps.porcelain.auth"] == [
            expected
        ]

    @pytest.mark.parametrize(
        ("token", "message"),
        [
            ("", "the token given is empty: it must hold a GitHub token"),
            (
                "ghp_a\x00b",
                "the token given holds whitespace or control characters inside: "
                "it must hold one token",
            ),
            (
                "ghp_a\x7fb",
                "the token given holds whitespace or control characters inside: "
                "it must hold one token",
            ),
        ],
    )
    def test_a_given_token_is_checked(self, token: str, message: str) -> None:
        """A given token, as a string or a provider: empty or with control characters is refused."""
        for attempt in (lambda: resolve_token(token), lambda: token_from_value(token).value()):
            with pytest.raises(TokenError) as info:
                attempt()
            assert info.value.message == message


def _encoded_spans(prefix: bytes, token: bytes) -> tuple[int, int]:
    """(first, end) of the base64 characters made only of *token*'s bits after *prefix*.

    Character i of base64 covers bits 6i .. 6i+6 of the data; it is the token's alone
    when those bits lie within the token's bits 8p .. 8(p+n).
    """
    lo, hi = 8 * len(prefix), 8 * (len(prefix) + len(token))
    inside = [i for i in range(hi // 6 + 2) if lo <= 6 * i and 6 * i + 6 <= hi]
    return inside[0], inside[-1] + 1


class TestBase64Alignments:
    @pytest.mark.parametrize("prefix", [b"", b"x", b"xy", b"x-access-token:"])
    @pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
    def test_exactly_the_token_characters_are_masked(self, prefix: bytes, encode: Any) -> None:
        """At any alignment, in either alphabet, the characters made of the token go; the rest stays."""
        token = QUOTABLE.encode()
        encoded = encode(prefix + token + b"!tail").decode()
        first, end = _encoded_spans(prefix, token)
        assert redact(encoded, QUOTABLE) == encoded[:first] + REDACTED + encoded[end:]

    def test_a_six_byte_token_is_masked_in_base64(self) -> None:
        """Six bytes make eight base64 characters: the shortest run that is masked."""
        assert redact(_b64("t0k:en"), "t0k:en") == REDACTED

    def test_lower_case_and_non_ascii_quoting(self) -> None:
        """%2f and %C3%A9 (an é, two bytes) are the token's characters, quoted."""
        token = "tok/é"
        for form in (quote(token, safe=""), quote(token, safe="").lower()):
            assert redact(f"<{form}>", token) == f"<{REDACTED}>", form


class TestScrubbing:
    def test_arguments_the_message_does_not_show(self, caplog: pytest.LogCaptureFixture) -> None:
        """A mapping argument holding the token, unused by the format, is dropped from the record."""
        caplog.set_level(logging.DEBUG)
        with masked_in_logs(QUOTABLE):
            logging.getLogger("some.dependency").debug("%(a)s", {"a": "shown", "b": QUOTABLE})
        [record] = [r for r in caplog.records if r.name == "some.dependency"]
        assert record.getMessage() == "shown"
        assert record.args is None
        assert not holds_token(repr(vars(record)), QUOTABLE)

    def test_an_exception_never_raised(self, caplog: pytest.LogCaptureFixture) -> None:
        """exc_info without a traceback is masked too, and the exception dropped."""
        caplog.set_level(logging.DEBUG)
        error = RuntimeError(f"server said {QUOTABLE}")
        with masked_in_logs(QUOTABLE):
            logging.getLogger("some.dependency").error(
                "failed", exc_info=(RuntimeError, error, None)
            )
        [record] = [r for r in caplog.records if r.name == "some.dependency"]
        assert record.exc_info is None
        assert record.exc_text == f"RuntimeError: server said {REDACTED}"

    def test_exception_text_a_factory_below_wrote(self) -> None:
        """Text another record factory put in exc_text (no exception kept) is masked, the
        rest of it kept."""
        original = logging.getLogRecordFactory()

        def below(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = original(*args, **kwargs)
            record.exc_text = f"detail {QUOTABLE} end"
            return record

        logging.setLogRecordFactory(below)
        try:
            with masked_in_logs(QUOTABLE):
                record = logging.getLogger("some.dependency").makeRecord(
                    "n", logging.ERROR, "p", 1, "failed", (), None
                )
        finally:
            logging.setLogRecordFactory(original)
        assert record.exc_text == f"detail {REDACTED} end"

    def test_stack_info(self, caplog: pytest.LogCaptureFixture) -> None:
        """A stack whose source line shows the token is masked, the rest of it kept."""
        caplog.set_level(logging.DEBUG)
        log = logging.getLogger("some.dependency")
        with masked_in_logs(QUOTABLE):
            log.info("look", stack_info=QUOTABLE == "ghp_q/u+o=t%e:d@s?e&c#r~et01")
        [record] = [r for r in caplog.records if r.name == "some.dependency"]
        assert record.stack_info is not None
        assert record.stack_info.startswith("Stack (most recent call last):")
        assert "test_stack_info" in record.stack_info
        assert REDACTED in record.stack_info
        assert not holds_token(record.stack_info, QUOTABLE)

    def test_keyword_arguments_reach_the_record_factory_below(self) -> None:
        """Our factory passes keyword arguments on to the one it wraps."""
        with masked_in_logs(QUOTABLE):
            record = logging.getLogRecordFactory()(
                name="n", level=logging.INFO, pathname="p", lineno=1, msg="m %s",
                args=(QUOTABLE,), exc_info=None, func="f", sinfo=None,
            )  # fmt: skip
        assert (record.name, record.getMessage()) == ("n", f"m {REDACTED}")

    def test_nested_blocks_leave_the_standard_factory(self) -> None:
        """However blocks nest, the record factory is logging's own again after the last."""
        assert logging.getLogRecordFactory() is logging.LogRecord
        with masked_in_logs(QUOTABLE):
            with masked_in_logs(SECRET), masked_in_logs(QUOTABLE):
                pass
            assert logging.getLogRecordFactory() is not logging.LogRecord
        assert logging.getLogRecordFactory() is logging.LogRecord
