"""kepctl: the whole lifecycle through the command line alone, and its error contract."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keps.cli import cli
from tests.kep_factory import snapshot
from tests.workflow_helpers import edit

GUIDES = (
    "guides/developer.md",
    "guides/operator.md",
    "guides/teacher.md",
    "graduation_criteria.md",
)
KEP = "sig-node/sig-wide/dynamic-kubelet-config"


def kepctl(root: Path, *args: str, principal: str = "alice") -> Result:
    runner = CliRunner()
    return runner.invoke(cli, ["--content-root", str(root), "--principal", principal, *args])


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output + (result.stderr or "")
    return result.stdout


def refused(result: Result) -> str:
    """An expected error: exit 1, one line on stderr, no traceback."""
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("kepctl: error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    return result.stderr


@pytest.fixture(name="root")
def _root(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    return root


def test_happy_path_through_kepctl_alone(root: Path) -> None:
    """init, propose, accept, plan, approve, implement, show, check, index, query."""
    assert "created draft KEP" in ok(kepctl(root, "init", "sig-node/dynamic-kubelet-config"))
    kep_dir = root / KEP
    edit(kep_dir, "summary.md", "motivation.md")
    assert "is draft" in ok(kepctl(root, "propose", "sig-node/dynamic-kubelet-config"))
    assert "is provisional" in ok(kepctl(root, "accept", KEP, principal="arnold"))
    ok(kepctl(root, "plan", KEP))
    edit(kep_dir, *GUIDES)
    assert "is implementable" in ok(kepctl(root, "approve", KEP, principal="arnold"))

    shown = json.loads(ok(kepctl(root, "show", KEP, "--output", "json")))
    assert shown["kep_number"] == 1
    assert shown["state"] == "implementable"
    assert shown["approvers"] == ["arnold"]
    assert "passes every check for an implementable KEP" in ok(kepctl(root, "check", KEP))

    assert "indexed 1 KEP(s), 0 broken; next KEP number 2" in ok(kepctl(root, "index", "rebuild"))
    rows = list(
        csv.DictReader(
            io.StringIO(ok(kepctl(root, "query", "--sig", "sig-node", "--output", "csv")))
        )
    )
    assert [(r["kep_number"], r["title"], r["state"], r["location"]) for r in rows] == [
        ("1", "Dynamic Kubelet Config", "implementable", KEP)
    ]
    assert ok(kepctl(root, "query", "state:draft", "--output", "json")) == "[]\n"
    ok(kepctl(root, "implement", KEP, principal="arnold"))
    table = ok(kepctl(root, "query", "sig:sig-node", "--rebuild"))
    assert table.splitlines()[0].split() == [
        "KEP_NUMBER",
        "TITLE",
        "STATE",
        "OWNING_SIG",
        "AUTHORS",
        "LAST_UPDATED",
        "LOCATION",
    ]
    assert "implemented" in table.splitlines()[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("propose", KEP), "unedited template: Summary, Motivation"),
        (("plan", KEP), "plan needs a provisional KEP"),
        (("approve", KEP), "approve needs a provisional KEP"),
        (("accept", KEP), "never proposed"),
        (("init", KEP), "already exists"),
        (("implement", KEP), "implement needs an implementable KEP"),
        (("propose", "sig-nod/typo"), "sig-node"),
        (("propose", "sig-node/nothing"), "create one with init first"),
        (("query", "colour:blue"), "colour"),
    ],
)
def test_refusals_are_one_line_and_change_nothing(
    root: Path, args: tuple[str, ...], message: str
) -> None:
    """Each refused step exits 1 with one line naming the reason, and no file changes."""
    ok(kepctl(root, "init", KEP))
    before = snapshot(root)
    assert message in refused(kepctl(root, *args))
    assert snapshot(root) == before


def test_check_lists_every_problem(root: Path) -> None:
    """kepctl check prints each problem and exits 1 when one blocks."""
    ok(kepctl(root, "init", KEP))
    meta = root / KEP / "metadata.yaml"
    meta.write_text(
        meta.read_text().replace("title: Dynamic Kubelet Config\n", "").replace("uuid: ", "uuid: x")
    )
    result = kepctl(root, "check", KEP)
    assert "[title-not-set]" in result.stdout
    assert "[uuid-invalid]" in result.stdout
    assert "2 problem(s)" in refused(result)


def test_missing_settings_say_how_to_set_them(tmp_path: Path) -> None:
    """Without --principal or settings, the error says where a principal comes from."""
    result = CliRunner().invoke(cli, ["--content-root", str(tmp_path), "init", "sig-node/x"])
    assert "KEP_PRINCIPAL_GITHUB_HANDLE" in refused(result)


def test_demo_runs_as_a_fresh_process() -> None:
    """README's main job: kepctl demo walks one KEP to implementable and queries it."""
    result = subprocess.run(
        [sys.executable, "-m", "keps", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    steps = re.findall(
        r"^\$ kepctl --principal demo-\w+ (\w+) sig-node/dynamic-kubelet-config$", out, re.M
    )
    assert steps == ["init", "propose", "accept", "plan", "approve"]
    assert "state: implementable   number: 1" in out
    assert "Dynamic Kubelet Config" in out.split("$ kepctl query", 1)[1]


def test_recover_with_nothing_to_do(root: Path) -> None:
    """kepctl recover on a healthy tree restores nothing and changes nothing."""
    ok(kepctl(root, "init", KEP))
    before = snapshot(root)
    assert "recovered 0 file(s)" in ok(kepctl(root, "recover"))
    assert snapshot(root) == before
