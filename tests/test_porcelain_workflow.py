"""The workflow link, for real: a KEP made by keps.workflow becomes a pull request upstream.

Everything runs against the GitHub stand-in (tests.porcelain_server): a real HTTP server
on 127.0.0.1 and bare repositories on disk. Nothing reaches the internet.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import keps
import keps.index
from keps import workflow
from keps.cli import cli
from keps.errors import (
    AuthenticationError,
    GitError,
    GitHubError,
    PathOutsideError,
    PermissionDeniedError,
    SettingsError,
)
from keps.porcelain import open_kep_pull_request
from keps.porcelain.pull_request import default_body, default_branch, default_title, kep_files
from tests.kep_factory import T0, snapshot
from tests.porcelain_server import (
    LOGIN,
    TOKEN,
    UPSTREAM_FILES,
    UPSTREAM_OWNER,
    UPSTREAM_REPO,
    Answer,
    FakeGitHub,
    exception_texts,
    leaks,
    serve,
    token_forms,
)
from tests.workflow_helpers import APPROVER, AUTHOR, edit, runtime

TARGET = "sig-node/dynamic-kubelet-config"
LOCATION = "sig-node/sig-wide/dynamic-kubelet-config"
BRANCH = "kep-sig-node-sig-wide-dynamic-kubelet-config"
UPSTREAM = f"{UPSTREAM_OWNER}/{UPSTREAM_REPO}"
PULLS = f"/repos/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/pulls"
GUIDES = (
    "guides/developer.md",
    "guides/operator.md",
    "guides/teacher.md",
    "graduation_criteria.md",
)

# The upstream the command-line tests name, as the example does.
CLI_OWNER, CLI_REPO = "upstream-owner", "upstream-repo"


@pytest.fixture(name="fake")
def _fake(tmp_path: Path) -> Iterator[FakeGitHub]:
    """A running GitHub stand-in hosting kubernetes/enhancements and upstream-owner/upstream-repo."""
    with serve(tmp_path / "github") as fake:
        fake.create_repo(CLI_OWNER, CLI_REPO, UPSTREAM_FILES)
        yield fake


@pytest.fixture(name="root")
def _root(tmp_path: Path) -> Path:
    """An empty content root."""
    root = tmp_path / "content"
    root.mkdir()
    return root


@pytest.fixture(name="proposed")
def _proposed(root: Path) -> Path:
    """A KEP made through the workflow: init, summary and motivation written, proposed."""
    kep_dir = workflow.init(runtime(root, TARGET), now=T0)
    edit(kep_dir, "summary.md", "motivation.md")
    workflow.propose(runtime(root, TARGET), now=T0)
    return kep_dir


def open_pr(kep_dir: Path, fake: FakeGitHub, **kwargs: object) -> str:
    """open_kep_pull_request against the stand-in, as alice with the good token."""
    options: dict[str, object] = {
        "github_handle": LOGIN,
        "token": TOKEN,
        "upstream": UPSTREAM,
        "api_url": fake.api_url,
        "git_url_template": fake.git_url_template,
        "retries": 0,
        "timeout": 5,
    }
    options.update(kwargs)
    return open_kep_pull_request(keps.open(kep_dir), **options)  # type: ignore[arg-type]


def expected_branch_files(
    kep_dir: Path, upstream: dict[str, str] = UPSTREAM_FILES
) -> dict[str, str]:
    """Upstream's files plus every content file of the KEP under keps/<location>/."""
    kep_part = {
        f"keps/{LOCATION}/{name}": data.decode("utf-8") for name, data in snapshot(kep_dir).items()
    }
    return {**upstream, **kep_part}


class TestOpenKepPullRequest:
    def test_the_whole_flow(self, proposed: Path, fake: FakeGitHub, tmp_path: Path) -> None:
        """The fork's branch holds exactly the KEP's files; the PR goes alice:branch -> main."""
        expected = expected_branch_files(proposed)
        clone = tmp_path / "clone"

        url = open_pr(proposed, fake, workdir=clone)

        assert url == f"{fake.api_url}/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/pull/1"
        assert fake.files_on_branch(LOGIN, UPSTREAM_REPO, BRANCH) == expected
        [request] = fake.recorded("POST", PULLS)
        assert request.body["head"] == f"{LOGIN}:{BRANCH}"
        assert request.body["base"] == "main"
        assert request.body["title"] == "KEP: Dynamic Kubelet Config (proposed)"
        assert "Real text for summary.md." in request.body["body"]
        assert f"KEP `{LOCATION}`: state draft" in request.body["body"]
        assert keps.open(proposed).associated_prs == (url,)
        assert not clone.exists()

    def test_commit_is_authored_by_the_principal(self, proposed: Path, fake: FakeGitHub) -> None:
        """The commit's author is the GitHub handle with its no-reply address; keps commits."""
        open_pr(proposed, fake)
        commit = fake.commit_on_branch(LOGIN, UPSTREAM_REPO, BRANCH)
        assert (commit.author.name, commit.author.email) == (
            LOGIN,
            f"{LOGIN}@users.noreply.github.com",
        )
        assert commit.committer.name == "keps"
        assert commit.message.startswith("KEP: Dynamic Kubelet Config (proposed)\n")

    def test_bookkeeping_files_and_symlinks_stay_out(
        self, proposed: Path, fake: FakeGitHub, tmp_path: Path
    ) -> None:
        """Lock files, unfinished writes and symlinks are not KEP content."""
        expected = expected_branch_files(proposed)
        secret = tmp_path / "secret.txt"
        secret.write_text("not for GitHub\n")
        (proposed / "stray.lock").write_text("")
        (proposed / ".keps-tmp-abc123").write_text("half a write")
        (proposed / "link.md").symlink_to(secret)

        open_pr(proposed, fake)

        assert fake.files_on_branch(LOGIN, UPSTREAM_REPO, BRANCH) == expected

    def test_replaces_an_older_copy_upstream(self, proposed: Path, fake: FakeGitHub) -> None:
        """A KEP already upstream is replaced whole: files gone locally are gone in the PR."""
        older = {**UPSTREAM_FILES, f"keps/{LOCATION}/removed.md": "old\n"}
        fake.create_repo("other", "enhancements-copy", older)
        expected = expected_branch_files(proposed)

        open_pr(proposed, fake, upstream="other/enhancements-copy")

        assert fake.files_on_branch(LOGIN, "enhancements-copy", BRANCH) == expected

    def test_nothing_to_propose(self, proposed: Path, fake: FakeGitHub) -> None:
        """Upstream already holding the KEP as it is raises GitError; nothing is recorded."""
        fake.create_repo("other", "same", expected_branch_files(proposed))
        with pytest.raises(GitError, match="nothing to propose"):
            open_pr(proposed, fake, upstream="other/same")
        assert keps.open(proposed).associated_prs == ()

    def test_default_workdir_is_a_removed_temporary_folder(
        self, proposed: Path, fake: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without workdir the clone goes to a new temporary folder, removed afterwards."""
        temp = tmp_path / "tmp"
        temp.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(temp))
        open_pr(proposed, fake)
        assert list(temp.iterdir()) == []

    def test_keep_clone(self, proposed: Path, fake: FakeGitHub, tmp_path: Path) -> None:
        """keep_clone leaves the clone on the KEP's branch, with the KEP's files in it."""
        clone = tmp_path / "clone"
        open_pr(proposed, fake, workdir=clone, keep_clone=True)
        assert (clone / "keps" / LOCATION / "metadata.yaml").is_file()
        assert (clone / ".git").is_dir()

    def test_explicit_path_branch_title_and_body(self, proposed: Path, fake: FakeGitHub) -> None:
        """Every default can be overridden."""
        open_pr(
            proposed,
            fake,
            path_in_repo="proposals/dkc",
            branch="my-branch",
            title="My title",
            body="My body",
        )
        files = fake.files_on_branch(LOGIN, UPSTREAM_REPO, "my-branch")
        assert "proposals/dkc/metadata.yaml" in files
        assert not any(name.startswith("keps/sig-node") for name in files)
        [request] = fake.recorded("POST", PULLS)
        assert (request.body["title"], request.body["body"]) == ("My title", "My body")
        assert request.body["head"] == f"{LOGIN}:my-branch"

    def test_rejected_token(self, proposed: Path, fake: FakeGitHub, tmp_path: Path) -> None:
        """A 401 raises AuthenticationError without the token; no clone, nothing recorded."""
        clone = tmp_path / "clone"
        bad = "ghp_wrongTOKENwrongTOKEN"
        fake.echo_token = True  # the 401 body repeats the header, as a careless proxy might
        with pytest.raises(AuthenticationError) as info:
            open_pr(proposed, fake, token=bad, workdir=clone)
        assert bad not in str(info.value)
        assert not clone.exists()
        assert keps.open(proposed).associated_prs == ()

    def test_failure_after_the_clone_removes_it(
        self, proposed: Path, fake: FakeGitHub, tmp_path: Path
    ) -> None:
        """GitHub refusing the pull request still deletes the clone and records nothing."""
        fake.answers[("POST", PULLS)] = (403, {"message": "Resource not accessible"})
        clone = tmp_path / "clone"
        with pytest.raises(PermissionDeniedError):
            open_pr(proposed, fake, workdir=clone)
        assert not clone.exists()
        assert keps.open(proposed).associated_prs == ()

    @pytest.mark.parametrize(
        ("option", "value", "error"),
        [
            ("upstream", "just-a-name", SettingsError),  # no owner
            ("upstream", "owner/repo/extra", SettingsError),  # too many parts
            ("path_in_repo", "../outside", PathOutsideError),  # climbs out
            ("path_in_repo", "/abs/keps", PathOutsideError),  # absolute
            ("path_in_repo", ".git/hooks", PathOutsideError),  # git's own folder
        ],
    )
    def test_bad_arguments_fail_before_any_request(
        self, proposed: Path, fake: FakeGitHub, option: str, value: str, error: type[Exception]
    ) -> None:
        """A malformed upstream or path costs no fork: nothing reaches the server."""
        with pytest.raises(error):
            open_pr(proposed, fake, **{option: value})
        assert fake.requests == []


def _hostile_urls(fake: FakeGitHub) -> dict[str, str]:
    """Pull request URLs that must never reach a KEP's associated_prs."""
    good = f"{fake.api_url}/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/pull/1"
    forms = token_forms(TOKEN)
    return {
        "9 MiB long": good + "/" + "x" * (9 * 1024 * 1024),
        "the raw token": f"{good}?t={TOKEN}",
        "the URL-quoted token": f"{fake.api_url}/{forms['quoted']}/pull/1",
        "the token in Basic auth": f"{fake.api_url}/{forms['Basic auth']}/pull/1",
        "the base64 token": f"{fake.api_url}/{forms['base64']}/pull/1",
    }


class TestHostileAnswers:
    """Issue 12, item 9: what GitHub answers is checked before it is written into the KEP."""

    @pytest.mark.parametrize(
        "case",
        [
            "9 MiB long",
            "the raw token",
            "the URL-quoted token",
            "the token in Basic auth",
            "the base64 token",
        ],
    )
    def test_a_refused_pull_request_url_is_not_recorded(
        self, proposed: Path, root: Path, fake: FakeGitHub, case: str
    ) -> None:
        """The KEP is left as it was (it still opens), and the error is short and masked."""
        url = _hostile_urls(fake)[case]
        fake.answers[("POST", PULLS)] = Answer(201, {"number": 1, "html_url": url})
        before = snapshot(root)
        with pytest.raises(GitHubError) as info:
            open_pr(proposed, fake)
        assert len(str(info.value)) < 1000
        assert "may have been opened" in str(info.value)
        for text in exception_texts(info.value):
            assert leaks(text, TOKEN) == []
        assert snapshot(root) == before
        assert keps.open(proposed).associated_prs == ()
        for name, data in snapshot(root).items():
            assert leaks(data.decode("utf-8", "replace"), TOKEN) == [], name

    def test_kepctl_shows_one_masked_line(
        self, root: Path, drafted: Path, fake: FakeGitHub
    ) -> None:
        """kepctl propose --pr with a URL echoing the token: one line, no token, nothing kept."""
        pulls = f"/repos/{CLI_OWNER}/{CLI_REPO}/pulls"
        url = f"{fake.api_url}/{CLI_OWNER}/{CLI_REPO}/pull/1?t={TOKEN}"
        fake.answers[("POST", pulls)] = Answer(201, {"number": 1, "html_url": url})
        result = kepctl(root, fake, "propose", "--pr", f"{CLI_OWNER}/{CLI_REPO}", TARGET)
        refused(result)
        assert leaks(result.output, TOKEN) == []
        assert keps.open(drafted).associated_prs == ()


class TestDefaults:
    def test_names_from_the_kep(self, proposed: Path) -> None:
        """Branch, title and body come from the KEP's location, last step and summary."""
        kep = keps.open(proposed)
        assert default_branch(kep) == BRANCH
        assert default_title(kep) == "KEP: Dynamic Kubelet Config (proposed)"
        body = default_body(kep)
        assert body.startswith("Real text for summary.md.")
        assert "KEP number none yet" in body

    def test_kep_files_lists_content_only(self, proposed: Path) -> None:
        """kep_files lists the KEP's files, relative and sorted, without unfinished writes."""
        (proposed / ".keps-tmp-x").write_text("")
        names = [str(p) for p in kep_files(proposed)]
        assert names == sorted(set(snapshot(proposed)) - {".keps-tmp-x"})


# -- kepctl -------------------------------------------------------------------------------


def kepctl(root: Path, fake: FakeGitHub, *args: str, token: str | None = TOKEN) -> Result:
    """kepctl as alice, with the environment pointing at the stand-in."""
    env = {
        "KEPS_GITHUB_API_URL": fake.api_url,
        "KEPS_GITHUB_GIT_URL": fake.git_url_template,
        "GITHUB_TOKEN": token,
    }
    return CliRunner().invoke(
        cli, ["--content-root", str(root), "--principal", AUTHOR, *args], env=env
    )


def refused(result: Result) -> str:
    """An expected error: exit 1, one line on stderr, no traceback."""
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("kepctl: error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    return result.stderr


def events(kep_dir: Path) -> list[str]:
    """The KEP's event types, oldest first."""
    return [event.event_type for event in keps.open(kep_dir).events]


@pytest.fixture(name="drafted")
def _drafted(root: Path) -> Path:
    """A draft with summary and motivation written, not yet proposed."""
    kep_dir = workflow.init(runtime(root, TARGET), now=T0)
    edit(kep_dir, "summary.md", "motivation.md")
    return kep_dir


class TestKepctl:
    def test_propose_with_pr_prints_the_url(
        self, root: Path, drafted: Path, fake: FakeGitHub
    ) -> None:
        """propose --pr runs the step, opens the pull request and prints its URL."""
        result = kepctl(root, fake, "propose", "--pr", f"{CLI_OWNER}/{CLI_REPO}", TARGET)
        assert result.exit_code == 0, result.output
        url = f"{fake.api_url}/{CLI_OWNER}/{CLI_REPO}/pull/1"
        assert "propose: Dynamic Kubelet Config is draft" in result.stdout
        assert f"pull request: {url}" in result.stdout
        assert keps.open(drafted).associated_prs == (url,)
        [request] = fake.recorded("POST", f"/repos/{CLI_OWNER}/{CLI_REPO}/pulls")
        assert request.body["head"] == f"{LOGIN}:{BRANCH}"

    def test_rejected_token_is_one_line_without_the_token(
        self, root: Path, drafted: Path, fake: FakeGitHub
    ) -> None:
        """A 401 gives exit 1 and one line that keeps the step and says how to retry."""
        bad = "ghp_wrongTOKENwrongTOKEN"
        fake.echo_token = True  # the 401 body repeats the header, as a careless proxy might
        result = kepctl(root, fake, "propose", "--pr", f"{CLI_OWNER}/{CLI_REPO}", TARGET, token=bad)
        line = refused(result)
        assert bad not in result.output
        assert "401" in line
        assert "Authorization: token ***" in line  # echoed by the server, masked by keps
        assert "propose succeeded" in line
        assert f"kepctl pr {TARGET} --pr {CLI_OWNER}/{CLI_REPO}" in line
        assert events(drafted) == ["init", "propose"]
        assert keps.open(drafted).associated_prs == ()

    def test_missing_token_stops_before_the_step(
        self, root: Path, drafted: Path, fake: FakeGitHub
    ) -> None:
        """Without a token nothing changes: the step does not run, no request is made."""
        result = kepctl(root, fake, "propose", "--pr", UPSTREAM, TARGET, token=None)
        assert "GITHUB_TOKEN" in refused(result)
        assert events(drafted) == ["init"]
        assert fake.requests == []

    def test_token_file(self, root: Path, drafted: Path, fake: FakeGitHub, tmp_path: Path) -> None:
        """--token-file is read instead of GITHUB_TOKEN."""
        path = tmp_path / "token"
        path.write_text(TOKEN + "\n")
        path.chmod(0o600)
        result = kepctl(
            root, fake, "propose", "--pr", UPSTREAM, "--token-file", str(path), TARGET, token=None
        )
        assert result.exit_code == 0, result.output
        assert "pull request: " in result.stdout

    def test_bad_upstream_stops_before_the_step(
        self, root: Path, drafted: Path, fake: FakeGitHub
    ) -> None:
        """A --pr that is not OWNER/REPO is refused before the step runs."""
        assert "OWNER/REPO" in refused(kepctl(root, fake, "propose", "--pr", "nope", TARGET))
        assert events(drafted) == ["init"]

    def test_pr_command_for_a_kep_as_it_is(
        self, root: Path, proposed: Path, fake: FakeGitHub
    ) -> None:
        """kepctl pr opens a pull request without running a step."""
        before = events(proposed)
        result = kepctl(root, fake, "pr", TARGET, "--pr", UPSTREAM)
        assert result.exit_code == 0, result.output
        assert result.stdout.strip().endswith(f"{UPSTREAM}/pull/1")
        assert events(proposed) == before
        assert len(keps.open(proposed).associated_prs) == 1

    def test_approve_with_pr_numbers_the_title_and_updates_the_index(
        self, root: Path, proposed: Path, fake: FakeGitHub
    ) -> None:
        """approve --pr: the title carries the new number; keps.yaml stays in step."""
        workflow.accept(runtime(root, TARGET, APPROVER), now=T0)
        workflow.plan(runtime(root, TARGET), now=T0)
        edit(proposed, *GUIDES)
        result = kepctl(root, fake, "approve", "--pr", UPSTREAM, LOCATION)
        assert result.exit_code == 0, result.output
        [request] = fake.recorded("POST", PULLS)
        assert request.body["title"] == "KEP-1: Dynamic Kubelet Config (approved)"
        kep = keps.open(proposed)
        assert len(kep.associated_prs) == 1
        [entry] = [e for e in keps.index.open(root) if e.location == LOCATION]
        assert entry.last_updated == kep.last_updated

    def test_other_steps_have_no_pr_option(self, root: Path, fake: FakeGitHub) -> None:
        """Only propose and approve open pull requests."""
        result = kepctl(root, fake, "accept", "--pr", UPSTREAM, TARGET)
        assert result.exit_code == 2
        assert "No such option" in result.stderr


def test_the_cli_does_not_import_git_or_github() -> None:
    """import keps.cli, and kepctl --help, load neither pygit2 nor PyGithub."""
    code = (
        "import sys\n"
        "import keps.cli\n"
        "try:\n"
        "    keps.cli.cli(['--help'], prog_name='kepctl')\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = [m for m in ('pygit2', 'github', 'keps.porcelain') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
