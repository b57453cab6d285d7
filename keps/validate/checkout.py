"""Whether a folder is an enhancements checkout, and where its kep.yaml files are.

Kept apart from :mod:`keps.validate.repository` so that ``kepctl query``, which asks
this of every content root, does not import the object model to answer it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from keps._names import KEP_FILE, KEPS_DIR
from keps.errors import KepNotFoundError
from keps.index.build import find_kep_dirs

__all__ = ["find_kep_files", "is_checkout", "roots_of"]


def roots_of(path: str | Path) -> tuple[Path, Path]:
    """(repository root, keps folder) for *path*, which names either of them.

    Raises:
        KepNotFoundError: *path* is not a folder.
    """
    folder = Path(path).absolute()
    if not folder.is_dir():
        msg = f"no enhancements checkout at {folder}"
        raise KepNotFoundError(msg, path=folder)
    if folder.name == KEPS_DIR and not (folder / KEPS_DIR).is_dir():
        return folder.parent, folder
    return folder, folder / KEPS_DIR


def find_kep_files(keps_dir: Path) -> Iterator[Path]:
    """Every kep.yaml under *keps_dir*, in path order, found by the index's own walk.

    The walk skips hidden folders and does not descend into a KEP's own folders; the
    prod-readiness folder holds no KEP, so nothing is found there.
    """
    for kep_dir in find_kep_dirs(keps_dir):
        if (kep_dir / KEP_FILE).is_file():
            yield kep_dir / KEP_FILE


def is_checkout(path: str | Path) -> bool:
    """True when *path* (a repository root or its keps/ folder) holds kep.yaml KEPs."""
    folder = Path(path)
    if not folder.is_dir():
        return False
    _, keps_dir = roots_of(folder)
    return keps_dir.is_dir() and next(find_kep_files(keps_dir), None) is not None
