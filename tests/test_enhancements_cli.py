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
from keps.keps.milestones import STAGES
from tests import enhancements_tree as tree
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


#: The states of the KEP process; a kep.yaml status outside them has no state.
STATES = frozenset(
    [
        "draft",
        "provisional",
        "implementable",
        "implemented",
        "deferred",
        "rejected",
        "withdrawn",
        "replaced",
    ]
)

#: The columns kepctl query shows for an enhancements checkout (table and csv).
TODAY = ("kep_number", "title", "state", "stage", "latest_milestone", "owning_sig", "location")


def table_rows(output: str) -> list[dict[str, str]]:
    """The rows of a table: each column starts where its upper-case name does in the header."""
    header, *lines = output.splitlines()
    starts: list[int] = []
    for column in TODAY:
        starts.append(header.index(column.upper(), starts[-1] if starts else 0))
    ends = [*starts[1:], None]
    return [
        {c: line[a:b].strip() for c, a, b in zip(TODAY, starts, ends, strict=True)}
        for line in lines
    ]


def parsed(fmt: str, output: str) -> list[dict[str, str]]:
    """The records of a query's output in *fmt*, each as its TODAY columns in text."""
    if fmt == "json":
        records = json.loads(output)
    elif fmt == "yaml":
        records = yaml.safe_load(output)
    elif fmt == "csv":
        records = csv_rows(output)
    else:
        records = table_rows(output)
    return [{c: "" if r.get(c) is None else str(r[c]) for c in TODAY} for r in records]


def expected_rows(
    kep_files: list[tuple[Path, dict[str, object]]], root: Path, stage: str
) -> list[dict[str, str]]:
    """The TODAY columns of every KEP at *stage*, from a PyYAML scan, by number then location."""
    rows = [
        {
            "kep_number": str(int(str(d["kep-number"]))),
            "title": str(d["title"]).strip(),
            "state": str(d["status"]),  # as written, a status that is no state too
            "stage": stage,
            "latest_milestone": _release(str(d.get("latest-milestone") or "")),
            "owning_sig": str(d["owning-sig"]),
            "location": path.parent.relative_to(root).as_posix(),
        }
        for path, d in kep_files
        if d.get("stage") == stage
    ]
    return sorted(rows, key=lambda r: (int(r["kep_number"]), r["location"]))


def _release(text: str) -> str:
    """A release as every output writes it: ``0.0`` and ``v0.0`` are one release, ``v0.0``."""
    if re.fullmatch(r"\d+\.\d+(\.\d+)?", text):
        return f"v{text}"
    return text


def by_number(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """*rows* in (number, location) order, after checking they came in number order."""
    numbers = [int(r["kep_number"]) for r in rows]
    assert numbers == sorted(numbers)  # kepctl query sorts by KEP number by default
    return sorted(rows, key=lambda r: (int(r["kep_number"]), r["location"]))


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> Path:
    """36 sound KEPs in today's layout, written by the test (no ../shared needed)."""
    return tree.write_checkout(tmp_path / "enhancements")


class TestQueryOnGeneratedCheckout:
    def test_sig_and_stage_as_csv(self, checkout: Path) -> None:
        """--sig sig-node --stage beta picks what a PyYAML scan picks."""
        code, output = run(
            checkout, "query", "--sig", "sig-node", "--stage", "beta", "--output", "csv"
        )
        assert code == 0
        expected = {
            d["kep-number"]
            for _, d in tree.scan(checkout)
            if d["owning-sig"] == "sig-node" and d["stage"] == "beta"
        }
        assert [r["kep_number"] for r in csv_rows(output)] == sorted(expected, key=int)
        assert len(expected) >= 3

    def test_milestone_range_compares_versions(self, checkout: Path) -> None:
        """milestone>=v1.29 takes v1.30 and leaves v1.9 out, where text comparison would not."""
        code, output = run(checkout / "keps", "query", "--milestone", ">=v1.29", "--output", "csv")
        assert code == 0
        milestones = {
            d["kep-number"]: version(d["latest-milestone"]) for _, d in tree.scan(checkout)
        }
        expected = {n for n, v in milestones.items() if v is not None and v >= (1, 29)}
        assert {r["kep_number"] for r in csv_rows(output)} == expected
        assert (1, 9) in milestones.values() and (1, 30) in milestones.values()

    def test_gate(self, checkout: Path) -> None:
        """--gate finds every KEP that adds the feature gate, and only those."""
        code, output = run(checkout, "query", "--gate", tree.SHARED_GATE, "--output", "json")
        assert code == 0
        records = json.loads(output)
        expected = [
            int(d["kep-number"])
            for _, d in tree.scan(checkout)
            if any(g["name"] == tree.SHARED_GATE for g in d.get("feature-gates") or [])
        ]
        assert [r["kep_number"] for r in records] == sorted(expected)
        assert all(tree.SHARED_GATE in r["feature_gates"] for r in records)
        assert len(records) >= 5

    def test_prr_approver_from_the_approval_files(self, checkout: Path) -> None:
        """--prr reads the approval files: the KEPs whose file names @jpbetz, and no other."""
        code, output = run(checkout, "query", "--prr", "@jpbetz", "--output", "yaml")
        assert code == 0
        approved = {key for key, names in tree.prr_approvals(checkout).items() if "jpbetz" in names}
        records = yaml.safe_load(output)
        assert {(r["owning_sig"], str(r["kep_number"])) for r in records} == approved
        assert all("@jpbetz" in [r[f"prr.{stage}"] for stage in STAGES] for r in records)
        assert len(approved) >= 10

    @pytest.mark.parametrize("fmt", ["table", "json", "yaml", "csv"])
    def test_every_output_format(self, checkout: Path, fmt: str) -> None:
        """Each format, parsed, holds exactly the alpha KEPs a PyYAML scan finds, field by field."""
        code, output = run(checkout, "query", "--stage", "alpha", "--output", fmt)
        assert code == 0
        expected = expected_rows(tree.scan(checkout), checkout, "alpha")
        assert len(expected) == 12
        assert by_number(parsed(fmt, output)) == expected

    @pytest.mark.parametrize("fmt", ["json", "yaml"])
    def test_json_and_yaml_hold_every_field(self, checkout: Path, fmt: str) -> None:
        """JSON and YAML records carry people, SIGs and gates as lists, PRR approvals per stage."""
        code, output = run(checkout, "query", "--number", "1000", "--output", fmt)
        assert code == 0
        [record] = json.loads(output) if fmt == "json" else yaml.safe_load(output)
        [(_, kep)] = [(p, d) for p, d in tree.scan(checkout) if d["kep-number"] == "1000"]
        assert record["authors"] == kep["authors"]
        assert record["participating_sigs"] == kep["participating-sigs"]
        assert record["feature_gates"] == [g["name"] for g in kep["feature-gates"]]  # type: ignore[union-attr]
        approvers = tree.prr_approvals(checkout)[("sig-node", "1000")]
        given = {record[f"prr.{stage}"] for stage in STAGES} - {""}
        assert {a.lstrip("@") for a in given} == approvers


class TestValidateOnGeneratedCheckout:
    def test_sound_checkout_passes_both_levels(self, checkout: Path) -> None:
        """kepval and lint exit 0 with nothing to report on the sound checkout."""
        for level in ("kepval", "lint"):
            code, output = run(checkout, "validate", "--level", level, "--output", "json")
            assert (code, json.loads(output)) == (0, [])
        code, output = run(checkout, "validate")
        assert code == 0
        assert output.splitlines()[-1].startswith("0 problem(s): 0 error(s), 0 warning(s)")
        assert output.splitlines()[-1].endswith("of 36 KEP(s)")  # the template is no KEP

    def test_lint_json_and_baseline(self, tmp_path: Path) -> None:
        """lint on a broken checkout: its records, then a baseline silences them, not a new one."""
        root = tree.broken_checkout(tmp_path, broken=True)
        code, output = run(root, "validate", "--level", "lint", "--output", "json")
        assert code == 1
        records = json.loads(output)
        assert sorted((r["file"], r["code"], r["field"], r["line"]) for r in records) == [
            ("keps/sig-api-machinery/101-dates/kep.yaml", "date-invalid", "creation-date", 9),
            ("keps/sig-apps/105-second/kep.yaml", "kep-number-duplicate", "kep-number", 2),
            ("keps/sig-apps/105-second/kep.yaml", "kep-number-mismatch", "kep-number", 2),
            ("keps/sig-architecture/0000-process/kep.yaml", "kep-number-zero", "kep-number", 2),
            (
                "keps/sig-cli/108-participating/kep.yaml",
                "participating-sig-unknown",
                "participating-sigs",
                7,
            ),
            ("keps/sig-instrumentation/107-stage/kep.yaml", "stage-invalid", "stage", 14),
            ("keps/sig-node/102-status/kep.yaml", "status-invalid", "status", 8),
            ("keps/sig-node/103-mismatch/kep.yaml", "kep-number-mismatch", "kep-number", 2),
            ("keps/sig-node/104-first/kep.yaml", "kep-number-duplicate", "kep-number", 2),
            ("keps/sig-scheduling/109-approvers/kep.yaml", "required-empty", "approvers", 12),
        ]
        assert {r["severity"] for r in records} == {"error"}
        baseline = tmp_path / "baseline.json"
        code, output = run(root, "validate", "--level", "lint", "--write-baseline", str(baseline))
        assert (code, output) == (0, f"recorded {len(records)} problem(s) in {baseline}\n")
        code, output = run(root, "validate", "--level", "lint", "--baseline", str(baseline))
        assert code == 0
        assert output.startswith("0 problem(s)")
        kep_yaml = root / "keps" / "sig-node" / "104-first" / "kep.yaml"
        kep_yaml.write_text(kep_yaml.read_text().replace("stage: beta", "stage: gamma"))
        code, output = run(root, "validate", "--level", "lint", "--baseline", str(baseline))
        assert code == 1
        assert "  14: error [stage-invalid] stage: stage 'gamma'" in output
        assert output.splitlines()[-1].startswith("1 problem(s): 1 error(s)")

    def test_a_root_given_with_dot_dot(self, tmp_path: Path) -> None:
        """x/keps/.. as --content-root names each file as x does: keps/..., no '..'."""
        root = tree.broken_checkout(tmp_path / "enhancements", broken=True)
        plain = run(root, "validate", "--level", "lint", "--output", "json")
        detour = run(root / "keps" / "..", "validate", "--level", "lint", "--output", "json")
        assert detour[0] == plain[0] == 1
        records = json.loads(detour[1])
        assert records == json.loads(plain[1])
        files = {r["file"] for r in records}
        assert len(files) == 9
        assert all(f.startswith("keps/") and ".." not in f.split("/") for f in files)
        assert all((root / f).is_file() for f in files)
        text = run(root / "keps" / "..", "validate", "--level", "lint")[1]
        assert {line for line in text.splitlines() if not line.startswith(" ")} >= files


class TestExportGeneratedCheckout:
    def test_whole_checkout_as_json_records(self, checkout: Path, tmp_path: Path) -> None:
        """export writes every KEP with query's field names, its milestones and PRR approvals."""
        target = tmp_path / "keps.json"
        code, _ = run(checkout, "export", "--format", "json", "--output", str(target))
        assert code == 0
        records = json.loads(target.read_text(encoding="utf-8"))
        assert len(records) == 36  # the template is no KEP
        exported = {k["location"]: k for k in records}
        approvals = tree.prr_approvals(checkout)
        for path, d in tree.scan(checkout):
            kep = exported[path.parent.relative_to(checkout).as_posix()]
            assert kep["kep_number"] == int(d["kep-number"])
            assert (kep["title"], kep["state"], kep["stage"]) == (
                d["title"],
                d["status"],
                d["stage"],
            )
            given = d["milestone"]
            assert isinstance(given, dict)
            assert {s: kep[f"milestone.{s}"] for s in given} == {
                s: _release(str(v)) for s, v in given.items()
            }
            names = {kep[f"prr.{s}"].lstrip("@") for s in STAGES} - {""}
            assert names == approvals.get((d["owning-sig"], d["kep-number"]), set())


class TestIndexRebuildGeneratedCheckout:
    def test_rebuild_finds_kep_yaml_keps(self, checkout: Path) -> None:
        """keps.index.rebuild indexes every KEP; a query agrees with a PyYAML scan."""
        import keps.filter as kf
        import keps.index

        idx = keps.index.rebuild(checkout / "keps", incremental=False)
        assert not idx.broken
        assert len(idx.entries) == 36  # the template is no KEP
        found = kf.select(idx.entries, kf.parse_query("stage:stable sig:sig-storage"))
        expected = sorted(
            int(d["kep-number"])
            for _, d in tree.scan(checkout)
            if d["stage"] == "stable" and d["owning-sig"] == "sig-storage"
        )
        assert [e.kep_number for e in found] == expected
        assert len(expected) >= 2


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
        """Each format, parsed, holds exactly the alpha KEPs a PyYAML scan finds, field by field."""
        root = corpus / "enhancements-2026"
        code, output = run(root, "query", "--stage", "alpha", "--output", fmt)
        assert code == 0
        expected = expected_rows(scan(corpus), root, "alpha")
        assert len(expected) > 20
        assert by_number(parsed(fmt, output)) == expected


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
    def test_whole_index_as_json_records(self, corpus: Path, tmp_path: Path) -> None:
        """export --format json writes every KEP with query's field names and PRR approvals."""
        target = tmp_path / "keps.json"
        code, _ = run(
            corpus / "enhancements-2026", "export", "--format", "json", "--output", str(target)
        )
        assert code == 0
        records = json.loads(target.read_text(encoding="utf-8"))
        assert len(records) == 655  # the template is no KEP
        [kep] = [k for k in records if k["kep_number"] == 1287]
        assert kep["milestone.stable"] == "v1.35"
        assert kep["prr.stable"]


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
    """A --content-root such as x/keps/.. names each file as x does: keps/..., no '..'."""
    root = corpus / "enhancements-2026"
    plain = run(root, "validate", "--level", "lint", "--output", "json")
    detour = run(root / "keps" / "..", "validate", "--level", "lint", "--output", "json")
    assert detour[0] == plain[0] == 1  # the corpus has lint errors
    records = json.loads(detour[1])
    assert records == json.loads(plain[1])
    files = {r["file"] for r in records}
    assert all(f.startswith("keps/") and ".." not in f.split("/") for f in files)
    assert all((root / f).is_file() for f in files)
