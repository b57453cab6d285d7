"""kepctl validate and kepctl export over an enhancements checkout.

``validate`` prints problems grouped by KEP and a summary line (or a JSON list), and
exits 1 when any error is left after the baseline; ``export`` writes every KEP as one
JSON document.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click

from keps import validate as kv
from keps._files import atomic_write_text
from keps.cli._app import Context, pass_context
from keps.problems import Problem, Severity

__all__ = ["problem_records", "register", "render_text"]


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
    """Add `validate` and `export` to *group*."""

    @group.command(name="validate")
    @click.option(
        "--level",
        type=click.Choice(list(kv.LEVELS)),
        default="kepval",
        show_default=True,
        help="kepval: what the enhancements CI enforces; lint: everything a reviewer flags.",
    )
    @click.option(
        "--output", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
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
        ctx: Context, /, level: str, fmt: str, baseline: Path | None, write_baseline: Path | None
    ) -> None:
        """Validate every KEP of an enhancements checkout (--content-root: root or keps/)."""
        repo = kv.open_repository(ctx.content_root)
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
        else:
            click.echo(render_text(repo, problems), nl=False)
        if any(p.severity is Severity.ERROR for p in problems):
            raise SystemExit(1)

    @group.command(name="export")
    @click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
    @click.option(
        "--output",
        "target",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write to FILE instead of standard output.",
    )
    @pass_context
    def export(ctx: Context, /, fmt: str, target: Path | None) -> None:
        """Write every KEP of an enhancements checkout as one JSON document."""
        repo = kv.open_repository(ctx.content_root)
        text = json.dumps(kv.export_document(repo), indent=2, ensure_ascii=False) + "\n"
        if target is None:
            click.echo(text, nl=False)
        else:
            atomic_write_text(target, text)
            click.echo(f"exported {len(repo.keps)} KEP(s) to {target}", err=True)
