"""A real crash: a child process is SIGKILLed in the middle of a step.

The child installs a hook (in the child only) that stops inside its k-th write - before
the write, between the temporary file and its rename, or just after the rename - tells
the parent, and sleeps. The parent kills it with SIGKILL. Then the tree, once the next
step (or ``keps.workflow.recover``) has run, is exactly the state before the step or
exactly the state after it, no temporary file or journal remains, and no lock blocks.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import keps
from keps import workflow
from keps._locks import locks_dir
from tests.kep_factory import snapshot
from tests.test_reliability_failures import (
    STEPS,
    TARGET,
    leftovers,
    prepare,
    prepare_in,
    run_in,
    tree_state,
)
from tests.workflow_helpers import APPROVER, runtime

REPO = Path(__file__).resolve().parent.parent

CHILD = """
import os, sys, time
from pathlib import Path
import keps._files as files
from tests.test_reliability_failures import run_in

root, step, k, where, marker = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], Path(sys.argv[5])
layout = sys.argv[6]
calls = [0]

def stop(path):
    marker.write_text(str(path))
    time.sleep(600)

real_write = files.atomic_write_bytes
def write(path, data, **limit):
    calls[0] += 1
    if calls[0] == k and where == "before-write":
        stop(path)
    real_write(path, data, **limit)
    if calls[0] == k and where == "after-rename":
        stop(path)
files.atomic_write_bytes = write

real_replace = os.replace
def replace(src, dst):
    if calls[0] == k and where == "before-rename":
        stop(dst)  # the temporary file is written and fsynced, not yet renamed
    real_replace(src, dst)
os.replace = replace

run_in(layout, step)(Path(root))
marker.write_text("finished without stopping")
"""

#: (step, where, k) runs made; read for the report
CRASHES: list[tuple[str, str, int]] = []


def _writes(step: str, tmp: Path, layout: str = "seed") -> int:
    """How many files *step* writes from its prepared tree."""
    import keps._files as files

    root = tmp / f"count-{step}"
    prepare_in(layout, root, step)
    real = files.atomic_write_bytes
    calls = [0]

    def counting(path: Path, data: bytes, **limit: int) -> None:
        calls[0] += 1
        real(path, data, **limit)

    files.atomic_write_bytes = counting
    try:
        run_in(layout, step)(root)
    finally:
        files.atomic_write_bytes = real
    return calls[0]


def _kill_during(
    root: Path, step: str, k: int, where: str, marker: Path, layout: str = "seed"
) -> str:
    """Run *step* in a child, SIGKILL it where it stopped; return where that was."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), step, str(k), where, str(marker), layout],
        cwd=REPO,
        env=env,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)  # the marker is written just before the child sleeps
    stopped_at = marker.read_text() if marker.exists() else ""
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.stderr is not None
    errors = child.stderr.read().decode()
    child.stderr.close()
    assert child.returncode == -signal.SIGKILL, errors
    assert stopped_at and stopped_at != "finished without stopping", errors
    return stopped_at


@pytest.mark.slow
@pytest.mark.parametrize(
    ("layout", "step", "where"),
    [
        ("seed", "approve", "before-write"),
        ("seed", "approve", "before-rename"),
        ("seed", "approve", "after-rename"),
        ("seed", "init", "before-rename"),
        ("seed", "plan", "after-rename"),
        ("seed", "replace", "before-write"),
        ("enhancements", "create", "before-rename"),
        ("enhancements", "approve", "after-rename"),
        ("enhancements", "replace", "before-write"),
        ("enhancements", "withdraw", "before-rename"),
    ],
)
def test_a_step_killed_at_any_write_is_rolled_back_or_complete(
    layout: str, step: str, where: str, tmp_path: Path
) -> None:
    """SIGKILL inside each write: after recovery the tree is the before or the after state."""
    writes = _writes(step, tmp_path, layout)
    prepared = tmp_path / "prepared"
    prepare_in(layout, prepared, step)
    after_root = tmp_path / "after"
    shutil.copytree(prepared, after_root)
    run_in(layout, step)(after_root)
    before, after = tree_state(prepared), tree_state(after_root)

    for k in range(1, writes + 1):
        root = tmp_path / f"crash-{k}"
        shutil.copytree(prepared, root)
        stopped_at = _kill_during(root, step, k, where, tmp_path / f"marker-{k}", layout)
        assert Path(stopped_at).is_relative_to(root) or Path(stopped_at).parent == locks_dir(root)
        if where == "before-rename":
            assert leftovers(root), "the kill should leave a temp file and the journal behind"
        workflow.recover(root)
        state = tree_state(root)
        if step == "init" and state != before:  # a new uuid each run: compare the file names
            assert set(state[0]) == set(after[0]) and state[1] == after[1]
        else:
            assert state in (before, after), f"{step} killed {where} write {k} of {writes}"
        if state != before:
            assert where == "after-rename" and k == writes  # only a complete step survives
        assert leftovers(root) == []
        if state == before:  # the lock of the dead process is free: the step runs now
            run_in(layout, step)(root)
        CRASHES.append((f"{layout}-{step}", where, k))


@pytest.mark.slow
def test_the_next_step_rolls_back_a_killed_approval_by_itself(tmp_path: Path) -> None:
    """No explicit recover: the next approve undoes the half-written one and gets the same number."""
    root = tmp_path / "content"
    prepare(root, STEPS["approve"])
    before = snapshot(root)
    _kill_during(root, "approve", 2, "after-rename", tmp_path / "marker")
    half = snapshot(root)
    assert half != before  # metadata.yaml and README.md are new, keps.yaml is old
    assert keps.index.open(root).next_kep_number == 43
    kep = workflow.approve(runtime(root, TARGET, APPROVER), timeout=5)
    assert kep.kep_number == 43
    assert keps.index.open(root).by_number(43).location == "sig-node/sig-wide/my-kep"
    assert keps.index.open(root).next_kep_number == 44
    assert leftovers(root) == []
    assert [e.event_type for e in keps.open(kep.path).events].count("approve") == 1
