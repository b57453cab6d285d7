"""kepctl waiting: each missing sign-off of the KEPs that are not final, oldest wait first.

On tests/test_signoff.py's checkout the expected agenda is worked out here from the
commits the test made (KEP 1001 unchanged since Jan 1, 1000 since Mar 1, 1002 since
Jun 1 2024); on the shared corpus the participating SIGs waiting are counted apart from
keps with plain PyYAML.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from keps.cli import cli
from keps.cli.status import WAITING_COLUMNS, waiting
from tests.corpus_checkout import restore_dropped_owners
from tests.test_signoff import FASTER, JAN, JUN, MAR, NOW, OLD, SLOW, build_checkout, seed_root

AS_OF = "2024-07-01"


def kepctl(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--content-root", str(root), "waiting", *args])


def records(root: Path, *args: str, as_of: str = AS_OF) -> list[dict[str, Any]]:
    result = kepctl(root, *args, "--output", "json", "--as-of", as_of)
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "enhancements"
    return root, build_checkout(root)


def days(since: dt.datetime) -> float:
    return (NOW - since).total_seconds() / 86400


#: (KEP folder, sign-off, group, unchanged since, commit index): the whole agenda.
AGENDA = [
    (SLOW, "approval", "sig-apps", JAN, 0),
    (FASTER, "production-readiness", "prod-readiness", MAR, 1),
    (OLD, "approval", "sig-storage", JUN, 2),
    (OLD, "participation", "sig-node", JUN, 2),
]


class TestAgenda:
    def test_every_missing_sign_off_oldest_first(self, checkout: tuple[Path, list[str]]) -> None:
        root, commits = checkout
        found = records(root)
        assert [
            (r["location"], r["sign_off"], r["group"], r["days"], r["since_commit"]) for r in found
        ] == [
            (where, kind, group, days(since), commits[at])
            for where, kind, group, since, at in AGENDA
        ]
        assert {r["since_source"] for r in found} == {"git"}
        assert [r["state"] for r in found] == [
            yaml.safe_load((root / r["location"] / "kep.yaml").read_text())["status"] for r in found
        ]

    def test_who_is_asked_and_who_can_give(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        first, prr = records(root)[:2]
        kep = yaml.safe_load((root / SLOW / "kep.yaml").read_text())
        aliases = yaml.safe_load((root / "OWNERS_ALIASES").read_text())["aliases"]
        assert first["listed"] == [a.lstrip("@") for a in kep["approvers"]]
        assert first["can_give"] == aliases["sig-apps-leads"]
        assert prr["can_give"] == aliases["prod-readiness-approvers"]
        assert prr["stage"] == "beta"

    @pytest.mark.parametrize(
        ("sig", "expected"),
        [
            ("sig-node", [(OLD, "participation")]),
            ("node", [(OLD, "participation")]),
            ("sig-apps", [(SLOW, "approval")]),
            ("prod-readiness", [(FASTER, "production-readiness")]),
            ("sig-network", []),  # in the SIG list, waiting for nothing
        ],
    )
    def test_one_sig(
        self, checkout: tuple[Path, list[str]], sig: str, expected: list[tuple[str, str]]
    ) -> None:
        root, _ = checkout
        assert [(r["location"], r["sign_off"]) for r in records(root, "--sig", sig)] == expected

    @pytest.mark.parametrize("age", ["100d", "14w", "4m", "1y", "30d", "29d"])
    def test_older_than(self, checkout: tuple[Path, list[str]], age: str) -> None:
        root, _ = checkout
        number, unit = int(age[:-1]), age[-1]
        limit = number * {"d": 1, "w": 7, "m": 30, "y": 365}[unit]
        expected = [where for where, _, _, since, _ in AGENDA if days(since) > limit]
        assert [r["location"] for r in records(root, "--older-than", age)] == expected

    def test_a_later_day_waits_longer(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        later = records(root, as_of="2025-01-01")
        assert [r["days"] for r in later] == [
            (dt.datetime(2025, 1, 1, tzinfo=dt.UTC) - since).days for _, _, _, since, _ in AGENDA
        ]


class TestFormats:
    def test_table(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        result = kepctl(root, "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        header, *rows = result.stdout.splitlines()
        assert header.split() == [c.upper() for c in WAITING_COLUMNS]
        assert [row.split()[0] for row in rows] == ["182.0", "122.0", "30.0", "30.0"]

    def test_csv_and_yaml_hold_the_json_s_values(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        found = records(root)
        result = kepctl(root, "--output", "csv", "--as-of", AS_OF)
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert list(rows[0]) == list(WAITING_COLUMNS)
        assert [row["location"] for row in rows] == [r["location"] for r in found]
        result = kepctl(root, "--output", "yaml", "--as-of", AS_OF)
        assert yaml.safe_load(result.stdout) == found

    def test_the_plain_function(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        report = waiting(root, sig="node", fmt="json", as_of=AS_OF)
        assert json.loads(report.out) == records(root, "--sig", "node")


class TestRefusals:
    def test_an_unknown_sig_with_the_near_match(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        result = kepctl(root, "--sig", "sig-stroage")
        assert result.exit_code == 1
        assert result.stderr.startswith("kepctl: error: no SIG 'sig-stroage'")
        assert "did you mean sig-storage" in result.stderr
        assert len(result.stderr.splitlines()) == 1

    @pytest.mark.parametrize("age", ["90", "ninety days", "3h", "-5d"])
    def test_an_age_that_is_none(self, checkout: tuple[Path, list[str]], age: str) -> None:
        root, _ = checkout
        result = kepctl(root, "--older-than", age)
        assert result.exit_code == 1
        assert "such as 90d, 12w, 6m, 1y" in result.stderr
        assert len(result.stderr.splitlines()) == 1


def test_the_2018_layout(tmp_path: Path) -> None:
    root = seed_root(tmp_path)
    found = records(root, as_of="2019-02-09T12:00:00Z")
    assert [
        (r["location"], r["sign_off"], r["group"], r["days"], r["since_source"], r["since_author"])
        for r in found
    ] == [
        ("sig-node/sig-wide/other-kep", "approval", "sig-node", 30.0, "events", "janetkuo"),
        ("sig-node/sig-wide/my-kep", "participation", "sig-apps", 20.0, "events", "arnold"),
    ]


# -- the corpus ---------------------------------------------------------------------------

_ALIAS = re.compile(r"((?:sig|wg|committee|ug)-[a-z0-9-]+?)-(?:tech-leads|leads|approvers)")
_FINAL = {"implemented", "rejected", "withdrawn", "replaced"}


def handle(name: object) -> str:
    return str(name).strip().lstrip("@").lower()


def participation_waiting(root: Path) -> set[tuple[str, str]]:
    """(KEP folder, SIG) for each participating SIG of a KEP not final that nobody listed
    speaks for: no approver or reviewer is its people, and each is some SIG's."""
    aliases = yaml.safe_load((root / "OWNERS_ALIASES").read_text())["aliases"]
    people: dict[str, set[str]] = {}
    for name, members in aliases.items():
        if (match := _ALIAS.fullmatch(name)) is not None:
            people.setdefault(match[1], set()).update(handle(m) for m in members or ())
    anyone = set().union(*people.values())
    found = set()
    for path in (root / "keps").rglob("kep.yaml"):
        if path.parent.name == "NNNN-kep-template":
            continue
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
        status = str(data.get("status", "")).strip().lower()
        if status in _FINAL:
            continue
        listed = {
            handle(p) for p in [*(data.get("approvers") or []), *(data.get("reviewers") or [])]
        }
        listed.discard("")
        for sig in data.get("participating-sigs") or []:
            if not sig or sig == data.get("owning-sig"):
                continue
            if listed & people.get(sig, set()) or listed - anyone:
                continue
            found.add((path.parent.relative_to(root).as_posix(), sig))
    return found


@pytest.mark.corpus
def test_the_corpus_participation_agenda(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "enhancements"
    shutil.copytree(corpus / "enhancements-2026", root)
    restore_dropped_owners(root)
    found = records(root, as_of="2026-07-24")
    participation = {(r["location"], r["group"]) for r in found if r["sign_off"] == "participation"}
    assert participation == participation_waiting(root)
    assert len(participation) == 44
    assert all(r["state"] not in _FINAL for r in found)
    stamps = [(r["since"] is None, r["since"] or "") for r in found]
    assert stamps == sorted(stamps)  # oldest first, unknown last
