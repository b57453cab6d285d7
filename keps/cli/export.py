"""kepctl export: every KEP as a table, in JSON, CSV or Parquet.

The records are those of ``kepctl query --output json`` and of
``keps.load(root).to_records()``: one set of field names everywhere (see
:mod:`keps.index.records`). Either layout works. Parquet (pyarrow, from the optional
``keps[analysis]`` extra) lets DuckDB or Polars query the exports of many repositories,
or of one repository at many commits, as one table.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import click

from keps._files import atomic_write_bytes
from keps.cli._app import Context, Report, emit, pass_context
from keps.cli.output import render_records
from keps.errors import InvalidArgumentError
from keps.index.records import RECORD_FIELDS

__all__ = ["COMMANDS", "EXPORT_FORMATS", "export", "export_bytes"]

#: The largest export written: far above 10,000 KEPs (about 10 MiB of JSON).
_MAX_EXPORT_BYTES = 1 << 30

#: The formats export writes.
EXPORT_FORMATS = ("json", "csv", "parquet")


def export_bytes(content_root: Path, fmt: str = "json", *, fresh: bool = False) -> bytes:
    """Every KEP under *content_root* in format *fmt*, as the bytes of a file.

    Raises:
        InvalidArgumentError: *fmt* is not one of :data:`EXPORT_FORMATS`.
        MissingExtraError: Parquet without pyarrow installed.
    """
    if fmt not in EXPORT_FORMATS:
        msg = f"unknown export format {fmt!r}; formats are: {', '.join(EXPORT_FORMATS)}"
        raise InvalidArgumentError(msg, argument="fmt", value=fmt)
    from keps.analysis.collection import load

    records = load(content_root, fresh=fresh).to_records()
    if fmt == "parquet":
        from keps.analysis.parquet import parquet_bytes

        return parquet_bytes(records)
    return render_records(records, fmt, RECORD_FIELDS).encode("utf-8")


def export(
    content_root: Path, fmt: str = "json", target: Path | None = None, *, fresh: bool = False
) -> Report:
    """Export every KEP under *content_root* to *target* (or standard output, as text).

    Raises:
        InvalidArgumentError: Parquet to standard output (it is binary: give a file).
    """
    if fmt == "parquet" and target is None:
        msg = "Parquet is binary: give a file with --output FILE"
        raise InvalidArgumentError(msg, argument="output", value=None)
    data = export_bytes(content_root, fmt, fresh=fresh)
    if target is None:
        return Report(data.decode("utf-8"))
    atomic_write_bytes(target, data, limit=_MAX_EXPORT_BYTES)
    return Report(notes=(f"exported to {target} ({fmt}, {len(data)} bytes)",))


@click.command(name="export")
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="json", show_default=True
)
@click.option(
    "--output",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE (needed for parquet) instead of standard output.",
)
@click.option("--rebuild", "fresh", is_flag=True, help="Rebuild the index from the tree first.")
@pass_context
def _main(ctx: Context, /, fmt: str, target: Path | None, fresh: bool) -> None:
    """Write every KEP as a table: JSON records, CSV or Parquet (query's field names)."""
    emit(export(ctx.content_root, fmt, target, fresh=fresh))


#: Every command of this module, by name.
COMMANDS: Mapping[str, click.Command] = MappingProxyType({"export": _main})
