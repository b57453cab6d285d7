"""The shared corpus as a checkout: what its copy of kubernetes/enhancements left out.

``../shared/corpus/enhancements-2026`` copies ``keps/`` without the ``OWNERS`` files
that sit beside 38 SIG Node KEPs upstream. Those files list exactly the people the
kep.yaml marks ``# sig-node-assigned-reviewer`` / ``# sig-node-assigned-approver``
(``pkg/nodeapprovers`` holds them to that), so a test that needs the corpus to pass
kepval writes them back from the markers, in a copy. The scan here is plain text on
purpose: it does not share code with the rule it feeds.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["annotated_keps", "restore_dropped_owners"]

_KEY = re.compile(r"^([A-Za-z][\w-]*):")
_MARKED = re.compile(
    r"""^\s*-\s*["']?@?([^"'\s#]+)["']?\s*#\s*sig-node-assigned-(reviewer|approver)\s*$"""
)


def _marked(kep_yaml: Path) -> dict[str, list[str]]:
    people: dict[str, list[str]] = {"reviewers": [], "approvers": []}
    key = ""
    for line in kep_yaml.read_text(encoding="utf-8").splitlines():
        top = _KEY.match(line)
        if top is not None:
            key = top[1]
            continue
        found = _MARKED.match(line)
        if found is not None and key == f"{found[2]}s":
            people[key].append(found[1].lower())
    return people


def annotated_keps(root: Path) -> list[str]:
    """Every kep.yaml (relative to *root*) that marks an assigned reviewer or approver."""
    return sorted(
        path.relative_to(root).as_posix()
        for path in (root / "keps").rglob("kep.yaml")
        if any(_marked(path).values())
    )


def restore_dropped_owners(root: Path) -> int:
    """Write the OWNERS file of every annotated KEP of the checkout at *root*; how many."""
    count = 0
    for relative in annotated_keps(root):
        kep_yaml = root / relative
        owners = kep_yaml.parent / "OWNERS"
        if owners.exists():
            continue
        lines = []
        for key, people in _marked(kep_yaml).items():
            lines.append(f"{key}:")
            lines += [f"  - {name} # sig-node-assigned-{key[:-1]}" for name in people]
        owners.write_text("\n".join(lines) + "\n", encoding="utf-8")
        count += 1
    return count
