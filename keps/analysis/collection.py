"""A collection of KEPs, the one way in for analysis: :func:`load` and :class:`KepCollection`.

::

    import keps

    ks = keps.load("~/src/enhancements")          # a checkout or a 2018 content root
    len(ks), ks[753].title, ks["keps/sig-node/753-sidecar-containers"].stage
    ks.query("sig:sig-node stage:beta").count("state")
    ks.to_dataframe()                             # pandas, from keps[analysis]

Iteration is in KEP number order (KEPs without a number last, by location); a query
takes the language of ``kepctl query`` and gives a collection again. The entries are
the index's (:class:`keps.index.Entry`); :meth:`KepCollection.open` gives the full KEP.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from keps.errors import InvalidArgumentError, KepNotFoundError
from keps.index.entry import BrokenKep, Entry
from keps.index.records import RECORD_FIELDS, to_record
from keps.problems import Problem

if TYPE_CHECKING:
    import pandas

    from keps.analysis.findings import Findings
    from keps.analysis.links import Links
    from keps.analysis.search import Hit
    from keps.filter.criteria import Criterion
    from keps.history import History
    from keps.keps import Kep
    from keps.keps.milestones import Milestone
    from keps.signoff import Waiting

__all__ = ["KepCollection", "load"]


def load(path: str | Path, *, fresh: bool = False) -> KepCollection:
    """Every KEP under *path*: a kubernetes/enhancements checkout (or its ``keps/``
    folder) or a 2018-layout content root.

    The index is used as ``kepctl query`` uses it (``keps.yaml``, else the checkout's
    cache, rebuilt where the tree changed); *fresh* walks the whole tree again.

    Raises:
        KepNotFoundError: *path* is not a folder.
        IndexCorruptError: the content root's keps.yaml cannot be read.
    """
    from keps import index

    root = Path(path).expanduser()
    loaded = index.rebuild(root) if fresh else index.open(root)
    broken = loaded.broken
    problems = (*loaded.problems, *(p for kep in broken for p in kep.problems))
    return KepCollection(loaded.content_root, loaded.entries, broken=broken, problems=problems)


def _release_or_none(entry: Entry) -> Milestone | None:
    from keps.keps.milestones import Milestone

    try:
        return Milestone.parse(entry.latest_milestone)
    except (TypeError, ValueError):
        return None


def _order(entry: Entry) -> tuple[bool, int, str]:
    number = entry.kep_number
    return (number is None, number if number is not None else 0, entry.location)


class KepCollection:
    """KEPs of one content root, in number order; lookup by number or by location.

    ``ks[753]`` is the KEP numbered 753, ``ks["keps/sig-node/753-x"]`` the KEP in
    that folder (relative to the content root; an absolute path inside it works too).

    Args:
        content_root: the folder the locations are relative to.
        entries: the KEPs (any order).
        broken: KEPs found but not readable, each with its problems.
        problems: what loading found wrong (duplicate numbers, unreadable files).
    """

    def __init__(
        self,
        content_root: Path,
        entries: Iterable[Entry],
        *,
        broken: Iterable[BrokenKep] = (),
        problems: Iterable[Problem] = (),
    ) -> None:
        self._root = Path(content_root)
        self._entries = tuple(sorted(entries, key=_order))
        self._broken = tuple(broken)
        self._problems = tuple(problems)
        self._by_location = {entry.location: entry for entry in self._entries}
        self._by_number: dict[int, list[Entry]] = {}
        for entry in self._entries:
            if entry.kep_number is not None:
                self._by_number.setdefault(entry.kep_number, []).append(entry)

    # -- what it holds --

    @property
    def content_root(self) -> Path:
        """The folder every location is relative to."""
        return self._root

    @property
    def entries(self) -> tuple[Entry, ...]:
        """The KEPs in number order."""
        return self._entries

    @property
    def broken(self) -> tuple[BrokenKep, ...]:
        """KEPs found while loading that could not be read, each with its problems."""
        return self._broken

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Everything loading found wrong, the broken KEPs' problems included."""
        return self._problems

    @property
    def is_checkout(self) -> bool:
        """True for a kubernetes/enhancements checkout (kep.yaml per KEP)."""
        from keps._checkout import is_checkout

        return is_checkout(self._root)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __contains__(self, key: object) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key: int | str | Path) -> Entry:
        """The KEP numbered *key* (an int), or in the folder *key* (text or a path).

        Raises:
            KepNotFoundError: no KEP of the collection has that number or location;
                :class:`~keps.index.AmbiguousTargetError` (one of those) when two KEPs
                share the number, naming both.
        """
        found = self.get(key)
        if found is None:
            msg = f"no KEP {self._shown(key)} in {self._root} ({len(self)} KEPs)"
            raise KepNotFoundError(msg, path=self._root)
        return found

    def get(self, key: object, default: Entry | None = None) -> Entry | None:
        """The KEP numbered or located *key*, or *default*; ambiguous numbers raise."""
        if isinstance(key, bool):
            return default
        if isinstance(key, int):
            same = self._by_number.get(key, ())
            if len(same) > 1:
                from keps.index.targets import AmbiguousTargetError

                locations = tuple(entry.location for entry in same)
                msg = f"KEP number {key} is used by {len(same)} KEPs: {', '.join(locations)}"
                raise AmbiguousTargetError(msg, candidates=locations)
            return same[0] if same else default
        if isinstance(key, str | Path):
            return self._by_location.get(self._location(key), default)
        return default

    def _location(self, key: str | Path) -> str:
        """*key* as a location: a path inside the root, or text such as ``keps/sig-x/1-y``
        or ``/keps/sig-x/1-y`` (how kep.yaml's see-also names a KEP: from the checkout)."""
        path = Path(key)
        if path.is_absolute():
            try:
                path = path.relative_to(self._root)
            except ValueError:
                return path.as_posix().strip("/") if isinstance(key, str) else ""
        return path.as_posix().strip("/")

    @staticmethod
    def _shown(key: object) -> str:
        return f"numbered {key}" if isinstance(key, int) else f"at {str(key)!r:.200}"

    def open(self, key: int | str | Path) -> Kep:
        """The full KEP (metadata, sections, problems) numbered or located *key*."""
        from keps.keps import open as open_kep

        return open_kep(self._root / self[key].location)

    # -- selecting --

    def query(
        self,
        criterion: str | Criterion | Callable[[Entry], bool] = "",
        *,
        sort_by: str = "kep_number",
        reverse: bool = False,
    ) -> KepCollection:
        """The KEPs *criterion* selects: a query as ``kepctl query`` takes it, a criterion
        of :mod:`keps.filter` or a function; sorted by *sort_by* (any query field).

        SIG names are checked as ``kepctl query`` checks them: ``sig:node`` is ``sig-node``
        and an unknown SIG is refused with the near match. A ``text:`` term reads each
        KEP's text from disk, once (see :mod:`keps.analysis.search`).

        Raises:
            QuerySyntaxError: the query does not parse or names an unknown value.
        """
        from keps import filter as kep_filter
        from keps.filter.criteria import fields_of

        if isinstance(criterion, str):
            criterion = self._parse(criterion) if criterion.strip() else None  # type: ignore[assignment]
        if "text" in fields_of(criterion):  # reads the KEPs' files
            from keps.analysis.search import select_with_text

            chosen = select_with_text(
                self._root, self._entries, criterion, sort_by=sort_by, reverse=reverse
            )
        else:
            chosen = kep_filter.select(self._entries, criterion, sort_by=sort_by, reverse=reverse)
        return KepCollection._sorted(self._root, chosen)

    def _parse(self, text: str) -> Criterion:
        from keps import filter as kep_filter

        def sigs() -> frozenset[str]:
            from keps.sigs import registry_for

            return kep_filter.known_sigs(registry_for(self._root), self._entries)

        return kep_filter.parse_query(text, sigs=sigs)

    @classmethod
    def _sorted(cls, root: Path, entries: list[Entry]) -> KepCollection:
        """A collection that keeps the order *entries* come in (a sorted query result)."""
        made = cls(root, ())
        made._entries = tuple(entries)
        made._by_location = {entry.location: entry for entry in entries}
        for entry in entries:
            if entry.kep_number is not None:
                made._by_number.setdefault(entry.kep_number, []).append(entry)
        return made

    def prr_pending(
        self, *, milestone: str | None = None, approver: str | None = None
    ) -> KepCollection:
        """The KEPs whose current stage needs a PRR approval and has none (see
        :func:`keps.index.prr_pending`); *milestone* and *approver* narrow it."""
        from keps.index.prr import prr_pending

        found = prr_pending(self._entries, milestone=milestone, approver=approver)
        return KepCollection._sorted(self._root, found)

    @property
    def release(self) -> Milestone | None:
        """The newest release any KEP targets (its ``latest_milestone``): the release under
        way, as kubernetes/enhancements' CI takes it when none is given."""
        releases = [m for m in map(_release_or_none, self._entries) if m is not None]
        return max(releases) if releases else None

    def count(self, field: str) -> Counter[object]:
        """How many KEPs have each value of *field* (a record field or query field name).

        A list field counts each item (``count("feature_gates")`` counts gates); KEPs
        without a value count under ''. ``ks.count("state")``, ``ks.count("milestone.beta")``.

        Raises:
            InvalidArgumentError: *field* names no field.
        """
        name = self._record_field(field)
        counts: Counter[object] = Counter()
        for record in self.to_records():
            value = record[name]
            if isinstance(value, tuple):
                counts.update(value)
            else:
                counts[value if value is not None else ""] += 1
        return counts

    @staticmethod
    def _record_field(field: str) -> str:
        if field in RECORD_FIELDS:
            return field
        from keps.filter.fields import lookup

        try:
            attribute = lookup(field).attribute
        except ValueError:
            attribute = ""
        if attribute in RECORD_FIELDS:
            return attribute
        msg = f"unknown field {field!r}; fields are: {', '.join(RECORD_FIELDS)}"
        raise InvalidArgumentError(msg, argument="field", value=field)

    # -- as data --

    def to_records(self) -> list[dict[str, object]]:
        """Each KEP as a plain dict of :data:`keps.index.records.RECORD_FIELDS`."""
        return [to_record(entry) for entry in self._entries]

    def to_dataframe(self) -> pandas.DataFrame:
        """The KEPs as a pandas DataFrame with typed columns (needs ``keps[analysis]``).

        See :func:`keps.analysis.frame.to_dataframe` for the column types.

        Raises:
            MissingExtraError: pandas is not installed.
        """
        from keps.analysis.frame import to_dataframe

        return to_dataframe(self.to_records())

    def __repr__(self) -> str:
        return f"<KepCollection of {self._root}: {len(self)} KEPs, {len(self._problems)} problems>"

    def _repr_html_(self) -> str:
        from keps.analysis.html import collection_html

        return collection_html(self)

    # -- validation --

    def validate(self, level: str = "kepval") -> Findings:
        """What the rules of *level* (``kepval`` or ``lint``, see :mod:`keps.validate`)
        find in the checkout, as :class:`~keps.analysis.findings.Findings`.

        The whole checkout is validated, not only the KEPs of a query: the rules look
        at the checkout's structure and at KEPs side by side.

        Raises:
            InvalidArgumentError: the content root is no kubernetes/enhancements
                checkout (a 2018 content root), or *level* is no level.
        """
        from keps import validate
        from keps.analysis.findings import Findings

        if not self.is_checkout:
            msg = (
                f"{self._root} is not a kubernetes/enhancements checkout; validation is for "
                "kubernetes/enhancements checkouts"
            )
            raise InvalidArgumentError(msg, argument="content_root", value=self._root)
        # validate() checks the level before opening every KEP with open_repository
        return Findings(validate.validate(self.content_root, level=level))

    # -- links --

    @cached_property
    def links(self) -> Links:
        """The links between these KEPs (replaces, superseded-by, see-also), resolved
        once; see :mod:`keps.analysis.links`."""
        from keps.analysis.links import Links

        return Links(self)

    # -- search --

    def search(self, *words: str) -> Iterator[Hit]:
        """Each line of these KEPs' text that holds every one of *words* (case ignored),
        KEPs in number order; see :func:`keps.analysis.search.search`.

        Raises:
            InvalidArgumentError: no word given.
        """
        from keps.analysis.search import search

        return search(self, words)

    # -- sign-offs --

    def waiting(
        self,
        *,
        sig: str | None = None,
        older_than: str | dt.timedelta | None = None,
        history: History | None = None,
        now: dt.datetime | None = None,
    ) -> list[Waiting]:
        """Each missing sign-off of these KEPs that are not final, oldest first: a SIG
        chair's agenda (see :func:`keps.signoff.waiting`)."""
        from keps.signoff import waiting

        return waiting(self, sig=sig, older_than=older_than, history=history, now=now)
