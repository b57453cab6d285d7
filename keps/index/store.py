"""The ``keps.yaml`` file: turning index entries into YAML text and back.

The format is a mapping with the next KEP number and a list of entries, sorted by
location so that a change to one KEP changes a few lines of the file::

    # The index of every KEP under this content root, written by keps.index.
    next_kep_number: 57
    keps:
    - location: sig-node/kubelet/dynamic-kubelet-config
      authors:
      - jdoe
      title: Dynamic Kubelet Config
      kep_number: 56
      state: implementable
      last_updated: 2018-09-09T23:42:05.152598Z
      created: 2018-09-07T03:45:13.476773Z
      uuid: 016db929-7658-4acf-aebb-2df0a66df425
      owning_sig: sig-node
      affected_subprojects:
      - kubelet

Keys are snake_case as in metadata.yaml, in its key order after ``location``; empty
fields are left out. The emitter here is small and deterministic (the same index gives
the same bytes) and fast enough for ten thousand entries; reading uses the safe loader.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

import attrs

from keps import _files
from keps._kinds import kind_of
from keps._time import format_time, parse_time
from keps.index.entry import Entry
from keps.keps.states import State, parse_state
from keps.problems import Problem

__all__ = [
    "ENTRY_KEYS",
    "HEADER",
    "IndexData",
    "dump_index",
    "is_plain_location",
    "next_number_in_text",
    "parse_index",
    "round_trips",
]

HEADER = (
    "# The index of every KEP under this content root, written by keps.index.\n"
    "# Edit the KEPs rather than this file: keps.index.rebuild writes it again from them.\n"
)

#: The keys of one entry in the order they are written (metadata.yaml's order after location).
ENTRY_KEYS: tuple[str, ...] = (
    "location",
    "authors",
    "title",
    "kep_number",
    "reviewers",
    "approvers",
    "editors",
    "state",
    "development_themes",
    "last_updated",
    "created",
    "uuid",
    "owning_sig",
    "affected_subprojects",
    "participating_sigs",
    "stage",
    "latest_milestone",
    "feature_gates",
    "prr_approvers",
    "unparsed",
    "prr_approvals",
    "milestones",
    "replaces",
    "superseded_by",
    "see_also",
)

#: Keys holding (name, text) pairs, written as a mapping: each name once.
_PAIR_KEYS = ("unparsed", "prr_approvals", "milestones")

_LIST_KEYS = frozenset(
    {
        "authors",
        "reviewers",
        "approvers",
        "editors",
        "development_themes",
        "affected_subprojects",
        "participating_sigs",
        "feature_gates",
        "prr_approvers",
        "replaces",
        "superseded_by",
        "see_also",
    }
)

#: keps.yaml may be far larger than a KEP's own files (MAX_FILE_BYTES, 8 MiB): 10,000
#: KEPs take about 4.4 MiB, so the cap leaves room for a hundred times that.
MAX_INDEX_BYTES = _files.MAX_INDEX_BYTES


# -- writing ---------------------------------------------------------------------------

# A plain scalar needs no quotes when it uses only these characters and the YAML
# resolver would not read it as a number, boolean, null or time.
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ ./@()+-]*")
_STR_TAG = "tag:yaml.org,2002:str"
# Characters YAML will not take literally inside a double-quoted scalar.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]"
)


@functools.cache
def _tag_of() -> Callable[[str], str]:
    """PyYAML's implicit resolver as a function of a plain scalar's text, made on first use.

    Reading keps.yaml (``kepctl query``) needs no PyYAML; only writing it does.
    """
    import yaml

    resolver = yaml.resolver.Resolver()
    node = yaml.ScalarNode

    def tag_of(text: str) -> str:
        tag: str = resolver.resolve(node, text, (True, False))  # type: ignore[no-untyped-call]
        return tag

    return tag_of


def _resolves_to_str(text: str) -> bool:
    """True when YAML reads the plain scalar *text* as a string (not a number, bool, time)."""
    return _tag_of()(text) == _STR_TAG


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


@functools.lru_cache(maxsize=1 << 16)
def _scalar(text: str) -> str:
    """*text* as a YAML scalar that loads back as exactly this string.

    Remembered: SIGs, handles, states and section names recur in every entry, and the
    YAML resolver's check is most of the cost of writing keps.yaml.
    """
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and _resolves_to_str(text):
        return text
    return _UNPRINTABLE.sub(_escape, json.dumps(text, ensure_ascii=False))


def _entry_lines(entry: Entry) -> list[str]:
    lines: list[str] = []
    for key in ENTRY_KEYS:
        value = getattr(entry, key)
        if value is None or value == "" or value == ():
            continue
        prefix = "- " if not lines else "  "
        if key in _LIST_KEYS:
            lines.append(f"{prefix}{key}:")
            lines.extend(f"  - {_scalar(item)}" for item in value)
        elif key in _PAIR_KEYS:  # (name, text) pairs, as a mapping
            lines.append(f"{prefix}{key}:")
            lines.extend(f"    {_scalar(name)}: {_scalar(text)}" for name, text in value)
        elif isinstance(value, dt.datetime):
            lines.append(f"{prefix}{key}: {format_time(value)}")
        elif isinstance(value, int):
            lines.append(f"{prefix}{key}: {value}")
        else:
            lines.append(f"{prefix}{key}: {_scalar(str(value))}")
    return lines


def dump_index(next_kep_number: int, entries: Iterable[Entry]) -> str:
    """The text of keps.yaml for *entries* (written sorted by location) and the next number."""
    lines = [f"next_kep_number: {next_kep_number}"]
    ordered = sorted(entries, key=lambda e: e.location)
    if not ordered:
        lines.append("keps: []")
    else:
        lines.append("keps:")
        for entry in ordered:
            lines.extend(_entry_lines(entry))
    return HEADER + "\n".join(lines) + "\n"


_TEXT_FIELDS = ("uuid", "title", "owning_sig", "stage", "latest_milestone")

#: A location that is relative, '/'-separated, with no empty, '.' or '..' component and
#: no backslash: exactly what :func:`_location` accepts and leaves unchanged.
_PLAIN_LOCATION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")


def round_trips(entry: Entry) -> bool:
    """True when writing *entry* with :func:`dump_index` and parsing it back gives it unchanged.

    The emitter's scalars load back as exactly the text written (see :func:`_scalar`);
    this checks the rest, what :func:`parse_index` would refuse or change: a location
    that is not a plain normalised relative folder, a negative number, a value of the
    wrong type. Used to remember what a persisted keps.yaml parses to without parsing it.
    """
    if not is_plain_location(entry.location):
        return False
    number = entry.kep_number
    if number is not None and (type(number) is not int or number < 0):
        return False
    if not all(type(getattr(entry, key)) is str for key in _TEXT_FIELDS):
        return False
    for key in _LIST_KEYS:
        items = getattr(entry, key)
        if type(items) is not tuple:
            return False
        try:
            "".join(items)  # every item text: one C-level pass, no generator
        except TypeError:
            return False
    for key in _PAIR_KEYS:  # a mapping in keps.yaml: each name once
        names = [name for name, _ in getattr(entry, key)]
        if len(set(names)) != len(names):
            return False
    return True


def is_plain_location(location: object) -> bool:
    """True when *location* is a location as :func:`parse_index` gives it (normalised,
    relative, no '..'), so that it means the same folder after a round trip."""
    if type(location) is not str:
        return False
    if _PLAIN_LOCATION.fullmatch(location):  # already normalised: no Path needed
        return True
    try:
        return bool(location) and _location(location) == location
    except ValueError:
        return False


_NEXT_LINE = re.compile(r"^next_kep_number:[ \t]*(\d+)[ \t]*(?:#.*)?$", re.MULTILINE)


def next_number_in_text(text: str) -> int | None:
    """The ``next_kep_number`` of keps.yaml text found by a quick scan, or None.

    Used just before writing, to never lower a number another writer stored; a full
    parse would cost as much as reading the whole index again.
    """
    match = _NEXT_LINE.search(text)
    if match is None:
        return None
    try:
        return int(match.group(1))
    except ValueError:  # more digits than int() takes (4300): no number keps ever wrote
        return None


# -- reading ---------------------------------------------------------------------------


@attrs.frozen
class IndexData:
    """What a keps.yaml holds: the stored next number (None if absent) and the entries.

    ``problems`` lists what makes the file unusable (wrong shape, wrong types); an
    index is only built from data without problems.
    """

    next_kep_number: int | None
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]


def _text(value: object) -> str:
    if not isinstance(value, str):
        msg = f"expected text, got {kind_of(value)}"
        raise TypeError(msg)
    return value


def _texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        msg = f"expected a list of text, got {kind_of(value)}"
        raise TypeError(msg)
    return tuple(value)


def _text_pairs(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        msg = f"expected a mapping of field to text, got {kind_of(value)}"
        raise TypeError(msg)
    return tuple(value.items())


def _number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"expected a whole number, got {kind_of(value)}"
        raise TypeError(msg)
    if value < 0:
        msg = f"must not be negative, got {value}"
        raise ValueError(msg)
    return value


def _state(value: object) -> State:
    return parse_state(value)


def _location(value: object) -> str:
    text = _text(value)
    path = PurePosixPath(text)
    if not text or path.is_absolute() or ".." in path.parts or "\\" in text:
        msg = f"{text!r} must be a folder relative to the content root, without '..'"
        raise ValueError(msg)
    return path.as_posix()


_CONVERTERS: Mapping[str, Callable[[object], Any]] = {
    "location": _location,
    "authors": _texts,
    "title": _text,
    "kep_number": _number,
    "reviewers": _texts,
    "approvers": _texts,
    "editors": _texts,
    "state": _state,
    "development_themes": _texts,
    "last_updated": parse_time,
    "created": parse_time,
    "uuid": _text,
    "owning_sig": _text,
    "affected_subprojects": _texts,
    "participating_sigs": _texts,
    "stage": _text,
    "latest_milestone": _text,
    "feature_gates": _texts,
    "prr_approvers": _texts,
    "unparsed": _text_pairs,
    "prr_approvals": _text_pairs,
    "milestones": _text_pairs,
    "replaces": _texts,
    "superseded_by": _texts,
    "see_also": _texts,
}


def parse_index(data: object, *, path: str) -> IndexData:
    """The next number and entries in loaded keps.yaml *data*, with every shape problem.

    Unknown keys are ignored (a newer keps may have written them).
    """
    problems: list[Problem] = []

    def problem(message: str, field: str | None = None) -> None:
        problems.append(Problem("index-invalid", message, path=path, field=field))

    if not isinstance(data, dict):
        problem(f"keps.yaml must hold a mapping with next_kep_number and keps, not {kind_of(data)}")
        return IndexData(None, (), tuple(problems))
    next_number: int | None = None
    raw_next = data.get("next_kep_number")
    if raw_next is not None:
        try:
            next_number = _number(raw_next)
        except (TypeError, ValueError) as exc:
            problem(f"next_kep_number: {exc}", "next_kep_number")
    raw_entries = data.get("keps")
    if raw_entries is None:
        raw_entries = []
    if not isinstance(raw_entries, list):
        problem(f"keps: expected a list of entries, got {kind_of(raw_entries)}", "keps")
        raw_entries = []
    entries: list[Entry] = []
    for position, raw in enumerate(raw_entries, start=1):
        entry = _entry(raw, f"keps[{position}]", problem)
        if entry is not None:
            entries.append(entry)
    return IndexData(next_number, tuple(entries), tuple(problems))


def _entry(raw: object, where: str, problem: Callable[[str, str | None], None]) -> Entry | None:
    """One Entry from one item of ``keps:``, or None after reporting what is wrong."""
    if not isinstance(raw, dict):
        problem(f"{where}: expected a mapping, got {kind_of(raw)}", None)
        return None
    if isinstance(raw.get("location"), str):
        where = f"{where} ({raw['location']})"
    values: dict[str, Any] = {}
    ok = True
    # today's KEPs (kep.yaml) have no uuid: only the location is required
    if raw.get("location") is None:
        problem(f"{where}: location is missing", "location")
        ok = False
    values["uuid"] = ""
    for key, convert in _CONVERTERS.items():
        if raw.get(key) is None:
            continue
        try:
            values[key] = convert(raw[key])
        except (TypeError, ValueError) as exc:
            problem(f"{where}: {key}: {exc}", key)
            ok = False
    return Entry(**values) if ok else None
