"""Mutation scores per area from mutmut's results, and random samples of its mutants.

The whole set (some 13,000 mutants) takes days on a small machine; a random sample per
area gives a score with a known margin in an hour or two::

    mutmut run "keps.index.lock.*"          # once: makes every mutant and mutmut's stats
    mutmut run $(python -m tests.mutation sample 40 --seed 1 > sample.txt; cat sample.txt)
    python -m tests.mutation scores sample.txt

``scores`` without a file counts every mutant mutmut has run. It reads ``mutants/**/
*.meta``, mutmut's own record of each mutant's exit code (1 and other failures: killed;
0: survived; 33: no test reaches it, counted as survived).
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import random
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["AREAS", "Tally", "area_of", "load_results", "sample", "tally"]

#: The areas issue #18 names, as path prefixes under the repository.
AREAS: dict[str, str] = {
    "keps/keps": "keps/keps/",
    "keps/workflow": "keps/workflow/",
    "keps/index": "keps/index/",
    "keps/_files.py": "keps/_files.py",
    "keps/filter": "keps/filter/",
    "keps/validate": "keps/validate/",
    "keps/porcelain/auth.py": "keps/porcelain/auth.py",
}

#: mutmut's exit codes that mean the mutant lived: the tests passed, or none reached it.
SURVIVED = frozenset({0, 33})
#: Exit codes of a mutant that was not judged (skipped, or its run was interrupted).
UNJUDGED = frozenset({34, None})


def area_of(source: str) -> str | None:
    """The area of the source file *source* (``keps/index/cache.py``), None if in none."""
    for area, prefix in AREAS.items():
        if source.startswith(prefix):
            return area
    return None


def load_results(mutants: Path) -> dict[str, tuple[str, int | None]]:
    """Every mutant's name -> (its source file, its exit code or None if not run yet)."""
    out: dict[str, tuple[str, int | None]] = {}
    for meta in sorted(mutants.glob("keps/**/*.meta")):
        source = meta.relative_to(mutants).as_posix().removesuffix(".meta")
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        for name, code in codes.items():
            out[name] = (source, code)
    return out


def sample(results: dict[str, tuple[str, int | None]], per_area: int, seed: int) -> list[str]:
    """*per_area* mutants drawn at random from each area (fewer where it has fewer)."""
    rng = random.Random(seed)
    picked: list[str] = []
    for area in AREAS:
        names = sorted(n for n, (source, _) in results.items() if area_of(source) == area)
        picked += rng.sample(names, min(per_area, len(names)))
    return picked


class Tally:
    """Killed and survived mutants of one area or file, and the survivors' names."""

    def __init__(self) -> None:
        self.killed = 0
        self.survivors: list[str] = []
        self.unjudged = 0

    @property
    def judged(self) -> int:
        """Mutants with a verdict."""
        return self.killed + len(self.survivors)

    def score(self) -> str:
        """``killed/judged (percent, +- the 95% margin of a sample of that size)``."""
        if not self.judged:
            return "none judged"
        share = self.killed / self.judged
        margin = 1.96 * math.sqrt(share * (1 - share) / self.judged)
        return f"{self.killed}/{self.judged} ({share:.0%} +- {margin:.0%})"


def tally(
    results: dict[str, tuple[str, int | None]], names: Iterable[str] | None = None
) -> dict[str, Tally]:
    """A Tally per area of the mutants *names* (default: all), plus one per source file."""
    tallies: dict[str, Tally] = collections.defaultdict(Tally)
    for name in names if names is not None else results:
        source, code = results[name]
        area = area_of(source)
        for key in {area, source} if area is not None else ():  # one key for a file area
            if code in UNJUDGED:
                tallies[key].unjudged += 1
            elif code in SURVIVED:
                tallies[key].survivors.append(name)
            else:
                tallies[key].killed += 1
    return dict(tallies)


def main(argv: Sequence[str] | None = None) -> int:
    """``sample N [--seed S]`` prints mutant names; ``scores [FILE...]`` prints scores."""
    parser = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__)
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    commands = parser.add_subparsers(dest="command", required=True)
    pick = commands.add_parser("sample", help="print N random mutant names per area")
    pick.add_argument("per_area", type=int)
    pick.add_argument("--seed", type=int, default=1)
    scores = commands.add_parser("scores", help="scores per area and file, survivors listed")
    scores.add_argument("files", nargs="*", type=Path, help="files of mutant names")
    args = parser.parse_args(argv)
    results = load_results(args.mutants)
    if not results:
        print(f"no mutmut results in {args.mutants}/ (run mutmut first)", file=sys.stderr)
        return 2
    if args.command == "sample":
        print("\n".join(sample(results, args.per_area, args.seed)))
        return 0
    names = None
    if args.files:
        names = [n for f in args.files for n in f.read_text(encoding="utf-8").split()]
        unknown = [n for n in names if n not in results]
        if unknown:
            print(f"not a mutant of this tree: {unknown[0]}", file=sys.stderr)
            return 2
    tallies = tally(results, names)
    for area in AREAS:
        if area in tallies:
            t = tallies[area]
            print(f"{area:24} {t.score():24} not run: {t.unjudged}")
    for key in sorted(k for k in tallies if k not in AREAS):
        t = tallies[key]
        if t.survivors:
            short = " ".join(n.rsplit(".", 1)[1] for n in t.survivors)
            print(f"  {key} {t.score()}: {short}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
