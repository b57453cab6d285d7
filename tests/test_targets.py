"""Finding an existing KEP from what a person types, in both layouts (issue #13, item 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import keps
from keps.cli import cli
from keps.errors import KepNotFoundError, PathOutsideError, UnknownSigError
from keps.index import AmbiguousTargetError, find_target
from tests.kep_factory import make_kep


def kep_yaml(root: Path, location: str, number: int, title: str) -> Path:
    """A kep.yaml KEP at *location* under the checkout *root*."""
    kep_dir = root / location
    kep_dir.mkdir(parents=True)
    sig = location.split("/")[1]
    (kep_dir / "kep.yaml").write_text(
        f"title: {title}\nkep-number: {number}\nauthors:\n  - '@alice'\n"
        f"owning-sig: {sig}\nstatus: implementable\napprovers:\n  - '@arnold'\n"
    )
    (kep_dir / "README.md").write_text(f"# KEP-{number}: {title}\n\n## Summary\n\nText.\n")
    return kep_dir


@pytest.fixture(name="seed")
def _seed(tmp_path: Path) -> Path:
    root = tmp_path / "seed"
    make_kep(root, "sig-node/my-kep")
    make_kep(root, "sig-node/kubelet/deep")
    make_kep(root, "wide")
    make_kep(root, "sig-apps/numbered", state=keps.State.IMPLEMENTABLE)  # number 42
    return root


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> Path:
    root = tmp_path / "enhancements"
    kep_yaml(root, "keps/sig-node/1287-in-place-update", 1287, "In place")
    kep_yaml(root, "keps/sig-node/2000-other", 2000, "Other")
    kep_yaml(root, "keps/sig-apps/group/3000-grouped", 3000, "Grouped")
    template = root / "keps" / "NNNN-kep-template"
    template.mkdir()
    (template / "kep.yaml").write_text("title: KEP Template\nkep-number: 1287\n")
    return root


SEED_TARGETS = {
    "sig-node/my-kep": "sig-node/sig-wide/my-kep",
    "sig-node/sig-wide/my-kep": "sig-node/sig-wide/my-kep",
    "sig-node/kubelet/deep": "sig-node/kubelet/deep",
    "kubernetes-wide/wide": "kubernetes-wide/wide",
    "wide": "kubernetes-wide/wide",
    "42": "sig-apps/sig-wide/numbered",
    "KEP-42": "sig-apps/sig-wide/numbered",
}


@pytest.mark.parametrize(("target", "location"), list(SEED_TARGETS.items()))
def test_seed_targets(seed: Path, target: str, location: str) -> None:
    assert find_target(target, seed) == seed.absolute() / location


CHECKOUT_TARGETS = {
    "1287": "keps/sig-node/1287-in-place-update",
    "sig-node/1287-in-place-update": "keps/sig-node/1287-in-place-update",
    "sig-node/in-place-update": "keps/sig-node/1287-in-place-update",
    "keps/sig-node/2000-other": "keps/sig-node/2000-other",
    "keps/sig-node/in-place-update": "keps/sig-node/1287-in-place-update",  # no such path
    "sig-apps/group/grouped": "keps/sig-apps/group/3000-grouped",
    "sig-apps/grouped": "keps/sig-apps/group/3000-grouped",
    "3000": "keps/sig-apps/group/3000-grouped",
}


@pytest.mark.parametrize(("target", "location"), list(CHECKOUT_TARGETS.items()))
def test_checkout_targets(checkout: Path, target: str, location: str) -> None:
    """The template shares number 1287 and is still no match: it is no KEP."""
    assert find_target(target, checkout) == checkout.absolute() / location


@pytest.mark.parametrize("layout", ["seed", "checkout"])
def test_paths_absolute_relative_and_dot(
    layout: str, seed: Path, checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = seed if layout == "seed" else checkout
    kep_dir = root / ("sig-node/sig-wide/my-kep" if layout == "seed" else CHECKOUT_TARGETS["1287"])
    assert find_target(str(kep_dir), root) == kep_dir
    monkeypatch.chdir(kep_dir.parent)
    assert find_target(f"./{kep_dir.name}", root) == kep_dir
    monkeypatch.chdir(kep_dir)
    assert find_target(".", root) == kep_dir
    metadata = next(p for p in kep_dir.iterdir() if p.name.endswith(".yaml"))
    assert find_target(str(metadata), root) == kep_dir


def test_an_ambiguous_target_lists_every_match(checkout: Path) -> None:
    kep_yaml(checkout, "keps/sig-apps/4000-other", 4000, "Other in apps")
    with pytest.raises(AmbiguousTargetError) as raised:
        find_target("other", checkout)
    assert raised.value.candidates == ("keps/sig-apps/4000-other", "keps/sig-node/2000-other")
    assert "keps/sig-apps/4000-other" in str(raised.value)
    assert find_target("sig-node/other", checkout).name == "2000-other"


def test_a_number_two_keps_share_is_ambiguous(checkout: Path) -> None:
    kep_yaml(checkout, "keps/sig-apps/1287-copy", 1287, "Copy")
    with pytest.raises(AmbiguousTargetError, match="1287-copy"):
        find_target("1287", checkout)


@pytest.mark.parametrize(
    "target", ["9999", "sig-node/nothing", "nothing", "keps/sig-apps/in-place-update"]
)
def test_an_unknown_target_is_one_clear_error(checkout: Path, target: str) -> None:
    with pytest.raises(KepNotFoundError, match="matches no KEP"):
        find_target(target, checkout)


def test_a_misspelt_sig_in_the_seed_suggests_the_sig(seed: Path) -> None:
    with pytest.raises(UnknownSigError, match="sig-node"):
        find_target("sig-nod/my-kep", seed)


def test_a_path_out_of_the_root_is_refused(seed: Path, tmp_path: Path) -> None:
    other = make_kep(tmp_path / "other-root", "sig-node/elsewhere")
    with pytest.raises(PathOutsideError):
        find_target(str(other.path), seed)


def test_kepctl_show_and_check_take_every_form_in_a_checkout(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From inside the checkout, with no flags: show 1287 and show SIG/NUMBER-NAME."""
    monkeypatch.chdir(checkout)
    for target in ("1287", "sig-node/1287-in-place-update", "sig-node/in-place-update"):
        result = CliRunner().invoke(cli, ["show", target, "--output", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["kep-number"] == 1287
    monkeypatch.chdir(checkout / CHECKOUT_TARGETS["1287"])
    result = CliRunner().invoke(cli, ["check", "."])
    assert result.exit_code == 0, result.output
    assert "In place" in result.output
