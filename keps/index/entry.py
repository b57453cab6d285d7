"""Index entries: what the index remembers of one KEP, and of a KEP it could not index.

An :class:`Entry` is a small immutable summary of a KEP's metadata plus where the KEP
lives, relative to the content root. It holds no section text, so ten thousand of them
stay cheap; the full KEP is one :func:`keps.open` away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from keps.keps.milestones import ByStage, Milestone
from keps.keps.states import State
from keps.problems import Problem

if TYPE_CHECKING:
    from keps.keps import Kep, Metadata

__all__ = ["BrokenKep", "Entry"]


def _names(items: Iterable[str]) -> tuple[str, ...]:
    """A tuple of *items* in order, each once."""
    return tuple(dict.fromkeys(items))


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """*value* in UTC; a naive time is taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _pairs(items: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(name, text) pairs as a tuple of 2-tuples."""
    return tuple((name, text) for name, text in items) if items else ()


def _milestone_or_none(text: str) -> Milestone | None:
    try:
        return Milestone.parse(text)
    except (TypeError, ValueError):
        return None


def _problems(items: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(items)


@attrs.frozen(kw_only=True)
class Entry:
    """One KEP as the index knows it.

    ``location`` is the KEP's folder relative to the content root, '/'-separated
    (``sig-node/kubelet/my-kep``). Lists keep the order of the KEP's metadata; times
    are timezone-aware UTC datetimes (None only when the KEP's metadata has none).
    """

    uuid: str
    kep_number: int | None = None
    title: str = ""
    state: State | None = None
    owning_sig: str = ""
    participating_sigs: tuple[str, ...] = attrs.field(default=(), converter=_names)
    affected_subprojects: tuple[str, ...] = attrs.field(default=(), converter=_names)
    authors: tuple[str, ...] = attrs.field(default=(), converter=_names)
    reviewers: tuple[str, ...] = attrs.field(default=(), converter=_names)
    approvers: tuple[str, ...] = attrs.field(default=(), converter=_names)
    editors: tuple[str, ...] = attrs.field(default=(), converter=_names)
    development_themes: tuple[str, ...] = attrs.field(default=(), converter=_names)
    created: dt.datetime | None = attrs.field(default=None, converter=_aware)
    last_updated: dt.datetime | None = attrs.field(default=None, converter=_aware)
    location: str
    # today's fields (kep.yaml); empty for a seed KEP that does not set them
    stage: str = ""
    latest_milestone: str = ""
    feature_gates: tuple[str, ...] = attrs.field(default=(), converter=_names)
    #: who kep.yaml names to approve production readiness (``prr-approvers``)
    prr_approvers: tuple[str, ...] = attrs.field(default=(), converter=_names)
    #: (field, text as written) for values of the KEP's file that do not parse
    unparsed: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    #: (stage, approver) of each production readiness approval, in stage order
    prr_approvals: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    #: (stage, milestone as written) for each stage kep.yaml's ``milestone`` names
    milestones: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    #: the KEPs this one replaces, supersedes in turn, or points to, as the file names them
    replaces: tuple[str, ...] = attrs.field(default=(), converter=_names)
    superseded_by: tuple[str, ...] = attrs.field(default=(), converter=_names)
    see_also: tuple[str, ...] = attrs.field(default=(), converter=_names)

    @property
    def prr_people(self) -> tuple[str, ...]:
        """Everyone a query's ``prr:`` matches: who approved a stage, then who is asked."""
        return _names((*(approver for _, approver in self.prr_approvals), *self.prr_approvers))

    def prr_approver_for(self, stage: str | None = None) -> str:
        """Who approved production readiness for *stage* (default: the current one), or ''."""
        wanted = self.stage if stage is None else stage
        return dict(self.prr_approvals).get(wanted, "")

    @property
    def milestone(self) -> ByStage[Milestone | None]:
        """The milestone of each stage (``entry.milestone.beta``); None where none parses."""
        return ByStage.from_pairs(self.milestones, _milestone_or_none, None)

    @property
    def prr(self) -> ByStage[str]:
        """Who approved production readiness for each stage (``entry.prr.beta``), or ''."""
        return ByStage.from_pairs(self.prr_approvals, str, "")

    def milestone_for(self, stage: str | None = None) -> str:
        """The milestone text given for *stage* (default: the current stage), or ''."""
        wanted = self.stage if stage is None else stage
        return dict(self.milestones).get(wanted, "")

    def as_written(self, field: str) -> object:
        """The value of *field*, or the text the KEP's file gives for it when it does not parse.

        A status of ``imlpemented`` is no state: ``state`` is None, and this gives the
        text, so listings and exports show what the file says instead of nothing.
        """
        value = getattr(self, field)
        if value is None or value == "" or value == ():
            return dict(self.unparsed).get(field, value)
        return value

    def __repr__(self) -> str:
        """One short line: number, title, state, stage, location, each cut to a length."""

        def cut(text: str, limit: int) -> str:  # repr keeps it one line: a newline shows as \n
            return repr(text if len(text) <= limit else text[: limit - 1] + "…")[1:-1]

        number = "-" if self.kep_number is None else str(self.kep_number)
        title = self.title if len(self.title) <= 48 else self.title[:47] + "…"
        state = cut(str(self.as_written("state") or "no-state"), 16)
        where = self.location if len(self.location) <= 80 else "…" + self.location[-79:]
        parts = (number, repr(title), state, cut(self.stage, 12), cut(where, 81))
        return f"<Entry {' '.join(part for part in parts if part)}>"

    def _repr_html_(self) -> str:
        from keps.analysis.html import entry_html

        return entry_html(self)

    @classmethod
    def from_kep(cls, kep: Kep, content_root: Path) -> Entry:
        """The entry for *kep*, its location taken relative to *content_root*.

        Raises:
            PathOutsideError: the KEP does not lie inside *content_root*.
        """
        from keps.keps.path import relative_location

        return cls.from_metadata(kep.metadata, relative_location(kep.path, content_root))

    @classmethod
    def from_metadata(cls, metadata: Metadata, location: str) -> Entry:
        """The entry for a KEP whose metadata is *metadata* and whose folder is *location*."""
        return cls(
            uuid=metadata.uuid,
            kep_number=metadata.kep_number,
            title=metadata.title,
            state=metadata.state,
            owning_sig=metadata.owning_sig,
            participating_sigs=metadata.participating_sigs,
            affected_subprojects=metadata.affected_subprojects,
            authors=metadata.authors,
            reviewers=metadata.reviewers,
            approvers=metadata.approvers,
            editors=metadata.editors,
            development_themes=metadata.development_themes,
            created=metadata.created,
            last_updated=metadata.last_updated,
            location=location,
            stage=metadata.stage,
            latest_milestone=metadata.latest_milestone,
            feature_gates=tuple(g.name for g in metadata.feature_gates if g.name),
            prr_approvers=metadata.prr_approvers,
            unparsed=metadata.unparsed,
            prr_approvals=tuple((a.stage, a.approver) for a in metadata.prr_approvals),
            milestones=metadata.milestone,
            replaces=metadata.replaces,
            superseded_by=metadata.superseded_by,
            see_also=metadata.see_also,
        )


@attrs.frozen
class BrokenKep:
    """A KEP a rebuild could not index, with every problem found in it.

    ``kep_number`` and ``uuid`` are what its metadata says, when it could be read at all:
    the number of a broken KEP still counts as used, so it is never handed out again.
    """

    location: str
    problems: tuple[Problem, ...] = attrs.field(converter=_problems)
    kep_number: int | None = None
    uuid: str | None = None
