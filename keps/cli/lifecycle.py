"""kepctl commands for the lifecycle steps and for looking at one KEP."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from keps import workflow
from keps._files import read_text
from keps.cli._app import Context, fail, one_line, pass_context
from keps.cli.output import _plain
from keps.errors import KepError
from keps.keps import Kep
from keps.problems import errors_only
from keps.settings import Runtime

__all__ = ["register"]

_F = TypeVar("_F", bound=Callable[..., Any])

#: A pull request opener made ready before a step: give it the KEP, get the URL.
PullRequestOpener = Callable[[Kep], str]


def _done(kep_path: Path, message: str) -> None:
    click.echo(f"{message}: {kep_path}")


def _pr_options(*, required: bool) -> Callable[[_F], _F]:
    """--pr and the options saying how to reach GitHub, for the commands that open PRs."""
    options = (
        click.option(
            "--pr",
            "upstream",
            metavar="OWNER/REPO",
            required=required,
            default=None,
            help="Open a pull request with the KEP's files against OWNER/REPO "
            "(e.g. kubernetes/enhancements), from your fork.",
        ),
        click.option(
            "--token-file",
            metavar="PATH",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Read the GitHub token from PATH (default: the GITHUB_TOKEN variable).",
        ),
        click.option(
            "--api-url",
            default=None,
            help="GitHub API URL (default: KEPS_GITHUB_API_URL, else https://api.github.com).",
        ),
        click.option(
            "--git-url-template",
            default=None,
            help="Git URL of a repository with {owner} and {repo} "
            "(default: KEPS_GITHUB_GIT_URL, else https://github.com/{owner}/{repo}.git).",
        ),
    )

    def decorate(func: _F) -> _F:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _pull_request_opener(
    ctx: Context,
    upstream: str,
    token_file: Path | None,
    api_url: str | None,
    git_url_template: str | None,
) -> PullRequestOpener:
    """Check everything a pull request needs that can be checked offline; return the opener.

    Runs before a step, so a missing token or a malformed OWNER/REPO stops the command
    before the KEP changes. keps.porcelain (pygit2, PyGithub) is imported here, only
    when --pr is given: ``import keps.cli`` and the other commands never load it.
    """
    from keps.porcelain.auth import TokenProvider, token_from_env, token_from_file
    from keps.porcelain.github import api_url as resolve_api_url
    from keps.porcelain.github import git_url_template as resolve_git_template
    from keps.porcelain.pull_request import open_kep_pull_request, split_upstream

    split_upstream(upstream)
    resolve_api_url(api_url)
    resolve_git_template(git_url_template)
    token: TokenProvider = token_from_file(token_file) if token_file else token_from_env()
    token.value()
    handle = ctx.principal

    def opener(kep: Kep) -> str:
        return open_kep_pull_request(
            kep,
            github_handle=handle,
            token=token,
            upstream=upstream,
            api_url=api_url,
            git_url_template=git_url_template,
        )

    return opener


def register(group: click.Group) -> None:
    """Add the lifecycle commands and show/check to *group*."""

    @group.command()
    @click.argument("target")
    @pass_context
    def init(ctx: Context, target: str) -> None:
        """Create a KEP at TARGET (NAME, SIG/NAME or SIG/SUBPROJECT/NAME).

        In a kubernetes/enhancements checkout the KEP is laid out as upstream does
        (keps/SIG/NUMBER-NAME/kep.yaml and README.md, provisional, the next free number);
        anywhere else as the seed does (a draft, one file per section).
        """
        from keps._checkout import is_checkout

        root = ctx.content_root
        if is_checkout(root):
            path = workflow.create(root, target, principal=ctx.principal)
            _done(path, "created provisional KEP")
            return
        path = workflow.init(ctx.runtime(target, new=True))
        _done(path, "created draft KEP")

    def step(name: str, func: Callable[[Runtime], Kep], summary: str) -> None:
        @group.command(name=name, help=summary)
        @click.argument("target")
        @pass_context
        def command(ctx: Context, target: str) -> None:
            kep = func(ctx.runtime(target))
            _done(kep.path, f"{name}: {kep.title} is {kep.state}")

    def step_with_pr(name: str, func: Callable[[Runtime], Kep], summary: str) -> None:
        """A step that can also open a pull request with the KEP once it succeeded."""

        @group.command(name=name, help=f"{summary} With --pr, then open a pull request.")
        @click.argument("target")
        @_pr_options(required=False)
        @pass_context
        def command(
            ctx: Context,
            target: str,
            upstream: str | None,
            token_file: Path | None,
            api_url: str | None,
            git_url_template: str | None,
        ) -> None:
            opener = (
                _pull_request_opener(ctx, upstream, token_file, api_url, git_url_template)
                if upstream is not None
                else None
            )
            kep = func(ctx.runtime(target))
            _done(kep.path, f"{name}: {kep.title} is {kep.state}")
            if opener is None:
                return
            try:
                url = opener(kep)
            except KepError as exc:
                fail(
                    f"{name} succeeded and is saved in {kep.path}, but the pull request "
                    f"failed: {one_line(exc)}; once fixed, run: "
                    f"kepctl pr {target} --pr {upstream}"
                )
            click.echo(f"pull request: {url}")

    step_with_pr(
        "propose",
        workflow.propose,
        "Propose a draft KEP to its SIG (summary and motivation written).",
    )
    step(
        "accept", workflow.accept, "Accept a proposed KEP as a SIG approver: draft -> provisional."
    )
    step("plan", workflow.plan, "Render the guides and graduation criteria of a provisional KEP.")
    step_with_pr(
        "approve",
        workflow.approve,
        "Approve a provisional KEP: -> implementable, with a KEP number.",
    )
    step("implement", workflow.implement, "Mark an implementable KEP as implemented.")
    step("defer", workflow.defer, "Defer a KEP.")
    step("reject", workflow.reject, "Reject a KEP.")
    step("withdraw", workflow.withdraw, "Withdraw a KEP.")

    @group.command(name="pr")
    @click.argument("target")
    @_pr_options(required=True)
    @pass_context
    def pull_request(
        ctx: Context,
        target: str,
        upstream: str,
        token_file: Path | None,
        api_url: str | None,
        git_url_template: str | None,
    ) -> None:
        """Open a pull request with TARGET's files as they are (no step runs).

        For a step whose pull request failed, or a KEP edited since its last one.
        """
        opener = _pull_request_opener(ctx, upstream, token_file, api_url, git_url_template)
        kep = Kep.open(ctx.kep_dir(target), content_root=ctx.content_root)
        click.echo(f"pull request: {opener(kep)}")

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
        data = kep.layout.to_mapping(kep.metadata)
        if fmt == "json":
            click.echo(json.dumps(_plain(data), indent=2))
            return
        text = read_text(kep.metadata_path)
        if fmt == "yaml":
            click.echo(text, nl=False)
            return
        click.echo(f"{kep.title} ({kep.state}) at {kep.path}")
        click.echo(text, nl=False)
        click.echo("sections:")
        for name in kep.section_names():
            click.echo(f"  {name}")

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

    @group.command()
    @pass_context
    def recover(ctx: Context) -> None:
        """Roll back steps a crashed process left half written (each step also does this)."""
        restored = workflow.recover(ctx.content_root)
        for path in restored:
            click.echo(f"restored {path}")
        click.echo(f"recovered {len(restored)} file(s) under {ctx.content_root}")
