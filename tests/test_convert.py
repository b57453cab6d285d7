"""keps.convert over small flat KEP files the tests write, malformed ones included."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest
import yaml

import keps
from keps.convert import (
    ORIGINAL_FRONT_MATTER,
    NotAKepError,
    convert_file,
    convert_tree,
    section_files,
    slug_for,
    split_front_matter,
    split_sections,
)
from keps.errors import CheckFailedError, InvalidContentError, KepExistsError
from keps.keps.sections import DEVELOPER_GUIDE, OPERATOR_GUIDE, TEACHER_GUIDE
from keps.sigs import SigRegistry

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)

SIGS = """\
sigs:
  - dir: sig-architecture
    name: Architecture
  - dir: sig-api-machinery
    name: API Machinery
  - dir: sig-node
    name: Node
  - dir: sig-apps
    name: Apps
"""

BODY = """\
# A Title

## Table of Contents

* [Summary](#summary)

## Summary

Short summary.

## Motivation

Why.

## Proposal

What.
"""


def front(**overrides: str | None) -> str:
    """Front matter lines for a sound provisional KEP, with *overrides* (None removes)."""
    fields: dict[str, str | None] = {
        "kep-number": "7",
        "title": "A Title",
        "authors": '\n  - "@alice"',
        "owning-sig": "sig-node",
        "reviewers": '\n  - "@bob"',
        "approvers": '\n  - "@carol"',
        "editor": "TBD",
        "creation-date": "2018-03-01",
        "last-updated": "2018-04-01",
        "status": "provisional",
    }
    fields.update(overrides)
    lines = [f"{k}: {v}" if v else f"{k}:" for k, v in fields.items() if v is not None]
    return "---\n" + "\n".join(line.replace(": \n", ":\n") for line in lines) + "\n---\n"


@pytest.fixture(name="registry")
def _registry() -> SigRegistry:
    return SigRegistry.from_yaml_text(SIGS, source="test-sigs.yaml")


@pytest.fixture(name="src")
def _src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    return folder


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def convert(src: Path, rel: str, text: str, registry: SigRegistry, out: Path) -> keps.Kep:
    """Write one flat KEP, convert it, and open the result (checking it passes)."""
    path = write(src, rel, text)
    result = convert_file(path, out, registry=registry, source_root=src, now=NOW)
    kep = keps.open(result.output, registry=registry)
    kep.check(now=NOW)
    return kep


def kinds(src: Path, rel: str, text: str, registry: SigRegistry, out: Path) -> set[str]:
    path = write(src, rel, text)
    result = convert_file(path, out, registry=registry, source_root=src, now=NOW)
    return {r.kind for r in result.repairs}


class TestFrontMatter:
    def test_first_block_only(self) -> None:
        """A `---` in a code block of the body does not end or extend the front matter."""
        text = front() + "## Summary\n\n```yaml\n---\nkind: Pod\n---\n```\n\ntail line\n"
        found = split_front_matter(text)
        assert found is not None
        assert "kind: Pod" not in found.text
        assert found.body.endswith("---\n```\n\ntail line\n")

    def test_after_title_line(self) -> None:
        """Front matter may follow a `# Title` line; the title line stays in the body."""
        found = split_front_matter("# KEP: X\n\n" + front() + "## Summary\n")
        assert found is not None
        assert found.body.startswith("# KEP: X\n")
        assert "title: A Title" in found.text

    def test_fenced_yaml(self) -> None:
        """Front matter may sit in a fenced yaml block under headings, without closing ---."""
        text = "# T\n\n## Metadata\n\n```yaml\n---\ntitle: T\nstatus: draft\n```\n\n## Summary\nx\n"
        found = split_front_matter(text)
        assert found is not None
        assert found.style == "fenced"
        assert found.text == "title: T\nstatus: draft\n"
        assert found.body == "# T\n\n## Metadata\n\n\n## Summary\nx\n"

    def test_none(self) -> None:
        """A file that opens with prose has no front matter."""
        assert split_front_matter("# README\n\nSome text\n---\nx: 1\n---\n") is None


class TestSections:
    def test_heading_is_one_line(self) -> None:
        """A heading never runs into the next paragraph."""
        _, found = split_sections("## Summary\nFirst paragraph.\n")
        assert [s.name for s in found] == ["Summary"]
        assert found[0].text == "## Summary\nFirst paragraph.\n"

    def test_headings_in_fences_are_text(self) -> None:
        """`## ` lines inside fenced code blocks are not headings."""
        body = "## Summary\n```md\n## Not a section\n```\n~~~\n## Nor this\n~~~\n## Motivation\n"
        _, found = split_sections(body)
        assert [s.name for s in found] == ["Summary", "Motivation"]

    def test_mapping(self) -> None:
        """Proposal, Drawbacks, Alternatives -> developer guide; history -> CHANGELOG; ToC dropped."""
        body = (
            "# T\n\n## Table of Contents\n- x\n## Summary\ns\n## Proposal\np\n"
            "## Implementation History\nh\n## Drawbacks [optional]\nd\n## Alternatives\na\n"
            "## Design Details\ndd\n"
        )
        files = section_files(body)
        assert list(files) == [
            "summary.md",
            DEVELOPER_GUIDE.filename,
            "CHANGELOG.md",
            "design_details.md",
        ]
        assert files["summary.md"].startswith("# T\n")
        assert "- x" not in "".join(files.values())
        developer = files[DEVELOPER_GUIDE.filename]
        assert developer.index("## Proposal") < developer.index("## Drawbacks [optional]")
        assert developer.index("## Drawbacks") < developer.index("## Alternatives")

    def test_slug(self) -> None:
        """The folder name is the file name without number, date and `draft-`."""
        assert slug_for(Path("0031-20181029-VolumeSubpath-apichange.md")) == (
            "volumesubpath-apichange"
        )
        assert slug_for(Path("0001a-meta-kep-implementation.md")) == "meta-kep-implementation"
        assert slug_for(Path("sidecarcontainers.md")) == "sidecarcontainers"


class TestConvertFile:
    def test_sound_kep(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        """Every mapped field lands in metadata.yaml; the number is kept and exempted."""
        out = tmp_path / "out"
        text = front(**{"see-also": "\n  - KEP-1", "replaces": "\n  - n/a"}) + BODY
        kep = convert(src, "sig-node/0007-a-title.md", text, registry, out)
        assert kep.path == out / "sig-node" / "sig-wide" / "a-title"
        assert kep.kep_number == 7
        assert kep.title == "A Title"
        assert kep.authors == ("@alice",)
        assert kep.state is keps.State.PROVISIONAL
        assert kep.created == dt.datetime(2018, 3, 1, tzinfo=dt.UTC)
        assert kep.last_updated == dt.datetime(2018, 4, 1, tzinfo=dt.UTC)
        assert kep.editors == ()
        assert kep.replaces == ()
        assert kep.sig_wide and not kep.kubernetes_wide
        assert [e.code for e in kep.exemptions] == ["kep-number-too-early"]
        data = yaml.safe_load((kep.path / "metadata.yaml").read_text())
        assert data["see_also"] == ["KEP-1"]
        original = (kep.path / ORIGINAL_FRONT_MATTER).read_text()
        assert original.endswith(front(**{"see-also": "\n  - KEP-1", "replaces": "\n  - n/a"}))
        assert "Short summary." in kep.section_text("summary.md")

    def test_see_also_survives_an_edit(
        self, src: Path, tmp_path: Path, registry: SigRegistry
    ) -> None:
        """see_also is an unknown key of metadata.yaml and survives a load/persist."""
        kep = convert(
            src,
            "sig-node/x.md",
            front(**{"see-also": "\n  - KEP-1"}) + BODY,
            registry,
            tmp_path / "out",
        )
        kep.add_reviewers("@dave")
        kep.persist(now=NOW)
        data = yaml.safe_load((kep.path / "metadata.yaml").read_text())
        assert data["see_also"] == ["KEP-1"]
        assert data["reviewers"] == ["@bob", "@dave"]

    def test_kubernetes_wide(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        """A sig-architecture KEP at the top level is kubernetes-wide; in a folder it is not."""
        out = tmp_path / "out"
        top = convert(
            src,
            "0001-process.md",
            front(**{"owning-sig": "sig-architecture"}) + BODY,
            registry,
            out,
        )
        assert top.path == out / "kubernetes-wide" / "process"
        assert top.kubernetes_wide and top.owning_sig == "sig-architecture"
        nested = convert(
            src,
            "sig-node/0002-arch.md",
            front(**{"owning-sig": "sig-architecture"}) + BODY,
            registry,
            out,
        )
        assert nested.path == out / "sig-architecture" / "sig-wide" / "arch"

    def test_implementable_gets_guides(
        self, src: Path, tmp_path: Path, registry: SigRegistry
    ) -> None:
        """Sections an implementable KEP needs and lacks are rendered and listed."""
        path = write(src, "sig-node/impl.md", front(status="implementable") + BODY)
        result = convert_file(path, tmp_path / "out", registry=registry, now=NOW)
        assert result.added_sections == (
            OPERATOR_GUIDE.filename,
            TEACHER_GUIDE.filename,
            "graduation_criteria.md",
        )
        kep = keps.open(result.output, registry=registry)
        kep.check(now=NOW)
        assert "## Proposal" in kep.section_text(DEVELOPER_GUIDE.filename)
        assert kep.section_text(OPERATOR_GUIDE.filename).strip()

    def test_overwrite_refused(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        """An existing KEP is not overwritten unless asked; asked, it is replaced whole."""
        out = tmp_path / "out"
        path = write(src, "sig-node/x.md", front() + BODY)
        first = convert_file(path, out, registry=registry, now=NOW)
        (first.output / "stray.md").write_text("left by hand\n")
        with pytest.raises(KepExistsError, match="output exists"):
            convert_file(path, out, registry=registry, now=NOW)
        assert (first.output / "stray.md").exists()
        again = convert_file(path, out, registry=registry, overwrite=True, now=NOW)
        assert again.output == first.output
        assert not (again.output / "stray.md").exists()
        assert not [p for p in again.output.parent.iterdir() if p.name.startswith(".")]
        keps.open(again.output, registry=registry).check(now=NOW)

    def test_not_a_kep(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        """READMEs, templates, files without front matter are not KEPs."""
        out = tmp_path / "out"
        for rel, text, reason in (
            ("README.md", front() + BODY, "README"),
            ("0000-kep-template.md", front() + BODY, "template"),
            ("notes.md", "# Notes\n\nprose\n", "no front matter"),
            ("other.md", "---\nfoo: 1\n---\n", "none of the KEP fields"),
        ):
            with pytest.raises(NotAKepError, match=reason):
                convert_file(write(src, rel, text), out, registry=registry, now=NOW)
        assert not out.exists() or not any(out.iterdir())

    def test_invalid_yaml(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        """Front matter that no repair makes YAML fails, naming the file; nothing is written."""
        path = write(src, "sig-node/bad.md", "---\ntitle: [unclosed\nstatus: x\n---\n" + BODY)
        with pytest.raises(InvalidContentError) as caught:
            convert_file(path, tmp_path / "out", registry=registry, now=NOW)
        assert caught.value.problems[0].code == "yaml-invalid"
        assert str(path) in str(caught.value)


class TestMalformed:
    """Each malformation of real 2018 front matter, repaired and reported."""

    def test_unquoted_handle(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        kep = convert(src, "sig-node/x.md", front(editor="@ed") + BODY, registry, tmp_path / "o")
        assert kep.editors == ("@ed",)
        assert "handle-quoted" in kinds(
            src, "sig-node/y.md", front(editor="@ed") + BODY, registry, tmp_path / "o"
        )

    def test_markdown_link_item(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        text = front(**{"see-also": "\n  - [KEP-8](https://example.com/8.md)"}) + BODY
        kep = convert(src, "sig-node/x.md", text, registry, tmp_path / "o")
        data = yaml.safe_load((kep.path / "metadata.yaml").read_text())
        assert data["see_also"] == ["[KEP-8](https://example.com/8.md)"]

    def test_people_as_maps_and_editor_list(
        self, src: Path, tmp_path: Path, registry: SigRegistry
    ) -> None:
        text = (
            front(
                reviewers='\n  - name: "@bob"\n  - name: "@dan"',
                approvers='\n  name: "@carol"',
                editor='\n  - "@ed"\n  - "@eve"',
            )
            + BODY
        )
        kep = convert(src, "sig-node/x.md", text, registry, tmp_path / "o")
        assert kep.reviewers == ("@bob", "@dan")
        assert kep.approvers == ("@carol",)
        assert kep.editors == ("@ed", "@eve")

    def test_placeholders_cleared(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        text = (
            front(
                reviewers='\n  - TBD\n  - "@bob"\n  -',
                replaces="\n  - n/a",
                **{"participating-sigs": "\n  - TBD", "kep-number": "TBD"},
            )
            + BODY
        )
        kep = convert(src, "sig-node/x.md", text, registry, tmp_path / "o")
        assert kep.reviewers == ("@bob",)
        assert kep.replaces == () and kep.participating_sigs == ()
        assert kep.kep_number is None
        assert kep.exemptions == ()

    def test_dates(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        """Quoted dates are read; placeholder and impossible ones are cleared and exempted."""
        quoted = convert(
            src,
            "sig-node/q.md",
            front(**{"creation-date": '"2018-02-19"'}) + BODY,
            registry,
            tmp_path / "o",
        )
        assert quoted.created == dt.datetime(2018, 2, 19, tzinfo=dt.UTC)
        for name, value, kind in (
            ("p", "yyyy-mm-dd", "placeholder-cleared"),
            ("i", "2018-02-30", "date-invalid"),
        ):
            text = front(**{"creation-date": value}) + BODY
            assert kind in kinds(src, f"sig-node/{name}.md", text, registry, tmp_path / "o")
            kep = keps.open(tmp_path / "o" / "sig-node" / "sig-wide" / name, registry=registry)
            assert kep.created is None
            assert "created-not-set" in [e.code for e in kep.exemptions]

    def test_last_updated(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        """Before creation: replaced by the conversion time; equal: kept as is."""
        before = front(**{"creation-date": "2018-05-01", "last-updated": "2018-04-01"}) + BODY
        assert "last-updated-before-created" in kinds(
            src, "sig-node/b.md", before, registry, tmp_path / "o"
        )
        kep = keps.open(tmp_path / "o" / "sig-node" / "sig-wide" / "b", registry=registry)
        assert kep.last_updated == NOW
        equal = front(**{"creation-date": "2018-05-01", "last-updated": "2018-05-01"}) + BODY
        kep = convert(src, "sig-node/e.md", equal, registry, tmp_path / "o")
        assert kep.last_updated == kep.created

    @pytest.mark.parametrize(
        ("status", "state"),
        [
            ("pending", "draft"),
            ("Pending", "draft"),
            ("accepted", "provisional"),
            ("Implementable", "implementable"),
        ],
    )
    def test_states(
        self, src: Path, tmp_path: Path, registry: SigRegistry, status: str, state: str
    ) -> None:
        kep = convert(src, "sig-node/x.md", front(status=status) + BODY, registry, tmp_path / "o")
        assert kep.state == state

    def test_misspelled_sig(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        text = (
            front(
                **{
                    "owning-sig": "sig-apimachinery",
                    "participating-sigs": "\n  - sig-apimachinery\n  - kubernetes-wide",
                }
            )
            + BODY
        )
        kep = convert(src, "sig-node/x.md", text, registry, tmp_path / "o")
        assert kep.owning_sig == "sig-api-machinery"
        assert kep.participating_sigs == ("sig-api-machinery",)
        assert kep.path.parent.parent.name == "sig-api-machinery"

    def test_unknown_sig_exempted(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        """An owning SIG no registry knows is kept, with an exemption; it is not invented."""
        kep = convert(
            src,
            "sig-node/x.md",
            front(**{"owning-sig": "sig-beard"}) + BODY,
            registry,
            tmp_path / "o",
        )
        assert kep.owning_sig == "sig-beard"
        assert kep.path == tmp_path / "o" / "sig-beard" / "sig-wide" / "x"
        assert "sig-unknown" in [e.code for e in kep.exemptions]

    def test_owning_sig_tbd(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        """TBD in a SIG folder: that SIG. TBD at the top: no owner, and an exemption."""
        in_folder = convert(
            src, "sig-apps/x.md", front(**{"owning-sig": "TBD"}) + BODY, registry, tmp_path / "o"
        )
        assert in_folder.owning_sig == "sig-apps"
        top = convert(
            src,
            "y.md",
            front(**{"owning-sig": "TBD", "status": "implementable"}) + BODY,
            registry,
            tmp_path / "o",
        )
        assert top.owning_sig == ""
        assert "owning-sig-not-set" in [e.code for e in top.exemptions]

    def test_title_with_slash(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        kep = convert(
            src,
            "sig-node/0009-io-stats.md",
            front(title="I/O stats / quotas") + BODY,
            registry,
            tmp_path / "o",
        )
        assert kep.title == "I/O stats / quotas"
        assert kep.path.name == "io-stats"

    def test_leading_zeros_are_decimal(
        self, src: Path, tmp_path: Path, registry: SigRegistry
    ) -> None:
        kep = convert(
            src, "sig-node/x.md", front(**{"kep-number": "0032"}) + BODY, registry, tmp_path / "o"
        )
        assert kep.kep_number == 32

    def test_author_also_approver(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        kep = convert(
            src, "sig-node/x.md", front(approvers='\n  - "@alice"') + BODY, registry, tmp_path / "o"
        )
        assert kep.approvers == ("@alice",)
        assert "author-is-approver" in [e.code for e in kep.exemptions]

    def test_front_matter_after_title_and_fenced(
        self, src: Path, tmp_path: Path, registry: SigRegistry
    ) -> None:
        after = "# KEP: A Title\n\n" + front() + BODY
        kep = convert(src, "sig-node/a.md", after, registry, tmp_path / "o")
        assert "# KEP: A Title" in kep.section_text("summary.md")
        fm = front().strip().splitlines()[1:-1]
        fenced = "# A\n\n## Metadata\n\n```yaml\n---\n" + "\n".join(fm) + "\n```\n\n" + BODY
        kep = convert(src, "sig-node/f.md", fenced, registry, tmp_path / "o")
        assert kep.kep_number == 7
        assert "```yaml" in (kep.path / ORIGINAL_FRONT_MATTER).read_text()

    def test_yaml_example_in_body_is_kept(
        self, src: Path, tmp_path: Path, registry: SigRegistry
    ) -> None:
        """The Go seed's bug: a `---` in a code block is not the end of the front matter."""
        body = BODY + "\n```yaml\n---\napiVersion: v1\n---\nkind: Pod\n```\n\nLast line.\n"
        kep = convert(src, "sig-node/x.md", front() + body, registry, tmp_path / "o")
        developer = kep.section_text(DEVELOPER_GUIDE.filename)
        assert "apiVersion: v1" in developer and "Last line." in developer
        assert kep.title == "A Title"

    def test_checks_that_cannot_be_exempted_fail(
        self, src: Path, tmp_path: Path, registry: SigRegistry, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A failing check outside the exemptible set fails the conversion, leaving nothing."""
        monkeypatch.setattr("keps.convert.flat.EXEMPTION_REASONS", {})
        path = write(src, "sig-node/x.md", front() + BODY)
        with pytest.raises(CheckFailedError):
            convert_file(path, tmp_path / "o", registry=registry, now=NOW)
        assert not (tmp_path / "o" / "sig-node").exists()


class TestDuplicateKeys:
    """A key given twice: the report says which value was kept, and that is the one written."""

    TEXT = (
        front(title="First Title").removesuffix("---\n")  # authors: "@alice" among them
        + 'title: Second Title\nauthors:\n  - "@zed"\n---\n'
        + BODY
    )

    def test_report_names_the_value_written(
        self, src: Path, tmp_path: Path, registry: SigRegistry
    ) -> None:
        """Each duplicate is one repair saying the first value is kept; metadata.yaml has it."""
        assert self.TEXT.count("title:") == 2 and self.TEXT.count("authors:") == 2
        path = write(src, "sig-node/0007-twice.md", self.TEXT)
        result = convert_file(path, tmp_path / "out", registry=registry, source_root=src, now=NOW)
        duplicates = [r.to_json() for r in result.repairs if r.kind == "duplicate-key"]
        assert duplicates == [
            {
                "kind": "duplicate-key",
                "message": "title given twice; the first value is kept",
                "field": "title",
            },
            {
                "kind": "duplicate-key",
                "message": "authors given twice; the first value is kept",
                "field": "authors",
            },
        ]
        written = yaml.safe_load((result.output / "metadata.yaml").read_text(encoding="utf-8"))
        assert written["title"] == result.title == "First Title"
        assert written["authors"] == ["@alice"]
        # the value not kept is still there to compare with, in the original front matter
        original = (result.output / ORIGINAL_FRONT_MATTER).read_text(encoding="utf-8")
        assert "title: Second Title" in original and '"@zed"' in original

    def test_tree_report_says_the_same(
        self, src: Path, tmp_path: Path, registry: SigRegistry
    ) -> None:
        """The JSON report of convert_tree carries the same repair for the KEP."""
        write(src, "sig-node/0007-twice.md", self.TEXT)
        report = convert_tree(src, tmp_path / "out", registry=registry, now=NOW)
        [converted] = report.to_json()["converted"]
        assert [
            (r["field"], r["message"]) for r in converted["repairs"] if r["kind"] == "duplicate-key"
        ] == [
            ("title", "title given twice; the first value is kept"),
            ("authors", "authors given twice; the first value is kept"),
        ]
        assert converted["title"] == "First Title"


class TestConvertTree:
    def test_report(self, src: Path, tmp_path: Path, registry: SigRegistry) -> None:
        """Converted, skipped and failed files and number clashes, in the JSON shape."""
        write(src, "README.md", "# KEPs\n")
        write(src, "sig-node/0007-one.md", front() + BODY)
        write(src, "sig-apps/0007-two.md", front(**{"owning-sig": "sig-apps"}) + BODY)
        write(src, "sig-node/bad.md", "---\ntitle: [x\n---\n")
        write(src, "sig-node/0008-one.md", front(**{"kep-number": "8"}) + BODY)
        seen: list[Path] = []
        report = convert_tree(
            src, tmp_path / "out", registry=registry, progress=seen.append, now=NOW
        )
        assert len(seen) == report.total == 5
        data = json.loads(json.dumps(report.to_json()))
        assert data["total"] == 5
        assert [c["source"] for c in data["converted"]] == [
            "sig-apps/0007-two.md",
            "sig-node/0007-one.md",
        ]
        assert set(data["converted"][0]) >= {"source", "output", "added_sections"}
        assert data["converted"][0]["output"] == "sig-apps/sig-wide/two"
        assert data["skipped"] == [{"path": "README.md", "reason": "not a KEP: a README"}]
        assert [f["path"] for f in data["failed"]] == ["sig-node/0008-one.md", "sig-node/bad.md"]
        assert "already taken by sig-node/0007-one.md" in data["failed"][0]["reason"]
        assert data["failed"][1]["reason"].startswith("invalid YAML")
        assert data["number_clashes"] == {"7": ["sig-apps/0007-two.md", "sig-node/0007-one.md"]}
        assert data["exemptions"] == {"kep-number-too-early": 2}
        assert report.summary_lines()[0] == "converted 2 of 5 files"


def test_no_sections_goes_to_preamble() -> None:
    """A body with no `## ` heading is kept whole in preamble.md."""
    assert section_files(textwrap.dedent("# T\n\nJust prose.\n")) == {
        "preamble.md": "# T\n\nJust prose.\n"
    }
