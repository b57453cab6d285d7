"""Charts of how many KEPs there are: per SIG, per year, per stage and release.

Each function takes KEPs (a :class:`~keps.analysis.KepCollection`, a query of one, or
any iterable of :class:`~keps.index.Entry`) and returns a matplotlib
:class:`~matplotlib.figure.Figure`. The figure is made directly, not through pyplot,
so no global figure list or display backend is touched: a notebook shows it, a script
saves it (``fig.savefig("per-sig.png")``). matplotlib comes with ``keps[analysis]`` and
is imported only when a chart is drawn.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from keps.errors import InvalidArgumentError, MissingExtraError
from keps.index.entry import Entry

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["CHART_STAGES", "NO_SIG", "created_per_year", "per_sig", "stages_over_releases"]

#: The stages :func:`stages_over_releases` counts, bottom to top of each bar.
CHART_STAGES: tuple[str, ...] = ("alpha", "beta", "stable")

#: The label of KEPs that name no owning SIG.
NO_SIG = "(none)"


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    """A new figure on its own Agg canvas, and its one axes.

    Raises:
        MissingExtraError: matplotlib is not installed.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        feature = "charts"
        raise MissingExtraError(feature) from exc
    figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def per_sig(collection: Iterable[Entry], *, top: int | None = None) -> Figure:
    """A horizontal bar per owning SIG, its length the number of KEPs, most first.

    *top* keeps only that many SIGs (the ones with the most KEPs; ties by name). KEPs
    without an owning SIG count under ``(none)``.

    Raises:
        MissingExtraError: matplotlib is not installed.
        InvalidArgumentError: *top* is not a positive number.
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        msg = f"top must be a positive number of SIGs, got {top!r}"
        raise InvalidArgumentError(msg, argument="top", value=top)
    counts = Counter(entry.owning_sig or NO_SIG for entry in collection)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    figure, axes = _figure(8, 1.2 + 0.28 * max(len(ranked), 1))
    axes.barh([sig for sig, _ in ranked], [count for _, count in ranked])
    axes.invert_yaxis()  # the SIG with the most KEPs on top
    axes.set_xlabel("KEPs")
    axes.set_title("KEPs per owning SIG" + (f" (top {top})" if top is not None else ""))
    figure.tight_layout()
    return figure


def created_per_year(collection: Iterable[Entry]) -> Figure:
    """A line of how many KEPs were created each year, years without one at 0.

    KEPs without a creation date are left out; the title says how many.

    Raises:
        MissingExtraError: matplotlib is not installed.
    """
    entries = list(collection)
    counts = Counter(entry.created.year for entry in entries if entry.created is not None)
    undated = len(entries) - sum(counts.values())
    years = list(range(min(counts), max(counts) + 1)) if counts else []
    figure, axes = _figure(8, 4)
    axes.plot(years, [counts[year] for year in years], marker="o")
    from matplotlib.ticker import MaxNLocator

    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("year created")
    axes.set_ylabel("KEPs")
    note = f" ({undated} without a creation date)" if undated else ""
    axes.set_title(f"KEPs created per year{note}")
    figure.tight_layout()
    return figure


def _release_counts(
    collection: Iterable[Entry],
) -> tuple[list[str], dict[str, list[int]]]:
    """The releases from the first to the last any KEP reached a stage in, in release
    order, and per stage the number of KEPs that reached it in each (0 where none did).
    A patch release counts as its minor release."""
    per_stage: dict[str, Counter[tuple[int, int]]] = {stage: Counter() for stage in CHART_STAGES}
    for entry in collection:
        milestones = entry.milestone
        for stage in CHART_STAGES:
            milestone = getattr(milestones, stage)
            if milestone is not None:
                release = (int(milestone.version.major), int(milestone.version.minor))
                per_stage[stage][release] += 1
    reached = {release for counts in per_stage.values() for release in counts}
    releases: list[tuple[int, int]] = []  # every minor release from the first to the last
    for major in sorted({major for major, _ in reached}):
        minors = [minor for at, minor in reached if at == major]
        releases.extend((major, minor) for minor in range(min(minors), max(minors) + 1))
    labels = [f"v{major}.{minor}" for major, minor in releases]
    heights = {stage: [per_stage[stage][r] for r in releases] for stage in CHART_STAGES}
    return labels, heights


def stages_over_releases(collection: Iterable[Entry]) -> Figure:
    """For each release, how many KEPs reached alpha, beta and stable in it: stacked bars
    in release order (``v1.9`` before ``v1.30``), from each KEP's ``milestone``.

    A milestone that names no release (``TBD``) is left out.

    Raises:
        MissingExtraError: matplotlib is not installed.
    """
    labels, heights = _release_counts(collection)
    figure, axes = _figure(max(6.0, 0.35 * len(labels) + 2), 4.5)
    positions = list(range(len(labels)))
    bottom = [0] * len(labels)
    for stage in CHART_STAGES:
        axes.bar(positions, heights[stage], bottom=bottom, label=stage)
        bottom = [a + b for a, b in zip(bottom, heights[stage], strict=True)]
    axes.set_xticks(positions, labels, rotation=90)
    axes.set_xlabel("release")
    axes.set_ylabel("KEPs reaching the stage")
    axes.set_title("KEPs reaching alpha, beta and stable per release")
    axes.legend()
    figure.tight_layout()
    return figure
