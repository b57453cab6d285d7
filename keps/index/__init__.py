"""The index: a summary of every KEP under a content root, and KEP number allocation.

``keps.yaml`` at the content root lists every KEP (location, number, uuid, title, state,
SIGs, people, times) and the next KEP number::

    import keps.index

    index = keps.index.open(root)              # reads keps.yaml (rebuilds if absent)
    index.by_number(56).title
    index = keps.index.rebuild(root)           # walk the tree; broken KEPs in index.broken
    with keps.index.locked(root) as index:     # exclusive across processes
        number = index.claim_next_number()
        index.persist()

Numbers are unique and never handed out twice: the next number is never below the
highest in use, survives a rebuild, and is claimed under a cross-process lock.
"""

from typing import TYPE_CHECKING

from keps import _lazy

if TYPE_CHECKING:
    from keps.index.build import find_kep_dirs, keeps_index_file, open, rebuild
    from keps.index.entry import BrokenKep, Entry
    from keps.index.index import Index
    from keps.index.lock import lock_path, locked
    from keps.index.prr import needs_prr, prr_pending
    from keps.index.store import dump_index, parse_index
    from keps.index.targets import AmbiguousTargetError, find_target

__all__ = [
    "AmbiguousTargetError",
    "BrokenKep",
    "Entry",
    "Index",
    "dump_index",
    "find_kep_dirs",
    "find_target",
    "keeps_index_file",
    "lock_path",
    "locked",
    "needs_prr",
    "open",
    "parse_index",
    "prr_pending",
    "rebuild",
]

__getattr__, __dir__ = _lazy.attach(
    __name__,
    {
        "keps.index.build": (
            "find_kep_dirs",
            "keeps_index_file",
            "open",
            "rebuild",
        ),
        "keps.index.entry": (
            "BrokenKep",
            "Entry",
        ),
        "keps.index.index": ("Index",),
        "keps.index.lock": (
            "lock_path",
            "locked",
        ),
        "keps.index.prr": (
            "needs_prr",
            "prr_pending",
        ),
        "keps.index.store": (
            "dump_index",
            "parse_index",
        ),
        "keps.index.targets": (
            "AmbiguousTargetError",
            "find_target",
        ),
    },
)
