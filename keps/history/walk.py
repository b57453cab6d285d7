"""Walking a kubernetes/enhancements repository's first-parent history with pygit2.

Oldest commit first, each commit's ``keps/`` tree is compared with its first parent's
(libgit2 skips every subtree whose id did not change), and only the kep.yaml files of
KEP folders (``keps/<sig>/[<group>/]<kep>/kep.yaml``, not the template) are read. A
merge counts as one commit on the main line: its changes are the merged branch's, at
the time it was merged. No work tree and no ``git`` binary are involved.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import attrs
import pygit2

from keps._checkout import TEMPLATE_DIR
from keps._names import KEP_FILE, KEPS_DIR, PRR_DIR
from keps.history.blobs import BlobReader, Parsed, Skipped
from keps.history.history import History
from keps.history.trails import Book, Stamp
from keps.keps.numbers import KepNumberRangeError, parse_kep_number
from keps.problems import Problem, Severity

__all__ = ["keps_tree", "walk"]

_NOT_KEPS = frozenset({TEMPLATE_DIR, PRR_DIR})
_NUMBERED = re.compile(r"(\d+)-")
_SUFFIX = f"/{KEP_FILE}".encode()
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

#: path under keps/ -> (blob id, mode) as the commit has it, or None: deleted
_Changed = dict[str, tuple[Any, int] | None]


def _warning(code: str, message: str, path: str | None = None, line: int | None = None) -> Problem:
    return Problem(code, message, path=path, line=line, severity=Severity.WARNING)


def _first_parents(repo: Any, head: Any, problems: list[Problem]) -> list[Any]:
    """*head* and its first parents, oldest first; a shallow clone's history ends early."""
    chain = [head]
    while chain[-1].parent_ids:
        parent = chain[-1].parent_ids[0]
        try:
            chain.append(repo[parent])
        except (KeyError, ValueError, pygit2.GitError):
            msg = f"commit {chain[-1].id} has no parent {parent} here (a shallow clone?): history starts there"
            problems.append(_warning("history-shallow", msg))
            break
    chain.reverse()
    return chain


def _author(signature: Any) -> str:
    """``name <email>``; bytes that are not text in its encoding show as replacement marks."""
    try:
        name, email = signature.name, signature.email
    except (UnicodeDecodeError, LookupError, ValueError):
        name = signature.raw_name.decode("utf-8", "replace")
        email = signature.raw_email.decode("utf-8", "replace")
    return f"{name} <{email}>" if email else str(name)


def _time(commit: Any, problems: list[Problem]) -> dt.datetime:
    """When *commit* was committed, in UTC.

    git stores the instant (seconds since the epoch) and, apart, the committer's offset
    from UTC; the offset only says which wall clock the committer read, so the instant
    is the UTC time as it is.
    """
    try:
        return dt.datetime.fromtimestamp(commit.commit_time, dt.UTC)
    except (OverflowError, OSError, ValueError):
        msg = f"commit {commit.id} has a commit time no calendar holds; taken as 1970-01-01"
        problems.append(_warning("history-time-invalid", msg))
        return _EPOCH


def keps_tree(commit: Any) -> Any:
    """The ``keps/`` tree of *commit*, or None when it has none (or something else there)."""
    try:
        found = commit.tree[KEPS_DIR]
    except (KeyError, ValueError, pygit2.GitError):
        return None
    return found if isinstance(found, pygit2.Tree) else None


def _has(tree: Any, path: str) -> bool:
    try:
        tree[path]
    except (KeyError, ValueError, pygit2.GitError):
        return False
    return True


def _is_kep_file(path: str, tree: Any) -> bool:
    """True for ``<sig>/<kep>/kep.yaml`` or ``<sig>/<group>/<kep>/kep.yaml`` under keps/.

    As the index walks a checkout: no hidden folder, not the template or the approvals,
    and not a folder inside a KEP folder.
    """
    parts = path.split("/")
    if len(parts) not in (3, 4) or parts[-1] != KEP_FILE or parts[0] in _NOT_KEPS:
        return False
    if any(part.startswith(".") or not part for part in parts):
        return False
    return len(parts) == 3 or not _has(tree, f"{parts[0]}/{parts[1]}/{KEP_FILE}")


def _changed(old: Any, new: Any, commit: str, problems: list[Problem]) -> _Changed:
    """The kep.yaml files under keps/ that differ between trees *old* and *new*."""
    if old is None and new is None:
        return {}
    if old is None:
        diff = new.diff_to_tree(swap=True)
    elif new is None:
        diff = old.diff_to_tree()
    else:
        diff = old.diff_to_tree(new)
    changed: _Changed = {}
    for delta in diff.deltas:
        gone = delta.status == pygit2.enums.DeltaStatus.DELETED
        file = delta.old_file if gone else delta.new_file
        raw = file.raw_path
        if not raw.endswith(_SUFFIX):
            continue
        try:
            path = raw.decode("utf-8")
        except UnicodeDecodeError:
            shown = f"{KEPS_DIR}/{raw.decode('utf-8', 'backslashreplace')}"
            msg = f"{shown} at commit {commit}: the path is not UTF-8; skipped"
            problems.append(_warning("not-utf8", msg, shown))
            continue
        if not _is_kep_file(path, old if gone else new):
            continue
        if gone:
            changed.setdefault(path, None)
        else:  # a file that changed kind shows as deleted and added: it is the added one
            changed[path] = (file.id, file.mode)
    return changed


def _folder_number(location: str) -> int | None:
    """The number a KEP folder's name starts with (``1234-name``), if any."""
    match = _NUMBERED.match(location.rsplit("/", 1)[-1])
    if match is None:
        return None
    try:
        return parse_kep_number(match[1])
    except (KepNumberRangeError, ValueError):
        return None


def _skipped(location: str, commit: str, why: Skipped) -> Problem:
    path = f"{location}/{KEP_FILE}"
    msg = f"{path} at commit {commit}: {why.reason}; skipped for this commit"
    return _warning(why.code, msg, path, why.line)


def walk(repo: Any, head: Any) -> History:
    """The history of every KEP along the first parents of commit *head* in *repo*."""
    problems: list[Problem] = []
    reader = BlobReader(repo)
    book = Book()
    previous = None
    until: dt.datetime | None = None
    for commit in _first_parents(repo, head, problems):
        hexid = str(commit.id)
        stamp = Stamp(hexid, _author(commit.author), _time(commit, problems))
        current = keps_tree(commit)
        seen: dict[str, Parsed] = {}
        removed: list[str] = []
        for path, entry in _changed(previous, current, hexid, problems).items():
            location = f"{KEPS_DIR}/{path.rsplit('/', 1)[0]}"
            if entry is None:
                removed.append(location)
                continue
            found = reader.read(*entry)
            if isinstance(found, Skipped):
                problems.append(_skipped(location, hexid, found))
            elif found.kep_number is None:
                seen[location] = attrs.evolve(found, kep_number=_folder_number(location))
            else:
                seen[location] = found
        book.commit(stamp, seen, removed)
        previous = current
        until = stamp.time if until is None else max(until, stamp.time)
    return History(book.changes, book.trails(), problems, until)
