"""When each KEP's status, stage and milestones changed, and who changed them, from git.

A kubernetes/enhancements checkout is walked along its first-parent history (pygit2,
oldest commit first); every change of a KEP's ``status``, ``stage``,
``latest-milestone`` or ``milestone.<stage>`` becomes a :class:`Change`. A 2018 content
root has no such history in git; its KEPs' lifecycle events give the state changes::

    import keps.history

    history = keps.history.load("~/src/enhancements")      # or ref="v1.30" ...
    history.for_kep(1287)                  # (Change(field='state', old=None, ...), ...)
    history.spans("stage")                 # how long each stage held, per KEP
    history.time_in_state(by="sig")        # [{'owning_sig': 'sig-node', 'value': ...}]

A checkout is untrusted: a kep.yaml that is a link, a submodule, too large, not UTF-8
or not YAML is skipped for that commit and listed in ``history.problems``; nothing is
read from the work tree. Answers are reproducible: a value that still holds is counted
up to the newest commit walked, never up to the clock of the machine that asks.
"""

from typing import TYPE_CHECKING

from keps import _lazy

if TYPE_CHECKING:
    from keps.history.history import History
    from keps.history.model import FIELDS, Change, Span, Trail
    from keps.history.seed import STEP_STATES
    from keps.history.source import load

__all__ = ["FIELDS", "STEP_STATES", "Change", "History", "Span", "Trail", "load"]

__getattr__, __dir__ = _lazy.attach(
    __name__,
    {
        "keps.history.history": ("History",),
        "keps.history.model": ("FIELDS", "Change", "Span", "Trail"),
        "keps.history.seed": ("STEP_STATES",),
        "keps.history.source": ("load",),
    },
)
