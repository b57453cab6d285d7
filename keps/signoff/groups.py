"""Who can give a sign-off: the people of each SIG and the PRR approvers, read from the tree.

A kubernetes/enhancements checkout names its groups in ``OWNERS_ALIASES`` at its root.
The people of a SIG (or working group, committee, user group) are the members of its
aliases ``<group>-leads``, ``<group>-tech-leads`` and ``<group>-approvers``
(``sig-node-leads``, ``sig-node-tech-leads``); the PRR approvers are
``prod-readiness-approvers``. Other aliases (``enhancements-approvers``,
``provider-aws``) tie nobody to a SIG.

A content root without ``OWNERS_ALIASES`` (the 2018 layout) may hold a ``sigs.yaml`` in
kubernetes/community's format; the people of a group are then its ``leadership``:
``chairs`` and ``tech_leads`` (their ``github`` handles). The SIG registry of
:mod:`keps.sigs` keeps only names and subprojects, so the leadership is read here.

Both files are untrusted. Each is read through :mod:`keps._files` (a regular file within
the size limit, inside the content root); a file that cannot be read, is not YAML or is
the wrong shape gives :class:`~keps.problems.Problem` values naming it and no people,
a malformed entry gives a problem and is skipped, and nothing raises. Handles are kept
as written without the ``@``; they are compared as GitHub does, case ignored.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

import attrs

from keps._files import read_text
from keps._kinds import kind_of
from keps._yaml import load_fast
from keps.errors import KepError
from keps.problems import Problem, Severity

__all__ = [
    "OWNERS_ALIASES",
    "PRR_ALIAS",
    "PRR_GROUP",
    "ROLES",
    "SIGS_FILE",
    "Groups",
    "bare",
    "from_aliases",
    "from_leadership",
    "read_groups",
    "same_person",
]

#: The file of a kubernetes/enhancements checkout that names its groups of people.
OWNERS_ALIASES = "OWNERS_ALIASES"
#: The SIG list at a content root; its ``leadership`` names chairs and tech leads.
SIGS_FILE = "sigs.yaml"
#: The alias whose members approve production readiness.
PRR_ALIAS = "prod-readiness-approvers"
#: How sign-offs name the production readiness approvers as a group.
PRR_GROUP = "prod-readiness"
#: The alias suffixes that make their members the people of a group, in the order shown.
ROLES: tuple[str, ...] = ("leads", "tech-leads", "approvers")

_ALIAS = re.compile(
    r"(?P<group>(?:sig|wg|committee|ug)-[a-z0-9][a-z0-9-]*?)-(?P<role>tech-leads|leads|approvers)",
    re.IGNORECASE,
)
#: kubernetes/community's sigs.yaml lists of groups.
_COMMUNITY_LISTS = ("sigs", "workinggroups", "committees", "usergroups")
_LEADERSHIP = ("chairs", "tech_leads")


def bare(name: str) -> str:
    """*name* as a handle: surrounding space and a leading ``@`` removed, case kept."""
    return name.strip().lstrip("@").strip()


def same_person(name: str) -> str:
    """The key two spellings of one GitHub handle share (``@Alice`` and ``alice``)."""
    return bare(name).lower()


def _people(items: Mapping[str, Iterable[str]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({group: tuple(people) for group, people in items.items()})


def _tuple(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _problems(items: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(items)


@attrs.frozen(repr=False)
class Groups:
    """The people who can give sign-offs, as one file of the content root names them.

    *people* maps a group's folder name (``sig-node``) to its people in file order, each
    once; *prr* lists the PRR approvers. *source* is the file read ('' when there was
    none: then nobody is known). *problems* say what in that file could not be used.
    """

    people: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_people)
    prr: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    source: str = ""
    problems: tuple[Problem, ...] = attrs.field(default=(), converter=_problems)
    _known: frozenset[str] = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        known = {same_person(p) for people in self.people.values() for p in people}
        object.__setattr__(self, "_known", frozenset(known))

    def of(self, group: str) -> tuple[str, ...]:
        """The people of *group* (``sig-node``); none when the file names none."""
        return self.people.get(group, ())

    def is_of(self, group: str, name: str) -> bool:
        """True when *name* (with or without ``@``, any case) is one of *group*'s people."""
        key = same_person(name)
        return any(same_person(p) == key for p in self.of(group))

    def belongs_anywhere(self, name: str) -> bool:
        """True when *name* is one of the people of any group: the file says whom they speak for."""
        return same_person(name) in self._known

    def __repr__(self) -> str:
        source = self.source or "nothing"
        source = source if len(source) <= 100 else "…" + source[-99:]
        return (
            f"<Groups from {source}: {len(self.people)} groups, {len(self.prr)} PRR approvers,"
            f" {len(self.problems)} problems>"
        )


def _warning(code: str, message: str, path: Path) -> Problem:
    return Problem(code, message, path=str(path), severity=Severity.WARNING)


def _handles(value: object, where: str, path: Path, problems: list[Problem]) -> list[str]:
    """The handles of a list of names; anything else is a problem and gives none."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        msg = f"{path.name}: {where} must be a list of names, found {kind_of(value)}"
        problems.append(_warning("owners-aliases-invalid", msg, path))
        return []
    out: list[str] = []
    for item in value:
        if isinstance(item, str | int) and not isinstance(item, bool) and bare(str(item)):
            out.append(bare(str(item)))
        elif item is not None:
            msg = f"{path.name}: {where} lists {kind_of(item)}, not a name; skipped"
            problems.append(_warning("owners-aliases-invalid", msg, path))
    return out


def _once(names: Iterable[str]) -> tuple[str, ...]:
    """*names* in order, each person once (spellings that differ only in case are one)."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(same_person(name), name)
    return tuple(seen.values())


def from_aliases(data: object, path: Path) -> Groups:
    """The groups of a loaded OWNERS_ALIASES document (``aliases:`` of lists of names)."""
    problems: list[Problem] = []
    aliases = data.get("aliases") if isinstance(data, Mapping) else None
    if not isinstance(aliases, Mapping):
        found = kind_of(data) if not isinstance(data, Mapping) else kind_of(aliases)
        msg = f"{path.name} must hold a mapping 'aliases' of lists of names, found {found}"
        return Groups(source=str(path), problems=[_warning("owners-aliases-invalid", msg, path)])
    people: dict[str, list[str]] = {}
    roles: dict[str, dict[str, list[str]]] = {}
    prr: list[str] = []
    for name, members in aliases.items():
        if not isinstance(name, str):
            msg = f"{path.name}: alias {kind_of(name)} is not a name; skipped"
            problems.append(_warning("owners-aliases-invalid", msg, path))
            continue
        handles = _handles(members, name, path, problems)
        if name.lower() == PRR_ALIAS:
            prr += handles
            continue
        match = _ALIAS.fullmatch(name)
        if match is not None:
            group, role = match["group"].lower(), match["role"].lower()
            roles.setdefault(group, {}).setdefault(role, []).extend(handles)
    for group, by_role in roles.items():
        people[group] = [p for role in ROLES for p in by_role.get(role, ())]
    return Groups(
        {group: _once(names) for group, names in people.items()},
        _once(prr),
        source=str(path),
        problems=problems,
    )


def _community_groups(data: Mapping[object, object]) -> Iterator[tuple[str, object]]:
    """(folder name, leadership) of every group of a community-format sigs.yaml."""
    for key in _COMMUNITY_LISTS:
        entries = data.get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if isinstance(entry, Mapping) and isinstance(entry.get("dir"), str):
                yield str(entry["dir"]), entry.get("leadership")


def from_leadership(data: object, path: Path) -> Groups:
    """The groups of a loaded sigs.yaml: each group's chairs and tech leads."""
    problems: list[Problem] = []
    people: dict[str, list[str]] = {}
    if not isinstance(data, Mapping):
        msg = f"{path.name} must hold a mapping, found {kind_of(data)}"
        return Groups(source=str(path), problems=[_warning("sigs-leadership-invalid", msg, path)])
    for group, leadership in _community_groups(data):
        if leadership is None:
            continue
        if not isinstance(leadership, Mapping):
            msg = f"{path.name}: the leadership of {group} is {kind_of(leadership)}; skipped"
            problems.append(_warning("sigs-leadership-invalid", msg, path))
            continue
        for role in _LEADERSHIP:
            for person in _leaders(leadership.get(role), f"{group} {role}", path, problems):
                people.setdefault(group, []).append(person)
    return Groups(
        {group: _once(names) for group, names in people.items()},
        source=str(path),
        problems=problems,
    )


def _leaders(value: object, where: str, path: Path, problems: list[Problem]) -> list[str]:
    """The ``github`` handles of a leadership list (mappings with ``github``)."""
    if value is None:
        return []
    if not isinstance(value, list):
        msg = f"{path.name}: {where} must be a list, found {kind_of(value)}; skipped"
        problems.append(_warning("sigs-leadership-invalid", msg, path))
        return []
    out = []
    for item in value:
        handle = item.get("github") if isinstance(item, Mapping) else None
        if isinstance(handle, str) and bare(handle):
            out.append(bare(handle))
        else:
            msg = f"{path.name}: {where} lists {kind_of(item)} without a github handle; skipped"
            problems.append(_warning("sigs-leadership-invalid", msg, path))
    return out


def _inside(root: Path, path: Path) -> bool:
    """True when *path* (links followed) lies inside *root*: nothing is read from elsewhere."""
    real = Path(os.path.realpath(path))
    return real.is_relative_to(Path(os.path.realpath(root)))


def _load(root: Path, name: str) -> tuple[object, Path, Problem | None] | None:
    """The document in file *name* at *root*: (data, path, problem); None when there is none."""
    path = root / name
    if not os.path.lexists(path):
        return None
    if not _inside(root, path):
        msg = f"{path} leads out of the content root; it was not read"
        return None, path, _warning("path-outside", msg, path)
    try:
        return load_fast(read_text(path), path=path).data, path, None
    except KepError as exc:
        kind = "owners-aliases" if name == OWNERS_ALIASES else "sigs-leadership"
        return None, path, _warning(f"{kind}-unreadable", exc.message, path)


def read_groups(content_root: str | Path) -> Groups:
    """The people who can give sign-offs under *content_root*.

    ``OWNERS_ALIASES`` at the root when there is one (a checkout), else the leadership
    in the root's ``sigs.yaml``; else nobody is known (``source`` ''). Never raises for
    what the files hold: every fault is a problem of the result, naming the file.
    """
    root = Path(content_root)
    for name, parse in ((OWNERS_ALIASES, from_aliases), (SIGS_FILE, from_leadership)):
        found = _load(root, name)
        if found is None:
            continue
        data, path, problem = found
        if problem is not None:
            return Groups(source=str(path), problems=[problem])
        return parse(data, path)
    return Groups()
