"""keps.filter refuses a query that names an unknown state, stage or SIG, with the near match.

``stage:alhpa`` used to select nothing and look like an answer. The refusals live in the
library (keps.filter.values), so a notebook gets the same as ``kepctl query``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import keps.filter as kf
import keps.index
from keps.errors import InvalidArgumentError, QuerySyntaxError
from keps.sigs import SigRegistry, registry_for

#: SIGs as a caller passes them: the SIG list in force plus the index's.
SIGS = frozenset({"sig-node", "sig-apps", "sig-architecture", "wg-batch"})


class TestClosedFields:
    @pytest.mark.parametrize(
        ("query", "expected", "term", "position"),
        [
            (
                "stage:alhpa",
                "stage: unknown stage 'alhpa' (did you mean 'alpha'?)",
                "stage:alhpa",
                0,
            ),
            ("sig:a -stage:stabel", "(did you mean 'stable'?)", "-stage:stabel", 6),
            ("stage:beta,gamma", "unknown stage 'gamma'", "stage:beta,gamma", 0),
            (
                "state:implementd",
                "state: unknown state 'implementd' (did you mean 'implemented'?); valid states are:",
                "state:implementd",
                0,
            ),
            ("status:provisonal", "(did you mean 'provisional'?)", "status:provisonal", 0),
        ],
    )
    def test_unknown_value_is_refused_with_the_near_match(
        self, query: str, expected: str, term: str, position: int
    ) -> None:
        """An unknown stage or state is a QuerySyntaxError naming it, its near match and the term."""
        with pytest.raises(QuerySyntaxError) as info:
            kf.parse_query(query)
        assert expected in info.value.message
        assert (info.value.term, info.value.position) == (term, position)
        assert "\n" not in info.value.message

    def test_stage_without_a_near_match_lists_the_stages(self) -> None:
        """A value near nothing lists every stage instead of guessing."""
        with pytest.raises(QuerySyntaxError) as info:
            kf.parse_query("stage:zzz")
        assert "did you mean" not in info.value.message
        assert info.value.message.endswith(
            "stages are: alpha, beta, stable, deprecated, disabled, removed"
        )

    @pytest.mark.parametrize(
        "query", ["stage:alpha", "stage:Beta", "state:IMPLEMENTED", "-stage:stable"]
    )
    def test_known_values_parse(self, query: str) -> None:
        """Every stage and state parses, in any case."""
        assert isinstance(kf.parse_query(query), kf.Criterion)


class TestSigs:
    def test_without_sigs_a_sig_is_taken_as_typed(self) -> None:
        """A caller that does not say which SIGs exist gets the SIG as typed."""
        assert kf.parse_query("sig:sig-nodes") == kf.owning_sig("sig-nodes")

    @pytest.mark.parametrize(
        ("query", "criterion"),
        [
            ("sig:node", kf.owning_sig("sig-node")),
            ("sig:NODE,sig-apps", kf.owning_sig("sig-node", "sig-apps")),
            ("participating:apps", kf.participating_sig("sig-apps")),
            ("-sig:architecture", ~kf.owning_sig("sig-architecture")),
            ("participating:wg-batch", kf.participating_sig("wg-batch")),
        ],
    )
    def test_a_sig_without_its_prefix_means_the_sig(
        self, query: str, criterion: kf.Criterion
    ) -> None:
        """``node`` means ``sig-node`` when that SIG exists."""
        assert kf.parse_query(query, sigs=SIGS) == criterion

    def test_a_group_named_as_typed_wins(self) -> None:
        """When a group is called ``node`` itself, ``sig:node`` means that group."""
        assert kf.parse_query("sig:node", sigs=SIGS | {"node"}) == kf.owning_sig("node")

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("sig:sig-nodes", "sig: unknown SIG 'sig-nodes' (did you mean 'sig-node'?)"),
            ("sig:nod", "sig: unknown SIG 'nod' (did you mean 'sig-node'?)"),
            (
                "participating:batch",
                "participating: unknown SIG 'batch' (did you mean 'wg-batch'?)",
            ),
            (
                "sig:zzzz",
                "sig: unknown SIG 'zzzz'; known SIGs: sig-apps, sig-architecture, sig-node, wg-batch",
            ),
        ],
    )
    def test_unknown_sig_is_refused(self, query: str, expected: str) -> None:
        """An unknown SIG is refused, naming the near match or listing the SIGs."""
        with pytest.raises(QuerySyntaxError) as info:
            kf.parse_query(query, sigs=SIGS)
        assert info.value.message == expected

    def test_sigs_are_asked_for_only_when_a_sig_is_named(self) -> None:
        """A function for *sigs* runs once, and only for a query that names a SIG."""
        calls: list[int] = []

        def sigs() -> frozenset[str]:
            calls.append(1)
            return SIGS

        kf.parse_query("stage:beta state:implementable", sigs=sigs)
        assert calls == []
        assert kf.parse_query("sig:node participating:apps", sigs=sigs) == kf.all_of(
            kf.owning_sig("sig-node"), kf.participating_sig("sig-apps")
        )
        assert calls == [1]

    def test_known_sigs_are_the_list_in_force_and_the_index(self, tmp_path: Path) -> None:
        """known_sigs holds every listed group and the SIGs that KEPs in the index name."""
        kep_dir = tmp_path / "keps" / "sig-retired" / "9-old-thing"
        kep_dir.mkdir(parents=True)
        (kep_dir / "kep.yaml").write_text(
            "title: Old Thing\nkep-number: 9\nowning-sig: sig-retired\n"
            "participating-sigs: [wg-gone]\nstatus: implemented\n"
            "authors: ['@alice']\napprovers: ['@arnold']\n",
            encoding="utf-8",
        )
        entries = keps.index.rebuild(tmp_path).entries
        sigs = kf.known_sigs(registry_for(tmp_path), entries)
        assert sigs == {g.dir for g in SigRegistry.packaged()} | {"sig-retired", "wg-gone"}
        assert kf.parse_query("sig:retired", sigs=sigs) == kf.owning_sig("sig-retired")


def test_check_values_is_the_same_rule_for_notebooks() -> None:
    """check_values answers as parse_query does, raising InvalidArgumentError."""
    assert kf.check_values("sig", ["node", "sig-apps"], sigs=SIGS) == ["sig-node", "sig-apps"]
    assert kf.check_values("author", ["@x"], sigs=SIGS) == ["@x"]
    with pytest.raises(InvalidArgumentError, match=r"did you mean 'beta'\?"):
        kf.check_values("stage", ["bta"])
    with pytest.raises(InvalidArgumentError, match="unknown field"):
        kf.check_values("colour", ["red"])
