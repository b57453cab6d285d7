"""Splitting a flat KEP's Markdown body into its ``## `` sections and mapping them to files.

A section heading is one line, ``## Name`` at the start of a line (up to three spaces
in, closing ``#``s allowed), or a one-line paragraph underlined with ``---`` (a setext
heading); never a match that runs on into the next paragraph, and never a line inside a
fenced code block (a shell prompt or a Markdown example in a KEP is not a section).

Each section goes to the file :func:`keps.keps.sections.filename_for` names, with these
exceptions, from the directory format::

    ## Proposal, ## Drawbacks, ## Alternatives   -> guides/developer.md (in source order)
    ## Implementation History                    -> CHANGELOG.md
    ## Table of Contents                         -> dropped: README.md is generated

Only the lines of a table of contents are dropped: the lines between ``<!-- toc -->``
and ``<!-- /toc -->`` (wherever they are), and a table-of-contents heading with the list
under it. Anything else under such a heading (prose, a ``### Test Plan`` with its
subsections) stays, with the section before it. ``[optional]`` / ``(optional)`` after a
name is ignored when matching. Text before the first heading (usually the ``# Title``
line) opens the first file written, so no other line of the body is lost.
"""

from __future__ import annotations

import re

import attrs

from keps.keps.sections import DEVELOPER_GUIDE, README, filename_for

__all__ = [
    "CHANGELOG_FILE",
    "PREAMBLE_FILE",
    "Section",
    "section_files",
    "split_sections",
    "target_file",
    "without_toc_markers",
]

#: Where the Implementation History of a flat KEP goes.
CHANGELOG_FILE = "CHANGELOG.md"
#: Where the text goes when a body has no ``## `` section at all.
PREAMBLE_FILE = "preamble.md"

_HEADING = re.compile(r"^ {0,3}##[ \t]+(?P<name>\S.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}-{2,}[ \t]*$")
#: Lines that cannot be the text of a setext heading: indented code, a list item, a
#: quote, an ATX heading, a table row, HTML, a fence.
_NOT_PARAGRAPH = re.compile(
    r"^(?: {4}|\t| {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)| {0,3}(?:[>#|<]|`{3}|~{3}))"
)
_LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\r?\n)+")
#: ``<!-- toc -->`` (mdtoc) and ``<!-- markdown-toc start - ... -->`` (Emacs markdown-toc).
_TOC_OPEN = re.compile(
    r"^[ \t]*<!--[ \t]*(?:toc|markdown-toc start\b[^>]*?)[ \t]*-->[ \t]*$", re.IGNORECASE
)
_TOC_CLOSE = re.compile(
    r"^[ \t]*<!--[ \t]*(?:/toc|markdown-toc end)[ \t]*-->[ \t]*$", re.IGNORECASE
)
_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})")
_OPTIONAL = re.compile(r"[ \t]*[\[(]optional[\])][ \t]*$", re.IGNORECASE)

_DEVELOPER_PARTS = frozenset({"proposal", "drawbacks", "alternatives", "alternatives considered"})
_CHANGELOG_NAMES = frozenset({"implementation history"})
_CONTENTS_NAMES = frozenset({"table of contents", "contents", "toc"})


@attrs.frozen
class Section:
    """One ``## `` section: its heading *name* and its *text* (heading line included)."""

    name: str
    text: str


def _key(name: str) -> str:
    """*name* as matched against the special sections: lower case, no ``[optional]``."""
    return " ".join(_OPTIONAL.sub("", name).strip().lower().split())


def is_table_of_contents(name: str) -> bool:
    """True for the heading of a table of contents, which conversion drops."""
    return _key(name) in _CONTENTS_NAMES


class _Fences:
    """Tells, line by line, whether a line is Markdown or inside a fenced code block."""

    def __init__(self) -> None:
        self.fence: str | None = None

    def is_markup(self, line: str) -> bool:
        """True when *line* (without its newline) is outside any fence and no fence edge."""
        opening = _FENCE.match(line)
        if self.fence is None:
            if opening is not None:
                self.fence = opening.group("fence")
                return False
            return True
        closing = line.strip()
        if (
            opening is not None
            and closing.startswith(self.fence)
            and not closing.strip(self.fence[0])
        ):
            self.fence = None
        return False


def _setext_text(lines: list[str]) -> bool:
    """True when the last line of *lines* is a one-line paragraph a ``---`` line underlines."""
    if not lines:
        return False
    text = lines[-1].rstrip("\r\n")
    if not text.strip() or _NOT_PARAGRAPH.match(text):
        return False
    before = lines[-2].rstrip("\r\n") if len(lines) > 1 else ""
    return not before.strip() or _HEADING.match(before) is not None


def split_sections(body: str) -> tuple[str, tuple[Section, ...]]:
    """The text before the first ``## `` heading, and each section in source order.

    >>> pre, found = split_sections("# T\\n\\n## A\\nx\\n```\\n## not a heading\\n```\\n## B\\n")
    >>> pre, [s.name for s in found]
    ('# T\\n\\n', ['A', 'B'])
    >>> [s.name for s in split_sections("Setext\\n------\\ntext\\n")[1]]
    ['Setext']
    """
    preamble: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    fences = _Fences()
    for line in body.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        current = sections[-1][1] if sections else preamble
        if fences.is_markup(stripped):
            if (heading := _HEADING.match(stripped)) is not None:
                sections.append((heading.group("name"), [line]))
                continue
            if _SETEXT_UNDERLINE.match(stripped) and _setext_text(current):
                text = current.pop()
                sections.append((" ".join(text.split()), [text, line]))
                continue
        current.append(line)
    return "".join(preamble), tuple(Section(name, "".join(text)) for name, text in sections)


def target_file(name: str, position: int) -> str | None:
    """The file a section called *name* goes to; None for a table of contents.

    *position* (1-based) names the file of a heading that yields no usable file name.

    >>> target_file("Drawbacks [optional]", 1), target_file("Implementation History", 2)
    ('guides/developer.md', 'CHANGELOG.md')
    """
    key = _key(name)
    if key in _CONTENTS_NAMES:
        return None
    if key in _DEVELOPER_PARTS:
        return DEVELOPER_GUIDE.filename
    if key in _CHANGELOG_NAMES:
        return CHANGELOG_FILE
    try:
        filename = filename_for(_OPTIONAL.sub("", name).strip() or name)
    except ValueError:
        return f"section_{position}.md"
    if filename.lower() in (README.filename.lower(), CHANGELOG_FILE.lower()):
        return f"{filename[:-3].lower()}_section.md"
    return filename


def section_files(body: str) -> dict[str, str]:
    """The section files of *body*: file name -> text, in the order first written.

    Sections that share a file (the developer guide, a repeated heading) are joined
    in source order. The preamble opens the first file; with no section at all it is
    the file :data:`PREAMBLE_FILE`. Whitespace-only preambles are dropped. Tables of
    contents are dropped (see the module docstring); what else stands under a
    table-of-contents heading joins the section before it.
    """
    preamble, sections = split_sections(body)
    before = [without_toc_markers(preamble)]
    files: dict[str, list[str]] = {}
    last: list[str] = before
    for position, section in enumerate(sections, start=1):
        filename = target_file(section.name, position)
        if filename is None:
            rest = without_toc_markers(_without_toc(section.text))
            if rest.strip():
                last.append(_LEADING_BLANK_LINES.sub("", rest))
            continue
        last = files.setdefault(filename, [])
        last.append(without_toc_markers(section.text))
    lead = "".join(before)
    if lead.strip():
        if files:
            first = next(iter(files))
            files[first].insert(0, lead)
        else:
            files[PREAMBLE_FILE] = [lead]
    return {name: _join(parts) for name, parts in files.items()}


def without_toc_markers(text: str) -> str:
    """*text* without its ``<!-- toc -->`` ... ``<!-- /toc -->`` blocks (markers included).

    A block that is never closed is kept: only a whole table of contents is dropped.

    >>> without_toc_markers("a\\n<!-- toc -->\\n- [A](#a)\\n<!-- /toc -->\\nb\\n")
    'a\\nb\\n'
    """
    lines = text.splitlines(keepends=True)
    fences = _Fences()
    out: list[str] = []
    opened: int | None = None
    for index, line in enumerate(lines):
        markup = fences.is_markup(line.rstrip("\r\n"))
        if opened is None:
            if markup and _TOC_OPEN.match(line.rstrip("\r\n")):
                opened = index
            else:
                out.append(line)
        elif markup and _TOC_CLOSE.match(line.rstrip("\r\n")):
            opened = None
    if opened is not None:
        out.extend(lines[opened:])
    return "".join(out)


def _without_toc(text: str) -> str:
    """A table-of-contents section without its heading and the table under it.

    The table is the first ``<!-- toc -->`` block or list under the heading, before any
    other heading or code block; blank lines and prose may stand before it (the 2018
    template says what a table of contents is for, then gives one) and are kept. A list
    runs over its items, lines indented under an item, and blank lines followed by
    another item. When no table follows the heading, it heads no table of contents and
    *text* is kept whole.
    """
    lines = text.splitlines(keepends=True)
    head = 1 if _HEADING.match(lines[0].rstrip("\r\n")) else 2
    if not "".join(lines[head:]).strip():
        return ""  # a heading over nothing
    for start in range(head, len(lines)):
        line = lines[start].rstrip("\r\n")
        if _TOC_OPEN.match(line):
            for end in range(start + 1, len(lines)):
                if _TOC_CLOSE.match(lines[end].rstrip("\r\n")):
                    return "".join(lines[head:start] + lines[end + 1 :])
            return text
        if _LIST_ITEM.match(line):
            end = _list_end(lines, start)
            start = _toc_title_start(lines, head, start)
            return "".join(lines[head:start] + lines[end:])
        if _FENCE.match(line) or line.lstrip().startswith("#"):
            break
    return text


def _toc_title_start(lines: list[str], head: int, start: int) -> int:
    """Where the list at *start* begins with its own title, if a tool wrote one.

    gh-md-toc writes ``Table of Contents`` underlined with ``=``; markdown-toc writes
    ``**Table of Contents**``. Such a title (and the blank lines after it) is part of
    the table of contents; any other line before the list is not.
    """
    above = start
    while above > head and not lines[above - 1].strip():
        above -= 1
    if above == head:
        return start
    line = lines[above - 1].strip()
    if _UNDERLINE.match(lines[above - 1]) and above - 1 > head:
        if is_table_of_contents(lines[above - 2].strip()):
            return above - 2
    elif is_table_of_contents(line.strip("*_ ")):
        return above - 1
    return start


def _list_end(lines: list[str], start: int) -> int:
    """The index after the Markdown list that starts at *start* (*start* if none does)."""
    first = _LIST_ITEM.match(lines[start])
    if first is None:
        return start
    indent = len(first.group("indent").expandtabs(4))
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if _LIST_ITEM.match(line):
            end += 1
            continue
        if not line.strip():
            after = end
            while after < len(lines) and not lines[after].strip():
                after += 1
            if after < len(lines) and _LIST_ITEM.match(lines[after]):
                end = after
                continue
            break
        stripped = line.lstrip()
        deeper = len(line[: len(line) - len(stripped)].expandtabs(4)) >= indent + 2
        if deeper and not stripped.startswith(("#", "```", "~~~", "<!--")):
            end += 1  # a wrapped item: part of the list
            continue
        break
    return end


def _join(parts: list[str]) -> str:
    """Join section texts, each ending in a newline, with one blank line between them."""
    out = []
    for part in parts:
        text = part if part.endswith("\n") else part + "\n"
        out.append(text)
    joined = "".join(
        text if index == len(out) - 1 or text.endswith("\n\n") else text + "\n"
        for index, text in enumerate(out)
    )
    return joined.rstrip("\n") + "\n"
