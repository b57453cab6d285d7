"""The principal: the GitHub handle of whoever runs a lifecycle step."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from keps.errors import SettingsError
from keps.settings.file import load_settings, settings_path

__all__ = ["ENV_PRINCIPAL", "PRINCIPAL_KEYS", "find_principal", "normalize_handle"]

#: The environment variable naming the principal; it beats the settings file.
ENV_PRINCIPAL = "KEP_PRINCIPAL_GITHUB_HANDLE"
#: Keys of the settings file that name the principal, first found wins
#: (``github_handle`` is what the Go seed's config used).
PRINCIPAL_KEYS = ("principal", "github_handle")


def normalize_handle(value: str, *, source: str = "the principal") -> str:
    """*value* as a bare GitHub handle: surrounding space and one leading ``@`` removed.

    Raises:
        SettingsError: nothing is left, or the handle holds whitespace, ``@`` or ``/``.
    """
    handle = value.strip().removeprefix("@")
    if not handle:
        msg = f"{source} is empty; it must be a GitHub handle such as octocat"
        raise SettingsError(msg)
    if any(ch.isspace() or ch in "@/" for ch in handle):
        msg = f"{source} {value!r} is not a GitHub handle (no spaces, '@' or '/' inside)"
        raise SettingsError(msg)
    return handle


def find_principal(
    *, env: Mapping[str, str] | None = None, settings_file: Path | None = None
) -> str:
    """The GitHub handle of the person running the step, without ``@``.

    Taken from ``KEP_PRINCIPAL_GITHUB_HANDLE`` in *env* (default ``os.environ``), else
    from ``principal`` (or ``github_handle``) in the settings file.

    Raises:
        SettingsError: neither is set, or the value is not a handle; the message says
            how to set it.
    """
    env = os.environ if env is None else env
    value = env.get(ENV_PRINCIPAL, "").strip()
    if value:
        return normalize_handle(value, source=f"the {ENV_PRINCIPAL} variable")
    settings_file = settings_path() if settings_file is None else settings_file
    settings = load_settings(settings_file)
    for key in PRINCIPAL_KEYS:
        if settings.get(key):
            return normalize_handle(settings[key], source=f"{key} in {settings_file}")
    msg = (
        "no principal (your GitHub handle) is set: export"
        f" {ENV_PRINCIPAL}=<handle> or add `principal: <handle>` to {settings_file}"
    )
    raise SettingsError(msg)
