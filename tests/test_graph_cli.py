"""kepctl graph (issue #15 item 5): DOT and Mermaid that stay valid whatever a title holds.

The DOT output is read back by a small tokenizer and parser written here, following
Graphviz's lexer (a quoted string ends at an unescaped ``"``; ``\\"`` and ``\\\\`` are
pairs); Mermaid is checked line by line against the shapes it may take. Titles come
from kep.yaml, which is untrusted: quotes, backslashes, brackets, entity codes, HTML and
a line break must come out as text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import keps
from keps.analysis.links import NOT_A_KEP, PLACEHOLDER
from keps.cli import cli
from keps.cli.graph import graph
from tests.test_links import K0, K1, K2, K3, K4, K5, K6, K7, TWIN, add_links, linked_checkout

HOSTILE = 'Evil "title" \\ back\\"slash ] [x] #quot; #35; <b>&amp;</b> `x` -> {a; b}\nline two'


@pytest.fixture(name="root")
def _root(tmp_path: Path) -> Path:
    """The linked checkout of test_links, K5 with a hostile title, K1 seeing its twin."""
    root = linked_checkout(tmp_path / "enhancements")
    kep_yaml = root / K5 / "kep.yaml"
    lines = kep_yaml.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[0].startswith("title: ")
    lines[0] = f"title: {json.dumps(HOSTILE)}\n"  # a JSON string is a YAML one
    kep_yaml.write_text("".join(lines), encoding="utf-8")
    add_links(root, K1, see_also=[TWIN])
    return root


def kepctl(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--content-root", str(root), *args])


def label_of(root: Path, location: str) -> str:
    """The label a KEP should show: 'KEP-<number>: <title>' on one line."""
    entry = keps.load(root)[location]
    return " ".join(f"KEP-{entry.kep_number}: {entry.title}".split())


# -- DOT, read back --

_TOKEN = re.compile(
    r'(?P<space>\s+)|(?P<string>"(?:[^"\\]|\\.)*")|(?P<arrow>->)|(?P<punct>[{}\[\];,=])'
    r"|(?P<id>[A-Za-z_][A-Za-z_0-9]*)",
    re.S,
)


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) of each DOT token; anything else fails the test."""
    out, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        assert match is not None, f"no DOT token at {text[position : position + 40]!r}"
        position = match.end()
        if match.lastgroup != "space":
            out.append((match.lastgroup or "", match.group()))
    return out


def unquoted(token: tuple[str, str]) -> str:
    """What a label shows: the DOT string without quotes, ``\\"`` and ``\\\\`` undone."""
    kind, text = token
    if kind == "id":
        return text
    assert kind == "string", token
    body, out, index = text[1:-1], [], 0
    while index < len(body):
        if body[index] == "\\":
            pair = body[index : index + 2]
            assert pair in ('\\"', "\\\\"), f"a label escape would change the text: {pair!r}"
            out.append(pair[1])
            index += 2
        else:
            out.append(body[index])
            index += 1
    return "".join(out)


def parse_dot(text: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    """The nodes (id -> attributes) and edges (source, target, attributes) of a digraph."""
    items = tokens(text)
    assert items[:3] == [("id", "digraph"), ("id", "keps"), ("punct", "{")]
    assert items[-1] == ("punct", "}")
    body, at = items[3:-1], 0
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []

    def attributes() -> dict[str, str]:
        nonlocal at
        found: dict[str, str] = {}
        if body[at] != ("punct", "["):
            return found
        at += 1
        while body[at] != ("punct", "]"):
            name, equals, value = body[at], body[at + 1], body[at + 2]
            assert name[0] == "id" and equals == ("punct", "="), (name, equals)
            found[name[1]] = unquoted(value)
            at += 3
            if body[at] == ("punct", ","):
                at += 1
        at += 1
        return found

    while at < len(body):
        first = body[at]
        assert first[0] == "id", first
        if body[at + 1] == ("punct", "="):  # rankdir=LR;
            at += 3
        elif body[at + 1] == ("arrow", "->"):
            target = body[at + 2]
            assert target[0] == "id", target
            at += 3
            edges.append((first[1], target[1], attributes()))
        else:
            at += 1
            found = attributes()
            if first[1] not in ("node", "edge", "graph"):
                nodes[first[1]] = found
        assert body[at] == ("punct", ";"), body[at]
        at += 1
    return nodes, edges


class TestDot:
    def test_every_linked_kep_and_link(self, root: Path) -> None:
        result = kepctl(root, "graph")
        assert result.exit_code == 0, result.output
        nodes, edges = parse_dot(result.stdout)
        ids = {
            K0: "kep1000",
            K1: "kep1001_1",
            TWIN: "kep1001_2",
            K2: "kep1002",
            K3: "kep1003",
            K4: "kep1004",
            K5: "kep1005",
            K6: "kep1006",
            K7: "kep1007",
        }
        assert list(nodes) == list(ids.values())  # number order; K1 and its twin share 1001
        for location, node in ids.items():
            assert nodes[node] == {
                "label": label_of(root, location),
                "tooltip": location,
            }
        assert nodes["kep1005"]["label"] == f"KEP-1005: {HOSTILE.replace(chr(10), ' ')}"
        assert [(source, target, a["label"], a["style"]) for source, target, a in edges] == [
            ("kep1000", "kep1002", "see also", "dashed"),
            ("kep1001_1", "kep1001_2", "see also", "dashed"),
            ("kep1003", "kep1000", "replaces", "solid"),
            ("kep1004", "kep1005", "superseded by", "bold"),
            ("kep1006", "kep1007", "superseded by", "bold"),
            ("kep1007", "kep1006", "replaces", "solid"),
        ]

    def test_kind_chooses_the_lists(self, root: Path) -> None:
        nodes, edges = parse_dot(kepctl(root, "graph", "--kind", "replaces").stdout)
        assert list(nodes) == ["kep1000", "kep1003", "kep1006", "kep1007"]
        assert [(s, t) for s, t, _ in edges] == [("kep1003", "kep1000"), ("kep1007", "kep1006")]
        nodes, edges = parse_dot(kepctl(root, "graph", "--kind", "superseded_by,replaces").stdout)
        assert len(edges) == 4

    def test_a_query_draws_its_keps_and_their_neighbours(self, root: Path) -> None:
        """sig-node holds K0 and K4; the KEPs they link with are drawn too, nothing else."""
        nodes, edges = parse_dot(kepctl(root, "graph", "sig:sig-node").stdout)
        assert list(nodes) == ["kep1000", "kep1002", "kep1003", "kep1004", "kep1005"]
        assert [(s, t) for s, t, _ in edges] == [
            ("kep1000", "kep1002"),
            ("kep1003", "kep1000"),
            ("kep1004", "kep1005"),
        ]

    def test_keps_sharing_a_number_get_their_own_ids(self, root: Path) -> None:
        nodes, edges = parse_dot(kepctl(root, "graph", "number:1001").stdout)
        assert nodes["kep1001_1"]["tooltip"] == K1
        assert nodes["kep1001_2"]["tooltip"] == TWIN
        assert [(s, t) for s, t, _ in edges] == [("kep1001_1", "kep1001_2")]

    def test_nothing_linked_is_an_empty_graph(self, root: Path) -> None:
        result = kepctl(root, "graph", "--kind", "see-also", "sig:sig-network")
        assert parse_dot(result.stdout) == ({}, [])
        assert result.stdout == "digraph keps {\n  rankdir=LR;\n  node [shape=box];\n}\n"


# -- Mermaid, line by line --

_NODE = re.compile(r'    (?P<id>kep[0-9_]+)\["(?P<label>[^"\n]*)"\]')
_EDGE = re.compile(
    r"    (?P<source>kep[0-9_]+) (?P<arrow>-->|==>|-\.->)\|(?P<label>replaces|superseded by|see also)\|"
    r" (?P<target>kep[0-9_]+)"
)


def decoded(label: str) -> str:
    """A Mermaid label as shown: ``#34;`` codes back to characters; nothing raw that Mermaid
    or HTML would read as syntax."""
    assert not set(label) & set('"<>&`'), label
    assert re.fullmatch(r"([^#]|#\d+;)*", label), f"a bare # in {label!r}"
    return re.sub(r"#(\d+);", lambda code: chr(int(code.group(1))), label)


def parse_mermaid(text: str) -> tuple[dict[str, str], list[tuple[str, str, str, str]]]:
    lines = text.split("\n")
    assert lines[0] == "flowchart LR"
    assert lines[-1] == ""  # ends with a newline, nothing after it
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str, str]] = []
    for line in lines[1:-1]:
        node, edge = _NODE.fullmatch(line), _EDGE.fullmatch(line)
        assert node or edge, f"not a Mermaid node or edge: {line!r}"
        if node:
            assert not edges, "nodes come first"
            nodes[node["id"]] = decoded(node["label"])
        elif edge:
            assert edge["source"] in nodes and edge["target"] in nodes, line
            edges.append((edge["source"], edge["arrow"], edge["label"], edge["target"]))
    return nodes, edges


class TestMermaid:
    def test_every_linked_kep_and_link(self, root: Path) -> None:
        result = kepctl(root, "graph", "--format", "mermaid")
        assert result.exit_code == 0, result.output
        nodes, edges = parse_mermaid(result.stdout)
        assert nodes["kep1005"] == f"KEP-1005: {HOSTILE.replace(chr(10), ' ')}"
        assert nodes["kep1000"] == label_of(root, K0)  # 'KEP 1000, "alpha" work ...'
        assert list(nodes) == [
            "kep1000",
            "kep1001_1",
            "kep1001_2",
            "kep1002",
            "kep1003",
            "kep1004",
            "kep1005",
            "kep1006",
            "kep1007",
        ]
        assert edges == [
            ("kep1000", "-.->", "see also", "kep1002"),
            ("kep1001_1", "-.->", "see also", "kep1001_2"),
            ("kep1003", "-->", "replaces", "kep1000"),
            ("kep1004", "==>", "superseded by", "kep1005"),
            ("kep1006", "==>", "superseded by", "kep1007"),
            ("kep1007", "-->", "replaces", "kep1006"),
        ]

    def test_the_hostile_title_is_coded(self, root: Path) -> None:
        out = kepctl(root, "graph", "--format", "mermaid", "number:1005").stdout
        line = next(line for line in out.splitlines() if line.startswith("    kep1005["))
        assert line == (
            '    kep1005["KEP-1005: Evil #34;title#34; \\ back\\#34;slash ] [x] #35;quot; #35;35;'
            ' #60;b#62;#38;amp;#60;/b#62; #96;x#96; -#62; {a; b} line two"]'
        )


# -- what stderr says of references that name no KEP --


class TestWarnings:
    def test_broken_ones_each_and_the_rest_counted(self, root: Path) -> None:
        result = kepctl(root, "graph")
        assert result.stderr.splitlines() == [
            f"kepctl: warning: {K0}: see-also 'keps/sig-apps/1001-old-name': no KEP at keps/sig-apps/1001-old-name",
            f"kepctl: warning: {K2}: see-also 'KEP-1001': KEP number 1001 is used by 2 KEPs: {K1}, {TWIN}",
            f"kepctl: warning: 2 more references name no KEP (1 {PLACEHOLDER}; 1 {NOT_A_KEP}); --debug lists them",
        ]

    def test_debug_lists_every_one(self, root: Path) -> None:
        result = kepctl(root, "--debug", "graph")
        assert result.exit_code == 0
        warnings = [line for line in result.stderr.splitlines() if " warning: " in line]
        assert warnings == [
            f"kepctl: warning: {K0}: see-also 'n/a': {PLACEHOLDER}",
            f"kepctl: warning: {K0}: see-also 'https://github.com/kubernetes/enhancements/pull/1': {NOT_A_KEP}",
            f"kepctl: warning: {K0}: see-also 'keps/sig-apps/1001-old-name': no KEP at keps/sig-apps/1001-old-name",
            f"kepctl: warning: {K2}: see-also 'KEP-1001': KEP number 1001 is used by 2 KEPs: {K1}, {TWIN}",
        ]

    def test_only_the_drawn_keps_and_kinds_warn(self, root: Path) -> None:
        assert kepctl(root, "graph", "sig:sig-network").stderr == ""
        assert kepctl(root, "graph", "--kind", "replaces,superseded-by").stderr == ""

    def test_a_reference_cannot_drive_the_terminal(self, root: Path) -> None:
        add_links(root, K3, see_also=["bad\x1b[2Jname"])
        report = graph(root, "number:1003")
        assert report.notes == (
            f"kepctl: warning: {K3}: see-also 'bad\\x1b[2Jname': no KEP at bad\\x1b[2Jname",
        )


def test_an_unknown_kind_is_one_line(root: Path) -> None:
    result = kepctl(root, "graph", "--kind", "replace")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "kepctl: error: unknown link kind 'replace'; kinds are: replaces, superseded-by, see-also\n"
    )


def test_the_plain_function_gives_what_kepctl_prints(root: Path) -> None:
    report = graph(root, "sig:sig-node", fmt="mermaid", kinds=("see-also",))
    assert (
        report.out
        == kepctl(root, "graph", "--format", "mermaid", "--kind", "see-also", "sig:sig-node").stdout
    )
    assert parse_mermaid(report.out)[1] == [("kep1000", "-.->", "see also", "kep1002")]
    assert report.error is None
    assert K4 not in report.out and K6 not in report.out and K7 not in report.out
