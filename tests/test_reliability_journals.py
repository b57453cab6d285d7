"""Undo journals are untrusted input: planted, malformed or stale ones never do harm.

Issue #12 found that a ``.keps-locks/*.journal`` committed to a content repository was
replayed by any step: a file anywhere whose sha256 the journal stated got the journal's
bytes (``~/.bashrc`` was overwritten by ``kepctl propose``), and malformed journals
crashed every later step. Journals now live outside the tree, are signed with a key in
the user's state directory, are checked against the shape keps writes and against the
paths their step could have written, and are replaced atomically.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import filelock
import pygit2
import pytest
from click.testing import CliRunner

import keps
import keps._files as files
from keps import _journal, workflow
from keps._journal import REJECTED_SUFFIX, allowed_dir, allowed_file
from keps._locks import index_lock_file, journal_file, locks_dir
from keps._state import state_dir
from keps.cli import cli
from tests.kep_factory import make_kep, snapshot
from tests.test_reliability_failures import STEPS, leftovers, prepare
from tests.test_reliability_special_files import bounded, plant_fifo
from tests.workflow_helpers import APPROVER, edit, runtime

REPO = Path(__file__).resolve().parent.parent
LOCATION = "sig-node/sig-wide/my-kep"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def plant(root: Path, labels: list[str], record: Any, *, sign: bool = True) -> Path:
    """Write a journal holding *record* where keps looks for the journal of *labels*.

    With *sign* it carries a valid signature made with this user's key, as if keps had
    written it: what is then tested is the shape and path checks behind the signature.
    """
    path = journal_file(root, labels)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = record if isinstance(record, str) else json.dumps(record, sort_keys=True)
    body = text.encode("utf-8", "surrogatepass")
    mac = "0" * 64
    if sign:
        key = _journal._signing_key(create=True)
        assert key is not None
        mac = _journal._mac(key, root, path, body)
    path.write_text(json.dumps({"mac": mac, "record": text}), encoding="utf-8")
    return path


def _record(labels: Any, files_: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A journal record as keps writes it; *extra* replaces any key."""
    record = {"version": 2, "labels": labels, "aborted": False, "dirs": [], "files": files_}
    record.update(extra)
    return record


@pytest.fixture(name="victim")
def _victim(tmp_path: Path) -> dict[str, Path]:
    """A file and a folder outside the content root that a planted journal goes after."""
    home = Path.home()
    bashrc = home / ".bashrc"
    bashrc.write_text("# the user's own shell settings\n")
    folder = tmp_path / "outside-folder"
    folder.mkdir()
    return {"file": bashrc, "folder": folder}


def _hostile(victim: dict[str, Path], version: int) -> dict[str, Any]:
    """The journal of the report: overwrite a file outside, delete another, remove a folder."""
    target = victim["file"]
    return {
        "version": version,
        "labels": [LOCATION],
        "aborted": True,
        "dirs": [str(victim["folder"])],
        "files": [
            {
                "path": str(target),
                "original": _b64(b"echo pwned\n"),
                "new_sha256": _sha(target.read_bytes()),
            },
        ],
    }


@pytest.mark.parametrize(
    "where",
    ["in the tree, old format", "in the state folder, unsigned", "in the state folder, signed"],
)
def test_a_planted_journal_never_writes_outside_the_content_root(
    where: str, tmp_path: Path, victim: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    """The attack of item 1: nothing outside the root changes, and the journal is not replayed."""
    root = tmp_path / "content"
    make_kep(root, "sig-node/my-kep")
    before_bashrc = victim["file"].read_bytes()
    if where == "in the tree, old format":
        old = root / ".keps-locks"
        old.mkdir()
        text = json.dumps(_hostile(victim, 1)) + "\n# end of journal\n"
        (old / "sig-node__sig-wide__my-kep-0123456789abcdef.journal").write_text(text)
    else:
        journal = plant(root, [LOCATION], _hostile(victim, 2), sign=where.endswith("signed"))
    run = runtime(root, "sig-node/my-kep")
    edit(run.target_dir, "summary.md", "motivation.md")
    with caplog.at_level(logging.WARNING):
        workflow.propose(run)
        workflow.recover(root)
    assert victim["file"].read_bytes() == before_bashrc
    assert victim["folder"].is_dir()
    if where != "in the tree, old format":
        assert not journal.exists()
        assert journal.with_name(journal.name + REJECTED_SUFFIX).exists()
        assert any(str(journal) in r.getMessage() for r in caplog.records)
    else:
        assert any(".keps-locks" in r.getMessage() for r in caplog.records)


def test_kepctl_in_a_planted_tree_leaves_the_home_folder_alone(
    tmp_path: Path, victim: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """kepctl propose run inside a hostile tree (found from the working folder)."""
    root = tmp_path / "downloaded"
    from keps.sigs import SigRegistry, create_sig_dirs

    create_sig_dirs(root, SigRegistry.packaged())
    make_kep(root, "sig-node/my-kep")
    plant(root, [LOCATION], _hostile(victim, 2), sign=False)
    old = root / ".keps-locks"
    old.mkdir()
    (old / "x.journal").write_text(json.dumps(_hostile(victim, 1)) + "\n# end of journal\n")
    before = victim["file"].read_bytes()
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["--principal", "alice", "propose", "sig-node/my-kep"])
    assert victim["file"].read_bytes() == before
    assert victim["folder"].is_dir()
    assert result.exit_code == 0, result.output  # the tree found from the working folder


def test_a_signed_journal_may_only_touch_the_keps_it_names(tmp_path: Path) -> None:
    """Paths inside the root but outside the journal's KEPs are refused too."""
    root = tmp_path / "content"
    make_kep(root, "sig-node/my-kep")
    other = make_kep(root, "sig-apps/other")
    summary = other.path / "summary.md"
    before = summary.read_bytes()
    journal = plant(
        root,
        [LOCATION],
        _record(
            [LOCATION],
            [
                {
                    "path": "sig-apps/sig-wide/other/summary.md",
                    "original": _b64(b"planted\n"),
                    "new_sha256": _sha(before),
                }
            ],
            aborted=True,
        ),
    )
    workflow.recover(root)
    assert summary.read_bytes() == before
    assert journal.with_name(journal.name + REJECTED_SUFFIX).exists()


def test_a_journal_for_another_content_root_is_not_replayed(tmp_path: Path) -> None:
    """The signature binds a journal to its tree: one copied to another tree is set aside."""
    first, second = tmp_path / "first", tmp_path / "second"
    make_kep(first, "sig-node/my-kep")
    make_kep(second, "sig-node/my-kep")
    summary = second / LOCATION / "summary.md"
    before = summary.read_bytes()
    record = _record(
        [LOCATION],
        [
            {
                "path": f"{LOCATION}/summary.md",
                "original": _b64(b"from another tree\n"),
                "new_sha256": _sha(before),
            }
        ],
        aborted=True,
    )
    made = plant(first, [LOCATION], record)
    copied = journal_file(second, [LOCATION])
    copied.parent.mkdir(parents=True)
    copied.write_bytes(made.read_bytes())
    workflow.recover(second)
    assert summary.read_bytes() == before
    assert copied.with_name(copied.name + REJECTED_SUFFIX).exists()


def _malformed() -> dict[str, Any]:
    """name -> a journal record of the wrong shape (each signed, so only the shape is wrong)."""
    good_file = {"path": f"{LOCATION}/summary.md", "original": None, "new_sha256": "0" * 64}
    return {
        "labels: 5": _record(5, []),
        "labels: [5]": _record([5], []),
        "no labels": _record([], []),
        "a label with ..": _record(["../../etc"], []),
        "a lone surrogate": json.dumps(_record(["sig-node/\udc80"], [])),
        "an entry without path": _record([LOCATION], [{"original": None, "new_sha256": "0" * 64}]),
        "a NUL in a path": _record([LOCATION], [{**good_file, "path": f"{LOCATION}/a\0b"}]),
        "/dev/zero": _record([LOCATION], [{**good_file, "path": "/dev/zero"}]),
        "a path with ..": _record([LOCATION], [{**good_file, "path": f"{LOCATION}/../../x"}]),
        "original not base64": _record([LOCATION], [{**good_file, "original": "@@@"}]),
        "a short digest": _record([LOCATION], [{**good_file, "new_sha256": "abc"}]),
        "aborted: maybe": _record([LOCATION], [], aborted="maybe"),
        "dirs: a string": _record([LOCATION], [], dirs="/"),
        "a folder outside": _record([LOCATION], [], dirs=["/tmp"]),
        "version 1": _record([LOCATION], [], version=1),
        "not JSON": "{labels: [",
        "a list": "[1, 2, 3]",
    }


MALFORMED = list(_malformed())


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_journal_is_set_aside_and_the_step_runs(
    name: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Item 2: no TypeError, KeyError, ValueError or hang; one warning names the journal."""
    root = tmp_path / "content"
    make_kep(root, "sig-node/my-kep")
    before = snapshot(root)
    journal = plant(root, [LOCATION], _malformed()[name])
    run = runtime(root, "sig-node/my-kep")
    with caplog.at_level(logging.WARNING):
        workflow.withdraw(run)
    assert keps.open(run.target_dir).state == keps.State.WITHDRAWN
    assert not journal.exists()
    assert journal.with_name(journal.name + REJECTED_SUFFIX).exists()
    warnings = [r.getMessage() for r in caplog.records if str(journal) in r.getMessage()]
    assert len(warnings) == 1
    # the journal touched nothing: only what withdraw writes changed
    after = snapshot(root)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed == {f"{LOCATION}/metadata.yaml", f"{LOCATION}/README.md"}


@pytest.mark.parametrize("kind", ["fifo", "folder", "link to /dev/zero"])
def test_a_journal_naming_a_special_file_leaves_it_alone(kind: str, tmp_path: Path) -> None:
    """A path its step could write that is now a FIFO, folder or device: left alone, no hang."""
    root = tmp_path / "content"
    make_kep(root, "sig-node/my-kep")
    target = root / LOCATION / "notes.md"
    if kind == "fifo":
        plant_fifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        target.symlink_to("/dev/zero")
    record = _record(
        [LOCATION],
        [{"path": f"{LOCATION}/notes.md", "original": _b64(b"old\n"), "new_sha256": "1" * 64}],
        aborted=True,
    )
    journal = plant(root, [LOCATION], record)
    fifos = (target,) if kind == "fifo" else ()
    assert bounded(lambda: workflow.recover(root), *fifos) is None
    assert not journal.exists()
    assert target.is_symlink() if kind.startswith("link") else target.exists()
    # and the next step is not blocked for good
    assert bounded(lambda: workflow.withdraw(runtime(root, "sig-node/my-kep")), *fifos) is None


def test_a_journal_whose_name_does_not_match_its_keps_is_set_aside(tmp_path: Path) -> None:
    """A journal found under one KEP's lock but naming another KEP is not ours."""
    root = tmp_path / "content"
    make_kep(root, "sig-node/my-kep")
    make_kep(root, "sig-apps/other")
    record = _record(["sig-apps/sig-wide/other"], [])
    path = journal_file(root, [LOCATION])
    path.parent.mkdir(parents=True, exist_ok=True)
    key = _journal._signing_key(create=True)
    assert key is not None
    body = json.dumps(record, sort_keys=True)
    mac = _journal._mac(key, root, path, body.encode())
    path.write_text(json.dumps({"mac": mac, "record": body}))
    workflow.recover(root)
    assert path.with_name(path.name + REJECTED_SUFFIX).exists()


# -- which paths a step may write -------------------------------------------------------------

ALLOWED_FILES = [
    ("keps.yaml", True),
    (f"{LOCATION}/metadata.yaml", True),
    (f"{LOCATION}/guides/developer.md", True),
    ("keps/prod-readiness/sig-node/1287.yaml", True),
    ("prod-readiness/sig-node/1287.yaml", True),
    (LOCATION, False),  # the KEP folder itself is not a file of it
    ("sig-node/sig-wide/my-kep-2/metadata.yaml", False),
    ("sig-node/sig-wide/other/metadata.yaml", False),
    ("sigs.yaml", False),
    ("keps/keps.yaml", False),
    ("keps/prod-readiness/sig-node/1287.yml", False),
    ("keps/prod-readiness/sig-node/x/1287.yaml", False),
    ("other/prod-readiness/sig-node/1287.yaml", False),
    ("/etc/passwd", False),
    (f"{LOCATION}/../../../etc/passwd", False),
    (f"{LOCATION}/./metadata.yaml", False),
    (f"{LOCATION}//metadata.yaml", False),
    (f"{LOCATION}/a\nb", False),
    ("", False),
]


@pytest.mark.parametrize(("path", "expected"), ALLOWED_FILES)
def test_the_files_a_step_may_write(path: str, expected: bool) -> None:
    assert allowed_file(path, [LOCATION]) is expected


ALLOWED_DIRS = [
    ("sig-node", True),  # on the way to a new KEP
    ("sig-node/sig-wide", True),
    (LOCATION, True),
    (f"{LOCATION}/guides", True),
    ("keps/prod-readiness/sig-node", True),
    ("prod-readiness", True),
    ("sig-apps", False),
    ("sig-node/kubelet", False),
    ("keps/prod-readiness/sig-node/deeper", False),
    ("/tmp", False),
    ("..", False),
]


@pytest.mark.parametrize(("path", "expected"), ALLOWED_DIRS)
def test_the_folders_a_step_may_create(path: str, expected: bool) -> None:
    assert allowed_dir(path, [LOCATION]) is expected


def test_a_link_on_the_way_stops_the_roll_back(tmp_path: Path) -> None:
    """A KEP folder replaced by a link out of the tree after the crash: nothing written there."""
    root = tmp_path / "content"
    make_kep(root, "sig-node/my-kep")
    outside = tmp_path / "outside"
    (root / LOCATION).rename(outside)
    (root / LOCATION).symlink_to(outside, target_is_directory=True)
    summary = outside / "summary.md"
    before = summary.read_bytes()
    record = _record(
        [LOCATION],
        [{"path": f"{LOCATION}/summary.md", "original": _b64(b"x\n"), "new_sha256": _sha(before)}],
        aborted=True,
    )
    journal = plant(root, [LOCATION], record)
    workflow.recover(root)
    assert summary.read_bytes() == before
    assert journal.with_name(journal.name + REJECTED_SUFFIX).exists()


# -- crashes and the index -------------------------------------------------------------------


@pytest.mark.slow
def test_index_rebuild_rolls_back_a_crashed_step_before_it_walks(tmp_path: Path) -> None:
    """Item 4: kepctl index rebuild after a killed approval, before any recovery."""
    from tests.test_reliability_crash import _kill_during

    root = tmp_path / "content"
    prepare(root, STEPS["approve"])
    before = snapshot(root)
    # write 1 is the journal, 2 metadata.yaml: killed with keps.yaml not yet written
    _kill_during(root, "approve", 2, "after-rename", tmp_path / "marker")
    assert snapshot(root) != before  # half written
    result = CliRunner().invoke(cli, ["--content-root", str(root), "index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert snapshot(root) == before
    assert leftovers(root) == []
    query = CliRunner().invoke(
        cli, ["--content-root", str(root), "query", "--output", "json", "--state", "implementable"]
    )
    implementable = {entry["location"] for entry in json.loads(query.output)}
    assert LOCATION not in implementable
    assert keps.open(root / LOCATION).state == keps.State.PROVISIONAL


def test_a_step_holds_the_index_lock_even_without_keps_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 5: an approval creating keps.yaml meanwhile must wait for this write."""
    root = tmp_path / "content"
    make_kep(root, "sig-node/my-kep")
    assert not (root / "keps.yaml").exists()
    seen: list[bool] = []
    real_commit = files.FileTransaction.commit

    def commit(self: files.FileTransaction) -> None:
        probe = filelock.FileLock(str(index_lock_file(root)), timeout=0)
        try:
            probe.acquire()
        except filelock.Timeout:
            seen.append(True)  # held by the step, as it must be
        else:
            probe.release()
            seen.append(False)
        real_commit(self)

    monkeypatch.setattr(files.FileTransaction, "commit", commit)
    workflow.withdraw(runtime(root, "sig-node/my-kep"))
    assert seen == [True]


ABORT_CHILD = """
import os, sys, time
from pathlib import Path
import keps._files as files
from keps.errors import StorageError
from tests.test_reliability_failures import _run

root, marker = Path(sys.argv[1]), Path(sys.argv[2])
real_write = files.atomic_write_bytes
journal_writes = [0]

def write(path, data, **limit):
    if path.name.endswith(".journal"):
        journal_writes[0] += 1
        if journal_writes[0] == 2:  # the rewrite that marks the journal aborted
            real_replace = os.replace
            def stop_before_rename(src, dst):
                marker.write_text(str(dst))
                time.sleep(600)
            os.replace = stop_before_rename
        return real_write(path, data, **limit)
    real_write(path, data, **limit)
    if path.name == "README.md":  # metadata.yaml and README.md new, keps.yaml old
        raise StorageError("injected: failure after a rename", path=path)

files.atomic_write_bytes = write
files.restore_file = lambda path, original: False  # and putting files back fails too
_run("approve")(root)
marker.write_text("finished without stopping")
"""


@pytest.mark.slow
def test_a_crash_while_the_journal_is_marked_aborted_still_rolls_back(tmp_path: Path) -> None:
    """Item 6: killed while rewriting the journal as aborted, the old journal stays whole.

    It used to be truncated in place, taken as "nothing touched" and deleted; the
    half-written approval stayed and the next approval got a duplicate number.
    """
    root = tmp_path / "content"
    prepare(root, STEPS["approve"])
    before = snapshot(root)
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", ABORT_CHILD, str(root), str(marker)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.stderr is not None
    errors = child.stderr.read().decode()
    child.stderr.close()
    assert marker.read_text().endswith(".journal"), errors
    assert snapshot(root) != before  # half written, the journal not yet marked aborted
    workflow.recover(root)
    assert snapshot(root) == before
    assert leftovers(root) == []
    # the number the undone approval took is free again, and nobody else holds it
    index = keps.index.rebuild(root)
    numbers = [e.kep_number for e in index.entries if e.kep_number is not None]
    assert len(numbers) == len(set(numbers))
    assert 43 not in numbers
    assert index.next_kep_number == 43


# -- where the bookkeeping lives ---------------------------------------------------------------


def test_steps_leave_nothing_but_content_in_a_git_checkout(tmp_path: Path) -> None:
    """Locks and journals live in the git directory: the tree holds KEP files only."""
    root = tmp_path / "checkout"
    root.mkdir()
    repo = pygit2.init_repository(str(root))
    make_kep(root, "sig-node/my-kep")
    run = runtime(root, "sig-node/my-kep")
    edit(run.target_dir, "summary.md", "motivation.md")
    workflow.propose(run)
    workflow.accept(runtime(root, "sig-node/my-kep", APPROVER))
    assert state_dir(root).is_relative_to(Path(repo.path))
    assert any(locks_dir(root).glob("*.lock"))
    untracked = sorted(repo.status())
    assert all(path.startswith(f"{LOCATION}/") for path in untracked), untracked
    assert not (root / ".keps-locks").exists()
    assert not (root / ".keps.yaml.lock").exists()


def test_outside_git_the_bookkeeping_is_in_the_user_cache(tmp_path: Path) -> None:
    root = tmp_path / "content"
    make_kep(root, "sig-node/my-kep")
    workflow.withdraw(runtime(root, "sig-node/my-kep"))
    from platformdirs import user_cache_path

    assert state_dir(root).is_relative_to(user_cache_path("keps"))
    assert all(path.startswith(f"{LOCATION}/") for path in snapshot(root))
    assert any(locks_dir(root).glob("*.lock"))


def test_two_paths_to_one_tree_share_one_lock(tmp_path: Path) -> None:
    """A link to the content root meets the same locks as the real path."""
    root = tmp_path / "content"
    make_kep(root, "sig-node/my-kep")
    link = tmp_path / "link"
    link.symlink_to(root, target_is_directory=True)
    assert state_dir(link) == state_dir(root)
    with keps.index.locked(root), pytest.raises(keps.errors.LockTimeoutError):
        workflow.withdraw(runtime(link, "sig-node/my-kep"), timeout=0.2)


def test_a_planted_git_directory_link_is_not_followed(tmp_path: Path) -> None:
    """A .git file naming a folder that is no git directory: the user cache is used."""
    root = tmp_path / "content"
    make_kep(root, "sig-node/my-kep")
    target = tmp_path / "not-git"
    target.mkdir()
    (root / ".git").write_text(f"gitdir: {target}\n")
    workflow.withdraw(runtime(root, "sig-node/my-kep"))
    assert list(target.iterdir()) == []
