"""KEP records as a Parquet file (pyarrow, from the optional ``keps[analysis]`` extra).

The columns are :data:`keps.index.records.RECORD_FIELDS` with one type each, so DuckDB,
Polars or pandas read many exports (of many repositories, or of one repository at many
commits) as one table: ``kep_number`` int64, ``created``/``last_updated`` UTC timestamps,
list fields lists of strings, everything else strings. A value a KEP's file writes that
its column cannot hold (a creation date ``2023-14-05``) is null here; JSON and CSV keep it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from keps.errors import MissingExtraError
from keps.index.records import LIST_FIELDS, RECORD_FIELDS

__all__ = ["parquet_bytes"]

_TIMES = frozenset({"created", "last_updated"})


def _schema(pa: Any) -> Any:
    fields = []
    for name in RECORD_FIELDS:
        if name == "kep_number":
            kind = pa.int64()
        elif name in _TIMES:
            kind = pa.timestamp("us", tz="UTC")
        elif name in LIST_FIELDS:
            kind = pa.list_(pa.string())
        else:
            kind = pa.string()
        fields.append(pa.field(name, kind))
    return pa.schema(fields)


def _fit(name: str, value: object) -> object:
    """*value* as its Parquet column holds it; None where the column type cannot."""
    if name == "kep_number":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if name in _TIMES:
        return value if isinstance(value, dt.datetime) else None
    if isinstance(value, tuple):
        return list(value)
    return value


def parquet_bytes(records: Sequence[Mapping[str, object]]) -> bytes:
    """*records* (from :func:`keps.index.records.to_record`) as the bytes of a Parquet file.

    Raises:
        MissingExtraError: pyarrow is not installed.
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        feature = "Parquet export"
        raise MissingExtraError(feature) from exc
    schema = _schema(pa)
    rows = [{name: _fit(name, record.get(name)) for name in RECORD_FIELDS} for record in records]
    table = pa.Table.from_pylist(rows, schema=schema)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())
