"""Routing: which SIG owns a KEP, read from where the KEP sits under the content root.

A KEP's folder says who owns it; there are exactly three shapes::

    kubernetes-wide/<kep>            project-wide, owned by sig-architecture
    <sig>/sig-wide/<kep>             owned by the SIG as a whole
    <sig>/<subproject>/<kep>         owned by the SIG, for one of its subprojects

Only groups of kind ``sig`` own KEPs: a working group folder is not a valid owner.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import attrs

from keps.errors import InvalidContentError, PathOutsideError, UnknownSigError
from keps.sigs.registry import (
    KUBERNETES_WIDE_DIR,
    KUBERNETES_WIDE_OWNER,
    SIG_WIDE_DIR,
    SigRegistry,
    _suggestion,
)

__all__ = ["Routing", "route"]

_KIND_NAMES = {"workinggroup": "working group", "committee": "committee", "usergroup": "user group"}

_SHAPES = f"{KUBERNETES_WIDE_DIR}/<kep>, <sig>/{SIG_WIDE_DIR}/<kep> or <sig>/<subproject>/<kep>"


@attrs.frozen
class Routing:
    """Who owns a KEP and at what scope, as its place in the content tree says.

    Args:
        owning_sig: the SIG's folder name (``sig-node``).
        kubernetes_wide: the KEP is project-wide (under ``kubernetes-wide/``).
        sig_wide: the KEP concerns its SIG as a whole (under ``<sig>/sig-wide/``).
        subproject: the subproject the KEP sits under, for subproject KEPs.
        kep_name: the KEP's own folder name, the last path element.
    """

    owning_sig: str
    kubernetes_wide: bool
    sig_wide: bool
    subproject: str | None
    kep_name: str


def route(rel_path: str | PurePosixPath, registry: SigRegistry) -> Routing:
    """The routing of the KEP folder *rel_path*, relative to the content root.

    Raises:
        PathOutsideError: *rel_path* is absolute or climbs out with ``..``.
        InvalidContentError: *rel_path* has none of the three KEP shapes.
        UnknownSigError: the SIG, or the SIG's subproject, is not in *registry*; the
            message suggests near matches.
    """
    text = str(rel_path)
    path = PurePosixPath(text.replace("\\", "/"))
    if path.is_absolute():
        msg = f"{text}: a KEP path must be relative to the content root"
        raise PathOutsideError(msg)
    parts = path.parts
    if ".." in parts:
        msg = f"{text}: a KEP path must not climb out of the content root with '..'"
        raise PathOutsideError(msg)
    if any(part.startswith(".") for part in parts):
        msg = f"{text}: a KEP path must not contain hidden folders"
        raise InvalidContentError(msg)

    if parts and parts[0] == KUBERNETES_WIDE_DIR:
        if len(parts) != 2:
            raise InvalidContentError(_shape_message(text))
        return Routing(
            owning_sig=KUBERNETES_WIDE_OWNER,
            kubernetes_wide=True,
            sig_wide=False,
            subproject=None,
            kep_name=parts[1],
        )
    if len(parts) != 3:
        raise InvalidContentError(_shape_message(text))

    sig_dir, middle, kep_name = parts
    sig = registry.get(sig_dir)
    if sig.kind != "sig":
        kind = _KIND_NAMES.get(sig.kind, sig.kind)
        msg = (
            f"{text}: {sig_dir} is a {kind}, not a SIG; only SIGs own KEPs"
            f" (a {kind} may still be listed among participating_sigs)"
        )
        raise UnknownSigError(msg)
    if middle == SIG_WIDE_DIR:
        return Routing(
            owning_sig=sig_dir,
            kubernetes_wide=False,
            sig_wide=True,
            subproject=None,
            kep_name=kep_name,
        )
    if middle not in sig.subprojects:
        msg = f"{text}: {sig_dir} has no subproject {middle!r}"
        msg += _suggestion(middle, (*sig.subprojects, SIG_WIDE_DIR))
        if not sig.subprojects:
            msg += f"; {sig_dir} has no subprojects, so its KEPs go under {sig_dir}/{SIG_WIDE_DIR}/"
        raise UnknownSigError(msg)
    return Routing(
        owning_sig=sig_dir,
        kubernetes_wide=False,
        sig_wide=False,
        subproject=middle,
        kep_name=kep_name,
    )


def _shape_message(text: str) -> str:
    return f"{text or '(empty path)'}: a KEP folder must be {_SHAPES}"
