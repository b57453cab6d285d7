"""kepctl query: select KEPs from the index by a query, or by flags that mean the same.

``query(root, "sig:node stage:beta")`` returns what ``kepctl --content-root root query
sig:node stage:beta`` prints. An unknown state, stage or SIG is refused with the near
match (see :mod:`keps.filter.values`); ``node`` means ``sig-node`` when that is a SIG.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import click

from keps import filter as kep_filter
from keps import index
from keps.cli._app import Context, Report, emit, pass_context
from keps.cli._complete import (
    complete_milestones,
    complete_participating_sigs,
    complete_query_words,
    complete_sigs,
    complete_stages,
    complete_states,
)
from keps.cli.output import FORMATS, render_records
from keps.filter.criteria import fields_of
from keps.index.records import to_record

if TYPE_CHECKING:
    from keps.index import Index

__all__ = ["COLUMNS", "COMMANDS", "FLAG_FIELDS", "TODAY_COLUMNS", "query", "query_text"]

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
    words: tuple[str, ...], flags: Mapping[str, tuple[str, ...]], ranges: Mapping[str, str | None]
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


def query(
    content_root: Path,
    text: str = "",
    *,
    sort_by: str = "kep_number",
    reverse: bool = False,
    fmt: str = "table",
    fresh: bool = False,
) -> Report:
    """The KEPs of *content_root* that the query *text* selects, printed in format *fmt*.

    *fresh* rebuilds the index from the tree first. A SIG the query names must be in the
    SIG list in force or own (or take part in) a KEP of the index; the list is read only
    for a query that names a SIG, so a plain query reads nothing but the index. A
    ``text:`` term reads each KEP's text (see :mod:`keps.analysis.search`).

    Raises:
        QuerySyntaxError: the query does not parse, or names an unknown state, stage or
            SIG (the message names the near match).
    """
    loaded: list[Index] = []

    def load() -> Index:
        if not loaded:
            loaded.append(index.rebuild(content_root) if fresh else index.open(content_root))
        return loaded[0]

    def sigs() -> frozenset[str]:
        from keps.sigs import registry_for

        return kep_filter.known_sigs(registry_for(content_root), load().entries)

    criterion = kep_filter.parse_query(text, sigs=sigs) if text.strip() else None
    entries = load().entries
    columns = TODAY_COLUMNS if any(e.stage or e.latest_milestone for e in entries) else COLUMNS
    if "text" in fields_of(criterion):  # the only term that reads more than the index
        from keps.analysis.search import select_with_text

        found = select_with_text(content_root, entries, criterion, sort_by=sort_by, reverse=reverse)
    else:
        found = kep_filter.select(entries, criterion, sort_by=sort_by, reverse=reverse)
    return Report(render_records([to_record(e) for e in found], fmt, columns))


@click.command(name="query")
@click.argument("words", nargs=-1, shell_complete=complete_query_words)
@click.option(
    "--sig", multiple=True, help="Owning SIG (repeatable: any of).", shell_complete=complete_sigs
)
@click.option(
    "--participating",
    multiple=True,
    help="Participating SIG.",
    shell_complete=complete_participating_sigs,
)
@click.option("--subproject", multiple=True, help="Affected subproject.")
@click.option("--state", multiple=True, help="State.", shell_complete=complete_states)
@click.option("--author", multiple=True, help="Author handle.")
@click.option("--approver", multiple=True, help="Approver handle.")
@click.option("--reviewer", multiple=True, help="Reviewer handle.")
@click.option("--theme", multiple=True, help="Development theme.")
@click.option("--number", multiple=True, help="KEP number.")
@click.option("--title", multiple=True, help="Text in the title.")
@click.option(
    "--stage",
    multiple=True,
    help="Stage (alpha, beta, stable, ...).",
    shell_complete=complete_stages,
)
@click.option(
    "--milestone",
    multiple=True,
    help="Latest milestone: v1.30, or a range such as >=v1.29.",
    shell_complete=complete_milestones,
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
def _main(
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
    emit(query(ctx.content_root, text, sort_by=sort_by, reverse=reverse, fmt=fmt, fresh=fresh))


#: Every command of this module, by name.
COMMANDS: Mapping[str, click.Command] = MappingProxyType({"query": _main})
