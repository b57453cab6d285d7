"""The incremental index cache on small generated trees: a warm rebuild is a full walk.

These tests need no ``../shared``. Each warm rebuild is compared with a full walk
(``incremental=False``), which reads every file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import keps
from tests.index_cache_helpers import seed_tree

# -- the keps package itself ----------------------------------------------------------------

PACKAGE = Path(keps.__file__).resolve().parent

#: Rebuild the tree in argv[1] 10 s "later" (see run_later) and print what a user sees.
REBUILD = """
import json, sys, time
import keps, keps.index
from keps.index import build, cache

class Later:
    def time_ns(self):
        return time.time_ns() + 10 * 10**9

build.time = Later()
root = sys.argv[1]
warm = keps.index.rebuild(root)
full = keps.index.rebuild(root, incremental=False)
print(json.dumps({
    "package": keps.__file__,
    "fingerprint": cache.code_fingerprint(),
    "warm": sorted(b.location for b in warm.broken),
    "full": sorted(b.location for b in full.broken),
}))
"""


@pytest.fixture(name="package_copy")
def _package_copy(tmp_path: Path) -> Path:
    """A copy of the keps package, importable by a child process (the real one is left alone)."""
    site = tmp_path / "site"
    shutil.copytree(PACKAGE, site / "keps", ignore=shutil.ignore_patterns("__pycache__"))
    return site


def rebuild_with(site: Path, root: Path) -> dict[str, object]:
    """What a rebuild in a new process that imports keps from *site* shows."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", REBUILD, str(root)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=site,
    ).stdout
    shown: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    assert shown["package"] == str(site / "keps" / "__init__.py")
    return shown


class TestPackagedFiles:
    def test_a_change_to_the_packaged_sig_list_invalidates_the_cache(
        self, tmp_path: Path, package_copy: Path
    ) -> None:
        """sig-storage removed from keps/sigs/data/sigs.yaml: its KEP is broken at once,
        without a change to the tree (issue 12, item 3c)."""
        root = seed_tree(tmp_path / "content")
        shown = rebuild_with(package_copy, root)
        assert shown["warm"] == shown["full"] == []
        sigs = package_copy / "keps" / "sigs" / "data" / "sigs.yaml"
        lines = sigs.read_text(encoding="utf-8").splitlines(keepends=True)
        start = lines.index("- dir: sig-storage\n")
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("- dir: "))
        sigs.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
        shown = rebuild_with(package_copy, root)
        assert shown["warm"] == shown["full"] == ["sig-storage/sig-wide/echo-kep"]

    def test_every_file_of_the_package_counts_also_in_a_new_folder(
        self, tmp_path: Path, package_copy: Path
    ) -> None:
        """A module in a folder the package did not have before, and a template, are
        part of the code fingerprint: editing either invalidates the cache."""
        root = seed_tree(tmp_path / "content")
        added = package_copy / "keps" / "newly_added" / "module.py"
        added.parent.mkdir()
        added.write_text('"""A module moved to a new folder."""\n', encoding="utf-8")
        first = rebuild_with(package_copy, root)["fingerprint"]
        assert rebuild_with(package_copy, root)["fingerprint"] == first
        added.write_text('"""A module moved to a new folder, then edited."""\n')
        second = rebuild_with(package_copy, root)["fingerprint"]
        assert second != first
        template = next((package_copy / "keps").rglob("*.md"))
        template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert rebuild_with(package_copy, root)["fingerprint"] not in (first, second)
