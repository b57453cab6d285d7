"""--pr and its options, and the pull request opener they make, for the commands that open PRs.

keps.porcelain (pygit2, PyGithub) is imported only when --pr is given: ``import keps.cli``
and every other command never load it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import click

from keps.cli._app import Context

if TYPE_CHECKING:
    from keps.keps import Kep
    from keps.porcelain.auth import TokenProvider
    from keps.workflow import Changes

__all__ = ["PullRequestOpener", "pr_options", "pull_request_opener"]

_F = TypeVar("_F", bound=Callable[..., Any])


@attrs.frozen
class PullRequestOpener:
    """Opens a pull request with a KEP's files against *upstream*, from *handle*'s fork.

    Made (and its token read) before a step runs, so a missing token or a malformed
    OWNER/REPO stops the command before the KEP changes.
    """

    upstream: str
    handle: str
    token: TokenProvider = attrs.field(repr=False)
    api_url: str | None = None
    git_url_template: str | None = None

    def __call__(self, kep: Kep, changes: Changes | None = None, *, target: str = "") -> str:
        """Open (or update) the pull request for *kep*; its URL.

        In a kubernetes/enhancements checkout the pull request holds exactly the files
        *changes* names (a step's; default: every file of the KEP that differs
        upstream), at their paths in the repository, on the KEP's own branch: a later
        step updates it. A seed KEP's folder goes in whole, as before.
        """
        from keps._checkout import is_checkout

        if is_checkout(kep.content_root):
            from keps.porcelain import kep_changes, open_step_pull_request

            retry = f"kepctl pr {target or kep.path} --pr {self.upstream}"
            return open_step_pull_request(
                changes if changes is not None else kep_changes(kep),
                github_handle=self.handle,
                token=self.token,
                upstream=self.upstream,
                retry_command=retry,
                api_url=self.api_url,
                git_url_template=self.git_url_template,
            ).url
        from keps.porcelain.pull_request import open_kep_pull_request

        return open_kep_pull_request(
            kep,
            github_handle=self.handle,
            token=self.token,
            upstream=self.upstream,
            api_url=self.api_url,
            git_url_template=self.git_url_template,
        )


def pull_request_opener(
    ctx: Context,
    upstream: str,
    token_file: Path | None,
    api_url: str | None,
    git_url_template: str | None,
) -> PullRequestOpener:
    """Check everything a pull request needs that can be checked offline; return the opener.

    The principal is looked up last, after the options and the token, so the first
    error a person meets is about what they typed.
    """
    from keps.porcelain.auth import token_from_env, token_from_file
    from keps.porcelain.github import api_url as resolve_api_url
    from keps.porcelain.github import git_url_template as resolve_git_template
    from keps.porcelain.pull_request import split_upstream

    split_upstream(upstream)
    resolve_api_url(api_url)
    resolve_git_template(git_url_template)
    token = token_from_file(token_file) if token_file else token_from_env()
    token.value()
    return PullRequestOpener(
        upstream=upstream,
        handle=ctx.principal,
        token=token,
        api_url=api_url,
        git_url_template=git_url_template,
    )


def pr_options(*, required: bool) -> Callable[[_F], _F]:
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
