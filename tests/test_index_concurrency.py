"""Eight processes claim KEP numbers at the same moment: every one gets its own number."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

import keps
import keps.index
from keps._files import FileTransaction

WORKERS = 8
T0 = dt.datetime(2019, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def claim(root: str, start: Barrier, results: Any) -> None:
    """Wait for every worker, then claim one number under the lock and persist it."""
    start.wait()
    with keps.index.locked(root) as index:
        number = index.claim_next_number()
        index.persist()
    results.put(number)


def approve(root: str, kep_dir: str, start: Barrier, results: Any) -> None:
    """Claim a number and write it into this worker's own KEP and the index at once."""
    start.wait()
    with keps.index.locked(root) as index:
        number = index.claim_next_number()
        kep = keps.open(kep_dir)
        kep.update(kep_number=number)
        transaction = FileTransaction()
        kep.stage_writes(transaction)
        index.update(kep)
        index.stage_writes(transaction)
        transaction.commit()
    results.put(number)


def run_all(target: Any, arguments: list[tuple[Any, ...]]) -> list[int]:
    """Start one spawned process per argument tuple together; their claimed numbers."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(arguments))
    results = context.Queue()
    processes = [context.Process(target=target, args=(*args, start, results)) for args in arguments]
    for process in processes:
        process.start()
    numbers = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return numbers


@pytest.mark.slow
def test_concurrent_claims_get_distinct_numbers(tmp_path: Path) -> None:
    """Eight simultaneous claims get eight different numbers, all recorded in keps.yaml."""
    numbers = run_all(claim, [(str(tmp_path),)] * WORKERS)
    assert sorted(numbers) == list(range(1, WORKERS + 1))
    assert keps.index.open(tmp_path).next_kep_number == WORKERS + 1


@pytest.mark.slow
def test_concurrent_approvals_record_distinct_numbers(tmp_path: Path) -> None:
    """Eight KEPs approved at once: each KEP and keps.yaml record a different number."""
    dirs = []
    for position in range(WORKERS):
        kep = keps.new(
            f"sig-node/kubelet/kep-{position}", content_root=tmp_path, authors=["jdoe"], now=T0
        )
        kep.persist(now=T0)
        dirs.append(str(kep.path))
    keps.index.rebuild(tmp_path).persist()

    numbers = run_all(approve, [(str(tmp_path), kep_dir) for kep_dir in dirs])

    assert sorted(numbers) == list(range(1, WORKERS + 1))
    index = keps.index.open(tmp_path)
    assert sorted(e.kep_number for e in index.entries if e.kep_number) == sorted(numbers)
    for kep_dir in dirs:
        entry = index.by_number(keps.open(kep_dir).kep_number or 0)
        assert (tmp_path / entry.location).resolve() == Path(kep_dir).resolve()
    assert index.problems == ()
    assert keps.index.rebuild(tmp_path).next_kep_number == WORKERS + 1
