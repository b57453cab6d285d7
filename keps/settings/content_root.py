"""Finding the content root: configured in the environment or settings, else searched for."""

from __future__ import annotations

import collections
import logging
import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from keps.errors import ContentRootNotFoundError, KepError
from keps.settings.file import CONTENT_ROOT_KEY, absolute_path, load_settings, settings_path
from keps.sigs import KUBERNETES_WIDE_DIR, SigRegistry

__all__ = ["ENV_CONTENT_ROOT", "find_content_root", "is_content_root"]

#: The environment variable that names the content root; it beats everything else.
ENV_CONTENT_ROOT = "KEP_CONTENT_ROOT"

_log = logging.getLogger(__name__)

_SIGS_FILE = "sigs.yaml"
_INDEX_FILE = "keps.yaml"


def find_content_root(
    *,
    env: Mapping[str, str] | None = None,
    settings_file: Path | None = None,
    home: Path | None = None,
    registry: SigRegistry | None = None,
    max_depth: int = 4,
    max_dirs: int = 20000,
) -> Path:
    """The content root in force, as an absolute path.

    In this order:

    1. the ``KEP_CONTENT_ROOT`` variable of *env* (default ``os.environ``);
    2. ``content_root`` in the settings file (default :func:`settings_path`); a relative
       value is taken relative to the settings file's folder;
    3. a breadth-first search from *home* (default ``Path.home()``), nearest first and
       by name within one level, for the first folder that :func:`is_content_root`.

    A configured value that is not a folder is an error rather than a reason to search,
    so a typo never silently selects some other tree. The search skips hidden folders,
    visits each real folder once (symlink loops end), goes at most *max_depth* levels
    below *home* and lists at most *max_dirs* folders, so it ends in about a second.

    Raises:
        ContentRootNotFoundError: nothing configured and nothing found; the message says
            how to set it.
        SettingsError: the settings file is unreadable.
    """
    env = os.environ if env is None else env
    configured = env.get(ENV_CONTENT_ROOT, "").strip()
    if configured:
        return _configured_folder(Path(configured), f"the {ENV_CONTENT_ROOT} variable")

    settings_file = settings_path() if settings_file is None else settings_file
    value = load_settings(settings_file).get(CONTENT_ROOT_KEY, "")
    if value:
        path = Path(value).expanduser()
        if not path.is_absolute():
            path = settings_file.parent / path
        return _configured_folder(path, f"{CONTENT_ROOT_KEY} in {settings_file}")

    home = Path.home() if home is None else home
    search = _search(absolute_path(home), registry or SigRegistry.packaged(), max_depth, max_dirs)
    if search.found is not None:
        _log.info("found the content root %s after %d folders", search.found, search.visited)
        return search.found

    folders = "1 folder" if search.visited == 1 else f"{search.visited} folders"
    limit = f", stopping at the limit of {max_dirs} folders" if search.truncated else ""
    msg = (
        f"no KEP content root found (searched {folders} up to {max_depth} levels"
        f" below {home}{limit} for a folder holding a directory per SIG)."
        f" Set {ENV_CONTENT_ROOT}=DIR, pass `kepctl --content-root DIR`, or save it once"
        f" with keps.settings.save_content_root(DIR), which writes {CONTENT_ROOT_KEY}"
        f" to {settings_file}"
    )
    raise ContentRootNotFoundError(msg)


def is_content_root(folder: Path, registry: SigRegistry | None = None) -> bool:
    """True when *folder* looks like a content root.

    The SIG list in force for *folder* is its own ``sigs.yaml`` when it has a readable
    one (so a 2018 tree carrying the 2018 list is recognised), else *registry* (default:
    the packaged list). *folder* is a content root when either

    * it holds a directory for every SIG (kind ``sig``) of that list, the shape
      ``init_sig_dirs`` creates; or
    * it holds ``keps.yaml`` (the index) and at least one directory of a SIG of that
      list or ``kubernetes-wide/``: a populated tree need not have every SIG.

    A kubernetes/community clone also holds a folder per SIG; where one sits nearer to
    home than the content tree, configure the content root instead of searching.
    """
    try:
        with os.scandir(folder) as entries:
            listing = list(entries)
    except OSError:
        return False
    names, files = _split_listing(listing)
    return _looks_like_root(folder, names, files, registry or SigRegistry.packaged())


@attrs.frozen
class _Search:
    found: Path | None
    visited: int
    truncated: bool


def _search(home: Path, registry: SigRegistry, max_depth: int, max_dirs: int) -> _Search:
    """Breadth-first search below *home* for a content root, bounded by depth and count."""
    queue: collections.deque[tuple[Path, int]] = collections.deque([(home, 0)])
    seen: set[tuple[int, int]] = set()
    try:
        info = home.stat()
        seen.add((info.st_dev, info.st_ino))
    except OSError:
        return _Search(None, 0, truncated=False)
    visited = 0
    while queue:
        if visited >= max_dirs:
            return _Search(None, visited, truncated=True)
        folder, depth = queue.popleft()
        visited += 1
        try:
            with os.scandir(folder) as entries:
                listing = list(entries)
        except OSError as exc:
            _log.debug("skipping %s: %s", folder, exc)
            continue
        names, files = _split_listing(listing)
        if _looks_like_root(folder, names, files, registry):
            return _Search(folder, visited, truncated=False)
        if depth >= max_depth:
            continue
        for name in sorted(names):
            child = folder / name
            try:
                info = child.stat()
            except OSError:
                continue
            key = (info.st_dev, info.st_ino)
            if key not in seen:
                seen.add(key)
                queue.append((child, depth + 1))
    return _Search(None, visited, truncated=False)


def _split_listing(listing: list[os.DirEntry[str]]) -> tuple[set[str], set[str]]:
    """The visible folder names and the file names in one folder's listing."""
    folders: set[str] = set()
    files: set[str] = set()
    for entry in listing:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():
                folders.add(entry.name)
            elif entry.is_file():
                files.add(entry.name)
        except OSError:
            continue
    return folders, files


def _looks_like_root(folder: Path, names: set[str], files: set[str], registry: SigRegistry) -> bool:
    sig_list = registry
    if _SIGS_FILE in files:
        try:
            sig_list = SigRegistry.from_file(folder / _SIGS_FILE)
        except KepError as exc:
            _log.debug("ignoring %s: %s", folder / _SIGS_FILE, exc)
    sigs = set(sig_list.all())
    if sigs and sigs <= names:
        return True
    return _INDEX_FILE in files and (KUBERNETES_WIDE_DIR in names or bool(sigs & names))


def _configured_folder(path: Path, source: str) -> Path:
    folder = absolute_path(path)
    if not folder.is_dir():
        msg = f"{source} names {folder} as the KEP content root, but it is not a folder"
        raise ContentRootNotFoundError(msg, path=folder)
    return folder
