"""kepctl validate over an enhancements checkout.

``validate`` prints problems grouped by KEP and a summary line, a JSON list
(``--output json``, the machine format) or GitHub Actions workflow commands
(``--output github``, one ``::error``/``::warning`` per problem, so that a CI job marks
the lines of a pull request); it exits 1 when any error is left after the baseline.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click

from keps import validate as kv
from keps.cli._app import Context, pass_context
from keps.problems import Problem, Severity

__all__ = ["github_commands", "problem_records", "register", "render_text"]


def problem_records(repo: kv.Repository, problems: Sequence[Problem]) -> list[dict[str, object]]:
    """The problems as JSON-ready objects: file (relative), line, code, field, severity, message."""
    return [
        {
            "file": repo.relative(p.path) if p.path else None,
            "line": p.line,
            "code": p.code,
            "field": p.field,
            "severity": p.severity.value,
            "message": p.message,
        }
        for p in problems
    ]


def _escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF percent-encoded (GitHub's rules)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value: as a message, and ``:`` and ``,`` too."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_commands(repo: kv.Repository, problems: Sequence[Problem]) -> str:
    """One GitHub Actions workflow command per problem, then none else.

    ``::error file=keps/sig-node/1-x/kep.yaml,line=3,title=key-unknown::message`` for an
    error, ``::warning ...`` for a warning; the file is relative to the repository root
    (where the workflow checks it out), and ``file``/``line`` are left out when unknown.
    """
    lines = []
    for p in problems:
        command = "error" if p.severity is Severity.ERROR else "warning"
        properties = []
        if p.path:
            properties.append(f"file={_escape_property(repo.relative(p.path))}")
            if p.line is not None:
                properties.append(f"line={p.line}")
        properties.append(f"title={_escape_property(p.code)}")
        lines.append(f"::{command} {','.join(properties)}::{_escape_data(p.message)}\n")
    return "".join(lines)


def render_text(repo: kv.Repository, problems: Sequence[Problem]) -> str:
    """Problems grouped by file, then one summary line."""
    lines: list[str] = []
    groups: dict[str, list[Problem]] = {}
    for problem in problems:
        groups.setdefault(repo.relative(problem.path) if problem.path else "-", []).append(problem)
    for file, items in groups.items():
        lines.append(file)
        for p in items:
            where = f"{p.line}: " if p.line is not None else ""
            field = f" {p.field}:" if p.field else ""
            lines.append(f"  {where}{p.severity.value} [{p.code}]{field} {p.message}")
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    warnings = len(problems) - errors
    lines.append(
        f"{len(problems)} problem(s): {errors} error(s), {warnings} warning(s) "
        f"in {len(groups)} file(s) of {len(repo.keps)} KEP(s)"
    )
    return "\n".join(lines) + "\n"


def register(group: click.Group) -> None:
    """Add `validate` to *group*."""

    @group.command(name="validate")
    @click.option(
        "--level",
        type=click.Choice(list(kv.LEVELS)),
        default="kepval",
        show_default=True,
        help="kepval: what the enhancements CI enforces; lint: everything a reviewer flags.",
    )
    @click.option(
        "--output",
        "fmt",
        type=click.Choice(["text", "json", "github"]),
        default="text",
        show_default=True,
        help="json: the machine format; github: GitHub Actions annotations (::error ...).",
    )
    @click.option(
        "--release",
        default=None,
        metavar="vX.Y",
        help="The upcoming release (as CI learns from kubernetes/sig-release); "
        "default: the newest latest-milestone in the checkout.",
    )
    @click.option(
        "--sigs",
        "sigs_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The SIG list (kubernetes/community sigs.yaml) lint checks names against.",
    )
    @click.option(
        "--baseline",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Report only problems this baseline does not record.",
    )
    @click.option(
        "--write-baseline",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Record today's problems in FILE and exit 0.",
    )
    @pass_context
    def validate(
        ctx: Context,
        /,
        level: str,
        fmt: str,
        release: str | None,
        sigs_file: Path | None,
        baseline: Path | None,
        write_baseline: Path | None,
    ) -> None:
        """Validate every KEP of an enhancements checkout (--content-root: root or keps/)."""
        registry = None
        if sigs_file is not None:
            from keps.sigs import SigRegistry

            registry = SigRegistry.from_file(sigs_file)
        repo = kv.open_repository(ctx.content_root, registry=registry, release=release)
        problems = kv.validate(repo, level=level)
        if write_baseline is not None:
            count = kv.write_baseline(repo, problems, write_baseline)
            click.echo(f"recorded {count} problem(s) in {write_baseline}")
            return
        if baseline is not None:
            problems = kv.new_problems(repo, problems, kv.read_baseline(baseline))
        if fmt == "json":
            text = json.dumps(problem_records(repo, problems), indent=2, ensure_ascii=False)
            click.echo(text)
        elif fmt == "github":
            click.echo(github_commands(repo, problems), nl=False)
        else:
            click.echo(render_text(repo, problems), nl=False)
        if any(p.severity is Severity.ERROR for p in problems):
            raise SystemExit(1)
