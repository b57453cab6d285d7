"""Kep: one KEP on disk - open it, change it, check it, persist it atomically.

Reading uses the fast safe loader; the ruamel round-trip document is built only when a
changed KEP is written, so opening thousands of KEPs stays cheap while an edit keeps
every comment, unknown key and the key order of ``metadata.yaml``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import attrs
from ruamel.yaml.comments import CommentedMap

from keps._files import FileTransaction, read_text
from keps._yaml import dump_roundtrip, load_fast, load_roundtrip, update_document
from keps.errors import (
    CheckFailedError,
    InvalidContentError,
    KepExistsError,
    KepNotFoundError,
    PathOutsideError,
    TransitionError,
)
from keps.keps.check import (
    METADATA_FILE,
    Check,
    checks_for,
    context_for,
    run_checks,
    section_is_outside,
)
from keps.keps.metadata import KEY_ORDER, Event, Exemption, Metadata, unique
from keps.keps.path import content_root_of, locate
from keps.keps.sections import README, filename_for, render_readme, sort_sections, spec_for
from keps.keps.skeleton import stage_skeleton
from keps.keps.states import State, can_transition, parse_state
from keps.problems import Problem, errors_only
from keps.sigs import SigRegistry, registry_for

__all__ = ["Kep", "new", "open", "title_from_name"]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def title_from_name(name: str) -> str:
    """A title from a KEP's directory name.

    >>> title_from_name("dynamic-kubelet-config")
    'Dynamic Kubelet Config'
    """
    words = name.replace("_", "-").split("-")
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


class Kep:
    """One KEP: its folder, its metadata, and the section files it lists.

    Create one with :meth:`open` (or :func:`keps.open`) or :meth:`new`. Changes stay
    in memory until :meth:`persist`, which writes them all at once or not at all.
    """

    def __init__(
        self,
        *,
        path: Path,
        content_root: Path,
        registry: SigRegistry,
        metadata: Metadata,
        original_text: str | None = None,
        raw_sections: Iterable[str] | None = None,
    ) -> None:
        self._path = path
        self._content_root = content_root
        self._registry = registry
        self._metadata = metadata
        self._original_text = original_text
        self._saved = None if original_text is None else metadata.to_mapping()
        self._raw_sections = tuple(raw_sections) if raw_sections is not None else metadata.sections
        self._pending: dict[str, str] = {}
        self._checks: list[Check] = []

    # -- construction --

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        registry: SigRegistry | None = None,
        content_root: Path | None = None,
    ) -> Kep:
        """Open the KEP in folder *path* (or the path of its ``metadata.yaml``).

        The content root is found from *path* unless given; the SIG registry in force
        is *registry*, else the content root's ``sigs.yaml``, else the packaged one.

        Raises:
            KepNotFoundError: no KEP folder or no metadata.yaml there.
            InvalidContentError: the metadata is empty, not YAML, or has bad fields;
                every problem is listed, each naming the file.
        """
        kep_dir = Path(path)
        if kep_dir.name == METADATA_FILE:
            kep_dir = kep_dir.parent
        kep_dir = kep_dir.absolute()
        if not kep_dir.is_dir():
            msg = f"no KEP folder at {kep_dir}"
            raise KepNotFoundError(msg, path=kep_dir)
        metadata_file = kep_dir / METADATA_FILE
        if not metadata_file.is_file():
            msg = f"{kep_dir} holds no {METADATA_FILE}: it is not a KEP"
            raise KepNotFoundError(msg, path=metadata_file)
        text = read_text(metadata_file)
        loaded = load_fast(text, path=metadata_file)
        metadata = Metadata.from_mapping(loaded.data, path=str(metadata_file), lines=loaded.lines)
        raw = loaded.data.get("sections") if isinstance(loaded.data, dict) else None
        raw_sections = (
            [s.strip() for s in raw if isinstance(s, str)] if isinstance(raw, list) else None
        )
        root = content_root.absolute() if content_root is not None else content_root_of(kep_dir)
        return cls(
            path=kep_dir,
            content_root=root,
            registry=registry_for(root, registry),
            metadata=metadata,
            original_text=text,
            raw_sections=raw_sections,
        )

    @classmethod
    def new(
        cls,
        target: str | Path,
        *,
        content_root: Path,
        authors: Iterable[str],
        title: str | None = None,
        registry: SigRegistry | None = None,
        now: dt.datetime | None = None,
    ) -> Kep:
        """A new draft KEP at *target* (see :mod:`keps.keps.path`), not yet written.

        The title defaults to the last part of the target: ``dynamic-kubelet-config``
        becomes "Dynamic Kubelet Config". :meth:`persist` creates the folder skeleton.

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
            now=now or _utcnow(),
            kubernetes_wide=routing.kubernetes_wide,
            sig_wide=routing.sig_wide,
            affected_subprojects=(routing.subproject,) if routing.subproject else (),
            sections=(README.filename,),
        )
        return cls(path=kep_dir, content_root=root, registry=registry, metadata=metadata)

    # -- what it is --

    @property
    def path(self) -> Path:
        """The KEP's folder."""
        return self._path

    @property
    def content_root(self) -> Path:
        """The content root the KEP belongs to."""
        return self._content_root

    @property
    def registry(self) -> SigRegistry:
        """The SIG registry in force for this KEP."""
        return self._registry

    @property
    def metadata(self) -> Metadata:
        """The current metadata (immutable; change it through the methods below)."""
        return self._metadata

    @property
    def is_new(self) -> bool:
        """True until a new KEP has been persisted for the first time."""
        return self._original_text is None

    def __repr__(self) -> str:
        return f"<Kep {self.title!r} {self.state} at {self._path}>"

    # -- metadata fields --

    @property
    def authors(self) -> tuple[str, ...]:
        """People who wrote the KEP, in the order they were added."""
        return self._metadata.authors

    @property
    def title(self) -> str:
        """The KEP's title."""
        return self._metadata.title

    @property
    def kep_number(self) -> int | None:
        """The number given on approval, or None."""
        return self._metadata.kep_number

    @property
    def reviewers(self) -> tuple[str, ...]:
        """Reviewers in the order they were added."""
        return self._metadata.reviewers

    @property
    def approvers(self) -> tuple[str, ...]:
        """Approvers in the order they were added."""
        return self._metadata.approvers

    @property
    def editors(self) -> tuple[str, ...]:
        """Editors in the order they were added."""
        return self._metadata.editors

    @property
    def state(self) -> State | None:
        """The KEP's state in the process."""
        return self._metadata.state

    @property
    def replaces(self) -> tuple[str, ...]:
        """KEPs this one replaces."""
        return self._metadata.replaces

    @property
    def superseded_by(self) -> tuple[str, ...]:
        """KEPs that replace this one."""
        return self._metadata.superseded_by

    @property
    def development_themes(self) -> tuple[str, ...]:
        """Development themes the KEP serves."""
        return self._metadata.development_themes

    @property
    def last_updated(self) -> dt.datetime | None:
        """When the KEP last changed (UTC)."""
        return self._metadata.last_updated

    @property
    def created(self) -> dt.datetime | None:
        """When the KEP was created (UTC)."""
        return self._metadata.created

    @property
    def uuid(self) -> str:
        """The KEP's unique id."""
        return self._metadata.uuid

    @property
    def sections(self) -> tuple[str, ...]:
        """Section files relative to the KEP folder, in section order."""
        return self._metadata.sections

    @property
    def owning_sig(self) -> str:
        """The SIG that owns the KEP."""
        return self._metadata.owning_sig

    @property
    def affected_subprojects(self) -> tuple[str, ...]:
        """Subprojects of the owning SIG the KEP affects."""
        return self._metadata.affected_subprojects

    @property
    def participating_sigs(self) -> tuple[str, ...]:
        """Other SIGs taking part."""
        return self._metadata.participating_sigs

    @property
    def kubernetes_wide(self) -> bool:
        """True for a project-wide KEP."""
        return self._metadata.kubernetes_wide

    @property
    def sig_wide(self) -> bool:
        """True for a KEP that concerns its whole SIG."""
        return self._metadata.sig_wide

    @property
    def events(self) -> tuple[Event, ...]:
        """What happened to the KEP, oldest first."""
        return self._metadata.events

    @property
    def associated_prs(self) -> tuple[str, ...]:
        """Pull requests that carried the KEP's changes."""
        return self._metadata.associated_prs

    @property
    def exemptions(self) -> tuple[Exemption, ...]:
        """Checks waived for this KEP, each with its reason."""
        return self._metadata.exemptions

    # -- changes (in memory until persist) --

    def update(self, **fields: Any) -> None:
        """Change metadata fields by name, e.g. ``kep.update(title="Better Title")``.

        Raises:
            InvalidContentError: for an unknown field name.
        """
        known = attrs.fields_dict(Metadata)
        unknown = sorted(set(fields) - set(known))
        if unknown:
            msg = f"unknown metadata field(s): {', '.join(unknown)}"
            raise InvalidContentError(msg, path=self._path / METADATA_FILE)
        self._metadata = attrs.evolve(self._metadata, **fields)

    def set_state(self, state: State | str) -> None:
        """Move the KEP to *state*, if the process allows it from the current state.

        Raises:
            TransitionError: the move is not in the transition table.
        """
        try:
            target = parse_state(state)
        except ValueError as exc:
            raise TransitionError(str(exc), path=self._path) from exc
        current = self._metadata.state
        if current == target:
            return
        if current is not None and not can_transition(current, target):
            msg = f"a {current} KEP cannot become {target} ({self._path})"
            raise TransitionError(msg, path=self._path)
        self._metadata = attrs.evolve(self._metadata, state=target)

    def add_approvers(self, *handles: str) -> None:
        """Add approvers after the existing ones; a handle already there is kept once."""
        self._metadata = attrs.evolve(
            self._metadata, approvers=(*self._metadata.approvers, *_handles(handles))
        )

    def add_reviewers(self, *handles: str) -> None:
        """Add reviewers after the existing ones; a handle already there is kept once."""
        self._metadata = attrs.evolve(
            self._metadata, reviewers=(*self._metadata.reviewers, *_handles(handles))
        )

    def add_event(
        self, event_type: str, principal: str, *, now: dt.datetime | None = None, notes: str = ""
    ) -> None:
        """Record that *principal* did *event_type* (a lifecycle step) at *now*."""
        event = Event(
            principal=principal, date=now or _utcnow(), event_type=event_type, notes=notes
        )
        self._metadata = attrs.evolve(self._metadata, events=(*self._metadata.events, event))

    def add_checks(self, *checks: Check) -> None:
        """Run *checks* too, on top of the ones the KEP's state calls for."""
        self._checks.extend(checks)

    def set_section(self, section: str, text: str) -> str:
        """Set the text of a section (a known name, a user-defined name, or a file name).

        The section is listed in the metadata; the file is written on persist.
        Returns the section's file name.

        Raises:
            PathOutsideError: the file name would leave the KEP folder.
        """
        filename = self._filename(section)
        if section_is_outside(self._path, filename):
            msg = f"section path {filename!r} leaves the KEP folder {self._path}"
            raise PathOutsideError(msg, path=self._path / METADATA_FILE)
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
        if section_is_outside(self._path, filename):
            msg = f"section path {filename!r} leaves the KEP folder {self._path}"
            raise PathOutsideError(msg, path=self._path / METADATA_FILE)
        return read_text(self._path / filename)

    def _filename(self, section: str) -> str:
        """The file of *section*: a listed path or anything path-like as is, a name mapped."""
        listed = section in self._metadata.sections or section in self._pending
        if listed or "/" in section or "\\" in section or section.endswith(".md"):
            return section
        return filename_for(section)

    # -- checking and saving --

    def problems(self, *, now: dt.datetime | None = None) -> tuple[Problem, ...]:
        """Every problem the KEP's checks find, exempted ones marked; never raises for them."""
        raw = self._raw_sections if unique(self._raw_sections) == self._metadata.sections else None
        ctx = context_for(
            self._metadata,
            registry=self._registry,
            now=now or _utcnow(),
            kep_dir=self._path,
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
        return run_checks(ctx, (*checks_for(self._metadata.state), *self._checks))

    def check(self, *, now: dt.datetime | None = None) -> tuple[Problem, ...]:
        """Run the checks; return every problem (exempted ones included, marked) if none blocks.

        Raises:
            CheckFailedError: carrying every problem found, when any is a blocking error.
        """
        problems = self.problems(now=now)
        blocking = errors_only(problems)
        if blocking:
            count = len(blocking)
            name = self.title or self._path.name
            msg = f"KEP {name!r} fails {count} check{'s' if count > 1 else ''}"
            raise CheckFailedError(msg, path=self._path / METADATA_FILE, problems=problems)
        return problems

    def has_changes(self) -> bool:
        """True when persist would write something."""
        return self.is_new or bool(self._pending) or self._metadata.to_mapping() != self._saved

    def stage(
        self, transaction: FileTransaction, *, now: dt.datetime | None = None, check: bool = True
    ) -> bool:
        """Stage this KEP's writes in *transaction*; False (nothing staged) if nothing changed.

        Use this to write a KEP together with other files (the index) in one atomic
        step; reopen the KEP after committing. :meth:`persist` is stage plus commit.
        """
        if not self.has_changes():
            return False
        now = now or _utcnow()
        sections = sort_sections((*self._metadata.sections, README.filename))
        self._metadata = attrs.evolve(self._metadata, sections=sections, last_updated=now)
        if check:
            self.check(now=now)
        if self.is_new:
            stage_skeleton(self._path, transaction)
        for filename, text in self._pending.items():
            transaction.write_text(self._path / PurePosixPath(filename), text)
        transaction.write_text(self._path / METADATA_FILE, self._metadata_text())
        transaction.write_text(self._path / README.filename, self.render_readme())
        return True

    def persist(self, *, now: dt.datetime | None = None, check: bool = True) -> bool:
        """Write every change at once: sections, metadata.yaml, the regenerated README.

        Nothing is written when nothing changed (returns False); otherwise
        ``last_updated`` becomes *now*. With *check* (the default) a KEP that fails its
        checks is not written. A failed write leaves every file as it was.
        """
        transaction = FileTransaction()
        if not self.stage(transaction, now=now, check=check):
            return False
        transaction.commit()
        self._original_text = self._metadata_text()
        self._saved = self._metadata.to_mapping()
        self._pending.clear()
        self._raw_sections = self._metadata.sections
        return True

    def render_readme(self) -> str:
        """The README this KEP's metadata generates."""
        sig = self._metadata.owning_sig
        name = self._registry.display_name(sig) if sig and self._registry.exists(sig) else sig
        return render_readme(self._metadata, sig_name=name)

    def _metadata_text(self) -> str:
        new = self._metadata.to_mapping()
        if self._original_text is None or self._saved is None:
            document = CommentedMap()
            update_document(document, {}, new, KEY_ORDER)
            return dump_roundtrip(document, like="")
        path = self._path / METADATA_FILE
        document = load_roundtrip(self._original_text, path=path)
        if not hasattr(document, "insert"):
            msg = f"{path} must hold a YAML mapping"
            raise InvalidContentError(msg, path=path)
        update_document(document, self._saved, new, KEY_ORDER)
        return dump_roundtrip(document, like=self._original_text)


def _handles(handles: Iterable[str]) -> tuple[str, ...]:
    return unique(h.strip() for h in handles if h and h.strip())


def open(
    path: str | Path, *, registry: SigRegistry | None = None, content_root: Path | None = None
) -> Kep:
    """Open the KEP at *path*; see :meth:`Kep.open`."""
    return Kep.open(path, registry=registry, content_root=content_root)


def new(
    target: str | Path,
    *,
    content_root: Path,
    authors: Iterable[str],
    title: str | None = None,
    registry: SigRegistry | None = None,
    now: dt.datetime | None = None,
) -> Kep:
    """A new draft KEP; see :meth:`Kep.new`."""
    return Kep.new(
        target, content_root=content_root, authors=authors, title=title, registry=registry, now=now
    )
