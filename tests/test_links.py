"""Links between KEPs (issue #15 item 5): every spelling resolves, both sides of a
replacement count, and what names no KEP says why.

Trees are written here with known links; the corpus test checks every link of the real
KEPs against a resolution written out plainly below, apart from keps.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

import keps
from keps.analysis.links import (
    ELSEWHERE,
    ITSELF,
    NOT_A_KEP,
    PLACEHOLDER,
    Edge,
    Links,
    Unresolved,
    links_of,
)
from keps.errors import KepNotFoundError
from tests.conftest import CORPUS
from tests.enhancements_tree import kep_yaml, write_checkout
from tests.kep_factory import make_kep

# write_checkout's KEPs: 1000 + position, in keps/<sig>/<number>-kep-<position>
K0 = "keps/sig-node/1000-kep-0"
K1 = "keps/sig-apps/1001-kep-1"
K2 = "keps/sig-storage/1002-kep-2"
K3 = "keps/sig-network/1003-kep-3"
K4 = "keps/sig-node/1004-kep-4"
K5 = "keps/sig-apps/1005-kep-5"
K6 = "keps/sig-storage/1006-kep-6"
K7 = "keps/sig-network/1007-kep-7"
TWIN = "keps/sig-apps/1001-twin"  # shares number 1001 with K1


def add_links(root: Path, location: str, **lists: list[str]) -> None:
    """Append lists (``superseded_by`` is written ``superseded-by``) to a kep.yaml."""
    path = root / location / "kep.yaml"
    text = path.read_text(encoding="utf-8")
    for key, values in lists.items():
        text += f"{key.replace('_', '-')}:\n" + "".join(f"  - {json.dumps(v)}\n" for v in values)
    path.write_text(text, encoding="utf-8")


def add_kep(root: Path, location: str, number: int) -> None:
    """One more sound KEP at *location* with *number* (which may be taken already)."""
    kep_dir = root / location
    kep_dir.mkdir(parents=True)
    (kep_dir / "kep.yaml").write_text(kep_yaml(number, location.split("/")[1]), encoding="utf-8")
    (kep_dir / "README.md").write_text(f"# KEP-{number}\n", encoding="utf-8")


def linked_checkout(root: Path) -> Path:
    """Eight KEPs and a twin, linked every way a replacement can be declared.

    * K3 replaces K0, said only by K3 (the new KEP);
    * K4 is superseded by K5, said only by K4 (the old KEP);
    * K6 is superseded by K7 and K7 replaces K6: both sides say it;
    * K0 sees K2 (by folder name), and names a placeholder, a pull request and a
      folder that does not exist; K2 sees K1 by a number K1 shares with TWIN.
    """
    write_checkout(root, count=8)
    add_kep(root, TWIN, 1001)
    add_links(root, K3, replaces=["/keps/sig-node/1000-kep-0"])
    add_links(root, K4, superseded_by=["KEP-1005"])
    add_links(
        root,
        K6,
        superseded_by=[
            "https://github.com/kubernetes/enhancements/tree/master/keps/sig-network/1007-kep-7"
        ],
    )
    add_links(root, K7, replaces=["keps/sig-storage/1006-kep-6/"])
    add_links(
        root,
        K0,
        see_also=[
            "1002-kep-2",
            "n/a",
            "https://github.com/kubernetes/enhancements/pull/1",
            "keps/sig-apps/1001-old-name",
        ],
    )
    add_links(root, K2, see_also=["KEP-1001"])
    return root


@pytest.fixture(name="linked")
def _linked(tmp_path: Path) -> keps.KepCollection:
    return keps.load(linked_checkout(tmp_path / "enhancements"))


def locations(entries: tuple[keps.index.Entry, ...]) -> list[str]:
    return [entry.location for entry in entries]


class TestBothSidesOfAReplacement:
    def test_declared_only_on_the_new_kep(self, linked: keps.KepCollection) -> None:
        """K3 lists K0 in replaces: K0 is replaced by K3, K3 supersedes K0."""
        links = linked.links
        assert locations(links.of(1003).replaces) == [K0]
        assert locations(links.of(1003).supersedes) == [K0]
        assert locations(links.of(1000).replaced_by) == [K3]
        assert links.of(1000).superseded_by == ()  # K0's own file says nothing
        assert links.of(1003).replaced_by == links.of(1000).supersedes == ()

    def test_declared_only_on_the_old_kep(self, linked: keps.KepCollection) -> None:
        """K4 lists K5 in superseded-by: K4 is replaced by K5, K5 supersedes K4."""
        links = linked.links
        assert locations(links.of(1004).superseded_by) == [K5]
        assert locations(links.of(1004).replaced_by) == [K5]
        assert locations(links.of(1005).supersedes) == [K4]
        assert links.of(1005).replaces == ()  # K5's own file says nothing

    def test_declared_on_both_sides_counts_once(self, linked: keps.KepCollection) -> None:
        links = linked.links
        old, new = links.of(1006), links.of(1007)
        assert locations(old.superseded_by) == locations(old.replaced_by) == [K7]
        assert locations(new.replaces) == locations(new.supersedes) == [K6]
        assert old.replaces == old.supersedes == new.replaced_by == new.superseded_by == ()

    def test_see_also_and_its_reverse(self, linked: keps.KepCollection) -> None:
        links = linked.links
        assert locations(links.of(1000).see_also) == [K2]
        assert locations(links.of(1002).seen_from) == [K0]
        assert links.of(1002).see_also == ()  # KEP-1001 names two KEPs

    def test_edges_are_the_references_as_written(self, linked: keps.KepCollection) -> None:
        assert linked.links.edges == (
            Edge(K0, K2, "see-also"),
            Edge(K3, K0, "replaces"),
            Edge(K4, K5, "superseded-by"),
            Edge(K6, K7, "superseded-by"),
            Edge(K7, K6, "replaces"),
        )

    def test_what_names_no_kep_says_why(self, linked: keps.KepCollection) -> None:
        unresolved = linked.links.unresolved
        assert unresolved == (
            Unresolved(K0, "see-also", "n/a", PLACEHOLDER),
            Unresolved(
                K0, "see-also", "https://github.com/kubernetes/enhancements/pull/1", NOT_A_KEP
            ),
            # no hint: two KEPs have the number 1001
            Unresolved(
                K0,
                "see-also",
                "keps/sig-apps/1001-old-name",
                "no KEP at keps/sig-apps/1001-old-name",
            ),
            Unresolved(
                K2, "see-also", "KEP-1001", f"KEP number 1001 is used by 2 KEPs: {K1}, {TWIN}"
            ),
        )
        assert [u.broken for u in unresolved] == [False, False, True, True]

    def test_a_kep_without_links_has_an_empty_record(self, linked: keps.KepCollection) -> None:
        record = linked.links.of(K1)
        assert not record
        assert record.entry.location == K1
        assert repr(record) == f"<KepLinks of {K1}: none>"

    def test_of_takes_a_number_a_location_or_an_entry(self, linked: keps.KepCollection) -> None:
        links = linked.links
        entry = linked[1003]
        assert links.of(1003) == links.of(K3) == links.of(Path(K3)) == links.of(entry)
        assert repr(links.of(1003)) == f"<KepLinks of {K3}: replaces 1, supersedes 1>"
        with pytest.raises(KepNotFoundError, match="no KEP numbered 4242"):
            links.of(4242)

    def test_the_collection_keeps_its_links(self, linked: keps.KepCollection) -> None:
        assert linked.links is linked.links
        assert isinstance(linked.links, Links)
        assert links_of(linked).edges == linked.links.edges
        assert repr(linked.links) == (
            f"<Links of {linked.content_root}: 5 links between 7 KEPs, 4 unresolved>"
        )
        assert "\n" not in repr(linked.links)

    def test_a_query_resolves_only_among_what_it_kept(self, linked: keps.KepCollection) -> None:
        """The sig-node KEPs alone: K0 and K4 link out of the selection, so nothing resolves."""
        node = linked.query("sig:sig-node")
        assert node.links.edges == ()
        reasons = {u.text: u.reason for u in node.links.unresolved}
        assert reasons["1002-kep-2"] == "no KEP at 1002-kep-2"
        assert reasons["KEP-1005"] == "no KEP numbered 1005"


#: Each spelling of KEP 1002 (keps/sig-storage/1002-kep-2) that must name it.
SPELLINGS = [
    "keps/sig-storage/1002-kep-2",
    "/keps/sig-storage/1002-kep-2",
    "keps/sig-storage/1002-kep-2/",
    "/keps/sig-storage/1002-kep-2/README.md",
    "keps/sig-storage/1002-kep-2/kep.yaml",
    "keps/sig-storage/1002-kep-2/design-notes.md",
    "sig-storage/1002-kep-2",
    " 'keps/sig-storage/1002-kep-2' ",
    "https://github.com/kubernetes/enhancements/tree/master/keps/sig-storage/1002-kep-2",
    "https://github.com/kubernetes/enhancements/blob/main/keps/sig-storage/1002-kep-2/README.md",
    "https://www.github.com/kubernetes/enhancements/tree/master/keps/sig-storage/1002-kep-2/#goals",
    "https://github.com/kubernetes/enhancements/blob/46e48e35/keps/sig-storage/1002-kep-2/README.md",
    "https://github.com/kubernetes/enhancements/issues/1002",
    "kubernetes/enhancements/keps/sig-storage/1002-kep-2/README.md",
    "[the storage KEP](https://github.com/kubernetes/enhancements/tree/master/keps/sig-storage/1002-kep-2)",
    "(/keps/sig-storage/1002-kep-2)",
    "KEP-1002",
    "kep-1002",
    "KEP 1002",
    "KEP-01002",
    "1002",
    "#1002",
    "1002-kep-2",
    "/keps/sig-node/1002-kep-2",  # the KEP moved to sig-storage: its folder name is unique
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_names_the_kep(tmp_path: Path, spelling: str) -> None:
    root = write_checkout(tmp_path / "enhancements", count=4)
    add_links(root, K0, see_also=[spelling])
    links = keps.load(root).links
    assert locations(links.of(1000).see_also) == [K2]
    assert locations(links.of(1002).seen_from) == [K0]
    assert links.unresolved == ()


#: References that name no KEP of the tree, and the reason given.
UNRESOLVED = [
    ("n/a", PLACEHOLDER),
    ("None", PLACEHOLDER),
    ("TBD", PLACEHOLDER),
    ("-", PLACEHOLDER),
    ("https://docs.google.com/document/d/abc/edit", ELSEWHERE),
    ("https://github.com/kubernetes/kubernetes/issues/1002", ELSEWHERE),
    ("https://github.com/someone/enhancements/tree/master/keps/sig-storage/1002-kep-2", ELSEWHERE),
    ("kubernetes/community/contributors/design-proposals/node/cpu-manager.md", ELSEWHERE),
    ("https://github.com/kubernetes/enhancements/pull/1002", NOT_A_KEP),
    ("https://github.com/kubernetes/enhancements", NOT_A_KEP),
    (K0, ITSELF),
    ("KEP-1000", ITSELF),
    ("KEP-9999", "no KEP numbered 9999"),
    ("https://github.com/kubernetes/enhancements/issues/77", "no KEP numbered 77"),
    (
        "keps/sig-storage/1002-old-name",
        f"no KEP at keps/sig-storage/1002-old-name (KEP 1002 is {K2})",
    ),
    ("/keps/sig-storage/0006-apply.md", "no KEP at keps/sig-storage/0006-apply.md"),
    ("kinflate", "no KEP at kinflate"),
    ("@someone", "names no KEP: neither a folder, a number nor a link"),
    ("the old design", "names no KEP: neither a folder, a number nor a link"),
]


@pytest.mark.parametrize(("text", "reason"), UNRESOLVED)
def test_what_names_no_kep(tmp_path: Path, text: str, reason: str) -> None:
    root = write_checkout(tmp_path / "enhancements", count=4)
    add_links(root, K0, replaces=[text])
    links = keps.load(root).links
    assert links.unresolved == (Unresolved(K0, "replaces", text, reason),)
    assert links.edges == ()
    assert links.unresolved[0].broken == (reason not in (PLACEHOLDER, ELSEWHERE, NOT_A_KEP, ITSELF))


def test_a_folder_name_two_keps_share_names_neither(tmp_path: Path) -> None:
    root = write_checkout(tmp_path / "enhancements", count=4)
    add_kep(root, "keps/sig-node/1020-same", 1020)
    add_kep(root, "keps/sig-apps/1020-same", 1020)
    add_links(root, K0, see_also=["1020-same", "keps/sig-apps/1020-same"])
    links = keps.load(root).links
    assert links.edges == (Edge(K0, "keps/sig-apps/1020-same", "see-also"),)
    reason = "the folder name 1020-same is used by 2 KEPs: keps/sig-apps/1020-same, keps/sig-node/1020-same"
    assert links.unresolved == (Unresolved(K0, "see-also", "1020-same", reason),)


def test_the_2018_layout_links_by_location(tmp_path: Path) -> None:
    """A 2018 content root's replace step writes locations without keps/: they resolve."""
    old = make_kep(tmp_path, "sig-node/old-way", state=keps.State.IMPLEMENTABLE)
    new = make_kep(tmp_path, "sig-node/new-way", state=keps.State.PROVISIONAL)
    new.update(replaces=("sig-node/sig-wide/old-way",))
    new.persist()
    old.update(superseded_by=("sig-node/sig-wide/new-way/",))
    old.persist()
    links = keps.load(tmp_path).links
    assert links.edges == (  # the old KEP has a number, so it comes first
        Edge("sig-node/sig-wide/old-way", "sig-node/sig-wide/new-way", "superseded-by"),
        Edge("sig-node/sig-wide/new-way", "sig-node/sig-wide/old-way", "replaces"),
    )
    assert locations(links.of("sig-node/sig-wide/old-way").replaced_by) == [
        "sig-node/sig-wide/new-way"
    ]


# -- the corpus, against a resolution written out plainly --


def plain_target(
    text: str, by_location: dict[str, str], by_number: dict[int, list[str]]
) -> str | None:
    """The location *text* names by the rules of keps.analysis.links, step by step; None
    when it names no KEP. Written apart from keps: regular expressions and string methods."""
    t = text.strip().strip("\"'`").strip()
    link = re.fullmatch(r"\[[^\]]*\]\(\s*(\S+?)\s*\)", t)
    if link:
        t = link.group(1)
    elif t[:1] + t[-1:] in ("()", "<>"):
        t = t[1:-1].strip()
    if "://" in t:
        t = t.split()[0]
        github = re.match(
            r"https?://(www\.)?github\.com/kubernetes/enhancements/(tree|blob|issues)/([^?#]+)",
            t,
            re.IGNORECASE,
        )
        if github is None:
            return None
        if github.group(2) == "issues":
            number = github.group(3).split("/")[0]
            found = by_number.get(int(number), []) if number.isdigit() else []
            return found[0] if len(found) == 1 else None
        path = github.group(3).partition("/")[2]  # after the branch or commit
    else:
        number = re.fullmatch(r"(KEP[-_ ]?|#)?(\d+)", t, re.IGNORECASE)
        if number:
            found = by_number.get(int(number.group(2)), [])
            return found[0] if len(found) == 1 else None
        path = t.removeprefix("/").removeprefix("kubernetes/enhancements/")
    parts = [p for p in path.split("/") if p and p != "."]
    while parts and parts[-1] in ("README.md", "kep.yaml"):
        parts.pop()
    if not parts:
        return None
    tries = [parts, parts[1:]] if parts[0] == "keps" else [parts, ["keps", *parts]]
    for candidate in tries:
        for end in range(len(candidate), 0, -1):
            location = "/".join(candidate[:end])
            if location in by_location:
                return location
    same_folder = [loc for loc in by_location if loc.rsplit("/", 1)[-1] == parts[-1]]
    return same_folder[0] if len(same_folder) == 1 else None


@pytest.mark.corpus
def test_every_link_of_the_corpus(tmp_path: Path) -> None:
    """Each resolved link is what the plain resolution says; the rest are counted by reason."""
    if not CORPUS.is_dir():
        pytest.skip(
            f"needs the shared KEP corpus at {CORPUS} (absent in a fresh clone; present in CI)"
        )
    root = tmp_path / "enhancements"
    shutil.copytree(CORPUS / "enhancements-2026", root)
    collection = keps.load(root)
    by_location = {entry.location: entry.location for entry in collection}
    by_number: dict[int, list[str]] = {}
    for entry in collection:
        if entry.kep_number is not None:
            by_number.setdefault(entry.kep_number, []).append(entry.location)
    expected: set[Edge] = set()
    references = 0
    for entry in collection:
        for kind, texts in (
            ("replaces", entry.replaces),
            ("superseded-by", entry.superseded_by),
            ("see-also", entry.see_also),
        ):
            for text in texts:
                references += 1
                target = plain_target(text, by_location, by_number)
                if target is not None and target != entry.location:
                    expected.add(Edge(entry.location, target, kind))
    links = collection.links
    assert set(links.edges) == expected
    assert len(links.edges) == len(expected) == 269
    assert references == 486
    assert len(links.unresolved) == references - len(links.edges) == 217
    reasons = Counter(re.sub(r" (at|numbered) .*", r" \1 ...", u.reason) for u in links.unresolved)
    assert reasons == {
        ELSEWHERE: 82,
        "no KEP at ...": 63,
        PLACEHOLDER: 37,
        NOT_A_KEP: 20,
        "no KEP numbered ...": 14,
        ITSELF: 1,
    }
    assert sum(u.broken for u in links.unresolved) == 77
    # the references meant for a KEP whose folder name changed say which KEP has the number
    sidecar = [u for u in links.unresolved if u.location == "keps/sig-node/753-sidecar-containers"]
    assert sidecar == [
        Unresolved(
            "keps/sig-node/753-sidecar-containers",
            "see-also",
            "/keps/sig-node/4438-sidecar-restart-termination",
            "no KEP at keps/sig-node/4438-sidecar-restart-termination"
            " (KEP 4438 is keps/sig-node/4438-container-restart-termination)",
        )
    ]
