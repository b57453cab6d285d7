"""YAML in two modes: a fast C-backed safe loader for reading, ruamel round-trip for edits.

Reading happens on every KEP of every index rebuild, so it uses PyYAML's C loader.
Writing must keep what people wrote by hand - comments, key order, quoting, keys we do
not know - so an edit loads the file again in ruamel.yaml's round-trip mode, changes
only the keys whose values changed, and dumps it with the file's own indentation.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:  # ruamel is imported where an edit needs it: reads never do
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

from keps._time import format_time, parse_time
from keps.errors import InvalidContentError
from keps.problems import Problem

__all__ = [
    "Loaded",
    "construct_int_or_text",
    "dump_roundtrip",
    "format_time",
    "load_fast",
    "load_roundtrip",
    "load_simple",
    "parse_time",
    "refuse_deep_nesting",
    "update_document",
]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_Loader):  # type: ignore[valid-type,misc]
    """A safe loader that refuses duplicate keys instead of keeping the last one."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            key = key_node.value
            if key in seen:
                line = key_node.start_mark.line + 1
                msg = f"duplicate key {key!r} (first at line {seen[key]}, again at line {line})"
                raise yaml.constructor.ConstructorError(None, None, msg, key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
    loader.flatten_mapping(node)
    return dict(loader.construct_pairs(node))


def construct_int_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    """An integer, or the text as written when Python refuses to convert that many digits.

    ``int()`` refuses more than ``sys.get_int_max_str_digits()`` digits with a bare
    ValueError; kept as text, the value reaches the field's own check, which refuses it
    naming the file and the field, as it does a quoted number of that length.
    """
    try:
        return loader.construct_yaml_int(node)
    except ValueError:
        return str(node.value)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", construct_int_or_text)

#: At most this many nodes may be built from one document; aliases that would expand a
#: small file into a huge structure are refused before anything walks it.
MAX_NODES = 200_000


#: At most this many collections may nest inside one another. libyaml's composer recurses
#: in C once per level, so ``[[[[...`` a hundred thousand deep would crash the process,
#: and ruamel's round-trip writer recurses in Python several frames per level (it fails
#: near 300). No KEP file nests more than a handful of levels. The limit is also well
#: below libyaml's own (1,000 in PyYAML 6.0.2 and later), so the refusal is always ours.
MAX_DEPTH = 100

#: Indicators chained on one line (``- - ? a:``) that are looked at more closely.
_CHAIN = 16

_INDENT = re.compile(r"^[ ]*", re.MULTILINE)
_INLINE_CHAIN = re.compile(rf"(?:[-?:][ \t]+){{{_CHAIN}}}")


def _may_nest_deeper_than(text: str, depth: int) -> bool:
    """A cheap test that is False only when *text* surely nests at most *depth* deep.

    Block collections nest through indentation (a sequence may share its parent key's
    column, hence two levels per column), flow collections through brackets, and a few
    levels through indicators on one line (``- - ? a:``); bound each of these.
    """
    if _INLINE_CHAIN.search(text):
        return True
    indent = max((len(m) for m in _INDENT.findall(text)), default=0)
    flow = text.count("[") + text.count("{")
    return 2 * (indent + 2) + flow + _CHAIN > depth


def _nesting_depth_exceeds(loader: yaml.SafeLoader, depth: int) -> bool:
    """Walk the event stream (libyaml's parser keeps its own stack) and measure nesting."""
    current = 0
    while loader.check_event():
        event = loader.get_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.CollectionStartEvent):
            current += 1
            if current > depth:
                return True
        elif isinstance(event, yaml.CollectionEndEvent):
            current -= 1
    return False


def _deep_in_pure_python(text: str) -> bool:
    """True when *text* nests more than MAX_DEPTH deep before any syntax error."""
    loader = yaml.SafeLoader(text)
    try:
        return _nesting_depth_exceeds(loader, MAX_DEPTH)
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()


def refuse_deep_nesting(text: str, path: Path | str) -> None:
    """Raise InvalidContentError naming *path* if *text* nests more than MAX_DEPTH deep.

    Text that is not YAML at all raises it too (the scan reads the whole event stream).
    """
    if not _may_nest_deeper_than(text, MAX_DEPTH):
        return
    scanner = _StrictLoader(text)
    try:
        too_deep = _nesting_depth_exceeds(scanner, MAX_DEPTH)
    except yaml.YAMLError as exc:
        # libyaml may refuse first (its scanner runs up to a line ahead of the events, and
        # PyYAML 6.0.2+ has a nesting limit of its own): the pure-Python parser, which has
        # no limit and no recursion, tells a deep document from a broken one
        too_deep = _deep_in_pure_python(text)
        if not too_deep:
            raise _yaml_problem(exc, path) from exc
    finally:
        scanner.dispose()
    if too_deep:
        msg = f"{path} nests collections more than {MAX_DEPTH} deep"
        problem = Problem("yaml-too-deep", msg, path=str(path))
        raise InvalidContentError(msg, path=path, problems=[problem])


class Loaded:
    """A document read by :func:`load_fast`: its data and the line of each top-level key."""

    __slots__ = ("data", "lines")

    def __init__(self, data: Any, lines: dict[str, int]) -> None:
        self.data = data
        self.lines = lines


def _count_nodes(node: yaml.Node) -> Iterator[yaml.Node]:
    """Every node reachable from *node*, counting an aliased node each time it is used."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _yaml_problem(exc: Exception, path: Path | str) -> InvalidContentError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = None if mark is None else mark.line + 1
    detail = " ".join(str(getattr(exc, "problem", None) or exc).split())
    msg = f"invalid YAML in {path}" + (f" at line {line}" if line else "") + f": {detail}"
    problem = Problem("yaml-invalid", msg, path=str(path), line=line)
    return InvalidContentError(msg, path=path, problems=[problem])


def load_fast(text: str, *, path: Path | str) -> Loaded:
    """Parse *text* safely with the C loader; bad YAML raises InvalidContentError naming *path*.

    Documents that nest more than :data:`MAX_DEPTH` deep or expand (through aliases) to
    more than :data:`MAX_NODES` nodes plus one per character are refused as well.
    """
    simple = load_simple(text)
    if simple is not None:
        return simple
    return _load_full(text, path=path)


def _load_full(text: str, *, path: Path | str) -> Loaded:
    """:func:`load_fast` without the flat fast path: PyYAML's strict safe loader, bounded."""
    refuse_deep_nesting(text, path)
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Loaded(None, {})
        # a real document has at most one node per character or so; only aliases expand more
        limit = MAX_NODES + len(text)
        for count, _ in enumerate(_count_nodes(node)):
            if count > limit:
                msg = f"{path} expands to more than {limit} YAML nodes (alias bomb?)"
                problem = Problem("yaml-too-large", msg, path=str(path))
                raise InvalidContentError(msg, path=path, problems=[problem])
        data = loader.construct_document(node)
    except InvalidContentError:  # the alias bomb above: a ValueError, but already ours
        raise
    except yaml.YAMLError as exc:
        raise _yaml_problem(exc, path) from exc
    except (ValueError, TypeError, OverflowError) as exc:
        # the constructors raise these for values such as month 15 in a timestamp
        raise _yaml_problem(exc, path) from exc
    except RecursionError as exc:
        raise _yaml_problem(exc, path) from exc
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines.setdefault(str(key_node.value), key_node.start_mark.line + 1)
    return Loaded(data, lines)


def _roundtrip_yaml(text: str) -> YAML:
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096
    mapping, sequence, offset = _detect_indent(text)
    rt.indent(mapping=mapping, sequence=sequence, offset=offset)
    rt.explicit_start = text.lstrip().startswith("---")
    rt.representer.add_representer(_Timestamp, _represent_timestamp)
    return rt


def load_roundtrip(text: str, *, path: Path | str) -> Any:
    """Parse *text* keeping comments, order and quoting, for an edit that will be dumped."""
    from ruamel.yaml.error import YAMLError as RuamelError

    try:
        refuse_deep_nesting(text, path)
        return _roundtrip_yaml(text).load(text)
    except (RuamelError, yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise _yaml_problem(exc, path) from exc


def dump_roundtrip(document: Any, *, like: str, path: Path | str = "<document>") -> str:
    """Dump *document* with the indentation and document marker of the text *like*.

    Raises:
        InvalidContentError: the document cannot be written as YAML (it nests too deep
            for the writer); the problem names *path*.
    """
    buffer = io.StringIO()
    try:
        _roundtrip_yaml(like).dump(document, buffer)
    except RecursionError as exc:
        msg = f"{path} nests too deep to be written back"
        problem = Problem("yaml-too-deep", msg, path=str(path))
        raise InvalidContentError(msg, path=path, problems=[problem]) from exc
    return buffer.getvalue()


_KEY_LINE = re.compile(r"^( *)[^\s#-][^:#]*:\s*(#.*)?$")
_DASH_LINE = re.compile(r"^( *)- ")
_NESTED_KEY = re.compile(r"^( +)[^\s#-][^:#]*:")


def _detect_indent(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) for ruamel, read off the first nested blocks of *text*."""
    mapping = 2
    dash_offset: int | None = None
    previous_key_indent: int | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        dash = _DASH_LINE.match(line)
        if dash and previous_key_indent is not None and dash_offset is None:
            dash_offset = len(dash.group(1)) - previous_key_indent
        key = _KEY_LINE.match(line)
        if key:
            previous_key_indent = len(key.group(1))
        else:
            nested = _NESTED_KEY.match(line)
            if nested and not dash and previous_key_indent == 0:
                mapping = len(nested.group(1))
            previous_key_indent = None
    offset = max(dash_offset or 0, 0)
    return mapping, offset + 2, offset


class _Timestamp(str):
    """A time already formatted as RFC 3339; written as a plain (unquoted) YAML timestamp."""

    __slots__ = ()


def _represent_timestamp(representer: Any, data: _Timestamp) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:timestamp", str(data))


def _to_yaml_value(value: Any) -> Any:
    """A plain Python value made ready for ruamel: times as plain timestamps, containers kept."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dt.datetime):
        return _Timestamp(format_time(value))
    if isinstance(value, Mapping):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _to_yaml_value(item)
        return out
    if isinstance(value, list | tuple):
        return CommentedSeq([_to_yaml_value(item) for item in value])
    return value


def update_document(
    document: CommentedMap,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    key_order: Sequence[str],
) -> None:
    """Bring *document* from *old* to *new*, touching only keys whose values changed.

    A list that only grew keeps its items (and their comments) and gains the new ones;
    a new key is placed after the nearest key before it in *key_order*; a key that
    became empty is removed. Keys of *document* that are in neither mapping stay.
    """
    from ruamel.yaml.comments import CommentedSeq

    for key in [k for k in old if k not in new]:
        if key in document:
            del document[key]
    for key, value in new.items():
        if key in old and old[key] == value and key in document:
            continue
        current = document.get(key)
        if (
            isinstance(current, CommentedSeq)
            and isinstance(value, list | tuple)
            and isinstance(old.get(key), list | tuple)
            and list(value[: len(old[key])]) == list(old[key])
            and len(current) == len(old[key])
        ):
            for item in value[len(old[key]) :]:
                current.append(_to_yaml_value(item))
            continue
        if key in document:
            document[key] = _to_yaml_value(value)
            continue
        document.insert(_insert_position(document, key, key_order), key, _to_yaml_value(value))


def _insert_position(document: CommentedMap, key: str, key_order: Sequence[str]) -> int:
    if key not in key_order:
        return len(document)
    before = key_order[: key_order.index(key)]
    position = 0
    for index, existing in enumerate(document):
        if existing in before:
            position = index + 1
    return position


# -- a fast path for the flat metadata files that make up almost every KEP ------------------
#
# A rebuild of 10,000 KEPs spends most of its YAML time in PyYAML's Python constructor,
# not in the C parser. ``metadata.yaml`` as the seed and the generator write it is flat:
#
#     authors:
#     - jdoe
#     title: Dynamic Kubelet Config
#     kep_number: 56
#     created: 2018-09-07T03:45:13.476773Z
#
# :func:`load_simple` reads exactly that shape (top-level keys with plain scalars or block
# lists of plain scalars) and gives up - returning None, so the safe loader decides - on
# anything else: comments, quotes with escapes, nesting, anchors, tags, flow collections,
# duplicate keys, or a scalar whose type it does not resolve itself. It never accepts a
# document the safe loader would read differently (tests/test_yaml_simple.py compares).

# A plain scalar that starts with a letter: YAML 1.1 resolves it to a string unless it is
# one of the boolean or null words below; no indicator can start it.
_SIMPLE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9 ._/@()+'=-]*")
_SIMPLE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?Z"
)
_SIMPLE_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SIMPLE_QUOTED = re.compile(r'"([ !#-\[\]-~]*)"')
#: The YAML 1.1 booleans and nulls a plain word resolves to (PyYAML's implicit resolvers).
_SIMPLE_KEYWORDS: dict[str, object] = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
    **dict.fromkeys(("null", "Null", "NULL"), None),
}
_NO_VALUE = object()


#: The characters a plain word may start with (see _SIMPLE_WORD), and whole numbers.
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset("0123456789")
#: The most digits :func:`_simple_scalar` converts itself: fewer than any limit
#: ``sys.set_int_max_str_digits`` allows (640 at the least), far more than a KEP needs.
_MAX_INT_DIGITS = 600


#: Plain words already read, and what they mean: section file names, states, SIG names
#: and people recur across KEPs, and a lookup costs a tenth of the pattern match. Values
#: are str, bool or None (immutable), so sharing them is safe; the memo stops growing at
#: _MAX_WORDS entries, and words with a space (titles) are not kept.
_WORDS: dict[str, object] = {}
_MAX_WORDS = 8192


def _simple_scalar(value: str) -> object:
    """The value of a one-line scalar, or _NO_VALUE when the safe loader must decide.

    The first character picks the one pattern that can match: a letter a word (a UUID
    that starts with a-f is a word too), a digit a number, a time or a UUID, a double
    quote a quoted string; anything else is left to the safe loader.
    """
    if not value:
        return _NO_VALUE
    first = value[0]
    if first in _LETTERS:
        if value[-1] != " " and _SIMPLE_WORD.fullmatch(value):
            word = _SIMPLE_KEYWORDS.get(value, value)
            if len(_WORDS) < _MAX_WORDS and " " not in value:  # titles seldom recur
                _WORDS[value] = word
            return word
        return _NO_VALUE
    if first in _DIGITS:
        if value.isdigit() and value.isascii() and (first != "0" or len(value) == 1):
            # what _SIMPLE_INT matches; digits past int()'s limit are the loader's to read
            return int(value) if len(value) <= _MAX_INT_DIGITS else _NO_VALUE
        if len(value) >= 20 and value[-1] == "Z" and _SIMPLE_TIME.fullmatch(value):
            # the pattern fixed the shape, so the C parser reads it (a tenth of the time of
            # seven int() calls); hour 24, which PyYAML refuses, is left to it on any Python
            if value[11:13] > "23":
                return _NO_VALUE
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:  # month 13, February 30 and the like: PyYAML refuses them
                return _NO_VALUE
        if _SIMPLE_UUID.fullmatch(value):
            return value
        return _NO_VALUE
    if first == '"':
        match = _SIMPLE_QUOTED.fullmatch(value)
        if match:
            return match.group(1)
    return _NO_VALUE


def load_simple(text: str) -> Loaded | None:
    """*text* read as :func:`load_fast` reads it, if it is a flat document; else None.

    Flat means: a mapping of ``key: scalar`` lines and ``key:`` lines followed by
    ``- scalar`` lines (indented or not, alike within one list), where each scalar is a
    plain word, a whole number, an RFC 3339 UTC time, a UUID or a double-quoted string
    without escapes. None means "not sure": the caller falls back to the safe loader,
    which also raises the proper error for a document that is not valid YAML.

    Lines are taken apart with string methods rather than regular expressions (this
    runs once per KEP of every rebuild); each test is noted with the pattern it stands for.
    """
    if "#" in text or "\r" in text or "\t" in text or "&" in text or "*" in text:
        return None
    data: dict[str, object] = {}
    lines: dict[str, int] = {}
    items: list[object] | None = None  # the list under the last key, while it has no value
    indent = -1  # the column of that list's dashes
    number = 0
    words = _WORDS
    for line in text.split("\n"):
        number += 1
        if not line:
            continue
        first = line[0]
        if first == " " or first == "-":
            # an item: ( *)- (.*)
            body = line.lstrip(" ") if first == " " else line
            if items is None or body[:2] != "- ":
                return None
            width = len(line) - len(body)
            if width != indent:
                if indent >= 0:
                    return None
                indent = width
            raw = body[2:]
            value = words.get(raw, _NO_VALUE)
            if value is _NO_VALUE:
                value = _simple_scalar(raw)
                if value is _NO_VALUE:
                    return None
            items.append(value)
            continue
        # a key: ([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?
        key, colon, rest = line.partition(":")
        if not colon or not key.isidentifier() or not key.isascii():
            return None
        if key in data or key in _SIMPLE_KEYWORDS:
            return None
        lines[key] = number
        indent = -1
        if not rest:
            items = []
            data[key] = items
            continue
        if rest[0] != " ":
            return None
        items = None
        raw = rest[1:]
        value = words.get(raw, _NO_VALUE)
        if value is _NO_VALUE:
            value = _simple_scalar(raw)
            if value is _NO_VALUE:
                return None
        data[key] = value
    if not data:
        return None
    for key, value in data.items():
        if value.__class__ is list and not value:
            data[key] = None  # a key with nothing under it is null
    return Loaded(data, lines)


def error_detail(exc: InvalidContentError) -> tuple[str, int | None, int | None]:
    """(what the parser objected to, line, column) of an error from :func:`load_fast`.

    For callers that word their own message around the parser's complaint.
    """
    cause = exc.__cause__
    mark = getattr(cause, "problem_mark", None)
    problem = getattr(cause, "problem", None)
    if isinstance(cause, yaml.YAMLError) and problem and mark is not None:
        return str(problem), mark.line + 1, mark.column + 1
    first = exc.problems[0] if exc.problems else None
    return (first.message if first else exc.message), (first.line if first else None), None
