"""Creating a KEP in a kubernetes/enhancements checkout lays it out as upstream does.

``kepctl init sig-node/my-feature`` in a checkout used to write the 2018 layout at
``sig-node/sig-wide/my-feature/``, outside ``keps/`` (issue #13).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import keps
from keps import workflow
from keps.cli import cli
from keps.errors import InvalidContentError, KepExistsError, UnknownSigError
from tests.kep_factory import T0, snapshot
from tests.workflow_helpers import BARRIER_TIMEOUT, together

TEMPLATE_README = "<!-- a note -->\n# KEP-NNNN: Your short, descriptive title\n\n## Summary\n"


def checkout(root: Path) -> Path:
    """A checkout with the template and two KEPs, numbered 1287 and 2000."""
    template = root / "keps" / "NNNN-kep-template"
    template.mkdir(parents=True)
    (template / "kep.yaml").write_text("title: KEP Template\nkep-number: NNNN\n")
    (template / "README.md").write_text(TEMPLATE_README)
    for number, name in ((1287, "in-place"), (2000, "other")):
        kep_dir = root / "keps" / "sig-node" / f"{number}-{name}"
        kep_dir.mkdir(parents=True)
        (kep_dir / "kep.yaml").write_text(
            f"title: {name}\nkep-number: {number}\nauthors: ['@a']\nowning-sig: sig-node\n"
            "status: implementable\napprovers: ['@b']\n"
        )
    return root


def test_create_lays_the_kep_out_as_upstream_does(tmp_path: Path) -> None:
    root = checkout(tmp_path / "enhancements")
    path = workflow.create(root, "sig-node/my-feature", principal="bob", now=T0)
    assert path == root / "keps" / "sig-node" / "2001-my-feature"
    assert (path / "kep.yaml").read_text() == (
        "title: My Feature\n"
        "kep-number: 2001\n"
        "authors:\n"
        '  - "@bob"\n'
        "owning-sig: sig-node\n"
        "status: provisional\n"
        "creation-date: 2019-01-02\n"
        "last-updated: 2019-01-02\n"
        "reviewers:\n"
        "  - TBD\n"
        "approvers:\n"
        "  - TBD\n"
    )
    assert (path / "README.md").read_text() == TEMPLATE_README.replace(
        "# KEP-NNNN: Your short, descriptive title", "# KEP-2001: My Feature"
    )
    kep = keps.open(path)
    assert (kep.kep_number, kep.state, kep.layout.name) == (
        2001,
        keps.State.PROVISIONAL,
        "enhancements",
    )
    assert not (root / "keps.yaml").exists()


def test_kepctl_init_in_a_checkout_creates_under_keps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = checkout(tmp_path / "enhancements")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["--principal", "bob", "init", "sig-node/my-feature"])
    assert result.exit_code == 0, result.output
    assert (root / "keps" / "sig-node" / "2001-my-feature" / "kep.yaml").is_file()
    assert not (root / "sig-node").exists()


def test_a_number_given_is_the_folders(tmp_path: Path) -> None:
    root = checkout(tmp_path / "enhancements")
    path = workflow.create(root, "sig-node/3000-tracked", principal="bob", kep_number=3000)
    assert path.name == "3000-tracked"
    assert keps.open(path).kep_number == 3000


@pytest.mark.parametrize(
    ("target", "number", "error"),
    [
        ("sig-node/again", 1287, KepExistsError),  # the number is taken
        ("sig-nod/typo", None, UnknownSigError),
        ("my-feature", None, InvalidContentError),  # no SIG
        ("sig-node/a/b/c", None, InvalidContentError),
        ("sig-node/bad name ", None, InvalidContentError),
    ],
)
def test_a_refusal_writes_nothing(
    tmp_path: Path, target: str, number: int | None, error: type[Exception]
) -> None:
    root = checkout(tmp_path / "enhancements")
    before = snapshot(root)
    with pytest.raises(error):
        workflow.create(root, target, principal="bob", kep_number=number)
    assert snapshot(root) == before


def _create_in_process(root: str, name: str, start: Any) -> str:
    start.wait(BARRIER_TIMEOUT)
    return workflow.create(Path(root), f"sig-node/{name}", principal="bob").name


@pytest.mark.slow
def test_parallel_creations_get_distinct_numbers(tmp_path: Path) -> None:
    """Four processes at one barrier: four numbers, each folder its own."""
    root = checkout(tmp_path / "enhancements")
    names = [f"feature-{i}" for i in range(4)]
    folders = together(_create_in_process, [(str(root), n) for n in names])
    numbers = sorted(int(folder.split("-", 1)[0]) for folder in folders)
    assert numbers == [2001, 2002, 2003, 2004]


def test_keps_new_in_a_checkout_makes_a_kep_of_todays_layout(tmp_path: Path) -> None:
    """The library's own constructor picks the layout of the content root too."""
    from keps.errors import InvalidArgumentError

    root = checkout(tmp_path / "enhancements")
    with pytest.raises(InvalidArgumentError, match="kep_number"):
        keps.new("sig-node/x", content_root=root, authors=["bob"])
    kep = keps.new("sig-node/x", content_root=root, authors=["bob"], kep_number=4000, now=T0)
    assert kep.persist()
    assert keps.open(root / "keps/sig-node/4000-x").title == "X"
    with pytest.raises(InvalidArgumentError, match="approved"):
        keps.new("sig-node/x", content_root=tmp_path / "seed", authors=["bob"], kep_number=1)


def test_create_takes_upstreams_options_and_checks_them(tmp_path: Path) -> None:
    """Every option of upstream's kepctl create, checked: nothing is written for a typo."""
    from keps.errors import CheckFailedError, InvalidArgumentError

    root = checkout(tmp_path / "enhancements")
    path = workflow.create(
        root,
        "sig-node/full",
        principal="bob",
        title="Full Options",
        kep_number=5000,
        authors=["alice", "@bob"],
        reviewers=["rita"],
        approvers=["arnold"],
        participating_sigs=["sig-apps"],
        prr_approvers=["wojtek"],
        stage="alpha",
        state="implementable",
        now=T0,
    )
    kep = keps.open(path)
    assert kep.authors == ("@alice", "@bob")
    assert (kep.reviewers, kep.approvers, kep.prr_approvers) == (
        ("@rita",),
        ("@arnold",),
        ("@wojtek",),
    )
    assert kep.participating_sigs == ("sig-apps",)  # the owning SIG is not added
    assert (kep.stage, kep.state, kep.title) == ("alpha", keps.State.IMPLEMENTABLE, "Full Options")
    before = snapshot(root)
    for options, error in (
        ({"stage": "alhpa"}, CheckFailedError),
        ({"participating_sigs": ["sig-aps"]}, CheckFailedError),
        ({"state": "draft"}, CheckFailedError),  # today's process has no draft
        ({"state": "bogus"}, InvalidArgumentError),
    ):
        with pytest.raises(error):
            workflow.create(root, "sig-node/typo", principal="bob", **options)  # type: ignore[arg-type]
        assert snapshot(root) == before
