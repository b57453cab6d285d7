"""The seed layout (2018): ``metadata.yaml`` with snake_case keys, one file per section.

::

    <content root>/<sig>/<sig-wide|subproject>/<kep>/metadata.yaml   the metadata
    <kep>/summary.md, motivation.md, guides/*.md, ...                one file per section
    <kep>/README.md                                                  generated from both

Reading is strict, as it always was: bad metadata raises InvalidContentError listing
every problem. Writing is a ruamel round-trip edit of the changed keys only. A change
writes the changed section files, ``metadata.yaml`` (sections listed, ``last_updated``
set) and the regenerated README.md; a new KEP gets the folder skeleton too.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from keps._files import FileTransaction, read_text
from keps._names import METADATA_FILE
from keps._yaml import dump_roundtrip, load_fast, load_roundtrip, update_document
from keps.errors import InvalidContentError, KepExistsError, KepNotFoundError, PathOutsideError
from keps.keps.check import CheckContext, checks_for, context_for, run_checks, section_is_outside
from keps.keps.kep import Kep, title_from_name
from keps.keps.layouts._seedyaml import (
    ALL_KEYS,
    KEY_ORDER,
    metadata_from_mapping,
    metadata_to_mapping,
)
from keps.keps.layouts.base import Layout, Loaded
from keps.keps.metadata import Metadata, unique
from keps.keps.path import content_root_of, locate, text_fault
from keps.keps.sections import README, filename_for, render_readme, sort_sections, spec_for
from keps.keps.skeleton import stage_skeleton
from keps.problems import Problem
from keps.sigs import SigRegistry, registry_for

__all__ = [
    "ALL_KEYS",
    "KEY_ORDER",
    "SEED",
    "SeedKep",
    "SeedLayout",
    "metadata_from_mapping",
    "metadata_to_mapping",
]


class SeedLayout(Layout):
    """``<kep>/metadata.yaml`` plus section files; README.md generated from the metadata."""

    name = "seed"
    metadata_file = METADATA_FILE
    key_order = ALL_KEYS

    def read(self, kep_dir: Path, text: str) -> Loaded:
        """The metadata in *text*; InvalidContentError for any bad field (every one listed)."""
        path = os.path.join(kep_dir, METADATA_FILE)  # noqa: PTH118 - a string: no Path per KEP
        loaded = load_fast(text, path=path)
        metadata = metadata_from_mapping(loaded.data, path=path, lines=loaded.lines)
        raw = loaded.data if isinstance(loaded.data, Mapping) else None
        return Loaded(metadata, raw, (), loaded.lines)

    def to_mapping(self, metadata: Metadata) -> dict[str, Any]:
        """The seed's keys in the seed's order, empty fields left out."""
        return metadata_to_mapping(metadata)

    def edit(
        self,
        original: str | None,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        *,
        path: str | Path = METADATA_FILE,
    ) -> str:
        """A ruamel round-trip edit of *original* (comments, order, unknown keys kept)."""
        if original is None:
            from ruamel.yaml.comments import CommentedMap

            document = CommentedMap()
            update_document(document, {}, new, ALL_KEYS)
            return dump_roundtrip(document, like="", path=path)
        document = load_roundtrip(original, path=path)
        if not hasattr(document, "insert"):
            msg = f"{path} must hold a YAML mapping"
            raise InvalidContentError(msg, path=Path(path))
        update_document(document, old, new, ALL_KEYS)
        return dump_roundtrip(document, like=original, path=path)

    def content_root_of(self, kep_dir: Path) -> Path:
        """The nearest ancestor with keps.yaml or sigs.yaml, else what the place implies."""
        return content_root_of(kep_dir)


SEED = SeedLayout()


class SeedKep(Kep):
    """A KEP in the seed layout: sections are files listed in ``metadata.yaml``."""

    layout = SEED

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        loaded: Loaded | None = kwargs.get("loaded")
        raw = loaded.raw.get("sections") if loaded is not None and loaded.raw is not None else None
        # the sections as written, duplicates included (the checks report those)
        self._raw_sections: tuple[str, ...] = (
            tuple(s.strip() for s in raw if isinstance(s, str))
            if isinstance(raw, list)
            else self._metadata.sections
        )

    @classmethod
    def create(
        cls,
        target: str | Path,
        *,
        content_root: Path,
        authors: Iterable[str],
        title: str | None,
        registry: SigRegistry | None,
        now: dt.datetime,
    ) -> SeedKep:
        """A new draft KEP at *target* (see :meth:`Kep.new`), not yet written.

        Raises:
            KepExistsError: a KEP already lives there.
        """
        root = Path(content_root).absolute()
        registry = registry_for(root, registry)
        kep_dir, routing = locate(target, root, registry)
        if (kep_dir / METADATA_FILE).exists():
            msg = f"a KEP already exists at {kep_dir}"
            raise KepExistsError(msg, path=kep_dir)
        metadata = Metadata.new(
            title=title or title_from_name(routing.kep_name),
            authors=authors,
            owning_sig=routing.owning_sig,
            now=now,
            kubernetes_wide=routing.kubernetes_wide,
            sig_wide=routing.sig_wide,
            affected_subprojects=(routing.subproject,) if routing.subproject else (),
            sections=(README.filename,),
        )
        return cls(path=kep_dir, content_root=root, registry=registry, metadata=metadata)

    # -- sections: one file each --

    def set_section(self, section: str, text: str) -> str:
        """Set the text of a section (a known name, a user-defined name, or a file name).

        The section is listed in the metadata; the file is written on persist. Returns
        the section's file name.

        Raises:
            PathOutsideError: the file name would leave the KEP folder.
            InvalidContentError: the name is README.md (generated), or no file can have it.
        """
        filename = self._filename(section)
        self._refuse_unusable(filename)
        if spec_for(filename) is README:
            msg = "README.md is generated from the metadata and cannot be set"
            raise InvalidContentError(msg, path=self._path / filename)
        self._pending[filename] = text
        self._metadata = attrs.evolve(
            self._metadata, sections=sort_sections((*self._metadata.sections, filename))
        )
        return filename

    def section_text(self, section: str) -> str:
        """The text of a listed section (by name or file name), including unsaved changes.

        Raises:
            PathOutsideError: the listed path leaves the KEP folder.
            KepNotFoundError: the section is not listed or its file is missing.
        """
        filename = self._filename(section)
        if filename in self._pending:
            return self._pending[filename]
        if filename not in self._metadata.sections:
            msg = f"{self.title or self._path} has no section {filename}"
            raise KepNotFoundError(msg, path=self._path / filename)
        self._refuse_unusable(filename)
        return read_text(self._path / filename)

    def section_names(self) -> tuple[str, ...]:
        """The section files, in section order (README.md, which is generated, left out)."""
        return tuple(f for f in self._metadata.sections if f != README.filename)

    def readme_text(self) -> str:
        """The README this KEP's metadata generates."""
        return self.render_readme()

    def render_readme(self) -> str:
        """The README this KEP's metadata generates."""
        sig = self._metadata.owning_sig
        name = self._registry.display_name(sig) if sig and self._registry.exists(sig) else sig
        return render_readme(self._metadata, sig_name=name)

    def _refuse_unusable(self, filename: str) -> None:
        """Raise unless *filename* names a file inside the KEP folder (see the checks).

        Raises:
            InvalidContentError: no file can have that name (a control character).
            PathOutsideError: the path leaves the KEP folder.
        """
        fault = text_fault(filename)
        if fault is not None:
            msg = f"section path {filename!r} names no file: {fault}"
            raise InvalidContentError(msg, path=self.metadata_path)
        if section_is_outside(self._path, filename):
            msg = f"section path {filename!r} leaves the KEP folder {self._path}"
            raise PathOutsideError(msg, path=self.metadata_path)

    def _filename(self, section: str) -> str:
        """The file of *section*: a listed path or anything path-like as is, a name mapped."""
        listed = section in self._metadata.sections or section in self._pending
        if listed or "/" in section or "\\" in section or section.endswith(".md"):
            return section
        try:
            return filename_for(section)
        except ValueError as exc:
            raise InvalidContentError(str(exc), path=self.metadata_path) from exc

    # -- checks: the table of checks for the KEP's state, on the files as they will be --

    def problems_and_context(
        self, *, now: dt.datetime | None = None
    ) -> tuple[tuple[Problem, ...], CheckContext]:
        """The checks of the KEP's state; files persist would write count as written."""
        raw = self._raw_sections if unique(self._raw_sections) == self._metadata.sections else None
        ctx = context_for(
            self._metadata,
            registry=self._registry,
            now=now or dt.datetime.now(dt.UTC),
            kep_dir=self._path,
            metadata_path=str(self.metadata_path),
            raw_sections=raw,
        )
        # files that persist is about to write count as present, with their new size
        overrides: dict[str, int | None] = {
            f: len(t.encode("utf-8")) for f, t in self._pending.items()
        }
        if self.has_changes():
            overrides[README.filename] = 1
        if overrides:
            ctx = attrs.evolve(ctx, section_sizes={**ctx.section_sizes, **overrides})
        return run_checks(ctx, (*checks_for(self._metadata.state), *self._checks)), ctx

    # -- writing: sections, metadata.yaml, the README, and the skeleton of a new KEP --

    def _stage_files(self, transaction: FileTransaction, *, now: dt.datetime, check: bool) -> None:
        """Stage the section files, metadata.yaml (``last_updated`` is *now*) and README.md."""
        sections = sort_sections((*self._metadata.sections, README.filename))
        self._metadata = attrs.evolve(self._metadata, sections=sections, last_updated=now)
        if check:
            self.check(now=now)
        if self.is_new:
            stage_skeleton(self._path, transaction)
        for filename, text in self._pending.items():
            transaction.write_text(self._path / PurePosixPath(filename), text)
        transaction.write_text(self.metadata_path, self._metadata_text())
        transaction.write_text(self._path / README.filename, self.render_readme())

    def _saved_changes(self) -> None:
        super()._saved_changes()
        self._raw_sections = self._metadata.sections


SeedLayout.kep_type = SeedKep
