"""KEP names from the command line and the library: one rule, one-line refusals, nothing written.

The rule lives in keps.keps.path (where every target is located): a KEP name (and each
other part of a target) is printable NFC text of at most 255 UTF-8 bytes, with a letter
or digit and no space at either end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import keps
from keps.cli import cli
from keps.errors import InvalidContentError

CAFE_NFC = unicodedata.normalize("NFC", "café")
CAFE_NFD = unicodedata.normalize("NFD", "café")

#: Targets no KEP may be created at, each with what made it dangerous before.
BAD_TARGETS = {
    "300 bytes": "sig-node/" + "a" * 300,  # OSError traceback: file name too long
    "256 bytes in two-byte letters": "sig-node/" + "é" * 128,
    "only a space": "sig-node/ ",  # a KEP without a title, broken at once
    "trailing space": "sig-node/my-kep ",
    "newline": "sig-node/my\nkep",
    "tab": "sig-node/my\tkep",
    "escape sequence": "sig-node/my\x1b[2Jkep",
    "zero-width space": "sig-node/my\u200bkep",
    "decomposed café": f"sig-node/{CAFE_NFD}",
    "no letter or digit": "sig-node/---",
    "undecodable byte": "sig-node/bad\udcff",  # what Python makes of argv byte 0xff
    "undecodable SIG": "sig-nod\udcff/my-kep",
    "tab in a subproject": "sig-node/kube\tlet/my-kep",
}


def kepctl(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--content-root", str(root), "--principal", "alice", *args])


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path under *root* (folders and lock files too) with its bytes."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def refused(result: Result) -> str:
    """Exit 1, one line on stderr, no traceback; the line."""
    assert result.exit_code == 1, (result.output, result.exception)
    assert result.stderr.startswith("kepctl: error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    return result.stderr


@pytest.fixture(name="root")
def _root(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    assert kepctl(root, "init", f"sig-node/{CAFE_NFC}").exit_code == 0
    return root


@pytest.mark.parametrize("name", list(BAD_TARGETS))
@pytest.mark.parametrize("command", ["init", "show", "check", "propose"])
def test_kepctl_refuses_a_bad_name_in_one_line(root: Path, name: str, command: str) -> None:
    """Each command refuses the target in one line naming it; no file or folder appears."""
    before = tree(root)
    line = refused(kepctl(root, command, BAD_TARGETS[name]))
    assert "KEP target" in line
    assert tree(root) == before


def test_two_cafes_are_one_kep(root: Path) -> None:
    """The composed café exists; its decomposed look-alike cannot become a second KEP."""
    line = refused(kepctl(root, "init", f"sig-node/{CAFE_NFD}"))
    assert "NFC" in line
    assert [p.name for p in (root / "sig-node" / "sig-wide").iterdir()] == [CAFE_NFC]
    assert kepctl(root, "check", f"sig-node/{CAFE_NFC}").exit_code == 0


@pytest.mark.skipif(os.name != "posix", reason="argv as raw bytes is POSIX")
def test_undecodable_argv_bytes_are_refused_in_one_line(root: Path) -> None:
    """``kepctl init sig-node/$'bad\\xff'`` in a real process: one line, exit 1, nothing written."""
    before = tree(root)
    env = {**os.environ, "PYTHONUTF8": "1"}
    argv: list[str | bytes] = [sys.executable, "-m", "keps", "--content-root", str(root)]
    argv += ["--principal", "alice", "init", os.fsencode("sig-node/bad") + b"\xff"]
    result = subprocess.run(
        argv,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(b"kepctl: error: KEP target")
    assert result.stderr.count(b"\n") == 1, result.stderr
    assert tree(root) == before


@pytest.mark.parametrize("name", list(BAD_TARGETS))
def test_keps_new_applies_the_same_rule(root: Path, name: str) -> None:
    """keps.new refuses every such target with a KepError before anything is written."""
    before = tree(root)
    with pytest.raises(InvalidContentError, match="KEP target"):
        keps.new(BAD_TARGETS[name], content_root=root, authors=["alice"]).persist()
    assert tree(root) == before


@pytest.mark.parametrize(
    "target",
    ["sig-node/dynamic-kubelet-config", "sig-node/" + "a" * 255, "sig-node/Ünïcödé-kep", "x_1"],
)
def test_good_names_still_work(root: Path, target: str) -> None:
    """Plain, 255-byte and non-ASCII NFC names make KEPs that pass their checks."""
    assert kepctl(root, "init", target).exit_code == 0
    assert kepctl(root, "check", target).exit_code == 0
