"""keps.signoff: who decides on each KEP, what it waits for, and since when - both layouts.

A kubernetes/enhancements checkout is written commit by commit with pygit2 (known
authors and times) and its last snapshot is also the work tree, so sign-offs come from
the files and waits from git, exactly. A 2018 content root is made by the lifecycle
steps at known times, with a sigs.yaml that names each SIG's leadership. Every wait is
measured to a fixed NOW, never to the clock. OWNERS_ALIASES and sigs.yaml are
untrusted: each broken form gives a problem naming the file, never a crash.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

import pygit2
import pytest

import keps
import keps.signoff as so
from keps import workflow
from keps.errors import InvalidArgumentError, KepNotFoundError
from keps.history import History
from keps.keps.states import State
from keps.signoff import Kind, Status
from keps.signoff.groups import read_groups
from tests.workflow_helpers import edit, runtime

UTC = dt.UTC
JAN, MAR, JUN = (dt.datetime(2024, m, 1, tzinfo=UTC) for m in (1, 3, 6))
NOW = dt.datetime(2024, 7, 1, tzinfo=UTC)

FASTER = "keps/sig-node/1000-faster-pods"
SLOW = "keps/sig-apps/1001-slow-jobs"
OLD = "keps/sig-storage/1002-old-volumes"
DONE = "keps/sig-node/1003-done"

OWNERS_ALIASES = """\
aliases:
  sig-node-leads:
    - dchen1107
    - mrunalp
  sig-node-approvers:
    - derekwaynecarr
  sig-apps-leads:
    - janetkuo
  sig-storage-tech-leads:
    - msau42
  prod-readiness-approvers:
    - deads2k
    - jpbetz
  enhancements-approvers:
    - kikisdeliveryservice
"""


def kep_yaml(number: int, sig: str, status: str, **fields: object) -> str:
    """A kep.yaml; *fields* are lists (approvers=[...]) or text, keys spelt with '_'."""
    lines = [
        f"title: KEP {number}",
        f"kep-number: {number}",
        "authors:",
        '  - "@alice"',
        f"owning-sig: {sig}",
        f"status: {status}",
        "creation-date: 2023-06-01",
    ]
    for key, value in fields.items():
        name = key.replace("_", "-")
        if isinstance(value, list):
            lines.append(f"{name}:" + ("" if value else " []"))
            lines += [f'  - "{item}"' for item in value]
        elif isinstance(value, dict):
            lines.append(f"{name}:")
            lines += [f'  {k}: "{v}"' for k, v in value.items()]
        else:
            lines.append(f'{name}: "{value}"')
    return "\n".join(lines) + "\n"


def faster(status: str) -> str:
    """KEP 1000 of SIG Node: approval given, sig-apps given, sig-storage unconfirmed."""
    return kep_yaml(
        1000,
        "sig-node",
        status,
        participating_sigs=["sig-apps", "sig-storage"],
        reviewers=["@janetkuo", "@Rita"],
        approvers=["@MrunalP"],
        prr_approvers=["@jpbetz"],
        stage="beta",
        latest_milestone="v1.30",
        milestone={"alpha": "v1.29", "beta": "v1.30"},
    )


def snapshot(faster_status: str, old_milestone: str, readme: str) -> dict[str, str]:
    """The whole checkout at one commit."""
    return {
        "OWNERS_ALIASES": OWNERS_ALIASES,
        f"{FASTER}/kep.yaml": faster(faster_status),
        f"{FASTER}/README.md": "# Faster pods\n",
        "keps/prod-readiness/sig-node/1000.yaml": 'kep-number: 1000\nalpha:\n  approver: "@deads2k"\n',
        f"{SLOW}/kep.yaml": kep_yaml(
            1001,
            "sig-apps",
            "provisional",
            participating_sigs=["sig-node"],
            reviewers=["@mrunalp"],
            approvers=["@janetkuo"],
        ),
        f"{SLOW}/README.md": readme,
        f"{OLD}/kep.yaml": kep_yaml(
            1002,
            "sig-storage",
            "implementable",
            participating_sigs=["sig-node", "sig-storage"],
            approvers=["@janetkuo"],
            stage="alpha",
            latest_milestone=old_milestone,
            milestone={"alpha": old_milestone},
        ),
        f"{OLD}/README.md": "# Old volumes\n",
        f"{DONE}/kep.yaml": kep_yaml(1003, "sig-node", "implemented", approvers=[]),
        f"{DONE}/README.md": "# Done\n",
    }


class Git:
    """A git repository written with pygit2, one whole snapshot per commit; the last
    snapshot is also written to the work tree."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.repo = pygit2.init_repository(str(path))

    def commit(self, files: Mapping[str, str], when: dt.datetime, author: str) -> str:
        index = pygit2.Index()
        for name, text in files.items():
            blob = self.repo.create_blob(text.encode())
            index.add(pygit2.IndexEntry(name, blob, pygit2.enums.FileMode.BLOB))
        signature = pygit2.Signature(
            author, f"{author.lower()}@example.com", int(when.timestamp()), 0
        )
        parents = [] if self.repo.head_is_unborn else [self.repo.head.target]
        oid = self.repo.create_commit(
            "HEAD", signature, signature, f"by {author}", index.write_tree(self.repo), parents
        )
        for name, text in files.items():
            path = self.path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return str(oid)


def build_checkout(root: Path) -> list[str]:
    """Jan 1 (Alice) every KEP; Mar 1 (Bob) KEP 1000 implementable; Jun 1 (Carol) KEP
    1002's milestone, and KEP 1001's README only (no followed field: no change of it)."""
    git = Git(root)
    return [
        git.commit(snapshot("provisional", "v1.18", "# Slow jobs\n"), JAN, "Alice"),
        git.commit(snapshot("implementable", "v1.18", "# Slow jobs\n"), MAR, "Bob"),
        git.commit(snapshot("implementable", "v1.20", "# Slow jobs, again\n"), JUN, "Carol"),
    ]


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "enhancements"
    return root, build_checkout(root)


def by_what(signed: so.SignOffs) -> dict[str, tuple[Status, tuple[str, ...], tuple[str, ...]]]:
    return {s.what: (s.status, s.given_by, s.unconfirmed_by) for s in signed.sign_offs}


class TestCheckout:
    def test_each_sign_off_given_unconfirmed_or_missing(
        self, checkout: tuple[Path, list[str]]
    ) -> None:
        root, _ = checkout
        signed = so.of(keps.load(root), 1000)
        assert by_what(signed) == {
            "approval of sig-node": (Status.GIVEN, ("MrunalP",), ()),
            "participation of sig-apps": (Status.GIVEN, ("janetkuo",), ("Rita",)),
            "participation of sig-storage": (Status.UNCONFIRMED, (), ("Rita",)),
            "production readiness for beta": (Status.MISSING, (), ()),
        }
        approval, apps, storage, prr = signed.sign_offs
        assert approval.can_give == ("dchen1107", "mrunalp", "derekwaynecarr")  # leads first
        assert approval.listed == ("MrunalP",)
        assert apps.listed == ("MrunalP", "janetkuo", "Rita")
        assert apps.can_give == ("janetkuo",)
        assert storage.can_give == ("msau42",)
        assert (prr.kind, prr.stage, prr.listed, prr.can_give) == (
            Kind.PRODUCTION_READINESS,
            "beta",
            ("jpbetz",),
            ("deads2k", "jpbetz"),
        )
        assert signed.missing == (prr,)
        assert signed.people_from == str(root / "OWNERS_ALIASES")
        assert signed.problems == ()

    def test_the_wait_is_the_newest_change_in_git(self, checkout: tuple[Path, list[str]]) -> None:
        root, commits = checkout
        signed = so.of(keps.load(root), 1000)
        assert signed.since == so.Since(MAR, "git", commits[1], "Bob <bob@example.com>")
        assert signed.waited(NOW) == dt.timedelta(days=122)  # Mar 1 to Jul 1
        assert so.of(keps.load(root), SLOW).since.time == JAN  # a README edit is no change
        assert so.of(keps.load(root), 1002).since.commit == commits[2]

    def test_a_provisional_kep_waits_for_its_approval_whoever_it_lists(
        self, checkout: tuple[Path, list[str]]
    ) -> None:
        root, _ = checkout
        signed = so.of(keps.load(root), SLOW)
        approval, node = signed.sign_offs
        assert (approval.status, approval.listed, approval.given_by) == (
            Status.MISSING,
            ("janetkuo",),
            (),
        )
        assert approval.can_give == ("janetkuo",)
        assert (node.what, node.status, node.given_by) == (
            "participation of sig-node",
            Status.GIVEN,
            ("mrunalp",),
        )

    def test_people_of_other_groups_only_leave_a_sign_off_missing(
        self, checkout: tuple[Path, list[str]]
    ) -> None:
        """KEP 1002 lists only a SIG Apps lead: neither SIG Storage nor SIG Node has anyone;
        its own SIG among its participating SIGs needs no second sign-off; v1.20 needs no PRR."""
        root, _ = checkout
        assert by_what(so.of(keps.load(root), 1002)) == {
            "approval of sig-storage": (Status.MISSING, (), ()),
            "participation of sig-node": (Status.MISSING, (), ()),
        }

    def test_the_agenda_oldest_first(self, checkout: tuple[Path, list[str]]) -> None:
        root, commits = checkout
        lines = so.waiting(keps.load(root), now=NOW)
        assert [(w.entry.kep_number, w.sign_off.what, w.waited) for w in lines] == [
            (1001, "approval of sig-apps", dt.timedelta(days=182)),
            (1000, "production readiness for beta", dt.timedelta(days=122)),
            (1002, "approval of sig-storage", dt.timedelta(days=30)),
            (1002, "participation of sig-node", dt.timedelta(days=30)),
        ]  # KEP 1003 is implemented: final, never on an agenda
        assert [w.since.commit for w in lines] == [commits[0], commits[1], commits[2], commits[2]]

    def test_the_agenda_of_one_sig(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        ks = keps.load(root)
        for name in ("sig-node", "node"):
            lines = so.waiting(ks, sig=name, now=NOW)
            assert [(w.entry.kep_number, w.sign_off.kind) for w in lines] == [
                (1002, Kind.PARTICIPATION)
            ]
        lines = so.waiting(ks, sig="prod-readiness", now=NOW)
        assert [(w.entry.kep_number, w.sign_off.stage) for w in lines] == [(1000, "beta")]
        with pytest.raises(InvalidArgumentError, match="did you mean sig-node"):
            so.waiting(ks, sig="sig-nod", now=NOW)

    @pytest.mark.parametrize(
        ("age", "numbers"),
        [
            ("100d", [1001, 1000]),
            ("25w", [1001]),  # 175 days
            ("26w", []),  # 182 days: KEP 1001 waited exactly that long, not longer
            ("1m", [1001, 1000]),  # 30 days: KEP 1002 waited exactly that long
            ("29d", [1001, 1000, 1002, 1002]),
            ("1y", []),
            (dt.timedelta(days=121), [1001, 1000]),
        ],
    )
    def test_older_than(
        self, checkout: tuple[Path, list[str]], age: str | dt.timedelta, numbers: list[int]
    ) -> None:
        root, _ = checkout
        lines = so.waiting(keps.load(root), older_than=age, now=NOW)
        assert [w.entry.kep_number for w in lines] == numbers

    def test_without_git_the_dates_of_kep_yaml(self, checkout: tuple[Path, list[str]]) -> None:
        """An empty history (or a copy without .git) falls back to creation-date."""
        root, _ = checkout
        signed = so.of(keps.load(root), 1000, history=History((), ()))
        assert signed.since == so.Since(dt.datetime(2023, 6, 1, tzinfo=UTC), "creation-date")

    def test_records_are_plain(self, checkout: tuple[Path, list[str]]) -> None:
        root, commits = checkout
        record = so.of(keps.load(root), 1000).to_record(NOW)
        assert record["since"] == "2024-03-01T00:00:00.000000Z"
        assert (record["days"], record["seconds"]) == (122.0, 122 * 86400)
        assert (record["since_source"], record["since_commit"]) == ("git", commits[1])
        assert record["milestones"] == {"alpha": "v1.29", "beta": "v1.30"}
        assert [s["status"] for s in record["sign_offs"]] == [
            "given",
            "given",
            "unconfirmed",
            "missing",
        ]
        assert record["missing"] == 1

    def test_reprs_are_one_short_line(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        ks = keps.load(root)
        signed = so.of(ks, 1000)
        assert repr(signed) == (
            "<SignOffs 1000 keps/sig-node/1000-faster-pods: 2 given, 1 unconfirmed, 1 missing>"
        )
        assert repr(signed.sign_offs[0]) == "<SignOff approval of sig-node given by MrunalP>"
        assert repr(signed.since).startswith("<Since 2024-03-01T00:00:00+00:00 from git ")
        assert repr(so.waiting(ks, now=NOW)[0]) == "<Waiting 1001 approval of sig-apps for 182d>"
        assert repr(read_groups(root)).startswith("<Groups from ")

    def test_an_unknown_kep(self, checkout: tuple[Path, list[str]]) -> None:
        root, _ = checkout
        with pytest.raises(KepNotFoundError):
            so.of(keps.load(root), 4242)


SIGS_YAML = """\
sigs:
  - dir: sig-node
    name: Node
    leadership:
      chairs:
        - github: dchen1107
          name: Dawn Chen
      tech_leads:
        - github: arnold
    subprojects:
      - name: kubelet
  - dir: sig-apps
    name: Apps
    leadership:
      chairs:
        - github: janetkuo
    subprojects: []
  - dir: sig-architecture
    name: Architecture
"""

DAYS = [dt.datetime(2019, 1, d, 12, tzinfo=UTC) for d in (1, 5, 10, 20)]


def seed_root(tmp_path: Path) -> Path:
    """Two 2018 KEPs: my-kep approved by arnold (a SIG Node tech lead) on Jan 20, with
    SIG Apps participating; other-kep accepted by janetkuo on Jan 10, still provisional."""
    root = tmp_path / "content"
    root.mkdir()
    (root / "sigs.yaml").write_text(SIGS_YAML, encoding="utf-8")
    mine = workflow.init(runtime(root, "sig-node/my-kep"), now=DAYS[0])
    edit(mine, "summary.md", "motivation.md")
    workflow.propose(runtime(root, "sig-node/my-kep"), now=DAYS[1])
    workflow.accept(runtime(root, "sig-node/my-kep", "arnold"), now=DAYS[2])
    workflow.plan(runtime(root, "sig-node/my-kep"), now=DAYS[2])
    edit(mine, "guides/developer.md", "guides/operator.md", "guides/teacher.md")
    edit(mine, "graduation_criteria.md")
    workflow.approve(runtime(root, "sig-node/my-kep", "arnold"), now=DAYS[3])
    kep = keps.open(mine)
    kep.update(participating_sigs=("sig-apps",))
    kep.persist(check=False)
    other = workflow.init(runtime(root, "sig-node/other-kep"), now=DAYS[0])
    edit(other, "summary.md", "motivation.md")
    workflow.propose(runtime(root, "sig-node/other-kep"), now=DAYS[1])
    workflow.accept(runtime(root, "sig-node/other-kep", "janetkuo"), now=DAYS[2])
    return root


class TestSeedLayout:
    def test_sign_offs_come_from_the_leadership_and_the_events(self, tmp_path: Path) -> None:
        root = seed_root(tmp_path)
        ks = keps.load(root)
        signed = so.of(ks, "sig-node/sig-wide/my-kep")
        assert by_what(signed) == {
            "approval of sig-node": (Status.GIVEN, ("arnold",), ()),
            "participation of sig-apps": (Status.MISSING, (), ()),  # arnold is SIG Node's
        }
        assert signed.sign_offs[0].can_give == ("dchen1107", "arnold")
        assert signed.sign_offs[1].can_give == ("janetkuo",)
        assert signed.people_from == str(root / "sigs.yaml")
        assert signed.since == so.Since(DAYS[3], "events", author="arnold")

    def test_a_provisional_seed_kep_waits_for_its_approval(self, tmp_path: Path) -> None:
        root = seed_root(tmp_path)
        lines = so.waiting(keps.load(root), now=dt.datetime(2019, 2, 9, 12, tzinfo=UTC))
        assert [(w.entry.location, w.sign_off.what, w.waited) for w in lines] == [
            ("sig-node/sig-wide/other-kep", "approval of sig-node", dt.timedelta(days=30)),
            ("sig-node/sig-wide/my-kep", "participation of sig-apps", dt.timedelta(days=20)),
        ]
        assert lines[0].since == so.Since(DAYS[2], "events", author="janetkuo")
        assert lines[0].sign_off.listed == ("janetkuo",)  # accepted, not approved

    def test_without_leadership_nobody_is_known(self, tmp_path: Path) -> None:
        """No sigs.yaml of its own: the KEP's listed people are unconfirmed."""
        root = seed_root(tmp_path)
        (root / "sigs.yaml").write_text(SIGS_YAML.replace("leadership", "leaders"))
        signed = so.of(keps.load(root), "sig-node/sig-wide/my-kep")
        assert [(s.status, s.can_give) for s in signed.sign_offs] == [
            (Status.UNCONFIRMED, ()),
            (Status.UNCONFIRMED, ()),
        ]


class TestFinalStates:
    def test_final_states_come_from_the_transition_table(self) -> None:
        final = so.FINAL_STATES
        assert final == {
            State.IMPLEMENTED,
            State.REJECTED,
            State.WITHDRAWN,
            State.REPLACED,
        }
        assert not so.is_final(State.DEFERRED)  # it may be taken up again
        assert not so.is_final(None)


class TestAges:
    @pytest.mark.parametrize(
        ("text", "days"),
        [("90d", 90), ("12w", 84), ("6m", 180), ("1y", 365), (" 2W ", 14), ("0d", 0)],
    )
    def test_an_age(self, text: str, days: int) -> None:
        assert so.parse_age(text) == dt.timedelta(days=days)

    @pytest.mark.parametrize("text", ["90", "d", "3x", "-1d", "1.5d", "", "9999999d"])
    def test_not_an_age(self, text: str) -> None:
        with pytest.raises(InvalidArgumentError, match="such as 90d"):
            so.parse_age(text)


# -- hostile files -------------------------------------------------------------------------


def write_aliases(root: Path, text: str | bytes) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "OWNERS_ALIASES"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


class TestHostileFiles:
    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("aliases: [unclosed", "owners-aliases-unreadable"),
            ("- just\n- a list\n", "owners-aliases-invalid"),
            ("aliases: 3\n", "owners-aliases-invalid"),
            ("aliases:\n  a: 1\n  a: 2\n", "owners-aliases-unreadable"),  # a duplicate key
            ("x: &a [*a]\n", "owners-aliases-unreadable"),
            (b"\xff\n", "owners-aliases-unreadable"),  # not UTF-8
        ],
    )
    def test_a_broken_owners_aliases_is_a_problem_naming_it(
        self, tmp_path: Path, text: str | bytes, code: str
    ) -> None:
        path = write_aliases(tmp_path, text)
        groups = read_groups(tmp_path)
        assert [p.code for p in groups.problems] == [code]
        assert groups.problems[0].path == str(path)
        assert groups.people == {}

    def test_bad_entries_are_skipped_and_said(self, tmp_path: Path) -> None:
        path = write_aliases(
            tmp_path,
            "aliases:\n"
            "  sig-node-leads: [dchen1107, {a: b}, null, 42, true, '@mrunalp']\n"
            "  sig-apps-leads: janetkuo\n"
            "  7: [x]\n"
            "  prod-readiness-approvers: [deads2k, DEADS2K]\n",
        )
        groups = read_groups(tmp_path)
        assert groups.of("sig-node") == ("dchen1107", "42", "mrunalp")
        assert groups.of("sig-apps") == ()
        assert groups.prr == ("deads2k",)  # one person, however spelt
        assert len(groups.problems) == 4
        assert {p.path for p in groups.problems} == {str(path)}

    def test_a_fifo_is_not_read(self, tmp_path: Path) -> None:
        tmp_path.mkdir(exist_ok=True)
        os.mkfifo(tmp_path / "OWNERS_ALIASES")
        groups = read_groups(tmp_path)  # returns at once: a FIFO would block a plain read
        assert [p.code for p in groups.problems] == ["owners-aliases-unreadable"]
        assert "FIFO" in groups.problems[0].message

    def test_a_link_out_of_the_root_is_not_followed(self, tmp_path: Path) -> None:
        outside = write_aliases(tmp_path / "elsewhere", OWNERS_ALIASES)
        root = tmp_path / "root"
        root.mkdir()
        (root / "OWNERS_ALIASES").symlink_to(outside)
        groups = read_groups(root)
        assert [p.code for p in groups.problems] == ["path-outside"]
        assert groups.people == {}

    def test_a_folder_of_that_name(self, tmp_path: Path) -> None:
        (tmp_path / "OWNERS_ALIASES").mkdir()
        assert [p.code for p in read_groups(tmp_path).problems] == ["owners-aliases-unreadable"]

    def test_a_broken_leadership_is_a_problem_naming_sigs_yaml(self, tmp_path: Path) -> None:
        text = (
            "sigs:\n"
            "  - dir: sig-node\n    leadership: [x]\n"
            "  - dir: sig-apps\n    leadership:\n      chairs: [{name: No Handle}, {github: ok}]\n"
            "      tech_leads: 3\n"
        )
        (tmp_path / "sigs.yaml").write_text(text)
        groups = read_groups(tmp_path)
        assert groups.of("sig-apps") == ("ok",)
        assert [p.code for p in groups.problems] == ["sigs-leadership-invalid"] * 3
        assert {p.path for p in groups.problems} == {str(tmp_path / "sigs.yaml")}

    def test_a_checkout_with_broken_owners_aliases_still_answers(
        self, checkout: tuple[Path, list[str]]
    ) -> None:
        root, _ = checkout
        (root / "OWNERS_ALIASES").write_text("aliases: [\n")
        signed = so.of(keps.load(root), 1000)
        assert [p.code for p in signed.problems] == ["owners-aliases-unreadable"]
        assert all(s.can_give == () for s in signed.sign_offs)
        assert signed.sign_offs[0].status is Status.UNCONFIRMED  # nobody known: unconfirmed
