"""The lint rules from the sign-off model: participating-sig-unlisted and kep-stale.

Each rule is broken once on the small checkout of tests/validate_helpers.py, with its
twin one edit away that passes; on the shared corpus each count equals one made here
with plain PyYAML and the rule as keps.validate.signoff_rules states it in words.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

import keps.validate as kv
from keps.problems import Severity
from keps.validate.lint import context_for
from keps.validate.signoff_rules import STALE_AFTER, kep_is_not_stale
from tests.corpus_checkout import restore_dropped_owners
from tests.validate_helpers import GOOD, KEP, OTHER, OWNERS_ALIASES, findings, make_checkout

SIG_APPS_ALIAS = OWNERS_ALIASES + "  sig-apps-approvers:\n    - mrunalp\n"

#: GOOD with only SIG Node tech leads listed: nobody may speak for sig-apps.
NODE_ONLY = GOOD.replace('  - "@rita"', '  - "@mrunalp"').replace(
    '  - "@arnold"', '  - "@DChen1107"'
)


class TestParticipatingSigUnlisted:
    def test_people_of_another_sig_only(self, tmp_path: Path) -> None:
        make_checkout(tmp_path, NODE_ONLY)
        assert findings(tmp_path) == []  # not what CI checks
        assert findings(tmp_path, "lint") == [("participating-sig-unlisted", KEP, 7)]
        [problem] = kv.validate(tmp_path, level="lint")
        assert problem.severity is Severity.WARNING
        assert problem.field == "participating-sigs"
        assert "sig-apps" in problem.message

    def test_the_twin_whose_reviewer_is_a_sig_apps_approver(self, tmp_path: Path) -> None:
        make_checkout(tmp_path, NODE_ONLY)
        (tmp_path / "OWNERS_ALIASES").write_text(SIG_APPS_ALIAS)
        assert findings(tmp_path, "lint") == []

    def test_someone_no_group_claims_may_speak_for_it(self, tmp_path: Path) -> None:
        """GOOD lists rita and arnold, whom OWNERS_ALIASES names nowhere: no finding."""
        make_checkout(tmp_path)
        assert findings(tmp_path, "lint") == []

    def test_nobody_listed_at_all(self, tmp_path: Path) -> None:
        text = GOOD.replace('reviewers:\n  - "@rita"', "reviewers: []").replace(
            'approvers:\n  - "@arnold"', "approvers: []"
        )
        make_checkout(tmp_path, text)
        assert sorted(findings(tmp_path, "lint")) == [
            ("participating-sig-unlisted", KEP, 7),
            ("required-empty", KEP, 11),
        ]
        messages = [p.message for p in kv.validate(tmp_path, level="lint")]
        assert any("lists no approver or reviewer" in m for m in messages)

    def test_the_owning_sig_among_the_participating_needs_no_second_sign_off(
        self, tmp_path: Path
    ) -> None:
        make_checkout(tmp_path, NODE_ONLY.replace("  - sig-apps", "  - sig-node"))
        assert findings(tmp_path, "lint") == []


def with_dates(text: str, created: str, updated: str | None = None) -> str:
    text = text.replace("creation-date: 2023-01-05", f"creation-date: {created}")
    if updated is not None:
        text = text.replace(
            f"creation-date: {created}", f"creation-date: {created}\nlast-updated: {updated}"
        )
    return text


#: KEP 99 (implemented: final) created on 2024-01-06: the checkout's newest date.
OTHER_2024 = OTHER.replace("status: implemented", "status: implemented\ncreation-date: 2024-01-06")


class TestKepStale:
    def test_unchanged_for_366_days(self, tmp_path: Path) -> None:
        make_checkout(tmp_path, with_dates(GOOD, "2023-01-05"))
        (tmp_path / "keps/sig-node/99-other/kep.yaml").write_text(OTHER_2024)
        assert findings(tmp_path, "lint") == [("kep-stale", KEP, 9)]
        [problem] = kv.validate(tmp_path, level="lint")
        assert problem.severity is Severity.WARNING
        assert problem.field == "creation-date"
        assert "366 days before the newest date in the checkout (2024-01-06)" in problem.message

    def test_the_twin_unchanged_for_365_days(self, tmp_path: Path) -> None:
        make_checkout(tmp_path, with_dates(GOOD, "2023-01-06"))
        (tmp_path / "keps/sig-node/99-other/kep.yaml").write_text(OTHER_2024)
        assert findings(tmp_path, "lint") == []

    def test_last_updated_comes_before_the_creation_date(self, tmp_path: Path) -> None:
        make_checkout(tmp_path, with_dates(GOOD, "2022-01-05", "2023-12-01"))
        (tmp_path / "keps/sig-node/99-other/kep.yaml").write_text(OTHER_2024)
        assert findings(tmp_path, "lint") == []
        make_checkout(tmp_path, with_dates(GOOD, "2022-01-05", "2022-06-01"))
        (tmp_path / "keps/sig-node/99-other/kep.yaml").write_text(OTHER_2024)
        assert findings(tmp_path, "lint") == [("kep-stale", KEP, 10)]

    @pytest.mark.parametrize("status", ["implemented", "withdrawn", "rejected", "replaced"])
    def test_a_final_kep_is_never_stale(self, tmp_path: Path, status: str) -> None:
        text = with_dates(GOOD, "2020-01-05").replace("status: implementable", f"status: {status}")
        make_checkout(tmp_path, text)
        (tmp_path / "keps/sig-node/99-other/kep.yaml").write_text(OTHER_2024)
        assert "kep-stale" not in {code for code, _, _ in findings(tmp_path, "lint")}

    def test_deferred_is_not_final(self, tmp_path: Path) -> None:
        text = with_dates(GOOD, "2020-01-05").replace("status: implementable", "status: deferred")
        make_checkout(tmp_path, text)
        (tmp_path / "keps/sig-node/99-other/kep.yaml").write_text(OTHER_2024)
        assert ("kep-stale", KEP, 9) in findings(tmp_path, "lint")

    def test_the_threshold_is_the_context_s(self, tmp_path: Path) -> None:
        make_checkout(tmp_path, with_dates(GOOD, "2023-01-05"))
        (tmp_path / "keps/sig-node/99-other/kep.yaml").write_text(OTHER_2024)
        repo = kv.open_repository(tmp_path)
        [kep] = [k for k in repo.keps if k.kep_number == 1234]
        assert dt.timedelta(days=365) == STALE_AFTER
        assert len(list(kep_is_not_stale(kep, context_for(repo)))) == 1
        longer = context_for(repo, stale_after=dt.timedelta(days=366))
        assert list(kep_is_not_stale(kep, longer)) == []


# -- the corpus, counted apart from keps ----------------------------------------------------

_ALIAS = re.compile(r"((?:sig|wg|committee|ug)-[a-z0-9-]+?)-(?:tech-leads|leads|approvers)")
_NOT_FINAL = {"draft", "provisional", "implementable", "deferred"}


def handle(name: object) -> str:
    return str(name).strip().lstrip("@").strip().lower()


def kep_files(root: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every kep.yaml but the template, read with PyYAML as text."""
    out = []
    for path in sorted((root / "keps").rglob("kep.yaml")):
        if path.parent.name == "NNNN-kep-template":
            continue
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        out.append((path, data if isinstance(data, dict) else {}))
    return out


def unlisted(root: Path) -> Counter[str]:
    """(kep.yaml, SIG) pairs where a participating SIG other than the owning SIG has nobody
    listed: no approver or reviewer is one of its people, and each is someone's."""
    aliases = yaml.safe_load((root / "OWNERS_ALIASES").read_text())["aliases"]
    people: dict[str, set[str]] = {}
    for name, members in aliases.items():
        match = _ALIAS.fullmatch(name)
        if match:
            people.setdefault(match[1], set()).update(handle(m) for m in members or ())
    someone_s = set().union(*people.values())
    found: Counter[str] = Counter()
    for path, data in kep_files(root):
        listed = {
            handle(p) for p in [*(data.get("approvers") or []), *(data.get("reviewers") or [])]
        }
        listed.discard("")
        for sig in set(data.get("participating-sigs") or []):
            if sig == data.get("owning-sig") or not sig:
                continue
            if listed & people.get(sig, set()) or listed - someone_s:
                continue
            found[str(path)] += 1
    return found


def _day(text: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text).strip()) if text else None
    except ValueError:
        return None


def stale(root: Path) -> set[str]:
    """kep.yaml files not final whose last-updated (else creation-date) lies more than
    365 days before the newest such date of all."""
    changed = {}
    for path, data in kep_files(root):
        day = _day(data.get("last-updated")) or _day(data.get("creation-date"))
        if day is not None:
            changed[str(path)] = (day, str(data.get("status", "")).strip().lower())
    newest = max(day for day, _ in changed.values())
    return {
        path
        for path, (day, status) in changed.items()
        if status in _NOT_FINAL and (newest - day).days > 365
    }


@pytest.mark.corpus
def test_the_corpus_counts(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "enhancements"
    shutil.copytree(corpus / "enhancements-2026", root)
    restore_dropped_owners(root)
    problems = kv.validate(root, level="lint")
    mine = [p for p in problems if p.code == "participating-sig-unlisted"]
    expected = unlisted(root)
    assert Counter(p.path for p in mine) == expected
    assert (len(expected), sum(expected.values())) == (56, 70)
    old = {p.path for p in problems if p.code == "kep-stale"}
    assert old == stale(root)
    assert len(old) == 263
