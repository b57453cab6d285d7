"""keps.convert and helpers.convert over a 2018-style tree the tests write (no ../shared).

The corpus tests (test_convert_corpus.py) run only where ../shared is; these make the same
claims about a small tree with the same kinds of files, so a fresh clone tests them too.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

import keps
from helpers.convert import main
from keps.convert import ORIGINAL_FRONT_MATTER, Report, convert_tree
from keps.sigs import SigRegistry
from tests import flat_tree

NOW = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


@pytest.fixture(name="registry")
def _registry() -> SigRegistry:
    return SigRegistry.from_yaml_text(flat_tree.SIGS_2018, source="sigs-2018.yaml")


@pytest.fixture(name="converted")
def _converted(tmp_path: Path, registry: SigRegistry) -> tuple[Report, Path]:
    """The generated tree converted into tmp_path/out; the report and the output root."""
    source = flat_tree.write_flat_tree(tmp_path / "flat")
    out = tmp_path / "out"
    return convert_tree(source, out, registry=registry, now=NOW), out


def _by_source(report: Report) -> dict[str, keps.convert.Converted]:
    return {
        item.source.relative_to(report.source_root).as_posix(): item for item in report.converted
    }


def test_every_kep_converts(converted: tuple[Report, Path]) -> None:
    """Every KEP converts to its folder; READMEs, templates and non-KEPs are skipped, with why."""
    report, out = converted
    assert report.failed == ()
    assert report.total == len(flat_tree.FILES)
    skipped = {s.path.relative_to(report.source_root).as_posix(): s.reason for s in report.skipped}
    assert skipped == flat_tree.SKIPPED
    places = {
        source: (item.output.relative_to(out).as_posix(), item.kep_number)
        for source, item in _by_source(report).items()
    }
    assert places == {source: (place, n) for source, (place, n, _) in flat_tree.CONVERTED.items()}


def test_every_result_passes_its_checks(
    converted: tuple[Report, Path], registry: SigRegistry
) -> None:
    """Each converted KEP opens with keps.open, has the state it should, and passes check()."""
    report, _ = converted
    for source, item in _by_source(report).items():
        kep = keps.open(item.output, registry=registry)
        kep.check(now=NOW)
        assert kep.uuid
        assert (kep.title, kep.state) == (item.title, flat_tree.CONVERTED[source][2])


def test_no_line_is_lost(converted: tuple[Report, Path]) -> None:
    """Every non-blank line of every source (but the table of contents) is in an output file."""
    report, _ = converted
    for item in report.converted:
        written: Counter[str] = Counter()
        for path in item.output.rglob("*"):
            if path.is_file() and path.name not in ("README.md", "metadata.yaml"):
                written.update(line.rstrip() for line in path.read_text().splitlines())
        missing = flat_tree.kept_lines(item.source.read_text()) - written
        assert not missing, f"{item.source}: lost {list(missing)[:5]}"
        # and the table of contents is gone from the sections
        assert "* [Summary](#summary)" not in written


def test_numbers_kept_and_clashes_reported(converted: tuple[Report, Path]) -> None:
    """Numbers survive (0032 is 32, not octal 26); 0 is the template's; clashes are listed."""
    report, _ = converted
    clashes = {
        number: sorted(p.relative_to(report.source_root).as_posix() for p in paths)
        for number, paths in report.number_clashes.items()
    }
    assert clashes == {
        31: [
            "sig-apps/0031-workloads.md",
            "sig-cli/0031-kustomize.md",
            "sig-node/0031-pod-ready.md",
        ]
    }
    repairs = {
        (source, r.kind, r.message)
        for source, item in _by_source(report).items()
        for r in item.repairs
        if r.kind.startswith("kep-number")
    }
    assert repairs == {
        (
            "sig-cli/0032-plugins.md",
            "kep-number-leading-zeros",
            "kep-number '0032' read as 32 (YAML 1.1 would read it as octal)",
        ),
        (
            "sig-cloud-provider/providers/0020-cloud-provider-alibaba.md",
            "kep-number-cleared",
            "kep-number 0 is the template's placeholder; cleared",
        ),
    }


def test_implementable_keps_get_their_guides(
    converted: tuple[Report, Path], registry: SigRegistry
) -> None:
    """Implementable and implemented KEPs lack operator and teacher guides: added and listed."""
    report, _ = converted
    for source, item in _by_source(report).items():
        state = flat_tree.CONVERTED[source][2]
        needs = state in ("implementable", "implemented")
        assert item.added_sections == (
            ("guides/operator.md", "guides/teacher.md") if needs else ()
        ), source
        sections = keps.open(item.output, registry=registry).sections
        assert ({"guides/operator.md", "guides/teacher.md"} <= set(sections)) is needs


def test_yaml_in_body_is_not_front_matter(converted: tuple[Report, Path]) -> None:
    """A fenced YAML example with `---` lines stays in the body; the front matter ends before."""
    report, _ = converted
    for item in report.converted:
        original = (item.output / ORIGINAL_FRONT_MATTER).read_text()
        assert original.splitlines().count("---") == 2  # the opening and closing lines only
        assert "kind: Example" not in original
        proposal = (item.output / "guides" / "developer.md").read_text()
        assert "---\nkind: Example" in proposal


def test_repairs_and_exemptions_say_what_changed(
    converted: tuple[Report, Path], registry: SigRegistry
) -> None:
    """Front matter YAML cannot read is mended, odd values cleaned, each change reported."""
    report, out = converted
    kinds = {source: {r.kind for r in item.repairs} for source, item in _by_source(report).items()}
    assert {"handle-quoted", "link-quoted"} <= kinds["sig-apps/0031-workloads.md"]
    assert "quote-straightened" in kinds["sig-cli/0031-kustomize.md"]
    assert "person-unwrapped" in kinds["0001-kep-process.md"]
    assert {"sig-renamed", "state-mapped", "date-quoted", "last-updated-before-created"} <= kinds[
        "sig-cli/0032-plugins.md"
    ]
    assert {"sig-scope-removed", "state-mapped"} <= kinds["sig-node/0033-runtime-class.md"]
    assert "state-case" in kinds["sig-node/0031-pod-ready.md"]

    workloads = yaml.safe_load((out / "sig-apps/sig-wide/workloads/metadata.yaml").read_text())
    assert (workloads["authors"], workloads["reviewers"]) == (["@alice"], ["@bob"])
    assert workloads["see_also"] == ["[KEP-1](https://example.com/0001-kep-process.md)"]
    plugins = keps.open(out / "sig-cli/sig-wide/plugins", registry=registry)
    assert plugins.owning_sig == "sig-cli"  # "SIG CLI" matched to the registry
    kustomize = keps.open(out / "sig-cli/sig-wide/kustomize", registry=registry)
    assert kustomize.title == "Kustomize 4"
    assert kustomize.reviewers == ()  # "n/a" is a placeholder, cleared and exempted
    exempted = {e.code for e in kustomize.metadata.exemptions}
    assert exempted == {"created-not-set", "reviewers-not-set"}


def test_helper_command_prints_the_same_report(
    tmp_path: Path, registry: SigRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    """python -m helpers.convert --json prints convert_tree's report and copies the SIG list."""
    source = flat_tree.write_flat_tree(tmp_path / "flat")
    sigs = tmp_path / "sigs-2018.yaml"
    sigs.write_text(flat_tree.SIGS_2018)
    assert main([str(source), str(tmp_path / "out"), "--sigs", str(sigs), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (tmp_path / "out" / "sigs.yaml").read_text() == flat_tree.SIGS_2018
    assert printed["total"] == len(flat_tree.FILES)
    assert {c["source"]: c["output"] for c in printed["converted"]} == {
        source: place for source, (place, _, _) in flat_tree.CONVERTED.items()
    }
    assert printed["number_clashes"] == {
        "31": [
            "sig-apps/0031-workloads.md",
            "sig-cli/0031-kustomize.md",
            "sig-node/0031-pod-ready.md",
        ]
    }
    # the output tree names its SIG list, so keps.open needs no registry argument
    keps.open(tmp_path / "out" / "sig-aws" / "sig-wide" / "aws-alb").check(now=NOW)
