"""SIG Node's assigned reviewers, assigned approvers and tech leads, as CI checks them.

Mirrors ``pkg/nodeapprovers/verify.go`` (run by ``hack/verify-node-approvers.sh`` and
``make test`` through ``test/node_approvers_test.go``):

* every kep.yaml under ``keps/`` whose reviewers or approvers carry the inline comment
  ``# sig-node-assigned-reviewer`` / ``# sig-node-assigned-approver`` has an OWNERS
  file beside it listing exactly those people (handles compared without ``@``, case
  ignored), under reviewers and approvers; and an OWNERS file beside a kep.yaml lists
  no one its kep.yaml does not so mark;
* every kep.yaml under ``keps/sig-node/`` that is not withdrawn, rejected or replaced
  and whose latest-milestone is v1.36 or later lists approvers; an alpha KEP whose
  latest-milestone is the upcoming release or later lists a ``sig-node-tech-leads``
  member (OWNERS_ALIASES) and marks no approver; any other such KEP lists a tech lead
  or a marked approver.

Upstream learns the upcoming release from kubernetes/sig-release at run time; here it
is :attr:`Repository.release <keps.validate.repository.Repository.release>`
(``--release``), else the newest latest-milestone in the checkout.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import attrs
import yaml

from keps._files import read_text
from keps._names import KEP_FILE
from keps.errors import KepError
from keps.keps.layouts.enhancements import OWNERS_ALIASES
from keps.problems import Problem
from keps.validate.owners import read_aliases, read_owners_file
from keps.validate.repository import Repository

__all__ = [
    "ENFORCED_FROM_MINOR",
    "TECH_LEADS_ALIAS",
    "assigned_people_match_owners",
    "milestone_minor",
    "tech_leads_approve",
    "upcoming_minor",
]

#: KEPs whose latest-milestone is before v1.36 are not held to the tech-lead rules.
ENFORCED_FROM_MINOR = 36

#: The OWNERS_ALIASES group of SIG Node tech leads.
TECH_LEADS_ALIAS = "sig-node-tech-leads"

_REVIEWER = "sig-node-assigned-reviewer"
_APPROVER = "sig-node-assigned-approver"
_OWNERS = "OWNERS"
_SIG_NODE = "sig-node"
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_COMMENT = re.compile(r"\s+#(.*)$|^#(.*)$")
_INT = re.compile(r"[+-]?[0-9]+")


def _user(name: str) -> str:
    """A handle as upstream compares them: spaces and one leading ``@`` off, lower case."""
    return name.strip().removeprefix("@").lower()


def milestone_minor(text: str) -> int:
    """The minor version of a milestone such as ``v1.36``, as upstream reads it; 0 if none."""
    parts = text.strip('"').strip().removeprefix("v").split(".", 2)
    if len(parts) < 2 or not _INT.fullmatch(parts[1]) or len(parts[1]) > 19:
        return 0  # not a number, or one past what upstream's strconv.Atoi reads
    return int(parts[1])


@attrs.frozen
class _Person:
    user: str
    marker: str
    line: int


@attrs.frozen
class _NodeKep:
    """What the checks read from one kep.yaml: status, stage, milestone, people."""

    status: str = ""
    stage: str = ""
    latest_milestone: str = ""
    reviewers: tuple[_Person, ...] = ()
    approvers: tuple[_Person, ...] = ()
    approvers_line: int | None = None


def _marker(lines: list[str], node: yaml.Node) -> str:
    """The inline comment after *node* on its line, less ``#`` and spaces."""
    mark = node.end_mark
    if mark.line >= len(lines):
        return ""
    match = _COMMENT.match(lines[mark.line][mark.column :])
    if match is None:
        return ""
    return (match[1] if match[1] is not None else match[2]).strip()


def _people(lines: list[str], node: yaml.Node | None) -> tuple[_Person, ...]:
    if not isinstance(node, yaml.SequenceNode):
        return ()
    return tuple(
        _Person(_user(str(item.value)), _marker(lines, item), item.start_mark.line + 1)
        for item in node.value
        if isinstance(item, yaml.ScalarNode)
    )


def _read_kep(path: Path) -> _NodeKep | None:
    """The parts of the kep.yaml at *path* these rules read; None if it is not YAML."""
    try:
        text = read_text(path)
        root = next(yaml.compose_all(text, Loader=_Loader), None)  # the first document
    except (KepError, yaml.YAMLError):
        return None  # reported by kep_yaml_parses_strictly
    if not isinstance(root, yaml.MappingNode):
        return _NodeKep()
    values: dict[str, yaml.Node] = {}
    key_lines: dict[str, int] = {}
    for key, value in root.value:
        name = str(getattr(key, "value", ""))
        values.setdefault(name, value)
        key_lines.setdefault(name, key.start_mark.line + 1)

    def scalar(key: str) -> str:
        node = values.get(key)
        return str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""

    lines = text.split("\n")
    return _NodeKep(
        scalar("status"),
        scalar("stage"),
        scalar("latest-milestone"),
        _people(lines, values.get("reviewers")),
        _people(lines, values.get("approvers")),
        key_lines.get("approvers"),
    )


def _kep_files(folder: Path) -> Iterator[Path]:
    """Every kep.yaml under *folder*, in walk order (links to folders not followed)."""
    for parent, dirs, files in os.walk(folder):
        dirs.sort()
        if KEP_FILE in files:
            yield Path(parent) / KEP_FILE


def assigned_people_match_owners(repo: Repository) -> Iterator[Problem]:
    """Marked reviewers and approvers are the OWNERS file beside their kep.yaml, both ways."""
    for path in _kep_files(repo.keps_dir):
        kep = _read_kep(path)
        if kep is None:
            continue
        marked = {
            "reviewer": [p for p in kep.reviewers if p.marker == _REVIEWER],
            "approver": [p for p in kep.approvers if p.marker == _APPROVER],
        }
        owners_path = path.parent / _OWNERS
        if not owners_path.exists():
            for role, people in marked.items():
                for person in people:
                    msg = f"assigned {role} {person.user} needs an OWNERS file beside kep.yaml"
                    yield Problem("node-owners-missing", msg, path=str(path), line=person.line)
            continue
        owners, problems = read_owners_file(owners_path)
        if owners is None:
            yield from problems
            continue
        for role, people in marked.items():
            listed = [_user(n) for n in owners.get(f"{role}s", [])]
            for person in people:
                if person.user not in listed:
                    msg = f"assigned {role} {person.user} is not listed under {role}s in OWNERS"
                    yield Problem("node-owner-not-listed", msg, path=str(path), line=person.line)
            for name in owners.get(f"{role}s", []):
                if _user(name) not in {p.user for p in people}:
                    msg = (
                        f"{role} {_user(name)} is listed in OWNERS but not marked "
                        f"# sig-node-assigned-{role} in kep.yaml"
                    )
                    yield Problem("node-owner-not-marked", msg, path=str(owners_path))


def upcoming_minor(repo: Repository) -> int:
    """The minor version of the upcoming release: ``--release``, else the checkout's newest.

    The newest latest-milestone of the checkout is never older than the release in
    progress, so with it no KEP is held to the active-alpha rule that CI would not hold.
    """
    if repo.release is not None:
        return int(repo.release.version.minor)
    minors = [milestone_minor(k.metadata.latest_milestone) for k in repo.keps]
    return max(minors, default=0) or 999  # 999: upstream's fallback, no KEP actively alpha


def tech_leads_approve(repo: Repository) -> Iterator[Problem]:
    """SIG Node KEPs from v1.36 on have a tech lead or an assigned approver among approvers."""
    sig_node = repo.keps_dir / _SIG_NODE
    aliases_path = repo.root / OWNERS_ALIASES
    aliases, _ = read_aliases(aliases_path, strict=False)
    if aliases is None:
        return  # absent or broken: checkout_is_complete reports it (its strict read fails too)
    leads = {_user(n) for n in aliases.get(TECH_LEADS_ALIAS, [])}
    if not leads:
        said = "has no members" if TECH_LEADS_ALIAS in aliases else "is missing"
        msg = f"{OWNERS_ALIASES}: the alias {TECH_LEADS_ALIAS} {said} (CI needs it)"
        yield Problem("node-tech-leads-missing", msg, path=str(aliases_path))
        return
    if not sig_node.is_dir():
        msg = "keps/sig-node/ is missing (CI walks it for the SIG Node approver rules)"
        yield Problem("checkout-incomplete", msg, path=str(sig_node))
        return
    upcoming = upcoming_minor(repo)
    for path in _kep_files(sig_node):
        kep = _read_kep(path)
        if kep is None or kep.status in ("withdrawn", "rejected", "replaced"):
            continue
        minor = milestone_minor(kep.latest_milestone)
        if minor < ENFORCED_FROM_MINOR:
            continue
        line = kep.approvers_line
        if not kep.approvers:
            msg = "no approvers listed (SIG Node KEPs from v1.36 on)"
            yield Problem(
                "node-approvers-missing", msg, path=str(path), field="approvers", line=line
            )
            continue
        has_lead = any(p.user in leads for p in kep.approvers)
        marked = [p for p in kep.approvers if p.marker == _APPROVER]
        if kep.stage == "alpha" and minor >= upcoming:
            if not has_lead:
                msg = f"an alpha KEP must list a {TECH_LEADS_ALIAS} member among its approvers"
                yield Problem(
                    "node-tech-lead-missing", msg, path=str(path), field="approvers", line=line
                )
            for person in marked:
                msg = f"an alpha KEP must not mark approver {person.user} # {_APPROVER}"
                yield Problem(
                    "node-alpha-marker", msg, path=str(path), field="approvers", line=person.line
                )
        elif not has_lead and not marked:
            msg = (
                f"a KEP past alpha must list a {TECH_LEADS_ALIAS} member or an approver "
                f"marked # {_APPROVER}"
            )
            yield Problem(
                "node-tech-lead-missing", msg, path=str(path), field="approvers", line=line
            )
