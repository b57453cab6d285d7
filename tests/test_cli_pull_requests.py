"""kepctl --pr on today's steps: one pull request per KEP, exactly the step's files, a
rerun updates it (issue #14, item 5 and its done means), against the GitHub stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keps.cli import cli
from tests.kep_factory import snapshot
from tests.porcelain_server import LOGIN, TOKEN, FakeGitHub
from tests.test_porcelain_step_pull_request import (
    BRANCH,
    KEP_YAML,
    PRR,
    PULLS,
    README,
    UPSTREAM,
    _checkout,  # noqa: F401 - the fixtures, shared
    _fake,  # noqa: F401
    changed_in,
    fork_commits,
)


def kepctl(root: Path, fake: FakeGitHub, principal: str, *args: str) -> Result:
    github = [
        "--pr",
        UPSTREAM,
        "--api-url",
        fake.api_url,
        "--git-url-template",
        fake.git_url_template,
    ]
    return CliRunner().invoke(
        cli,
        ["--content-root", str(root), "--principal", principal, *args, *github],
        env={"GITHUB_TOKEN": TOKEN},
    )


def test_steps_with_pr_share_one_pull_request(checkout: Path, fake: FakeGitHub) -> None:
    created = kepctl(
        checkout, fake, LOGIN, "create", "--name", "feature", "--owning-sig", "sig-node"
    )
    assert created.exit_code == 0, created.output
    assert f"pull request: {fake.api_url}/{UPSTREAM}/pull/1" in created.output
    approved = kepctl(checkout, fake, "arnold", "approve", "sig-node/feature")
    assert approved.exit_code == 0, approved.output
    promoted = kepctl(
        checkout, fake, LOGIN, "promote", "1001", "--stage", "alpha", "--release", "v1.36",
        "--prr-approver", "wojtek",
    )  # fmt: skip
    assert promoted.exit_code == 0, promoted.output
    assert len(fake.recorded("POST", PULLS)) == 1  # one pull request, updated twice
    assert [changed_in(c) for c in fork_commits(fake)] == [
        {KEP_YAML, README},
        {KEP_YAML},
        {KEP_YAML, PRR},
    ]
    [request] = fake.recorded("POST", PULLS)
    assert request.body["head"] == f"{LOGIN}:{BRANCH}"
    [pull] = fake.pulls
    assert pull["title"] == "KEP-1001: Feature (alpha in v1.36)"


def test_a_failed_pull_request_keeps_the_step_and_says_what_to_run(
    checkout: Path, fake: FakeGitHub
) -> None:
    """The step is saved; the one-line error names the retry command; nothing else changed."""
    ok = kepctl(checkout, fake, LOGIN, "create", "--name", "feature", "--owning-sig", "sig-node")
    assert ok.exit_code == 0, ok.output
    before = snapshot(checkout)
    result = CliRunner().invoke(
        cli,
        [
            "--content-root", str(checkout), "--principal", "arnold", "approve", "1001",
            "--pr", UPSTREAM, "--api-url", fake.api_url, "--git-url-template",
            fake.git_url_template,
        ],
        env={"GITHUB_TOKEN": "wrong-token"},
    )  # fmt: skip
    assert result.exit_code == 1
    error = result.stderr.strip().splitlines()
    assert len(error) == 1 and "kepctl pr" in error[0]
    assert "wrong-token" not in result.output + result.stderr
    after = snapshot(checkout)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed == {KEP_YAML}  # the approval, and only it


@pytest.mark.parametrize("typo", [("--stage", "alhpa"), ("--release", "v1.3x")])
def test_a_refused_step_opens_no_pull_request(
    checkout: Path, fake: FakeGitHub, typo: tuple[str, str]
) -> None:
    kepctl(checkout, fake, LOGIN, "create", "--name", "feature", "--owning-sig", "sig-node")
    kepctl(checkout, fake, "arnold", "approve", "1001")
    options = dict([("--stage", "alpha"), ("--release", "v1.36"), typo])
    args = [item for pair in options.items() for item in pair]
    result = kepctl(checkout, fake, LOGIN, "promote", "1001", *args)
    assert result.exit_code == 1
    assert len(fake.recorded("POST", PULLS)) == 1
    assert len(fork_commits(fake)) == 2
