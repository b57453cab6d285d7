"""`import keps` and `kepctl query` stay light.

pygit2 and PyGithub load only with keps.porcelain; ruamel only when a file is edited;
urllib.request (and ssl) only when a SIG list is fetched from a URL. `import keps` loads
no module of the object model until a name is used, and a `kepctl query` over an
unchanged keps.yaml needs neither PyYAML nor the object model.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import keps
import keps.index
from tests.kep_factory import make_kep

HEAVY = ("pygit2", "github", "ruamel.yaml", "urllib.request", "ssl")


#: What a query over an unchanged keps.yaml does without: YAML, the object model, the
#: worker pool and the lock library.
START_UP = (
    "yaml",
    "keps.keps.kep",
    "keps.keps.metadata",
    "keps.keps.check",
    "keps.sigs.registry",
    "concurrent.futures.process",
    "filelock",
)


def loaded_after(code: str, modules: tuple[str, ...] = HEAVY) -> list[str]:
    """Those of *modules* in sys.modules after running *code* in a fresh interpreter."""
    probe = (
        f"{code}\nimport sys, json\nprint(json.dumps([m for m in {modules!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    result: list[str] = json.loads(out.strip().splitlines()[-1])
    return result


def test_import_keps_is_light() -> None:
    """`import keps` (the object model) does not import git or GitHub libraries."""
    assert loaded_after("import keps") == []


def test_index_and_filter_are_light() -> None:
    """The index and the query language do not import them either."""
    assert loaded_after("import keps.index, keps.filter") == []


def test_kepctl_query_is_light(tmp_path: Path) -> None:
    """`kepctl query --output json` runs to the end without importing them."""
    code = (
        "import sys\n"
        "from keps.cli import cli\n"
        f"sys.argv = ['kepctl', '--content-root', {str(tmp_path)!r}, 'query', '--sig', 'sig-node',"
        " '--output', 'json']\n"
        "try:\n"
        "    cli(prog_name='kepctl')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
    )
    assert loaded_after(code) == []


def test_kepctl_query_loads_only_its_command_module(tmp_path: Path) -> None:
    """The other command modules (steps, show/check, index, validate, demo) load only for
    their own commands."""
    code = (
        "import sys, json\n"
        "from keps.cli import cli\n"
        f"sys.argv = ['kepctl', '--content-root', {str(tmp_path)!r}, 'query', '--output', 'json']\n"
        "try:\n"
        "    cli(prog_name='kepctl')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "mods = ('keps.cli.steps', 'keps.cli.kep', 'keps.cli.index', 'keps.cli.validate',"
        " 'keps.cli.demo')\n"
        "print(json.dumps([m for m in mods if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_import_keps_loads_names_on_first_use() -> None:
    """`import keps` imports no object model; the first use of a name imports its module."""
    model = ("attrs", "yaml", "keps.keps.kep", "keps.keps.metadata", "keps.errors")
    assert loaded_after("import keps", model) == []
    assert loaded_after("import keps\nkeps.Kep", model) != []
    assert loaded_after("from keps import State", ("keps.keps.states",)) == ["keps.keps.states"]


def query(root: Path) -> str:
    """The code of a fresh `kepctl --content-root root query --output json`."""
    return (
        "import sys\n"
        "from keps.cli import cli\n"
        f"sys.argv = ['kepctl', '--content-root', {str(root)!r}, 'query', '--output', 'json']\n"
        "try:\n"
        "    cli(prog_name='kepctl')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
    )


def test_repeated_query_reads_only_the_index(tmp_path: Path) -> None:
    """Once keps.yaml has been read, the next query imports no YAML and no object model."""
    make_kep(tmp_path, "sig-node/first-kep")
    make_kep(tmp_path, "sig-node/second-kep", state=keps.State.PROVISIONAL)
    keps.index.rebuild(tmp_path).persist()
    first = subprocess.run(
        [sys.executable, "-c", query(tmp_path)], check=True, capture_output=True, text=True
    ).stdout
    assert sorted(r["location"] for r in json.loads(first)) == [
        "sig-node/sig-wide/first-kep",
        "sig-node/sig-wide/second-kep",
    ]
    assert loaded_after(query(tmp_path), START_UP) == []
    (tmp_path / "keps.yaml").write_text(
        (tmp_path / "keps.yaml").read_text(encoding="utf-8").replace("First Kep", "Renamed"),
        encoding="utf-8",
    )
    assert "yaml" in loaded_after(query(tmp_path), START_UP)  # a changed file is parsed again
