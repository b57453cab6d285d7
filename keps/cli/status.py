"""kepctl status and kepctl waiting: who decides on a KEP, and what KEPs are waiting for.

``status(root, "1287")`` returns what ``kepctl --content-root root status 1287`` prints:
one screen with the KEP's state, stage and milestones, each sign-off it needs (given,
unconfirmed or missing, by whom, and who could give it) and how long it has waited
since its last change, saying where that time came from. ``waiting(root, sig="node")``
is a SIG chair's agenda: each missing sign-off of a KEP that is not final, oldest wait
first. The rule and its sources are :mod:`keps.signoff`'s.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import click

from keps.cli._app import Context, Report, emit, find_kep, pass_context, printable
from keps.cli._complete import complete_sigs, complete_targets
from keps.cli.output import FORMATS, render_records
from keps.errors import InvalidArgumentError, KepNotFoundError

if TYPE_CHECKING:
    from keps.analysis import KepCollection
    from keps.signoff import SignOffs

__all__ = ["COMMANDS", "STATUS_FORMATS", "WAITING_COLUMNS", "status", "waiting"]

#: The formats of ``kepctl status``.
STATUS_FORMATS = ("table", "json", "yaml")

#: The columns ``kepctl waiting`` shows as a table or CSV (JSON and YAML give every key).
WAITING_COLUMNS = (
    "days",
    "since",
    "since_source",
    "kep_number",
    "state",
    "stage",
    "sign_off",
    "group",
    "location",
)

_SIGN_OFF_COLUMNS = ("sign_off", "status", "by", "can_give")

#: How a table says where a KEP's last change came from.
_SOURCES = {
    "events": "its newest lifecycle event",
    "git": "the git history",
    "last-updated": "last-updated; git has no change of it",
    "creation-date": "creation-date; no last-updated, git has no change of it",
}


def _now(as_of: str | None) -> dt.datetime:
    """The time *as_of* names (RFC 3339 or a date), else the current time, in UTC."""
    if as_of is None:
        return dt.datetime.now(dt.UTC)
    from keps._time import parse_time

    try:
        return parse_time(as_of)
    except ValueError as exc:
        msg = f"--as-of {as_of!r} is not a date (YYYY-MM-DD) or an RFC 3339 time"
        raise InvalidArgumentError(msg, argument="as_of", value=as_of) from exc


def _collection(content_root: Path, kep_dir: Path) -> tuple[KepCollection, str]:
    """The KEPs of *content_root* (read again when the index misses *kep_dir*) and its location."""
    import keps

    for fresh in (False, True):
        found = keps.load(content_root, fresh=fresh)
        entry = found.get(kep_dir)
        if entry is not None:
            return found, entry.location
    msg = f"{kep_dir} is not a KEP of {content_root}"
    raise KepNotFoundError(msg, path=kep_dir)


def _cells(record: Mapping[str, Any]) -> dict[str, Any]:
    """*record* with every text made printable: KEP content never drives the terminal."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, str):
            value = printable(value)
        elif isinstance(value, list):
            value = [printable(v) if isinstance(v, str) else v for v in value]
        out[key] = value
    return out


def _waited(record: Mapping[str, Any]) -> str:
    """When the KEP last changed, how long ago, and where that came from."""
    if record["since"] is None:
        return "unknown: no lifecycle event, no change in git, no date"
    source = _SOURCES.get(record["since_source"], record["since_source"])
    if record["since_commit"]:
        source += f", commit {record['since_commit'][:12]} by {record['since_author']}"
    elif record["since_author"]:
        source += f", by {record['since_author']}"
    return f"{record['since']}, {record['days']} days ago (from {source})"


def _listed(names: Sequence[str], none: str) -> str:
    return ", ".join(names) or none


def _screen(signed: SignOffs, now: dt.datetime) -> str:
    """One screen: the KEP, its sign-offs as a table, how long it has waited."""
    record = _cells(signed.to_record(now))
    number = "-" if record["kep_number"] is None else record["kep_number"]
    milestones = ", ".join(f"{k} {v}" for k, v in record["milestones"].items()) or "none"
    lines = [
        f"KEP {number}: {record['title']}",
        f"  folder      {record['location']}",
        f"  state       {record['state'] or 'none'}",
        f"  stage       {record['stage'] or 'none'}",
        f"  milestones  {milestones} (latest: {record['latest_milestone'] or 'none'})",
        f"  last change {_waited(record)}",
        f"  people from {record['people_from'] or 'nowhere: no OWNERS_ALIASES, no sigs.yaml'}",
        "",
        "",
    ]
    rows = []
    for sign_off in signed.sign_offs:
        by = sign_off.given_by or tuple(f"{p}?" for p in sign_off.unconfirmed_by)
        rows.append(
            {
                "sign_off": sign_off.what,
                "status": sign_off.status.value,
                "by": _listed(by, "-"),
                "can_give": _listed(sign_off.can_give, "nobody known"),
            }
        )
    table = render_records([_cells(row) for row in rows], "table", _SIGN_OFF_COLUMNS)
    return "\n".join(lines) + table


def status(
    content_root: Path, target: str, *, fmt: str = "table", as_of: str | None = None
) -> Report:
    """The sign-offs of the KEP *target* and how long it has waited, in format *fmt*.

    *as_of* (a date or RFC 3339 time) is the moment the wait is measured to (default:
    now). What could not be read of the file naming the SIGs' people goes to stderr.

    Raises:
        KepError: no such KEP, or *as_of* is no time.
    """
    from keps import signoff

    now = _now(as_of)
    collection, location = _collection(content_root, find_kep(content_root, target))
    signed = signoff.of(collection, location)
    notes = tuple(printable(f"warning: {problem}") for problem in signed.problems)
    if fmt == "json":
        return Report(json.dumps(signed.to_record(now), indent=2) + "\n", notes)
    if fmt == "yaml":
        import yaml  # PyYAML only for this format, as keps.cli.output does

        text = yaml.safe_dump(signed.to_record(now), sort_keys=False, allow_unicode=True)
        return Report(text, notes)
    return Report(_screen(signed, now), notes)


def waiting(
    content_root: Path,
    *,
    sig: str | None = None,
    older_than: str | None = None,
    fmt: str = "table",
    as_of: str | None = None,
) -> Report:
    """Each missing sign-off of the KEPs not final under *content_root*, oldest wait first.

    *sig* keeps one SIG's (``sig-node``, ``node``, ``prod-readiness``); *older_than*
    (``90d``, ``12w``, ``6m``, ``1y``) keeps the KEPs that waited longer.

    Raises:
        KepError: an unknown SIG, an age or *as_of* that does not parse.
    """
    import keps
    from keps import signoff

    now = _now(as_of)
    lines = signoff.waiting(keps.load(content_root), sig=sig, older_than=older_than, now=now)
    records: Sequence[Mapping[str, Any]] = [line.to_record() for line in lines]
    if fmt in ("table", "csv"):
        records = [_cells(r) for r in records]
    return Report(render_records(records, fmt, WAITING_COLUMNS))


_AS_OF = click.option(
    "--as-of",
    default=None,
    metavar="TIME",
    help="Measure waits up to this date or RFC 3339 time (default: now).",
)


@click.command(name="status")
@click.argument("target", shell_complete=complete_targets)
@click.option(
    "--output", "fmt", type=click.Choice(STATUS_FORMATS), default="table", show_default=True
)
@_AS_OF
@pass_context
def status_command(ctx: Context, /, target: str, fmt: str, as_of: str | None) -> None:
    """Who decides on a KEP: each sign-off, given or missing, and how long it has waited."""
    emit(status(ctx.content_root, target, fmt=fmt, as_of=as_of))


@click.command(name="waiting")
@click.option(
    "--sig",
    default=None,
    help="Only this SIG's sign-offs (sig-node or node; prod-readiness for PRR).",
    shell_complete=complete_sigs,
)
@click.option(
    "--older-than",
    default=None,
    metavar="AGE",
    help="Only KEPs unchanged for longer: 90d, 12w, 6m (30 days), 1y (365 days).",
)
@click.option(
    "--output", "fmt", type=click.Choice(list(FORMATS)), default="table", show_default=True
)
@_AS_OF
@pass_context
def waiting_command(
    ctx: Context, /, sig: str | None, older_than: str | None, fmt: str, as_of: str | None
) -> None:
    """The missing sign-offs of KEPs that are not final, oldest first: a SIG chair's agenda."""
    emit(waiting(ctx.content_root, sig=sig, older_than=older_than, fmt=fmt, as_of=as_of))


#: Every command of this module, by name.
COMMANDS: Mapping[str, click.Command] = MappingProxyType(
    {"status": status_command, "waiting": waiting_command}
)
