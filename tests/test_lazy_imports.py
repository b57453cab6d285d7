"""`import keps` and `kepctl query` stay light.

pygit2 and PyGithub load only with keps.porcelain; ruamel only when a file is edited;
urllib.request (and ssl) only when a SIG list is fetched from a URL.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("pygit2", "github", "ruamel.yaml", "urllib.request", "ssl")


def loaded_after(code: str) -> list[str]:
    """The heavy modules in sys.modules after running *code* in a fresh interpreter."""
    probe = (
        f"{code}\nimport sys, json\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
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
    """The lifecycle, validate and demo command modules load only for their commands."""
    code = (
        "import sys, json\n"
        "from keps.cli import cli\n"
        f"sys.argv = ['kepctl', '--content-root', {str(tmp_path)!r}, 'query', '--output', 'json']\n"
        "try:\n"
        "    cli(prog_name='kepctl')\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "mods = ('keps.cli.lifecycle', 'keps.cli.validate', 'keps.cli.demo')\n"
        "print(json.dumps([m for m in mods if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []
