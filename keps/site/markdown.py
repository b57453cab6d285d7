"""A KEP's text as HTML that is safe to publish: Markdown, anchors, and only links that work.

KEP text is untrusted, so nothing in it reaches the page as markup of its own:

- **Raw HTML is never passed through.** The parser recognises it only so that HTML
  comments - the guidance of upstream's KEP template, which most READMEs keep - can be
  left out, as GitHub leaves them out, and so that a plain formatting tag without
  attributes (``<code>``, ``</em>``, ``<br>``, written in many tables of contents) is
  rebuilt as that tag; any other HTML (``<script>``, ``<img>``, ``<details>``, ``<code
  onclick=...>``) is shown as text.
- **Links** are kept when they lead somewhere harmless: ``http``, ``https`` and
  ``mailto`` URLs; ``#fragments`` of a heading on the same page; a relative path to
  another KEP's folder, ``README.md`` or ``kep.yaml`` (it becomes a link to that KEP's
  page). Anything else - ``javascript:``, a path to a file the site does not have - is
  shown as its text, with the target in a tooltip.
- **Images** never make a request to another site: a relative image inside the KEP's
  folder (PNG, JPEG, GIF, WebP) is copied into the site under a name made of its
  digest; an ``http(s)`` image becomes a link to it; anything else shows its alt text.
  SVG is not copied: opened on its own, an SVG file runs its scripts.

Every heading gets the ``id`` GitHub gives it (``## Design Details`` is
``#design-details``, a second one ``#design-details-1``), so a README's own table of
contents works, and a link to itself. :func:`render` also lists every lookup outside
the text it made (which KEP a relative link named, which file an image was), so a
rebuild can tell whether an unchanged text would still render the same.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

import attrs

from keps._files import read_bytes
from keps._names import KEP_FILE, METADATA_FILE, README_FILE
from keps.errors import KepError
from keps.site.names import normalized, relative_url

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

__all__ = ["IMAGE_TYPES", "Lookup", "Rendered", "Source", "Targets", "render", "slugify"]

#: Image files copied into the site, by extension (lower case).
IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "gif", "webp"})

#: The folder of the site that holds copied images.
ASSETS_DIR = "assets"

_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_NOT_SLUG = re.compile(r"[^\w\- ]")
_KEP_FILES = frozenset({README_FILE, KEP_FILE, METADATA_FILE})


@attrs.frozen
class Source:
    """One file of a KEP's text: its *path* relative to the content root, and its *text*."""

    path: str
    text: str


#: One lookup outside the text: (kind, path relative to the content root, answer).
#: ``kep`` answers the page of the KEP a link named ('' for none); ``image`` answers
#: the identity of the image file (size, time, inode; '' when it cannot be used).
Lookup = tuple[str, str, str]


@attrs.frozen
class Rendered:
    """A KEP's text as HTML, what it looked up, and the images to copy (site path, bytes)."""

    html: str
    lookups: tuple[Lookup, ...] = ()
    assets: tuple[tuple[str, bytes], ...] = ()


class Targets:
    """What a KEP's text may link to: the pages of the site's KEPs, and image files.

    Args:
        content_root: where the KEPs are (images are read from there).
        pages: the page of each KEP, by location.
    """

    def __init__(self, content_root: Path, pages: Mapping[str, str]) -> None:
        self._root = Path(content_root)
        self._real_root = os.path.realpath(self._root)
        self._pages = dict(pages)

    def kep_page(self, path: str) -> str:
        """The page of the KEP whose folder (or README.md, kep.yaml) *path* is; '' if none."""
        parts = path.split("/")
        while len(parts) > 1 and parts[-1] in _KEP_FILES:
            parts.pop()
        return self._pages.get("/".join(parts), "")

    def _image_file(self, path: str, location: str) -> str | None:
        """The real path of image *path* when it may be copied: an image type, inside the
        KEP folder *location* also after links are followed; else None."""
        extension = path.rpartition(".")[2].lower()
        if extension not in IMAGE_TYPES or not path.startswith(location + "/"):
            return None
        real = os.path.realpath(self._root / path)
        folder = os.path.realpath(self._root / location)
        inside = real.startswith(folder + os.sep) and real.startswith(self._real_root + os.sep)
        return real if inside else None

    def image_answer(self, path: str, location: str) -> str:
        """The identity of image *path* of the KEP in *location* ('' if it cannot be used)."""
        real = self._image_file(path, location)
        if real is None:
            return ""
        try:
            info = os.stat(real)
        except OSError:
            return ""
        if not stat.S_ISREG(info.st_mode):
            return ""
        return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ino}"

    def image(self, path: str, location: str) -> tuple[str, bytes] | None:
        """(site path, bytes) of image *path* of the KEP in *location*, or None."""
        real = self._image_file(path, location)
        if real is None:
            return None
        try:
            data = read_bytes(real)
        except KepError:
            return None
        extension = path.rpartition(".")[2].lower()
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        return f"{ASSETS_DIR}/{digest}.{extension}", data

    def answer(self, lookup: Lookup, location: str) -> str:
        """What *lookup* answers now, for the KEP in *location*."""
        kind, path, _ = lookup
        if kind == "kep":
            return self.kep_page(path)
        return self.image_answer(path, location)


def slugify(text: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as '-'.

    >>> slugify("Upgrade / Downgrade Strategy")
    'upgrade--downgrade-strategy'
    """
    return _NOT_SLUG.sub("", text.strip().lower()).replace(" ", "-")


# -- the parser and how raw HTML is shown --


def _html_as_text(content: str) -> str:
    """Raw HTML as text to show: comments left out, the rest escaped."""
    from markdown_it.common.utils import escapeHtml

    return escapeHtml(_COMMENT.sub("", content))


def _html_block(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    shown = _html_as_text(tokens[idx].content)
    return f'<pre class="raw-html">{shown.strip(chr(10))}</pre>\n' if shown.strip() else ""


#: Inline tags passed through as markup: plain formatting, and only without attributes.
_PLAIN_TAG = re.compile(r"<(/?)(code|em|strong|b|i|kbd|sub|sup|br)\s*/?>", re.IGNORECASE)


def _html_inline(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    content = tokens[idx].content
    plain = _PLAIN_TAG.fullmatch(content)
    if plain is not None:  # <code>, </em>: rebuilt from the match, nothing of the text
        closing, name = plain[1], plain[2].lower()
        opened: list[str] = env.setdefault("plain_tags_open", [])
        if name == "br" and not closing:
            return "<br>"
        if not closing:
            opened.append(name)
            return f"<{name}>"
        if opened and opened[-1] == name:  # closes only what this text opened
            opened.pop()
            return f"</{name}>"
    return _html_as_text(content)


@cache
def _parser() -> MarkdownIt:
    """CommonMark with GitHub's tables and strikethrough; raw HTML recognised, never output."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("html_block", _html_block)
    md.add_render_rule("html_inline", _html_inline)
    return md


# -- rendering one KEP's text --


class _Page:
    """The state of rendering one KEP page's text: ids given, lookups made, images found."""

    def __init__(self, location: str, page: str, targets: Targets) -> None:
        self.location = location
        self.page = page
        self.targets = targets
        self.ids: set[str] = set()
        self.lookups: dict[tuple[str, str], str] = {}
        self.assets: dict[str, bytes] = {}

    def anchor(self, text: str) -> str:
        """A new id for a heading reading *text*: GitHub's slug, numbered when taken."""
        base = slugify(text) or "section"
        slug, count = base, 0
        while slug in self.ids:
            count += 1
            slug = f"{base}-{count}"
        self.ids.add(slug)
        return slug

    def kep_link(self, path: str) -> str:
        """The page of the KEP *path* names ('' if none), remembered as a lookup."""
        found = self.targets.kep_page(path)
        self.lookups[("kep", path)] = found
        return found

    def image(self, path: str) -> str:
        """The site path of image *path* (copied), '' when it cannot be; a lookup."""
        self.lookups[("image", path)] = self.targets.image_answer(path, self.location)
        found = self.targets.image(path, self.location)
        if found is None:
            self.lookups[("image", path)] = ""
            return ""
        name, data = found
        self.assets[name] = data
        return name


def _heading_text(inline: Token) -> str:
    return "".join(
        child.content
        for child in inline.children or ()
        if child.type in ("text", "code_inline", "softbreak")
    )


def _token(kind: str, tag: str, nesting: Literal[-1, 0, 1], **fields: Any) -> Token:
    from markdown_it.token import Token

    return Token(kind, tag, nesting, **fields)


def _add_anchors(tokens: list[Token], page: _Page) -> None:
    """Give every heading its id and a link to itself."""
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        slug = page.anchor(_heading_text(inline))
        token.attrSet("id", slug)
        attributes = {"class": "anchor", "href": f"#{slug}", "aria-label": "link to this section"}
        inline.children = [
            *(inline.children or ()),
            _token("text", "", 0, content=" "),
            _token("link_open", "a", 1, attrs=attributes),
            _token("text", "", 0, content="#"),
            _token("link_close", "a", -1),
        ]


def _relative_target(href: str, source: Source) -> tuple[str, str] | None:
    """(path relative to the content root, fragment) of a relative link in *source*."""
    split = urlsplit(href)
    path = unquote(split.path)
    if path.startswith("/"):  # from the top of the repository, as GitHub reads it
        joined = path.lstrip("/")
    else:
        joined = posixpath.join(posixpath.dirname(source.path), path)
    found = normalized(joined)
    return None if found is None else (found, unquote(split.fragment))


def _link_target(href: str, source: Source, page: _Page) -> str:
    """Where a link of *source* to *href* should lead on the site, '' for nowhere.

    Fragments of this page are checked later, when every heading has its id.
    """
    if href.startswith("//"):
        return "https:" + href
    scheme = _SCHEME.match(href)
    if scheme is not None:
        return href if scheme.group(0)[:-1].lower() in _SCHEMES else ""
    if href.startswith("#"):
        return href
    target = _relative_target(href, source)
    if target is None:
        return ""
    path, fragment = target
    found = page.kep_link(path)
    if not found:
        return ""
    if found == page.page:  # its own README: a fragment of this page
        return f"#{fragment}" if fragment else "#"
    return relative_url(page.page, found)


def _image_tokens(image: Token, source: Source, page: _Page) -> list[Token]:
    """What an image becomes: itself with a copied file, a link to it, or its alt text."""
    src = image.attrGet("src")
    src = src if isinstance(src, str) else ""
    alt = image.content
    if src.startswith("//"):
        src = "https:" + src
    scheme = _SCHEME.match(src)
    if scheme is not None and scheme.group(0)[:-1].lower() in ("http", "https"):
        attributes = {"href": src, "class": "external-image"}
        return [
            _token("link_open", "a", 1, attrs=attributes),
            _token("text", "", 0, content=alt or src),
            _token("link_close", "a", -1),
        ]
    target = None if scheme is not None or src.startswith("#") else _relative_target(src, source)
    asset = page.image(target[0]) if target is not None else ""
    if asset:
        image.attrSet("src", relative_url(page.page, asset))
        return [image]
    return [
        _token("span_open", "span", 1, attrs={"class": "no-image", "title": src}),
        _token("text", "", 0, content=alt or src),
        _token("span_close", "span", -1),
    ]


def _unlink(opening: Token, closing: Token, href: str) -> None:
    """Show a link as its text: a span whose tooltip is where it pointed."""
    opening.type, opening.tag, opening.attrs = "span_open", "span", {"class": "unlinked"}
    if href:
        opening.attrSet("title", href)
    closing.type, closing.tag = "span_close", "span"


def _rewrite_inline(inline: Token, source: Source, page: _Page) -> list[Token]:
    """Decide every link and image of one inline token; returns the local-fragment links."""
    fragments: list[Token] = []
    children: list[Token] = []
    opening: Token | None = None
    for child in inline.children or ():
        if child.type == "image":
            children.extend(_image_tokens(child, source, page))
            continue
        if child.type == "link_open" and child.attrGet("class") != "anchor":
            href = child.attrGet("href")
            href = href if isinstance(href, str) else ""
            target = _link_target(href, source, page)
            child.attrSet("href", target)
            child.meta["given"] = href
            opening = child
            if target.startswith("#"):
                fragments.append(child)
        elif child.type == "link_close" and opening is not None:
            if not opening.attrGet("href"):
                _unlink(opening, child, str(opening.meta.get("given", "")))
            else:
                opening.meta["closing"] = child
            opening = None
        children.append(child)
    inline.children = children
    return fragments


def _check_fragments(links: list[Token], page: _Page) -> None:
    """Show a link to a heading this page does not have as text."""
    for link in links:
        href = link.attrGet("href")
        fragment = href[1:] if isinstance(href, str) else ""
        closing = link.meta.get("closing")
        if fragment in page.ids or closing is None:
            continue
        _unlink(link, closing, str(link.meta.get("given", "")))


def render(
    sources: Sequence[Source],
    *,
    location: str,
    page: str,
    targets: Targets,
) -> Rendered:
    """The text of the KEP in *location* (its *sources*, in order) as HTML for *page*.

    Headings are numbered across all sources, so a 2018 KEP's section files make one
    page whose ids are all different.
    """
    md = _parser()
    page_state = _Page(location, page, targets)
    parsed = [(source, md.parse(source.text)) for source in sources]
    for _, tokens in parsed:
        _add_anchors(tokens, page_state)
    fragments: list[Token] = []
    for source, tokens in parsed:
        for token in tokens:
            if token.type == "inline":
                fragments.extend(_rewrite_inline(token, source, page_state))
    _check_fragments(fragments, page_state)
    html = "\n".join(md.renderer.render(tokens, md.options, {}) for _, tokens in parsed)
    lookups = tuple((kind, path, answer) for (kind, path), answer in page_state.lookups.items())
    return Rendered(html, lookups, tuple(sorted(page_state.assets.items())))
