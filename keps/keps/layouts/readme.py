"""Sections of a one-document KEP: the ``## `` headings of kubernetes/enhancements' README.md.

A section runs from its ``## `` heading to the next one; deeper headings (``###``)
belong to the section they sit in, and headings inside fenced code blocks are text.
What comes before the first ``## `` heading (the title, the release checklist, the
table of contents) is the preamble, a section without a name. Joining the parts of
:func:`split` gives back the text byte for byte.

>>> parts = split("# KEP-1: T\\n\\n## Summary\\n\\nHello.\\n\\n## Motivation\\n\\nWhy.\\n")
>>> [p.name for p in parts]
['', 'Summary', 'Motivation']
>>> parts[1].body
'\\nHello.\\n\\n'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

__all__ = ["Part", "join", "replace_body", "split"]

_HEADING = re.compile(r"## +(?P<name>.*?)\s*#*\s*$")
_FENCE = re.compile(r"\s{0,3}(```|~~~)")


@attrs.frozen
class Part:
    """One section of a README: its *heading* line (empty for the preamble) and *body*."""

    name: str
    heading: str
    body: str

    @property
    def text(self) -> str:
        """The section as it stands in the README: heading line, then body."""
        return self.heading + self.body


def split(text: str) -> tuple[Part, ...]:
    """The preamble and every ``## `` section of *text*, in order."""
    parts: list[Part] = []
    name, heading = "", ""
    body: list[str] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        fenced = _FENCE.match(line)
        if fenced:
            marker = fenced.group(1)
            fence = marker if fence is None else (None if marker == fence else fence)
        match = _HEADING.match(line) if fence is None and not fenced else None
        if match is not None:
            parts.append(Part(name, heading, "".join(body)))
            name, heading, body = match["name"], line, []
        else:
            body.append(line)
    parts.append(Part(name, heading, "".join(body)))
    return tuple(parts)


def join(parts: Iterable[Part]) -> str:
    """The README made of *parts* (the inverse of :func:`split`)."""
    return "".join(part.text for part in parts)


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def find(parts: Iterable[Part], name: str) -> Part | None:
    """The section called *name* (case and spacing ignored), or None."""
    wanted = _key(name)
    return next((p for p in parts if p.heading and _key(p.name) == wanted), None)


def replace_body(text: str, name: str, body: str) -> str:
    """*text* with the body of section *name* set to *body*; a missing section is appended."""
    if body and not body.endswith("\n"):
        body += "\n"
    parts = list(split(text))
    for index, part in enumerate(parts):
        if part.heading and _key(part.name) == _key(name):
            parts[index] = attrs.evolve(part, body="\n" + body.lstrip("\n") + "\n")
            return join(parts)
    tail = parts[-1]
    if tail.body and not tail.body.endswith("\n"):
        parts[-1] = attrs.evolve(tail, body=tail.body + "\n")
    gap = "" if not text or text.endswith("\n\n") else "\n"
    parts.append(Part(name, f"{gap}## {name}\n", "\n" + body.lstrip("\n")))
    return join(parts)
