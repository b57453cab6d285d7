"""The table of contents of a KEP's Markdown files, as ``hack/verify-toc.sh`` checks it.

CI runs ``mdtoc --inplace --max-depth=5 --dryrun`` (sigs.k8s.io/mdtoc) over every
``*.md`` under ``keps/`` except the files listed in ``hack/.notableofcontents``. A file
passes when it has a ``<!-- toc -->`` and a later ``<!-- /toc -->`` marker (any case)
and the text between them equals, spaces at both ends aside, the table mdtoc makes of
the headings after the closing marker:

.. code-block:: markdown

    <!-- toc -->
    - [Summary](#summary)
    - [Motivation](#motivation)
      - [Goals](#goals)
    <!-- /toc -->

One line per heading of level 5 or less, indented two spaces per level below the
document's smallest heading level, the heading rendered as HTML (```x``` becomes
``<code>x</code>``, ``->`` becomes ``-&gt;``), and its GitHub anchor: lower case,
everything but ASCII letters, digits, ``_``, ``-`` and spaces dropped, spaces made
``-``, a repeated anchor numbered ``-1``, ``-2``.

Headings are found as mdtoc's Markdown parser (gomarkdown) finds them: ``#`` headings
at the start of a line with a space after the hashes, and a line underlined with
``===`` or ``---``; none inside fenced code blocks, HTML comments or block-level HTML
elements such as ``<details>``. :func:`expected_toc`
gives the table; :func:`toc_is_current` is the kepval rule.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from keps._files import read_text
from keps.errors import KepError
from keps.problems import Problem
from keps.validate.repository import Repository

__all__ = [
    "MAX_DEPTH",
    "NO_TOC_FILE",
    "UNLISTED",
    "expected_toc",
    "headings",
    "markdown_files",
    "toc_is_current",
]

#: Headings deeper than this stay out of the table (``--max-depth=5`` in verify-toc.sh).
MAX_DEPTH = 5

#: The checkout's list of Markdown files that have no table of contents.
NO_TOC_FILE = "hack/.notableofcontents"

#: ``hack/.notableofcontents`` as upstream ships it, for a checkout without ``hack/``.
UNLISTED: tuple[str, ...] = (
    "keps/README.md",
    "keps/prod-readiness/README.md",
    "keps/sig-cli/FAQ.md",
    "keps/sig-cluster-lifecycle/clusterapi/FAQ.md",
    "keps/sig-cluster-lifecycle/kubeadm/970-kubeadm-config/documentation-for-images.md",
)

_START = re.compile(re.escape("<!-- toc -->"), re.IGNORECASE)
_END = re.compile(re.escape("<!-- /toc -->"), re.IGNORECASE)
_FENCE = re.compile(r"^([ \t]*(?:(?:[-*+]|\d+[.)])[ \t]+)*)(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_UNDERLINE = re.compile(r"^(=+|-+)[ \t]*$")
_HEADING_ID = re.compile(r"\s*\{#[^}]*\}\s*$")
_QUOTE = re.compile(r"^ {0,3}> ?")
_HTML_BLOCK = re.compile(r"^<([A-Za-z][A-Za-z0-9]*)[\s/>]")
#: Elements gomarkdown takes for an HTML block: no heading inside one is a heading.
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "canvas",
        "del",
        "details",
        "dialog",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "iframe",
        "ins",
        "main",
        "math",
        "nav",
        "noscript",
        "ol",
        "output",
        "p",
        "pre",
        "progress",
        "script",
        "section",
        "style",
        "summary",
        "table",
        "ul",
        "video",
    ]
)
_NOT_ANCHOR = re.compile(r"[^0-9A-Za-z_\- ]")


def headings(text: str) -> list[tuple[int, str]]:
    """(level, Markdown text) of every heading in *text*, in order."""
    found: list[tuple[int, str]] = []
    fence: tuple[str, int] | None = None
    in_comment = False
    html_tag: str | None = None  # inside a block-level HTML element until its closing tag
    previous: str | None = None  # the last line of the paragraph in progress
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        while (quote := _QUOTE.match(line)) is not None:
            line = line[quote.end() :]
        if fence is not None:
            closing = _FENCE.match(line)
            same = closing and closing[2][0] == fence[0] and len(closing[2]) >= fence[1]
            if same and closing is not None and not closing[3].strip():
                fence = None
            continue
        if in_comment:
            in_comment = "-->" not in line
            continue
        if html_tag is not None:
            html_tag = None if f"</{html_tag}>" in line.lower() else html_tag
            previous = None
            continue
        block = _HTML_BLOCK.match(line)
        if block is not None and block[1].lower() in _BLOCK_TAGS:
            tag = block[1].lower()
            html_tag = None if f"</{tag}>" in line.lower() else tag
            previous = None
            continue
        opening = _FENCE.match(line)
        if opening is not None and not (opening[2][0] == "`" and "`" in opening[3]):
            fence = (opening[2][0], len(opening[2]))
            previous = None
            continue
        if line.lstrip(" ").startswith("<!--") and len(line) - len(line.lstrip(" ")) <= 3:
            in_comment = "-->" not in line
            previous = None
            continue
        atx = _ATX.match(line)
        if atx is not None:
            body = (atx[2] or "").rstrip("#").rstrip(" \t")
            found.append((len(atx[1]), _HEADING_ID.sub("", body)))
            previous = None
            continue
        underline = _UNDERLINE.match(line)
        if underline is not None and previous is not None:
            found.append((1 if line[0] == "=" else 2, previous.strip()))
            previous = None
            continue
        previous = line if line.strip() and not line.startswith("    ") else None
    return found


# -- inline Markdown: the heading as HTML (the table's text) and as text (its anchor) --

_ESCAPABLE = set("\\`*_{}[]()#+-.!:|&<>~\"'$%,;=?@^/")
_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_REF_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])+)\](?:\[([^\]]*)\])?")
_REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:[ \t]*<?(\S+?)>?(?:[ \t]+.*)?$", re.MULTILINE)
_ANGLE_URL = re.compile(r"<((?:https?|ftp|file)://[^>\s]+|mailto:[^>\s]+)>")
_URL = re.compile(r"(?:https?://|ftp://|file://|mailto:)[^\s<]+")
_CODE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)


def _escape(text: str) -> str:
    """HTML-escape as gomarkdown does: ``&``, ``<``, ``>`` and ``"``; not ``'``."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _inline(text: str, refs: dict[str, str]) -> tuple[str, str]:
    """(HTML, plain text) of the inline Markdown *text*; *refs* are its link definitions."""
    out_html: list[str] = []
    out_text: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPABLE:
            out_html.append(_escape(text[i + 1]))
            out_text.append(text[i + 1])
            i += 2
            continue
        if char == "`":
            code = _CODE.match(text, i)
            if code is not None:
                body = code[2].strip()
                out_html.append(f"<code>{_escape(body)}</code>")
                out_text.append(body)
                i = code.end()
                continue
        if char in "[!":
            link = _LINK.match(text, i)
            if link is not None:
                inner_html, inner_text = _inline(link[1], refs)
                if char == "!":
                    out_html.append(f'<img src="{_escape(link[2])}" alt="{inner_text}" />')
                else:
                    out_html.append(f'<a href="{_escape(link[2])}">{inner_html}</a>')
                out_text.append(inner_text)
                i = link.end()
                continue
        if char == "[":
            ref = _REF_LINK.match(text, i)
            target = refs.get(_label(ref[2] or ref[1])) if ref is not None else None
            if ref is not None and target is not None:
                inner_html, inner_text = _inline(ref[1], refs)
                out_html.append(f'<a href="{_escape(target)}">{inner_html}</a>')
                out_text.append(inner_text)
                i = ref.end()
                continue
        if char in "hfm" and (i == 0 or not text[i - 1].isalnum()):
            url = _URL.match(text, i)
            if url is not None:
                address = _trim_url(url[0])
                out_html.append(f'<a href="{_escape(address)}">{_escape(address)}</a>')
                out_text.append(address)
                i += len(address)
                continue
        if char == "<":
            angle = _ANGLE_URL.match(text, i)
            if angle is not None:
                out_html.append(f'<a href="{_escape(angle[1])}">{_escape(angle[1])}</a>')
                out_text.append(angle[1])
                i = angle.end()
                continue
            tag = _TAG.match(text, i)
            if tag is not None:
                out_html.append(tag[0])
                i = tag.end()
                continue
        if char in "*_~":
            span = _emphasis(text, i)
            if span is not None:
                open_tag, inner, end = span
                inner_html, inner_text = _inline(inner, refs)
                out_html.append(f"<{open_tag}>{inner_html}</{open_tag}>")
                out_text.append(inner_text)
                i = end
                continue
        out_html.append(_escape(char))
        out_text.append(char)
        i += 1
    return "".join(out_html), "".join(out_text)


def _label(text: str) -> str:
    return " ".join(text.split()).lower()


def _trim_url(url: str) -> str:
    """*url* less the punctuation that ends a sentence, and an unbalanced closing ``)``."""
    while url and (url[-1] in ".,:;!?\"'" or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return url


def references(text: str) -> dict[str, str]:
    """The link reference definitions of *text* (``[label]: url``), by folded label."""
    return {_label(m[1]): m[2] for m in _REF_DEF.finditer(text)}


def _emphasis(text: str, start: int) -> tuple[str, str, int] | None:
    """(tag, inner text, end) of an emphasis span opening at *start*, or None."""
    char = text[start]
    run = len(text[start:]) - len(text[start:].lstrip(char))
    if char == "~":
        if run != 2:
            return None
        close = text.find("~~", start + 2)
        return ("del", text[start + 2 : close], close + 2) if close > start + 2 else None
    if run > 2 or start + run >= len(text) or text[start + run].isspace():
        return None
    if char == "_" and start > 0 and text[start - 1].isalnum():
        return None  # no intra-word emphasis
    delimiter = char * run
    close = text.find(delimiter, start + run)
    while close != -1:
        after = close + run
        intra = char == "_" and after < len(text) and text[after].isalnum()
        if not text[close - 1].isspace() and not intra and text[after : after + 1] != char:
            tag = "strong" if run == 2 else "em"
            return tag, text[start + run : close], after
        close = text.find(delimiter, close + 1)
    return None


def _anchor(text: str, seen: dict[str, int]) -> str:
    slug = _NOT_ANCHOR.sub("", text.lower()).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return f"{slug}-{count}" if count else slug


def expected_toc(text: str, *, max_depth: int = MAX_DEPTH) -> str:
    """The table of contents mdtoc makes of the headings of *text*."""
    found = headings(text)
    if not found:
        return ""
    base = min(level for level, _ in found)
    refs = references(text)
    seen: dict[str, int] = {}
    lines = []
    for level, markdown in found:
        if level > max_depth:
            continue
        body, plain = _inline(markdown, refs)
        lines.append(f"{'  ' * (level - base)}- [{body.strip()}](#{_anchor(plain, seen)})")
    return "".join(line + "\n" for line in lines)


def markdown_files(repo: Repository) -> Iterator[Path]:
    """Every ``*.md`` under ``keps/`` that CI checks, in path order."""
    listed = repo.root / NO_TOC_FILE
    try:
        skipped = {line for line in read_text(listed).split("\n") if line}
    except KepError:
        skipped = set(UNLISTED)
    found = []
    for parent, dirs, files in os.walk(repo.keps_dir):  # as find(1): links to folders not followed
        dirs.sort()
        found += [Path(parent) / name for name in files if name.endswith(".md")]
    for path in sorted(found):
        if f"keps/{path.relative_to(repo.keps_dir).as_posix()}" not in skipped:
            yield path


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def toc_is_current(repo: Repository) -> Iterator[Problem]:
    """Every Markdown file CI checks has its table of contents, up to date (verify-toc.sh)."""
    for path in markdown_files(repo):
        try:
            text = read_text(path)
        except KepError as exc:
            yield Problem("toc-unreadable", exc.message, path=str(path))
            continue
        start, end = _START.search(text), _END.search(text)
        if start is None or end is None or end.start() < start.start():
            said = (
                "has no <!-- toc --> marker"
                if start is None
                else "has no <!-- /toc --> marker"
                if end is None
                else "has <!-- /toc --> before <!-- toc -->"
            )
            msg = f"{repo.relative(path)} {said}; CI needs a table of contents (make update-toc)"
            yield Problem("toc-missing", msg, path=str(path), line=1)
            continue
        current = text[start.end() : end.start()]
        wanted = expected_toc(text[end.start() :])
        if current.strip() != wanted.strip():
            msg = (
                f"{repo.relative(path)}: the table of contents is not up to date (make update-toc)"
            )
            yield Problem("toc-stale", msg, path=str(path), line=_line_of(text, start.start()))
