"""Finding an existing KEP from what a person types, in either layout.

A *target* names a KEP that exists::

    .  ./keps/sig-node/1287-in-place  /abs/path/to/kep    a path (the KEP folder)
    1287                                                   a KEP number
    sig-node/1287-in-place-update-pod-resources            SIG/NUMBER-NAME (today's layout)
    sig-node/in-place-update-pod-resources                 SIG/NAME (either layout)
    sig-node/kubelet/my-kep                                SIG/SUBPROJECT/NAME
    kubernetes-wide/my-kep   my-kep                        a project-wide KEP (the seed)

A path is taken first; then the place the seed's routing gives
(:func:`keps.keps.path.locate`); then the index of the content root, which knows every
KEP of both layouts (broken ones included) by number and by location. A target that
matches no KEP, or more than one, is an error that says so - never a guess.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from keps.errors import InvalidContentError, KepError, KepNotFoundError, PathOutsideError
from keps.index.build import kep_file, rebuild
from keps.sigs import SigRegistry

__all__ = ["AmbiguousTargetError", "find_target"]

_NUMBER = re.compile(r"(?:kep-?)?0*(\d{1,9})", re.IGNORECASE)
_NUMBERED = re.compile(r"\d+-(?P<name>.+)")


class AmbiguousTargetError(KepNotFoundError):
    """A target that names more than one KEP; :attr:`candidates` are their locations."""

    def __init__(self, message: str, *, candidates: tuple[str, ...]) -> None:
        super().__init__(message)
        self.candidates = candidates


def find_target(
    target: str | Path, content_root: Path, registry: SigRegistry | None = None
) -> Path:
    """The folder of the existing KEP that *target* names under *content_root*.

    Raises:
        KepNotFoundError: no KEP matches (the message says what was tried).
        AmbiguousTargetError: more than one KEP matches (each is listed).
        PathOutsideError: a path that leads out of the content root.
        InvalidContentError: a target that names no folder at all (see
            :func:`keps.keps.path.locate`).
    """
    from keps.keps.path import locate, name_fault, relative_location, text_fault
    from keps.sigs import registry_for

    root = Path(content_root).absolute()
    text = str(target)
    direct = _as_path(text)
    if direct is not None:
        try:
            relative_location(direct, root)
        except PathOutsideError:
            if Path(text).is_absolute() or text.startswith((".", "~")):
                raise  # a path given as a path leads out of the content root
        else:
            return direct  # else: SIG/NAME that also names a folder where one stands
    registry = registry or registry_for(root)
    routing_error: KepError | None = None
    try:
        seed_place, _ = locate(text, root, registry)
    except PathOutsideError:
        raise
    except InvalidContentError:
        if text_fault(text) is not None or any(
            name_fault(part) is not None for part in text.split("/") if part not in ("", ".")
        ):
            raise  # no folder can have that name: nothing to look for
        seed_place = None  # too many parts for the seed: today's layout has groups
    except KepError as exc:  # an unknown SIG: it may still be today's layout
        seed_place, routing_error = None, exc
    if seed_place is not None and kep_file(str(seed_place))[0]:
        return seed_place
    matches = _matches(text, root, registry)
    if len(matches) == 1:
        return root / matches[0]
    if matches:
        shown = ", ".join(matches[:10]) + (
            f" and {len(matches) - 10} more" if len(matches) > 10 else ""
        )
        msg = f"KEP target {text!r} is ambiguous under {root}: it names {shown}"
        raise AmbiguousTargetError(msg, candidates=tuple(matches))
    if routing_error is not None and not text.startswith("keps/"):
        raise routing_error  # an unknown SIG says which ones exist ('keps/' is no SIG)
    msg = (
        f"KEP target {text!r} matches no KEP under {root} (tried it as a path, a KEP number, "
        f"SIG/NAME, SIG/NUMBER-NAME and SIG/SUBPROJECT/NAME); create one with init first"
    )
    raise KepNotFoundError(msg, path=root)


def _as_path(text: str) -> Path | None:
    """*text* as the folder (or metadata file) of a KEP that is there, else None."""
    if not text or "\0" in text:
        return None
    candidate = Path(text)
    looks_like_path = candidate.is_absolute() or text.startswith((".", "~")) or os.sep in text
    if not looks_like_path:
        return None
    candidate = Path(text).expanduser().absolute()
    if candidate.is_file() or (candidate.exists() and not candidate.is_dir()):
        candidate = candidate.parent  # the metadata file itself
    return candidate if kep_file(str(candidate))[0] else None


def _matches(text: str, root: Path, registry: SigRegistry) -> list[str]:
    """Locations of the KEPs under *root* that *text* names by number or by name."""
    index = rebuild(root, registry=registry)
    number = _NUMBER.fullmatch(text)
    if number is not None:
        wanted = int(number[1])
        return sorted(
            {
                *(e.location for e in index.entries if e.kep_number == wanted),
                *(b.location for b in index.broken if b.kep_number == wanted),
            }
        )
    parts = tuple(p for p in PurePosixPath(text.replace("\\", "/")).parts if p not in ("", "."))
    if not parts:
        return []
    locations = [e.location for e in index.entries] + [b.location for b in index.broken]
    return sorted({loc for loc in locations if _names(parts, loc)})


def _names(parts: tuple[str, ...], location: str) -> bool:
    """True when the typed *parts* name the KEP at *location*.

    The last part is the KEP folder's name, or the name after its number
    (``1287-in-place`` is found as ``in-place`` too); the parts before it must be the
    folders just above it (``sig-node``, ``sig-node/kubelet``), with ``keps/`` and the
    seed's ``sig-wide`` allowed in between.
    """
    folders = location.split("/")
    if folders[:1] == ["keps"]:
        folders = folders[1:]
    *above, name = folders
    short = _NUMBERED.fullmatch(name)
    if parts[-1] != name and (short is None or parts[-1] != short["name"]):
        return False
    wanted = [p for p in parts[:-1] if p != "sig-wide"]
    if wanted[:1] == ["keps"]:
        wanted = wanted[1:]
    have = [f for f in above if f != "sig-wide"]
    return have[: len(wanted)] == wanted if wanted else True
