"""kepctl export: JSON, CSV and Parquet hold every KEP with query's field names (issue #15).

Each format is read back with a plain reader (json, csv, pyarrow) and compared with a
PyYAML scan of the kep.yaml files and the approval files, made here apart from keps.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from keps.cli import cli
from tests import enhancements_tree as tree
from tests.kep_factory import make_kep

COUNT = 36


def kepctl(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--content-root", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def release(text: str) -> str:
    return text if text.startswith("v") or not text else f"v{text}"


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> Path:
    return tree.write_checkout(tmp_path / "enhancements", count=COUNT)


def expected(checkout: Path) -> dict[str, dict[str, object]]:
    """location -> what a reader should find, from PyYAML alone."""
    approvals = tree.prr_approvals(checkout)
    out: dict[str, dict[str, object]] = {}
    for path, data in tree.scan(checkout):
        milestones = data.get("milestone") or {}
        assert isinstance(milestones, dict)
        out[path.parent.relative_to(checkout).as_posix()] = {
            "kep_number": int(str(data["kep-number"])),
            "title": data["title"],
            "state": data["status"],
            "stage": data["stage"],
            "owning_sig": data["owning-sig"],
            "authors": list(data["authors"]),  # type: ignore[call-overload]
            "milestones": {stage: release(str(v)) for stage, v in milestones.items()},
            "prr": approvals.get((str(data["owning-sig"]), str(data["kep-number"])), set()),
            "created": dt.datetime.fromisoformat(str(data["creation-date"])).replace(tzinfo=dt.UTC),
        }
    return out


def test_json_records_are_query_records(checkout: Path) -> None:
    """export --format json and query --output json give the same records."""
    code, exported, _ = kepctl(checkout, "export", "--format", "json")
    assert code == 0
    _, queried, _ = kepctl(checkout, "query", "--output", "json")
    assert json.loads(exported) == json.loads(queried)
    records = {r["location"]: r for r in json.loads(exported)}
    want = expected(checkout)
    assert set(records) == set(want) and len(records) == COUNT
    for location, kep in want.items():
        record = records[location]
        assert record["kep_number"] == kep["kep_number"]
        assert (record["title"], record["state"], record["stage"]) == (
            kep["title"],
            kep["state"],
            kep["stage"],
        )
        assert record["authors"] == kep["authors"]
        milestones = kep["milestones"]
        assert isinstance(milestones, dict)
        assert {s: record[f"milestone.{s}"] for s in milestones} == milestones


def test_csv_has_one_row_per_kep_and_every_field(checkout: Path) -> None:
    code, text, _ = kepctl(checkout, "export", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    want = expected(checkout)
    assert {r["location"] for r in rows} == set(want)
    for row in rows:
        kep = want[row["location"]]
        assert int(row["kep_number"]) == kep["kep_number"]
        assert row["authors"].split(",") == kep["authors"]
        assert row["milestone.beta"] == kep["milestones"].get("beta", "")  # type: ignore[attr-defined]
        assert {row[f"prr.{s}"].lstrip("@") for s in ("alpha", "beta", "stable")} - {""} == kep[
            "prr"
        ]


def test_parquet_is_typed_and_complete(checkout: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="Parquet needs the keps[analysis] extra")
    target = tmp_path / "out" / "keps.parquet"
    code, _, err = kepctl(checkout, "export", "--format", "parquet", "--output", str(target))
    assert code == 0, err
    assert f"exported to {target}" in err
    table = pq.read_table(target)
    assert str(table.schema.field("kep_number").type) == "int64"
    assert str(table.schema.field("created").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("authors").type) == "list<element: string>"
    rows = {r["location"]: r for r in table.to_pylist()}
    want = expected(checkout)
    assert set(rows) == set(want)
    for location, kep in want.items():
        row = rows[location]
        assert row["kep_number"] == kep["kep_number"]
        assert row["created"] == kep["created"]
        assert row["authors"] == kep["authors"]
        assert row["state"] == kep["state"]


def test_parquet_needs_a_file(checkout: Path) -> None:
    code, out, err = kepctl(checkout, "export", "--format", "parquet")
    assert code == 1
    assert out == ""
    assert "--output FILE" in err


def test_export_of_a_2018_content_root(tmp_path: Path) -> None:
    """The seed layout exports with the same names; its KEPs have no stage."""
    make_kep(tmp_path, "sig-node/kubelet/first")
    make_kep(tmp_path, "sig-apps/second", authors=("bob",))
    code, text, _ = kepctl(tmp_path, "export", "--format", "json")
    assert code == 0
    records = json.loads(text)
    assert [(r["location"], r["authors"], r["stage"]) for r in records] == [
        ("sig-apps/sig-wide/second", ["bob"], ""),
        ("sig-node/kubelet/first", ["alice"], ""),
    ]


def test_parquet_without_pyarrow_names_the_extra(checkout: Path, tmp_path: Path) -> None:
    """Without pyarrow: exit 1, one line naming keps[analysis], no file, JSON still works."""
    target = tmp_path / "keps.parquet"
    script = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from keps.cli import main\n"
        f"sys.argv = ['kepctl', '--content-root', {str(checkout)!r}, 'export', "
        f"'--format', sys.argv[1], '--output', {str(target)!r}]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "parquet"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "keps[analysis]" in done.stderr
    assert "Traceback" not in done.stderr
    assert not target.exists()
    done = subprocess.run(
        [sys.executable, "-c", script, "json"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(target.read_text(encoding="utf-8"))) == COUNT
