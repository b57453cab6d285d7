"""Tests for keps.porcelain.auth: token providers and redaction."""

from __future__ import annotations

import base64
import warnings
from pathlib import Path
from urllib.parse import quote

import pytest

from keps.errors import TokenError
from keps.porcelain.auth import (
    REDACTED,
    TokenProvider,
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


class TestRedact:
    @pytest.mark.parametrize(
        "text",
        [
            # the token as is, in a URL, in a header, in a JSON body
            f"https://x-access-token:{SECRET}@github.com/o/r.git",
            f"Authorization: token {SECRET}",
            f'{{"message": "bad {SECRET}"}}',
            # URL-quoted
            f"https://x:{quote(SECRET, safe='')}@h/",
            # inside a Basic auth header, as git sends it
            "Basic " + base64.b64encode(f"x-access-token:{SECRET}".encode()).decode(),
        ],
    )
    def test_masks_every_form(self, text: str) -> None:
        """The token disappears in every form an echo may take."""
        masked = redact(text, SECRET)
        assert SECRET not in masked
        assert REDACTED in masked

    def test_leaves_other_text_alone(self) -> None:
        """Text without a token, or with no token given, is unchanged."""
        assert redact("nothing here", SECRET) == "nothing here"
        assert redact(f"x {SECRET}", None, "") == f"x {SECRET}"

    def test_several_tokens(self) -> None:
        """Every token given is masked."""
        assert redact("a-one b-two", "one", "two") == f"a-{REDACTED} b-{REDACTED}"
