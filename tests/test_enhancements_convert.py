"""Moving KEPs between the seed layout and today's: nothing lost either way."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

import keps
from keps.convert.layout import UNMAPPED_KEY, convert_layout
from keps.keps.layouts import ENHANCEMENTS, SEED
from tests.test_enhancements_layout import make_repo


def same_metadata(a: keps.Kep, b: keps.Kep) -> bool:
    """Equal metadata, the seed's list of section files aside, and the values that do not
    parse (the seed carries those under UNMAPPED_KEY, which the tests check)."""
    return attrs.evolve(a.metadata, sections=(), unparsed=()) == attrs.evolve(
        b.metadata, sections=(), unparsed=()
    )


class TestConvertLayout:
    def test_there_and_back(self, tmp_path: Path) -> None:
        """kep.yaml -> seed -> kep.yaml keeps the metadata, the text and the bad values."""
        prr = 'kep-number: 1234\nalpha:\n  approver: "@wojtek-t"\n'
        kep = keps.open(make_repo(tmp_path / "repo", prr=prr))
        seed = convert_layout(kep, "seed", tmp_path / "content" / "sig-node" / "sig-wide" / "pod")
        assert seed.layout is SEED
        assert same_metadata(seed, kep)
        assert seed.raw[UNMAPPED_KEY] == {"creation-date": "2023-14-05"}
        assert seed.section_text("text/01-summary.md") == "## Summary\n\nThings for pods.\n\n"
        back_dir = tmp_path / "other" / "keps" / "sig-node" / "1234-pod-things"
        back = convert_layout(seed, ENHANCEMENTS, back_dir)
        assert same_metadata(back, kep)
        assert back.readme_text() == kep.readme_text()
        assert [p.code for p in back.load_problems] == ["date-invalid"]
        prr_file = tmp_path / "other" / "keps" / "prod-readiness" / "sig-node" / "1234.yaml"
        assert prr_file.read_text() == prr

    def test_seed_kep_to_todays_layout(self, tmp_path: Path) -> None:
        """A 2018 KEP's section files become ## sections of one README."""
        kep = keps.new("sig-node/my-kep", content_root=tmp_path / "c", authors=["alice"])
        kep.set_section("Summary", "Short.\n")
        kep.persist(check=False)
        kep = keps.open(kep.path)
        out = convert_layout(kep, "enhancements", tmp_path / "keps" / "sig-node" / "1-my-kep")
        assert out.layout is ENHANCEMENTS
        assert out.section_text("Summary").strip() == "Short."
        assert out.title == kep.title
        assert out.state is keps.State.DRAFT or out.state is None

    def test_refuses_same_layout_and_existing_target(self, tmp_path: Path) -> None:
        """Converting to the layout a KEP has, or onto a KEP, changes nothing."""
        kep = keps.open(make_repo(tmp_path))
        with pytest.raises(ValueError, match="already"):
            convert_layout(kep, "enhancements", tmp_path / "x")
        with pytest.raises(keps.KepExistsError):
            convert_layout(kep, "seed", kep.path)

    def test_every_corpus_kep_survives_the_round_trip(self, corpus: Path, tmp_path: Path) -> None:
        """All 656 corpus KEPs go to the seed layout and back with equal metadata and text."""
        files = sorted((corpus / "enhancements-2026" / "keps").rglob("kep.yaml"))
        for index, path in enumerate(files):
            kep = keps.open(path)
            seed = convert_layout(kep, "seed", tmp_path / "seed" / f"k{index}")
            assert same_metadata(seed, kep), path
            back_dir = tmp_path / "repo" / "keps" / kep.path.parent.name / kep.path.name
            back = convert_layout(seed, "enhancements", back_dir)
            assert same_metadata(back, kep), path
            assert back.readme_text() == kep.readme_text(), path
            assert [(p.code, p.field) for p in back.load_problems] == [
                (p.code, p.field) for p in kep.load_problems
            ], path
