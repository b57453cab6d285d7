"""kepctl query, validate and export on an enhancements checkout, checked by independent scans."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from keps.cli import cli
from tests.corpus_checkout import restore_dropped_owners
from tests.validate_helpers import make_checkout


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--content-root", str(root), *args])
    return result.exit_code, result.output


def scan(corpus: Path) -> list[tuple[Path, dict[str, object]]]:
    """Every kep.yaml read with plain PyYAML (strings only), independent of keps."""
    out = []
    for path in sorted((corpus / "enhancements-2026" / "keps").rglob("kep.yaml")):
        if path.parent.name == "NNNN-kep-template":  # the template, not a KEP
            continue
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        out.append((path, data))
    return out


def version(text: object) -> tuple[int, int] | None:
    match = re.fullmatch(r"v?(\d+)\.(\d+)", str(text).strip())
    return (int(match[1]), int(match[2])) if match else None


def csv_rows(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


class TestQueryOnCorpus:
    def test_sig_and_stage_as_csv(self, corpus: Path) -> None:
        """--sig sig-node --stage beta agrees with a plain PyYAML count."""
        code, output = run(
            corpus / "enhancements-2026",
            "query",
            "--sig",
            "sig-node",
            "--stage",
            "beta",
            "--output",
            "csv",
        )
        assert code == 0
        expected = {
            str(d["kep-number"]).strip()
            for _, d in scan(corpus)
            if d.get("owning-sig") == "sig-node" and d.get("stage") == "beta"
        }
        rows = csv_rows(output)
        assert {r["kep_number"] for r in rows} == expected
        assert len(rows) == len(expected) > 10
        assert set(rows[0]) >= {"stage", "latest_milestone", "location"}

    def test_milestone_range_compares_versions(self, corpus: Path) -> None:
        """milestone>=v1.29 includes v1.30 (which string comparison would miss) via keps/."""
        code, output = run(
            corpus / "enhancements-2026" / "keps",
            "query",
            "--milestone",
            ">=v1.29",
            "--output",
            "csv",
        )
        assert code == 0
        expected = {
            str(path.parent)
            for path, d in scan(corpus)
            if (v := version(d.get("latest-milestone", ""))) is not None and v >= (1, 29)
        }
        locations = {r["location"] for r in csv_rows(output)}
        assert len(locations) == len(expected)
        assert all(loc.startswith("keps/") for loc in locations)

    def test_gate(self, corpus: Path) -> None:
        """--gate finds the KEP that adds a feature gate."""
        code, output = run(
            corpus / "enhancements-2026",
            "query",
            "--gate",
            "InPlacePodVerticalScaling",
            "--output",
            "json",
        )
        assert code == 0
        [record] = json.loads(output)
        assert record["kep_number"] == 1287
        assert "InPlacePodVerticalScaling" in record["feature_gates"]

    def test_prr_approver_from_the_approval_files(self, corpus: Path) -> None:
        """--prr reads the approval files; the count agrees with a scan of them."""
        code, output = run(
            corpus / "enhancements-2026", "query", "--prr", "@jpbetz", "--output", "yaml"
        )
        assert code == 0
        prr_root = corpus / "enhancements-2026" / "keps" / "prod-readiness"
        approved = set()
        for path in prr_root.rglob("*.yaml"):
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
            if any(
                isinstance(v, dict) and str(v.get("approver", "")).lstrip("@") == "jpbetz"
                for v in data.values()
            ):
                approved.add((path.parent.name, path.stem))
        kep_files = {
            (str(d.get("owning-sig")), str(d.get("kep-number")).strip()) for _, d in scan(corpus)
        }
        records = yaml.safe_load(output)
        assert len(records) == len(approved & kep_files) > 5

    @pytest.mark.parametrize("fmt", ["table", "json", "yaml", "csv"])
    def test_every_output_format(self, corpus: Path, fmt: str) -> None:
        """The four output formats work on today's KEPs."""
        code, output = run(
            corpus / "enhancements-2026", "query", "--stage", "alpha", "--output", fmt
        )
        assert code == 0
        assert output.strip()


class TestValidateCommand:
    def test_kepval_passes_on_corpus(self, corpus: Path, tmp_path: Path) -> None:
        """kepctl validate exits 0 on the corpus (with the OWNERS files its copy dropped)."""
        root = tmp_path / "enhancements"
        shutil.copytree(corpus / "enhancements-2026", root)
        restore_dropped_owners(root)
        code, output = run(root, "validate")
        assert code == 0
        assert output.splitlines()[-1].startswith("0 problem(s)")

    def test_lint_json_and_baseline(self, corpus: Path, tmp_path: Path) -> None:
        """lint finds errors (exit 1); with a baseline of today's problems nothing is new."""
        root = corpus / "enhancements-2026"
        code, output = run(root, "validate", "--level", "lint", "--output", "json")
        assert code == 1
        records = json.loads(output)
        assert {"file", "code", "field", "severity", "message"} <= set(records[0])
        baseline = tmp_path / "baseline.json"
        code, output = run(root, "validate", "--level", "lint", "--write-baseline", str(baseline))
        assert code == 0
        assert f"recorded {len(records)} problem(s)" in output
        code, output = run(root, "validate", "--level", "lint", "--baseline", str(baseline))
        assert code == 0
        assert output.startswith("0 problem(s)")

    def test_text_groups_by_kep(self, tmp_path: Path) -> None:
        """Problems are listed under their file, with line, severity, code and field."""
        make_checkout(tmp_path)  # complete, as CI wants it, so only the KEP below is at fault
        kep_dir = tmp_path / "keps" / "sig-node" / "1-x"
        kep_dir.mkdir(parents=True)
        (kep_dir / "kep.yaml").write_text("title: X\nkep-number: 1\ncolour: red\n")
        code, output = run(tmp_path, "validate")
        assert code == 1
        lines = output.splitlines()
        assert lines[0] == "keps/sig-node/1-x/kep.yaml"
        assert "  3: error [key-unknown] colour:" in output
        assert lines[-1].startswith("1 problem(s): 1 error(s)")


class TestExport:
    def test_whole_index_as_one_json_document(self, corpus: Path, tmp_path: Path) -> None:
        """export --format json writes every KEP with today's keys and PRR approvals."""
        target = tmp_path / "keps.json"
        code, _ = run(
            corpus / "enhancements-2026", "export", "--format", "json", "--output", str(target)
        )
        assert code == 0
        document = json.loads(target.read_text(encoding="utf-8"))
        assert document["count"] == len(document["keps"]) == 655  # the template is no KEP
        [kep] = [k for k in document["keps"] if k.get("kep-number") == 1287]
        assert kep["milestone"]["stable"] == "v1.35"
        assert kep["prr-approvals"]


class TestIndexRebuild:
    def test_rebuild_finds_kep_yaml_keps(self, corpus: Path) -> None:
        """keps.index.rebuild indexes every corpus KEP; filters agree with a PyYAML scan."""
        import keps.filter as kf
        import keps.index

        idx = keps.index.rebuild(corpus / "enhancements-2026" / "keps", incremental=False)
        assert len(idx.entries) == 655  # the template is no KEP
        assert not idx.broken
        found = kf.select(idx.entries, kf.parse_query("stage:stable sig:sig-storage"))
        expected = [
            d
            for _, d in scan(corpus)
            if d.get("stage") == "stable" and d.get("owning-sig") == "sig-storage"
        ]
        assert len(found) == len(expected) > 5

    def test_incremental_rebuild_keeps_todays_fields(self, corpus: Path) -> None:
        """A rebuild served from the cache still knows stages, milestones, gates and PRR."""
        import keps.filter as kf
        import keps.index

        root = corpus / "enhancements-2026" / "keps"
        fresh = keps.index.rebuild(root, incremental=False)
        cached = keps.index.rebuild(root)
        assert cached.entries == fresh.entries
        assert kf.select(cached.entries, kf.parse_query("stage:beta"))


def test_lint_on_a_root_given_with_dot_dot(corpus: Path) -> None:
    """A --content-root such as ../x/.. is a root like any other: the lint run completes."""
    plain = run(corpus / "enhancements-2026", "validate", "--level", "lint")
    detour = run(corpus / "enhancements-2026" / "keps" / "..", "validate", "--level", "lint")
    assert detour[0] == plain[0] == 1  # the corpus has lint errors
    assert detour[1].splitlines()[-1] == plain[1].splitlines()[-1]
    # 473 lint findings, and 61 kepval ones: the OWNERS files the corpus copy left out
    assert "534 problem(s)" in plain[1].splitlines()[-1]
