"""keps.sigs: the SIG registry, routing of KEP paths, rendering, and SIG folders."""

from __future__ import annotations

import importlib.resources
from pathlib import Path, PurePosixPath

import pytest

import keps.sigs
from keps.errors import (
    InvalidContentError,
    KepExistsError,
    KepNotFoundError,
    PathOutsideError,
    UnknownSigError,
)
from keps.sigs import (
    KUBERNETES_WIDE_OWNER,
    Routing,
    Sig,
    SigRegistry,
    create_sig_dirs,
    registry_for,
    render_registry,
    render_sig_list,
    route,
)

SMALL = """\
sigs:
  - name: Node
    dir: sig-node
    mission_statement: runs pods
    subprojects:
      - name: kubelet
        owners: [https://example.com/OWNERS]
      - name: cri-api
  - name: Architecture
    dir: sig-architecture
    subprojects:
workinggroups:
  - name: Batch
    dir: wg-batch
usergroups: []
committees:
  - name: Steering
    dir: committee-steering
    subprojects:
      - name: steering
gb_rep:
  github: someone
"""


@pytest.fixture(name="small")
def _small() -> SigRegistry:
    return SigRegistry.from_yaml_text(SMALL, source="small.yaml")


def _packaged_bytes() -> bytes:
    resource = importlib.resources.files("keps.sigs").joinpath("data", "sigs.yaml")
    return resource.read_bytes()


class TestLoading:
    def test_community_format_gives_every_group_in_file_order_with_its_kind(
        self, small: SigRegistry
    ) -> None:
        """All four lists are read, in order; other top-level keys are ignored."""
        assert [(g.dir, g.kind) for g in small] == [
            ("sig-node", "sig"),
            ("sig-architecture", "sig"),
            ("wg-batch", "workinggroup"),
            ("committee-steering", "committee"),
        ]
        assert small.get("sig-node") == Sig("sig-node", "Node", ("kubelet", "cri-api"))
        assert small.subprojects("sig-architecture") == ()
        assert len(small) == 4
        assert small.source == "small.yaml"

    @pytest.mark.corpus
    def test_2018_list_knows_the_sigs_the_2018_keps_name(self, corpus: Path) -> None:
        """sig-aws and sig-azure are SIGs in 2018; the 2018 file has no committees."""
        registry = SigRegistry.from_file(corpus / "sigs-2018.yaml")
        assert {"sig-aws", "sig-azure", "sig-pm", "sig-node"} <= set(registry.all())
        assert registry.exists("wg-apply")
        assert "wg-apply" not in registry.all()
        assert registry.display_name("sig-api-machinery") == "API Machinery"
        assert {g.kind for g in registry} == {"sig", "workinggroup"}
        assert registry.source == str(corpus / "sigs-2018.yaml")

    @pytest.mark.corpus
    def test_2026_list_has_committees_and_no_sig_aws(self, corpus: Path) -> None:
        """Today's list drops old SIGs and adds working groups and committees."""
        registry = SigRegistry.from_file(corpus / "sigs-2026.yaml")
        assert "sig-aws" not in registry
        assert registry.exists("sig-etcd")
        assert registry.get("committee-steering").kind == "committee"
        assert registry.subproject_exists("sig-node", "kubelet")
        assert len(registry.all()) == 24

    def test_packaged_list_is_read_once_and_knows_todays_sigs(self) -> None:
        """packaged() shares one immutable registry; it holds today's SIGs, not sig-aws."""
        registry = SigRegistry.packaged()
        assert registry is SigRegistry.packaged()
        assert registry.exists("sig-node")
        assert not registry.exists("sig-aws")
        assert registry.subproject_exists("sig-cluster-lifecycle", "cluster-api")
        assert registry.source == keps.sigs.PACKAGED_SOURCE

    @pytest.mark.corpus
    def test_packaged_list_matches_the_2026_source(self, corpus: Path) -> None:
        """The packaged groups are exactly those of the file it was rendered from."""
        source = SigRegistry.from_file(corpus / "sigs-2026.yaml")
        assert SigRegistry.packaged().groups == source.groups

    def test_bad_yaml_names_the_file(self, tmp_path: Path) -> None:
        """A file that is not YAML fails with InvalidContentError naming the file."""
        path = tmp_path / "sigs.yaml"
        path.write_text("sigs:\n  - dir: [unclosed\n", encoding="utf-8")
        with pytest.raises(InvalidContentError, match="not valid YAML") as info:
            SigRegistry.from_file(path)
        assert str(path) in str(info.value)
        assert info.value.path == str(path)
        assert [(p.code, p.line) for p in info.value.problems] == [("sig-list-not-yaml", 3)]

    def test_bad_shape_reports_every_problem(self, tmp_path: Path) -> None:
        """One error lists every broken entry, not just the first."""
        path = tmp_path / "sigs.yaml"
        path.write_text(
            "sigs:\n"
            "  - name: No Dir\n"
            "  - dir: sig-a/b\n    name: Slash\n"
            "  - dir: sig-c\n    name: C\n    subprojects: [{owners: []}]\n"
            "  - dir: sig-d\n    name: D\n"
            "  - dir: sig-d\n    name: D again\n"
            "  - just a string\n"
            "workinggroups: {}\n",
            encoding="utf-8",
        )
        with pytest.raises(InvalidContentError) as info:
            SigRegistry.from_file(path)
        message = str(info.value)
        assert str(path) in message
        assert "(6 problems)" in message
        for expected in (
            "sigs[1]: dir must be a string, found nothing",
            "sigs[2] (sig-a/b): dir 'sig-a/b' contains a path separator",
            "sigs[3] (sig-c): subproject 1 has no name",
            "sig-d is listed more than once",
            "sigs[6]: expected a mapping, found str 'just a string'",
            "workinggroups: expected a list, found a mapping",
        ):
            assert expected in message

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("- a\n- b\n", "expected a mapping at the top, found a list"),
            ("", "expected a mapping at the top, found nothing"),
            ("name: x\n", "found none of the lists sigs, workinggroups"),
            ("groups:\n- {dir: sig-x, name: X, kind: squad}\n", "kind must be one of"),
            ("sigs:\n- {dir: sig-wide, name: X}\n", "'sig-wide' is reserved"),
            ("sigs:\n- {dir: .git, name: X}\n", "starts with a dot"),
            (
                "sigs:\n- {dir: sig-x, name: X, subprojects: [a, a]}\n",
                "subproject a more than once",
            ),
        ],
    )
    def test_shapes_that_are_refused(self, text: str, expected: str) -> None:
        """Each malformed document is refused with a message saying what is wrong."""
        with pytest.raises(InvalidContentError, match=r"x\.yaml: not a valid SIG list") as info:
            SigRegistry.from_yaml_text(text, source="x.yaml")
        assert expected in str(info.value)

    def test_missing_file_is_not_found(self, tmp_path: Path) -> None:
        """A SIG list that is not there raises KepNotFoundError (a FileNotFoundError)."""
        with pytest.raises(FileNotFoundError, match="no such file") as info:
            SigRegistry.from_file(tmp_path / "sigs.yaml")
        assert isinstance(info.value, KepNotFoundError)

    def test_packaged_format_reads_back(self, small: SigRegistry) -> None:
        """A rendered list loads back to the same groups."""
        rendered = render_registry(small, source="small.yaml")
        assert SigRegistry.from_yaml_text(rendered, source="r").groups == small.groups

    def test_sig_refuses_an_unknown_kind(self) -> None:
        """Sig validates its kind against the closed set."""
        with pytest.raises(ValueError, match="kind"):
            Sig("sig-x", "X", (), kind="squad")


class TestLookups:
    def test_all_lists_only_sigs_in_file_order(self, small: SigRegistry) -> None:
        """all() is the SIG folders; working groups and committees own no KEPs."""
        assert small.all() == ("sig-node", "sig-architecture")

    def test_exists_accepts_every_listed_group(self, small: SigRegistry) -> None:
        """exists() is True for SIGs and also for working groups and committees."""
        assert small.exists("sig-node")
        assert small.exists("wg-batch")
        assert small.exists("committee-steering")
        assert not small.exists("sig-aws")
        assert "wg-batch" in small
        assert 42 not in small

    def test_subproject_exists(self, small: SigRegistry) -> None:
        """A subproject exists only under its own SIG; an unknown SIG is simply False."""
        assert small.subproject_exists("sig-node", "kubelet")
        assert not small.subproject_exists("sig-architecture", "kubelet")
        assert not small.subproject_exists("sig-nope", "kubelet")

    def test_unknown_sig_suggests_near_matches(self) -> None:
        """A misspelt SIG is refused with the SIGs it probably meant."""
        with pytest.raises(UnknownSigError) as info:
            SigRegistry.packaged().get("sig-apimachinery")
        message = str(info.value)
        assert "unknown SIG 'sig-apimachinery'" in message
        assert "did you mean sig-api-machinery" in message
        assert isinstance(info.value, LookupError)

    def test_unknown_sig_without_near_match_says_so_plainly(self, small: SigRegistry) -> None:
        """No suggestion is made when nothing is close."""
        with pytest.raises(
            UnknownSigError, match=r"unknown SIG 'zzz' in the SIG list from small\.yaml$"
        ):
            small.display_name("zzz")

    def test_display_name_and_subprojects(self, small: SigRegistry) -> None:
        """Lookups by folder name give the display name and subprojects."""
        assert small.display_name("wg-batch") == "Batch"
        assert small.subprojects("committee-steering") == ("steering",)


class TestRegistryFor:
    def test_the_registry_passed_wins(self, small: SigRegistry, tmp_path: Path) -> None:
        """An explicit registry beats a sigs.yaml at the content root."""
        (tmp_path / "sigs.yaml").write_text("sigs: []\n", encoding="utf-8")
        assert registry_for(tmp_path, small) is small

    def test_content_root_sigs_yaml_beats_the_packaged_list(self, tmp_path: Path) -> None:
        """A content root's own sigs.yaml is the list in force there."""
        (tmp_path / "sigs.yaml").write_text(SMALL, encoding="utf-8")
        registry = registry_for(tmp_path)
        assert registry.all() == ("sig-node", "sig-architecture")
        assert registry.source == str(tmp_path / "sigs.yaml")

    def test_packaged_list_otherwise(self, tmp_path: Path) -> None:
        """Without a sigs.yaml, or without a content root, the packaged list is in force."""
        assert registry_for(tmp_path) is SigRegistry.packaged()
        assert registry_for() is SigRegistry.packaged()


class TestRoute:
    def test_kubernetes_wide(self, small: SigRegistry) -> None:
        """Project-wide KEPs belong to sig-architecture."""
        assert route("kubernetes-wide/my-kep", small) == Routing(
            owning_sig=KUBERNETES_WIDE_OWNER,
            kubernetes_wide=True,
            sig_wide=False,
            subproject=None,
            kep_name="my-kep",
        )

    def test_sig_wide(self, small: SigRegistry) -> None:
        """<sig>/sig-wide/<kep> is owned by the SIG as a whole."""
        assert route(PurePosixPath("sig-node/sig-wide/my-kep"), small) == Routing(
            "sig-node", kubernetes_wide=False, sig_wide=True, subproject=None, kep_name="my-kep"
        )

    def test_subproject(self, small: SigRegistry) -> None:
        """<sig>/<subproject>/<kep> names the subproject; a trailing slash is fine."""
        assert route("sig-node/kubelet/dynamic-config/", small) == Routing(
            "sig-node",
            kubernetes_wide=False,
            sig_wide=False,
            subproject="kubelet",
            kep_name="dynamic-config",
        )

    @pytest.mark.parametrize(
        ("rel_path", "error", "expected"),
        [
            # wrong depth
            ("", InvalidContentError, "(empty path): a KEP folder must be kubernetes-wide/<kep>"),
            ("sig-node", InvalidContentError, "a KEP folder must be"),
            ("sig-node/my-kep", InvalidContentError, "<sig>/sig-wide/<kep>"),
            ("sig-node/kubelet/my-kep/extra", InvalidContentError, "<sig>/<subproject>/<kep>"),
            ("kubernetes-wide", InvalidContentError, "a KEP folder must be"),
            ("kubernetes-wide/a/b", InvalidContentError, "a KEP folder must be"),
            # leaving the content root
            ("/sig-node/sig-wide/my-kep", PathOutsideError, "must be relative"),
            ("sig-node/../sig-node/sig-wide/x", PathOutsideError, "must not climb out"),
            ("../sig-node/sig-wide", PathOutsideError, "must not climb out"),
            # hidden folders
            ("sig-node/sig-wide/.git", InvalidContentError, "hidden folders"),
        ],
    )
    def test_bad_shapes(
        self, small: SigRegistry, rel_path: str, error: type[Exception], expected: str
    ) -> None:
        """A path of any other shape is refused with a message showing the valid shapes."""
        with pytest.raises(error) as info:
            route(rel_path, small)
        assert expected in str(info.value)

    def test_unknown_sig_suggests(self) -> None:
        """An unknown SIG folder raises UnknownSigError with a suggestion."""
        with pytest.raises(UnknownSigError, match="did you mean sig-node"):
            route("sig-nod/sig-wide/my-kep", SigRegistry.packaged())

    def test_unknown_subproject_suggests(self) -> None:
        """An unknown subproject of a known SIG raises UnknownSigError with a suggestion."""
        with pytest.raises(UnknownSigError) as info:
            route("sig-node/kublet/my-kep", SigRegistry.packaged())
        assert str(info.value) == (
            "sig-node/kublet/my-kep: sig-node has no subproject 'kublet'; did you mean kubelet?"
        )

    def test_sig_without_subprojects_points_at_sig_wide(self, small: SigRegistry) -> None:
        """A SIG without subprojects says where its KEPs go instead."""
        with pytest.raises(UnknownSigError, match="its KEPs go under sig-architecture/sig-wide/"):
            route("sig-architecture/kubelet/my-kep", small)

    def test_working_group_does_not_own_keps(self, small: SigRegistry) -> None:
        """A working group exists, but a KEP folder under it has no owning SIG."""
        with pytest.raises(UnknownSigError, match="wg-batch is a working group, not a SIG"):
            route("wg-batch/sig-wide/my-kep", small)

    @pytest.mark.corpus
    def test_2018_sig_routes_only_with_the_2018_list(self, corpus: Path) -> None:
        """Which list is in force decides whether sig-aws is a valid owner."""
        old = SigRegistry.from_file(corpus / "sigs-2018.yaml")
        assert route("sig-aws/sig-wide/aws-lb", old).owning_sig == "sig-aws"
        with pytest.raises(UnknownSigError, match="sig-aws"):
            route("sig-aws/sig-wide/aws-lb", SigRegistry.packaged())


class TestRender:
    def test_rendering_the_packaged_file_changes_nothing(self) -> None:
        """The packaged file is a fixed point of rendering: its recorded source is kept."""
        packaged = _packaged_bytes().decode("utf-8")
        assert (
            render_sig_list(packaged, source="elsewhere.yaml").encode("utf-8") == _packaged_bytes()
        )

    @pytest.mark.corpus
    def test_rendering_the_packaged_source_again_changes_nothing(self, corpus: Path) -> None:
        """The committed packaged file is exactly what its source renders to today."""
        text = (corpus / "sigs-2026.yaml").read_text(encoding="utf-8")
        assert render_sig_list(text, source="sigs-2026.yaml").encode("utf-8") == _packaged_bytes()

    def test_rendered_file_names_its_source_and_keeps_only_what_keps_needs(
        self, small: SigRegistry
    ) -> None:
        """Header comment with the source; per group dir, name, kind and subprojects."""
        rendered = render_sig_list(SMALL, source="small.yaml")
        assert rendered.splitlines()[:6] == [
            "# The SIG list keps uses where a content root has no sigs.yaml of its own.",
            "# Generated by `python -m helpers.render_sig_list` from small.yaml; do not edit.",
            "format: keps-sig-list/1",
            "source: small.yaml",
            "groups:",
            "- dir: sig-node",
        ]
        assert "mission_statement" not in rendered
        assert "owners" not in rendered
        assert "gb_rep" not in rendered

    def test_rendering_bad_input_names_the_source(self) -> None:
        """Rendering a broken list fails like loading it does."""
        with pytest.raises(InvalidContentError, match=r"bad\.yaml"):
            render_sig_list("sigs: 3\n", source="bad.yaml")


class TestCreateSigDirs:
    def test_creates_a_folder_per_sig_and_is_idempotent(
        self, small: SigRegistry, tmp_path: Path
    ) -> None:
        """Only SIGs get folders; a second run creates nothing and fails on nothing."""
        location = tmp_path / "play"
        assert create_sig_dirs(location, small) == (
            location / "sig-node",
            location / "sig-architecture",
        )
        assert sorted(p.name for p in location.iterdir()) == ["sig-architecture", "sig-node"]
        assert create_sig_dirs(location, small) == ()

    def test_a_file_in_the_way_is_refused(self, small: SigRegistry, tmp_path: Path) -> None:
        """A file where a SIG folder belongs raises KepExistsError naming it."""
        (tmp_path / "sig-node").write_text("", encoding="utf-8")
        with pytest.raises(KepExistsError, match="sig-node is a file"):
            create_sig_dirs(tmp_path, small)


def test_public_names_are_exactly_all() -> None:
    """keps.sigs exports what __all__ lists, once each, and nothing else that is public."""
    public = {name for name in vars(keps.sigs) if not name.startswith("_")}
    modules = {"dirs", "registry", "render", "routing"}
    assert len(set(keps.sigs.__all__)) == len(keps.sigs.__all__)
    assert public - modules == set(keps.sigs.__all__)
