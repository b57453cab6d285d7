"""kepctl site and keps.site.build: a static website of KEPs, read back with html.parser.

The checkouts are written by tests/enhancements_tree.py (plus links between KEPs and a
hostile README), the 2018 trees by tests/flat_tree.py (converted) and make_kep. Every
page is parsed as a link checker would read it: every href and src must lead to a file
of the site (and a #fragment to an id of its page), nothing may load from another site,
and what a KEP says must show up on its page - as text, never as markup.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import pkgutil
import re
import shutil
import types
from pathlib import Path

import pygit2
import pytest
import yaml
from click.testing import CliRunner

import keps
import keps.history
import keps.site
from keps.cli import cli
from keps.cli.export import export_bytes
from keps.errors import (
    InvalidArgumentError,
    InvalidContentError,
    KepExistsError,
    KepNotFoundError,
    PathOutsideError,
)
from keps.site.markdown import Source, Targets, render, slugify
from keps.site.names import PageNames, safe_segment
from tests import enhancements_tree as tree
from tests.kep_factory import make_kep
from tests.site_helpers import Page, dead_links, external_loads, read_page, site_pages

COUNT = 12

#: Every file name a site may have: lower case, safe characters, no '..'.
SAFE_NAME = re.compile(r"(?:[a-z0-9_][a-z0-9._-]*/)*[a-z0-9_][a-z0-9._-]*")

HOSTILE = """
## Hostile

<script>alert(1)</script>

[click](javascript:alert(1)) and [other](../../sig-apps/1001-kep-1/README.md) and
[gone](../9999-gone/README.md) and [web](https://kubernetes.io/) <img src=x onerror=alert(2)>

![remote](https://example.com/tracker.png)

Reuse of <code>restartPolicy</code>, not <code onclick="alert(3)">this</code>.

<!-- a comment nobody should see -->
"""


def folder(position: int) -> str:
    """The location of the checkout's KEP at *position* (see enhancements_tree)."""
    return f"keps/{tree.SIGS[position % len(tree.SIGS)]}/{tree.kep_number(position)}-kep-{position}"


def page_of(position: int) -> str:
    """The page of the checkout's KEP at *position*: its folder, under keps/."""
    return "keps/" + folder(position).removeprefix("keps/") + ".html"


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> Path:
    """A sound checkout of COUNT KEPs, with links between some, and one hostile README."""
    root = tree.write_checkout(tmp_path / "enhancements", count=COUNT)
    append(root / folder(1) / "kep.yaml", "replaces:\n  - kep-1000\n")
    append(
        root / folder(2) / "kep.yaml",
        "see-also:\n  - /keps/sig-network/1003-kep-3\n  - keps/sig-node/9999-gone\n",
    )
    append(root / folder(4) / "README.md", HOSTILE)
    return root


@pytest.fixture(name="built")
def _built(checkout: Path, tmp_path: Path) -> tuple[Path, keps.site.BuildResult]:
    out = tmp_path / "site"
    return out, keps.site.build(keps.load(checkout), out, workers=1)


def kep_page(out: Path, position: int) -> Page:
    return read_page(out / page_of(position))


def snapshot(out: Path) -> dict[str, tuple[int, int]]:
    """Every file of *out* with its inode and modification time."""
    found = {}
    for path in out.rglob("*"):
        if path.is_file():
            info = path.stat()
            found[path.relative_to(out).as_posix()] = (info.st_ino, info.st_mtime_ns)
    return found


# -- what a checkout's site holds --


class TestCheckoutSite:
    def test_index_lists_every_kep_with_its_fields(
        self, checkout: Path, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        out, _ = built
        rows = read_page(out / "index.html").rows_of("keps")
        expected = {}
        for path, data in tree.scan(checkout):
            location = path.parent.relative_to(checkout).as_posix()
            expected[location] = [
                str(data["kep-number"]),
                f"{data['title']} {path.parent.name}",
                str(data["owning-sig"]),
                str(data["status"]),
                str(data["stage"]),
                str(data["latest-milestone"]),
            ]
        assert {attrs["data-location"]: cells for attrs, cells in rows} == expected
        assert len(rows) == COUNT

    def test_every_link_and_image_leads_to_a_file_of_the_site(
        self, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        out, result = built
        pages = site_pages(out)
        assert dead_links(out, pages) == []
        assert {
            name: external_loads(page) for name, page in pages.items() if external_loads(page)
        } == {}
        assert len(pages) > COUNT
        on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
        assert on_disk == {*result.files, keps.site.MANIFEST}
        assert all(SAFE_NAME.fullmatch(name) for name in result.files), result.files

    def test_every_page_is_reachable_from_the_index(
        self, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        """Following links from index.html reaches every page (SIGs, releases, validation)."""
        out, result = built
        pages = site_pages(out)
        seen, todo = set(), ["index.html"]
        while todo:
            name = todo.pop()
            if name in seen or name not in pages:
                continue
            seen.add(name)
            for _, attribute, value in pages[name].links:
                path = value.split("#")[0]
                if attribute == "href" and path.endswith(".html") and "://" not in path:
                    todo.append(os.path.normpath(os.path.join(os.path.dirname(name), path)))
        assert seen == {name for name in result.files if name.endswith(".html")}

    def test_a_kep_page_shows_its_text_metadata_milestones_and_approvals(
        self, checkout: Path, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        out, _ = built
        page = kep_page(out, 1)  # beta: milestones and PRR approvals for alpha and beta
        data = yaml.safe_load((checkout / folder(1) / "kep.yaml").read_text(encoding="utf-8"))
        # the README, rendered: headings with GitHub's ids, each linking to itself
        assert ("h1", "kep-1001", "KEP-1001 #") in page.headings
        assert ("h2", "summary", "Summary #") in page.headings
        assert ("#summary", "Summary") in page.anchors  # its own table of contents
        assert ("#alpha---beta", "Alpha -> Beta") in page.anchors
        assert "Text." in page.section_text("site.readme")
        assert "<!--" not in page.text and "toc" not in page.section_text("site.readme")
        # the metadata panel
        metadata = page.section_text("site.metadata")
        assert f"title {data['title']}" in metadata
        assert "owning_sig sig-apps participating_sigs sig-storage" in metadata
        # milestones and PRR approvals, stage by stage
        milestones = page.section_text("site.milestones")
        assert milestones == "Milestones " + " ".join(
            f"{stage} {release}" for stage, release in data["milestone"].items()
        )
        approvals = yaml.safe_load(
            (checkout / "keps/prod-readiness/sig-apps/1001.yaml").read_text(encoding="utf-8")
        )
        assert page.section_text("site.approvals") == "PRR approvals " + " ".join(
            f"{stage} {approvals[stage]['approver']}" for stage in ("alpha", "beta")
        )
        assert "site.history" not in page.ids  # no history was given

    def test_links_show_in_both_directions_and_unresolved_ones_as_text(
        self, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        out, _ = built

        def links(position: int) -> tuple[str, list[tuple[str, str]]]:
            page = kep_page(out, position)
            shown = page.section_text("site.links")
            hrefs = [(href, text) for href, text in page.anchors if text.startswith("KEP-")]
            return shown, hrefs

        text, hrefs = links(1)
        assert "Replaces" in text and "Supersedes" in text
        assert ("../../keps/sig-node/1000-kep-0.html", "KEP-1000: " + title(out, 0)) in hrefs
        text, hrefs = links(0)
        assert "Replaced by" in text
        assert ("../../keps/sig-apps/1001-kep-1.html", "KEP-1001: " + title(out, 1)) in hrefs
        text, hrefs = links(2)
        assert "See also" in text
        assert hrefs == [("../../keps/sig-network/1003-kep-3.html", "KEP-1003: " + title(out, 3))]
        assert "keps/sig-node/9999-gone (no KEP at keps/sig-node/9999-gone)" in text
        text, hrefs = links(3)
        assert "Seen from" in text
        assert hrefs == [("../../keps/sig-storage/1002-kep-2.html", "KEP-1002: " + title(out, 2))]
        text, hrefs = links(5)
        assert text == "Links No links to other KEPs." and hrefs == []

    def test_a_hostile_readme_shows_as_text(
        self, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        out, _ = built
        page = kep_page(out, 4)
        assert page.scripts == ["../../static/site.js"]
        readme = page.section_text("site.readme")
        assert "<script>alert(1)</script>" in readme
        assert "[click](javascript:alert(1))" in readme
        assert "<img src=x onerror=alert(2)>" in readme
        # a formatting tag without attributes is markup; with attributes it is text
        html = (out / page_of(4)).read_text(encoding="utf-8")
        assert "Reuse of <code>restartPolicy</code>, not " in html
        assert "&lt;code onclick=&quot;alert(3)&quot;&gt;this&lt;/code&gt;" in html
        assert not [v for _, _, v in page.links if v.strip().lower().startswith("javascript")]
        assert [tag for tag, _, _ in page.links if tag == "img"] == []
        # a link to another KEP's README leads to its page; one to nothing is text
        assert ("../../keps/sig-apps/1001-kep-1.html", "other") in page.anchors
        assert "gone" in readme and not [a for a in page.anchors if a[1] == "gone"]
        assert ("https://kubernetes.io/", "web") in page.anchors
        # a remote image is a link to it, never loaded
        assert ("https://example.com/tracker.png", "remote") in page.anchors
        assert "a comment nobody should see" not in page.text

    def test_validation_findings_are_grouped_and_on_their_kep_pages(
        self, checkout: Path, tmp_path: Path
    ) -> None:
        (checkout / folder(6) / "kep.yaml").write_text(
            (checkout / folder(6) / "kep.yaml")
            .read_text(encoding="utf-8")
            .replace("kep-number: 1006", "kep-number: 1106"),
            encoding="utf-8",
        )
        collection = keps.load(checkout)
        found = collection.validate("lint")
        assert "kep-number-mismatch" in found.count()
        out = tmp_path / "site"
        keps.site.build(collection, out, level="lint", workers=1)
        page = read_page(out / "validation.html")
        counts = {cells[0]: int(cells[1]) for attrs, cells in page.rows if len(cells) == 2}
        assert counts == dict(found.count())
        for code in found.count():
            assert f"code-{code}" in page.ids
        [entry] = [e for e in collection if e.location == folder(6)]
        label = f"KEP-{entry.kep_number}: {entry.title}"
        assert (f"{page_of(6)}", label) in page.anchors
        problems = kep_page(out, 6).section_text("site.problems")
        for problem in found:
            if folder(6) in (problem.path or ""):
                assert problem.code in problems and problem.message in problems

    def test_sig_and_release_pages(
        self, checkout: Path, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        out, _ = built
        scanned = [data for _, data in tree.scan(checkout)]
        sig = read_page(out / "sigs" / "sig-node.html")
        owned = [d for d in scanned if d["owning-sig"] == "sig-node"]
        assert sorted(cells[0] for attrs, cells in sig.rows if "data-location" in attrs) == sorted(
            str(d["kep-number"])
            for d in scanned
            if "sig-node" in (d["owning-sig"], *d.get("participating-sigs", []))
        )
        statuses = {str(d["status"]) for d in owned}
        assert {h[2] for h in sig.headings if h[0] == "h2"} >= {
            f"{status} ({sum(1 for d in owned if d['status'] == status)})" for status in statuses
        }
        # a release page: what goes each stage in it, and what names it latest
        data = yaml.safe_load((checkout / folder(1) / "kep.yaml").read_text(encoding="utf-8"))
        release = data["milestone"]["beta"]
        page = read_page(out / "releases" / f"{release}.html")
        went_beta = sorted(
            str(d["kep-number"])
            for d in scanned
            if (d.get("milestone") or {}).get("beta") == release
        )
        heading = f"{len(went_beta)} KEP{'' if len(went_beta) == 1 else 's'} go beta in {release}"
        assert heading in {h[2] for h in page.headings}
        latest = sorted(str(d["kep-number"]) for d in scanned if d["latest-milestone"] == release)
        assert f"Latest milestone {release} ({len(latest)})" in {h[2] for h in page.headings}
        listed = sorted(cells[0] for _, cells in page.rows)
        assert (
            sorted(
                [*went_beta, *latest]
                + [
                    str(d["kep-number"])
                    for d in scanned
                    for stage in ("alpha", "stable")
                    if (d.get("milestone") or {}).get(stage) == release
                ]
            )
            == listed
        )

    def test_keps_json_is_what_kepctl_export_writes(
        self, checkout: Path, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        out, _ = built
        assert (out / "keps.json").read_bytes() == export_bytes(checkout, "json")
        assert len(json.loads((out / "keps.json").read_text(encoding="utf-8"))) == COUNT

    def test_worker_processes_write_the_same_site(self, checkout: Path, tmp_path: Path) -> None:
        collection = keps.load(checkout)
        one = keps.site.build(collection, tmp_path / "one", workers=1)
        two = keps.site.build(collection, tmp_path / "two", workers=2)
        assert one.files == two.files
        for name in one.files:
            assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()

    def test_progress_counts_up_to_every_page(self, checkout: Path, tmp_path: Path) -> None:
        seen: list[tuple[int, int]] = []
        keps.site.build(
            checkout, tmp_path / "site", workers=1, progress=lambda d, t: seen.append((d, t))
        )
        assert [done for done, _ in seen] == list(range(1, COUNT + 2))
        assert {total for _, total in seen} == {COUNT + 1}


def title(out: Path, position: int) -> str:
    return kep_page(out, position).headings[0][2].split(": ", 1)[1]


# -- rebuilding --


class TestRebuild:
    def test_one_readme_changed_rewrites_exactly_its_page(
        self, checkout: Path, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        out, first = built
        assert sorted(first.written) == list(first.files) and len(first.rendered) == COUNT
        before = snapshot(out)
        readme = checkout / folder(5) / "README.md"
        readme.write_text(readme.read_text(encoding="utf-8").replace("Text.", "Text, changed."))
        again = keps.site.build(keps.load(checkout), out, workers=1)
        assert again.written == (page_of(5),)
        assert again.rendered == (page_of(5),)
        assert again.removed == ()
        after = snapshot(out)
        changed = {name for name in after if after[name] != before.get(name)}
        assert changed == {page_of(5), keps.site.MANIFEST}
        assert "Text, changed." in kep_page(out, 5).section_text("site.readme")
        # and once more, with nothing changed: nothing rendered, nothing written
        still = keps.site.build(keps.load(checkout), out, workers=1)
        assert (still.written, still.rendered, still.removed) == ((), (), ())
        assert snapshot(out) == after

    def test_a_title_change_rewrites_the_pages_that_show_it(
        self, checkout: Path, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        """KEP 1000's title shows on its page, on KEP 1001's (which replaces it), and in
        the index, SIG and release tables - nowhere else."""
        out, _ = built
        path = checkout / folder(0) / "kep.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^title: .*$", "title: A new title", text), encoding="utf-8")
        again = keps.site.build(keps.load(checkout), out, workers=1)
        assert set(again.rendered) == {page_of(0), page_of(1)}
        written = set(again.written)
        assert {page_of(0), page_of(1), "index.html", "sigs/sig-node.html", "keps.json"} <= written
        assert not any(name.startswith("keps/") for name in written - {page_of(0), page_of(1)})
        assert "KEP-1000: A new title" in kep_page(out, 1).section_text("site.links")

    def test_a_page_changed_by_hand_is_written_again(
        self, checkout: Path, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        out, _ = built
        original = (out / page_of(3)).read_bytes()
        (out / page_of(3)).write_text("defaced", encoding="utf-8")
        again = keps.site.build(keps.load(checkout), out, workers=1)
        assert again.written == (page_of(3),)
        assert (out / page_of(3)).read_bytes() == original

    def test_a_removed_kep_loses_its_page_and_nothing_else_goes(
        self, checkout: Path, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        out, _ = built
        (out / "notes.txt").write_text("mine", encoding="utf-8")
        (out / "keps" / "sig-apps" / "mine.html").write_text("mine too", encoding="utf-8")
        shutil.rmtree(checkout / folder(9))
        (checkout / "keps/prod-readiness/sig-apps/1009.yaml").unlink(missing_ok=True)
        again = keps.site.build(keps.load(checkout), out, workers=1)
        assert page_of(9) in again.removed
        assert not (out / page_of(9)).exists()
        assert folder(9) not in {a["data-location"] for a, _ in read_page(out / "index.html").rows}
        assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
        assert (out / "keps" / "sig-apps" / "mine.html").read_text(encoding="utf-8") == "mine too"
        assert dead_links(out) == []

    def test_the_last_kep_of_a_folder_takes_its_empty_folder_along(
        self, checkout: Path, tmp_path: Path
    ) -> None:
        out = tmp_path / "site"
        extra = checkout / "keps" / "sig-cli" / "2000-lonely"
        extra.mkdir(parents=True)
        (extra / "kep.yaml").write_text(tree.kep_yaml(2000, "sig-cli"), encoding="utf-8")
        (extra / "README.md").write_text("# Lonely\n", encoding="utf-8")
        keps.site.build(keps.load(checkout), out, workers=1)
        assert (out / "keps" / "sig-cli" / "2000-lonely.html").is_file()
        shutil.rmtree(extra)
        again = keps.site.build(keps.load(checkout), out, workers=1)
        assert "keps/sig-cli/2000-lonely.html" in again.removed
        assert not (out / "keps" / "sig-cli").exists()
        assert "sigs/sig-cli.html" in again.removed


# -- the output folder is the site's alone --


class TestOutputFolder:
    def test_a_folder_with_files_and_no_manifest_is_refused(
        self, checkout: Path, tmp_path: Path
    ) -> None:
        out = tmp_path / "home"
        out.mkdir()
        (out / "thesis.tex").write_text("years of work", encoding="utf-8")
        with pytest.raises(KepExistsError, match=re.escape(str(out))):
            keps.site.build(checkout, out)
        assert [p.name for p in out.iterdir()] == ["thesis.tex"]

    def test_an_empty_folder_and_a_new_one_are_taken(self, checkout: Path, tmp_path: Path) -> None:
        (tmp_path / "empty").mkdir()
        for out in (tmp_path / "empty", tmp_path / "new" / "nested"):
            result = keps.site.build(checkout, out, workers=1)
            assert (out / "index.html").is_file() and "index.html" in result.written

    def test_a_build_waits_for_another_writing_the_same_folder(
        self, checkout: Path, tmp_path: Path
    ) -> None:
        """While another process builds into OUT, a second build waits, then gives up with
        LockTimeoutError naming the folder and writing nothing; once free, it builds."""
        import subprocess
        import sys

        from keps.errors import LockTimeoutError

        out = tmp_path / "site"
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from keps._locks import site_lock\n"
                "with site_lock(Path(sys.argv[1]), timeout=5):\n"
                "    print('held', flush=True); sys.stdin.readline()",
                str(out),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            with pytest.raises(LockTimeoutError, match=re.escape(str(out))):
                keps.site.build(checkout, out, workers=1, lock_timeout=0.2)
            assert not out.exists()
        finally:
            holder.communicate("\n", timeout=30)
        assert holder.returncode == 0
        assert "index.html" in keps.site.build(checkout, out, workers=1).written

    def test_a_file_is_refused(self, checkout: Path, tmp_path: Path) -> None:
        out = tmp_path / "site"
        out.write_text("not a folder", encoding="utf-8")
        with pytest.raises(KepExistsError, match="not a folder"):
            keps.site.build(checkout, out)

    def test_a_manifest_naming_a_file_outside_is_refused(
        self, checkout: Path, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        out, _ = built
        victim = out.parent / "victim.txt"
        victim.write_text("keep me", encoding="utf-8")
        manifest = out / keps.site.MANIFEST
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data["files"]["../victim.txt"] = ["0" * 32, 7, 0, 0]
        manifest.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(InvalidContentError, match=re.escape(str(manifest))):
            keps.site.build(checkout, out)
        assert victim.read_text(encoding="utf-8") == "keep me"

    def test_a_listed_file_that_changed_since_is_left(
        self, checkout: Path, built: tuple[Path, keps.site.BuildResult]
    ) -> None:
        out, _ = built
        (out / "notes.txt").write_text("written by a person", encoding="utf-8")
        manifest = out / keps.site.MANIFEST
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data["files"]["notes.txt"] = ["0" * 32, 19, 0, 0]  # as if the site had written it
        manifest.write_text(json.dumps(data), encoding="utf-8")
        again = keps.site.build(checkout, out, workers=1)
        assert "notes.txt" not in again.removed
        assert (out / "notes.txt").read_text(encoding="utf-8") == "written by a person"

    def test_a_folder_link_out_of_the_site_is_not_written_through(
        self, checkout: Path, tmp_path: Path
    ) -> None:
        out, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
        keps.site.build(checkout, out, workers=1)
        elsewhere.mkdir()
        shutil.rmtree(out / "sigs")
        (out / "sigs").symlink_to(elsewhere, target_is_directory=True)
        with pytest.raises(PathOutsideError, match="sigs"):
            keps.site.build(checkout, out, workers=1)
        assert list(elsewhere.iterdir()) == []


# -- templates --


class TestTemplates:
    def test_a_template_and_a_static_file_are_replaced_by_name(
        self, checkout: Path, tmp_path: Path
    ) -> None:
        mine = tmp_path / "mine"
        mine.mkdir()
        (mine / "kep.html").write_text(
            '{% extends "base.html" %}{% block main %}'
            '<h1 id="custom">Custom {{ label }}</h1>{{ readme }}{% endblock %}',
            encoding="utf-8",
        )
        (mine / "site.css").write_text("body { color: green; }\n", encoding="utf-8")
        out = tmp_path / "site"
        keps.site.build(checkout, out, templates=mine, workers=1)
        page = kep_page(out, 1)
        assert page.headings[0] == ("h1", "custom", "Custom KEP-1001")
        assert ("h2", "summary", "Summary #") in page.headings
        assert (out / "static" / "site.css").read_text(
            encoding="utf-8"
        ) == "body { color: green; }\n"
        assert "custom" not in read_page(out / "index.html").ids  # the index is the package's
        # back to the packaged look: every KEP page is rendered and written again
        again = keps.site.build(checkout, out, workers=1)
        assert len(again.rendered) == COUNT and page_of(1) in again.written
        assert "custom" not in kep_page(out, 1).ids

    def test_a_broken_template_is_refused_before_anything_is_written(
        self, checkout: Path, tmp_path: Path
    ) -> None:
        mine = tmp_path / "mine"
        mine.mkdir()
        (mine / "index.html").write_text("{% block %}", encoding="utf-8")
        with pytest.raises(InvalidArgumentError, match="index.html"):
            keps.site.build(checkout, tmp_path / "site", templates=mine)
        assert not (tmp_path / "site").exists()

    def test_templates_must_be_a_folder(self, checkout: Path, tmp_path: Path) -> None:
        with pytest.raises(KepNotFoundError, match="templates"):
            keps.site.build(checkout, tmp_path / "site", templates=tmp_path / "nope")


# -- numbers, names and files --


def test_shared_numbers_and_clashing_folder_names_get_pages_of_their_own(tmp_path: Path) -> None:
    """The corpus has number 0 four times; two folders may differ only in case."""
    root = tree.write_checkout(tmp_path / "enhancements", count=2)
    for where, number in (
        ("sig-node/0-first", 0),
        ("sig-apps/0-second", 0),
        ("sig-node/77-Mixed", 77),
        ("sig-node/77-mixed", 77),
    ):
        kep_dir = root / "keps" / where
        kep_dir.mkdir(parents=True)
        (kep_dir / "kep.yaml").write_text(
            tree.kep_yaml(number, where.split("/")[0]), encoding="utf-8"
        )
        (kep_dir / "README.md").write_text(f"# {where}\n", encoding="utf-8")
    out = tmp_path / "site"
    result = keps.site.build(root, out, workers=1)
    rows = read_page(out / "index.html").rows_of("keps")
    assert len(rows) == 6
    pages = [name for name in result.files if name.startswith("keps/")]
    assert len(pages) == len(set(pages)) == 6
    assert {"keps/sig-node/77-mixed.html", "keps/sig-node/77-mixed-2.html"} <= set(pages)
    assert [cells[0] for _, cells in rows].count("0") == 2
    assert dead_links(out) == []


def test_sig_names_that_clash_get_pages_of_their_own(tmp_path: Path) -> None:
    """'SIG-NODE' is no SIG, but a KEP may say it: its page is not sig-node's."""
    root = tree.write_checkout(tmp_path / "enhancements", count=1)  # KEP 1000 of sig-node
    kep_dir = root / "keps" / "SIG-NODE" / "88-upper"
    kep_dir.mkdir(parents=True)
    (kep_dir / "kep.yaml").write_text(tree.kep_yaml(88, "SIG-NODE"), encoding="utf-8")
    (kep_dir / "README.md").write_text("# Upper\n", encoding="utf-8")
    out = tmp_path / "site"
    result = keps.site.build(root, out, workers=1)
    assert {"sigs/sig-node.html", "sigs/sig-node-2.html"} <= set(result.files)
    owners = {}
    for name in ("sigs/sig-node.html", "sigs/sig-node-2.html"):
        page = read_page(out / name)
        owners[page.headings[0][2]] = {
            cells[0] for attrs, cells in page.rows if "data-location" in attrs
        }
    assert owners["SIG-NODE"] == {"88"} and "88" not in owners["sig-node"]
    assert dead_links(out) == []


def test_the_exports_stay_what_they_are_after_every_module_is_imported() -> None:
    """A module named like an export would replace it on the package once imported."""
    for module in pkgutil.iter_modules(keps.site.__path__):
        importlib.import_module(f"keps.site.{module.name}")
    assert isinstance(keps.site.build, types.FunctionType)
    assert isinstance(keps.site.BuildResult, type)


def test_page_names_are_safe_and_unique() -> None:
    names = PageNames(
        [
            "keps/sig-node/1-A b",
            "keps/sig-node/1-a-b",
            "../../etc",
            ".hidden/x",
            "keps/ü/" + "x" * 300,
        ]
    )
    pages = [
        names[loc]
        for loc in [
            "keps/sig-node/1-A b",
            "keps/sig-node/1-a-b",
            "../../etc",
            ".hidden/x",
            "keps/ü/" + "x" * 300,
        ]
    ]
    assert pages[:2] == ["keps/sig-node/1-a-b.html", "keps/sig-node/1-a-b-2.html"]
    assert all(SAFE_NAME.fullmatch(page) and ".." not in page for page in pages), pages
    assert len(set(pages)) == len(pages)
    assert safe_segment("..") == "_" and safe_segment(".git") == "git"


# -- Markdown --


def rendered(text: str, pages: dict[str, str] | None = None, root: Path = Path("/nowhere")) -> str:
    targets = Targets(root, pages or {"keps/sig-a/1-a": "keps/sig-a/1-a.html"})
    source = Source("keps/sig-a/1-a/README.md", text)
    return render(
        [source], location="keps/sig-a/1-a", page="keps/sig-a/1-a.html", targets=targets
    ).html


class TestMarkdown:
    def test_headings_get_githubs_ids(self) -> None:
        html = rendered(
            "# A Title\n\n## Upgrade / Downgrade\n\n## Upgrade / Downgrade\n\n## `code` and _em_\n"
        )
        assert re.findall(r'id="([^"]+)"', html) == [
            "a-title",
            "upgrade--downgrade",
            "upgrade--downgrade-1",
            "code-and-em",
        ]
        assert slugify("Alpha -> Beta") == "alpha---beta"

    def test_a_fragment_of_no_heading_is_text(self) -> None:
        html = rendered("## Here\n\n[ok](#here) [gone](#nowhere)\n")
        assert '<a href="#here">ok</a>' in html
        assert '<span class="unlinked" title="#nowhere">gone</span>' in html

    def test_only_harmless_schemes_stay_links(self) -> None:
        html = rendered(
            "[a](https://x.org) [b](mailto:a@b.c) [c](ftp://x) [d](vbscript:x) [e](JaVaScRiPt:alert(1))\n"
        )
        assert '<a href="https://x.org">a</a>' in html and '<a href="mailto:a@b.c">b</a>' in html
        assert not [
            h
            for h in re.findall(r'href="([^"]*)"', html)
            if not h.startswith(("https:", "mailto:"))
        ]

    def test_raw_html_is_text_and_comments_are_left_out(self) -> None:
        html = rendered(
            "<details>\n<summary>x</summary>\n\n<!--\nsecret\n\nguidance\n-->\n\ntext <b onclick=x>b</b>\n"
        )
        assert "<details>" not in html and "&lt;details&gt;" in html
        assert "secret" not in html and "guidance" not in html
        assert "&lt;b onclick=x&gt;b&lt;/b&gt;" in html  # its closing tag closes nothing

    def test_a_link_to_a_kep_folder_leads_to_its_page(self) -> None:
        pages = {"keps/sig-a/1-a": "keps/sig-a/1-a.html", "keps/sig-b/2-b": "keps/sig-b/2-b.html"}
        html = rendered(
            "[x](../../sig-b/2-b) [y](/keps/sig-b/2-b/kep.yaml) [self](README.md#top) [z](other.md)\n\n# Top\n",
            pages,
        )
        assert html.count('href="../../keps/sig-b/2-b.html"') == 2
        assert '<a href="#top">self</a>' in html
        assert '<span class="unlinked" title="other.md">z</span>' in html


def test_images_inside_the_kep_are_copied_and_others_are_not(tmp_path: Path) -> None:
    root = tmp_path / "root"
    kep = make_kep(root, "sig-node/pictures")
    assets = kep.path / "assets"
    assets.mkdir(exist_ok=True)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    (assets / "diagram.png").write_bytes(png)
    (assets / "drawing.svg").write_text("<svg onload='alert(1)'/>", encoding="utf-8")
    (tmp_path / "secret.png").write_bytes(b"secret")
    (assets / "linked.png").symlink_to(tmp_path / "secret.png")
    summary = kep.path / "summary.md"
    append(
        summary,
        "\n![a diagram](assets/diagram.png) ![a drawing](assets/drawing.svg) "
        "![a secret](assets/linked.png) ![far](../../../../secret.png)\n",
    )
    out = tmp_path / "site"
    result = keps.site.build(root, out, workers=1)
    [asset] = [name for name in result.files if name.startswith("assets/")]
    assert asset.endswith(".png") and (out / asset).read_bytes() == png
    page = read_page(out / "keps" / "sig-node" / "sig-wide" / "pictures.html")
    assert [v for tag, _, v in page.links if tag == "img"] == [f"../../../{asset}"]
    for alt in ("a drawing", "a secret", "far"):
        assert alt in page.section_text("site.readme")
    assert dead_links(out) == []
    # the image changes: the page is rendered again, the old copy goes
    (assets / "diagram.png").write_bytes(png + b"more")
    again = keps.site.build(root, out, workers=1)
    assert asset in again.removed and not (out / asset).exists()
    assert len([n for n in again.files if n.startswith("assets/")]) == 1


# -- the 2018 layout --


def test_a_2018_content_root_has_its_sections_and_its_problems(tmp_path: Path) -> None:
    from keps.convert import convert_tree
    from keps.sigs import SigRegistry
    from tests.flat_tree import SIGS_2018, write_flat_tree

    source = write_flat_tree(tmp_path / "flat")
    registry = SigRegistry.from_yaml_text(SIGS_2018, source="sigs.yaml")
    convert_tree(source, tmp_path / "root", registry=registry)
    collection = keps.load(tmp_path / "root")
    assert len(collection) > 3
    out = tmp_path / "site"
    result = keps.site.build(collection, out, workers=1)
    assert dead_links(out) == []
    rows = read_page(out / "index.html").rows_of("keps")
    assert {a["data-location"] for a, _ in rows} == {e.location for e in collection}
    for entry in collection:
        page = read_page(out / PageNames([entry.location])[entry.location])
        headings = {h[2] for h in page.headings}
        assert {"Summary #", "Motivation #"} <= headings, entry.location
    problems = [*collection.problems]
    for entry in collection:
        problems.extend(collection.open(entry.location).problems())
    page = read_page(out / "validation.html")
    counts = {cells[0]: int(cells[1]) for _, cells in page.rows if len(cells) == 2}
    assert sum(counts.values()) == len(problems) > 0
    assert result.files == keps.site.build(collection, out, workers=1).files


def test_a_2018_kep_made_by_the_lifecycle(tmp_path: Path) -> None:
    root = tmp_path / "root"
    make_kep(root, "sig-node/one", state=keps.State.IMPLEMENTABLE)
    make_kep(root, "sig-apps/two")
    out = tmp_path / "site"
    keps.site.build(root, out, workers=1)
    page = read_page(out / "keps" / "sig-node" / "sig-wide" / "one.html")
    assert page.headings[0][2] == "KEP-42: One"
    assert "state implementable" in page.section_text("site.metadata")
    assert dead_links(out) == []


# -- history --


def commit_all(root: Path, when: dt.datetime, author: str) -> str:
    repo = (
        pygit2.Repository(str(root))
        if (root / ".git").exists()
        else pygit2.init_repository(str(root))
    )
    repo.index.add_all()
    repo.index.write()
    signature = pygit2.Signature(author, f"{author.lower()}@example.com", int(when.timestamp()), 0)
    parents = [] if repo.head_is_unborn else [repo.head.target]
    return str(
        repo.create_commit("HEAD", signature, signature, "change", repo.index.write_tree(), parents)
    )


def test_history_shows_when_given(checkout: Path, tmp_path: Path) -> None:
    commit_all(checkout, dt.datetime(2024, 1, 1, tzinfo=dt.UTC), "Alice")
    path = checkout / folder(6) / "kep.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: provisional", "status: implementable"),
        encoding="utf-8",
    )
    second = commit_all(checkout, dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.UTC), "Bob")
    out = tmp_path / "site"
    loaded = keps.history.load(checkout)
    keps.site.build(checkout, out, history=loaded, workers=1)
    for position in range(COUNT):  # every change of every KEP, one line each
        html = (out / page_of(position)).read_text(encoding="utf-8")
        assert html.count("<li><time>") == len(loaded.for_kep(folder(position))) > 0
    history = kep_page(out, 6).section_text("site.history")
    assert f"2024-03-01 12:30 state provisional → implementable ({second[:12]}, Bob)" in history
    assert "2024-01-01 00:00 state \u2013 → provisional" in history  # an en dash: none before
    assert "bob@example.com" not in history
    # kepctl site --history says the same
    result = CliRunner().invoke(
        cli, ["--content-root", str(checkout), "site", "--history", str(tmp_path / "cli")]
    )
    assert result.exit_code == 0, result.stderr
    assert read_page(tmp_path / "cli" / page_of(6)).section_text("site.history") == history


# -- kepctl site --


class TestCommand:
    def test_builds_and_says_what_it_wrote(self, checkout: Path, tmp_path: Path) -> None:
        out = tmp_path / "site"

        def run() -> tuple[int, str, str]:
            result = CliRunner().invoke(cli, ["--content-root", str(checkout), "site", str(out)])
            return result.exit_code, result.stdout, result.stderr

        code, stdout, stderr = run()
        files = len([p for p in out.rglob("*") if p.is_file()]) - 1
        assert (code, stdout) == (0, "")
        assert stderr == (
            f"site of {COUNT} KEPs in {out}: {files} files written, 0 removed, 0 unchanged; "
            f"open {out / 'index.html'}\n"
        )
        code, stdout, stderr = run()
        assert f": 0 files written, 0 removed, {files} unchanged;" in stderr

    def test_refuses_a_foreign_folder_in_one_line(self, checkout: Path, tmp_path: Path) -> None:
        out = tmp_path / "site"
        out.mkdir()
        (out / "a.txt").write_text("x", encoding="utf-8")
        result = CliRunner().invoke(cli, ["--content-root", str(checkout), "site", str(out)])
        assert result.exit_code == 1
        assert result.stderr == (
            f"kepctl: error: {out} holds files that no site build wrote (it has no "
            ".keps-site.json); choose an empty or new folder\n"
        )

    def test_templates_and_level(self, checkout: Path, tmp_path: Path) -> None:
        mine = tmp_path / "mine"
        mine.mkdir()
        (mine / "site.js").write_text("// mine\n", encoding="utf-8")
        out = tmp_path / "site"
        result = CliRunner().invoke(
            cli,
            [
                "--content-root",
                str(checkout),
                "site",
                "--templates",
                str(mine),
                "--level",
                "lint",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.stderr
        assert (out / "static" / "site.js").read_text(encoding="utf-8") == "// mine\n"
        lint = keps.load(checkout).validate("lint")
        page = read_page(out / "validation.html")
        assert page.headings[0][2] == "Validation"
        assert f"{len(lint)} finding" in page.text
