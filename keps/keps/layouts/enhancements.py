"""Today's layout (kubernetes/enhancements): ``kep.yaml`` beside the README that is the text.

::

    <repository>/OWNERS_ALIASES
    <repository>/keps/<sig>/[<group>/]<NNNN-slug>/kep.yaml      hyphenated keys
    <repository>/keps/<sig>/[<group>/]<NNNN-slug>/README.md     the whole text, ## sections
    <repository>/keps/prod-readiness/<sig>/<NNNN>.yaml          PRR approver per stage

Reading is lenient: a value the model cannot hold (an unknown status, a date with
month 15, a list where text belongs) becomes a problem with its field and line, and
the KEP still opens. Only text that is not YAML at all refuses to load. The key table
:data:`FIELDS` maps each kep.yaml key to its model field and back; writing edits the
blocks of changed keys only (see :mod:`keps.keps.layouts._kepyaml`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from keps import _names
from keps._checkout import TEMPLATE_DIR as _TEMPLATE_DIR
from keps._checkout import roots_of
from keps._files import FileTransaction, read_text
from keps._kinds import kind_of
from keps.errors import (
    InvalidContentError,
    KepError,
    KepExistsError,
    KepNotFoundError,
    PathOutsideError,
)
from keps.keps.check import CheckContext, context_for, people_are_named, run_checks
from keps.keps.kep import Kep, title_from_name
from keps.keps.layouts import readme as readme_parts
from keps.keps.layouts._kepyaml import dump_text, edit_text, load_text
from keps.keps.layouts.base import Layout, Loaded
from keps.keps.metadata import STAGES, FeatureGate, Metadata, Milestone, PrrApproval
from keps.keps.numbers import KepNumberRangeError, parse_kep_number
from keps.keps.path import name_fault
from keps.keps.states import State
from keps.problems import Problem, Severity
from keps.sigs import SigRegistry, registry_for

__all__ = [
    "ENHANCEMENTS",
    "FIELDS",
    "KEP_FILE",
    "KEYS_DIR",
    "KEY_ORDER",
    "OWNERS_ALIASES",
    "PRR_DIR",
    "REQUIRED_KEYS",
    "STATUSES",
    "STRUCTURAL_CODES",
    "EnhancementsKep",
    "EnhancementsLayout",
    "keps_dir_of",
    "prr_file",
    "repository_root_of",
]

KEP_FILE = _names.KEP_FILE
KEYS_DIR = _names.KEPS_DIR
PRR_DIR = _names.PRR_DIR
OWNERS_ALIASES = "OWNERS_ALIASES"
TEMPLATE_DIR = _TEMPLATE_DIR
SIGS_FILE = _names.SIGS_FILE
README_FILE = _names.README_FILE

#: The statuses of today's process (kubernetes/enhancements api/proposal.go); no draft.
STATUSES: tuple[str, ...] = (
    "provisional",
    "implementable",
    "implemented",
    "deferred",
    "rejected",
    "withdrawn",
    "replaced",
)

#: Keys every kep.yaml must have (what the enhancements repository's CI requires).
REQUIRED_KEYS: tuple[str, ...] = (
    "title",
    "kep-number",
    "authors",
    "owning-sig",
    "approvers",
    "status",
)

#: Problem codes that make a kep.yaml unusable: strict parsing, required fields, and a
#: number the model cannot hold (see :data:`~keps.keps.numbers.MAX_KEP_NUMBER`).
STRUCTURAL_CODES = frozenset(
    {"key-unknown", "field-type", "required-missing", "kep-number-out-of-range"}
)

#: Keys the enhancements tooling writes that the model does not hold (carried as is).
_PASSTHROUGH_KEYS = frozenset({"id", "name", "prnumber", "prNumber"})


class _FieldProblem(ValueError):
    """A value the model cannot hold; *code* says which kind of problem it is."""

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        self.code = code
        self.field = field
        super().__init__(message)


def _scalar_text(value: object, key: str) -> str:
    if isinstance(value, Mapping | list):
        msg = f"{key} must be text, not {kind_of(value)}"
        raise _FieldProblem(msg, code="field-type")
    return str(value).strip()


def _text_list(value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        msg = f"{key} must be a list, not {kind_of(value)}"
        raise _FieldProblem(msg, code="field-type")
    out = []
    for index, item in enumerate(value):
        if item is None:
            continue
        if isinstance(item, Mapping | list):
            msg = f"{key} item {index + 1} must be text, not {kind_of(item)}"
            raise _FieldProblem(msg, code="field-type", field=f"{key}[{index}]")
        if str(item).strip():
            out.append(str(item).strip())
    return tuple(dict.fromkeys(out))


def _status(value: object, key: str) -> State:
    text = _scalar_text(value, key)
    if text in STATUSES:
        return State(text)
    msg = f"status {text!r} is not one of: {', '.join(STATUSES)}"
    raise _FieldProblem(msg, code="status-invalid")


def _kep_number(value: object, key: str) -> int:
    if isinstance(value, bool):
        msg = f"kep-number must be a number, not {kind_of(value)}"
        raise _FieldProblem(msg, code="field-type")
    text = _scalar_text(value, key)
    try:
        return parse_kep_number(text)
    except KepNumberRangeError as exc:
        msg = f"kep-number {exc}"
        raise _FieldProblem(msg, code="kep-number-out-of-range") from exc
    except ValueError as exc:
        shown = repr(text) if len(text) <= 40 else f"{text[:40]!r}..."
        msg = f"kep-number {shown} is not a number"
        raise _FieldProblem(msg, code="kep-number-invalid") from exc


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date(value: object, key: str) -> dt.datetime:
    text = _scalar_text(value, key)
    if _DATE.fullmatch(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError as exc:
            msg = f"{key} {text!r} is not a date: {exc}"
            raise _FieldProblem(msg, code="date-invalid") from exc
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    msg = f"{key} {text!r} is not a date (YYYY-MM-DD)"
    raise _FieldProblem(msg, code="date-invalid")


def _milestones(value: object, key: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping):
        msg = f"milestone must be a mapping of stage to milestone, not {kind_of(value)}"
        raise _FieldProblem(msg, code="field-type")
    out = []
    for stage, text in value.items():
        if str(stage) not in STAGES:
            msg = f"milestone.{stage} is not a stage ({', '.join(STAGES)})"
            raise _FieldProblem(msg, code="key-unknown", field=f"milestone.{stage}")
        if text is None:
            continue
        out.append((str(stage), _scalar_text(text, f"milestone.{stage}")))
    return tuple(out)


def _gates(value: object, key: str) -> tuple[FeatureGate, ...]:
    if not isinstance(value, list):
        msg = f"feature-gates must be a list of {{name, components}}, not {kind_of(value)}"
        raise _FieldProblem(msg, code="field-type")
    gates = []
    for index, item in enumerate(value):
        where = f"feature-gates[{index}]"
        if not isinstance(item, Mapping):
            msg = f"{where} must be a mapping with name and components, not {kind_of(item)}"
            raise _FieldProblem(msg, code="field-type", field=where)
        for extra in item:
            if extra not in ("name", "components"):
                msg = f"{where}.{extra} is not a feature gate key (name, components)"
                raise _FieldProblem(msg, code="key-unknown", field=f"{where}.{extra}")
        name = item.get("name")
        if isinstance(name, Mapping | list):
            msg = f"{where}.name must be text, not {kind_of(name)}"
            raise _FieldProblem(msg, code="field-type", field=f"{where}.name")
        components = item.get("components")
        gates.append(
            FeatureGate(
                "" if name is None else str(name).strip(),
                () if components is None else _text_list(components, f"{where}.components"),
            )
        )
    return tuple(gates)


def _flag(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        msg = f"{key} must be true or false, not {kind_of(value)}"
        raise _FieldProblem(msg, code="field-type")
    return value


@attrs.frozen
class Field:
    """One kep.yaml key: the model *attribute* it fills and how its value converts."""

    key: str
    attribute: str
    read: Callable[[object, str], object]
    write: Callable[[Any], object]


def _same(value: Any) -> object:
    return value


def _as_list(value: Any) -> object:
    return list(value)


def _date_text(value: dt.datetime) -> str:
    if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        return value.date().isoformat()
    return value.isoformat().replace("+00:00", "Z")


def _editor_text(value: tuple[str, ...]) -> str:
    return ", ".join(value)


def _editor(value: object, key: str) -> tuple[str, ...]:
    text = _scalar_text(value, key)
    return (text,) if text else ()


#: Every kep.yaml key the model holds, in the order a new kep.yaml is written (the
#: template's order, then the keys the template leaves out).
FIELDS: tuple[Field, ...] = (
    Field("title", "title", _scalar_text, _same),
    Field("kep-number", "kep_number", _kep_number, _same),
    Field("authors", "authors", _text_list, _as_list),
    Field("owning-sig", "owning_sig", _scalar_text, _same),
    Field("participating-sigs", "participating_sigs", _text_list, _as_list),
    Field("status", "state", _status, str),
    Field("creation-date", "created", _date, _date_text),
    Field("last-updated", "last_updated", _date, _date_text),
    Field("reviewers", "reviewers", _text_list, _as_list),
    Field("approvers", "approvers", _text_list, _as_list),
    Field("prr-approvers", "prr_approvers", _text_list, _as_list),
    Field("editor", "editors", _editor, _editor_text),
    Field("see-also", "see_also", _text_list, _as_list),
    Field("replaces", "replaces", _text_list, _as_list),
    Field("superseded-by", "superseded_by", _text_list, _as_list),
    Field("stage", "stage", _scalar_text, _same),
    Field("latest-milestone", "latest_milestone", _scalar_text, _same),
    Field("milestone", "milestone", _milestones, dict),
    Field("feature-gates", "feature_gates", _gates, lambda v: [g.to_mapping() for g in v]),
    Field("disable-supported", "disable_supported", _flag, _same),
    Field("metrics", "metrics", _text_list, _as_list),
)

_BY_KEY: Mapping[str, Field] = {f.key: f for f in FIELDS}

#: kep.yaml keys in writing order (the keys the model does not hold go last).
KEY_ORDER: tuple[str, ...] = (*(f.key for f in FIELDS), "id", "name", "prnumber")
#: A PRR approval file's keys in the order upstream's files give them: a stage approved
#: later is written in its place, not at the end.
PRR_KEY_ORDER: tuple[str, ...] = ("kep-number", *STAGES)


def _empty(value: object) -> bool:
    return value is None or value == "" or value == () or value == []


def keps_dir_of(path: Path) -> Path | None:
    """The ``keps`` folder *path* lies in (the nearest ancestor so named), or None."""
    for ancestor in (path, *path.parents):
        if ancestor.name == KEYS_DIR:
            return ancestor
    return None


def repository_root_of(path: Path) -> Path | None:
    """The enhancements checkout *path* lies in: the parent of its ``keps`` folder."""
    keps_dir = keps_dir_of(path)
    return None if keps_dir is None else keps_dir.parent


def prr_file(keps_dir: Path, owning_sig: str, kep_number: int | str) -> Path:
    """Where the PRR approval file of a KEP lives: ``keps/prod-readiness/<sig>/<n>.yaml``.

    Raises:
        PathOutsideError: *owning_sig* or *kep_number* is no folder or file name
            (``../..`` would lead out of the checkout; see :func:`keps.keps.path.name_fault`).
    """
    for part in (owning_sig, str(kep_number)):
        fault = name_fault(part)
        if fault is not None:
            shown = repr(part) if len(part) <= 60 else f"{part[:60]!r}..."
            msg = f"no PRR approval file can be named after {shown}: {fault}"
            raise PathOutsideError(msg, path=keps_dir / PRR_DIR)
    return keps_dir / PRR_DIR / owning_sig / f"{kep_number}.yaml"


def read_prr(path: Path) -> tuple[tuple[PrrApproval, ...], Mapping[str, Any] | None, list[Problem]]:
    """The approvals in the PRR file at *path* (none if it is absent), its data, problems."""
    if not path.is_file():
        return (), None, []
    try:
        loaded = load_text(read_text(path), path=path)
    except KepError as exc:
        return (), None, [Problem("prr-invalid", exc.message, path=str(path))]
    data = loaded.data
    if not isinstance(data, Mapping):
        msg = f"{path} must hold a mapping of stage to approver"
        return (), None, [Problem("prr-invalid", msg, path=str(path))]
    approvals = []
    problems = []
    for stage, value in data.items():
        if stage == "kep-number":
            continue
        line = loaded.lines.get(str(stage))
        if str(stage) not in STAGES or not isinstance(value, Mapping):
            msg = f"{stage!r} is not a stage with an approver ({', '.join(STAGES)})"
            problems.append(Problem("prr-invalid", msg, path=str(path), field=stage, line=line))
            continue
        approver = value.get("approver")
        if isinstance(approver, str) and approver.strip():
            approvals.append(PrrApproval(str(stage), approver.strip()))
    return tuple(approvals), data, problems


def prr_mapping(number: object, approvals: tuple[PrrApproval, ...]) -> dict[str, Any]:
    """The content of a PRR approval file for KEP *number*."""
    out: dict[str, Any] = {"kep-number": number}
    for approval in approvals:
        out[approval.stage] = {"approver": approval.approver}
    return out


class EnhancementsLayout(Layout):
    """``<kep>/kep.yaml`` plus README.md, which is the text and is never generated."""

    name = "enhancements"
    metadata_file = KEP_FILE
    key_order = KEY_ORDER

    def read(self, kep_dir: Path, text: str) -> Loaded:
        """The metadata in *text*; bad values become problems, never exceptions.

        Raises:
            InvalidContentError: only when *text* is not YAML at all.
        """
        path = kep_dir / KEP_FILE
        parsed = load_text(text, path=path)
        data = parsed.data
        problems: list[Problem] = []
        where = str(path)
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            msg = f"{path} must hold a mapping of fields, not {kind_of(data)}"
            problems.append(Problem("field-type", msg, path=where, line=1))
            return Loaded(Metadata(), None, tuple(problems), parsed.lines)
        values: dict[str, Any] = {}
        unparsed: list[tuple[str, str]] = []
        for key, value in data.items():
            field = _BY_KEY.get(str(key))
            line = parsed.lines.get(str(key))
            if field is None:
                if str(key) not in _PASSTHROUGH_KEYS:
                    msg = f"{key!r} is not a kep.yaml key (strict parsing)"
                    problems.append(Problem("key-unknown", msg, path=where, field=key, line=line))
                continue
            if _empty(value):
                continue
            try:
                values[field.attribute] = field.read(value, field.key)
            except _FieldProblem as exc:
                at = exc.field or field.key
                problems.append(
                    Problem(exc.code, str(exc), path=where, field=at, line=parsed.lines.get(at))
                )
                if not isinstance(value, Mapping | list):  # kept as written, never dropped
                    unparsed.append((field.attribute, str(value).strip()))
        for key in REQUIRED_KEYS:
            if data.get(key) is None:
                msg = f"{key} must be set"
                problems.append(
                    Problem(
                        "required-missing", msg, path=where, field=key, line=parsed.lines.get(key)
                    )
                )
        keps_dir = keps_dir_of(kep_dir)
        sources: tuple[Path, ...] = ()
        if keps_dir is not None and "owning_sig" in values and "kep_number" in values:
            number = str(data["kep-number"]).strip()  # as written: 0752 names 0752.yaml
            try:
                path = prr_file(keps_dir, values["owning_sig"], number)
            except KepError:
                pass  # an owning-sig such as ../..: no PRR file is read for it (lint flags it)
            else:
                approvals, _, prr_problems = read_prr(path)
                values["prr_approvals"] = approvals
                problems.extend(prr_problems)
                sources = (path,)
        if unparsed:
            values["unparsed"] = tuple(unparsed)
        return Loaded(Metadata(**values), data, tuple(problems), parsed.lines, sources)

    def to_mapping(self, metadata: Metadata) -> dict[str, Any]:
        """kep.yaml data for *metadata*: hyphenated keys, template order, empty fields out."""
        out: dict[str, Any] = {}
        unparsed = dict(metadata.unparsed)
        for field in FIELDS:
            value = getattr(metadata, field.attribute)
            if not _empty(value):
                out[field.key] = field.write(value)
            elif field.attribute in unparsed:  # as the file gave it: never dropped
                out[field.key] = unparsed[field.attribute]
        return out

    def edit(
        self,
        original: str | None,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        *,
        path: str | Path = KEP_FILE,
    ) -> str:
        """*original* with only the blocks of changed keys rewritten (a new file if None)."""
        if original is None:
            return dump_text(new)
        return edit_text(original, old, new, KEY_ORDER)

    def content_root_of(self, kep_dir: Path) -> Path:
        """The repository root (the parent of ``keps/``), else the KEP's grandparent."""
        root = repository_root_of(kep_dir.parent)
        return root if root is not None else kep_dir.parent.parent

    def registry_for(
        self, kep_dir: Path, content_root: Path, registry: SigRegistry | None
    ) -> SigRegistry:
        """*registry*, else a sigs.yaml at the content root or in ``keps/``, else packaged."""
        if registry is not None:
            return registry
        for folder in (content_root, keps_dir_of(kep_dir)):
            if folder is not None and (folder / SIGS_FILE).is_file():
                return registry_for(folder)
        return registry_for(None)

    def structural_problems(self, loaded: Loaded, path: Path) -> tuple[Problem, ...]:
        """Unknown keys, wrong types and missing required keys: what strict parsing refuses."""
        return tuple(p for p in loaded.problems if p.code in STRUCTURAL_CODES)


ENHANCEMENTS = EnhancementsLayout()


class EnhancementsKep(Kep):
    """A KEP in today's layout: the text is README.md, its sections the ``## `` headings."""

    layout = ENHANCEMENTS

    @classmethod
    def create(
        cls,
        target: str,
        *,
        content_root: Path,
        authors: Iterable[str],
        title: str | None,
        registry: SigRegistry | None,
        now: dt.datetime,
        kep_number: int,
        people: Mapping[str, Iterable[str]] | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> EnhancementsKep:
        """A new provisional KEP at ``keps/<sig>/[<group>/]<number>-<name>/``, not yet written.

        *target* is ``SIG/NAME`` or ``SIG/GROUP/NAME`` (a number before the name is
        dropped: the folder takes *kep_number*, the tracking issue's). kep.yaml gets the
        template's keys, ``@`` handles and dates as upstream writes them; README.md is
        the checkout's own template (``keps/NNNN-kep-template/README.md``) with the
        number and title filled in. *people* gives reviewers, approvers and
        prr_approvers (``@`` is added to each handle); those who must still be named are
        ``TBD``, as in the template, for ``validate --level lint`` to list. *fields* sets
        other model fields (``participating_sigs``, ``stage``, ``state``); every value
        is checked when the KEP is written.

        Raises:
            InvalidContentError: *target* is not SIG/NAME or SIG/GROUP/NAME, or a part is
                no usable name.
            UnknownSigError: the SIG is not in the SIG list in force.
            KepExistsError: the folder already exists.
        """
        root, keps_dir = roots_of(content_root)
        registry = ENHANCEMENTS.registry_for(keps_dir, root, registry)
        parts = tuple(p for p in str(target).replace("\\", "/").split("/") if p not in ("", "."))
        if not 2 <= len(parts) <= 3:
            msg = f"KEP target {target!r}: use SIG/NAME or SIG/GROUP/NAME for a new KEP"
            raise InvalidContentError(msg)
        for part in parts:
            fault = name_fault(part)
            if fault is not None or part == "..":
                msg = f"KEP target {target!r}: {part!r} cannot name a folder: {fault or 'it leads up'}"
                raise InvalidContentError(msg)
        sig, *group, name = parts
        registry.get(sig)  # UnknownSigError, with a suggestion, for a misspelt SIG
        numbered = _NUMBERED_NAME.fullmatch(name)
        slug = numbered["name"] if numbered else name
        kep_dir = keps_dir.joinpath(sig, *group, f"{kep_number}-{slug}")
        if kep_dir.exists():
            msg = f"{kep_dir} already exists; a new KEP needs a folder of its own"
            raise KepExistsError(msg, path=kep_dir)
        day = dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC)
        named = dict(people or {})
        values: dict[str, Any] = {
            "title": title or title_from_name(slug),
            "kep_number": kep_number,
            "authors": _at_handles(authors),
            "owning_sig": sig,
            "state": State.PROVISIONAL,
            "created": day,
            "last_updated": day,
            "reviewers": _at_handles(named.get("reviewers", ())) or ("TBD",),
            "approvers": _at_handles(named.get("approvers", ())) or ("TBD",),
            "prr_approvers": _at_handles(named.get("prr_approvers", ())),
            **(fields or {}),
        }
        metadata = Metadata(**values)
        kep = cls(path=kep_dir, content_root=root, registry=registry, metadata=metadata)
        kep._pending[README_FILE] = _readme_from_template(keps_dir, kep_number, metadata.title)
        return kep

    def mark_updated(self, now: dt.datetime) -> None:
        """Set ``last-updated`` to *now*'s day: kep.yaml's dates are days, and it keeps no
        events, so the date is a step's only trace in the file."""
        day = dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC)
        self._metadata = attrs.evolve(self._metadata, last_updated=day)

    # -- sections: the ## headings of README.md --

    def set_section(self, section: str, text: str) -> str:
        """Replace the body of the ``## `` *section* of README.md (appended if absent).

        README.md is written on persist; returns "README.md".
        """
        self._pending[README_FILE] = readme_parts.replace_body(self.readme_text(), section, text)
        return README_FILE

    def section_text(self, section: str) -> str:
        """The body of the ``## `` *section* of README.md, including unsaved changes.

        Raises:
            KepNotFoundError: README.md has no such section.
        """
        part = readme_parts.find(readme_parts.split(self.readme_text()), section)
        if part is None:
            msg = f"{self.title or self._path} has no section {section!r} in README.md"
            raise KepNotFoundError(msg, path=self._path / README_FILE)
        return part.body

    def section_names(self) -> tuple[str, ...]:
        """The ``## `` headings of README.md, in order."""
        return tuple(p.name for p in readme_parts.split(self.readme_text()) if p.heading)

    def readme_text(self) -> str:
        """README.md, the KEP's text (empty if there is none yet)."""
        if README_FILE in self._pending:
            return self._pending[README_FILE]
        try:
            return read_text(self._path / README_FILE)
        except KepNotFoundError:
            return ""

    # -- checks: what strict parsing refuses; keps.validate runs the rest --

    def problems_and_context(
        self, *, now: dt.datetime | None = None
    ) -> tuple[tuple[Problem, ...], CheckContext]:
        """Unknown keys, wrong types, required keys missing, people left unnamed."""
        ctx = context_for(
            self._metadata,
            registry=self._registry,
            now=now or dt.datetime.now(dt.UTC),
            metadata_path=str(self.metadata_path),
        )
        loaded = self._loaded or Loaded(self._metadata, None)
        changed = self._changed_keys()
        # what the file as read got wrong, less what a change since has replaced
        still = tuple(p for p in loaded.problems if _top_key(p.field) not in changed)
        own = tuple(p for p in still if p.code in STRUCTURAL_CODES and p.code != "required-missing")
        # the other values the file gives that do not parse: kept as written, reported
        kept = tuple(
            attrs.evolve(p, severity=Severity.WARNING)
            for p in still
            if p.code not in STRUCTURAL_CODES
        )
        missing = self._required_missing(changed, reported={_top_key(p.field) for p in own})
        written = self._write_problems(changed)
        checks = run_checks(ctx, (people_are_named, *self._checks))
        return own + missing + kept + written + checks, ctx

    def _changed_keys(self) -> frozenset[str]:
        """The kep.yaml keys whose values differ from the file as read (all for a new KEP)."""
        now = ENHANCEMENTS.to_mapping(self._metadata)
        before = self._saved or {}
        return frozenset(k for k in {*now, *before} if now.get(k) != before.get(k))

    def _required_missing(
        self, changed: frozenset[str], *, reported: set[str]
    ) -> tuple[Problem, ...]:
        """Required keys without a value, as the KEP is now (not as it was read).

        A key the change leaves alone counts as set when the file has it (upstream's rule:
        ``approvers: []`` is set); a key it changes must have a value. A key already
        *reported* (a list where text belongs) is not missing as well.
        """
        mapping = ENHANCEMENTS.to_mapping(self._metadata)
        raw = self.raw
        lines = self._loaded.lines if self._loaded is not None else {}
        return tuple(
            Problem(
                "required-missing",
                f"{key} must be set",
                path=str(self.metadata_path),
                field=key,
                line=lines.get(key),
            )
            for key in REQUIRED_KEYS
            if key not in reported
            and _empty(mapping.get(key))
            and (key in changed or raw.get(key) is None)
        )

    def _write_problems(self, changed: frozenset[str]) -> tuple[Problem, ...]:
        """Values this change gives that no KEP may hold: a stage, milestone, SIG or status
        typo is refused when it is written, with a suggestion. Values the file had before
        are lint's to report (old KEPs hold oddities that must not block every edit)."""
        out: list[Problem] = []
        where = str(self.metadata_path)
        meta = self._metadata

        def refuse(code: str, key: str, message: str) -> None:
            out.append(Problem(code, message, path=where, field=key))

        if "status" in changed and meta.state is not None and str(meta.state) not in STATUSES:
            refuse(
                "status-invalid",
                "status",
                f"status {str(meta.state)!r} is not one of: {', '.join(STATUSES)}",
            )
        if "stage" in changed and meta.stage and meta.stage not in STAGES:
            refuse(
                "stage-unknown",
                "stage",
                f"stage {meta.stage!r} is not one of: {', '.join(STAGES)}{_close(meta.stage, STAGES)}",
            )
        if "latest-milestone" in changed and meta.latest_milestone:
            fault = _milestone_fault(meta.latest_milestone)
            if fault:
                refuse("milestone-invalid", "latest-milestone", f"latest-milestone {fault}")
        if "milestone" in changed:
            for stage, text in meta.milestone:
                if stage not in STAGES:
                    refuse(
                        "stage-unknown",
                        f"milestone.{stage}",
                        f"milestone.{stage}: {stage!r} is not a stage{_close(stage, STAGES)}",
                    )
                fault = _milestone_fault(text)
                if fault:
                    refuse("milestone-invalid", f"milestone.{stage}", f"milestone.{stage} {fault}")
        sigs = (
            [("owning-sig", meta.owning_sig)] if "owning-sig" in changed and meta.owning_sig else []
        )
        if "participating-sigs" in changed:
            sigs += [("participating-sigs", sig) for sig in meta.participating_sigs]
        for key, sig in sigs:
            try:
                self._registry.get(sig)
            except KepError as exc:
                refuse("sig-unknown", key, exc.message)
        return tuple(out)

    # -- writing: kep.yaml, README.md, the PRR approval file --

    # -- writing: kep.yaml, README.md, the PRR approval file --

    def _stage_files(self, transaction: FileTransaction, *, now: dt.datetime, check: bool) -> None:
        """Stage kep.yaml (if its fields changed), README.md (if set) and the PRR file.

        ``last-updated`` is the authors' to keep and is not touched.
        """
        if check:
            self.check(now=now)
        if self.is_new or self._metadata_changed():
            transaction.write_text(self.metadata_path, self._metadata_text())
        for filename, text in self._pending.items():
            transaction.write_text(self._path / PurePosixPath(filename), text)
        if self._metadata.prr_approvals != self._saved_approvals:
            self._stage_prr(transaction)

    def _stage_prr(self, transaction: FileTransaction) -> None:
        """Write the PRR approval file, editing only the stages that changed."""
        keps_dir = keps_dir_of(self._path)
        number = self._metadata.kep_number
        if keps_dir is None or number is None or not self._metadata.owning_sig:
            msg = "PRR approvals need a KEP number, an owning SIG and a keps/ folder"
            raise InvalidContentError(msg, path=self.metadata_path)
        # the file the KEP was read with: kep-number 0042 names 0042.yaml, not 42.yaml
        raw = self._loaded.raw if self._loaded is not None else None
        spelled = str((raw or {}).get("kep-number", "")).strip()
        same = spelled.isdigit() and len(spelled) < 12 and int(spelled) == number
        path = prr_file(keps_dir, self._metadata.owning_sig, spelled if same else number)
        new = prr_mapping(number, self._metadata.prr_approvals)
        if path.is_file():
            _, data, _ = read_prr(path)
            old = dict(data) if data is not None else {}
            original: str | None = read_text(path)
        else:
            old, original = {}, None
        if "kep-number" in old:
            new["kep-number"] = old["kep-number"]  # keep "1234" quoted if it was
        text = dump_text(new) if original is None else edit_text(original, old, new, PRR_KEY_ORDER)
        transaction.write_text(path, text)


EnhancementsLayout.kep_type = EnhancementsKep

_NUMBERED_NAME = re.compile(r"\d+-(?P<name>.+)")


def _at_handles(handles: Iterable[str]) -> tuple[str, ...]:
    """GitHub handles as kep.yaml writes them: ``@`` first, blanks dropped."""
    out = []
    for handle in handles:
        text = handle.strip()
        if text:
            out.append(text if text.startswith("@") else f"@{text}")
    return tuple(out)


def _top_key(field: str | None) -> str:
    """The kep.yaml key a problem's field lies under (``milestone.beta`` -> ``milestone``)."""
    return re.split(r"[.\[]", field or "", maxsplit=1)[0]


def _close(value: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'alpha'?)`` for a near miss, else nothing."""
    import difflib

    match = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _milestone_fault(text: str) -> str:
    """Why *text* is no release such as v1.30, or '' when it is one."""
    try:
        Milestone.parse(text)
    except (TypeError, ValueError):
        return f"{text!r} is not a release such as v1.30"
    return ""


_TEMPLATE_TITLE = re.compile(r"^# KEP-NNNN: .*$", re.MULTILINE)


def _readme_from_template(keps_dir: Path, number: int, title: str) -> str:
    """The checkout's README template with the number and title filled in.

    Without a template (a checkout that has none), a README with the title and the two
    sections every KEP starts with.
    """
    heading = f"# KEP-{number}: {title}"
    try:
        template = read_text(keps_dir / TEMPLATE_DIR / README_FILE)
    except KepNotFoundError:
        return f"{heading}\n\n## Summary\n\n## Motivation\n"
    if _TEMPLATE_TITLE.search(template):
        return _TEMPLATE_TITLE.sub(lambda _: heading, template, count=1)
    return f"{heading}\n\n{template}"
