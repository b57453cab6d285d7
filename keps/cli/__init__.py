"""kepctl: the command line over the keps library.

Only this package (and ``helpers/``) talks to a terminal; every expected error is one
line on stderr and exit code 1, without a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from keps.cli import demo, index_query, lifecycle, validate
from keps.cli._app import Context, KepctlGroup

__all__ = ["cli", "main"]


@click.group(cls=KepctlGroup)
@click.option(
    "--content-root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Root of the KEP content tree (default: KEP_CONTENT_ROOT, the settings file, a search).",
)
@click.option(
    "--principal",
    default=None,
    help="Your GitHub handle (default: KEP_PRINCIPAL_GITHUB_HANDLE or settings).",
)
@click.version_option(package_name="keps")
@click.pass_context
def cli(ctx: click.Context, content_root: Path | None, principal: str | None) -> None:
    """Work with Kubernetes Enhancement Proposals."""
    ctx.obj = Context(content_root_option=content_root, principal_option=principal)


lifecycle.register(cli)
index_query.register(cli)
validate.register(cli)
demo.register(cli)


def main() -> None:
    """Entry point of the kepctl console script."""
    cli(prog_name="kepctl")
