"""A value that does not parse is kept as written, shown, and reported (issue #13, item 6).

Five statuses of the 2026 corpus (``imlpemented``, ``removed``, ...) loaded as no state
and eight creation dates (``2023-14-05``) as no date: export and queries left them out,
and only ``kep.raw`` still had them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import keps
import keps.index
from keps.cli import cli
from keps.index.store import dump_index, parse_index

KEP_YAML = """\
title: Odd Values
kep-number: 1234
authors:
  - "@alice"
owning-sig: sig-node
status: imlpemented
creation-date: 2023-14-05
last-updated: v1.30
approvers:
  - "@arnold"
"""


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> Path:
    root = tmp_path / "enhancements"
    kep_dir = root / "keps" / "sig-node" / "1234-odd-values"
    kep_dir.mkdir(parents=True)
    (kep_dir / "kep.yaml").write_text(KEP_YAML)
    (kep_dir / "README.md").write_text("# KEP-1234: Odd Values\n\n## Summary\n\nText.\n")
    return root


def kepctl(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--content-root", str(root), *args])
    assert result.exit_code == 0, result.output
    return result.output


AS_WRITTEN = {"state": "imlpemented", "created": "2023-14-05", "last_updated": "v1.30"}


def test_query_shows_each_value_as_written(checkout: Path) -> None:
    (record,) = json.loads(kepctl(checkout, "query", "--output", "json"))
    assert {k: record[k] for k in AS_WRITTEN} == AS_WRITTEN
    csv_text = kepctl(checkout, "query", "--output", "csv")
    assert "imlpemented" in csv_text


def test_export_shows_each_value_as_written(checkout: Path) -> None:
    (record,) = json.loads(kepctl(checkout, "export", "--format", "json"))
    assert record["state"] == "imlpemented"
    assert record["created"] == "2023-14-05"
    assert record["last_updated"] == "v1.30"


def test_check_reports_each_with_its_file_and_line(checkout: Path) -> None:
    kep = keps.open(checkout / "keps/sig-node/1234-odd-values")
    reported = {(p.code, p.field, p.line) for p in kep.problems() if not p.is_blocking}
    assert reported == {
        ("status-invalid", "status", 6),
        ("date-invalid", "creation-date", 7),
        ("date-invalid", "last-updated", 8),
    }
    assert all(p.path == str(kep.metadata_path) for p in kep.problems())
    assert kep.check()  # reported, not blocking: the KEP is listed, not broken
    assert keps.index.rebuild(checkout).broken == ()


def test_an_edit_writes_them_back_unchanged(checkout: Path) -> None:
    kep_dir = checkout / "keps/sig-node/1234-odd-values"
    kep = keps.open(kep_dir)
    kep.add_reviewers("@rita")
    assert kep.persist()
    text = (kep_dir / "kep.yaml").read_text()
    for line in ("status: imlpemented", "creation-date: 2023-14-05", "last-updated: v1.30"):
        assert line in text.splitlines()
    again = keps.open(kep_dir)
    assert again.metadata.as_written("state") == "imlpemented"
    assert again.state is None  # no state of the process: the model does not pretend


def test_keps_yaml_keeps_them_too() -> None:
    """An entry's unparsed values survive keps.yaml, as every other field does."""
    entry = keps.index.Entry(
        uuid="",
        location="keps/sig-node/1234-odd-values",
        unparsed=(("state", "imlpemented"), ("created", "2023-14-05")),
    )
    data = parse_index(yaml.safe_load(dump_index(2, [entry])), path="keps.yaml")
    assert data.problems == ()
    assert data.entries == (entry,)


@pytest.mark.corpus
def test_the_corpus_values_that_do_not_parse_are_all_shown(corpus: Path, tmp_path: Path) -> None:
    """Counted independently with PyYAML: 5 statuses and 8 creation dates, each as written."""
    import shutil

    root = tmp_path / "enhancements"
    shutil.copytree(corpus / "enhancements-2026", root)
    statuses = {
        "provisional",
        "implementable",
        "implemented",
        "deferred",
        "rejected",
        "withdrawn",
        "replaced",
    }
    bad_status: dict[str, str] = {}
    bad_created: dict[str, str] = {}
    for path in sorted((root / "keps").rglob("kep.yaml")):
        if path.parent.name == "NNNN-kep-template":
            continue
        data = yaml.load(path.read_text(), Loader=yaml.BaseLoader)
        location = path.parent.relative_to(root).as_posix()
        if data.get("status") not in statuses:
            bad_status[location] = data["status"]
        created = data.get("creation-date")
        if created is not None and not _is_date(created):
            bad_created[location] = created
    assert (len(bad_status), len(bad_created)) == (5, 8)
    shown = {r["location"]: r for r in json.loads(kepctl(root, "query", "--output", "json"))}
    assert {loc: shown[loc]["state"] for loc in bad_status} == bad_status
    assert {loc: shown[loc]["created"] for loc in bad_created} == bad_created
    exported = {r["location"]: r for r in json.loads(kepctl(root, "export", "--format", "json"))}
    assert {loc: exported[loc]["state"] for loc in bad_status} == bad_status
    assert {loc: exported[loc]["created"] for loc in bad_created} == bad_created
    for location in [*bad_status, *bad_created]:
        codes = {p.code for p in keps.open(root / location).problems()}
        assert codes & {"status-invalid", "date-invalid"}, location


def _is_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
