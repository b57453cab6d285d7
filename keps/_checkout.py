"""A kubernetes/enhancements checkout: how to tell one, and where its KEPs are.

::

    <repository>/keps/<sig>/[<group>/]<NNNN-name>/kep.yaml   the KEPs: the only part walked
    <repository>/keps/NNNN-kep-template/                      the template, never a KEP
    <repository>/keps/prod-readiness/<sig>/<NNNN>.yaml         approvals, not KEPs
    <repository>/pkg/**/testdata, vendor/, ...                 never walked

Kept free of the object model: settings (finding the content root), the index walk and
``kepctl query`` ask this before anything else is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

from keps._names import KEP_FILE, KEPS_DIR, PRR_DIR

__all__ = ["TEMPLATE_DIR", "content_root_of", "is_checkout", "kep_area", "roots_of"]

#: The folder of ``keps/`` that holds the KEP template (used by ``create``), never a KEP.
TEMPLATE_DIR = "NNNN-kep-template"

#: Folders directly in ``keps/`` that hold no KEP.
_NOT_KEPS = frozenset({TEMPLATE_DIR, PRR_DIR})


def roots_of(path: str | Path) -> tuple[Path, Path]:
    """(repository root, keps folder) for *path*, which names either of them.

    A folder named ``keps`` that holds no ``keps`` folder of its own is taken for the
    keps folder; anything else for the repository root.
    """
    folder = Path(path).absolute()
    if folder.name == KEPS_DIR and not (folder / KEPS_DIR).is_dir():
        return folder.parent, folder
    return folder, folder / KEPS_DIR


def is_checkout(path: str | Path) -> bool:
    """True when *path* (a repository root or its keps/ folder) holds kep.yaml KEPs.

    Looks for the KEP template (``keps/NNNN-kep-template/kep.yaml``), else for
    ``keps/<sig>/<kep>/kep.yaml`` or ``keps/<sig>/<group>/<kep>/kep.yaml``, stopping at
    the first: quick on any tree.
    """
    _, keps_dir = roots_of(path)
    if (keps_dir / TEMPLATE_DIR / KEP_FILE).exists():  # upstream's, before any KEP
        return True
    for sig_dir in _subfolders(keps_dir):
        if sig_dir.name in _NOT_KEPS:
            continue
        for child in _subfolders(sig_dir):
            if (child / KEP_FILE).exists():
                return True
            if any((grandchild / KEP_FILE).exists() for grandchild in _subfolders(child)):
                return True
    return False


def content_root_of(path: Path) -> Path:
    """*path* as a content root: a checkout's ``keps/`` folder means the checkout itself.

    Both name the same KEPs; one name for them keeps locations (``keps/sig-node/...``),
    locks and caches the same whichever was given.
    """
    if is_checkout(path):
        return roots_of(path)[0]
    return path


def kep_area(content_root: Path) -> tuple[str, frozenset[str]]:
    """Where the KEPs of *content_root* are: (folder relative to it, names to skip there).

    A checkout's KEPs are in its ``keps/`` folder, less the template and the
    production readiness approvals; any other content root is walked whole.
    """
    if not is_checkout(content_root):
        return "", frozenset()
    _, keps_dir = roots_of(content_root)
    return ("" if keps_dir == Path(content_root).absolute() else KEPS_DIR), _NOT_KEPS


def _subfolders(folder: Path) -> list[Path]:
    """The visible subfolders of *folder* (links not followed); none if it cannot be listed."""
    try:
        with os.scandir(folder) as entries:
            return [
                Path(e.path)
                for e in entries
                if not e.name.startswith(".") and e.is_dir(follow_symlinks=False)
            ]
    except OSError:
        return []
