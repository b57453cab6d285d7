"""The ``kepval`` level: what the enhancements repository's own CI rejects on a pull request.

kubernetes/enhancements runs two blocking jobs on every pull request:
``pull-enhancements-verify`` (``hack/verify.sh``: every ``hack/verify-*.sh``) and
``pull-enhancements-test`` (``make test``: every Go test, ``test/`` included). What
they reject about the content of ``keps/``, this level rejects; nothing else:

====================================  =================================================
upstream                              rules here
====================================  =================================================
``pkg/repo/repo.go`` (``NewRepo``)    :func:`checkout_is_complete`
``api/groups.go`` (PRR approvers)     :func:`checkout_is_complete` (OWNERS_ALIASES)
``pkg/repo/validate.go``              :func:`every_readme_has_its_kep_yaml`,
                                      :func:`kep_yaml_parses_strictly`
``api/proposal.go`` (``Parse``)       :func:`kep_yaml_parses_strictly`
``pkg/kepval/approval.go``,           :func:`prr_is_approved`
``api/approval.go``
``pkg/nodeapprovers/verify.go``       :mod:`keps.validate.nodeapprovers`
``hack/verify-toc.sh`` (mdtoc)        :mod:`keps.validate.toc`
====================================  =================================================

Upstream fetches three things at run time; here they come from the checkout or a flag:
the PRR approvers (``OWNERS_ALIASES`` at the root, as upstream reads master's), the
upcoming release (``--release``, else the newest ``latest-milestone`` in the checkout)
and the SIG list (not used by CI: only ``lint`` checks SIG names).

Not mirrored, and so not checked at all: ``hack/verify-spelling.sh`` (misspell over
every file but YAML) and ``hack/verify-boilerplate.sh`` (licence headers of code).
``hack/verify-toc-vs-template.sh`` only prints (it exits 0), so it is no kepval rule.

Known, deliberate differences: a PRR path that ``filepath.Join`` would lead out of
``keps/prod-readiness/`` (``owning-sig: ../..``) is never read, only reported missing;
YAML is parsed by libyaml, not yaml.v3, so text the two parsers disagree on may differ;
kep.yaml lines longer than 64 KiB (which Go's line scanner refuses) are read; mdtoc's
``&amp;`` in a heading is not decoded to ``&`` for its anchor.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeAlias

import attrs

from keps._files import read_text
from keps._names import KEP_FILE, METADATA_FILE, PRR_DIR, README_FILE
from keps.errors import KepError
from keps.keps import Kep
from keps.keps.layouts.enhancements import OWNERS_ALIASES, TEMPLATE_DIR
from keps.keps.metadata import STAGES, Milestone
from keps.keps.states import State, with_article
from keps.problems import Problem
from keps.validate.owners import PRR_ALIASES, read_aliases
from keps.validate.repository import Repository
from keps.validate.strict import Decoded

__all__ = [
    "KEPVAL_CHECKS",
    "PRR_FROM",
    "RepositoryCheck",
    "checkout_is_complete",
    "every_readme_has_its_kep_yaml",
    "kep_yaml_parses_strictly",
    "milestone_of",
    "prr_is_approved",
    "prr_required",
    "tolerant_version",
]

RepositoryCheck: TypeAlias = Callable[[Repository], Iterator[Problem]]

#: Production readiness approval is required from this release on.
PRR_FROM = Milestone.parse("v1.21")

_PRR_STATES = frozenset({State.IMPLEMENTABLE, State.IMPLEMENTED})


def milestone_of(text: str) -> Milestone | None:
    """The milestone *text* names, or None when it names none."""
    try:
        return Milestone.parse(text)
    except (TypeError, ValueError):
        return None


def prr_required(kep: Kep) -> bool:
    """True for an implementable or implemented KEP whose latest milestone is v1.21 or later.

    Without a readable ``latest-milestone``, the latest release among ``milestone``
    decides. (CI itself refuses such a KEP outright: see :func:`prr_is_approved`.)
    """
    if kep.state not in _PRR_STATES:
        return False
    latest = milestone_of(kep.metadata.latest_milestone)
    if latest is None:
        known = [m for _, text in kep.metadata.milestone if (m := milestone_of(text))]
        latest = max(known, default=None)
    return latest is not None and latest >= PRR_FROM


_DIGITS = re.compile(r"[0-9]+")
#: uint64 has 20 digits: CI's semver refuses a longer version number (and int() one of 4,301)
_MAX_DIGITS = 20
_ALNUM = re.compile(r"[0-9A-Za-z-]+")


def tolerant_version(text: str) -> tuple[int, int, int, bool] | None:
    """(major, minor, patch, is-prerelease) as blang/semver's ``ParseTolerant`` reads *text*.

    ``v1.30``, ``1.30``, `` v1.30.0 `` and ``v01.030`` are versions; ``v1.3x``, ``TBD``
    and ``v1.30-rc.1`` (a short version with a pre-release) are not. None when not.
    """
    parts = text.strip().removeprefix("v").split(".", 2)
    for index, part in enumerate(parts):
        if len(part) > 1:
            part = part.lstrip("0")
            if not part or not part[0].isdigit():
                part = "0" + part
            parts[index] = part
    if len(parts) < 3:
        if any(c in parts[-1] for c in "+-"):
            return None
        parts += ["0"] * (3 - len(parts))
    major, minor, rest = parts
    rest, _, build = rest.partition("+")
    patch, dash, pre = rest.partition("-")
    numbers = (major, minor, patch)
    if not all(_DIGITS.fullmatch(n) and (len(n) == 1 or n[0] != "0") for n in numbers):
        return None
    if any(len(n) > _MAX_DIGITS for n in numbers):  # past uint64, which CI's semver refuses
        return None
    if dash and not all(_ALNUM.fullmatch(p) for p in pre.split(".")):
        return None
    if dash and any(p.isdigit() and len(p) > 1 and p[0] == "0" for p in pre.split(".")):
        return None
    if "+" in text and not all(_ALNUM.fullmatch(b) for b in build.split(".")):
        return None
    return int(major), int(minor), int(patch), bool(dash)


def _before_prr(version: tuple[int, int, int, bool]) -> bool:
    """True when *version* comes before v1.21.0 (a pre-release of 1.21.0 does)."""
    major, minor, patch, pre = version
    return (major, minor, patch) < (1, 21, 0) or ((major, minor, patch) == (1, 21, 0) and pre)


def checkout_is_complete(repo: Repository) -> Iterator[Problem]:
    """The checkout has what upstream's tools need before they look at any KEP.

    ``NewRepo`` (``pkg/repo/repo.go``) needs ``keps/``, ``keps/prod-readiness/``,
    ``keps/README.md`` and the template's README; ``FetchPRRApprovers``
    (``api/groups.go``) needs an OWNERS_ALIASES with nothing but ``aliases`` that names
    at least one PRR approver; ``Validate`` needs at least one KEP.
    """
    keps_dir = repo.keps_dir
    if not keps_dir.is_dir():
        yield Problem("checkout-incomplete", "the checkout has no keps/ folder", path=str(keps_dir))
        return
    if not (keps_dir / PRR_DIR).is_dir():
        msg = f"keps/{PRR_DIR}/ is missing (CI refuses a checkout without it)"
        yield Problem("checkout-incomplete", msg, path=str(keps_dir / PRR_DIR))
    readme = keps_dir / README_FILE
    if not readme.is_file():  # os.Stat follows a link, as here
        msg = "keps/README.md is missing or not a regular file (CI refuses the checkout)"
        yield Problem("checkout-incomplete", msg, path=str(readme))
    template = keps_dir / TEMPLATE_DIR / README_FILE
    try:
        read_text(template)
    except KepError:
        msg = f"the KEP template keps/{TEMPLATE_DIR}/README.md is missing or unreadable"
        yield Problem("checkout-incomplete", msg, path=str(template))
    aliases, problems = read_aliases(repo.root / OWNERS_ALIASES, strict=True)
    yield from problems
    if aliases is not None and not any(aliases.get(a) for a in PRR_ALIASES):
        msg = f"{OWNERS_ALIASES} names no one in {' or '.join(PRR_ALIASES)}"
        yield Problem("prr-approvers-none", msg, path=str(repo.root / OWNERS_ALIASES))
    if not repo.walked.kep_files:
        msg = "CI must find more than zero KEPs (kep.yaml files) under keps/"
        yield Problem("checkout-incomplete", msg, path=str(keps_dir))


def every_readme_has_its_kep_yaml(repo: Repository) -> Iterator[Problem]:
    """A README.md in a KEP folder has a kep.yaml beside it (``pkg/repo/validate.go``).

    This is also what CI says about a 2018-layout folder (``metadata.yaml`` and a
    generated README.md) left inside ``keps/``.
    """
    for readme in repo.walked.orphan_readmes:
        msg = f"{repo.relative(readme)} has no {KEP_FILE} beside it (CI requires one)"
        if (readme.parent / METADATA_FILE).exists():
            msg += (
                f"; this folder is in the 2018 layout ({METADATA_FILE}): convert it to {KEP_FILE}"
            )
        yield Problem("kep-yaml-missing", msg, path=str(readme), line=1)


def kep_yaml_parses_strictly(repo: Repository) -> Iterator[Problem]:
    """Every kep.yaml CI finds decodes as ``KEPHandler.Parse`` decodes it (``api/proposal.go``).

    Unknown and repeated keys, values of the wrong kind, and required fields (title,
    kep-number, authors, owning-sig, approvers, status) that are missing, null or ``""``.
    """
    for path in repo.walked.kep_files:
        yield from repo.strict(path).problems


def _at(decoded: Decoded, path: Path, code: str, message: str, field: str) -> Problem:
    return Problem(code, message, path=str(path), field=field, line=decoded.lines.get(field))


def prr_is_approved(repo: Repository) -> Iterator[Problem]:
    """An implementable or implemented KEP has the PRR approval CI asks of it.

    Mirrors ``ValidatePRR`` (``pkg/kepval/approval.go``) and ``PRRHandler.Parse``
    (``api/approval.go``), for every kep.yaml that parses: such a KEP names its
    latest-milestone and stage; from v1.21 on, ``keps/prod-readiness/<owning-sig>/
    <kep-number as written>.yaml`` exists, decodes strictly (known stages only, a
    kep-number, a non-empty approver for each stage given), names an approver for the
    KEP's stage (a valid stage), and that approver, less one ``@``, is listed exactly
    under ``prod-readiness-approvers`` or its emeritus alias in OWNERS_ALIASES.
    """
    aliases, _ = read_aliases(repo.root / OWNERS_ALIASES, strict=True)
    approvers = {name for alias in PRR_ALIASES for name in (aliases or {}).get(alias, ())}
    for path in repo.walked.kep_files:
        decoded = repo.strict(path)
        if decoded.data is None or decoded.problems:
            continue  # CI stops at the parse error
        yield from _prr_problems(repo, path, decoded, approvers)


def _prr_problems(
    repo: Repository, path: Path, decoded: Decoded, approvers: set[str]
) -> Iterator[Problem]:
    data: dict[str, Any] = decoded.data or {}
    status = data.get("status", "")
    if status not in ("implementable", "implemented"):
        return
    latest = data.get("latest-milestone", "")
    stage = data.get("stage", "")
    if not latest:
        msg = f"{with_article(status)} KEP must set latest-milestone"
        yield _at(decoded, path, "latest-milestone-missing", msg, "latest-milestone")
        return
    if not stage:
        yield _at(
            decoded, path, "stage-missing", f"{with_article(status)} KEP must set stage", "stage"
        )
        return
    version = tolerant_version(latest)
    if version is None:
        msg = f"latest-milestone {latest!r} must be a release such as v1.30"
        yield _at(decoded, path, "latest-milestone-invalid", msg, "latest-milestone")
        return
    if _before_prr(version):
        return
    prr_dir = Path(os.path.normpath(repo.keps_dir / PRR_DIR))
    # filepath.Join cleans the path, as normpath does; it must stay in prod-readiness/
    prr_path = Path(os.path.normpath(prr_dir / data["owning-sig"] / f"{data['kep-number']}.yaml"))
    if prr_dir not in prr_path.parents or not prr_path.is_file():
        msg = f"production readiness approval file {repo.relative(prr_path)} is missing"
        yield _at(decoded, path, "prr-file-missing", msg, "kep-number")
        return
    prr = repo.strict(prr_path, kep_file=False)
    if prr.data is None or prr.problems:
        yield from (attrs.evolve(p, code=_prr_code(p.code)) for p in prr.problems)
        return
    if stage not in STAGES:
        msg = f"stage {stage!r} is not one of: {', '.join(STAGES)}"
        yield _at(decoded, path, "stage-invalid", msg, "stage")
        return
    given = [s for s in STAGES if s in prr.data]
    if stage not in given:
        said = f"names approvers only for {', '.join(given)}" if given else "names no stage"
        msg = f"{repo.relative(prr_path)} {said}; stage {stage!r} needs a PRR approver"
        yield Problem("prr-approver-missing", msg, path=str(prr_path), line=1)
        return
    approver = str(prr.data[stage].get("approver", ""))
    if approver.removeprefix("@") not in approvers:
        msg = (
            f"PRR approver {approver} for stage {stage!r} is not listed (exactly, less one @) "
            f"in {' or '.join(PRR_ALIASES)} in {OWNERS_ALIASES}"
        )
        line = prr.lines.get(f"{stage}.approver")
        yield Problem(
            "prr-approver-not-allowed",
            msg,
            path=str(prr_path),
            field=f"{stage}.approver",
            line=line,
        )


def _prr_code(code: str) -> str:
    """A PRR file's parse problem under its own code (``prr-key-unknown``...)."""
    return code if code.startswith("prr-") else f"prr-{code}"


def _late_checks() -> tuple[RepositoryCheck, ...]:
    from keps.validate.nodeapprovers import assigned_people_match_owners, tech_leads_approve
    from keps.validate.toc import toc_is_current

    return (assigned_people_match_owners, tech_leads_approve, toc_is_current)


#: The kepval rules, in the order their problems are reported.
KEPVAL_CHECKS: tuple[RepositoryCheck, ...] = (
    checkout_is_complete,
    every_readme_has_its_kep_yaml,
    kep_yaml_parses_strictly,
    prr_is_approved,
    *_late_checks(),
)
