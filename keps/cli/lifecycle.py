"""kepctl commands for the lifecycle steps and for looking at one KEP."""

from __future__ import annotations

import json
from pathlib import Path

import click

from keps import workflow
from keps.cli._app import Context, fail, pass_context
from keps.cli.output import _plain
from keps.keps import Kep
from keps.problems import errors_only

__all__ = ["register"]


def _done(kep_path: Path, message: str) -> None:
    click.echo(f"{message}: {kep_path}")


def register(group: click.Group) -> None:
    """Add the lifecycle commands and show/check to *group*."""

    @group.command()
    @click.argument("target")
    @pass_context
    def init(ctx: Context, target: str) -> None:
        """Create a draft KEP at TARGET (NAME, SIG/NAME or SIG/SUBPROJECT/NAME)."""
        path = workflow.init(ctx.runtime(target))
        _done(path, "created draft KEP")

    def step(name: str, func: object, summary: str) -> None:
        @group.command(name=name, help=summary)
        @click.argument("target")
        @pass_context
        def command(ctx: Context, target: str) -> None:
            kep = func(ctx.runtime(target))  # type: ignore[operator]
            _done(kep.path, f"{name}: {kep.title} is {kep.state}")

    step(
        "propose",
        workflow.propose,
        "Propose a draft KEP to its SIG (summary and motivation written).",
    )
    step(
        "accept", workflow.accept, "Accept a proposed KEP as a SIG approver: draft -> provisional."
    )
    step("plan", workflow.plan, "Render the guides and graduation criteria of a provisional KEP.")
    step(
        "approve",
        workflow.approve,
        "Approve a provisional KEP: -> implementable, with a KEP number.",
    )
    step("implement", workflow.implement, "Mark an implementable KEP as implemented.")
    step("defer", workflow.defer, "Defer a KEP.")
    step("reject", workflow.reject, "Reject a KEP.")
    step("withdraw", workflow.withdraw, "Withdraw a KEP.")

    @group.command()
    @click.argument("target")
    @click.option("--by", "by", required=True, help="The KEP that replaces TARGET.")
    @pass_context
    def replace(ctx: Context, target: str, by: str) -> None:
        """Mark TARGET as replaced by another KEP (both are linked)."""
        kep = workflow.replace(ctx.runtime(target), by=ctx.kep_dir(by))
        _done(kep.path, f"replace: {kep.title} is {kep.state}")

    @group.command()
    @click.argument("target")
    @click.option("--output", "fmt", type=click.Choice(["text", "json", "yaml"]), default="text")
    @pass_context
    def show(ctx: Context, target: str, fmt: str) -> None:
        """Show a KEP's metadata and sections."""
        kep = Kep.open(ctx.kep_dir(target), content_root=ctx.content_root)
        data = kep.metadata.to_mapping()
        if fmt == "json":
            click.echo(json.dumps(_plain(data), indent=2))
            return
        text = (kep.path / "metadata.yaml").read_text(encoding="utf-8")
        if fmt == "yaml":
            click.echo(text, nl=False)
            return
        click.echo(f"{kep.title} ({kep.state}) at {kep.path}")
        click.echo(text, nl=False)
        click.echo("sections:")
        for filename in kep.sections:
            click.echo(f"  {filename}")

    @group.command()
    @click.argument("target")
    @pass_context
    def check(ctx: Context, target: str) -> None:
        """Run a KEP's checks and list every problem (exit 1 if any blocks)."""
        kep = Kep.open(ctx.kep_dir(target), content_root=ctx.content_root)
        problems = kep.problems()
        for problem in problems:
            click.echo(str(problem))
        blocking = errors_only(problems)
        if blocking:
            fail(f"{len(blocking)} problem(s) in {kep.path}")
        click.echo(f"ok: {kep.title} passes every check for a {kep.state} KEP")
