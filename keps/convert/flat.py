"""Converting one flat KEP file (front matter + ``## `` sections) into a KEP directory.

The pipeline, one step per module::

    read the file -> split the front matter (frontmatter) -> parse and clean it (repair)
    -> split the body into section files (sections) -> add the sections the state
    requires from the templates -> exempt the checks that cannot pass without inventing
    a fact -> persist into a staging folder -> move it into place -> reopen and check.

The KEP is built with the :class:`keps.Kep` constructor, not :meth:`keps.Kep.new`: the
new-KEP path routes through the registry and refuses an owning SIG the registry does not
know, while a converted KEP keeps the SIG its author named (with an exemption).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import tempfile
import uuid as uuid_module
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import attrs
from ruamel.yaml.comments import CommentedMap

from keps._files import FileTransaction, read_text
from keps._yaml import dump_roundtrip, update_document
from keps.convert.frontmatter import split_front_matter
from keps.convert.repair import KEP_KEYS, Repair, clean_front_matter, parse_front_matter
from keps.convert.sections import section_files
from keps.errors import InvalidContentError, KepError, KepExistsError, StorageError
from keps.keps.kep import Kep
from keps.keps.layouts.seed import KEY_ORDER, SEED, SeedKep, metadata_to_mapping
from keps.keps.metadata import Exemption, Metadata
from keps.keps.sections import render, required_for
from keps.problems import Problem, errors_only
from keps.sigs import SigRegistry

__all__ = [
    "EXEMPTION_REASONS",
    "ORIGINAL_FRONT_MATTER",
    "SEE_ALSO_KEY",
    "Converted",
    "NotAKepError",
    "convert_file",
    "output_location",
    "slug_for",
]

#: The unlisted file in each converted KEP that keeps the source front matter verbatim.
ORIGINAL_FRONT_MATTER = "original-front-matter.yaml"
#: The key of metadata.yaml that keeps ``see-also`` (no Metadata field has it).
SEE_ALSO_KEY = "see_also"

#: Checks a converted KEP may fail only because the converter will not invent a fact;
#: each gets an exemption with this reason. Any other failing check fails the conversion.
EXEMPTION_REASONS: dict[str, str] = {
    "kep-number-too-early": (
        "converted from the 2018 flat format, where numbers were given before approval; "
        "the number is kept as the source gives it"
    ),
    "author-is-approver": "converted: the source front matter names an author as approver",
    "author-is-reviewer": "converted: the source front matter names an author as reviewer",
    "reviewers-not-set": "converted: the source names no reviewers (or only placeholders)",
    "approvers-not-set": "converted: the source names no approvers (or only placeholders)",
    "authors-not-set": "converted: the source names no authors",
    "created-not-set": "converted: the source gives no usable creation-date",
    "owning-sig-not-set": "converted: the source names no owning SIG and was not filed in one",
    "sig-unknown": "converted: the owning SIG the source names is not in the SIG list in force",
    "participating-sig-unknown": (
        "converted: a participating SIG the source names is not in the SIG list in force"
    ),
}

_NUMBER_PREFIX = re.compile(r"^(?:draft-)?(?:\d+[a-z]?-)?(?:(?:19|20)\d{6}-)?", re.IGNORECASE)
_TITLE_LINE = re.compile(r"^ {0,3}#[ \t]+(?P<title>\S.*?)[ \t#]*$", re.MULTILINE)


class NotAKepError(InvalidContentError):
    """A file under conversion is not a KEP (a README, a template, no front matter)."""


@attrs.frozen(kw_only=True)
class Converted:
    """One converted KEP: where it came from, where it went, and what conversion did.

    Args:
        source: the flat file read.
        output: the KEP folder written.
        title: the converted KEP's title.
        kep_number: its number, if the source gave a usable one.
        added_sections: section files rendered from templates because the state
            requires them and the source lacks them.
        repairs: every change made to a value of the source front matter.
        exemptions: the checks waived, each with its reason.
    """

    source: Path
    output: Path
    title: str
    kep_number: int | None
    added_sections: tuple[str, ...]
    repairs: tuple[Repair, ...]
    exemptions: tuple[Exemption, ...]


def slug_for(source: Path) -> str:
    """The KEP folder name for flat file *source*: its stem without number and date.

    >>> slug_for(Path("0028-20180925-optional-service-environment-variables.md"))
    'optional-service-environment-variables'
    >>> slug_for(Path("0007-pod-ready++.md")), slug_for(Path("draft-20181127-aws-alb.md"))
    ('pod-ready', 'aws-alb')
    """
    stem = source.stem
    trimmed = _NUMBER_PREFIX.sub("", stem) or stem
    slug = re.sub(r"[^a-z0-9]+", "-", trimmed.lower()).strip("-")
    return slug or re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "kep"


def _folder_of(source: Path, source_root: Path | None) -> str | None:
    """The first folder of *source* under *source_root* (None at the top level)."""
    if source_root is None:
        return None
    parts = source.resolve().relative_to(source_root.resolve()).parts
    return parts[0] if len(parts) > 1 else None


def _why_not_a_kep(source: Path) -> str | None:
    name = source.name.lower()
    if source.suffix.lower() != ".md":
        return "not a KEP: not a Markdown file"
    if name == "readme.md":
        return "not a KEP: a README"
    if slug_for(source).endswith("template"):
        return "not a KEP: a template (its file name says so)"
    return None


def output_location(
    source: Path, output_root: Path, *, registry: SigRegistry, source_root: Path | None = None
) -> Path:
    """Where :func:`convert_file` would write the KEP from *source* (reads the file).

    Raises:
        NotAKepError, InvalidContentError: as :func:`convert_file`.
    """
    plan = _plan(source, registry=registry, source_root=source_root)
    return output_root.absolute().joinpath(*plan.cleaned.location)


@attrs.frozen
class _Plan:
    source_text: str
    block: str
    body: str
    cleaned: Any


def _plan(source: Path, *, registry: SigRegistry, source_root: Path | None) -> _Plan:
    why = _why_not_a_kep(source)
    if why is not None:
        raise NotAKepError(why, path=source)
    text = read_text(source)
    front = split_front_matter(text)
    if front is None:
        msg = "no front matter"
        raise NotAKepError(msg, path=source)
    data, text_repairs = parse_front_matter(front.text, path=source)
    if not isinstance(data, dict) or not KEP_KEYS & set(data):
        msg = "not a KEP: its front matter has none of the KEP fields (" + ", ".join(
            sorted(KEP_KEYS)
        )
        raise NotAKepError(msg + ")", path=source)
    heading = _TITLE_LINE.search(front.body)
    cleaned = clean_front_matter(
        data,
        registry=registry,
        folder=_folder_of(source, source_root),
        slug=slug_for(source),
        title_hint=heading.group("title") if heading else None,
    )
    cleaned = attrs.evolve(cleaned, repairs=(*text_repairs, *cleaned.repairs))
    return _Plan(source_text=text, block=front.block, body=front.body, cleaned=cleaned)


def convert_file(
    source: str | Path,
    output_root: str | Path,
    *,
    registry: SigRegistry,
    overwrite: bool = False,
    source_root: str | Path | None = None,
    now: dt.datetime | None = None,
) -> Converted:
    """Convert the flat KEP file *source* into a KEP folder under *output_root*.

    The folder is ``<output_root>/<owning-sig>/sig-wide/<slug>``, or
    ``<output_root>/kubernetes-wide/<slug>`` for a sig-architecture KEP at the top of
    *source_root*; the slug is the file name without number and date. *source_root*
    also tells which SIG folder the file was filed in, the fallback owner.

    Args:
        registry: the SIG list the converted KEP is checked against.
        overwrite: replace a KEP already at the output folder.
        now: the time of conversion (``last_updated`` when the source gives none).

    Raises:
        NotAKepError: a README, a template, a file without front matter.
        InvalidContentError: front matter that is not YAML even after repairs.
        KepExistsError: the output folder holds something and *overwrite* is False.
        CheckFailedError: the converted KEP fails a check that no exemption covers.
    """
    source = Path(source)
    root = None if source_root is None else Path(source_root)
    output_root = Path(output_root).absolute()
    now = now or dt.datetime.now(dt.UTC)
    plan = _plan(source, registry=registry, source_root=root)
    cleaned = plan.cleaned
    target = output_root.joinpath(*cleaned.location)
    if _occupied(target) and not overwrite:
        msg = f"output exists: {target} (pass overwrite to replace it)"
        raise KepExistsError(msg, path=target)

    fields = dict(cleaned.fields)
    last_updated = fields.pop("last_updated") or now
    repairs = list(cleaned.repairs)
    if cleaned.fields["last_updated"] is None and not any(
        r.kind == "last-updated-before-created" for r in repairs
    ):
        repairs.append(
            Repair(
                "last-updated-set",
                "no usable last-updated; last_updated is the time of conversion",
                "last-updated",
            )
        )
    metadata = Metadata(uuid=str(uuid_module.uuid4()), **fields)

    made = [p for p in (target.parent.parent, target.parent) if not p.exists()]
    staging = _staging_dir(target)
    try:
        kep = SeedKep(path=staging, content_root=output_root, registry=registry, metadata=metadata)
        for filename, text in section_files(plan.body).items():
            kep.set_section(filename, text)
        added = _add_required_sections(kep, registry)
        exemptions = _exempt(kep, last_updated)
        transaction = FileTransaction()
        kep.stage_writes(transaction, now=last_updated)
        transaction.write_text(staging / SEED.metadata_file, _metadata_text(kep.metadata, cleaned))
        transaction.write_text(
            staging / ORIGINAL_FRONT_MATTER,
            f"# The front matter of {source.name} as written, before conversion.\n{plan.block}",
        )
        transaction.commit()
        _move_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in reversed(made):  # the SIG folders this call created, if left empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise

    try:
        Kep.open(target, registry=registry, content_root=output_root).check(now=last_updated)
    except KepError:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return Converted(
        source=source,
        output=target,
        title=metadata.title,
        kep_number=metadata.kep_number,
        added_sections=added,
        repairs=tuple(repairs),
        exemptions=exemptions,
    )


def _occupied(target: Path) -> bool:
    return target.exists() and (not target.is_dir() or any(target.iterdir()))


def _staging_dir(target: Path) -> Path:
    """A fresh hidden folder beside *target*, so the final move is one rename."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".keps-convert-{target.name}-", dir=target.parent))
        staging.chmod(0o755)  # mkdtemp's 0700 would hide the KEP from other users
    except OSError as exc:
        msg = f"cannot create {target.parent}: {exc.strerror or exc}"
        raise StorageError(msg, path=target.parent) from exc
    return staging


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename *staging* to *target*; an old *target* is swapped out, then removed."""
    old: Path | None = None
    try:
        if target.exists() or target.is_symlink():
            old = target.with_name(f".keps-replaced-{target.name}-{uuid_module.uuid4().hex[:8]}")
            target.rename(old)
        staging.rename(target)
    except OSError as exc:
        if old is not None and not target.exists():
            with contextlib.suppress(OSError):
                old.rename(target)
        msg = f"cannot move the converted KEP to {target}: {exc.strerror or exc}"
        raise StorageError(msg, path=target) from exc
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


def _add_required_sections(kep: Kep, registry: SigRegistry) -> tuple[str, ...]:
    """Render from the templates the sections the KEP's state requires and it lacks."""
    state = kep.metadata.state
    if state is None:
        return ()
    sig = kep.metadata.owning_sig
    sig_name = registry.display_name(sig) if sig and registry.exists(sig) else sig
    added = []
    for spec in required_for(state):
        if spec.filename not in kep.metadata.sections:
            kep.set_section(spec.filename, render(spec, kep.metadata, sig_name=sig_name))
            added.append(spec.filename)
    return tuple(added)


def _exempt(kep: Kep, now: dt.datetime) -> tuple[Exemption, ...]:
    """Exempt each failing check that only an invented fact could satisfy; return them."""
    blocking = errors_only(kep.problems(now=now))
    codes = list(dict.fromkeys(p.code for p in blocking if p.code in EXEMPTION_REASONS))
    exemptions = tuple(Exemption(code=code, reason=_reason(code, blocking)) for code in codes)
    if exemptions:
        kep.update(exemptions=(*kep.metadata.exemptions, *exemptions))
    return exemptions


def _reason(code: str, problems: Sequence[Problem]) -> str:
    details = "; ".join(p.message for p in problems if p.code == code)
    return f"{EXEMPTION_REASONS[code]} ({details})"


def _metadata_text(metadata: Metadata, cleaned: Any) -> str:
    """metadata.yaml as :meth:`Kep.persist` writes it for a new KEP, plus ``see_also``.

    ``see_also`` has no Metadata field; as an unknown key it survives every later
    load/save of the KEP (the round-trip document keeps keys it does not know).
    """
    mapping = metadata_to_mapping(metadata)
    order = list(KEY_ORDER)
    if cleaned.see_also:
        mapping[SEE_ALSO_KEY] = list(cleaned.see_also)
        order.insert(order.index("superseded_by") + 1, SEE_ALSO_KEY)
    document = CommentedMap()
    update_document(document, {}, mapping, order)
    return dump_roundtrip(document, like="")


def _relative(path: Path, root: Path) -> str:
    try:
        return PurePosixPath(path.absolute().relative_to(root.absolute())).as_posix()
    except ValueError:
        return str(path)
