"""A GitHub stand-in for the porcelain tests: a real HTTP server and real bare repositories.

``FakeGitHub`` serves the REST calls PyGithub makes for porcelain on 127.0.0.1 (port 0,
in a thread) and keeps "GitHub's" repositories as bare pygit2 repositories under a root
folder, so ``git_url_template`` is a plain path template. Every request is recorded
(method, path, headers, JSON body) for the tests to assert on. Nothing here reaches the
internet.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import socket
import threading
import traceback
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, quote

import attrs
import pygit2

#: The token the fake accepts, and the account it belongs to.
TOKEN = "ghp_porcelainTEST0123456789secretTOKEN"
LOGIN = "alice"

UPSTREAM_OWNER = "kubernetes"
UPSTREAM_REPO = "enhancements"
UPSTREAM_FILES = {"README.md": "# Enhancements\n", "keps/README.md": "KEPs live here.\n"}


@attrs.frozen
class Answer:
    """A forced answer: a status, a JSON body (or *raw* bytes as they are) and extra headers.

    ``Answer(302, headers={"Location": url})`` is a redirect; ``Answer(200, raw=b"[[[")``
    a body that is not JSON; ``Answer(500, ["a", "list"])`` JSON of the wrong shape.
    """

    status: int
    body: Any = None
    raw: bytes | None = None
    headers: dict[str, str] = attrs.field(factory=dict)

    def payload(self) -> bytes:
        """The bytes sent as the body."""
        if self.raw is not None:
            return self.raw
        return b"" if self.body is None else json.dumps(self.body).encode("utf-8")


def echoes(token: str) -> dict[str, str]:
    """*token* as a careless server or proxy may repeat it: raw, URL-quoted, base64."""
    return {
        "X-Echo-Raw": token,
        "X-Echo-Quoted": quote(token, safe=""),
        "X-Echo-Basic": base64.b64encode(f"x-access-token:{token}".encode()).decode(),
        "X-Echo-Base64": base64.b64encode(token.encode()).decode(),
    }


def token_forms(token: str) -> dict[str, str]:
    """Every spelling of *token* a leak check looks for, named; independent of keps' redact."""
    b64 = base64.b64encode
    forms = {
        "raw": token,
        "quoted": quote(token, safe=""),
        "quoted, / kept": quote(token),
        "quoted, lower-case hex": quote(token, safe="").lower(),
        "Basic auth": b64(f"x-access-token:{token}".encode()).decode(),
        "base64": b64(token.encode()).decode(),
        "base64 unpadded": b64(token.encode()).decode().rstrip("="),
        "URL-safe base64": base64.urlsafe_b64encode(token.encode()).decode().rstrip("="),
    }
    return {name: form for name, form in forms.items() if form}


def leaks(text: str, token: str) -> list[str]:
    """The names of the forms of *token* found in *text* (empty: no leak)."""
    return [name for name, form in token_forms(token).items() if form in text]


def _attribute_texts(value: object, depth: int, seen: set[int]) -> Iterator[str]:
    """repr() of *value* and of what it holds: dict items, list items, attributes."""
    if id(value) in seen or depth < 0:
        return
    seen.add(id(value))
    try:
        yield repr(value)
    except Exception:  # a broken repr shows nothing, so it leaks nothing either
        return
    if isinstance(value, str | bytes | int | float | bool) or value is None:
        return
    children: list[object] = []
    if isinstance(value, dict):
        children = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set | frozenset):
        children = list(value)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        children = list(vars(value).values())
    for child in children:
        yield from _attribute_texts(child, depth - 1, seen)


def exception_chain(error: BaseException) -> list[BaseException]:
    """*error* and every exception reachable from it as cause or context, each once."""
    found: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or any(current is seen for seen in found):
            continue
        found.append(current)
        todo += [current.__cause__, current.__context__]
    return found


def exception_texts(error: BaseException) -> list[str]:
    """Everything a user or a tool can read from *error* and its whole chain.

    The formatted traceback, then for each exception in the chain its str, repr, args
    and attributes (PyGithub keeps ``.data`` and ``.headers``, requests ``.request``
    and ``.response``), a few levels deep.
    """
    texts = ["".join(traceback.format_exception(error))]
    for exc in exception_chain(error):
        texts += [str(exc), repr(exc)]
        texts += _attribute_texts(exc.args, 4, set())
        texts += _attribute_texts(vars(exc), 4, set())
    return texts


@attrs.frozen
class Recorded:
    """One request as the server saw it; *query* holds the query string's parameters."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    query: dict[str, str] = attrs.field(factory=dict)


class FakeGitHub:
    """GitHub's REST API for forks, pull requests and deletion, backed by bare repositories.

    Pull requests are opened (``POST /pulls``), listed by head and state (``GET
    /pulls?head=owner:branch&state=open``) and updated (``PATCH /pulls/<n>``); ``pulls``
    holds them, and a test closes one by setting its ``state``.

    ``answers[(method, path)] = (status, body)`` (or an :class:`Answer`) forces an
    answer (e.g. a 403, a redirect, a body of the wrong shape); ``hang`` holds
    (method, path) pairs the server sits on until it stops (timeouts); ``echo_token``
    makes every answer repeat the token it was sent, as a careless proxy might: error
    messages quote the Authorization header, every answer carries the token in
    headers (raw, URL-quoted, base64; see :func:`echoes`), and JSON objects get an
    ``echo`` field with the same, to prove the client masks it everywhere.
    """

    def __init__(self, root: Path, tokens: dict[str, str] | None = None) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.tokens = {TOKEN: LOGIN} if tokens is None else tokens
        self.requests: list[Recorded] = []
        self.answers: dict[tuple[str, str], tuple[int, Any] | Answer] = {}
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

    def respond(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: Any,
        query: dict[str, str] | None = None,
    ) -> Answer:
        """The whole answer to one request, echoes of the token included when asked for."""
        if (method, path) in self.hang:
            self._release.wait(timeout=5)
        forced = self.answers.get((method, path))
        if isinstance(forced, Answer):
            chosen = forced
        else:
            status, payload = (
                forced if forced else self.answer(method, path, headers, body, query or {})
            )
            chosen = Answer(status, payload)
        auth = headers.get("Authorization", "")
        if not self.echo_token or not auth:
            return chosen
        token = auth.split(" ", 1)[-1]
        echoed = dict(chosen.body, echo=echoes(token)) if isinstance(chosen.body, dict) else None
        return attrs.evolve(
            chosen,
            body=chosen.body if echoed is None else echoed,
            headers={**echoes(token), **chosen.headers},
        )

    def answer(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: Any,
        query: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """The status and JSON body GitHub would give for one request."""
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
        if method == "GET" and rest == ["pulls"]:
            return 200, self._list_pulls(owner, repo, query or {})
        if method == "PATCH" and len(rest) == 2 and rest[0] == "pulls" and rest[1].isdigit():
            return self._update_pull(owner, repo, int(rest[1]), body, auth)
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
            if pull.get("state", "open") == "open" and (
                pull["owner"],
                pull["repo"],
                pull["head"],
                pull["base"],
            ) == (owner, repo, head, base):
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
            {
                "owner": owner,
                "repo": repo,
                "head": head,
                "base": base,
                "number": number,
                "state": "open",
                "title": body.get("title"),
                "body": body.get("body"),
                "maintainer_can_modify": body.get("maintainer_can_modify"),
            }
        )
        return 201, self.pull_json(self.pulls[-1])

    def pull_json(self, pull: dict[str, Any]) -> dict[str, Any]:
        """The fields of a pull request GitHub answers with."""
        owner, repo, number, head = pull["owner"], pull["repo"], pull["number"], pull["head"]
        return {
            "number": number,
            "state": pull.get("state", "open"),
            "title": pull.get("title"),
            "body": pull.get("body"),
            "url": f"{self.api_url}/repos/{owner}/{repo}/pulls/{number}",
            "html_url": f"{self.api_url}/{owner}/{repo}/pull/{number}",
            "head": {"label": head, "ref": head.split(":")[-1]},
            "base": {"label": f"{owner}:{pull['base']}", "ref": pull["base"]},
            "maintainer_can_modify": pull.get("maintainer_can_modify"),
        }

    def _list_pulls(self, owner: str, repo: str, query: dict[str, str]) -> list[dict[str, Any]]:
        """``GET /pulls``, filtered by ``head`` (owner:branch) and ``state`` as GitHub does."""
        state = query.get("state", "open")
        return [
            self.pull_json(pull)
            for pull in reversed(self.pulls)  # newest first, as GitHub sorts
            if (pull["owner"], pull["repo"]) == (owner, repo)
            and ("head" not in query or pull["head"] == query["head"])
            and state in ("all", pull.get("state", "open"))
        ]

    def _update_pull(
        self, owner: str, repo: str, number: int, body: Any, auth: str
    ) -> tuple[int, Any]:
        for pull in self.pulls:
            if (pull["owner"], pull["repo"], pull["number"]) == (owner, repo, number):
                for key in ("title", "body", "state"):
                    if key in body:
                        pull[key] = body[key]
                return 200, self.pull_json(pull)
        return self._error(HTTPStatus.NOT_FOUND, "Not Found", auth)


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
def serve(root: Path, tokens: dict[str, str] | None = None) -> Iterator[FakeGitHub]:
    """A running FakeGitHub under *root* that already hosts kubernetes/enhancements.

    *tokens* maps each token the server accepts to its account (default: TOKEN, alice).
    """
    with FakeGitHub(root, tokens) as fake:
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
            path, _, raw_query = self.path.partition("?")
            query = dict(parse_qsl(raw_query))
            headers = dict(self.headers.items())
            fake.requests.append(Recorded(self.command, path, headers, body, query))
            if path.endswith("/info/refs"):
                # A git smart-HTTP endpoint that always asks for credentials: it lets a
                # test see what git sends, then refuse it.
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="fake"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            answer = fake.respond(self.command, path, headers, body or {}, query)
            data = answer.payload()
            try:
                self.send_response(answer.status)
                if data:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing to answer

        do_GET = do_POST = do_DELETE = do_PATCH = _serve

    return Handler
