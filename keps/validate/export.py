"""The whole of an enhancements checkout as data: index entries, and one JSON document.

:func:`entries_of` gives index entries for every KEP (what ``kepctl query`` filters);
:func:`export_document` gives every KEP's metadata in kep.yaml's keys plus where it
lives and its PRR approvals: what the enhancements repository's ``kepify`` produces
for its website.
"""

from __future__ import annotations

from typing import Any

from keps.index.entry import Entry
from keps.keps.layouts import ENHANCEMENTS
from keps.validate.repository import Repository

__all__ = ["EXPORT_FORMAT", "entries_of", "export_document"]

EXPORT_FORMAT = "keps-export/1"


def entries_of(repo: Repository) -> tuple[Entry, ...]:
    """An index entry for every KEP of *repo*, located relative to the repository root."""
    return tuple(
        sorted(
            (Entry.from_metadata(kep.metadata, repo.relative(kep.path)) for kep in repo.keps),
            key=lambda e: e.location,
        )
    )


def export_document(repo: Repository) -> dict[str, Any]:
    """Every KEP of *repo* as plain data, ready for ``json.dumps``."""
    records = []
    for kep in sorted(repo.keps, key=lambda k: k.path):
        record: dict[str, Any] = {"location": repo.relative(kep.path)}
        record.update(ENHANCEMENTS.to_mapping(kep.metadata))
        record["prr-approvals"] = {a.stage: a.approver for a in kep.prr_approvals}
        records.append(record)
    return {"format": EXPORT_FORMAT, "count": len(records), "keps": records}
