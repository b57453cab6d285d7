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

from keps._files import read_text
from keps.errors import InvalidArgumentError, InvalidContentError, KepError
from keps.keps import Kep
from keps.keps.layouts.enhancements import OWNERS_ALIASES
from keps.keps.metadata import Milestone
from keps.problems import Problem
from keps.sigs import SigRegistry, registry_for
from keps.validate.checkout import find_kep_files, is_checkout, roots_of
from keps.validate.owners import Owners, read_owners
from keps.validate.strict import KEP_SCHEMA, PRR_SCHEMA, Decoded, decode
from keps.validate.walk import Walked, upstream_walk

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
    #: The upcoming release (``--release``); None: the newest latest-milestone decides.
    release: Milestone | None = None
    _decoded: dict[tuple[Path, bool], Decoded] = attrs.field(factory=dict, eq=False, repr=False)
    _walks: list[Walked] = attrs.field(factory=list, eq=False, repr=False)

    @property
    def walked(self) -> Walked:
        """The kep.yaml files and orphan READMEs CI's own walk of ``keps/`` finds (cached)."""
        if not self._walks:
            self._walks.append(upstream_walk(self.keps_dir))
        return self._walks[0]

    def strict(self, path: Path, *, kep_file: bool = True) -> Decoded:
        """*path* (a kep.yaml, else a PRR file) decoded as upstream's CI decodes it (cached).

        A file that cannot be read (too large, not a regular file) gives one
        ``kep-unreadable`` problem naming it.
        """
        key = (path, kep_file)
        if key not in self._decoded:
            schema = KEP_SCHEMA if kep_file else PRR_SCHEMA
            try:
                text = read_text(path)
            except KepError as exc:
                problem = Problem("kep-unreadable", exc.message, path=str(path))
                self._decoded[key] = Decoded(None, (problem,), {})
            else:
                self._decoded[key] = decode(text, schema, path=path, kep_file=kep_file)
        return self._decoded[key]

    def __repr__(self) -> str:
        """One short line; the attrs repr listed every SIG and KEP (91 KB for a checkout)."""
        release = self.release
        if release is None:  # as the rules take it: the newest latest-milestone stands in
            found = []
            for kep in self.keps:
                try:
                    found.append(Milestone.parse(kep.latest_milestone))
                except (TypeError, ValueError):
                    continue
            release = max(found, default=None)
        unreadable = f", {len(self.unreadable)} unreadable" if self.unreadable else ""
        shown = "unknown" if release is None else str(release)
        return f"<Repository {self.root}: {len(self.keps)} KEPs{unreadable}, release {shown}>"

    def relative(self, path: str | Path) -> str:
        """*path* relative to the repository root, '/'-separated (as baselines store it)."""
        candidate = Path(path)
        try:
            return candidate.absolute().relative_to(self.root.absolute()).as_posix()
        except ValueError:
            return candidate.as_posix()


def open_repository(
    path: str | Path, *, registry: SigRegistry | None = None, release: str | None = None
) -> Repository:
    """Open every KEP of the enhancements checkout at *path* (its root or its keps/ folder).

    *release* is the upcoming release (``v1.37``), which CI fetches from
    kubernetes/sig-release; without it the newest ``latest-milestone`` of the checkout
    stands in (see :mod:`keps.validate.nodeapprovers`).

    Raises:
        KepNotFoundError: *path* is not a folder.
        InvalidArgumentError: *release* is not a release such as v1.37.
    """
    upcoming = None
    if release is not None:
        try:
            upcoming = Milestone.parse(release)
        except (TypeError, ValueError) as exc:
            msg = f"release {release!r} is not a release such as v1.37"
            raise InvalidArgumentError(msg, argument="release", value=release) from exc
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
    return Repository(root, keps_dir, registry, owners, opened, unreadable, upcoming)
