"""Converting a flat KEP drops its table of contents and nothing else, whatever the heading style.

Documents are generated: ATX headings with 0-3 leading spaces and optional closing
``#``s, setext headings (``---`` and ``===``), tables of contents with and without
``<!-- toc -->`` markers (also in the preamble), prose between a table-of-contents heading
and its list (as in the 2018 template), and a table-of-contents heading followed by real
prose and subsections. The generator marks every line it writes as part of a
table of contents or not; the non-blank lines of the section files must be exactly the
lines that are not.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import count
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import keps
from keps.convert import convert_file, section_files
from keps.sigs import SigRegistry

TOC = "toc"
KEEP = "keep"
Line = tuple[str, str]  # (text, TOC or KEEP); blank lines are KEEP and not compared

NAMES = (
    "Summary",
    "Motivation",
    "Proposal",
    "Design Details",
    "Test Plan",
    "Graduation Criteria",
    "Implementation History",
    "Drawbacks [optional]",
    "Alternatives",
    "Risks and Mitigations",
)
TOC_NAMES = ("Table of Contents", "table of contents", "Contents", "TOC")

_serial = count()


def _unique(text: str) -> str:
    """*text* made unique, so that counting lines tells which ones survived."""
    return f"{text} {next(_serial)}"


@st.composite
def atx(draw: st.DrawFn, name: str, kind: str, hashes: str = "##") -> list[Line]:
    indent = " " * draw(st.integers(0, 3))
    gap = draw(st.sampled_from([" ", "  ", "\t"]))
    closing = draw(st.sampled_from(["", " ##", " #", "  ###  "]))
    return [(f"{indent}{hashes}{gap}{name}{closing}", kind)]


@st.composite
def setext(draw: st.DrawFn, name: str, kind: str, underline: str = "-") -> list[Line]:
    indent = " " * draw(st.integers(0, 3))
    under = " " * draw(st.integers(0, 3)) + underline * draw(st.integers(2, 20))
    return [(f"{indent}{name}", kind), (under, kind)]


def heading(name: str, kind: str) -> st.SearchStrategy[list[Line]]:
    return atx(name, kind) | setext(name, kind)


@st.composite
def toc_list(draw: st.DrawFn) -> list[Line]:
    """A table of contents as a Markdown list: bullets or numbers, nested, maybe indented."""
    base = " " * draw(st.integers(0, 3))
    bullet = draw(st.sampled_from(["-", "*", "+", "1."]))
    lines: list[Line] = []
    for _ in range(draw(st.integers(1, 6))):
        entry = _unique("TOC entry")
        lines.append((f"{base}{bullet} [{entry}](#{entry.replace(' ', '-')})", TOC))
        for _ in range(draw(st.integers(0, 2))):
            sub = _unique("TOC sub-entry")
            lines.append((f"{base}  {bullet} [{sub}](#{sub.replace(' ', '-')})", TOC))
        if draw(st.booleans()) and len(lines) > 1:
            lines.append(("", KEEP))  # a blank line between items: still the list
    while lines[-1][0] == "":
        lines.pop()
    return lines


MARKERS = (
    ("<!-- toc -->", "<!-- /toc -->"),
    ("<!-- markdown-toc start - Don't edit this section. -->", "<!-- markdown-toc end -->"),
)


@st.composite
def marked_toc(draw: st.DrawFn) -> list[Line]:
    """A table of contents between markers, as mdtoc and Emacs markdown-toc write them."""
    start, end = draw(st.sampled_from(MARKERS))
    return [(start, TOC), *draw(titled_toc_list()), (end, TOC)]


@st.composite
def titled_toc_list(draw: st.DrawFn) -> list[Line]:
    """A list, maybe under the title a tool gave it (gh-md-toc, markdown-toc)."""
    title = draw(
        st.sampled_from(
            [[], [("**Table of Contents**", TOC)], [("Table of Contents", TOC), ("=====", TOC)]]
        )
    )
    gap = [("", KEEP)] if title and draw(st.booleans()) else []
    return [*title, *gap, *draw(toc_list())]


@st.composite
def prose(draw: st.DrawFn) -> list[Line]:
    indent = " " * draw(st.integers(0, 1))
    return [(indent + _unique("Prose line"), KEEP) for _ in range(draw(st.integers(1, 3)))]


@st.composite
def plain_list(draw: st.DrawFn) -> list[Line]:
    bullet = draw(st.sampled_from(["-", "*", "1."]))
    return [(f"{bullet} {_unique('A real point')}", KEEP) for _ in range(draw(st.integers(1, 3)))]


@st.composite
def fenced(draw: st.DrawFn) -> list[Line]:
    """A code block holding what would be headings and a table of contents outside it."""
    fence = draw(st.sampled_from(["```", "~~~", "````"]))
    inside = [
        "## Table of Contents",
        "<!-- toc -->",
        "- [Summary](#summary)",
        "<!-- /toc -->",
        "Setext inside",
        "---",
        _unique("code"),
    ]
    return [(fence + "md", KEEP), *((line, KEEP) for line in inside), (fence, KEEP)]


@st.composite
def subsection(draw: st.DrawFn) -> list[Line]:
    hashes = draw(st.sampled_from(["###", "####"]))
    title = _unique("Subsection")
    return [*draw(atx(title, KEEP, hashes)), *draw(prose())]


def blocks(*strategies: st.SearchStrategy[list[Line]]) -> st.SearchStrategy[list[Line]]:
    """Some of *strategies*, each block after a blank line."""

    def joined(parts: list[list[Line]]) -> list[Line]:
        out: list[Line] = []
        for part in parts:
            out.extend([("", KEEP), *part])
        return out

    return st.lists(st.one_of(*strategies), max_size=4).map(joined)


@st.composite
def section(draw: st.DrawFn) -> list[Line]:
    """A real section; a list may follow its heading at once, and it is kept."""
    lines = draw(heading(draw(st.sampled_from(NAMES)), KEEP))
    if draw(st.booleans()):
        lines += draw(plain_list())
    return lines + draw(blocks(prose(), plain_list(), fenced(), subsection()))


@st.composite
def toc_section(draw: st.DrawFn) -> list[Line]:
    """A table of contents under its heading, then maybe real prose and subsections."""
    lines = draw(heading(draw(st.sampled_from(TOC_NAMES)), TOC))
    lines += [("", KEEP)] * draw(st.integers(0, 2))
    if draw(st.booleans()):  # the 2018 template says what a table of contents is for
        lines += [*draw(prose()), ("", KEEP)]
    lines += draw(marked_toc() | titled_toc_list())
    return lines + draw(blocks(prose(), subsection(), fenced()))


@st.composite
def not_a_toc(draw: st.DrawFn) -> list[Line]:
    """A heading named like a table of contents with only prose under it: kept whole."""
    return [*draw(heading(draw(st.sampled_from(TOC_NAMES)), KEEP)), ("", KEEP), *draw(prose())]


@st.composite
def document(draw: st.DrawFn) -> list[Line]:
    title = _unique("A Title")
    lines = draw(st.sampled_from([[(f"# {title}", KEEP)], [(title, KEEP), ("=====", KEEP)]]))
    lines += draw(blocks(prose(), marked_toc()))
    for part in draw(st.lists(st.one_of(section(), toc_section(), not_a_toc()), max_size=6)):
        lines += [("", KEEP), *part]
    return lines


def _non_blank(lines: list[str]) -> Counter[str]:
    return Counter(line.rstrip() for line in lines if line.strip())


def assert_only_the_toc_is_dropped(lines: list[Line]) -> None:
    body = "".join(text + "\n" for text, _ in lines)
    written = [line for text in section_files(body).values() for line in text.splitlines()]
    kept = _non_blank([text for text, kind in lines if kind == KEEP])
    assert _non_blank(written) == kept, body


@given(document())
def test_only_table_of_contents_lines_are_dropped(lines: list[Line]) -> None:
    """Every line but those of a table of contents is in a section file, once."""
    assert_only_the_toc_is_dropped(lines)


# -- the KEP of the report, by hand: a test plan under an indented TOC heading --------------

INDENTED = """\
# Pod Overhead

 ## Table of Contents

 * [Summary](#summary)
 * [Test Plan](#test-plan)
   * [Unit Tests](#unit-tests)

 ### Test Plan

 #### Unit Tests
 Cover the admission controller.
 #### Integration Tests
 Cover the scheduler.
 #### E2E Tests
 Cover the kubelet.
 #### Upgrade Tests
 Cover a skew of one minor release.

 ## Summary

 Account for pod overhead.
"""


def test_a_test_plan_under_an_indented_toc_heading_is_kept() -> None:
    """The late-2019 case: headings one space in; the test plan is kept, the list dropped."""
    body = INDENTED
    files = section_files(body)
    text = "".join(files.values())
    for line in body.splitlines()[8:19]:
        assert line in text.splitlines()
    assert "[Test Plan](#test-plan)" not in text
    assert "## Table of Contents" not in text


def test_the_converted_kep_keeps_its_test_plan(tmp_path: Path) -> None:
    """Through convert_file: the test plan is in a section file of a KEP that passes check."""
    src = tmp_path / "src" / "sig-node"
    src.mkdir(parents=True)
    front = (
        '---\ntitle: Pod Overhead\nauthors:\n  - "@alice"\nowning-sig: sig-node\n'
        'reviewers:\n  - "@bob"\napprovers:\n  - "@carol"\ncreation-date: 2019-10-01\n'
        "last-updated: 2019-11-01\nstatus: provisional\n---\n"
    )
    source = src / "20191001-pod-overhead.md"
    source.write_text(front + INDENTED)
    registry = SigRegistry.from_yaml_text(
        "sigs:\n  - dir: sig-node\n    name: Node\n", source="test-sigs.yaml"
    )
    now = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    result = convert_file(
        source, tmp_path / "out", registry=registry, source_root=src.parent, now=now
    )
    kep = keps.open(result.output, registry=registry)
    kep.check(now=now)
    text = "".join(kep.section_text(name) for name in kep.sections if name != "README.md")
    assert " #### Upgrade Tests" in text.splitlines()
    assert " Cover a skew of one minor release." in text.splitlines()


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("# T\n\n## Contents\n\nWe list what follows.\n", ["## Contents", "We list what follows."]),
        ("# T\n\n<!-- toc -->\n- [A](#a)\n\n## A\n\ntext\n", ["<!-- toc -->", "- [A](#a)"]),
        ("## C#\n\nsharp\n", ["## C#", "sharp"]),
    ],
    ids=["toc heading over prose", "unclosed marker", "closing hash needs a space"],
)
def test_what_is_not_a_table_of_contents_is_kept(body: str, kept: list[str]) -> None:
    """A TOC heading over prose, a marker never closed: kept. ``## C#`` is named "C#"."""
    text = "".join(section_files(body).values()).splitlines()
    for line in kept:
        assert line in text
