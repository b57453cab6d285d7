"""Promoting a KEP through its stages, and approving production readiness (issue #14)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

import keps
from keps import workflow
from keps.errors import (
    CheckFailedError,
    InvalidArgumentError,
    InvalidContentError,
    TransitionError,
)
from keps.keps.metadata import STAGES
from keps.workflow.stages import DEPRECATION, MATURITY, can_promote
from tests.kep_factory import snapshot
from tests.test_reliability_failures import _checkout_base, checkout_runtime

NOW = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
TARGET = "sig-node/feature"

#: every move the process allows, written out by hand (from, to); '' is no stage yet
ALLOWED = {
    ("", "alpha"), ("", "beta"), ("", "stable"),
    ("", "deprecated"), ("", "disabled"), ("", "removed"),
    ("alpha", "alpha"), ("alpha", "beta"), ("alpha", "stable"),
    ("beta", "beta"), ("beta", "stable"), ("stable", "stable"),
    ("alpha", "deprecated"), ("alpha", "disabled"), ("alpha", "removed"),
    ("beta", "deprecated"), ("beta", "disabled"), ("beta", "removed"),
    ("stable", "deprecated"), ("stable", "disabled"), ("stable", "removed"),
    ("deprecated", "deprecated"), ("deprecated", "disabled"), ("deprecated", "removed"),
    ("disabled", "disabled"), ("disabled", "removed"), ("removed", "removed"),
}  # fmt: skip


@pytest.mark.parametrize(("current", "target"), list(itertools.product(("", *STAGES), STAGES)))
def test_every_move_between_stages(current: str, target: str) -> None:
    assert can_promote(current, target) is ((current, target) in ALLOWED)


def test_the_stage_tables_cover_every_stage() -> None:
    assert (*MATURITY, *DEPRECATION) == STAGES


@pytest.fixture(name="root")
def _root(tmp_path: Path) -> Path:
    root = tmp_path / "enhancements"
    root.mkdir()
    _checkout_base(root)
    workflow.create(root, TARGET, principal="alice", now=NOW)
    workflow.approve(checkout_runtime(root, TARGET, "arnold"), now=NOW)
    return root


def _kep(root: Path) -> keps.Kep:
    return keps.open(checkout_runtime(root, TARGET, "alice").target_dir)


def test_promote_sets_stage_milestones_and_the_date(root: Path) -> None:
    run = checkout_runtime(root, TARGET, "alice")
    later = NOW + dt.timedelta(days=90)
    workflow.promote(run, stage="alpha", release="v1.36", prr_approver="wojtek", now=NOW)
    workflow.promote(run, stage="beta", release="v1.37", now=later)
    kep = _kep(root)
    assert (kep.stage, kep.latest_milestone) == ("beta", "v1.37")
    assert kep.milestone == (("alpha", "v1.36"), ("beta", "v1.37"))
    assert kep.last_updated == dt.datetime(2026, 6, 2, tzinfo=dt.UTC)
    assert [(a.stage, a.approver) for a in kep.prr_approvals] == [("alpha", "@wojtek")]
    text = (kep.path / "kep.yaml").read_text()
    assert "last-updated: 2026-06-02" in text.splitlines()
    prr = root / "keps" / "prod-readiness" / "sig-node" / f"{kep.kep_number}.yaml"
    assert prr.read_text() == f'kep-number: {kep.kep_number}\nalpha:\n  approver: "@wojtek"\n'


def test_a_release_that_is_none_names_the_argument(root: Path) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        workflow.promote(checkout_runtime(root, TARGET, "alice"), stage="alpha", release="1.3x")
    assert (info.value.argument, info.value.value) == ("release", "1.3x")
    assert info.value.message == "release '1.3x' is not a release such as v1.37"


@pytest.mark.parametrize(
    ("first", "then", "error", "words"),
    [
        (("stable", "v1.38"), ("alpha", "v1.39"), TransitionError, "stages go forward"),
        (("removed", "v1.38"), ("deprecated", "v1.39"), TransitionError, "deprecation path"),
        (("beta", "v1.38"), ("stable", "v1.37"), TransitionError, "reached beta later"),
        (None, ("alhpa", "v1.36"), InvalidArgumentError, "did you mean 'alpha'"),
        (None, ("alpha", "v1.3x"), InvalidArgumentError, "v1.3x"),
    ],
)
def test_a_refused_promotion_writes_nothing(
    root: Path,
    first: tuple[str, str] | None,
    then: tuple[str, str],
    error: type[Exception],
    words: str,
) -> None:
    run = checkout_runtime(root, TARGET, "alice")
    if first is not None:
        workflow.promote(run, stage=first[0], release=first[1], now=NOW)
    before = snapshot(root)
    with pytest.raises(error, match=words):
        workflow.promote(run, stage=then[0], release=then[1], now=NOW)
    assert snapshot(root) == before


def test_only_an_implementable_kep_is_promoted(tmp_path: Path) -> None:
    root = tmp_path / "enhancements"
    root.mkdir()
    _checkout_base(root)
    workflow.create(root, TARGET, principal="alice", now=NOW)  # provisional
    before = snapshot(root)
    with pytest.raises(TransitionError, match="it is provisional"):
        workflow.promote(
            checkout_runtime(root, TARGET, "alice"), stage="alpha", release="v1.36", now=NOW
        )
    assert snapshot(root) == before


def test_prr_approve_adds_the_stage_and_keeps_the_others(root: Path) -> None:
    author = checkout_runtime(root, TARGET, "alice")
    workflow.promote(author, stage="alpha", release="v1.36", prr_approver="wojtek", now=NOW)
    workflow.promote(author, stage="beta", release="v1.37", now=NOW)
    workflow.prr_approve(checkout_runtime(root, TARGET, "deads2k"), now=NOW)
    kep = _kep(root)
    assert [(a.stage, a.approver) for a in kep.prr_approvals] == [
        ("alpha", "@wojtek"),
        ("beta", "@deads2k"),
    ]
    assert kep.metadata.prr_approver_for() == "@deads2k"


def test_prr_approve_without_a_stage_says_so(root: Path) -> None:
    before = snapshot(root)
    with pytest.raises(InvalidArgumentError, match="no stage yet"):
        workflow.prr_approve(checkout_runtime(root, TARGET, "deads2k"), now=NOW)
    assert snapshot(root) == before


def test_prr_pending_lists_the_keps_whose_stage_lacks_an_approval(root: Path) -> None:
    """Implementable, at a stage, from v1.21: pending until approved for that stage."""
    author = checkout_runtime(root, TARGET, "alice")
    workflow.promote(author, stage="alpha", release="v1.36", now=NOW)
    workflow.create(root, "sig-node/asked", principal="bob", prr_approvers=["wojtek"], now=NOW)
    asked = checkout_runtime(root, "sig-node/asked", "arnold")
    workflow.approve(asked, now=NOW)
    workflow.promote(asked, stage="beta", release="v1.37", now=NOW)

    def pending(**options: str) -> list[str]:
        entries = keps.index.rebuild(root).entries
        return [e.location.split("/")[-1] for e in keps.index.prr_pending(entries, **options)]

    feature, other = _kep(root).path.name, keps.open(asked.target_dir).path.name
    assert pending() == [feature, other]
    assert pending(milestone="1.37") == [other]
    assert pending(approver="@wojtek") == [other]
    workflow.prr_approve(checkout_runtime(root, TARGET, "deads2k"), now=NOW)
    assert pending() == [other]
    with pytest.raises(InvalidArgumentError, match="v1.3x"):
        keps.index.prr_pending([], milestone="v1.3x")


def _set_milestones(root: Path, stage: str, milestones: str) -> None:
    """Write kep.yaml's stage and milestone mapping by hand, as an author might."""
    kep_yaml = _kep(root).path / "kep.yaml"
    lines, in_milestones = [], False
    for line in kep_yaml.read_text().splitlines():
        if line.startswith("milestone:"):
            in_milestones = True
            continue
        if in_milestones and line.startswith(" "):
            continue
        in_milestones = False
        if not line.startswith("stage:"):
            lines.append(line)
    lines += [f"stage: {stage}", "milestone:", *(f"  {m}" for m in milestones.split(";"))]
    kep_yaml.write_text("\n".join(lines) + "\n")


def test_the_refusals_say_which_step_which_kep_and_the_paths(root: Path) -> None:
    """The messages a person reads: the step, the KEP's folder, the stage paths in order."""
    run = checkout_runtime(root, TARGET, "alice")
    workflow.promote(run, stage="stable", release="v1.38", now=NOW)
    kep = _kep(root)
    with pytest.raises(TransitionError) as backwards:
        workflow.promote(run, stage="alpha", release="v1.39", now=NOW)
    assert backwards.value.message == (
        f"cannot promote {kep.path.name} from stable to alpha: stages go forward"
        " (alpha -> beta -> stable), and deprecated -> disabled -> removed is the deprecation path"
    )
    assert backwards.value.path == str(kep.path)
    with pytest.raises(TransitionError) as earlier:
        workflow.promote(run, stage="removed", release="v1.37", now=NOW)
    assert earlier.value.message == (
        f"cannot promote {kep.path.name} to removed in v1.37: it reached stable later, in v1.38"
    )
    assert earlier.value.path == str(kep.path)


def test_a_provisional_kep_is_refused_by_name_of_the_step(tmp_path: Path) -> None:
    root = tmp_path / "enhancements"
    root.mkdir()
    _checkout_base(root)
    workflow.create(root, TARGET, principal="alice", now=NOW)
    with pytest.raises(TransitionError) as refused:
        workflow.promote(
            checkout_runtime(root, TARGET, "alice"), stage="alpha", release="v1.36", now=NOW
        )
    assert refused.value.message.startswith("cannot promote ")
    assert refused.value.path is not None


def test_two_stages_may_ship_in_one_release(root: Path) -> None:
    run = checkout_runtime(root, TARGET, "alice")
    workflow.promote(run, stage="alpha", release="v1.36", now=NOW)
    workflow.promote(run, stage="beta", release="v1.36", now=NOW)
    assert _kep(root).milestone == (("alpha", "v1.36"), ("beta", "v1.36"))


@pytest.mark.parametrize(
    ("stage", "milestones", "promote_to"),
    [
        # a planned milestone of the target stage comes first: the others are still checked
        ("alpha", "beta: v1.30;alpha: v1.36", ("beta", "v1.35")),
        # an earlier stage's milestone that is no release is passed over, not the rest
        ("beta", "alpha: TBD;beta: v1.37", ("stable", "v1.36")),
    ],
)
def test_every_earlier_milestone_is_compared(
    root: Path, stage: str, milestones: str, promote_to: tuple[str, str]
) -> None:
    _set_milestones(root, stage, milestones)
    run = checkout_runtime(root, TARGET, "alice")
    before = snapshot(root)
    with pytest.raises(TransitionError, match="later, in v1.3"):
        workflow.promote(run, stage=promote_to[0], release=promote_to[1], now=NOW)
    assert snapshot(root) == before


def test_a_milestone_that_does_not_parse_is_not_rewritten(root: Path) -> None:
    """gamma is no stage: the mapping stays as written, and promote refuses to replace it
    (it would drop alpha's release) with a message naming the field."""
    _set_milestones(root, "alpha", "alpha: v1.35;gamma: v1.30")
    run = checkout_runtime(root, TARGET, "alice")
    before = snapshot(root)
    with pytest.raises(InvalidContentError, match="milestone does not parse"):
        workflow.promote(run, stage="beta", release="v1.36", now=NOW)
    assert snapshot(root) == before


def test_approvals_are_kept_in_stage_order_and_handles_get_one_at(root: Path) -> None:
    """A handle given with its '@' keeps just that one; approvals are listed alpha, beta,
    ... in the PRR file whatever the order they were given in."""
    author = checkout_runtime(root, TARGET, "alice")
    workflow.promote(author, stage="alpha", release="v1.36", now=NOW)
    workflow.promote(author, stage="beta", release="v1.37", now=NOW)
    workflow.prr_approve(checkout_runtime(root, TARGET, "@deads2k"), now=NOW)
    workflow.prr_approve(checkout_runtime(root, TARGET, "wojtek"), stage="alpha", now=NOW)
    kep = _kep(root)
    assert [(a.stage, a.approver) for a in kep.prr_approvals] == [
        ("alpha", "@wojtek"),
        ("beta", "@deads2k"),
    ]
    prr = root / "keps" / "prod-readiness" / "sig-node" / f"{kep.kep_number}.yaml"
    assert prr.read_text() == (
        f'kep-number: {kep.kep_number}\nalpha:\n  approver: "@wojtek"\n'
        'beta:\n  approver: "@deads2k"\n'
    )


def test_a_fault_outside_the_milestones_is_the_checks_to_report(root: Path) -> None:
    """An unknown key or a wrong type elsewhere in kep.yaml is no "milestone does not
    parse": promote leaves it to the checks, which refuse the save naming each fault."""
    kep_yaml = _kep(root).path / "kep.yaml"
    kep_yaml.write_text(kep_yaml.read_text() + "colour: red\ndisable-supported: maybe\n")
    before = snapshot(root)
    with pytest.raises(CheckFailedError) as info:
        workflow.promote(checkout_runtime(root, TARGET, "alice"), stage="alpha", release="v1.36")
    assert [p.code for p in info.value.problems] == ["key-unknown", "field-type"]
    assert "milestone does not parse" not in str(info.value)
    assert snapshot(root) == before
