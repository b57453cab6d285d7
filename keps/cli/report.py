"""kepctl report: what the KEP history says, such as how long KEPs spend in each state.

``time_in_state(root, by="sig")`` returns what ``kepctl --content-root root report
time-in-state --by sig`` prints: the records of
:meth:`keps.history.History.time_in_state` as a table, JSON or CSV, and with
``--chart`` a bar chart too. What the history skipped (a kep.yaml that was not YAML at
some commit, a symlink) is listed on stderr.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import click

from keps.cli._app import Context, Report, emit, pass_context, printable
from keps.cli.output import render_records
from keps.errors import KepError

__all__ = ["COLUMNS", "COMMANDS", "time_in_state"]

#: The columns a table and CSV show, for each grouping (JSON gives every key).
COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "kep": ("kep_number", "location", "owning_sig", "value", "spans", "current", "days"),
        "sig": ("owning_sig", "value", "keps", "current", "mean_days", "median_days", "total_days"),
        "release": (
            "release",
            "value",
            "keps",
            "current",
            "mean_days",
            "median_days",
            "total_days",
        ),
    }
)

_FORMATS = ("table", "json", "csv")


def _draw(records: list[dict[str, Any]], chart: Path, by: str) -> Path:
    """Save the bar chart of *records* to the PNG file *chart*."""
    from keps.plot.history import time_in_state as bars

    figure = bars(records, by=by)
    try:
        figure.savefig(chart, format="png")
    except OSError as exc:
        msg = f"cannot write the chart to {chart}: {exc.strerror or exc}"
        raise KepError(msg, path=chart) from exc
    return chart


def time_in_state(
    content_root: Path,
    *,
    field: str = "state",
    by: str = "kep",
    fmt: str = "table",
    chart: Path | None = None,
    ref: str = "HEAD",
) -> Report:
    """How long the KEPs of *content_root* spent in each value of *field*, grouped *by*.

    *content_root* is a kubernetes/enhancements git checkout (read from commit *ref*) or
    a 2018 content root (see :func:`keps.history.load`). With *chart*, a PNG bar chart
    is written there too.

    Raises:
        KepError: no history there, an unknown ref, field or grouping, a chart asked
            for without matplotlib (MissingExtraError), or one that cannot be written.
    """
    from keps import history

    loaded = history.load(content_root, ref=ref)
    records = loaded.time_in_state(field, by)
    notes = [printable(f"skipped: {problem}") for problem in loaded.problems]
    if chart is not None:
        notes.append(printable(f"chart written to {_draw(records, chart, by)}"))
    return Report(render_records(records, fmt, COLUMNS.get(by, COLUMNS["kep"])), tuple(notes))


@click.group(name="report")
def report_group() -> None:
    """Reports over the KEP history (a git checkout, or a 2018 tree's events)."""


@report_group.command(name="time-in-state")
@click.option(
    "--field",
    type=click.Choice(["state", "stage"]),
    default="state",
    show_default=True,
    help="Which field's values to time.",
)
@click.option(
    "--by",
    type=click.Choice(["kep", "sig", "release"]),
    default="kep",
    show_default=True,
    help="One row per KEP, per owning SIG, or per release (the KEP's latest milestone then).",
)
@click.option("--output", "fmt", type=click.Choice(_FORMATS), default="table", show_default=True)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also draw a bar chart to this PNG file (needs keps[analysis]).",
)
@click.option("--ref", default="HEAD", show_default=True, help="The commit to read history up to.")
@pass_context
def time_in_state_command(
    ctx: Context, /, field: str, by: str, fmt: str, chart: Path | None, ref: str
) -> None:
    """How long KEPs spent in each state (or stage), from the checkout's git history."""
    emit(time_in_state(ctx.content_root, field=field, by=by, fmt=fmt, chart=chart, ref=ref))


#: Every command of this module, by name.
COMMANDS: Mapping[str, click.Command] = MappingProxyType({"report": report_group})
