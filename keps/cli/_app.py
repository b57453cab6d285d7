"""The kepctl group: global options, and the one place where errors become exit codes."""

from __future__ import annotations

import logging
import sys
import traceback
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import attrs
import click

from keps.errors import InvalidContentError, KepError

if TYPE_CHECKING:
    from keps.settings import Runtime

# settings, SIGs and paths are imported where they are used: `kepctl query` with
# --content-root needs none of them, and every command starts a new process

__all__ = [
    "Context",
    "KepctlGroup",
    "Report",
    "emit",
    "fail",
    "find_kep",
    "one_line",
    "pass_context",
    "printable",
    "runtime_for",
    "show_logs",
]


@attrs.define
class Context:
    """What the global options say; each value is looked up only when a command needs it."""

    content_root_option: Path | None = None
    principal_option: str | None = None
    debug: bool = False

    @property
    def content_root(self) -> Path:
        """--content-root, else the settings (environment, settings file, the tree one is in)."""
        if self.content_root_option is not None:
            from keps._checkout import content_root_of

            return content_root_of(self.content_root_option.absolute())
        from keps.settings import find_content_root

        return find_content_root()

    @property
    def principal(self) -> str:
        """--principal, else the settings (environment, settings file)."""
        from keps.settings import find_principal

        return self.principal_option or find_principal()


def find_kep(content_root: Path, target: str) -> Path:
    """The folder of the existing KEP a typed target names (see keps.index.targets)."""
    from keps.index import find_target
    from keps.sigs import registry_for

    return find_target(target, content_root, registry_for(content_root))


def runtime_for(content_root: Path, target: str, principal: str, *, new: bool = False) -> Runtime:
    """A Runtime for a lifecycle step on *target* (a KEP to create, with *new*)."""
    from keps.settings import Runtime

    if new:
        from keps.keps.path import locate
        from keps.sigs import registry_for

        target_dir, _ = locate(target, content_root, registry_for(content_root))
    else:
        target_dir = find_kep(content_root, target)
    return Runtime(principal=principal, target_dir=target_dir, content_root=content_root)


@attrs.frozen
class Report:
    """What a command says: *notes* and *error* on stderr, *out* on stdout.

    A command's plain function returns one, so a test reads exactly what a person would
    see. *error* is set when the command failed after doing part of its work (a step
    saved, its pull request not opened; a check run, problems found): the command then
    exits 1 after printing *out*. A failure before any work is a raised KepError.
    """

    out: str = ""
    notes: tuple[str, ...] = ()
    error: str | None = None


def emit(report: Report) -> None:
    """Print *report*: its notes (stderr), its text (stdout), then its error, exit 1.

    A note is one line: control characters in it (from a KEP's location, a problem's
    text) are shown escaped, so no note can split itself or drive the terminal.
    """
    for note in report.notes:
        click.echo(printable(note), err=True)
    if report.out:
        click.echo(report.out, nl=False)
    if report.error is not None:
        fail(report.error)


pass_context = click.make_pass_decorator(Context)


def printable(text: str) -> str:
    """*text* as one line that shows on a terminal as it is.

    Control characters (a newline, an escape sequence) and undecodable bytes (lone
    surrogates, from a name that is not UTF-8) become their Python escapes, so no value
    from a KEP or from the command line can split a message or drive the terminal.

    >>> printable("bad\\udcff\\nname\\x1b[2J")
    'bad\\\\udcff\\\\nname\\\\x1b[2J'
    """
    if text.isprintable():
        return text
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in ("Cc", "Cs")
        else char
        for char in text
    )


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
    click.echo(f"kepctl: error: {printable(message)}", err=True)
    sys.exit(code)


class _OneLineFormatter(logging.Formatter):
    """``kepctl: warning: <message>`` on one line; the traceback only when debugging.

    Without *debug*, an exception logged with the record (``log.exception``) shows as
    its one-line message after the record's, never as a traceback.
    """

    def __init__(self, *, debug: bool) -> None:
        super().__init__()
        self.debug = debug

    def format(self, record: logging.LogRecord) -> str:
        line = f"kepctl: {record.levelname.lower()}: {record.getMessage()}"
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and not self.debug:
            line += f": {exc}"
        line = printable(line)
        if exc is not None and self.debug and record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _StderrHandler(logging.Handler):
    """Writes records to the stderr click knows at the time (also a test runner's)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:  # logging must never end the command
            self.handleError(record)


def show_logs(*, debug: bool) -> None:
    """Send the keps library's log records to stderr, one line each.

    Warnings and errors by default; with *debug* everything, with tracebacks. Without
    this, Python's last-resort handler would print a logged exception's full traceback
    beside the command's one-line error. Calling it again replaces the handler.
    """
    logger = logging.getLogger("keps")
    for handler in list(logger.handlers):
        if isinstance(handler, _StderrHandler):
            logger.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(_OneLineFormatter(debug=debug))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)


class KepctlGroup(click.Group):
    """A click group that turns every KepError into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KepError as exc:
            if isinstance(ctx.obj, Context) and ctx.obj.debug:
                click.echo(traceback.format_exc().rstrip("\n"), err=True)
            fail(one_line(exc))
