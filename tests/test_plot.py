"""Charts of KEP counts (keps.plot): the bars and lines a reader sees hold the right numbers.

A small checkout is written from the table below; each test counts from the table
itself and reads the figure back (bar labels, bar sizes, line data), then saves it.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from matplotlib.figure import Figure

import keps
from keps import plot
from keps.analysis.collection import KepCollection
from keps.errors import InvalidArgumentError
from tests.enhancements_tree import write_checkout
from tests.validate_helpers import readme

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STAGES = ("alpha", "beta", "stable")

#: (number, owning SIG, creation date or '', {stage: milestone as written})
KEPS: tuple[tuple[int, str, str, dict[str, str]], ...] = (
    (1, "sig-node", "2018-02-01", {"alpha": "v1.10", "beta": "v1.12", "stable": "v1.14"}),
    (2, "sig-node", "2018-07-09", {"alpha": "1.12"}),  # 1.12 is v1.12
    (3, "sig-node", "2019-01-01", {"alpha": "v1.14", "beta": "v1.15"}),
    (4, "sig-apps", "2019-05-05", {"alpha": "v1.15.2"}),  # a patch release is its minor
    (5, "sig-apps", "2021-12-31", {"alpha": "TBD"}),  # no release: left out
    (6, "sig-storage", "", {"alpha": "v1.9", "beta": "v1.10"}),  # v1.9 sorts before v1.10
    (7, "sig-node", "2021-03-03", {}),
    (8, "sig-auth", "2021-04-04", {"beta": "v1.14"}),
)


def kep_yaml(number: int, sig: str, created: str, milestones: dict[str, str]) -> str:
    lines = [
        f"title: KEP {number}",
        f"kep-number: {number}",
        "authors:",
        '  - "@alice"',
        f"owning-sig: {sig}",
        "status: implementable",
        *([f"creation-date: {created}"] if created else []),
        "reviewers:",
        '  - "@rita"',
        "approvers:",
        '  - "@arnold"',
        "stage: alpha",
    ]
    if milestones:
        lines.append("milestone:")
        lines += [f'  {stage}: "{release}"' for stage, release in milestones.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture(name="collection")
def _collection(tmp_path: Path) -> KepCollection:
    root = write_checkout(tmp_path / "enhancements", count=0)
    for number, sig, created, milestones in KEPS:
        kep_dir = root / "keps" / sig / f"{number}-kep"
        kep_dir.mkdir(parents=True)
        (kep_dir / "kep.yaml").write_text(kep_yaml(number, sig, created, milestones))
        (kep_dir / "README.md").write_text(readme(f"KEP-{number}"))
    collection = keps.load(root)
    assert len(collection) == len(KEPS)
    return collection


def png_of(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def bar_labels(axes: object) -> list[str]:
    return [label.get_text() for label in axes.get_yticklabels()]  # type: ignore[attr-defined]


def test_per_sig_draws_a_bar_per_sig_most_first(collection: KepCollection) -> None:
    expected = Counter(sig for _, sig, _, _ in KEPS)
    figure = plot.per_sig(collection)
    [axes] = figure.axes
    widths = [patch.get_width() for patch in axes.patches]
    shown = dict(zip(bar_labels(axes), widths, strict=True))
    assert shown == expected
    assert widths == sorted(widths, reverse=True)
    # the first bar drawn is at the top: the y axis runs downwards
    assert axes.yaxis_inverted()
    assert bar_labels(axes)[0] == "sig-node"
    assert png_of(figure).startswith(PNG_SIGNATURE)


def test_per_sig_keeps_the_top_sigs(collection: KepCollection) -> None:
    figure = plot.per_sig(collection, top=2)
    [axes] = figure.axes
    # sig-node 4, then two SIGs with 2 and 1: sig-apps (2) is second
    assert bar_labels(axes) == ["sig-node", "sig-apps"]
    assert [patch.get_width() for patch in axes.patches] == [4, 2]
    assert "top 2" in axes.get_title()
    for wrong in (0, -1, True, 1.5):
        with pytest.raises(InvalidArgumentError, match="top"):
            plot.per_sig(collection, top=wrong)  # type: ignore[arg-type]


def test_per_sig_of_a_query(collection: KepCollection) -> None:
    [axes] = plot.per_sig(collection.query("sig:sig-apps")).axes
    assert bar_labels(axes) == ["sig-apps"]
    assert [patch.get_width() for patch in axes.patches] == [2]


def test_created_per_year_draws_every_year_between(collection: KepCollection) -> None:
    years = Counter(int(created[:4]) for _, _, created, _ in KEPS if created)
    figure = plot.created_per_year(collection)
    [axes] = figure.axes
    [line] = axes.get_lines()
    assert list(line.get_xdata()) == [2018, 2019, 2020, 2021]
    assert list(line.get_ydata()) == [years[2018], years[2019], 0, years[2021]]
    assert "1 without a creation date" in axes.get_title()
    assert png_of(figure).startswith(PNG_SIGNATURE)


def release_key(text: str) -> tuple[int, int]:
    major, minor = text.lstrip("v").split(".")[:2]
    return int(major), int(minor)


def test_stages_over_releases_stacks_alpha_beta_stable(collection: KepCollection) -> None:
    reached: dict[str, Counter[tuple[int, int]]] = {s: Counter() for s in STAGES}
    for _, _, _, milestones in KEPS:
        for stage, release in milestones.items():
            if release != "TBD":
                reached[stage][release_key(release)] += 1
    releases = [(1, minor) for minor in range(9, 16)]  # v1.9 to v1.15, v1.11 and v1.13 at 0

    figure = plot.stages_over_releases(collection)
    [axes] = figure.axes
    assert [t.get_text() for t in axes.get_xticklabels()] == [f"v1.{m}" for _, m in releases]
    bars = axes.patches
    assert len(bars) == 3 * len(releases)
    bottoms = [0.0] * len(releases)
    for at, stage in enumerate(STAGES):
        mine = bars[at * len(releases) : (at + 1) * len(releases)]
        assert [bar.get_height() for bar in mine] == [reached[stage][r] for r in releases]
        assert [bar.get_y() for bar in mine] == bottoms  # stacked on the stages before
        bottoms = [b + bar.get_height() for b, bar in zip(bottoms, mine, strict=True)]
    assert [text.get_text() for text in axes.get_legend().get_texts()] == list(STAGES)
    assert png_of(figure).startswith(PNG_SIGNATURE)


def test_charts_of_no_keps_are_empty_figures(collection: KepCollection) -> None:
    nothing = collection.query("sig:sig-network")
    assert len(nothing) == 0
    for chart in (plot.per_sig, plot.created_per_year, plot.stages_over_releases):
        figure = chart(nothing)
        assert png_of(figure).startswith(PNG_SIGNATURE)


def test_the_package_lists_its_charts() -> None:
    assert {"per_sig", "created_per_year", "stages_over_releases", "time_in_state"} <= set(
        plot.__all__
    )
    assert set(plot.__all__) <= set(dir(plot))
    from keps.plot.history import time_in_state

    assert plot.time_in_state is time_in_state
