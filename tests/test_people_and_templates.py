"""From the Go seed's own tests: nobody is empty text, and no template is left half filled."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

import keps
from keps.errors import CheckFailedError, InvalidArgumentError, KepError
from keps.keps.metadata import Metadata
from keps.keps.sections import KNOWN_SECTIONS, README, SectionSpec, render, render_readme
from tests.kep_factory import T0, make_kep, snapshot

KEP_YAML = """\
title: Pod Things
kep-number: 1234
authors:
  - "@alice"
owning-sig: sig-node
status: implementable
creation-date: 2023-01-05
reviewers:
  - "@rita"
approvers:
  - "@arnold"
"""

PLACEHOLDER = re.compile(r"\$\{?[A-Za-z_]")


def _name(spec: SectionSpec) -> str:
    return spec.name


def _seed(root: Path) -> keps.Kep:
    return make_kep(root, state=keps.State.IMPLEMENTABLE)


def _today(root: Path) -> keps.Kep:
    kep_dir = root / "keps" / "sig-node" / "1234-pod-things"
    kep_dir.mkdir(parents=True)
    (kep_dir / "kep.yaml").write_text(KEP_YAML)
    (kep_dir / "README.md").write_text("# Pod Things\n\n## Summary\n\nText.\n")
    return keps.open(kep_dir)


@pytest.mark.parametrize("layout", [_seed, _today], ids=["metadata.yaml", "kep.yaml"])
@pytest.mark.parametrize("field", ["authors", "reviewers", "approvers", "editors"])
@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_person_is_a_problem(
    layout: Callable[[Path], keps.Kep], field: str, blank: str, tmp_path: Path
) -> None:
    """check() names the field; persist writes nothing (no ``- ''`` in the file)."""
    kep = layout(tmp_path)
    before = snapshot(tmp_path)
    kep.update(**{field: (*getattr(kep.metadata, field), blank)})
    with pytest.raises(CheckFailedError) as caught:
        kep.check(now=T0)
    assert [(p.code, p.field) for p in caught.value.problems if p.is_blocking] == [
        ("person-empty", field)
    ]
    with pytest.raises(CheckFailedError):
        kep.persist(now=T0)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("add", ["add_reviewers", "add_approvers"])
@pytest.mark.parametrize("handles", [("",), ("  ",), ("bob", "")])
def test_adding_an_empty_handle_is_refused(
    add: str, handles: tuple[str, ...], tmp_path: Path
) -> None:
    """add_reviewers("") and add_approvers("") refuse, and add nobody."""
    kep = _seed(tmp_path)
    before = kep.metadata
    with pytest.raises(InvalidArgumentError, match="handle"):
        getattr(kep, add)(*handles)
    assert kep.metadata == before


def test_render_refuses_the_readme_template() -> None:
    """render() of the README would leave $contents, $sig_url, $number_line: a KepError."""
    metadata = Metadata.new(title="T", authors=["alice"], owning_sig="sig-node", now=T0)
    with pytest.raises(KepError) as caught:
        render(README, metadata)
    for name in ("$contents", "$sig_url", "$number_line"):
        assert name in str(caught.value)


@pytest.mark.parametrize("spec", [s for s in KNOWN_SECTIONS if not s.generated], ids=_name)
def test_every_section_template_is_filled(spec: SectionSpec) -> None:
    """What render() returns for a section, and the README, hold no $placeholder.

    A title that itself holds ``$title`` stays as written (values are not templates).
    """
    metadata = Metadata.new(title="T $title", authors=["alice"], owning_sig="sig-node", now=T0)
    assert not PLACEHOLDER.search(render(spec, metadata).replace("T $title", ""))
    readme = render_readme(attrs.evolve(metadata, kep_number=7))
    assert not PLACEHOLDER.search(readme.replace("T $title", ""))
