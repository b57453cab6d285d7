"""Where each page of a site lives: file names that are safe, readable and unique.

A KEP's page mirrors its folder, under ``keps/`` (a checkout's leading ``keps/`` left
out): ``keps/sig-node/753-sidecar-containers.html``. A SIG's page is
``sigs/<sig>.html``, a release's ``releases/v1.37.html``. Folder and SIG names come
from the content, which is untrusted, so every segment is reduced to lower-case
``a-z 0-9 . _ -`` (no ``..``, no hidden files, nothing a URL must escape), and a
name two KEPs would share gets ``-2``, ``-3``... in collection order. Lower case
keeps two pages apart on a file system that ignores case.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable

from keps._names import KEPS_DIR

__all__ = [
    "PageNames",
    "normalized",
    "relative_url",
    "release_page",
    "root_of",
    "safe_segment",
]

_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_DOTS = re.compile(r"\.{2,}")

#: The longest segment a page name uses: far below any file system's limit.
_MAX_SEGMENT = 100


def safe_segment(text: str) -> str:
    """*text* as one safe path segment: ``a-z 0-9 . _ -``, never empty, never hidden.

    >>> safe_segment("Sig Node/../x")
    'sig-node-.-x'
    >>> safe_segment("..")
    '_'
    """
    cleaned = _DOTS.sub(".", _UNSAFE.sub("-", text.lower()))[:_MAX_SEGMENT].strip("-.")
    return cleaned or "_"


def release_page(release: str) -> str:
    """The page of *release* (``v1.37``), relative to the site."""
    return f"releases/{safe_segment(release)}.html"


def _kep_stem(location: str) -> str:
    parts = [part for part in location.split("/") if part]
    if len(parts) > 1 and parts[0] == KEPS_DIR:
        parts = parts[1:]
    return "/".join(safe_segment(part) for part in parts) or "_"


class PageNames:
    """The page of each of some things (KEPs by location, SIGs by name), each name used
    once: a name two of them would share gets ``-2``, ``-3``... in the order given.

    Args:
        keys: the KEPs' folders relative to the content root (or the SIGs' names), in
            the order that decides which of two clashing names gets the suffix.
        folder: the site's folder the pages go in.
        stem: the page name of a key, before the suffix and ``.html``.
    """

    def __init__(
        self,
        keys: Iterable[str],
        *,
        folder: str = KEPS_DIR,
        stem: Callable[[str], str] = _kep_stem,
    ) -> None:
        self._pages: dict[str, str] = {}
        taken: set[str] = set()
        for key in keys:
            base = stem(key)
            name, count = base, 1
            while name in taken:
                count += 1
                name = f"{base}-{count}"
            taken.add(name)
            self._pages[key] = f"{folder}/{name}.html"

    def __getitem__(self, key: str) -> str:
        return self._pages[key]

    def get(self, key: str) -> str | None:
        """The page of *key*, or None when it has none."""
        return self._pages.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._pages

    def __len__(self) -> int:
        return len(self._pages)


def relative_url(page: str, target: str) -> str:
    """The URL that leads from *page* to *target* (both relative to the site).

    >>> relative_url("keps/sig-node/1-a.html", "sigs/sig-node.html")
    '../../sigs/sig-node.html'
    """
    return root_of(page) + target


def root_of(page: str) -> str:
    """The prefix that leads from *page* back to the site's top folder (``../../``)."""
    return "../" * page.count("/")


def normalized(path: str) -> str | None:
    """*path* ('/'-separated, relative) with ``.`` and ``..`` resolved; None if it leaves."""
    joined = posixpath.normpath(path) if path else "."
    if joined == "." or joined.startswith(("../", "/")) or joined == "..":
        return None
    return joined
