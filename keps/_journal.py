"""The undo journal of a multi-file write: written before the first file, trusted only if ours.

A lifecycle step writes several files in one :class:`keps._files.FileTransaction`. A crash
between two renames cannot be handled in the process, so the transaction first records an
undo journal - the original bytes of every file, the folders it will create - and removes
it once every file is written. The next step (or ``kepctl recover``) rolls a leftover
journal back (:func:`roll_back`).

A journal is untrusted input like everything else on disk: a content repository, a
tarball or another program may plant one where keps looks. So a journal is acted on only
when all of this holds, and is otherwise set aside (renamed ``*.rejected``, one warning
naming it) and never replayed:

* it is signed: an HMAC over its record, the content root it belongs to and its own name,
  with a key kept in the user's state directory (never in a tree);
* it has the exact shape keps writes (version, types, base64, sha256 digests);
* every path in it is relative, inside the content root, with no link on the way, and is
  one the step could have written: inside one of the KEP folders the journal names,
  ``keps.yaml`` at the root, or a production readiness approval file. The same rule is
  applied when the journal is written, so a journal keps writes always passes it.

Journals are replaced atomically (temporary file, fsync, rename), so a crash while one is
written or marked aborted leaves the old journal or the new one, never a cut-short one.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from keps import _files
from keps._files import MAX_INDEX_BYTES, TEMP_PREFIX, read_bytes, remove_file, restore_file
from keps._names import INDEX_FILE, KEPS_DIR, PRR_DIR
from keps._state import root_key
from keps.errors import KepError, KepNotFoundError, StorageError

__all__ = [
    "REJECTED_SUFFIX",
    "InvalidJournal",
    "Journal",
    "JournalRecord",
    "allowed_dir",
    "allowed_file",
    "read_journal",
    "roll_back",
    "set_aside",
    "temporary_name",
]

log = logging.getLogger(__name__)

_VERSION = 2

#: A journal holds the original bytes of keps.yaml (up to MAX_INDEX_BYTES) in base64.
_JOURNAL_LIMIT = 2 * MAX_INDEX_BYTES

_SHA256 = re.compile(r"[0-9a-f]{64}")
_PRR_NAME = re.compile(r"[0-9]{1,9}\.yaml")
_KEY_NAME = "journal.key"
_KEY = re.compile(rb"[0-9a-f]{64}")

#: The suffix a journal gets when it is set aside.
REJECTED_SUFFIX = ".rejected"


# -- which paths a step may write ----------------------------------------------------------


def _clean_parts(relative: str) -> tuple[str, ...] | None:
    """The parts of the relative POSIX path *relative*, or None if it is not a plain one."""
    if not relative or relative.startswith("/") or "\\" in relative:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in relative):
        return None
    parts = tuple(relative.split("/"))
    if any(part in ("", ".", "..") for part in parts):
        return None
    return parts


def _label_parts(labels: Iterable[str]) -> list[tuple[str, ...]]:
    found = []
    for label in labels:
        parts = _clean_parts(label)
        if parts is not None:
            found.append(parts)
    return found


def _prr_parts(parts: tuple[str, ...]) -> tuple[str, ...] | None:
    """The part of *parts* from ``prod-readiness`` on, if it is in the PRR folder of the root."""
    if parts[:1] == (KEPS_DIR,):
        parts = parts[1:]
    return parts if parts[:1] == (PRR_DIR,) else None


def allowed_file(relative: str, labels: Iterable[str]) -> bool:
    """True when a step on the KEPs *labels* may write the file *relative* (to the root).

    Inside one of the KEP folders, ``keps.yaml`` at the root, or a production readiness
    approval file (``[keps/]prod-readiness/<sig>/<number>.yaml``).
    """
    parts = _clean_parts(relative)
    if parts is None:
        return False
    if parts == (INDEX_FILE,):
        return True
    if any(
        len(parts) > len(label) and parts[: len(label)] == label for label in _label_parts(labels)
    ):
        return True
    prr = _prr_parts(parts)
    return prr is not None and len(prr) == 3 and bool(_PRR_NAME.fullmatch(prr[2]))


def allowed_dir(relative: str, labels: Iterable[str]) -> bool:
    """True when a step on the KEPs *labels* may create the folder *relative*.

    A KEP folder, a folder inside one or on the way to one, or the PRR folders.
    """
    parts = _clean_parts(relative)
    if parts is None:
        return False
    for label in _label_parts(labels):
        common = min(len(parts), len(label))
        if parts[:common] == label[:common]:
            return True
    prr = _prr_parts(parts)
    return prr is not None and len(prr) <= 2


def _no_link_on_the_way(root: Path, parts: tuple[str, ...]) -> bool:
    """True when the folder holding *parts* under *root* is reached without a symlink."""
    real_root = os.path.realpath(root)
    parent = os.path.join(root, *parts[:-1]) if len(parts) > 1 else str(root)  # noqa: PTH118
    expected = os.path.join(real_root, *parts[:-1]) if len(parts) > 1 else real_root  # noqa: PTH118
    return os.path.realpath(parent) == expected


# -- the record ------------------------------------------------------------------------------


@attrs.frozen
class FileUndo:
    """One file of a journal: its path relative to the root, what it held, what it gets."""

    path: str
    original: bytes | None
    new_sha256: str


@attrs.frozen
class JournalRecord:
    """What a journal says: the KEPs it is about, the folders and files the write touches."""

    labels: tuple[str, ...]
    aborted: bool
    dirs: tuple[str, ...]
    files: tuple[FileUndo, ...]

    def to_plain(self) -> dict[str, Any]:
        """The record as JSON data, the originals in base64."""
        return {
            "version": _VERSION,
            "labels": list(self.labels),
            "aborted": self.aborted,
            "dirs": list(self.dirs),
            "files": [
                {
                    "path": f.path,
                    "original": None
                    if f.original is None
                    else base64.b64encode(f.original).decode("ascii"),
                    "new_sha256": f.new_sha256,
                }
                for f in self.files
            ],
        }


class _Malformed(Exception):
    """A journal that is not what keps writes (the reason is the message)."""


def _require(ok: bool, reason: str) -> None:
    """Raise _Malformed(*reason*) unless *ok*."""
    if not ok:
        raise _Malformed(reason)


def _record_from_plain(data: object) -> JournalRecord:
    """The record *data* (parsed JSON) holds; _Malformed if any part has the wrong shape."""
    _require(
        isinstance(data, dict) and data.get("version") == _VERSION,
        "not a journal of this keps version",
    )
    assert isinstance(data, dict)
    labels, aborted, dirs, files = (data.get(k) for k in ("labels", "aborted", "dirs", "files"))
    _require(
        isinstance(labels, list) and bool(labels) and all(isinstance(x, str) for x in labels),
        "'labels' must be a list of KEP locations",
    )
    assert isinstance(labels, list)
    _require(
        all(_clean_parts(x) is not None for x in labels), "a label is not a plain relative location"
    )
    _require(isinstance(aborted, bool), "'aborted' must be true or false")
    _require(
        isinstance(dirs, list) and all(isinstance(x, str) for x in dirs),
        "'dirs' must be a list of folders",
    )
    _require(isinstance(files, list), "'files' must be a list")
    assert isinstance(dirs, list) and isinstance(files, list) and isinstance(aborted, bool)
    undo = []
    for item in files:
        _require(
            isinstance(item, dict) and set(item) == {"path", "original", "new_sha256"},
            "a file entry must have exactly path, original and new_sha256",
        )
        path, original, digest = item["path"], item["original"], item["new_sha256"]
        _require(
            isinstance(path, str) and isinstance(digest, str) and bool(_SHA256.fullmatch(digest)),
            "a file entry has a bad path or digest",
        )
        _require(
            original is None or isinstance(original, str),
            "a file entry's original must be base64 text or null",
        )
        try:
            raw = None if original is None else base64.b64decode(original, validate=True)
        except (binascii.Error, ValueError) as exc:
            reason = "a file entry's original is not base64"
            raise _Malformed(reason) from exc
        undo.append(FileUndo(path, raw, digest))
    record = JournalRecord(tuple(labels), aborted, tuple(dirs), tuple(undo))
    for f in record.files:
        _require(
            allowed_file(f.path, record.labels), f"{f.path!r} is not a file its step could write"
        )
    for folder in record.dirs:
        _require(
            allowed_dir(folder, record.labels), f"{folder!r} is not a folder its step could create"
        )
    return record


# -- signing ---------------------------------------------------------------------------------


def _key_path() -> Path:
    from platformdirs import user_state_path

    return user_state_path("keps") / _KEY_NAME


def _signing_key(*, create: bool) -> bytes | None:
    """The user's journal key (made on first use when *create*); None if there is none."""
    path = _key_path()
    try:
        data = read_bytes(path, limit=256).strip()
    except KepNotFoundError:
        data = b""
    except KepError as exc:
        log.warning("the journal key %s is unreadable (%s)", path, exc.message)
        data = b""
    if _KEY.fullmatch(data):
        return data
    if not create:
        return None
    return _new_key(path)


def _new_key(path: Path) -> bytes:
    """Make the key file, or take the one another process made at the same moment."""
    fresh = secrets.token_hex(32).encode("ascii")
    tmp = path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(fresh)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # never replaces a key another process made meanwhile
        except FileExistsError:
            existing = read_bytes(path, limit=256).strip()
            if _KEY.fullmatch(existing):
                return existing
            os.replace(tmp, path)  # a broken key file: its journals cannot be trusted anyway
    except OSError as exc:
        msg = f"cannot create the journal key {path}: {exc.strerror or exc}"
        raise StorageError(msg, path=path) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return fresh


def _mac(key: bytes, content_root: Path, journal: Path, body: bytes) -> str:
    message = b"\0".join((root_key(content_root).encode(), journal.name.encode(), body))
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _encode(record: JournalRecord, key: bytes, content_root: Path, journal: Path) -> bytes:
    body = json.dumps(record.to_plain(), sort_keys=True, separators=(",", ":")).encode()
    mac = _mac(key, content_root, journal, body)
    return json.dumps({"mac": mac, "record": body.decode()}).encode() + b"\n"


def read_journal(journal: Path, content_root: Path) -> JournalRecord | None:
    """The record of *journal*, or None when there is no such file.

    Raises:
        InvalidJournal: the journal is not one keps wrote for *content_root* (bad
            signature, shape or path); the caller sets it aside.
    """
    try:
        raw = read_bytes(journal, limit=_JOURNAL_LIMIT)
    except KepNotFoundError:
        return None
    except KepError as exc:
        raise InvalidJournal(journal, exc.message) from None
    try:
        outer = json.loads(raw)
        mac, body = outer["mac"], outer["record"]
        if not isinstance(mac, str) or not isinstance(body, str):
            raise TypeError
        body_bytes = body.encode("utf-8")
    except (ValueError, KeyError, TypeError, UnicodeEncodeError):
        raise InvalidJournal(journal, "not a journal keps wrote") from None
    key = _signing_key(create=False)
    if key is None or not hmac.compare_digest(mac, _mac(key, content_root, journal, body_bytes)):
        raise InvalidJournal(journal, "its signature does not match this user's journal key")
    try:
        return _record_from_plain(json.loads(body))
    except (ValueError, _Malformed) as exc:
        raise InvalidJournal(journal, str(exc)) from None


class InvalidJournal(StorageError):
    """A journal keps did not write, or not for this content root: never replayed."""

    def __init__(self, journal: Path, reason: str) -> None:
        super().__init__(f"{journal}: {reason}", path=journal)
        self.reason = reason


def set_aside(journal: Path, reason: str) -> Path | None:
    """Rename *journal* so it is never looked at again; one warning names it."""
    target = journal.with_name(journal.name + REJECTED_SUFFIX)
    try:
        os.replace(journal, target)
    except OSError as exc:
        log.warning(
            "ignoring the journal %s (%s); it could not be set aside: %s", journal, reason, exc
        )
        return None
    log.warning("set aside the journal %s, never replayed: %s (now %s)", journal, reason, target)
    return target


# -- writing ---------------------------------------------------------------------------------


def temporary_name(journal: Path) -> str:
    """The name of *journal*'s temporary file while it is written: only its lock holder's."""
    return f"{TEMP_PREFIX}{journal.name}"


class Journal:
    """The undo journal of one transaction on the KEPs *labels* under *content_root*.

    :class:`keps._files.FileTransaction` calls :meth:`begin` before it touches anything,
    :meth:`abort` when it raised and could not restore every file itself, and :meth:`end`
    when every file is written (or restored).
    """

    def __init__(self, path: Path, content_root: Path, labels: Sequence[str]) -> None:
        self.path = path
        self._root = content_root
        self._labels = tuple(labels)
        self._record: JournalRecord | None = None

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    def _relative(self, path: Path) -> str:
        try:
            relative = path.relative_to(self._root).as_posix()
        except ValueError:
            relative = ""
        return relative

    def begin(
        self,
        new_dirs: Sequence[Path],
        originals: Mapping[Path, bytes | None],
        writes: Mapping[Path, bytes],
    ) -> None:
        """Record the undo of this write durably, before the first file or folder is touched.

        Raises:
            StorageError: a path is not one the step may write (a bug: nothing is written),
                or the journal cannot be written.
        """
        files = []
        for path, data in writes.items():
            relative = self._relative(path)
            if not allowed_file(relative, self._labels):
                msg = f"refusing to write {path}: outside the KEPs {', '.join(self._labels)}"
                raise StorageError(msg, path=path)
            files.append(FileUndo(relative, originals[path], hashlib.sha256(data).hexdigest()))
        dirs = []
        for folder in new_dirs:
            relative = self._relative(folder)
            if not allowed_dir(relative, self._labels):
                msg = f"refusing to create {folder}: outside the KEPs {', '.join(self._labels)}"
                raise StorageError(msg, path=folder)
            dirs.append(relative)
        self._record = JournalRecord(self._labels, False, tuple(dirs), tuple(files))
        try:
            self._write(self._record)
        except BaseException:  # it may be in place (the failure came after the rename)
            remove_file(self.path)
            raise

    def abort(self) -> None:
        """Mark the journal aborted: the next step must undo it even if every file is new."""
        if self._record is not None:
            self._record = attrs.evolve(self._record, aborted=True)
            with contextlib.suppress(StorageError):
                self._write(self._record)

    def end(self) -> None:
        """Remove the journal: the write finished (or was undone) in this process."""
        remove_file(self.path)

    def _write(self, record: JournalRecord) -> None:
        key = _signing_key(create=True)
        assert key is not None  # created above
        data = _encode(record, key, self._root, self.path)
        try:  # through the module: the crash tests stop a step inside this write too
            _files.atomic_write_bytes(
                self.path, data, limit=_JOURNAL_LIMIT, temp_name=temporary_name(self.path)
            )
        except StorageError as exc:
            msg = f"cannot write the journal {self.path}: {exc.message}"
            raise StorageError(msg, path=self.path) from exc


# -- rolling back ----------------------------------------------------------------------------


def _current(path: Path) -> bytes | KepError | None:
    """What *path* holds now: its bytes, None if absent, the error if it is no regular file."""
    try:
        return read_bytes(path, limit=MAX_INDEX_BYTES)
    except KepNotFoundError:
        return None
    except KepError as exc:
        return exc


def roll_back(journal: Path, content_root: Path, record: JournalRecord) -> tuple[Path, ...]:
    """Undo the write that left *journal* behind; return the files put back.

    A file still holding what the interrupted write wrote gets its original bytes back
    (or is removed if it did not exist); a file that holds neither was changed by someone
    since, or is no longer a regular file, and is left alone (logged). When every file
    already holds its new bytes the write had finished (the crash came just before the
    journal was removed): nothing is undone, unless the journal is marked aborted.
    Temporary files in the folders concerned and empty folders the write created are
    removed, then the journal. *record* is what :func:`read_journal` found in it.

    The caller holds the locks the writer held, so nobody writes these files meanwhile.

    Raises:
        StorageError: a file could not be restored (the journal is kept for a retry).
    """
    targets = []
    for item in record.files:
        parts = tuple(item.path.split("/"))
        if not _no_link_on_the_way(content_root, parts):
            set_aside(journal, f"a link now leads out of the way to {item.path}")
            return ()
        targets.append((content_root.joinpath(*parts), item))
    current = {path: _current(path) for path, _ in targets}
    finished = not record.aborted and all(
        isinstance(data, bytes) and hashlib.sha256(data).hexdigest() == item.new_sha256
        for (path, item), data in zip(targets, current.values(), strict=True)
    )
    restored: list[Path] = []
    if not finished:
        for path, item in reversed(targets):
            data = current[path]
            if data == item.original:
                continue
            if not isinstance(data, bytes) or hashlib.sha256(data).hexdigest() != item.new_sha256:
                log.warning("%s changed since an interrupted write; left as it is", path)
                continue
            if not restore_file(path, item.original):
                msg = f"cannot restore {path} from the journal {journal}"
                raise StorageError(msg, path=path)
            restored.append(path)
    for folder in dict.fromkeys(path.parent for path, _ in targets):
        _remove_temporary_files(folder)
    if not finished:  # after the temporary files, which would keep a new folder from going
        for relative in reversed(record.dirs):
            parts = tuple(relative.split("/"))
            if _no_link_on_the_way(content_root, parts):
                with contextlib.suppress(OSError):
                    content_root.joinpath(*parts).rmdir()
    remove_file(journal)
    log.info("rolled back %d file(s) from the journal %s", len(restored), journal)
    return tuple(restored)


def _remove_temporary_files(folder: Path) -> None:
    """Remove keps' temporary files in *folder* (a crash between write and rename leaves one)."""
    try:
        names = os.listdir(folder)  # noqa: PTH208 - plain names
    except OSError:
        return
    for name in names:
        if name.startswith(TEMP_PREFIX):
            with contextlib.suppress(OSError):
                (folder / name).unlink()
