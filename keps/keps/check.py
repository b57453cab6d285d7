"""Checks: small functions from a KEP's metadata (and the sizes of its files) to problems.

Every check yields every problem it finds; :func:`run_checks` runs a list of them,
marks problems that the KEP's ``exemptions`` waive, and returns them all. Which checks
apply to which state is a table, :data:`CHECKS_BY_STATE`. The current time is an
argument of the context, never read inside a check.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import uuid as uuid_module
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TypeAlias

import attrs

from keps.keps.metadata import Metadata
from keps.keps.path import text_fault
from keps.keps.sections import required_for
from keps.keps.states import State, with_article
from keps.keps.themes import DEVELOPMENT_THEMES, is_known_theme
from keps.problems import Problem
from keps.sigs import SigRegistry

__all__ = [
    "BASIC_INVARIANTS",
    "CHECKS_BY_STATE",
    "IMPLEMENTABLE_CHECKS",
    "PEOPLE_FIELDS",
    "PROVISIONAL_CHECKS",
    "Check",
    "CheckContext",
    "approvers_are_set",
    "authors_are_not_approvers",
    "authors_are_not_reviewers",
    "authors_are_set",
    "checks_for",
    "context_for",
    "created_is_set",
    "development_themes_are_known",
    "kep_number_is_not_set",
    "last_updated_is_not_before_created",
    "owning_sig_exists",
    "owning_sig_is_set",
    "participating_sigs_exist",
    "people_are_named",
    "required_sections_are_listed",
    "reviewers_are_set",
    "routing_is_consistent",
    "run_checks",
    "section_is_outside",
    "sections_are_unique",
    "sections_exist_with_content",
    "state_is_set",
    "subprojects_exist",
    "title_is_set",
    "uuid_is_valid",
]


@attrs.frozen(kw_only=True)
class CheckContext:
    """What a check may look at: the metadata, the SIG registry, and facts about the files.

    ``section_sizes`` maps each listed section file to its size in bytes, or None when
    it does not exist; ``section_stats`` holds the ``lstat`` that sizes came from, for
    sections reached without a symlink (None when missing), so that the index can
    remember exactly the files the checks saw; ``outside`` holds listed paths that leave
    the KEP folder and ``invalid`` those no file can have, each with the reason (neither
    is ever opened); ``duplicate_sections`` holds paths listed more than once.
    """

    metadata: Metadata
    registry: SigRegistry
    now: dt.datetime
    metadata_path: str = ""
    kep_dir: Path | None = None
    section_sizes: Mapping[str, int | None] = attrs.field(factory=dict)
    section_stats: Mapping[str, os.stat_result | None] = attrs.field(factory=dict)
    outside: frozenset[str] = frozenset()
    invalid: Mapping[str, str] = attrs.field(factory=dict)
    duplicate_sections: tuple[str, ...] = ()


Check: TypeAlias = Callable[[CheckContext], Iterable[Problem]]


def _problem(ctx: CheckContext, code: str, message: str, field: str | None = None) -> Problem:
    return Problem(code, message, path=ctx.metadata_path or None, field=field)


def section_is_outside(kep_dir: Path, filename: str) -> bool:
    """True when *filename* (from metadata) would leave *kep_dir*, also through a symlink."""
    relative = PurePosixPath(filename)
    if relative.is_absolute() or ".." in relative.parts or "\\" in filename or not filename:
        return True
    candidate = kep_dir / relative
    try:
        mode = os.lstat(candidate).st_mode
    except OSError:
        mode = 0
    # each folder on the way, inside the KEP folder (not relative to the working folder)
    parent_link = any(
        (kep_dir / p).is_symlink() for p in candidate.relative_to(kep_dir).parents if p != Path()
    )
    if stat.S_ISLNK(mode) or parent_link:
        resolved = candidate.resolve()
        return not resolved.is_relative_to(kep_dir.resolve())
    return False


#: A listed section path that plainly stays inside its folder: relative, '/'-separated,
#: no component that is empty or starts with a dot (so no '..'), no backslash.
_PLAIN_SECTION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")


def _is_link(path: str, links: dict[str, bool]) -> bool:
    """True when *path* is a symlink (False when it is missing); remembered in *links*."""
    known = links.get(path)
    if known is None:
        try:
            known = stat.S_ISLNK(os.lstat(path).st_mode)
        except OSError:
            known = False
        links[path] = known
    return known


#: Section file names already classified (see _plain_parents); the same few names recur
#: in every KEP of a tree. Bounded like a cache, never cleared: values are immutable.
_PARENTS: dict[str, tuple[str, ...] | None] = {}
_MAX_PARENTS = 4096


def _plain_parents(filename: str) -> tuple[str, ...] | None:
    """The folders on the way to a plainly named *filename* (``a``, ``a/b`` for ``a/b/c.md``).

    None when the name is not plain (:data:`_PLAIN_SECTION`).
    """
    if filename in _PARENTS:
        return _PARENTS[filename]
    parents: tuple[str, ...] | None = None
    if _PLAIN_SECTION.fullmatch(filename):
        parts = filename.split("/")[:-1]
        parents = tuple("/".join(parts[: n + 1]) for n in range(len(parts)))
    if len(_PARENTS) < _MAX_PARENTS:
        _PARENTS[filename] = parents
    return parents


def _plain_section_stat(
    folder: str, filename: str, links: dict[str, bool]
) -> tuple[bool, os.stat_result | None]:
    """(True, lstat) for a plainly named section with no symlink on its way, else (False, None).

    The fast path of :func:`context_for`: one ``lstat`` per file (and one per parent
    folder, shared by the KEP's sections) instead of Path objects, an lstat per parent,
    and a second ``stat``. A file that is not a link shows its size in its lstat; a
    missing file gives (True, None). Anything that involves a symlink, or a name that is
    not plain, returns (False, None) and takes the careful path through
    :func:`section_is_outside`, so symlink escapes are still caught.
    """
    parents = _plain_parents(filename)
    if parents is None:
        return False, None
    for parent in parents:
        if _is_link(f"{folder}/{parent}", links):
            return False, None
    try:
        info = os.lstat(f"{folder}/{filename}")
    except OSError:
        return True, None
    if stat.S_ISLNK(info.st_mode):
        return False, None
    return True, info


def context_for(
    metadata: Metadata,
    *,
    registry: SigRegistry,
    now: dt.datetime,
    kep_dir: Path | None = None,
    metadata_path: str = "",
    raw_sections: Sequence[str] | None = None,
) -> CheckContext:
    """Build a context, looking at each listed section file once (a stat, never a read).

    *metadata_path* is the KEP's metadata file, which problems name. Section files are
    looked at only with *kep_dir*.
    """
    listed = list(raw_sections) if raw_sections is not None else list(metadata.sections)
    seen: set[str] = set()
    duplicates = []
    for filename in listed:
        if filename in seen and filename not in duplicates:
            duplicates.append(filename)
        seen.add(filename)
    sizes: dict[str, int | None] = {}
    stats: dict[str, os.stat_result | None] = {}
    outside: set[str] = set()
    invalid: dict[str, str] = {}
    if kep_dir is not None:
        folder = str(kep_dir)
        links: dict[str, bool] = {}
        for filename in metadata.sections:
            plain, info = _plain_section_stat(folder, filename, links)
            if plain:
                stats[filename] = info
                sizes[filename] = (
                    info.st_size if info is not None and stat.S_ISREG(info.st_mode) else None
                )
                continue
            fault = text_fault(filename)  # a NUL would make the stat below raise ValueError
            if fault is not None:
                invalid[filename] = fault
                continue
            if section_is_outside(kep_dir, filename):
                outside.add(filename)
                continue
            try:
                info = os.stat(kep_dir / filename)
            except OSError:
                sizes[filename] = None
                continue
            sizes[filename] = info.st_size if stat.S_ISREG(info.st_mode) else None
    return CheckContext(
        metadata=metadata,
        registry=registry,
        now=now,
        metadata_path=metadata_path,
        kep_dir=kep_dir,
        section_sizes=sizes,
        section_stats=stats,
        outside=frozenset(outside),
        invalid=invalid,
        duplicate_sections=tuple(duplicates),
    )


# -- basic invariants: every KEP, whatever its state --


def state_is_set(ctx: CheckContext) -> Iterator[Problem]:
    """A KEP must have a state."""
    if ctx.metadata.state is None:
        valid = ", ".join(s.value for s in State)
        yield _problem(ctx, "state-not-set", f"state must be set to one of: {valid}", "state")


def title_is_set(ctx: CheckContext) -> Iterator[Problem]:
    """A KEP must have a title."""
    if not ctx.metadata.title:
        yield _problem(ctx, "title-not-set", "title must be set", "title")


def authors_are_set(ctx: CheckContext) -> Iterator[Problem]:
    """A KEP must name at least one author."""
    if not ctx.metadata.authors:
        yield _problem(ctx, "authors-not-set", "authors must name at least one person", "authors")


def uuid_is_valid(ctx: CheckContext) -> Iterator[Problem]:
    """A KEP must carry a valid uuid, its identity before it has a number."""
    value = ctx.metadata.uuid
    try:
        uuid_module.UUID(value)
    except ValueError:
        shown = repr(value) if value else "nothing"
        yield _problem(ctx, "uuid-invalid", f"uuid must be a valid UUID, got {shown}", "uuid")


def created_is_set(ctx: CheckContext) -> Iterator[Problem]:
    """A KEP must say when it was created."""
    if ctx.metadata.created is None:
        yield _problem(ctx, "created-not-set", "created must be set", "created")


def last_updated_is_not_before_created(ctx: CheckContext) -> Iterator[Problem]:
    """A KEP cannot have been updated before it was created."""
    created, updated = ctx.metadata.created, ctx.metadata.last_updated
    if created is not None and updated is not None and updated < created:
        yield _problem(
            ctx,
            "last-updated-before-created",
            f"last_updated ({updated.isoformat()}) must not be before "
            f"created ({created.isoformat()})",
            "last_updated",
        )


def sections_are_unique(ctx: CheckContext) -> Iterator[Problem]:
    """Each section file must be listed once."""
    for filename in ctx.duplicate_sections:
        yield _problem(
            ctx, "section-duplicate", f"section {filename} is listed more than once", "sections"
        )


def sections_exist_with_content(ctx: CheckContext) -> Iterator[Problem]:
    """Every listed section must name a file inside the KEP folder that exists and has text."""
    if ctx.kep_dir is None:
        return
    for filename in ctx.metadata.sections:
        fault = ctx.invalid.get(filename)
        if fault is not None:
            yield _problem(
                ctx,
                "section-path-invalid",
                f"section path {filename!r} names no file: {fault}",
                "sections",
            )
            continue
        if filename in ctx.outside:
            yield _problem(
                ctx,
                "section-path-outside",
                f"section path {filename!r} leaves the KEP folder",
                "sections",
            )
            continue
        size = ctx.section_sizes.get(filename)
        if size:  # the common case: present and not empty; no path built for it
            continue
        where = str(ctx.kep_dir / filename)
        if size is None:
            yield Problem(
                "section-missing",
                f"section file {filename} does not exist",
                path=where,
                field="sections",
            )
        elif size == 0:
            yield Problem(
                "section-empty", f"section file {filename} is empty", path=where, field="sections"
            )


def owning_sig_exists(ctx: CheckContext) -> Iterator[Problem]:
    """The owning SIG, when set, must be a SIG the registry in force knows."""
    sig = ctx.metadata.owning_sig
    if sig and not ctx.registry.exists(sig):
        yield _problem(ctx, "sig-unknown", f"owning SIG {sig!r} is not a known SIG", "owning_sig")


def participating_sigs_exist(ctx: CheckContext) -> Iterator[Problem]:
    """Every participating SIG must be a known SIG."""
    for sig in ctx.metadata.participating_sigs:
        if not ctx.registry.exists(sig):
            yield _problem(
                ctx,
                "participating-sig-unknown",
                f"participating SIG {sig!r} is not a known SIG",
                "participating_sigs",
            )


def subprojects_exist(ctx: CheckContext) -> Iterator[Problem]:
    """Every affected subproject must be a subproject of the owning SIG."""
    sig = ctx.metadata.owning_sig
    for subproject in ctx.metadata.affected_subprojects:
        if (
            not sig
            or not ctx.registry.exists(sig)
            or not ctx.registry.subproject_exists(sig, subproject)
        ):
            yield _problem(
                ctx,
                "subproject-unknown",
                f"subproject {subproject!r} is not a subproject of {sig or 'the owning SIG'}",
                "affected_subprojects",
            )


def routing_is_consistent(ctx: CheckContext) -> Iterator[Problem]:
    """A KEP is kubernetes-wide, SIG-wide or for subprojects: never two of these at once."""
    meta = ctx.metadata
    kinds = [
        name
        for name, on in (
            ("kubernetes_wide", meta.kubernetes_wide),
            ("sig_wide", meta.sig_wide),
            ("affected_subprojects", bool(meta.affected_subprojects)),
        )
        if on
    ]
    if len(kinds) > 1:
        yield _problem(
            ctx, "routing-inconsistent", f"a KEP must be only one of {' / '.join(kinds)}", kinds[0]
        )


def development_themes_are_known(ctx: CheckContext) -> Iterator[Problem]:
    """Development themes must come from the known list."""
    for theme in ctx.metadata.development_themes:
        if not is_known_theme(theme):
            known = ", ".join(DEVELOPMENT_THEMES)
            yield _problem(
                ctx,
                "theme-unknown",
                f"development theme {theme!r} is not one of: {known}",
                "development_themes",
            )


#: The fields that name people, each a list of GitHub handles.
PEOPLE_FIELDS: tuple[str, ...] = ("authors", "reviewers", "approvers", "editors", "prr_approvers")


def people_are_named(ctx: CheckContext) -> Iterator[Problem]:
    """Every author, reviewer, approver, editor and PRR approver is a name, not empty text.

    An empty handle counts as somebody for "authors must name at least one person", and
    would be written as ``- ''``.
    """
    for field in PEOPLE_FIELDS:
        for position, handle in enumerate(getattr(ctx.metadata, field), start=1):
            if not handle.strip():
                yield _problem(
                    ctx,
                    "person-empty",
                    f"{field} item {position} is empty: give a GitHub handle",
                    field,
                )


def _people(handles: Iterable[str]) -> dict[str, str]:
    return {h.lstrip("@").lower(): h for h in handles}


def authors_are_not_approvers(ctx: CheckContext) -> Iterator[Problem]:
    """Nobody approves their own KEP."""
    approvers = _people(ctx.metadata.approvers)
    for key, author in _people(ctx.metadata.authors).items():
        if key in approvers:
            yield _problem(
                ctx,
                "author-is-approver",
                f"author {author} must not also approve the KEP",
                "approvers",
            )


def authors_are_not_reviewers(ctx: CheckContext) -> Iterator[Problem]:
    """Nobody reviews their own KEP."""
    reviewers = _people(ctx.metadata.reviewers)
    for key, author in _people(ctx.metadata.authors).items():
        if key in reviewers:
            yield _problem(
                ctx,
                "author-is-reviewer",
                f"author {author} must not also review the KEP",
                "reviewers",
            )


# -- state checks --


def kep_number_is_not_set(ctx: CheckContext) -> Iterator[Problem]:
    """A provisional KEP has no number yet: numbers are given on approval."""
    if ctx.metadata.kep_number is not None:
        yield _problem(
            ctx,
            "kep-number-too-early",
            f"{with_article(ctx.metadata.state)} KEP must not have a kep_number yet "
            f"(has {ctx.metadata.kep_number})",
            "kep_number",
        )


def required_sections_are_listed(ctx: CheckContext) -> Iterator[Problem]:
    """A KEP lists every section its state requires."""
    state = ctx.metadata.state
    if state is None:
        return
    listed = set(ctx.metadata.sections)
    for spec in required_for(state):
        if spec.filename not in listed:
            yield _problem(
                ctx,
                "section-required",
                f"{with_article(state)} KEP needs the {spec.name} section ({spec.filename})",
                "sections",
            )


def owning_sig_is_set(ctx: CheckContext) -> Iterator[Problem]:
    """An implementable KEP has an owning SIG."""
    if not ctx.metadata.owning_sig:
        yield _problem(ctx, "owning-sig-not-set", "owning_sig must be set", "owning_sig")


def reviewers_are_set(ctx: CheckContext) -> Iterator[Problem]:
    """An implementable KEP has reviewers."""
    if not ctx.metadata.reviewers:
        yield _problem(
            ctx, "reviewers-not-set", "reviewers must name at least one person", "reviewers"
        )


def approvers_are_set(ctx: CheckContext) -> Iterator[Problem]:
    """An implementable KEP has approvers."""
    if not ctx.metadata.approvers:
        yield _problem(
            ctx, "approvers-not-set", "approvers must name at least one person", "approvers"
        )


BASIC_INVARIANTS: tuple[Check, ...] = (
    state_is_set,
    title_is_set,
    authors_are_set,
    people_are_named,
    uuid_is_valid,
    created_is_set,
    last_updated_is_not_before_created,
    sections_are_unique,
    sections_exist_with_content,
    owning_sig_exists,
    participating_sigs_exist,
    subprojects_exist,
    routing_is_consistent,
    development_themes_are_known,
    authors_are_not_approvers,
    authors_are_not_reviewers,
)

PROVISIONAL_CHECKS: tuple[Check, ...] = (required_sections_are_listed, kep_number_is_not_set)

IMPLEMENTABLE_CHECKS: tuple[Check, ...] = (
    required_sections_are_listed,
    owning_sig_is_set,
    reviewers_are_set,
    approvers_are_set,
)

#: The checks for each state, on top of the basic invariants.
CHECKS_BY_STATE: Mapping[State | None, tuple[Check, ...]] = MappingProxyType(
    {
        None: (),
        State.DRAFT: (),
        State.PROVISIONAL: PROVISIONAL_CHECKS,
        State.IMPLEMENTABLE: IMPLEMENTABLE_CHECKS,
        State.IMPLEMENTED: IMPLEMENTABLE_CHECKS,
        State.DEFERRED: (),
        State.REJECTED: (),
        State.WITHDRAWN: (),
        State.REPLACED: (),
    }
)


def checks_for(state: State | None) -> tuple[Check, ...]:
    """The basic invariants plus the checks of *state*."""
    return BASIC_INVARIANTS + CHECKS_BY_STATE[state]


def run_checks(ctx: CheckContext, checks: Iterable[Check]) -> tuple[Problem, ...]:
    """Every problem every check finds, exempted ones marked with the KEP's reason."""
    waived = {e.code: e.reason for e in ctx.metadata.exemptions}
    problems: list[Problem] = []
    for check in checks:
        for problem in check(ctx):
            reason = waived.get(problem.code)
            problems.append(problem if reason is None else attrs.evolve(problem, exempted=reason))
    return tuple(problems)
