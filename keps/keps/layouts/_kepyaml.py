"""kep.yaml as text: a lenient fast reader, a small emitter, and an editor that keeps bytes.

Reading uses PyYAML's C loader with two resolvers taken out: timestamps (real files say
``creation-date: 2024-15-01``, which a timestamp constructor rejects for the whole
document) and floats (an unquoted ``1.30`` would become ``1.3``). Dates and versions
therefore arrive as the text people wrote, and their checks can point at the line.
Duplicate keys are refused at any depth, as a strict parser must.

Writing never re-emits the whole document. :func:`edit_text` splits the original text
into one block per top-level key and replaces only the blocks of keys whose values
changed, so comments, blank lines, odd indentation and trailing spaces elsewhere stay
byte for byte (a ruamel round-trip dump normalises indentation and spacing, which
changes about one kep.yaml in six of the 2026 corpus even when nothing changed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from keps._yaml import construct_int_or_text, refuse_deep_nesting
from keps.errors import InvalidContentError
from keps.problems import Problem

__all__ = ["KepYaml", "dump_text", "edit_text", "load_text"]

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DROPPED_TAGS = frozenset({"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float"})


class _TextDatesLoader(_Base):  # type: ignore[valid-type,misc]
    """A safe C loader that leaves dates, times and decimals as the text written."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_TextDatesLoader.add_constructor("tag:yaml.org,2002:int", construct_int_or_text)

#: At most this many nodes per document (alias bombs are refused before construction).
MAX_NODES = 50_000


class KepYaml:
    """A parsed kep.yaml: its data and the 1-based line of each field.

    ``lines`` maps a field path to its line: ``title``, ``milestone.beta``,
    ``feature-gates[0]``, ``feature-gates[0].name``.
    """

    __slots__ = ("data", "lines")

    def __init__(self, data: Any, lines: dict[str, int]) -> None:
        self.data = data
        self.lines = lines


def _fail(path: Path | str, message: str, line: int | None) -> InvalidContentError:
    where = f" at line {line}" if line else ""
    msg = f"invalid YAML in {path}{where}: {message}"
    return InvalidContentError(
        msg, path=path, problems=[Problem("yaml-invalid", msg, path=str(path), line=line)]
    )


def _walk(node: yaml.Node, prefix: str, lines: dict[str, int], path: Path | str) -> int:
    """Record the line of every mapping key and sequence item under *node*; count nodes.

    Raises:
        InvalidContentError: a duplicate key, or more than :data:`MAX_NODES` nodes.
    """
    count = 1
    stack: list[tuple[yaml.Node, str]] = [(node, prefix)]
    while stack:
        current, where = stack.pop()
        count += 1
        if count > MAX_NODES:
            msg = f"more than {MAX_NODES} YAML nodes (alias bomb?)"
            raise _fail(path, msg, None)
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in current.value:
                key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                line = key_node.start_mark.line + 1
                if key in seen:
                    msg = f"duplicate key {key!r} (first at line {seen[key]}, again at line {line})"
                    raise _fail(path, msg, line)
                seen[key] = line
                child = f"{where}.{key}" if where else key
                lines.setdefault(child, line)
                stack.append((value_node, child))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                child = f"{where}[{index}]"
                lines.setdefault(child, item.start_mark.line + 1)
                stack.append((item, child))
    return count


def _compose(text: str, path: Path | str) -> tuple[yaml.Node | None, _TextDatesLoader]:
    refuse_deep_nesting(text, path)
    loader = _TextDatesLoader(text)
    try:
        return loader.get_single_node(), loader
    except yaml.YAMLError as exc:
        loader.dispose()
        mark = getattr(exc, "problem_mark", None)
        detail = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise _fail(path, detail, None if mark is None else mark.line + 1) from exc


def load_text(text: str, *, path: Path | str) -> KepYaml:
    """Parse kep.yaml *text*: dates and decimals stay text, duplicate keys are refused.

    Raises:
        InvalidContentError: the text is not YAML (or a duplicate key, an alias bomb);
            the one problem names *path* and the line.
    """
    node, loader = _compose(text, path)
    try:
        if node is None:
            return KepYaml(None, {})
        lines: dict[str, int] = {}
        _walk(node, "", lines, path)
        try:
            data = loader.construct_document(node)
        except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
            raise _fail(path, " ".join(str(exc).split()), None) from exc
        return KepYaml(data, lines)
    finally:
        loader.dispose()


# -- emitting ---------------------------------------------------------------------------

_PLAIN_START = re.compile(r"[A-Za-z0-9_./(~]")
_RESOLVER = _TextDatesLoader("")
_STR = "tag:yaml.org,2002:str"
_VERSION = re.compile(r"v?\d+\.\d+(\.\d+)?")


def _plain_ok(text: str) -> bool:
    """True when *text* can be written unquoted and reads back as this very string."""
    if not text or text != text.strip() or not _PLAIN_START.match(text):
        return False
    if any(c in text for c in "\n\r\t\"'`{}[]") or ": " in text or " #" in text:
        return False
    if text.endswith(":") or not text.isprintable():
        return False
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    return tag == _STR


def scalar(value: object) -> str:
    """*value* as a YAML scalar; versions and handles are double-quoted as people write them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _plain_ok(text) and not _VERSION.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _emit(
    value: Mapping[Any, Any] | list[Any] | tuple[Any, ...], indent: int, seq_indent: int
) -> list[str]:
    """The lines that follow ``key:`` for the collection *value*, *indent* spaces deep
    (a scalar stays on the key's line: see :func:`_pair`)."""
    out: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            out.extend(_pair(str(key), item, indent, seq_indent))
        return out
    dash = " " * (indent + seq_indent) + "- "
    for item in value:
        if isinstance(item, Mapping) and item:
            body: list[str] = []
            inner = len(dash)
            for key, sub in item.items():
                body.extend(_pair(str(key), sub, inner, seq_indent))
            out.append(dash + body[0][inner:])
            out.extend(body[1:])
        else:
            out.append(dash + scalar(item))
    return out


def _pair(key: str, value: object, indent: int, seq_indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, Mapping | list | tuple):
        if not value:
            return [f"{pad}{key}: {'{}' if isinstance(value, Mapping) else '[]'}"]
        child = indent + 2 if isinstance(value, Mapping) else indent
        return [f"{pad}{key}:", *_emit(value, child, seq_indent)]
    return [f"{pad}{key}: {scalar(value)}".rstrip()]


def dump_text(data: Mapping[str, Any], *, seq_indent: int = 2) -> str:
    """*data* as a new kep.yaml text, keys in the order given (e.g. for a conversion).

    *seq_indent* is how far list dashes sit in from their key (the template uses 2).
    """
    lines: list[str] = []
    for key, value in data.items():
        lines.extend(_pair(key, value, 0, seq_indent))
    return "\n".join(lines) + "\n"


# -- editing ----------------------------------------------------------------------------


def _seq_indent(block: Sequence[str], default: int) -> int:
    """How far a block's list dashes sit in from their key: ``  - x`` is 2, ``- x`` is 0."""
    for line in block[1:]:
        stripped = line.lstrip(" ")
        if stripped.startswith("- "):
            return min(len(line) - len(stripped), 4)
    return default


def _trailing(line: str) -> bool:
    """True for a line that separates blocks: blank, or a comment in the first column."""
    return not line.strip() or line.startswith("#")


def _blocks(text: str, path: Path | str) -> tuple[list[str], list[tuple[str, int, int]]]:
    """The lines of *text* and (key, first line, end line) of each top-level key's block.

    A block runs from its key line to the last line of its value; blank lines and
    first-column comments after it belong to the gap before the next key.
    """
    node, loader = _compose(text, path)
    loader.dispose()
    lines = text.splitlines(keepends=True)
    if not isinstance(node, yaml.MappingNode):
        msg = "kep.yaml must hold a mapping of fields"
        raise _fail(path, msg, None)
    starts = [(str(k.value), k.start_mark.line) for k, _ in node.value]
    stop = node.end_mark.line if node.end_mark.column == 0 else node.end_mark.line + 1
    blocks = []
    for index, (key, start) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else min(stop, len(lines))
        while end - 1 > start and _trailing(lines[end - 1]):
            end -= 1
        blocks.append((key, start, max(end, start + 1)))
    return lines, blocks


def edit_text(
    text: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    key_order: Sequence[str],
    *,
    path: Path | str = "kep.yaml",
) -> str:
    """*text* brought from *old* to *new*, rewriting only the blocks of changed keys.

    A key in *old* but not in *new* loses its block; a new key is placed after the
    nearest key before it in *key_order*; keys of *text* that are in neither mapping,
    and every line outside a changed block, stay exactly as they were.
    """
    changed = {k for k in new if k not in old or old[k] != new[k]}
    removed = {k for k in old if k not in new}
    if not changed and not removed:
        return text
    lines, blocks = _blocks(text, path)
    default_seq = next(
        (_seq_indent(lines[s:e], 2) for k, s, e in blocks if isinstance(new.get(k), list)), 2
    )
    present = {key for key, _, _ in blocks}
    replacement: dict[int, list[str]] = {}
    dropped: set[int] = set()
    for index, (key, start, end) in enumerate(blocks):
        if key in removed:
            dropped.add(index)
        elif key in changed:
            seq = _seq_indent(lines[start:end], default_seq)
            replacement[index] = [line + "\n" for line in _pair(key, new[key], 0, seq)]
    inserts: dict[int, list[str]] = {}
    for key in [k for k in new if k in changed and k not in present]:
        emitted = [line + "\n" for line in _pair(key, new[key], 0, default_seq)]
        after = _insert_after(key, key_order, blocks)
        inserts.setdefault(after, []).extend(emitted)
    out: list[str] = []
    cursor = 0
    if -1 in inserts:
        first = blocks[0][1] if blocks else len(lines)
        out.extend(lines[:first])
        cursor = first
        out.extend(inserts[-1])
    for index, (_, start, end) in enumerate(blocks):
        out.extend(lines[cursor:start])
        if index in replacement:
            out.extend(replacement[index])
        elif index not in dropped:
            out.extend(lines[start:end])
        cursor = end
        if index in inserts:
            if out and not out[-1].endswith("\n"):
                out[-1] += "\n"
            out.extend(inserts[index])
    out.extend(lines[cursor:])
    return "".join(out)


def _insert_after(key: str, key_order: Sequence[str], blocks: list[tuple[str, int, int]]) -> int:
    """The index of the block a new *key* goes after (-1: before the first one)."""
    if key not in key_order:
        return len(blocks) - 1
    before = set(key_order[: key_order.index(key)])
    position = -1
    for index, (existing, _, _) in enumerate(blocks):
        if existing in before:
            position = index
    return position
