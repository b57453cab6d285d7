"""The second core in a warm rebuild: a forked child checks part of the section files.

A warm rebuild of 10,000 KEPs is some 60,000 ``stat`` calls, each a few microseconds of
system call that one Python thread cannot overlap. While the parent walks the tree,
a child made with ``fork`` (it shares the loaded cache without copying or sending it)
stats the section files of a share of the cached KEPs and sends back which of them
differ from the cache. The parent checks the rest itself.

Only on Linux, only for many KEPs, and only in a process with one thread: ``fork``
copies just the calling thread, so a lock held by another thread would stay locked
in the child. Whatever goes wrong in the child, the parent checks that share itself;
a result is never taken on trust from a child that did not finish.
"""

from __future__ import annotations

import logging
import marshal
import os
import sys
import threading
from typing import Any

from keps.index import cache

__all__ = ["FORK_THRESHOLD", "SectionChecker", "start"]

log = logging.getLogger(__name__)

#: Below this many cached KEPs, forking costs more than the child saves.
FORK_THRESHOLD = 2000

#: The child's share of the KEPs: those whose position modulo _OF is below _SHARE. The
#: parent also walks the tree (a stat per KEP) and builds the entries, so the child
#: takes more than half.
_SHARE, _OF = 7, 10

#: The size of a packed identity; the cache puts metadata.yaml's first.
_HEAD = cache.PACKED_SIZE


class SectionChecker:
    """A child process checking the section files of a share of the cached KEPs."""

    def __init__(self, pid: int, reader: int, share: frozenset[str]) -> None:
        self._pid = pid
        self._reader = reader
        self._share = share
        self._changed: frozenset[str] | None = None
        self._done = False

    def covers(self, location: str) -> bool:
        """True when the child checks the sections of the KEP at *location*."""
        return location in self._share

    def changed(self) -> frozenset[str] | None:
        """The covered locations whose sections differ from the cache (waits for the child).

        None when the child did not finish cleanly: the caller checks them itself.
        """
        if not self._done:
            self._done = True
            self._changed = self._collect()
        return self._changed

    def close(self) -> None:
        """Wait for the child if that has not happened yet (no zombie is left)."""
        self.changed()

    def _collect(self) -> frozenset[str] | None:
        chunks = []
        try:
            while chunk := os.read(self._reader, 1 << 16):
                chunks.append(chunk)
        except OSError as exc:
            log.info("lost the section check child: %s", exc)
            chunks = []
        finally:
            os.close(self._reader)
        _, status = os.waitpid(self._pid, 0)
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or not chunks:
            log.info("the section check child did not finish (status %d)", status)
            return None
        try:
            found = marshal.loads(b"".join(chunks))
        except (EOFError, ValueError, TypeError):
            return None
        if not isinstance(found, list) or not all(isinstance(x, str) for x in found):
            return None
        return frozenset(found)


def start(base: str, old_keps: dict[str, Any]) -> SectionChecker | None:
    """A child checking a share of *old_keps* (the cache's KEPs under folder *base*).

    None when forking does not pay or is not safe here; the caller checks every KEP.
    """
    if (
        len(old_keps) < FORK_THRESHOLD
        or not sys.platform.startswith("linux")
        or (os.cpu_count() or 1) < 2
        or threading.active_count() != 1
    ):
        return None
    share = frozenset(location for number, location in enumerate(old_keps) if number % _OF < _SHARE)
    try:
        reader, writer = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError as exc:
        log.info("cannot fork a section check child: %s", exc)
        os.close(reader)
        os.close(writer)
        return None
    if pid == 0:  # the child: check, report, and leave without running any cleanup
        code = 1
        try:
            os.close(reader)
            report = marshal.dumps(_changed(base, old_keps, share))
            view = memoryview(report)
            while view:
                view = view[os.write(writer, view) :]
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    return SectionChecker(pid, reader, share)


def _changed(base: str, old_keps: dict[str, Any], share: frozenset[str]) -> list[str]:
    """The locations in *share* whose files (sections, the folders on their way, the
    PRR file: the cache's probes) differ from what the cache holds."""
    changed = []
    for location, known in old_keps.items():  # in walk order: folders stay warm in the kernel
        if location not in share:
            continue
        if not cache.well_formed(known):
            changed.append(location)
            continue
        packed, files, _, folders = known
        if cache.packed_stats(f"{base}/{location}", files, folders) != packed[_HEAD:]:
            changed.append(location)
    return changed
