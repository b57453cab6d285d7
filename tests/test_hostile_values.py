"""Hostile values in one KEP's metadata: a problem naming the file and field, never a crash.

One KEP with a NUL in a section path or a number of thousands of digits must not block
the tree: opening and checking it gives a KepError naming its metadata file and the
field, and an index rebuild lists it as broken and indexes every other KEP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import keps
import keps.index
import keps.validate as kv
from keps.errors import InvalidContentError, KepError
from keps.keps.layouts import ENHANCEMENTS, SEED
from keps.keps.layouts.enhancements import FIELDS, KEP_FILE
from keps.keps.layouts.seed import ALL_KEYS, metadata_from_mapping
from keps.keps.metadata import PrrApproval
from keps.problems import MAX_MESSAGE
from keps.sigs import registry_for
from tests.kep_factory import T0, make_kep

NINES = "9" * 4300  # the most digits Python turns into an int; one more and int() refuses
BEYOND = 10**9 + 1  # one over the highest KEP number the model holds

KEP_YAML = """\
title: Pod Things
kep-number: 1234
authors:
  - "@alice"
owning-sig: sig-node
status: implementable
creation-date: 2023-01-05
reviewers:
  - "@rita"
approvers:
  - "@arnold"
"""


def _seed_tree(root: Path) -> tuple[Path, Path]:
    """Two sound implementable seed KEPs; returns (the one to spoil, the other)."""
    bad = make_kep(root, "sig-node/spoiled", state=keps.State.IMPLEMENTABLE).path
    good = make_kep(root, "sig-apps/sound", state=keps.State.IMPLEMENTABLE).path
    return bad, good


def _enhancements_tree(root: Path) -> tuple[Path, Path]:
    """Two sound kep.yaml KEPs in a kubernetes/enhancements checkout; (to spoil, other)."""
    folders = []
    for number, folder in ((1234, "keps/sig-node/1234-spoiled"), (99, "keps/sig-apps/99-sound")):
        kep_dir = root / folder
        kep_dir.mkdir(parents=True)
        text = KEP_YAML.replace("1234", str(number))
        if number == 99:
            text = text.replace("sig-node", "sig-apps")
        (kep_dir / KEP_FILE).write_text(text)
        (kep_dir / "README.md").write_text("# A KEP\n\n## Summary\n\nText.\n")
        folders.append(kep_dir)
    return folders[0], folders[1]


def _replace_line(path: Path, start: str, new: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(new if line.startswith(start) else line for line in lines))


def _nul_in_section(kep_dir: Path) -> tuple[Path, str]:
    meta = kep_dir / "metadata.yaml"
    meta.write_text(meta.read_text().replace("- README.md", '- "READ\\0ME.md"\n- README.md'))
    return meta, "sections"


def _control_in_section(kep_dir: Path) -> tuple[Path, str]:
    meta = kep_dir / "metadata.yaml"
    meta.write_text(meta.read_text().replace("- README.md", '- "notes\\e[2J.md"\n- README.md'))
    return meta, "sections"


def _number(value: object, *, seed: bool) -> Callable[[Path], tuple[Path, str]]:
    """A spoiler writing *value* as the KEP number: metadata.yaml's ``kep_number`` for the
    seed, kep.yaml's ``kep-number`` otherwise."""
    name, key = ("metadata.yaml", "kep_number") if seed else (KEP_FILE, "kep-number")

    def spoil(kep_dir: Path) -> tuple[Path, str]:
        meta = kep_dir / name
        _replace_line(meta, f"{key}:", f"{key}: {value}\n")
        return meta, key

    return spoil


Spoiler = Callable[[Path], tuple[Path, str]]
Tree = Callable[[Path], tuple[Path, Path]]

CASES: dict[str, tuple[Tree, Spoiler]] = {
    "NUL in a section path": (_seed_tree, _nul_in_section),
    "escape in a section path": (_seed_tree, _control_in_section),
    "4300-digit kep_number": (_seed_tree, _number(NINES, seed=True)),
    "4300-digit kep-number": (_enhancements_tree, _number(NINES, seed=False)),
    "4302-digit kep_number": (_seed_tree, _number(f"{NINES}99", seed=True)),
    "4302-digit kep-number": (_enhancements_tree, _number(f"{NINES}99", seed=False)),
    "4301-digit quoted kep-number": (_enhancements_tree, _number(f'"{NINES}9"', seed=False)),
    "kep-number just over the bound": (_enhancements_tree, _number(BEYOND, seed=False)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_check_names_the_file_and_the_field(case: str, tmp_path: Path) -> None:
    """keps.open(...).check() on the hostile KEP raises a KepError naming file and field."""
    make_tree, spoil = CASES[case]
    kep_dir, _ = make_tree(tmp_path)
    meta, field = spoil(kep_dir)
    with pytest.raises(InvalidContentError) as caught:
        keps.open(kep_dir).check(now=T0)
    assert any(p.path == str(meta) and p.field == field for p in caught.value.problems), [
        str(p) for p in caught.value.problems
    ]


@pytest.mark.parametrize("case", list(CASES))
def test_rebuild_lists_the_kep_as_broken_and_indexes_the_others(case: str, tmp_path: Path) -> None:
    """One hostile KEP is broken in the index; the other KEP is indexed as usual."""
    make_tree, spoil = CASES[case]
    kep_dir, other = make_tree(tmp_path)
    meta, field = spoil(kep_dir)
    built = keps.index.rebuild(tmp_path, incremental=False)
    located = {e.location for e in built.entries}
    assert located == {other.relative_to(tmp_path).as_posix()}
    [broken] = built.broken
    assert broken.location == kep_dir.relative_to(tmp_path).as_posix()
    assert any(p.path == str(meta) and p.field == field for p in broken.problems)
    assert "broken" in repr(built)


# -- every field, every hostile scalar: a Metadata or a KepError, for both layouts ----------

hostile_scalars: st.SearchStrategy[object] = st.one_of(
    st.sampled_from(
        [
            "READ\0ME.md",
            "a\x1b[31mb",
            "\ud800",
            NINES,
            NINES + "9",
            "²",
            "٣",
            "-5",
            " ",
            "",
            "9999-12-31T23:59:59-01:00",
            "0001-01-01T00:00:00+01:00",
            "2019-02-30",
            10**4000,
            -1,
            BEYOND,
            float("nan"),
            float("inf"),
            True,
            dt.datetime.max,
            dt.date.min,
        ]
    ),
    st.text(),
    st.integers(),
    st.floats(),
)
hostile_values = st.one_of(
    hostile_scalars,
    st.lists(hostile_scalars, max_size=3),
    st.lists(st.dictionaries(st.sampled_from(["name", "code", "reason", "date"]), hostile_scalars)),
    st.dictionaries(st.sampled_from(["alpha", "beta", "x"]), hostile_scalars, max_size=2),
)

SEED_BASE: dict[str, object] = {
    "authors": ["alice"],
    "title": "T",
    "state": "provisional",
    "created": T0,
    "last_updated": T0,
    "uuid": "016db929-7658-4acf-aebb-2df0a66df425",
    "sections": ["summary.md", "README.md"],
    "owning_sig": "sig-node",
}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(ALL_KEYS), value=hostile_values)
@example(key="sections", value=["READ\0ME.md"])
@example(key="sections", value=["\ud800"])
@example(key="created", value="9999-12-31T23:59:59-01:00")
@example(key="kep_number", value=10**4000)
def test_seed_metadata_from_hostile_values(key: str, value: object, tmp_path: Path) -> None:
    """Metadata.from_mapping, then the checks and the README: a result or a KepError."""
    kep_dir = tmp_path / "sig-node" / "sig-wide" / "k"
    kep_dir.mkdir(parents=True, exist_ok=True)
    try:
        metadata = metadata_from_mapping({**SEED_BASE, key: value}, path="m.yaml")
        kep = SEED.kep_type(
            path=kep_dir, content_root=tmp_path, registry=registry_for(None), metadata=metadata
        )
        kep.problems(now=T0)
        kep.render_readme()
        keps.index.Entry.from_metadata(metadata, "sig-node/sig-wide/k")
    except KepError as exc:
        assert str(exc)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from([f.key for f in FIELDS]), value=hostile_values)
@example(key="kep-number", value=NINES + "9")
@example(key="kep-number", value="²")
def test_kep_yaml_from_hostile_values(key: str, value: object, tmp_path: Path) -> None:
    """The kep.yaml reader, the checks and the index entry: a result or a KepError."""
    kep_dir = tmp_path / "keps" / "sig-node" / "1-k"
    kep_dir.mkdir(parents=True, exist_ok=True)
    data = {**yaml.safe_load(KEP_YAML), key: value}
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        return  # PyYAML cannot write it, so no file holds it
    try:
        loaded = ENHANCEMENTS.read(kep_dir, text)
        kep = ENHANCEMENTS.kep_type(
            path=kep_dir,
            content_root=tmp_path,
            registry=registry_for(None),
            metadata=loaded.metadata,
            loaded=loaded,
        )
        kep.problems(now=T0)
        ENHANCEMENTS.to_mapping(loaded.metadata)
        keps.index.Entry.from_metadata(loaded.metadata, "keps/sig-node/1-k")
    except KepError as exc:
        assert str(exc)


@pytest.mark.parametrize("number", [10**4000, -1, BEYOND])
def test_the_model_holds_no_number_out_of_range(number: int, tmp_path: Path) -> None:
    """Kep.update refuses a number the index could not hold, naming the field; nothing changes."""
    kep = make_kep(tmp_path, state=keps.State.IMPLEMENTABLE)
    with pytest.raises(InvalidContentError, match="kep_number"):
        kep.update(kep_number=number)
    assert kep.kep_number == 42


# -- an owning-sig that is a path: the PRR approval file is never looked for outside -------


@pytest.mark.parametrize("sig", ["../../../outside", "sig-node/../../../outside", "x" * 300])
def test_owning_sig_never_leads_the_prr_file_out(sig: str, tmp_path: Path) -> None:
    """kep.yaml's owning-sig names the PRR folder: a path there is neither read nor written."""
    root = tmp_path / "checkout"
    kep_dir, _ = _enhancements_tree(root)
    (root / "keps" / "prod-readiness" / "sig-node").mkdir(parents=True)
    _replace_line(kep_dir / KEP_FILE, "owning-sig:", f'owning-sig: "{sig}"\n')
    planted = tmp_path / "outside" / "1234.yaml"
    planted.parent.mkdir()
    planted.write_text('kep-number: 1234\nalpha:\n  approver: "@mallory"\n')
    kep = keps.open(kep_dir)
    assert kep.prr_approvals == ()
    kep.update(prr_approvals=(PrrApproval("alpha", "@someone"),))
    with pytest.raises(KepError):
        kep.persist(now=T0)
    assert planted.read_text() == 'kep-number: 1234\nalpha:\n  approver: "@mallory"\n'
    assert sorted(p.name for p in (tmp_path / "outside").iterdir()) == ["1234.yaml"]


# -- digit runs past int()'s limit in the values validation reads ---------------------------

LONG = "9" * 5000


@pytest.mark.parametrize(
    ("old", "new", "codes"),
    [
        (
            'latest-milestone: "v1.30"',
            f'latest-milestone: "v1.{LONG}"',
            {"latest-milestone-invalid", "milestone-invalid"},
        ),
        ('  beta: "v1.30"', f'  beta: "v1.{LONG}"', {"milestone-invalid"}),
        ('  - "/keps/sig-node/99-other"', f'  - "#{LONG}"', {"see-also-unresolved"}),
    ],
    ids=["latest-milestone", "milestone", "see-also"],
)
def test_validation_reports_digit_runs_as_problems(
    old: str, new: str, codes: set[str], tmp_path: Path
) -> None:
    """A 5,000-digit release or KEP number is a problem of that field at each level, never a
    bare ValueError from int() (which refuses more than 4,300 digits)."""
    from tests.validate_helpers import GOOD, KEP, findings, make_checkout

    assert GOOD.count(old) == 1
    root = make_checkout(tmp_path, GOOD.replace(old, new))
    found = {code for level in ("kepval", "lint") for code, path, _ in findings(root, level)}
    assert codes <= found
    repo = kv.open_repository(root)
    messages = [p.message for level in ("kepval", "lint") for p in kv.validate(repo, level=level)]
    assert messages and all(len(m) <= MAX_MESSAGE for m in messages)  # the value is cut
    assert any(m.endswith("...") and LONG[:500] in m for m in messages)
    assert all(path == KEP for level in ("kepval", "lint") for _, path, _ in findings(root, level))


def test_a_milestone_of_thousands_of_digits_is_refused_as_no_milestone() -> None:
    """keps.Milestone refuses it as it refuses any text that is no release, by its own words."""
    with pytest.raises(ValueError, match=r"is not a milestone such as v1\.30"):
        keps.Milestone.parse(f"v1.{LONG}")


@pytest.mark.parametrize(
    ("field", "keys"),
    [
        ("prr_approvals", "stage, approver"),
        ("exemptions", "code, reason"),
        ("feature_gates", "name, components"),
    ],
)
@pytest.mark.parametrize(
    ("written", "kind"), [("alpha", "str 'alpha'"), ("7", "a number (7)"), ("{}", "a mapping")]
)
def test_lists_of_mappings_that_are_no_list_say_what_they_are(
    field: str, keys: str, written: str, kind: str, tmp_path: Path
) -> None:
    """metadata.yaml's lists of mappings must be lists: the problem says what it found."""
    kep = make_kep(tmp_path, "sig-node/a")
    kep.metadata_path.write_text(kep.metadata_path.read_text() + f"{field}: {written}\n")
    with pytest.raises(InvalidContentError) as info:
        keps.open(kep.path)
    [problem] = info.value.problems
    assert (problem.code, problem.path) == ("field-invalid", str(kep.metadata_path))
    assert problem.message == f"{field}: expected a list of {{{keys}}} mappings, got {kind}"


@pytest.mark.parametrize("tree_of", [_seed_tree, _enhancements_tree], ids=["seed", "checkout"])
def test_a_metadata_file_that_cannot_be_opened_is_a_broken_kep_naming_it(
    tree_of: Tree, tmp_path: Path
) -> None:
    """A socket where metadata.yaml or kep.yaml should be cannot even be opened: the KEP
    is listed as broken, its problem names that very file, and the other KEP is indexed."""
    import socket

    bad, good = tree_of(tmp_path)
    meta = bad / "metadata.yaml" if (bad / "metadata.yaml").exists() else bad / KEP_FILE
    meta.unlink()
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(meta))
    try:
        index = keps.index.rebuild(tmp_path)
    finally:
        listening.close()
    assert [e.location for e in index.entries] == [good.relative_to(tmp_path).as_posix()]
    [broken] = index.broken
    assert [(p.code, p.path) for p in broken.problems] == [("kep-unreadable", str(meta))]
