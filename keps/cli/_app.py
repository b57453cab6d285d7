"""The kepctl group: global options, and the one place where errors become exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import attrs
import click

from keps.errors import InvalidContentError, KepError

if TYPE_CHECKING:
    from keps.settings import Runtime
    from keps.sigs import SigRegistry

# settings, SIGs and paths are imported where they are used: `kepctl query` with
# --content-root needs none of them, and every command starts a new process

__all__ = ["Context", "KepctlGroup", "fail", "pass_context"]


@attrs.define
class Context:
    """What the global options say; each value is looked up only when a command needs it."""

    content_root_option: Path | None = None
    principal_option: str | None = None
    _registry: SigRegistry | None = None

    @property
    def content_root(self) -> Path:
        """--content-root, else the settings (environment, settings file, the tree one is in)."""
        if self.content_root_option is not None:
            return self.content_root_option.absolute()
        from keps.settings import find_content_root

        return find_content_root()

    @property
    def principal(self) -> str:
        """--principal, else the settings (environment, settings file)."""
        from keps.settings import find_principal

        return self.principal_option or find_principal()

    @property
    def registry(self) -> SigRegistry:
        """The SIG list in force at the content root."""
        if self._registry is None:
            from keps.sigs import registry_for

            self._registry = registry_for(self.content_root)
        return self._registry

    def kep_dir(self, target: str) -> Path:
        """The KEP folder a typed target names (see keps.keps.path)."""
        from keps.keps.path import locate

        path, _ = locate(target, self.content_root, self.registry)
        return path

    def runtime(self, target: str, *, principal: str | None = None) -> Runtime:
        """A Runtime for a lifecycle step on *target*."""
        from keps.settings import Runtime

        return Runtime(
            principal=principal or self.principal,
            target_dir=self.kep_dir(target),
            content_root=self.content_root,
        )


pass_context = click.make_pass_decorator(Context)


def one_line(exc: KepError) -> str:
    """The error as one line: its message, and the codes of the problems it carries."""
    head = str(KepError.__str__(exc)).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, InvalidContentError) and exc.problems:
        shown = "; ".join(f"{p.code}: {p.message}" for p in exc.problems[:3])
        more = f"; and {len(exc.problems) - 3} more" if len(exc.problems) > 3 else ""
        return f"{head}: {shown}{more}"
    return head


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one line to stderr and exit with *code*."""
    click.echo(f"kepctl: error: {message}", err=True)
    sys.exit(code)


class KepctlGroup(click.Group):
    """A click group that turns every KepError into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KepError as exc:
            fail(one_line(exc))
