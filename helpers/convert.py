"""Convert a tree of flat KEP files (2018 format) into the KEP directory format.

python -m helpers.convert ../shared/corpus/flat-keps-2018 converted \\
    --sigs ../shared/corpus/sigs-2018.yaml

The work is :func:`keps.convert.convert_tree`; this only parses arguments, draws a
progress bar on stderr and prints the report (text, or JSON with ``--json``) on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import click

from keps.convert import convert_tree, find_sources, write_sigs_file
from keps.errors import KepError
from keps.sigs import SigRegistry


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.convert",
        description=(
            "Convert every flat KEP file under SOURCE into a KEP folder under OUTPUT "
            "(<sig>/sig-wide/<name> or kubernetes-wide/<name>) and report on each file."
        ),
    )
    parser.add_argument("source", type=Path, help="the folder of flat KEP files")
    parser.add_argument("output", type=Path, help="the content root to write the KEPs into")
    parser.add_argument(
        "--sigs",
        type=Path,
        metavar="FILE",
        help="the sigs.yaml to check against (default: the list packaged with keps); "
        "it is copied to OUTPUT/sigs.yaml",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--overwrite", action="store_true", help="replace KEPs already in OUTPUT")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Convert the tree; 0 when no KEP failed, 1 when one did, 2 on a usage error."""
    args = _parser().parse_args(argv)
    if not args.source.is_dir():
        print(f"convert: no folder at {args.source}", file=sys.stderr)
        return 2
    try:
        if args.sigs is None:
            registry = SigRegistry.packaged()
        else:
            registry = SigRegistry.from_file(args.sigs)
            write_sigs_file(args.sigs, args.output, overwrite=args.overwrite)
        total = len(find_sources(args.source))
        with click.progressbar(
            length=total, label="converting", file=sys.stderr, show_pos=True
        ) as bar:
            report = convert_tree(
                args.source,
                args.output,
                registry=registry,
                overwrite=args.overwrite,
                progress=lambda _path: bar.update(1),
            )
    except KepError as exc:
        print(f"convert: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print("\n".join(report.summary_lines()))
    return 1 if report.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
