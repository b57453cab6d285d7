"""kepctl index rebuild: walk the content tree and refresh the index of every KEP."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import click

from keps import index
from keps.cli._app import Context, Report, emit, pass_context

__all__ = ["COMMANDS", "rebuild"]


def rebuild(content_root: Path, *, output: Path | None = None) -> Report:
    """Rebuild the index of *content_root*; broken KEPs and index problems are notes.

    keps.yaml is written where it is content (the seed's tree); a kubernetes/enhancements
    checkout gets none unless *output* asks for it (its index is cached outside the tree).
    """
    # under the lock, after rolling back any step a crash left half written
    with index.locked(content_root, rebuild=True) as idx:
        if output is not None:
            idx.write_to(output)
        elif index.keeps_index_file(content_root):
            idx.persist()
    notes = [
        f"broken: {broken.location} ({', '.join(sorted({p.code for p in broken.problems}))})"
        for broken in idx.broken
    ]
    notes += [f"problem: {problem}" for problem in idx.problems]
    written = output or (idx.path if idx.path.is_file() else None)
    summary = (
        f"indexed {len(idx.entries)} KEP(s), {len(idx.broken)} broken; "
        f"next KEP number {idx.next_kep_number}" + (f" ({written})" if written else "")
    )
    return Report(f"{summary}\n", notes=tuple(notes))


@click.group(name="index")
def index_group() -> None:
    """The index of every KEP (keps.yaml at the content root)."""


@index_group.command(name="rebuild")
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the index to this file (a kubernetes/enhancements checkout gets none unless asked).",
)
@pass_context
def rebuild_command(ctx: Context, output: Path | None) -> None:
    """Walk the content tree and write keps.yaml; broken KEPs are listed, not fatal.

    In a kubernetes/enhancements checkout keps.yaml is not part of the content: the
    index is refreshed (and cached outside the tree), and written only to --output.
    """
    emit(rebuild(ctx.content_root, output=output))


#: Every command of this module, by name.
COMMANDS: Mapping[str, click.Command] = MappingProxyType({"index": index_group})
