"""Shell completion through click's own machinery: what a shell is offered after a TAB.

Each test sets the variables click's bash completion reads (``_KEPCTL_COMPLETE``,
``COMP_WORDS``, ``COMP_CWORD``) and parses the ``type,value`` lines it prints.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import keps
from keps.keps.metadata import STAGES
from keps.sigs import SigRegistry
from tests.kep_factory import make_kep


def _environment(line: str) -> dict[str, str]:
    """What bash sets for the command *line*, the cursor at its end."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    return {"_KEPCTL_COMPLETE": "bash_complete", "COMP_WORDS": line, "COMP_CWORD": str(cword)}


def offered(line: str) -> list[tuple[str, str]]:
    """The (type, value) pairs kepctl offers for *line*, run in this process."""
    from keps.cli import cli

    result = CliRunner().invoke(cli, [], env=_environment(line), prog_name="kepctl")
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.stderr == ""
    return [
        (kind, value)
        for kind, _, value in (row.partition(",") for row in result.stdout.splitlines())
        if kind
    ]


def values(line: str) -> list[str]:
    return [value for kind, value in offered(line) if kind == "plain"]


def _kep_yaml(root: Path, sig: str, number: int, name: str, milestone: str) -> None:
    kep_dir = root / "keps" / sig / f"{number}-{name}"
    kep_dir.mkdir(parents=True)
    (kep_dir / "kep.yaml").write_text(
        f"title: {name}\nkep-number: {number}\nauthors: ['@alice']\nowning-sig: {sig}\n"
        f"status: implementable\napprovers: ['@arnold']\nstage: beta\n"
        f"latest-milestone: '{milestone}'\n",
        encoding="utf-8",
    )


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    _kep_yaml(root, "sig-node", 1287, "in-place", "v1.33")
    _kep_yaml(root, "sig-node", 127, "user-namespaces", "v1.9")
    _kep_yaml(root, "sig-apps", 42, "apps-thing", "v1.30")
    return root


@pytest.fixture(name="seed")
def _seed(tmp_path: Path) -> Path:
    root = tmp_path / "seed"
    make_kep(root, "sig-node/node-kep", state=keps.State.IMPLEMENTABLE)
    make_kep(root, "sig-apps/apps-kep")
    return root


class TestCommands:
    def test_command_names(self) -> None:
        """click completes the command names: every command, each once."""
        assert values("kepctl pro") == ["promote", "propose"]
        assert values("kepctl re") == ["recover", "reject", "replace", "report"]
        assert set(values("kepctl ")) >= {"init", "query", "show", "validate", "index", "demo"}

    def test_subcommand_of_a_group(self) -> None:
        """The index group's own command completes too."""
        assert values("kepctl index ") == ["rebuild"]


class TestTargets:
    def test_locations_of_a_checkout(self, checkout: Path) -> None:
        """A checkout's KEPs are offered as SIG/NUMBER-NAME, which names them."""
        line = f"kepctl --content-root {checkout} show sig-node/"
        assert values(line) == ["sig-node/127-user-namespaces", "sig-node/1287-in-place"]
        assert values(f"kepctl --content-root {checkout} check keps/sig-a") == [
            "keps/sig-apps/42-apps-thing"
        ]

    def test_numbers(self, checkout: Path) -> None:
        """Typed digits complete to the KEP numbers that start with them."""
        assert values(f"kepctl --content-root {checkout} approve 12") == ["127", "1287"]

    def test_every_offered_target_is_one_kep(self, checkout: Path) -> None:
        """What completion offers, kepctl show accepts: each names its KEP."""
        from keps.cli import cli

        for target in values(f"kepctl --content-root {checkout} show "):
            result = CliRunner().invoke(
                cli, ["--content-root", str(checkout), "show", target, "--output", "json"]
            )
            assert result.exit_code == 0, (target, result.output)

    def test_seed_locations_and_the_replace_option(self, seed: Path) -> None:
        """A seed tree's locations complete, for the argument and for --by alike."""
        assert values(f"kepctl --content-root {seed} propose sig-") == [
            "sig-apps/sig-wide/apps-kep",
            "sig-node/sig-wide/node-kep",
        ]
        assert values(
            f"kepctl --content-root {seed} replace sig-node/sig-wide/node-kep --by sig-a"
        ) == ["sig-apps/sig-wide/apps-kep"]

    def test_a_path_completes_as_a_path(self, seed: Path) -> None:
        """A target typed as a path is left to the shell's folder completion."""
        assert offered(f"kepctl --content-root {seed} show ./sig") == [("dir", "./sig")]


class TestQueryValues:
    def test_sigs_from_the_list_in_force(self, seed: Path) -> None:
        """--sig offers the SIGs of the SIG list in force."""
        expected = [sig for sig in SigRegistry.packaged().all() if sig.startswith("sig-n")]
        assert values(f"kepctl --content-root {seed} query --sig sig-n") == expected
        assert "sig-node" in expected

    def test_sigs_of_the_content_roots_own_list(self, seed: Path) -> None:
        """A sigs.yaml at the content root is the list completion reads."""
        (seed / "sigs.yaml").write_text(
            "sigs:\n- dir: sig-node\n  name: Node\n- dir: sig-nightly\n  name: Nightly\n"
            "workinggroups:\n- dir: wg-night\n  name: Night\n",
            encoding="utf-8",
        )
        assert values(f"kepctl --content-root {seed} query --sig sig-n") == [
            "sig-node",
            "sig-nightly",
        ]
        assert values(f"kepctl --content-root {seed} query --participating wg-") == ["wg-night"]

    def test_stages_and_states(self, seed: Path) -> None:
        """--stage offers the stages, --state the states."""
        assert values(f"kepctl --content-root {seed} query --stage ") == list(STAGES)
        assert values(f"kepctl --content-root {seed} query --state imp") == [
            "implementable",
            "implemented",
        ]

    def test_milestones_in_the_index(self, checkout: Path) -> None:
        """--milestone offers the milestones KEPs have, newest first; a typed >= stays."""
        assert values(f"kepctl --content-root {checkout} query --milestone v1.") == [
            "v1.33",
            "v1.30",
            "v1.9",
        ]
        assert values(f"kepctl --content-root {checkout} query --milestone >=v1.3") == [
            ">=v1.33",
            ">=v1.30",
        ]

    def test_values_inside_query_words(self, checkout: Path) -> None:
        """A query word with its field typed completes its value."""
        line = f"kepctl --content-root {checkout} query"
        assert values(f"{line} stage:al") == ["stage:alpha"]
        assert values(f"{line} sig:sig-nod") == ["sig:sig-node"]
        assert values(f"{line} milestone:v1.3") == ["milestone:v1.33", "milestone:v1.30"]
        assert values(f"{line} title:x") == []


def _completion_process(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **_environment(line)}
    return subprocess.run(
        [sys.executable, "-m", "keps"],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "breakage",
    ["corrupt index", "root is a file", "no root at all", "sigs.yaml is not yaml"],
)
def test_a_failure_while_completing_offers_nothing(
    seed: Path, tmp_path: Path, breakage: str
) -> None:
    """Whatever breaks, a real shell gets no completion and no traceback, exit 0."""
    root = seed
    if breakage == "corrupt index":
        keps.index.rebuild(seed).persist()
        (seed / "keps.yaml").write_text("entries: [unclosed\n", encoding="utf-8")
        line = f"kepctl --content-root {root} show sig-"
    elif breakage == "root is a file":
        root = tmp_path / "a-file"
        root.write_text("x", encoding="utf-8")
        line = f"kepctl --content-root {root} check sig-"
    elif breakage == "no root at all":
        line = "kepctl show sig-"
    else:
        (seed / "sigs.yaml").write_text("sigs: [unclosed\n", encoding="utf-8")
        line = f"kepctl --content-root {root} query --sig sig-"
    result = _completion_process(line, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert [row for row in result.stdout.splitlines() if row.strip()] == []


def test_a_real_process_completes_a_target(seed: Path, tmp_path: Path) -> None:
    """python -m keps answers a completion request on its standard output."""
    result = _completion_process(f"kepctl --content-root {seed} check sig-app", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["plain,sig-apps/sig-wide/apps-kep"]
