"""Links between KEPs: what replaces, supersedes and points to what, resolved to KEPs.

A KEP names other KEPs in three lists of its metadata, as people typed them::

    replaces:        # written on the NEW KEP: the KEPs it takes the place of
    superseded-by:   # written on the OLD KEP: the KEPs that took its place
    see-also:        # anywhere: related KEPs

Upstream often fills in only one side of a replacement, and spells a KEP many ways.
:class:`Links` resolves every reference to a KEP of a :class:`~keps.KepCollection`:

================================================  =====================================
reference                                         names
================================================  =====================================
``keps/sig-node/753-x``, ``/keps/sig-node/753-x/``  the KEP in that folder; a trailing
``.../753-x/README.md`` (or ``kep.yaml``)          file, or any file inside the folder,
                                                  names the folder's KEP
``https://github.com/kubernetes/enhancements/``   the same path; any branch or commit
``tree/master/keps/...`` (``blob/``, ``main``)     (a link pinned to a commit names the
                                                  KEP that lives there now)
``https://github.com/kubernetes/enhancements/``   KEP 753: KEP numbers are the numbers
``issues/753``                                    of their tracking issues
``KEP-753``, ``kep-753``, ``KEP 753``, ``753``,   the KEP numbered 753, unless several
``#753``                                          KEPs share the number (then none)
``753-x`` (a folder name), or a path to a folder  the one KEP whose folder has that name:
of that name that is gone (the KEP moved SIG)     KEPs move between SIG folders
``[text](link)``, ``(link)``, ``<link>``          the link inside
================================================  =====================================

Anything else stays unresolved, with the reason (:attr:`Links.unresolved`). Either it
is no link to another KEP - a placeholder (``n/a``, ``none``, ``TBD``), a link elsewhere
(design docs, pull requests, other repositories), a link into the KEP's own folder - or
it is a broken KEP reference (:attr:`Unresolved.broken`): a folder that does not exist
(the reason names the KEP with that number, when there is one), a number that no KEP
or several KEPs have, free text.

For each KEP, :meth:`Links.of` answers both directions of each list. A replacement is one
relation, however it is declared: *new* replaces *old* when *new* lists *old* in
``replaces`` OR *old* lists *new* in ``superseded-by``. So:

=============  ======================================================================
replaces       what this KEP's own ``replaces`` names (as declared)
superseded_by  what this KEP's own ``superseded-by`` names (as declared)
supersedes     every KEP this one took the place of, whichever side declares it: the
               KEPs its ``replaces`` names, and the KEPs whose ``superseded-by``
               names it (so it always includes ``replaces``)
replaced_by    every KEP that took this one's place, whichever side declares it: the
               KEPs whose ``replaces`` names it, and the KEPs its ``superseded-by``
               names (so it always includes ``superseded_by``)
see_also       what this KEP's own ``see-also`` names
seen_from      the KEPs whose ``see-also`` names this one
=============  ======================================================================

Declared lists keep the order of the metadata; the others are in number order.
Resolution looks only at the collection it was given: links out of a query's result
to KEPs it left out are unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote, urlsplit

import attrs

from keps._names import KEP_FILE, KEPS_DIR, METADATA_FILE, README_FILE
from keps.index.entry import Entry

if TYPE_CHECKING:
    from keps.analysis.collection import KepCollection

__all__ = [
    "ELSEWHERE",
    "ITSELF",
    "KINDS",
    "NOT_A_KEP",
    "PLACEHOLDER",
    "Edge",
    "KepLinks",
    "Links",
    "Unresolved",
    "links_of",
]

#: The three lists, by the names kep.yaml gives them (and ``kepctl graph --kind`` takes).
KINDS = ("replaces", "superseded-by", "see-also")

#: The Entry attribute that holds each list.
_ATTRIBUTES: Mapping[str, str] = {
    "replaces": "replaces",
    "superseded-by": "superseded_by",
    "see-also": "see_also",
}

#: Reasons for a reference that is no link to another KEP (nothing is broken).
PLACEHOLDER = "a placeholder, not a reference"
ELSEWHERE = "a link outside kubernetes/enhancements"
NOT_A_KEP = "a link into kubernetes/enhancements that names no KEP (a pull request, a page)"
ITSELF = "names the KEP itself"
_NOT_LINKS = frozenset({PLACEHOLDER, ELSEWHERE, NOT_A_KEP, ITSELF})


class Edge(NamedTuple):
    """One resolved reference: *source* lists *target* under *kind* (locations)."""

    source: str
    target: str
    kind: str


class Unresolved(NamedTuple):
    """A reference that names no KEP of the collection, and why.

    *location* is the KEP that makes it, *field* the list (one of :data:`KINDS`), *text*
    the reference as written.
    """

    location: str
    field: str
    text: str
    reason: str

    @property
    def broken(self) -> bool:
        """True for a reference meant for a KEP that names none here (a moved or mistyped
        folder, an unknown or shared number); False for a placeholder, a link elsewhere
        or a link into the KEP's own folder."""
        return self.reason not in _NOT_LINKS


@attrs.frozen(repr=False)
class KepLinks:
    """The KEPs one KEP is linked with, in each direction (see :mod:`keps.analysis.links`)."""

    entry: Entry
    replaces: tuple[Entry, ...] = ()
    replaced_by: tuple[Entry, ...] = ()
    superseded_by: tuple[Entry, ...] = ()
    supersedes: tuple[Entry, ...] = ()
    see_also: tuple[Entry, ...] = ()
    seen_from: tuple[Entry, ...] = ()

    def __bool__(self) -> bool:
        return any(attrs.astuple(self, recurse=False)[1:])

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{field.name} {len(getattr(self, field.name))}"
            for field in attrs.fields(KepLinks)[1:]
            if getattr(self, field.name)
        )
        return f"<KepLinks of {self.entry.location}: {counts or 'none'}>"


# -- reading a reference --

_PLACEHOLDERS = frozenset({"", "-", "~", "n/a", "na", "none", "null", "nil", "tbd", "todo", "no"})
_MARKDOWN = re.compile(r"\[[^\]]*\]\(\s*(?P<link>[^()\s]+)\s*\)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_NUMBER = re.compile(r"(?:kep[-_ ]?|#)?(?P<number>[0-9]{1,12})", re.IGNORECASE)
_NUMBERED_FOLDER = re.compile(r"0*(?P<number>[0-9]{1,12})-[^./]+")
_KEP_FILES = (README_FILE, KEP_FILE, METADATA_FILE)
_REPOSITORY = ("kubernetes", "enhancements")
_ORGANISATIONS = frozenset({"kubernetes", "kubernetes-sigs"})


def _unwrapped(text: str) -> str:
    """The reference inside *text*: quotes, Markdown link syntax and trailing words removed."""
    text = text.strip().strip("\"'`").strip()
    markdown = _MARKDOWN.fullmatch(text)
    if markdown:
        return markdown["link"]
    for start, end in ("()", "<>"):
        if len(text) > 1 and text[0] == start and text[-1] == end:
            return text[1:-1].strip()
    if _SCHEME.match(text) and len(text.split()) > 1:  # 'https://goo.gl/x - a design doc'
        return text.split()[0]
    return text


def _repository_path(parts: list[str]) -> tuple[str, list[str]] | None:
    """('path'|'issue'|'other', the rest) for the path of kubernetes/enhancements parts."""
    if parts[:1] in (["tree"], ["blob"]) and len(parts) >= 3:
        return "path", parts[2:]
    if parts[:1] == ["issues"] and len(parts) >= 2:
        return "issue", parts[1:2]
    return None


class _Resolver:
    """Answers what one reference names, from maps of the collection made once."""

    def __init__(self, entries: Iterable[Entry], broken: Iterable[str]) -> None:
        self.by_location: dict[str, Entry] = {}
        self.by_number: dict[int, list[Entry]] = {}
        self.by_folder: dict[str, list[Entry]] = {}
        for entry in entries:
            self.by_location[entry.location] = entry
            if entry.kep_number is not None:
                self.by_number.setdefault(entry.kep_number, []).append(entry)
            self.by_folder.setdefault(entry.location.rsplit("/", 1)[-1], []).append(entry)
        self.broken = frozenset(broken)

    def resolve(self, text: str) -> Entry | str:
        """The KEP *text* names, or the reason it names none."""
        reference = _unwrapped(text)
        if reference.lower().rstrip(".") in _PLACEHOLDERS:
            return PLACEHOLDER
        if _SCHEME.match(reference):
            return self._url(reference)
        number = _NUMBER.fullmatch(reference)
        if number:
            return self._number(int(number["number"]))
        if any(char.isspace() for char in reference) or reference.startswith("@"):
            return "names no KEP: neither a folder, a number nor a link"
        parts = [part for part in reference.split("/") if part not in ("", ".")]
        if len(parts) > 1 and parts[0].lower() in _ORGANISATIONS:  # kubernetes/community/...
            if (parts[0].lower(), parts[1].lower()) != _REPOSITORY:
                return ELSEWHERE
            parts = parts[2:]
            inside = _repository_path(parts)
            if inside is not None and inside[0] == "path":
                parts = inside[1]
        return self._path(parts)

    def _url(self, url: str) -> Entry | str:
        try:
            split = urlsplit(url)
        except ValueError:
            return ELSEWHERE
        host = split.netloc.lower().removeprefix("www.")
        parts = [unquote(part) for part in split.path.split("/") if part]
        if host != "github.com" or [p.lower() for p in parts[:2]] != list(_REPOSITORY):
            return ELSEWHERE
        inside = _repository_path(parts[2:])
        if inside is None:
            return NOT_A_KEP
        kind, rest = inside
        if kind == "issue":
            if not rest[0].isdigit() or len(rest[0]) > 12:
                return NOT_A_KEP
            return self._number(int(rest[0]))
        return self._path(rest)

    def _number(self, number: int) -> Entry | str:
        same = self.by_number.get(number, [])
        if len(same) == 1:
            return same[0]
        if not same:
            return f"no KEP numbered {number}"
        locations = ", ".join(entry.location for entry in same)
        return f"KEP number {number} is used by {len(same)} KEPs: {locations}"

    def _path(self, parts: list[str]) -> Entry | str:
        while parts and parts[-1] in _KEP_FILES:
            parts = parts[:-1]
        if not parts:
            return "names no KEP: an empty path"
        path = "/".join(parts)
        for candidate in self._locations(parts):
            # the folder itself, or a file anywhere inside it
            for end in range(len(candidate), 0, -1):
                found = self.by_location.get("/".join(candidate[:end]))
                if found is not None:
                    return found
        folder = parts[-1]
        same = self.by_folder.get(folder, [])
        if len(same) == 1:
            return same[0]
        if same:
            locations = ", ".join(entry.location for entry in same)
            return f"the folder name {folder} is used by {len(same)} KEPs: {locations}"
        return self._missing(path, parts)

    @staticmethod
    def _locations(parts: list[str]) -> list[list[str]]:
        """*parts* as a location, with and without the ``keps/`` folder of a checkout."""
        if parts[0] == KEPS_DIR:
            return [parts, parts[1:]] if len(parts) > 1 else [parts]
        return [parts, [KEPS_DIR, *parts]]

    def _missing(self, path: str, parts: list[str]) -> str:
        """Why *path* names no KEP, with the KEP its number would name, if there is one."""
        for candidate in self._locations(parts):
            if "/".join(candidate) in self.broken:
                return f"no readable KEP at {'/'.join(candidate)} (it could not be loaded)"
        reason = f"no KEP at {path}"
        numbered = _NUMBERED_FOLDER.fullmatch(parts[-1])
        if numbered:
            same = self.by_number.get(int(numbered["number"]), [])
            if len(same) == 1:
                reason += f" (KEP {same[0].kep_number} is {same[0].location})"
        return reason


# -- the links of a collection --


def _ordered(entries: Iterable[Entry], order: Mapping[str, int]) -> tuple[Entry, ...]:
    unique = {entry.location: entry for entry in entries}
    return tuple(sorted(unique.values(), key=lambda entry: order[entry.location]))


class Links:
    """Every link between the KEPs of *collection*, resolved (see the module docstring).

    ``links.of(753)`` is a :class:`KepLinks`; :attr:`edges` lists each resolved
    reference once, :attr:`unresolved` each reference that names no KEP, with the reason.
    """

    def __init__(self, collection: KepCollection) -> None:
        self._collection = collection
        resolver = _Resolver(collection.entries, (kep.location for kep in collection.broken))
        edges: dict[Edge, None] = {}
        unresolved: list[Unresolved] = []
        for entry in collection.entries:
            for kind in KINDS:
                for text in getattr(entry, _ATTRIBUTES[kind]):
                    found = resolver.resolve(text)
                    if isinstance(found, str):
                        unresolved.append(Unresolved(entry.location, kind, text, found))
                    elif found.location == entry.location:
                        unresolved.append(Unresolved(entry.location, kind, text, ITSELF))
                    else:
                        edges.setdefault(Edge(entry.location, found.location, kind))
        self._edges = tuple(edges)
        self._unresolved = tuple(unresolved)
        self._by_location = resolver.by_location
        self._order = {entry.location: n for n, entry in enumerate(collection.entries)}
        self._declared: dict[tuple[str, str], list[str]] = {}
        self._derived: dict[tuple[str, str], list[str]] = {}
        for source, target, kind in self._edges:
            self._declared.setdefault((source, kind), []).append(target)
            if kind == "replaces":  # source took target's place
                self._derived.setdefault((source, "supersedes"), []).append(target)
                self._derived.setdefault((target, "replaced_by"), []).append(source)
            elif kind == "superseded-by":  # target took source's place
                self._derived.setdefault((source, "replaced_by"), []).append(target)
                self._derived.setdefault((target, "supersedes"), []).append(source)
            else:
                self._derived.setdefault((target, "seen_from"), []).append(source)

    @property
    def collection(self) -> KepCollection:
        """The KEPs the links were resolved among."""
        return self._collection

    @property
    def edges(self) -> tuple[Edge, ...]:
        """Each resolved reference once, as (source location, target location, kind),
        in the collection's order and then the metadata's."""
        return self._edges

    @property
    def unresolved(self) -> tuple[Unresolved, ...]:
        """Each reference that names no KEP of the collection: (location, field, text, reason)."""
        return self._unresolved

    def of(self, key: int | str | Path | Entry) -> KepLinks:
        """The links of the KEP numbered or located *key* (or of that entry).

        Raises:
            KepNotFoundError: no KEP of the collection has that number or location
                (AmbiguousTargetError when two KEPs share the number).
        """
        entry = self._collection[key.location if isinstance(key, Entry) else key]
        location = entry.location

        def declared(kind: str) -> tuple[Entry, ...]:
            targets = self._declared.get((location, kind), [])
            return tuple(self._by_location[target] for target in targets)

        def derived(name: str) -> tuple[Entry, ...]:
            others = self._derived.get((location, name), [])
            return _ordered((self._by_location[other] for other in others), self._order)

        return KepLinks(
            entry=entry,
            replaces=declared("replaces"),
            replaced_by=derived("replaced_by"),
            superseded_by=declared("superseded-by"),
            supersedes=derived("supersedes"),
            see_also=declared("see-also"),
            seen_from=derived("seen_from"),
        )

    def __repr__(self) -> str:
        linked = {location for edge in self._edges for location in edge[:2]}
        return (
            f"<Links of {self._collection.content_root}: {len(self._edges)} links between "
            f"{len(linked)} KEPs, {len(self._unresolved)} unresolved>"
        )


def links_of(collection: KepCollection) -> Links:
    """Every link between the KEPs of *collection* (``collection.links`` keeps one)."""
    return Links(collection)
