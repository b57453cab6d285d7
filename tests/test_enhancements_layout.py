"""Today's layout (kep.yaml + README.md): loading, the model's new fields, byte-exact saves."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
import yaml

import keps
from keps.keps.layouts import ENHANCEMENTS, SEED, readme
from keps.keps.layouts._kepyaml import dump_text, edit_text, load_text
from keps.keps.layouts.enhancements import KEY_ORDER
from keps.keps.metadata import FeatureGate, Milestone, PrrApproval

KEP_YAML = """\
title: Pod Things
kep-number: 1234
authors:
  - "@alice"
owning-sig: sig-node
participating-sigs:
  - sig-apps
status: implementable
creation-date: 2023-14-05
reviewers:
- "@rita"
approvers:
  - "@arnold"
# where it goes next
stage: beta
latest-milestone: "v1.30"
milestone:
  alpha:  "v1.29"
  beta: "v1.30"
feature-gates:
  - name: PodThings
    components:
      - kubelet
disable-supported: true
metrics:
  - pod_things_total<trailing spaces>
""".replace("<trailing spaces>", "   ")

README = """\
# KEP-1234: Pod Things

<!-- toc -->
- [Summary](#summary)
<!-- /toc -->

## Summary

Things for pods.

## Motivation

```yaml
## not a heading
```

Why not.
"""


def make_repo(root: Path, kep_yaml: str = KEP_YAML, prr: str | None = None) -> Path:
    """An enhancements checkout with one KEP at keps/sig-node/1234-pod-things."""
    kep_dir = root / "keps" / "sig-node" / "1234-pod-things"
    kep_dir.mkdir(parents=True)
    (kep_dir / "kep.yaml").write_text(kep_yaml, encoding="utf-8")
    (kep_dir / "README.md").write_text(README, encoding="utf-8")
    if prr is not None:
        prr_dir = root / "keps" / "prod-readiness" / "sig-node"
        prr_dir.mkdir(parents=True)
        (prr_dir / "1234.yaml").write_text(prr, encoding="utf-8")
    return kep_dir


def corpus_kep_files(corpus: Path) -> list[Path]:
    return sorted((corpus / "enhancements-2026" / "keps").rglob("kep.yaml"))


class TestMilestone:
    def test_compares_as_versions(self) -> None:
        """v1.9 comes before v1.30, which string comparison gets wrong."""
        assert Milestone.parse("v1.9") < Milestone.parse("v1.30")
        assert Milestone.parse("1.30") == Milestone.parse("v1.30")
        assert max(Milestone.parse(m) for m in ("v1.4", "v1.30", "v1.29")).text == "v1.30"

    @pytest.mark.parametrize("bad", ["TBD", "x.y", "v1.21, v1.37", "", "never"])
    def test_refuses_what_is_no_release(self, bad: str) -> None:
        """Placeholders are values errors, not crashes elsewhere."""
        with pytest.raises(ValueError, match="milestone"):
            Milestone.parse(bad)


class TestLoading:
    def test_reads_todays_fields(self, tmp_path: Path) -> None:
        """Every new field lands in the model; the PRR file gives the approvals."""
        kep_dir = make_repo(tmp_path, prr='kep-number: 1234\nalpha:\n  approver: "@wojtek-t"\n')
        kep = keps.open(kep_dir)
        assert kep.layout is ENHANCEMENTS
        assert kep.kep_number == 1234
        assert kep.state is keps.State.IMPLEMENTABLE
        assert kep.metadata.stage == "beta"
        assert kep.metadata.milestone_for() == "v1.30"
        assert kep.feature_gates == (FeatureGate("PodThings", ("kubelet",)),)
        assert kep.metadata.disable_supported is True
        assert kep.metadata.metrics == ("pod_things_total",)
        assert kep.prr_approvals == (PrrApproval("alpha", "@wojtek-t"),)
        assert kep.content_root == tmp_path.absolute()

    def test_month_15_is_a_problem_with_a_line_not_a_crash(self, tmp_path: Path) -> None:
        """A date PyYAML's timestamp constructor would reject is reported on its line."""
        kep = keps.open(make_repo(tmp_path))
        [problem] = [p for p in kep.load_problems if p.code == "date-invalid"]
        assert problem.field == "creation-date"
        assert problem.line == 9
        assert kep.created is None

    def test_unknown_key_and_wrong_type_are_structural(self, tmp_path: Path) -> None:
        """Strict parsing: an unknown key and a list where text belongs fail the checks."""
        text = KEP_YAML.replace("title: Pod Things", "title: [Pod, Things]") + "colour: red\n"
        kep = keps.open(make_repo(tmp_path, text))
        codes = {p.code for p in kep.problems() if p.is_blocking}
        assert codes == {"key-unknown", "field-type"}
        # the month-15 date is kept as written, and reported without blocking
        warnings = [p for p in kep.problems() if not p.is_blocking]
        assert [(p.code, p.field) for p in warnings] == [("date-invalid", "creation-date")]
        with pytest.raises(keps.CheckFailedError):
            kep.check()

    def test_not_yaml_refuses_to_load(self, tmp_path: Path) -> None:
        """Only text that is not YAML at all raises, naming the file and line."""
        with pytest.raises(keps.InvalidContentError, match="line"):
            keps.open(make_repo(tmp_path, "title: [unclosed\n"))

    def test_duplicate_keys_are_refused(self) -> None:
        """A strict parser never silently keeps the last of two values."""
        with pytest.raises(keps.InvalidContentError, match="duplicate key 'title'"):
            load_text("title: a\ntitle: b\n", path="kep.yaml")

    def test_seed_layout_still_detected(self, tmp_path: Path) -> None:
        """A folder with metadata.yaml is still a seed KEP."""
        kep = keps.new("sig-node/my-kep", content_root=tmp_path, authors=["alice"])
        kep.persist(check=False)
        assert keps.open(kep.path).layout is SEED


class TestSections:
    def test_split_and_join_are_exact(self) -> None:
        """## headings split the README; fenced code is text; joining gives the bytes back."""
        parts = readme.split(README)
        assert [p.name for p in parts] == ["", "Summary", "Motivation"]
        assert readme.join(parts) == README

    def test_section_text_and_set_section(self, tmp_path: Path) -> None:
        """Sections are addressed by heading; a change rewrites README.md only."""
        kep_dir = make_repo(tmp_path)
        kep = keps.open(kep_dir)
        assert kep.section_text("summary").strip() == "Things for pods."
        assert kep.section_names() == ("Summary", "Motivation")
        before = (kep_dir / "kep.yaml").read_bytes()
        kep.set_section("Summary", "Better things.\n")
        kep.set_section("Risks", "None.\n")
        assert kep.persist(check=False)
        text = (kep_dir / "README.md").read_text(encoding="utf-8")
        assert "## Summary\n\nBetter things.\n\n## Motivation" in text
        assert text.endswith("## Risks\n\nNone.\n")
        assert (kep_dir / "kep.yaml").read_bytes() == before

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("# T\n\n## A\n\na\n\n## B\n\nb", "# T\n\n## A\n\na\n\n## B\n\nb\n\n## C\n\nc\n"),
            ("# T\n\n## A\n\na\n\n", "# T\n\n## A\n\na\n\n## C\n\nc\n"),
            ("", "## C\n\nc\n"),
        ],
    )
    def test_a_new_section_goes_after_the_last_one(self, text: str, expected: str) -> None:
        """The last section gets the newline it lacked, the rest stays byte for byte."""
        assert readme.replace_body(text, "C", "c") == expected

    def test_corpus_readmes_split_exactly(self, corpus: Path) -> None:
        """Every corpus README.md joins back to its own bytes."""
        for path in (corpus / "enhancements-2026" / "keps").rglob("README.md"):
            text = path.read_text(encoding="utf-8")
            assert readme.join(readme.split(text)) == text, path


class TestSaving:
    def test_change_touches_only_its_block(self, tmp_path: Path) -> None:
        """Changing the title rewrites one line; odd spacing and comments elsewhere stay."""
        kep_dir = make_repo(tmp_path)
        kep = keps.open(kep_dir)
        kep.update(title="Pod Things, Better")
        kep.add_reviewers("@bob")
        assert kep.persist()
        after = (kep_dir / "kep.yaml").read_text(encoding="utf-8")
        diff = [
            line
            for line in difflib.unified_diff(KEP_YAML.splitlines(), after.splitlines(), n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")
        ]
        assert diff == [
            "-title: Pod Things",
            "+title: Pod Things, Better",
            '+- "@bob"',
        ]
        assert "  alpha:  " in after
        assert "# where it goes next" in after

    def test_new_and_removed_keys(self) -> None:
        """A new key goes after its predecessor in key order; a removed key's block goes."""
        old = load_text(KEP_YAML, path="kep.yaml").data
        new = dict(old)
        del new["metrics"]
        new["see-also"] = ["/keps/sig-node/1-x"]
        out = edit_text(KEP_YAML, old, new, KEY_ORDER)
        assert "metrics" not in out
        assert 'approvers:\n  - "@arnold"\nsee-also:\n  - /keps/sig-node/1-x\n' in out

    def test_nothing_changed_writes_nothing(self, tmp_path: Path) -> None:
        """Opening and persisting an unchanged KEP writes no file."""
        kep = keps.open(make_repo(tmp_path))
        assert not kep.has_changes()
        assert kep.persist() is False

    def test_prr_approval_written_to_its_file(self, tmp_path: Path) -> None:
        """A new PRR approval edits the prod-readiness file, keeping what was there."""
        prr = 'kep-number: 1234\nalpha:\n  approver: "@wojtek-t"\n'
        kep_dir = make_repo(tmp_path, prr=prr)
        kep = keps.open(kep_dir)
        kep.update(prr_approvals=(*kep.prr_approvals, PrrApproval("beta", "@deads2k")))
        kep.persist(check=False)
        path = tmp_path / "keps" / "prod-readiness" / "sig-node" / "1234.yaml"
        assert path.read_text() == prr + 'beta:\n  approver: "@deads2k"\n'
        assert keps.open(kep_dir).metadata.prr_approver_for("beta") == "@deads2k"

    def test_prr_approval_goes_to_the_file_the_kep_was_read_with(self, tmp_path: Path) -> None:
        """kep-number "0042" reads 0042.yaml: a new approval extends that file, never 42.yaml."""
        kep_dir = make_repo(tmp_path, KEP_YAML.replace("kep-number: 1234", 'kep-number: "0042"'))
        prr_dir = tmp_path / "keps" / "prod-readiness" / "sig-node"
        prr_dir.mkdir(parents=True)
        (prr_dir / "0042.yaml").write_text('kep-number: "0042"\nalpha:\n  approver: "@a"\n')
        kep = keps.open(kep_dir)
        assert kep.metadata.prr_approver_for("alpha") == "@a"
        kep.update(prr_approvals=(*kep.prr_approvals, PrrApproval("beta", "@b")))
        kep.persist(check=False)
        assert sorted(p.name for p in prr_dir.iterdir()) == ["0042.yaml"]
        again = keps.open(kep_dir)
        assert [(a.stage, a.approver) for a in again.prr_approvals] == [
            ("alpha", "@a"),
            ("beta", "@b"),
        ]

    def test_dump_text_loads_back(self) -> None:
        """A new kep.yaml written from data reads back as the same data."""
        data = yaml.load(KEP_YAML, Loader=yaml.BaseLoader)
        data["metrics"] = ["pod_things_total"]
        data["disable-supported"] = True
        assert load_text(dump_text(data), path="x").data == data


class TestCorpus:
    def test_all_656_load(self, corpus: Path) -> None:
        """Every corpus KEP opens in today's layout, whatever its values."""
        files = corpus_kep_files(corpus)
        assert len(files) == 656
        for path in files:
            kep = keps.open(path)
            assert kep.layout is ENHANCEMENTS
            assert kep.title

    def test_month_15_dates_in_the_corpus_are_reported(self, corpus: Path) -> None:
        """Real files hold month-15 dates: they load, and the problem names the line."""
        kep_dir = (
            corpus / "enhancements-2026/keps/sig-api-machinery/4355-coordinated-leader-election"
        )
        kep = keps.open(kep_dir)
        [problem] = [p for p in kep.load_problems if p.code == "date-invalid"]
        assert (problem.field, problem.line) == ("creation-date", 10)

    def test_unchanged_save_is_byte_identical(self, corpus: Path, tmp_path: Path) -> None:
        """Every kep.yaml, opened and saved through the real writer unchanged, keeps its bytes.

        Nothing-changed is not the only proof: the writer itself is run on each file
        with the data it holds, and a title change touches exactly one block.
        """
        for path in corpus_kep_files(corpus):
            text = path.read_text(encoding="utf-8")
            kep = keps.open(path)
            mapping = ENHANCEMENTS.to_mapping(kep.metadata)
            assert ENHANCEMENTS.edit(text, mapping, dict(mapping)) == text, path
            forced = {**mapping, "title": kep.title + " "}
            rewritten = ENHANCEMENTS.edit(text, {**mapping, "title": ""}, forced)
            changed = [
                line
                for line in difflib.ndiff(text.splitlines(), rewritten.splitlines())
                if line[:1] in "+-"
            ]
            assert len(changed) <= _title_lines(text) + 1, path

    def test_persist_of_copied_kep_writes_nothing(self, corpus: Path, tmp_path: Path) -> None:
        """A copied corpus KEP persists to nothing; a no-op change keeps every byte."""
        source = corpus / "enhancements-2026/keps/sig-node/1287-in-place-update-pod-resources"
        target = tmp_path / "keps" / "sig-node" / source.name
        shutil.copytree(source, target)
        kep = keps.open(target)
        before = (target / "kep.yaml").read_bytes()
        kep.update(title=kep.title)
        assert kep.persist() is False
        assert (target / "kep.yaml").read_bytes() == before


def _title_lines(text: str) -> int:
    """How many lines the title block spans (a long title may be folded)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    count = 1
    for line in lines[start + 1 :]:
        if line.startswith((" ", "\t")) and line.strip():
            count += 1
        else:
            break
    return count
