"""tests/mutation.py: sampling mutmut's mutants per area and scoring what it ran."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests import mutation

ROOT = Path(__file__).resolve().parent.parent


def write_meta(mutants: Path, source: str, codes: dict[str, int | None]) -> None:
    """A ``.meta`` file as mutmut writes it for *source*, with these exit codes."""
    meta = mutants / f"{source}.meta"
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps({"exit_code_by_key": codes, "durations_by_key": {}}))


def tree(tmp_path: Path) -> Path:
    mutants = tmp_path / "mutants"
    write_meta(
        mutants,
        "keps/index/cache.py",
        {f"keps.index.cache.x_f__mutmut_{i}": 1 for i in range(1, 9)}
        | {"keps.index.cache.x_f__mutmut_9": 0, "keps.index.cache.x_f__mutmut_10": 33},
    )
    write_meta(mutants, "keps/_files.py", {"keps._files.x_g__mutmut_1": None})
    write_meta(mutants, "keps/site/pages.py", {"keps.site.pages.x_h__mutmut_1": 0})
    return mutants


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.mutation", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_scores_count_no_test_as_survived_and_skip_what_did_not_run(tmp_path: Path) -> None:
    results = mutation.load_results(tree(tmp_path))
    tallies = mutation.tally(results)
    index = tallies["keps/index"]
    assert (index.killed, index.unjudged) == (8, 0)
    assert index.survivors == ["keps.index.cache.x_f__mutmut_9", "keps.index.cache.x_f__mutmut_10"]
    assert index.score() == "8/10 (80% +- 25%)"
    assert tallies["keps/index/cache.py"].killed == 8
    assert tallies["keps/_files.py"].score() == "none judged"
    assert tallies["keps/_files.py"].unjudged == 1  # an area of one file is counted once
    assert "keps/site/pages.py" not in tallies  # no area of issue #18


def test_a_sample_takes_as_many_per_area_as_asked_and_repeats_with_its_seed(
    tmp_path: Path,
) -> None:
    results = mutation.load_results(tree(tmp_path))
    picked = mutation.sample(results, 3, seed=7)
    assert len([n for n in picked if n.startswith("keps.index.")]) == 3
    assert [n for n in picked if n.startswith("keps._files.")] == ["keps._files.x_g__mutmut_1"]
    assert not any(n.startswith("keps.site.") for n in picked)
    assert mutation.sample(results, 3, seed=7) == picked


def test_the_command_line(tmp_path: Path) -> None:
    mutants = tree(tmp_path)
    names = tmp_path / "sample.txt"
    names.write_text("keps.index.cache.x_f__mutmut_1\nkeps.index.cache.x_f__mutmut_9\n")
    shown = run("--mutants", str(mutants), "scores", str(names))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        f"{'keps/index':24} {'1/2 (50% +- 69%)':24} not run: 0",
        "  keps/index/cache.py 1/2 (50% +- 69%): x_f__mutmut_9",
    ]
    sampled = run("--mutants", str(mutants), "sample", "1", "--seed", "3")
    assert len(sampled.stdout.split()) == 2  # one of the index, the one of _files.py
    names.write_text("keps.nothing.x__mutmut_1\n")
    refused = run("--mutants", str(mutants), "scores", str(names))
    assert (refused.returncode, refused.stderr) == (
        2,
        "not a mutant of this tree: keps.nothing.x__mutmut_1\n",
    )
    empty = run("--mutants", str(tmp_path / "none"), "scores")
    assert empty.returncode == 2 and "run mutmut first" in empty.stderr
