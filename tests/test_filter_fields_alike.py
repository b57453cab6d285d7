"""Every field reads the same on a Kep and on an index entry (issue #13, item 8).

``kep.stage`` used to be the method that staged writes, so ``stage:beta`` matched no Kep
object while it matched 97 index entries; ``gate:`` and ``prr:`` did the same, and
sorting Kep objects by stage raised a TypeError. One query now gives one answer on
both, for every field of :data:`keps.filter.FIELDS`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import keps
import keps.index
from keps.filter import FIELDS, parse_query, select
from keps.keps.metadata import STAGES, FeatureGate, PrrApproval
from tests.kep_factory import make_kep

#: one query term per field, chosen so that some KEPs of the tree match and some do not
TERMS = {
    "sig": "sig:sig-node",
    "participating": "participating:sig-apps",
    "subproject": "subproject:kubelet",
    "state": "state:implementable",
    "author": "author:@alice",
    "approver": "approver:arnold",
    "reviewer": "reviewer:rita",
    "editor": "editor:ed",
    "theme": "theme:reliability",
    "number": "number>=40",
    "created": "created>=2019-01-01",
    "updated": "updated<2030-01-01",
    "title": "title:beta",
    # entries and Kep objects hold no text (keps.load(...).query reads it from disk, see
    # tests/test_search.py): a text term matches none of them, so its negation all
    "text": "-text:nowhere",
    "stage": "stage:beta",
    "milestone": "milestone>=v1.29",
    "gate": "gate:PodThings",
    "prr": "prr:@deads2k",
    # one field per stage; the beta KEP of the checkout names every stage
    **{f"milestone.{stage}": f"milestone.{stage}:>=v1.27" for stage in STAGES},
    **{f"prr.{stage}": f"prr.{stage}:@deads2k" for stage in STAGES},
}


def _checkout_kep(root: Path, name: str, number: int, stage: str, milestone: str) -> None:
    kep_dir = root / "keps" / "sig-node" / f"{number}-{name}"
    kep_dir.mkdir(parents=True)
    (kep_dir / "kep.yaml").write_text(
        f"title: {name.title()} {stage}\nkep-number: {number}\nauthors: ['@alice']\n"
        f"owning-sig: sig-node\nparticipating-sigs: [sig-apps]\nstatus: implementable\n"
        f"approvers: ['@arnold']\nreviewers: ['@rita']\nstage: {stage}\n"
        f"latest-milestone: '{milestone}'\ncreation-date: 2023-05-01\n"
        f"feature-gates:\n  - name: PodThings\n    components: [kubelet]\n"
        + "milestone:\n"
        + "".join(f"  {s}: v1.{27 + n}\n" for n, s in enumerate(STAGES[: 1 + STAGES.index(stage)]))
    )
    prr = root / "keps" / "prod-readiness" / "sig-node"
    prr.mkdir(parents=True, exist_ok=True)
    (prr / f"{number}.yaml").write_text(
        f"kep-number: {number}\n"
        + "".join(f"{s}:\n  approver: '@deads2k'\n" for s in STAGES[: 1 + STAGES.index(stage)])
    )


@pytest.fixture(name="trees")
def _trees(tmp_path: Path) -> list[Path]:
    seed = tmp_path / "seed"
    make_kep(seed, "sig-node/kubelet/first", state=keps.State.IMPLEMENTABLE)
    make_kep(seed, "sig-apps/second", authors=("bob",))
    third = keps.open(make_kep(seed, "sig-node/third").path)
    third.update(
        editors=("ed",),
        development_themes=("reliability",),
        participating_sigs=("sig-apps",),
        stage="beta",
        latest_milestone="v1.30",
        feature_gates=(FeatureGate("PodThings", ("kubelet",)),),
        prr_approvals=(PrrApproval("beta", "@deads2k"),),
    )
    third.persist()
    checkout = tmp_path / "checkout"
    _checkout_kep(checkout, "alpha-thing", 1000, "alpha", "v1.28")
    _checkout_kep(checkout, "beta-thing", 2000, "beta", "v1.30")
    _checkout_kep(checkout, "gone-thing", 3000, "removed", "v1.33")
    return [seed, checkout]


def _both(root: Path) -> tuple[list[object], list[object]]:
    """The KEPs of *root* as index entries and as Kep objects."""
    entries = list(keps.index.rebuild(root).entries)
    opened = [keps.open(root / e.location) for e in entries]
    return entries, opened


def _locations(items: list[object], root: Path) -> list[str]:
    out = []
    for item in items:
        location = getattr(item, "location", None)
        if location is None:
            location = item.path.relative_to(root).as_posix()  # type: ignore[attr-defined]
        out.append(location)
    return out


def test_every_field_has_a_term() -> None:
    assert set(TERMS) == set(FIELDS)


@pytest.mark.parametrize("field", list(FIELDS))
def test_a_query_gives_one_answer_on_keps_and_entries(field: str, trees: list[Path]) -> None:
    matched_somewhere = False
    for root in trees:
        entries, opened = _both(root)
        query = parse_query(TERMS[field])
        from_entries = _locations(select(entries, query), root)
        from_keps = _locations(select(opened, query), root)
        assert from_keps == from_entries, (root.name, field)
        matched_somewhere |= bool(from_entries)
    assert matched_somewhere, f"{TERMS[field]} matches nothing: the test would prove nothing"


@pytest.mark.parametrize("field", list(FIELDS))
def test_sorting_by_a_field_gives_one_order(field: str, trees: list[Path]) -> None:
    for root in trees:
        entries, opened = _both(root)
        for reverse in (False, True):
            by_entries = _locations(select(entries, sort_by=field, reverse=reverse), root)
            by_keps = _locations(select(opened, sort_by=field, reverse=reverse), root)
            assert by_keps == by_entries, (root.name, field, reverse)


def test_a_query_string_is_taken_as_kepctl_query_takes_it(trees: list[Path]) -> None:
    """select(entries, "sig:sig-node") used to fail with "'str' object is not callable"."""
    entries, _ = _both(trees[0])
    chosen = select(entries, "sig:sig-node stage:beta")
    assert [e.location for e in chosen] == ["sig-node/sig-wide/third"]  # type: ignore[attr-defined]


def test_stage_is_the_stage(trees: list[Path]) -> None:
    kep = keps.open(trees[1] / "keps/sig-node/2000-beta-thing")
    assert kep.stage == "beta"
