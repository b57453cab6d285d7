"""What each page of a site shows, as plain data for its template.

:class:`SiteData` is made once per build from a collection; each of its methods gives
the context of one page (or one kind of page) as dicts, lists and text - nothing a
template could call into, and everything a digest can cover: a KEP page's context,
with its text, is what decides whether the page must be rendered again. Every link is
already relative to the page that holds it (``root`` leads back to the site's top).

A template override sees the same names as the packaged templates; the packaged
``kep.html`` shows each of them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keps._names import KEPS_DIR, PRR_DIR
from keps._time import format_time
from keps.index.records import RECORD_FIELDS, STAGE_FIELDS, to_record
from keps.keps.milestones import STAGES, Milestone
from keps.keps.states import State
from keps.problems import Problem
from keps.site.names import PageNames, relative_url, release_page, root_of, safe_segment

if TYPE_CHECKING:
    from keps.analysis.collection import KepCollection
    from keps.analysis.links import Links
    from keps.history import Change, History, Trail
    from keps.index.entry import Entry

__all__ = ["LINK_KINDS", "SiteData", "export_json"]

#: The links of a KEP page, in order: (attribute of KepLinks, heading).
LINK_KINDS: tuple[tuple[str, str], ...] = (
    ("replaces", "Replaces"),
    ("replaced_by", "Replaced by"),
    ("supersedes", "Supersedes"),
    ("superseded_by", "Superseded by"),
    ("see_also", "See also"),
    ("seen_from", "Seen from"),
)

#: Record fields the side panel leaves to the sections of their own.
_OWN_SECTION = frozenset(
    {"replaces", "superseded_by", "see_also"}
    | {f"{prefix}.{stage}" for prefix in STAGE_FIELDS.values() for stage in STAGES}
)

#: Record fields whose values are SIGs, and fields whose value is a release.
_SIG_FIELDS = frozenset({"owning_sig", "participating_sigs"})
_RELEASE_FIELDS = frozenset({"latest_milestone"})

_STATUS_ORDER = {state.value: n for n, state in enumerate(State)}
_STAGE_ORDER = {stage: n for n, stage in enumerate(STAGES)}
_EMAIL = re.compile(r"\s*<[^>]*>\s*$")


def _text(value: object) -> str:
    """*value* as text on a page: a date where the time is midnight UTC, else the minute."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC)
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


@functools.lru_cache(maxsize=4096)
def _release(text: str) -> Milestone | None:
    """The release *text* names, or None (a Milestone is immutable: one per text will do)."""
    try:
        return Milestone.parse(text)
    except (TypeError, ValueError):
        return None


def _status_key(status: str) -> tuple[int, str]:
    return (_STATUS_ORDER.get(status, len(_STATUS_ORDER)), status)


def _stage_key(stage: str) -> tuple[int, str]:
    return (_STAGE_ORDER.get(stage, len(_STAGE_ORDER) + (0 if stage else 1)), stage)


def kep_label(entry: Entry) -> str:
    """``KEP-753``, or ``KEP (no number)``."""
    return "KEP (no number)" if entry.kep_number is None else f"KEP-{entry.kep_number}"


def export_json(records: Sequence[Mapping[str, object]]) -> bytes:
    """*records* as ``kepctl export --format json`` writes them: times in RFC 3339,
    lists as arrays, two-space indents, UTF-8."""

    def plain(value: object) -> object:
        if isinstance(value, dt.datetime):
            return format_time(value)
        if isinstance(value, tuple | list):
            return [plain(item) for item in value]
        return value

    listed = [{key: plain(value) for key, value in record.items()} for record in records]
    return (json.dumps(listed, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class SiteData:
    """The pages of one collection and what each shows.

    Args:
        collection: the KEPs.
        problems: the validation findings to show (each on its KEP's page too).
        history: the KEPs' history, or None to show none.
    """

    def __init__(
        self,
        collection: KepCollection,
        *,
        problems: Iterable[Problem] = (),
        history: History | None = None,
    ) -> None:
        self.collection = collection
        self.entries: tuple[Entry, ...] = collection.entries
        self.records = {entry.location: to_record(entry) for entry in self.entries}
        self.pages = PageNames(entry.location for entry in self.entries)
        self.history = history
        self._trails: dict[str, list[Trail]] = {}
        for trail in history.trails if history is not None else ():
            for kep_folder in trail.locations:
                self._trails.setdefault(kep_folder, []).append(trail)
        self.problems = tuple(problems)
        self._root = Path(collection.content_root)
        self._real_root = os.path.realpath(self._root)
        self._by_kep: dict[str, list[Problem]] = {}
        for problem in self.problems:
            location = self.location_of(problem)
            if location is not None:
                self._by_kep.setdefault(location, []).append(problem)
        self.sigs = sorted(
            {sig for r in self.records.values() for sig in self._sigs_of(r)},
            key=lambda sig: (sig.lower(), sig),
        )
        self.sig_page_names = PageNames(self.sigs, folder="sigs", stem=safe_segment)
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}

    @property
    def links(self) -> Links:
        """The links between the KEPs (resolved once, by the collection)."""
        return self.collection.links

    # -- helpers --

    @staticmethod
    def _sigs_of(record: Mapping[str, object]) -> list[str]:
        owning = record.get("owning_sig")
        participating = record.get("participating_sigs") or ()
        assert isinstance(participating, tuple)
        return [sig for sig in (owning, *participating) if isinstance(sig, str) and sig]

    def shown_path(self, path: str | None) -> str:
        """*path* relative to the content root when it lies inside, else as given."""
        if not path:
            return ""
        if not Path(path).is_absolute():
            return path
        real = os.path.realpath(path)
        for base in (str(self._root), self._real_root):
            if path.startswith(base + os.sep):
                return Path(path).relative_to(base).as_posix()
            if real.startswith(base + os.sep):
                return Path(real).relative_to(base).as_posix()
        return path

    def location_of(self, problem: Problem) -> str | None:
        """The KEP a problem is about: the KEP folder its file is in, or the KEP a
        production readiness approval file (``keps/prod-readiness/<sig>/<n>.yaml``) is for."""
        shown = self.shown_path(problem.path)
        parts = [part for part in shown.split("/") if part]
        for end in range(len(parts), 0, -1):
            candidate = "/".join(parts[:end])
            if candidate in self.records:
                return candidate
        if len(parts) == 4 and parts[:2] == [KEPS_DIR, PRR_DIR] and parts[3].endswith(".yaml"):
            sig, number = parts[2], parts[3].removesuffix(".yaml")
            found = [
                e.location
                for e in self.entries
                if e.owning_sig == sig and str(e.kep_number) == number.lstrip("0")
            ]
            if len(found) == 1:
                return found[0]
        return None

    def _page_link(self, page: str, entry: Entry) -> dict[str, str]:
        title = entry.title or entry.location.rsplit("/", 1)[-1]
        return {
            "text": f"{kep_label(entry)}: {title}",
            "href": relative_url(page, self.pages[entry.location]),
        }

    def _value(self, page: str, field: str, text: str) -> dict[str, str | None]:
        """One value of the side panel, linked to its SIG or release page where it has one."""
        href = None
        if field in _SIG_FIELDS and text in self.sigs:
            href = relative_url(page, self.sig_page_names[text])
        elif field in _RELEASE_FIELDS and _release(text) is not None:
            href = relative_url(page, release_page(str(_release(text))))
        return {"text": text, "href": href}

    def row(self, page: str, entry: Entry) -> dict[str, Any]:
        """One KEP as a table row on *page*: the fields the tables show, with links.

        Rows are made once per depth of page (their links depend on nothing else); a
        template must not change one.
        """
        key = (root_of(page), entry.location)
        made = self._rows.get(key)
        if made is None:
            made = self._rows[key] = self._row(page, entry)
        return made

    def _row(self, page: str, entry: Entry) -> dict[str, Any]:
        record = self.records[entry.location]
        folder = entry.location.rsplit("/", 1)[-1]
        sig = str(record["owning_sig"] or "")
        state = str(record["state"] or "")
        stage = str(record["stage"] or "")
        milestone = str(record["latest_milestone"] or "")
        release = _release(milestone)
        number = "" if entry.kep_number is None else str(entry.kep_number)
        title = entry.title or folder
        return {
            "number": number,
            "number_sort": f"{entry.kep_number:012d}" if entry.kep_number is not None else "~",
            "title": title,
            "title_sort": f"{title.lower()}\n{folder.lower()}",
            "href": relative_url(page, self.pages[entry.location]),
            "folder": folder,
            "location": entry.location,
            "sig": sig,
            "sig_href": relative_url(page, self.sig_page_names[sig]) if sig else None,
            "state": state,
            "stage": stage,
            "milestone": milestone,
            "milestone_href": relative_url(page, release_page(str(release))) if release else None,
            "milestone_sort": (
                "{:05d}.{:05d}.{:05d}".format(*release.version.to_tuple()[:3])
                if release
                else milestone.lower()
            ),
            "search": "\n".join(
                part.lower() for part in (number, title, sig, state, stage, milestone, folder)
            ),
        }

    # -- one KEP --

    def kep(self, entry: Entry) -> dict[str, Any]:
        """The context of *entry*'s page, all but its rendered text (``readme``)."""
        page = self.pages[entry.location]
        record = self.records[entry.location]
        fields = []
        for name in RECORD_FIELDS:
            value = record[name]
            if name in _OWN_SECTION or value is None or value in ("", ()):
                continue
            items = value if isinstance(value, tuple) else (value,)
            fields.append(
                {"name": name, "shown": [self._value(page, name, _text(v)) for v in items]}
            )
        milestones = [
            {"stage": stage, **self._value(page, "latest_milestone", text)}
            for stage in STAGES
            if (text := str(record[f"milestone.{stage}"]))
        ]
        approvals = [
            {"stage": stage, "approver": approver}
            for stage in STAGES
            if (approver := str(record[f"prr.{stage}"]))
        ]
        kep_links = self.links.of(entry)
        links = [
            {"kind": kind, "label": label, "keps": [self._page_link(page, e) for e in found]}
            for kind, label in LINK_KINDS
            if (found := getattr(kep_links, kind))
        ]
        unresolved = [
            {"field": u.field, "text": u.text, "reason": u.reason}
            for u in self.links.unresolved
            if u.location == entry.location
        ]
        return {
            "root": root_of(page),
            "page": page,
            "title": f"{kep_label(entry)}: {entry.title}" if entry.title else kep_label(entry),
            "label": kep_label(entry),
            "kep_title": entry.title,
            "location": entry.location,
            "row": self.row(page, entry),
            "fields": fields,
            "milestones": milestones,
            "approvals": approvals,
            "links": links,
            "unresolved": unresolved,
            "problems": [self._problem(page, p) for p in self._by_kep.get(entry.location, ())],
            "history": self._history(entry),
        }

    def _changes_of(self, location: str) -> list[Change]:
        """What ``history.for_kep(location)`` gives, without its pass over every change
        for each KEP: the changes of the one trail that lived in *location*."""
        assert self.history is not None
        trails = self._trails.get(location, [])
        if len(trails) == 1:
            return list(trails[0].changes)
        return list(self.history.for_kep(location))  # none, or a folder two KEPs lived in

    def _history(self, entry: Entry) -> list[dict[str, str]] | None:
        if self.history is None:
            return None
        return [
            {
                "time": change.time.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M"),
                "field": change.field,
                "old": change.old if change.old is not None else "",
                "new": change.new if change.new is not None else "",
                "commit": change.commit[:12],
                "author": _EMAIL.sub("", change.author),
            }
            for change in self._changes_of(entry.location)
        ]

    def _problem(self, page: str, problem: Problem) -> dict[str, Any]:
        location = self.location_of(problem)
        entry = self.collection.get(location) if location is not None else None
        return {
            "code": problem.code,
            "severity": str(problem.severity),
            "message": problem.message,
            "path": self.shown_path(problem.path),
            "field": problem.field or "",
            "line": "" if problem.line is None else str(problem.line),
            "kep": None if entry is None else self._page_link(page, entry),
        }

    # -- the index, SIGs, releases, validation --

    def index(self) -> dict[str, Any]:
        """The context of ``index.html``: every KEP as a row."""
        page = "index.html"
        return {
            "root": "",
            "page": page,
            "title": "Kubernetes Enhancement Proposals",
            "rows": [self.row(page, entry) for entry in self.entries],
            "problems": len(self.problems),
        }

    def sig_pages(self) -> Iterable[tuple[str, dict[str, Any]]]:
        """(page, context) of each SIG's page: its KEPs by status, then stage."""
        for sig in self.sigs:
            page = self.sig_page_names[sig]
            owned = [e for e in self.entries if e.owning_sig == sig]
            participating = [
                e for e in self.entries if e.owning_sig != sig and sig in e.participating_sigs
            ]
            rows = [self.row(page, e) for e in owned]
            statuses = sorted({r["state"] for r in rows}, key=_status_key)
            stages = sorted({r["stage"] for r in rows}, key=_stage_key)
            counts = Counter((r["state"], r["stage"]) for r in rows)
            yield (
                page,
                {
                    "root": root_of(page),
                    "page": page,
                    "title": sig,
                    "sig": sig,
                    "stages": stages,
                    "counts": [
                        {
                            "status": status,
                            "counts": [counts[(status, stage)] for stage in stages],
                            "total": sum(counts[(status, stage)] for stage in stages),
                        }
                        for status in statuses
                    ],
                    "groups": [
                        {
                            "status": status,
                            "rows": sorted(
                                (r for r in rows if r["state"] == status),
                                key=lambda r: (_stage_key(r["stage"]), r["number_sort"]),
                            ),
                        }
                        for status in statuses
                    ],
                    "participating": [self.row(page, e) for e in participating],
                },
            )

    def sigs_page(self) -> dict[str, Any]:
        """The context of ``sigs.html``: every SIG with its counts."""
        page = "sigs.html"
        owned = Counter(e.owning_sig for e in self.entries)
        joined = Counter(sig for e in self.entries for sig in e.participating_sigs)
        return {
            "root": "",
            "page": page,
            "title": "SIGs",
            "sigs": [
                {
                    "sig": sig,
                    "href": self.sig_page_names[sig],
                    "owned": owned[sig],
                    "participating": joined[sig],
                }
                for sig in self.sigs
            ],
        }

    @functools.cached_property
    def _releases(self) -> dict[Milestone, dict[str, list[Entry]]]:
        """Each release with the KEPs that reach a stage in it, and those that name it latest."""
        found: dict[Milestone, dict[str, list[Entry]]] = {}
        for entry in self.entries:
            record = self.records[entry.location]
            for stage in STAGES:
                release = _release(str(record[f"milestone.{stage}"]))
                if release is not None:
                    found.setdefault(release, {}).setdefault(stage, []).append(entry)
            latest = _release(str(record["latest_milestone"]))
            if latest is not None:
                found.setdefault(latest, {}).setdefault("latest", []).append(entry)
        return dict(sorted(found.items(), key=lambda item: item[0], reverse=True))

    def release_pages(self) -> Iterable[tuple[str, dict[str, Any]]]:
        """(page, context) of each release's page: what goes alpha, beta, stable in it."""
        for release, by_stage in self._releases.items():
            page = release_page(str(release))
            yield (
                page,
                {
                    "root": root_of(page),
                    "page": page,
                    "title": f"{release}",
                    "release": str(release),
                    "stages": [
                        {"stage": stage, "rows": [self.row(page, e) for e in by_stage[stage]]}
                        for stage in STAGES
                        if stage in by_stage
                    ],
                    "latest": [self.row(page, e) for e in by_stage.get("latest", ())],
                },
            )

    def releases_page(self) -> dict[str, Any]:
        """The context of ``releases.html``: every release, newest first, with counts."""
        return {
            "root": "",
            "page": "releases.html",
            "title": "Releases",
            "stages": list(STAGES),
            "releases": [
                {
                    "release": str(release),
                    "href": release_page(str(release)),
                    "counts": [len(by_stage.get(stage, ())) for stage in STAGES],
                    "latest": len(by_stage.get("latest", ())),
                }
                for release, by_stage in self._releases.items()
            ],
        }

    def validation(self) -> dict[str, Any]:
        """The context of ``validation.html``: the findings grouped by code, most first."""
        page = "validation.html"
        by_code: dict[str, list[Problem]] = {}
        for problem in self.problems:
            by_code.setdefault(problem.code, []).append(problem)
        groups = sorted(by_code.items(), key=lambda item: (-len(item[1]), item[0]))
        errors = sum(1 for p in self.problems if str(p.severity) == "error")
        return {
            "root": "",
            "page": page,
            "title": "Validation",
            "total": len(self.problems),
            "errors": errors,
            "warnings": len(self.problems) - errors,
            "groups": [
                {
                    "code": code,
                    "anchor": f"code-{code}",
                    "count": len(problems),
                    "problems": [self._problem(page, p) for p in problems],
                }
                for code, problems in groups
            ],
        }
