"""The site's own record in its output folder: which files it wrote, and from what.

``OUT/.keps-site.json`` lists every file a build wrote (digest, size, modification
time, inode) and, for each page, a digest of everything it was made from (for a KEP
page also the lookups its text made). It serves three rules:

- **Only our files are removed.** A build removes a file only when the manifest lists
  it, its name is one a site could write, it stays inside OUT, and it still holds the
  bytes the site wrote; a folder without a manifest is refused unless it is empty, so
  ``kepctl site ~`` cannot clear a home folder.
- **Unchanged pages are not rendered again.** A page whose inputs (and lookups) are
  the same, and whose file is as written, is kept as it is (rendering Markdown is
  the cost of a build).
- **Unchanged bytes are not written again.** A page rendered to the bytes it already
  has is left alone, so its modification time says when it last changed.

The manifest lives in the output folder, which anyone may have edited, so it is read
like any input: through :mod:`keps._files`, its shape checked, and a name it lists that
a site could not have written is refused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path

import attrs

from keps._files import MAX_INDEX_BYTES, read_bytes
from keps.errors import InvalidContentError, KepError, KepExistsError, KepNotFoundError
from keps.site.markdown import Lookup

__all__ = [
    "FORMAT",
    "MANIFEST",
    "FileState",
    "Manifest",
    "PageState",
    "claim",
    "digest",
    "is_site_path",
    "remove",
]

log = logging.getLogger(__name__)

#: The manifest's file name in the output folder.
MANIFEST = ".keps-site.json"

#: The manifest's format; another format is refused rather than guessed at.
FORMAT = 1

_SEGMENT = re.compile(r"[a-z0-9_][a-z0-9._-]{0,127}")
_MAX_DEPTH = 8


def is_site_path(name: str) -> bool:
    """True for a name a site could write: relative, '/'-separated, safe segments only.

    >>> is_site_path("keps/sig-node/753-sidecar-containers.html"), is_site_path("../x")
    (True, False)
    """
    parts = name.split("/")
    return (
        0 < len(parts) <= _MAX_DEPTH
        and name != MANIFEST
        and all(_SEGMENT.fullmatch(part) and ".." not in part for part in parts)
    )


@attrs.frozen
class FileState:
    """One file as the site wrote it: digest of its bytes, size, modification time, inode."""

    digest: str
    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path, digest: str) -> FileState | None:
        """The state of *path* as it is now, given the digest of its bytes."""
        try:
            info = os.lstat(path)
        except OSError:
            return None
        return cls(digest, info.st_size, info.st_mtime_ns, info.st_ino)

    def holds(self, path: Path) -> bool:
        """True when *path* is a regular file that looks exactly as when it was written."""
        try:
            info = os.lstat(path)
        except OSError:
            return False
        return stat.S_ISREG(info.st_mode) and (info.st_size, info.st_mtime_ns, info.st_ino) == (
            self.size,
            self.mtime_ns,
            self.inode,
        )


@attrs.frozen
class PageState:
    """What a page was made from: a digest of its inputs; for a KEP page also the lookups
    its text made and the images it shows."""

    inputs: str
    lookups: tuple[Lookup, ...] = ()
    assets: tuple[str, ...] = ()


@attrs.frozen
class Manifest:
    """Every file a build wrote (by site path) and what every page was made from."""

    files: Mapping[str, FileState] = attrs.field(factory=dict)
    pages: Mapping[str, PageState] = attrs.field(factory=dict)

    def to_bytes(self) -> bytes:
        """The manifest as written to :data:`MANIFEST`: JSON, keys sorted."""
        data = {
            "format": FORMAT,
            "files": {name: attrs.astuple(state) for name, state in sorted(self.files.items())},
            "pages": {
                name: {
                    "inputs": state.inputs,
                    "lookups": [list(lookup) for lookup in state.lookups],
                    "assets": list(state.assets),
                }
                for name, state in sorted(self.pages.items())
            },
        }
        return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes, path: Path) -> Manifest:
        """The manifest in *data*, read from *path*.

        Raises:
            InvalidContentError: not a manifest of this format, naming *path*.
        """
        try:
            raw = json.loads(data.decode("utf-8"))
            if not isinstance(raw, dict) or raw.get("format") != FORMAT:
                raise TypeError
            files = {name: _file_state(name, value) for name, value in raw["files"].items()}
            pages = {name: _page_state(name, value) for name, value in raw["pages"].items()}
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            msg = (
                f"{path} is not a manifest this version of keps writes (format {FORMAT}); "
                "remove the output folder's contents, or choose another folder"
            )
            raise InvalidContentError(msg, path=path) from exc
        return cls(files, pages)


def _file_state(name: object, value: object) -> FileState:
    if not isinstance(name, str) or not is_site_path(name):
        raise ValueError(name)
    if not isinstance(value, list) or len(value) != 4:
        raise TypeError(value)
    digest, size, mtime_ns, inode = value
    if not isinstance(digest, str) or not all(
        type(number) is int for number in (size, mtime_ns, inode)
    ):
        raise TypeError(value)
    return FileState(digest, size, mtime_ns, inode)


def _page_state(name: object, value: object) -> PageState:
    if not isinstance(name, str) or not is_site_path(name) or not isinstance(value, dict):
        raise TypeError(value)
    inputs, lookups, assets = value["inputs"], value["lookups"], value["assets"]
    if not isinstance(inputs, str) or not isinstance(lookups, list) or not isinstance(assets, list):
        raise TypeError(value)
    found: list[Lookup] = []
    for lookup in lookups:
        if not (isinstance(lookup, list) and len(lookup) == 3):
            raise TypeError(lookup)
        kind, path, answer = lookup
        if not all(isinstance(part, str) for part in lookup):
            raise TypeError(lookup)
        found.append((kind, path, answer))
    if not all(isinstance(asset, str) and is_site_path(asset) for asset in assets):
        raise TypeError(assets)
    return PageState(inputs, tuple(found), tuple(assets))


def claim(out: Path) -> Manifest | None:
    """The manifest of the site in *out*; None for a new site (no folder, or an empty one).

    Raises:
        KepExistsError: *out* is a file, or a folder that holds something but no manifest:
            files the site did not write, which it will not touch.
        InvalidContentError: the manifest is not one keps writes.
    """
    try:
        info = os.stat(out)
    except FileNotFoundError:
        return None
    except OSError as exc:
        msg = f"cannot use {out} as the site's folder: {exc.strerror or exc}"
        raise KepExistsError(msg, path=out) from exc
    if not stat.S_ISDIR(info.st_mode):
        msg = f"{out} exists and is not a folder; the site needs a folder of its own"
        raise KepExistsError(msg, path=out)
    path = out / MANIFEST
    try:
        data = read_bytes(path, limit=MAX_INDEX_BYTES)
    except KepNotFoundError:
        with os.scandir(out) as entries:
            if next(entries, None) is None:
                return None
        msg = (
            f"{out} holds files that no site build wrote (it has no {MANIFEST}); "
            "choose an empty or new folder"
        )
        raise KepExistsError(msg, path=out) from None
    return Manifest.from_bytes(data, path)


def digest(data: bytes) -> str:
    """The digest the manifest keeps of a file's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _inside(folder: Path, real_out: str) -> bool:
    real = os.path.realpath(folder)
    return real == real_out or real.startswith(real_out + os.sep)


def _as_written(path: Path, state: FileState) -> bool:
    """True when *path* still holds the bytes the site wrote (looked at, or read)."""
    if state.holds(path):
        return True
    try:
        if not path.is_file() or path.is_symlink():
            return False
        return digest(read_bytes(path, limit=MAX_INDEX_BYTES)) == state.digest
    except KepError:
        return False


def remove(out: Path, name: str, state: FileState) -> bool:
    """Remove file *name* of the site in *out* if it still holds what the site wrote,
    then the folders that leaves empty; False when it is left (changed, or unsafe)."""
    path = out / name
    real_out = os.path.realpath(out)
    if not is_site_path(name) or not _inside(path.parent, real_out):
        log.warning("not removing %s: no file a site writes", path)
        return False
    if not _as_written(path, state):
        if os.path.lexists(path):
            log.warning("not removing %s: it changed since the site wrote it", path)
        return False
    try:
        path.unlink()
    except OSError as exc:
        log.warning("could not remove %s: %s", path, exc.strerror or exc)
        return False
    folder = path.parent
    while folder != out and _inside(folder, real_out):
        try:
            folder.rmdir()  # only an empty folder goes
        except OSError:
            break
        folder = folder.parent
    return True
