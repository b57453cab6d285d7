"""What a KEP layout is: where its metadata lives, how its keys map to the model, and back.

Two layouts exist, so a small base class names what both provide and :class:`Kep`
delegates to it; see :mod:`keps.keps.layouts.seed` and
:mod:`keps.keps.layouts.enhancements`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from keps.keps.metadata import Metadata
from keps.problems import Problem

__all__ = ["Layout", "Loaded"]


@attrs.frozen
class Loaded:
    """What a layout read from a KEP's metadata file.

    Args:
        metadata: the model, with every value that could be read.
        raw: the parsed file as it was (None for an empty file); keys and values the
            model cannot hold are still here, which keeps a conversion lossless.
        problems: what the lenient loader found wrong (never raised).
        lines: the 1-based line of each field path in the metadata file.
    """

    metadata: Metadata
    raw: Mapping[str, Any] | None
    problems: tuple[Problem, ...] = ()
    lines: Mapping[str, int] = attrs.field(factory=dict)


class Layout:
    """One way of laying out a KEP on disk; subclasses fill in every method."""

    #: short name used by the CLI and by :func:`keps.keps.layouts.move.convert_layout`
    name: str = ""
    #: the file in the KEP folder that holds the metadata
    metadata_file: str = ""
    #: True when README.md is written from the metadata (the seed), False when it is the text
    readme_generated: bool = True
    #: the order in which keys are written to a new metadata file
    key_order: tuple[str, ...] = ()

    def read(self, kep_dir: Path, text: str) -> Loaded:
        """The metadata in *text* (the metadata file of *kep_dir*)."""
        raise NotImplementedError

    def to_mapping(self, metadata: Metadata) -> dict[str, Any]:
        """Plain data for the metadata file, in this layout's keys and order."""
        raise NotImplementedError

    def edit(self, original: str | None, old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
        """The metadata file brought from *old* to *new*, keeping what people wrote."""
        raise NotImplementedError

    def content_root_of(self, kep_dir: Path) -> Path:
        """The content root a KEP folder of this layout belongs to."""
        raise NotImplementedError

    def structural_problems(self, loaded: Loaded, path: Path) -> tuple[Problem, ...]:
        """Problems of the file's shape that make the KEP unusable (checked on every save)."""
        return ()

    def __repr__(self) -> str:
        return f"<Layout {self.name}>"
