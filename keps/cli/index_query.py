"""kepctl index rebuild, and kepctl query over the index."""

from __future__ import annotations

from pathlib import Path

import click

from keps import filter as kep_filter
from keps import index
from keps.cli._app import Context, pass_context
from keps.cli.output import FORMATS, render_records
from keps.index import Entry

__all__ = ["register"]

COLUMNS = ("kep_number", "title", "state", "owning_sig", "authors", "last_updated", "location")

#: The columns for an enhancements checkout, whose KEPs have stages and milestones.
TODAY_COLUMNS = (
    "kep_number",
    "title",
    "state",
    "stage",
    "latest_milestone",
    "owning_sig",
    "location",
)

_OPERATORS = (">=", "<=", ">", "<")

#: flag -> query field; each flag becomes one query term, so flags and query strings
#: mean exactly the same thing.
FLAG_FIELDS = {
    "sig": "sig",
    "participating": "participating",
    "subproject": "subproject",
    "state": "state",
    "author": "author",
    "approver": "approver",
    "reviewer": "reviewer",
    "theme": "theme",
    "number": "number",
    "title": "title",
    "stage": "stage",
    "milestone": "milestone",
    "gate": "gate",
    "prr": "prr",
}


def _quoted(value: str) -> str:
    return f'"{value}"' if any(c.isspace() for c in value) else value


def query_text(
    words: tuple[str, ...], flags: dict[str, tuple[str, ...]], ranges: dict[str, str | None]
) -> str:
    """One query string from positional words, repeatable flags and date ranges."""
    terms = list(words)
    for flag, values in flags.items():
        # a value such as ">=v1.29" is a comparison term of its own
        compared = [v for v in values if v.startswith(_OPERATORS)]
        plain = [v for v in values if v not in compared]
        if plain:
            terms.append(f"{FLAG_FIELDS[flag]}:{','.join(_quoted(v) for v in plain)}")
        terms.extend(f"{FLAG_FIELDS[flag]}{v}" for v in compared)
    for term, value in ranges.items():
        if value:
            terms.append(f"{term}{value}")
    return " ".join(terms)


def _record(entry: Entry) -> dict[str, object]:
    """What a listing shows of *entry*: a value that did not parse shows as the file has it."""
    return {
        "kep_number": entry.as_written("kep_number"),
        "title": entry.title,
        "state": entry.as_written("state"),
        "owning_sig": entry.owning_sig,
        "participating_sigs": entry.participating_sigs,
        "affected_subprojects": entry.affected_subprojects,
        "authors": entry.authors,
        "reviewers": entry.reviewers,
        "approvers": entry.approvers,
        "development_themes": entry.development_themes,
        "created": entry.as_written("created"),
        "last_updated": entry.as_written("last_updated"),
        "uuid": entry.uuid,
        "location": entry.location,
        "stage": entry.stage,
        "latest_milestone": entry.latest_milestone,
        "feature_gates": entry.feature_gates,
        "prr_approvers": entry.prr_approvers,
    }


def register(group: click.Group) -> None:
    """Add `index` and `query` to *group*."""

    @group.group(name="index")
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
    def rebuild(ctx: Context, output: Path | None) -> None:
        """Walk the content tree and write keps.yaml; broken KEPs are listed, not fatal.

        In a kubernetes/enhancements checkout keps.yaml is not part of the content: the
        index is refreshed (and cached outside the tree), and written only to --output.
        """
        root = ctx.content_root
        # under the lock, after rolling back any step a crash left half written
        with index.locked(root, rebuild=True) as idx:
            if output is not None:
                idx.write_to(output)
            elif index.keeps_index_file(root):
                idx.persist()
        for broken in idx.broken:
            codes = ", ".join(sorted({p.code for p in broken.problems}))
            click.echo(f"broken: {broken.location} ({codes})", err=True)
        for problem in idx.problems:
            click.echo(f"problem: {problem}", err=True)
        written = output or (idx.path if idx.path.is_file() else None)
        click.echo(
            f"indexed {len(idx.entries)} KEP(s), {len(idx.broken)} broken; "
            f"next KEP number {idx.next_kep_number}" + (f" ({written})" if written else "")
        )

    @group.command()
    @click.argument("words", nargs=-1)
    @click.option("--sig", multiple=True, help="Owning SIG (repeatable: any of).")
    @click.option("--participating", multiple=True, help="Participating SIG.")
    @click.option("--subproject", multiple=True, help="Affected subproject.")
    @click.option("--state", multiple=True, help="State.")
    @click.option("--author", multiple=True, help="Author handle.")
    @click.option("--approver", multiple=True, help="Approver handle.")
    @click.option("--reviewer", multiple=True, help="Reviewer handle.")
    @click.option("--theme", multiple=True, help="Development theme.")
    @click.option("--number", multiple=True, help="KEP number.")
    @click.option("--title", multiple=True, help="Text in the title.")
    @click.option("--stage", multiple=True, help="Stage (alpha, beta, stable, ...).")
    @click.option(
        "--milestone", multiple=True, help="Latest milestone: v1.30, or a range such as >=v1.29."
    )
    @click.option("--gate", multiple=True, help="Feature gate name.")
    @click.option("--prr", multiple=True, help="PRR approver handle (from the approval files).")
    @click.option("--created-since", default=None, help="Created on or after DATE.")
    @click.option("--created-before", default=None, help="Created before DATE.")
    @click.option("--updated-since", default=None, help="Last updated on or after DATE.")
    @click.option("--updated-before", default=None, help="Last updated before DATE.")
    @click.option(
        "--sort", "sort_by", default="kep_number", show_default=True, help="Field to sort by."
    )
    @click.option("--reverse", is_flag=True, help="Sort descending.")
    @click.option(
        "--output", "fmt", type=click.Choice(list(FORMATS)), default="table", show_default=True
    )
    @click.option("--rebuild", "fresh", is_flag=True, help="Rebuild the index from the tree first.")
    @pass_context
    def query(
        ctx: Context,
        /,
        words: tuple[str, ...],
        created_since: str | None,
        created_before: str | None,
        updated_since: str | None,
        updated_before: str | None,
        sort_by: str,
        reverse: bool,
        fmt: str,
        fresh: bool,
        **flags: tuple[str, ...],
    ) -> None:
        """Select KEPs by a query such as 'sig:sig-node state:implementable author:@jdoe', or flags."""
        text = query_text(
            words,
            flags,
            {
                "created>=": created_since,
                "created<": created_before,
                "updated>=": updated_since,
                "updated<": updated_before,
            },
        )
        criterion = kep_filter.parse_query(text) if text.strip() else None
        root = ctx.content_root
        entries = (index.rebuild(root) if fresh else index.open(root)).entries
        columns = TODAY_COLUMNS if any(e.stage or e.latest_milestone for e in entries) else COLUMNS
        found = kep_filter.select(entries, criterion, sort_by=sort_by, reverse=reverse)
        click.echo(render_records([_record(e) for e in found], fmt, columns), nl=False)
