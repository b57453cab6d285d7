"""KEPs for analysis: one loader, typed tables, HTML for notebooks, links, full-text search.

::

    import keps

    ks = keps.load("~/src/enhancements")
    ks.query("stage:beta milestone.beta:v1.31")
    ks.count("state")
    ks.to_dataframe()          # needs keps[analysis] (pandas)
    ks.links.of(583).replaced_by, ks.search("sidecar"), ks.validate().count()

Everything here reads the index (:mod:`keps.index`); nothing writes.
"""

from typing import TYPE_CHECKING

from keps import _lazy

if TYPE_CHECKING:
    from keps.analysis.collection import KepCollection, load
    from keps.analysis.findings import Findings
    from keps.analysis.links import KepLinks, Links, Unresolved
    from keps.analysis.search import Hit

__all__ = [
    "Findings",
    "Hit",
    "KepCollection",
    "KepLinks",
    "Links",
    "Unresolved",
    "load",
]

__getattr__, __dir__ = _lazy.attach(
    __name__,
    {
        "keps.analysis.collection": (
            "KepCollection",
            "load",
        ),
        "keps.analysis.findings": ("Findings",),
        "keps.analysis.links": (
            "KepLinks",
            "Links",
            "Unresolved",
        ),
        "keps.analysis.search": ("Hit",),
    },
)
