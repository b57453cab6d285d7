"""Tests for keps.porcelain.github: PyGithub against a GitHub stand-in on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from keps.errors import (
    AuthenticationError,
    GitHubError,
    PermissionDeniedError,
    RemoteConflictError,
    RemoteNotFoundError,
    RemoteTimeoutError,
    SettingsError,
)
from keps.porcelain import UnexpectedAnswerError
from keps.porcelain.auth import token_from_value
from keps.porcelain.github import (
    DEFAULT_API_URL,
    DEFAULT_GIT_URL_TEMPLATE,
    GitHubClient,
    PullRequest,
    PullRequestRouting,
    api_url,
    git_url,
    git_url_template,
)
from tests.porcelain_server import (
    LOGIN,
    TOKEN,
    UPSTREAM_OWNER,
    UPSTREAM_REPO,
    Answer,
    FakeGitHub,
    exception_texts,
    free_port,
    leaks,
    serve,
    token_forms,
)

FORKS = f"/repos/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/forks"
PULLS = f"/repos/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/pulls"
ROUTING = PullRequestRouting(UPSTREAM_OWNER, UPSTREAM_REPO, LOGIN, "kep-1")


@pytest.fixture(name="fake")
def _fake(tmp_path: Path) -> Iterator[FakeGitHub]:
    """A running GitHub stand-in hosting kubernetes/enhancements."""
    with serve(tmp_path / "github") as fake:
        yield fake


def _client(fake: FakeGitHub, token: str = TOKEN, **kwargs: int) -> GitHubClient:
    """A client of *fake*: no retries, short timeout, so failures come back at once."""
    options = {"timeout": 2, "retries": 0, **kwargs}
    return GitHubClient(
        token,
        api_url=fake.api_url,
        git_url_template=fake.git_url_template,
        timeout=options["timeout"],
        retries=options["retries"],
    )


class TestConfiguration:
    def test_defaults_are_github_com(self) -> None:
        """Without arguments or settings, GitHub is github.com."""
        assert api_url() == DEFAULT_API_URL == "https://api.github.com"
        assert git_url_template() == DEFAULT_GIT_URL_TEMPLATE
        assert git_url("o", "r") == "https://github.com/o/r.git"

    def test_environment_is_read_at_call_time(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """KEPS_GITHUB_API_URL and KEPS_GITHUB_GIT_URL apply from the next call on."""
        monkeypatch.setenv("KEPS_GITHUB_API_URL", "https://ghe.example.com/api/v3/")
        monkeypatch.setenv("KEPS_GITHUB_GIT_URL", "file:///srv/git/{owner}/{repo}.git")
        assert api_url() == "https://ghe.example.com/api/v3"
        assert git_url("o", "r") == "file:///srv/git/o/r.git"

    def test_arguments_win_over_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An explicit URL beats the setting."""
        monkeypatch.setenv("KEPS_GITHUB_API_URL", "https://ghe.example.com/api/v3")
        assert api_url("http://127.0.0.1:1") == "http://127.0.0.1:1"
        assert git_url("o", "r", "/git/{owner}-{repo}") == "/git/o-r"

    @pytest.mark.parametrize("url", ["api.github.com", "ftp://example.com", "https://"])
    def test_bad_api_url(self, url: str) -> None:
        """An API URL that is not http(s) with a host raises SettingsError naming it."""
        with pytest.raises(SettingsError, match="API URL"):
            api_url(url)

    @pytest.mark.parametrize("template", ["/git/{repo}.git", "/git/{owner}/{repo}/{branch}"])
    def test_bad_template(self, template: str) -> None:
        """A template without both placeholders, or with others, raises SettingsError."""
        with pytest.raises(SettingsError, match="template"):
            git_url("o", "r", template)

    def test_client_uses_environment(
        self, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A client built without URLs talks to the configured server."""
        monkeypatch.setenv("KEPS_GITHUB_API_URL", fake.api_url)
        monkeypatch.setenv("KEPS_GITHUB_GIT_URL", fake.git_url_template)
        client = GitHubClient(token_from_value(TOKEN), timeout=2, retries=0)
        assert client.fork(UPSTREAM_OWNER, UPSTREAM_REPO) == str(
            fake.repo_path(LOGIN, UPSTREAM_REPO)
        )

    def test_timeout_is_whole_seconds(self) -> None:
        """PyGithub takes whole seconds, so fractions are refused early."""
        with pytest.raises(ValueError, match="whole number"):
            GitHubClient(TOKEN, timeout=0.5)  # type: ignore[arg-type]

    def test_repr_hides_the_token(self, fake: FakeGitHub) -> None:
        """The client's repr names the server, not the token."""
        client = _client(fake)
        assert fake.api_url in repr(client)
        assert TOKEN not in repr(client)


class TestFork:
    def test_fork_returns_the_forks_git_url(self, fake: FakeGitHub) -> None:
        """fork() asks GitHub for a fork and returns its URL from the template."""
        url = _client(fake).fork(UPSTREAM_OWNER, UPSTREAM_REPO)
        assert url == str(fake.repo_path(LOGIN, UPSTREAM_REPO))
        assert fake.exists(LOGIN, UPSTREAM_REPO)
        (request,) = fake.recorded("POST", FORKS)
        assert request.headers["Authorization"] == f"token {TOKEN}"

    def test_create_fork_describes_the_fork(self, fake: FakeGitHub) -> None:
        """create_fork() returns owner, name, URL and default branch of the fork."""
        fork = _client(fake).create_fork(UPSTREAM_OWNER, UPSTREAM_REPO)
        assert (fork.owner, fork.name, fork.default_branch) == (LOGIN, UPSTREAM_REPO, "main")

    def test_fork_of_missing_repository(self, fake: FakeGitHub) -> None:
        """A 404 becomes RemoteNotFoundError naming the repository."""
        with pytest.raises(RemoteNotFoundError, match="kubernetes/nope") as info:
            _client(fake).fork(UPSTREAM_OWNER, "nope")
        assert "404" in str(info.value)
        assert "check the owner and the name" in str(info.value)


class TestPullRequest:
    def test_request_names_head_base_and_lets_maintainers_edit(self, fake: FakeGitHub) -> None:
        """The pull request goes from fork-owner:branch into upstream's default branch."""
        url = _client(fake).create_pull_request(ROUTING, "KEP-1: x", "Body text")
        assert url == f"{fake.api_url}/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/pull/1"
        (request,) = fake.recorded("POST", PULLS)
        assert request.body == {
            "head": f"{LOGIN}:kep-1",
            "base": "main",
            "title": "KEP-1: x",
            "body": "Body text",
            "maintainer_can_modify": True,
        }

    def test_explicit_base(self, fake: FakeGitHub) -> None:
        """A routing with a base targets that branch instead of the default."""
        routing = PullRequestRouting(UPSTREAM_OWNER, UPSTREAM_REPO, LOGIN, "kep-1", base="dev")
        _client(fake).create_pull_request(routing, "t", "b")
        assert fake.recorded("POST", PULLS)[0].body["base"] == "dev"

    def test_existing_pull_request(self, fake: FakeGitHub) -> None:
        """A second pull request for the same head is a RemoteConflictError quoting GitHub."""
        client = _client(fake)
        client.create_pull_request(ROUTING, "t", "b")
        with pytest.raises(RemoteConflictError, match="422") as info:
            client.create_pull_request(ROUTING, "t", "b")
        assert "A pull request already exists for alice:kep-1" in str(info.value)

    def test_missing_upstream(self, fake: FakeGitHub) -> None:
        """A pull request into a repository GitHub does not have raises RemoteNotFoundError."""
        routing = PullRequestRouting(UPSTREAM_OWNER, "nope", LOGIN, "kep-1")
        with pytest.raises(RemoteNotFoundError):
            _client(fake).create_pull_request(routing, "t", "b")


class TestFindAndUpdatePullRequest:
    """A later step finds the open pull request of its branch and updates it (issue 14, item 5)."""

    def test_none_open(self, fake: FakeGitHub) -> None:
        """No pull request from the head: None, after asking GitHub by head and state."""
        assert _client(fake).find_open_pull_request(ROUTING) is None
        (request,) = fake.recorded("GET", PULLS)
        assert request.query == {"head": f"{LOGIN}:kep-1", "state": "open"}

    def test_the_open_one_is_found(self, fake: FakeGitHub) -> None:
        """The pull request opened from the head is found: its number and URL."""
        client = _client(fake)
        url = client.create_pull_request(ROUTING, "t", "b")
        assert client.find_open_pull_request(ROUTING) == PullRequest(1, url)

    def test_a_closed_one_is_not_found(self, fake: FakeGitHub) -> None:
        """A merged or closed pull request is not updated: the next step opens a new one."""
        client = _client(fake)
        client.create_pull_request(ROUTING, "t", "b")
        fake.pulls[0]["state"] = "closed"
        assert client.find_open_pull_request(ROUTING) is None

    def test_an_answer_for_another_head_is_not_taken(self, fake: FakeGitHub) -> None:
        """A server that ignores the head filter: pull requests of other heads are skipped."""
        other = PullRequestRouting(UPSTREAM_OWNER, UPSTREAM_REPO, "bob", "kep-1")
        client = _client(fake)
        client.create_pull_request(other, "t", "b")
        listed = fake.pull_json(fake.pulls[0])
        fake.answers[("GET", PULLS)] = Answer(200, [listed])
        assert client.find_open_pull_request(ROUTING) is None

    @pytest.mark.parametrize(
        "body",
        [
            {"number": 1},  # an object, not a list
            [{"number": 1, "state": "open"}],  # no head
            [{"head": {"label": f"{LOGIN}:kep-1"}, "state": "open"}],  # no URL
            [{"head": {"label": f"{LOGIN}:kep-1"}, "state": "open", "html_url": "x/pull/1"}],
        ],
    )
    def test_answers_of_the_wrong_shape_are_refused(self, fake: FakeGitHub, body: object) -> None:
        fake.answers[("GET", PULLS)] = Answer(200, body)
        with pytest.raises(UnexpectedAnswerError, match="look for an open pull request"):
            _client(fake).find_open_pull_request(ROUTING)

    def test_update_sets_title_and_body(self, fake: FakeGitHub) -> None:
        """PATCH /pulls/<n> with the new title and body; the same pull request comes back."""
        client = _client(fake)
        url = client.create_pull_request(ROUTING, "t", "b")
        assert client.update_pull_request(ROUTING, 1, "t2", "b2") == PullRequest(1, url)
        (request,) = fake.recorded("PATCH", f"{PULLS}/1")
        assert request.body == {"title": "t2", "body": "b2"}
        assert (fake.pulls[0]["title"], fake.pulls[0]["body"]) == ("t2", "b2")

    def test_an_update_answered_for_another_pull_request_is_refused(self, fake: FakeGitHub) -> None:
        client = _client(fake)
        client.create_pull_request(ROUTING, "t", "b")
        other = f"{fake.api_url}/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/pull/2"
        fake.answers[("PATCH", f"{PULLS}/1")] = Answer(200, {"html_url": other})
        with pytest.raises(UnexpectedAnswerError, match="names pull request 2, not 1"):
            client.update_pull_request(ROUTING, 1, "t2", "b2")


class TestDelete:
    def test_delete_repository(self, fake: FakeGitHub) -> None:
        """delete_repository removes the repository; a second time it is not found."""
        client = _client(fake)
        client.fork(UPSTREAM_OWNER, UPSTREAM_REPO)
        client.delete_repository(LOGIN, UPSTREAM_REPO)
        assert not fake.exists(LOGIN, UPSTREAM_REPO)
        assert len(fake.recorded("DELETE", f"/repos/{LOGIN}/{UPSTREAM_REPO}")) == 1
        with pytest.raises(RemoteNotFoundError):
            client.delete_repository(LOGIN, UPSTREAM_REPO)


class TestErrors:
    def test_bad_token(self, fake: FakeGitHub) -> None:
        """A 401 becomes AuthenticationError telling the user where the token comes from."""
        with pytest.raises(AuthenticationError) as info:
            _client(fake, token="ghp_wrong").fork(UPSTREAM_OWNER, UPSTREAM_REPO)
        assert "GitHub rejected the token (401)" in str(info.value)
        assert "check GITHUB_TOKEN or the token file" in str(info.value)

    def test_forbidden(self, fake: FakeGitHub) -> None:
        """A 403 becomes PermissionDeniedError naming scopes and rate limits."""
        fake.answers[("POST", FORKS)] = (403, {"message": "Resource not accessible"})
        with pytest.raises(PermissionDeniedError, match="scope") as info:
            _client(fake).fork(UPSTREAM_OWNER, UPSTREAM_REPO)
        assert "Resource not accessible" in str(info.value)

    def test_server_error_is_a_github_error(self, fake: FakeGitHub) -> None:
        """Other statuses become GitHubError with the status, without retries."""
        fake.answers[("POST", FORKS)] = (502, {"message": "Bad Gateway"})
        with pytest.raises(GitHubError, match="502"):
            _client(fake).fork(UPSTREAM_OWNER, UPSTREAM_REPO)
        assert len(fake.recorded("POST", FORKS)) == 1

    def test_timeout(self, fake: FakeGitHub) -> None:
        """A server that does not answer in time raises RemoteTimeoutError (a TimeoutError)."""
        fake.hang.add(("POST", FORKS))
        with pytest.raises(RemoteTimeoutError, match="did not answer within 1s") as info:
            _client(fake, timeout=1).fork(UPSTREAM_OWNER, UPSTREAM_REPO)
        assert isinstance(info.value, TimeoutError)

    def test_connection_refused(self) -> None:
        """Nothing listening at the API URL is a GitHubError saying which setting to check."""
        client = GitHubClient(TOKEN, api_url=f"http://127.0.0.1:{free_port()}", retries=0)
        with pytest.raises(GitHubError, match="connection refused") as info:
            client.fork(UPSTREAM_OWNER, UPSTREAM_REPO)
        assert "KEPS_GITHUB_API_URL" in str(info.value)


# -- odd and hostile answers (issue 12, items 9 to 11) -------------------------------------

REPO = f"/repos/{UPSTREAM_OWNER}/{UPSTREAM_REPO}"
FORK = f"/repos/{LOGIN}/{UPSTREAM_REPO}"
BASED = PullRequestRouting(UPSTREAM_OWNER, UPSTREAM_REPO, LOGIN, "kep-1", base="main")


def _lookup(client: GitHubClient) -> object:
    return client.repository(UPSTREAM_OWNER, UPSTREAM_REPO)


def _fork(client: GitHubClient) -> object:
    return client.create_fork(UPSTREAM_OWNER, UPSTREAM_REPO)


def _pull(client: GitHubClient) -> object:
    return client.create_pull_request(BASED, "t", "b")


def _find(client: GitHubClient) -> object:
    return client.find_open_pull_request(BASED)


def _update(client: GitHubClient) -> object:
    return client.update_pull_request(BASED, 1, "t", "b")


def _delete(client: GitHubClient) -> object:
    client.delete_repository(LOGIN, UPSTREAM_REPO)
    return None


# Each call porcelain makes: the request to answer oddly, and what the error names.
CALLS: dict[str, tuple[Callable[[GitHubClient], object], str, str, str]] = {
    "repository lookup": (_lookup, "GET", REPO, f"read {UPSTREAM_OWNER}/{UPSTREAM_REPO}"),
    "fork": (_fork, "POST", FORKS, f"fork {UPSTREAM_OWNER}/{UPSTREAM_REPO}"),
    "create pull request": (_pull, "POST", PULLS, "open a pull request"),
    "find pull request": (_find, "GET", PULLS, "look for an open pull request"),
    "update pull request": (_update, "PATCH", f"{PULLS}/1", "update pull request 1"),
    "delete": (_delete, "DELETE", FORK, f"delete {LOGIN}/{UPSTREAM_REPO}"),
}


def _status_answers(api: str, path: str) -> dict[str, tuple[Answer, type[GitHubError]]]:
    """Answers whose status (or headers) alone is wrong, for a request to *path*."""
    return {
        "301 to another host": (
            Answer(301, headers={"Location": f"https://elsewhere.invalid{path}"}),
            UnexpectedAnswerError,
        ),
        "301 to the same address": (
            Answer(301, headers={"Location": f"{api}{path}"}),
            UnexpectedAnswerError,
        ),
        "302": (Answer(302, headers={"Location": f"{api}/moved"}), UnexpectedAnswerError),
        "307": (Answer(307, headers={"Location": f"{api}/moved"}), UnexpectedAnswerError),
        "308": (Answer(308, headers={"Location": f"{api}/moved"}), UnexpectedAnswerError),
        "500 with a JSON list body": (Answer(500, ["a", "list"]), GitHubError),
        "403 with a JSON list body": (Answer(403, ["a", "list"]), PermissionDeniedError),
        "404 with an HTML body": (Answer(404, raw=b"<html>gone</html>"), RemoteNotFoundError),
        "422 with errors of odd types": (
            Answer(422, {"message": 5, "errors": [None, 3, {"code": ["x"]}]}),
            RemoteConflictError,
        ),
        "unreadable rate limit headers": (
            Answer(
                200,
                {},
                headers={"X-RateLimit-Remaining": "plenty", "X-RateLimit-Limit": "5000"},
            ),
            UnexpectedAnswerError,
        ),
    }


STATUS_CASES = list(_status_answers("http://h", "/p"))


@pytest.mark.parametrize("case", STATUS_CASES)
@pytest.mark.parametrize("call", list(CALLS))
def test_odd_statuses_become_github_errors(fake: FakeGitHub, call: str, case: str) -> None:
    """Redirects and error bodies of any shape raise a GitHubError naming the request.

    Today's answers: a 301 raised RuntimeError, a 302 or 307 AttributeError, a 500
    with a JSON list AttributeError, and a redirected delete passed for a deletion.
    """
    act, method, path, named = CALLS[call]
    answer, kind = _status_answers(fake.api_url, path)[case]
    fake.create_repo(LOGIN, UPSTREAM_REPO, {"a.md": "a"})
    fake.answers[(method, path)] = answer
    with pytest.raises(kind) as info:
        act(_client(fake))
    assert named in str(info.value)
    assert fake.recorded(method, path)  # the odd answer was really given
    assert fake.exists(LOGIN, UPSTREAM_REPO)  # a delete that was not answered 2xx did not count


def _repo_json(api: str, **changes: object) -> dict[str, object]:
    """A repository answer for alice's fork with *changes* (a None value drops the key)."""
    data: dict[str, object] = {
        "id": 1,
        "name": UPSTREAM_REPO,
        "full_name": f"{LOGIN}/{UPSTREAM_REPO}",
        "owner": {"login": LOGIN, "type": "User"},
        "default_branch": "main",
        "fork": True,
        "url": f"{api}{FORK}",
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}


def _shape_answers(api: str, call: str) -> dict[str, Answer]:
    """Successful answers of a shape porcelain cannot use, for *call*."""
    common = {
        "a list where an object is expected": Answer(200, [_repo_json(api)]),
        "a JSON string": Answer(200, "main"),
        "null": Answer(200, raw=b"null"),
        "an empty body": Answer(200),
        "not JSON": Answer(200, raw=b"{not json"),
        "JSON nested too deep": Answer(200, raw=b"[" * 100_000),
    }
    if call == "create pull request":
        pull = {"number": 1, "url": f"{api}{PULLS}/1"}
        return {
            **common,
            "html_url missing": Answer(201, pull),
            "html_url null": Answer(201, {**pull, "html_url": None}),
            "html_url a number": Answer(201, {**pull, "html_url": 1}),
            "html_url a list": Answer(201, {**pull, "html_url": ["x"]}),
        }
    specific = {
        "default_branch missing": _repo_json(api, default_branch=None),
        "default_branch null": {**_repo_json(api), "default_branch": None},
        "default_branch a number": _repo_json(api, default_branch=5),
        "default_branch empty": _repo_json(api, default_branch=""),
        "default_branch with a newline": _repo_json(api, default_branch="main\nx"),
        "default_branch git refuses": _repo_json(api, default_branch="../main"),
        "default_branch too long": _repo_json(api, default_branch="b" * 300),
    }
    if call == "fork":
        specific |= {
            "owner missing": _repo_json(api, owner=None),
            "owner a string": _repo_json(api, owner=LOGIN),
            "null login": _repo_json(api, owner={"login": None}),
            "login a number": _repo_json(api, owner={"login": 7}),
            "login with a slash": _repo_json(api, owner={"login": "kubernetes/x"}),
            "login too long": _repo_json(api, owner={"login": "a" * 200}),
            "name missing": _repo_json(api, name=None),
            "name ..": _repo_json(api, name=".."),
            "name with a bidi override": _repo_json(api, name="enhance\u202ements"),
            "the upstream itself": _repo_json(
                api, owner={"login": UPSTREAM_OWNER}, name=UPSTREAM_REPO
            ),
        }
    return common | {
        name: Answer(202 if call == "fork" else 200, body) for name, body in specific.items()
    }


SHAPE_CASES = {
    call: list(_shape_answers("http://h", call))
    for call in ("repository lookup", "fork", "create pull request")
}


@pytest.mark.parametrize(
    ("call", "case"), [(call, case) for call, cases in SHAPE_CASES.items() for case in cases]
)
def test_answers_of_the_wrong_shape_are_refused(fake: FakeGitHub, call: str, case: str) -> None:
    """A 2xx answer porcelain cannot use raises UnexpectedAnswerError naming the request."""
    act, method, path, named = CALLS[call]
    fake.answers[(method, path)] = _shape_answers(fake.api_url, call)[case]
    with pytest.raises(UnexpectedAnswerError) as info:
        act(_client(fake))
    assert named in str(info.value)
    assert isinstance(info.value, GitHubError)


def test_delete_takes_nothing_from_the_answer(fake: FakeGitHub) -> None:
    """A 2xx answer to a delete counts, whatever its body: no value is taken from it."""
    fake.answers[("DELETE", FORK)] = Answer(200, raw=b"[[[ not json")
    _client(fake).delete_repository(LOGIN, UPSTREAM_REPO)


def test_names_cannot_add_path_segments(fake: FakeGitHub) -> None:
    """An owner or name holding '/' or '..' stays one segment of the API path."""
    with pytest.raises(RemoteNotFoundError):
        _client(fake).repository(UPSTREAM_OWNER, "../../user")
    assert [r.path for r in fake.requests] == [f"/repos/{UPSTREAM_OWNER}/..%2F..%2Fuser"]


def _hostile_urls(api: str) -> dict[str, str]:
    """html_url values a pull request answer must not get into a KEP."""
    good = f"{api}/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/pull/1"
    return {
        "9 MiB long": good + "/" + "x" * (9 * 1024 * 1024),
        "just over 2,048 characters": good + "#" + "x" * (2049 - len(good)),
        "the raw token": f"{good}?t={TOKEN}",
        "the URL-quoted token": f"{api}/{quote(TOKEN, safe='')}/pull/1",
        "the token in Basic auth": f"{good}?a={token_forms(TOKEN)['Basic auth']}",
        "the base64 token": f"{api}/{token_forms(TOKEN)['base64']}/e/pull/1",
        "another host": f"https://evil.example/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/pull/1",
        "a javascript: URL": "javascript:alert(1)//pull/1",
        "a file URL": "file:///etc/passwd",
        "credentials": good.replace("://", "://alice:pw@"),
        "a newline": good + "\nx",
        "an escape sequence": good + "\x1b[2J",
        "a space": good + " x",
        "a bidi override": good + "\u202e",
        "not a pull request": f"{api}/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/issues/1",
        "a query": good + "?x=1",
        "a bad port": good.replace("127.0.0.1:", "127.0.0.1:x"),
        "empty": "",
    }


HOSTILE_URLS = list(_hostile_urls("http://127.0.0.1:1"))


@pytest.mark.parametrize("case", HOSTILE_URLS)
def test_hostile_pull_request_urls_are_refused(fake: FakeGitHub, case: str) -> None:
    """A pull request URL too long, malformed, elsewhere or holding the token is refused.

    The error is short, has no form of the token, and says the pull request may exist.
    """
    url = _hostile_urls(fake.api_url)[case]
    fake.answers[("POST", PULLS)] = Answer(201, {"number": 1, "html_url": url})
    with pytest.raises(UnexpectedAnswerError) as info:
        _pull(_client(fake))
    message = str(info.value)
    assert len(message) < 1000
    assert "may have been opened" in message
    for text in exception_texts(info.value):
        assert leaks(text, TOKEN) == []
    assert "\x1b" not in message
    assert "\n" not in message


def test_a_good_pull_request_url_on_the_web_host(tmp_path: Path) -> None:
    """For api.<host>, the pull request lives on <host>; a plain-http API allows http URLs."""
    with serve(tmp_path / "gh") as fake:
        fake.answers[("POST", PULLS)] = Answer(
            201, {"html_url": "https://127.0.0.1/kubernetes/enhancements/pull/12"}
        )
        assert _pull(_client(fake)) == "https://127.0.0.1/kubernetes/enhancements/pull/12"


def test_a_fork_named_like_the_token_is_refused(fake: FakeGitHub) -> None:
    """Any value holding the token is refused, and the error does not repeat it."""
    fake.answers[("POST", FORKS)] = Answer(202, _repo_json(fake.api_url, name=TOKEN))
    with pytest.raises(UnexpectedAnswerError, match="token") as info:
        _fork(_client(fake))
    for text in exception_texts(info.value):
        assert leaks(text, TOKEN) == []


@pytest.mark.parametrize(("length", "accepted"), [(2048, True), (2049, False)])
def test_pull_request_url_length_limit(fake: FakeGitHub, length: int, accepted: bool) -> None:
    """A pull request URL of 2,048 characters is taken; one more is refused."""
    head = f"{fake.api_url}/"
    tail = f"/{UPSTREAM_REPO}/pull/1"
    url = head + "o" * (length - len(head) - len(tail)) + tail
    assert len(url) == length
    fake.answers[("POST", PULLS)] = Answer(201, {"html_url": url})
    if accepted:
        assert _pull(_client(fake)) == url
    else:
        with pytest.raises(UnexpectedAnswerError, match="2048"):
            _pull(_client(fake))
