"""kepctl report time-in-state: what a person sees for a checkout with a known history.

The repository is the one of tests/test_history.py: KEP 1234 provisional on Jan 1 2024,
implementable on Mar 1 (for v1.30, alpha), implemented on Jun 1 (v1.31, beta), plus
KEP 99 of SIG Apps, provisional since Mar 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keps.cli import cli
from keps.cli.report import time_in_state
from tests.test_history import JAN, JUN, KEP, MAR, Git, kep_yaml

PNG = b"\x89PNG\r\n\x1a\n"
OTHER = "keps/sig-apps/99-other/kep.yaml"
REPOSITORY = Path(__file__).resolve().parent.parent


@pytest.fixture(name="git")
def _git(tmp_path: Path) -> Git:
    git = Git(tmp_path / "enhancements")
    kep = f"{KEP}/kep.yaml"
    other = kep_yaml("provisional", 99, "sig-apps")
    git.commit({kep: kep_yaml("provisional")}, JAN, "Alice")
    alpha = kep_yaml(
        "implementable", stage="alpha", latest_milestone="v1.30", milestone_alpha="v1.30"
    )
    git.commit({kep: alpha, OTHER: other}, MAR, "Bob")
    beta = kep_yaml(
        "implemented",
        stage="beta",
        latest_milestone="v1.31",
        milestone_alpha="v1.30",
        milestone_beta="v1.31",
    )
    git.commit({kep: beta, OTHER: other}, JUN, "Carol")
    return git


def kepctl(git: Git, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["--content-root", str(git.path), "report", "time-in-state", *args]
    )


def test_a_table_per_kep_by_default(git: Git) -> None:
    result = kepctl(git)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "KEP_NUMBER  LOCATION                        OWNING_SIG  VALUE          SPANS  CURRENT  DAYS\n"
        "99          keps/sig-apps/99-other          sig-apps    provisional    1      True     92.0\n"
        "1234        keps/sig-node/1234-faster-pods  sig-node    provisional    1      False    60.0\n"
        "1234        keps/sig-node/1234-faster-pods  sig-node    implementable  1      False    92.0\n"
        "1234        keps/sig-node/1234-faster-pods  sig-node    implemented    1      True     0.0\n"
    )
    assert result.stderr == ""


def test_json_gives_every_key(git: Git) -> None:
    result = kepctl(git, "--output", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert records[1] == {
        "kep_number": 1234,
        "location": KEP,
        "owning_sig": "sig-node",
        "field": "state",
        "value": "provisional",
        "spans": 1,
        "current": False,
        "days": 60.0,
        "seconds": 60 * 86400,
    }


def test_csv_by_sig(git: Git) -> None:
    result = kepctl(git, "--by", "sig", "--output", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "owning_sig,value,keps,current,mean_days,median_days,total_days\n"
        "sig-apps,provisional,1,1,92.0,92.0,92.0\n"
        "sig-node,provisional,1,0,60.0,60.0,60.0\n"
        "sig-node,implementable,1,0,92.0,92.0,92.0\n"
        "sig-node,implemented,1,1,0.0,0.0,0.0\n"
    )


def test_stages_by_release(git: Git) -> None:
    result = kepctl(git, "--field", "stage", "--by", "release", "--output", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "release,value,keps,current,mean_days,median_days,total_days\n"
        "v1.30,alpha,1,0,92.0,92.0,92.0\n"
        "v1.31,beta,1,1,0.0,0.0,0.0\n"
    )


def test_the_plain_function_returns_what_the_command_prints(git: Git) -> None:
    report = time_in_state(git.path, by="sig", fmt="csv")
    assert report.out == kepctl(git, "--by", "sig", "--output", "csv").stdout
    assert report.notes == ()


def test_a_ref_reports_the_history_up_to_it(git: Git) -> None:
    first = str(git.repo.revparse_single("HEAD~2").id)
    result = kepctl(git, "--ref", first, "--output", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "1234,keps/sig-node/1234-faster-pods,sig-node,provisional,1,True,0.0"
    ]


def test_from_inside_the_checkout_without_flags(git: Git, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = git.path / KEP
    folder.mkdir(parents=True)
    (folder / "kep.yaml").write_text(kep_yaml("implemented"))
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, ["report", "time-in-state", "--by", "sig"])
    assert result.exit_code == 0, result.output
    assert "sig-node    implementable  1     0        92.0" in result.stdout


def test_skipped_versions_are_listed_on_stderr(git: Git) -> None:
    kep = f"{KEP}/kep.yaml"
    broken = git.commit({kep: "status: [oops\n"}, JUN, "Mallory")
    result = kepctl(git, "--output", "csv")
    assert result.exit_code == 0, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"skipped: {kep}:2 [yaml-invalid] {kep} at commit {broken}: ")
    assert line.endswith("; skipped for this commit")


def test_an_unknown_ref_is_one_line_naming_the_repository(git: Git) -> None:
    result = kepctl(git, "--ref", "no-such-branch")
    assert result.exit_code == 1
    assert result.stderr == (
        f"kepctl: error: {git.path}: no commit 'no-such-branch' in this git repository\n"
    )


def test_a_folder_without_keps(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--content-root", str(tmp_path), "report", "time-in-state"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"kepctl: error: {tmp_path} is neither a git checkout")


def test_an_unknown_field_is_refused_by_click(git: Git) -> None:
    result = kepctl(git, "--field", "milestone")
    assert result.exit_code == 2
    assert "'milestone' is not one of 'state', 'stage'" in result.stderr


def test_report_is_listed_in_help() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "report" in result.stdout


def test_a_chart_is_a_png_file(git: Git, tmp_path: Path) -> None:
    pytest.importorskip(
        "matplotlib", reason="charts need matplotlib (pip install 'keps[analysis]')"
    )
    chart = tmp_path / "time.png"
    for by in ("kep", "sig", "release"):
        result = kepctl(git, "--by", by, "--chart", str(chart))
        assert result.exit_code == 0, result.output
        assert result.stderr == f"chart written to {chart}\n"
        assert chart.read_bytes().startswith(PNG)
        chart.unlink()


def test_the_chart_of_a_history_is_a_figure(git: Git, tmp_path: Path) -> None:
    pytest.importorskip(
        "matplotlib", reason="charts need matplotlib (pip install 'keps[analysis]')"
    )
    import keps.history
    from keps.plot.history import time_in_state as chart

    figure = chart(keps.history.load(git.path), field="stage", by="release")
    assert figure.axes[0].get_title() == "time in each stage, by release"
    assert [t.get_text() for t in figure.axes[0].get_yticklabels()] == ["v1.30", "v1.31"]
    empty = chart([])
    empty.savefig(tmp_path / "empty.png")
    assert (tmp_path / "empty.png").read_bytes().startswith(PNG)


def test_a_chart_into_a_missing_folder_names_the_file(git: Git, tmp_path: Path) -> None:
    pytest.importorskip(
        "matplotlib", reason="charts need matplotlib (pip install 'keps[analysis]')"
    )
    chart = tmp_path / "no" / "such" / "chart.png"
    result = kepctl(git, "--chart", str(chart))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"kepctl: error: cannot write the chart to {chart}")


def _site_without_matplotlib(folder: Path) -> Path:
    """A site-packages of links to this one's, leaving matplotlib out: as if not installed."""
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    folder.mkdir()
    for entry in site.iterdir():
        if not entry.name.startswith(("matplotlib", "mpl_toolkits", "__editable__", "keps")):
            (folder / entry.name).symlink_to(entry)
    return folder


@pytest.mark.slow
def test_a_chart_without_matplotlib_says_what_to_install(git: Git, tmp_path: Path) -> None:
    """kepctl in a Python whose packages lack matplotlib (a fresh process, no site hooks)."""
    site = _site_without_matplotlib(tmp_path / "site")
    chart = tmp_path / "time.png"
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPOSITORY), str(site)])}
    script = "import sys; from keps.cli import main; sys.argv[0] = 'kepctl'; main()"
    args = ["--content-root", str(git.path), "report", "time-in-state", "--chart", str(chart)]
    done = subprocess.run(
        [sys.executable, "-S", "-c", script, *args],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        "kepctl: error: charts needs the keps[analysis] extra: pip install 'keps[analysis]'\n"
    )
    assert not chart.exists()
