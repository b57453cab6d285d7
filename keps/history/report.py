"""Time in state: spans summed per KEP, per owning SIG, or per release, as plain records.

Records are plain dicts (numbers, text, booleans) so that every printer, a DataFrame and
a chart take them as they are. Durations are in days, rounded to two places; a KEP's
record also gives exact ``seconds``.

* ``by="kep"``: one record per KEP and value: how long that KEP held it, in all.
* ``by="sig"``: one record per owning SIG and value: over the KEPs that ever held it,
  the mean, median and total of each KEP's time in it. The owning SIG is the one the
  KEP names last (a KEP handed to another SIG counts for its new SIG).
* ``by="release"``: as by SIG, grouped by the release the KEP's ``latest_milestone``
  named when the span began, so time counts for the release the KEP aimed at then
  (``""``: it named none).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from typing import Any

from keps.history.model import Span
from keps.keps.metadata import STAGES, Milestone
from keps.keps.states import State

__all__ = ["BY", "records_for", "value_rank"]

#: The groupings :func:`records_for` knows.
BY: tuple[str, ...] = ("kep", "sig", "release")

_DAY = 86400.0
_STATES = tuple(state.value for state in State)

_Kep = tuple[str, int | None]  # (location, number): one KEP, moved or not


def _days(seconds: float) -> float:
    return round(seconds / _DAY, 2)


def value_rank(value: str) -> tuple[int, int, int, int, str]:
    """Sorts states and stages in process order, releases as versions, the rest as text."""
    if value in _STATES:
        return (0, _STATES.index(value), 0, 0, value)
    if value in STAGES:
        return (1, STAGES.index(value), 0, 0, value)
    try:
        version = Milestone.parse(value).version
    except (TypeError, ValueError):
        return (3, 0, 0, 0, value)
    return (2, version.major, version.minor, version.patch, value)


def _number_rank(number: int | None) -> tuple[int, int]:
    return (0, number) if number is not None else (1, 0)


def _by_kep(spans: Iterable[Span]) -> list[dict[str, Any]]:
    grouped: dict[tuple[_Kep, str], list[Span]] = {}
    for span in spans:
        grouped.setdefault(((span.location, span.kep_number), span.value), []).append(span)
    records = []
    ordered = sorted(
        grouped.items(),
        key=lambda item: (_number_rank(item[0][0][1]), item[0][0][0], value_rank(item[0][1])),
    )
    for ((location, number), value), held in ordered:
        seconds = sum(s.duration.total_seconds() for s in held)
        records.append(
            {
                "kep_number": number,
                "location": location,
                "owning_sig": held[-1].owning_sig,
                "field": held[-1].field,
                "value": value,
                "spans": len(held),
                "current": any(s.end is None for s in held),
                "days": _days(seconds),
                "seconds": int(seconds),
            }
        )
    return records


def _by_group(spans: Iterable[Span], name: str, key: Callable[[Span], str]) -> list[dict[str, Any]]:
    """Records per (group, value): each KEP's time in the value, then mean, median, total."""
    per_kep: dict[tuple[str, str], dict[_Kep, float]] = {}
    current: dict[tuple[str, str], set[_Kep]] = {}
    counts: dict[tuple[str, str], int] = {}
    field = ""
    for span in spans:
        group, kep = (key(span), span.value), (span.location, span.kep_number)
        times = per_kep.setdefault(group, {})
        times[kep] = times.get(kep, 0.0) + span.duration.total_seconds()
        counts[group] = counts.get(group, 0) + 1
        if span.end is None:
            current.setdefault(group, set()).add(kep)
        field = span.field
    records = []
    if name == "release":  # releases in version order, none named last
        order = sorted(per_kep, key=lambda g: (g[0] == "", value_rank(g[0]), value_rank(g[1])))
    else:
        order = sorted(per_kep, key=lambda g: (g[0], value_rank(g[1])))
    for label, value in order:
        times = per_kep[(label, value)]
        seconds = list(times.values())
        records.append(
            {
                name: label,
                "field": field,
                "value": value,
                "keps": len(seconds),
                "spans": counts[(label, value)],
                "current": len(current.get((label, value), ())),
                "mean_days": _days(statistics.fmean(seconds)),
                "median_days": _days(statistics.median(seconds)),
                "total_days": _days(sum(seconds)),
            }
        )
    return records


def records_for(spans: Iterable[Span], by: str) -> list[dict[str, Any]]:
    """Time in each value, as records grouped *by* ``kep``, ``sig`` or ``release``.

    *by* is checked by the caller (see :data:`BY`).
    """
    if by == "kep":
        return _by_kep(spans)
    if by == "sig":
        return _by_group(spans, "owning_sig", lambda s: s.owning_sig)
    return _by_group(spans, "release", lambda s: s.release)
