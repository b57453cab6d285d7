"""keps._files: the order of a durable write, and the permissions it leaves.

A write is durable only if the temporary file is fsynced before the rename and the folder
after it; a file left 0600 by mkstemp would hide KEP files from other users. Both were
bugs a planted one-line change could bring back unnoticed (issue #18).
"""

from __future__ import annotations

import errno
import os
import socket
import stat
from pathlib import Path

import pytest

import keps._files as files
from keps._files import FileTransaction, atomic_write_bytes, restore_file
from keps.errors import InvalidContentError, KepNotFoundError, StorageError


@pytest.fixture(name="calls")
def _calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every fsync (of a file or of a folder) and every rename, in order."""
    seen: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        seen.append((f"fsync {kind}", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        seen.append(("rename", str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return seen


pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")


def _assert_durable_order(calls: list[tuple[str, str]], target: Path) -> None:
    """The temporary file is fsynced, then renamed over *target*, then the folder fsynced."""
    kinds = [kind for kind, _ in calls]
    rename = calls.index(("rename", str(target)))
    assert "fsync file" in kinds[:rename], calls
    assert ("fsync folder", str(target.parent)) in calls[rename + 1 :], calls
    synced = [path for kind, path in calls[:rename] if kind == "fsync file"]
    assert Path(synced[-1]).parent == target.parent  # the temporary file beside the target


def test_a_write_syncs_the_file_then_renames_then_syncs_the_folder(
    tmp_path: Path, calls: list[tuple[str, str]]
) -> None:
    target = tmp_path / "metadata.yaml"
    atomic_write_bytes(target, b"title: x\n")
    _assert_durable_order(calls, target)


def test_a_transaction_makes_every_file_durable(
    tmp_path: Path, calls: list[tuple[str, str]]
) -> None:
    transaction = FileTransaction()
    first, second = tmp_path / "a.md", tmp_path / "sub" / "b.md"
    transaction.write_bytes(first, b"a")
    transaction.write_bytes(second, b"b")
    transaction.commit()
    _assert_durable_order(calls, first)
    _assert_durable_order(calls, second)


def test_a_restore_is_durable_too(tmp_path: Path, calls: list[tuple[str, str]]) -> None:
    target = tmp_path / "summary.md"
    target.write_bytes(b"new")
    assert restore_file(target, b"old")
    _assert_durable_order(calls, target)
    assert target.read_bytes() == b"old"


def test_a_restore_that_cannot_happen_says_so(tmp_path: Path) -> None:
    """A folder now stands where the file was: False, the folder and its file kept, no
    temporary file left beside it."""
    target = tmp_path / "summary.md"
    target.mkdir()
    (target / "notes.md").write_bytes(b"keep")
    assert restore_file(target, b"old") is False
    assert (target / "notes.md").read_bytes() == b"keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.md"]


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_written_files_are_readable_by_others(tmp_path: Path, umask: int) -> None:
    """0644 whatever mkstemp made: KEP files are shared content, not secrets."""
    old = os.umask(umask)
    try:
        written = tmp_path / "written.md"
        atomic_write_bytes(written, b"x")
        restored = tmp_path / "restored.md"
        restored.write_bytes(b"new")
        restore_file(restored, b"old")
    finally:
        os.umask(old)
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    assert stat.S_IMODE(restored.stat().st_mode) == 0o644


def test_a_failed_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rename that fails: the target untouched, the temporary file gone, a StorageError."""
    target = tmp_path / "metadata.yaml"
    target.write_bytes(b"old")

    def failing(src: str | Path, dst: str | Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(files.StorageError) as raised:
        atomic_write_bytes(target, b"new")
    assert str(target) in str(raised.value)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metadata.yaml"]


def test_a_transaction_tells_which_files_it_changed(tmp_path: Path) -> None:
    """changed: new files and files with other bytes, in staging order; not a rewrite
    with the same bytes, and nothing before the commit."""
    same, other, new = tmp_path / "same.md", tmp_path / "other.md", tmp_path / "sub" / "new.md"
    same.write_bytes(b"kept")
    other.write_bytes(b"old")
    transaction = FileTransaction()
    transaction.write_bytes(other, b"new")
    transaction.write_bytes(same, b"kept")
    transaction.write_bytes(new, b"made")
    assert transaction.changed == ()
    transaction.commit()
    assert transaction.changed == (other, new)


def test_a_failed_transaction_changed_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit that fails and is undone lists no changed file."""
    target = tmp_path / "a.md"
    transaction = FileTransaction()
    transaction.write_bytes(target, b"new")

    def failing(src: str | Path, dst: str | Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(files.StorageError):
        transaction.commit()
    assert transaction.changed == ()


class TestReadBytesRefusals:
    """The one guarded reader: each refusal is our error, naming the file, with our code."""

    def test_missing(self, tmp_path: Path) -> None:
        """A missing file is a KepNotFoundError naming it."""
        path = tmp_path / "gone.yaml"
        with pytest.raises(KepNotFoundError) as info:
            files.read_bytes(path)
        assert (info.value.message, info.value.path) == (f"no such file: {path}", str(path))

    def test_read_head_refuses_alike_and_reads_only_the_head(self, tmp_path: Path) -> None:
        """read_head: the first bytes of a file of any size; a missing file or a FIFO is
        refused in read_bytes' words, naming it."""
        path = tmp_path / "big"
        path.write_bytes(b"head" + b"x" * (1 << 20))
        assert files.read_head(path, 4) == b"head"
        gone = tmp_path / "gone.yaml"
        with pytest.raises(KepNotFoundError) as missing:
            files.read_head(gone, 4)
        assert (missing.value.message, missing.value.path) == (f"no such file: {gone}", str(gone))
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        with pytest.raises(InvalidContentError) as special:
            files.read_head(fifo, 4)
        assert special.value.message == f"{fifo} is a FIFO, not a regular file; it was not read"

    def test_what_is_not_a_regular_file(self, tmp_path: Path) -> None:
        """A folder, a FIFO and a device: refused by kind, before a byte is read."""
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        cases = {
            tmp_path: f"expected a file, found a directory: {tmp_path}",
            fifo: f"{fifo} is a FIFO, not a regular file; it was not read",
            Path(
                "/dev/null"
            ): "/dev/null is a character device, not a regular file; it was not read",
        }
        for path, message in cases.items():
            with pytest.raises(InvalidContentError) as info:
                files.read_bytes(path)
            assert (info.value.message, info.value.path) == (message, str(path))
            [problem] = info.value.problems
            assert (problem.code, problem.message, problem.path) == (
                "not-a-regular-file",
                message,
                str(path),
            )

    def test_a_socket_cannot_even_be_opened(self, tmp_path: Path) -> None:
        """Opening a socket fails (ENXIO): a StorageError naming it, with the system's reason."""
        listening = socket.socket(socket.AF_UNIX)
        sock = tmp_path / "sock"
        listening.bind(str(sock))
        try:
            with pytest.raises(StorageError) as info:
                files.read_bytes(sock)
        finally:
            listening.close()
        assert info.value.message == f"cannot read {sock}: {os.strerror(errno.ENXIO)}"
        assert info.value.path == str(sock)

    def test_too_large(self, tmp_path: Path) -> None:
        """A file over the limit is refused with file-too-large, naming the file and the limit."""
        path = tmp_path / "big"
        path.write_bytes(b"1234")
        assert files.read_bytes(path, limit=4) == b"1234"
        with pytest.raises(InvalidContentError) as info:
            files.read_bytes(path, limit=3)
        message = f"{path} is larger than 3 bytes"
        assert (info.value.message, info.value.path) == (message, str(path))
        assert [(p.code, p.message, p.path) for p in info.value.problems] == [
            ("file-too-large", message, str(path))
        ]

    def test_a_file_larger_than_its_size_says_is_read_to_the_limit(self) -> None:
        """A file whose size the system reports as 0 (procfs) is read in chunks: whole up
        to the limit, refused one byte over it, naming the file."""
        path = Path("/proc/self/environ")
        if not path.is_file() or path.stat().st_size != 0:
            pytest.skip("needs Linux procfs, whose files report size 0")
        data = path.read_bytes()
        assert len(data) > 2
        assert files.read_bytes(path, limit=len(data)) == data
        with pytest.raises(InvalidContentError) as info:
            files.read_bytes(path, limit=len(data) - 1)
        message = f"{path} is larger than {len(data) - 1} bytes"
        assert (info.value.message, info.value.path) == (message, str(path))

    def test_a_read_that_fails_midway_names_the_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An I/O error after the file opened: a StorageError naming it and the reason."""
        path = tmp_path / "summary.md"
        path.write_bytes(b"text")

        def failing(fd: int, size: int) -> bytes:
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        monkeypatch.setattr(os, "read", failing)
        with pytest.raises(StorageError) as info:
            files.read_bytes(path)
        assert info.value.message == f"cannot read {path}: {os.strerror(errno.EIO)}"
        assert info.value.path == str(path)

    def test_unreadable(self, tmp_path: Path) -> None:
        """A link loop or a NUL in the name: a StorageError naming the path and the reason."""
        loop = tmp_path / "loop"
        loop.symlink_to(loop)
        with pytest.raises(StorageError) as info:
            files.read_bytes(loop)
        assert info.value.message == f"cannot read {loop}: {os.strerror(errno.ELOOP)}"
        assert info.value.path == str(loop)
        nul = f"{tmp_path}/a\0b"
        with pytest.raises(StorageError) as info:
            files.read_bytes(nul)
        assert info.value.message.startswith(f"cannot read {nul}: ")
        assert info.value.path == nul


def test_atomic_write_text_keeps_to_its_limit(tmp_path: Path) -> None:
    """Text over the limit given is refused with file-too-large, and nothing is written."""
    path = tmp_path / "a.txt"
    with pytest.raises(InvalidContentError) as info:
        files.atomic_write_text(path, "abcd", limit=3)
    assert info.value.message == f"refusing to write {path}: 4 bytes is over the limit of 3"
    assert [(p.code, p.path) for p in info.value.problems] == [("file-too-large", str(path))]
    assert not path.exists()
    files.atomic_write_text(path, "abc", limit=3)
    assert path.read_text() == "abc"


def test_a_transaction_is_true_once_it_holds_a_write(tmp_path: Path) -> None:
    """An empty transaction is false (nothing to commit); a staged write makes it true."""
    writes, folders = FileTransaction(), FileTransaction()
    assert not writes and not folders
    writes.write_bytes(tmp_path / "a", b"x")
    folders.mkdir(tmp_path / "b")
    assert writes and folders


def test_read_text_names_the_file_and_keeps_to_its_limit(tmp_path: Path) -> None:
    """Invalid UTF-8 is refused naming the file (not-utf8); text over the limit is refused."""
    latin = tmp_path / "latin1.md"
    latin.write_bytes(b"caf\xe9")
    with pytest.raises(InvalidContentError) as info:
        files.read_text(latin)
    assert info.value.message == f"{latin} is not valid UTF-8 text (byte 3)"
    assert [(p.code, p.path) for p in info.value.problems] == [("not-utf8", str(latin))]
    with pytest.raises(InvalidContentError, match="is larger than 3 bytes"):
        files.read_text(latin, limit=3)


def test_atomic_write_creates_the_folders_on_the_way(tmp_path: Path) -> None:
    """A write into folders that do not exist yet creates them, also under a temp name given."""
    deep = tmp_path / "a" / "b" / "c.md"
    atomic_write_bytes(deep, b"x")
    named = tmp_path / "d" / "e" / "f.md"
    atomic_write_bytes(named, b"y", temp_name=".f.md.tmp")
    assert (deep.read_bytes(), named.read_bytes()) == (b"x", b"y")
    assert sorted(p.name for p in named.parent.iterdir()) == ["f.md"]


def test_a_transaction_write_keeps_to_its_limit(tmp_path: Path) -> None:
    """FileTransaction.write_text refuses text over its limit; nothing is staged."""
    transaction = FileTransaction()
    with pytest.raises(InvalidContentError, match="4 bytes is over the limit of 3"):
        transaction.write_text(tmp_path / "a.md", "abcd", limit=3)
    assert not transaction


def test_a_leftover_temp_file_is_overwritten_whole(tmp_path: Path) -> None:
    """A writer's own temp name left longer by a crash: the new file holds only the new bytes."""
    (tmp_path / ".f.md.tmp").write_bytes(b"a much longer leftover")
    atomic_write_bytes(tmp_path / "f.md", b"new", temp_name=".f.md.tmp")
    assert (tmp_path / "f.md").read_bytes() == b"new"


def test_a_write_that_cannot_happen_names_the_file(tmp_path: Path) -> None:
    """A parent that is a file, or a target that is a folder: StorageError naming the target."""
    (tmp_path / "plain").write_text("x")
    under_a_file = tmp_path / "plain" / "f.md"
    (tmp_path / "folder").mkdir()
    for path, code in ((under_a_file, errno.EEXIST), (tmp_path / "folder", errno.EISDIR)):
        with pytest.raises(StorageError) as info:
            atomic_write_bytes(path, b"data")
        assert info.value.message == f"cannot write {path}: {os.strerror(code)}"
        assert info.value.path == str(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "plain"]  # no temp left
