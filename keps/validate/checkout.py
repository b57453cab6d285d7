"""Whether a folder is an enhancements checkout, and where its kep.yaml files are.

Kept apart from :mod:`keps.validate.repository` so that ``kepctl query``, which asks
this of every content root, does not import the object model to answer it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from keps import _checkout
from keps._checkout import is_checkout
from keps._names import KEP_FILE
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
    return _checkout.roots_of(folder)


def find_kep_files(keps_dir: Path) -> Iterator[Path]:
    """Every kep.yaml under *keps_dir*, in path order, found by the index's own walk.

    The walk skips hidden folders, the template and the production readiness
    approvals, and does not descend into a KEP's own folders.
    """
    for kep_dir in find_kep_dirs(keps_dir):
        if os.path.lexists(kep_dir / KEP_FILE):  # a FIFO too: opening it reports it
            yield kep_dir / KEP_FILE
