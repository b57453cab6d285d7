"""Many processes at once: steps on one KEP are serialised, KEP numbers stay unique.

Each child process (spawned, so nothing is shared but the files) waits at a common
barrier until all are ready, runs one step and reports what happened. The result must be one of the
outcomes of running the same steps one after another - never a mix of two.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import keps
from keps import State, TransitionError, workflow
from tests.kep_factory import T0
from tests.test_reliability_failures import (
    GUIDES,
    T1,
    _checkout_base,
    checkout_runtime,
    leftovers,
    tree_state,
)
from tests.workflow_helpers import APPROVER, BARRIER_TIMEOUT, edit, runtime, together

PROCESSES = 6


def step_in_process(root: str, step: str, target: str, principal: str, start: Any) -> str:
    """Run in a child: wait at the *start* barrier, run *step*; ``done`` or ``refused: <message>``."""
    start.wait(BARRIER_TIMEOUT)
    where = Path(root)
    try:
        run = (
            checkout_runtime(where, target, principal)
            if (where / "keps").is_dir()  # a kubernetes/enhancements checkout
            else runtime(where, target, principal)
        )
        getattr(workflow, step)(run, now=T1)
    except TransitionError as exc:
        return f"refused: {exc}"
    return "done"


def _in_parallel(jobs: list[tuple[str, str, str, str]]) -> list[str]:
    return together(step_in_process, list(jobs))


def _proposed(root: Path, target: str) -> Path:
    kep_dir = workflow.init(runtime(root, target), now=T0)
    edit(kep_dir, "summary.md", "motivation.md")
    workflow.propose(runtime(root, target), now=T0)
    return kep_dir


def _planned(root: Path, target: str) -> Path:
    kep_dir = _proposed(root, target)
    workflow.accept(runtime(root, target, APPROVER), now=T0)
    workflow.plan(runtime(root, target), now=T0)
    edit(kep_dir, *GUIDES)
    return kep_dir


@pytest.mark.slow
def test_six_accepts_of_one_kep_one_wins_and_the_file_is_its_serial_outcome(
    tmp_path: Path,
) -> None:
    """Six approvers accept one proposed KEP at once: one succeeds, five are refused, no mix."""
    root = tmp_path / "content"
    root.mkdir()
    kep_dir = _proposed(root, "sig-node/contested")
    keps.index.rebuild(root).persist()
    pristine = tmp_path / "pristine"
    shutil.copytree(root, pristine)

    principals = [f"approver-{i}" for i in range(PROCESSES)]
    results = _in_parallel([(str(root), "accept", "sig-node/contested", p) for p in principals])

    assert results.count("done") == 1, results
    refused = [r for r in results if r != "done"]
    assert all("it is provisional" in r for r in refused), refused
    winner = principals[results.index("done")]
    kep = keps.open(kep_dir)
    assert kep.approvers == (winner,) and kep.state is State.PROVISIONAL
    serial = tmp_path / "serial"
    shutil.copytree(pristine, serial)
    workflow.accept(runtime(serial, "sig-node/contested", winner), now=T1)
    assert tree_state(root) == tree_state(serial)
    assert leftovers(root) == []


@pytest.mark.slow
def test_two_approvals_of_each_of_six_keps_give_six_distinct_numbers(tmp_path: Path) -> None:
    """Twelve processes, two per KEP: one approval per KEP wins, numbers 1-6 each used once."""
    root = tmp_path / "content"
    root.mkdir()
    targets = [f"sig-apps/kep-{i}" for i in range(PROCESSES)]
    for target in targets:
        _planned(root, target)
    jobs = [(str(root), "approve", t, f"{APPROVER}-{n}") for t in targets for n in (1, 2)]

    results = _in_parallel(jobs)

    assert results.count("done") == PROCESSES, results
    for i in range(PROCESSES):
        pair = results[2 * i : 2 * i + 2]
        assert sorted(r[:7] for r in pair) == ["done", "refused"], pair
    numbers = sorted(keps.open(runtime(root, t).target_dir).kep_number or 0 for t in targets)
    assert numbers == list(range(1, PROCESSES + 1))
    index = yaml.safe_load((root / "keps.yaml").read_text())
    assert sorted(e["kep_number"] for e in index["keps"]) == numbers
    assert index["next_kep_number"] == PROCESSES + 1
    rebuilt = keps.index.rebuild(root)
    assert rebuilt.broken == () and rebuilt.problems == ()
    for target in targets:  # exactly one approve event: the loser wrote nothing
        events = keps.open(runtime(root, target).target_dir).events
        assert [e.event_type for e in events].count("approve") == 1
    assert leftovers(root) == []


@pytest.mark.slow
def test_different_steps_on_one_kep_at_once_give_a_serial_outcome(tmp_path: Path) -> None:
    """withdraw, reject and defer race on one provisional KEP: the events read as one serial order."""
    root = tmp_path / "content"
    root.mkdir()
    target = "sig-node/raced"
    kep_dir = _planned(root, target)
    steps = ["withdraw", "reject", "defer", "withdraw", "reject", "defer"]
    results = _in_parallel([(str(root), s, target, f"p{i}") for i, s in enumerate(steps)])

    kep = keps.open(kep_dir)
    done = [
        (s, f"p{i}") for i, (s, r) in enumerate(zip(steps, results, strict=True)) if r == "done"
    ]
    recorded = [(e.event_type, e.principal) for e in kep.events if e.event_type in set(steps)]
    assert sorted(recorded) == sorted(done)
    # a serial order: replay the recorded steps one by one from the same start
    replay = tmp_path / "replay"
    replay.mkdir()
    _planned(replay, target)
    for event_type, principal in recorded:
        getattr(workflow, event_type)(runtime(replay, target, principal), now=T1)
    assert keps.open(runtime(replay, target).target_dir).state is kep.state
    assert len(done) in (1, 2)  # defer then withdraw is the only chain of two
    assert leftovers(root) == []


@pytest.mark.slow
def test_six_approvals_of_one_checkout_kep_one_wins_and_the_file_is_its_serial_outcome(
    tmp_path: Path,
) -> None:
    """Today's layout too: one approval of a kep.yaml KEP wins, five are refused, no mix."""
    root = tmp_path / "enhancements"
    root.mkdir()
    _checkout_base(root)
    kep_dir = workflow.create(root, "sig-node/contested", principal="alice", now=T1)
    pristine = tmp_path / "pristine"
    shutil.copytree(root, pristine)

    principals = [f"approver-{i}" for i in range(PROCESSES)]
    results = _in_parallel([(str(root), "approve", "sig-node/contested", p) for p in principals])

    assert results.count("done") == 1, results
    refused = [r for r in results if r != "done"]
    assert all("it is implementable" in r for r in refused), refused
    assert keps.open(kep_dir).state is State.IMPLEMENTABLE
    serial = tmp_path / "serial"
    shutil.copytree(pristine, serial)
    winner = principals[results.index("done")]
    workflow.approve(checkout_runtime(serial, "sig-node/contested", winner), now=T1)
    assert tree_state(root) == tree_state(serial)
    assert leftovers(root) == []
