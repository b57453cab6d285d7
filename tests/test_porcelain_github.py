"""Tests for keps.porcelain.github: PyGithub against a GitHub stand-in on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
from keps.porcelain.auth import token_from_value
from keps.porcelain.github import (
    DEFAULT_API_URL,
    DEFAULT_GIT_URL_TEMPLATE,
    GitHubClient,
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
    FakeGitHub,
    free_port,
    serve,
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
