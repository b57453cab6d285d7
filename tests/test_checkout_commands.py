"""A git checkout of kubernetes/enhancements, used from inside with no flags (issue #13).

The checkout is the 2026 corpus made into a git repository with pygit2, plus a
``pkg/repo/testdata`` tree of kep.yaml fixtures as upstream has. Every command runs from
inside it with no --content-root; after each one ``git status`` must be clean: locks,
journals and the index cache live in the git directory or the user cache, never in the
tree, and a checkout gets no keps.yaml.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pygit2
import pytest
import yaml
from click.testing import CliRunner

import keps.index
from keps.cli import cli
from tests.conftest import CORPUS
from tests.corpus_checkout import restore_dropped_owners

pytestmark = pytest.mark.corpus

FIXTURE = """\
title: A test fixture, not a KEP
kep-number: 9999
authors: ["@fixture"]
owning-sig: sig-xyz
status: implementable
approvers: ["@fixture"]
"""


@pytest.fixture(name="checkout", scope="module")
def _checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made once for the module: the commands below must leave it as it is anyway."""
    if not CORPUS.is_dir():
        pytest.skip(
            f"needs the shared KEP corpus at {CORPUS} (absent in a fresh clone; present in CI)"
        )
    root = tmp_path_factory.mktemp("git") / "enhancements"
    shutil.copytree(CORPUS / "enhancements-2026", root)
    restore_dropped_owners(root)  # as upstream has them: kepval passes
    for name in ("valid", "invalid"):
        fixture = root / "pkg" / "repo" / "testdata" / name / "kep-9999"
        fixture.mkdir(parents=True)
        (fixture / "kep.yaml").write_text(FIXTURE)
    repo = pygit2.init_repository(str(root))
    repo.index.add_all()
    repo.index.write()
    tree = repo.index.write_tree()
    author = pygit2.Signature("Test", "test@example.com")
    repo.create_commit("HEAD", author, author, "the corpus", tree, [])
    return root


def _status(root: Path) -> dict[str, int]:
    return pygit2.Repository(str(root)).status()


COMMANDS = [
    ("show", "1287"),
    ("show", "sig-node/1287-in-place-update-pod-resources"),
    ("show", "sig-node/in-place-update-pod-resources", "--output", "json"),
    ("check", "1287"),
    ("query", "--sig", "sig-node", "--output", "json"),
    ("query", "stage:beta", "--output", "csv"),
    ("validate", "--level", "kepval"),
    ("export", "--format", "json"),
    ("index", "rebuild"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_a_command_from_inside_works_and_leaves_git_status_clean(
    checkout: Path, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(checkout / "keps" / "sig-node")
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    assert _status(checkout) == {}
    assert not (checkout / "keps.yaml").exists()
    assert not (checkout / "keps" / "keps.yaml").exists()


def test_show_by_number_and_by_name_agree(checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(checkout)
    shown = [
        json.loads(CliRunner().invoke(cli, ["show", target, "--output", "json"]).output)
        for target in ("1287", "sig-node/1287-in-place-update-pod-resources")
    ]
    assert shown[0] == shown[1]
    assert shown[0]["kep-number"] == 1287


def test_the_index_holds_the_655_keps_and_no_fixture_or_template(checkout: Path) -> None:
    index = keps.index.open(checkout)
    locations = [e.location for e in index.entries] + [b.location for b in index.broken]
    assert len(locations) == 655
    assert all(loc.startswith("keps/") for loc in locations)
    assert not any("testdata" in loc or "NNNN-kep-template" in loc for loc in locations)
    assert "sig-xyz" not in {e.owning_sig for e in index.entries}
    assert _status(checkout) == {}


def test_index_rebuild_writes_a_file_only_when_asked(
    checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(checkout)
    out = tmp_path / "keps.yaml"
    result = CliRunner().invoke(cli, ["index", "rebuild", "--output", str(out)])
    assert result.exit_code == 0, result.output
    written = keps.index.parse_index(yaml.safe_load(out.read_text()), path=str(out))
    assert len(written.entries) == 655
    assert _status(checkout) == {}
