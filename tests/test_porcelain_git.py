"""Tests for keps.porcelain.git: a locked pygit2 clone against local bare repositories."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pygit2
import pytest

from keps.errors import (
    GitError,
    KepExistsError,
    KepNotFoundError,
    LockTimeoutError,
    PathOutsideError,
    UncommittedChangesError,
)
from keps.porcelain import git
from tests.porcelain_server import (
    TOKEN,
    UPSTREAM_FILES,
    FakeGitHub,
    exception_texts,
    files_on_branch,
    free_port,
    leaks,
    make_bare_repo,
)

ANN = git.Signature("Ann Author", "ann@example.com")


@pytest.fixture(name="upstream")
def _upstream(tmp_path: Path) -> Path:
    """A bare repository with a first commit on main, standing for upstream."""
    return make_bare_repo(tmp_path / "upstream.git", UPSTREAM_FILES)


@pytest.fixture(name="fork_repo")
def _fork_repo(tmp_path: Path, upstream: Path) -> Path:
    """A bare clone of upstream, standing for the user's fork."""
    path = tmp_path / "fork.git"
    pygit2.clone_repository(str(upstream), str(path), bare=True).free()
    return path


@pytest.fixture(name="clone")
def _clone(tmp_path: Path, upstream: Path) -> Iterator[git.Repository]:
    """An open clone of upstream."""
    with git.clone(str(upstream), tmp_path / "work") as repo:
        yield repo


class TestClone:
    def test_clone_checks_out_the_default_branch(self, clone: git.Repository) -> None:
        """A clone sits on upstream's default branch with upstream's files."""
        assert clone.current_branch == "main"
        assert clone.default_branch == "main"
        assert (clone.path / "README.md").read_text() == UPSTREAM_FILES["README.md"]
        assert clone.status() == {}

    def test_remote_name_can_be_chosen(self, tmp_path: Path, upstream: Path) -> None:
        """remote= names the remote the clone came from."""
        with git.clone(str(upstream), tmp_path / "w", remote="upstream") as repo:
            assert repo.remotes() == {"upstream": str(upstream)}
            assert repo.default_branch == "main"

    def test_file_url(self, tmp_path: Path, upstream: Path) -> None:
        """A file:// URL clones like a path."""
        with git.clone(upstream.as_uri(), tmp_path / "w") as repo:
            assert repo.current_branch == "main"

    def test_refuses_an_existing_path(self, tmp_path: Path, upstream: Path) -> None:
        """Cloning over an existing folder raises KepExistsError and leaves it alone."""
        target = tmp_path / "taken"
        target.mkdir()
        (target / "mine.txt").write_text("keep me")
        with pytest.raises(KepExistsError, match="already exists") as info:
            git.clone(str(upstream), target)
        assert info.value.path == str(target)
        assert (target / "mine.txt").read_text() == "keep me"

    def test_missing_source(self, tmp_path: Path) -> None:
        """Cloning a path without a repository raises GitError naming it."""
        with pytest.raises(GitError, match="no repository"):
            git.clone(str(tmp_path / "nothing.git"), tmp_path / "w")
        assert not (tmp_path / "w").exists()

    def test_unreachable_url_leaves_nothing_and_masks_the_token(self, tmp_path: Path) -> None:
        """A failed clone removes its folder; a token in the URL is masked in the error."""
        url = f"http://x-access-token:{TOKEN}@127.0.0.1:{free_port()}/o/r.git"
        with pytest.raises(GitError) as info:
            git.clone(url, tmp_path / "w", token=TOKEN)
        assert "cannot clone" in str(info.value)
        for text in exception_texts(info.value):
            assert leaks(text, TOKEN) == []
        assert not (tmp_path / "w").exists()


# A token with characters URL-quoting changes, so quoted and raw echoes differ.
QUOTABLE = "ghp_git/Test+0123=456%789:abc@def"


def _leaky_urls(tmp_path: Path) -> dict[str, str]:
    """Remote URLs holding the token that libgit2 repeats in its error messages.

    libgit2 names the path it could not find; these URLs carry credentials the way an
    https URL does, so its message really holds the token (raw or URL-quoted).
    """
    gone = tmp_path / "gone"
    quoted = quote(QUOTABLE, safe="")
    return {
        "credentials in a file URL": f"file://x-access-token:{quoted}@localhost{gone}/r.git",
        "a quoted token in a file path": f"file://{gone}/x-access-token:{quoted}@/r.git",
    }


def _raw_pygit2_error(url: str, tmp_path: Path) -> BaseException:
    """The error pygit2 itself raises when cloning *url* (the premise of the tests below)."""
    with pytest.raises(pygit2.GitError) as info:
        pygit2.clone_repository(url, str(tmp_path / "raw"))
    return info.value


class TestPygit2ErrorsHoldingTheToken:
    """Issue 18: a pygit2 error whose message holds the URL with the token never stays reachable."""

    @pytest.mark.parametrize("case", ["credentials in a file URL", "a quoted token in a file path"])
    def test_push(self, tmp_path: Path, upstream: Path, case: str) -> None:
        """A failed push names the remote, masked; no exception in the chain shows the token."""
        url = _leaky_urls(tmp_path)[case]
        assert leaks(str(_raw_pygit2_error(url, tmp_path)), QUOTABLE) != []  # the premise
        with git.clone(str(upstream), tmp_path / "w", token=QUOTABLE) as repo:
            repo.set_remote("leaky", url)
            with pytest.raises(GitError, match="cannot push main to leaky") as info:
                repo.push("leaky", "main")
        for text in exception_texts(info.value):
            assert leaks(text, QUOTABLE) == [], text[:300]

    @pytest.mark.parametrize("case", ["credentials in a file URL", "a quoted token in a file path"])
    def test_clone(self, tmp_path: Path, case: str) -> None:
        """A failed clone names the source, masked; no exception in the chain shows the token."""
        url = _leaky_urls(tmp_path)[case]
        assert leaks(str(_raw_pygit2_error(url, tmp_path)), QUOTABLE) != []  # the premise
        with pytest.raises(GitError, match="cannot clone") as info:
            git.clone(url, tmp_path / "w", token=QUOTABLE)
        for text in exception_texts(info.value):
            assert leaks(text, QUOTABLE) == [], text[:300]
        assert not (tmp_path / "w").exists()

    def test_an_error_without_the_token_stays_the_cause(self, tmp_path: Path) -> None:
        """pygit2's own error is kept as the cause when nothing in it shows a token."""
        with pytest.raises(GitError, match="cannot open the clone") as info:
            git.open(tmp_path, QUOTABLE)  # an empty folder: no repository
        assert isinstance(info.value.__cause__, pygit2.GitError)


class TestHttpsAuthentication:
    def test_token_is_sent_as_basic_auth_and_refusal_is_clear(self, tmp_path: Path) -> None:
        """Git sends x-access-token:<token>; a refused token is a GitError without it."""
        with FakeGitHub(tmp_path / "gh") as fake:
            url = f"{fake.api_url}/kubernetes/enhancements.git"
            with pytest.raises(GitError, match="rejected the token") as info:
                git.clone(url, tmp_path / "w", token=TOKEN)
            sent = [r.headers.get("Authorization") for r in fake.requests]
        expected = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
        assert expected in sent
        for text in exception_texts(info.value):
            assert leaks(text, TOKEN) == []

    def test_no_token_when_one_is_asked(self, tmp_path: Path) -> None:
        """A server asking for credentials without a token given says so."""
        with FakeGitHub(tmp_path / "gh") as fake:
            url = f"{fake.api_url}/kubernetes/enhancements.git"
            with pytest.raises(GitError, match="no token was given"):
                git.clone(url, tmp_path / "w")


class TestOpenAndLock:
    def test_second_open_times_out(self, tmp_path: Path, clone: git.Repository) -> None:
        """While one Repository holds a clone, opening it again raises LockTimeoutError."""
        with pytest.raises(LockTimeoutError, match="in use") as info:
            git.open(clone.path, lock_timeout=0.05)
        assert isinstance(info.value, TimeoutError)

    def test_close_releases_the_lock(self, tmp_path: Path, upstream: Path) -> None:
        """After close() (or the with block) the clone opens again."""
        repo = git.clone(str(upstream), tmp_path / "w")
        repo.close()
        repo.close()  # twice is fine
        with git.open(tmp_path / "w", lock_timeout=0.05) as again:
            assert again.current_branch == "main"
        with git.open(tmp_path / "w", lock_timeout=0.05):
            pass

    def test_closed_repository_refuses_work(self, tmp_path: Path, upstream: Path) -> None:
        """A closed Repository raises GitError instead of touching the clone."""
        repo = git.clone(str(upstream), tmp_path / "w")
        repo.close()
        assert repo.closed
        with pytest.raises(GitError, match="closed"):
            repo.status()

    def test_lock_file_stays_out_of_status(self, clone: git.Repository) -> None:
        """The lock lives in .git, so the work tree looks clean."""
        assert (clone.path / ".git" / git.LOCK_FILE_NAME).exists()
        assert clone.status() == {}

    def test_open_missing_folder(self, tmp_path: Path) -> None:
        """Opening a folder that does not exist raises KepNotFoundError."""
        with pytest.raises(KepNotFoundError):
            git.open(tmp_path / "nothing")

    def test_open_plain_folder(self, tmp_path: Path) -> None:
        """Opening a folder that is not a clone raises GitError; parents are not searched."""
        (tmp_path / "plain").mkdir()
        with pytest.raises(GitError, match="cannot open"):
            git.open(tmp_path / "plain")

    def test_open_bare_repository(self, upstream: Path) -> None:
        """A bare repository has no work tree to drive."""
        with pytest.raises(GitError, match="bare"):
            git.open(upstream)


class TestBranchesAndRemotes:
    def test_checkout_creates_from_default_branch(self, clone: git.Repository) -> None:
        """A missing branch is created at the default branch's commit and checked out."""
        clone.checkout("kep-1")
        assert clone.current_branch == "kep-1"
        (clone.path / "x.md").write_text("x")
        clone.add("x.md")
        clone.commit("x", ANN)
        clone.checkout("main")
        assert not (clone.path / "x.md").exists()
        clone.checkout("kep-1")
        assert (clone.path / "x.md").read_text() == "x"

    def test_set_origin_and_set_remote(self, clone: git.Repository, fork_repo: Path) -> None:
        """set_origin repoints origin; set_remote creates or updates any remote."""
        clone.set_remote("upstream", "/somewhere/else.git")
        clone.set_origin(str(fork_repo))
        assert clone.remotes() == {"origin": str(fork_repo), "upstream": "/somewhere/else.git"}

    def test_remotes_mask_the_token(self, tmp_path: Path, upstream: Path) -> None:
        """A token inside a remote URL is masked when listed."""
        with git.clone(str(upstream), tmp_path / "w", token=TOKEN) as repo:
            repo.set_origin(f"https://x-access-token:{TOKEN}@example.invalid/o/r.git")
            assert TOKEN not in repr(repo.remotes())
            assert TOKEN not in repr(repo)


class TestAddStatusCommit:
    def test_status_in_words(self, clone: git.Repository) -> None:
        """status() describes each path in words."""
        (clone.path / "new.md").write_text("n")
        (clone.path / "README.md").write_text("changed")
        assert clone.status() == {"README.md": "modified", "new.md": "untracked"}
        clone.add("new.md")
        clone.add("README.md")
        assert clone.status() == {
            "README.md": "modified (staged)",
            "new.md": "new file (staged)",
        }

    def test_staged_paths_leave_out_the_unstaged(self, clone: git.Repository) -> None:
        """staged_paths(): what a commit would record, not untracked or unstaged files."""
        (clone.path / "new.md").write_text("n")
        (clone.path / "README.md").write_text("changed")
        (clone.path / "same.md").write_text("s")
        assert clone.staged_paths() == ()
        clone.add("new.md")
        clone.add("README.md")
        assert clone.staged_paths() == ("README.md", "new.md")
        assert clone.has_staged_changes()

    def test_add_folder_records_new_and_deleted_files(self, clone: git.Repository) -> None:
        """Adding a folder stages every file below it, deletions included."""
        clone.add(clone.path / "keps")  # absolute paths inside the clone are fine
        (clone.path / "keps" / "README.md").unlink()
        (clone.path / "keps" / "sig-x").mkdir()
        (clone.path / "keps" / "sig-x" / "kep.yaml").write_text("title: x\n")
        clone.add("keps")
        assert clone.status() == {
            "keps/README.md": "deleted (staged)",
            "keps/sig-x/kep.yaml": "new file (staged)",
        }

    def test_commit_author_and_committer(self, clone: git.Repository) -> None:
        """A commit is authored by the given person and committed by keps."""
        (clone.path / "a.md").write_text("a")
        clone.add("a.md")
        oid = clone.commit("Add a", ANN)
        raw = pygit2.Repository(str(clone.path))
        commit = raw[oid].peel(pygit2.Commit)
        assert (commit.author.name, commit.author.email) == (ANN.name, ANN.email)
        assert (commit.committer.name, commit.committer.email) == (
            "keps",
            "keps@users.noreply.github.com",
        )
        assert commit.message == "Add a"
        assert clone.status() == {}

    def test_commit_without_changes_is_refused(self, clone: git.Repository) -> None:
        """Nothing staged means nothing to commit, unless allow_empty."""
        with pytest.raises(GitError, match="nothing to commit"):
            clone.commit("empty", ANN)
        assert len(clone.commit("empty", ANN, allow_empty=True)) == 40

    @pytest.mark.parametrize("path", ["../outside.md", "/etc/passwd", ".git/config"])
    def test_add_outside_the_clone(self, clone: git.Repository, path: str) -> None:
        """Paths that leave the work tree (or enter .git) raise PathOutsideError."""
        with pytest.raises(PathOutsideError):
            clone.add(path)

    def test_add_through_a_symlinked_folder(self, tmp_path: Path, clone: git.Repository) -> None:
        """A path through a symlink to a folder outside the clone is refused."""
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "f.md").write_text("f")
        (clone.path / "link").symlink_to(outside)
        with pytest.raises(PathOutsideError):
            clone.add("link/f.md")

    def test_add_missing_file(self, clone: git.Repository) -> None:
        """Adding a path that is neither on disk nor tracked raises KepNotFoundError."""
        with pytest.raises(KepNotFoundError):
            clone.add("ghost.md")

    def test_signature_is_validated(self) -> None:
        """Names and emails are single non-empty lines."""
        with pytest.raises(ValueError, match="name"):
            git.Signature("", "a@b")
        with pytest.raises(ValueError, match="email"):
            git.Signature("A", "a@b\n")
        assert git.Signature.for_github_handle("alice").email == ("alice@users.noreply.github.com")


class TestPush:
    def test_push_force_pushes_the_branch(self, clone: git.Repository, fork_repo: Path) -> None:
        """push sends the branch to the remote, overwriting what was there."""
        clone.set_origin(str(fork_repo))
        clone.checkout("kep-1")
        (clone.path / "a.md").write_text("first")
        clone.add("a.md")
        clone.commit("first", ANN)
        clone.push("origin", "kep-1", "kep-1")
        assert files_on_branch(fork_repo, "kep-1")["a.md"] == "first"
        # Rewrite history: a fresh branch with other content replaces the pushed one.
        clone.checkout("main")
        clone.checkout("kep-2")
        (clone.path / "b.md").write_text("second")
        clone.add("b.md")
        clone.commit("second", ANN)
        clone.push("origin", "kep-2", "kep-1")
        files = files_on_branch(fork_repo, "kep-1")
        assert "a.md" not in files
        assert files["b.md"] == "second"

    def test_unforced_push_of_rewritten_history_is_refused(
        self, clone: git.Repository, fork_repo: Path
    ) -> None:
        """Without force, a non-fast-forward push raises GitError."""
        clone.set_origin(str(fork_repo))
        clone.checkout("kep-1")
        (clone.path / "a.md").write_text("a")
        clone.add("a.md")
        clone.commit("a", ANN)
        clone.push("origin", "kep-1")
        clone.checkout("main")
        clone.checkout("other")
        (clone.path / "b.md").write_text("b")
        clone.add("b.md")
        clone.commit("b", ANN)
        with pytest.raises(GitError):
            clone.push("origin", "other", "kep-1", force=False)
        assert "a.md" in files_on_branch(fork_repo, "kep-1")

    @pytest.mark.parametrize("staged", [True, False])
    def test_push_with_uncommitted_changes_is_refused(
        self, clone: git.Repository, fork_repo: Path, staged: bool
    ) -> None:
        """Staged or untracked changes block the push, naming the files."""
        clone.set_origin(str(fork_repo))
        clone.checkout("kep-1")
        (clone.path / "pending.md").write_text("p")
        if staged:
            clone.add("pending.md")
        with pytest.raises(UncommittedChangesError, match=r"pending\.md") as info:
            clone.push("origin", "kep-1", "kep-1")
        assert "commit them first" in str(info.value)
        assert "kep-1" not in files_on_branch_names(fork_repo)

    def test_push_to_unknown_remote_or_branch(self, clone: git.Repository) -> None:
        """Unknown remotes and branches are named in the error."""
        with pytest.raises(GitError, match="no such remote"):
            clone.push("nowhere", "main")
        with pytest.raises(GitError, match="no such branch"):
            clone.push("origin", "ghost")

    def test_a_refused_reference_is_a_git_error(
        self, clone: git.Repository, fork_repo: Path
    ) -> None:
        """A remote that refuses the reference (kep-1/x is in the way) raises GitError with why."""
        bare = pygit2.Repository(str(fork_repo))
        bare.create_reference("refs/heads/kep-1/x", bare.head.target)
        bare.free()
        clone.set_origin(str(fork_repo))
        clone.checkout("kep-1")
        with pytest.raises(GitError, match="refused to push kep-1: refs/heads/kep-1"):
            clone.push("origin", "kep-1")


class TestContinueAndPutBack:
    """fetch_branch, reset_to and put_back_branch: continue a fork's branch, or undo a push."""

    def _commit_on(self, clone: git.Repository, branch: str, name: str) -> str:
        clone.checkout(branch)
        (clone.path / name).write_text(name)
        clone.add(name)
        return clone.commit(name, ANN)

    def test_fetch_and_continue_a_branch(self, clone: git.Repository, fork_repo: Path) -> None:
        """A fresh clone fetches the fork's branch, resets onto it, and adds a commit on top."""
        clone.set_origin(str(fork_repo))
        first = self._commit_on(clone, "kep-1", "a.md")
        clone.push("origin", "kep-1")
        clone.checkout("main")
        clone.checkout("kep-2")
        assert clone.fetch_branch("origin", "kep-1") == first
        clone.reset_to(first)
        assert (clone.path / "a.md").read_text() == "a.md"
        self._commit_on(clone, "kep-2", "b.md")
        clone.push("origin", "kep-2", "kep-1", force=False)  # a fast-forward
        assert set(files_on_branch(fork_repo, "kep-1")) >= {"a.md", "b.md"}

    def test_fetch_of_a_missing_branch_is_none(
        self, clone: git.Repository, fork_repo: Path
    ) -> None:
        clone.set_origin(str(fork_repo))
        assert clone.fetch_branch("origin", "no-such-branch") is None

    def test_reset_refuses_to_discard_changes(self, clone: git.Repository) -> None:
        (clone.path / "pending.md").write_text("p")
        with pytest.raises(UncommittedChangesError, match=r"pending\.md"):
            clone.reset_to(str(clone.fetch_branch("origin", "main")))
        assert (clone.path / "pending.md").read_text() == "p"

    def test_put_back_a_branch_that_was_there(self, clone: git.Repository, fork_repo: Path) -> None:
        """put_back_branch force-pushes the commit the branch had before."""
        clone.set_origin(str(fork_repo))
        before = self._commit_on(clone, "kep-1", "a.md")
        clone.push("origin", "kep-1")
        assert clone.fetch_branch("origin", "kep-1") == before
        self._commit_on(clone, "kep-1", "b.md")
        clone.push("origin", "kep-1")
        clone.put_back_branch("origin", "kep-1", before)
        assert set(files_on_branch(fork_repo, "kep-1")) == {*UPSTREAM_FILES, "a.md"}
        raw = pygit2.Repository(str(clone.path))
        assert not any(ref.startswith("refs/keps/") for ref in raw.references)
        raw.free()

    def test_put_back_a_branch_that_was_not_there(
        self, clone: git.Repository, fork_repo: Path
    ) -> None:
        """With no commit before, put_back_branch deletes the branch."""
        clone.set_origin(str(fork_repo))
        self._commit_on(clone, "kep-1", "a.md")
        clone.push("origin", "kep-1")
        clone.put_back_branch("origin", "kep-1", None)
        assert "kep-1" not in files_on_branch_names(fork_repo)


def files_on_branch_names(path: Path) -> list[str]:
    """The branch names of the bare repository at *path*."""
    raw = pygit2.Repository(str(path))
    try:
        return list(raw.branches.local)
    finally:
        raw.free()
