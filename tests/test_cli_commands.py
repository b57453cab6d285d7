"""kepctl's commands as plain functions: each returns the Report the command prints.

Every command module of keps.cli has a click wrapper that only reads options and prints,
over a function taking plain values. These tests call those functions on real content
roots, and check once that a wrapper prints exactly what its function reports.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import keps
from keps.cli import Report, cli, demo, index, kep, query, steps
from keps.errors import KepNotFoundError, QuerySyntaxError, TransitionError
from tests.kep_factory import make_kep, snapshot
from tests.workflow_helpers import edit

KEP = "sig-node/sig-wide/dynamic-kubelet-config"
GUIDES = (
    "guides/developer.md",
    "guides/operator.md",
    "guides/teacher.md",
    "graduation_criteria.md",
)


@pytest.fixture(name="root")
def _root(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    return root


class TestSteps:
    def test_lifecycle_through_the_plain_functions(self, root: Path) -> None:
        """init, propose, accept, plan, approve, implement: each report names the new state."""
        report = steps.init(root, "sig-node/dynamic-kubelet-config", principal="alice")
        assert report == Report(f"created draft KEP: {root / KEP}\n")
        kep_dir = root / KEP
        edit(kep_dir, "summary.md", "motivation.md")
        lines = [
            steps.step("propose", root, KEP, principal="alice").out,
            steps.step("accept", root, KEP, principal="arnold").out,
            steps.step("plan", root, KEP, principal="alice").out,
        ]
        edit(kep_dir, *GUIDES)
        lines.append(steps.step("approve", root, KEP, principal="arnold").out)
        lines.append(steps.step("implement", root, "1", principal="arnold").out)
        assert lines == [
            f"{name}: Dynamic Kubelet Config is {state}: {kep_dir}\n"
            for name, state in [
                ("propose", "draft"),
                ("accept", "provisional"),
                ("plan", "provisional"),
                ("approve", "implementable"),
                ("implement", "implemented"),
            ]
        ]
        assert keps.open(kep_dir).state is keps.State.IMPLEMENTED

    def test_every_lifecycle_command_is_a_step(self) -> None:
        """The table of steps and the commands agree, in lifecycle order."""
        assert list(steps.STEPS) == [
            "propose",
            "accept",
            "plan",
            "approve",
            "implement",
            "defer",
            "reject",
            "withdraw",
        ]
        assert set(steps.STEPS) < set(steps.COMMANDS)
        with_pr = {name for name, spec in steps.STEPS.items() if spec.pull_request}
        # every step whose change a pull request can carry (accept and plan prepare a draft)
        assert with_pr == {"propose", "approve", "implement", "defer", "reject", "withdraw"}
        for name in steps.STEPS:
            options = {p.name for p in steps.COMMANDS[name].params}
            assert ("upstream" in options) == (name in with_pr)

    def test_a_refused_step_raises_and_changes_nothing(self, root: Path) -> None:
        """A step the KEP's state does not allow is a KepError; no file changes."""
        make_kep(root, "sig-node/my-kep")
        before = snapshot(root)
        with pytest.raises(TransitionError, match="plan needs a provisional KEP"):
            steps.step("plan", root, "sig-node/my-kep", principal="alice")
        assert snapshot(root) == before

    def test_replace_links_both_keps(self, root: Path) -> None:
        """replace reports the replaced KEP; the other names it in replaces."""
        old = make_kep(root, "sig-node/old-kep", state=keps.State.IMPLEMENTED)
        new = make_kep(root, "sig-apps/new-kep", state=keps.State.PROVISIONAL)
        report = steps.replace(root, "sig-node/old-kep", by="sig-apps/new-kep", principal="a")
        assert report.out == f"replace: Old Kep is replaced: {old.path}\n"
        assert keps.open(new.path).replaces == ("sig-node/sig-wide/old-kep",)
        assert keps.open(old.path).superseded_by == ("sig-apps/sig-wide/new-kep",)

    def test_recover_reports_what_it_restored(self, root: Path) -> None:
        """On a healthy tree recover restores nothing and says so."""
        make_kep(root)
        before = snapshot(root)
        assert steps.recover(root) == Report(f"recovered 0 file(s) under {root}\n")
        assert snapshot(root) == before


class TestKep:
    def test_show_in_three_formats(self, root: Path) -> None:
        """text: title, file, sections; json: the metadata; yaml: the file as written."""
        made = make_kep(root, "sig-node/my-kep", state=keps.State.PROVISIONAL)
        written = made.metadata_path.read_text(encoding="utf-8")
        text = kep.show(root, "sig-node/my-kep").out
        assert text.startswith(f"My Kep (provisional) at {made.path}\n{written}sections:\n")
        assert "  summary.md\n" in text
        data = json.loads(kep.show(root, "sig-node/my-kep", fmt="json").out)
        assert (data["title"], data["state"], data["approvers"]) == (
            "My Kep",
            "provisional",
            ["arnold"],
        )
        assert kep.show(root, str(made.path), fmt="yaml").out == written

    def test_check_reports_problems_as_its_error(self, root: Path) -> None:
        """A passing KEP says ok; a broken one lists its problems and counts them as the error."""
        made = make_kep(root, "sig-node/my-kep")
        assert kep.check(root, "sig-node/my-kep") == Report(
            "ok: My Kep passes every check for a draft KEP\n"
        )
        meta = made.metadata_path
        meta.write_text(meta.read_text(encoding="utf-8").replace("title: My Kep\n", ""))
        report = kep.check(root, "sig-node/my-kep")
        assert "[title-not-set]" in report.out
        assert report.error == f"1 problem(s) in {made.path}"

    def test_an_unknown_target_raises(self, root: Path) -> None:
        """show on a KEP that does not exist is a KepNotFoundError."""
        make_kep(root)
        with pytest.raises(KepNotFoundError):
            kep.show(root, "sig-node/nothing-here")


class TestQuery:
    @pytest.fixture(name="filled")
    def _filled(self, root: Path) -> Path:
        make_kep(root, "sig-node/first-kep", state=keps.State.IMPLEMENTABLE)
        make_kep(root, "sig-apps/second-kep", state=keps.State.PROVISIONAL, authors=("bob",))
        return root

    def test_query_text_from_flags(self) -> None:
        """Flags become query terms; a comparison value is a term of its own."""
        text = query.query_text(
            ("title:pod",),
            {"sig": ("sig-node", "sig-apps"), "milestone": (">=v1.29", "v1.20"), "author": ()},
            {"created>=": "2019-01-01", "updated<": None},
        )
        assert (
            text
            == "title:pod sig:sig-node,sig-apps milestone:v1.20 milestone>=v1.29 created>=2019-01-01"
        )

    def test_query_returns_the_table(self, filled: Path) -> None:
        """The report is the table kepctl prints, one row per KEP, sorted as asked."""
        lines = query.query(filled, "state:implementable,provisional", sort_by="title").out
        header, *rows = lines.splitlines()
        assert header.split() == [
            "KEP_NUMBER",
            "TITLE",
            "STATE",
            "OWNING_SIG",
            "AUTHORS",
            "LAST_UPDATED",
            "LOCATION",
        ]
        assert [row.split()[-1] for row in rows] == [
            "sig-node/sig-wide/first-kep",
            "sig-apps/sig-wide/second-kep",
        ]

    def test_query_sorts_as_asked(self, filled: Path) -> None:
        """sort_by and reverse order the records."""
        out = query.query(filled, sort_by="title", reverse=True, fmt="csv").out
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [(r["title"], r["state"]) for r in rows] == [
            ("Second Kep", "provisional"),
            ("First Kep", "implementable"),
        ]

    @pytest.mark.parametrize("fmt", ["json", "yaml"])
    def test_query_formats(self, filled: Path, fmt: str) -> None:
        """json and yaml reports parse to the selected KEPs."""
        out = query.query(filled, "author:@bob", fmt=fmt).out
        records = json.loads(out) if fmt == "json" else yaml.safe_load(out)
        assert [r["location"] for r in records] == ["sig-apps/sig-wide/second-kep"]

    def test_bad_query_raises(self, filled: Path) -> None:
        """A query that does not parse is a QuerySyntaxError, before any output."""
        with pytest.raises(QuerySyntaxError, match="colour"):
            query.query(filled, "colour:blue")


class TestIndex:
    def test_rebuild_reports_broken_keps_as_notes(self, root: Path) -> None:
        """A broken KEP is a note (stderr); the summary counts it and names keps.yaml."""
        make_kep(root, "sig-node/good-kep")
        bad = make_kep(root, "sig-node/bad-kep")
        bad.metadata_path.write_text("title: [unclosed\n", encoding="utf-8")
        report = index.rebuild(root)
        assert report.out == (
            f"indexed 1 KEP(s), 1 broken; next KEP number 1 ({root / 'keps.yaml'})\n"
        )
        assert len(report.notes) == 1
        assert report.notes[0].startswith("broken: sig-node/sig-wide/bad-kep (")

    def test_rebuild_to_another_file(self, root: Path, tmp_path: Path) -> None:
        """--output writes the index there and names it."""
        make_kep(root)
        target = tmp_path / "elsewhere.yaml"
        assert index.rebuild(root, output=target).out.endswith(f"({target})\n")
        assert target.is_file()


def test_demo_narrates_and_keeps_its_root_when_asked() -> None:
    """demo(keep=True) walks the lifecycle through echo and returns the root it kept."""
    lines: list[str] = []
    root = demo.demo(keep=True, echo=lines.append)
    assert root is not None
    assert root.is_dir()
    assert lines[-1] == f"\nkept the demo content root at {root}"
    assert "  state: implementable   number: 1" in lines
    lines.clear()
    assert demo.demo(echo=lines.append) is None
    shutil.rmtree(root)


@pytest.mark.parametrize(
    "args",
    [
        ("check", "sig-node/my-kep"),
        ("show", "sig-node/my-kep", "--output", "json"),
        ("query", "--output", "csv"),
        ("index", "rebuild"),
    ],
)
def test_a_command_prints_its_report(root: Path, args: tuple[str, ...]) -> None:
    """What kepctl prints is what the plain function reports, byte for byte."""
    make_kep(root, "sig-node/my-kep")
    reports = {
        "check": lambda: kep.check(root, "sig-node/my-kep"),
        "show": lambda: kep.show(root, "sig-node/my-kep", fmt="json"),
        "query": lambda: query.query(root, "", fmt="csv"),
        "index": lambda: index.rebuild(root),
    }
    result = CliRunner().invoke(cli, ["--content-root", str(root), *args])
    expected = reports[args[0]]()
    assert result.exit_code == 0, result.output
    assert (result.stdout, result.stderr) == (
        expected.out,
        "".join(f"{n}\n" for n in expected.notes),
    )


def test_a_note_shows_control_characters_escaped(root: Path) -> None:
    """A broken KEP whose folder name holds an escape sequence and a newline is one note
    line on stderr, the characters shown as escapes: a folder cannot drive the terminal."""
    make_kep(root, "sig-node/my-kep")
    bad = root / "sig-node" / "evil\x1b[2J\nkep"
    bad.mkdir()
    (bad / "metadata.yaml").write_text("title: [unclosed\n")
    result = CliRunner().invoke(cli, ["--content-root", str(root), "index", "rebuild"])
    assert result.exit_code == 0, result.output
    [note] = result.stderr.splitlines()
    assert note.startswith("broken: sig-node/evil\\x1b[2J\\nkep (")
    assert "\x1b" not in result.stderr


def test_a_table_row_is_one_line_whatever_a_title_holds(root: Path) -> None:
    """Titles with an escape sequence and a newline, or of 5,000 characters, leave the
    table one line per KEP, escaped and cut to CELL_WIDTH; JSON keeps them whole."""
    from keps.cli.output import CELL_WIDTH

    titles = {"sig-node/esc-kep": "Esc \x1b[2J and\nmore", "sig-apps/long-kep": "L" * 5000}
    for location, title in titles.items():
        made = make_kep(root, location)
        lines = made.metadata_path.read_text(encoding="utf-8").splitlines(keepends=True)
        made.metadata_path.write_text(
            "".join(
                f"title: {json.dumps(title)}\n" if x.startswith("title:") else x for x in lines
            ),
            encoding="utf-8",
        )
    args = ["--content-root", str(root), "query", "--sort", "title"]
    table = CliRunner().invoke(cli, args).stdout
    _header, *rows = table.splitlines()
    assert len(rows) == 2 and "\x1b" not in table
    assert " Esc \\x1b[2J and\\nmore " in rows[0]
    assert " " + "L" * (CELL_WIDTH - 3) + "... " in rows[1]
    shown = json.loads(CliRunner().invoke(cli, [*args, "--output", "json"]).stdout)
    assert sorted(r["title"] for r in shown) == sorted(titles.values())


def test_a_failed_report_is_one_line_and_exit_1(root: Path) -> None:
    """A report with an error prints its text, then the error as one line, and exits 1."""
    made = make_kep(root, "sig-node/my-kep")
    made.metadata_path.write_text(
        made.metadata_path.read_text(encoding="utf-8").replace("title: My Kep\n", "")
    )
    result = CliRunner().invoke(cli, ["--content-root", str(root), "check", "sig-node/my-kep"])
    assert result.exit_code == 1
    assert "[title-not-set]" in result.stdout
    assert result.stderr == f"kepctl: error: 1 problem(s) in {made.path}\n"


def test_kepctl_query_loads_only_its_command_module(tmp_path: Path) -> None:
    """A query imports the query module and none of the other command modules."""
    code = (
        "import sys, json\n"
        "from keps.cli import cli\n"
        f"sys.argv = ['kepctl', '--content-root', {str(tmp_path)!r}, 'query', '--output', 'json']\n"
        "try:\n"
        "    cli(prog_name='kepctl')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "mods = ('keps.cli.query', 'keps.cli.steps', 'keps.cli.kep', 'keps.cli.index',\n"
        "        'keps.cli.validate', 'keps.cli.demo', 'keps.workflow')\n"
        "print(json.dumps([m for m in mods if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == ["keps.cli.query"]


def test_every_command_has_one_home() -> None:
    """kepctl lists each command of every module once, and nothing else."""
    from keps.cli import _HOME, _REGISTERING

    ctx = cli.make_context("kepctl", ["--help"], resilient_parsing=True)
    listed = cli.list_commands(ctx)
    assert listed == sorted(_HOME)
    homes = {
        name: module
        for module in set(_HOME.values()) - _REGISTERING
        for name in importlib.import_module(f"keps.cli.{module}").COMMANDS
    }
    assert {name: home for name, home in _HOME.items() if home not in _REGISTERING} == homes
    assert {"steps", "stages", "kep", "query", "index", "demo", "export", "report"} <= set(
        homes.values()
    )
