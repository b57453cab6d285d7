"""Splitting a flat KEP file into its YAML front matter and its Markdown body.

Only the *first* front matter block counts. The Go seed's converter took the last
``---`` line of the file as the end of the front matter, so a KEP whose body showed a
YAML example (which often contains ``---``) lost most of its text. Here the block ends
at the first closing line after its opening, and nothing in the body is looked at.

Three shapes occur in the 2018 KEPs::

    ---                  # KEP 1            ---             ## Metadata
    title: ...           (blank lines)      title: ...      ```yaml
    ---                  ---                ---             ---
    body                 title: ...         body            title: ...
                         ---                                ```

The first is the norm; the second puts a ``# Title`` line before the block; the third
(sig-cluster-lifecycle/0015) keeps the metadata in a fenced yaml code block under a
heading, with ``---`` inside the fence and no closing ``---``.
"""

from __future__ import annotations

import re

import attrs

__all__ = ["FrontMatter", "split_front_matter"]

_DASHES = re.compile(r"^---[ \t]*$")
_DOTS = re.compile(r"^\.\.\.[ \t]*$")
_TITLE = re.compile(r"^ {0,3}#[ \t]+\S")
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+\S")
_YAML_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*ya?ml[ \t]*$", re.IGNORECASE)


@attrs.frozen
class FrontMatter:
    """The front matter of a flat KEP file and the body around it.

    Args:
        text: the YAML between the delimiters, exactly as written (no delimiter lines).
        block: the lines of the file that held the front matter, delimiters included,
            exactly as written; this is what ``original-front-matter.yaml`` keeps.
        body: every other line of the file, in order (what comes before the block,
            such as a ``# Title`` line, then what follows it).
        style: ``dashes`` (between ``---`` lines) or ``fenced`` (a fenced yaml block).
        first_line: the 1-based line of the file where the YAML text starts.
    """

    text: str
    block: str
    body: str
    style: str
    first_line: int


def split_front_matter(source: str) -> FrontMatter | None:
    """The first front matter block of *source* and the body around it, or None.

    Front matter is a ``---`` line at the top of the file (after blank lines and at
    most one ``# Title`` line) up to the next ``---`` or ``...`` line; or, failing
    that, a fenced ``yaml`` block that only headings and blank lines precede.
    """
    lines = source.splitlines(keepends=True)
    found = _dashes_block(lines)
    if found is not None:
        return found
    return _fenced_block(lines)


def _dashes_block(lines: list[str]) -> FrontMatter | None:
    index = 0
    seen_title = False
    while index < len(lines):
        line = lines[index].rstrip("\r\n")
        if not line.strip():
            index += 1
            continue
        if _TITLE.match(line) and not seen_title:
            seen_title = True
            index += 1
            continue
        break
    if index >= len(lines) or not _DASHES.match(lines[index].rstrip("\r\n")):
        return None
    start = index
    for end in range(start + 1, len(lines)):
        line = lines[end].rstrip("\r\n")
        if _DASHES.match(line) or _DOTS.match(line):
            return FrontMatter(
                text="".join(lines[start + 1 : end]),
                block="".join(lines[start : end + 1]),
                body="".join(lines[:start] + lines[end + 1 :]),
                style="dashes",
                first_line=start + 2,
            )
    return None


def _fenced_block(lines: list[str]) -> FrontMatter | None:
    for index, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        if not line.strip() or _HEADING.match(line):
            continue
        opening = _YAML_FENCE.match(line)
        if opening is None:
            return None
        fence = opening.group(1)
        for end in range(index + 1, len(lines)):
            closing = lines[end].strip()
            if closing.startswith(fence[0] * len(fence)) and not closing.strip(fence[0]):
                inner = lines[index + 1 : end]
                first = index + 2
                # the yaml may carry its own document markers inside the fence
                while inner and not inner[0].strip():
                    inner, first = inner[1:], first + 1
                if inner and _DASHES.match(inner[0].rstrip("\r\n")):
                    inner, first = inner[1:], first + 1
                if inner and (
                    _DASHES.match(inner[-1].rstrip("\r\n")) or _DOTS.match(inner[-1].rstrip("\r\n"))
                ):
                    inner = inner[:-1]
                return FrontMatter(
                    text="".join(inner),
                    block="".join(lines[index : end + 1]),
                    body="".join(lines[:index] + lines[end + 1 :]),
                    style="fenced",
                    first_line=first,
                )
        return None
    return None
