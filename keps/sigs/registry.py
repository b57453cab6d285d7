"""The SIG registry: which SIGs, working groups and committees exist, and their subprojects.

Which SIGs exist is data, not code. A registry is read from a ``sigs.yaml`` in either of
two formats, told apart by their top-level keys:

* kubernetes/community's format (2018 and today): ``sigs:``, ``workinggroups:``,
  ``committees:`` and ``usergroups:`` lists, each entry with ``dir``, ``name`` and
  ``subprojects`` (a list of mappings with a ``name``); everything else is ignored.
* the compact packaged format that :mod:`keps.sigs.render` writes: one ``groups:`` list,
  each entry with ``dir``, ``name``, ``kind`` and ``subprojects`` (a list of names).

A registry is immutable, so one object can be shared freely (``packaged()`` is cached).
"""

from __future__ import annotations

import difflib
import functools
import importlib.resources
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from keps._files import read_text
from keps._kinds import kind_of
from keps._yaml import error_detail, load_fast
from keps.errors import InvalidContentError, UnknownSigError
from keps.problems import Problem

__all__ = [
    "GROUP_KINDS",
    "KUBERNETES_WIDE_DIR",
    "KUBERNETES_WIDE_OWNER",
    "PACKAGED_SOURCE",
    "SIG_WIDE_DIR",
    "Sig",
    "SigRegistry",
    "registry_for",
]

#: The folder under the content root that holds project-wide KEPs.
KUBERNETES_WIDE_DIR = "kubernetes-wide"
#: The folder under a SIG's folder that holds KEPs owned by the SIG as a whole.
SIG_WIDE_DIR = "sig-wide"
#: The SIG that owns every project-wide KEP.
KUBERNETES_WIDE_OWNER = "sig-architecture"

#: Top-level list of kubernetes/community's sigs.yaml -> the kind of group it holds.
_COMMUNITY_SECTIONS: Mapping[str, str] = {
    "sigs": "sig",
    "workinggroups": "workinggroup",
    "committees": "committee",
    "usergroups": "usergroup",
}
#: Every kind of group, in the order kubernetes/community lists them.
GROUP_KINDS: tuple[str, ...] = tuple(_COMMUNITY_SECTIONS.values())

#: Names a SIG or subproject folder may not have: they mean something else in the tree.
_RESERVED_DIRS = frozenset({KUBERNETES_WIDE_DIR, SIG_WIDE_DIR})


#: How the packaged list names itself in error messages.
PACKAGED_SOURCE = "keps/sigs/data/sigs.yaml"


def _dir_name_problem(value: str) -> str | None:
    """Why *value* cannot be one folder name, or None when it can."""
    if not value.strip():
        return "is empty"
    if "/" in value or "\\" in value:
        return "contains a path separator"
    if value in {".", ".."} or value.startswith("."):
        return "starts with a dot"
    if value in _RESERVED_DIRS:
        return f"is reserved for {value} KEPs"
    return None


def _check_dir_name(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    why = _dir_name_problem(value)
    if why is not None:
        msg = f"{attribute.name} {value!r} {why}"
        raise InvalidContentError(msg)


def _check_subprojects(
    _instance: object, _attribute: attrs.Attribute[Any], value: tuple[str, ...]
) -> None:
    for name in value:
        why = _dir_name_problem(name)
        if why is not None:
            msg = f"subproject {name!r} {why}"
            raise InvalidContentError(msg)


def _to_names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _to_groups(value: Iterable[Sig]) -> tuple[Sig, ...]:
    return tuple(value)


@attrs.frozen
class Sig:
    """One group of the registry: a SIG, working group, committee or user group.

    Args:
        dir: its folder name, as in kubernetes/community (``sig-node``).
        name: its display name (``Node``).
        subprojects: its subproject names in file order; they double as folder names.
        kind: ``sig``, ``workinggroup``, ``committee`` or ``usergroup``.
    """

    dir: str = attrs.field(validator=[attrs.validators.instance_of(str), _check_dir_name])
    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    subprojects: tuple[str, ...] = attrs.field(converter=_to_names, validator=_check_subprojects)
    kind: str = attrs.field(default="sig", validator=attrs.validators.in_(GROUP_KINDS))


def _duplicate_problems(groups: tuple[Sig, ...], source: str) -> list[Problem]:
    """Problems for a folder name used twice, among groups or within one group's subprojects."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for group in groups:
        if group.dir in seen:
            msg = f"{group.dir} is listed more than once"
            problems.append(Problem("sig-list-duplicate", msg, path=source))
        seen.add(group.dir)
        subs: set[str] = set()
        for sub in group.subprojects:
            if sub in subs:
                msg = f"{group.dir} lists subproject {sub} more than once"
                problems.append(Problem("sig-list-duplicate", msg, path=source))
            subs.add(sub)
    return problems


@attrs.frozen
class SigRegistry:
    """An immutable list of groups, in file order, with lookups by folder name.

    ``exists`` and ``in`` accept every group listed, of any kind, because KEPs name working
    groups among their participating SIGs; ``all`` lists only the SIGs, because only SIGs
    own KEPs and get a folder under the content root.

    Args:
        groups: every group, in file order; folder names must be unique.
        source: where the list came from (a path or URL), named in error messages.
    """

    groups: tuple[Sig, ...] = attrs.field(converter=_to_groups)
    source: str = "<memory>"
    _by_dir: Mapping[str, Sig] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        problems = _duplicate_problems(self.groups, self.source)
        if problems:
            msg = f"{self.source}: not a valid SIG list"
            raise InvalidContentError(msg, path=self.source, problems=problems)
        object.__setattr__(self, "_by_dir", {group.dir: group for group in self.groups})

    # -- constructors ------------------------------------------------------------------

    @classmethod
    def from_yaml_text(cls, text: str, *, source: str) -> SigRegistry:
        """Read a sigs.yaml (kubernetes/community's format or the packaged one).

        Raises:
            InvalidContentError: the text is not YAML or not shaped like a SIG list; it
                names *source* and lists every problem found.
        """
        return cls(_groups_or_raise(_load_yaml(text, source), source), source=source)

    @classmethod
    def from_file(cls, path: Path) -> SigRegistry:
        """Read the SIG list in the file at *path*; errors name the file."""
        return cls.from_yaml_text(read_text(path), source=str(path))

    @classmethod
    def packaged(cls) -> SigRegistry:
        """The SIG list shipped with keps (``keps/sigs/data/sigs.yaml``), read once."""
        return _packaged()

    # -- lookups -----------------------------------------------------------------------

    def all(self) -> tuple[str, ...]:
        """The folder names of every SIG (kind ``sig``), in file order."""
        return tuple(group.dir for group in self.groups if group.kind == "sig")

    def exists(self, sig: str) -> bool:
        """True when *sig* is the folder name of any group listed (SIG, WG, committee, UG)."""
        return sig in self._by_dir

    def subproject_exists(self, sig: str, subproject: str) -> bool:
        """True when *sig* is listed and has a subproject called *subproject*."""
        group = self._by_dir.get(sig)
        return group is not None and subproject in group.subprojects

    def get(self, sig: str) -> Sig:
        """The group whose folder is *sig*.

        Raises:
            UnknownSigError: *sig* is not listed; the message suggests near matches.
        """
        group = self._by_dir.get(sig)
        if group is None:
            msg = f"unknown SIG {sig!r} in the SIG list from {self.source}"
            msg += _suggestion(sig, self._by_dir)
            raise UnknownSigError(msg)
        return group

    def subprojects(self, sig: str) -> tuple[str, ...]:
        """The subproject names of *sig*, in file order; UnknownSigError if not listed."""
        return self.get(sig).subprojects

    def display_name(self, sig: str) -> str:
        """The display name of *sig* (``Node`` for ``sig-node``); UnknownSigError if not listed."""
        return self.get(sig).name

    def __contains__(self, sig: object) -> bool:
        return isinstance(sig, str) and sig in self._by_dir

    def __iter__(self) -> Iterator[Sig]:
        return iter(self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    def __repr__(self) -> str:
        """One short line; the attrs repr listed every group and subproject (7 KB)."""
        return (
            f"<SigRegistry of {len(self.groups)} groups ({len(self.all())} SIGs) "
            f"from {self.source}>"
        )


def _load_yaml(text: str, source: str) -> object:
    """The document in *text*, loaded safely; bad YAML raises an error naming *source*.

    Goes through the library's one hardened loader: duplicate keys, alias bombs and
    absurd nesting are refused there, with the line.
    """
    try:
        return load_fast(text, path=source).data
    except InvalidContentError as exc:
        detail, line, column = error_detail(exc)
        if column is not None:
            detail = f"{detail} (column {column})"
        problems = [Problem("sig-list-not-yaml", detail, path=source, line=line)]
        msg = f"{source} is not valid YAML"
        raise InvalidContentError(msg, path=source, problems=problems) from exc


def _groups_or_raise(data: object, source: str) -> tuple[Sig, ...]:
    """The groups of a loaded document, or one InvalidContentError with every problem."""
    groups, problems = _groups_from_data(data, source)
    problems.extend(_duplicate_problems(groups, source))
    if problems:
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        msg = f"{source}: not a valid SIG list ({count})"
        raise InvalidContentError(msg, path=source, problems=problems)
    return groups


def _suggestion(name: str, known: Mapping[str, object] | tuple[str, ...]) -> str:
    """``; did you mean ...?`` with up to three near matches of *name*, or ``""``."""
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(close) + "?"


def _groups_from_data(data: object, source: str) -> tuple[tuple[Sig, ...], list[Problem]]:
    """The groups in a loaded sigs.yaml document, and every problem with its shape."""
    problems: list[Problem] = []

    def problem(message: str) -> None:
        problems.append(Problem("sig-list-shape", message, path=source))

    if not isinstance(data, dict):
        problem(f"expected a mapping at the top, found {kind_of(data)}")
        return (), problems

    if "groups" in data:
        sections: list[tuple[str, object, str | None]] = [("groups", data["groups"], None)]
    else:
        sections = [
            (key, data[key], kind) for key, kind in _COMMUNITY_SECTIONS.items() if key in data
        ]
        if not sections:
            problem("found none of the lists sigs, workinggroups, committees, usergroups, groups")

    groups: list[Sig] = []
    for key, entries, kind in sections:
        if entries is None:
            continue
        if not isinstance(entries, list):
            problem(f"{key}: expected a list, found {kind_of(entries)}")
            continue
        for position, entry in enumerate(entries, start=1):
            where = f"{key}[{position}]"
            group = _group_from_entry(entry, where, kind, problem)
            if group is not None:
                groups.append(group)
    return tuple(groups), problems


def _group_from_entry(
    entry: object, where: str, kind: str | None, problem: Callable[[str], None]
) -> Sig | None:
    """One Sig from one list entry, or None after reporting why it cannot be one."""
    if not isinstance(entry, dict):
        problem(f"{where}: expected a mapping, found {kind_of(entry)}")
        return None
    dir_ = entry.get("dir")
    name = entry.get("name")
    where = f"{where} ({dir_})" if isinstance(dir_, str) else where
    ok = True
    if not isinstance(dir_, str):
        problem(f"{where}: dir must be a string, found {kind_of(dir_)}")
        ok = False
    elif (why := _dir_name_problem(dir_)) is not None:
        problem(f"{where}: dir {dir_!r} {why}")
        ok = False
    if not isinstance(name, str):
        problem(f"{where}: name must be a string, found {kind_of(name)}")
        ok = False
    if kind is None:
        kind = entry.get("kind", "sig")
        if kind not in GROUP_KINDS:
            problem(f"{where}: kind must be one of {', '.join(GROUP_KINDS)}, found {kind!r}")
            ok = False
    subprojects = _subprojects_from_entry(entry.get("subprojects"), where, problem)
    if not ok or subprojects is None or not isinstance(dir_, str) or not isinstance(name, str):
        return None
    return Sig(dir=dir_, name=name, subprojects=subprojects, kind=str(kind))


def _subprojects_from_entry(
    value: object, where: str, problem: Callable[[str], None]
) -> tuple[str, ...] | None:
    """Subproject names from a list of names or of mappings with a ``name``."""
    if value is None:
        return ()
    if not isinstance(value, list):
        problem(f"{where}: subprojects must be a list, found {kind_of(value)}")
        return None
    names: list[str] = []
    ok = True
    for position, item in enumerate(value, start=1):
        sub = item.get("name") if isinstance(item, dict) else item
        if not isinstance(sub, str):
            problem(f"{where}: subproject {position} has no name")
            ok = False
        elif (why := _dir_name_problem(sub)) is not None:
            problem(f"{where}: subproject {sub!r} {why}")
            ok = False
        else:
            names.append(sub)
    return tuple(names) if ok else None


@functools.cache
def _packaged() -> SigRegistry:
    """Read the packaged list once; the registry is immutable, so sharing it is safe."""
    text = _packaged_text()
    return SigRegistry.from_yaml_text(text, source=PACKAGED_SOURCE)


def _packaged_text() -> str:
    """The text of the packaged ``sigs.yaml``, as shipped."""
    resource = importlib.resources.files("keps.sigs").joinpath("data", "sigs.yaml")
    return resource.read_text(encoding="utf-8")


def registry_for(
    content_root: Path | None = None, registry: SigRegistry | None = None
) -> SigRegistry:
    """The SIG list in force: *registry*, else ``<content_root>/sigs.yaml``, else packaged().

    A ``sigs.yaml`` that is a FIFO or a device raises the KepError that names it rather
    than being passed over (a folder of that name is no SIG list, and is).
    """
    if registry is not None:
        return registry
    if content_root is not None:
        # strings, not Path objects: this runs once per opened KEP; the key is the text of
        # (content_root / "sigs.yaml").absolute(), as the error messages show it
        candidate = os.path.join(content_root, "sigs.yaml")  # noqa: PTH118
        try:
            info = os.stat(candidate)
        except OSError:
            return SigRegistry.packaged()
        if not (isinstance(content_root, Path) and content_root.is_absolute()):
            candidate = str((Path(content_root) / "sigs.yaml").absolute())
        if stat.S_ISDIR(info.st_mode):  # a folder of that name holds no SIG list
            return SigRegistry.packaged()
        if not stat.S_ISREG(info.st_mode):  # a FIFO, a device: refused, naming it
            return SigRegistry.from_file(Path(candidate))
        return _registry_from_file(candidate, info.st_mtime_ns, info.st_size, info.st_ino)
    return SigRegistry.packaged()


@functools.lru_cache(maxsize=16)
def _registry_from_file(path: str, _mtime_ns: int, _size: int, _inode: int) -> SigRegistry:
    """One parse per version of a sigs.yaml: opening 10,000 KEPs reads the SIG list once.

    The registry is immutable and the key includes the file's size, modification time
    and inode, so an edited file is read again and a cached answer is never stale.
    """
    return SigRegistry.from_file(Path(path))
