"""What a write to a kep.yaml KEP refuses, and what it no longer refuses (issue #14).

``Kep.update(stage="alhpa", latest_milestone="v1.3x", owning_sig="sig-nodes")`` then
``persist()`` wrote all three typos while ``check()`` said nothing; ``add_approvers``
then ``persist()`` still failed with "approvers must be set", read off the file as it
was loaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import keps
from keps.errors import CheckFailedError
from tests.kep_factory import snapshot

KEP_YAML = """\
title: Pod Things
kep-number: 1234
authors:
  - "@alice"
owning-sig: sig-node
status: implementable
approvers:
  - "@arnold"
stage: alpha
latest-milestone: "v1.30"
milestone:
  alpha: "v1.30"
"""


def kep_dir(root: Path, text: str = KEP_YAML) -> Path:
    folder = root / "keps" / "sig-node" / "1234-pod-things"
    folder.mkdir(parents=True)
    (folder / "kep.yaml").write_text(text)
    (folder / "README.md").write_text("# KEP-1234: Pod Things\n\n## Summary\n\nText.\n")
    return folder


@pytest.mark.parametrize(
    ("change", "code", "field", "hint"),
    [
        ({"stage": "alhpa"}, "stage-unknown", "stage", "alpha"),
        ({"latest_milestone": "v1.3x"}, "milestone-invalid", "latest-milestone", "v1.3x"),
        (
            {"milestone": (("alpha", "v1.30"), ("beta", "1.3l"))},
            "milestone-invalid",
            "milestone.beta",
            "1.3l",
        ),
        (
            {"milestone": (("alpha", "v1.30"), ("betta", "v1.31"))},
            "stage-unknown",
            "milestone.betta",
            "beta",
        ),
        ({"owning_sig": "sig-nodes"}, "sig-unknown", "owning-sig", "sig-node"),
        ({"participating_sigs": ("sig-aps",)}, "sig-unknown", "participating-sigs", "sig-apps"),
        ({"state": keps.State.DRAFT}, "status-invalid", "status", "draft"),
    ],
)
def test_a_typo_is_refused_at_write_with_a_suggestion(
    tmp_path: Path, change: dict[str, object], code: str, field: str, hint: str
) -> None:
    folder = kep_dir(tmp_path)
    before = snapshot(tmp_path)
    kep = keps.open(folder)
    kep.update(**change)
    with pytest.raises(CheckFailedError) as raised:
        kep.persist()
    (problem,) = [p for p in raised.value.problems if p.is_blocking]
    assert (problem.code, problem.field) == (code, field)
    assert hint in problem.message
    assert snapshot(tmp_path) == before


def test_three_typos_at_once_are_all_reported(tmp_path: Path) -> None:
    kep = keps.open(kep_dir(tmp_path))
    kep.update(stage="alhpa", latest_milestone="v1.3x", owning_sig="sig-nodes")
    with pytest.raises(CheckFailedError) as raised:
        kep.persist()
    assert sorted(p.code for p in raised.value.problems if p.is_blocking) == [
        "milestone-invalid",
        "sig-unknown",
        "stage-unknown",
    ]


def test_an_oddity_the_file_already_had_does_not_block_another_edit(tmp_path: Path) -> None:
    """Old KEPs hold stages such as 'alpha (beta in 1.31)': lint reports those; an edit of
    another field still goes through, and leaves that line as it was."""
    folder = kep_dir(tmp_path, KEP_YAML.replace("stage: alpha", "stage: alpha-ish"))
    kep = keps.open(folder)
    kep.add_reviewers("@rita")
    assert kep.persist()
    assert "stage: alpha-ish" in (folder / "kep.yaml").read_text().splitlines()


def test_approvers_added_to_a_kep_without_them_satisfy_the_check(tmp_path: Path) -> None:
    folder = kep_dir(tmp_path, KEP_YAML.replace('approvers:\n  - "@arnold"\n', ""))
    kep = keps.open(folder)
    with pytest.raises(CheckFailedError, match="fails 1 check"):
        kep.check()
    kep.add_approvers("@arnold")
    assert kep.persist()
    assert keps.open(folder).approvers == ("@arnold",)


def test_a_valid_change_is_written(tmp_path: Path) -> None:
    folder = kep_dir(tmp_path)
    kep = keps.open(folder)
    kep.update(
        stage="beta",
        latest_milestone="v1.31",
        milestone=(("alpha", "v1.30"), ("beta", "v1.31")),
        participating_sigs=("sig-apps",),
    )
    assert kep.persist()
    again = keps.open(folder)
    assert (again.stage, again.latest_milestone) == ("beta", "v1.31")
    assert again.metadata.milestone_for("beta") == "v1.31"
