"""Which files the enhancements repository's CI looks at under ``keps/``.

Kept apart so that :class:`~keps.validate.repository.Repository` can cache the walk
that several kepval rules share.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from keps._names import KEP_FILE, PRR_DIR, README_FILE

__all__ = ["Walked", "upstream_walk"]


@attrs.frozen
class Walked:
    """What ``pkg/repo/validate.go`` finds under ``keps/``: KEP files, orphan READMEs."""

    kep_files: tuple[Path, ...]
    orphan_readmes: tuple[Path, ...]


def upstream_walk(keps_dir: Path) -> Walked:
    """The kep.yaml files CI validates, and the README.md files it finds without one.

    Mirrors ``Repo.Validate`` (``pkg/repo/validate.go``): a lexical walk of ``keps/``
    that skips every folder named ``prod-readiness``, takes a folder's kep.yaml and then
    skips the rest of that folder's entries (subfolders sorted after ``kep.yaml``
    included), and reports a README.md (anywhere but ``keps/README.md``) with no
    kep.yaml beside it. Links to folders are not followed.
    """
    kep_files: list[Path] = []
    orphans: list[Path] = []

    def visit(folder: Path) -> None:
        try:
            names = sorted(p.name for p in folder.iterdir())
        except OSError:
            return
        has_kep = (folder / KEP_FILE).exists()
        for name in names:
            path = folder / name
            if path.is_dir() and not path.is_symlink():
                if name != PRR_DIR:
                    visit(path)
                continue
            if has_kep and name == KEP_FILE:
                kep_files.append(path)
                return
            if name == README_FILE and folder != keps_dir and not has_kep:
                orphans.append(path)

    if keps_dir.is_dir():
        visit(keps_dir)
    return Walked(tuple(kep_files), tuple(orphans))
