"""kep.yaml and PRR files read as the enhancements repository's CI reads them.

Mirrors ``api/proposal.go`` (``KEPHandler.Parse``), ``api/approval.go``
(``PRRHandler.Parse``) and ``pkg/yaml/yaml.go`` (``UnmarshalStrict``): gopkg.in/yaml.v3
decoding with known fields only, then go-playground's ``required`` tags. What that
decoding accepts, this accepts:

* any scalar where text is expected (``kep-number: 1234``, ``title: 2020``);
* ``null`` anywhere (it leaves the Go zero value: ``""``, a nil list);
* ``true``/``false``, and yaml.v3's YAML 1.1 forms (``yes``, ``off``...), for a flag;
* the keys of the Go structs, ``id``, ``name``, ``path`` and ``prnumber`` included
  (fields without a yaml tag take their lower-cased Go name).

It refuses: a key the struct lacks, a key given twice, a list or mapping where text is
expected (and the reverse), a document that is not YAML or is empty, and a required
field that is null or ``""`` (a required list may be empty: ``[]`` is not nil).

``KEPHandler.Parse`` first drops every line that contains ``---`` and keeps only the
lines between the first two such lines when there are any: :func:`metadata_lines`
does the same, so a comment such as ``# ---- PRR ----`` hides the lines above it from
CI, as it does upstream.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeAlias

import attrs
import yaml

from keps._names import KEP_FILE
from keps.keps.metadata import STAGES
from keps.problems import Problem

__all__ = [
    "KEP_SCHEMA",
    "PRR_SCHEMA",
    "Decoded",
    "Struct",
    "decode",
    "metadata_lines",
]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Value kinds: text, a flag, a list of text; a :class:`Struct`, or a list of one.
TEXT = "text"
FLAG = "flag"
TEXTS = "texts"


@attrs.frozen
class Struct:
    """A Go struct as yaml.v3 sees it: its keys, their kinds, the ``required`` ones."""

    name: str
    fields: Mapping[str, Spec]
    required: frozenset[str] = frozenset()
    #: Decoded from a pointer: ``null`` leaves it nil (absent), not an empty struct.
    pointer: bool = False


@attrs.frozen
class ListOf:
    """A Go slice of structs."""

    item: Struct


Spec: TypeAlias = str | Struct | ListOf

_MILESTONE = Struct("milestone", dict.fromkeys(STAGES, TEXT))
_GATE = Struct("feature gate", {"name": TEXT, "components": TEXTS})

#: api.Proposal's yaml keys (api/proposal.go) with their kinds.
KEP_SCHEMA = Struct(
    KEP_FILE,
    {
        # fields without a yaml tag: yaml.v3 takes the lower-cased Go field name
        "id": TEXT,
        "prnumber": TEXT,
        "name": TEXT,
        "path": TEXT,
        "title": TEXT,
        "kep-number": TEXT,
        "authors": TEXTS,
        "owning-sig": TEXT,
        "participating-sigs": TEXTS,
        "reviewers": TEXTS,
        "approvers": TEXTS,
        "editor": TEXT,
        "creation-date": TEXT,
        "last-updated": TEXT,
        "status": TEXT,
        "see-also": TEXTS,
        "replaces": TEXTS,
        "superseded-by": TEXTS,
        "stage": TEXT,
        "latest-milestone": TEXT,
        "milestone": _MILESTONE,
        "feature-gates": ListOf(_GATE),
        "disable-supported": FLAG,
        "metrics": TEXTS,
    },
    required=frozenset({"title", "kep-number", "authors", "owning-sig", "approvers", "status"}),
)

_PRR_STAGE = Struct("PRR stage", {"approver": TEXT}, frozenset({"approver"}), pointer=True)

#: api.PRRApproval's yaml keys (api/approval.go): the number and one approver per stage.
PRR_SCHEMA = Struct(
    "PRR approval",
    {"kep-number": TEXT, **dict.fromkeys(STAGES, _PRR_STAGE)},
    required=frozenset({"kep-number"}),
)

_NULL = "tag:yaml.org,2002:null"
_BOOL_WORDS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
# yaml.v3 decode.go: YAML 1.1 words accepted only when decoding into a bool
_TRUE_11 = frozenset({"y", "Y", "yes", "Yes", "YES", "on", "On", "ON"})
_FALSE_11 = frozenset({"n", "N", "no", "No", "NO", "off", "Off", "OFF"})


@attrs.frozen
class Decoded:
    """What a strict read gave: plain data (absent keys left out), problems, key lines.

    ``data`` is None when the text is not YAML. As upstream, the ``required`` fields are
    checked only when decoding found nothing wrong. Text values are exactly as yaml.v3
    gives them to a Go string (``kep-number: 0042`` is ``"0042"``); null is left out.
    """

    data: dict[str, Any] | None
    problems: tuple[Problem, ...]
    lines: Mapping[str, int]


def metadata_lines(text: str) -> list[tuple[int, str]]:
    """The lines ``KEPHandler.Parse`` decodes, each with its 1-based line number.

    Every line that contains ``---`` is dropped; when there is one, only the lines
    after the first such line and before the second are the metadata.
    """
    seen = 0
    metadata: list[tuple[int, str]] = []
    body: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if "---" in line:
            seen += 1
            continue
        (metadata if seen == 1 else body).append((number, line.removesuffix("\r")))
    if seen == 0:
        return body
    return metadata


class _Reader:
    """One decode: collects problems and the line of each key as it goes."""

    def __init__(self, path: Path, line_of: list[int]) -> None:
        self.path = str(path)
        self.line_of = line_of
        self.problems: list[Problem] = []
        self.required: list[Problem] = []  # go-playground runs only once decoding succeeded
        self.lines: dict[str, int] = {}

    def line(self, node: yaml.Node) -> int:
        index = node.start_mark.line
        return self.line_of[index] if index < len(self.line_of) else index + 1

    def fail(self, code: str, message: str, field: str, node: yaml.Node) -> None:
        line = self.line(node)
        self.problems.append(Problem(code, message, path=self.path, field=field, line=line))

    def value(self, node: yaml.Node, spec: Spec, field: str) -> Any:
        """*node* decoded as *spec*; None for null (the Go zero value)."""
        if isinstance(node, yaml.ScalarNode) and _is_null(node):
            return None
        if spec == TEXT:
            if isinstance(node, yaml.ScalarNode):
                return str(node.value)
            self.fail("field-type", f"{field} must be text, not {_kind(node)}", field, node)
        elif spec == FLAG:
            if isinstance(node, yaml.ScalarNode):
                flag = _flag(node)
                if flag is not None:
                    return flag
            shown = repr(node.value) if isinstance(node, yaml.ScalarNode) else _kind(node)
            self.fail("field-type", f"{field} must be true or false, not {shown}", field, node)
        elif spec == TEXTS:
            if isinstance(node, yaml.SequenceNode):
                texts = (
                    self.value(item, TEXT, f"{field}[{index}]")
                    for index, item in enumerate(node.value)
                )
                return [text for text in texts if text is not None]  # yaml.v3 skips a null item
            self.fail("field-type", f"{field} must be a list, not {_kind(node)}", field, node)
        elif isinstance(spec, ListOf):
            if isinstance(node, yaml.SequenceNode):
                return [
                    self.value(item, spec.item, f"{field}[{index}]") or {}
                    for index, item in enumerate(node.value)
                ]
            self.fail("field-type", f"{field} must be a list, not {_kind(node)}", field, node)
        elif isinstance(spec, Struct):
            return self.struct(node, spec, field)
        return None

    def struct(self, node: yaml.Node, spec: Struct, prefix: str) -> dict[str, Any] | None:
        """A mapping decoded as *spec*: unknown and repeated keys refused, required checked."""
        if not isinstance(node, yaml.MappingNode):
            msg = f"{prefix or spec.name} must be a mapping, not {_kind(node)}"
            self.fail("field-type", msg, prefix or "", node)
            return None
        out: dict[str, Any] = {}
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                msg = f"a key of {prefix or spec.name} must be text, not {_kind(key_node)}"
                self.fail("field-type", msg, prefix or "", key_node)
                continue
            key = str(key_node.value)
            field = f"{prefix}.{key}" if prefix else key
            self.lines.setdefault(field, self.line(key_node))
            if key in first:
                msg = f"{field} is given twice (first at line {first[key]})"
                self.fail("key-duplicate", msg, field, key_node)
                continue
            first[key] = self.line(key_node)
            if _is_null(key_node):
                continue  # yaml.v3 skips a null key without a word
            sub = spec.fields.get(key)
            if sub is None:
                msg = f"{key!r} is not a {spec.name} key (strict parsing)"
                self.fail("key-unknown", msg, field, key_node)
                continue
            value = self.value(value_node, sub, field)
            if value is not None:
                out[key] = value
        for key in sorted(spec.required):
            value = out.get(key)
            if value is None or value == "":
                field = f"{prefix}.{key}" if prefix else key
                said = "is empty" if key in out else "must be set"
                msg = f"{field} {said} (a required field)"
                line = self.lines.get(field)
                self.required.append(
                    Problem("required-missing", msg, path=self.path, field=field, line=line)
                )
        return out


def _is_null(node: yaml.ScalarNode) -> bool:
    return node.tag == _NULL


def _flag(node: yaml.ScalarNode) -> bool | None:
    """A bool as yaml.v3 decodes one into a Go bool, else None."""
    value = str(node.value)
    plain = node.style in (None, "")
    if plain and value in _BOOL_WORDS:
        return value.lower() == "true"
    if value in _TRUE_11:
        return True
    if value in _FALSE_11:
        return False
    return None


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"{node.value!r}"


def _compose(text: str) -> yaml.Node | None:
    """The first YAML document of *text* (as yaml.v3's Decoder reads one), or None if empty."""
    documents: Iterator[yaml.Node] = yaml.compose_all(text, Loader=_Loader)
    return next(documents, None)


def decode(text: str, schema: Struct, *, path: Path, kep_file: bool) -> Decoded:
    """*text* decoded strictly as *schema*; every problem upstream's decoding would raise.

    *kep_file* applies ``KEPHandler.Parse``'s ``---`` line handling first.
    """
    everything = list(enumerate(text.split("\n"), start=1))
    numbered = metadata_lines(text) if kep_file else everything
    dashes = sum(1 for _, line in everything if "---" in line)
    hidden = kep_file and len(numbered) + dashes < len(everything)  # lines CI never reads
    source = "\n".join(line for _, line in numbered)
    reader = _Reader(path, [number for number, _ in numbered])
    try:
        root = _compose(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = None
        if mark is not None:
            index = mark.line
            line = reader.line_of[index] if index < len(reader.line_of) else index + 1
        detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        msg = f"{path.name} is not YAML: {detail}"
        problem = Problem("yaml-invalid", msg, path=str(path), line=line)
        return Decoded(None, (problem,), {})
    except RecursionError:
        problem = Problem("yaml-invalid", f"{path.name} nests too deeply", path=str(path))
        return Decoded(None, (problem,), {})
    if root is None:
        msg = f"{path.name} holds no YAML document (CI reads it as end of file)"
        return Decoded(None, (Problem("yaml-invalid", msg, path=str(path), line=1),), {})
    if isinstance(root, yaml.ScalarNode) and _is_null(root):
        data: dict[str, Any] | None = {}
        reader.struct(yaml.MappingNode("tag:yaml.org,2002:map", [], root.start_mark), schema, "")
    else:
        data = reader.struct(root, schema, "")
    problems = sorted(reader.problems or reader.required, key=lambda p: p.line or 0)
    if hidden:
        note = " (CI reads only the lines between the first two lines that hold '---')"
        problems = [attrs.evolve(p, message=p.message + note) for p in problems]
    return Decoded(data, tuple(problems), reader.lines)
