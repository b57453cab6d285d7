"""Build real KEPs on disk for tests: valid ones, and ones broken in one chosen way."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import keps
from keps.keps import sections

T0 = dt.datetime(2019, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)

EDITED = "This section was written by a person, not left as the template.\n"


def make_kep(
    root: Path,
    target: str = "sig-node/my-kep",
    *,
    state: keps.State = keps.State.DRAFT,
    authors: tuple[str, ...] = ("alice",),
    now: dt.datetime = T0,
) -> keps.Kep:
    """A KEP persisted under *root* that passes the checks of *state*.

    Sections the state requires are filled with edited text; provisional and later
    KEPs get a reviewer and an approver; implementable and later ones a number.
    """
    kep = keps.new(target, content_root=root, authors=authors, now=now)
    for spec in sections.required_for(state) or (sections.SUMMARY, sections.MOTIVATION):
        kep.set_section(spec.filename, f"# {kep.title}\n\n## {spec.name}\n\n{EDITED}")
    fields: dict[str, object] = {"state": state}
    if state is not keps.State.DRAFT:
        fields.update(reviewers=("rita",), approvers=("arnold",))
    if state in (keps.State.IMPLEMENTABLE, keps.State.IMPLEMENTED):
        fields["kep_number"] = 42
    kep.update(**fields)
    kep.persist(now=now)
    return keps.open(kep.path)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under *root* with its bytes, keyed by relative path.

    Locks and journals live outside the tree (see keps._state), so every file counts.
    """
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def gen_tree(shared: Path, root: Path, count: int) -> Path:
    """*count* KEPs under *root*, written by the benchmark generator in ../shared/bench
    (the Go seed's on-disk format), always with seed 1."""
    script = shared / "bench" / "gen_content.py"
    subprocess.run(
        [sys.executable, str(script), str(root), "--count", str(count), "--seed", "1"],
        check=True,
        capture_output=True,
    )
    return root
