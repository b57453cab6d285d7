"""A small kubernetes/enhancements checkout written by the tests, so no test needs ../shared.

:func:`write_checkout` lays out ``keps/<sig>/<number>-<name>/kep.yaml`` (+ README.md),
the approval files under ``keps/prod-readiness/``, ``OWNERS_ALIASES`` and the template
folder, the way the real repository does. The KEPs vary in SIG, status, stage,
milestone (from v1.9, which sorts after v1.29 as text, to v1.36), feature gates and PRR
approvers, so queries have something to tell apart. :func:`broken_checkout` writes
nine KEPs, each with one fault the real corpus has (or, as its twin, without it).
:func:`scan` and :func:`prr_approvals` read the files back with plain PyYAML, apart
from keps, for the tests to compare with.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.validate_helpers import readme

SIGS = ("sig-node", "sig-apps", "sig-storage", "sig-network")
STAGES = ("alpha", "beta", "stable")
PRR_APPROVERS = ("deads2k", "jpbetz")
SHARED_GATE = "SharedGate"

OWNERS_ALIASES = """\
aliases:
  prod-readiness-approvers:
    - deads2k
    - jpbetz
  prod-readiness-approvers-emeritus:
    - wojtek-t
  sig-node-tech-leads:
    - dchen1107
"""

#: The template folder's kep.yaml, as the real repository has it (kepval checks it too).
TEMPLATE = """\
title: KEP Template
kep-number: NNNN
authors:
  - "@jane.doe"
owning-sig: sig-xyz
participating-sigs:
  - sig-aaa
status: provisional|implementable|implemented|deferred|rejected|withdrawn|replaced
creation-date: yyyy-mm-dd
reviewers:
  - TBD
approvers:
  - TBD
  - "@oscar.doe"
stage: alpha|beta|stable
latest-milestone: "v1.19"
milestone:
  alpha: "v1.19"
"""


def kep_number(position: int) -> int:
    """The number of the KEP at *position* (0, 1, ...)."""
    return 1000 + position


def _kep(position: int) -> tuple[str, str, dict[int, dict[str, str]]]:
    """(folder under keps/, kep.yaml text, approval file by stage) of the KEP at *position*."""
    number = kep_number(position)
    sig = SIGS[position % len(SIGS)]
    stage_at = position % len(STAGES)
    stage = STAGES[stage_at]
    minor = 9 + (position * 5) % 28
    milestones = {STAGES[k]: f"v1.{minor - (stage_at - k)}" for k in range(stage_at + 1)}
    status = "implemented" if stage == "stable" else "implementable"
    if position % 7 == 6:
        status = "provisional"
    gates = [f"Gate{number}"] if position % 2 == 0 else []
    if position % 5 == 0:
        gates.append(SHARED_GATE)
    lines = [
        f"title: 'KEP {number}, \"{stage}\" work for {sig}'",
        f"kep-number: {number}",
        "authors:",
        f'  - "@author{position % 3}"',
        f"owning-sig: {sig}",
        "participating-sigs:",
        f"  - {SIGS[(position + 1) % len(SIGS)]}",
        f"status: {status}",
        f"creation-date: 2020-{1 + position % 12:02d}-{1 + position % 28:02d}",
        "reviewers:",
        '  - "@rita"',
        "approvers:",
        '  - "@arnold"',
        f"stage: {stage}",
        f'latest-milestone: "v1.{minor}"',
        "milestone:",
        *(f'  {name}: "{value}"' for name, value in milestones.items()),
    ]
    if gates:
        lines.append("feature-gates:")
        for gate in gates:
            lines += [f"  - name: {gate}", "    components:", "      - kubelet"]
        lines.append("disable-supported: true")
    approvals = {
        k: {"approver": f"@{PRR_APPROVERS[(position + k) % 2]}"} for k in range(stage_at + 1)
    }
    return f"{sig}/{number}-kep-{position}", "\n".join(lines) + "\n", approvals


def write_checkout(root: Path, count: int = 36) -> Path:
    """*count* sound KEPs (kepval and lint find nothing) under *root*/keps; returns *root*."""
    keps_dir = root / "keps"
    template = keps_dir / "NNNN-kep-template"
    template.mkdir(parents=True)
    (template / "kep.yaml").write_text(TEMPLATE, encoding="utf-8")
    for position in range(count):
        folder, text, approvals = _kep(position)
        kep_dir = keps_dir / folder
        kep_dir.mkdir(parents=True)
        (kep_dir / "kep.yaml").write_text(text, encoding="utf-8")
        (kep_dir / "README.md").write_text(readme(f"KEP-{kep_number(position)}"))
        data = yaml.safe_load(text)
        if data["status"] in ("implementable", "implemented"):
            sig, number = data["owning-sig"], data["kep-number"]
            prr = keps_dir / "prod-readiness" / sig / f"{number}.yaml"
            prr.parent.mkdir(parents=True, exist_ok=True)
            body = {"kep-number": number} | {STAGES[k]: v for k, v in approvals.items()}
            prr.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    _structure(root)
    return root


def scan(root: Path) -> list[tuple[Path, dict[str, object]]]:
    """Every KEP's kep.yaml under *root*/keps read with PyYAML as strings, the template left out."""
    out = []
    for path in sorted((root / "keps").rglob("kep.yaml")):
        if path.parent.name == "NNNN-kep-template":
            continue
        out.append((path, yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)))
    return out


def prr_approvals(root: Path) -> dict[tuple[str, str], set[str]]:
    """(owning SIG, number) -> the approvers an approval file names, '@' removed."""
    found: dict[tuple[str, str], set[str]] = {}
    for path in (root / "keps" / "prod-readiness").rglob("*.yaml"):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
        names = {
            str(v["approver"]).lstrip("@")
            for v in data.values()
            if isinstance(v, dict) and v.get("approver")
        }
        found[(path.parent.name, path.stem)] = names
    return found


def kep_yaml(
    number: object,
    sig: str,
    *,
    status: str = "implementable",
    created: str = "2023-01-05",
    stage: str = "beta",
    participating: str = "sig-apps",
    approvers: str = '\n  - "@arnold"',
) -> str:
    """A sound kep.yaml before v1.21 (no approval file needed), one field changed at will."""
    return f"""\
title: KEP {number}
kep-number: {number}
authors:
  - "@alice"
owning-sig: {sig}
participating-sigs:
  - {participating}
status: {status}
creation-date: {created}
reviewers:
  - "@rita"
approvers:{approvers}
stage: {stage}
latest-milestone: "v1.20"
milestone:
  beta: "v1.20"
"""


def broken_checkout(root: Path, *, broken: bool) -> Path:
    """Nine KEPs, each with one of the faults the corpus has (or, as the twin, without it)."""
    b = broken
    texts = {
        "sig-api-machinery/101-dates": kep_yaml(
            101, "sig-api-machinery", created="2023-15-05" if b else "2023-01-05"
        ),
        "sig-node/102-status": kep_yaml(
            102, "sig-node", status="implemnted" if b else "implemented", stage="stable"
        ),
        "sig-node/103-mismatch": kep_yaml(113 if b else 103, "sig-node"),
        "sig-node/104-first": kep_yaml(104, "sig-node"),
        "sig-apps/105-second": kep_yaml(104 if b else 105, "sig-apps", participating="sig-node"),
        "sig-architecture/" + ("0000-process" if b else "106-process"): kep_yaml(
            "0000" if b else 106, "sig-architecture"
        ),
        "sig-instrumentation/107-stage": kep_yaml(
            107, "sig-instrumentation", stage="betta" if b else "beta"
        ),
        "sig-cli/108-participating": kep_yaml(
            108, "sig-cli", participating="sig-nope" if b else "sig-apps"
        ),
        "sig-scheduling/109-approvers": kep_yaml(
            109, "sig-scheduling", approvers=" []" if b else '\n  - "@arnold"'
        ),
    }
    for folder, text in texts.items():
        kep_dir = root / "keps" / folder
        kep_dir.mkdir(parents=True)
        (kep_dir / "kep.yaml").write_text(text, encoding="utf-8")
        (kep_dir / "README.md").write_text(readme("KEP"), encoding="utf-8")
    _structure(root)
    return root


def _structure(root: Path) -> None:
    """What upstream CI needs of a checkout besides its KEPs: the keps/ README, the
    prod-readiness folder, the template and OWNERS_ALIASES (see keps.validate)."""
    (root / "keps" / "README.md").write_text("# Kubernetes Enhancement Proposals\n")
    (root / "keps" / "prod-readiness").mkdir(exist_ok=True)
    (root / "keps" / "prod-readiness" / "README.md").write_text("# Production Readiness\n")
    template = root / "keps" / "NNNN-kep-template"
    template.mkdir(exist_ok=True)
    (template / "kep.yaml").write_text(TEMPLATE, encoding="utf-8")
    (template / "README.md").write_text(readme("KEP-NNNN: Your short, descriptive title"))
    (root / "OWNERS_ALIASES").write_text(OWNERS_ALIASES, encoding="utf-8")
