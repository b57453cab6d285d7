"""The token never leaks: not in a log record of any logger, not in any error or its chain.

Issue 12, item 10: keps' own messages masked the token, but PyGithub's DEBUG records
(logger ``github.Requester``) carried whole response headers and bodies with it, and the
original exception stayed reachable through ``__context__``. Here the stand-in echoes the
token (raw, URL-quoted, base64) in every answer's headers and body, every logger records
at DEBUG, and everything a user or a tool could read is searched for every form of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from keps.errors import (
    AuthenticationError,
    GitHubError,
    KepError,
    PermissionDeniedError,
    RemoteConflictError,
    RemoteNotFoundError,
)
from keps.porcelain import UnexpectedAnswerError, hermetic
from keps.porcelain.github import GitHubClient
from tests.porcelain_server import (
    LOGIN,
    UPSTREAM_OWNER,
    UPSTREAM_REPO,
    Answer,
    FakeGitHub,
    exception_texts,
    leaks,
    serve,
    token_forms,
)

# Characters that URL-quoting changes, so a quoted echo differs from the raw token.
SECRET = "ghp_leak/Test+0123=456%789:abc@def"
PULLS = f"/repos/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/pulls"
FORKS = f"/repos/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/forks"
REPO = f"/repos/{UPSTREAM_OWNER}/{UPSTREAM_REPO}"


@pytest.fixture(name="fake")
def _fake(tmp_path: Path) -> Iterator[FakeGitHub]:
    """A stand-in that accepts SECRET for alice and repeats it in every answer."""
    with serve(tmp_path / "github", tokens={SECRET: LOGIN}) as fake:
        fake.echo_token = True
        yield fake


def _record_everything(caplog: pytest.LogCaptureFixture) -> None:
    """Every logger, PyGithub's, urllib3's and requests' included, records at DEBUG."""
    names = {"", "github", "github.Requester", "urllib3", "urllib3.connectionpool", "requests"}
    names |= set(logging.root.manager.loggerDict)
    for name in sorted(names):
        caplog.set_level(logging.DEBUG, logger=name or None)


def _client(fake: FakeGitHub) -> GitHubClient:
    return GitHubClient(
        SECRET,
        api_url=fake.api_url,
        git_url_template=fake.git_url_template,
        timeout=2,
        retries=0,
    )


def _echoing(status: int) -> Answer:
    """An error answer whose message quotes the token in three forms."""
    forms = token_forms(SECRET)
    said = f"no, {SECRET} {forms['quoted']} {forms['Basic auth']}"
    return Answer(status, {"message": said, "errors": [{"message": forms["base64"]}]})


def test_no_log_record_or_error_holds_the_token(
    tmp_path: Path, fake: FakeGitHub, caplog: pytest.LogCaptureFixture
) -> None:
    """A whole flow with every kind of failure: records and errors are free of the token."""
    _record_everything(caplog)
    errors: list[BaseException] = []

    def expect(kind: type[KepError], action: Callable[[], object]) -> None:
        with pytest.raises(kind) as info:
            action()
        errors.append(info.value)

    def make(location: Path) -> hermetic.Repo:
        return hermetic.fork(
            LOGIN,
            SECRET,
            UPSTREAM_OWNER,
            UPSTREAM_REPO,
            location,
            "kep-1",
            api_url=fake.api_url,
            git_url_template=fake.git_url_template,
            timeout=2,
            retries=0,
        )

    fake.answers[("POST", FORKS)] = _echoing(401)
    expect(AuthenticationError, lambda: make(tmp_path / "refused"))
    del fake.answers[("POST", FORKS)]

    repo = make(tmp_path / "clone")
    source = tmp_path / "a.md"
    source.write_text("a")
    repo.add(source, "a.md")
    for status, kind in (
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, RemoteNotFoundError),
        (422, RemoteConflictError),
        (500, GitHubError),
    ):
        fake.answers[("POST", PULLS)] = _echoing(status)
        expect(kind, lambda: repo.create_pr("t", "b"))
    # a JSON list where GitHub's error object belongs
    fake.answers[("POST", PULLS)] = Answer(500, [SECRET, quote(SECRET, safe="")])
    expect(GitHubError, lambda: repo.create_pr("t", "b"))
    # a pull request URL echoing the token: refused, and not repeated
    url = f"{fake.api_url}/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/pull/1?t={quote(SECRET, safe='')}"
    fake.answers[("POST", PULLS)] = Answer(201, {"html_url": url})
    expect(UnexpectedAnswerError, lambda: repo.create_pr("t", "b"))
    # a redirect PyGithub follows on the same host, to a path holding the token
    moved = f"{fake.api_url}/moved/{quote(SECRET, safe='')}"
    fake.answers[("POST", PULLS)] = Answer(301, headers={"Location": moved})
    expect(RemoteNotFoundError, lambda: repo.create_pr("t", "b"))
    # a redirect to another host, whose address holds the token
    where = f"https://elsewhere.invalid/{SECRET}"
    fake.answers[("POST", PULLS)] = Answer(301, headers={"Location": where})
    expect(UnexpectedAnswerError, lambda: repo.create_pr("t", "b"))
    # a body that is not JSON, quoting the token
    fake.answers[("POST", PULLS)] = Answer(201, raw=f"<html>{SECRET}</html>".encode())
    expect(UnexpectedAnswerError, lambda: repo.create_pr("t", "b"))
    del fake.answers[("POST", PULLS)]
    pull = repo.create_pr("t", "b")
    repo.delete_remote()
    repo.delete_local()

    assert len(errors) == 11
    requester = [r for r in caplog.records if r.name == "github.Requester"]
    assert any(r.levelno == logging.DEBUG for r in requester)  # PyGithub's records were seen
    assert any(r.name.startswith("urllib3") for r in caplog.records)
    for record in caplog.records:
        shown = caplog.handler.format(record)
        assert leaks(shown, SECRET) == [], shown[:300]
        assert leaks(repr(vars(record)), SECRET) == [], record.name
    for error in errors:
        for text in exception_texts(error):
            assert leaks(text, SECRET) == [], text[:300]
    assert leaks(pull + repr(repo) + repr(repo.clone), SECRET) == []


@pytest.mark.parametrize(
    ("case", "answer", "kind"),
    [
        ("401 echoing the token", _echoing(401), AuthenticationError),
        ("500 with a list", Answer(500, [SECRET]), GitHubError),
        (
            "a 301 PyGithub refuses",
            Answer(301, headers={"Location": f"https://x.invalid/{SECRET}"}),
            UnexpectedAnswerError,
        ),
        (
            "a rate limit header PyGithub cannot read",
            Answer(200, {}, headers={"X-RateLimit-Remaining": SECRET, "X-RateLimit-Limit": "1"}),
            UnexpectedAnswerError,
        ),
    ],
)
def test_errors_keep_no_dependency_exception(
    fake: FakeGitHub, case: str, answer: Answer, kind: type[GitHubError]
) -> None:
    """Neither __cause__ nor __context__ leads to PyGithub's exception and its answer."""
    fake.answers[("GET", REPO)] = answer
    with pytest.raises(kind) as info:
        _client(fake).repository(UPSTREAM_OWNER, UPSTREAM_REPO)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None
    for text in exception_texts(info.value):
        assert leaks(text, SECRET) == []


def test_masking_ends_with_the_request(fake: FakeGitHub, caplog: pytest.LogCaptureFixture) -> None:
    """Outside a request, other code's log records are left alone."""
    _record_everything(caplog)
    client = _client(fake)
    client.repository(UPSTREAM_OWNER, UPSTREAM_REPO)
    logging.getLogger("elsewhere").debug("%s", "not a secret")
    assert caplog.records[-1].getMessage() == "not a secret"
    client.close()
