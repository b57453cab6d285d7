"""The seed layout (2018): ``metadata.yaml`` with snake_case keys, one file per section.

Reading is strict, as it always was: bad metadata raises InvalidContentError listing
every problem. Writing is a ruamel round-trip edit of the changed keys only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from keps._yaml import dump_roundtrip, load_fast, load_roundtrip, update_document
from keps.errors import InvalidContentError
from keps.keps.check import METADATA_FILE
from keps.keps.layouts.base import Layout, Loaded
from keps.keps.metadata import ALL_KEYS, Metadata
from keps.keps.path import content_root_of

__all__ = ["SEED", "SeedLayout"]


class SeedLayout(Layout):
    """``<kep>/metadata.yaml`` plus section files; README.md generated from the metadata."""

    name = "seed"
    metadata_file = METADATA_FILE
    readme_generated = True
    key_order = ALL_KEYS

    def read(self, kep_dir: Path, text: str) -> Loaded:
        """The metadata in *text*; InvalidContentError for any bad field (every one listed)."""
        path = os.path.join(kep_dir, METADATA_FILE)  # noqa: PTH118 - a string: no Path per KEP
        loaded = load_fast(text, path=path)
        metadata = Metadata.from_mapping(loaded.data, path=path, lines=loaded.lines)
        raw = loaded.data if isinstance(loaded.data, Mapping) else None
        return Loaded(metadata, raw, (), loaded.lines)

    def to_mapping(self, metadata: Metadata) -> dict[str, Any]:
        """The seed's keys in the seed's order, empty fields left out."""
        return metadata.to_mapping()

    def edit(self, original: str | None, old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
        """A ruamel round-trip edit of *original* (comments, order, unknown keys kept)."""
        if original is None:
            from ruamel.yaml.comments import CommentedMap

            document = CommentedMap()
            update_document(document, {}, new, ALL_KEYS)
            return dump_roundtrip(document, like="")
        document = load_roundtrip(original, path=METADATA_FILE)
        if not hasattr(document, "insert"):
            msg = f"{METADATA_FILE} must hold a YAML mapping"
            raise InvalidContentError(msg, path=METADATA_FILE)
        update_document(document, old, new, ALL_KEYS)
        return dump_roundtrip(document, like=original)

    def content_root_of(self, kep_dir: Path) -> Path:
        """The nearest ancestor with keps.yaml or sigs.yaml, else what the place implies."""
        return content_root_of(kep_dir)


SEED = SeedLayout()
