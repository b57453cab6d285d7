"""An author and a PRR approver on a git checkout of kubernetes/enhancements, all through
kepctl (issue #14, done means).

create -> implementable -> promote alpha v1.36 with a PRR approval -> promote beta
v1.37 -> promote stable v1.38 -> implemented. After each step ``validate --level
kepval`` is clean and ``git diff`` shows only the lines that step should change.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pygit2
import pytest
from click.testing import CliRunner

from keps.cli import cli
from tests.conftest import CORPUS
from tests.corpus_checkout import restore_dropped_owners

pytestmark = pytest.mark.corpus

KEP = "keps/sig-node/6179-my-feature"
PRR = "keps/prod-readiness/sig-node/6179.yaml"


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> Path:
    if not CORPUS.is_dir():
        pytest.skip(
            f"needs the shared KEP corpus at {CORPUS} (absent in a fresh clone; present in CI)"
        )
    root = tmp_path / "enhancements"
    shutil.copytree(CORPUS / "enhancements-2026", root)
    restore_dropped_owners(root)  # what the corpus copy left out (see corpus_checkout)
    repo = pygit2.init_repository(str(root))
    _commit(repo, "the checkout")
    return root


def _commit(repo: pygit2.Repository, message: str) -> None:
    repo.index.add_all()
    repo.index.write()
    tree = repo.index.write_tree()
    who = pygit2.Signature("Test", "test@example.com")
    parents = [] if repo.head_is_unborn else [repo.head.target]
    repo.create_commit("HEAD", who, who, message, tree, parents)


def _changes(root: Path) -> dict[str, list[str]]:
    """What changed since the last commit: {path: [changed lines, - and +]}, then commit."""
    repo = pygit2.Repository(str(root))
    repo.index.add_all()
    repo.index.write()
    diff = repo.head.peel(pygit2.Tree).diff_to_index(repo.index)
    out: dict[str, list[str]] = {}
    for patch in diff:
        lines = [
            f"{line.origin}{line.content.rstrip()}"
            for hunk in patch.hunks
            for line in hunk.lines
            if line.origin in "+-"
        ]
        out[patch.delta.new_file.path] = lines
    _commit(repo, "a step")
    return out


def kepctl(root: Path, principal: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--content-root", str(root), "--principal", principal, *args])
    assert result.exit_code == 0, result.output
    return result.output


def _kepval_is_clean(root: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--content-root", str(root), "validate", "--level", "kepval", "--output", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []


def test_create_promote_and_implement_with_prr(checkout: Path) -> None:
    out = kepctl(
        checkout, "alice", "create", "--name", "my-feature", "--owning-sig", "sig-node",
        "--title", "My Feature", "--approvers", "@mrunalp", "--reviewers", "@haircommander",
    )  # fmt: skip
    assert KEP in out
    created = _changes(checkout)
    assert set(created) == {f"{KEP}/kep.yaml", f"{KEP}/README.md"}
    assert "+status: provisional" in created[f"{KEP}/kep.yaml"]
    _kepval_is_clean(checkout)

    kepctl(checkout, "mrunalp", "approve", "sig-node/my-feature")
    assert _changes(checkout) == {
        f"{KEP}/kep.yaml": ["-status: provisional", "+status: implementable"]
    }

    kepctl(
        checkout, "alice", "promote", "sig-node/my-feature",
        "--stage", "alpha", "--release", "v1.36", "--prr-approver", "@johnbelamaric",
    )  # fmt: skip
    alpha = _changes(checkout)
    assert set(alpha) == {f"{KEP}/kep.yaml", PRR}
    assert sorted(alpha[f"{KEP}/kep.yaml"]) == sorted(
        ["+stage: alpha", '+latest-milestone: "v1.36"', "+milestone:", '+  alpha: "v1.36"']
        + [line for line in alpha[f"{KEP}/kep.yaml"] if "last-updated" in line]
    )
    assert alpha[PRR] == ["+kep-number: 6179", "+alpha:", '+  approver: "@johnbelamaric"']
    _kepval_is_clean(checkout)

    kepctl(checkout, "alice", "promote", "6179", "--stage", "beta", "--release", "v1.37")
    kepctl(checkout, "johnbelamaric", "prr", "approve", "6179")
    beta = _changes(checkout)
    assert set(beta) == {f"{KEP}/kep.yaml", PRR}
    assert "-stage: alpha" in beta[f"{KEP}/kep.yaml"] and "+stage: beta" in beta[f"{KEP}/kep.yaml"]
    assert beta[PRR] == ["+beta:", '+  approver: "@johnbelamaric"']
    _kepval_is_clean(checkout)

    pending = kepctl(checkout, "alice", "prr", "pending", "--output", "json")
    assert "6179" not in pending

    kepctl(checkout, "alice", "promote", "6179", "--stage", "stable", "--release", "v1.38")
    pending = json.loads(kepctl(checkout, "alice", "prr", "pending", "--output", "json"))
    assert [r["kep_number"] for r in pending if r["kep_number"] == 6179] == [6179]
    kepctl(checkout, "johnbelamaric", "prr", "approve", "6179", "--stage", "stable")
    kepctl(checkout, "mrunalp", "implement", "6179")
    final = _changes(checkout)
    assert "+status: implemented" in final[f"{KEP}/kep.yaml"]
    assert "+stable:" in final[PRR]
    _kepval_is_clean(checkout)


@pytest.mark.parametrize(
    "args",
    [
        ("create", "--name", "typo", "--owning-sig", "sig-nodes"),
        ("create", "--name", "typo", "--owning-sig", "sig-node", "--stage", "alhpa"),
        ("promote", "1287", "--stage", "alpha", "--release", "v1.40"),  # implemented: no
        ("promote", "2053", "--stage", "beta", "--release", "v1.3x"),
    ],
)
def test_every_refusal_leaves_the_checkout_unchanged(checkout: Path, args: tuple[str, ...]) -> None:
    result = CliRunner().invoke(
        cli, ["--content-root", str(checkout), "--principal", "alice", *args]
    )
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert _changes(checkout) == {}
