"""One pull request per KEP with exactly the files its steps changed (issue 14, item 5).

Upstream is a kubernetes/enhancements checkout kept by the GitHub stand-in as a bare
repository; the author's checkout is a real git clone of it, where the steps run through
``keps.workflow.recorded``. What went into each pull request is read from the fork's
bare repository with pygit2: the tree diff of each commit. Nothing reaches the internet.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pygit2
import pytest

import keps
from keps import workflow
from keps.errors import (
    AuthenticationError,
    GitError,
    GitHubError,
    InvalidArgumentError,
    KepError,
    RemoteConflictError,
)
from keps.porcelain import StepPullRequest, kep_changes, open_step_pull_request
from keps.porcelain.step_pull_request import step_body, step_title
from keps.workflow import Changes
from tests.kep_factory import snapshot
from tests.porcelain_server import (
    LOGIN,
    TOKEN,
    UPSTREAM_OWNER,
    UPSTREAM_REPO,
    Answer,
    FakeGitHub,
    exception_texts,
    leaks,
)
from tests.test_reliability_failures import _checkout_base, checkout_runtime
from tests.workflow_helpers import APPROVER, AUTHOR, edit, runtime

NOW = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
UPSTREAM = f"{UPSTREAM_OWNER}/{UPSTREAM_REPO}"
PULLS = f"/repos/{UPSTREAM}/pulls"
TARGET = "sig-node/feature"
KEP = "keps/sig-node/1001-feature"
KEP_YAML = f"{KEP}/kep.yaml"
README = f"{KEP}/README.md"
PRR = "keps/prod-readiness/sig-node/1001.yaml"
BRANCH = "kep-1001-feature"
RETRY = f"kepctl pr {KEP} --pr {UPSTREAM}"


@pytest.fixture(name="fake")
def _fake(tmp_path: Path) -> Iterator[FakeGitHub]:
    """The stand-in, hosting a kubernetes/enhancements checkout (template, KEP 1000, its PRR)."""
    base = tmp_path / "base"
    base.mkdir()
    _checkout_base(base)
    prr = base / "keps" / "prod-readiness" / "sig-storage" / "1000.yaml"
    prr.parent.mkdir(parents=True)
    prr.write_text('kep-number: 1000\nalpha:\n  approver: "@deads2k"\n')
    files = {name: data.decode("utf-8") for name, data in snapshot(base).items()}
    with FakeGitHub(tmp_path / "github") as fake:
        fake.create_repo(UPSTREAM_OWNER, UPSTREAM_REPO, files)
        yield fake


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path, fake: FakeGitHub) -> Path:
    """The author's git clone of upstream: the content root the steps run in."""
    path = tmp_path / "checkout"
    upstream = fake.repo_path(UPSTREAM_OWNER, UPSTREAM_REPO)
    pygit2.clone_repository(str(upstream), str(path)).free()
    return path


def propose(changes: Changes, fake: FakeGitHub, **kwargs: Any) -> StepPullRequest:
    """open_step_pull_request against the stand-in, as alice with the good token."""
    options: dict[str, Any] = {
        "github_handle": LOGIN,
        "token": TOKEN,
        "upstream": UPSTREAM,
        "api_url": fake.api_url,
        "git_url_template": fake.git_url_template,
        "retries": 0,
        "timeout": 5,
        **kwargs,
    }
    return open_step_pull_request(changes, **options)


def create(checkout: Path) -> Changes:
    return workflow.recorded(workflow.create, checkout, TARGET, principal=AUTHOR, now=NOW)[1]


def approve(checkout: Path) -> Changes:
    run = checkout_runtime(checkout, TARGET, APPROVER)
    return workflow.recorded(workflow.approve, run, now=NOW)[1]


def promote(checkout: Path, stage: str, release: str, **kwargs: Any) -> Changes:
    run = checkout_runtime(checkout, TARGET, AUTHOR)
    return workflow.recorded(
        workflow.promote, run, stage=stage, release=release, now=NOW, **kwargs
    )[1]


def fork_commits(fake: FakeGitHub, branch: str = BRANCH) -> list[pygit2.Commit]:
    """The commits of *branch* on alice's fork above upstream's main, oldest first."""
    bare = pygit2.Repository(str(fake.repo_path(LOGIN, UPSTREAM_REPO)))
    main = bare.references["refs/heads/main"].target
    tip = bare.references[f"refs/heads/{branch}"].peel(pygit2.Commit)
    found = []
    while tip.id != main:
        found.append(tip)
        tip = tip.parents[0]
    return found[::-1]


def changed_in(commit: pygit2.Commit) -> set[str]:
    """The paths *commit* changed against its parent: its tree diff."""
    diff = commit.parents[0].tree.diff_to_tree(commit.tree)
    return {patch.delta.new_file.path for patch in diff}


def branch_tip(fake: FakeGitHub, branch: str = BRANCH) -> str | None:
    bare = pygit2.Repository(str(fake.repo_path(LOGIN, UPSTREAM_REPO)))
    ref = bare.references.get(f"refs/heads/{branch}")
    return None if ref is None else str(ref.target)


class TestOnePullRequestPerKep:
    def test_create_opens_a_pull_request_with_exactly_the_new_files(
        self, checkout: Path, fake: FakeGitHub, tmp_path: Path
    ) -> None:
        """kep.yaml and README.md at their upstream paths, on kep-1001-feature, titled."""
        changes = create(checkout)
        before = snapshot(checkout)
        clone = tmp_path / "clone"

        pull = propose(changes, fake, workdir=clone)

        url = f"{fake.api_url}/{UPSTREAM}/pull/1"
        assert pull == StepPullRequest(url, 1, BRANCH, (README, KEP_YAML), opened=True)
        [commit] = fork_commits(fake)
        assert changed_in(commit) == {KEP_YAML, README}
        [request] = fake.recorded("POST", PULLS)
        assert request.body["head"] == f"{LOGIN}:{BRANCH}"
        assert request.body["base"] == "main"
        assert request.body["title"] == "KEP-1001: Feature (new, provisional)"
        body = request.body["body"]
        assert body.startswith('KEP-1001 "Feature" after `create`:')
        assert "- status: provisional" in body
        assert f"- `{KEP_YAML}`" in body
        assert f"- `{README}`" in body
        files = fake.files_on_branch(LOGIN, UPSTREAM_REPO, BRANCH)
        assert files[KEP_YAML] == (checkout / KEP_YAML).read_text()
        assert not clone.exists()
        assert snapshot(checkout) == before  # no associated_prs in kep.yaml, nothing else

    def test_later_steps_update_the_same_pull_request(
        self, checkout: Path, fake: FakeGitHub
    ) -> None:
        """approve, then promote with a PRR approval: one commit each on top, one pull request."""
        propose(create(checkout), fake)

        first = propose(approve(checkout), fake)
        second = propose(promote(checkout, "alpha", "v1.36", prr_approver="wojtek"), fake)

        assert (first.opened, second.opened) == (False, False)
        assert first.url == second.url == f"{fake.api_url}/{UPSTREAM}/pull/1"
        assert len(fake.recorded("POST", PULLS)) == 1
        assert len(fake.recorded("PATCH", f"{PULLS}/1")) == 2
        assert [changed_in(c) for c in fork_commits(fake)] == [
            {KEP_YAML, README},
            {KEP_YAML},
            {KEP_YAML, PRR},
        ]
        assert second.files == (PRR, KEP_YAML)
        [pull] = fake.pulls
        assert pull["title"] == "KEP-1001: Feature (alpha in v1.36)"
        assert "- production readiness approvals: alpha @wojtek" in pull["body"]
        assert "- milestones: alpha v1.36" in pull["body"]
        assert f"- `{PRR}`" in pull["body"]
        assert f"- `{README}`" not in pull["body"]  # this step did not change it
        files = fake.files_on_branch(LOGIN, UPSTREAM_REPO, BRANCH)
        assert files[PRR] == 'kep-number: 1001\nalpha:\n  approver: "@wojtek"\n'

    def test_nothing_else_goes_in(self, checkout: Path, fake: FakeGitHub) -> None:
        """Other local edits (in the KEP folder, another KEP, an index file) stay out."""
        propose(create(checkout), fake)
        (checkout / KEP / "notes.md").write_text("my notes\n")
        (checkout / "keps/sig-storage/1000-unrelated/README.md").write_text("edited\n")
        (checkout / "keps.yaml").write_text("next_kep_number: 1\n")
        edit(checkout / KEP, "README.md")

        pull = propose(approve(checkout), fake)

        assert pull.files == (KEP_YAML,)
        assert changed_in(fork_commits(fake)[-1]) == {KEP_YAML}
        files = fake.files_on_branch(LOGIN, UPSTREAM_REPO, BRANCH)
        assert f"{KEP}/notes.md" not in files
        assert "keps.yaml" not in files

    def test_a_merged_pull_request_is_not_updated(self, checkout: Path, fake: FakeGitHub) -> None:
        """Once the first pull request is closed, the next step opens a new one from main."""
        propose(create(checkout), fake)
        fake.pulls[0]["state"] = "closed"

        pull = propose(approve(checkout), fake)

        assert (pull.opened, pull.number) == (True, 2)
        assert len(fake.recorded("POST", PULLS)) == 2
        [commit] = fork_commits(fake)  # force-pushed from upstream's main
        assert changed_in(commit) == {KEP_YAML}

    def test_a_rerun_with_nothing_new_changes_nothing(
        self, checkout: Path, fake: FakeGitHub
    ) -> None:
        """The same changes again: the open pull request already holds them; no push, no update."""
        changes = create(checkout)
        propose(changes, fake)
        tip = branch_tip(fake)

        again = propose(changes, fake)

        assert (again.opened, again.files, again.number) == (False, (), 1)
        assert branch_tip(fake) == tip
        assert fake.recorded("PATCH", f"{PULLS}/1") == []

    def test_replace_proposes_both_keps(self, checkout: Path, fake: FakeGitHub) -> None:
        """replace changes two kep.yaml files: both go into the replaced KEP's pull request."""
        create(checkout)
        approve(checkout)
        other = "keps/sig-storage/1000-unrelated"
        run = checkout_runtime(checkout, TARGET, AUTHOR)
        _, changes = workflow.recorded(workflow.replace, run, by=other, now=NOW)

        pull = propose(changes, fake)

        assert pull.branch == BRANCH
        assert set(pull.files) == {KEP_YAML, f"{other}/kep.yaml"}  # not README.md: unchanged
        [request] = fake.recorded("POST", PULLS)
        assert request.body["title"] == "KEP-1001: Feature (replaced)"
        assert f"- superseded by: {other}" in request.body["body"]

    def test_the_seed_layout_goes_under_keps_and_records_the_url(
        self, tmp_path: Path, fake: FakeGitHub
    ) -> None:
        """A 2018 KEP: paths under upstream's keps/, keps.yaml left out, the URL recorded."""
        root = tmp_path / "content"
        root.mkdir()
        kep_dir = workflow.init(runtime(root, "sig-node/x"), now=NOW)
        edit(kep_dir, "summary.md", "motivation.md")
        workflow.propose(runtime(root, "sig-node/x"), now=NOW)
        workflow.accept(runtime(root, "sig-node/x", APPROVER), now=NOW)
        workflow.plan(runtime(root, "sig-node/x"), now=NOW)
        edit(
            kep_dir,
            "guides/developer.md",
            "guides/operator.md",
            "guides/teacher.md",
            "graduation_criteria.md",
        )
        _, changes = workflow.recorded(
            workflow.approve, runtime(root, "sig-node/x", APPROVER), now=NOW
        )
        assert changes.index_files == ("keps.yaml",)

        pull = propose(changes, fake)

        location = "sig-node/sig-wide/x"
        assert pull.branch == f"kep-{location.replace('/', '-')}"
        assert pull.files == tuple(sorted(f"keps/{name}" for name in changes.files))
        assert not any(
            "keps.yaml" in name for name in changed_in(fork_commits(fake, pull.branch)[0])
        )
        assert keps.open(kep_dir).associated_prs == (pull.url,)


class TestFailures:
    """A failure after the fork: no clone, no branch without its pull request, the KEP as
    the step left it, and an error that says what to run next (issue 14, item 5)."""

    @pytest.fixture(name="created")
    def _created(self, checkout: Path) -> Changes:
        return create(checkout)

    def fail(
        self,
        changes: Changes,
        fake: FakeGitHub,
        checkout: Path,
        tmp_path: Path,
        kind: type[KepError],
    ) -> str:
        """Propose *changes*, expecting *kind*; check what every failure must leave; the message."""
        before = snapshot(checkout)
        clone = tmp_path / "clone"
        with pytest.raises(kind) as info:
            propose(changes, fake, workdir=clone)
        message = str(info.value)
        assert message.endswith(f"once fixed, run: {RETRY}")
        assert "The KEP's files are as the step left them" in message
        assert not clone.exists()
        assert snapshot(checkout) == before
        for text in exception_texts(info.value):
            assert leaks(text, TOKEN) == []
        return message

    def test_a_refused_push(
        self, created: Changes, checkout: Path, fake: FakeGitHub, tmp_path: Path
    ) -> None:
        """The fork refuses the branch (kep-1001-feature/x is in its way): no pull request."""
        fork = fake.repo_path(LOGIN, UPSTREAM_REPO)
        fork.parent.mkdir(parents=True)
        pygit2.clone_repository(
            str(fake.repo_path(UPSTREAM_OWNER, UPSTREAM_REPO)), str(fork), bare=True
        ).free()
        bare = pygit2.Repository(str(fork))
        bare.create_reference(f"refs/heads/{BRANCH}/x", bare.head.target)
        bare.free()

        message = self.fail(created, fake, checkout, tmp_path, GitError)

        assert f"refused to push {BRANCH}" in message
        assert fake.recorded("POST", PULLS) == []
        assert branch_tip(fake) is None

    @pytest.mark.parametrize(
        ("answer", "kind"),
        [
            (Answer(422, {"message": "Validation Failed"}), RemoteConflictError),
            (Answer(500, {"message": "Server Error"}), GitHubError),
        ],
    )
    def test_pull_request_refused_after_the_push(
        self,
        created: Changes,
        checkout: Path,
        fake: FakeGitHub,
        tmp_path: Path,
        answer: Answer,
        kind: type[GitHubError],
    ) -> None:
        """GitHub refuses the pull request: the pushed branch is deleted from the fork."""
        fake.answers[("POST", PULLS)] = answer

        message = self.fail(created, fake, checkout, tmp_path, kind)

        assert f"the branch {LOGIN}:{BRANCH}" in message
        assert "is deleted" in message
        assert branch_tip(fake) is None
        assert fake.pulls == []

    def test_a_branch_that_cannot_be_put_back_is_named(
        self,
        created: Changes,
        checkout: Path,
        fake: FakeGitHub,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The fork vanishes while the pull request is refused: the error says what is left."""
        answer = fake.respond

        def vanishing_fork(method: str, path: str, *args: Any) -> Answer:
            if (method, path) == ("POST", PULLS):
                shutil.rmtree(fake.repo_path(LOGIN, UPSTREAM_REPO))
                return Answer(500, {"message": "Server Error"})
            return answer(method, path, *args)

        monkeypatch.setattr(fake, "respond", vanishing_fork)

        message = self.fail(created, fake, checkout, tmp_path, GitHubError)

        assert f"The branch {LOGIN}:{BRANCH} on the fork" in message
        assert "could not be put back" in message

    def test_a_stale_branch_is_put_back(
        self, created: Changes, checkout: Path, fake: FakeGitHub, tmp_path: Path
    ) -> None:
        """The fork's branch of an earlier, merged pull request is put back as it was."""
        propose(created, fake)
        fake.pulls[0]["state"] = "closed"
        stale = branch_tip(fake)
        fake.answers[("POST", PULLS)] = Answer(422, {"message": "Validation Failed"})

        message = self.fail(approve(checkout), fake, checkout, tmp_path, RemoteConflictError)

        assert f"put back to {str(stale)[:12]}" in message
        assert branch_tip(fake) == stale

    def test_a_failed_update_puts_the_branch_back(
        self, created: Changes, checkout: Path, fake: FakeGitHub, tmp_path: Path
    ) -> None:
        """GitHub fails to update the open pull request: the new commit leaves the fork."""
        propose(created, fake)
        tip = branch_tip(fake)
        fake.answers[("PATCH", f"{PULLS}/1")] = Answer(500, {"message": "Server Error"})

        self.fail(approve(checkout), fake, checkout, tmp_path, GitHubError)

        assert branch_tip(fake) == tip
        assert fake.pulls[0]["title"] == "KEP-1001: Feature (new, provisional)"

    def test_the_search_fails_before_anything_is_pushed(
        self, created: Changes, checkout: Path, fake: FakeGitHub, tmp_path: Path
    ) -> None:
        fake.answers[("GET", PULLS)] = Answer(500, {"message": "Server Error"})

        message = self.fail(created, fake, checkout, tmp_path, GitHubError)

        assert "look for an open pull request" in message
        assert branch_tip(fake) is None

    def test_a_rejected_token_is_masked(
        self, created: Changes, checkout: Path, fake: FakeGitHub, tmp_path: Path
    ) -> None:
        """A 401 echoing the token: the error shows it masked, and says how to retry."""
        bad = "ghp_wrongTOKENwrongTOKEN"
        fake.echo_token = True
        with pytest.raises(AuthenticationError) as info:
            propose(created, fake, token=bad, workdir=tmp_path / "clone")
        assert bad not in str(info.value)
        assert str(info.value).endswith(f"once fixed, run: {RETRY}")
        for text in exception_texts(info.value):
            assert leaks(text, bad) == []
        assert not (tmp_path / "clone").exists()

    def test_no_log_record_holds_the_token(
        self,
        created: Changes,
        checkout: Path,
        fake: FakeGitHub,
        tmp_path: Path,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """A pull request opened, then an update GitHub refuses quoting the token: the records
        of every logger, and the error, are free of it."""
        caplog.set_level(logging.DEBUG)
        fake.echo_token = True
        propose(created, fake)
        fake.answers[("PATCH", f"{PULLS}/1")] = Answer(500, {"message": f"no {TOKEN}"})
        self.fail(approve(checkout), fake, checkout, tmp_path, GitHubError)
        assert caplog.records
        for record in caplog.records:
            assert leaks(caplog.handler.format(record), TOKEN) == [], record.name

    def test_the_retry_proposes_the_kep_as_it_is(
        self, created: Changes, checkout: Path, fake: FakeGitHub, tmp_path: Path
    ) -> None:
        """After a failure, kep_changes (what kepctl pr proposes) gets the same files in."""
        fake.answers[("POST", PULLS)] = Answer(500, {"message": "Server Error"})
        self.fail(created, fake, checkout, tmp_path, GitHubError)
        del fake.answers[("POST", PULLS)]

        pull = propose(kep_changes(keps.open(checkout / KEP)), fake)

        assert (pull.opened, pull.files) == (True, (README, KEP_YAML))
        [request] = fake.recorded("POST", PULLS)[-1:]
        assert request.body["title"] == "KEP-1001: Feature (provisional)"

    def test_upstream_holding_the_files_already(self, checkout: Path, fake: FakeGitHub) -> None:
        """Nothing differs from upstream: a GitError saying so, nothing pushed, no retry advice."""
        changes = kep_changes(keps.open(checkout / "keps/sig-storage/1000-unrelated"))
        with pytest.raises(GitError, match="nothing to propose") as info:
            propose(changes, fake)
        assert "once fixed" not in str(info.value)
        assert fake.branches(LOGIN, UPSTREAM_REPO) == ["main"]

    def test_no_changes_no_request(self, fake: FakeGitHub, checkout: Path) -> None:
        """A step that changed nothing is refused before anything reaches GitHub."""
        with pytest.raises(InvalidArgumentError, match="nothing to propose"):
            propose(Changes(checkout, "prr_approve", (KEP,), ()), fake)
        assert fake.requests == []


class TestNames:
    def test_title_and_body_per_step(self, checkout: Path) -> None:
        create(checkout)
        approve(checkout)
        promote(checkout, "beta", "v1.37")
        kep = keps.open(checkout / KEP)
        assert step_title(kep, "promote") == "KEP-1001: Feature (beta in v1.37)"
        assert step_title(kep, "prr_approve") == (
            "KEP-1001: Feature (production readiness approval)"
        )
        assert step_title(kep, "implement") == "KEP-1001: Feature (implementable)"
        assert step_body(kep, "", (KEP_YAML,)) == (
            'KEP-1001 "Feature" as it is now:\n\n'
            "- status: implementable\n- stage: beta\n- latest milestone: v1.37\n"
            "- milestones: beta v1.37\n\nFiles changed:\n\n"
            f"- `{KEP_YAML}`\n"
        )

    def test_kep_changes_lists_the_prr_file(self, checkout: Path) -> None:
        create(checkout)
        approve(checkout)
        promote(checkout, "alpha", "v1.36", prr_approver="wojtek")
        changes = kep_changes(keps.open(checkout / KEP))
        assert changes.files == (README, KEP_YAML, PRR)
        assert changes.keps == (KEP,)
