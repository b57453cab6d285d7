"""What a notebook shows for KEPs, one KEP and validation findings (keps.analysis.html).

The HTML is read back with the standard library's parser, as a browser would see its
tables, and compared with what the files say (read apart from keps, with PyYAML).
KEP content is untrusted: markup in a title must come out as text.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import attrs
import pytest

import keps
from keps import validate
from keps.analysis.findings import RECORD_KEYS, Findings
from keps.errors import InvalidArgumentError
from keps.index.entry import Entry
from keps.problems import Problem, Severity
from tests.enhancements_tree import broken_checkout, scan, write_checkout
from tests.kep_factory import make_kep
from tests.validate_helpers import readme

HOSTILE = "<script>alert(1)</script> & \"quotes\" 'too' <b>bold</b>"


@attrs.define
class Page:
    """What the parser saw: every table as rows of cell texts, paragraphs, start tags."""

    tables: list[list[list[str]]] = attrs.Factory(list)
    paragraphs: list[str] = attrs.Factory(list)
    headings: list[str] = attrs.Factory(list)
    tags: Counter[str] = attrs.Factory(Counter)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags[tag] += 1
        if tag == "table":
            self.page.tables.append([])
        elif tag == "tr":
            self.page.tables[-1].append([])
        elif tag in ("td", "th", "p", "h4"):
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if self._text is None:
            return
        text = "".join(self._text)
        if tag in ("td", "th"):
            self.page.tables[-1][-1].append(text)
        elif tag == "p":
            self.page.paragraphs.append(text)
        elif tag == "h4":
            self.page.headings.append(text)
        else:
            return
        self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def read(markup: str) -> Page:
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    return reader.page


def body(table: list[list[str]]) -> list[list[str]]:
    """The rows under the heading row."""
    return table[1:]


def write_kep(root: Path, folder: str, text: str) -> Path:
    kep_dir = root / "keps" / folder
    kep_dir.mkdir(parents=True)
    (kep_dir / "kep.yaml").write_text(text, encoding="utf-8")
    (kep_dir / "README.md").write_text(readme("KEP"), encoding="utf-8")
    return kep_dir


HOSTILE_KEP = f"""\
title: '{HOSTILE.replace("'", "''")}'
kep-number: 4242
authors:
  - "@<img src=x onerror=alert(2)>"
owning-sig: sig-node
status: implementable
creation-date: 2021-03-04
reviewers:
  - "@rita"
approvers:
  - "@arnold"
stage: beta
latest-milestone: "v1.20"
milestone:
  alpha: "1.19"
  beta: "v1.20"
replaces:
  - "keps/sig-node/1-<old>"
see-also:
  - "/keps/sig-apps/2-other"
  - "https://example.com/?a=1&b=<2>"
"""


# -- a collection --


def test_the_table_lists_every_kep_as_its_files_say(tmp_path: Path) -> None:
    root = write_checkout(tmp_path / "enhancements", count=12)
    page = read(keps.load(root)._repr_html_())
    expected = sorted(
        [
            str(data["kep-number"]),
            str(data["title"]),
            str(data["status"]),
            str(data["stage"]),
            str(data["latest-milestone"]),
            str(data["owning-sig"]),
            path.parent.relative_to(root).as_posix(),
        ]
        for path, data in scan(root)
    )
    [table] = page.tables
    assert table[0] == [
        "number",
        "title",
        "state",
        "stage",
        "latest milestone",
        "owning SIG",
        "location",
    ]
    assert body(table) == sorted(expected, key=lambda row: int(row[0]))
    assert page.paragraphs == [f"12 KEPs under {root}, 0 problems"]


def test_a_large_collection_shows_100_rows_and_counts_the_rest(tmp_path: Path) -> None:
    root = write_checkout(tmp_path / "enhancements", count=130)
    collection = keps.load(root)
    markup = collection._repr_html_()
    page = read(markup)
    [table] = page.tables
    assert [row[0] for row in body(table)] == [str(e.kep_number) for e in collection][:100]
    assert page.paragraphs[-1] == "… and 30 more"
    assert len(markup) < 40_000  # a cell, not a megabyte


def test_a_query_of_exactly_100_shows_no_more_line(tmp_path: Path) -> None:
    root = write_checkout(tmp_path / "enhancements", count=101)
    collection = keps.load(root)
    chosen = collection.query(lambda entry: entry.kep_number != 1000)
    page = read(chosen._repr_html_())
    assert len(body(page.tables[0])) == 100
    assert not any("more" in text for text in page.paragraphs)


def test_an_empty_collection_shows_an_empty_table(tmp_path: Path) -> None:
    root = write_checkout(tmp_path / "enhancements", count=1)
    page = read(keps.load(root).query("sig:sig-apps")._repr_html_())
    assert body(page.tables[0]) == []
    assert page.paragraphs == [f"0 KEPs under {root}, 0 problems"]


def test_markup_in_a_kep_comes_out_as_text(tmp_path: Path) -> None:
    root = write_checkout(tmp_path / "enhancements", count=2)
    write_kep(root, "sig-node/4242-hostile", HOSTILE_KEP)
    collection = keps.load(root)
    for markup in (
        collection._repr_html_(),
        collection[4242]._repr_html_(),
        collection.open(4242)._repr_html_(),
    ):
        page = read(markup)
        assert set(page.tags) <= {"div", "p", "h4", "table", "thead", "tbody", "tr", "th", "td"}
        cells = [cell for table in page.tables for row in table for cell in row]
        assert HOSTILE in cells
        assert "<script>" not in markup
    page = read(collection[4242]._repr_html_())
    assert page.headings == [f"KEP 4242: {HOSTILE}"]


# -- one KEP --


def test_an_entry_shows_every_field_with_a_value_and_its_links(tmp_path: Path) -> None:
    root = write_checkout(tmp_path / "enhancements", count=1)
    write_kep(root, "sig-node/4242-hostile", HOSTILE_KEP)
    page = read(keps.load(root)[4242]._repr_html_())
    fields, links = page.tables
    assert fields[0] == ["field", "value"]
    assert dict(body(fields)) == {
        "kep_number": "4242",
        "title": HOSTILE,
        "state": "implementable",
        "owning_sig": "sig-node",
        "authors": "@<img src=x onerror=alert(2)>",
        "reviewers": "@rita",
        "approvers": "@arnold",
        "created": "2021-03-04",
        "location": "keps/sig-node/4242-hostile",
        "stage": "beta",
        "latest_milestone": "v1.20",
        "milestone.alpha": "v1.19",  # 1.19 as the file writes it, one spelling of a release
        "milestone.beta": "v1.20",
    }
    assert body(links) == [
        ["replaces", "keps/sig-node/1-<old>"],
        ["see_also", "/keps/sig-apps/2-other, https://example.com/?a=1&b=<2>"],
    ]
    assert page.tags["a"] == 0  # links as text: no anchor to a URL from the content


def test_an_entry_without_links_shows_no_links_table(tmp_path: Path) -> None:
    entry = Entry(uuid="", title="Plain", location="keps/sig-node/1-plain")
    page = read(entry._repr_html_())
    assert page.headings == ["KEP (no number): Plain"]
    [table] = page.tables
    assert dict(body(table)) == {"title": "Plain", "location": "keps/sig-node/1-plain"}


def test_a_kep_shows_what_its_checks_find(tmp_path: Path) -> None:
    root = broken_checkout(tmp_path / "enhancements", broken=True)
    kep = keps.open(root / "keps" / "sig-node" / "102-status")
    problems = kep.problems()
    assert problems  # status: implemnted
    page = read(kep._repr_html_())
    fields, problem_table = page.tables
    assert dict(body(fields))["state"] == "implemnted"  # as written, not dropped
    assert problem_table[0] == ["code", "severity", "message", "path", "field", "line"]
    assert [row[0] for row in body(problem_table)] == [p.code for p in problems]
    assert [row[2] for row in body(problem_table)] == [p.message for p in problems]
    assert f"{len(problems)} problem{'s' if len(problems) > 1 else ''}" in page.paragraphs


def test_a_sound_kep_says_it_has_no_problems(tmp_path: Path) -> None:
    kep = make_kep(tmp_path, "sig-node/my-kep")
    page = read(kep._repr_html_())
    assert "0 problems" in page.paragraphs
    assert len(page.tables) == 1
    assert dict(body(page.tables[0]))["location"] == "sig-node/sig-wide/my-kep"


# -- validation findings --


def test_findings_count_each_code_as_validation_reports_it(tmp_path: Path) -> None:
    root = broken_checkout(tmp_path / "enhancements", broken=True)
    found = keps.load(root).validate("lint")  # the corpus's faults: kepval lets them by
    reported = validate.validate(root, level="lint")
    assert list(found) == list(reported)
    independent = Counter(problem.code for problem in reported)
    assert found.count() == independent
    assert len(found) == len(reported) > 0

    page = read(found._repr_html_())
    by_code, listed = page.tables
    assert by_code[0] == ["code", "count"]
    assert {code: int(count) for code, count in body(by_code)} == independent
    counts = [int(count) for _, count in body(by_code)]
    assert counts == sorted(counts, reverse=True)
    assert [row[0] for row in body(listed)] == [p.code for p in reported][:100]


def test_lint_finds_at_least_what_kepval_finds(tmp_path: Path) -> None:
    root = broken_checkout(tmp_path / "enhancements", broken=True)
    collection = keps.load(root)
    kepval, lint = collection.validate(), collection.validate("lint")
    assert set(kepval.count()) <= set(lint.count())
    with pytest.raises(InvalidArgumentError, match="level"):
        collection.validate("strictest")


def test_a_sound_checkout_has_no_findings(tmp_path: Path) -> None:
    found = keps.load(write_checkout(tmp_path / "enhancements", count=6)).validate()
    assert len(found) == 0
    assert not found
    assert repr(found) == "<Findings: 0 problems (0 errors, 0 warnings) of 0 codes>"
    page = read(found._repr_html_())
    assert page.paragraphs[0] == "0 findings: 0 errors, 0 warnings"


def test_validation_is_for_checkouts_only(tmp_path: Path) -> None:
    make_kep(tmp_path, "sig-node/my-kep")
    collection = keps.load(tmp_path)
    with pytest.raises(InvalidArgumentError, match="kubernetes/enhancements checkout"):
        collection.validate()


def many_problems(count: int) -> Findings:
    codes = ("b-code", "a-code", "b-code", "c<code>")
    return Findings(
        Problem(
            codes[n % 4],
            f"message {n} <i>",
            path=f"keps/sig-node/{n}/kep.yaml",
            field="title" if n % 2 else None,
            line=n if n % 3 else None,
            severity=Severity.WARNING if n % 5 == 0 else Severity.ERROR,
        )
        for n in range(count)
    )


def test_findings_show_the_first_100_and_count_the_rest() -> None:
    found = many_problems(250)
    page = read(found._repr_html_())
    by_code, listed = page.tables
    assert dict(body(by_code)) == {"b-code": "125", "a-code": "63", "c<code>": "62"}
    assert len(body(listed)) == 100
    assert body(listed)[1] == [
        "a-code",
        "error",
        "message 1 <i>",
        "keps/sig-node/1/kep.yaml",
        "title",
        "1",
    ]
    assert page.paragraphs == ["250 findings: 200 errors, 50 warnings", "… and 150 more"]
    assert page.tags["i"] == 0


def test_findings_as_records_and_as_a_dataframe() -> None:
    found = many_problems(7)
    records = found.to_records()
    assert [tuple(record) for record in records] == [RECORD_KEYS] * 7
    assert records[0] == {
        "code": "b-code",
        "severity": "warning",
        "message": "message 0 <i>",
        "path": "keps/sig-node/0/kep.yaml",
        "field": None,
        "line": None,
    }
    frame = found.to_dataframe()
    assert list(frame.columns) == list(RECORD_KEYS)
    assert frame["code"].tolist() == [p.code for p in found]
    assert str(frame["line"].dtype) == "Int64"
    assert frame["line"].isna().tolist() == [p.line is None for p in found]
    assert list(Findings().to_dataframe().columns) == list(RECORD_KEYS)


def test_findings_are_immutable() -> None:
    found = many_problems(2)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        found.problems = ()  # type: ignore[misc]
    assert isinstance(found.problems, tuple)
