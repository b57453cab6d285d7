"""What a notebook prints for the objects people meet: one short line, saying what it is.

A Repository's repr used to be 91 KB (every SIG and every KEP, through attrs); an
Entry's listed all 26 fields. Each repr here is one line of under 200 characters that
starts with the class's name, for every KEP of the real corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import keps
import keps.index
from keps import validate
from keps.analysis.findings import Findings
from keps.index.entry import Entry
from keps.problems import Problem
from keps.sigs import SigRegistry
from tests.conftest import CORPUS
from tests.enhancements_tree import write_checkout

LIMIT = 200


def assert_short(value: object) -> str:
    """*value*'s repr: one line, under LIMIT characters, naming its class (or the public
    class it derives from: a Kep of either layout says Kep) first."""
    text = repr(value)
    assert "\n" not in text and "\r" not in text, text
    assert len(text) < LIMIT, text
    said = text[1:].split(" ", 1)[0].rstrip(":")
    assert text.startswith("<") and said in {c.__name__ for c in type(value).__mro__[:-1]}, text
    return text


@pytest.fixture(name="checkout", scope="module")
def _checkout() -> Path:
    root = CORPUS / "enhancements-2026"
    if not root.is_dir():
        pytest.skip(
            f"needs the shared KEP corpus at {CORPUS} (absent in a fresh clone; present in CI)"
        )
    return root


@pytest.mark.corpus
def test_every_object_of_the_corpus_has_a_short_repr(checkout: Path) -> None:
    collection = keps.load(checkout)
    assert "655 KEPs" in assert_short(collection) or len(collection) != 655
    assert_short(collection.query("sig:sig-node stage:beta"))
    assert assert_short(keps.index.open(checkout)).startswith(f"<Index of {checkout}")
    for entry in collection:
        assert_short(entry)
    assert assert_short(collection[753]) == (
        "<Entry 753 'Sidecar Containers' implemented stable keps/sig-node/753-sidecar-containers>"
    )

    repo = validate.open_repository(checkout)
    text = assert_short(repo)
    assert text.startswith(f"<Repository {checkout}: {len(repo.keps)} KEPs")
    assert "release v1." in text
    assert_short(repo.registry)
    for kep in repo.keps:
        assert_short(kep)
    assert assert_short(collection.open(753)) == (
        "<Kep 753 'Sidecar Containers' implemented at keps/sig-node/753-sidecar-containers>"
    )
    assert_short(collection.validate())


def test_a_repository_names_the_release_it_was_given(tmp_path: Path) -> None:
    root = write_checkout(tmp_path / "enhancements", count=3)
    given = validate.open_repository(root, release="v1.40")
    assert assert_short(given) == f"<Repository {root}: 3 KEPs, release v1.40>"
    newest = validate.open_repository(root)  # minors 9, 14, 19: the newest stands in
    assert assert_short(newest) == f"<Repository {root}: 3 KEPs, release v1.19>"


def test_a_registry_counts_its_groups() -> None:
    registry = SigRegistry.packaged()
    text = assert_short(registry)
    assert f"{len(registry)} groups ({len(registry.all())} SIGs)" in text


def test_hostile_names_stay_on_one_short_line() -> None:
    entry = Entry(
        uuid="u",
        kep_number=7,
        title="line one\nline two " + "x" * 300,
        location="keps/sig-node/" + "y" * 300 + "\n",
        stage="alpha|beta|stable" * 20,
    )
    text = assert_short(entry)
    assert text.startswith("<Entry 7 'line one\\nline two x")
    assert text.endswith("yyy\\n>")
    findings = Findings(Problem(f"code-{n % 7}", "message\n" * 40) for n in range(5000))
    assert assert_short(findings) == (
        "<Findings: 5000 problems (5000 errors, 0 warnings) of 7 codes>"
    )


def test_a_kep_without_a_status_says_no_state(tmp_path: Path) -> None:
    from tests.validate_helpers import GOOD, KEP, make_checkout

    make_checkout(tmp_path, GOOD.replace("status: implementable\n", ""))
    kep = keps.open(tmp_path / KEP)
    assert kep.state is None
    assert " no-state " in repr(kep)


def test_a_state_as_written_is_cut_to_sixteen_characters() -> None:
    """A status that is no state shows as written, at most 16 characters with the '…'."""
    entry = Entry(
        uuid="u",
        kep_number=7,
        title="t",
        location="keps/x",
        unparsed=(("state", "implementable|deferred"),),
    )
    assert repr(entry) == "<Entry 7 't' implementable|d… keps/x>"
