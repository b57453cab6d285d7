"""Shared pieces for lifecycle tests: a content root and an author who edits sections."""

from __future__ import annotations

from pathlib import Path

from keps.keps.path import locate
from keps.settings import Runtime
from keps.sigs import SigRegistry

AUTHOR = "alice"
APPROVER = "arnold"


def runtime(root: Path, target: str, principal: str = AUTHOR) -> Runtime:
    kep_dir, _ = locate(target, root, SigRegistry.packaged())
    return Runtime(principal=principal, target_dir=kep_dir, content_root=root)


def edit(kep_dir: Path, *filenames: str) -> None:
    """Replace each section's body with real text, keeping its headings."""
    for filename in filenames:
        path = kep_dir / filename
        heads = [line for line in path.read_text().splitlines() if line.startswith("#")]
        path.write_text("\n".join(heads) + f"\n\nReal text for {filename}.\n")


def approve_in_process(root: str, target: str, start: float) -> int:
    """Run in a child process: wait for the common start time, approve, return the number."""
    import time

    import keps
    from keps import workflow

    time.sleep(max(0.0, start - time.time()))
    workflow.approve(runtime(Path(root), target, APPROVER))
    number = keps.open(runtime(Path(root), target).target_dir).kep_number
    assert number is not None
    return number
