"""Validation of an enhancements checkout: each kepval rule, lint rules, baselines, corpus."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import keps.validate as kv
from keps.errors import InvalidContentError
from keps.problems import Severity
from tests.enhancements_tree import broken_checkout

GOOD = """\
title: Pod Things
kep-number: 1234
authors:
  - "@alice"
owning-sig: sig-node
participating-sigs:
  - sig-apps
status: implementable
creation-date: 2023-01-05
reviewers:
  - "@rita"
approvers:
  - "@arnold"
see-also:
  - "/keps/sig-node/99-other"
stage: beta
latest-milestone: "v1.30"
milestone:
  alpha: "v1.29"
  beta: "v1.30"
feature-gates:
  - name: PodThings
    components:
      - kubelet
disable-supported: true
"""

OTHER = """\
title: Other
kep-number: 99
authors: ["@bob"]
owning-sig: sig-node
status: implemented
approvers: ["@arnold"]
"""

PRR = 'kep-number: 1234\nalpha:\n  approver: "@wojtek-t"\nbeta:\n  approver: "deads2k"\n'

OWNERS = """\
aliases:
  prod-readiness-approvers:
    - deads2k
  prod-readiness-approvers-emeritus:
    - wojtek-t
"""


def make_repo(root: Path, kep_yaml: str = GOOD, prr: str | None = PRR) -> Path:
    """A small enhancements checkout: KEP 1234 (under test), KEP 99, OWNERS_ALIASES."""
    for folder, text in (("1234-pod-things", kep_yaml), ("99-other", OTHER)):
        kep_dir = root / "keps" / "sig-node" / folder
        kep_dir.mkdir(parents=True)
        (kep_dir / "kep.yaml").write_text(text, encoding="utf-8")
        (kep_dir / "README.md").write_text(f"# {folder}\n\n## Summary\n\nText.\n")
    if prr is not None:
        prr_dir = root / "keps" / "prod-readiness" / "sig-node"
        prr_dir.mkdir(parents=True)
        (prr_dir / "1234.yaml").write_text(prr, encoding="utf-8")
    (root / "OWNERS_ALIASES").write_text(OWNERS, encoding="utf-8")
    return root


def codes(root: Path, level: str = "kepval") -> list[str]:
    return [p.code for p in kv.validate(root, level=level)]


THIS = "keps/sig-node/1234-pod-things/kep.yaml"
OTHER_FILE = "keps/sig-node/99-other/kep.yaml"


def findings(root: Path, level: str = "kepval") -> list[tuple[str, str, str | None, int | None]]:
    """Every problem as (file relative to the checkout, code, field, line), sorted."""
    repo = kv.open_repository(root)
    return sorted(
        (repo.relative(p.path or ""), p.code, p.field, p.line)
        for p in kv.validate(repo, level=level)
    )


class TestKepval:
    def test_good_repository_passes(self, tmp_path: Path) -> None:
        """The well-formed checkout has no kepval problem and no lint problem."""
        make_repo(tmp_path)
        assert codes(tmp_path) == []
        assert codes(tmp_path, "lint") == []

    def test_keps_folder_names_the_repository_too(self, tmp_path: Path) -> None:
        """--content-root may name the repository root or its keps/ folder."""
        make_repo(tmp_path, GOOD + "colour: red\n")
        assert codes(tmp_path / "keps") == codes(tmp_path) == ["key-unknown"]

    # each case: (change to the good kep.yaml, expected code, field)
    @pytest.mark.parametrize(
        ("old", "new", "code", "field"),
        [
            # strict parsing
            (
                "disable-supported: true",
                "disable-supported: true\ncolour: red",
                "key-unknown",
                "colour",
            ),
            ("  alpha:", "  gamma: v1.2\n  alpha:", "key-unknown", "milestone.gamma"),
            ("title: Pod Things", "title: [Pod]", "field-type", "title"),
            (
                "disable-supported: true",
                "disable-supported: sure",
                "field-type",
                "disable-supported",
            ),
            # required fields
            ("title: Pod Things\n", "", "required-missing", "title"),
            ("kep-number: 1234\n", "", "required-missing", "kep-number"),
            ('authors:\n  - "@alice"\n', "", "required-missing", "authors"),
            ("owning-sig: sig-node\n", "", "required-missing", "owning-sig"),
            ('approvers:\n  - "@arnold"\n', "", "required-missing", "approvers"),
            ("status: implementable\n", "", "required-missing", "status"),
            # production readiness from v1.21 on
            ('latest-milestone: "v1.30"\n', "", "latest-milestone-missing", "latest-milestone"),
            (
                'latest-milestone: "v1.30"',
                "latest-milestone: soon",
                "latest-milestone-invalid",
                "latest-milestone",
            ),
            ("stage: beta\n", "", "stage-missing", "stage"),
            ("stage: beta", "stage: stable", "prr-approver-missing", "stage"),
        ],
    )
    def test_each_rule_catches_a_broken_kep(
        self, tmp_path: Path, old: str, new: str, code: str, field: str
    ) -> None:
        """One deliberate break gives exactly its problem, on the field concerned."""
        assert old in GOOD
        make_repo(tmp_path, GOOD.replace(old, new, 1))
        problems = [p for p in kv.validate(tmp_path) if p.code == code]
        assert [p.field for p in problems] == [field]
        assert problems[0].severity is Severity.ERROR
        assert problems[0].path is not None and problems[0].path.endswith("kep.yaml")

    def test_prr_file_missing(self, tmp_path: Path) -> None:
        """An implementable KEP at v1.30 without its approval file fails."""
        make_repo(tmp_path, prr=None)
        assert codes(tmp_path) == ["prr-file-missing"]

    def test_prr_approver_must_be_in_the_alias(self, tmp_path: Path) -> None:
        """The stage's approver must be a prod-readiness-approvers (or emeritus) member."""
        make_repo(tmp_path, prr=PRR.replace('"deads2k"', '"@someone"'))
        [problem] = kv.validate(tmp_path)
        assert problem.code == "prr-approver-not-allowed"
        assert "@someone" in problem.message

    def test_emeritus_approver_counts(self, tmp_path: Path) -> None:
        """An emeritus approver's approval still counts (stage alpha, @wojtek-t)."""
        text = GOOD.replace("stage: beta", "stage: alpha").replace(
            'latest-milestone: "v1.30"', 'latest-milestone: "v1.29"'
        )
        make_repo(tmp_path, text)
        assert codes(tmp_path) == []

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            ('latest-milestone: "v1.30"', 'latest-milestone: "v1.20"'),
            ("status: implementable", "status: provisional"),
        ],
    )
    def test_prr_not_required(self, tmp_path: Path, old: str, new: str) -> None:
        """Before v1.21, or before implementable, no approval file is needed."""
        make_repo(tmp_path, GOOD.replace(old, new), prr=None)
        assert codes(tmp_path) == []

    @pytest.mark.parametrize(
        ("release", "expected"),
        [
            ("v1.20", []),
            ("v1.21", [("prr-file-missing", "kep-number")]),
            ("v1.22", [("prr-file-missing", "kep-number")]),
        ],
    )
    def test_prr_rule_applies_from_v1_21(
        self, tmp_path: Path, release: str, expected: list[tuple[str, str]]
    ) -> None:
        """latest-milestone v1.21 is the first release that needs a PRR approval file."""
        text = GOOD.replace('latest-milestone: "v1.30"', f'latest-milestone: "{release}"')
        text = text.replace('  alpha: "v1.29"\n  beta: "v1.30"', f'  beta: "{release}"')
        make_repo(tmp_path, text, prr=None)
        assert [(p.code, p.field) for p in kv.validate(tmp_path)] == expected

    @pytest.mark.parametrize(
        ("release", "expected"),
        [
            ("v1.20", []),
            (
                "v1.21",
                [
                    ("latest-milestone-missing", "latest-milestone"),
                    ("prr-file-missing", "kep-number"),
                ],
            ),
        ],
    )
    def test_without_latest_milestone_the_milestones_decide(
        self, tmp_path: Path, release: str, expected: list[tuple[str, str]]
    ) -> None:
        """Dropping latest-milestone does not dodge the rule: the latest milestone counts."""
        text = GOOD.replace('latest-milestone: "v1.30"\n', "")
        text = text.replace('  alpha: "v1.29"\n  beta: "v1.30"', f'  beta: "{release}"')
        make_repo(tmp_path, text, prr=None)
        assert [(p.code, p.field) for p in kv.validate(tmp_path)] == expected

    # each case: (change to the good kep.yaml, approval file, every kepval problem in full)
    @pytest.mark.parametrize(
        ("old", "new", "prr", "expected"),
        [
            (
                'latest-milestone: "v1.30"\n',
                "",
                PRR,
                [
                    (
                        "latest-milestone-missing",
                        "latest-milestone",
                        None,
                        "a implementable KEP targeting v1.21 or later must set latest-milestone",
                    )
                ],
            ),
            (
                'latest-milestone: "v1.30"',
                "latest-milestone: soon",
                PRR,
                [
                    (
                        "latest-milestone-invalid",
                        "latest-milestone",
                        17,
                        "latest-milestone 'soon' must be a release such as v1.30",
                    )
                ],
            ),
            (
                "stage: beta\n",
                "",
                PRR,
                [
                    (
                        "stage-missing",
                        "stage",
                        None,
                        "a implementable KEP targeting v1.21 or later must set stage",
                    )
                ],
            ),
            (
                "",
                "",
                None,
                [
                    (
                        "prr-file-missing",
                        "kep-number",
                        2,
                        "production readiness approval file "
                        "keps/prod-readiness/sig-node/1234.yaml is missing",
                    )
                ],
            ),
            (
                "stage: beta",
                "stage: stable",
                PRR,
                [
                    (
                        "prr-approver-missing",
                        "stage",
                        16,
                        "the PRR approval file names no approver for stage 'stable'",
                    )
                ],
            ),
            (
                "",
                "",
                PRR.replace('"deads2k"', '"@someone"'),
                [
                    (
                        "prr-approver-not-allowed",
                        "stage",
                        16,
                        "PRR approver @someone for stage 'beta' is not in prod-readiness-approvers "
                        "(or its emeritus alias) in OWNERS_ALIASES",
                    )
                ],
            ),
            (
                "owning-sig: sig-node",
                "owning-sig: ../../x",
                PRR,
                [
                    (
                        "prr-file-missing",
                        "owning-sig",
                        5,
                        "no PRR approval file can be named after '../../x': it holds a path separator",
                    )
                ],
            ),
            # no number: the strict rule says so; no approval file is looked for
            (
                "kep-number: 1234\n",
                "",
                PRR,
                [("required-missing", "kep-number", None, "kep-number must be set")],
            ),
        ],
    )
    def test_every_problem_in_full(
        self,
        tmp_path: Path,
        old: str,
        new: str,
        prr: str | None,
        expected: list[tuple[str, str, int | None, str]],
    ) -> None:
        """Each broken KEP gives exactly these problems: code, field, line and our message."""
        assert old in GOOD
        make_repo(tmp_path, GOOD.replace(old, new, 1), prr=prr)
        found = [(p.code, p.field, p.line, p.message) for p in kv.validate(tmp_path)]
        assert found == expected

    def test_before_v1_21_the_approval_file_is_not_read(self, tmp_path: Path) -> None:
        """A v1.20 KEP at a stage its approval file does not name has no problem."""
        text = GOOD.replace('latest-milestone: "v1.30"', 'latest-milestone: "v1.20"')
        text = text.replace("stage: beta", "stage: stable")
        text = text.replace('  alpha: "v1.29"\n  beta: "v1.30"', '  stable: "v1.20"')
        make_repo(tmp_path, text)
        assert findings(tmp_path) == []

    def test_month_15_is_not_a_kepval_error(self, tmp_path: Path) -> None:
        """kepval accepts what the repository's CI accepts; lint reports the bad date."""
        make_repo(tmp_path, GOOD.replace("2023-01-05", "2023-15-05"))
        assert codes(tmp_path) == []
        [problem] = kv.validate(tmp_path, level="lint")
        assert (problem.code, problem.field, problem.line) == ("date-invalid", "creation-date", 9)


class TestLint:
    # each case: (change to the good kep.yaml, every lint problem it gives: file, code, field, line)
    @pytest.mark.parametrize(
        ("old", "new", "expected"),
        [
            (
                "status: implementable",
                "status: implemnted",
                [(THIS, "status-invalid", "status", 8)],
            ),
            (
                "stage: beta",
                "stage: betta",
                # no PRR approver for a stage that does not exist: kepval says so too
                [
                    (THIS, "prr-approver-missing", "stage", 16),
                    (THIS, "stage-invalid", "stage", 16),
                ],
            ),
            (
                "  - sig-apps",
                "  - sig-nope",
                [(THIS, "participating-sig-unknown", "participating-sigs", 7)],
            ),
            (
                '  beta: "v1.30"',
                '  beta: "TBD"',
                [
                    (THIS, "milestone-invalid", "milestone.beta", 20),
                    (THIS, "template-placeholder", "milestone", 18),
                ],
            ),
            (
                '  alpha: "v1.29"',
                '  alpha: "v1.31"',
                [(THIS, "milestone-backwards", "milestone.beta", 20)],
            ),
            (
                'latest-milestone: "v1.30"',
                'latest-milestone: "v1.29"',
                [(THIS, "latest-milestone-mismatch", "latest-milestone", 17)],
            ),
            (
                "kep-number: 1234",
                "kep-number: 99",
                # and the approval file keps/prod-readiness/sig-node/99.yaml is missing
                [
                    (THIS, "kep-number-duplicate", "kep-number", 2),
                    (THIS, "kep-number-mismatch", "kep-number", 2),
                    (THIS, "prr-file-missing", "kep-number", 2),
                    (OTHER_FILE, "kep-number-duplicate", "kep-number", 2),
                ],
            ),
            (
                '  - "/keps/sig-node/99-other"',
                '  - "/keps/sig-node/98-gone"',
                [(THIS, "see-also-unresolved", "see-also", 15)],
            ),
            (
                '  - "/keps/sig-node/99-other"',
                '  - "n/a"',
                [(THIS, "link-placeholder", "see-also", 15)],
            ),
            (
                "see-also:",
                "replaces:\n  - /keps/sig-node/99-other\nsee-also:",
                [(THIS, "link-not-reciprocal", "replaces", 15)],
            ),
            ('  - "@rita"', "  - TBD", [(THIS, "template-placeholder", "reviewers", 10)]),
            (
                "owning-sig: sig-node",
                "owning-sig: sig-apps",
                # the approval file is looked for under the owning SIG, sig-apps
                [
                    (THIS, "prr-file-missing", "kep-number", 2),
                    (THIS, "sig-folder-mismatch", "owning-sig", 5),
                ],
            ),
        ],
    )
    def test_each_rule_catches_a_broken_kep(
        self, tmp_path: Path, old: str, new: str, expected: list[tuple[str, str, str, int]]
    ) -> None:
        """One deliberate break gives its lint problem and nothing else."""
        assert old in GOOD
        make_repo(tmp_path, GOOD.replace(old, new, 1))
        assert findings(tmp_path, "lint") == sorted(expected)

    def test_implemented_not_stable(self, tmp_path: Path) -> None:
        """An implemented KEP still at beta is flagged."""
        make_repo(tmp_path, GOOD.replace("status: implementable", "status: implemented"))
        assert "implemented-not-stable" in codes(tmp_path, "lint")

    def test_duplicate_and_zero_numbers(self, tmp_path: Path) -> None:
        """Two KEPs with one number are both flagged; 0000 is the template's number."""
        make_repo(tmp_path, GOOD.replace("kep-number: 1234", "kep-number: 99"), prr=None)
        found = Counter(codes(tmp_path, "lint"))
        assert found["kep-number-duplicate"] == 2
        zero = tmp_path / "keps" / "sig-node" / "0000-zero"
        zero.mkdir()
        (zero / "kep.yaml").write_text(OTHER.replace("kep-number: 99", "kep-number: 0000"))
        assert "kep-number-zero" in codes(tmp_path, "lint")


class TestGoldenCheckout:
    """A checkout broken on purpose, with its complete list of problems, and its sound twin."""

    def test_every_problem_and_nothing_else(self, tmp_path: Path) -> None:
        """The eight kinds of fault found in the corpus, each reported where it is, and no other."""
        root = broken_checkout(tmp_path, broken=True)
        assert findings(root, "lint") == [
            ("keps/sig-api-machinery/101-dates/kep.yaml", "date-invalid", "creation-date", 9),
            ("keps/sig-apps/105-second/kep.yaml", "kep-number-duplicate", "kep-number", 2),
            ("keps/sig-apps/105-second/kep.yaml", "kep-number-mismatch", "kep-number", 2),
            ("keps/sig-architecture/0000-process/kep.yaml", "kep-number-zero", "kep-number", 2),
            (
                "keps/sig-cli/108-participating/kep.yaml",
                "participating-sig-unknown",
                "participating-sigs",
                7,
            ),
            ("keps/sig-instrumentation/107-stage/kep.yaml", "stage-invalid", "stage", 14),
            ("keps/sig-node/102-status/kep.yaml", "status-invalid", "status", 8),
            ("keps/sig-node/103-mismatch/kep.yaml", "kep-number-mismatch", "kep-number", 2),
            ("keps/sig-node/104-first/kep.yaml", "kep-number-duplicate", "kep-number", 2),
            ("keps/sig-scheduling/109-approvers/kep.yaml", "required-empty", "approvers", 12),
        ]
        assert all(p.severity is Severity.ERROR for p in kv.validate(root, level="lint"))
        # none of these is something the enhancements CI refuses
        assert findings(root) == []

    def test_the_sound_twin_has_no_problem(self, tmp_path: Path) -> None:
        """The same checkout without the faults: nothing at either level."""
        root = broken_checkout(tmp_path, broken=False)
        assert len(kv.open_repository(root).keps) == 9
        assert findings(root, "lint") == []
        assert findings(root) == []


class TestBaseline:
    def test_only_new_problems_are_reported(self, tmp_path: Path) -> None:
        """A baseline of today's problems silences them; a new one still shows."""
        make_repo(tmp_path, GOOD.replace("stage: beta", "stage: betta"))
        repo = kv.open_repository(tmp_path)
        today = kv.validate(repo, level="lint")
        assert today
        baseline = tmp_path / "baseline.json"
        assert kv.write_baseline(repo, today, baseline) == len(today)
        assert kv.new_problems(repo, today, kv.read_baseline(baseline)) == ()
        broken = GOOD.replace("stage: beta", "stage: betta").replace("  - sig-apps", "  - sig-nope")
        (tmp_path / "keps/sig-node/1234-pod-things/kep.yaml").write_text(broken)
        repo = kv.open_repository(tmp_path)
        new = kv.new_problems(repo, kv.validate(repo, level="lint"), kv.read_baseline(baseline))
        assert [p.code for p in new] == ["participating-sig-unknown"]

    def test_bad_baseline_is_an_error(self, tmp_path: Path) -> None:
        """A file that is no baseline raises InvalidContentError naming it."""
        path = tmp_path / "b.json"
        path.write_text("[]")
        with pytest.raises(InvalidContentError, match="b.json"):
            kv.read_baseline(path)


class TestCorpus:
    def test_kepval_passes_on_the_corpus(self, corpus: Path) -> None:
        """The repository's own CI passes on this snapshot: zero kepval problems."""
        repo = kv.open_repository(corpus / "enhancements-2026")
        assert len(repo.keps) == 656
        assert kv.validate(repo) == ()

    def test_lint_findings_are_real(self, corpus: Path) -> None:
        """Hand-checked KEPs of the corpus: every lint finding on each, and nothing else."""
        repo = kv.open_repository(corpus / "enhancements-2026" / "keps")
        found: dict[str, list[tuple[str, str | None, int | None]]] = {}
        for p in kv.validate(repo, level="lint"):
            found.setdefault(repo.relative(p.path or ""), []).append((p.code, p.field, p.line))
        expected = {
            "keps/sig-api-machinery/4355-coordinated-leader-election/kep.yaml": [
                ("date-invalid", "creation-date", 10),
                ("template-placeholder", "metrics", 37),
            ],
            "keps/sig-node/2625-cpumanager-policies-thread-placement/kep.yaml": [
                ("status-invalid", "status", 8)
            ],
            "keps/sig-node/2043-pod-resource-concrete-assigments/kep.yaml": [
                ("kep-number-mismatch", "kep-number", 2),
                ("latest-milestone-mismatch", "latest-milestone", 30),
            ],
            "keps/sig-node/2133-kubelet-credential-providers/kep.yaml": [
                ("kep-number-duplicate", "kep-number", 2),
                ("replaces-unresolved", "replaces", 21),
            ],
            "keps/sig-architecture/0000-kep-process/kep.yaml": [
                ("kep-number-zero", "kep-number", 2)
            ],
            "keps/sig-instrumentation/1753-logs-sanitization/kep.yaml": [
                ("stage-invalid", "stage", 12),
                ("status-invalid", "status", 10),
            ],
            "keps/sig-cli/2590-kubectl-subresource/kep.yaml": [
                ("participating-sig-unknown", "participating-sigs", 8)
            ],
            "keps/sig-scheduling/5941-dra-shared-consumable-capacity/kep.yaml": [
                ("required-empty", "approvers", 13)
            ],
        }
        assert {file: sorted(found.get(file, [])) for file in expected} == expected
