"""Runtime: who runs a lifecycle step, on which KEP folder, under which content root."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from keps.settings.content_root import find_content_root
from keps.settings.file import absolute_path
from keps.settings.principal import find_principal, normalize_handle

__all__ = ["Runtime"]


def _principal(value: str) -> str:
    if not isinstance(value, str):
        return value  # the validator reports the type
    return normalize_handle(value, source="principal")


def _check_str(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        msg = f"{attribute.name} must be a string, not {type(value).__name__}"
        raise TypeError(msg)


@attrs.frozen
class Runtime:
    """The settings one lifecycle step runs with; build it once, pass it down.

    Args:
        principal: the GitHub handle of whoever runs the step; a leading ``@`` is
            dropped, whitespace inside is refused (SettingsError).
        target_dir: the KEP folder the step works on; made absolute.
        content_root: the root of the KEP content tree; made absolute.
    """

    principal: str = attrs.field(converter=_principal, validator=_check_str)
    target_dir: Path = attrs.field(converter=absolute_path)
    content_root: Path = attrs.field(converter=absolute_path)

    @classmethod
    def from_environment(
        cls,
        target_dir: Path,
        *,
        principal: str | None = None,
        content_root: Path | None = None,
        env: Mapping[str, str] | None = None,
        settings_file: Path | None = None,
    ) -> Runtime:
        """A Runtime for *target_dir*, filling what the caller did not give.

        The principal comes from :func:`find_principal` and the content root from
        :func:`find_content_root` (environment, then settings file, then the tree one is in).
        """
        if principal is None:
            principal = find_principal(env=env, settings_file=settings_file)
        if content_root is None:
            content_root = find_content_root(env=env, settings_file=settings_file)
        return cls(principal=principal, target_dir=target_dir, content_root=content_root)
