"""The end of the lifecycle on both layouts: implement, defer, reject, withdraw, replace.

The same steps, the same refusals, whether the KEP is a 2018 folder (metadata.yaml, events)
or a kubernetes/enhancements KEP (kep.yaml beside README.md, no events). Only what each
layout writes differs: the seed records an event with the time, today's layout a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

import keps
from keps import State, TransitionError, workflow
from keps.errors import KepError, KepNotFoundError
from keps.settings import Runtime
from tests.kep_factory import T0, snapshot
from tests.test_reliability_failures import _checkout_base, checkout_runtime
from tests.test_workflow import to_implementable, to_provisional
from tests.workflow_helpers import APPROVER, AUTHOR, runtime

#: a time after T0, given to the end steps: what they record must carry it
T1 = T0 + dt.timedelta(days=3, microseconds=7)


class Layout:
    """One layout's way to bring a KEP to a state, name it, and run a step on it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def provisional(self, name: str) -> Path:
        raise NotImplementedError

    def implementable(self, name: str) -> Path:
        raise NotImplementedError

    def location(self, kep_dir: Path) -> str:
        """How links between KEPs spell *kep_dir* in this layout."""
        return kep_dir.relative_to(self.root.resolve()).as_posix()

    def run(self, name: str, principal: str = APPROVER) -> Runtime:
        raise NotImplementedError


class Seed(Layout):
    def provisional(self, name: str) -> Path:
        return to_provisional(self.root, f"sig-node/{name}")

    def implementable(self, name: str) -> Path:
        return to_implementable(self.root, f"sig-node/{name}")

    def run(self, name: str, principal: str = APPROVER) -> Runtime:
        return runtime(self.root, f"sig-node/{name}", principal)


class Checkout(Layout):
    def provisional(self, name: str) -> Path:
        return workflow.create(self.root, f"sig-node/{name}", principal=AUTHOR, now=T0)

    def implementable(self, name: str) -> Path:
        kep_dir = self.provisional(name)
        workflow.approve(self.run(name), now=T0)
        return kep_dir

    def run(self, name: str, principal: str = APPROVER) -> Runtime:
        return checkout_runtime(self.root, f"sig-node/{name}", principal)


@pytest.fixture(name="layout", params=["seed", "checkout"])
def _layout(request: pytest.FixtureRequest, tmp_path: Path) -> Layout:
    root = tmp_path / request.param
    root.mkdir()
    if request.param == "seed":
        return Seed(root)
    _checkout_base(root)
    return Checkout(root)


def _assert_recorded(layout: Layout, kep: keps.Kep, step: str) -> None:
    """The step's time is in last_updated; the seed also records it as an event."""
    if isinstance(layout, Seed):
        assert kep.last_updated == T1
        last = kep.events[-1]
        assert (last.event_type, last.principal, last.date) == (step, APPROVER, T1)
    else:
        # kep.yaml holds a date, and no events
        assert kep.last_updated is not None
        assert kep.last_updated.date() == T1.date()
        assert kep.events == ()


def test_implement(layout: Layout) -> None:
    """implementable -> implemented, at the time given."""
    kep_dir = layout.implementable("my-kep")
    workflow.implement(layout.run("my-kep"), now=T1)
    kep = keps.open(kep_dir)
    assert kep.state is State.IMPLEMENTED
    _assert_recorded(layout, kep, "implement")


EndStep = Callable[..., keps.Kep]


@pytest.mark.parametrize(
    ("step", "name", "state"),
    [
        (workflow.defer, "defer", State.DEFERRED),
        (workflow.reject, "reject", State.REJECTED),
        (workflow.withdraw, "withdraw", State.WITHDRAWN),
    ],
)
def test_a_provisional_kep_ends(layout: Layout, step: EndStep, name: str, state: State) -> None:
    """A provisional KEP may be deferred, rejected or withdrawn."""
    kep_dir = layout.provisional("my-kep")
    step(layout.run("my-kep"), now=T1)
    kep = keps.open(kep_dir)
    assert kep.state is state
    _assert_recorded(layout, kep, name)


def test_implement_is_refused_for_a_provisional_kep(layout: Layout) -> None:
    """Not approved yet: refused with the reason, nothing written."""
    layout.provisional("my-kep")
    before = snapshot(layout.root)
    with pytest.raises(TransitionError, match="it is provisional, and implement needs"):
        workflow.implement(layout.run("my-kep"), now=T1)
    assert snapshot(layout.root) == before


@pytest.mark.parametrize("step", [workflow.withdraw, workflow.implement, workflow.approve])
def test_nothing_leaves_an_end_state(layout: Layout, step: EndStep) -> None:
    """A withdrawn KEP stays withdrawn, whatever step is tried next."""
    layout.provisional("my-kep")
    workflow.withdraw(layout.run("my-kep"), now=T1)
    before = snapshot(layout.root)
    with pytest.raises(TransitionError, match="it is withdrawn"):
        step(layout.run("my-kep"))
    assert snapshot(layout.root) == before


def test_replace_links_both_keps(layout: Layout) -> None:
    """The old KEP is replaced and points at the new one, which points back; both are dated."""
    old_dir = layout.implementable("old")
    new_dir = layout.provisional("new")
    workflow.replace(layout.run("old"), by=layout.location(new_dir), now=T1)
    old, new = keps.open(old_dir), keps.open(new_dir)
    assert old.state is State.REPLACED
    assert old.superseded_by == (layout.location(new_dir),)
    assert new.replaces == (layout.location(old_dir),)
    assert new.state is State.PROVISIONAL
    # both files changed, so both carry the step's day
    assert old.last_updated is not None
    assert new.last_updated is not None
    assert old.last_updated.date() == new.last_updated.date() == T1.date()


def test_a_kep_cannot_replace_itself(layout: Layout) -> None:
    """replace X --by X is refused, with the path spelt with a trailing slash or a dot."""
    kep_dir = layout.provisional("my-kep")
    where = layout.location(kep_dir)
    parent, name = where.rsplit("/", 1)
    before = snapshot(layout.root)
    for by in (where, f"{where}/", f"{parent}/./{name}"):
        with pytest.raises(KepError, match="cannot replace itself"):
            workflow.replace(layout.run("my-kep"), by=by)
    assert snapshot(layout.root) == before
    assert keps.open(kep_dir).state is State.PROVISIONAL


def test_replace_needs_an_existing_kep(layout: Layout) -> None:
    """Replacing by a KEP that does not exist is refused and changes nothing."""
    kep_dir = layout.provisional("my-kep")
    ghost = layout.location(kep_dir).replace("my-kep", "ghost")
    before = snapshot(layout.root)
    with pytest.raises(KepNotFoundError):
        workflow.replace(layout.run("my-kep"), by=ghost)
    assert snapshot(layout.root) == before


def test_promote(layout: Layout) -> None:
    """promote sets the stage and its milestone; the seed records it as an event too."""
    kep_dir = layout.implementable("my-kep")
    workflow.promote(layout.run("my-kep"), stage="beta", release="v1.37", now=T1)
    kep = keps.open(kep_dir)
    assert (kep.stage, kep.latest_milestone, kep.milestone) == (
        "beta",
        "v1.37",
        (("beta", "v1.37"),),
    )
    _assert_recorded(layout, kep, "promote")
    if isinstance(layout, Seed):
        assert kep.events[-1].notes == "beta in v1.37"
