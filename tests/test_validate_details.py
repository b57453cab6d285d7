"""Details of validation a user reads: each problem's field and words, the baseline file,
the rules' exemptions, strict decoding's values and headings mdtoc would anchor.

Written where mutation testing (issue #18) found the suite silent: a changed field name,
message, exemption or escape went unnoticed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import keps
import keps.validate as kv
from keps.validate import strict
from tests.validate_helpers import GOOD, KEP, README, findings, make_checkout, readme, write


def problems(root: Path, level: str = "lint") -> list[tuple[str, str | None, str]]:
    """(code, field, message) of every problem *level* finds in *root*, in report order."""
    repo = kv.open_repository(root)
    return [(p.code, p.field, p.message) for p in kv.validate(repo, level=level)]


class TestLintFields:
    @pytest.mark.parametrize(
        ("old", "new", "expected"),
        [
            (
                'latest-milestone: "v1.30"',
                'latest-milestone: "v1.29"',
                (
                    "latest-milestone-mismatch",
                    "latest-milestone",
                    "latest-milestone v1.29 differs from the beta milestone v1.30",
                ),
            ),
            (
                '  beta: "v1.30"',
                "  beta: TBD",
                (
                    "template-placeholder",
                    "milestone",
                    "milestone.beta still holds the template's placeholder 'TBD'",
                ),
            ),
        ],
    )
    def test_a_lint_problem_names_its_field(
        self, tmp_path: Path, old: str, new: str, expected: tuple[str, str, str]
    ) -> None:
        """The field is the kep.yaml key (a milestone's stage is under ``milestone``)."""
        assert GOOD.count(old) == 1
        make_checkout(tmp_path, GOOD.replace(old, new))
        assert expected in problems(tmp_path)


class TestSigNodeDetails:
    def test_a_withdrawn_kep_needs_no_tech_lead(self, tmp_path: Path) -> None:
        """Withdrawn, rejected and replaced SIG Node KEPs are left alone; provisional not."""
        make_checkout(tmp_path)
        text = (
            "title: gone\nkep-number: 77\nauthors: ['@a']\nowning-sig: sig-node\n"
            "status: {status}\nstage: beta\nlatest-milestone: v1.37\n"
            "reviewers:\n  - '@rita'\napprovers:\n  - '@other'\n"
        )
        write(tmp_path, "keps/sig-node/77-gone/README.md", readme("gone"))
        for status, expected in (
            ("withdrawn", []),
            ("rejected", []),
            ("replaced", []),
            ("provisional", ["node-tech-lead-missing"]),
        ):
            write(tmp_path, "keps/sig-node/77-gone/kep.yaml", text.format(status=status))
            found = findings(tmp_path, release="v1.37")
            assert [code for code, _, _ in found] == expected, status

    def test_the_missing_alias_is_named(self, tmp_path: Path) -> None:
        """The problem says which alias OWNERS_ALIASES lacks."""
        make_checkout(tmp_path)
        aliases = (tmp_path / "OWNERS_ALIASES").read_text()
        write(tmp_path, "OWNERS_ALIASES", aliases.replace("sig-node-tech-leads", "other"))
        assert problems(tmp_path, "kepval") == [
            (
                "node-tech-leads-missing",
                None,
                "OWNERS_ALIASES: the alias sig-node-tech-leads is missing (CI needs it)",
            )
        ]

    @pytest.mark.parametrize(
        ("owners", "line", "message"),
        [
            ("approvers:\n  - t\napprovers:\n  - u\n", 3, "OWNERS: approvers is given twice"),
            ("approvers: t\n", 1, "OWNERS: approvers must be a list of names"),
            ("- t\n", 1, "OWNERS: expected a mapping at line 1"),
        ],
    )
    def test_an_owners_file_that_is_no_list_of_names(
        self, tmp_path: Path, owners: str, line: int, message: str
    ) -> None:
        """OWNERS beside a KEP is read as CI reads it: a problem of that file at its line."""
        make_checkout(tmp_path)
        folder = "keps/sig-node/1234-pod-things"
        write(tmp_path, f"{folder}/OWNERS", owners)
        repo = kv.open_repository(tmp_path)
        found = [
            (p.code, repo.relative(p.path or ""), p.line, p.message)
            for p in kv.validate(repo)
            if p.code == "owners-invalid"
        ]
        assert found == [("owners-invalid", f"{folder}/OWNERS", line, message)]


class TestBaselineFile:
    def test_the_baseline_is_json_a_person_can_review(self, tmp_path: Path) -> None:
        """Indented JSON, one key per line, ending in a newline: a diff shows what moved."""
        make_checkout(tmp_path, GOOD.replace("status: implementable", "status: implemnted"))
        repo = kv.open_repository(tmp_path)
        path = tmp_path / "baseline.json"
        kv.write_baseline(repo, kv.validate(repo, level="lint"), path)
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), indent=2) + "\n"
        assert '\n    {\n      "' in text


class TestStrictValues:
    @pytest.mark.parametrize(
        ("written", "value"),
        [("true", True), ("True", True), ("false", False), ("FALSE", False), ("yes", True)],
    )
    def test_a_flag_decodes_as_go_reads_it(self, written: str, value: bool) -> None:
        """yaml.v3 into a Go bool: true/false in any case; yes only as YAML 1.1 allows."""
        text = GOOD.replace("disable-supported: true", f"disable-supported: {written}")
        decoded = strict.decode(text, strict.KEP_SCHEMA, path=Path("kep.yaml"), kep_file=True)
        assert decoded.problems == ()
        assert decoded.data is not None and decoded.data["disable-supported"] is value


class TestPrrRequired:
    @pytest.mark.parametrize(
        ("status", "latest", "milestones", "required"),
        [
            ("implementable", "v1.21", {}, True),
            ("implemented", "v1.30", {}, True),
            ("implementable", "v1.20", {}, False),
            ("provisional", "v1.30", {}, False),
            ("withdrawn", "v1.30", {}, False),
            ("implementable", "", {"alpha": "v1.20", "beta": "v1.22"}, True),
            ("implementable", "", {"alpha": "v1.19"}, False),
            ("implementable", "", {}, False),
        ],
    )
    def test_who_needs_a_prr_approval(
        self,
        tmp_path: Path,
        status: str,
        latest: str,
        milestones: dict[str, str],
        required: bool,
    ) -> None:
        """Implementable or implemented from v1.21 on (latest-milestone, else the newest
        milestone); any other state, or an earlier or unknown release, needs none."""
        text = GOOD.replace("status: implementable", f"status: {status}")
        text = text.replace('latest-milestone: "v1.30"\n', f'latest-milestone: "{latest}"\n')
        stages = "".join(f'  {stage}: "{release}"\n' for stage, release in milestones.items())
        text = text.replace('  alpha: "v1.29"\n  beta: "v1.30"\n', stages or "  {}\n")
        if not milestones:
            text = text.replace("milestone:\n  {}\n", "")
        make_checkout(tmp_path, text)
        assert kv.prr_required(keps.open(tmp_path / KEP)) is required


class TestTableOfContentsMarkers:
    def test_markers_in_the_wrong_order(self, tmp_path: Path) -> None:
        make_checkout(tmp_path)
        write(tmp_path, README, "# T\n\n<!-- /toc -->\n<!-- toc -->\n\n## A\n")
        [(code, _, message)] = problems(tmp_path, "kepval")
        assert code == "toc-missing"
        assert message == (
            f"{README} has <!-- /toc --> before <!-- toc -->; CI needs a table of contents"
            " (make update-toc)"
        )


class TestMoreStrict:
    @pytest.mark.parametrize(
        ("old", "new", "line"),
        [
            ('authors:\n  - "@alice"\n', 'authors: "@alice"\n', 3),
            (
                "feature-gates:\n  - name: PodThings\n    components:\n      - kubelet\n",
                "feature-gates: PodThings\n",
                21,
            ),
        ],
    )
    def test_a_list_field_of_the_wrong_kind_is_found_at_its_line(
        self, tmp_path: Path, old: str, new: str, line: int
    ) -> None:
        assert GOOD.count(old) == 1
        make_checkout(tmp_path, GOOD.replace(old, new))
        assert findings(tmp_path) == [("field-type", KEP, line)]

    def test_an_empty_kep_yaml_holds_no_document(self, tmp_path: Path) -> None:
        make_checkout(tmp_path, "")
        assert ("yaml-invalid", KEP, 1) in findings(tmp_path)

    def test_a_syntax_error_on_the_last_line(self, tmp_path: Path) -> None:
        """The error's line is the file's, also where the parser stopped past the end."""
        make_checkout(tmp_path, GOOD + "colour: [a,")  # no newline: the parser stops past it
        [finding] = [f for f in findings(tmp_path) if f[0] == "yaml-invalid"]
        assert finding[1] == KEP and finding[2] is not None and finding[2] >= 26


class TestBaselineCounts:
    def test_one_more_of_a_recorded_problem_is_new(self, tmp_path: Path) -> None:
        """A baseline counts each (file, code, field): a third placeholder where two were
        recorded is reported, once."""
        two = GOOD.replace('  - "@rita"', '  - "TBD"\n  - "tbd"')
        make_checkout(tmp_path, two)
        repo = kv.open_repository(tmp_path)
        baseline = tmp_path / "baseline.json"
        kv.write_baseline(repo, kv.validate(repo, level="lint"), baseline)
        (tmp_path / KEP).write_text(two.replace('  - "tbd"', '  - "tbd"\n  - "Tbd"'))
        repo = kv.open_repository(tmp_path)
        new = kv.new_problems(repo, kv.validate(repo, level="lint"), kv.read_baseline(baseline))
        assert [(p.code, p.field) for p in new] == [("template-placeholder", "reviewers")]
