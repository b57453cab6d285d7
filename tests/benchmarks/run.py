"""Index and query benchmarks against the naive baseline, measured in the same run.

    python -m tests.benchmarks.run [--count 1000,10000] [--runs 5]

Trees come from ``../shared/bench/gen_content.py ROOT --count N --seed 1`` and are cached
in ``tests/benchmarks/.cache/`` (ignored by git). Results print as a table and are written
to ``tests/benchmarks/results/<time>-<commit>.json`` (ignored) for comparing commits.
Without ../shared the run says so and exits 0 (nothing to measure against).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SHARED = REPO.parent / "shared"
BENCH = SHARED / "bench"
CACHE = HERE / ".cache"
RESULTS = HERE / "results"

#: Targets at 10,000 KEPs (issue: "an index that beats the Go seed").
TARGETS: dict[str, tuple[str, float]] = {
    "cold_rebuild": ("ratio", 0.55),
    "warm_rebuild_unchanged": ("ratio", 0.05),
    "warm_rebuild_one_changed": ("ratio", 0.06),
    "open_one_kep": ("us", 135.0),
    "filter_query": ("ms", 10.0),
    "kepctl_query_process": ("ms", 250.0),
    "peak_rss_cold_rebuild": ("MiB", 100.0),
}

#: The 656-KEP kubernetes/enhancements checkout (issue #13): kepctl query, warm cache.
CHECKOUT_TARGET_MS = 150.0


def corpus_copy() -> Path | None:
    """A copy of the corpus checkout in .cache/ (made once), or None without ../shared.

    The benchmarks write nothing there, but a copy keeps ../shared untouched whatever
    happens.
    """
    source = SHARED / "corpus" / "enhancements-2026"
    if not source.is_dir():
        return None
    root = CACHE / "enhancements-2026"
    if not root.is_dir():
        import shutil

        CACHE.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, root)
    return root


def measure_checkout(runs: int, env: dict[str, str]) -> dict[str, Any] | None:
    """``kepctl query --sig sig-node --output json`` as a new process in the corpus checkout.

    The first query fills the index cache and is reported on its own; the figure is the
    steady state.
    """
    root = corpus_copy()
    if root is None:
        return None
    command = [sys.executable, "-m", "keps", "query", "--sig", "sig-node", "--output", "json"]
    query = lambda: subprocess.run(  # noqa: E731
        command, check=True, capture_output=True, cwd=root, env={**os.environ, **env}
    )
    return {"first_ms": timed(query, 1), "query_ms": timed(query, runs)}


#: keps.load of the checkout and its DataFrame (issue #15): aims, in ms.
LOAD_TARGETS_MS = {"load_cold": 300.0, "dataframe_again_warm": 50.0}

LOAD_CODE = """
import json, sys, time
start = time.perf_counter()
import keps
ks = keps.load(sys.argv[1])
loaded = time.perf_counter()
import pandas
imported = time.perf_counter()
ks.to_dataframe()
first = time.perf_counter()
ks.to_dataframe()
again = time.perf_counter()
keps.load(sys.argv[1])
reloaded = time.perf_counter()
print(json.dumps({"load": loaded - start, "pandas_import": imported - loaded,
                  "dataframe_first": first - imported, "dataframe_again": again - first,
                  "load_in_process": reloaded - again}))
"""


def measure_load(runs: int) -> dict[str, list[float]] | None:
    """``keps.load`` of the corpus checkout and ``to_dataframe()``, each in a new process.

    Cold: a new process with an empty user cache (every kep.yaml parsed). Warm: a new
    process with the cache filled. Both include importing keps; pandas' own import is
    reported apart (it is the user's, once per notebook).
    """
    root = corpus_copy()
    if root is None:
        return None
    out: dict[str, list[float]] = {}
    for kind in ("cold", "warm"):
        for _ in range(runs):
            xdg = tempfile.mkdtemp(prefix="keps-bench-load-") if kind == "cold" else None
            env = {**os.environ, "XDG_CACHE_HOME": xdg or str(CACHE / "xdg-load")}
            if kind == "warm" and not (CACHE / "xdg-load").is_dir():
                subprocess.run([sys.executable, "-c", LOAD_CODE, str(root)], env=env, check=True,
                               capture_output=True)  # fmt: skip
            done = subprocess.run(
                [sys.executable, "-c", LOAD_CODE, str(root)],
                env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            for name, seconds in json.loads(done.stdout.strip().splitlines()[-1]).items():
                out.setdefault(f"{name}_{kind}", []).append(seconds * 1e3)
    return out


def tree(count: int) -> Path:
    """The generated tree of *count* KEPs, made once and kept in .cache/."""
    root = CACHE / f"tree-{count}-seed1"
    if not (root / "sigs.yaml").is_file():
        tmp = CACHE / f"tree-{count}-seed1.partial"
        subprocess.run(["rm", "-rf", str(tmp)], check=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, str(BENCH / "gen_content.py"), str(tmp), "--count", str(count),
             "--seed", "1"],
            check=True,
        )  # fmt: skip
        tmp.rename(root)
    return root


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of *runs* calls of *fn*."""
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1e3)
    return out


def naive(root: Path, runs: int) -> list[float]:
    """The naive baseline's run times in ms (its own process, as the issue measured it)."""
    out = subprocess.run(
        [sys.executable, str(BENCH / "naive_baseline.py"), str(root), str(runs)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    match = re.search(r"runs_ms=\[([^\]]*)\]", out)
    assert match, out
    return [float(x) for x in match.group(1).split(",")]


def child(code: str, env: dict[str, str]) -> dict[str, Any]:
    """Run *code* in a fresh interpreter; it prints one JSON object last."""
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def measure(count: int, runs: int, env: dict[str, str]) -> dict[str, Any]:
    import keps
    import keps.filter as kf
    import keps.index

    root = tree(count)
    os.environ.update(env)
    res: dict[str, Any] = {"count": count}
    base = naive(root, runs)
    res["naive_ms"] = base
    med = statistics.median(base)

    res["cold_rebuild_ms"] = timed(lambda: keps.index.rebuild(root, incremental=False), runs)
    keps.index.rebuild(root)
    res["warm_rebuild_unchanged_ms"] = timed(lambda: keps.index.rebuild(root), runs)

    target = sorted(root.glob("*/sig-wide/*/metadata.yaml"))[0]
    original = target.read_text(encoding="utf-8")
    flips = iter(range(10**6))

    def one_changed() -> None:
        marker = "title: X" if next(flips) % 2 == 0 else "title: "
        target.write_text(original.replace("title: ", marker, 1), encoding="utf-8")
        keps.index.rebuild(root)

    try:
        res["warm_rebuild_one_changed_ms"] = timed(one_changed, runs)
    finally:
        target.write_text(original, encoding="utf-8")

    index = keps.index.rebuild(root)
    res["persist_ms"] = timed(index.persist, runs)

    kep_dirs = [e.location for e in index.entries[:: max(1, len(index.entries) // 200)]]
    per_open = []
    for location in kep_dirs:
        start = time.perf_counter()
        keps.open(root / location, content_root=root)
        per_open.append((time.perf_counter() - start) * 1e6)
    res["open_one_kep_us"] = per_open

    criterion = kf.parse_query("sig:sig-node state:implementable")
    res["filter_query_ms"] = timed(lambda: kf.select(index.entries, criterion), max(runs, 20))

    # an installed keps starts from bytecode (pip compiles it on install); an editable
    # checkout under PYTHONDONTWRITEBYTECODE would compile every module on every start
    import compileall

    compileall.compile_dir(str(REPO / "keps"), quiet=1)
    kepctl = [sys.executable, "-m", "keps", "--content-root", str(root), "query", "--sig",
              "sig-node", "--output", "json"]  # fmt: skip
    query = lambda: subprocess.run(kepctl, check=True, capture_output=True, env={**os.environ})  # noqa: E731
    # the first query after keps.yaml changed parses it (a one-off, reported on its own);
    # the figure is the steady state, every later query starting a new process
    res["kepctl_first_query_ms"] = timed(query, 1)
    res["kepctl_query_process_ms"] = timed(query, runs)

    probe = (
        "import resource, json, keps.index\n"
        f"keps.index.rebuild({str(root)!r}, incremental=False)\n"
        "s = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "c = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'self': s, 'children': c}))"
    )
    rss = [child(probe, {**os.environ}) for _ in range(min(runs, 3))]
    res["peak_rss_cold_rebuild_mib"] = [max(r["self"], r["children"]) for r in rss]
    res["peak_rss_detail"] = rss
    res["naive_median_ms"] = med
    return res


def summarize(res: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    med = res["naive_median_ms"]
    rows = []
    for name, unit_key in (
        ("cold_rebuild", "ms"),
        ("warm_rebuild_unchanged", "ms"),
        ("warm_rebuild_one_changed", "ms"),
        ("persist", "ms"),
        ("open_one_kep", "us"),
        ("filter_query", "ms"),
        ("kepctl_query_process", "ms"),
        ("kepctl_first_query", "ms"),
        ("peak_rss_cold_rebuild", "mib"),
    ):
        value = statistics.median(res[f"{name}_{unit_key}"])
        ratio = value / med if unit_key == "ms" else None
        target = TARGETS.get(name)
        verdict = ""
        if target is not None and res["count"] == 10000:
            kind, limit = target
            got = ratio if kind == "ratio" else value
            verdict = (
                f"{'met' if got is not None and got <= limit else 'NOT met'} ({kind} <= {limit})"
            )
        rows.append(
            (name, f"{value:,.1f} {unit_key}", "" if ratio is None else f"{ratio:.3f}", verdict)
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", default="1000,10000", help="tree sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median shown)")
    parser.add_argument("--load-only", action="store_true", help="only keps.load and DataFrame")
    args = parser.parse_args(argv)
    if not BENCH.is_dir():
        print(f"SKIPPED: the benchmarks need ../shared/bench at {BENCH} (absent here)")
        return 0
    # a private user cache, so the incremental index starts cold and leaves no trace
    xdg = tempfile.mkdtemp(prefix="keps-bench-cache-")
    env = {"XDG_CACHE_HOME": xdg}
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
    ).stdout.strip()
    report: dict[str, Any] = {"commit": commit, "when": dt.datetime.now(dt.UTC).isoformat(),
                              "runs": args.runs, "results": []}  # fmt: skip
    # an installed keps starts from bytecode (pip compiles it on install); an editable
    # checkout under PYTHONDONTWRITEBYTECODE would compile every module on every start
    import compileall

    compileall.compile_dir(str(REPO / "keps"), quiet=1)
    checkout = None if args.load_only else measure_checkout(args.runs, env)
    if checkout is not None:
        report["checkout"] = checkout
        median = statistics.median(checkout["query_ms"])
        met = "met" if median <= CHECKOUT_TARGET_MS else "NOT met"
        print(
            f"\n656-KEP checkout: kepctl query --sig sig-node --output json, new process, warm"
            f" cache: median {median:,.1f} ms ({met}: <= {CHECKOUT_TARGET_MS:g} ms); first"
            f" query {checkout['first_ms'][0]:,.1f} ms"
        )
    loads = measure_load(args.runs)
    if loads is not None:
        report["load"] = loads
        print("\nkeps.load of the 656-KEP checkout, new process each run (medians, ms)")
        for name, values in loads.items():
            print(f"  {name:28} {statistics.median(values):>9,.1f}")
        for name, aim in LOAD_TARGETS_MS.items():
            median = statistics.median(loads[name])
            print(f"  aim {name}: <= {aim:g} ms: {'met' if median <= aim else 'NOT met'}")
    for count in () if args.load_only else (int(c) for c in args.count.split(",")):
        res = measure(count, args.runs, env)
        report["results"].append(res)
        print(f"\n{count:,} KEPs (naive baseline median {res['naive_median_ms']:,.1f} ms)")
        print(f"{'figure':28} {'median':>14} {'x naive':>8}  target")
        for name, value, ratio, verdict in summarize(res):
            print(f"{name:28} {value:>14} {ratio:>8}  {verdict}")
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"{stamp}-{commit or 'nocommit'}.json"
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
