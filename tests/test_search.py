"""Full-text search (issue #15 item 7): ``kepctl search``, ``KepCollection.search`` and the
``text:`` query term, on trees written here and on the corpus.

Every expectation comes from reading the README.md files with plain Python in the test.
A KEP folder is untrusted: a FIFO, a symlink out of the tree, a huge or binary README
is never read, and the command says so on stderr instead of hanging.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import keps
from keps.analysis.search import Hit, TextReader
from keps.cli import cli
from keps.cli.search import search
from keps.errors import InvalidArgumentError
from tests.conftest import CORPUS
from tests.enhancements_tree import write_checkout
from tests.kep_factory import make_kep

K0 = "keps/sig-node/1000-kep-0"
K1 = "keps/sig-apps/1001-kep-1"
K2 = "keps/sig-storage/1002-kep-2"
K3 = "keps/sig-network/1003-kep-3"

READMES = {
    K0: "# KEP-1000: Helpers\n\n## Summary\n\nSidecar containers start first.\nOther containers follow.\n",
    K1: "# KEP-1001\n\nNothing about it here.\nBut SIDECAR in caps, and containers.\n",
    K2: "# KEP-1002\r\n\r\nA sidecar\r\ncontainers across a line break.\r\n",
    K3: "# KEP-1003\n\nNone of the words.\n",
}


@pytest.fixture(name="root")
def _root(tmp_path: Path) -> Path:
    root = write_checkout(tmp_path / "enhancements", count=4)
    for location, text in READMES.items():
        (root / location / "README.md").write_bytes(text.encode("utf-8"))
    return root


def kepctl(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--content-root", str(root), *args])


def kepctl_process(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """kepctl in its own process, bounded in time: a read that blocks fails the test."""
    return subprocess.run(
        [sys.executable, "-m", "keps", "--content-root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def plain_texts(root: Path) -> dict[str, str]:
    """Each KEP's README.md text by location, read with plain Python (regular files only)."""
    texts = {}
    for kep_yaml in sorted((root / "keps").rglob("kep.yaml")):
        folder = kep_yaml.parent
        if folder.name == "NNNN-kep-template":
            continue
        readme = folder / "README.md"
        if readme.is_file() and not readme.is_symlink():
            texts[folder.relative_to(root).as_posix()] = readme.read_text(encoding="utf-8")
    return texts


def json_locations(result: Result) -> list[str]:
    assert result.exit_code == 0, (result.output, result.exception)
    return [record["location"] for record in json.loads(result.stdout)]


class TestSearch:
    def test_each_line_that_holds_the_word(self, root: Path) -> None:
        hits = list(keps.load(root).search("sidecar"))
        assert hits == [
            Hit(keps.load(root)[1000], f"{K0}/README.md", 5, "Sidecar containers start first."),
            Hit(
                keps.load(root)[1001], f"{K1}/README.md", 4, "But SIDECAR in caps, and containers."
            ),
            Hit(keps.load(root)[1002], f"{K2}/README.md", 3, "A sidecar"),
        ]

    def test_a_line_holds_every_word(self, root: Path) -> None:
        hits = keps.load(root).search("containers", "SIDECAR")
        assert [(h.path, h.line_number) for h in hits] == [
            (f"{K0}/README.md", 5),
            (f"{K1}/README.md", 4),
        ]

    def test_a_phrase_is_matched_on_one_line(self, root: Path) -> None:
        hits = keps.load(root).search("sidecar   containers")
        assert [(h.path, h.line_number) for h in hits] == [(f"{K0}/README.md", 5)]

    def test_no_word_is_refused(self, root: Path) -> None:
        with pytest.raises(InvalidArgumentError, match="at least one word"):
            list(keps.load(root).search())
        with pytest.raises(InvalidArgumentError):
            list(keps.load(root).search("  "))

    def test_kepctl_search_prints_lines_as_grep_does(self, root: Path) -> None:
        result = kepctl(root, "search", "sidecar")
        assert result.exit_code == 0, result.output
        assert result.stdout == (
            f"{K0}/README.md:5: Sidecar containers start first.\n"
            f"{K1}/README.md:4: But SIDECAR in caps, and containers.\n"
            f"{K2}/README.md:3: A sidecar\n"
        )
        assert result.stderr == ""

    def test_where_limits_the_keps(self, root: Path) -> None:
        result = kepctl(root, "search", "--where", "sig:sig-apps,sig-storage", "sidecar")
        assert result.stdout == (
            f"{K1}/README.md:4: But SIDECAR in caps, and containers.\n{K2}/README.md:3: A sidecar\n"
        )

    def test_nothing_found_is_a_note(self, root: Path) -> None:
        result = kepctl(root, "search", "kubelet", "sidecar")
        assert result.exit_code == 0
        assert result.stdout == ""
        assert result.stderr == "kepctl: no line of 4 KEPs holds 'kubelet' 'sidecar'\n"

    def test_a_line_cannot_drive_the_terminal(self, root: Path) -> None:
        (root / K3 / "README.md").write_text("sidecar \x1b[2J cleared\n", encoding="utf-8")
        report = search(root, ("sidecar",))
        assert f"{K3}/README.md:1: sidecar \\x1b[2J cleared\n" in report.out


class TestQueryText:
    def test_text_term_agrees_with_a_plain_scan(self, root: Path) -> None:
        texts = plain_texts(root)
        expected = [e.location for e in keps.load(root) if "sidecar" in texts[e.location].lower()]
        assert expected == [K0, K1, K2]
        assert [e.location for e in keps.load(root).query("text:sidecar")] == expected
        assert json_locations(kepctl(root, "query", "--output", "json", 'text:"sidecar"')) == (
            expected
        )

    def test_a_phrase_matches_across_a_line_break(self, root: Path) -> None:
        """Whitespace runs are one space in a text term (K2 breaks the phrase over two lines)."""
        chosen = keps.load(root).query('text:"Sidecar  Containers"')
        assert [e.location for e in chosen] == [K0, K2]

    def test_text_with_other_terms(self, root: Path) -> None:
        ks = keps.load(root)
        assert [e.location for e in ks.query("text:sidecar -sig:sig-node")] == [K1, K2]
        assert [e.location for e in ks.query("-text:sidecar")] == [K3]
        assert [e.location for e in ks.query("text:sidecar,words")] == [K0, K1, K2, K3]
        assert [e.location for e in ks.query("text:sidecar text:caps")] == [K1]

    def test_a_plain_query_loads_no_search(self, root: Path) -> None:
        """`kepctl query` without a text term imports nothing more than before."""
        code = (
            "import sys, json\n"
            "from keps.cli import cli\n"
            "sys.argv = ['kepctl', '--content-root', sys.argv[1], 'query', '--output', 'json',"
            " *sys.argv[2:]]\n"
            "try:\n"
            "    cli(prog_name='kepctl')\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code, exc.code\n"
            "print(json.dumps(['keps.analysis.search' in sys.modules]))\n"
        )

        def loads_search(*words: str) -> bool:
            out = subprocess.run(
                [sys.executable, "-c", code, str(root), *words],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            return bool(json.loads(out.strip().splitlines()[-1])[0])

        assert loads_search("sig:sig-node") is False
        assert loads_search("text:sidecar") is True


class TestUntrustedFiles:
    def test_a_fifo_readme_is_not_read_and_nothing_hangs(self, root: Path) -> None:
        readme = root / K3 / "README.md"
        readme.unlink()
        os.mkfifo(readme)
        warning = f"kepctl: warning: {readme} is a FIFO, not a regular file; it was not read\n"
        searched = kepctl_process(root, "search", "words")
        assert searched.returncode == 0
        assert searched.stdout == ""
        assert warning in searched.stderr
        queried = kepctl_process(root, "query", "--output", "json", "text:sidecar")
        assert queried.returncode == 0
        assert [r["location"] for r in json.loads(queried.stdout)] == [K0, K1, K2]
        assert warning in queried.stderr

    def test_a_readme_linked_out_of_the_tree_is_not_read(self, root: Path, tmp_path: Path) -> None:
        secret = tmp_path / "outside" / "secret.md"
        secret.parent.mkdir()
        secret.write_text("sidecar secret\n", encoding="utf-8")
        readme = root / K3 / "README.md"
        readme.unlink()
        readme.symlink_to(secret)
        result = kepctl(root, "search", "secret")
        assert result.stdout == ""
        assert result.stderr.startswith(
            f"kepctl: warning: {readme} leads out of the content root; it was not read\n"
        )
        assert "secret" not in " ".join(e.location for e in keps.load(root).query("text:secret"))
        assert [e.location for e in keps.load(root).query("text:secret")] == []

    def test_a_readme_linked_inside_the_tree_is_read(self, root: Path) -> None:
        readme = root / K3 / "README.md"
        readme.unlink()
        readme.symlink_to(Path("..", "..", "sig-node", "1000-kep-0", "README.md"))
        hits = keps.load(root).search("start first")
        assert [h.path for h in hits] == [f"{K0}/README.md", f"{K3}/README.md"]

    def test_a_huge_or_binary_readme_is_not_read(self, root: Path) -> None:
        huge = root / K2 / "README.md"
        with huge.open("wb") as handle:
            handle.truncate(9 * 1024 * 1024)  # sparse: nothing is written
        binary = root / K1 / "README.md"
        binary.write_bytes(b"sidecar \xff\xfe\n")
        result = kepctl(root, "search", "sidecar")
        assert result.stdout == f"{K0}/README.md:5: Sidecar containers start first.\n"
        assert f"kepctl: warning: {huge} is larger than 8388608 bytes\n" in result.stderr
        assert f"kepctl: warning: {binary} is not valid UTF-8 text (byte 8)\n" in result.stderr

    def test_a_kep_without_readme_has_no_text(self, root: Path) -> None:
        (root / K0 / "README.md").unlink()
        result = kepctl(root, "search", "sidecar")
        assert result.stderr == ""
        assert [e.location for e in keps.load(root).query("text:sidecar")] == [K1, K2]


class TestThe2018Layout:
    """The text of a 2018 KEP is its section files; its README.md is generated."""

    @pytest.fixture(name="seed")
    def _seed(self, tmp_path: Path) -> Path:
        kep = make_kep(tmp_path, "sig-node/sidecar-kep")
        kep.set_section(
            "summary.md", "# Sidecar Kep\n\n## Summary\n\nSidecar containers, at last.\n"
        )
        kep.persist()
        make_kep(tmp_path, "sig-apps/other-kep")
        return tmp_path

    def test_sections_are_searched_and_the_readme_is_not(self, seed: Path) -> None:
        readme = (seed / "sig-node/sig-wide/sidecar-kep/README.md").read_text(encoding="utf-8")
        assert "alice" in readme  # the authors: only in the generated README
        ks = keps.load(seed)
        assert list(ks.search("alice")) == []
        hits = list(ks.search("containers"))
        assert [(h.path, h.line_number, h.line) for h in hits] == [
            ("sig-node/sig-wide/sidecar-kep/summary.md", 5, "Sidecar containers, at last.")
        ]
        assert [e.location for e in ks.query("text:containers")] == [
            "sig-node/sig-wide/sidecar-kep"
        ]

    def test_a_section_linked_out_of_its_folder_is_not_read(
        self, seed: Path, tmp_path_factory: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture
    ) -> None:
        entry = keps.load(seed)["sig-node/sig-wide/sidecar-kep"]
        secret = tmp_path_factory.mktemp("outside") / "secret.md"
        secret.write_text("containers secret\n", encoding="utf-8")
        summary = seed / "sig-node/sig-wide/sidecar-kep/summary.md"
        summary.unlink()
        summary.symlink_to(secret)
        # a fresh index refuses the KEP (its check finds the link); the reader on its own too
        assert kepctl(seed, "search", "--rebuild", "secret").stdout == ""
        assert [kep.location for kep in keps.load(seed).broken] == [entry.location]
        caplog.clear()
        text = TextReader(seed).text(entry)
        assert "secret" not in text
        assert "## Motivation" in text  # the other section is read
        assert caplog.messages == [f"{summary} leads out of its KEP folder; it was not read"]


@pytest.mark.corpus
def test_the_corpus_agrees_with_a_plain_scan(tmp_path: Path) -> None:
    """Every KEP whose README.md holds "sidecar", and every such line, as plain Python finds them."""
    if not CORPUS.is_dir():
        pytest.skip(
            f"needs the shared KEP corpus at {CORPUS} (absent in a fresh clone; present in CI)"
        )
    root = tmp_path / "enhancements"
    shutil.copytree(CORPUS / "enhancements-2026", root)
    texts = plain_texts(root)
    collection = keps.load(root)
    order = [e.location for e in collection]  # number order
    expected = sorted(
        (loc for loc, text in texts.items() if "sidecar" in text.lower()), key=order.index
    )
    assert len(expected) == 59
    assert [e.location for e in collection.query("text:sidecar")] == expected
    assert json_locations(kepctl(root, "query", "--output", "json", 'text:"sidecar"')) == expected
    lines = [
        (f"{loc}/README.md", number)
        for loc in expected
        for number, line in enumerate(texts[loc].split("\n"), start=1)
        if "sidecar" in line.lower()
    ]
    assert [(h.path, h.line_number) for h in collection.search("sidecar")] == lines
    assert len(lines) == 887
