"""Hostile and broken input: every kind gives a KepError naming the file (and the field).

A table of broken ``metadata.yaml`` files is fed to ``keps.open`` + ``Kep.check`` and to
``keps.index.rebuild``; the YAML-level cases also to ``load_settings`` and
``SigRegistry.from_yaml_text``. Time and memory are bounded by the size, depth and node
limits (measured for the report, never asserted here).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import keps
import keps.index
from keps._yaml import MAX_DEPTH
from keps.errors import InvalidContentError, KepError, SettingsError
from keps.settings import load_settings
from keps.sigs import SigRegistry
from tests.kep_factory import make_kep

REPO = Path(__file__).resolve().parent.parent


def _bomb(levels: int = 9) -> str:
    """A billion-laughs document: 9 ** levels strings from a few hundred bytes."""
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        refs = ",".join([f"*l{i - 1}"] * 9)
        lines.append(f"l{i}: &l{i} [{refs}]")
    return "\n".join(lines) + "\n"


def _good_text(root: Path) -> str:
    return (make_kep(root, "sig-node/template").path / "metadata.yaml").read_text()


def _replace_key(text: str, key: str, value: str) -> str:
    """*text* with the block of *key* replaced by ``key: value`` (added if absent)."""
    if f"\n{key}:" not in f"\n{text}":
        return f"{text}{key}: {value}\n"
    out, skipping = [], False
    for line in text.splitlines():
        if line.startswith(f"{key}:"):
            out.append(f"{key}: {value}")
            skipping = True
        elif skipping and line.startswith(("-", " ")):
            continue
        else:
            skipping = False
            out.append(line)
    return "\n".join(out) + "\n"


#: name -> (how to break a good metadata.yaml, our words in the message, the field, our
#: problem code). The words are keps' own; a parser's wording is never asserted.
CASES: dict[str, tuple[object, str, str | None, str]] = {
    "alias bomb": (lambda t: (_bomb() + t).encode(), "alias bomb", None, "yaml-too-large"),
    "20 MB file": (
        lambda t: t.encode() + b"# " + b"x" * (20 * 1024 * 1024),
        "larger than",
        None,
        "file-too-large",
    ),
    "binary": (lambda t: bytes(range(256)) * 64, "not valid UTF-8", None, "not-utf8"),
    "invalid UTF-8": (
        lambda t: t.encode() + b"notes: caf\xe9\n",
        "not valid UTF-8",
        None,
        "not-utf8",
    ),
    "nested 100000 deep": (
        lambda t: ("x: " + "[" * 100_000).encode(),
        "nests collections more than",
        None,
        "yaml-too-deep",
    ),
    "duplicate key": (
        lambda t: (t + "title: Again\n").encode(),
        "duplicate key 'title' (first at line 3, again at line 14)",
        None,
        "yaml-invalid",
    ),
    "number for a title": (
        lambda t: _replace_key(t, "title", "5").encode(),
        "title: expected text, got a number (5)",
        "title",
        "field-invalid",
    ),
    "map for authors": (
        lambda t: _replace_key(t, "authors", "{a: 1}").encode(),
        "authors: expected a list of text, got a mapping",
        "authors",
        "field-invalid",
    ),
    "list for a state": (
        lambda t: _replace_key(t, "state", "[a]").encode(),
        "unknown state ['a']",
        "state",
        "state-invalid",
    ),
    "unknown state": (
        lambda t: _replace_key(t, "state", "bogus").encode(),
        "unknown state 'bogus'",
        "state",
        "state-invalid",
    ),
    "text for a number": (
        lambda t: _replace_key(t, "kep_number", "forty").encode(),
        "kep_number: expected a whole number",
        "kep_number",
        "field-invalid",
    ),
    "map for created": (
        lambda t: _replace_key(t, "created", "{y: 1}").encode(),
        "is not an RFC 3339 time",
        "created",
        "field-invalid",
    ),
    "text for kubernetes_wide": (
        lambda t: _replace_key(t, "kubernetes_wide", "perhaps").encode(),
        "kubernetes_wide: expected true or false",
        "kubernetes_wide",
        "field-invalid",
    ),
    "section with ..": (
        lambda t: _replace_key(t, "sections", "[../../../../etc/passwd]").encode(),
        "leaves the KEP folder",
        "sections",
        "section-path-outside",
    ),
    "absolute section": (
        lambda t: _replace_key(t, "sections", "[/etc/passwd]").encode(),
        "leaves the KEP folder",
        "sections",
        "section-path-outside",
    ),
    "not a mapping": (
        lambda t: b"- just\n- a list\n",
        "must hold a YAML mapping of metadata fields",
        None,
        "metadata-not-mapping",
    ),
}


def _broken_kep(root: Path, name: str) -> Path:
    text = _good_text(root)
    make = CASES[name][0]
    kep_dir = root / "sig-node" / "sig-wide" / "broken"
    kep_dir.mkdir(parents=True)
    (kep_dir / "metadata.yaml").write_bytes(make(text))  # type: ignore[operator]
    return kep_dir


@pytest.mark.parametrize("name", list(CASES))
def test_open_and_check_give_a_kep_error_naming_the_file_and_field(
    name: str, tmp_path: Path
) -> None:
    """keps.open then Kep.check: a KepError naming metadata.yaml, with our problem code and field."""
    kep_dir = _broken_kep(tmp_path, name)
    _, words, field, code = CASES[name]
    with pytest.raises(KepError) as raised:
        keps.open(kep_dir).check()
    text = str(raised.value)
    assert str(kep_dir / "metadata.yaml") in text
    assert words in text
    problems = raised.value.problems  # type: ignore[attr-defined]
    assert [(p.code, p.field) for p in problems] == [(code, field)], text


@pytest.mark.parametrize("name", list(CASES))
def test_rebuild_indexes_the_good_keps_and_lists_the_broken_one(name: str, tmp_path: Path) -> None:
    """A rebuild over a tree with the broken KEP indexes the others and reports it, with its problems."""
    _broken_kep(tmp_path, name)
    make_kep(tmp_path, "sig-apps/fine")
    index = keps.index.rebuild(tmp_path)
    assert {e.location for e in index.entries} == {
        "sig-node/sig-wide/template",
        "sig-apps/sig-wide/fine",
    }
    assert [b.location for b in index.broken] == ["sig-node/sig-wide/broken"]
    problems = index.broken[0].problems
    assert problems
    assert any(
        p.path and p.path.startswith(str(tmp_path / "sig-node/sig-wide/broken")) for p in problems
    )


def test_a_section_symlinked_out_of_the_kep_is_a_problem(tmp_path: Path) -> None:
    """summary.md -> /etc/passwd: a section-path-outside problem, and the file is never read."""
    kep = make_kep(tmp_path, "sig-node/linked")
    (kep.path / "summary.md").unlink()
    (kep.path / "summary.md").symlink_to("/etc/passwd")
    with pytest.raises(KepError) as raised:
        keps.open(kep.path).check()
    assert "summary.md" in str(raised.value) and "leaves the KEP folder" in str(raised.value)
    with pytest.raises(KepError, match="leaves the KEP folder"):
        keps.open(kep.path).section_text("summary.md")


def test_a_broken_tree_reports_every_broken_kep(tmp_path: Path) -> None:
    """Many broken KEPs at once: all listed, the good ones indexed, nothing stops early."""
    make_kep(tmp_path, "sig-apps/fine")
    text = _good_text(tmp_path)
    for i, (make, *_) in enumerate(CASES.values()):
        kep_dir = tmp_path / "sig-node" / "sig-wide" / f"broken-{i:02d}"
        kep_dir.mkdir(parents=True)
        (kep_dir / "metadata.yaml").write_bytes(make(text))  # type: ignore[operator]
    index = keps.index.rebuild(tmp_path)
    assert len(index.broken) == len(CASES)
    assert len(index.entries) == 2
    assert all(b.problems for b in index.broken)


# -- the other parsers of YAML files ---------------------------------------------------------

#: name -> (the file, our words in load_settings' SettingsError, our problem code in the
#: SIG list's InvalidContentError)
YAML_CASES = {
    "alias bomb": (_bomb() + "principal: *l8\n", "(alias bomb?)", "sig-list-not-yaml"),
    "binary": ("\x00\x01\x02 not yaml \x7f", "is not valid YAML", "sig-list-not-yaml"),
    "wrong types": ("principal: {a: 1}\n", "principal must be a single value", "sig-list-shape"),
    "not a mapping": ("- a\n- b\n", "must be a mapping of names to values", "sig-list-shape"),
}


@pytest.mark.parametrize("name", list(YAML_CASES))
def test_settings_and_sig_lists_refuse_hostile_yaml(name: str, tmp_path: Path) -> None:
    """load_settings and SigRegistry.from_yaml_text: a KepError that names the file."""
    text, words, code = YAML_CASES[name]
    path = tmp_path / "settings.yaml"
    path.write_text(text)
    with pytest.raises(SettingsError) as raised:
        load_settings(path)
    assert str(path) in str(raised.value)
    assert words in str(raised.value)
    with pytest.raises(InvalidContentError) as caught:
        SigRegistry.from_yaml_text(text, source="my/sigs.yaml")
    assert "my/sigs.yaml" in str(caught.value)
    assert [(p.code, p.path) for p in caught.value.problems] == [(code, "my/sigs.yaml")]


def test_a_20_mb_settings_file_is_refused_by_size(tmp_path: Path) -> None:
    """The settings file goes through the same size limit as every read."""
    path = tmp_path / "settings.yaml"
    path.write_bytes(b"principal: x\n# " + b"x" * (20 * 1024 * 1024))
    with pytest.raises(KepError, match="larger than"):
        load_settings(path)


@pytest.mark.parametrize("parser", ["settings", "sigs"])
def test_duplicate_keys_in_settings_and_sig_lists_are_refused(parser: str, tmp_path: Path) -> None:
    """A key given twice is an error, as in metadata.yaml, not a silent last-one-wins."""
    if parser == "settings":
        path = tmp_path / "settings.yaml"
        path.write_text("principal: a\nprincipal: b\n")
        with pytest.raises(SettingsError) as raised:
            load_settings(path)
        assert str(path) in str(raised.value)
        assert "duplicate key 'principal' (first at line 1, again at line 2)" in str(raised.value)
    else:
        with pytest.raises(InvalidContentError) as caught:
            SigRegistry.from_yaml_text(
                "groups:\n- dir: sig-a\n  name: A\n  name: B\n", source="sigs.yaml"
            )
        [problem] = caught.value.problems
        assert (problem.code, problem.path, problem.line) == ("sig-list-not-yaml", "sigs.yaml", 4)
        assert "duplicate key 'name' (first at line 3, again at line 4)" in problem.message


CHILD = """
import sys
from pathlib import Path
from keps._yaml import MAX_DEPTH
from keps.errors import InvalidContentError, KepError, SettingsError
from keps.settings import load_settings
from keps.sigs import SigRegistry
path = Path(sys.argv[1])
path.write_text("x: " + "[" * 100_000)
try:
    if sys.argv[2] == "settings":
        load_settings(path)
    else:
        SigRegistry.from_yaml_text(path.read_text(), source=str(path))
except KepError as exc:
    print("KepError", exc)
"""


@pytest.mark.parametrize("parser", ["settings", "sigs"])
def test_deeply_nested_settings_and_sig_lists_do_not_crash(parser: str, tmp_path: Path) -> None:
    """100000 nested brackets: a KepError, not a segfault (run in a child so a crash is seen)."""
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "deep.yaml"), parser],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == 0, f"the parser crashed (exit {child.returncode})"
    assert child.stdout.startswith("KepError")


# -- nesting: what keps accepts, it can write back --------------------------------------------


def _nested(depth: int, *, flow: bool) -> str:
    """An unknown key holding *depth* collections inside one another."""
    if flow:
        return "notes: " + "[" * depth + "1" + "]" * depth + "\n"
    lines = ["notes:"]
    lines.extend(" " * (2 * level) + "- " for level in range(1, depth + 1))
    lines[-1] += "1"
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 999])
@pytest.mark.parametrize("flow", [True, False], ids=["flow", "block"])
def test_nesting_past_the_limit_is_refused_when_the_kep_is_opened(
    depth: int, flow: bool, tmp_path: Path
) -> None:
    """999-deep sequences used to open and check fine, then kill every step in the writer."""
    kep = make_kep(tmp_path, "sig-node/deep")
    path = kep.path / "metadata.yaml"
    path.write_text(path.read_text() + _nested(depth, flow=flow))
    with pytest.raises(KepError) as raised:
        keps.open(kep.path)
    assert str(path) in str(raised.value)
    assert [p.code for p in raised.value.problems] == ["yaml-too-deep"]  # type: ignore[attr-defined]
    assert [b.location for b in keps.index.rebuild(tmp_path).broken] == ["sig-node/sig-wide/deep"]


@pytest.mark.parametrize("flow", [True, False], ids=["flow", "block"])
def test_a_kep_nested_to_the_limit_opens_and_persists(flow: bool, tmp_path: Path) -> None:
    """The deepest document open accepts survives a change and a persist (no RecursionError)."""
    kep = make_kep(tmp_path, "sig-node/deep")
    path = kep.path / "metadata.yaml"
    path.write_text(path.read_text() + _nested(MAX_DEPTH - 1, flow=flow))
    opened = keps.open(kep.path)
    opened.add_reviewers("rita")
    assert opened.persist()
    again = keps.open(kep.path)
    assert again.reviewers == ("rita",)
    depth, notes = 0, again.raw["notes"]
    while isinstance(notes, list):
        depth, notes = depth + 1, notes[0]
    assert (depth, notes) == (MAX_DEPTH - 1, 1)
