"""Charts of a KEP history: time in each state (or stage) as horizontal bars.

matplotlib is the optional extra ``keps[analysis]``; it is imported when a chart is
drawn, never when keps is. The figure is drawn by the Agg canvas directly, so pyplot's
global backend and figure list stay as the caller has them (a notebook keeps its own)::

    from keps import history
    from keps.plot.history import time_in_state_chart

    records = history.load("enhancements").time_in_state(by="sig")
    time_in_state_chart(records, "time-in-state.png", by="sig")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from keps.errors import KepError

__all__ = ["time_in_state_chart"]

#: For each grouping: the record key that labels a bar, and the number it shows.
_AXES: Mapping[str, tuple[str, str, str]] = {
    "kep": ("location", "days", "days in total"),
    "sig": ("owning_sig", "mean_days", "mean days per KEP"),
    "release": ("release", "mean_days", "mean days per KEP"),
}


def _label(record: Mapping[str, Any], key: str) -> str:
    if key == "location" and record.get("kep_number") is not None:
        return f"{record['kep_number']} {str(record[key]).rsplit('/', 1)[-1]}"
    return str(record.get(key) or "(none)")


def time_in_state_chart(
    records: Sequence[Mapping[str, Any]], path: str | Path, *, by: str = "kep"
) -> Path:
    """Draw *records* of :meth:`keps.history.History.time_in_state` (grouped *by*) to the
    PNG file *path*: one bar per KEP, SIG or release, one coloured part per value.

    Raises:
        KepError: matplotlib is not installed (``install keps[analysis] for charts``),
            or the file cannot be written.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        msg = "install keps[analysis] for charts"
        raise KepError(msg) from exc
    label_key, number_key, axis = _AXES.get(by, _AXES["kep"])
    labels = list(dict.fromkeys(_label(r, label_key) for r in records))
    row = {label: number for number, label in enumerate(labels)}
    values = list(dict.fromkeys(str(r["value"]) for r in records))
    figure = Figure(figsize=(9, 1.5 + 0.3 * max(len(labels), 1)))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    left = [0.0] * len(labels)
    for value in values:
        widths = [0.0] * len(labels)
        for record in records:
            if str(record["value"]) == value:
                widths[row[_label(record, label_key)]] += float(record[number_key])
        axes.barh(labels, widths, left=left, label=value)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.invert_yaxis()  # the first record on top, as in the table
    axes.set_xlabel(axis)
    field = str(records[0]["field"]) if records else "state"
    axes.set_title(f"time in each {field}, by {by}")
    if values:
        axes.legend(loc="lower right")
    figure.tight_layout()
    target = Path(path)
    try:
        figure.savefig(target, format="png")
    except OSError as exc:
        msg = f"cannot write the chart to {target}: {exc.strerror or exc}"
        raise KepError(msg, path=target) from exc
    return target
