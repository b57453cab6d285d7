"""kepctl status: one KEP's sign-offs and its wait, as a person sees them and as JSON/YAML.

The checkout is tests/test_signoff.py's (pygit2 commits on Jan 1, Mar 1 and Jun 1 2024
by Alice, Bob and Carol); every wait is measured --as-of 2024-07-01. The JSON is
compared with what the test reads itself from the files with plain PyYAML and from the
commits it made.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from keps.cli import cli
from keps.cli.status import status
from tests.test_signoff import FASTER, MAR, NOW, build_checkout, seed_root

AS_OF = "2024-07-01"


def kepctl(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--content-root", str(root), "status", *args])


def as_json(root: Path, *args: str) -> dict[str, Any]:
    result = kepctl(root, *args, "--output", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "enhancements"
    return root, build_checkout(root)


def people(root: Path) -> dict[str, list[str]]:
    """Each SIG's people as OWNERS_ALIASES lists them: leads, then tech leads, then approvers."""
    aliases = yaml.safe_load((root / "OWNERS_ALIASES").read_text())["aliases"]
    roles: dict[str, dict[str, list[str]]] = {}
    for name, members in aliases.items():
        for role in ("-tech-leads", "-leads", "-approvers"):
            if name.startswith("sig-") and name.endswith(role):
                roles.setdefault(name.removesuffix(role), {})[role] = members
                break
    order = ("-leads", "-tech-leads", "-approvers")
    return {sig: [p for role in order for p in got.get(role, [])] for sig, got in roles.items()}


class TestJson:
    def test_the_kep_its_sign_offs_and_its_wait(self, checkout: tuple[Path, list[str]]) -> None:
        root, commits = checkout
        record = as_json(root, "1000")
        kep = yaml.safe_load((root / FASTER / "kep.yaml").read_text())
        assert (record["state"], record["stage"], record["latest_milestone"]) == (
            kep["status"],
            kep["stage"],
            kep["latest-milestone"],
        )
        assert record["milestones"] == kep["milestone"]
        assert record["participating_sigs"] == kep["participating-sigs"]
        waited = NOW - MAR
        assert (record["since"], record["since_source"]) == ("2024-03-01T00:00:00.000000Z", "git")
        assert (record["since_commit"], record["since_author"]) == (
            commits[1],
            "Bob <bob@example.com>",
        )
        assert (record["days"], record["seconds"]) == (waited.days, waited.total_seconds())
        assert record["as_of"] == "2024-07-01T00:00:00.000000Z"
        assert record["people_from"] == str(root / "OWNERS_ALIASES")

    def test_who_could_give_each_and_who_did(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        record = as_json(root, "1000")
        kep = yaml.safe_load((root / FASTER / "kep.yaml").read_text())
        group_people = people(root)
        approvers = [a.lstrip("@") for a in kep["approvers"]]
        listed = approvers + [r.lstrip("@") for r in kep["reviewers"]]
        expected = [("approval", "sig-node", approvers)] + [
            ("participation", sig, listed) for sig in kep["participating-sigs"]
        ]
        for sign_off, (kind, group, names) in zip(record["sign_offs"], expected, strict=False):
            assert (sign_off["sign_off"], sign_off["group"]) == (kind, group)
            assert sign_off["can_give"] == group_people.get(group, [])
            lowered = {p.lower() for p in group_people.get(group, [])}
            assert sign_off["given_by"] == [n for n in names if n.lower() in lowered]
        prr = record["sign_offs"][-1]
        aliases = yaml.safe_load((root / "OWNERS_ALIASES").read_text())["aliases"]
        assert (prr["sign_off"], prr["stage"], prr["status"]) == (
            "production-readiness",
            "beta",
            "missing",
        )
        assert prr["can_give"] == aliases["prod-readiness-approvers"]
        assert prr["listed"] == [p.lstrip("@") for p in kep["prr-approvers"]]
        assert [s["status"] for s in record["sign_offs"]] == [
            "given",
            "given",
            "unconfirmed",
            "missing",
        ]
        assert record["missing"] == 1

    def test_every_way_of_naming_the_kep_gives_the_same(
        self, checkout: tuple[Path, list[str]]
    ) -> None:
        root, _ = checkout
        first = as_json(root, "1000")
        for target in ("sig-node/1000-faster-pods", str(root / FASTER), "KEP-1000"):
            assert as_json(root, target) == first

    def test_yaml_says_the_same(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        result = kepctl(root, "1000", "--output", "yaml", "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        assert yaml.safe_load(result.stdout) == as_json(root, "1000")

    def test_a_copy_without_git_uses_kep_yaml_s_dates(
        self, checkout: tuple[Path, list[str]], tmp_path: Path
    ) -> None:
        root, _ = checkout
        copy = tmp_path / "copy"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".git"))
        record = as_json(copy, "1000")
        created = dt.datetime(2023, 6, 1, tzinfo=dt.UTC)
        assert (record["since"], record["since_source"], record["since_commit"]) == (
            "2023-06-01T00:00:00.000000Z",
            "creation-date",
            "",
        )
        assert record["days"] == (NOW - created).days

    def test_the_2018_layout(self, tmp_path: Path) -> None:
        root = seed_root(tmp_path)
        record = as_json(root, "sig-node/my-kep")
        assert record["location"] == "sig-node/sig-wide/my-kep"
        assert (record["since"], record["since_source"], record["since_author"]) == (
            "2019-01-20T12:00:00.000000Z",
            "events",
            "arnold",
        )
        assert [
            (s["sign_off"], s["group"], s["status"], s["given_by"]) for s in record["sign_offs"]
        ] == [
            ("approval", "sig-node", "given", ["arnold"]),
            ("participation", "sig-apps", "missing", []),
        ]
        leadership = yaml.safe_load((root / "sigs.yaml").read_text())["sigs"]
        node = next(s["leadership"] for s in leadership if s["dir"] == "sig-node")
        assert record["sign_offs"][0]["can_give"] == [
            p["github"] for p in node["chairs"] + node["tech_leads"]
        ]


class TestTable:
    def test_one_screen(self, checkout: tuple[Path, list[str]]) -> None:
        root, commits = checkout
        result = kepctl(root, "1000", "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert lines[:8] == [
            "KEP 1000: KEP 1000",
            "  folder      keps/sig-node/1000-faster-pods",
            "  state       implementable",
            "  stage       beta",
            "  milestones  alpha v1.29, beta v1.30 (latest: v1.30)",
            "  last change 2024-03-01T00:00:00.000000Z, 122.0 days ago (from the git history,"
            f" commit {commits[1][:12]} by Bob <bob@example.com>)",
            f"  people from {root / 'OWNERS_ALIASES'}",
            "",
        ]
        table = [line.split("  ")[0] for line in lines[9:]]
        assert table == [
            "approval of sig-node",
            "participation of sig-apps",
            "participation of sig-storage",
            "production readiness for beta",
        ]
        assert "Rita?" in lines[11] and "unconfirmed" in lines[11]
        assert lines[12].split()[-2:] == ["deads2k,", "jpbetz"]
        assert result.stderr == ""

    def test_a_title_cannot_drive_the_terminal(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        kep = root / FASTER / "kep.yaml"
        kep.write_text(kep.read_text().replace("title: KEP 1000", 'title: "Pods\\e[2J\\nfast"'))
        result = kepctl(root, "1000", "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout
        assert result.stdout.splitlines()[0] == "KEP 1000: Pods\\x1b[2J\\nfast"


class TestTrouble:
    def test_a_broken_owners_aliases_is_a_warning_naming_it(
        self, checkout: tuple[Path, list[str]]
    ) -> None:
        root, _ = checkout
        (root / "OWNERS_ALIASES").write_text("aliases: [\n")
        result = kepctl(root, "1000", "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        [warning] = result.stderr.splitlines()
        assert warning.startswith(f"warning: {root / 'OWNERS_ALIASES'}")
        assert "[owners-aliases-unreadable]" in warning
        assert "nobody known" in result.stdout

    def test_an_unknown_kep(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        result = kepctl(root, "4242")
        assert result.exit_code == 1
        assert result.stderr.startswith("kepctl: error: ")
        assert len(result.stderr.splitlines()) == 1

    def test_a_time_that_is_none(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        result = kepctl(root, "1000", "--as-of", "last tuesday")
        assert result.exit_code == 1
        assert result.stderr == (
            "kepctl: error: --as-of 'last tuesday' is not a date (YYYY-MM-DD) or an RFC 3339 time\n"
        )


def test_the_plain_function_is_what_the_command_prints(
    checkout: tuple[Path, list[str]],
) -> None:
    root, _ = checkout
    report = status(root, "1000", fmt="json", as_of=AS_OF)
    assert json.loads(report.out) == as_json(root, "1000")
    assert report.notes == ()
