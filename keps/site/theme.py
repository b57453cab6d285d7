"""The look of a site: Jinja2 templates and static files, each overridable by file name.

The package ships ``keps/site/templates/*.html`` and ``keps/site/static/*`` (CSS and
JavaScript, no framework, nothing fetched from another site). A folder given as
``templates=DIR`` (``kepctl site --templates DIR``) is searched first, for templates and
static files alike, so a user replaces ``kep.html`` or ``site.css`` by putting a file of
that name there. Only plain file names are looked up: a template that includes
``../x`` finds nothing. Every file is read through :mod:`keps._files`.

Autoescaping is on for every template: KEP titles, names and messages are untrusted.
:attr:`Theme.digest` covers every file a build could use and the code that renders,
so a site made by another version or another theme is rendered again, never reused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keps._files import read_bytes, read_text
from keps.errors import InvalidArgumentError, KepNotFoundError

if TYPE_CHECKING:
    import jinja2

__all__ = ["PACKAGED", "STATIC_FILES", "TEMPLATES", "Theme"]

#: The folder of this package: its templates/ and static/, and the modules that render.
PACKAGED = Path(__file__).resolve().parent

#: The templates a site renders, by file name.
TEMPLATES: tuple[str, ...] = (
    "base.html",
    "macros.html",
    "index.html",
    "kep.html",
    "sig.html",
    "sigs.html",
    "release.html",
    "releases.html",
    "validation.html",
)

#: The static files every site carries, written under ``static/``.
STATIC_FILES: tuple[str, ...] = ("site.css", "site.js")


def _plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


class Theme:
    """Templates and static files, from *folder* first (when given), then the package's.

    Raises:
        KepNotFoundError: *folder* is given and is not a folder.
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self._folder = None if folder is None else Path(folder).expanduser()
        if self._folder is not None and not self._folder.is_dir():
            msg = f"no such templates folder: {self._folder}"
            raise KepNotFoundError(msg, path=self._folder)
        self._sources: dict[str, str] = {}

    def _find(self, kind: str, name: str) -> Path | None:
        """The file *name* of *kind* (templates or static): the user's, else the package's."""
        if not _plain_name(name):
            return None
        if self._folder is not None and (self._folder / name).is_file():
            return self._folder / name
        packaged = PACKAGED / kind / name
        return packaged if packaged.is_file() else None

    def template_source(self, name: str) -> str | None:
        """The text of template *name*, or None when there is none by that name."""
        if name not in self._sources:
            path = self._find("templates", name)
            if path is None:
                return None
            self._sources[name] = read_text(path)
        return self._sources[name]

    def static(self, name: str) -> bytes:
        """The bytes of static file *name* (``site.css``)."""
        path = self._find("static", name)
        if path is None:
            msg = f"no static file {name!r}"
            raise KepNotFoundError(msg, path=PACKAGED / "static" / name)
        return read_bytes(path)

    @cached_property
    def environment(self) -> jinja2.Environment:
        """A Jinja2 environment over these templates, autoescaped, undefined names an error."""
        import jinja2

        def load(name: str) -> tuple[str, str | None, Callable[[], bool]] | None:
            source = self.template_source(name)
            return None if source is None else (source, None, lambda: True)

        return jinja2.Environment(
            loader=jinja2.FunctionLoader(load),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def render(self, template: str, context: dict[str, Any]) -> str:
        """Template *template* rendered with *context*.

        Raises:
            InvalidArgumentError: the template is missing, does not parse, or fails
                (an override that names a value the context lacks), naming the file.
        """
        import jinja2

        try:
            return self.environment.get_template(template).render(context)
        except (jinja2.TemplateError, TypeError, ValueError, LookupError, AttributeError) as exc:
            where = f"{self._folder} or the package" if self._folder else "the package"
            msg = f"template {template} (from {where}) failed: {exc}"
            raise InvalidArgumentError(msg, argument="templates", value=self._folder) from exc

    @cached_property
    def digest(self) -> str:
        """A digest of everything that decides how a page looks: the templates and static
        files in use, the modules of this package, and the versions of Jinja2 and
        markdown-it-py."""
        from importlib.metadata import PackageNotFoundError, version

        digest = hashlib.blake2b(digest_size=16)
        for kind, names in (("templates", TEMPLATES), ("static", STATIC_FILES)):
            for name in names:
                path = self._find(kind, name)
                digest.update(f"{kind}/{name}\0".encode())
                digest.update(b"-" if path is None else read_bytes(path))
        for module in sorted(PACKAGED.glob("*.py")):
            digest.update(module.name.encode() + b"\0" + read_bytes(module))
        for package in ("keps", "jinja2", "markdown-it-py"):
            try:
                digest.update(f"{package}={version(package)}\0".encode())
            except PackageNotFoundError:
                digest.update(f"{package}=?\0".encode())
        return digest.hexdigest()

    def check(self) -> None:
        """Load every template now, so a broken override fails before anything is written.

        Raises:
            InvalidArgumentError: a template does not parse, naming it.
        """
        import jinja2

        for name in TEMPLATES:
            try:
                self.environment.get_template(name)
            except jinja2.TemplateError as exc:
                msg = f"template {name} does not load: {exc}"
                raise InvalidArgumentError(msg, argument="templates", value=self._folder) from exc
