"""FIFOs, devices and oversized writes: refused with a KepError naming the file, never a hang.

A FIFO planted where keps expects a file used to block the reader for ever (while it held
the KEP lock), and a link to ``/dev/zero`` read until memory ran out. Every read now opens
without blocking and refuses anything that is not a regular file. Each call runs in a
thread with a deadline; a call still blocked at the deadline is released (the FIFO gets a
writer that closes at once) and the test fails, so a regression shows as a failure rather
than a hung suite.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import keps
import keps.index
from keps import workflow
from keps._files import MAX_FILE_BYTES, FileTransaction, atomic_write_bytes, read_bytes
from keps.errors import InvalidContentError, KepError
from keps.settings import load_settings
from tests.kep_factory import make_kep
from tests.workflow_helpers import edit, runtime

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")

DEADLINE = 20.0


def bounded(call: Callable[[], Any], *fifos: Path) -> BaseException | None:
    """Run *call* in a thread; the exception it raised, or None. Fails the test on a hang."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            call()
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(DEADLINE)
    if thread.is_alive():
        for fifo in fifos:  # give a blocked reader its end of file
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        thread.join(DEADLINE)
        pytest.fail(f"the call blocked on {', '.join(map(str, fifos))} for {DEADLINE:g} s")
    return outcome[0]


def assert_refused(error: BaseException | None, path: Path) -> None:
    """*error* is a KepError that names *path* and says it is not a regular file."""
    assert isinstance(error, KepError), repr(error)
    assert str(path) in str(error)
    codes = {p.code for p in getattr(error, "problems", ())}
    assert "not-a-regular-file" in codes or "not a regular file" in str(error), str(error)


def plant_fifo(path: Path) -> Path:
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    return path


def test_read_bytes_refuses_a_fifo_a_device_and_a_folder(tmp_path: Path) -> None:
    """The one reader everything goes through: each kind is refused before a byte is read."""
    fifo = plant_fifo(tmp_path / "fifo")
    assert_refused(bounded(lambda: read_bytes(fifo), fifo), fifo)
    with pytest.raises(InvalidContentError, match="character device"):
        read_bytes(Path("/dev/zero"))
    with pytest.raises(InvalidContentError, match="directory"):
        read_bytes(tmp_path)


def test_a_fifo_metadata_file_is_refused_by_open(tmp_path: Path) -> None:
    kep = make_kep(tmp_path, "sig-node/piped")
    fifo = plant_fifo(kep.path / "metadata.yaml")
    assert_refused(bounded(lambda: keps.open(kep.path), fifo), fifo)


def test_metadata_linked_to_dev_zero_is_refused_without_reading(tmp_path: Path) -> None:
    """A link to /dev/zero used to read until memory ran out."""
    kep = make_kep(tmp_path, "sig-node/zero")
    link = kep.path / "metadata.yaml"
    link.unlink()
    link.symlink_to("/dev/zero")
    with pytest.raises(InvalidContentError) as raised:
        keps.open(kep.path)
    assert str(link) in str(raised.value)
    assert "character device" in str(raised.value)


def test_a_fifo_section_fails_propose_and_frees_the_kep(tmp_path: Path) -> None:
    """propose used to block on a FIFO summary.md while holding the KEP lock."""
    make_kep(tmp_path, "sig-node/piped")
    run = runtime(tmp_path, "sig-node/piped")
    edit(run.target_dir, "motivation.md")
    fifo = plant_fifo(run.target_dir / "summary.md")
    assert_refused(bounded(lambda: workflow.propose(run), fifo), fifo)
    # nothing holds the lock: the next step after a fix goes through at once
    fifo.unlink()
    (run.target_dir / "summary.md").write_text("# Piped\n\n## Summary\n\nReal text.\n")
    assert bounded(lambda: workflow.propose(run)) is None


def test_a_fifo_readme_is_refused(tmp_path: Path) -> None:
    """The generated README is read back to compare before a write: never from a FIFO."""
    kep = make_kep(tmp_path, "sig-node/piped")
    fifo = plant_fifo(kep.path / "README.md")
    opened = keps.open(kep.path)
    opened.add_reviewers("rita")
    error = bounded(opened.persist, fifo)
    assert_refused(error, fifo)
    assert keps.open(kep.path).reviewers == ()


def test_a_fifo_index_is_refused(tmp_path: Path) -> None:
    make_kep(tmp_path, "sig-node/fine")
    fifo = plant_fifo(tmp_path / "keps.yaml")
    error = bounded(lambda: keps.index.open(tmp_path), fifo)
    assert isinstance(error, KepError), repr(error)
    assert str(fifo) in str(error)


def test_a_fifo_settings_file_is_refused(tmp_path: Path) -> None:
    fifo = plant_fifo(tmp_path / "settings.yaml")
    error = bounded(lambda: load_settings(fifo), fifo)
    assert isinstance(error, KepError), repr(error)
    assert str(fifo) in str(error)


def test_a_fifo_sig_list_is_refused(tmp_path: Path) -> None:
    from keps.sigs import registry_for

    fifo = plant_fifo(tmp_path / "sigs.yaml")
    error = bounded(lambda: registry_for(tmp_path), fifo)
    assert isinstance(error, KepError), repr(error)
    assert str(fifo) in str(error)


# -- what keps writes, keps can read ---------------------------------------------------------


def test_an_oversized_write_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    """A file over the read limit would make the KEP unopenable: refused at staging."""
    target = tmp_path / "big.md"
    with pytest.raises(InvalidContentError) as raised:
        atomic_write_bytes(target, b"x" * (MAX_FILE_BYTES + 1))
    assert str(target) in str(raised.value)
    assert not target.exists()
    transaction = FileTransaction()
    transaction.write_bytes(tmp_path / "small.md", b"fine")
    with pytest.raises(InvalidContentError):
        transaction.write_bytes(target, b"x" * (MAX_FILE_BYTES + 1))
    transaction.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.md"]


def test_a_kep_that_would_grow_past_the_limit_is_not_persisted(tmp_path: Path) -> None:
    """A 9 MiB value (a hostile URL, say) is refused; the KEP on disk still opens."""
    kep = make_kep(tmp_path, "sig-node/huge")
    before = (kep.path / "metadata.yaml").read_bytes()
    opened = keps.open(kep.path)
    opened.update(title="x" * (9 * 1024 * 1024))
    with pytest.raises(InvalidContentError) as raised:
        opened.persist()
    assert str(kep.path / "metadata.yaml") in str(raised.value)
    assert (kep.path / "metadata.yaml").read_bytes() == before
    assert keps.open(kep.path).title == kep.title
