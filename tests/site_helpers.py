"""Reading a built site back as a person (or a link checker) would, with html.parser only.

:func:`read_page` parses one page into its ids, links, scripts, table rows and text;
:func:`dead_links` follows every ``href`` and ``src`` of every page of a site and lists
each one that leads to no file of the site, or to a ``#fragment`` its target lacks;
:func:`external_loads` lists what a page would fetch from another site. Nothing here
imports keps: the tests compare what keps wrote with what these plain readers see.
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import attrs

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")

#: Elements whose end separates the words on either side, as a browser shows them.
_BLOCKS = frozenset(
    {"td", "th", "tr", "li", "dt", "dd", "p", "div", "section", "pre", "h1", "h2", "h3", "h4"}
    | {"h5", "h6", "ul", "ol", "table", "article", "aside", "nav"}
)

#: Attributes that make a browser fetch something when the page loads.
_LOADS = {("script", "src"), ("img", "src"), ("link", "href"), ("iframe", "src")}


@attrs.define
class Page:
    """What one HTML page holds, as a reader sees it."""

    ids: set[str] = attrs.field(factory=set)
    #: (tag, attribute, value) of every href and src
    links: list[tuple[str, str, str]] = attrs.field(factory=list)
    #: the src of every script element, '' for an inline one
    scripts: list[str] = attrs.field(factory=list)
    #: every row of every table body: its attributes and the text of each cell
    rows: list[tuple[dict[str, str], list[str]]] = attrs.field(factory=list)
    #: the text of each heading h1-h6, with its id
    headings: list[tuple[str, str, str]] = attrs.field(factory=list)
    #: (href, text) of every link
    anchors: list[tuple[str, str]] = attrs.field(factory=list)
    text: str = ""
    #: the text of each element with an id, by id
    sections: dict[str, str] = attrs.field(factory=dict)

    def rows_of(self, table_id: str) -> list[tuple[dict[str, str], list[str]]]:
        """The body rows of the table whose id is *table_id*."""
        return [row for row in self.rows if row[0].get("table") == table_id]

    def section_text(self, section_id: str) -> str:
        """The text of the element whose id is *section_id*, tags removed."""
        return self.sections.get(section_id, "")


class _Reader(HTMLParser):
    """Collects a :class:`Page`; tracks open elements by id to give each its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._text: list[str] = []
        self._open_ids: list[tuple[str, str, int]] = []  # (tag, id, text position)
        self._depth: dict[str, int] = {}
        self._table: list[str] = []
        self._row: tuple[dict[str, str], list[str]] | None = None
        self._cell: list[str] | None = None
        self._heading: tuple[str, str, int] | None = None
        self._anchor: tuple[str, int] | None = None
        self._in_tbody = False

    def handle_starttag(self, tag: str, attrs_: list[tuple[str, str | None]]) -> None:
        given = {name: value or "" for name, value in attrs_}
        for name in ("href", "src"):
            if name in given:
                self.page.links.append((tag, name, given[name]))
        if tag == "script":
            self.page.scripts.append(given.get("src", ""))
        if "id" in given:
            self.page.ids.add(given["id"])
            self._open_ids.append((tag, given["id"], len(self._text)))
        if tag == "table":
            self._table.append(given.get("id", ""))
        elif tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self._row = ({**given, "table": self._table[-1] if self._table else ""}, [])
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading = (tag, given.get("id", ""), len(self._text))
        elif tag == "a":
            self._anchor = (given.get("href", ""), len(self._text))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._table:
            self._table.pop()
        elif tag == "tbody":
            self._in_tbody = False
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row[1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.page.rows.append(self._row)
            self._row = None
        elif self._heading is not None and tag == self._heading[0]:
            name, ident, start = self._heading
            self.page.headings.append((name, ident, "".join(self._text[start:]).strip()))
            self._heading = None
        elif tag == "a" and self._anchor is not None:
            href, start = self._anchor
            self.page.anchors.append((href, "".join(self._text[start:]).strip()))
            self._anchor = None
        if tag in _BLOCKS:  # text on either side of a block's end stays two words
            self._text.append(" ")
        for index in range(len(self._open_ids) - 1, -1, -1):
            open_tag, ident, start = self._open_ids[index]
            if open_tag == tag:
                self.page.sections[ident] = " ".join("".join(self._text[start:]).split())
                del self._open_ids[index]
                break

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def close(self) -> None:
        super().close()
        self.page.text = "".join(self._text)


def read_page(path: Path) -> Page:
    """The page in *path*, parsed."""
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader.page


def site_pages(out: Path) -> dict[str, Page]:
    """Every HTML page of the site in *out*, by its path relative to *out*."""
    return {
        path.relative_to(out).as_posix(): read_page(path) for path in sorted(out.rglob("*.html"))
    }


def is_external(url: str) -> bool:
    """True for a URL with a scheme or a host: it leaves the site."""
    return bool(_SCHEME.match(url)) or url.startswith("//")


def dead_links(out: Path, pages: dict[str, Page] | None = None) -> list[str]:
    """Every href and src of the site in *out* that leads nowhere on the site.

    External URLs are not followed (:func:`external_loads` checks those that load).
    """
    pages = site_pages(out) if pages is None else pages
    dead = []
    for name, page in pages.items():
        for tag, attribute, value in page.links:
            if is_external(value):
                continue
            split = urlsplit(value)
            if split.path:
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(name), unquote(split.path))
                )
            else:
                target = name
            if target.startswith("../") or not (out / target).is_file():
                dead.append(f"{name}: <{tag} {attribute}={value!r}> leads to no file")
                continue
            if split.fragment:
                ids = pages[target].ids if target in pages else set()
                if unquote(split.fragment) not in ids:
                    dead.append(f"{name}: <{tag} {attribute}={value!r}> names no id of {target}")
    return dead


def external_loads(page: Page) -> list[str]:
    """What *page* would fetch from another site as it loads (scripts, images, styles)."""
    return [
        value
        for tag, attribute, value in page.links
        if (tag, attribute) in _LOADS and is_external(value)
    ]
