"""The index over a kubernetes/enhancements checkout: written, read back, kept current."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from keps import index


@pytest.fixture(name="checkout")
def _checkout(corpus: Path, tmp_path: Path) -> Path:
    """A private copy of the enhancements corpus (tests change files in it)."""
    root = tmp_path / "enhancements"
    shutil.copytree(corpus / "enhancements-2026", root)
    return root


def _bump_mtime(path: Path) -> None:
    """Make a change visible to size-and-mtime checks even within one clock tick."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))


def test_persisted_index_reads_back(checkout: Path) -> None:
    """keps.yaml written for today's KEPs (no uuids) opens to the same entries and fields."""
    built = index.rebuild(checkout, incremental=False)
    built.persist()
    reopened = index.open(checkout)
    assert len(reopened.entries) == len(built.entries) == 655  # the template is no KEP
    assert reopened.entries == built.entries
    hugepages = reopened.by_number(2053)
    assert (hugepages.stage, hugepages.latest_milestone) == ("stable", "v1.27")
    assert hugepages.feature_gates == ("DownwardAPIHugePages",)
    assert hugepages.prr_people == ("@johnbelamaric",)  # the approval file names him


def test_no_uuid_is_not_a_duplicate_uuid(checkout: Path) -> None:
    """KEPs without a uuid are not reported as sharing one; real number clashes still are."""
    built = index.rebuild(checkout, incremental=False)
    codes = {p.code for p in built.problems}
    assert "duplicate-uuid" not in codes
    clash = [p for p in built.problems if "2133" in p.message]
    assert clash and clash[0].code == "duplicate-kep-number"
    assert clash[0].path is not None and clash[0].path.endswith("kep.yaml")


def test_incremental_rebuild_sees_kep_yaml_and_prr_changes(checkout: Path) -> None:
    """Edits to kep.yaml and to a PRR approval file show up in a warm rebuild."""
    index.rebuild(checkout)  # fills the cache
    kep_yaml = checkout / "keps/sig-node/2053-downward-api-hugepages/kep.yaml"
    kep_yaml.write_text(
        kep_yaml.read_text().replace("title: Downward API HugePages", "title: Renamed")
    )
    prr = checkout / "keps/prod-readiness/sig-node/2053.yaml"
    prr.write_text('kep-number: 2053\nalpha:\n  approver: "@someone-else"\n')
    _bump_mtime(kep_yaml)
    _bump_mtime(prr)
    warm = index.rebuild(checkout)
    cold = index.rebuild(checkout, incremental=False)
    assert warm.entries == cold.entries
    entry = warm.by_number(2053)
    assert entry.title == "Renamed"
    assert entry.prr_approvals == (("alpha", "@someone-else"),)
