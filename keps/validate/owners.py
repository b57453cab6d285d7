"""OWNERS_ALIASES: the groups of people the enhancements repository names, read once.

Only the production readiness groups matter to validation: a PRR approval counts when
its approver is in ``prod-readiness-approvers`` or ``prod-readiness-approvers-emeritus``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import yaml

from keps._files import read_text
from keps._yaml import load_fast
from keps.errors import KepError
from keps.problems import Problem

__all__ = ["PRR_ALIASES", "Owners", "handle", "read_aliases", "read_owners", "read_owners_file"]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULL = "tag:yaml.org,2002:null"

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


def _compose(path: Path) -> tuple[Any, list[Problem]]:
    """The YAML node tree of the file at *path*, or a problem saying why there is none."""
    try:
        text = read_text(path)
    except KepError as exc:
        return None, [Problem("owners-invalid", exc.message, path=str(path))]
    try:
        return yaml.compose(text, Loader=_Loader), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        msg = f"{path.name} is not YAML: {getattr(exc, 'problem', None) or exc}"
        return None, [Problem("owners-invalid", msg, path=str(path), line=line)]


def _lists_of(
    node: Any, path: Path, keys: Mapping[str, bool] | None
) -> tuple[dict[str, list[str]], list[Problem]]:
    """A mapping of name to list of text, decoded as yaml.v3 does into map[string][]string.

    *keys*, when given, are the only keys a strict read allows (the rest are refused
    when their flag is True, ignored otherwise).
    """
    out: dict[str, list[str]] = {}
    problems: list[Problem] = []
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
        return out, problems
    if not isinstance(node, yaml.MappingNode):
        msg = f"{path.name}: expected a mapping at line {node.start_mark.line + 1}"
        return out, [Problem("owners-invalid", msg, path=str(path), line=node.start_mark.line + 1)]
    for key_node, value_node in node.value:
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else ""
        line = key_node.start_mark.line + 1
        if keys is not None and key not in keys:
            continue
        if key in out:
            msg = f"{path.name}: {key} is given twice"
            problems.append(Problem("owners-invalid", msg, path=str(path), line=line))
            continue
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag == _NULL:
            out[key] = []
            continue
        if not isinstance(value_node, yaml.SequenceNode) or not all(
            isinstance(item, yaml.ScalarNode) for item in value_node.value
        ):
            msg = f"{path.name}: {key} must be a list of names"
            problems.append(Problem("owners-invalid", msg, path=str(path), line=line))
            continue
        out[key] = [str(i.value) for i in value_node.value if i.tag != _NULL]
    return out, problems


def read_aliases(path: Path, *, strict: bool) -> tuple[dict[str, list[str]] | None, list[Problem]]:
    """The aliases of the OWNERS_ALIASES file at *path* as upstream's tools decode them.

    With *strict* the file may hold nothing but ``aliases`` (``api/groups.go``,
    ``FetchPRRApprovers``, decodes it with ``UnmarshalStrict``); without, other keys are
    ignored (``pkg/nodeapprovers/verify.go``, ``loadTechLeads``). None when the file is
    absent or unusable; the problems say why.
    """
    if not path.is_file():
        return None, [Problem("owners-aliases-missing", f"{path.name} is missing", path=str(path))]
    root, problems = _compose(path)
    if problems:
        return None, problems
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == _NULL):
        return {}, []
    if not isinstance(root, yaml.MappingNode):
        return None, [
            Problem("owners-invalid", f"{path.name} must hold a mapping", path=str(path), line=1)
        ]
    aliases_node = None
    for key_node, value_node in root.value:
        key = str(getattr(key_node, "value", ""))
        if key == "aliases":
            aliases_node = value_node
        elif strict:
            msg = f"{path.name}: {key!r} is not an OWNERS_ALIASES key (strict parsing)"
            line = key_node.start_mark.line + 1
            problems.append(Problem("owners-invalid", msg, path=str(path), line=line))
    aliases, more = _lists_of(aliases_node, path, None)
    problems += more
    return (None if problems else aliases), problems


def read_owners_file(path: Path) -> tuple[dict[str, list[str]] | None, list[Problem]]:
    """reviewers and approvers of an OWNERS file, decoded as ``pkg/nodeapprovers`` does.

    Other keys are ignored; a list that is no list of names is a problem. None when
    the file cannot be used.
    """
    root, problems = _compose(path)
    if problems:
        return None, problems
    lists, problems = _lists_of(root, path, {"reviewers": True, "approvers": True})
    return (None if problems else lists), problems
