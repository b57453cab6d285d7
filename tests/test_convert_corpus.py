"""keps.convert over the real 2018 KEPs in ../shared/corpus/flat-keps-2018."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

import keps
from keps.convert import ORIGINAL_FRONT_MATTER, Report, convert_tree
from keps.sigs import SigRegistry
from tests.flat_tree import kept_lines

pytestmark = pytest.mark.corpus

NOW = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)

_CACHE: dict[Path, tuple[Report, SigRegistry]] = {}


@pytest.fixture(name="converted")
def _converted(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Report, SigRegistry]:
    """The 2018 tree converted with sigs-2018.yaml, once per run (read-only afterwards)."""
    if corpus not in _CACHE:
        registry = SigRegistry.from_file(corpus / "sigs-2018.yaml")
        out = tmp_path_factory.mktemp("converted")
        report = convert_tree(corpus / "flat-keps-2018", out, registry=registry, now=NOW)
        _CACHE[corpus] = (report, registry)
    return _CACHE[corpus]


def test_every_kep_converts(converted: tuple[Report, SigRegistry]) -> None:
    """Every KEP of the 2018 tree converts; only READMEs, templates and non-KEPs are skipped."""
    report, _ = converted
    assert report.failed == ()
    assert report.total == 68
    assert len(report.converted) == 58
    reasons = {s.path.name: s.reason for s in report.skipped}
    assert reasons["0000-kep-template.md"].startswith("not a KEP: a template")
    assert reasons["0004-cloud-provider-template.md"].startswith("not a KEP: a template")
    assert reasons["NEXT_KEP_NUMBER"] == "not a KEP: not a Markdown file"
    assert reasons["0023-documentation-for-images.md"] == "no front matter"
    assert sum(1 for s in report.skipped if s.reason == "not a KEP: a README") == 6
    assert len(report.skipped) == 10


def test_every_result_passes_its_checks(converted: tuple[Report, SigRegistry]) -> None:
    """Each converted KEP opens with keps.open and passes Kep.check()."""
    report, registry = converted
    for item in report.converted:
        kep = keps.open(item.output, registry=registry)
        kep.check(now=NOW)
        assert kep.uuid and kep.title


def test_no_line_is_lost(converted: tuple[Report, SigRegistry]) -> None:
    """Every non-blank line of every source (but the table of contents) is in an output file."""
    report, _ = converted
    for item in report.converted:
        written: Counter[str] = Counter()
        for path in item.output.rglob("*"):
            if path.is_file() and path.name not in ("README.md", "metadata.yaml"):
                written.update(line.rstrip() for line in path.read_text().splitlines())
        missing = kept_lines(item.source.read_text()) - written
        assert not missing, f"{item.source}: lost {list(missing)[:5]}"


def test_numbers_kept_and_clashes_reported(converted: tuple[Report, SigRegistry]) -> None:
    """KEP numbers survive (the Go helper dropped them); shared numbers are reported."""
    report, _ = converted
    by_name = {item.source.name: item for item in report.converted}
    assert by_name["0032-enhance-hpa-metrics-specificity.md"].kep_number == 32
    assert by_name["0006-apply.md"].kep_number == 6
    clashes = report.number_clashes
    assert len(clashes[31]) == 6
    assert 0 not in clashes


def test_implementable_keps_get_their_guides(converted: tuple[Report, SigRegistry]) -> None:
    """Old implementable KEPs lack operator and teacher guides; they are added and listed."""
    report, registry = converted
    implementable = [
        item
        for item in report.converted
        if keps.open(item.output, registry=registry).state == keps.State.IMPLEMENTABLE
    ]
    assert len(implementable) >= 15
    for item in implementable:
        assert {"guides/operator.md", "guides/teacher.md"} <= set(
            keps.open(item.output, registry=registry).sections
        )


def test_yaml_in_body_is_not_front_matter(converted: tuple[Report, SigRegistry]) -> None:
    """0001a's body holds a third `---`; the front matter still ends at the second."""
    report, _ = converted
    item = next(i for i in report.converted if i.source.name == "0001a-meta-kep-implementation.md")
    original = (item.output / ORIGINAL_FRONT_MATTER).read_text()
    assert original.splitlines().count("---") == 2  # the opening and closing lines only
    body = (item.output / "guides" / "developer.md").read_text()
    assert body.count("\n---\n") + body.startswith("---\n") >= 1
    assert item.title == "Meta KEP Implementation"


def test_sidecar_containers(converted: tuple[Report, SigRegistry]) -> None:
    """The Sidecar Containers KEP has no number and lands under sig-apps."""
    report, registry = converted
    item = next(i for i in report.converted if i.source.name == "sidecarcontainers.md")
    kep = keps.open(item.output, registry=registry)
    assert kep.kep_number is None
    assert item.output.relative_to(item.output.parents[2]).as_posix() == (
        "sig-apps/sig-wide/sidecarcontainers"
    )
