"""Tests for keps.porcelain.hermetic: fork, add, pull request and clean-up, end to end."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import keps.porcelain
from keps.errors import (
    AuthenticationError,
    GitError,
    KepError,
    KepExistsError,
    KepNotFoundError,
    PathOutsideError,
    RemoteConflictError,
    RemoteNotFoundError,
    UncommittedChangesError,
)
from keps.porcelain import git, hermetic
from keps.porcelain.auth import token_from_file
from tests.porcelain_server import (
    LOGIN,
    TOKEN,
    UPSTREAM_FILES,
    UPSTREAM_OWNER,
    UPSTREAM_REPO,
    FakeGitHub,
    serve,
)

BRANCH = "kep-1234-provisional"
FORK_PATH = f"/repos/{LOGIN}/{UPSTREAM_REPO}"


@pytest.fixture(name="fake")
def _fake(tmp_path: Path) -> Iterator[FakeGitHub]:
    """A running GitHub stand-in hosting kubernetes/enhancements."""
    with serve(tmp_path / "github") as fake:
        yield fake


@pytest.fixture(name="make_repo")
def _make_repo(tmp_path: Path, fake: FakeGitHub) -> Iterator[Callable[..., hermetic.Repo]]:
    """Builds hermetic repos against the stand-in; closes them all at the end."""
    made: list[hermetic.Repo] = []

    def make(token: object = TOKEN, location: Path | None = None) -> hermetic.Repo:
        repo = hermetic.fork(
            LOGIN,
            token,  # type: ignore[arg-type]
            UPSTREAM_OWNER,
            UPSTREAM_REPO,
            location or tmp_path / "clone",
            BRANCH,
            api_url=fake.api_url,
            git_url_template=fake.git_url_template,
            timeout=2,
            retries=0,
            lock_timeout=0.05,
        )
        made.append(repo)
        return repo

    yield make
    for repo in made:
        repo.close()


@pytest.fixture(name="repo")
def _repo(make_repo: Callable[..., hermetic.Repo]) -> hermetic.Repo:
    """A hermetic repo: fork made, upstream cloned, branch checked out."""
    return make_repo()


@pytest.fixture(name="kep_dir")
def _kep_dir(tmp_path: Path) -> Path:
    """A KEP folder outside the clone, with a nested file."""
    folder = tmp_path / "work" / "1234-x"
    (folder / "img").mkdir(parents=True)
    (folder / "README.md").write_text("# KEP-1234\n")
    (folder / "kep.yaml").write_text("title: X\nkep-number: 1234\n")
    (folder / "img" / "flow.txt").write_text("a -> b\n")
    return folder


class TestFork:
    def test_sets_up_remotes_and_branch(self, repo: hermetic.Repo, fake: FakeGitHub) -> None:
        """upstream is the upstream repo, origin the fork, and the new branch is out."""
        assert repo.clone.remotes() == {
            "upstream": str(fake.repo_path(UPSTREAM_OWNER, UPSTREAM_REPO)),
            "origin": str(fake.repo_path(LOGIN, UPSTREAM_REPO)),
        }
        assert repo.clone.current_branch == BRANCH
        assert repo.routing.head == f"{LOGIN}:{BRANCH}"
        assert (repo.path / "README.md").read_text() == UPSTREAM_FILES["README.md"]
        assert fake.exists(LOGIN, UPSTREAM_REPO)

    def test_refuses_an_existing_location_before_any_request(
        self, tmp_path: Path, fake: FakeGitHub, make_repo: Callable[..., hermetic.Repo]
    ) -> None:
        """An existing target folder raises KepExistsError and no fork is made."""
        taken = tmp_path / "taken"
        taken.mkdir()
        with pytest.raises(KepExistsError, match="already exists"):
            make_repo(location=taken)
        assert fake.requests == []

    def test_bad_token_leaves_nothing_behind(
        self, tmp_path: Path, make_repo: Callable[..., hermetic.Repo]
    ) -> None:
        """A rejected token raises AuthenticationError before anything is cloned."""
        with pytest.raises(AuthenticationError):
            make_repo(token="ghp_not_the_token")
        assert not (tmp_path / "clone").exists()

    def test_token_from_a_file(
        self, tmp_path: Path, make_repo: Callable[..., hermetic.Repo]
    ) -> None:
        """A token provider works wherever a token does."""
        path = tmp_path / "token"
        path.write_text(TOKEN + "\n")
        path.chmod(0o600)
        assert make_repo(token=token_from_file(path)).branch == BRANCH

    def test_the_clone_is_locked(self, repo: hermetic.Repo) -> None:
        """While the Repo lives, nobody else can open its clone."""
        with pytest.raises(keps.errors.LockTimeoutError):
            git.open(repo.path, lock_timeout=0.05)


class TestAdd:
    def test_add_file_creates_folders(self, repo: hermetic.Repo, tmp_path: Path) -> None:
        """A file lands at the given path, with missing folders created, and is staged."""
        source = tmp_path / "kep.yaml"
        source.write_text("title: X\n")
        landed = repo.add(source, "keps/sig-node/1234-x/kep.yaml")
        assert landed.read_text() == "title: X\n"
        assert repo.clone.status() == {"keps/sig-node/1234-x/kep.yaml": "new file (staged)"}

    def test_add_folder_copies_the_tree(self, repo: hermetic.Repo, kep_dir: Path) -> None:
        """A folder is copied with everything below it."""
        repo.add(kep_dir, "keps/sig-node/1234-x")
        assert set(repo.clone.status()) == {
            "keps/sig-node/1234-x/README.md",
            "keps/sig-node/1234-x/kep.yaml",
            "keps/sig-node/1234-x/img/flow.txt",
        }

    def test_add_replaces_an_existing_file(self, repo: hermetic.Repo, tmp_path: Path) -> None:
        """Adding over an upstream file replaces its content."""
        source = tmp_path / "README.md"
        source.write_text("new readme\n")
        repo.add(source, "README.md")
        assert repo.clone.status() == {"README.md": "modified (staged)"}

    @pytest.mark.parametrize(
        "target",
        [
            "../outside.md",  # climbs out
            "keps/../../outside.md",  # climbs out from inside
            "/tmp/absolute.md",  # absolute
            ".git/hooks/pre-commit",  # into git's own folder
            ".",  # the clone itself
        ],
    )
    def test_paths_that_leave_the_repository(
        self, repo: hermetic.Repo, tmp_path: Path, target: str
    ) -> None:
        """Targets outside the work tree raise PathOutsideError and write nothing."""
        source = tmp_path / "f.md"
        source.write_text("f")
        with pytest.raises(PathOutsideError) as info:
            repo.add(source, target)
        assert target in str(info.value)
        assert not (tmp_path / "outside.md").exists()
        assert repo.clone.status() == {}

    def test_symlinked_folder_pointing_outside(self, repo: hermetic.Repo, tmp_path: Path) -> None:
        """A target through a symlink that leaves the clone is refused."""
        outside = tmp_path / "elsewhere"
        outside.mkdir()
        (repo.path / "link").symlink_to(outside)
        source = tmp_path / "f.md"
        source.write_text("f")
        with pytest.raises(PathOutsideError, match="leaves the repository"):
            repo.add(source, "link/f.md")
        assert not (outside / "f.md").exists()

    def test_symlinked_file_pointing_outside(self, repo: hermetic.Repo, tmp_path: Path) -> None:
        """A target that is itself a symlink out of the clone is refused, not written through."""
        victim = tmp_path / "victim.txt"
        victim.write_text("untouched")
        (repo.path / "trap.md").symlink_to(victim)
        source = tmp_path / "f.md"
        source.write_text("f")
        with pytest.raises(PathOutsideError):
            repo.add(source, "trap.md")
        assert victim.read_text() == "untouched"

    def test_folder_copy_into_symlink_inside_tree(
        self, repo: hermetic.Repo, kep_dir: Path, tmp_path: Path
    ) -> None:
        """A symlink deeper in the target tree pointing outside stops a folder copy."""
        outside = tmp_path / "elsewhere"
        outside.mkdir()
        (repo.path / "keps" / "x").mkdir(parents=True)
        (repo.path / "keps" / "x" / "img").symlink_to(outside)
        with pytest.raises(PathOutsideError):
            repo.add(kep_dir, "keps/x")
        assert list(outside.iterdir()) == []

    def test_folder_into_itself(self, repo: hermetic.Repo) -> None:
        """Copying a folder of the clone into itself is refused instead of looping."""
        with pytest.raises(PathOutsideError, match="into itself"):
            repo.add(repo.path / "keps", "keps/copy")

    def test_missing_source(self, repo: hermetic.Repo, tmp_path: Path) -> None:
        """A source that does not exist raises KepNotFoundError."""
        with pytest.raises(KepNotFoundError):
            repo.add(tmp_path / "ghost", "ghost")


class TestCreatePr:
    def test_whole_flow(self, repo: hermetic.Repo, fake: FakeGitHub, kep_dir: Path) -> None:
        """The fork's branch holds upstream plus exactly the added files; the PR is opened."""
        repo.add(kep_dir, "keps/sig-node/1234-x")
        url = repo.create_pr("KEP-1234: provisional", "Ready for review.")
        assert url == f"{fake.api_url}/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/pull/1"
        assert fake.files_on_branch(LOGIN, UPSTREAM_REPO, BRANCH) == {
            **UPSTREAM_FILES,
            "keps/sig-node/1234-x/README.md": "# KEP-1234\n",
            "keps/sig-node/1234-x/kep.yaml": "title: X\nkep-number: 1234\n",
            "keps/sig-node/1234-x/img/flow.txt": "a -> b\n",
        }
        # upstream itself is untouched: the change travels through the fork
        assert fake.files_on_branch(UPSTREAM_OWNER, UPSTREAM_REPO, "main") == UPSTREAM_FILES
        (pull,) = fake.recorded("POST", f"/repos/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/pulls")
        assert pull.body["head"] == f"{LOGIN}:{BRANCH}"
        assert pull.body["base"] == "main"
        assert pull.body["maintainer_can_modify"] is True
        commit = fake.commit_on_branch(LOGIN, UPSTREAM_REPO, BRANCH)
        assert commit.author.email == f"{LOGIN}@users.noreply.github.com"
        assert commit.committer.name == "keps"
        assert commit.message.startswith("KEP-1234: provisional\n\nReady for review.")

    def test_second_call_updates_the_same_pull_request(
        self, repo: hermetic.Repo, fake: FakeGitHub, tmp_path: Path
    ) -> None:
        """After more adds, create_pr pushes again and returns the same URL."""
        first = tmp_path / "a.md"
        first.write_text("a")
        repo.add(first, "a.md")
        url = repo.create_pr("t", "b")
        second = tmp_path / "b.md"
        second.write_text("b")
        repo.add(second, "b.md")
        assert repo.create_pr("t", "b") == url
        assert repo.create_pr("t", "b") == url
        files = fake.files_on_branch(LOGIN, UPSTREAM_REPO, BRANCH)
        assert (files["a.md"], files["b.md"]) == ("a", "b")
        assert len(fake.pulls) == 1

    def test_nothing_added(self, repo: hermetic.Repo, fake: FakeGitHub) -> None:
        """A pull request without changes is refused before anything is pushed."""
        with pytest.raises(GitError, match="nothing to propose"):
            repo.create_pr("t", "b")
        assert BRANCH not in fake.branches(LOGIN, UPSTREAM_REPO)

    def test_files_written_but_not_added(
        self, repo: hermetic.Repo, fake: FakeGitHub, tmp_path: Path
    ) -> None:
        """A file dropped into the clone without add() blocks the push by name."""
        source = tmp_path / "a.md"
        source.write_text("a")
        repo.add(source, "a.md")
        (repo.path / "stray.md").write_text("stray")
        with pytest.raises(UncommittedChangesError, match=r"stray\.md"):
            repo.create_pr("t", "b")
        assert BRANCH not in fake.branches(LOGIN, UPSTREAM_REPO)

    def test_existing_pull_request(
        self, repo: hermetic.Repo, fake: FakeGitHub, tmp_path: Path
    ) -> None:
        """A pull request opened elsewhere for the same branch is a RemoteConflictError."""
        fake.pulls.append(
            {
                "owner": UPSTREAM_OWNER,
                "repo": UPSTREAM_REPO,
                "head": f"{LOGIN}:{BRANCH}",
                "base": "main",
                "number": 7,
            }
        )
        source = tmp_path / "a.md"
        source.write_text("a")
        repo.add(source, "a.md")
        with pytest.raises(RemoteConflictError, match="already exists"):
            repo.create_pr("t", "b")


class TestCleanUp:
    def test_delete_local_twice(self, repo: hermetic.Repo) -> None:
        """delete_local removes the clone and releases it; again is a no-op."""
        repo.delete_local()
        assert not repo.path.exists()
        repo.delete_local()

    def test_delete_remote_twice(self, repo: hermetic.Repo, fake: FakeGitHub) -> None:
        """delete_remote deletes the fork once; the second call sends nothing."""
        repo.delete_remote()
        assert not fake.exists(LOGIN, UPSTREAM_REPO)
        repo.delete_remote()
        assert len(fake.recorded("DELETE", FORK_PATH)) == 1

    def test_delete_remote_when_already_gone(self, repo: hermetic.Repo, fake: FakeGitHub) -> None:
        """A fork deleted elsewhere counts as deleted."""
        fake.answers[("DELETE", FORK_PATH)] = (404, {"message": "Not Found"})
        repo.delete_remote()
        repo.delete_remote()
        assert len(fake.recorded("DELETE", FORK_PATH)) == 1

    def test_delete_local_then_remote_after_a_pull_request(
        self, repo: hermetic.Repo, fake: FakeGitHub, tmp_path: Path
    ) -> None:
        """The full cycle ends with neither clone nor fork."""
        source = tmp_path / "a.md"
        source.write_text("a")
        repo.add(source, "a.md")
        repo.create_pr("t", "b")
        repo.delete_local()
        repo.delete_remote()
        assert not repo.path.exists()
        assert not fake.exists(LOGIN, UPSTREAM_REPO)


class TestTokenNeverLeaks:
    def test_no_log_line_message_or_repr_holds_the_token(
        self,
        tmp_path: Path,
        fake: FakeGitHub,
        make_repo: Callable[..., hermetic.Repo],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """Through a whole flow and every error, even echoed ones, the token never shows."""
        caplog.set_level(logging.DEBUG)
        fake.echo_token = True
        errors: list[BaseException] = []

        def expect(kind: type[KepError], action: Callable[[], object]) -> None:
            with pytest.raises(kind) as info:
                action()
            errors.append(info.value)

        bad = "ghp_bad_token_0123456789"
        expect(AuthenticationError, lambda: make_repo(token=bad, location=tmp_path / "b"))

        repo = make_repo()
        source = tmp_path / "a.md"
        source.write_text("a")
        expect(PathOutsideError, lambda: repo.add(source, "../a.md"))
        repo.add(source, "a.md")
        (repo.path / "stray.md").write_text("s")
        expect(UncommittedChangesError, lambda: repo.create_pr("t", "b"))
        (repo.path / "stray.md").unlink()
        # GitHub answers every write with an error that quotes the token back
        pulls = f"/repos/{UPSTREAM_OWNER}/{UPSTREAM_REPO}/pulls"
        for status, kind in (
            (401, AuthenticationError),
            (403, keps.errors.PermissionDeniedError),
            (404, RemoteNotFoundError),
            (422, RemoteConflictError),
            (500, keps.errors.GitHubError),
        ):
            fake.answers[("POST", pulls)] = (status, {"message": f"no, {TOKEN}"})
            expect(kind, lambda: repo.create_pr("t", "b"))
        del fake.answers[("POST", pulls)]
        url = repo.create_pr("t", "b")
        # git errors that echo a URL holding the token
        repo.clone.set_remote("leaky", f"http://x-access-token:{TOKEN}@127.0.0.1:1/o/r.git")
        expect(GitError, lambda: repo.clone.push("leaky", BRANCH))
        expect(
            GitError,
            lambda: git.clone(f"{fake.api_url}/o/r.git?t={TOKEN}", tmp_path / "c2", token=TOKEN),
        )
        repo.delete_remote()
        repo.delete_local()

        texts = [r.getMessage() for r in caplog.records]
        texts += [str(e) for e in errors] + [repr(e) for e in errors]
        texts += ["".join(traceback.format_exception(e)) for e in errors]
        texts += [repr(repo), repr(repo.clone), url]
        assert len(errors) == 10
        assert any("POST" in t for t in texts)  # PyGithub's own debug lines were captured
        for text in texts:
            assert TOKEN not in text
            assert bad not in text


def test_import_keps_does_not_import_porcelain() -> None:
    """The core library never pulls in pygit2 or PyGithub through porcelain."""
    import subprocess
    import sys

    code = "import sys, keps; print('keps.porcelain' in sys.modules, 'pygit2' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]
