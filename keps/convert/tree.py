"""Converting a whole tree of flat KEP files, and the report of what happened to each.

Every file under the source root is looked at once, in sorted order, so two runs over
the same tree give the same report. A file is *converted*, *skipped* (not a KEP: a
README, a template, a file without front matter) or *failed* (a KEP that could not be
converted: front matter that is not YAML, an output folder already there, a check that
fails). Nothing is printed: :class:`Report` is returned, and ``progress`` is called
after each file so that a command line can draw a bar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from keps._files import atomic_write_text, read_text
from keps.convert.flat import Converted, NotAKepError, convert_file, output_location
from keps.convert.repair import summarize
from keps.errors import InvalidContentError, KepError, KepExistsError
from keps.keps.path import SIGS_FILE
from keps.sigs import SigRegistry

__all__ = ["Failed", "Report", "Skipped", "convert_tree", "find_sources", "write_sigs_file"]


@attrs.frozen
class Skipped:
    """A file that is not a KEP, and why it was not converted."""

    path: Path
    reason: str


@attrs.frozen
class Failed:
    """A KEP that could not be converted, why, and every problem found (if any)."""

    path: Path
    reason: str
    problems: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Report:
    """What :func:`convert_tree` did with each file under the source root."""

    source_root: Path
    output_root: Path
    total: int
    converted: tuple[Converted, ...]
    skipped: tuple[Skipped, ...]
    failed: tuple[Failed, ...]

    @property
    def number_clashes(self) -> dict[int, tuple[Path, ...]]:
        """KEP numbers that more than one converted KEP carries -> their sources."""
        by_number: dict[int, list[Path]] = {}
        for item in self.converted:
            if item.kep_number is not None:
                by_number.setdefault(item.kep_number, []).append(item.source)
        return {n: tuple(paths) for n, paths in sorted(by_number.items()) if len(paths) > 1}

    @property
    def added_sections(self) -> int:
        """How many section files were rendered from templates, over all KEPs."""
        return sum(len(item.added_sections) for item in self.converted)

    def repair_counts(self) -> dict[str, int]:
        """How many repairs of each kind, over all converted KEPs."""
        return summarize(r for item in self.converted for r in item.repairs)

    def exemption_counts(self) -> dict[str, int]:
        """How many converted KEPs carry an exemption for each check."""
        return summarize_codes(e.code for item in self.converted for e in item.exemptions)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON data; paths relative to the source and output roots."""
        src, out = self.source_root, self.output_root
        return {
            "total": self.total,
            "converted": [
                {
                    "source": _relative(item.source, src),
                    "output": _relative(item.output, out),
                    "title": item.title,
                    "kep_number": item.kep_number,
                    "added_sections": list(item.added_sections),
                    "repairs": [r.to_json() for r in item.repairs],
                    "exemptions": [{"code": e.code, "reason": e.reason} for e in item.exemptions],
                }
                for item in self.converted
            ],
            "skipped": [{"path": _relative(s.path, src), "reason": s.reason} for s in self.skipped],
            "failed": [
                {"path": _relative(f.path, src), "reason": f.reason, "problems": list(f.problems)}
                for f in self.failed
            ],
            "number_clashes": {
                str(number): [_relative(p, src) for p in paths]
                for number, paths in self.number_clashes.items()
            },
            "repairs": self.repair_counts(),
            "exemptions": self.exemption_counts(),
        }

    def summary_lines(self) -> list[str]:
        """The report as short lines of text, for a terminal."""
        src = self.source_root
        lines = [f"converted {len(self.converted)} of {self.total} files"]
        for skipped in self.skipped:
            lines.append(f"skipped {_relative(skipped.path, src)}: {skipped.reason}")
        for failed in self.failed:
            lines.append(f"FAILED {_relative(failed.path, src)}: {failed.reason}")
            lines.extend(f"    {problem}" for problem in failed.problems)
        for number, paths in self.number_clashes.items():
            names = ", ".join(_relative(p, src) for p in paths)
            lines.append(f"KEP number {number} is carried by {len(paths)} KEPs: {names}")
        if self.converted:
            added = self.added_sections
            lines.append(f"sections rendered from templates: {added}")
            repairs = ", ".join(f"{k} {v}" for k, v in self.repair_counts().items()) or "none"
            lines.append(f"repairs: {repairs}")
            exempt = ", ".join(f"{k} {v}" for k, v in self.exemption_counts().items()) or "none"
            lines.append(f"exemptions: {exempt}")
        return lines


def summarize_codes(codes: Iterable[str]) -> dict[str, int]:
    """Counts of *codes*, most frequent first."""
    counts: dict[str, int] = {}
    for code in codes:
        counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _relative(path: Path, root: Path) -> str:
    try:
        return PurePosixPath(path.absolute().relative_to(root.absolute())).as_posix()
    except ValueError:
        return str(path)


def find_sources(source_root: str | Path) -> tuple[Path, ...]:
    """Every file under *source_root*, sorted; hidden files and folders left out."""
    root = Path(source_root)
    return tuple(
        path
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(root).parts)
    )


def write_sigs_file(
    sigs_file: str | Path, output_root: str | Path, *, overwrite: bool = False
) -> Path:
    """Copy the SIG list *sigs_file* to ``<output_root>/sigs.yaml``, so the tree says
    which SIG list its KEPs were checked against (``keps.open`` reads it from there).

    Raises:
        KepExistsError: a different sigs.yaml is there and *overwrite* is False.
    """
    text = read_text(Path(sigs_file))
    target = Path(output_root) / SIGS_FILE
    if target.is_file() and not overwrite and read_text(target) != text:
        msg = f"output exists: {target} holds another SIG list (pass overwrite to replace it)"
        raise KepExistsError(msg, path=target)
    atomic_write_text(target, text)
    return target


def convert_tree(
    source_root: str | Path,
    output_root: str | Path,
    *,
    registry: SigRegistry,
    overwrite: bool = False,
    progress: Callable[[Path], None] | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Convert every flat KEP under *source_root* into *output_root*; see :class:`Report`.

    Two files that would land in the same folder are never both written: the second
    fails, also with *overwrite* (which only replaces what an earlier run left).

    Args:
        registry: the SIG list each converted KEP is checked against.
        overwrite: replace KEPs an earlier conversion left in *output_root*.
        progress: called with each file's path after it is handled.
        now: the time of conversion (the default: now).
    """
    source_root = Path(source_root)
    output_root = Path(output_root).absolute()
    now = now or dt.datetime.now(dt.UTC)
    sources = find_sources(source_root)
    converted: list[Converted] = []
    skipped: list[Skipped] = []
    failed: list[Failed] = []
    claimed: dict[Path, Path] = {}
    for source in sources:
        try:
            target = output_location(
                source, output_root, registry=registry, source_root=source_root
            )
            if target in claimed:
                other = _relative(claimed[target], source_root)
                msg = f"output {_relative(target, output_root)} is already taken by {other}"
                raise KepExistsError(msg, path=target)
            claimed[target] = source
            converted.append(
                convert_file(
                    source,
                    output_root,
                    registry=registry,
                    overwrite=overwrite,
                    source_root=source_root,
                    now=now,
                )
            )
        except NotAKepError as exc:
            skipped.append(Skipped(source, exc.message))
        except InvalidContentError as exc:
            problems = tuple(f"[{p.code}] {p.message}" for p in exc.problems if p.is_blocking)
            failed.append(Failed(source, _reason(exc), problems))
        except KepError as exc:
            failed.append(Failed(source, exc.message))
        if progress is not None:
            progress(source)
    return Report(
        source_root=source_root,
        output_root=output_root,
        total=len(sources),
        converted=tuple(converted),
        skipped=tuple(skipped),
        failed=tuple(failed),
    )


def _reason(exc: InvalidContentError) -> str:
    codes = [p.code for p in exc.problems if p.is_blocking]
    if codes and all(code == "yaml-invalid" for code in codes):
        return f"invalid YAML: {exc.message}"
    if codes:
        return "failed checks: " + ", ".join(dict.fromkeys(codes))
    return exc.message
