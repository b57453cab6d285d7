"""Splitting a flat KEP's Markdown body into its ``## `` sections and mapping them to files.

A heading is one line: ``## Name`` at the start of a line (up to three spaces in),
never a match that runs on into the next paragraph, and never a line inside a fenced
code block (a shell prompt or a Markdown example in a KEP is not a section).

Each section goes to the file :func:`keps.keps.sections.filename_for` names, with these
exceptions, from the directory format::

    ## Proposal, ## Drawbacks, ## Alternatives   -> guides/developer.md (in source order)
    ## Implementation History                    -> CHANGELOG.md
    ## Table of Contents                         -> dropped: README.md is generated

``[optional]`` / ``(optional)`` after a name is ignored when matching. Text before the
first heading (usually the ``# Title`` line) opens the first file written, so no line
of the body is lost.
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
]

#: Where the Implementation History of a flat KEP goes.
CHANGELOG_FILE = "CHANGELOG.md"
#: Where the text goes when a body has no ``## `` section at all.
PREAMBLE_FILE = "preamble.md"

_HEADING = re.compile(r"^ {0,3}##[ \t]+(?P<name>\S.*?)[ \t]*(?:#+[ \t]*)?$")
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


def split_sections(body: str) -> tuple[str, tuple[Section, ...]]:
    """The text before the first ``## `` heading, and each section in source order.

    >>> pre, found = split_sections("# T\\n\\n## A\\nx\\n```\\n## not a heading\\n```\\n## B\\n")
    >>> pre, [s.name for s in found]
    ('# T\\n\\n', ['A', 'B'])
    """
    preamble: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    fence: str | None = None
    for line in body.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        opening = _FENCE.match(stripped)
        if fence is None and opening is not None:
            fence = opening.group("fence")
        elif fence is not None:
            if (
                opening is not None
                and stripped.strip().startswith(fence)
                and not (stripped.strip().strip(fence[0]))
            ):
                fence = None
        elif (heading := _HEADING.match(stripped)) is not None:
            sections.append((heading.group("name"), [line]))
            continue
        (sections[-1][1] if sections else preamble).append(line)
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
    the file :data:`PREAMBLE_FILE`. Whitespace-only preambles are dropped.
    """
    preamble, sections = split_sections(body)
    files: dict[str, list[str]] = {}
    for position, section in enumerate(sections, start=1):
        filename = target_file(section.name, position)
        if filename is None:
            continue
        files.setdefault(filename, []).append(section.text)
    if preamble.strip():
        if files:
            first = next(iter(files))
            files[first].insert(0, preamble)
        else:
            files[PREAMBLE_FILE] = [preamble]
    return {name: _join(parts) for name, parts in files.items()}


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
