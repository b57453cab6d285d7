"""What kepctl prints on stderr when the library logs: one line per record, no traceback.

Run as a real process, because what reaches the terminal depends on how logging is set
up in that process (pytest's own log capture would hide Python's last-resort handler).
A small driver makes the disk fail: every rename onto README.md fails, and so does every
rename onto metadata.yaml after the first. ``kepctl propose`` then writes metadata.yaml,
fails on README.md, and cannot put metadata.yaml back: the library logs the failed
restore with its exception, and the step fails with a StorageError.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.workflow_helpers import edit, runtime

DRIVER = textwrap.dedent(
    """\
    import errno
    import os
    import sys
    from collections import Counter

    real_replace = os.replace
    calls = Counter()

    def failing_replace(src, dst, *args, **kwargs):
        name = os.path.basename(os.fspath(dst))
        calls[name] += 1
        if name == "README.md" or (name == "metadata.yaml" and calls[name] > 1):
            raise OSError(errno.EIO, "injected I/O error")
        return real_replace(src, dst, *args, **kwargs)

    os.replace = failing_replace
    from keps.cli import main

    sys.argv = ["kepctl", *sys.argv[1:]]
    main()
    """
)

TARGET = "sig-node/my-kep"


@pytest.fixture(name="drafted")
def _drafted(tmp_path: Path) -> tuple[Path, Path]:
    """A content root with a draft ready to propose, and the failing driver script."""
    from keps import workflow

    root = tmp_path / "content"
    root.mkdir()
    kep_dir = workflow.init(runtime(root, TARGET))
    edit(kep_dir, "summary.md", "motivation.md")
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    return root, driver


def _kepctl(driver: Path, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(driver), "--content-root", str(root), "--principal", "alice", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_failed_restore_is_one_line_beside_the_one_line_error(
    drafted: tuple[Path, Path],
) -> None:
    """No traceback; the failed restore is one line naming the file; the error is the last line."""
    root, driver = drafted
    result = _kepctl(driver, root, "propose", TARGET)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert all(line.startswith("kepctl: ") for line in lines), result.stderr
    assert lines[-1].startswith("kepctl: error: ")
    assert "README.md" in lines[-1]  # the write that failed
    metadata = str(root / "sig-node" / "sig-wide" / "my-kep" / "metadata.yaml")
    assert any(metadata in line for line in lines[:-1]), result.stderr  # the failed restore
    assert len(lines) == 2, result.stderr


def test_debug_shows_the_tracebacks(drafted: tuple[Path, Path]) -> None:
    """--debug is how to see where it failed: the tracebacks come back."""
    root, driver = drafted
    result = _kepctl(driver, root, "--debug", "propose", TARGET)
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("kepctl: error: ")
