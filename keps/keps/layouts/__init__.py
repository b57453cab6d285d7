"""KEP layouts: one object model, two ways of putting a KEP on disk.

==============  =================  ===================  ===========================
layout          metadata file      keys                 text
==============  =================  ===================  ===========================
``seed``        ``metadata.yaml``  snake_case (2018)    one file per section;
                                                        README.md generated
``enhancements`` ``kep.yaml``      hyphenated (today)   README.md with ``##``
                                                        sections; never generated
==============  =================  ===================  ===========================

:func:`detect` tells which layout a KEP folder uses; :class:`~keps.keps.Kep` delegates
reading, key mapping and writing to it. :func:`keps.convert.convert_layout`
moves a KEP from one layout to the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from keps.errors import InvalidArgumentError
from keps.keps.layouts.base import Layout, Loaded
from keps.keps.layouts.enhancements import ENHANCEMENTS, EnhancementsLayout
from keps.keps.layouts.seed import SEED, SeedLayout

__all__ = [
    "ENHANCEMENTS",
    "LAYOUTS",
    "SEED",
    "EnhancementsLayout",
    "Layout",
    "Loaded",
    "SeedLayout",
    "detect",
    "layout_named",
]

#: Every layout by name, in the order :func:`detect` tries them.
LAYOUTS: Mapping[str, Layout] = MappingProxyType({SEED.name: SEED, ENHANCEMENTS.name: ENHANCEMENTS})

#: Metadata file names, so that a path to the file itself names its KEP.
METADATA_FILES = frozenset(layout.metadata_file for layout in LAYOUTS.values())


def detect(kep_dir: Path) -> Layout | None:
    """The layout of the KEP in folder *kep_dir*: the one whose metadata file is there."""
    for layout in LAYOUTS.values():
        if (kep_dir / layout.metadata_file).is_file():
            return layout
    return None


def layout_named(name: str | Layout) -> Layout:
    """The layout called *name* (``seed`` or ``enhancements``).

    Raises:
        InvalidArgumentError: (a ValueError) for any other name, listing the known ones.
    """
    if isinstance(name, Layout):
        return name
    layout = LAYOUTS.get(name.strip().lower()) if isinstance(name, str) else None
    if layout is None:
        msg = f"unknown layout {name!r}; known layouts: {', '.join(LAYOUTS)}"
        raise InvalidArgumentError(msg, argument="layout", value=name)
    return layout
