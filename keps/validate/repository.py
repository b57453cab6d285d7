"""An enhancements checkout as validation sees it: every KEP, the SIG list, the owners.

:func:`open_repository` takes the repository root or its ``keps/`` folder, opens every
KEP once (a KEP whose kep.yaml is not YAML is kept as a problem, not raised) and reads
``OWNERS_ALIASES`` at the root. The SIG list in force is a ``sigs.yaml`` at the root
or in ``keps/``, else the packaged one.
"""

from __future__ import annotations

import logging
from pathlib import Path

import attrs

from keps.errors import InvalidContentError, KepError
from keps.keps import Kep
from keps.keps.layouts.enhancements import OWNERS_ALIASES
from keps.problems import Problem
from keps.sigs import SigRegistry, registry_for
from keps.validate.checkout import find_kep_files, is_checkout, roots_of
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
