"""The ``kepval`` level: what the enhancements repository's own CI enforces.

* strict parsing - an unknown key, a value of the wrong YAML type, a required key
  (title, kep-number, authors, owning-sig, approvers, status) missing;
* production readiness - an implementable or implemented KEP whose latest milestone
  is v1.21 or later names its ``latest-milestone`` and ``stage``, has a PRR approval
  file ``keps/prod-readiness/<owning-sig>/<kep-number>.yaml``, and that file names an
  approver for the current stage who is a member of ``prod-readiness-approvers`` (or
  its emeritus alias) in ``OWNERS_ALIASES``.

Each rule is a small function from a KEP and its repository to problems, listed in
:data:`KEPVAL_CHECKS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeAlias

from keps.errors import KepError
from keps.keps import Kep
from keps.keps.layouts.enhancements import STRUCTURAL_CODES, keps_dir_of, prr_file
from keps.keps.metadata import Milestone
from keps.keps.states import State
from keps.problems import Problem
from keps.validate.repository import Repository

__all__ = [
    "KEPVAL_CHECKS",
    "PRR_FROM",
    "KepCheck",
    "milestone_of",
    "prr_approver_is_allowed",
    "prr_approver_is_named",
    "prr_file_exists",
    "prr_required",
    "prr_rules_have_their_fields",
    "strict_parsing",
]

KepCheck: TypeAlias = Callable[[Kep, Repository], Iterator[Problem]]

#: Production readiness approval is required from this release on.
PRR_FROM = Milestone.parse("v1.21")

_PRR_STATES = frozenset({State.IMPLEMENTABLE, State.IMPLEMENTED})


def _problem(kep: Kep, code: str, message: str, field: str | None) -> Problem:
    line = kep.lines.get(field) if field else None
    return Problem(code, message, path=str(kep.metadata_path), field=field, line=line)


def milestone_of(text: str) -> Milestone | None:
    """The milestone *text* names, or None when it names none."""
    try:
        return Milestone.parse(text)
    except (TypeError, ValueError):
        return None


def prr_required(kep: Kep) -> bool:
    """True for an implementable or implemented KEP whose latest milestone is v1.21 or later.

    Without a readable ``latest-milestone``, the latest release among ``milestone``
    decides, so dropping the field cannot dodge the rule.
    """
    if kep.state not in _PRR_STATES:
        return False
    latest = milestone_of(kep.metadata.latest_milestone)
    if latest is None:
        known = [m for _, text in kep.metadata.milestone if (m := milestone_of(text))]
        latest = max(known, default=None)
    return latest is not None and latest >= PRR_FROM


def strict_parsing(kep: Kep, repo: Repository) -> Iterator[Problem]:
    """kep.yaml has only known keys, each of its type, and every required key."""
    yield from (p for p in kep.load_problems if p.code in STRUCTURAL_CODES)


def prr_rules_have_their_fields(kep: Kep, repo: Repository) -> Iterator[Problem]:
    """A KEP under the PRR rule names its latest milestone (a release) and its stage."""
    if not prr_required(kep):
        return
    meta = kep.metadata
    if not meta.latest_milestone:
        msg = f"a {kep.state} KEP targeting v1.21 or later must set latest-milestone"
        yield _problem(kep, "latest-milestone-missing", msg, "latest-milestone")
    elif milestone_of(meta.latest_milestone) is None:
        msg = f"latest-milestone {meta.latest_milestone!r} must be a release such as v1.30"
        yield _problem(kep, "latest-milestone-invalid", msg, "latest-milestone")
    if not meta.stage:
        msg = f"a {kep.state} KEP targeting v1.21 or later must set stage"
        yield _problem(kep, "stage-missing", msg, "stage")


def prr_file_exists(kep: Kep, repo: Repository) -> Iterator[Problem]:
    """A KEP under the PRR rule has its approval file for its owning SIG and number."""
    if not prr_required(kep) or kep.kep_number is None or not kep.owning_sig:
        return
    try:
        path = prr_file(keps_dir_of(kep.path) or repo.keps_dir, kep.owning_sig, kep.kep_number)
    except KepError as exc:
        yield _problem(kep, "prr-file-missing", exc.message, "owning-sig")
        return
    if not path.is_file():
        msg = f"production readiness approval file {repo.relative(path)} is missing"
        yield _problem(kep, "prr-file-missing", msg, "kep-number")


def prr_approver_is_named(kep: Kep, repo: Repository) -> Iterator[Problem]:
    """The approval file names an approver for the KEP's current stage."""
    if not prr_required(kep) or not kep.metadata.stage or not kep.prr_approvals:
        return
    if not kep.metadata.prr_approver_for():
        msg = f"the PRR approval file names no approver for stage {kep.metadata.stage!r}"
        yield _problem(kep, "prr-approver-missing", msg, "stage")


def prr_approver_is_allowed(kep: Kep, repo: Repository) -> Iterator[Problem]:
    """The stage's PRR approver is a prod-readiness-approvers (or emeritus) alias member."""
    if not prr_required(kep):
        return
    approver = kep.metadata.prr_approver_for()
    if approver and not repo.owners.is_prr_approver(approver):
        msg = (
            f"PRR approver {approver} for stage {kep.metadata.stage!r} is not in "
            "prod-readiness-approvers (or its emeritus alias) in OWNERS_ALIASES"
        )
        yield _problem(kep, "prr-approver-not-allowed", msg, "stage")


#: The kepval rules, in the order their problems are reported.
KEPVAL_CHECKS: tuple[KepCheck, ...] = (
    strict_parsing,
    prr_rules_have_their_fields,
    prr_file_exists,
    prr_approver_is_named,
    prr_approver_is_allowed,
)
