"""Rendering section templates (package data) and the generated README from metadata.

One function fills every template: ``string.Template`` with ``$name`` fields from the
metadata, refusing a template that names a field it is not given (text with ``$contents``
left in it must never reach a file). The README is one more template, with a table of
contents of the other sections.
"""

from __future__ import annotations

import functools
import string
from importlib import resources

from keps._time import format_time
from keps.errors import InvalidContentError
from keps.keps.metadata import Metadata
from keps.keps.sections.table import README, SectionSpec, name_for, sort_sections

__all__ = ["is_unedited", "render", "render_readme", "template_text"]

_SIG_URL = "https://github.com/kubernetes/community/tree/master/{sig}/README.md"


@functools.cache
def template_text(template: str) -> str:
    """The raw text of the packaged template file *template* (e.g. ``summary.md``)."""
    ref = resources.files("keps.keps.sections").joinpath("templates", template)
    return ref.read_text(encoding="utf-8")


def _fields(metadata: Metadata, sig_name: str) -> dict[str, str]:
    return {
        "title": metadata.title or "Untitled KEP",
        "authors": ", ".join(f"@{a.lstrip('@')}" for a in metadata.authors) or "(none yet)",
        "owning_sig": metadata.owning_sig or "(no owning SIG)",
        "sig_name": sig_name or metadata.owning_sig or "(no owning SIG)",
        "state": str(metadata.state) if metadata.state else "(no state)",
        "kep_number": "" if metadata.kep_number is None else str(metadata.kep_number),
        "last_updated": format_time(metadata.last_updated) if metadata.last_updated else "never",
    }


def _fill(spec: SectionSpec, fields: dict[str, str]) -> str:
    """The template of *spec* with every ``$name`` replaced from *fields*.

    Raises:
        InvalidContentError: the template names a field that *fields* lacks.
    """
    template = string.Template(template_text(spec.template))
    missing = [name for name in template.get_identifiers() if name not in fields]
    if missing:
        wanted = ", ".join(f"${name}" for name in missing)
        hint = "; render_readme fills it from the metadata" if spec.generated else ""
        msg = (
            f"the template {spec.template} of {spec.name} needs {wanted}, which is not given{hint}"
        )
        raise InvalidContentError(msg, path=spec.template)
    return template.safe_substitute(fields)


def render(spec: SectionSpec, metadata: Metadata, *, sig_name: str = "") -> str:
    """The text of *spec*'s template filled in from *metadata*.

    Raises:
        InvalidContentError: the template needs more than the metadata fields (the
            README's table of contents: use :func:`render_readme`).
    """
    return _fill(spec, _fields(metadata, sig_name))


def render_readme(metadata: Metadata, *, sig_name: str = "") -> str:
    """README.md: title, authors, SIG, state, last updated, and a contents list.

    Each section of the metadata appears once in the contents, in section order.
    """
    others = [f for f in sort_sections(metadata.sections) if f != README.filename]
    contents = "\n".join(f"1. [{name_for(f)}]({f})" for f in others) or "(no sections yet)"
    fields = _fields(metadata, sig_name)
    fields["contents"] = contents
    fields["sig_url"] = _SIG_URL.format(sig=metadata.owning_sig) if metadata.owning_sig else ""
    fields["number_line"] = (
        f"- **KEP number:** {metadata.kep_number}\n" if metadata.kep_number is not None else ""
    )
    return _fill(README, fields)


def _body_lines(text: str) -> list[str]:
    """The lines that carry content: headings and blank lines aside, whitespace trimmed."""
    return [
        " ".join(line.split())
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def is_unedited(text: str, spec: SectionSpec, metadata: Metadata) -> bool:
    """True when *text* is still the bare template of *spec* (headings may differ)."""
    return _body_lines(text) == _body_lines(render(spec, metadata))
