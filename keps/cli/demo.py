"""kepctl demo: one KEP walked through the lifecycle on a fresh temporary content root.

It needs no network and no settings: the content root is a temporary folder with a
directory per SIG of the packaged list, and the principals are made up.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

import click

from keps import filter as kep_filter
from keps import index, workflow
from keps.cli.output import render_records
from keps.keps import Kep
from keps.keps.path import locate
from keps.keps.sections import (
    DEVELOPER_GUIDE,
    GRADUATION_CRITERIA,
    MOTIVATION,
    OPERATOR_GUIDE,
    SUMMARY,
    TEACHER_GUIDE,
)
from keps.settings import Runtime
from keps.sigs import SigRegistry, create_sig_dirs

__all__ = ["COMMANDS", "demo", "run_demo"]

AUTHOR = "demo-author"
APPROVER = "demo-approver"
TARGET = "sig-node/dynamic-kubelet-config"
QUERY = "sig:sig-node state:implementable"

_TEXT = {
    SUMMARY.filename: "The kubelet reads its configuration from a ConfigMap and reloads it live.",
    MOTIVATION.filename: "Operators restart every kubelet to change one flag; that is slow and risky.",
    DEVELOPER_GUIDE.filename: "A controller in the kubelet watches the ConfigMap and validates changes.",
    OPERATOR_GUIDE.filename: "Enable the DynamicKubeletConfig gate, then point nodes at a ConfigMap.",
    TEACHER_GUIDE.filename: "Teach it as 'kubelet config is an API object', with one worked example.",
    GRADUATION_CRITERIA.filename: "Beta after two releases without a config-induced node outage.",
}


def _fill(kep_dir: Path, filenames: tuple[str, ...], echo: Callable[[str], None]) -> None:
    """Write real text into sections, as an author would in an editor."""
    for filename in filenames:
        path = kep_dir / filename
        head = "\n".join(
            line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")
        )
        path.write_text(f"{head}\n\n{_TEXT[filename]}\n", encoding="utf-8")
        echo(f"  (author edits {filename})")


def _show(kep_dir: Path, echo: Callable[[str], None]) -> None:
    kep = Kep.open(kep_dir)
    echo(f"  state: {kep.state}   number: {kep.kep_number if kep.kep_number is not None else '-'}")
    echo("  files:")
    for path in sorted(p for p in kep_dir.rglob("*") if p.is_file()):
        echo(f"    {path.relative_to(kep_dir).as_posix()}")
    echo(f"  {kep.metadata_path.name}:")
    for line in kep.metadata_path.read_text(encoding="utf-8").splitlines():
        echo(f"    {line}")


def run_demo(root: Path, echo: Callable[[str], None]) -> None:
    """Walk one KEP through init, propose, accept, plan and approve under *root*, narrating."""
    registry = SigRegistry.packaged()
    created = create_sig_dirs(root, registry)
    echo(f"content root: {root} ({len(created)} SIG folders)")
    kep_dir, _ = locate(TARGET, root, registry)
    as_author = Runtime(principal=AUTHOR, target_dir=kep_dir, content_root=root)
    as_approver = Runtime(principal=APPROVER, target_dir=kep_dir, content_root=root)

    echo(f"\n$ kepctl --principal {AUTHOR} init {TARGET}")
    workflow.init(as_author)
    _show(kep_dir, echo)

    echo(f"\n$ kepctl --principal {AUTHOR} propose {TARGET}")
    _fill(kep_dir, (SUMMARY.filename, MOTIVATION.filename), echo)
    workflow.propose(as_author)
    _show(kep_dir, echo)

    echo(f"\n$ kepctl --principal {APPROVER} accept {TARGET}")
    workflow.accept(as_approver)
    _show(kep_dir, echo)

    echo(f"\n$ kepctl --principal {AUTHOR} plan {TARGET}")
    workflow.plan(as_author)
    _show(kep_dir, echo)

    echo(f"\n$ kepctl --principal {APPROVER} approve {TARGET}")
    _fill(
        kep_dir,
        tuple(
            s.filename
            for s in (DEVELOPER_GUIDE, OPERATOR_GUIDE, TEACHER_GUIDE, GRADUATION_CRITERIA)
        ),
        echo,
    )
    workflow.approve(as_approver)
    _show(kep_dir, echo)

    echo("\n$ kepctl index rebuild")
    idx = index.rebuild(root)
    idx.persist()
    echo(f"  indexed {len(idx.entries)} KEP(s); next KEP number {idx.next_kep_number}")

    echo(f"\n$ kepctl query '{QUERY}'")
    found = kep_filter.select(idx.entries, kep_filter.parse_query(QUERY))
    records = [
        {
            "number": e.kep_number,
            "title": e.title,
            "state": e.state,
            "sig": e.owning_sig,
            "location": e.location,
        }
        for e in found
    ]
    for line in render_records(
        records, "table", ["number", "title", "state", "sig", "location"]
    ).splitlines():
        echo(f"  {line}")


def demo(*, keep: bool = False, echo: Callable[[str], None] = click.echo) -> Path | None:
    """Run :func:`run_demo` on a fresh temporary content root, narrating through *echo*.

    The content root is removed afterwards, unless *keep*: then it is returned (and
    said) for a look around.
    """
    root = Path(tempfile.mkdtemp(prefix="kepctl-demo-"))
    try:
        run_demo(root, echo)
    finally:
        if keep:
            echo(f"\nkept the demo content root at {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return root if keep else None


@click.command(name="demo")
@click.option("--keep", is_flag=True, help="Keep the temporary content root and print where it is.")
def _main(keep: bool) -> None:
    """Walk one KEP through the lifecycle on a fresh temporary content root."""
    demo(keep=keep)


#: Every command of this module, by name.
COMMANDS: Mapping[str, click.Command] = MappingProxyType({"demo": _main})
