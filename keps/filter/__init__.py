"""Selecting KEPs by their fields: composable criteria, a typed query language, sorting.

::

    import keps.filter as kf
    import keps.index

    index = keps.index.open(root)
    wanted = kf.owning_sig("sig-node") & kf.state("implementable") & ~kf.author("@bob")
    for entry in kf.select(index, wanted, sort_by="updated", reverse=True):
        print(entry.kep_number, entry.title)

    # the same, typed by a person
    kf.select(index, kf.parse_query("sig:sig-node state:implementable -author:@bob"))

    # an unknown stage, state or SIG is refused with the near match; sig:node is sig-node
    sigs = kf.known_sigs(keps.sigs.registry_for(root), index.entries)
    kf.parse_query("sig:node stage:beta", sigs=sigs)

Criteria work on index entries, Kep objects, or anything with the Entry attribute names.
The fields are one table, :data:`FIELDS`.
"""

from keps.filter.criteria import (
    All,
    Any,
    Contains,
    Criterion,
    Match,
    Not,
    Range,
    all_of,
    any_of,
    approver,
    author,
    between,
    created_between,
    editor,
    field_is,
    kep_number,
    not_,
    number_between,
    owning_sig,
    participating_sig,
    reviewer,
    state,
    subproject,
    theme,
    title_contains,
    updated_between,
)
from keps.filter.fields import FIELDS, Field, Kind
from keps.filter.query import parse_query
from keps.filter.sort import select
from keps.filter.values import check_values, known_sigs

__all__ = [
    "FIELDS",
    "All",
    "Any",
    "Contains",
    "Criterion",
    "Field",
    "Kind",
    "Match",
    "Not",
    "Range",
    "all_of",
    "any_of",
    "approver",
    "author",
    "between",
    "check_values",
    "created_between",
    "editor",
    "field_is",
    "kep_number",
    "known_sigs",
    "not_",
    "number_between",
    "owning_sig",
    "parse_query",
    "participating_sig",
    "reviewer",
    "select",
    "state",
    "subproject",
    "theme",
    "title_contains",
    "updated_between",
]
