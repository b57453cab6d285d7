"""keps.settings: the settings file, the content root, the principal and Runtime."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import keps.settings
from keps.errors import ContentRootNotFoundError, SettingsError
from keps.settings import (
    Runtime,
    find_content_root,
    find_principal,
    is_content_root,
    load_settings,
    save_content_root,
    settings_path,
)
from keps.sigs import SigRegistry, create_sig_dirs

SMALL_SIGS = """\
sigs:
  - {dir: sig-old, name: Old}
  - {dir: sig-older, name: Older}
"""


def _content_tree(folder: Path) -> Path:
    """A folder holding a directory for every SIG of the packaged list."""
    create_sig_dirs(folder, SigRegistry.packaged())
    return folder


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class TestSettingsFile:
    def test_settings_path_is_in_the_user_config_folder(self) -> None:
        """The file lives under XDG_CONFIG_HOME/kep on Linux (set by the test fixture)."""
        assert settings_path() == Path(os.environ["XDG_CONFIG_HOME"]) / "kep" / "settings.yaml"

    def test_absent_file_means_no_settings(self, tmp_path: Path) -> None:
        """A missing settings file is not an error: nothing is set yet."""
        assert load_settings(tmp_path / "settings.yaml") == {}
        assert load_settings() == {}

    def test_values_come_back_as_strings_and_empty_ones_are_dropped(self, tmp_path: Path) -> None:
        """Scalars become strings; empty values count as not set."""
        path = _write(
            tmp_path / "settings.yaml",
            "# mine\ncontent_root: ~/keps\nprincipal: '@octocat'\nretries: 3\nemail:\n",
        )
        assert load_settings(path) == {
            "content_root": "~/keps",
            "principal": "@octocat",
            "retries": "3",
        }

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            # the parser's own complaint follows; its wording is PyYAML's, not ours to test
            ("content_root: [unclosed\n", "is not valid YAML: "),
            ("- a\n- b\n", "must be a mapping of names to values"),
            ("principal:\n  name: x\n", "principal must be a single value"),
            ("1: x\n", "has a key that is not a name"),
        ],
    )
    def test_malformed_file_names_the_file(self, tmp_path: Path, text: str, expected: str) -> None:
        """A broken settings file raises SettingsError naming the file and the fault."""
        path = _write(tmp_path / "settings.yaml", text)
        with pytest.raises(SettingsError) as info:
            load_settings(path)
        assert expected in str(info.value)
        assert str(path) in str(info.value)

    def test_unreadable_file_names_the_file(self, tmp_path: Path) -> None:
        """A folder where the file should be is a SettingsError, not an OSError."""
        path = tmp_path / "settings.yaml"
        path.mkdir()
        with pytest.raises(SettingsError, match="cannot read the settings file"):
            load_settings(path)


class TestSaveContentRoot:
    def test_writes_the_default_settings_file(self, tmp_path: Path) -> None:
        """With no file given it writes settings_path() and returns it."""
        root = _content_tree(tmp_path / "content")
        written = save_content_root(root)
        assert written == settings_path()
        assert load_settings() == {"content_root": str(root)}

    def test_keeps_other_keys_and_comments(self, tmp_path: Path) -> None:
        """A hand-edited file keeps its comments, quoting and other keys."""
        path = _write(
            tmp_path / "settings.yaml",
            '# my settings\nprincipal: "@octocat"  # me\ncontent_root: /old\n',
        )
        root = tmp_path / "content"
        root.mkdir()
        assert save_content_root(root, settings_file=path) == path
        assert path.read_text(encoding="utf-8") == (
            f'# my settings\nprincipal: "@octocat"  # me\ncontent_root: {root}\n'
        )

    def test_stores_an_absolute_path(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A relative folder is saved as an absolute one, '..' removed."""
        (tmp_path / "content").mkdir()
        (tmp_path / "work").mkdir()
        monkeypatch.chdir(tmp_path / "work")
        path = save_content_root(Path("../content"), settings_file=tmp_path / "s.yaml")
        assert load_settings(path)["content_root"] == str(tmp_path / "content")

    def test_refuses_a_folder_that_does_not_exist(self, tmp_path: Path) -> None:
        """Saving a content root that is not a folder fails and writes nothing."""
        path = tmp_path / "settings.yaml"
        with pytest.raises(ContentRootNotFoundError, match="it is not a folder"):
            save_content_root(tmp_path / "nope", settings_file=path)
        assert not path.exists()

    def test_leaves_a_broken_file_alone(self, tmp_path: Path) -> None:
        """A settings file that is not a mapping is reported, not overwritten."""
        path = _write(tmp_path / "settings.yaml", "- a list\n")
        with pytest.raises(SettingsError, match="left unchanged"):
            save_content_root(tmp_path, settings_file=path)
        assert path.read_text(encoding="utf-8") == "- a list\n"


class TestFindContentRoot:
    def test_environment_beats_settings_file_beats_the_current_folder(self, tmp_path: Path) -> None:
        """KEP_CONTENT_ROOT wins over content_root in the file, which wins over the tree one is in."""
        here = _content_tree(tmp_path / "here")
        from_file = tmp_path / "from-file"
        from_file.mkdir()
        from_env = tmp_path / "from-env"
        from_env.mkdir()
        settings = _write(tmp_path / "settings.yaml", f"content_root: {from_file}\n")
        env = {"KEP_CONTENT_ROOT": str(from_env)}

        assert find_content_root(env=env, settings_file=settings, cwd=here) == from_env
        assert find_content_root(env={}, settings_file=settings, cwd=here) == from_file
        no_file = tmp_path / "absent.yaml"
        assert find_content_root(env={}, settings_file=no_file, cwd=here) == here

    def test_process_environment_and_default_settings_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without arguments it reads os.environ, then settings_path()."""
        root = tmp_path / "root"
        root.mkdir()
        save_content_root(root)
        assert find_content_root() == root
        other = tmp_path / "other"
        other.mkdir()
        monkeypatch.setenv("KEP_CONTENT_ROOT", str(other))
        assert find_content_root() == other

    def test_configured_folder_that_is_missing_is_an_error_not_a_search(
        self, tmp_path: Path
    ) -> None:
        """A typo in the configuration fails loudly instead of picking another tree."""
        here = _content_tree(tmp_path / "here")
        with pytest.raises(ContentRootNotFoundError, match="KEP_CONTENT_ROOT variable names"):
            find_content_root(env={"KEP_CONTENT_ROOT": str(tmp_path / "typo")}, cwd=here)
        settings = _write(tmp_path / "settings.yaml", "content_root: /no/such/folder\n")
        with pytest.raises(ContentRootNotFoundError, match="but it is not a folder") as info:
            find_content_root(env={}, settings_file=settings, cwd=here)
        assert f"content_root in {settings}" in str(info.value)

    def test_relative_value_in_settings_file_is_relative_to_that_file(self, tmp_path: Path) -> None:
        """content_root: content means the folder beside the settings file."""
        (tmp_path / "cfg" / "content").mkdir(parents=True)
        settings = _write(tmp_path / "cfg" / "settings.yaml", "content_root: content\n")
        assert find_content_root(env={}, settings_file=settings) == tmp_path / "cfg" / "content"

    def test_the_nearest_tree_above_the_current_folder(self, tmp_path: Path) -> None:
        """From deep inside a KEP folder, the content root holding it is found."""
        root = _content_tree(tmp_path / "outer" / "root")
        deep = root / "sig-node" / "sig-wide" / "my-kep" / "guides"
        deep.mkdir(parents=True)
        _content_tree(tmp_path / "outer")  # a tree further up loses to the nearer one
        assert find_content_root(env={}, settings_file=tmp_path / "none.yaml", cwd=deep) == root

    def test_a_checkout_from_its_root_and_from_inside_keps(self, tmp_path: Path) -> None:
        """A kubernetes/enhancements checkout is found from its root and from inside keps/."""
        checkout = tmp_path / "enhancements"
        kep = checkout / "keps" / "sig-node" / "1287-in-place"
        kep.mkdir(parents=True)
        (kep / "kep.yaml").write_text("title: In place\n")
        none = tmp_path / "none.yaml"
        assert find_content_root(env={}, settings_file=none, cwd=checkout) == checkout
        assert find_content_root(env={}, settings_file=none, cwd=kep) == checkout

    def test_a_tree_in_the_home_folder_is_never_searched_for(self, tmp_path: Path) -> None:
        """A tree the user did not point at is never picked, however near home it sits.

        Issue #12: a planted tree nearer the home folder than the real one was picked, and
        its planted undo journal replayed by the next step.
        """
        _content_tree(Path.home() / "planted")
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        with pytest.raises(ContentRootNotFoundError):
            find_content_root(env={}, settings_file=tmp_path / "none.yaml", cwd=elsewhere)
        with pytest.raises(ContentRootNotFoundError):
            find_content_root(env={}, settings_file=tmp_path / "none.yaml", cwd=Path.home())

    def test_nothing_found_says_how_to_set_it(self, tmp_path: Path) -> None:
        """The error names the variable, the kepctl option and save_content_root."""
        settings = tmp_path / "settings.yaml"
        with pytest.raises(ContentRootNotFoundError) as info:
            find_content_root(env={}, settings_file=settings, cwd=tmp_path)
        message = str(info.value)
        assert "KEP_CONTENT_ROOT=DIR" in message
        assert "kepctl --content-root DIR" in message
        assert "save_content_root(DIR)" in message
        assert str(settings) in message
        assert str(tmp_path) in message
        assert isinstance(info.value, SettingsError)

    def test_default_is_the_working_folder(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without cwd= the search starts at the process's working folder."""
        root = _content_tree(tmp_path / "root")
        monkeypatch.chdir(root / "sig-node")
        assert find_content_root(env={}, settings_file=tmp_path / "none.yaml") == root

    def test_registry_passed_decides_which_sigs_a_root_holds(self, tmp_path: Path) -> None:
        """A folder with every SIG of the given registry is found with that registry."""
        old = SigRegistry.from_yaml_text(SMALL_SIGS, source="old.yaml")
        root = tmp_path / "old"
        create_sig_dirs(root, old)
        none = tmp_path / "none.yaml"
        with pytest.raises(ContentRootNotFoundError):
            find_content_root(env={}, settings_file=none, cwd=root)
        assert find_content_root(env={}, settings_file=none, cwd=root, registry=old) == root


class TestIsContentRoot:
    def test_every_sig_folder_of_the_packaged_list(self, tmp_path: Path) -> None:
        """The shape init_sig_dirs creates is a content root; one missing SIG is not."""
        root = _content_tree(tmp_path / "root")
        assert is_content_root(root)
        (root / "sig-node").rmdir()
        assert not is_content_root(root)

    def test_own_sigs_yaml_sets_the_list_in_force(self, tmp_path: Path) -> None:
        """A tree carrying its own (e.g. 2018) sigs.yaml needs folders for those SIGs only."""
        root = tmp_path / "root"
        _write(root / "sigs.yaml", SMALL_SIGS)
        (root / "sig-old").mkdir()
        assert not is_content_root(root)
        (root / "sig-older").mkdir()
        assert is_content_root(root)

    def test_index_and_one_sig_folder(self, tmp_path: Path) -> None:
        """keps.yaml beside at least one SIG (or kubernetes-wide) folder is a content root."""
        root = tmp_path / "root"
        _write(root / "keps.yaml", "keps: []\n")
        assert not is_content_root(root)
        (root / "sig-node").mkdir()
        assert is_content_root(root)
        other = tmp_path / "other"
        _write(other / "keps.yaml", "keps: []\n")
        (other / "kubernetes-wide").mkdir()
        assert is_content_root(other)

    def test_broken_sigs_yaml_falls_back_to_the_registry(self, tmp_path: Path) -> None:
        """An unreadable sigs.yaml does not stop a tree with every packaged SIG from counting."""
        root = _content_tree(tmp_path / "root")
        _write(root / "sigs.yaml", "sigs: [unclosed\n")
        assert is_content_root(root)

    @pytest.mark.corpus
    def test_2018_tree_with_the_2018_list(self, corpus: Path, tmp_path: Path) -> None:
        """A 2018 playground carrying sigs-2018.yaml is recognised."""
        root = tmp_path / "root"
        root.mkdir()
        (root / "sigs.yaml").write_bytes((corpus / "sigs-2018.yaml").read_bytes())
        create_sig_dirs(root, SigRegistry.from_file(root / "sigs.yaml"))
        assert (root / "sig-aws").is_dir()
        assert is_content_root(root)
        assert find_content_root(env={}, settings_file=tmp_path / "none.yaml", cwd=root) == root


class TestFindPrincipal:
    def test_environment_with_at_sign_stripped(self) -> None:
        """KEP_PRINCIPAL_GITHUB_HANDLE is used, without its leading '@'."""
        assert find_principal(env={"KEP_PRINCIPAL_GITHUB_HANDLE": " @octocat "}) == "octocat"

    def test_environment_beats_settings_file(self, tmp_path: Path) -> None:
        """The variable wins over the file."""
        settings = _write(tmp_path / "settings.yaml", "principal: from-file\n")
        env = {"KEP_PRINCIPAL_GITHUB_HANDLE": "from-env"}
        assert find_principal(env=env, settings_file=settings) == "from-env"
        assert find_principal(env={}, settings_file=settings) == "from-file"

    def test_github_handle_is_an_alias(self, tmp_path: Path) -> None:
        """github_handle (the Go seed's key) works too; principal wins when both are set."""
        settings = _write(tmp_path / "settings.yaml", "github_handle: '@seed'\n")
        assert find_principal(env={}, settings_file=settings) == "seed"
        _write(settings, "github_handle: seed\nprincipal: mine\n")
        assert find_principal(env={}, settings_file=settings) == "mine"

    def test_default_environment_and_settings_file(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without arguments it reads os.environ, then settings_path()."""
        _write(settings_path(), "principal: '@filed'\n")
        assert find_principal() == "filed"
        monkeypatch.setenv("KEP_PRINCIPAL_GITHUB_HANDLE", "exported")
        assert find_principal() == "exported"

    def test_missing_principal_says_how_to_set_it(self, tmp_path: Path) -> None:
        """Nothing set: SettingsError naming the variable and the settings file."""
        settings = tmp_path / "settings.yaml"
        with pytest.raises(SettingsError) as info:
            find_principal(env={"KEP_PRINCIPAL_GITHUB_HANDLE": "  "}, settings_file=settings)
        message = str(info.value)
        assert "KEP_PRINCIPAL_GITHUB_HANDLE=<handle>" in message
        assert f"`principal: <handle>` to {settings}" in message

    @pytest.mark.parametrize("value", ["two words", "@", "a@b", "org/team"])
    def test_not_a_handle(self, value: str) -> None:
        """Whitespace, '@' or '/' inside, or nothing after the '@', is refused."""
        with pytest.raises(SettingsError, match="KEP_PRINCIPAL_GITHUB_HANDLE"):
            find_principal(env={"KEP_PRINCIPAL_GITHUB_HANDLE": value})


class TestRuntime:
    def test_paths_made_absolute_and_at_sign_dropped(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Relative paths become absolute; '@octocat' becomes 'octocat'."""
        monkeypatch.chdir(tmp_path)
        runtime = Runtime("@octocat", "sig-node/sig-wide/x", Path("."))
        assert runtime == Runtime("octocat", tmp_path / "sig-node/sig-wide/x", tmp_path)
        assert runtime.target_dir.is_absolute()

    @pytest.mark.parametrize("principal", ["", "   ", "two words", "tab\there"])
    def test_principal_must_be_a_handle(self, principal: str, tmp_path: Path) -> None:
        """An empty principal or one with whitespace is a SettingsError."""
        with pytest.raises(SettingsError):
            Runtime(principal, tmp_path, tmp_path)

    def test_principal_must_be_a_string(self, tmp_path: Path) -> None:
        """A non-string principal is a TypeError."""
        with pytest.raises(TypeError, match="principal must be a string"):
            Runtime(42, tmp_path, tmp_path)  # type: ignore[arg-type]

    def test_runtime_is_immutable(self, tmp_path: Path) -> None:
        """A Runtime is a frozen value."""
        runtime = Runtime("octocat", tmp_path, tmp_path)
        with pytest.raises(AttributeError):
            runtime.principal = "other"  # type: ignore[misc]

    def test_from_environment_fills_what_is_missing(self, tmp_path: Path) -> None:
        """Principal and content root come from the environment unless given."""
        root = tmp_path / "root"
        root.mkdir()
        env = {"KEP_PRINCIPAL_GITHUB_HANDLE": "@env", "KEP_CONTENT_ROOT": str(root)}
        runtime = Runtime.from_environment(root / "kubernetes-wide" / "k", env=env)
        assert runtime == Runtime("env", root / "kubernetes-wide" / "k", root)
        given = Runtime.from_environment(tmp_path, principal="me", content_root=tmp_path, env={})
        assert given == Runtime("me", tmp_path, tmp_path)


def test_public_names_are_exactly_all() -> None:
    """keps.settings offers what __all__ lists, once each, and nothing else public.

    The package loads its modules lazily, so its names are those dir() shows, not those
    already in vars(); each must resolve to the object of the module that defines it.
    """
    import importlib

    public = {name for name in dir(keps.settings) if not name.startswith("_")}
    modules = {"content_root", "file", "principal", "runtime"}
    assert len(set(keps.settings.__all__)) == len(keps.settings.__all__)
    assert public - modules - {"TYPE_CHECKING"} == set(keps.settings.__all__)
    for name in keps.settings.__all__:
        value = getattr(keps.settings, name)
        home = next(
            m for m in modules if hasattr(importlib.import_module(f"keps.settings.{m}"), name)
        )
        assert getattr(importlib.import_module(f"keps.settings.{home}"), name) is value
