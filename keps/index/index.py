"""The Index: every KEP under a content root in summary, and the next KEP number.

An :class:`Index` lives in memory; :meth:`Index.persist` writes it to ``keps.yaml``
atomically and :meth:`Index.stage` adds that write to a :class:`FileTransaction`, so the
approve step can write a KEP and the index together. Build one with
:func:`keps.index.open` or :func:`keps.index.rebuild`; take a number with
:func:`keps.index.locked`, which holds the cross-process lock while you do.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from keps._files import FileTransaction, atomic_write_bytes, atomic_write_text, read_bytes
from keps._names import INDEX_FILE, METADATA_FILE
from keps.errors import InvalidContentError, KepError, KepNotFoundError
from keps.index import cache
from keps.index.entry import BrokenKep, Entry
from keps.index.store import MAX_INDEX_BYTES, dump_index, next_number_in_text, round_trips
from keps.problems import Problem, Severity

if TYPE_CHECKING:
    from keps.keps import Kep

__all__ = ["Index"]

log = logging.getLogger(__name__)


class Index:
    """The KEPs under one content root, by location, uuid and number.

    Args:
        content_root: the folder that holds ``keps.yaml`` and the KEP tree.
        entries: the indexed KEPs; locations must be unique.
        next_kep_number: the next number as stored; the number actually handed out is
            never below the highest number in use plus one (see :attr:`next_kep_number`).
        broken: KEPs a rebuild found but could not index.
        problems: problems found while building the index (beyond duplicates, which
            :attr:`problems` works out itself).
    """

    def __init__(
        self,
        content_root: Path,
        entries: Iterable[Entry] = (),
        *,
        next_kep_number: int | None = None,
        broken: Iterable[BrokenKep] = (),
        problems: Iterable[Problem] = (),
    ) -> None:
        self._root = Path(content_root)
        self._entries: dict[str, Entry] = {}
        extra = list(problems)
        for entry in entries:
            if entry.location in self._entries:
                msg = f"{entry.location} is listed more than once; the first entry is kept"
                extra.append(Problem("duplicate-location", msg, path=str(self.path)))
                continue
            self._entries[entry.location] = entry
        self._stored_next = next_kep_number
        self._broken = tuple(broken)
        self._extra_problems = tuple(extra)
        self._by_key: tuple[dict[str, Entry], dict[int, Entry]] | None = None
        # the sorted entries, built on first use and dropped by update(): sorting ten
        # thousand entries on every access cost milliseconds per query
        self._sorted: tuple[Entry, ...] | None = None

    # -- what it holds --

    @property
    def content_root(self) -> Path:
        """The content root this index describes."""
        return self._root

    @property
    def path(self) -> Path:
        """Where the index is persisted: ``<content_root>/keps.yaml``."""
        return self._root / INDEX_FILE

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every indexed KEP, sorted by location (sorted once, until the next update)."""
        if self._sorted is None:
            self._sorted = tuple(self._entries[key] for key in sorted(self._entries))
        return self._sorted

    @property
    def broken(self) -> tuple[BrokenKep, ...]:
        """KEPs the last rebuild found but could not index, each with its problems."""
        return self._broken

    @property
    def next_kep_number(self) -> int:
        """The number :meth:`claim_next_number` will hand out.

        ``max(stored next number, highest number in use + 1, 1)``: a hand-edited or stale
        stored number can never make a number in use come round again.
        """
        return max(self._stored_next or 1, self._highest_number() + 1, 1)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """What is inconsistent: duplicate numbers or uuids, a stored next number too low.

        Each duplicate problem names both KEPs' locations. The index still answers
        queries; fix the KEPs and :func:`keps.index.rebuild`.
        """
        problems = list(self._extra_problems)
        problems.extend(self._duplicates())
        highest = self._highest_number()
        if self._stored_next is not None and self._stored_next <= highest:
            msg = (
                f"next_kep_number {self._stored_next} is not above the highest KEP number "
                f"in use ({highest}); {highest + 1} will be given next"
            )
            problems.append(
                Problem(
                    "next-number-too-low",
                    msg,
                    path=str(self.path),
                    field="next_kep_number",
                    severity=Severity.WARNING,
                )
            )
        return tuple(problems)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return (
            f"<Index of {self._root}: {len(self._entries)} KEPs, {len(self._broken)} broken, "
            f"next number {self.next_kep_number}>"
        )

    # -- lookups --

    def fetch(self, uuid: str) -> Entry:
        """The entry of the KEP whose uuid is *uuid*.

        Raises:
            KepNotFoundError: no indexed KEP has that uuid.
        """
        entry = self._lookups()[0].get(uuid.strip().lower())
        if entry is not None:
            return entry
        msg = f"no KEP with uuid {uuid} in the index of {self._root}"
        raise KepNotFoundError(msg, path=self.path)

    def by_number(self, number: int) -> Entry:
        """The entry of KEP number *number*.

        Raises:
            KepNotFoundError: no indexed KEP has that number.
        """
        entry = self._lookups()[1].get(number)
        if entry is not None:
            return entry
        msg = f"no KEP number {number} in the index of {self._root}"
        raise KepNotFoundError(msg, path=self.path)

    # -- changes --

    def update(self, kep_or_entry: Kep | Entry) -> Entry:
        """Add a KEP to the index, or replace what the index knew of it; returns its entry.

        The entry replaces the one at the same location, or else the one with the same
        uuid (the KEP moved). Nothing is written until :meth:`persist` or :meth:`stage`.

        Raises:
            InvalidContentError: another KEP already has this KEP's number; the index is
                left unchanged.
            PathOutsideError: a KEP that does not lie inside the content root.
        """
        if isinstance(kep_or_entry, Entry):
            entry = kep_or_entry
        else:
            entry = Entry.from_kep(kep_or_entry, self._root)
        replaced = {entry.location}
        if entry.location not in self._entries:
            replaced.update(loc for loc, e in self._entries.items() if e.uuid == entry.uuid)
        if entry.kep_number is not None:
            for other in self._entries.values():
                if other.location not in replaced and other.kep_number == entry.kep_number:
                    problem = _duplicate(
                        "duplicate-kep-number",
                        f"KEP number {entry.kep_number}",
                        other.location,
                        entry.location,
                        self._root,
                    )
                    raise InvalidContentError(problem.message, path=self.path, problems=[problem])
        for location in replaced:
            self._entries.pop(location, None)
        self._entries[entry.location] = entry
        self._by_key = None
        self._sorted = None
        self._broken = tuple(b for b in self._broken if b.location != entry.location)
        return entry

    def claim_next_number(self) -> int:
        """Hand out the next KEP number and move the stored next number past it.

        The claim lasts once the index is persisted (or staged and committed); to keep
        two processes from claiming the same number, claim inside :func:`keps.index.locked`.
        """
        number = self.next_kep_number
        self._stored_next = number + 1
        log.debug("claimed KEP number %d under %s", number, self._root)
        return number

    # -- writing --

    def to_yaml(self) -> str:
        """The text of keps.yaml for this index."""
        return dump_index(self.next_kep_number, self._entries.values())

    def stage_writes(self, transaction: FileTransaction) -> str:
        """Add the write of keps.yaml to *transaction* (commit it to write); returns the text.

        The stored next number written is never below the one keps.yaml holds on disk
        now, so even a stale index cannot make a handed-out number come round again.
        Once the transaction is committed, the index remembers what the file parses to
        (see :meth:`remember_written`): the next :func:`keps.index.open` needs no parse.
        """
        self._catch_up_with_disk(self._on_disk())
        text = self.to_yaml()
        transaction.write_text(self.path, text, limit=MAX_INDEX_BYTES)
        staged_ns = time.time_ns()  # before the commit: a later write counts as newer
        transaction.after_commit(lambda: self.remember_written(text, staged_ns))
        return text

    def persist(self) -> bool:
        """Write keps.yaml atomically (see :meth:`stage_writes` on the stored next number).

        Nothing is written when keps.yaml already holds exactly these bytes (returns
        False): an unchanged index leaves the file, its times and its inode alone, so
        tools watching the tree see no change. What the file parses to is remembered
        in the user's cache directory when every entry survives the file unchanged, so
        the next :func:`keps.index.open` (a new ``kepctl query``) does not parse it again.
        """
        written_ns = time.time_ns()  # before the read: a write after it counts as newer
        on_disk = self._on_disk()
        self._catch_up_with_disk(on_disk)
        text = self.to_yaml()
        data = text.encode("utf-8")
        written = on_disk != data
        if written:
            atomic_write_bytes(self.path, data, limit=MAX_INDEX_BYTES)
            log.debug("wrote %s (%d KEPs)", self.path, len(self._entries))
        else:
            log.debug("%s is up to date (%d KEPs)", self.path, len(self._entries))
        self.remember_written(text, written_ns)
        return written

    def write_to(self, path: str | Path) -> None:
        """Write this index, as keps.yaml would hold it, to another file *path* (atomically).

        For a kubernetes/enhancements checkout, whose content has no keps.yaml.
        """
        atomic_write_text(Path(path), self.to_yaml(), limit=MAX_INDEX_BYTES)

    def remember_written(self, text: str, written_ns: int) -> None:
        """Remember that keps.yaml now holds *text*, written by this index after *written_ns*.

        :meth:`persist` and :meth:`stage_writes` do this themselves, with a ``time_ns``
        from before the write. The next :func:`keps.index.open` then needs no parse, as
        long as the file still holds that text (identity and digest are checked). Entries
        that would not survive the file unchanged are not remembered.
        """
        entries = self.entries
        if all(round_trips(entry) for entry in entries):
            cache.remember_written(
                self._root.absolute(), text, written_ns, self.next_kep_number, entries
            )

    # -- helpers --

    def _on_disk(self) -> bytes | None:
        """The bytes keps.yaml holds now; None when it cannot be read (or is not there)."""
        try:
            return read_bytes(self.path, limit=MAX_INDEX_BYTES)
        except KepError:
            return None

    def _catch_up_with_disk(self, on_disk: bytes | None) -> None:
        """Never store a next number below the one keps.yaml (its bytes *on_disk*) holds."""
        if on_disk is None:
            return
        number = next_number_in_text(on_disk.decode("utf-8", "replace"))
        if number is not None and number > self.next_kep_number:
            self._stored_next = number

    def _lookups(self) -> tuple[dict[str, Entry], dict[int, Entry]]:
        """(uuid -> entry, number -> entry), the first by location winning; built once."""
        if self._by_key is None:
            by_uuid: dict[str, Entry] = {}
            by_number: dict[int, Entry] = {}
            for entry in self.entries:
                by_uuid.setdefault(entry.uuid.lower(), entry)
                if entry.kep_number is not None:
                    by_number.setdefault(entry.kep_number, entry)
            self._by_key = (by_uuid, by_number)
        return self._by_key

    def _numbered(self) -> Iterator[tuple[int, str]]:
        """(number, location) of every KEP with a number, indexed or broken."""
        for entry in self._entries.values():
            if entry.kep_number is not None:
                yield entry.kep_number, entry.location
        for kep in self._broken:
            if kep.kep_number is not None:
                yield kep.kep_number, kep.location

    def _highest_number(self) -> int:
        return max((number for number, _ in self._numbered()), default=0)

    def _duplicates(self) -> Iterator[Problem]:
        first_number: dict[int, str] = {}
        for number, location in sorted(self._numbered(), key=lambda item: item[1]):
            if number in first_number:
                yield _duplicate(
                    "duplicate-kep-number",
                    f"KEP number {number}",
                    first_number[number],
                    location,
                    self._root,
                )
            else:
                first_number[number] = location
        with_uuid = [(e.uuid, e.location) for e in self._entries.values() if e.uuid]
        with_uuid.extend((b.uuid, b.location) for b in self._broken if b.uuid)
        first_uuid: dict[str, str] = {}
        for uuid, location in sorted(with_uuid, key=lambda item: item[1]):
            key = uuid.lower()
            if key in first_uuid:
                yield _duplicate(
                    "duplicate-uuid", f"uuid {uuid}", first_uuid[key], location, self._root
                )
            else:
                first_uuid[key] = location


def _duplicate(code: str, what: str, first: str, second: str, root: Path) -> Problem:
    """A problem naming both KEPs that share *what*."""
    field = "kep_number" if code == "duplicate-kep-number" else "uuid"
    msg = f"{what} is used by both {first} and {second}"
    from keps.keps.layouts import detect  # the object model, only when a clash is found

    layout = detect(root / second)
    name = layout.metadata_file if layout is not None else METADATA_FILE
    return Problem(code, msg, path=str(root / second / name), field=field)
