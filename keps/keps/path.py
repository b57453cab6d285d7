"""Where a KEP lives under a content root, and where the content root of a KEP is.

A *target* names a KEP the way a person types it::

    my-kep                      -> kubernetes-wide/my-kep     (project-wide, sig-architecture)
    sig-node/my-kep             -> sig-node/sig-wide/my-kep   (SIG-wide)
    sig-node/kubelet/my-kep     -> sig-node/kubelet/my-kep    (a subproject of sig-node)
    sig-node/sig-wide/my-kep    -> as it lies on disk
    /abs/root/sig-node/...      -> an absolute path inside the content root

A path that leaves the content root is an error.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from keps.errors import InvalidContentError, PathOutsideError
from keps.sigs import KUBERNETES_WIDE_DIR, SIG_WIDE_DIR, Routing, SigRegistry, route

__all__ = ["INDEX_FILE", "SIGS_FILE", "content_root_of", "locate", "relative_location"]

INDEX_FILE = "keps.yaml"
SIGS_FILE = "sigs.yaml"


def _clean_parts(target: str | PurePosixPath) -> tuple[str, ...]:
    parts = tuple(
        p for p in PurePosixPath(str(target).replace("\\", "/")).parts if p not in ("", ".")
    )
    for part in parts:
        if part == ".." or part.startswith("."):
            msg = f"KEP target {str(target)!r} may not contain {part!r}"
            raise PathOutsideError(msg)
    return parts


def relative_location(kep_dir: Path, content_root: Path) -> str:
    """*kep_dir* relative to *content_root*, '/'-separated; PathOutsideError if outside."""
    root = content_root.resolve()
    resolved = kep_dir.resolve()
    if not resolved.is_relative_to(root) or resolved == root:
        msg = f"{kep_dir} is not inside the content root {content_root}"
        raise PathOutsideError(msg, path=kep_dir)
    return resolved.relative_to(root).as_posix()


def locate(target: str | Path, content_root: Path, registry: SigRegistry) -> tuple[Path, Routing]:
    """The absolute KEP directory for *target* and its routing (see the module docstring).

    Raises:
        PathOutsideError: *target* leaves the content root or contains ``..``.
        UnknownSigError: the SIG or subproject is not in *registry*.
        InvalidContentError: *target* has too many or too few parts.
    """
    target_path = Path(target)
    if target_path.is_absolute():
        relative = relative_location(target_path, content_root)
        parts = _clean_parts(relative)
    else:
        parts = _clean_parts(str(target))
    if len(parts) == 1:
        parts = (KUBERNETES_WIDE_DIR, parts[0])
    elif len(parts) == 2 and parts[0] != KUBERNETES_WIDE_DIR:
        parts = (parts[0], SIG_WIDE_DIR, parts[1])
    if not 2 <= len(parts) <= 3:
        msg = (
            f"cannot place KEP target {str(target)!r}: use NAME, SIG/NAME, SIG/SUBPROJECT/NAME "
            f"or {KUBERNETES_WIDE_DIR}/NAME"
        )
        raise InvalidContentError(msg)
    relative_path = PurePosixPath(*parts)
    routing = route(relative_path, registry)
    return content_root.resolve() / relative_path, routing


def content_root_of(kep_dir: Path) -> Path:
    """The content root a KEP directory belongs to.

    The nearest ancestor holding ``keps.yaml`` or ``sigs.yaml``; else the folder the
    KEP's place implies (``<root>/kubernetes-wide/<kep>``, ``<root>/<sig>/<group>/<kep>``).
    """
    # plain strings and os.path, not pathlib: this runs once per opened KEP, on every
    # index rebuild, and Path objects per ancestor cost more than the stats themselves
    folder = os.path.normpath(os.path.abspath(kep_dir))  # noqa: PTH100
    ancestor = os.path.dirname(folder)  # noqa: PTH120
    join, isfile = os.path.join, os.path.isfile
    while True:
        if isfile(join(ancestor, INDEX_FILE)) or isfile(join(ancestor, SIGS_FILE)):
            return Path(ancestor)
        parent = os.path.dirname(ancestor)  # noqa: PTH120
        if parent == ancestor:
            break
        ancestor = parent
    kep_path = Path(folder)
    if kep_path.parent.name == KUBERNETES_WIDE_DIR:
        return kep_path.parent.parent
    return kep_path.parent.parent.parent
