"""kepctl query refuses an unknown stage, state or SIG in one line, and --sig node is sig-node.

``kepctl query --stage alhpa`` and ``--sig node`` used to print an empty table and exit 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import keps
from keps.cli import cli
from keps.cli.query import query
from keps.errors import QuerySyntaxError
from tests.kep_factory import make_kep, snapshot


def kepctl(root: Path, *args: str, output: str = "table") -> Result:
    """``kepctl query --output OUTPUT ARGS``; a word such as -sig:x goes after ``--``."""
    return CliRunner().invoke(
        cli, ["--content-root", str(root), "query", "--output", output, *args]
    )


def refused(result: Result) -> str:
    """Exit 1, one line on stderr, nothing on stdout, no traceback; the line."""
    assert result.exit_code == 1, (result.output, result.exception)
    assert result.stderr.startswith("kepctl: error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == ""
    return result.stderr


def locations(result: Result) -> list[str]:
    assert result.exit_code == 0, (result.output, result.exception)
    return [record["location"] for record in json.loads(result.stdout)]


@pytest.fixture(name="seed")
def _seed(tmp_path: Path) -> Path:
    """A seed content root: one sig-node KEP, one sig-apps KEP taking part with sig-node."""
    root = tmp_path / "seed"
    make_kep(root, "sig-node/node-kep", state=keps.State.IMPLEMENTABLE)
    apps = make_kep(root, "sig-apps/apps-kep")
    apps.update(participating_sigs=("sig-node",))
    apps.persist()
    return root


def _kep_yaml(root: Path, sig: str, number: int, name: str, stage: str) -> None:
    kep_dir = root / "keps" / sig / f"{number}-{name}"
    kep_dir.mkdir(parents=True)
    (kep_dir / "kep.yaml").write_text(
        f"title: {name}\nkep-number: {number}\nauthors: ['@alice']\nowning-sig: {sig}\n"
        f"status: implementable\napprovers: ['@arnold']\nstage: {stage}\n"
        "latest-milestone: 'v1.30'\n",
        encoding="utf-8",
    )


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> Path:
    """A kubernetes/enhancements-like tree, with a KEP of a SIG no longer listed."""
    root = tmp_path / "checkout"
    _kep_yaml(root, "sig-node", 1287, "in-place", "beta")
    _kep_yaml(root, "sig-apps", 42, "apps-thing", "alpha")
    _kep_yaml(root, "sig-retired", 7, "old-thing", "stable")
    return root


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--stage", "alhpa"), "stage: unknown stage 'alhpa' (did you mean 'alpha'?)"),
        (("stage:alhpa",), "stage: unknown stage 'alhpa' (did you mean 'alpha'?)"),
        (("--stage", "beta", "--stage", "stabel"), "(did you mean 'stable'?)"),
        (
            ("--state", "implementd"),
            "state: unknown state 'implementd' (did you mean 'implemented'?)",
        ),
        (("status:provisonal",), "(did you mean 'provisional'?)"),
        (("--sig", "sig-nodes"), "sig: unknown SIG 'sig-nodes' (did you mean 'sig-node'?)"),
        (("sig:sig-nodes",), "sig: unknown SIG 'sig-nodes' (did you mean 'sig-node'?)"),
        (("--", "-sig:sig-nodes"), "(did you mean 'sig-node'?)"),
        (
            ("--participating", "sig-aps"),
            "participating: unknown SIG 'sig-aps' (did you mean 'sig-apps'?)",
        ),
        (("--sig", "nod"), "(did you mean 'sig-node'?)"),
    ],
)
@pytest.mark.parametrize("tree", ["seed", "checkout"])
def test_unknown_value_is_refused_with_a_suggestion(
    request: pytest.FixtureRequest, tree: str, args: tuple[str, ...], expected: str
) -> None:
    """A typo in a stage, state or SIG is one line naming the near match; nothing changes."""
    root: Path = request.getfixturevalue(tree)
    before = snapshot(root)
    assert expected in refused(kepctl(root, *args, output="json"))
    assert snapshot(root) == before


def test_a_sig_near_nothing_lists_the_sigs(seed: Path) -> None:
    """A SIG that resembles none is refused with the list of known SIGs."""
    line = refused(kepctl(seed, "--sig", "zzzz"))
    assert "unknown SIG 'zzzz'; known SIGs: " in line
    assert "sig-node" in line.split("known SIGs: ")[1].split(", ")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--sig", "node"), ["sig-node/sig-wide/node-kep"]),
        (("sig:node",), ["sig-node/sig-wide/node-kep"]),
        (
            ("--sig", "Node", "--sig", "apps"),
            ["sig-apps/sig-wide/apps-kep", "sig-node/sig-wide/node-kep"],
        ),
        (("--participating", "node"), ["sig-apps/sig-wide/apps-kep"]),
        (("--", "-sig:node"), ["sig-apps/sig-wide/apps-kep"]),
    ],
)
def test_sig_without_prefix_means_the_sig(
    seed: Path, args: tuple[str, ...], expected: list[str]
) -> None:
    """--sig node selects exactly what --sig sig-node selects."""
    assert sorted(locations(kepctl(seed, *args, output="json"))) == expected


def test_a_sig_called_node_is_taken_as_typed(seed: Path) -> None:
    """With a SIG list in force that has a group named node, --sig node means that group."""
    (seed / "sigs.yaml").write_text(
        "sigs:\n"
        "- dir: sig-node\n  name: Node\n"
        "- dir: sig-apps\n  name: Apps\n"
        "- dir: node\n  name: Plain Node\n",
        encoding="utf-8",
    )
    assert keps.sigs.registry_for(seed).exists("node")
    assert locations(kepctl(seed, "--sig", "node", output="json")) == []
    assert locations(kepctl(seed, "--sig", "sig-node", output="json")) == [
        "sig-node/sig-wide/node-kep"
    ]


def test_a_sig_of_the_index_is_known(checkout: Path) -> None:
    """A SIG missing from the list in force but owning a KEP is a SIG (also without prefix)."""
    assert not keps.sigs.registry_for(checkout).exists("sig-retired")
    expected = ["keps/sig-retired/7-old-thing"]
    assert locations(kepctl(checkout, "--sig", "sig-retired", output="json")) == expected
    assert locations(kepctl(checkout, "sig:retired", output="json")) == expected


def test_stage_and_sig_together_on_a_checkout(checkout: Path) -> None:
    """Known values still select as before: --sig node --stage beta finds the one KEP."""
    found = locations(kepctl(checkout, "--sig", "node", "--stage", "beta", output="json"))
    assert found == ["keps/sig-node/1287-in-place"]


def test_the_plain_function_refuses_the_same(seed: Path) -> None:
    """keps.cli.query.query raises the QuerySyntaxError the command prints."""
    with pytest.raises(QuerySyntaxError) as info:
        query(seed, "sig:sig-nodes")
    assert info.value.message == "sig: unknown SIG 'sig-nodes' (did you mean 'sig-node'?)"
    assert info.value.term == "sig:sig-nodes"
    assert query(seed, "sig:node", fmt="json").out == query(seed, "sig:sig-node", fmt="json").out


class TestCorpus:
    def test_stage_typo_is_refused(self, corpus: Path) -> None:
        """On the real checkout, --stage alhpa is refused instead of an empty table."""
        line = refused(kepctl(corpus / "enhancements-2026", "--stage", "alhpa"))
        assert "did you mean 'alpha'?" in line

    def test_sig_node_is_sig_node(self, corpus: Path) -> None:
        """On the real checkout, --sig node lists the same KEPs as --sig sig-node."""
        root = corpus / "enhancements-2026"
        short = locations(kepctl(root, "--sig", "node", output="json"))
        assert short == locations(kepctl(root, "--sig", "sig-node", output="json"))
        assert len(short) > 10
