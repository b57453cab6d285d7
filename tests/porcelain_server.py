"""A GitHub stand-in for the porcelain tests: a real HTTP server and real bare repositories.

``FakeGitHub`` serves the REST calls PyGithub makes for porcelain on 127.0.0.1 (port 0,
in a thread) and keeps "GitHub's" repositories as bare pygit2 repositories under a root
folder, so ``git_url_template`` is a plain path template. Every request is recorded
(method, path, headers, JSON body) for the tests to assert on. Nothing here reaches the
internet.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import attrs
import pygit2

#: The token the fake accepts, and the account it belongs to.
TOKEN = "ghp_porcelainTEST0123456789secretTOKEN"
LOGIN = "alice"

UPSTREAM_OWNER = "kubernetes"
UPSTREAM_REPO = "enhancements"
UPSTREAM_FILES = {"README.md": "# Enhancements\n", "keps/README.md": "KEPs live here.\n"}


@attrs.frozen
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


class FakeGitHub:
    """GitHub's REST API for forks, pull requests and deletion, backed by bare repositories.

    ``answers[(method, path)] = (status, body)`` forces an answer (e.g. a 403);
    ``hang`` holds (method, path) pairs the server sits on until it stops (timeouts);
    ``echo_token`` makes error bodies repeat the Authorization header, as a careless
    proxy might, to prove the client masks it.
    """

    def __init__(self, root: Path, tokens: dict[str, str] | None = None) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.tokens = {TOKEN: LOGIN} if tokens is None else tokens
        self.requests: list[Recorded] = []
        self.answers: dict[tuple[str, str], tuple[int, Any]] = {}
        self.hang: set[tuple[str, str]] = set()
        self.echo_token = False
        self.pulls: list[dict[str, Any]] = []
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- life cycle ---------------------------------------------------------------------

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def api_url(self) -> str:
        """The base URL to give the client, as ``https://api.github.com`` would be."""
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    @property
    def git_url_template(self) -> str:
        """Where "GitHub" keeps repositories: a plain path template."""
        return str(self.root / "{owner}" / "{repo}.git")

    # -- repositories -------------------------------------------------------------------

    def repo_path(self, owner: str, repo: str) -> Path:
        """The bare repository standing for github.com/owner/repo."""
        return self.root / owner / f"{repo}.git"

    def exists(self, owner: str, repo: str) -> bool:
        """True when "GitHub" has *owner*/*repo*."""
        return self.repo_path(owner, repo).is_dir()

    def create_repo(self, owner: str, repo: str, files: dict[str, str]) -> Path:
        """A bare repository with one commit on ``main`` holding *files*."""
        return make_bare_repo(self.repo_path(owner, repo), files)

    def files_on_branch(self, owner: str, repo: str, branch: str) -> dict[str, str]:
        """Every file on *branch* of *owner*/*repo*, path to text."""
        return files_on_branch(self.repo_path(owner, repo), branch)

    def branches(self, owner: str, repo: str) -> list[str]:
        """The branch names of *owner*/*repo*."""
        bare = pygit2.Repository(str(self.repo_path(owner, repo)))
        try:
            return sorted(bare.branches.local)
        finally:
            bare.free()

    def commit_on_branch(self, owner: str, repo: str, branch: str) -> pygit2.Commit:
        """The tip commit of *branch* (author and committer are checked on it)."""
        bare = pygit2.Repository(str(self.repo_path(owner, repo)))
        return bare.references[f"refs/heads/{branch}"].peel(pygit2.Commit)

    def recorded(self, method: str, path: str) -> list[Recorded]:
        """The requests made with *method* to *path*."""
        return [r for r in self.requests if r.method == method and r.path == path]

    # -- the REST API -------------------------------------------------------------------

    def repo_json(self, owner: str, repo: str, *, fork: bool = False) -> dict[str, Any]:
        """The fields of a repository PyGithub reads."""
        return {
            "id": abs(hash((owner, repo))) % 10**8,
            "name": repo,
            "full_name": f"{owner}/{repo}",
            "owner": {"login": owner, "type": "User"},
            "default_branch": "main",
            "fork": fork,
            "private": False,
            "url": f"{self.api_url}/repos/{owner}/{repo}",
            "html_url": f"{self.api_url}/{owner}/{repo}",
            "clone_url": str(self.repo_path(owner, repo)),
        }

    def answer(self, method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        """The status and JSON body for one request."""
        if (method, path) in self.hang:
            self._release.wait(timeout=5)
        if (method, path) in self.answers:
            return self.answers[(method, path)]
        auth = headers.get("Authorization", "")
        login = self.tokens.get(auth.split(" ", 1)[-1]) if auth else None
        if login is None:
            return self._error(HTTPStatus.UNAUTHORIZED, "Bad credentials", auth)
        parts = path.strip("/").split("/")
        if method == "GET" and parts == ["user"]:
            return 200, {"login": login, "type": "User"}
        if len(parts) < 3 or parts[0] != "repos":
            return self._error(HTTPStatus.NOT_FOUND, "Not Found", auth)
        owner, repo, rest = parts[1], parts[2], parts[3:]
        if not self.exists(owner, repo):
            return self._error(HTTPStatus.NOT_FOUND, "Not Found", auth)
        if method == "GET" and not rest:
            return 200, self.repo_json(owner, repo)
        if method == "DELETE" and not rest:
            shutil.rmtree(self.repo_path(owner, repo))
            return 204, None
        if method == "POST" and rest == ["forks"]:
            return self._fork(owner, repo, login)
        if method == "POST" and rest == ["pulls"]:
            return self._pull(owner, repo, body)
        return self._error(HTTPStatus.NOT_FOUND, "Not Found", auth)

    def _error(self, status: HTTPStatus, message: str, auth: str) -> tuple[int, Any]:
        if self.echo_token:
            message = f"{message} (you sent Authorization: {auth})"
        return int(status), {
            "message": message,
            "documentation_url": "https://docs.github.com/rest",
        }

    def _fork(self, owner: str, repo: str, login: str) -> tuple[int, Any]:
        if not self.exists(login, repo):
            target = self.repo_path(login, repo)
            target.parent.mkdir(parents=True, exist_ok=True)
            pygit2.clone_repository(str(self.repo_path(owner, repo)), str(target), bare=True).free()
        return 202, self.repo_json(login, repo, fork=True)

    def _pull(self, owner: str, repo: str, body: Any) -> tuple[int, Any]:
        head, base = body.get("head", ""), body.get("base", "")
        for pull in self.pulls:
            if (pull["owner"], pull["repo"], pull["head"], pull["base"]) == (
                owner,
                repo,
                head,
                base,
            ):
                return 422, {
                    "message": "Validation Failed",
                    "errors": [
                        {
                            "resource": "PullRequest",
                            "code": "custom",
                            "message": f"A pull request already exists for {head}.",
                        }
                    ],
                }
        number = len(self.pulls) + 1
        self.pulls.append(
            {"owner": owner, "repo": repo, "head": head, "base": base, "number": number}
        )
        html = f"{self.api_url}/{owner}/{repo}/pull/{number}"
        return 201, {
            "number": number,
            "state": "open",
            "title": body.get("title"),
            "body": body.get("body"),
            "url": f"{self.api_url}/repos/{owner}/{repo}/pulls/{number}",
            "html_url": html,
            "head": {"label": head, "ref": head.split(":")[-1]},
            "base": {"label": f"{owner}:{base}", "ref": base},
            "maintainer_can_modify": body.get("maintainer_can_modify"),
        }


def make_bare_repo(path: Path, files: dict[str, str]) -> Path:
    """A bare repository at *path* with one commit on ``main`` holding *files*."""
    bare = pygit2.init_repository(str(path), bare=True, initial_head="main")
    index = pygit2.Index()
    for name, text in files.items():
        blob = bare.create_blob(text.encode("utf-8"))
        index.add(pygit2.IndexEntry(name, blob, pygit2.enums.FileMode.BLOB))
    tree = index.write_tree(bare)
    who = pygit2.Signature("Upstream", "upstream@example.com")
    bare.create_commit("refs/heads/main", who, who, "first commit", tree, [])
    bare.free()
    return path


def files_on_branch(path: Path, branch: str) -> dict[str, str]:
    """Every file on *branch* of the repository at *path*, path to text."""
    bare = pygit2.Repository(str(path))
    try:
        commit = bare.references[f"refs/heads/{branch}"].peel(pygit2.Commit)
        return dict(_walk(bare, commit.tree, ""))
    finally:
        bare.free()


@contextlib.contextmanager
def serve(root: Path) -> Iterator[FakeGitHub]:
    """A running FakeGitHub under *root* that already hosts kubernetes/enhancements."""
    with FakeGitHub(root) as fake:
        fake.create_repo(UPSTREAM_OWNER, UPSTREAM_REPO, UPSTREAM_FILES)
        yield fake


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens (for "connection refused")."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _walk(repo: pygit2.Repository, tree: pygit2.Tree, prefix: str) -> Iterator[tuple[str, str]]:
    for entry in tree:
        name = f"{prefix}{entry.name}"
        obj = repo[entry.id]
        if isinstance(obj, pygit2.Tree):
            yield from _walk(repo, obj, f"{name}/")
        elif isinstance(obj, pygit2.Blob):
            yield name, obj.data.decode("utf-8")


def _handler_for(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to *fake*."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read ``fake.requests`` instead."""

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            path = self.path.split("?", 1)[0]
            headers = dict(self.headers.items())
            fake.requests.append(Recorded(self.command, path, headers, body))
            if path.endswith("/info/refs"):
                # A git smart-HTTP endpoint that always asks for credentials: it lets a
                # test see what git sends, then refuse it.
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="fake"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, payload = fake.answer(self.command, path, headers, body or {})
            data = b"" if payload is None else json.dumps(payload).encode("utf-8")
            try:
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing to answer

        do_GET = do_POST = do_DELETE = do_PATCH = _serve

    return Handler
