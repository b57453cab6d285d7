"""Failure injection: a step that fails at any of its writes leaves the tree byte for byte as it was.

For each lifecycle step the writes it performs are counted first; then, on a fresh copy
of a prepared tree, the k-th write fails (for every k), in three ways: the write raises
before touching the file, the write raises after its rename (a failure between two
writes), or ``os.replace`` itself fails. Every time the whole tree - files and folders,
``keps.yaml`` included - must equal the snapshot taken before, with no ``.keps-tmp-*``
file and no journal left, and the same step must then succeed.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import keps
import keps._files as files
from keps import State, workflow
from keps._locks import locks_dir
from keps.errors import CheckFailedError, StorageError
from keps.index import find_target
from keps.keps.check import CheckContext
from keps.keps.layouts import seed as seed_module
from keps.problems import Problem
from keps.settings import Runtime
from tests.kep_factory import T0, make_kep, snapshot
from tests.workflow_helpers import APPROVER, AUTHOR, edit, runtime

T1 = T0 + dt.timedelta(days=1)

GUIDES = (
    "guides/developer.md",
    "guides/operator.md",
    "guides/teacher.md",
    "graduation_criteria.md",
)

TARGET = "sig-node/my-kep"
OTHER = "sig-apps/other-kep"


# -- prepared trees: each holds the KEP a step works on, another KEP, and keps.yaml --------


def _base(root: Path) -> None:
    """A content root with an unrelated implementable KEP, so keps.yaml has an entry."""
    make_kep(root, "sig-storage/unrelated", state=State.IMPLEMENTABLE)


def _draft(root: Path) -> None:
    kep_dir = workflow.init(runtime(root, TARGET), now=T0)
    edit(kep_dir, "summary.md", "motivation.md")


def _proposed(root: Path) -> None:
    _draft(root)
    workflow.propose(runtime(root, TARGET), now=T0)


def _provisional(root: Path) -> None:
    _proposed(root)
    workflow.accept(runtime(root, TARGET, APPROVER), now=T0)


def _planned(root: Path) -> None:
    _provisional(root)
    kep_dir = runtime(root, TARGET).target_dir
    workflow.plan(runtime(root, TARGET), now=T0)
    edit(kep_dir, *GUIDES)


def _implementable(root: Path) -> None:
    _planned(root)
    workflow.approve(runtime(root, TARGET, APPROVER), now=T0)


def _two_keps(root: Path) -> None:
    _implementable(root)
    make_kep(root, OTHER, state=State.PROVISIONAL)


def prepare(root: Path, setup: Callable[[Path], None]) -> None:
    """Build the tree *setup* describes under *root*, with keps.yaml written."""
    root.mkdir(parents=True)
    _base(root)
    setup(root)
    keps.index.rebuild(root).persist()


def _run(name: str) -> Callable[[Path], object]:
    """The step called *name*, run by the principal who would run it, at time T1."""
    who = {"accept": APPROVER, "approve": APPROVER, "implement": APPROVER}.get(name, AUTHOR)
    step = getattr(workflow, name)

    def run(root: Path) -> object:
        if name == "replace":
            return step(runtime(root, TARGET, who), by=OTHER.replace("/", "/sig-wide/"), now=T1)
        if name == "init":
            return step(runtime(root, "sig-network/brand-new", who), now=T1)
        return step(runtime(root, TARGET, who), now=T1)

    return run


#: step -> the tree it starts from (every step of the lifecycle and every end state)
STEPS: dict[str, Callable[[Path], None]] = {
    "init": lambda root: None,
    "propose": _draft,
    "accept": _proposed,
    "plan": _provisional,
    "approve": _planned,
    "implement": _implementable,
    "defer": _implementable,
    "reject": _proposed,
    "withdraw": _provisional,
    "replace": _two_keps,
}


# -- the same steps on a kubernetes/enhancements checkout (kep.yaml KEPs, no keps.yaml) ------

TEMPLATE_README = "# KEP-NNNN: Your short, descriptive title\n\n## Summary\n\n## Motivation\n"


def _checkout_base(root: Path) -> None:
    """A checkout with the KEP template and an unrelated implementable KEP."""
    template = root / "keps" / "NNNN-kep-template"
    template.mkdir(parents=True)
    (template / "kep.yaml").write_text("title: KEP Template\nkep-number: NNNN\n")
    (template / "README.md").write_text(TEMPLATE_README)
    unrelated = root / "keps" / "sig-storage" / "1000-unrelated"
    unrelated.mkdir(parents=True)
    (unrelated / "kep.yaml").write_text(
        "title: Unrelated\nkep-number: 1000\nauthors: ['@carol']\nowning-sig: sig-storage\n"
        "status: implementable\napprovers: ['@arnold']\n"
    )
    (unrelated / "README.md").write_text("# KEP-1000: Unrelated\n\n## Summary\n\nText.\n")


def _created(root: Path) -> None:
    workflow.create(root, TARGET, principal=AUTHOR, now=T0)


def _created_and_approved(root: Path) -> None:
    _created(root)
    workflow.approve(checkout_runtime(root, TARGET, APPROVER), now=T0)


def _two_created(root: Path) -> None:
    _created_and_approved(root)
    workflow.create(root, OTHER, principal=AUTHOR, now=T0)


def checkout_runtime(root: Path, target: str, principal: str) -> Runtime:
    """A Runtime for the existing KEP *target* names in the checkout *root*."""
    return Runtime(principal=principal, target_dir=find_target(target, root), content_root=root)


def _at_alpha(root: Path) -> None:
    _created_and_approved(root)
    workflow.promote(checkout_runtime(root, TARGET, AUTHOR), stage="alpha", release="v1.36", now=T0)


#: step -> the checkout it starts from: every step that applies to today's layout
CHECKOUT_STEPS: dict[str, Callable[[Path], None]] = {
    "create": lambda root: None,
    "approve": _created,
    "promote": _created_and_approved,
    "prr_approve": _at_alpha,
    "implement": _created_and_approved,
    "defer": _created_and_approved,
    "reject": _created,
    "withdraw": _created,
    "replace": _two_created,
}


def _run_in_checkout(name: str) -> Callable[[Path], object]:
    """:func:`_run` for a checkout: the KEP found by its typed name, create for init."""
    who = {"approve": APPROVER, "implement": APPROVER, "prr_approve": "wojtek"}.get(name, AUTHOR)
    step = getattr(workflow, name)

    def run(root: Path) -> object:
        if name == "create":
            return step(root, "sig-network/brand-new", principal=AUTHOR, now=T1)
        if name == "replace":
            by = find_target(OTHER, root)
            return step(checkout_runtime(root, TARGET, who), by=by, now=T1)
        if name == "promote":  # with the PRR approval: the PRR file is written too
            run = checkout_runtime(root, TARGET, who)
            return step(run, stage="alpha", release="v1.36", prr_approver="wojtek", now=T1)
        return step(checkout_runtime(root, TARGET, who), now=T1)

    return run


#: (layout, step) for every step of each layout, the ids the tests are parametrised with
LAYOUT_STEPS = [("seed", name) for name in STEPS] + [
    ("enhancements", name) for name in CHECKOUT_STEPS
]


def prepare_in(layout: str, root: Path, step: str) -> None:
    """The tree *step* starts from, in *layout*."""
    if layout == "seed":
        prepare(root, STEPS[step])
        return
    root.mkdir(parents=True)
    _checkout_base(root)
    CHECKOUT_STEPS[step](root)


def run_in(layout: str, step: str) -> Callable[[Path], object]:
    """The step called *step*, as it runs in *layout*."""
    return _run(step) if layout == "seed" else _run_in_checkout(step)


def tree_state(root: Path) -> tuple[dict[str, bytes], frozenset[str]]:
    """Every content file with its bytes, and every folder (lock bookkeeping left out)."""
    folders = frozenset(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir())
    return snapshot(root), folders


def leftovers(root: Path) -> list[str]:
    """Temporary files and journals of *root*, in the tree or beside its locks (none allowed)."""
    found = [p.relative_to(root).as_posix() for p in root.rglob(f"{files.TEMP_PREFIX}*")]
    found += [f"locks/{p.name}" for p in locks_dir(root).glob(f"{files.TEMP_PREFIX}*")]
    found += [f"locks/{p.name}" for p in locks_dir(root).glob("*.journal")]
    return sorted(found)


@pytest.fixture(name="prepared", scope="module")
def _prepared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One prepared tree per step, built once and copied for every injected failure."""
    base = tmp_path_factory.mktemp("prepared")
    out = {}
    for name, setup in STEPS.items():
        prepare(base / name, setup)
        out[name] = base / name
    return out


@pytest.fixture(name="prepared_in", scope="module")
def _prepared_in(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """One prepared tree per (layout, step), built once and copied for every failure."""
    base = tmp_path_factory.mktemp("prepared-in")
    out = {}
    for layout, name in LAYOUT_STEPS:
        prepare_in(layout, base / layout / name, name)
        out[layout, name] = base / layout / name
    return out


@pytest.fixture(name="fresh_copy")
def _fresh_copy(tmp_path: Path) -> Iterator[Callable[[Path], Path]]:
    counter = iter(range(10_000))

    def copy(source: Path) -> Path:
        target = tmp_path / f"copy-{next(counter)}"
        shutil.copytree(source, target, symlinks=True)
        return target

    yield copy


def count_writes(monkeypatch: pytest.MonkeyPatch, root: Path, run: Callable[[Path], object]) -> int:
    """How many files the step writes when nothing fails."""
    real = files.atomic_write_bytes
    calls: list[Path] = []

    def counting(path: Path, data: bytes, **limit: int) -> None:
        calls.append(path)
        real(path, data, **limit)

    with monkeypatch.context() as patch:
        patch.setattr(files, "atomic_write_bytes", counting)
        run(root)
    return len(calls)


class Injected(StorageError):
    """The failure a test injects (a StorageError, as a full disk would give)."""


def _fail_before_write(k: int, fired: list[int]) -> tuple[str, Callable[..., None]]:
    real = files.atomic_write_bytes
    calls = [0]

    def flaky(path: Path, data: bytes, **limit: int) -> None:
        calls[0] += 1
        if calls[0] == k:
            fired.append(k)
            raise Injected("injected: disk full", path=path)
        real(path, data, **limit)

    return "atomic_write_bytes", flaky


def _fail_after_rename(k: int, fired: list[int]) -> tuple[str, Callable[..., None]]:
    real = files.atomic_write_bytes
    calls = [0]

    def flaky(path: Path, data: bytes, **limit: int) -> None:
        calls[0] += 1
        real(path, data, **limit)
        if calls[0] == k:
            fired.append(k)
            raise Injected("injected: failure between two writes", path=path)

    return "atomic_write_bytes", flaky


def _fail_replace(k: int, fired: list[int]) -> tuple[str, Callable[..., None]]:
    real = os.replace
    calls = [0]

    def flaky(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls[0] += 1
        if calls[0] == k:
            fired.append(k)
            raise OSError(errno.ENOSPC, "No space left on device (injected)")
        real(src, dst)

    return "replace", flaky


MODES = {
    "raise-before-write": _fail_before_write,
    "raise-after-rename": _fail_after_rename,
    "os-replace-fails": _fail_replace,
}

#: (step, mode) -> failure points injected; read by the summary test at the end
INJECTED: dict[tuple[str, str], int] = {}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize(
    ("layout", "step"), LAYOUT_STEPS, ids=[f"{lay}-{s}" for lay, s in LAYOUT_STEPS]
)
def test_a_failure_at_any_write_leaves_the_tree_as_it_was(
    layout: str,
    step: str,
    mode: str,
    prepared_in: dict[tuple[str, str], Path],
    fresh_copy: Callable[[Path], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fail the k-th write for every k: the step raises, and every file, folder and keps.yaml is unchanged."""
    run = run_in(layout, step)
    source = prepared_in[layout, step]
    writes = count_writes(monkeypatch, fresh_copy(source), run)
    # the journal, then the KEP's files: the seed's metadata, README and keps.yaml; at
    # least kep.yaml in a checkout (no keps.yaml there, README.md only when created)
    minimum = 4 if layout == "seed" else 2
    assert writes >= minimum, f"{step} should write its journal and at least {minimum - 1} files"
    for k in range(1, writes + 1):
        root = fresh_copy(source)
        before = tree_state(root)
        fired: list[int] = []
        target, flaky = MODES[mode](k, fired)
        with monkeypatch.context() as patch:
            patch.setattr(files if target == "atomic_write_bytes" else os, target, flaky)
            with pytest.raises(StorageError) as raised:
                run(root)
        assert fired == [k], f"the failure at write {k} of {writes} did not fire"
        assert "injected" in str(raised.value)
        assert tree_state(root) == before, f"{step}: write {k} of {writes} failed ({mode})"
        assert leftovers(root) == []
        run(root)  # nothing stale (lock, journal) stands in the way of the real step
        assert tree_state(root) != before
        INJECTED[(f"{layout}-{step}", mode)] = INJECTED.get((f"{layout}-{step}", mode), 0) + 1


# -- a failed check after rendering ----------------------------------------------------------


def _fails_once_guides_are_listed(ctx: CheckContext) -> Iterator[Problem]:
    """A project rule that only bites once plan has rendered the guides."""
    if "guides/developer.md" in ctx.metadata.sections:
        yield Problem("house-rule", "guides need a sign-off first", path=ctx.metadata_path)


def _fails_once_numbered(ctx: CheckContext) -> Iterator[Problem]:
    """A rule that only bites once approve has claimed a number (inside the index lock)."""
    if ctx.metadata.kep_number is not None and ctx.metadata.kep_number != 42:
        yield Problem("house-rule", "numbers need a sign-off first", path=ctx.metadata_path)


def _with_extra_check(
    monkeypatch: pytest.MonkeyPatch, check: Callable[[CheckContext], Iterator[Problem]]
) -> None:
    real = seed_module.checks_for
    monkeypatch.setattr(seed_module, "checks_for", lambda state: (*real(state), check))


def test_a_check_that_fails_after_plan_renders_writes_nothing(
    prepared: dict[str, Path], fresh_copy: Callable[[Path], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """plan renders the guides, the check fails on them: no guide file, no metadata change."""
    root = fresh_copy(prepared["plan"])
    before = tree_state(root)
    _with_extra_check(monkeypatch, _fails_once_guides_are_listed)
    with pytest.raises(CheckFailedError) as raised:
        workflow.plan(runtime(root, TARGET), now=T1)
    assert [p.code for p in raised.value.problems if p.is_blocking] == ["house-rule"]
    assert tree_state(root) == before
    assert leftovers(root) == []


def test_a_check_that_fails_after_the_number_is_claimed_leaves_the_index_alone(
    prepared: dict[str, Path], fresh_copy: Callable[[Path], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """approve claims 43 under the index lock, the check fails: keps.yaml still hands out 43."""
    root = fresh_copy(prepared["approve"])
    before = tree_state(root)
    assert keps.index.open(root).next_kep_number == 43
    with monkeypatch.context() as patch:
        _with_extra_check(patch, _fails_once_numbered)
        with pytest.raises(CheckFailedError, match="fails 1 check"):
            workflow.approve(runtime(root, TARGET, APPROVER), now=T1)
    assert tree_state(root) == before
    assert leftovers(root) == []
    workflow.approve(runtime(root, TARGET, APPROVER), now=T1)
    assert keps.open(runtime(root, TARGET).target_dir).kep_number == 43


def test_a_failure_in_the_restore_keeps_the_journal_for_the_next_step(
    prepared: dict[str, Path], fresh_copy: Callable[[Path], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If even putting a file back fails, the journal stays and the next step finishes the undo."""
    root = fresh_copy(prepared["approve"])
    before = tree_state(root)
    real_write = files.atomic_write_bytes
    calls = [0]

    def fail_last(path: Path, data: bytes, **limit: int) -> None:
        calls[0] += 1
        real_write(path, data, **limit)
        if path.name == "keps.yaml":
            raise Injected("injected: failure after the last rename", path=path)

    with monkeypatch.context() as patch:
        patch.setattr(files, "atomic_write_bytes", fail_last)
        patch.setattr(files, "restore_file", lambda path, original: False)
        with pytest.raises(Injected):
            workflow.approve(runtime(root, TARGET, APPROVER), now=T1)
    assert calls[0] == 5  # the journal, three files, the journal marked aborted
    assert tree_state(root) != before  # the restore "failed": new files are still there
    assert len(list(locks_dir(root).glob("*.journal"))) == 1
    restored = workflow.recover(root)
    assert {p.name for p in restored} == {"metadata.yaml", "README.md", "keps.yaml"}
    assert tree_state(root) == before
    assert leftovers(root) == []


def test_the_table_covers_every_step() -> None:
    """Every lifecycle step is in a failure table (none silently left out)."""
    not_steps = {"recover", "editing", "recorded", "Changes"}
    assert set(STEPS) | set(CHECKOUT_STEPS) == set(workflow.__all__) - not_steps
