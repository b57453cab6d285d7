"""Moving a KEP from one layout to the other without losing a field or a line of text.

Today's README.md becomes seed section files, one per ``## `` section, named in order
(``text/00-preamble.md``, ``text/01-summary.md``, ...) so the seed keeps their order
and joining them gives the README back byte for byte. Values of kep.yaml the model
cannot hold (an unknown status, a date with month 15, keys such as ``id``) travel in
metadata.yaml under :data:`UNMAPPED_KEY` and return to kep.yaml on the way back. PRR
approvals live in metadata.yaml in the seed layout and in the prod-readiness file
when the target lies in a ``keps/`` folder.

::

    seed = convert_layout(keps.open("keps/sig-node/1287-in-place"), "seed", tmp / "k")
    back = convert_layout(seed, "enhancements", tmp / "keps/sig-node/1287-in-place")
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from keps._files import FileTransaction, read_text
from keps.errors import InvalidContentError, KepExistsError
from keps.keps.kep import Kep
from keps.keps.layouts import ENHANCEMENTS, LAYOUTS, SEED, Layout, layout_named
from keps.keps.layouts import readme as readme_parts
from keps.keps.layouts.enhancements import KEY_ORDER, keps_dir_of, prr_file, prr_mapping
from keps.keps.sections import README, name_for, render_readme

__all__ = ["TEXT_DIR", "UNMAPPED_KEY", "convert_layout"]

#: The metadata.yaml key that carries kep.yaml values the model cannot hold.
UNMAPPED_KEY = "enhancements_unmapped"

#: The folder of a converted KEP's section files in the seed layout.
TEXT_DIR = "text"


def convert_layout(kep: Kep, to: str | Layout, dest: str | Path) -> Kep:
    """Write *kep* in layout *to* at the new folder *dest*, and open it there.

    Nothing is written when *kep* is already in that layout; the files are written
    all at once or not at all, and the original is left as it is.

    Raises:
        InvalidContentError: *to* names no layout, or *kep* is already in it (both
            are also ValueErrors).
        KepExistsError: *dest* already holds a KEP.
    """
    try:
        target = layout_named(to)
    except ValueError as exc:
        raise InvalidContentError(str(exc), path=kep.path) from exc
    if target is kep.layout:
        msg = f"{kep.path} is already in the {target.name} layout"
        raise InvalidContentError(msg, path=kep.path)
    dest_dir = Path(dest).absolute()
    if any((dest_dir / layout.metadata_file).exists() for layout in LAYOUTS.values()):
        msg = f"a KEP already exists at {dest_dir}"
        raise KepExistsError(msg, path=dest_dir)
    transaction = FileTransaction()
    if target is SEED:
        _stage_seed(kep, dest_dir, transaction)
    else:
        _stage_enhancements(kep, dest_dir, transaction)
    transaction.commit()
    return Kep.open(dest_dir)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "section"


def _unmapped(kep: Kep) -> dict[str, Any]:
    """kep.yaml values the model does not hold, by their kep.yaml key.

    Values kept as written because they do not parse (a status ``imlpemented``) count as
    not held: the seed's fields are typed, so they travel under :data:`UNMAPPED_KEY`.
    """
    mapped = ENHANCEMENTS.to_mapping(attrs.evolve(kep.metadata, unparsed=()))
    return {str(k): v for k, v in kep.raw.items() if str(k) not in mapped and v is not None}


def _stage_seed(kep: Kep, dest: Path, transaction: FileTransaction) -> None:
    files: list[str] = []
    for index, part in enumerate(readme_parts.split(kep.readme_text())):
        if not part.text:
            continue
        name = _slug(part.name) if part.heading else "preamble"
        filename = f"{TEXT_DIR}/{index:02d}-{name}.md"
        transaction.write_text(dest / PurePosixPath(filename), part.text)
        files.append(filename)
    metadata = attrs.evolve(kep.metadata, sections=(*files, README.filename))
    data = SEED.to_mapping(metadata)
    extra = _unmapped(kep)
    if extra:
        data[UNMAPPED_KEY] = extra
    transaction.write_text(dest / SEED.metadata_file, SEED.edit(None, {}, data))
    sig = metadata.owning_sig
    sig_name = kep.registry.display_name(sig) if sig and kep.registry.exists(sig) else sig
    transaction.write_text(dest / README.filename, render_readme(metadata, sig_name=sig_name))


def _section_text(kep: Kep, filename: str) -> str:
    """A seed section as README text: its file, under a ``## `` heading unless it has one."""
    text = read_text(kep.path / PurePosixPath(filename))
    if filename.startswith(f"{TEXT_DIR}/") or text.lstrip().startswith("#"):
        return text
    body = text if text.endswith("\n") else text + "\n"
    return f"## {name_for(filename)}\n\n{body}\n"


def _stage_enhancements(kep: Kep, dest: Path, transaction: FileTransaction) -> None:
    metadata = attrs.evolve(kep.metadata, sections=())
    data = ENHANCEMENTS.to_mapping(metadata)
    extra = kep.raw.get(UNMAPPED_KEY)
    if isinstance(extra, Mapping):
        data.update({str(k): v for k, v in extra.items() if str(k) not in data})
    order = {key: index for index, key in enumerate(KEY_ORDER)}
    ordered = dict(sorted(data.items(), key=lambda item: order.get(item[0], len(order))))
    transaction.write_text(dest / ENHANCEMENTS.metadata_file, ENHANCEMENTS.edit(None, {}, ordered))
    text = "".join(_section_text(kep, f) for f in kep.sections if f != README.filename)
    transaction.write_text(dest / README.filename, text)
    keps_dir = keps_dir_of(dest)
    number = metadata.kep_number
    if metadata.prr_approvals and keps_dir is not None and number is not None:
        path = prr_file(keps_dir, metadata.owning_sig, number)
        mapping = prr_mapping(number, metadata.prr_approvals)
        transaction.write_text(path, ENHANCEMENTS.edit(None, {}, mapping))
