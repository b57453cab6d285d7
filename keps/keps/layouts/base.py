"""What a KEP layout is: where its metadata lives, how its keys map to the model, and back.

Two layouts exist, so a small base class names what both provide; see
:mod:`keps.keps.layouts.seed` and :mod:`keps.keps.layouts.enhancements`. Each layout
module holds its file format (a :class:`Layout`) and its KEP (a subclass of
:class:`~keps.keps.kep.Kep` that keeps the text its own way), so everything about one
format lives in one module and nothing else asks which layout a KEP has.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from keps.keps.metadata import Metadata
from keps.problems import Problem
from keps.sigs import SigRegistry, registry_for

if TYPE_CHECKING:
    from keps.keps.kep import Kep

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
        sources: the other files the layout looked at to make *metadata* (present or
            not), such as a production readiness approval file.
    """

    metadata: Metadata
    raw: Mapping[str, Any] | None
    problems: tuple[Problem, ...] = ()
    lines: Mapping[str, int] = attrs.field(factory=dict)
    sources: tuple[Path, ...] = ()


class Layout:
    """One way of laying out a KEP on disk; subclasses fill in every method."""

    #: short name used by the CLI and by :func:`keps.convert.convert_layout`
    name: str = ""
    #: the file in the KEP folder that holds the metadata
    metadata_file: str = ""
    #: the order in which keys are written to a new metadata file
    key_order: tuple[str, ...] = ()
    #: the class of the KEPs of this layout (set by the layout's module)
    kep_type: type[Kep]

    def read(self, kep_dir: Path, text: str) -> Loaded:
        """The metadata in *text* (the metadata file of *kep_dir*)."""
        raise NotImplementedError

    def to_mapping(self, metadata: Metadata) -> dict[str, Any]:
        """Plain data for the metadata file, in this layout's keys and order."""
        raise NotImplementedError

    def edit(
        self,
        original: str | None,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        *,
        path: str | Path = "",
    ) -> str:
        """The metadata file brought from *old* to *new*, keeping what people wrote.

        *path* is the file's, for error messages.
        """
        raise NotImplementedError

    def content_root_of(self, kep_dir: Path) -> Path:
        """The content root a KEP folder of this layout belongs to."""
        raise NotImplementedError

    def registry_for(
        self, kep_dir: Path, content_root: Path, registry: SigRegistry | None
    ) -> SigRegistry:
        """The SIG list in force for a KEP: *registry*, else the content root's, else packaged."""
        return registry_for(content_root, registry)

    def structural_problems(self, loaded: Loaded, path: Path) -> tuple[Problem, ...]:
        """Problems of the file's shape that make the KEP unusable (checked on every save)."""
        return ()

    def __repr__(self) -> str:
        return f"<Layout {self.name}>"
