"""The known sections of a KEP, their files, and the state from which each is required.

Order is data: :data:`KNOWN_SECTIONS` lists the sections in the order a KEP presents
them. User-defined sections sit after the summary, in the order they were added.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs

from keps.keps.states import State

__all__ = [
    "DEVELOPER_GUIDE",
    "GRADUATION_CRITERIA",
    "KNOWN_SECTIONS",
    "MOTIVATION",
    "OPERATOR_GUIDE",
    "README",
    "SUMMARY",
    "TEACHER_GUIDE",
    "SectionSpec",
    "filename_for",
    "name_for",
    "required_for",
    "sort_sections",
    "spec_for",
]


@attrs.frozen
class SectionSpec:
    """A known section: its display *name*, its *filename* in the KEP folder, its template.

    ``required_from`` is the first state in which a KEP must have the section
    (None: never required); ``generated`` marks the README, which is written from
    the metadata rather than by people.
    """

    name: str
    filename: str
    template: str
    rank: int
    required_from: State | None = None
    generated: bool = False


SUMMARY = SectionSpec("Summary", "summary.md", "summary.md", 0, State.PROVISIONAL)
MOTIVATION = SectionSpec("Motivation", "motivation.md", "motivation.md", 2, State.PROVISIONAL)
DEVELOPER_GUIDE = SectionSpec(
    "Developer Guide", "guides/developer.md", "developer_guide.md", 3, State.IMPLEMENTABLE
)
OPERATOR_GUIDE = SectionSpec(
    "Operator Guide", "guides/operator.md", "operator_guide.md", 4, State.IMPLEMENTABLE
)
TEACHER_GUIDE = SectionSpec(
    "Teacher Guide", "guides/teacher.md", "teacher_guide.md", 5, State.IMPLEMENTABLE
)
GRADUATION_CRITERIA = SectionSpec(
    "Graduation Criteria",
    "graduation_criteria.md",
    "graduation_criteria.md",
    6,
    State.IMPLEMENTABLE,
)
README = SectionSpec("README", "README.md", "readme.md", 7, generated=True)

#: Every known section, in the order a KEP presents them.
KNOWN_SECTIONS: tuple[SectionSpec, ...] = (
    SUMMARY,
    MOTIVATION,
    DEVELOPER_GUIDE,
    OPERATOR_GUIDE,
    TEACHER_GUIDE,
    GRADUATION_CRITERIA,
    README,
)

_BY_FILENAME: Mapping[str, SectionSpec] = MappingProxyType({s.filename: s for s in KNOWN_SECTIONS})
_BY_NAME: Mapping[str, SectionSpec] = MappingProxyType({s.name.lower(): s for s in KNOWN_SECTIONS})

#: Rank of user-defined sections: after the summary, before the motivation.
USER_SECTION_RANK = 1

#: The states in the order a KEP normally passes through them, for "required from".
_PROGRESS = (State.DRAFT, State.PROVISIONAL, State.IMPLEMENTABLE, State.IMPLEMENTED)


def spec_for(filename: str) -> SectionSpec | None:
    """The known section stored in *filename*, or None for a user-defined one."""
    return _BY_FILENAME.get(filename)


def filename_for(name: str) -> str:
    """The file that holds the section called *name*.

    >>> filename_for("Developer Guide")
    'guides/developer.md'
    >>> filename_for("Design Details & Risks")
    'design_details_risks.md'
    """
    known = _BY_NAME.get(name.strip().lower())
    if known is not None:
        return known.filename
    stem = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if not stem:
        msg = f"a section name needs at least one letter or digit, got {name!r}"
        raise ValueError(msg)
    return f"{stem}.md"


def name_for(filename: str) -> str:
    """The display name of the section in *filename*.

    >>> name_for("implementation_history.md")
    'Implementation History'
    """
    known = _BY_FILENAME.get(filename)
    if known is not None:
        return known.name
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    words = re.split(r"[_\-\s]+", stem)
    return " ".join(w[:1].upper() + w[1:].lower() for w in words if w)


def _rank(filename: str) -> int:
    known = _BY_FILENAME.get(filename)
    return USER_SECTION_RANK if known is None else known.rank


def sort_sections(filenames: Iterable[str]) -> tuple[str, ...]:
    """*filenames* without duplicates in section order; user sections keep their own order.

    >>> sort_sections(["README.md", "motivation.md", "risks.md", "summary.md", "faq.md"])
    ('summary.md', 'risks.md', 'faq.md', 'motivation.md', 'README.md')
    """
    distinct = list(dict.fromkeys(filenames))
    # sorted() is stable, so user sections (all of one rank) keep their first-seen order
    return tuple(sorted(distinct, key=_rank))


def required_for(state: State) -> tuple[SectionSpec, ...]:
    """The known sections a KEP in *state* must have (the README aside)."""
    if state not in _PROGRESS:
        return ()
    reached = _PROGRESS[: _PROGRESS.index(state) + 1]
    return tuple(
        s for s in KNOWN_SECTIONS if s.required_from is not None and s.required_from in reached
    )
