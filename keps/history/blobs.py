"""One kep.yaml as git stores it: checked like a file on disk, parsed once per blob.

A checkout is untrusted, and so is every version of it. A kep.yaml that is a symbolic
link or a submodule is never followed, a blob over the library's size limit is never
read (only its header is), bytes that are not UTF-8 and text that is not YAML are
skipped. Each is a :class:`Skipped` that says why; the walk turns it into a problem.

The enhancements layout parses the text, as for a KEP on disk, but is given no folder
inside ``keps/``: it then reads no production readiness file from the work tree, which
would be today's, not the commit's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import pygit2

from keps._files import MAX_FILE_BYTES
from keps.errors import KepError
from keps.keps.layouts import ENHANCEMENTS
from keps.keps.metadata import Metadata

__all__ = ["BlobReader", "Parsed", "Skipped", "values_of"]

_REGULAR = frozenset({pygit2.enums.FileMode.BLOB, pygit2.enums.FileMode.BLOB_EXECUTABLE})
_KINDS: dict[int, str] = {
    pygit2.enums.FileMode.LINK: "a symbolic link",
    pygit2.enums.FileMode.COMMIT: "a submodule",
    pygit2.enums.FileMode.TREE: "a folder",
}
#: Where the layout is told the text comes from: a folder with no ``keps`` above it.
_NOWHERE = Path()


@attrs.frozen
class Parsed:
    """What the history follows of one kep.yaml: its values, number and owning SIG."""

    values: Mapping[str, str]
    kep_number: int | None
    owning_sig: str


@attrs.frozen
class Skipped:
    """Why a kep.yaml was not read: a problem *code*, the *reason*, the *line* if known."""

    code: str
    reason: str
    line: int | None = None


def values_of(metadata: Metadata) -> dict[str, str]:
    """The followed fields that *metadata* sets, as the file writes them.

    A status the model cannot hold (``imlpemented``) counts as written: it is what the
    KEP said at the time.
    """
    out: dict[str, str] = {}
    state = metadata.as_written("state")
    if state:
        out["state"] = str(state)
    if metadata.stage:
        out["stage"] = metadata.stage
    if metadata.latest_milestone:
        out["latest_milestone"] = metadata.latest_milestone
    for stage, text in metadata.milestone:
        if text:
            out[f"milestone.{stage}"] = text
    return out


def _parse(text: str) -> Parsed | Skipped:
    try:
        loaded = ENHANCEMENTS.read(_NOWHERE, text)
    except KepError as exc:
        problems = getattr(exc, "problems", ())
        first = problems[0] if problems else None
        code = first.code if first is not None else "yaml-invalid"
        return Skipped(code, exc.message, None if first is None else first.line)
    if not loaded.raw:
        shown = "not a mapping of fields" if loaded.problems else "empty"
        return Skipped("field-type", f"kep.yaml is {shown}")
    metadata = loaded.metadata
    return Parsed(values_of(metadata), metadata.kep_number, metadata.owning_sig)


class BlobReader:
    """Reads kep.yaml blobs of one repository, each blob once (the memo is by blob id)."""

    def __init__(self, repo: Any, *, limit: int = MAX_FILE_BYTES) -> None:
        self._repo = repo
        self._limit = limit
        self._memo: dict[str, Parsed | Skipped] = {}

    def read(self, oid: Any, mode: int) -> Parsed | Skipped:
        """The kep.yaml stored as blob *oid* with git file mode *mode*, or why it was skipped."""
        if mode not in _REGULAR:
            kind = _KINDS.get(mode, f"not a regular file (mode {mode:o})")
            return Skipped("not-a-regular-file", f"kep.yaml is {kind}; it was not followed")
        key = str(oid)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._load(oid)
        return found

    def _load(self, oid: Any) -> Parsed | Skipped:
        try:
            kind, size = self._repo.odb.read_header(oid)
            if kind != pygit2.enums.ObjectType.BLOB:
                return Skipped("not-a-regular-file", "kep.yaml is not a blob")
            if size > self._limit:
                return Skipped("file-too-large", f"kep.yaml is larger than {self._limit} bytes")
            data = self._repo[oid].data
        except (KeyError, ValueError, pygit2.GitError) as exc:
            return Skipped("object-missing", f"kep.yaml cannot be read from git: {exc}")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return Skipped("not-utf8", f"kep.yaml is not valid UTF-8 text (byte {exc.start})")
        return _parse(text)
