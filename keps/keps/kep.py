"""Kep: one KEP on disk - open it, change it, check it, persist it atomically.

A KEP is laid out either as the seed wrote it (``metadata.yaml`` and section files) or
as kubernetes/enhancements does today (``kep.yaml`` and one README.md). This module
holds what every KEP has - the model's fields, changes, checks, the atomic persist -
and each layout owns the rest in a subclass: where sections live, which checks run,
which files a change writes (:class:`keps.keps.layouts.seed.SeedKep`,
:class:`keps.keps.layouts.enhancements.EnhancementsKep`). :meth:`Kep.open` hands back
the subclass of the layout it finds; nothing here asks which one it is.

Reading uses a fast C-backed loader; a write edits only the keys whose values changed,
so opening thousands of KEPs stays cheap while an edit keeps every comment, unknown key
and the key order of the metadata file.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from keps._files import FileTransaction, decode_text, read_bytes
from keps.errors import (
    CheckFailedError,
    InvalidArgumentError,
    InvalidContentError,
    KepNotFoundError,
    TransitionError,
)
from keps.keps.check import Check, CheckContext
from keps.keps.metadata import Event, Exemption, FeatureGate, Metadata, PrrApproval, unique
from keps.keps.states import State, can_transition, parse_state, with_article
from keps.problems import Problem, errors_only
from keps.sigs import SigRegistry

if TYPE_CHECKING:
    from keps.keps.layouts.base import Layout, Loaded

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
    """One KEP: its folder, its metadata, and its text.

    Create one with :meth:`open` (or :func:`keps.open`) or :meth:`new`; either gives the
    subclass of the KEP's layout. Changes stay in memory until :meth:`persist`, which
    writes them all at once or not at all.
    """

    #: How KEPs of this class lie on disk (each layout's subclass sets it).
    layout: ClassVar[Layout]

    def __init__(
        self,
        *,
        path: Path,
        content_root: Path,
        registry: SigRegistry,
        metadata: Metadata,
        original_text: str | None = None,
        loaded: Loaded | None = None,
    ) -> None:
        self._path = path
        self._content_root = content_root
        self._registry = registry
        self._metadata = metadata
        self._loaded = loaded
        self._original_text = original_text
        # the metadata as last read or written; its mapping is computed only when a
        # change is about to be written (most opened KEPs are only read)
        self._saved_metadata: Metadata | None = None if original_text is None else metadata
        self._saved_approvals = metadata.prr_approvals
        #: text to write on persist, by file name relative to the KEP folder
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

        The layout is the one whose metadata file is in the folder; the KEP returned is
        that layout's subclass. The content root is found from *path* unless given; the
        SIG registry in force is *registry*, else the content root's own list (see the
        layout), else the packaged one.

        Raises:
            KepNotFoundError: no KEP folder or no metadata file there.
            InvalidContentError: the metadata file cannot be read as that layout's format
                (every problem listed, each naming the file). A kep.yaml with bad values
                opens, its problems in :attr:`load_problems`.
        """
        from keps.keps.layouts import LAYOUTS, METADATA_FILES

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
            files = [layout.metadata_file for layout in LAYOUTS.values()]
            msg = f"{kep_dir} holds no {' or '.join(files)}: it is not a KEP"
            raise KepNotFoundError(msg, path=kep_dir / files[0])
        loaded = layout.read(kep_dir, text)
        if content_root is not None:
            root = content_root
            if not root.is_absolute():  # content_root.absolute(), reusing the getcwd above
                root = _absolute(cwd or os.getcwd(), str(root))  # noqa: PTH109
        else:
            root = layout.content_root_of(kep_dir)
        return layout.kep_type(
            path=kep_dir,
            content_root=root,
            registry=layout.registry_for(kep_dir, root, registry),
            metadata=loaded.metadata,
            original_text=text,
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
        kep_number: int | None = None,
    ) -> Kep:
        """A new KEP at *target*, not yet written, laid out as its content root lays KEPs out.

        In a kubernetes/enhancements checkout it is a provisional KEP at
        ``keps/<sig>/<kep_number>-<name>/`` (see
        :meth:`~keps.keps.layouts.enhancements.EnhancementsKep.create`; *kep_number* is
        needed, as upstream takes the tracking issue's); anywhere else a draft in the
        seed's layout (see :mod:`keps.keps.path`), numbered only when approved. The title
        defaults to the last part of the target: ``dynamic-kubelet-config`` becomes
        "Dynamic Kubelet Config".

        Raises:
            KepExistsError: a KEP already lives there.
            InvalidArgumentError: a checkout's KEP without *kep_number*, or a seed KEP
                with one.
        """
        from keps._checkout import is_checkout

        now = now or _utcnow()
        if is_checkout(Path(content_root)):
            from keps.keps.layouts.enhancements import EnhancementsKep

            if kep_number is None:
                msg = (
                    "a KEP in a kubernetes/enhancements checkout needs its number: pass kep_number"
                )
                raise InvalidArgumentError(msg, argument="kep_number", value=kep_number)
            return EnhancementsKep.create(
                str(target),
                content_root=content_root,
                authors=authors,
                title=title,
                registry=registry,
                now=now,
                kep_number=kep_number,
            )
        if kep_number is not None:
            msg = "a new KEP in the seed's layout gets its number when it is approved"
            raise InvalidArgumentError(msg, argument="kep_number", value=kep_number)
        from keps.keps.layouts.seed import SeedKep

        return SeedKep.create(
            target,
            content_root=content_root,
            authors=authors,
            title=title,
            registry=registry,
            now=now,
        )

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
    def metadata_path(self) -> Path:
        """The KEP's metadata file (``metadata.yaml`` or ``kep.yaml``)."""
        return self._path / self.layout.metadata_file

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
    def sources(self) -> tuple[Path, ...]:
        """The files besides the metadata file this KEP was read from (its PRR approvals)."""
        return () if self._loaded is None else self._loaded.sources

    @property
    def lines(self) -> dict[str, int]:
        """The 1-based line of each field in the metadata file, by field path."""
        return {} if self._loaded is None else dict(self._loaded.lines)

    @property
    def is_new(self) -> bool:
        """True until a new KEP has been persisted for the first time."""
        return self._original_text is None

    def __repr__(self) -> str:
        """One short line: number, title (cut at 48 characters), state, folder in the root."""
        number = "-" if self.kep_number is None else str(self.kep_number)
        title = self.title if len(self.title) <= 48 else self.title[:47] + "…"
        state = "no-state" if self.state is None else self.state.value
        where = self._path.as_posix()
        if self._path.is_relative_to(self._content_root):
            where = self._path.relative_to(self._content_root).as_posix()
        where = where if len(where) <= 90 else "…" + where[-89:]
        return f"<Kep {number} {title!r} {state} at {repr(where)[1:-1]}>"

    def _repr_html_(self) -> str:
        from keps.analysis.html import kep_html

        return kep_html(self)

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

    @property
    def stage(self) -> str:
        """The stage the KEP is in (alpha, beta, stable, ...), as written; today's layout."""
        return self._metadata.stage

    @property
    def disable_supported(self) -> bool | None:
        """Whether the feature can be disabled once enabled (today's layout), if said."""
        return self._metadata.disable_supported

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics the KEP's feature adds (today's layout)."""
        return self._metadata.metrics

    @property
    def prr_approvers(self) -> tuple[str, ...]:
        """People asked to approve production readiness (today's layout)."""
        return self._metadata.prr_approvers

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
            msg = f"{with_article(current)} KEP cannot become {target} ({self._path})"
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

    def mark_updated(self, now: dt.datetime) -> None:
        """Record that a lifecycle step changed the KEP at *now* (its ``last_updated``)."""
        self._metadata = attrs.evolve(self._metadata, last_updated=now)

    def add_checks(self, *checks: Check) -> None:
        """Run *checks* too, on top of the ones the KEP's state calls for."""
        self._checks.extend(checks)

    # -- the text (each layout keeps it its own way) --

    def set_section(self, section: str, text: str) -> str:
        """Set the text of a section; returns the file it will be written to on persist.

        Raises:
            KepError: no section can have that name or file (see the layout).
        """
        raise NotImplementedError

    def section_text(self, section: str) -> str:
        """The text of a section (by name or file name), including unsaved changes.

        Raises:
            KepNotFoundError: the KEP has no such section.
            PathOutsideError: the section's file would lie outside the KEP folder.
        """
        raise NotImplementedError

    def section_names(self) -> tuple[str, ...]:
        """The KEP's sections, in order (see the layout for what a name is)."""
        raise NotImplementedError

    def readme_text(self) -> str:
        """The README.md text, including unsaved changes."""
        raise NotImplementedError

    # -- checking and saving --

    def problems(self, *, now: dt.datetime | None = None) -> tuple[Problem, ...]:
        """Every problem the KEP's checks find, exempted ones marked; never raises for them."""
        return self.problems_and_context(now=now)[0]

    def problems_and_context(
        self, *, now: dt.datetime | None = None
    ) -> tuple[tuple[Problem, ...], CheckContext]:
        """:meth:`problems`, and the context the checks saw (the files they looked at).

        The index keeps the context's file identities to tell later whether the KEP
        changed without reading it again.
        """
        raise NotImplementedError

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
        return self.layout.to_mapping(self._saved_metadata)

    def _metadata_changed(self) -> bool:
        if self._metadata is self._saved_metadata:
            return False
        return self.layout.to_mapping(self._metadata) != self._saved

    def has_changes(self) -> bool:
        """True when persist would write something."""
        return (
            self.is_new
            or bool(self._pending)
            or self._metadata_changed()
            or self._metadata.prr_approvals != self._saved_approvals
        )

    def stage_writes(
        self, transaction: FileTransaction, *, now: dt.datetime | None = None, check: bool = True
    ) -> bool:
        """Stage this KEP's writes in *transaction*; False (nothing staged) if nothing changed.

        Use this to write a KEP together with other files (the index) in one atomic
        step; reopen the KEP after committing. :meth:`persist` is this plus the commit.
        With *check* (the default) a KEP that fails its checks stages nothing.

        Raises:
            CheckFailedError: the KEP fails its checks.
        """
        if not self.has_changes():
            return False
        self._stage_files(transaction, now=now or _utcnow(), check=check)
        return True

    def _stage_files(self, transaction: FileTransaction, *, now: dt.datetime, check: bool) -> None:
        """Stage the files of this KEP's change: the layout's part of :meth:`stage_writes`."""
        raise NotImplementedError

    def persist(self, *, now: dt.datetime | None = None, check: bool = True) -> bool:
        """Write every change at once: the metadata file and whatever text changed.

        Nothing is written when nothing changed (returns False). With *check* (the
        default) a KEP that fails its checks is not written. A failed write leaves every
        file as it was.
        """
        transaction = FileTransaction()
        if not self.stage_writes(transaction, now=now, check=check):
            return False
        transaction.commit()
        self._saved_changes()
        return True

    def _saved_changes(self) -> None:
        """After a commit: what was written is now what is on disk."""
        self._original_text = self._metadata_text()
        self._saved_metadata = self._metadata
        self._saved_approvals = self._metadata.prr_approvals
        self._pending.clear()

    def _metadata_text(self) -> str:
        """The metadata file's new text: the layout's edit of the changed keys only."""
        new = self.layout.to_mapping(self._metadata)
        if self._original_text is None or self._saved is None:
            return self.layout.edit(None, {}, new, path=self.metadata_path)
        return self.layout.edit(self._original_text, self._saved, new, path=self.metadata_path)


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
    kep_number: int | None = None,
) -> Kep:
    """A new KEP; see :meth:`Kep.new`."""
    return Kep.new(
        target,
        content_root=content_root,
        authors=authors,
        title=title,
        registry=registry,
        now=now,
        kep_number=kep_number,
    )
