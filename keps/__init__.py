"""keps: Kubernetes Enhancement Proposal (KEP) content as a Python library.

The object model is re-exported here::

    import keps

    kep = keps.open("content/sig-node/sig-wide/my-kep")
    print(kep.title, kep.state)
    kep.add_reviewers("jdoe")
    kep.persist()          # atomic; comments and unknown keys in metadata.yaml survive

    ks = keps.load("~/src/enhancements")     # every KEP, for analysis (keps.analysis)
    ks.query("sig:sig-node stage:beta").to_dataframe()
"""

from typing import TYPE_CHECKING

from keps import _lazy

if TYPE_CHECKING:
    from keps import errors
    from keps.analysis.collection import KepCollection, load
    from keps.convert.layout import convert_layout
    from keps.errors import (
        CheckFailedError,
        InvalidContentError,
        KepError,
        KepExistsError,
        KepNotFoundError,
        PathOutsideError,
        TransitionError,
        UnknownSigError,
    )
    from keps.keps import check, sections
    from keps.keps.kep import Kep, new, open
    from keps.keps.metadata import Event, Exemption, Metadata
    from keps.keps.milestones import STAGES, ByStage, Milestone
    from keps.keps.states import TRANSITIONS, State, can_transition
    from keps.keps.themes import DEVELOPMENT_THEMES
    from keps.problems import Problem, Severity

__all__ = [
    "DEVELOPMENT_THEMES",
    "STAGES",
    "TRANSITIONS",
    "ByStage",
    "CheckFailedError",
    "Event",
    "Exemption",
    "InvalidContentError",
    "Kep",
    "KepCollection",
    "KepError",
    "KepExistsError",
    "KepNotFoundError",
    "Metadata",
    "Milestone",
    "PathOutsideError",
    "Problem",
    "Severity",
    "State",
    "TransitionError",
    "UnknownSigError",
    "can_transition",
    "check",
    "convert_layout",
    "errors",
    "load",
    "new",
    "open",
    "sections",
]

__getattr__, __dir__ = _lazy.attach(
    __name__,
    {
        "keps.errors": (
            "",
            "CheckFailedError",
            "InvalidContentError",
            "KepError",
            "KepExistsError",
            "KepNotFoundError",
            "PathOutsideError",
            "TransitionError",
            "UnknownSigError",
        ),
        "keps.keps.kep": (
            "Kep",
            "new",
            "open",
        ),
        "keps.keps.metadata": (
            "Event",
            "Exemption",
            "Metadata",
        ),
        "keps.keps.milestones": (
            "STAGES",
            "ByStage",
            "Milestone",
        ),
        "keps.analysis.collection": (
            "KepCollection",
            "load",
        ),
        "keps.keps.states": (
            "TRANSITIONS",
            "State",
            "can_transition",
        ),
        "keps.keps.themes": ("DEVELOPMENT_THEMES",),
        "keps.keps.check": ("",),
        "keps.keps.sections": ("",),
        "keps.convert.layout": ("convert_layout",),
        "keps.problems": (
            "Problem",
            "Severity",
        ),
    },
)
