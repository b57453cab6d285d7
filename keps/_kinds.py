"""How messages name the type of a value read from YAML: "a list", "nothing", "a number (3)".

One wording for every reader (metadata, kep.yaml, keps.yaml, sigs.yaml), so that an error
says the same thing about the same mistake whichever file holds it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

__all__ = ["kind_of"]


def kind_of(value: object) -> str:
    """A YAML-flavoured description of *value* for an error message."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, dt.date):
        return f"a date ({value})"
    return f"{type(value).__name__} {value!r}"
