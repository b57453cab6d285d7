"""Property tests: whatever the input, the only exceptions that escape are KepErrors."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import keps
from keps._yaml import load_fast
from keps.errors import KepError
from keps.filter import parse_query
from keps.keps.layouts.seed import metadata_from_mapping
from keps.sigs import SigRegistry
from tests.strategies import markdown, mutated_metadata, yaml_text

NOW = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
TRIED: dict[str, int] = {}


def _count(name: str) -> None:
    TRIED[name] = TRIED.get(name, 0) + 1


@given(mutated_metadata())
def test_metadata_from_any_mapping_is_metadata_or_a_kep_error(data: dict[str, object]) -> None:
    """Metadata.from_mapping on valid metadata with fields of random types."""
    _count("from_mapping")
    try:
        metadata_from_mapping(data, path="m.yaml")
    except KepError as exc:
        assert "m.yaml" in str(exc)


@given(yaml_text | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_load_fast_raises_only_kep_errors(text: str) -> None:
    """load_fast on random YAML-ish text and random characters."""
    _count("load_fast")
    try:
        load_fast(text, path="x.yaml")
    except KepError as exc:
        assert "x.yaml" in str(exc)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    metadata=st.one_of(
        mutated_metadata().map(lambda d: yaml.safe_dump(d).encode()),
        yaml_text.map(str.encode),
        st.binary(max_size=300),
    ),
    summary=markdown,
)
def test_open_check_and_problems_raise_only_kep_errors(
    metadata: bytes, summary: str, tmp_path: Path
) -> None:
    """keps.open, Kep.problems and Kep.check on a KEP with random metadata and Markdown."""
    _count("open")
    kep_dir = tmp_path / "sig-node" / "sig-wide" / "fuzzed"
    kep_dir.mkdir(parents=True, exist_ok=True)
    (kep_dir / "metadata.yaml").write_bytes(metadata)
    (kep_dir / "summary.md").write_text(summary, encoding="utf-8", errors="surrogatepass")
    try:
        kep = keps.open(kep_dir, content_root=tmp_path)
        kep.problems(now=NOW)
        kep.check(now=NOW)
        for section in kep.sections:
            kep.section_text(section)
    except KepError as exc:
        assert str(exc)


@given(yaml_text)
def test_sig_registry_raises_only_kep_errors(text: str) -> None:
    """SigRegistry.from_yaml_text on random YAML-ish text."""
    _count("sigs")
    try:
        SigRegistry.from_yaml_text(text, source="s.yaml")
    except KepError as exc:
        assert "s.yaml" in str(exc)


@given(
    st.text(max_size=60)
    | st.lists(
        st.sampled_from(
            ["sig:", "state:", ">=", ",", "@", " ", "updated>", "2019-01-01", "x", '"', "-"]
        ),
        max_size=12,
    ).map("".join)
)
def test_parse_query_raises_only_kep_errors(query: str) -> None:
    """keps.filter.parse_query on random query strings."""
    _count("query")
    with contextlib.suppress(KepError):
        parse_query(query)


@pytest.fixture(autouse=True, scope="module")
def _report_counts() -> object:
    yield
    print(f"\nhypothesis inputs tried: {TRIED}")
