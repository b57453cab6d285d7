"""The examples notebook runs for real (nbclient) and each answer equals a count made here.

examples/keps-in-a-notebook.ipynb answers ten questions about a kubernetes/enhancements
checkout in at most three lines each. The test runs it on a copy of the corpus, then
runs one more cell that prints the answers as JSON, and compares them with plain PyYAML
scans of the files (and, for validation, with ``kepctl validate --output json``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from keps.cli import cli
from tests.corpus_checkout import restore_dropped_owners

pytest.importorskip("pandas", reason="the notebook needs the keps[analysis] extra (pandas)")
pytest.importorskip("matplotlib", reason="the notebook needs the keps[analysis] extra (charts)")
nbclient = pytest.importorskip("nbclient", reason="running the notebook needs nbclient")
nbformat = pytest.importorskip("nbformat", reason="running the notebook needs nbformat")

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "keps-in-a-notebook.ipynb"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "enhancements-2026"

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"needs the shared KEP corpus at {CORPUS} (absent in a fresh clone; present in CI)",
)

#: The cell the test adds: every answer as JSON on one line.
DUMP = """
import json
print(json.dumps({
    "count": len(ks),
    "by_state": dict(by_state),
    "by_stage": dict(by_stage),
    "node_by_state": dict(node_by_state),
    "beta_in_131": [e.location for e in beta_in_131],
    "long_alpha": [e.location for e in long_alpha],
    "node_gates": dict(node_gates),
    "many_gates": [e.location for e in many_gates],
    "waiting_for_prr": [e.location for e in waiting_for_prr],
    "replaced_by_583": sorted(e.location for e in coscheduling.replaced_by),
    "sidecar": [e.location for e in sidecar],
    "findings": dict(findings.count()),
    "df_shape": list(df.shape),
    "df_number_dtype": str(df["kep_number"].dtype),
}))
"""


def _release(text: object) -> tuple[int, int] | None:
    found = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", str(text).strip())
    return (int(found[1]), int(found[2])) if found else None


@pytest.fixture(scope="module", name="run")
def _run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], Path, object]:
    checkout = tmp_path_factory.mktemp("notebook") / "enhancements"
    shutil.copytree(CORPUS, checkout)
    restore_dropped_owners(checkout)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(DUMP))
    os.environ["KEPS_CHECKOUT"] = str(checkout)
    try:
        client = nbclient.NotebookClient(
            notebook,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        )
        client.execute()
    finally:
        del os.environ["KEPS_CHECKOUT"]
    [output] = [o for o in notebook.cells[-1].outputs if o.get("name") == "stdout"]
    return json.loads(output["text"]), checkout, notebook


def _keps(checkout: Path) -> dict[str, dict[str, object]]:
    out = {}
    for path in sorted((checkout / "keps").rglob("kep.yaml")):
        if path.parent.name == "NNNN-kep-template":
            continue
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        out[path.parent.relative_to(checkout).as_posix()] = data
    return out


def _prr(checkout: Path, sig: object, number: object, stage: object) -> str:
    path = checkout / "keps" / "prod-readiness" / str(sig) / f"{number}.yaml"
    if not path.is_file():
        return ""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
    given = data.get(str(stage))
    return str(given.get("approver", "")).strip() if isinstance(given, dict) else ""


def test_each_code_cell_is_at_most_three_lines() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert len(cells) >= 10
    assert all(len(c.source.strip().splitlines()) <= 3 for c in cells)


def test_counts_per_status_and_stage(run: tuple[dict[str, object], Path, object]) -> None:
    answers, checkout, _ = run
    keps = _keps(checkout)
    assert answers["count"] == len(keps)
    assert answers["by_state"] == Counter(d["status"] for d in keps.values())
    assert answers["by_stage"] == Counter(d.get("stage", "") for d in keps.values())
    node = [d for d in keps.values() if d["owning-sig"] == "sig-node"]
    assert answers["node_by_state"] == Counter(d["status"] for d in node)


def test_milestone_questions(run: tuple[dict[str, object], Path, object]) -> None:
    answers, checkout, _ = run
    keps = _keps(checkout)
    beta = sorted(
        loc
        for loc, d in keps.items()
        if isinstance(d.get("milestone"), dict) and _release(d["milestone"].get("beta")) == (1, 31)  # type: ignore[union-attr]
    )
    assert sorted(answers["beta_in_131"]) == beta  # type: ignore[call-overload]
    assert beta
    newest = max(r for d in keps.values() if (r := _release(d.get("latest-milestone"))))
    long_alpha = sorted(
        loc
        for loc, d in keps.items()
        if d.get("stage") == "alpha"
        and isinstance(d.get("milestone"), dict)
        and (alpha := _release(d["milestone"].get("alpha")))  # type: ignore[union-attr]
        and alpha[0] == newest[0]
        and newest[1] - alpha[1] >= 4
    )
    assert sorted(answers["long_alpha"]) == long_alpha  # type: ignore[call-overload]
    assert long_alpha


def test_gates_and_prr(run: tuple[dict[str, object], Path, object]) -> None:
    answers, checkout, _ = run
    keps = _keps(checkout)

    def gates(d: dict[str, object]) -> list[str]:
        given = d.get("feature-gates") or []
        names = [g.get("name") for g in given if isinstance(g, dict)]  # type: ignore[union-attr]
        return list(dict.fromkeys(n for n in names if n))

    node = Counter(g for d in keps.values() if d["owning-sig"] == "sig-node" for g in gates(d))
    assert answers["node_gates"] == node
    assert sorted(answers["many_gates"]) == sorted(  # type: ignore[call-overload]
        loc for loc, d in keps.items() if len(gates(d)) > 1
    )
    waiting = sorted(
        loc
        for loc, d in keps.items()
        if d["status"] == "implementable"
        and d.get("stage") in ("alpha", "beta", "stable")
        and (_release(d.get("latest-milestone")) or (99, 0)) >= (1, 21)
        and not _prr(checkout, d["owning-sig"], d["kep-number"], d["stage"])
    )
    assert sorted(answers["waiting_for_prr"]) == waiting  # type: ignore[call-overload]


def test_links_search_and_table(run: tuple[dict[str, object], Path, object]) -> None:
    answers, checkout, _ = run
    keps = _keps(checkout)
    [location] = [loc for loc, d in keps.items() if d["kep-number"] == "583"]
    folder = location.split("/")[-1]

    def names(refs: object) -> set[str]:
        """The folder names a list of references ends in ('.../583-x/README.md' -> '583-x')."""
        out = set()
        for ref in refs if isinstance(refs, list) else []:
            text = str(ref).strip().removesuffix("/README.md").removesuffix("/kep.yaml")
            out.add(text.rstrip("/").split("/")[-1])
        return out

    # what took 583's place: KEPs that say they replace it, and what 583 says superseded it
    replacing = {loc for loc, d in keps.items() if folder in names(d.get("replaces"))}
    named = names(keps[location].get("superseded-by"))
    expected = sorted(replacing | {loc for loc in keps if loc.split("/")[-1] in named})
    assert answers["replaced_by_583"] == expected
    assert len(expected) == 2
    sidecar = sorted(
        loc
        for loc in keps
        if (checkout / loc / "README.md").is_file()
        and "sidecar" in (checkout / loc / "README.md").read_text(encoding="utf-8").lower()
    )
    assert sorted(answers["sidecar"]) == sidecar  # type: ignore[call-overload]
    assert len(sidecar) > 5
    assert answers["df_shape"][0] == len(keps)  # type: ignore[index]
    assert answers["df_number_dtype"] == "Int64"


def test_findings_agree_with_kepctl_validate(run: tuple[dict[str, object], Path, object]) -> None:
    answers, checkout, _ = run
    result = CliRunner().invoke(
        cli, ["--content-root", str(checkout), "validate", "--output", "json"]
    )
    printed = json.loads(result.stdout)
    assert answers["findings"] == Counter(r["code"] for r in printed)


def test_the_charts_are_drawn(run: tuple[dict[str, object], Path, object]) -> None:
    _, _, notebook = run
    images = [
        o
        for cell in notebook.cells  # type: ignore[attr-defined]
        if cell.cell_type == "code"
        for o in cell.outputs
        if "image/png" in o.get("data", {})
    ]
    assert len(images) == 2
