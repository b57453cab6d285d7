"""An enhancements checkout as validation sees it: every KEP, the SIG list, the owners.

:func:`open_repository` takes the repository root or its ``keps/`` folder, opens every
KEP once (a KEP whose kep.yaml is not YAML is kept as a problem, not raised) and reads
``OWNERS_ALIASES`` at the root. The SIG list in force is a ``sigs.yaml`` at the root
or in ``keps/``, else the packaged one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import attrs

from keps.errors import InvalidContentError, KepError, KepNotFoundError
from keps.index.build import find_kep_dirs
from keps.keps import Kep
from keps.keps.layouts.enhancements import KEP_FILE, KEYS_DIR, OWNERS_ALIASES
from keps.problems import Problem
from keps.sigs import SigRegistry, registry_for
from keps.validate.owners import Owners, read_owners

__all__ = ["Repository", "find_kep_files", "is_checkout", "open_repository", "roots_of"]

log = logging.getLogger(__name__)


def _keps(items: tuple[Kep, ...] | list[Kep]) -> tuple[Kep, ...]:
    return tuple(items)


def _problems(items: tuple[Problem, ...] | list[Problem]) -> tuple[Problem, ...]:
    return tuple(items)


@attrs.frozen
class Repository:
    """Every KEP of one enhancements checkout and what validating them needs."""

    root: Path
    keps_dir: Path
    registry: SigRegistry
    owners: Owners
    keps: tuple[Kep, ...] = attrs.field(converter=_keps)
    unreadable: tuple[Problem, ...] = attrs.field(default=(), converter=_problems)

    def relative(self, path: str | Path) -> str:
        """*path* relative to the repository root, '/'-separated (as baselines store it)."""
        candidate = Path(path)
        try:
            return candidate.absolute().relative_to(self.root.absolute()).as_posix()
        except ValueError:
            return candidate.as_posix()


def roots_of(path: str | Path) -> tuple[Path, Path]:
    """(repository root, keps folder) for *path*, which names either of them.

    Raises:
        KepNotFoundError: *path* is not a folder.
    """
    folder = Path(path).absolute()
    if not folder.is_dir():
        msg = f"no enhancements checkout at {folder}"
        raise KepNotFoundError(msg, path=folder)
    if folder.name == KEYS_DIR and not (folder / KEYS_DIR).is_dir():
        return folder.parent, folder
    return folder, folder / KEYS_DIR


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


def open_repository(path: str | Path, *, registry: SigRegistry | None = None) -> Repository:
    """Open every KEP of the enhancements checkout at *path* (its root or its keps/ folder).

    Raises:
        KepNotFoundError: *path* is not a folder.
    """
    root, keps_dir = roots_of(path)
    if registry is None:
        found = next((f for f in (root, keps_dir) if (f / "sigs.yaml").is_file()), None)
        registry = registry_for(found)
    opened: list[Kep] = []
    unreadable: list[Problem] = []
    for kep_file in find_kep_files(keps_dir):
        try:
            opened.append(Kep.open(kep_file, registry=registry, content_root=root))
        except KepError as exc:
            problems = exc.problems if isinstance(exc, InvalidContentError) else ()
            unreadable.extend(
                problems or (Problem("kep-unreadable", exc.message, path=str(kep_file)),)
            )
    owners = read_owners(root / OWNERS_ALIASES)
    return Repository(root, keps_dir, registry, owners, opened, unreadable)
