"""OWNERS_ALIASES: the groups of people the enhancements repository names, read once.

Only the production readiness groups matter to validation: a PRR approval counts when
its approver is in ``prod-readiness-approvers`` or ``prod-readiness-approvers-emeritus``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import attrs

from keps._files import read_text
from keps._yaml import load_fast

__all__ = ["PRR_ALIASES", "Owners", "handle", "read_owners"]

#: The aliases whose members may approve production readiness.
PRR_ALIASES: tuple[str, ...] = (
    "prod-readiness-approvers",
    "prod-readiness-approvers-emeritus",
)


def handle(name: str) -> str:
    """A GitHub handle compared the way GitHub does: no ``@``, case ignored."""
    return name.strip().lstrip("@").lower()


def _aliases(value: Mapping[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(dict(value))


@attrs.frozen
class Owners:
    """The aliases of an OWNERS_ALIASES file (empty when there is none); *path* says where."""

    aliases: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_aliases)
    path: str | None = None

    @property
    def prr_approvers(self) -> frozenset[str]:
        """Everyone who may approve production readiness, as :func:`handle` spells them."""
        return frozenset(handle(n) for alias in PRR_ALIASES for n in self.aliases.get(alias, ()))

    def is_prr_approver(self, name: str) -> bool:
        """True when *name* (with or without ``@``) may approve production readiness."""
        return handle(name) in self.prr_approvers


def read_owners(path: Path) -> Owners:
    """The aliases in the OWNERS_ALIASES file at *path*; an absent file gives none.

    Raises:
        InvalidContentError: the file is not YAML.
    """
    if not path.is_file():
        return Owners()
    data = load_fast(read_text(path), path=path).data
    aliases = data.get("aliases") if isinstance(data, Mapping) else None
    out: dict[str, tuple[str, ...]] = {}
    if isinstance(aliases, Mapping):
        for name, members in aliases.items():
            if isinstance(members, list):
                out[str(name)] = tuple(str(m) for m in members if m is not None)
    return Owners(out, str(path))
