"""kepctl validate --output github: GitHub Actions workflow commands, parsed back.

Each line must be ``::error`` or ``::warning`` with ``file=`` (relative to the
repository root), ``line=`` and ``title=`` (the code) properties and the message, escaped
as GitHub documents for workflow commands: ``%``, CR and LF in the message; those and
``:`` and ``,`` in property values.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from keps.cli import cli
from tests.validate_helpers import GOOD, KEP, make_checkout, readme, write

_COMMAND = re.compile(r"^::(error|warning) ([^:]*)::(.*)$")


def _unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def parse(output: str) -> list[dict[str, object]]:
    """The workflow commands in *output*, decoded; a line that is none fails the test."""
    records = []
    for line in output.splitlines():
        match = _COMMAND.match(line)
        assert match is not None, f"not a workflow command: {line!r}"
        properties = dict(item.split("=", 1) for item in match[2].split(","))
        records.append(
            {
                "severity": match[1],
                "file": _unescape(properties["file"]) if "file" in properties else None,
                "line": int(properties["line"]) if "line" in properties else None,
                "code": _unescape(properties["title"]),
                "message": _unescape(match[3]),
            }
        )
    return records


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--content-root", str(root), "validate", *args])
    return result.exit_code, result.output


def test_annotations_say_what_json_says(tmp_path: Path) -> None:
    """Errors and warnings, each at its file and line, the same findings as --output json."""
    broken = GOOD.replace("status: implementable", "status: implemented") + "colour: red\n"
    make_checkout(tmp_path, broken)
    code, output = run(tmp_path, "--level", "lint", "--output", "github")
    assert code == 1
    annotations = parse(output)
    assert [(a["severity"], a["file"], a["line"], a["code"]) for a in annotations] == [
        ("error", KEP, 26, "key-unknown"),
        ("warning", KEP, 16, "implemented-not-stable"),
    ]
    _, text = run(tmp_path, "--level", "lint", "--output", "json")
    records = json.loads(text)
    assert [
        {k: r[k] for k in ("severity", "file", "line", "code", "message")} for r in records
    ] == (annotations)


def test_paths_and_messages_are_escaped(tmp_path: Path) -> None:
    """A folder named with % , : and a newline comes back whole from file= and the message."""
    make_checkout(tmp_path)
    folder = "keps/sig-node/7-odd,name:100%\nx"
    write(tmp_path, f"{folder}/README.md", readme("Odd"))
    code, output = run(tmp_path, "--output", "github")
    assert code == 1
    assert len(output.splitlines()) == 1  # the newline in the name did not split the command
    [annotation] = parse(output)
    assert annotation["file"] == f"{folder}/README.md"
    assert (annotation["line"], annotation["code"]) == (1, "kep-yaml-missing")
    assert str(annotation["message"]).startswith(f"{folder}/README.md has no kep.yaml")


def test_clean_checkout_writes_nothing(tmp_path: Path) -> None:
    """No finding, no command, exit 0."""
    make_checkout(tmp_path)
    assert run(tmp_path, "--output", "github") == (0, "")


def test_sigs_file_is_the_sig_list_lint_uses(tmp_path: Path) -> None:
    """--sigs FILE replaces the SIG list: a SIG it lacks is unknown to lint."""
    make_checkout(tmp_path)
    sigs = write(tmp_path, "sigs-only-node.yaml", "sigs:\n  - dir: sig-node\n    name: Node\n")
    code, output = run(tmp_path, "--level", "lint", "--sigs", str(sigs), "--output", "github")
    assert code == 1
    assert [(a["file"], a["line"], a["code"]) for a in parse(output)] == [
        (KEP, 7, "participating-sig-unknown")
    ]
