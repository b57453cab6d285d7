"""Full-text search over KEPs: the lines that hold some words, and the text a query reads.

::

    ks = keps.load("~/src/enhancements")
    for hit in ks.search("sidecar", "restart"):        # lines holding both words
        print(f"{hit.path}:{hit.line_number}: {hit.line}")
    ks.query('sig:node text:"sidecar containers"')      # KEPs whose text holds the phrase

A KEP's text is where its layout keeps its prose: for a kubernetes/enhancements
checkout, the README.md beside kep.yaml; for the 2018 layout, the section files its
metadata lists, in section order (its README.md is generated from the metadata - title,
authors, a table of contents - so it is left out; a KEP that lists no section file is
searched in its README.md).

A KEP folder is untrusted input. Every file is read through :mod:`keps._files` (regular
files only, never blocking on a FIFO, at most :data:`~keps._files.MAX_FILE_BYTES`) and
only when its real path lies inside the content root, so a README.md that is a symlink
out of the tree is never read; a 2018 section path must also stay inside its KEP folder.
A file that cannot be read is logged as a warning and left out; a KEP without a
README.md has no text.

Matching ignores case. :func:`search` yields a line when it holds every word (a word
with spaces is a phrase, matched on one line). A query's ``text:`` term matches a KEP
whose whole text holds the value, with every run of whitespace read as one space, so a
phrase also matches across a line break; :func:`select_with_text` is how
:meth:`~keps.KepCollection.query` and ``kepctl query`` read that text, once per KEP.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from keps._files import read_text
from keps._names import README_FILE
from keps.errors import InvalidArgumentError, KepError, KepNotFoundError
from keps.filter.criteria import All, Criterion, fields_of
from keps.index.entry import Entry

if TYPE_CHECKING:
    from keps.analysis.collection import KepCollection
    from keps.sigs import SigRegistry

__all__ = ["Hit", "TextReader", "TextView", "search", "select_with_text"]

log = logging.getLogger(__name__)

#: The query field that reads a KEP's text (see :data:`keps.filter.FIELDS`).
TEXT_FIELD = "text"


class Hit(NamedTuple):
    """One line that holds every word searched for.

    *path* is the file's, relative to the content root and '/'-separated
    (``keps/sig-node/753-sidecar-containers/README.md``); *line_number* counts from 1;
    *line* is the line as written, without its line ending.
    """

    entry: Entry
    path: str
    line_number: int
    line: str


def _folded(text: str) -> str:
    """*text* as matching compares it: lower case, each run of whitespace one space."""
    return " ".join(text.lower().split())


class TextReader:
    """Reads the text of the KEPs under *content_root*, each KEP once, by the rules above."""

    def __init__(self, content_root: Path) -> None:
        from keps._checkout import is_checkout

        self._root = Path(content_root)
        self._real_root = Path(os.path.realpath(self._root))
        self._checkout = is_checkout(self._root)
        self._registry: SigRegistry | None = None
        self._texts: dict[str, str] = {}

    def files(self, entry: Entry) -> tuple[str, ...]:
        """The files that hold *entry*'s text, relative to its folder, in order."""
        if self._checkout:  # a kep.yaml KEP lists no section files: its text is README.md
            return (README_FILE,)
        from keps.keps import open as open_kep
        from keps.sigs import registry_for

        if self._registry is None:
            self._registry = registry_for(self._root)
        try:
            kep = open_kep(
                self._root / entry.location, registry=self._registry, content_root=self._root
            )
        except KepError as exc:
            log.warning("%s: its text was not read: %s", entry.location, exc.message)
            return ()
        listed = tuple(name for name in kep.metadata.sections if name != README_FILE)
        return listed or (README_FILE,)

    def read(self, entry: Entry, name: str) -> str | None:
        """The text of file *name* of *entry*'s folder, or None when it must not or cannot
        be read (the reason is logged)."""
        kep_dir = self._root / entry.location
        path = kep_dir / name
        if not self._checkout:  # a section path from metadata must stay in its KEP folder
            from keps.keps.check import section_is_outside

            if section_is_outside(kep_dir, name):
                log.warning("%s leads out of its KEP folder; it was not read", path)
                return None
        if not Path(os.path.realpath(path)).is_relative_to(self._real_root):
            log.warning("%s leads out of the content root; it was not read", path)
            return None
        try:
            return read_text(path)
        except KepNotFoundError:
            log.debug("%s: no such file", path)
            return None
        except KepError as exc:
            log.warning("%s", exc.message)
            return None

    def texts(self, entry: Entry) -> Iterator[tuple[str, str]]:
        """(path relative to the content root, text) of each readable file of *entry*."""
        for name in self.files(entry):
            text = self.read(entry, name)
            if text is not None:
                yield f"{entry.location}/{name}", text

    def text(self, entry: Entry) -> str:
        """All of *entry*'s text ('' when none can be read), read once."""
        known = self._texts.get(entry.location)
        if known is None:
            known = "\n".join(text for _, text in self.texts(entry))
            self._texts[entry.location] = known
        return known


def _words(words: Iterable[str]) -> tuple[str, ...]:
    if isinstance(words, str):
        words = (words,)
    wanted = tuple(dict.fromkeys(folded for word in words if (folded := _folded(str(word)))))
    if not wanted:
        msg = "give at least one word to search for"
        raise InvalidArgumentError(msg, argument="words", value=words)
    return wanted


def search(collection: KepCollection, words: Iterable[str]) -> Iterator[Hit]:
    """Each line of the KEPs' text that holds every one of *words* (case ignored).

    KEPs come in the collection's order (number order), lines in file order. A word
    with spaces is a phrase on one line. A file that cannot be read is logged and left
    out (see the module docstring).

    Raises:
        InvalidArgumentError: *words* holds no word.
    """
    wanted = _words(words)
    # folding whitespace costs five times lower(): only a phrase needs it
    fold = _folded if any(" " in word for word in wanted) else str.lower
    reader = TextReader(collection.content_root)
    for entry in collection:
        for path, text in reader.texts(entry):
            whole = fold(text)
            if not all(word in whole for word in wanted):
                continue
            for number, line in enumerate(text.split("\n"), start=1):
                line = line.removesuffix("\r")
                folded = fold(line)
                if all(word in folded for word in wanted):
                    yield Hit(entry, path, number, line)


class TextView:
    """An index entry that also has ``text``, read from disk when a criterion asks.

    Every other attribute is the entry's, so any criterion and any sort key reads it
    as it reads the entry.
    """

    __slots__ = ("_reader", "entry")

    def __init__(self, entry: Entry, reader: TextReader) -> None:
        self.entry = entry
        self._reader = reader

    @property
    def text(self) -> str:
        """The KEP's text (see :class:`TextReader`)."""
        return self._reader.text(self.entry)

    def __getattr__(self, name: str) -> object:
        return getattr(self.entry, name)

    def __repr__(self) -> str:
        return f"<TextView of {self.entry.location}>"


def reads_text(criterion: object) -> bool:
    """True when *criterion* has a ``text:`` term, which reads the KEPs' files."""
    return TEXT_FIELD in fields_of(criterion)


def _text_last(criterion: Criterion) -> Criterion:
    """*criterion* with its text terms tried last, so cheaper terms spare most reads."""
    if isinstance(criterion, All):
        return All(sorted(criterion.criteria, key=reads_text))
    return criterion


def select_with_text(
    content_root: Path,
    entries: Sequence[Entry],
    criterion: Criterion | Callable[[Entry], bool] | str | None,
    *,
    sort_by: str = "kep_number",
    reverse: bool = False,
) -> list[Entry]:
    """:func:`keps.filter.select` over *entries* of *content_root*, with a ``text:`` term
    reading each KEP's text from disk (once per KEP; only KEPs the other terms keep)."""
    from keps.filter import select

    if not isinstance(criterion, Criterion) or not reads_text(criterion):
        return select(entries, criterion, sort_by=sort_by, reverse=reverse)
    reader = TextReader(content_root)
    views = [TextView(entry, reader) for entry in entries]
    chosen = select(views, _text_last(criterion), sort_by=sort_by, reverse=reverse)
    return [view.entry for view in chosen]
