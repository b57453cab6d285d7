"""Kep.open's fast path (strings, one getcwd, os.read) gives what the Path-based open gave.

The paths a KEP reports are ``Path(path).absolute()`` and ``content_root.absolute()``:
absolute, of type Path, not normalised; unusual metadata files still raise the errors
of :func:`keps._files.read_text`, naming the file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import keps
from keps import InvalidContentError, KepNotFoundError
from keps._files import MAX_FILE_BYTES
from keps.keps.check import section_is_outside
from keps.sigs import registry_for
from tests.kep_factory import make_kep

SIGS = """\
sigs:
- dir: sig-node
  name: Node
  subprojects:
  - name: kubelet
"""


@pytest.fixture(name="in_tmp")
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """*tmp_path* as the working folder, so that relative paths can be given."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path


class TestPathsAsGiven:
    def test_relative_path_and_root(self, in_tmp: Path) -> None:
        """Relative paths become Path(...).absolute(): the working folder put in front."""
        kep = make_kep(in_tmp / "root", "sig-node/kubelet/a-kep")
        relative = os.path.relpath(kep.path, in_tmp)
        opened = keps.open(relative, content_root=Path("root"))
        assert opened.path == Path(relative).absolute() == kep.path
        assert opened.content_root == Path("root").absolute()
        assert type(opened.path) is type(Path()) and type(opened.content_root) is type(Path())
        assert opened.metadata == kep.metadata

    def test_dot_dot_is_kept(self, in_tmp: Path) -> None:
        """'..' in the KEP path or the root stays: callers compare prefixes with them."""
        kep = make_kep(in_tmp / "root", "sig-node/kubelet/a-kep")
        detour = Path("root", "sig-node", "..", "sig-node", "kubelet", "a-kep")
        root = Path("root", "sig-node", "..")
        opened = keps.open(detour, content_root=root)
        assert opened.path == detour.absolute()
        assert ".." in opened.path.parts
        assert opened.content_root == root.absolute()
        assert opened.path.relative_to(opened.content_root).parts == (
            "sig-node",
            "kubelet",
            "a-kep",
        )
        assert opened.title == kep.title

    def test_str_path_and_metadata_file(self, in_tmp: Path) -> None:
        """A str, a Path, and the metadata file's own path all open the same folder."""
        kep = make_kep(in_tmp / "root", "sig-node/kubelet/a-kep")
        assert keps.open(str(kep.path)).path == kep.path
        assert keps.open(f"{kep.path}/metadata.yaml").path == kep.path
        assert keps.open(Path("root/sig-node/kubelet/a-kep/metadata.yaml")).path == kep.path

    def test_absolute_root_is_kept_as_is(self, tmp_path: Path) -> None:
        """An absolute content root is the KEP's content root, the same object."""
        kep = make_kep(tmp_path, "sig-node/kubelet/a-kep")
        root = tmp_path.absolute()
        assert keps.open(kep.path, content_root=root).content_root is root


class TestUnusualMetadataFiles:
    def test_metadata_file_is_a_folder(self, tmp_path: Path) -> None:
        """A folder named metadata.yaml: the careful read's error, naming it."""
        (tmp_path / "metadata.yaml").mkdir()
        with pytest.raises(InvalidContentError, match="expected a file") as caught:
            keps.open(tmp_path)
        assert caught.value.path == str(tmp_path / "metadata.yaml")

    def test_too_large(self, tmp_path: Path) -> None:
        """A metadata file over the size limit is refused before it is parsed."""
        (tmp_path / "metadata.yaml").write_bytes(b"title: T\n" + b" " * MAX_FILE_BYTES)
        with pytest.raises(InvalidContentError, match="larger than"):
            keps.open(tmp_path)

    def test_exactly_the_limit_is_read(self, tmp_path: Path) -> None:
        """A file of exactly the limit (more than one read chunk) is read whole."""
        head = b"title: T\nstate: draft\n"
        (tmp_path / "metadata.yaml").write_bytes(head + b"\n" * (MAX_FILE_BYTES - len(head)))
        assert keps.open(tmp_path).title == "T"

    def test_not_utf8_after_the_first_chunk(self, tmp_path: Path) -> None:
        """Bad UTF-8 far into the file still names the file."""
        (tmp_path / "metadata.yaml").write_bytes(b"title: T\n" + b"\n" * 100_000 + b"\xff\n")
        with pytest.raises(InvalidContentError, match="not valid UTF-8"):
            keps.open(tmp_path)

    def test_path_through_a_file(self, tmp_path: Path) -> None:
        """A path whose parent is a file is no KEP folder."""
        (tmp_path / "plain").write_text("x")
        with pytest.raises(KepNotFoundError, match="no KEP folder"):
            keps.open(tmp_path / "plain" / "kep")

    def test_unreadable(self, tmp_path: Path) -> None:
        """A metadata file that cannot be read gives a KepError naming it.

        A symlink to itself fails to open for any user, root included (chmod 0 does not
        stop root, which CI runs as).
        """
        path = tmp_path / "metadata.yaml"
        path.symlink_to("metadata.yaml")
        with pytest.raises(keps.KepError, match=r"cannot read .*metadata\.yaml"):
            keps.open(tmp_path)


class TestRegistryFor:
    def test_relative_root_shares_the_absolute_roots_registry(self, in_tmp: Path) -> None:
        """A relative and an absolute root name one sigs.yaml: one registry, its full path."""
        (in_tmp / "root").mkdir()
        (in_tmp / "root" / "sigs.yaml").write_text(SIGS)
        relative = registry_for(Path("root"))
        assert relative is registry_for(in_tmp / "root")
        assert relative.source == str(in_tmp / "root" / "sigs.yaml")
        assert relative.exists("sig-node")

    def test_no_sigs_yaml_is_the_packaged_list(self, tmp_path: Path) -> None:
        """Without a sigs.yaml (or with a folder of that name) the packaged list is in force."""
        assert registry_for(tmp_path) is registry_for(None)
        (tmp_path / "sigs.yaml").mkdir()
        assert registry_for(tmp_path) is registry_for(None)


class TestMemos:
    def test_relative_root_follows_the_working_folder(self, in_tmp: Path) -> None:
        """The remembered absolute root is keyed by the working folder too."""
        first = make_kep(in_tmp / "a" / "root", "sig-node/kubelet/a-kep")
        second = make_kep(in_tmp / "b" / "root", "sig-node/kubelet/a-kep")
        os.chdir(in_tmp / "a")
        assert keps.open(first.path, content_root=Path("root")).content_root == first.content_root
        os.chdir(in_tmp / "b")
        opened = keps.open(second.path, content_root=Path("root"))
        assert opened.content_root == second.content_root != first.content_root

    def test_nested_section_through_a_linked_folder(self, tmp_path: Path) -> None:
        """guides/x.md is plain in one KEP; in the next, guides/ links out: still a problem."""
        plain = kep_with_guide(tmp_path, "plain-kep")
        assert not [p for p in keps.open(plain.path).problems() if "guides" in p.message]
        linked = kep_with_guide(tmp_path, "linked-kep", linked_out=True)
        problems = keps.open(linked.path).problems()
        assert any(
            "guides/x.md" in p.message and "leaves the KEP folder" in p.message for p in problems
        )


def kep_with_guide(tmp_path: Path, name: str, *, linked_out: bool = False) -> keps.Kep:
    """A KEP listing guides/x.md; with *linked_out*, guides/ is a link to a folder outside."""
    kep = make_kep(tmp_path / "root", f"sig-node/kubelet/{name}")
    kep.set_section("guides/x.md", "# Guide\n\nText.\n")
    kep.persist()
    if linked_out:
        outside = tmp_path / "elsewhere"
        outside.mkdir(exist_ok=True)
        (outside / "x.md").write_text("# secret\n")
        shutil.rmtree(kep.path / "guides")
        (kep.path / "guides").symlink_to(outside)
    return kep


class TestLinkedFolders:
    def test_section_is_outside_through_a_linked_folder(self, in_tmp: Path) -> None:
        """A folder on the way that links out makes the section outside, wherever the cwd is."""
        kep_dir = in_tmp / "kep"
        kep_dir.mkdir()
        (in_tmp / "elsewhere").mkdir()
        (in_tmp / "elsewhere" / "x.md").write_text("secret\n")
        (kep_dir / "guides").symlink_to(in_tmp / "elsewhere")
        (kep_dir / "inside").mkdir()
        (kep_dir / "inside" / "y.md").write_text("text\n")
        (kep_dir / "alias").symlink_to(kep_dir / "inside")
        assert section_is_outside(kep_dir, "guides/x.md")
        assert not section_is_outside(kep_dir, "alias/y.md")  # a link that stays inside
        os.chdir(kep_dir)  # relative to the KEP folder, too
        assert section_is_outside(kep_dir, "guides/x.md")

    def test_section_text_refuses_a_linked_folder(self, tmp_path: Path) -> None:
        """section_text never reads a file through a folder that links out of the KEP."""
        kep = kep_with_guide(tmp_path, "a-kep", linked_out=True)
        with pytest.raises(keps.PathOutsideError, match="leaves the KEP folder"):
            keps.open(kep.path).section_text("guides/x.md")
