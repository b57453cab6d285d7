"""Runtime settings: the content root, the principal, and the user's settings file.

Each setting is looked up in the same order: an explicit argument, then the environment
(``KEP_CONTENT_ROOT``, ``KEP_PRINCIPAL_GITHUB_HANDLE``), then the settings file
(:func:`settings_path`), and for the content root finally the tree the current folder is in.
"""

from typing import TYPE_CHECKING

from keps import _lazy

if TYPE_CHECKING:
    from keps.settings.content_root import ENV_CONTENT_ROOT, find_content_root, is_content_root
    from keps.settings.file import CONTENT_ROOT_KEY, load_settings, save_content_root, settings_path
    from keps.settings.principal import (
        ENV_PRINCIPAL,
        PRINCIPAL_KEYS,
        find_principal,
        normalize_handle,
    )
    from keps.settings.runtime import Runtime

__all__ = [
    "CONTENT_ROOT_KEY",
    "ENV_CONTENT_ROOT",
    "ENV_PRINCIPAL",
    "PRINCIPAL_KEYS",
    "Runtime",
    "find_content_root",
    "find_principal",
    "is_content_root",
    "load_settings",
    "normalize_handle",
    "save_content_root",
    "settings_path",
]

__getattr__, __dir__ = _lazy.attach(
    __name__,
    {
        "keps.settings.content_root": ("ENV_CONTENT_ROOT", "find_content_root", "is_content_root"),
        "keps.settings.file": (
            "CONTENT_ROOT_KEY",
            "load_settings",
            "save_content_root",
            "settings_path",
        ),
        "keps.settings.principal": (
            "ENV_PRINCIPAL",
            "PRINCIPAL_KEYS",
            "find_principal",
            "normalize_handle",
        ),
        "keps.settings.runtime": ("Runtime",),
    },
)
