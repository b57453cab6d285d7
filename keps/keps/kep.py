"""Kep: one KEP on disk - open it, change it, check it, persist it atomically.

A KEP is laid out either as the seed wrote it (``metadata.yaml`` and section files) or
as kubernetes/enhancements does today (``kep.yaml`` and one README.md); the
:mod:`~keps.keps.layouts` object of the KEP reads and writes its metadata file, and the
model is the same for both. Reading uses a fast C-backed loader; a write edits only the
keys whose values changed, so opening thousands of KEPs stays cheap while an edit keeps
every comment, unknown key and the key order of the metadata file.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from keps._files import FileTransaction, decode_text, read_bytes, read_text
from keps.errors import (
    CheckFailedError,
    InvalidArgumentError,
    InvalidContentError,
    KepExistsError,
    KepNotFoundError,
    PathOutsideError,
    TransitionError,
)
from keps.keps.check import (
    METADATA_FILE,
    Check,
    CheckContext,
    checks_for,
    context_for,
    people_are_named,
    run_checks,
    section_is_outside,
)
from keps.keps.layouts import (
    ENHANCEMENTS,
    LAYOUTS,
    METADATA_FILES,
    SEED,
    Layout,
    Loaded,
)
from keps.keps.layouts import readme as readme_parts
from keps.keps.layouts.enhancements import keps_dir_of, prr_file, prr_mapping, read_prr
from keps.keps.metadata import Event, Exemption, FeatureGate, Metadata, PrrApproval, unique
from keps.keps.path import locate, text_fault
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
        layout: Layout = SEED,
        loaded: Loaded | None = None,
    ) -> None:
        self._path = path
        self._content_root = content_root
        self._registry = registry
        self._metadata = metadata
        self._layout = layout
        self._loaded = loaded
        self._original_text = original_text
        # the metadata as last read or written; its mapping is computed only when a
        # change is about to be written (most opened KEPs are only read)
        self._saved_metadata: Metadata | None = None if original_text is None else metadata
        self._saved_approvals = metadata.prr_approvals
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
        """Open the KEP in folder *path* (or the path of its metadata file), in either layout.

        A folder with ``metadata.yaml`` is a seed KEP, one with ``kep.yaml`` a KEP as
        kubernetes/enhancements lays it out. The content root is found from *path*
        unless given; the SIG registry in force is *registry*, else a ``sigs.yaml`` at
        the content root (for today's layout also in its ``keps/`` folder), else the
        packaged one.

        Raises:
            KepNotFoundError: no KEP folder or no metadata file there.
            InvalidContentError: the metadata file is not YAML; for a seed KEP also an
                empty file or bad fields (every problem listed, each naming the file).
                A kep.yaml with bad values opens, its problems in :attr:`load_problems`.
        """
        # Path(path).absolute(), as given (not normalised: callers compare prefixes), built
        # with one Path and at most one getcwd shared with the content root
        cwd: str | None = None
        kep_dir = path if type(path) is _PATH else Path(path)
        if not kep_dir.is_absolute():
            cwd = os.getcwd()  # noqa: PTH109 - a string, to share with the content root
            kep_dir = Path(cwd, kep_dir)
        if kep_dir.name in METADATA_FILES and not kep_dir.is_dir():
            kep_dir = kep_dir.parent
        # try each layout's file directly: one open instead of is_dir + is_file stats
        folder = str(kep_dir)
        for layout in LAYOUTS.values():
            text = _read_metadata_file(folder, kep_dir, layout.metadata_file)
            if text is not None:
                break
        else:
            if not kep_dir.is_dir():
                msg = f"no KEP folder at {kep_dir}"
                raise KepNotFoundError(msg, path=kep_dir)
            msg = f"{kep_dir} holds no {METADATA_FILE} or kep.yaml: it is not a KEP"
            raise KepNotFoundError(msg, path=kep_dir / METADATA_FILE)
        loaded = layout.read(kep_dir, text)
        raw = loaded.raw.get("sections") if loaded.raw is not None else None
        raw_sections = (
            [s.strip() for s in raw if isinstance(s, str)] if isinstance(raw, list) else None
        )
        if content_root is not None:
            root = content_root
            if not root.is_absolute():  # content_root.absolute(), reusing the getcwd above
                root = _absolute(cwd or os.getcwd(), str(root))  # noqa: PTH109
        else:
            root = layout.content_root_of(kep_dir)
        return cls(
            path=kep_dir,
            content_root=root,
            registry=_registry(layout, kep_dir, root, registry),
            metadata=loaded.metadata,
            original_text=text,
            raw_sections=raw_sections if layout is SEED else (),
            layout=layout,
            loaded=loaded,
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
    def layout(self) -> Layout:
        """How the KEP lies on disk: :data:`~keps.keps.layouts.SEED` or ``ENHANCEMENTS``."""
        return self._layout

    @property
    def metadata_path(self) -> Path:
        """The KEP's metadata file (``metadata.yaml`` or ``kep.yaml``)."""
        return self._path / self._layout.metadata_file

    @property
    def load_problems(self) -> tuple[Problem, ...]:
        """What the lenient loader found wrong in the metadata file (never raised)."""
        return () if self._loaded is None else self._loaded.problems

    @property
    def raw(self) -> dict[str, Any]:
        """The metadata file's data as read (empty for a new KEP); unknown keys included."""
        if self._loaded is None or self._loaded.raw is None:
            return {}
        return dict(self._loaded.raw)

    @property
    def lines(self) -> dict[str, int]:
        """The 1-based line of each field in the metadata file, by field path."""
        return {} if self._loaded is None else dict(self._loaded.lines)

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

    @property
    def latest_milestone(self) -> str:
        """The latest release the KEP was worked on in (``v1.30``), as written."""
        return self._metadata.latest_milestone

    @property
    def milestone(self) -> tuple[tuple[str, str], ...]:
        """(stage, milestone) pairs: the release of each stage, as written."""
        return self._metadata.milestone

    @property
    def feature_gates(self) -> tuple[FeatureGate, ...]:
        """The feature gates the KEP adds, with their components."""
        return self._metadata.feature_gates

    @property
    def see_also(self) -> tuple[str, ...]:
        """Related KEPs."""
        return self._metadata.see_also

    @property
    def prr_approvals(self) -> tuple[PrrApproval, ...]:
        """Production readiness approvals, one per stage."""
        return self._metadata.prr_approvals

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
            raise InvalidContentError(msg, path=self.metadata_path)
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
        """Add approvers after the existing ones; a handle already there is kept once.

        Raises:
            InvalidArgumentError: a handle is empty (nothing is added).
        """
        added = _handles("approvers", handles)
        self._metadata = attrs.evolve(self._metadata, approvers=(*self._metadata.approvers, *added))

    def add_reviewers(self, *handles: str) -> None:
        """Add reviewers after the existing ones; a handle already there is kept once.

        Raises:
            InvalidArgumentError: a handle is empty (nothing is added).
        """
        added = _handles("reviewers", handles)
        self._metadata = attrs.evolve(self._metadata, reviewers=(*self._metadata.reviewers, *added))

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

        For a KEP in today's layout, *section* is a ``## `` heading of README.md; its
        body is replaced (or the section appended) on persist, and "README.md" is
        returned.

        Raises:
            PathOutsideError: the file name would leave the KEP folder.
        """
        if not self._layout.readme_generated:
            self._pending[README.filename] = readme_parts.replace_body(
                self._readme_text(), section, text
            )
            return README.filename
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
        if not self._layout.readme_generated:
            part = readme_parts.find(readme_parts.split(self._readme_text()), section)
            if part is None:
                msg = f"{self.title or self._path} has no section {section!r} in README.md"
                raise KepNotFoundError(msg, path=self._path / README.filename)
            return part.body
        filename = self._filename(section)
        if filename in self._pending:
            return self._pending[filename]
        if filename not in self._metadata.sections:
            msg = f"{self.title or self._path} has no section {filename}"
            raise KepNotFoundError(msg, path=self._path / filename)
        self._refuse_unusable(filename)
        return read_text(self._path / filename)

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

    def section_names(self) -> tuple[str, ...]:
        """The names of the KEP's sections, in order (headings of README.md, or file names)."""
        if not self._layout.readme_generated:
            return tuple(p.name for p in readme_parts.split(self._readme_text()) if p.heading)
        return tuple(f for f in self._metadata.sections if f != README.filename)

    def readme_text(self) -> str:
        """The README.md text: the KEP's text in today's layout, generated in the seed's."""
        if self._layout.readme_generated:
            return self.render_readme()
        return self._readme_text()

    def _readme_text(self) -> str:
        if README.filename in self._pending:
            return self._pending[README.filename]
        try:
            return read_text(self._path / README.filename)
        except KepNotFoundError:
            return ""

    def _filename(self, section: str) -> str:
        """The file of *section*: a listed path or anything path-like as is, a name mapped."""
        listed = section in self._metadata.sections or section in self._pending
        if listed or "/" in section or "\\" in section or section.endswith(".md"):
            return section
        try:
            return filename_for(section)
        except ValueError as exc:
            raise InvalidContentError(
                str(exc), path=self._path / self._layout.metadata_file
            ) from exc

    # -- checking and saving --

    def problems(self, *, now: dt.datetime | None = None) -> tuple[Problem, ...]:
        """Every problem the KEP's checks find, exempted ones marked; never raises for them.

        A KEP in today's layout is checked for what strict parsing refuses (unknown
        keys, wrong types, required keys missing); :mod:`keps.validate` runs the rest.
        """
        return self._problems_and_context(now=now)[0]

    def _problems_and_context(
        self, *, now: dt.datetime | None = None
    ) -> tuple[tuple[Problem, ...], CheckContext]:
        """:meth:`problems`, and the context the checks saw (the index keeps its file stats)."""
        if not self._layout.readme_generated:
            ctx = context_for(self._metadata, registry=self._registry, now=now or _utcnow())
            loaded = self._loaded or Loaded(self._metadata, None)
            own = self._layout.structural_problems(loaded, self.metadata_path)
            return own + run_checks(ctx, (people_are_named, *self._checks)), ctx
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
        return run_checks(ctx, (*checks_for(self._metadata.state), *self._checks)), ctx

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
            raise CheckFailedError(msg, path=self.metadata_path, problems=problems)
        return problems

    @property
    def _saved(self) -> dict[str, Any] | None:
        """The mapping of the metadata as last read or written (None for a new KEP)."""
        if self._saved_metadata is None:
            return None
        return self._layout.to_mapping(self._saved_metadata)

    def _metadata_changed(self) -> bool:
        if self._metadata is self._saved_metadata:
            return False
        return self._layout.to_mapping(self._metadata) != self._saved

    def has_changes(self) -> bool:
        """True when persist would write something."""
        return (
            self.is_new
            or bool(self._pending)
            or self._metadata_changed()
            or self._metadata.prr_approvals != self._saved_approvals
        )

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
        if not self._layout.readme_generated:
            return self._stage_text_kep(transaction, now=now, check=check)
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

    def _stage_text_kep(
        self, transaction: FileTransaction, *, now: dt.datetime, check: bool
    ) -> bool:
        """Stage the writes of a KEP in today's layout: kep.yaml, README.md, the PRR file.

        ``last-updated`` is the authors' to keep and is not touched; README.md is the
        text and is written only when a section changed.
        """
        if check:
            self.check(now=now)
        if self.is_new or self._metadata_changed():
            transaction.write_text(self.metadata_path, self._metadata_text())
        for filename, text in self._pending.items():
            transaction.write_text(self._path / PurePosixPath(filename), text)
        if self._metadata.prr_approvals != self._saved_approvals:
            self._stage_prr(transaction)
        return True

    def _stage_prr(self, transaction: FileTransaction) -> None:
        """Write the PRR approval file, editing only the stages that changed."""
        keps_dir = keps_dir_of(self._path)
        number = self._metadata.kep_number
        if keps_dir is None or number is None or not self._metadata.owning_sig:
            msg = "PRR approvals need a KEP number, an owning SIG and a keps/ folder"
            raise InvalidContentError(msg, path=self.metadata_path)
        path = prr_file(keps_dir, self._metadata.owning_sig, number)
        new = prr_mapping(number, self._metadata.prr_approvals)
        if path.is_file():
            _, data, _ = read_prr(path)
            old = dict(data) if data is not None else {}
            original: str | None = read_text(path)
        else:
            old, original = {}, None
        if "kep-number" in old:
            new["kep-number"] = old["kep-number"]  # keep "1234" quoted if it was
        transaction.write_text(path, ENHANCEMENTS.edit(original, old, new))

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
        self._saved_metadata = self._metadata
        self._saved_approvals = self._metadata.prr_approvals
        self._pending.clear()
        self._raw_sections = self._metadata.sections
        return True

    def render_readme(self) -> str:
        """The README this KEP's metadata generates."""
        sig = self._metadata.owning_sig
        name = self._registry.display_name(sig) if sig and self._registry.exists(sig) else sig
        return render_readme(self._metadata, sig_name=name)

    def _metadata_text(self) -> str:
        """The metadata file's new text: the layout's edit of the changed keys only."""
        new = self._layout.to_mapping(self._metadata)
        if self._original_text is None or self._saved is None:
            return self._layout.edit(None, {}, new)
        return self._layout.edit(self._original_text, self._saved, new)


#: The concrete class Path() makes here (PosixPath or WindowsPath): a path of exactly this
#: type is used as is, anything else goes through Path() as before.
_PATH = type(Path())


@functools.lru_cache(maxsize=8)
def _absolute(cwd: str, path: str) -> Path:
    """Relative *path* made absolute in *cwd*: ``Path(path).absolute()`` while *cwd* is current.

    Remembered (keyed by the exact text), as a tree's KEPs are opened with one content
    root; a Path is immutable, so one object can serve them all.
    """
    return Path(cwd, path)


def _read_metadata_file(folder: str, kep_dir: Path, name: str) -> str | None:
    """The text of metadata file *name* in the KEP folder *folder*; None when it is not there.

    Anything else unusual (too large, not UTF-8, not a regular file, unreadable) raises
    the KepError of :func:`keps._files.read_bytes` naming the file.
    """
    path = f"{folder}/{name}"
    try:
        data = read_bytes(path)
    except KepNotFoundError:
        return None
    return decode_text(data, kep_dir / name)


def _registry(
    layout: Layout, kep_dir: Path, root: Path, registry: SigRegistry | None
) -> SigRegistry:
    """The SIG list in force; for today's layout a sigs.yaml at the root or in keps/."""
    if registry is not None or layout is SEED:
        return registry_for(root, registry)
    for folder in (root, keps_dir_of(kep_dir)):
        if folder is not None and (folder / "sigs.yaml").is_file():
            return registry_for(folder)
    return registry_for(None)


def _handles(field: str, handles: Iterable[str]) -> tuple[str, ...]:
    """*handles* stripped, each once.

    Raises:
        InvalidArgumentError: a handle is not text, or empty: it would count as a person.
    """
    out = []
    for handle in handles:
        if not isinstance(handle, str) or not handle.strip():
            msg = f"{field}: a GitHub handle such as 'jdoe' is needed, got {handle!r}"
            raise InvalidArgumentError(msg, argument="handles", value=handle)
        out.append(handle.strip())
    return unique(out)


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
