"""Reading the front matter of a 2018 KEP and cleaning its values, every repair recorded.

Real front matter is often neither valid YAML nor valid KEP metadata. This module fixes
what it can *without guessing* and records each fix as a :class:`Repair`, so the
conversion report says exactly what changed. The original text is kept beside the
converted KEP, so no value is ever lost to a repair.

Two stages:

1. :func:`parse_front_matter` mends the text where YAML itself fails on it (unquoted
   ``@handles``, Markdown links as list items, typographic quotes) and parses it with
   every scalar kept as the text that was written. PyYAML's typed loader would read
   ``kep-number: 0032`` as the octal number 26 and ``2018-02-30`` as an error.
2. :func:`clean_front_matter` maps the hyphenated 2018 keys to the directory format's
   fields and cleans each value: placeholders (``TBD``, ``n/a``, ``yyyy-mm-dd``, empty
   items) are cleared, ``- name: x`` people are unwrapped, dates are parsed, states the
   process does not have are mapped, misspelled SIG names are matched to the registry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import yaml

from keps._time import parse_time
from keps.errors import InvalidContentError
from keps.keps.states import State
from keps.problems import Problem
from keps.sigs import KUBERNETES_WIDE_DIR, KUBERNETES_WIDE_OWNER, SIG_WIDE_DIR, SigRegistry

__all__ = [
    "KEP_KEYS",
    "Cleaned",
    "Repair",
    "clean_front_matter",
    "is_placeholder",
    "parse_front_matter",
]

#: The keys of 2018 front matter that make a mapping a KEP's metadata.
KEP_KEYS: frozenset[str] = frozenset(
    {"title", "kep-number", "status", "authors", "owning-sig", "creation-date"}
)

_KNOWN_KEYS = frozenset(
    {
        "kep-number",
        "title",
        "authors",
        "owning-sig",
        "participating-sigs",
        "reviewers",
        "approvers",
        "editor",
        "editors",
        "creation-date",
        "last-updated",
        "status",
        "see-also",
        "replaces",
        "superseded-by",
    }
)

_PLACEHOLDER = re.compile(
    r"^(tbd|tba|todo|n/?a|none|null|nil|-+|\?+|yyyy-mm-dd|sig-x+|sig-aaa|sig-bbb)$",
    re.IGNORECASE,
)

#: States of other processes (or of none) -> the state they mean here, and why.
_STATE_MAP: dict[str, tuple[State, str]] = {
    "pending": (State.DRAFT, "a pending KEP is not accepted yet, which is what draft means"),
    "accepted": (
        State.PROVISIONAL,
        "accepting a KEP makes it provisional in the lifecycle (accept -> provisional)",
    ),
}


@attrs.frozen
class Repair:
    """One change the converter made to a value of the source front matter.

    Args:
        kind: a stable code for the kind of repair (``placeholder-cleared``, ...).
        message: what was changed, from what to what.
        field: the front matter key concerned, when there is one.
    """

    kind: str
    message: str
    field: str | None = None

    def to_json(self) -> dict[str, str]:
        """The repair as the JSON report shows it."""
        out = {"kind": self.kind, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        return out


@attrs.frozen(kw_only=True)
class Cleaned:
    """Front matter cleaned into the fields of :class:`keps.Metadata`, and where the KEP goes.

    ``fields`` holds keyword arguments for Metadata (no uuid, sections or exemptions);
    ``see_also`` has no Metadata field and is written as an unknown key;
    ``location`` is the KEP's folder relative to the output root, as parts.
    """

    fields: dict[str, Any]
    see_also: tuple[str, ...]
    location: tuple[str, ...]
    repairs: tuple[Repair, ...]


def is_placeholder(value: str) -> bool:
    """True for a value that stands for "not known yet" (``TBD``, ``n/a``, ``yyyy-mm-dd``)."""
    return bool(_PLACEHOLDER.match(value.strip()))


# -- stage 1: text -> raw mapping --------------------------------------------------------

_HANDLE_VALUE = re.compile(r"^(?P<lead>\s*(?:-\s+|[\w.-]+:\s+))(?P<value>@[^#\s][^#]*?)\s*$")
_LINK_ITEM = re.compile(r"^(?P<lead>\s*-\s+)(?P<value>\[[^\]]*\]\([^)]*\)[^#]*?)\s*$")
_CURLY = re.compile("[\u201c\u201d]")


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mend_text(text: str) -> tuple[str, list[Repair]]:
    """*text* with the lines that YAML cannot read mended, and a repair per line."""
    repairs: list[Repair] = []
    out: list[str] = []
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        ending = line[len(line.rstrip("\r\n")) :]
        body = line.rstrip("\r\n")
        if _CURLY.search(body):
            body = _CURLY.sub('"', body)
            repairs.append(
                Repair("quote-straightened", f"line {number}: typographic quotes made straight")
            )
        if (match := _HANDLE_VALUE.match(body)) is not None:
            body = match.group("lead") + _quote(match.group("value"))
            repairs.append(
                Repair(
                    "handle-quoted",
                    f"line {number}: {match.group('value')} quoted "
                    "(an unquoted @ cannot start a YAML value)",
                )
            )
        elif (match := _LINK_ITEM.match(body)) is not None:
            body = match.group("lead") + _quote(match.group("value"))
            repairs.append(
                Repair(
                    "link-quoted",
                    f"line {number}: Markdown link {match.group('value')} quoted "
                    "(YAML reads [..] as a list)",
                )
            )
        out.append(body + ending)
    return "".join(out), repairs


class _Composer(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader used only to compose nodes; values are read from the nodes as text."""


def _raw(node: yaml.Node, repairs: list[Repair], key: str | None = None) -> Any:
    """Plain data from *node*, every scalar as the text written (None for an empty one)."""
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            if name in out:
                repairs.append(
                    Repair(
                        "duplicate-key",
                        f"{name} given twice; the first value is kept",
                        field=name,
                    )
                )
                continue
            out[name] = _raw(value_node, repairs, name)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_raw(item, repairs, key) for item in node.value]
    value = str(node.value)
    style = getattr(node, "style", None)
    if style is None and value in ("", "~", "null", "Null", "NULL"):
        return None
    if style in ("'", '"'):
        return _Quoted(value)
    return value


class _Quoted(str):
    """A scalar that was quoted in the source (``"2018-02-19"``): text, not a date."""

    __slots__ = ()


def parse_front_matter(text: str, *, path: str | Path) -> tuple[Any, tuple[Repair, ...]]:
    """The raw data of front matter *text* and the repairs its text needed.

    Raises:
        InvalidContentError: the text is not YAML even after mending (code
            ``yaml-invalid``, naming *path* and the line).
    """
    mended, repairs = _mend_text(text)
    loader = _Composer(mended)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        detail = " ".join(str(getattr(exc, "problem", None) or exc).split())
        msg = f"invalid YAML in the front matter of {path}" + (
            f" (front matter line {line})" if line else ""
        )
        msg += f": {detail}"
        problem = Problem("yaml-invalid", msg, path=str(path), line=line)
        raise InvalidContentError(msg, path=path, problems=[problem]) from exc
    finally:
        loader.dispose()
    if node is None:
        return None, tuple(repairs)
    data = _raw(node, repairs)
    return data, tuple(repairs)


# -- stage 2: raw mapping -> metadata fields ---------------------------------------------


def _sig_key(name: str) -> str:
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return key if key.startswith(("sig", "wg")) else "sig" + key


class _Cleaner:
    """Cleans one front matter mapping; collects the repairs as it goes."""

    def __init__(self, registry: SigRegistry) -> None:
        self.repairs: list[Repair] = []
        self.registry = registry
        self._sig_keys: dict[str, set[str]] = {}
        for group in registry:
            for alias in (group.dir, group.name):
                self._sig_keys.setdefault(_sig_key(alias), set()).add(group.dir)

    def note(self, kind: str, message: str, field: str | None = None) -> None:
        self.repairs.append(Repair(kind, message, field))

    # -- values --

    def texts(self, value: Any, field: str) -> list[str]:
        """A list of non-placeholder texts from a text, a list, or ``- name: x`` maps."""
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        out: list[str] = []
        for item in items:
            if isinstance(item, dict):
                inner = item.get("name")
                if inner is None:
                    inner = next((v for v in item.values() if isinstance(v, str)), None)
                self.note(
                    "person-unwrapped",
                    f"{field}: mapping {dict(item)!r} read as {inner!r}",
                    field,
                )
                out.extend(self.texts(inner, field))
                continue
            if isinstance(item, list):
                out.extend(self.texts(item, field))
                continue
            if item is None:
                if isinstance(value, list):
                    self.note("placeholder-cleared", f"{field}: empty item removed", field)
                continue
            text = str(item).strip()
            if not text:
                self.note("placeholder-cleared", f"{field}: empty item removed", field)
            elif is_placeholder(text):
                self.note("placeholder-cleared", f"{field}: placeholder {text!r} removed", field)
            else:
                out.append(text)
        return out

    def text(self, value: Any, field: str) -> str:
        """One text value; a list of one item is accepted, a longer one is joined."""
        found = self.texts(value, field)
        if len(found) > 1:
            self.note("list-joined", f"{field}: list of {len(found)} items joined", field)
        return " ".join(found)

    def date(self, value: Any, field: str) -> dt.datetime | None:
        if value is None:
            return None
        text = str(value).strip()
        if not text:
            return None
        if is_placeholder(text):
            self.note("placeholder-cleared", f"{field}: placeholder {text!r} cleared", field)
            return None
        try:
            parsed = parse_time(text)
        except ValueError:
            self.note("date-invalid", f"{field}: {text!r} is not a possible date; cleared", field)
            return None
        if isinstance(value, _Quoted):
            self.note("date-quoted", f"{field}: quoted {text!r} read as a date", field)
        return parsed

    def number(self, value: Any) -> int | None:
        field = "kep-number"
        if value is None:
            return None
        text = str(value).strip()
        if not text:
            return None
        if is_placeholder(text):
            self.note("kep-number-cleared", f"placeholder kep-number {text!r} cleared", field)
            return None
        if not text.isdigit():
            self.note(
                "kep-number-cleared",
                f"kep-number {text!r} is not a number; cleared "
                "(kept in original-front-matter.yaml)",
                field,
            )
            return None
        number = int(text)
        if number == 0:
            self.note(
                "kep-number-cleared", "kep-number 0 is the template's placeholder; cleared", field
            )
            return None
        if text != str(number):
            self.note(
                "kep-number-leading-zeros",
                f"kep-number {text!r} read as {number} (YAML 1.1 would read it as octal)",
                field,
            )
        return number

    def state(self, value: Any) -> State:
        field = "status"
        text = "" if value is None else str(value).strip()
        if not text or is_placeholder(text):
            self.note("state-missing", "no status given; the KEP starts as draft", field)
            return State.DRAFT
        lowered = text.lower()
        if lowered in {s.value for s in State}:
            if text != lowered:
                self.note("state-case", f"status {text!r} read as {lowered!r}", field)
            return State(lowered)
        if lowered in _STATE_MAP:
            state, why = _STATE_MAP[lowered]
            self.note("state-mapped", f"status {text!r} is not a state; {state} ({why})", field)
            return state
        self.note(
            "state-mapped",
            f"status {text!r} is not a state of the process; draft, which claims nothing",
            field,
        )
        return State.DRAFT

    def sig(self, name: str, field: str) -> str:
        """*name* as a registry folder: exact, or the one SIG it spells differently."""
        if self.registry.exists(name):
            return name
        matches = self._sig_keys.get(_sig_key(name), set())
        if len(matches) == 1:
            (match,) = matches
            self.note("sig-renamed", f"{field}: {name!r} read as {match!r}", field)
            return match
        return name


def _folder_sig(folder: str | None, registry: SigRegistry) -> str | None:
    if folder is None:
        return None
    if registry.exists(folder):
        return folder
    return None


def clean_front_matter(
    data: dict[str, Any],
    *,
    registry: SigRegistry,
    folder: str | None,
    slug: str,
    title_hint: str | None,
) -> Cleaned:
    """Clean the raw front matter *data* of one KEP into Metadata fields and a location.

    Args:
        data: the mapping :func:`parse_front_matter` returned.
        registry: the SIG list in force; SIG names are matched against it.
        folder: the first folder of the source file under the source root (the SIG
            folder it was filed in), or None for a file at the top level.
        slug: the KEP's folder name, from its file name.
        title_hint: the ``# Title`` line of the body, used when there is no title.
    """
    cleaner = _Cleaner(registry)
    note = cleaner.note

    title = cleaner.text(data.get("title"), "title")
    if not title and title_hint:
        title = title_hint
        note(
            "title-from-heading", f"no title given; taken from the heading {title_hint!r}", "title"
        )
    if not title:
        title = " ".join(w[:1].upper() + w[1:] for w in slug.split("-") if w)
        note(
            "title-from-file-name", f"no title given; taken from the file name: {title!r}", "title"
        )

    editors = [
        *cleaner.texts(data.get("editor"), "editor"),
        *cleaner.texts(data.get("editors"), "editors"),
    ]

    created = cleaner.date(data.get("creation-date"), "creation-date")
    updated = cleaner.date(data.get("last-updated"), "last-updated")
    if created is not None and updated is not None and updated < created:
        note(
            "last-updated-before-created",
            f"last-updated {updated.date()} is before creation-date {created.date()}; "
            "last_updated becomes the time of conversion",
            "last-updated",
        )
        updated = None

    owning_raw = cleaner.text(data.get("owning-sig"), "owning-sig")
    owning = cleaner.sig(owning_raw, "owning-sig") if owning_raw else ""
    if not owning:
        from_folder = _folder_sig(folder, registry)
        if from_folder is not None:
            owning = from_folder
            note(
                "owning-sig-from-folder",
                f"no owning SIG given; {owning}, the SIG folder the KEP was filed in",
                "owning-sig",
            )

    participating: list[str] = []
    for sig in cleaner.texts(data.get("participating-sigs"), "participating-sigs"):
        if sig == KUBERNETES_WIDE_DIR:
            note(
                "sig-scope-removed",
                f"participating-sigs: {sig!r} is a scope, not a SIG; removed",
                "participating-sigs",
            )
            continue
        participating.append(cleaner.sig(sig, "participating-sigs"))

    for key in data:
        if key not in _KNOWN_KEYS:
            note(
                "key-not-carried",
                f"{key} has no place in metadata.yaml; kept in original-front-matter.yaml",
                key,
            )

    kubernetes_wide = folder is None and owning == KUBERNETES_WIDE_OWNER
    if kubernetes_wide or (folder is None and not owning):
        location: tuple[str, ...] = (KUBERNETES_WIDE_DIR, slug)
        kubernetes_wide = True
    else:
        location = (owning or str(folder), SIG_WIDE_DIR, slug)

    fields: dict[str, Any] = {
        "title": title,
        "authors": cleaner.texts(data.get("authors"), "authors"),
        "kep_number": cleaner.number(data.get("kep-number")),
        "reviewers": cleaner.texts(data.get("reviewers"), "reviewers"),
        "approvers": cleaner.texts(data.get("approvers"), "approvers"),
        "editors": editors,
        "state": cleaner.state(data.get("status")),
        "replaces": cleaner.texts(data.get("replaces"), "replaces"),
        "superseded_by": cleaner.texts(data.get("superseded-by"), "superseded-by"),
        "created": created,
        "last_updated": updated,
        "owning_sig": owning,
        "participating_sigs": participating,
        "kubernetes_wide": kubernetes_wide,
        "sig_wide": not kubernetes_wide,
    }
    see_also = tuple(cleaner.texts(data.get("see-also"), "see-also"))
    return Cleaned(
        fields=fields, see_also=see_also, location=location, repairs=tuple(cleaner.repairs)
    )


def summarize(repairs: Iterable[Repair]) -> dict[str, int]:
    """How many repairs of each kind, most frequent first."""
    counts: dict[str, int] = {}
    for repair in repairs:
        counts[repair.kind] = counts.get(repair.kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
