"""Development themes: the project-wide goals a KEP can say it serves (SIG PM, 2018)."""

from __future__ import annotations

__all__ = ["DEVELOPMENT_THEMES", "is_known_theme"]

#: The themes a KEP's ``development_themes`` may name, in the order they are listed.
DEVELOPMENT_THEMES: tuple[str, ...] = (
    "stability",
    "scalability",
    "security",
    "extensibility",
    "usability",
    "portability",
    "reliability",
    "performance",
    "conformance",
    "observability",
)

_KNOWN = frozenset(DEVELOPMENT_THEMES)


def is_known_theme(theme: str) -> bool:
    """True when *theme* (case ignored) is one of :data:`DEVELOPMENT_THEMES`."""
    return theme.strip().lower() in _KNOWN
