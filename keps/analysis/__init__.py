"""KEPs for analysis: one loader, typed tables, HTML for notebooks, links, full-text search.

::

    import keps

    ks = keps.load("~/src/enhancements")
    ks.query("stage:beta milestone.beta:v1.31")
    ks.count("state")
    ks.to_dataframe()          # needs keps[analysis] (pandas)

Everything here reads the index (:mod:`keps.index`); nothing writes.
"""

from typing import TYPE_CHECKING

from keps import _lazy

if TYPE_CHECKING:
    from keps.analysis.collection import KepCollection, load

__all__ = ["KepCollection", "load"]

__getattr__, __dir__ = _lazy.attach(
    __name__,
    {
        "keps.analysis.collection": (
            "KepCollection",
            "load",
        ),
    },
)
