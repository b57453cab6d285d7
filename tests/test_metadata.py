"""Metadata: typed fields from YAML, times, ordered unique lists, and the seed's key order."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from keps import InvalidContentError, Metadata, State
from keps._yaml import format_time, load_fast, parse_time
from keps.keps.layouts.seed import KEY_ORDER, metadata_from_mapping, metadata_to_mapping
from keps.keps.metadata import Event, Exemption


class TestTimes:
    def test_written_as_rfc3339_utc_with_microseconds_and_z(self) -> None:
        """The seed's format: 2018-12-09T01:37:52.328024Z."""
        t = dt.datetime(2018, 12, 9, 1, 37, 52, 328024, tzinfo=dt.UTC)
        assert format_time(t) == "2018-12-09T01:37:52.328024Z"

    def test_other_zones_are_converted_to_utc(self) -> None:
        """A time given in another zone is written as the same instant in UTC."""
        t = dt.datetime(2018, 12, 9, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
        assert format_time(t) == "2018-12-09T01:00:00.000000Z"

    def test_read_back_from_yaml(self) -> None:
        """What we write reads back as the same aware datetime."""
        t = dt.datetime(2018, 12, 9, 1, 37, 52, 328024, tzinfo=dt.UTC)
        data = load_fast(f"created: {format_time(t)}\n", path="m.yaml").data
        assert parse_time(data["created"]) == t

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("2018-02-19", dt.datetime(2018, 2, 19, tzinfo=dt.UTC)),
            (dt.date(2018, 2, 19), dt.datetime(2018, 2, 19, tzinfo=dt.UTC)),
            ("2018-02-19T10:00:00Z", dt.datetime(2018, 2, 19, 10, tzinfo=dt.UTC)),
            (
                "2018-02-19T10:00:00.5+01:00",
                dt.datetime(2018, 2, 19, 9, 0, 0, 500000, tzinfo=dt.UTC),
            ),
        ],
    )
    def test_plain_dates_and_rfc3339_are_read(self, value: object, expected: dt.datetime) -> None:
        """Dates without a time are read as midnight UTC."""
        assert parse_time(value) == expected

    @pytest.mark.parametrize("value", ["yyyy-mm-dd", "2018-15-01", "", 17, None])
    def test_anything_else_is_refused(self, value: object) -> None:
        """Placeholders and impossible dates are errors, not silently kept."""
        with pytest.raises(ValueError, match="not an RFC 3339 time or a date"):
            parse_time(value)


class TestFromMapping:
    def test_reads_every_field(self) -> None:
        """Each key of the seed's metadata.yaml lands in its field, with its type."""
        data = {
            "authors": ["alice", "bob"],
            "title": "A KEP",
            "kep_number": 7,
            "reviewers": ["rita"],
            "approvers": ["arnold"],
            "editors": ["ed"],
            "state": "provisional",
            "replaces": ["old-kep"],
            "superseded_by": ["new-kep"],
            "development_themes": ["stability"],
            "last_updated": "2019-01-02",
            "created": "2019-01-01",
            "uuid": "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
            "sections": ["summary.md", "README.md"],
            "owning_sig": "sig-node",
            "affected_subprojects": ["kubelet"],
            "participating_sigs": ["sig-apps"],
            "kubernetes_wide": False,
            "sig_wide": False,
            "events": [{"principal": "alice", "date": "2019-01-01", "event_type": "init"}],
            "associated_prs": ["https://example.invalid/pr/1"],
            "exemptions": [{"code": "sig-unknown", "reason": "SIG was renamed"}],
        }
        assert set(data) == set(KEY_ORDER)
        meta = metadata_from_mapping(data, path="m.yaml")
        assert meta.authors == ("alice", "bob")
        assert meta.kep_number == 7
        assert meta.state is State.PROVISIONAL
        assert meta.created == dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
        assert meta.events == (
            Event(
                principal="alice", date=dt.datetime(2019, 1, 1, tzinfo=dt.UTC), event_type="init"
            ),
        )
        assert meta.exemptions == (Exemption(code="sig-unknown", reason="SIG was renamed"),)
        assert meta.affected_subprojects == ("kubelet",)

    def test_lists_keep_insertion_order_without_duplicates(self) -> None:
        """The seed's map sets sorted people alphabetically; we keep the order they were added."""
        meta = metadata_from_mapping(
            {"reviewers": ["zed", "amy", "zed", "mo", "amy"]}, path="m.yaml"
        )
        assert meta.reviewers == ("zed", "amy", "mo")
        assert attrs.evolve(meta, reviewers=(*meta.reviewers, "amy", "bo")).reviewers == (
            "zed",
            "amy",
            "mo",
            "bo",
        )

    def test_every_bad_field_is_reported_not_only_the_first(self) -> None:
        """Wrong types in several fields give one error listing each, with field and line."""
        loaded = load_fast(
            "title: 3\nauthors: {a: 1}\nstate: pending\nkep_number: yes\n", path="m.yaml"
        )
        with pytest.raises(InvalidContentError) as caught:
            metadata_from_mapping(loaded.data, path="m.yaml", lines=loaded.lines)
        problems = caught.value.problems
        assert [(p.field, p.line, p.code) for p in problems] == [
            ("authors", 2, "field-invalid"),
            ("title", 1, "field-invalid"),
            ("kep_number", 4, "field-invalid"),
            ("state", 3, "state-invalid"),
        ]
        assert all(p.path == "m.yaml" for p in problems)
        assert "m.yaml has 4 invalid metadata fields" in str(caught.value)

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (None, "is empty"),
            (["a", "b"], "must hold a YAML mapping"),
            ("just text", "must hold a YAML mapping"),
        ],
    )
    def test_not_a_mapping(self, data: object, message: str) -> None:
        """An empty file or a list is not metadata, and the error names the file."""
        with pytest.raises(InvalidContentError, match=message) as caught:
            metadata_from_mapping(data, path="some/metadata.yaml")
        assert caught.value.path == "some/metadata.yaml"

    def test_unknown_keys_are_ignored_by_the_model(self) -> None:
        """Keys we do not know are not an error (the file keeps them)."""
        meta = metadata_from_mapping({"title": "x", "tracking_issue": 12}, path="m.yaml")
        assert meta.title == "x"


class TestToMapping:
    def test_seed_key_order_and_empty_fields_left_out(self) -> None:
        """Like the seed's omitempty: only set fields, in the seed's order."""
        meta = Metadata(title="T", authors=("a",), state=State.DRAFT, uuid="u", sig_wide=True)
        assert list(metadata_to_mapping(meta)) == ["authors", "title", "state", "uuid", "sig_wide"]
        assert metadata_to_mapping(meta)["state"] == "draft"

    def test_round_trip_through_the_mapping(self) -> None:
        """from_mapping(to_mapping(m)) gives m back."""
        meta = Metadata.new(
            title="T",
            authors=["a", "b"],
            owning_sig="sig-node",
            now=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        )
        meta = attrs.evolve(meta, exemptions=(Exemption("x", "y"),))
        assert metadata_from_mapping(metadata_to_mapping(meta), path="m.yaml") == meta
