"""keps.load: one collection for either layout, and its typed DataFrame (issue #15, items 1-4).

Every answer is compared with a plain PyYAML scan of the files written here.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import keps
from keps.cli import cli
from keps.errors import InvalidArgumentError, KepNotFoundError, QuerySyntaxError
from keps.index import AmbiguousTargetError
from keps.index.records import RECORD_FIELDS
from tests import enhancements_tree as tree
from tests.kep_factory import make_kep

COUNT = 36


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> Path:
    return tree.write_checkout(tmp_path / "enhancements", count=COUNT)


def scanned(checkout: Path) -> dict[str, dict[str, object]]:
    return {p.parent.relative_to(checkout).as_posix(): d for p, d in tree.scan(checkout)}


def test_a_checkout_in_number_order_with_lookups(checkout: Path) -> None:
    ks = keps.load(checkout)
    files = scanned(checkout)
    assert len(ks) == len(files) == COUNT
    assert [e.location for e in ks] == sorted(
        files, key=lambda loc: int(str(files[loc]["kep-number"]))
    )
    location, data = next(iter(files.items()))
    number = int(str(data["kep-number"]))
    assert ks[number].location == location
    assert ks[location].kep_number == number
    assert ks[checkout / location].kep_number == number  # an absolute path inside the root
    assert ks[location + "/"].kep_number == number
    assert ks["/" + location].kep_number == number  # as kep.yaml's see-also writes it
    assert ks.get(Path("/" + location)) is None  # a Path is a file system path
    assert number in ks and location in ks and 999_999 not in ks
    assert ks.get(999_999) is None
    with pytest.raises(KepNotFoundError, match="999999"):
        ks[999_999]
    assert ks.open(number).title == data["title"]


def test_the_loader_takes_the_keps_folder_too(checkout: Path) -> None:
    assert [e.location for e in keps.load(checkout / "keps")] == [
        e.location for e in keps.load(checkout)
    ]


def test_a_number_two_keps_share_is_ambiguous(checkout: Path) -> None:
    files = scanned(checkout)
    first = next(iter(files))
    number = files[first]["kep-number"]
    twin = checkout / "keps" / "sig-apps" / f"{number}-twin"
    twin.mkdir(parents=True)
    (twin / "kep.yaml").write_text((checkout / first / "kep.yaml").read_text())
    ks = keps.load(checkout)
    with pytest.raises(AmbiguousTargetError) as caught:
        ks[int(str(number))]
    assert set(caught.value.candidates) == {first, f"keps/sig-apps/{number}-twin"}
    assert any(p.code == "duplicate-kep-number" for p in ks.problems)


def test_query_agrees_with_kepctl_query_and_a_scan(checkout: Path) -> None:
    ks = keps.load(checkout)
    chosen = ks.query("sig:node stage:beta")  # sig-node, as kepctl query takes it
    result = CliRunner().invoke(
        cli, ["--content-root", str(checkout), "query", "sig:node", "stage:beta", "--output", "csv"]
    )
    printed = [line.split(",")[-1] for line in result.stdout.splitlines()[1:]]
    expected = [
        loc
        for loc, d in scanned(checkout).items()
        if d["owning-sig"] == "sig-node" and d["stage"] == "beta"
    ]
    assert sorted(e.location for e in chosen) == sorted(printed) == sorted(expected)
    assert expected
    assert isinstance(chosen, keps.KepCollection)
    assert chosen.query("stage:alpha").entries == ()
    with pytest.raises(QuerySyntaxError, match="did you mean"):
        ks.query("stage:bta")


def test_count_by_a_field_equals_a_scan(checkout: Path) -> None:
    ks = keps.load(checkout)
    files = scanned(checkout).values()
    assert ks.count("state") == Counter(d["status"] for d in files)
    assert ks.count("status") == ks.count("state")  # the query's name for it
    assert ks.count("stage") == Counter(d["stage"] for d in files)
    gates = Counter(g["name"] for d in files for g in d.get("feature-gates") or [])  # type: ignore[attr-defined, index]
    assert ks.count("feature_gates") == gates
    betas = Counter(
        f"v{str(d['milestone']['beta']).lstrip('v')}" if "beta" in d["milestone"] else ""  # type: ignore[index, operator]
        for d in files
    )
    assert ks.count("milestone.beta") == betas
    with pytest.raises(InvalidArgumentError, match="unknown field"):
        ks.count("colour")


def test_sorting_by_a_stage_milestone_is_release_order(checkout: Path) -> None:
    ks = keps.load(checkout)
    ordered = [
        e.milestone.alpha for e in ks.query("milestone.alpha>=v1.0", sort_by="milestone.alpha")
    ]
    assert ordered == sorted(ordered)  # type: ignore[type-var]
    texts = [str(m) for m in ordered]
    assert "v1.9" in texts and texts.index("v1.9") < len(texts) - 1  # v1.9 is no later than v1.29


def test_a_2018_content_root(tmp_path: Path) -> None:
    make_kep(tmp_path, "sig-node/kubelet/first", state=keps.State.IMPLEMENTABLE)
    make_kep(tmp_path, "sig-apps/second", authors=("bob",))
    ks = keps.load(tmp_path)
    assert [e.location for e in ks] == ["sig-node/kubelet/first", "sig-apps/sig-wide/second"]
    assert ks[42].title == "First"
    assert ks.count("state") == Counter({"implementable": 1, "draft": 1})
    assert not ks.is_checkout


def test_repr_is_one_short_line(checkout: Path) -> None:
    ks = keps.load(checkout)
    assert repr(ks) == f"<KepCollection of {checkout}: {COUNT} KEPs, 0 problems>"


class TestDataFrame:
    pd = pytest.importorskip("pandas", reason="DataFrames need the keps[analysis] extra")

    def test_columns_are_typed(self, checkout: Path) -> None:
        df = keps.load(checkout).to_dataframe()
        assert list(df.columns) == list(RECORD_FIELDS)
        assert str(df["kep_number"].dtype) == "Int64"
        assert str(df["created"].dt.tz) == "UTC"
        assert df["state"].cat.ordered
        assert list(df["state"].cat.categories[:3]) == ["draft", "provisional", "implementable"]
        assert list(df["stage"].cat.categories[:3]) == ["alpha", "beta", "stable"]
        releases = list(df["latest_milestone"].cat.categories)
        assert releases.index("v1.9") < releases.index("v1.29")

    def test_values_equal_a_scan(self, checkout: Path) -> None:
        df = keps.load(checkout).to_dataframe().set_index("location")
        for location, d in scanned(checkout).items():
            row = df.loc[location]
            assert row["kep_number"] == int(str(d["kep-number"]))
            assert row["created"].date().isoformat() == d["creation-date"]
            assert row["stage"] == d["stage"]
            assert list(row["authors"]) == d["authors"]
        per_stage = df.groupby("stage", observed=True).size().to_dict()
        assert per_stage == dict(Counter(d["stage"] for d in scanned(checkout).values()))

    def test_a_value_that_is_no_state_is_kept_as_a_category(self, checkout: Path) -> None:
        kep_yaml = next((checkout / "keps" / "sig-node").glob("*/kep.yaml"))
        text = kep_yaml.read_text()
        kep_yaml.write_text(text.replace("status: implementable", "status: imlpemented"))
        df = keps.load(checkout).to_dataframe()
        assert (df["state"] == "imlpemented").sum() == 1
        assert df["state"].cat.categories[-1] == "imlpemented"


def test_without_pandas_import_and_query_work_and_to_dataframe_names_the_extra(
    checkout: Path,
) -> None:
    script = (
        "import sys; sys.modules['pandas'] = None\n"
        "import keps\n"
        f"ks = keps.load({str(checkout)!r})\n"
        "print(len(ks.query('stage:beta')))\n"
        "try:\n"
        "    ks.to_dataframe()\n"
        "except keps.KepError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    count, error = done.stdout.splitlines()
    assert int(count) == sum(1 for d in scanned(checkout).values() if d["stage"] == "beta")
    assert error.startswith("MissingExtraError ")
    assert "pip install 'keps[analysis]'" in error


def test_waiting_is_the_sign_off_agenda(checkout: Path) -> None:
    """ks.waiting() is keps.signoff.waiting for the collection, narrowed the same way."""
    import datetime as dt

    import keps.signoff

    ks = keps.load(checkout)
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert ks.waiting(now=now) == keps.signoff.waiting(ks, now=now)
    assert ks.waiting(now=now)  # the generated checkout has provisional KEPs
    assert ks.waiting(sig="sig-node", now=now) == keps.signoff.waiting(ks, sig="node", now=now)
