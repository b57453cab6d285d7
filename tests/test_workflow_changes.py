"""keps.workflow.recorded: which files a step changed, for a pull request of exactly those (issue #14, item 5)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from keps import workflow
from keps.errors import TransitionError
from keps.workflow import Changes
from tests.kep_factory import snapshot
from tests.test_reliability_failures import _checkout_base, checkout_runtime
from tests.workflow_helpers import APPROVER, AUTHOR, edit, runtime

NOW = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
TARGET = "sig-node/feature"
KEP = "keps/sig-node/1001-feature"
PRR = "keps/prod-readiness/sig-node/1001.yaml"
GUIDES = (
    "guides/developer.md",
    "guides/operator.md",
    "guides/teacher.md",
    "graduation_criteria.md",
)


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> Path:
    """A kubernetes/enhancements checkout with the template and one other KEP (1000)."""
    root = tmp_path / "enhancements"
    root.mkdir()
    _checkout_base(root)
    return root


def _created(root: Path) -> Path:
    return workflow.create(root, TARGET, principal=AUTHOR, now=NOW)


def _approved(root: Path) -> None:
    _created(root)
    workflow.approve(checkout_runtime(root, TARGET, APPROVER), now=NOW)


class TestCheckoutSteps:
    def test_create(self, checkout: Path) -> None:
        """create changes kep.yaml and README.md, paths from the checkout's root."""
        path, changes = workflow.recorded(
            workflow.create, checkout, TARGET, principal=AUTHOR, now=NOW
        )
        assert path == checkout / KEP
        assert changes == Changes(
            checkout, "create", (KEP,), (f"{KEP}/kep.yaml", f"{KEP}/README.md"), ()
        )

    def test_promote_with_a_prr_approval(self, checkout: Path) -> None:
        """promote --prr-approver changes kep.yaml and the PRR file, nothing else."""
        _approved(checkout)
        run = checkout_runtime(checkout, TARGET, AUTHOR)
        kep, changes = workflow.recorded(
            workflow.promote, run, stage="alpha", release="v1.36", prr_approver="wojtek", now=NOW
        )
        assert kep.stage == "alpha"
        assert (changes.step, changes.files) == ("promote", (f"{KEP}/kep.yaml", PRR))

    def test_prr_approve_changes_only_the_prr_file(self, checkout: Path) -> None:
        """The approval lives in keps/prod-readiness/; kep.yaml is not rewritten."""
        _approved(checkout)
        workflow.promote(
            checkout_runtime(checkout, TARGET, AUTHOR), stage="alpha", release="v1.36", now=NOW
        )
        _, changes = workflow.recorded(
            workflow.prr_approve, checkout_runtime(checkout, TARGET, "wojtek"), now=NOW
        )
        assert (changes.step, changes.files) == ("prr_approve", (PRR,))

    def test_a_status_step(self, checkout: Path) -> None:
        """implement changes kep.yaml only."""
        _approved(checkout)
        _, changes = workflow.recorded(
            workflow.implement, checkout_runtime(checkout, TARGET, AUTHOR), now=NOW
        )
        assert changes.files == (f"{KEP}/kep.yaml",)

    def test_replace_changes_both_keps_the_replaced_one_first(self, checkout: Path) -> None:
        """replace links two KEPs: both kep.yaml files, the step's own KEP first."""
        _approved(checkout)
        other = "keps/sig-storage/1000-unrelated"
        _, changes = workflow.recorded(
            workflow.replace, checkout_runtime(checkout, TARGET, AUTHOR), by=other, now=NOW
        )
        assert changes.keps == (KEP, other)
        assert changes.files == (f"{KEP}/kep.yaml", f"{other}/kep.yaml")

    def test_an_approval_given_again_changes_nothing(self, checkout: Path) -> None:
        """A write that leaves every byte as it was lists no file: there is nothing to propose."""
        _approved(checkout)
        run = checkout_runtime(checkout, TARGET, "wojtek")
        workflow.prr_approve(run, stage="beta", now=NOW)
        _, changes = workflow.recorded(workflow.prr_approve, run, stage="beta", now=NOW)
        assert changes.files == ()
        assert not changes

    def test_a_refused_step_records_nothing(self, checkout: Path) -> None:
        """A step that raises changed nothing, and recorded raises what it raised."""
        _created(checkout)
        before = snapshot(checkout)
        with pytest.raises(TransitionError):
            workflow.recorded(
                workflow.implement, checkout_runtime(checkout, TARGET, AUTHOR), now=NOW
            )
        assert snapshot(checkout) == before


class TestSeedSteps:
    def test_the_index_is_told_apart_from_the_kep(self, tmp_path: Path) -> None:
        """approve writes the KEP and keps.yaml; keps.yaml is listed apart, as no KEP file."""
        root = tmp_path / "content"
        root.mkdir()
        kep_dir = workflow.init(runtime(root, "sig-node/x"), now=NOW)
        edit(kep_dir, "summary.md", "motivation.md")
        workflow.propose(runtime(root, "sig-node/x"), now=NOW)
        workflow.accept(runtime(root, "sig-node/x", APPROVER), now=NOW)
        workflow.plan(runtime(root, "sig-node/x"), now=NOW)
        edit(kep_dir, *GUIDES)
        _, changes = workflow.recorded(
            workflow.approve, runtime(root, "sig-node/x", APPROVER), now=NOW
        )
        location = "sig-node/sig-wide/x"
        assert changes.keps == (location,)
        assert f"{location}/metadata.yaml" in changes.files
        assert all(name.startswith(f"{location}/") for name in changes.files)
        assert changes.index_files == ("keps.yaml",)

    def test_a_step_with_nothing_to_do(self, tmp_path: Path) -> None:
        """Proposing again writes nothing: empty changes, still named after the step."""
        root = tmp_path / "content"
        root.mkdir()
        kep_dir = workflow.init(runtime(root, "sig-node/x"), now=NOW)
        edit(kep_dir, "summary.md", "motivation.md")
        workflow.propose(runtime(root, "sig-node/x"), now=NOW)
        _, changes = workflow.recorded(workflow.propose, runtime(root, "sig-node/x"), now=NOW)
        assert changes == Changes(step="propose")


def test_writes_outside_recorded_are_not_recorded(checkout: Path) -> None:
    """Only the step run through recorded counts: earlier and later writes do not."""
    _created(checkout)
    run = checkout_runtime(checkout, TARGET, APPROVER)
    _, changes = workflow.recorded(workflow.approve, run, now=NOW)
    workflow.implement(run, now=NOW)
    assert changes.step == "approve"
    assert changes.files == (f"{KEP}/kep.yaml",)


def test_changes_that_follow_each_other_are_merged(checkout: Path) -> None:
    """then(): each file once, in the order first changed; the first step's name."""
    first = Changes(checkout, "create", (KEP,), (f"{KEP}/kep.yaml", f"{KEP}/README.md"))
    later = Changes(checkout, "promote", (KEP,), (f"{KEP}/kep.yaml", PRR))
    assert first.then(later) == Changes(
        checkout, "create", (KEP,), (f"{KEP}/kep.yaml", f"{KEP}/README.md", PRR)
    )
    with pytest.raises(ValueError, match="cannot follow"):
        first.then(Changes(checkout / "elsewhere", "x", (), ("a",)))
