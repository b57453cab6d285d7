"""Without keps[analysis]: the library works, and charts and tables say what to install.

Each case runs in a fresh Python process in which pandas and matplotlib cannot be
imported (``sys.modules[name] = None`` makes ``import name`` raise ImportError), as
on a machine where the extra is not installed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.enhancements_tree import write_checkout

REPOSITORY = Path(__file__).resolve().parent.parent

WITHOUT = """\
import sys
sys.modules["matplotlib"] = None
sys.modules["pandas"] = None
"""


def run(code: str) -> subprocess.CompletedProcess[str]:
    """*code* after WITHOUT in a new interpreter, from the repository root."""
    return subprocess.run(
        [sys.executable, "-c", WITHOUT + code],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(name="checkout", scope="module")
def _checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_checkout(tmp_path_factory.mktemp("extras") / "enhancements", count=5)


def test_import_load_and_html_work_without_the_extra(checkout: Path) -> None:
    done = run(
        f"""
import json
import keps
ks = keps.load({str(checkout)!r})
report = {{
    "count": len(ks),
    "beta": len(ks.query("stage:beta")),
    "html": "<table>" in ks._repr_html_(),
    "validated": len(ks.validate()),
    "loaded": sorted(m for m in ("matplotlib", "pandas") if sys.modules.get(m) is not None),
}}
print(json.dumps(report))
"""
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "count": 5,
        "beta": 2,
        "html": True,
        "validated": 0,
        "loaded": [],
    }


def test_charts_and_dataframes_raise_missing_extra(checkout: Path) -> None:
    done = run(
        f"""
import json
import keps
from keps import plot
from keps.errors import MissingExtraError
ks = keps.load({str(checkout)!r})
caught = {{}}
calls = {{
    "per_sig": lambda: plot.per_sig(ks),
    "created_per_year": lambda: plot.created_per_year(ks),
    "stages_over_releases": lambda: plot.stages_over_releases(ks),
    "to_dataframe": ks.to_dataframe,
    "findings.to_dataframe": lambda: ks.validate().to_dataframe(),
}}
for name, call in calls.items():
    try:
        call()
    except MissingExtraError as exc:
        caught[name] = [type(exc).__name__, isinstance(exc, ImportError), exc.extra, str(exc)]
print(json.dumps(caught))
"""
    )
    assert done.returncode == 0, done.stderr
    caught = json.loads(done.stdout)
    assert set(caught) == {
        "per_sig",
        "created_per_year",
        "stages_over_releases",
        "to_dataframe",
        "findings.to_dataframe",
    }
    for kind, is_import_error, extra, message in caught.values():
        assert (kind, is_import_error, extra) == ("MissingExtraError", True, "analysis")
        assert "pip install 'keps[analysis]'" in message
    assert caught["per_sig"][3].startswith("charts needs")


def test_an_uncaught_missing_extra_names_the_extra(checkout: Path) -> None:
    done = run(f"import keps, keps.plot\nkeps.plot.per_sig(keps.load({str(checkout)!r}))\n")
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "keps.errors.MissingExtraError: charts needs the keps[analysis] extra: "
        "pip install 'keps[analysis]'"
    )


def test_kepctl_query_works_without_the_extra(checkout: Path) -> None:
    done = run(
        "from keps.cli import main\n"
        f"sys.argv = ['kepctl', '--content-root', {str(checkout)!r}, 'query', 'stage:beta',"
        " '--output', 'json']\n"
        "main()\n"
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert sorted(kep["kep_number"] for kep in found) == [1001, 1004]
