"""Create the folder of every SIG under a location: the empty shape of a content tree."""

from __future__ import annotations

import logging
from pathlib import Path

from keps.errors import KepExistsError, StorageError
from keps.sigs.registry import SigRegistry

__all__ = ["create_sig_dirs"]

_log = logging.getLogger(__name__)


def create_sig_dirs(location: Path, registry: SigRegistry) -> tuple[Path, ...]:
    """Make ``<location>/<sig>`` for every SIG (kind ``sig``) of *registry*.

    Folders that already exist are left alone, so running it twice is harmless; this is
    how a playground content root for trying the library is set up.

    Returns:
        The folders created by this call, in the registry's order.

    Raises:
        KepExistsError: *location*, or a SIG's path under it, is a file.
        StorageError: a folder could not be created (permissions, disk).
    """
    if location.exists() and not location.is_dir():
        msg = f"{location} is a file, not a folder"
        raise KepExistsError(msg, path=location)
    created: list[Path] = []
    for sig in registry.all():
        target = location / sig
        if target.is_dir():
            continue
        if target.exists():
            msg = f"{target} is a file where the folder of {sig} belongs"
            raise KepExistsError(msg, path=target)
        try:
            target.mkdir(parents=True)
        except FileExistsError:
            continue  # another process made it between the check and now
        except OSError as exc:
            msg = f"cannot create {target}: {exc.strerror or exc}"
            raise StorageError(msg, path=target) from exc
        _log.debug("created %s", target)
        created.append(target)
    return tuple(created)
