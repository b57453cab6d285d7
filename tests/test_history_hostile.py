"""keps.history on checkouts that fight back: every bad kep.yaml is a problem, never a crash.

A checkout is untrusted in every version: a kep.yaml may be a symlink out of the
repository, a submodule, a blob over the size limit, bytes that are not UTF-8, YAML
made to blow up, or a path that is not UTF-8. Each is skipped for its commit with a
problem that names the file and the commit; the KEP's other versions still count.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pygit2
import pytest

import keps.history
from keps._files import MAX_FILE_BYTES
from tests.test_history import JAN, JUN, KEP, MAR, Git, kep_yaml

LINK, SUBMODULE = 0o120000, 0o160000
KEP_FILE = f"{KEP}/kep.yaml"


@pytest.fixture(name="git")
def _git(tmp_path: Path) -> Git:
    return Git(tmp_path / "enhancements")


def between_good_versions(git: Git, bad: str | bytes | tuple[bytes, int]) -> tuple[str, str]:
    """Provisional, then *bad* at one commit, then implemented; (bad commit, last commit)."""
    git.commit({KEP_FILE: kep_yaml("provisional")}, JAN)
    broken = git.commit({KEP_FILE: bad}, MAR)
    last = git.commit({KEP_FILE: kep_yaml("implemented")}, JUN)
    return broken, last


def assert_skipped(git: Git, broken: str, last: str, code: str) -> None:
    """The bad version added no change and one problem naming the file and the commit."""
    history = keps.history.load(git.path)
    assert [(c.old, c.new) for c in history.changes] == [
        (None, "provisional"),
        ("provisional", "implemented"),
    ]
    assert history.changes[-1].commit == last
    (problem,) = history.problems
    assert (problem.code, problem.path) == (code, KEP_FILE)
    assert broken in problem.message
    assert "skipped" in problem.message


def test_a_symlinked_kep_yaml_is_not_followed(git: Git) -> None:
    broken, last = between_good_versions(git, (b"../../../../../../etc/passwd", LINK))
    assert_skipped(git, broken, last, "not-a-regular-file")


def test_a_symlink_to_a_good_kep_yaml_inside_the_repository_is_not_followed(git: Git) -> None:
    git.commit({"good.yaml": kep_yaml("implemented"), KEP_FILE: (b"../../../good.yaml", LINK)}, JAN)
    history = keps.history.load(git.path)
    assert history.changes == ()
    assert [p.code for p in history.problems] == ["not-a-regular-file"]
    assert "symbolic link" in history.problems[0].message


def test_a_submodule_named_kep_yaml(git: Git) -> None:
    nowhere = "0123456789abcdef0123456789abcdef01234567"  # a commit this repository lacks
    broken, last = between_good_versions(git, (bytes.fromhex(nowhere), SUBMODULE))
    assert_skipped(git, broken, last, "not-a-regular-file")
    assert "submodule" in keps.history.load(git.path).problems[0].message


def test_a_blob_over_the_size_limit_is_never_read(git: Git) -> None:
    huge = kep_yaml("withdrawn") + "#" * MAX_FILE_BYTES
    broken, last = between_good_versions(git, huge)
    assert_skipped(git, broken, last, "file-too-large")


def test_bytes_that_are_not_utf8(git: Git) -> None:
    broken, last = between_good_versions(git, kep_yaml("withdrawn").encode() + b"\xff\xfe")
    assert_skipped(git, broken, last, "not-utf8")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "a: &a [x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            id="alias-bomb",
        ),
        pytest.param("[" * 5000 + "]" * 5000, id="deep-nesting"),
        pytest.param("status: [implementable\n", id="not-yaml"),
        pytest.param("status: a\nstatus: b\n", id="duplicate-key"),
        pytest.param("- a list\n- of things\n", id="a-list"),
        pytest.param("", id="empty"),
        pytest.param("\x00\x01binary", id="control-characters"),
    ],
)
def test_text_made_to_break_a_parser(git: Git, text: str) -> None:
    broken, last = between_good_versions(git, text)
    history = keps.history.load(git.path)
    assert [(c.new, c.commit) for c in history.changes][1:] == [("implemented", last)]
    (problem,) = history.problems
    assert problem.path == KEP_FILE
    assert broken in problem.message


def test_a_path_that_is_not_utf8(git: Git) -> None:
    """A tree entry named with bytes that are not UTF-8 (git allows any bytes but / and NUL)."""
    repo = git.repo
    blob = repo.create_blob(kep_yaml("provisional").encode())
    kep = repo.odb.write(pygit2.enums.ObjectType.TREE, b"100644 kep.yaml\x00" + blob.raw)
    sig = repo.odb.write(pygit2.enums.ObjectType.TREE, b"40000 12-caf\xe9\x00" + kep.raw)
    keps_tree = repo.odb.write(pygit2.enums.ObjectType.TREE, b"40000 sig-node\x00" + sig.raw)
    root = repo.odb.write(pygit2.enums.ObjectType.TREE, b"40000 keps\x00" + keps_tree.raw)
    author = pygit2.Signature("Eve", "eve@example.com", int(JAN.timestamp()), 0)
    commit = repo.create_commit("HEAD", author, author, "bytes", root, [])
    history = keps.history.load(git.path)
    assert history.changes == ()
    (problem,) = history.problems
    assert problem.code == "not-utf8"
    assert "12-caf\\xe9" in problem.message
    assert str(commit) in problem.message


def test_an_author_whose_name_is_not_text(git: Git) -> None:
    """A commit object written byte by byte, its author name not valid UTF-8."""
    repo = git.repo
    tree = git.tree({KEP_FILE: kep_yaml("provisional")})
    when = int(JAN.timestamp())
    raw = (
        f"tree {tree}\n".encode()
        + f"author M\xfcller <m@example.com> {when} +0000\n".encode("latin-1")
        + f"committer M\xfcller <m@example.com> {when} +0000\n\nlatin-1 name\n".encode("latin-1")
    )
    commit = repo.odb.write(pygit2.enums.ObjectType.COMMIT, raw)
    repo.references.create("refs/heads/main", commit, force=True)
    repo.set_head("refs/heads/main")
    (change,) = keps.history.load(git.path).changes
    assert change.author == "M\ufffdller <m@example.com>"
    assert change.time == JAN


def test_a_shallow_history_starts_where_the_parents_are_missing(git: Git) -> None:
    """A commit whose parent object is absent, as at a shallow clone's boundary."""
    missing = "0123456789abcdef0123456789abcdef01234567"
    tree = git.tree({KEP_FILE: kep_yaml("provisional")})
    when = int(MAR.timestamp())
    raw = (
        f"tree {tree}\nparent {missing}\n"
        f"author Alice <alice@example.com> {when} +0000\n"
        f"committer Alice <alice@example.com> {when} +0000\n\nshallow\n"
    ).encode()
    only = git.repo.odb.write(pygit2.enums.ObjectType.COMMIT, raw)
    git.repo.references.create("refs/heads/main", only, force=True)
    git.repo.set_head("refs/heads/main")
    history = keps.history.load(git.path)
    assert [(c.new, c.commit) for c in history.changes] == [("provisional", str(only))]
    assert [p.code for p in history.problems] == ["history-shallow"]
    assert missing in history.problems[0].message


def test_keps_that_is_a_file_not_a_folder(git: Git) -> None:
    git.commit({KEP_FILE: kep_yaml("provisional")}, JAN)
    git.commit({"keps": "not a folder"}, MAR)
    history = keps.history.load(git.path)
    assert [c.new for c in history.changes] == ["provisional", None]


def test_kep_yaml_that_is_a_folder(git: Git) -> None:
    git.commit({f"{KEP_FILE}/inside": kep_yaml("provisional")}, JAN)
    history = keps.history.load(git.path)
    assert (history.changes, history.problems) == ((), ())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
def test_nothing_is_read_from_the_work_tree(git: Git) -> None:
    """The approvals file of the work tree is a FIFO, which a read would block on."""
    git.commit({KEP_FILE: kep_yaml("implementable")}, JAN)
    prr = git.path / "keps" / "prod-readiness" / "sig-node"
    prr.mkdir(parents=True)
    os.mkfifo(prr / "1234.yaml")
    kep_dir = git.path / KEP
    kep_dir.mkdir(parents=True)
    (kep_dir / "kep.yaml").symlink_to("/dev/zero")
    history = keps.history.load(git.path)
    assert [c.new for c in history.changes] == ["implementable"]
    assert history.problems == ()


def test_a_broken_first_version_counts_from_the_first_good_one(git: Git) -> None:
    git.commit({KEP_FILE: "{{{"}, JAN)
    good = git.commit({KEP_FILE: kep_yaml("provisional")}, MAR)
    history = keps.history.load(git.path)
    assert [(c.old, c.new, c.commit) for c in history.changes] == [(None, "provisional", good)]
    assert len(history.problems) == 1


def test_one_bad_blob_in_many_commits_is_reported_at_each(git: Git) -> None:
    git.commit({KEP_FILE: kep_yaml("provisional")}, JAN)
    for day in range(1, 4):
        when = MAR + dt.timedelta(days=day)
        git.commit({KEP_FILE: "{{{", "n": str(day)}, when)
        git.commit({KEP_FILE: kep_yaml("provisional"), "n": str(day)}, when)
    history = keps.history.load(git.path)
    assert len(history.changes) == 1
    assert len(history.problems) == 3
