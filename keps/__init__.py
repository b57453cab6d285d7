"""keps: Kubernetes Enhancement Proposal (KEP) content as a Python library.

The object model is re-exported here::

    import keps

    kep = keps.open("content/sig-node/sig-wide/my-kep")
    print(kep.title, kep.state)
    kep.add_reviewers("jdoe")
    kep.persist()          # atomic; comments and unknown keys in metadata.yaml survive
"""

from keps import errors
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
from keps.keps import (
    DEVELOPMENT_THEMES,
    TRANSITIONS,
    Event,
    Exemption,
    Kep,
    Metadata,
    State,
    can_transition,
    check,
    new,
    open,
    sections,
)
from keps.keps.layouts.move import convert_layout
from keps.problems import Problem, Severity

__all__ = [
    "DEVELOPMENT_THEMES",
    "TRANSITIONS",
    "CheckFailedError",
    "Event",
    "Exemption",
    "InvalidContentError",
    "Kep",
    "KepError",
    "KepExistsError",
    "KepNotFoundError",
    "Metadata",
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
    "new",
    "open",
    "sections",
]
