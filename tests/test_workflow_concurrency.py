"""Eight processes approving eight KEPs at once get eight distinct numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from keps import workflow
from tests.kep_factory import T0
from tests.workflow_helpers import APPROVER, approve_in_process, edit, runtime, together

GUIDES = (
    "guides/developer.md",
    "guides/operator.md",
    "guides/teacher.md",
    "graduation_criteria.md",
)


@pytest.mark.slow
def test_eight_parallel_approvals_get_distinct_numbers(tmp_path: Path) -> None:
    """Every process gets its own number, and keps.yaml records all eight."""
    root = tmp_path / "content"
    root.mkdir()
    targets = [f"sig-node/kep-{i}" for i in range(8)]
    for target in targets:
        kep_dir = workflow.init(runtime(root, target), now=T0)
        edit(kep_dir, "summary.md", "motivation.md")
        workflow.propose(runtime(root, target), now=T0)
        workflow.accept(runtime(root, target, APPROVER), now=T0)
        workflow.plan(runtime(root, target), now=T0)
        edit(kep_dir, *GUIDES)

    numbers = together(approve_in_process, [(str(root), t) for t in targets])

    assert sorted(numbers) == list(range(1, 9))
    index = yaml.safe_load((root / "keps.yaml").read_text())
    recorded = {e["location"]: e["kep_number"] for e in index["keps"]}
    assert recorded == {f"sig-node/sig-wide/kep-{i}": n for i, n in enumerate(numbers)}
    assert index["next_kep_number"] == 9
