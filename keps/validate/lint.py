"""The ``lint`` level: what a careful reviewer flags on top of the ``kepval`` rules.

Every rule is a small function from a KEP and the :class:`LintContext` (the repository
plus lookups by folder and number) to problems, listed in :data:`LINT_CHECKS`; the
rules from the sign-off model live in :mod:`keps.validate.signoff_rules`; the
loader's own findings (an unknown status, a date that is not a date, a kep-number
that is not a number) are reported here too, with their lines.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import TypeAlias

import attrs

from keps.keps import Kep
from keps.keps.layouts.enhancements import STATUSES, STRUCTURAL_CODES, TEMPLATE_DIR
from keps.keps.metadata import STAGES
from keps.keps.states import State
from keps.problems import Problem, Severity
from keps.signoff.groups import Groups
from keps.validate.kepval import milestone_of
from keps.validate.repository import Repository
from keps.validate.signoff_rules import (
    STALE_AFTER,
    groups_of,
    kep_is_not_stale,
    newest_change,
    participating_sigs_have_someone,
)

__all__ = [
    "LINT_CHECKS",
    "PLACEHOLDERS",
    "LintCheck",
    "LintContext",
    "context_for",
    "is_template",
]

#: Values the KEP template ships with, which a finished KEP must have replaced.
PLACEHOLDERS = frozenset(
    {
        "tbd",
        "todo",
        "yyyy-mm-dd",
        "nnnn",
        "x.y",
        "@jane.doe",
        "@alice.doe",
        "@oscar.doe",
        "sig-xyz",
        "sig-aaa",
        "sig-bbb",
        "sig-ccc",
        "myfeature",
        "my_feature_metric",
    }
)

#: End stages a deprecation KEP may be implemented at, besides stable.
_END_STAGES = frozenset({"stable", "deprecated", "disabled", "removed"})

_NUMBER_PREFIX = re.compile(r"(\d+)-")
_KEP_PATH = re.compile(r"(?:^|/)keps/(?P<path>[^#?]+?)/?(?:README\.md|kep\.yaml)?(?:[#?].*)?$")


def is_template(kep: Kep) -> bool:
    """True for the repository's KEP template itself (``keps/NNNN-kep-template``)."""
    return kep.path.name == TEMPLATE_DIR


@attrs.frozen
class LintContext:
    """The repository and the lookups rules across KEPs need.

    *groups* are the SIGs' people (OWNERS_ALIASES); *newest_change* is the newest
    last-updated (else creation-date) of the checkout's KEPs, and a KEP not final that
    is *stale_after* older is stale (see :mod:`keps.validate.signoff_rules`).
    """

    repo: Repository
    by_dir: Mapping[str, Kep]
    by_number: Mapping[int, tuple[Kep, ...]]
    groups: Groups = attrs.field(factory=Groups)
    newest_change: dt.datetime | None = None
    stale_after: dt.timedelta = STALE_AFTER

    def resolve(self, reference: str) -> Kep | None:
        """The KEP a see-also/replaces/superseded-by entry names, or None.

        Entries are paths (``/keps/sig-node/1234-foo``), links into the enhancements
        repository, or KEP numbers (``1234``, ``KEP-1234``, ``#1234``).
        """
        text = reference.strip()
        number = re.fullmatch(r"(?:kep-?|#)?(\d{1,18})", text, re.IGNORECASE)
        if number is not None:
            found = self.by_number.get(int(number.group(1)), ())
            return found[0] if len(found) == 1 else None
        match = _KEP_PATH.search(text)
        if match is None:
            return None
        return self.by_dir.get(match["path"].strip("/"))

    def key(self, kep: Kep) -> str:
        """*kep*'s folder relative to ``keps/`` (how references name it)."""
        return kep.path.relative_to(self.repo.keps_dir).as_posix()


def context_for(repo: Repository, *, stale_after: dt.timedelta = STALE_AFTER) -> LintContext:
    """Lookups by folder and by number over every KEP of *repo*, its groups and newest date.

    *stale_after* is how long a KEP that is not final may stay unchanged (``kep-stale``).
    """
    by_dir: dict[str, Kep] = {}
    by_number: dict[int, list[Kep]] = {}
    for kep in repo.keps:
        try:
            by_dir[kep.path.relative_to(repo.keps_dir).as_posix()] = kep
        except ValueError:
            continue
        if kep.kep_number is not None:
            by_number.setdefault(kep.kep_number, []).append(kep)
    return LintContext(
        repo,
        MappingProxyType(by_dir),
        MappingProxyType({n: tuple(k) for n, k in by_number.items()}),
        groups=groups_of(repo.owners, repo.root),
        newest_change=newest_change(k for k in repo.keps if not is_template(k)),
        stale_after=stale_after,
    )


LintCheck: TypeAlias = Callable[[Kep, LintContext], Iterator[Problem]]


def _problem(
    kep: Kep, code: str, message: str, field: str | None, severity: Severity = Severity.ERROR
) -> Problem:
    line = kep.lines.get(field) if field else None
    path = str(kep.metadata_path)
    return Problem(code, message, path=path, field=field, line=line, severity=severity)


def loader_findings(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """Values the model could not hold: unknown status, non-dates, non-numbers, bad PRR files."""
    yield from (p for p in kep.load_problems if p.code not in STRUCTURAL_CODES)


def status_is_todays(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """The status is one of today's (draft belongs to the 2018 process)."""
    if kep.state is not None and kep.state.value not in STATUSES:
        msg = f"status {kep.state.value!r} is not one of: {', '.join(STATUSES)}"
        yield _problem(kep, "status-invalid", msg, "status")


def stage_is_known(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """The stage is one of the process's stages (typos included)."""
    stage = kep.metadata.stage
    if stage and stage not in STAGES:
        msg = f"stage {stage!r} is not one of: {', '.join(STAGES)}"
        yield _problem(kep, "stage-invalid", msg, "stage")


def implemented_is_stable(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """An implemented KEP has reached stable (or the end of a deprecation)."""
    stage = kep.metadata.stage
    if kep.state is State.IMPLEMENTED and stage in STAGES and stage not in _END_STAGES:
        msg = f"an implemented KEP should be at stage stable, not {stage}"
        yield _problem(kep, "implemented-not-stable", msg, "stage", Severity.WARNING)


def sigs_are_known(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """The owning and participating SIGs are in the SIG list in force."""
    registry = ctx.repo.registry
    sig = kep.owning_sig
    if sig and not registry.exists(sig):
        msg = f"owning SIG {sig!r} is not in the SIG list in force ({registry.source})"
        yield _problem(kep, "sig-unknown", msg, "owning-sig")
    for index, other in enumerate(kep.participating_sigs):
        if not registry.exists(other):
            msg = f"participating SIG {other!r} is not in the SIG list in force"
            problem = _problem(kep, "participating-sig-unknown", msg, "participating-sigs")
            line = kep.lines.get(f"participating-sigs[{index}]", problem.line)
            yield attrs.evolve(problem, line=line)


def milestones_parse(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """latest-milestone and every stage's milestone name a release (``v1.30``)."""
    meta = kep.metadata
    if meta.latest_milestone and milestone_of(meta.latest_milestone) is None:
        msg = f"latest-milestone {meta.latest_milestone!r} is not a release such as v1.30"
        yield _problem(kep, "milestone-invalid", msg, "latest-milestone")
    for stage, text in meta.milestone:
        if text and milestone_of(text) is None:
            msg = f"milestone of {stage} {text!r} is not a release such as v1.30"
            yield _problem(kep, "milestone-invalid", msg, f"milestone.{stage}")


def milestones_do_not_go_backwards(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """alpha comes no later than beta, and beta no later than stable."""
    known = [
        (stage, m)
        for stage in ("alpha", "beta", "stable")
        if (m := milestone_of(kep.metadata.milestone_for(stage))) is not None
    ]
    for (early, first), (late, second) in itertools.pairwise(known):
        if second < first:
            msg = f"milestone {late} ({second.text}) comes before {early} ({first.text})"
            yield _problem(kep, "milestone-backwards", msg, f"milestone.{late}")


def latest_milestone_matches_stage(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """latest-milestone agrees with the milestone of the current stage."""
    meta = kep.metadata
    latest = milestone_of(meta.latest_milestone)
    current = milestone_of(meta.milestone_for())
    if latest is not None and current is not None and latest != current:
        msg = (
            f"latest-milestone {latest.text} differs from the {meta.stage} milestone {current.text}"
        )
        yield _problem(kep, "latest-milestone-mismatch", msg, "latest-milestone", Severity.WARNING)


def number_matches_folder(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """The number the folder name starts with is the kep-number."""
    match = _NUMBER_PREFIX.match(kep.path.name)
    if match is not None and kep.kep_number is not None and int(match[1]) != kep.kep_number:
        msg = f"folder {kep.path.name} says KEP {int(match[1])}, kep-number says {kep.kep_number}"
        yield _problem(kep, "kep-number-mismatch", msg, "kep-number")


def number_is_unique(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """No two KEPs share a number, and no KEP keeps the template's 0000."""
    if kep.kep_number is None:
        return
    if kep.kep_number == 0:
        yield _problem(kep, "kep-number-zero", "kep-number 0000 is the template's", "kep-number")
        return
    others = [k for k in ctx.by_number.get(kep.kep_number, ()) if k is not kep]
    if others:
        where = ", ".join(ctx.key(k) for k in others)
        msg = f"kep-number {kep.kep_number} is also used by {where}"
        yield _problem(kep, "kep-number-duplicate", msg, "kep-number")


_LINKS: tuple[tuple[str, str, str | None], ...] = (
    ("see_also", "see-also", None),
    ("replaces", "replaces", "superseded_by"),
    ("superseded_by", "superseded-by", "replaces"),
)


def links_resolve(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """see-also, replaces and superseded-by name KEPs that exist; the latter two point back."""
    me = ctx.key(kep)
    for attribute, key, back in _LINKS:
        for index, reference in enumerate(getattr(kep.metadata, attribute)):
            if _is_external(reference):
                continue
            line = kep.lines.get(f"{key}[{index}]", kep.lines.get(key))
            if reference.strip().lower() in _NOTHING:
                msg = f"{key} entry {reference!r} stands for nothing: leave the list empty"
                problem = _problem(kep, "link-placeholder", msg, key, Severity.WARNING)
                yield attrs.evolve(problem, line=line)
                continue
            target = ctx.resolve(_target(reference))
            if target is None:
                msg = f"{key} entry {reference!r} does not name a KEP in this repository"
                problem = _problem(kep, f"{key}-unresolved", msg, key, Severity.WARNING)
                yield attrs.evolve(problem, line=line)
                continue
            if back is None:
                continue
            if not any(ctx.resolve(r) is kep for r in getattr(target.metadata, back)):
                back_key = back.replace("_", "-")
                msg = f"{key} names {ctx.key(target)}, whose {back_key} does not name {me}"
                problem = _problem(kep, "link-not-reciprocal", msg, key, Severity.WARNING)
                yield attrs.evolve(problem, line=line)


_MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\((?P<url>[^)]*)\)|^\((?P<bare>[^)]*)\)$")
_NOTHING = frozenset({"n/a", "na", "none", "-", "nil", "null"})


def _target(reference: str) -> str:
    """The address inside a Markdown link (``[text](url)``), else *reference* itself."""
    match = _MARKDOWN_LINK.search(reference.strip())
    if match is None:
        return reference.strip()
    return (match["url"] or match["bare"] or "").strip()


def _is_external(reference: str) -> bool:
    """True for links that are no KEP path: other sites, enhancements issues and PRs."""
    text = _target(reference).lower()
    return text.startswith("http") and "/keps/" not in text


def sig_matches_folder(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """The owning SIG is the SIG folder the KEP sits in."""
    try:
        folder = PurePosixPath(ctx.key(kep)).parts[0]
    except (ValueError, IndexError):
        return
    if folder.startswith("sig-") and kep.owning_sig and kep.owning_sig != folder:
        msg = f"owning-sig {kep.owning_sig} differs from the SIG folder {folder} it sits in"
        yield _problem(kep, "sig-folder-mismatch", msg, "owning-sig", Severity.WARNING)


def _placeholder_fields(raw: Mapping[str, object]) -> Iterator[tuple[str, str]]:
    for key, value in raw.items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, Mapping):
                for sub, text in item.items():
                    yield f"{key}.{sub}", str(text)
            elif item is not None:
                yield str(key), str(item)
        if isinstance(value, Mapping):
            for sub, text in value.items():
                yield f"{key}.{sub}", str(text)


def no_placeholders(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """No value is left as the template wrote it (TBD, yyyy-mm-dd, @jane.doe, a|b|c ...)."""
    seen: set[tuple[str, str]] = set()
    for field, text in _placeholder_fields(kep.raw):
        value = text.strip()
        placeholder = value.lower() in PLACEHOLDERS or (
            field in ("status", "stage") and "|" in value
        )
        if placeholder and (field, value) not in seen:
            seen.add((field, value))
            top = field.split(".")[0]
            msg = f"{field} still holds the template's placeholder {value!r}"
            yield _problem(kep, "template-placeholder", msg, top, Severity.WARNING)


def required_lists_are_filled(kep: Kep, ctx: LintContext) -> Iterator[Problem]:
    """authors and approvers name someone, and every feature gate has a name."""
    for key, value in (("authors", kep.authors), ("approvers", kep.approvers)):
        if key in kep.raw and not value:
            yield _problem(kep, "required-empty", f"{key} must name at least one person", key)
    for index, gate in enumerate(kep.feature_gates):
        if not gate.name:
            field = f"feature-gates[{index}]"
            problem = _problem(kep, "feature-gate-unnamed", f"{field} has no name", "feature-gates")
            yield attrs.evolve(problem, line=kep.lines.get(field, problem.line))


#: The lint rules on top of kepval's, in the order their problems are reported.
LINT_CHECKS: tuple[LintCheck, ...] = (
    loader_findings,
    status_is_todays,
    stage_is_known,
    implemented_is_stable,
    sigs_are_known,
    milestones_parse,
    milestones_do_not_go_backwards,
    latest_milestone_matches_stage,
    number_matches_folder,
    number_is_unique,
    links_resolve,
    sig_matches_folder,
    no_placeholders,
    required_lists_are_filled,
    participating_sigs_have_someone,
    kep_is_not_stale,
)
