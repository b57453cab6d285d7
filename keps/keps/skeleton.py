"""The directory skeleton of a new KEP: the folders every KEP has from its first day."""

from __future__ import annotations

from pathlib import Path

from keps._files import FileTransaction

__all__ = ["SKELETON_DIRS", "stage_skeleton"]

#: Folders of a new KEP; each holds a ``.gitkeep`` so that git keeps it while empty.
SKELETON_DIRS: tuple[str, ...] = ("guides", "experience_reports", "assets")

GITKEEP = ".gitkeep"


def stage_skeleton(kep_dir: Path, transaction: FileTransaction) -> None:
    """Stage the skeleton folders of *kep_dir* (with their ``.gitkeep`` files) in *transaction*."""
    transaction.mkdir(kep_dir)
    for name in SKELETON_DIRS:
        keep = kep_dir / name / GITKEEP
        if not keep.exists():
            transaction.write_bytes(keep, b"")
