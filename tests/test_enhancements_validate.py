"""Validation of an enhancements checkout: each kepval rule, lint rules, baselines, corpus.

Every kepval test writes a checkout, breaks one thing on purpose and asserts the complete
list of findings (code, file, line); its valid twin, one edit away, has none. Which
upstream file each rule mirrors is said in keps/validate/kepval.py.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

import keps.validate as kv
from keps.errors import InvalidArgumentError, InvalidContentError
from keps.problems import Severity
from tests.corpus_checkout import annotated_keps, restore_dropped_owners
from tests.enhancements_tree import broken_checkout
from tests.validate_helpers import (
    GOOD,
    KEP,
    OTHER,
    OWNERS_ALIASES,
    PRR,
    PRR_FILE,
    README,
    findings,
    make_checkout,
    readme,
    write,
)


def twin_and_broken(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "twin", tmp_path / "broken"


class TestValidCheckout:
    def test_good_checkout_passes_both_levels(self, tmp_path: Path) -> None:
        """The complete checkout has no kepval problem and no lint problem."""
        make_checkout(tmp_path)
        assert findings(tmp_path) == []
        assert findings(tmp_path, "lint") == []

    def test_keps_folder_names_the_repository_too(self, tmp_path: Path) -> None:
        """--content-root may name the repository root or its keps/ folder."""
        make_checkout(tmp_path, GOOD + "colour: red\n")
        assert findings(tmp_path / "keps") == findings(tmp_path) == [("key-unknown", KEP, 26)]


# (edit of kep.yaml: old, broken new, twin new; the complete findings of the broken one)
STRICT_CASES = [
    # a key the Go struct lacks; a key it has (name, path, id, prnumber) is no error
    ("disable-supported: true", "colour: red", "name: pod-things", [("key-unknown", KEP, 25)]),
    ("disable-supported: true", "prNumber: 12", "prnumber: 12", [("key-unknown", KEP, 25)]),
    ("disable-supported: true", "path: [a]", "path: sig-node/x", [("field-type", KEP, 25)]),
    ("disable-supported: true", 'prr-approvers: ["@x"]', "id: abc", [("key-unknown", KEP, 25)]),
    # a misspelt stage under milestone; a bad milestone of the wrong kind
    ('  alpha: "v1.29"', "  alhpa: v1.29", "  deprecated: v1.29", [("key-unknown", KEP, 19)]),
    ('  beta: "v1.30"', "  beta: [v1.30]", "  beta: 1.30", [("field-type", KEP, 20)]),
    # values of the wrong kind; yaml.v3's YAML 1.1 booleans are flags
    ("title: Pod Things", "title: [Pod]", "title: 2020", [("field-type", KEP, 1)]),
    (
        "disable-supported: true",
        "disable-supported: sure",
        "disable-supported: yes",
        [("field-type", KEP, 25)],
    ),
    ('  - "@alice"', "  - {name: alice}", "  - 42", [("field-type", KEP, 4)]),
    # a key given twice
    (
        "stage: beta",
        "stage: beta\nstage: alpha",
        "stage: beta\n# stage: alpha",
        [("key-duplicate", KEP, 17)],
    ),
    # required fields: missing, null, or ""; an empty required list is not nil
    ("title: Pod Things\n", "", "title: P\n", [("required-missing", KEP, None)]),
    ("kep-number: 1234", "kep-number: ~", 'kep-number: "1234"', [("required-missing", KEP, 2)]),
    ("title: Pod Things", 'title: ""', 'title: " "', [("required-missing", KEP, 1)]),
    (
        "owning-sig: sig-node",
        "owning-sig: ''",
        "owning-sig: sig-node",
        [("required-missing", KEP, 5)],
    ),
    ("status: implementable", 'status: ""', "status: provisional", [("required-missing", KEP, 8)]),
    ('approvers:\n  - "@arnold"', "approvers:", "approvers: []", [("required-missing", KEP, 12)]),
    ('authors:\n  - "@alice"', "authors: ~", "authors: []", [("required-missing", KEP, 3)]),
    # KEPHandler.Parse reads only the lines between the first two holding "---"
    (
        "title: Pod Things",
        "title: Pod Things\n# ---- metadata ----",
        "---\ntitle: Pod Things",
        [("required-missing", KEP, None)],
    ),
    # not YAML at all
    ("stage: beta", "stage: [beta", "stage: 'beta'", [("yaml-invalid", KEP, 17)]),
]


class TestStrictParsing:
    @pytest.mark.parametrize(("old", "new", "twin", "expected"), STRICT_CASES)
    def test_broken_kep_and_its_twin(
        self,
        tmp_path: Path,
        old: str,
        new: str,
        twin: str,
        expected: list[tuple[str, str, int | None]],
    ) -> None:
        """The broken kep.yaml gives exactly its findings; the twin, one edit away, none."""
        assert old in GOOD
        good, bad = twin_and_broken(tmp_path)
        make_checkout(good, GOOD.replace(old, twin, 1))
        make_checkout(bad, GOOD.replace(old, new, 1))
        assert findings(good) == []
        assert findings(bad) == expected

    def test_every_problem_is_an_error_naming_kep_yaml(self, tmp_path: Path) -> None:
        """A strict-parsing finding is an error with its file, field and line."""
        make_checkout(tmp_path, GOOD.replace("title: Pod Things", "title: [Pod]"))
        [problem] = kv.validate(tmp_path)
        assert problem.severity is Severity.ERROR
        assert (problem.field, problem.line) == ("title", 1)
        assert problem.path is not None and problem.path.endswith(KEP)

    def test_bad_milestone_text_is_lint_not_kepval(self, tmp_path: Path) -> None:
        """CI never reads milestone.<stage> as a version: "v1.3x" there is a lint error only."""
        make_checkout(tmp_path, GOOD.replace('  beta: "v1.30"', '  beta: "v1.3x"'))
        assert findings(tmp_path) == []
        assert findings(tmp_path, "lint") == [("milestone-invalid", KEP, 20)]


# (edit of the PRR file, or None to leave it out; the complete findings)
PRR_CASES = [
    ('  approver: "deads2k"', '  approver: ""', [("prr-required-missing", PRR_FILE, 5)]),
    ('beta:\n  approver: "deads2k"\n', "beta:\n", [("prr-approver-missing", PRR_FILE, 1)]),
    ('beta:\n  approver: "deads2k"\n', "beta: {}\n", [("prr-required-missing", PRR_FILE, None)]),
    (
        'alpha:\n  approver: "@wojtek-t"\nbeta:\n  approver: "deads2k"\n',
        "",
        [("prr-approver-missing", PRR_FILE, 1)],
    ),
    ("beta:", "bta:", [("prr-key-unknown", PRR_FILE, 4)]),
    ("beta:", "GA:", [("prr-key-unknown", PRR_FILE, 4)]),
    ("kep-number: 1234\n", "", [("prr-required-missing", PRR_FILE, None)]),
    ("kep-number: 1234", "kep-number: [1234", [("prr-yaml-invalid", PRR_FILE, 2)]),
    (
        '  approver: "deads2k"',
        '  approver: "@someone"',
        [("prr-approver-not-allowed", PRR_FILE, 5)],
    ),
    (
        '  approver: "deads2k"',
        '  approver: "@Deads2k"',
        [("prr-approver-not-allowed", PRR_FILE, 5)],
    ),
    (
        '  approver: "deads2k"',
        '  approver: "@@deads2k"',
        [("prr-approver-not-allowed", PRR_FILE, 5)],
    ),
]


class TestProductionReadiness:
    @pytest.mark.parametrize(("old", "new", "expected"), PRR_CASES)
    def test_broken_approval_file(
        self, tmp_path: Path, old: str, new: str, expected: list[tuple[str, str, int | None]]
    ) -> None:
        """A PRR file as upstream's PRRHandler refuses it; the file as shipped passes."""
        assert old in PRR
        good, bad = twin_and_broken(tmp_path)
        make_checkout(good)
        make_checkout(bad, prr=PRR.replace(old, new, 1))
        assert findings(good) == []
        assert findings(bad) == expected

    def test_the_template_approval_file_as_shipped(self, tmp_path: Path) -> None:
        """kep-number plus a stage whose approver is still "" (the template) is refused."""
        make_checkout(tmp_path, prr='kep-number: 1234\nbeta:\n  approver: ""\n')
        assert findings(tmp_path) == [("prr-required-missing", PRR_FILE, 3)]

    def test_approval_file_missing(self, tmp_path: Path) -> None:
        """An implementable KEP at v1.30 without its approval file fails, at kep-number."""
        make_checkout(tmp_path, prr=None)
        assert findings(tmp_path) == [("prr-file-missing", KEP, 2)]

    def test_file_named_as_the_number_is_written(self, tmp_path: Path) -> None:
        """kep-number: 01234 looks for 01234.yaml, as CI does; 1234.yaml does not count."""
        make_checkout(tmp_path, GOOD.replace("kep-number: 1234", "kep-number: 01234"))
        assert findings(tmp_path) == [("prr-file-missing", KEP, 2)]
        write(tmp_path, "keps/prod-readiness/sig-node/01234.yaml", PRR)
        assert findings(tmp_path) == []

    def test_owning_sig_cannot_lead_out_of_prod_readiness(self, tmp_path: Path) -> None:
        """owning-sig ../.. names no file outside keps/prod-readiness: nothing is read there."""
        root = make_checkout(
            tmp_path / "repo", GOOD.replace("owning-sig: sig-node", "owning-sig: ../../..")
        )
        write(tmp_path, "1234.yaml", PRR)  # where keps/prod-readiness/../../../1234.yaml leads
        assert findings(root) == [("prr-file-missing", KEP, 2)]

    def test_emeritus_approver_counts(self, tmp_path: Path) -> None:
        """An emeritus approver's approval counts (stage alpha, @wojtek-t)."""
        text = GOOD.replace("stage: beta", "stage: alpha")
        make_checkout(
            tmp_path, text.replace('latest-milestone: "v1.30"', 'latest-milestone: "v1.29"')
        )
        assert findings(tmp_path) == []

    @pytest.mark.parametrize(
        ("old", "new", "expected"),
        [
            ("stage: beta", "stage: betta", [("stage-invalid", KEP, 16)]),
            ("stage: beta", "stage: stable", [("prr-approver-missing", PRR_FILE, 1)]),
            ("stage: beta\n", "", [("stage-missing", KEP, None)]),
            ('latest-milestone: "v1.30"\n', "", [("latest-milestone-missing", KEP, None)]),
            (
                'latest-milestone: "v1.30"',
                "latest-milestone: soon",
                [("latest-milestone-invalid", KEP, 17)],
            ),
            (
                'latest-milestone: "v1.30"',
                "latest-milestone: v1.30-rc.1",
                [("latest-milestone-invalid", KEP, 17)],
            ),
        ],
    )
    def test_broken_kep_under_the_prr_rule(
        self, tmp_path: Path, old: str, new: str, expected: list[tuple[str, str, int | None]]
    ) -> None:
        """The KEP side of ValidatePRR: stage and latest-milestone, as CI reads them."""
        make_checkout(tmp_path, GOOD.replace(old, new, 1))
        assert findings(tmp_path) == expected

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            ('latest-milestone: "v1.30"', 'latest-milestone: "v1.20"'),
            ('latest-milestone: "v1.30"', "latest-milestone: 1.30"),
            ('latest-milestone: "v1.30"', "latest-milestone: v01.030"),
            ("status: implementable", "status: provisional"),
        ],
    )
    def test_prr_file_not_needed_or_found(self, tmp_path: Path, old: str, new: str) -> None:
        """Before v1.21 or before implementable no file is needed; 1.30 and v01.030 are v1.30."""
        make_checkout(
            tmp_path,
            GOOD.replace(old, new),
            prr=None if "v1.20" in new or "provisional" in new else PRR,
        )
        assert findings(tmp_path) == []

    def test_old_implemented_kep_still_names_latest_milestone(self, tmp_path: Path) -> None:
        """CI asks every implemented KEP for latest-milestone and stage, old ones too."""
        make_checkout(tmp_path)
        write(
            tmp_path,
            "keps/sig-node/99-other/kep.yaml",
            OTHER.replace('latest-milestone: "v1.19"\n', ""),
        )
        assert findings(tmp_path) == [
            ("latest-milestone-missing", "keps/sig-node/99-other/kep.yaml", None)
        ]

    def test_a_finding_of_both_levels_is_reported_once(self, tmp_path: Path) -> None:
        """stage: betta blocks CI under the PRR rule; lint does not say it a second time."""
        make_checkout(tmp_path, GOOD.replace("stage: beta", "stage: betta"))
        assert findings(tmp_path, "lint") == [("stage-invalid", KEP, 16)]

    def test_month_15_is_not_a_kepval_error(self, tmp_path: Path) -> None:
        """kepval accepts what the repository's CI accepts; lint reports the bad date."""
        make_checkout(tmp_path, GOOD.replace("2023-01-05", "2023-15-05"))
        assert findings(tmp_path) == []
        assert findings(tmp_path, "lint") == [("date-invalid", KEP, 9)]


class TestFolders:
    def test_readme_without_kep_yaml(self, tmp_path: Path) -> None:
        """A README.md with no kep.yaml beside it fails; with its kep.yaml it passes."""
        good, bad = twin_and_broken(tmp_path)
        for root in (good, bad):
            make_checkout(root)
            write(root, "keps/sig-node/555-no-meta/README.md", readme("KEP-555: No meta"))
        write(good, "keps/sig-node/555-no-meta/kep.yaml", OTHER.replace("99", "555"))
        assert findings(good) == []
        assert findings(bad) == [("kep-yaml-missing", "keps/sig-node/555-no-meta/README.md", 1)]

    def test_2018_layout_folder_inside_keps(self, tmp_path: Path) -> None:
        """A metadata.yaml KEP (README generated beside it) fails; without a README CI skips it."""
        good, bad = twin_and_broken(tmp_path)
        for root in (good, bad):
            make_checkout(root)
            write(root, "keps/sig-node/seed/metadata.yaml", "title: Seed\nstate: draft\n")
        write(bad, "keps/sig-node/seed/README.md", readme("Seed"))
        assert findings(good) == []
        assert findings(bad) == [("kep-yaml-missing", "keps/sig-node/seed/README.md", 1)]
        [problem] = kv.validate(bad)
        assert "metadata.yaml" in problem.message

    def test_sig_level_readme_is_refused_too(self, tmp_path: Path) -> None:
        """Upstream's walk takes any README.md but keps/README.md for a KEP's."""
        make_checkout(tmp_path)
        write(tmp_path, "keps/sig-node/README.md", readme("SIG Node"))
        assert findings(tmp_path) == [("kep-yaml-missing", "keps/sig-node/README.md", 1)]

    def test_kep_yaml_in_a_hidden_folder_is_validated(self, tmp_path: Path) -> None:
        """CI's walk does not skip hidden folders, so neither does kepval."""
        make_checkout(tmp_path)
        write(tmp_path, "keps/sig-node/.draft/kep.yaml", "title: [x]\n")
        assert findings(tmp_path) == [("field-type", "keps/sig-node/.draft/kep.yaml", 1)]


STRUCTURE_CASES = [
    ("keps/README.md", [("checkout-incomplete", "keps/README.md", None)]),
    (
        "keps/prod-readiness",
        [("checkout-incomplete", "keps/prod-readiness", None), ("prr-file-missing", KEP, 2)],
    ),
    (
        "keps/NNNN-kep-template/README.md",
        [("checkout-incomplete", "keps/NNNN-kep-template/README.md", None)],
    ),
    (
        "OWNERS_ALIASES",
        [
            ("owners-aliases-missing", "OWNERS_ALIASES", None),
            ("prr-approver-not-allowed", PRR_FILE, 5),
        ],
    ),
]


class TestCheckoutStructure:
    @pytest.mark.parametrize(
        ("removed", "expected"), STRUCTURE_CASES, ids=[c[0] for c in STRUCTURE_CASES]
    )
    def test_what_ci_needs_before_any_kep(
        self, tmp_path: Path, removed: str, expected: list[tuple[str, str, int | None]]
    ) -> None:
        """Without keps/README.md, prod-readiness/, the template or OWNERS_ALIASES CI fails."""
        make_checkout(tmp_path)
        target = tmp_path / removed
        shutil.rmtree(target) if target.is_dir() else target.unlink()
        assert findings(tmp_path) == expected

    def test_owners_aliases_holds_only_aliases(self, tmp_path: Path) -> None:
        """CI decodes OWNERS_ALIASES strictly for the PRR approvers: another key fails."""
        make_checkout(tmp_path)
        write(tmp_path, "OWNERS_ALIASES", OWNERS_ALIASES + "extra: 1\n")
        assert findings(tmp_path) == [
            ("owners-invalid", "OWNERS_ALIASES", 9),
            ("prr-approver-not-allowed", PRR_FILE, 5),
        ]

    def test_no_prr_approvers(self, tmp_path: Path) -> None:
        """An OWNERS_ALIASES without PRR approvers fails (upstream: zero approvers)."""
        make_checkout(tmp_path)
        text = OWNERS_ALIASES.replace("prod-readiness-approvers", "someone-else")
        write(tmp_path, "OWNERS_ALIASES", text)
        assert findings(tmp_path) == [
            ("prr-approvers-none", "OWNERS_ALIASES", None),
            ("prr-approver-not-allowed", PRR_FILE, 5),
        ]

    def test_no_kep_at_all(self, tmp_path: Path) -> None:
        """CI must find more than zero KEPs (the template's kep.yaml counts as one)."""
        make_checkout(tmp_path)
        for folder in (
            "keps/sig-node/1234-pod-things",
            "keps/sig-node/99-other",
            "keps/NNNN-kep-template",
        ):
            shutil.rmtree(tmp_path / folder)
        assert findings(tmp_path) == [
            ("checkout-incomplete", "keps", None),
            ("checkout-incomplete", "keps/NNNN-kep-template/README.md", None),
        ]


def sig_node_kep(
    root: Path,
    name: str,
    approvers: str,
    *,
    stage: str = "beta",
    latest: str = "v1.37",
    owners: str | None = None,
    reviewers: str = '  - "@rita"\n',
) -> str:
    """A provisional SIG Node KEP with the given approvers block (and OWNERS file)."""
    text = (
        f"title: {name}\nkep-number: 7{len(name)}\nauthors: ['@a']\nowning-sig: sig-node\n"
        f"status: provisional\nstage: {stage}\nlatest-milestone: {latest}\n"
        f"reviewers:\n{reviewers}approvers:\n{approvers}"
    )
    folder = f"keps/sig-node/7{len(name)}-{name}"
    write(root, f"{folder}/kep.yaml", text)
    write(root, f"{folder}/README.md", readme(name))
    if owners is not None:
        write(root, f"{folder}/OWNERS", owners)
    return f"{folder}/kep.yaml"


class TestSigNode:
    def test_assigned_people_are_in_owners(self, tmp_path: Path) -> None:
        """Marked reviewers/approvers match OWNERS both ways, handles compared case-blind."""
        good, bad = twin_and_broken(tmp_path)
        approvers = '  - "@dchen1107"\n  - "@TallClair" # sig-node-assigned-approver\n'
        reviewers = '  - "@Rita" # sig-node-assigned-reviewer\n  - "@zed" # sig-node-other\n'
        for root, owners in (
            (
                good,
                "reviewers:\n  - rita\napprovers:\n  - tallclair # sig-node-assigned-approver\n",
            ),
            (bad, "reviewers:\n  - someone\napprovers:\n  - tallclair\n  - extra\n"),
        ):
            make_checkout(root)
            kep = sig_node_kep(root, "assigned", approvers, owners=owners, reviewers=reviewers)
        folder = kep.rsplit("/", 1)[0]
        assert findings(good) == []
        assert findings(bad) == [
            ("node-owner-not-marked", f"{folder}/OWNERS", None),
            ("node-owner-not-marked", f"{folder}/OWNERS", None),
            ("node-owner-not-listed", kep, 9),
        ]

    def test_owners_beside_any_kep_is_held_to_the_markers(self, tmp_path: Path) -> None:
        """pkg/nodeapprovers walks all of keps/: an OWNERS beside a sig-apps KEP counts too."""
        make_checkout(tmp_path)
        write(tmp_path, "keps/sig-apps/5-x/kep.yaml", OTHER.replace("99", "5"))
        write(tmp_path, "keps/sig-apps/5-x/README.md", readme("X"))
        write(tmp_path, "keps/sig-apps/5-x/OWNERS", "approvers:\n  - arnold\n")
        assert findings(tmp_path) == [("node-owner-not-marked", "keps/sig-apps/5-x/OWNERS", None)]

    def test_assigned_people_need_an_owners_file(self, tmp_path: Path) -> None:
        """Without OWNERS every marked person is a finding, at their line."""
        make_checkout(tmp_path)
        kep = sig_node_kep(
            tmp_path,
            "no-owners",
            '  - "@dchen1107" # sig-node-assigned-approver\n',
            reviewers='  - "@rita" # sig-node-assigned-reviewer\n',
        )
        assert findings(tmp_path) == [
            ("node-owners-missing", kep, 9),
            ("node-owners-missing", kep, 11),
        ]

    @pytest.mark.parametrize(
        ("approvers", "stage", "release", "expected_codes"),
        [
            # actively alpha (latest-milestone v1.37, the upcoming release): a tech lead, no marker
            ('  - "@dchen1107"\n  - "@other"\n', "alpha", "v1.37", []),
            ('  - "@other"\n', "alpha", "v1.37", ["node-tech-lead-missing"]),
            ('  - "@sig-node-tech-leads"\n', "alpha", "v1.37", ["node-tech-lead-missing"]),
            (
                '  - "@mrunalp"\n  - "@t" # sig-node-assigned-approver\n',
                "alpha",
                "v1.37",
                ["node-alpha-marker"],
            ),
            # the same alpha KEP when v1.38 is upcoming: a tech lead or a marker will do
            ('  - "@t" # sig-node-assigned-approver\n', "alpha", "v1.38", []),
            ('  - "@other"\n', "alpha", "v1.38", ["node-tech-lead-missing"]),
            # past alpha: a tech lead or a marked approver
            ('  - "@mrunalp"\n', "beta", "v1.37", []),
            ('  - "@t" # sig-node-assigned-approver\n', "beta", "v1.37", []),
            ('  - "@other"\n', "beta", "v1.37", ["node-tech-lead-missing"]),
            ("  []\n", "beta", "v1.37", ["node-approvers-missing"]),
        ],
    )
    def test_tech_lead_rules(
        self, tmp_path: Path, approvers: str, stage: str, release: str, expected_codes: list[str]
    ) -> None:
        """pkg/nodeapprovers' stage rules for SIG Node KEPs from v1.36 on."""
        make_checkout(tmp_path)
        marked = "sig-node-assigned-approver" in approvers
        owners = "approvers:\n  - t\n" if marked else None
        kep = sig_node_kep(tmp_path, "leads", approvers, stage=stage, owners=owners)
        line = 12 if "node-alpha-marker" in expected_codes else 10
        assert findings(tmp_path, release=release) == [(c, kep, line) for c in expected_codes]

    def test_older_and_withdrawn_keps_are_not_held(self, tmp_path: Path) -> None:
        """Before v1.36, or withdrawn, no tech lead is needed."""
        make_checkout(tmp_path)
        sig_node_kep(tmp_path, "old", '  - "@other"\n', latest="v1.35")
        assert findings(tmp_path, release="v1.37") == []

    def test_upcoming_release_defaults_to_the_newest_milestone(self, tmp_path: Path) -> None:
        """Without --release, the newest latest-milestone of the checkout is the upcoming one."""
        make_checkout(tmp_path)
        kep = sig_node_kep(
            tmp_path,
            "alpha",
            '  - "@t" # sig-node-assigned-approver\n',
            stage="alpha",
            owners="approvers:\n  - t\n",
        )
        assert findings(tmp_path) == [
            ("node-tech-lead-missing", kep, 10),
            ("node-alpha-marker", kep, 11),
        ]
        assert findings(tmp_path, release="v1.38") == []

    def test_tech_leads_alias_is_needed(self, tmp_path: Path) -> None:
        """CI fails when OWNERS_ALIASES lacks sig-node-tech-leads."""
        make_checkout(tmp_path)
        write(tmp_path, "OWNERS_ALIASES", OWNERS_ALIASES.replace("sig-node-tech-leads", "other"))
        assert findings(tmp_path) == [("node-tech-leads-missing", "OWNERS_ALIASES", None)]

    def test_release_must_be_a_release(self, tmp_path: Path) -> None:
        """--release v1.3x is refused with InvalidArgumentError naming the value."""
        make_checkout(tmp_path)
        with pytest.raises(InvalidArgumentError, match="v1.3x"):
            kv.open_repository(tmp_path, release="v1.3x")


class TestTableOfContents:
    def test_missing_markers(self, tmp_path: Path) -> None:
        """A KEP README without <!-- toc --> markers fails (hack/verify-toc.sh)."""
        make_checkout(tmp_path)
        write(tmp_path, README, "# KEP-1234\n\n## Summary\n")
        assert findings(tmp_path) == [("toc-missing", README, 1)]

    def test_stale_table(self, tmp_path: Path) -> None:
        """A heading added without updating the table fails; updating it passes."""
        good, bad = twin_and_broken(tmp_path)
        for root in (good, bad):
            make_checkout(root)
        write(bad, README, readme("KEP-1234: Pod Things") + "\n## Design Details\n")
        fixed = readme("KEP-1234: Pod Things").replace(
            "<!-- /toc -->", "- [Design Details](#design-details)\n<!-- /toc -->"
        )
        write(good, README, fixed + "\n## Design Details\n")
        assert findings(good) == []
        assert findings(bad) == [("toc-stale", README, 3)]

    @pytest.mark.parametrize(
        ("heading", "entry"),
        [
            (
                "## Use `kubectl` & friends",
                "- [Use <code>kubectl</code> &amp; friends](#use-kubectl--friends)",
            ),
            (
                "## Pod's *new* [field](https://k8s.io)",
                '- [Pod\'s <em>new</em> <a href="https://k8s.io">field</a>](#pods-new-field)',
            ),
            ("Setext heading\n--------------", "- [Setext heading](#setext-heading)"),
            (
                "## See <https://k8s.io>",
                '- [See <a href="https://k8s.io">https://k8s.io</a>](#see-httpsk8sio)',
            ),
            ("<details>\n\n## Hidden\n\n</details>\n\n## Shown", "- [Shown](#shown)"),
            ("<!--\n## Hidden\n-->\n\n```\n## Hidden\n```\n\n## Shown", "- [Shown](#shown)"),
            # goldmark's HTML: <, > and " escaped, ~~x~~ struck through
            ("## When a < b > c", "- [When a &lt; b &gt; c](#when-a--b--c)"),
            ('## Say "hi"', "- [Say &quot;hi&quot;](#say-hi)"),
            ("## ~~Old~~ new", "- [<del>Old</del> new](#old-new)"),
            # an explicit {#id} is no part of the text; a backslash escapes punctuation only,
            # and one at the very end of a heading is kept
            ("## Custom anchor {#mine}", "- [Custom anchor](#custom-anchor)"),
            ("## Ends in a backslash \\", "- [Ends in a backslash \\](#ends-in-a-backslash-)"),
            ("## Escaped \\*star\\*", "- [Escaped *star*](#escaped-star)"),
        ],
    )
    def test_heading_rendering(self, tmp_path: Path, heading: str, entry: str) -> None:
        """Headings are rendered and anchored as mdtoc does: HTML text, GitHub anchors."""
        make_checkout(tmp_path)
        text = f"# T\n\n<!-- toc -->\n{entry}\n<!-- /toc -->\n\n{heading}\n\nText.\n"
        write(tmp_path, README, text)
        assert findings(tmp_path) == []
        write(tmp_path, README, text.replace(entry, "- [Other](#other)"))
        assert findings(tmp_path) == [("toc-stale", README, 3)]

    def test_every_markdown_file_is_checked_unless_listed(self, tmp_path: Path) -> None:
        """Other .md files need a table too, unless hack/.notableofcontents lists them."""
        make_checkout(tmp_path)
        write(tmp_path, "keps/sig-node/1234-pod-things/notes.md", "# Notes\n")
        assert findings(tmp_path) == [("toc-missing", "keps/sig-node/1234-pod-things/notes.md", 1)]
        write(
            tmp_path,
            "hack/.notableofcontents",
            "keps/README.md\nkeps/prod-readiness/README.md\n"
            "keps/sig-node/1234-pod-things/notes.md\n",
        )
        assert findings(tmp_path) == []


class TestLint:
    @pytest.mark.parametrize(
        ("old", "new", "code"),
        [
            ("status: implementable", "status: implemnted", "status-invalid"),
            ("  - sig-apps", "  - sig-nope", "participating-sig-unknown"),
            ('  alpha: "v1.29"', '  alpha: "v1.31"', "milestone-backwards"),
            ('latest-milestone: "v1.30"', 'latest-milestone: "v1.29"', "latest-milestone-mismatch"),
            (
                '  - "/keps/sig-node/99-other"',
                '  - "/keps/sig-node/98-gone"',
                "see-also-unresolved",
            ),
            ('  - "/keps/sig-node/99-other"', '  - "n/a"', "link-placeholder"),
            (
                "see-also:",
                "replaces:\n  - /keps/sig-node/99-other\nsee-also:",
                "link-not-reciprocal",
            ),
            ('  - "@rita"', "  - TBD", "template-placeholder"),
        ],
    )
    def test_each_rule_catches_a_broken_kep(
        self, tmp_path: Path, old: str, new: str, code: str
    ) -> None:
        """One deliberate break gives its lint problem and no kepval problem."""
        assert old in GOOD
        make_checkout(tmp_path, GOOD.replace(old, new, 1))
        assert findings(tmp_path) == []
        assert [f[0] for f in findings(tmp_path, "lint")] == [code]

    def test_kep_number_mismatch_and_duplicate(self, tmp_path: Path) -> None:
        """A kep-number unlike its folder's, shared with another KEP, is flagged by lint."""
        make_checkout(tmp_path, GOOD.replace("kep-number: 1234", "kep-number: 99"), prr=None)
        assert Counter(f[0] for f in findings(tmp_path, "lint")) == Counter(
            {"prr-file-missing": 1, "kep-number-mismatch": 1, "kep-number-duplicate": 2}
        )

    def test_implemented_not_stable(self, tmp_path: Path) -> None:
        """An implemented KEP still at beta is flagged (a warning)."""
        make_checkout(tmp_path, GOOD.replace("status: implementable", "status: implemented"))
        assert findings(tmp_path, "lint") == [("implemented-not-stable", KEP, 16)]


class TestBaseline:
    def test_only_new_problems_are_reported(self, tmp_path: Path) -> None:
        """A baseline of today's problems silences them; a new one still shows."""
        make_checkout(tmp_path, GOOD.replace("status: implementable", "status: implemnted"))
        repo = kv.open_repository(tmp_path)
        today = kv.validate(repo, level="lint")
        assert today
        baseline = tmp_path / "baseline.json"
        assert kv.write_baseline(repo, today, baseline) == len(today)
        assert kv.new_problems(repo, today, kv.read_baseline(baseline)) == ()
        broken = GOOD.replace("status: implementable", "status: implemnted").replace(
            "  - sig-apps", "  - sig-nope"
        )
        (tmp_path / KEP).write_text(broken)
        repo = kv.open_repository(tmp_path)
        new = kv.new_problems(repo, kv.validate(repo, level="lint"), kv.read_baseline(baseline))
        assert [p.code for p in new] == ["participating-sig-unknown"]

    def test_bad_baseline_is_an_error(self, tmp_path: Path) -> None:
        """A file that is no baseline raises InvalidContentError naming it."""
        path = tmp_path / "b.json"
        path.write_text("[]")
        with pytest.raises(InvalidContentError, match="b.json"):
            kv.read_baseline(path)


#: lint on the corpus (OWNERS restored), by code: 806 findings. 473 were there before
#: kepval mirrored upstream's CI (kepval adds none to a checkout CI accepts); issue #17
#: added the sign-off rules' 333 warnings: kep-stale (263 KEPs not final, unchanged for a
#: year before the checkout's newest date) and participating-sig-unlisted (70 SIGs of 56
#: KEPs; tests/test_lint_signoff.py counts both apart from keps).
LINT_BASELINE = {
    "date-invalid": 13,
    "feature-gate-unnamed": 1,
    "implemented-not-stable": 5,
    "kep-number-duplicate": 2,
    "kep-number-mismatch": 1,
    "kep-number-zero": 4,
    "kep-stale": 263,
    "latest-milestone-mismatch": 60,
    "link-not-reciprocal": 9,
    "link-placeholder": 33,
    "milestone-invalid": 41,
    "participating-sig-unknown": 19,
    "participating-sig-unlisted": 70,
    "replaces-unresolved": 13,
    "required-empty": 1,
    "see-also-unresolved": 71,
    "sig-folder-mismatch": 3,
    "stage-invalid": 2,
    "status-invalid": 5,
    "superseded-by-unresolved": 1,
    "template-placeholder": 189,
}


class TestCorpus:
    def test_kepval_on_the_corpus_copy(self, corpus: Path) -> None:
        """The copy omits the OWNERS files beside KEPs: exactly its marked people are flagged."""
        root = corpus / "enhancements-2026"
        repo = kv.open_repository(root)
        assert len(repo.keps) == 655  # the template is no KEP
        found = {(repo.relative(p.path or ""), p.code) for p in kv.validate(repo)}
        assert {code for _, code in found} == {"node-owners-missing"}
        assert {file for file, _ in found} == set(annotated_keps(root))

    def test_kepval_passes_once_the_owners_files_are_back(
        self, corpus: Path, tmp_path: Path
    ) -> None:
        """With the dropped OWNERS files restored the corpus passes kepval: 0 problems."""
        root = tmp_path / "enhancements"
        shutil.copytree(corpus / "enhancements-2026", root)
        restore_dropped_owners(root)
        assert kv.validate(root) == ()
        assert kv.validate(root, release="v1.37") == ()

    def test_lint_counts(self, corpus: Path, tmp_path: Path) -> None:
        """lint on the corpus (OWNERS restored): the counts by code, checked by hand."""
        root = tmp_path / "enhancements"
        shutil.copytree(corpus / "enhancements-2026", root)
        restore_dropped_owners(root)
        counts = Counter(p.code for p in kv.validate(root, level="lint"))
        assert dict(counts) == LINT_BASELINE

    def test_lint_findings_are_real(self, corpus: Path) -> None:
        """Hand-checked lint findings on the corpus are all there."""
        repo = kv.open_repository(corpus / "enhancements-2026" / "keps")
        found = {
            (repo.relative(p.path or ""), p.code, p.field) for p in kv.validate(repo, level="lint")
        }
        for expected in [
            (
                "keps/sig-api-machinery/4355-coordinated-leader-election/kep.yaml",
                "date-invalid",
                "creation-date",
            ),
            (
                "keps/sig-node/2625-cpumanager-policies-thread-placement/kep.yaml",
                "status-invalid",
                "status",
            ),
            (
                "keps/sig-node/2043-pod-resource-concrete-assigments/kep.yaml",
                "kep-number-mismatch",
                "kep-number",
            ),
            (
                "keps/sig-node/2133-kubelet-credential-providers/kep.yaml",
                "kep-number-duplicate",
                "kep-number",
            ),
            ("keps/sig-architecture/0000-kep-process/kep.yaml", "kep-number-zero", "kep-number"),
            ("keps/sig-instrumentation/1753-logs-sanitization/kep.yaml", "stage-invalid", "stage"),
            (
                "keps/sig-cli/2590-kubectl-subresource/kep.yaml",
                "participating-sig-unknown",
                "participating-sigs",
            ),
            (
                "keps/sig-scheduling/5941-dra-shared-consumable-capacity/kep.yaml",
                "required-empty",
                "approvers",
            ),
        ]:
            assert expected in found


class TestPrrBoundary:
    """The PRR rule applies FROM v1.21 (issue #18: a planted '>' went unnoticed)."""

    @pytest.mark.parametrize(
        ("release", "needed"), [("v1.20", False), ("v1.21", True), ("v1.22", True)]
    )
    def test_prr_rule_applies_from_v1_21(self, tmp_path: Path, release: str, needed: bool) -> None:
        """latest-milestone v1.21 is the first release that needs a PRR approval file."""
        text = GOOD.replace('latest-milestone: "v1.30"', f'latest-milestone: "{release}"')
        text = text.replace('  alpha: "v1.29"\n  beta: "v1.30"', f'  beta: "{release}"')
        make_checkout(tmp_path, text, prr=None)
        codes = [code for code, _, _ in findings(tmp_path)]
        assert ("prr-file-missing" in codes) is needed


class TestGoldenCheckout:
    """A checkout broken on purpose in the corpus' ways, with its complete list of
    problems, and its sound twin (issue #18: tests that never said 'and nothing else')."""

    def test_every_problem_and_nothing_else(self, tmp_path: Path) -> None:
        root = broken_checkout(tmp_path, broken=True)
        repo = kv.open_repository(root)
        found = sorted(
            (repo.relative(p.path or ""), p.code, p.field, p.line)
            for p in kv.validate(repo, level="lint")
        )
        assert found == [
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

    def test_the_sound_twin_has_no_problem(self, tmp_path: Path) -> None:
        root = broken_checkout(tmp_path, broken=False)
        assert len(kv.open_repository(root).keps) == 9
        assert findings(root, "lint") == []
        assert findings(root) == []
