"""Baselines: record today's problems once, then report only new ones.

A baseline is a JSON file listing problems by (file relative to the repository root,
code, field) with a count. Lines are left out on purpose: an edit above a known
problem moves it, and it must not come back as new. A KEP with two known problems of
one kind that gains a third reports one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from keps._files import atomic_write_text, read_text
from keps.errors import InvalidContentError
from keps.problems import Problem
from keps.validate.repository import Repository

__all__ = ["BASELINE_FORMAT", "Fingerprint", "new_problems", "read_baseline", "write_baseline"]

BASELINE_FORMAT = "keps-baseline/1"

Fingerprint = tuple[str, str, str]


def _fingerprint(repo: Repository, problem: Problem) -> Fingerprint:
    return (repo.relative(problem.path or ""), problem.code, problem.field or "")


def write_baseline(repo: Repository, problems: Iterable[Problem], path: str | Path) -> int:
    """Record *problems* in the baseline file at *path* (atomically); returns how many."""
    counts = Counter(_fingerprint(repo, p) for p in problems)
    entries = [
        {"file": file, "code": code, "field": field, "count": count}
        for (file, code, field), count in sorted(counts.items())
    ]
    document = {"format": BASELINE_FORMAT, "problems": entries}
    atomic_write_text(Path(path), json.dumps(document, indent=2) + "\n")
    return sum(counts.values())


def read_baseline(path: str | Path) -> Counter[Fingerprint]:
    """The problems recorded in the baseline at *path*, with their counts.

    Raises:
        InvalidContentError: the file is not a baseline written by :func:`write_baseline`.
    """
    location = Path(path)
    try:
        document = json.loads(read_text(location))
        entries = document["problems"]
        return Counter(
            {
                (str(e["file"]), str(e["code"]), str(e.get("field") or "")): int(e["count"])
                for e in entries
            }
        )
    except (ValueError, KeyError, TypeError) as exc:
        msg = f"{location} is not a keps baseline ({BASELINE_FORMAT}): {exc}"
        raise InvalidContentError(msg, path=location) from exc


def new_problems(
    repo: Repository, problems: Iterable[Problem], baseline: Counter[Fingerprint]
) -> tuple[Problem, ...]:
    """The *problems* the baseline does not account for, in their order."""
    left = Counter(baseline)
    out = []
    for problem in problems:
        key = _fingerprint(repo, problem)
        if left[key] > 0:
            left[key] -= 1
        else:
            out.append(problem)
    return tuple(out)
