"""Building a static site of KEPs: :func:`build` and what it reports, :class:`BuildResult`.

::

    import keps, keps.site

    ks = keps.load("~/src/enhancements")
    result = keps.site.build(ks, "site/")          # open site/index.html in a browser
    result.written, result.removed                 # what changed on disk

The site (see :mod:`keps.site`) is written into a folder of its own, atomically file by
file. A rebuild renders only the KEP pages whose inputs changed, writes only the files
whose bytes changed, and removes only the files an earlier build wrote that no page
needs any more (see :mod:`keps.site.manifest`).

Markdown is the cost of a build: a whole checkout renders in worker processes, one per
core; a rebuild after a few edits renders in this process.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from keps._files import MAX_INDEX_BYTES, atomic_write_bytes, read_bytes
from keps.errors import KepError, PathOutsideError
from keps.problems import Problem
from keps.site import manifest
from keps.site.manifest import MANIFEST, FileState, Manifest, PageState
from keps.site.markdown import Rendered, Source, Targets, render
from keps.site.pages import SiteData, export_json
from keps.site.theme import STATIC_FILES, Theme

if TYPE_CHECKING:
    from keps.analysis.collection import KepCollection
    from keps.analysis.findings import Findings
    from keps.history import History

__all__ = ["PARALLEL_TEXT", "BuildResult", "build"]

log = logging.getLogger(__name__)

#: Characters of Markdown above which KEP pages render in worker processes.
PARALLEL_TEXT = 2_000_000

#: Called as pages are done: (pages done, pages in all).
Progress = Callable[[int, int], None]


@attrs.frozen(repr=False)
class BuildResult:
    """What a build did: the folder, every file of the site, and what changed.

    Paths are relative to *out* and '/'-separated. *written* holds the files whose
    bytes changed (new ones included), *removed* the files of an earlier build that the
    site no longer has, *rendered* the KEP pages whose text was rendered this time.
    """

    out: Path
    files: tuple[str, ...]
    written: tuple[str, ...]
    removed: tuple[str, ...]
    rendered: tuple[str, ...]

    def __repr__(self) -> str:
        return (
            f"<BuildResult {self.out}: {len(self.files)} files, {len(self.written)} written, "
            f"{len(self.removed)} removed, {len(self.rendered)} KEP pages rendered>"
        )


def _problems(
    collection: KepCollection, findings: Findings | Iterable[Problem] | None, level: str
) -> tuple[Problem, ...]:
    """The problems the site shows: *findings* when given; else what validation at *level*
    finds in a checkout, or what each 2018 KEP's own checks find (and loading found)."""
    if findings is not None:
        return tuple(findings)
    if collection.is_checkout:
        return tuple(collection.validate(level))
    problems = list(collection.problems)
    for entry in collection:
        try:
            problems.extend(collection.open(entry.location).problems())
        except KepError as exc:
            path = str(collection.content_root / entry.location)
            problems.append(Problem("kep-unreadable", str(exc), path=path))
    return tuple(problems)


class _Output:
    """The output folder: writes a file only when its bytes change, and keeps the state
    of every file written for the next manifest."""

    def __init__(self, out: Path, old: Manifest | None) -> None:
        self.out = out
        self._real = os.path.realpath(out) if out.exists() else None
        self.old = old if old is not None else Manifest()
        self.files: dict[str, FileState] = {}
        self.written: list[str] = []
        self._checked: set[Path] = set()

    def intact(self, name: str) -> bool:
        """True when *name* is as the last build left it (its manifest state holds)."""
        state = self.old.files.get(name)
        return state is not None and state.holds(self.out / name)

    def keep(self, name: str) -> None:
        """Carry *name* over from the last build unchanged."""
        self.files[name] = self.old.files[name]

    def _folder_inside(self, path: Path) -> None:
        folder = path.parent
        if folder in self._checked:
            return
        folder.mkdir(parents=True, exist_ok=True)
        real_out = self._real or os.path.realpath(self.out)
        real = os.path.realpath(folder)
        if real != real_out and not real.startswith(real_out + os.sep):
            msg = f"{folder} leads out of the site's folder {self.out} (a symbolic link); not writing there"
            raise PathOutsideError(msg, path=folder)
        self._checked.add(folder)

    def put(self, name: str, data: bytes) -> None:
        """Make file *name* hold *data*, writing only when its bytes differ."""
        if not manifest.is_site_path(name):  # a page name went wrong: never write it
            msg = f"refusing to write {name!r}: not a name a site writes"
            raise PathOutsideError(msg, path=self.out / name)
        path = self.out / name
        wanted = manifest.digest(data)
        state = self.old.files.get(name)
        if state is not None and state.digest == wanted and state.holds(path):
            self.files[name] = state
            return
        if path.is_file() and not path.is_symlink():
            try:
                same = read_bytes(path, limit=MAX_INDEX_BYTES) == data
            except KepError:
                same = False
            if same:
                self.files[name] = FileState.of(path, wanted) or FileState(wanted, 0, 0, 0)
                return
        self._folder_inside(path)
        atomic_write_bytes(path, data, limit=MAX_INDEX_BYTES)
        self.written.append(name)
        self.files[name] = FileState.of(path, wanted) or FileState(wanted, 0, 0, 0)

    def remove_stale(self) -> list[str]:
        """Remove the files of the last build that this one did not make."""
        removed = []
        for name, state in sorted(self.old.files.items()):
            if name not in self.files and manifest.remove(self.out, name, state):
                removed.append(name)
        return removed

    def save(self, pages: dict[str, PageState], *, complete: bool) -> None:
        """Write the manifest; after a failed build (*complete* False) it also keeps the
        last build's files, which are still there."""
        files = self.files if complete else {**self.old.files, **self.files}
        kept_pages = pages if complete else {**self.old.pages, **pages}
        data = Manifest(files, kept_pages).to_bytes()
        path = self.out / MANIFEST
        try:
            if read_bytes(path, limit=MAX_INDEX_BYTES) == data:
                return
        except KepError:
            pass
        self.out.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data, limit=MAX_INDEX_BYTES)


def _inputs(*parts: str) -> str:
    """A digest of everything a page is made of (its lookups aside)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


def _kep_inputs(theme_digest: str, context: dict[str, Any], sources: Sequence[Source]) -> str:
    """The inputs of a KEP page: the look, its context and its text.

    ``repr`` of plain dicts, lists and text is exact and ten times faster than JSON.
    """
    return _inputs(
        theme_digest, repr(context), *(f"{source.path}\0{source.text}" for source in sources)
    )


# -- rendering Markdown, here or in worker processes --

#: A KEP text to render: (sources, location, page).
_Job = tuple[tuple[Source, ...], str, str]

_TARGETS: Targets | None = None


def _start_worker(targets: Targets) -> None:
    global _TARGETS  # one per worker process, set as it starts
    _TARGETS = targets


def _render_in_worker(job: _Job) -> Rendered:
    assert _TARGETS is not None
    sources, location, page = job
    return render(sources, location=location, page=page, targets=_TARGETS)


def _render_all(jobs: list[_Job], targets: Targets, workers: int | None) -> Iterator[Rendered]:
    """Each job's text rendered, in order; in worker processes when there is much of it."""
    size = sum(len(source.text) for sources, _, _ in jobs for source in sources)
    count = min(os.cpu_count() or 1, 8) if workers is None else workers
    if count > 1 and len(jobs) > 1 and (workers is not None or size >= PARALLEL_TEXT):
        from concurrent.futures import ProcessPoolExecutor

        try:
            pool = ProcessPoolExecutor(
                max_workers=count, initializer=_start_worker, initargs=(targets,)
            )
        except (OSError, NotImplementedError) as exc:  # no process support here
            log.info("rendering in this process: %s", exc)
        else:
            with pool:
                chunk = max(1, min(16, len(jobs) // (count * 4)))
                yield from pool.map(_render_in_worker, jobs, chunksize=chunk)
            return
    for sources, location, page in jobs:
        yield render(sources, location=location, page=page, targets=targets)


# -- the build --


def _still_valid(
    output: _Output, targets: Targets, page: str, inputs: str, location: str
) -> PageState | None:
    """The last build's state of KEP page *page* when it can be kept as it is."""
    state = output.old.pages.get(page)
    if state is None or state.inputs != inputs or not output.intact(page):
        return None
    if not all(output.intact(asset) for asset in state.assets):
        return None
    if any(targets.answer(lookup, location) != lookup[2] for lookup in state.lookups):
        return None
    return state


def build(
    collection: KepCollection | str | Path,
    out: str | Path,
    *,
    templates: str | Path | None = None,
    history: History | None = None,
    findings: Findings | Iterable[Problem] | None = None,
    level: str = "kepval",
    progress: Progress | None = None,
    workers: int | None = None,
    lock_timeout: float = 60.0,
) -> BuildResult:
    """Write the static site of *collection* (or of the KEPs under that path) into *out*.

    Args:
        collection: the KEPs: a :class:`~keps.KepCollection`, or a path for
            :func:`keps.load`.
        out: the site's folder: new, empty, or made by an earlier build.
        templates: a folder whose templates and static files replace the packaged ones
            of the same name.
        history: the KEPs' history (``keps.history.load(root)``), shown on each KEP page.
        findings: the problems to show; by default a checkout is validated at *level*
            (``kepval`` or ``lint``) and a 2018 content root's KEPs are checked.
        progress: called as pages are done, with (done, total).
        workers: processes to render Markdown in (default: one per core when there is
            much to render; 1 renders here).
        lock_timeout: how long to wait, in seconds, while another build writes *out*.

    Raises:
        KepExistsError: *out* holds files and no manifest of an earlier build.
        InvalidContentError: *out* holds a manifest this version cannot read.
        InvalidArgumentError: a template does not load or fails.
        LockTimeoutError: another build kept writing *out* for *lock_timeout* seconds.
        KepError: a file cannot be read or written, naming it.
    """
    from keps._locks import site_lock

    out_dir = Path(out).expanduser()
    with site_lock(out_dir, timeout=lock_timeout):
        return _build(collection, out_dir, templates, history, findings, level, progress, workers)


def _build(
    collection: KepCollection | str | Path,
    out_dir: Path,
    templates: str | Path | None,
    history: History | None,
    findings: Findings | Iterable[Problem] | None,
    level: str,
    progress: Progress | None,
    workers: int | None,
) -> BuildResult:
    """:func:`build`, under the site's lock."""
    from keps.analysis.collection import KepCollection, load
    from keps.analysis.search import TextReader

    kep_collection = collection if isinstance(collection, KepCollection) else load(collection)
    old = manifest.claim(out_dir)  # refuse a foreign folder before any work
    theme = Theme(templates)
    if templates is not None:  # a user's template that does not load fails before any write
        theme.check()
    data = SiteData(
        kep_collection, problems=_problems(kep_collection, findings, level), history=history
    )
    targets = Targets(
        kep_collection.content_root, {e.location: data.pages[e.location] for e in data.entries}
    )
    output = _Output(out_dir, old)
    reader = TextReader(kep_collection.content_root)
    states: dict[str, PageState] = {}
    rendered: list[str] = []
    total = len(data.entries) + 1
    done = 0

    def advance() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    complete = False
    try:
        jobs: list[_Job] = []
        pending: list[tuple[dict[str, Any], str]] = []  # (context, inputs) of each job
        for entry in data.entries:
            context = data.kep(entry)
            sources = tuple(Source(path, text) for path, text in reader.texts(entry))
            inputs = _kep_inputs(theme.digest, context, sources)
            kept = _still_valid(output, targets, context["page"], inputs, entry.location)
            if kept is not None:
                output.keep(context["page"])
                for asset in kept.assets:
                    output.keep(asset)
                states[context["page"]] = kept
                advance()
                continue
            jobs.append((sources, entry.location, context["page"]))
            pending.append((context, inputs))
        for (context, inputs), result in zip(
            pending, _render_all(jobs, targets, workers), strict=True
        ):
            _write_kep_page(output, theme, context, result)
            page = context["page"]
            states[page] = PageState(inputs, result.lookups, tuple(n for n, _ in result.assets))
            rendered.append(page)
            advance()
        _write_site_pages(output, theme, data, states)
        advance()
        complete = True
    finally:
        removed = output.remove_stale() if complete else []
        if complete or output.files:
            output.save(states, complete=complete)
    return BuildResult(
        out=out_dir,
        files=tuple(sorted(output.files)),
        written=tuple(output.written),
        removed=tuple(removed),
        rendered=tuple(rendered),
    )


def _write_kep_page(
    output: _Output, theme: Theme, context: dict[str, Any], result: Rendered
) -> None:
    from markupsafe import Markup

    for name, data in result.assets:
        output.put(name, data)
    readme = Markup(result.html)  # safe: keps.site.markdown escapes all the KEP's text
    html = theme.render("kep.html", {**context, "readme": readme})
    output.put(context["page"], html.encode("utf-8"))


def _write_site_pages(
    output: _Output, theme: Theme, data: SiteData, states: dict[str, PageState]
) -> None:
    """Everything but the KEP pages: index, SIGs, releases, validation, keps.json, static.

    A page whose context is what it was, in a file as the last build left it, is kept
    without rendering it again.
    """

    def page(name: str, template: str, context: dict[str, Any]) -> None:
        inputs = _inputs(theme.digest, template, repr(context))
        if not _keep(output, states, name, inputs):
            output.put(name, theme.render(template, context).encode("utf-8"))
            states[name] = PageState(inputs)

    page("index.html", "index.html", data.index())
    page("sigs.html", "sigs.html", data.sigs_page())
    for name, context in data.sig_pages():
        page(name, "sig.html", context)
    page("releases.html", "releases.html", data.releases_page())
    for name, context in data.release_pages():
        page(name, "release.html", context)
    page("validation.html", "validation.html", data.validation())
    records = [data.records[entry.location] for entry in data.entries]
    inputs = _inputs("keps.json", repr(records))
    if not _keep(output, states, "keps.json", inputs):
        output.put("keps.json", export_json(records))
        states["keps.json"] = PageState(inputs)
    for name in STATIC_FILES:
        output.put(f"static/{name}", theme.static(name))


def _keep(output: _Output, states: dict[str, PageState], name: str, inputs: str) -> bool:
    """Keep page *name* as the last build left it, if it was made of the same *inputs*."""
    state = output.old.pages.get(name)
    if state is None or state.inputs != inputs or not output.intact(name):
        return False
    output.keep(name)
    states[name] = state
    return True
