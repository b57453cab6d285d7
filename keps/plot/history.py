"""A chart of a KEP history: time in each state (or stage) as horizontal stacked bars.

As every chart of :mod:`keps.plot`, it is a matplotlib
:class:`~matplotlib.figure.Figure` on its own Agg canvas, made without pyplot, so
pyplot's backend and figure list stay as the caller has them::

    from keps import history
    from keps.plot.history import time_in_state

    figure = time_in_state(history.load("enhancements"), by="sig")
    figure.savefig("time-in-state.png")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from keps.errors import MissingExtraError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from keps.history.history import History

__all__ = ["time_in_state"]

#: For each grouping: the record key that labels a bar, the number it shows, its axis.
_AXES: Mapping[str, tuple[str, str, str]] = {
    "kep": ("location", "days", "days in all"),
    "sig": ("owning_sig", "mean_days", "mean days per KEP"),
    "release": ("release", "mean_days", "mean days per KEP"),
}


def _label(record: Mapping[str, Any], key: str) -> str:
    """A bar's label: a KEP's number and folder name, else the SIG or release."""
    if key == "location" and record.get("kep_number") is not None:
        return f"{record['kep_number']} {str(record[key]).rsplit('/', 1)[-1]}"
    return str(record.get(key) or "(none)")


def time_in_state(
    source: History | Sequence[Mapping[str, Any]], *, field: str = "state", by: str = "kep"
) -> Figure:
    """One bar per KEP, SIG or release (*by*), one coloured part per value of *field*.

    *source* is a :class:`~keps.history.History`, or records its ``time_in_state`` gave
    (then *field* is theirs). A KEP's bar is its days in each value; a SIG's or a
    release's is the mean days per KEP.

    Raises:
        MissingExtraError: matplotlib is not installed (``pip install 'keps[analysis]'``).
        InvalidArgumentError: an unknown *field* or *by*.
    """
    from keps.history.history import History

    records = source.time_in_state(field, by) if isinstance(source, History) else source
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        feature = "charts"
        raise MissingExtraError(feature) from exc
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
    shown = str(records[0]["field"]) if records else field
    axes.set_title(f"time in each {shown}, by {by}")
    if values:
        axes.legend(loc="lower right")
    figure.tight_layout()
    return figure
