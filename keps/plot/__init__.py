"""Charts of KEPs for notebooks and reports, as matplotlib figures (``keps[analysis]``).

::

    import keps
    from keps import history, plot

    ks = keps.load("~/src/enhancements")
    plot.per_sig(ks, top=15)                            # KEPs per owning SIG
    plot.created_per_year(ks.query("sig:sig-node"))     # KEPs created each year
    plot.stages_over_releases(ks).savefig("stages.png") # alpha/beta/stable per release
    plot.time_in_state(history.load("~/src/enhancements"), by="sig")  # days per state

Each chart is a :class:`matplotlib.figure.Figure` made without pyplot, so drawing one
changes no global state and needs no display. Importing this package imports no
matplotlib; the first chart does, and without it raises
:class:`~keps.errors.MissingExtraError`. :func:`time_in_state` charts a KEP history
(:mod:`keps.history`): how long KEPs spent in each state.
"""

from typing import TYPE_CHECKING

from keps import _lazy

if TYPE_CHECKING:
    from keps.plot.counts import created_per_year, per_sig, stages_over_releases
    from keps.plot.history import time_in_state

__all__ = ["created_per_year", "per_sig", "stages_over_releases", "time_in_state"]

__getattr__, __dir__ = _lazy.attach(
    __name__,
    {
        "keps.plot.counts": (
            "created_per_year",
            "per_sig",
            "stages_over_releases",
        ),
        "keps.plot.history": ("time_in_state",),
    },
)
