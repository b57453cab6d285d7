"""Finding the content root: configured in the environment or settings, else the tree one is in."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from keps._checkout import content_root_of, is_checkout
from keps._names import INDEX_FILE, SIGS_FILE
from keps.errors import ContentRootNotFoundError, KepError
from keps.settings.file import CONTENT_ROOT_KEY, absolute_path, load_settings, settings_path
from keps.sigs import KUBERNETES_WIDE_DIR, SigRegistry

__all__ = ["ENV_CONTENT_ROOT", "find_content_root", "is_content_root"]

#: The environment variable that names the content root; it beats everything else.
ENV_CONTENT_ROOT = "KEP_CONTENT_ROOT"

_log = logging.getLogger(__name__)


def find_content_root(
    *,
    env: Mapping[str, str] | None = None,
    settings_file: Path | None = None,
    cwd: Path | None = None,
    registry: SigRegistry | None = None,
) -> Path:
    """The content root in force, as an absolute path.

    In this order:

    1. the ``KEP_CONTENT_ROOT`` variable of *env* (default ``os.environ``);
    2. ``content_root`` in the settings file (default :func:`settings_path`); a relative
       value is taken relative to the settings file's folder;
    3. the current folder (*cwd*, default ``os.getcwd()``) or the nearest of its parents
       that :func:`is_content_root` or that is a kubernetes/enhancements checkout (it
       holds a ``keps/`` folder with KEPs).

    Nothing else is searched: a content repository is untrusted input, so keps works
    only on a tree the user pointed at - configured, or the one they are in. A
    configured value that is not a folder is an error rather than a reason to look
    further, so a typo never silently selects some other tree.

    Raises:
        ContentRootNotFoundError: nothing configured and not inside a tree; the message
            says how to set it.
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

    here = absolute_path(Path.cwd() if cwd is None else cwd)
    for folder in (here, *here.parents):
        if is_checkout(folder):
            root = content_root_of(folder)
            _log.info("using the kubernetes/enhancements checkout %s, which holds %s", root, here)
            return root
        registry = registry or SigRegistry.packaged()  # only once a checkout is ruled out
        if is_content_root(folder, registry):
            _log.info("using the content root %s, which holds %s", folder, here)
            return folder

    msg = (
        f"no KEP content root found: neither {here} nor a folder above it holds a"
        f" directory per SIG, keps.yaml or a kubernetes/enhancements keps/ folder."
        f" Run kepctl inside the tree, set {ENV_CONTENT_ROOT}=DIR, pass"
        f" `kepctl --content-root DIR`, or save it once with"
        f" keps.settings.save_content_root(DIR), which writes {CONTENT_ROOT_KEY}"
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

    A kubernetes/community clone also holds a folder per SIG: kepctl run inside one takes
    it for a content root.
    """
    try:
        with os.scandir(folder) as entries:
            listing = list(entries)
    except OSError:
        return False
    names, files = _split_listing(listing)
    return _looks_like_root(folder, names, files, registry or SigRegistry.packaged())


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
    if SIGS_FILE in files:
        try:
            sig_list = SigRegistry.from_file(folder / SIGS_FILE)
        except KepError as exc:
            _log.debug("ignoring %s: %s", folder / SIGS_FILE, exc)
    sigs = set(sig_list.all())
    if sigs and sigs <= names:
        return True
    return INDEX_FILE in files and (KUBERNETES_WIDE_DIR in names or bool(sigs & names))


def _configured_folder(path: Path, source: str) -> Path:
    folder = absolute_path(path)
    if not folder.is_dir():
        msg = f"{source} names {folder} as the KEP content root, but it is not a folder"
        raise ContentRootNotFoundError(msg, path=folder)
    return content_root_of(folder)
