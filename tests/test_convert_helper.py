"""helpers.convert: the command line over keps.convert.convert_tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import keps
from helpers.convert import main

REPO = Path(__file__).resolve().parent.parent

SIGS = "sigs:\n  - dir: sig-node\n    name: Node\n"

KEP = """\
---
kep-number: 3
title: Node Thing
authors:
  - "@alice"
owning-sig: sig-node
reviewers:
  - "@bob"
approvers:
  - "@carol"
editor: @alice
creation-date: 2018-01-01
last-updated: 2018-02-01
status: implementable
see-also:
  - [KEP-1](https://example.com/1.md)
---

## Summary

s

## Motivation

m

## Proposal

p
"""


@pytest.fixture(name="tree")
def _tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "sig-node").mkdir(parents=True)
    (src / "sig-node" / "0003-node-thing.md").write_text(KEP)
    (src / "README.md").write_text("# KEPs\n")
    (tmp_path / "sigs.yaml").write_text(SIGS)
    return tmp_path


def test_subprocess_json(tree: Path) -> None:
    """`python -m helpers.convert SRC OUT --sigs FILE --json` prints the report as JSON."""
    out = tree / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "helpers.convert",
            str(tree / "src"),
            str(out),
            "--sigs",
            str(tree / "sigs.yaml"),
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["total"] == 2
    assert report["converted"][0]["output"] == "sig-node/sig-wide/node-thing"
    assert report["converted"][0]["added_sections"] == [
        "guides/operator.md",
        "guides/teacher.md",
        "graduation_criteria.md",
    ]
    assert report["skipped"] == [{"path": "README.md", "reason": "not a KEP: a README"}]
    assert report["failed"] == []
    # the output tree names its SIG list, so keps.open needs no registry argument
    assert (out / "sigs.yaml").read_text() == SIGS
    keps.open(out / "sig-node" / "sig-wide" / "node-thing").check()


def test_rerun_refuses_then_overwrites(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A second run fails on the existing KEP unless --overwrite is given."""
    args = [str(tree / "src"), str(tree / "out"), "--sigs", str(tree / "sigs.yaml")]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("converted 1 of 2 files")
    assert main(args) == 1
    assert "output exists" in capsys.readouterr().out
    assert main([*args, "--overwrite"]) == 0


def test_missing_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A source folder that does not exist is a usage error."""
    assert main([str(tmp_path / "nope"), str(tmp_path / "out")]) == 2
    assert "no folder" in capsys.readouterr().err
