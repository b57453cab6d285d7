"""Where a KEP lives under a content root, and where the content root of a KEP is.

A *target* names a KEP the way a person types it::

    my-kep                      -> kubernetes-wide/my-kep     (project-wide, sig-architecture)
    sig-node/my-kep             -> sig-node/sig-wide/my-kep   (SIG-wide)
    sig-node/kubelet/my-kep     -> sig-node/kubelet/my-kep    (a subproject of sig-node)
    sig-node/sig-wide/my-kep    -> as it lies on disk
    /abs/root/sig-node/...      -> an absolute path inside the content root

A path that leaves the content root is an error, and so is a part that is not a
usable folder name (see :func:`name_fault`): the rule is here, in the one function every
target passes through, so ``keps.new`` and every ``kepctl`` command apply it alike.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path, PurePosixPath

from keps._names import INDEX_FILE, SIGS_FILE
from keps.errors import InvalidContentError, PathOutsideError
from keps.sigs import KUBERNETES_WIDE_DIR, SIG_WIDE_DIR, Routing, SigRegistry, route

__all__ = [
    "INDEX_FILE",
    "MAX_NAME_BYTES",
    "NAME_RULE",
    "SIGS_FILE",
    "content_root_of",
    "locate",
    "name_fault",
    "relative_location",
    "text_fault",
]


#: The longest folder name, in UTF-8 bytes: what ext4, APFS, NTFS and most others allow.
MAX_NAME_BYTES = 255

#: What a KEP name (and every other part of a target) must be, for error messages.
NAME_RULE = (
    f"a name is printable Unicode text in NFC form, at most {MAX_NAME_BYTES} bytes in "
    "UTF-8, with a letter or digit and no space at either end"
)


def text_fault(text: str) -> str | None:
    """Why *text* cannot be part of a file name on any system, or None when it can.

    A control character (a NUL ends a path for the operating system; a newline or an
    escape sequence breaks every listing that prints the name) or a lone surrogate
    (what Python makes of bytes that are not UTF-8) would make file operations fail.

    >>> text_fault("READ\\0ME.md")
    'it holds the control character U+0000'
    """
    for char in text:
        if unicodedata.category(char) == "Cc":
            return f"it holds the control character U+{ord(char):04X}"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "it is not valid UTF-8 (bytes that do not decode as text)"
    return None


def name_fault(name: str) -> str | None:
    """Why *name* cannot name a KEP folder (or a SIG or subproject in a target), or None.

    Beyond :func:`text_fault`: one folder (no ``/`` or ``\\``, no leading dot, so no
    ``..``), printable (no tab, no zero-width or other invisible
    character), no space at either end (``"sig-node/ "`` would make a KEP without a
    title), NFC (``café`` typed as ``e`` + combining accent is another folder that looks
    the same), at most :data:`MAX_NAME_BYTES` bytes, and a letter or digit (``.``,
    ``..`` and ``---`` name nothing and give no title).

    >>> name_fault("dynamic-kubelet-config") is None
    True
    >>> name_fault("cafe\u0301")
    "it is not in Unicode NFC form (combining U+0301): it looks like 'café', which is another name"
    """
    fault = text_fault(name)
    if fault is not None:
        return fault
    if "/" in name or "\\" in name:
        return "it holds a path separator"
    if name.startswith("."):
        return "it starts with a dot (hidden, or a way out of its folder)"
    for char in name:
        if not char.isprintable() and char != " ":
            return f"it holds the unprintable character U+{ord(char):04X}"
    if name != name.strip():
        return "it has a space at its start or end"
    normal = unicodedata.normalize("NFC", name)
    if normal != name:
        marks = ", ".join(f"U+{ord(c):04X}" for c in name if unicodedata.combining(c))
        how = f" (combining {marks})" if marks else ""
        return (
            f"it is not in Unicode NFC form{how}: it looks like {normal!r}, which is another name"
        )
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        return f"it is {size} bytes long in UTF-8, more than {MAX_NAME_BYTES}"
    if not any(char.isalnum() for char in name):
        return "it has no letter or digit"
    return None


def _shown(text: str) -> str:
    """*text* for an error message: repr (escapes stay escapes), cut short when long."""
    return repr(text) if len(text) <= 60 else f"{text[:60]!r}..."


def _clean_parts(target: str | PurePosixPath) -> tuple[str, ...]:
    """The parts of *target*, each a usable name (see :func:`name_fault`).

    Raises:
        PathOutsideError: a part is ``..`` or hidden (starts with a dot).
        InvalidContentError: a part is no usable name.
    """
    parts = tuple(
        p for p in PurePosixPath(str(target).replace("\\", "/")).parts if p not in ("", ".")
    )
    for part in parts:
        if part == ".." or part.startswith("."):
            msg = f"KEP target {_shown(str(target))} may not contain {_shown(part)}"
            raise PathOutsideError(msg)
        fault = name_fault(part)
        if fault is not None:
            msg = (
                f"KEP target {_shown(str(target))}: {_shown(part)} cannot name a folder: "
                f"{fault} ({NAME_RULE})"
            )
            raise InvalidContentError(msg)
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
        InvalidContentError: *target* has too many or too few parts, or a part that is
            no usable name (:func:`name_fault`): nothing is created for it.
    """
    fault = text_fault(str(target))
    if fault is not None:  # before any system call: a NUL would raise ValueError there
        msg = f"KEP target {_shown(str(target))} names no folder: {fault} ({NAME_RULE})"
        raise InvalidContentError(msg)
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
            f"cannot place KEP target {_shown(str(target))}: use NAME, SIG/NAME, SIG/SUBPROJECT/NAME "
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
