"""The user's settings file: ``settings.yaml`` in the platform's config folder for ``kep``.

It is a flat YAML mapping that people may edit by hand, for example::

    # ~/.config/kep/settings.yaml
    content_root: /home/me/src/keps-content
    principal: octocat

Reading tolerates a missing file (no settings yet); writing keeps the other keys and
the comments, and is atomic.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:  # ruamel is imported only when the settings file is written
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

from keps._files import atomic_write_text, read_text
from keps.errors import (
    ContentRootNotFoundError,
    InvalidContentError,
    KepError,
    KepNotFoundError,
    SettingsError,
)

__all__ = ["CONTENT_ROOT_KEY", "load_settings", "save_content_root", "settings_path"]

#: The key of the settings file that names the content root.
CONTENT_ROOT_KEY = "content_root"


def settings_path() -> Path:
    """Where the user's settings live: ``<user config dir>/kep/settings.yaml``."""
    return platformdirs.user_config_path("kep") / "settings.yaml"


def load_settings(path: Path | None = None) -> dict[str, str]:
    """The settings in *path* (default :func:`settings_path`) as strings; ``{}`` if absent.

    Empty values are left out, so an empty ``principal:`` counts as not set.

    Raises:
        SettingsError: the file cannot be read, is not YAML, or is not a flat mapping;
            the message names the file.
    """
    path = settings_path() if path is None else path
    try:
        text = read_text(path)
    except KepNotFoundError:
        return {}
    except KepError as exc:
        msg = f"cannot read the settings file {path}: {exc.message}"
        raise SettingsError(msg, path=path) from exc
    from keps._yaml import error_detail, load_fast  # only when there is a settings file

    try:
        data = load_fast(text, path=path).data
    except InvalidContentError as exc:
        detail, line, column = error_detail(exc)
        where = f" (line {line}, column {column})" if line and column else ""
        msg = f"the settings file {path} is not valid YAML: {detail}{where}"
        raise SettingsError(msg, path=path) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        msg = f"the settings file {path} must be a mapping of names to values"
        raise SettingsError(msg, path=path)
    settings: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            msg = f"the settings file {path} has a key that is not a name: {key!r}"
            raise SettingsError(msg, path=path)
        if value is None:
            continue
        if isinstance(value, dict | list):
            msg = f"the settings file {path}: {key} must be a single value, not a list or mapping"
            raise SettingsError(msg, path=path)
        text_value = str(value).strip()
        if text_value:
            settings[key] = text_value
    return settings


def save_content_root(path: Path, *, settings_file: Path | None = None) -> Path:
    """Record *path* as the content root in the settings file, keeping its other keys.

    The folder is stored as an absolute path; comments and key order of a hand-edited
    file survive. Returns the settings file written.

    Raises:
        ContentRootNotFoundError: *path* is not an existing folder.
        SettingsError: the existing settings file cannot be read or is not a mapping.
        StorageError: the settings file cannot be written.
    """
    target = settings_path() if settings_file is None else settings_file
    root = absolute_path(path)
    if not root.is_dir():
        msg = f"cannot save {root} as the content root: it is not a folder"
        raise ContentRootNotFoundError(msg, path=root)
    document = _load_roundtrip(target)
    document[CONTENT_ROOT_KEY] = str(root)
    buffer = io.StringIO()
    _roundtrip_yaml().dump(document, buffer)
    atomic_write_text(target, buffer.getvalue())
    return target


def absolute_path(path: Path | str) -> Path:
    """*path* with ``~`` expanded, made absolute and normalised (``..`` removed), links kept."""
    return Path(os.path.normpath(Path(path).expanduser().absolute()))


def _roundtrip_yaml() -> YAML:
    from ruamel.yaml import YAML

    yaml_rt = YAML(typ="rt")
    yaml_rt.default_flow_style = False
    yaml_rt.preserve_quotes = True
    yaml_rt.width = 4096  # never fold a long path onto a second line
    return yaml_rt


def _load_roundtrip(path: Path) -> CommentedMap:
    """The settings file as a ruamel round-trip mapping (comments kept), empty if absent."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError as RuamelYAMLError

    try:
        text = read_text(path)
    except KepNotFoundError:
        return CommentedMap()
    except KepError as exc:
        msg = f"cannot read the settings file {path}: {exc.message}"
        raise SettingsError(msg, path=path) from exc
    try:
        document = _roundtrip_yaml().load(text)
    except RuamelYAMLError as exc:
        msg = f"the settings file {path} is not valid YAML, so it was left unchanged: {exc}"
        raise SettingsError(msg, path=path) from exc
    if document is None:
        return CommentedMap()
    if not isinstance(document, CommentedMap):
        msg = f"the settings file {path} must be a mapping of names to values; left unchanged"
        raise SettingsError(msg, path=path)
    return document
