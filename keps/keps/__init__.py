"""The KEP object model: metadata, states, sections, checks, the skeleton, paths, the KEP."""

from typing import TYPE_CHECKING

from keps import _lazy

if TYPE_CHECKING:
    from keps.keps import check, sections
    from keps.keps.kep import Kep, new, open, title_from_name
    from keps.keps.metadata import Event, Exemption, Metadata
    from keps.keps.path import content_root_of, locate, relative_location
    from keps.keps.states import TRANSITIONS, State, can_transition
    from keps.keps.themes import DEVELOPMENT_THEMES

__all__ = [
    "DEVELOPMENT_THEMES",
    "TRANSITIONS",
    "Event",
    "Exemption",
    "Kep",
    "Metadata",
    "State",
    "can_transition",
    "check",
    "content_root_of",
    "locate",
    "new",
    "open",
    "relative_location",
    "sections",
    "title_from_name",
]

__getattr__, __dir__ = _lazy.attach(
    __name__,
    {
        "keps.keps.check": ("",),
        "keps.keps.sections": ("",),
        "keps.keps.kep": (
            "Kep",
            "new",
            "open",
            "title_from_name",
        ),
        "keps.keps.metadata": (
            "Event",
            "Exemption",
            "Metadata",
        ),
        "keps.keps.path": (
            "content_root_of",
            "locate",
            "relative_location",
        ),
        "keps.keps.states": (
            "TRANSITIONS",
            "State",
            "can_transition",
        ),
        "keps.keps.themes": ("DEVELOPMENT_THEMES",),
    },
)
