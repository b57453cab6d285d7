"""Create a folder for every SIG at a location: a playground content root for trying keps.

python -m helpers.init_sig_dirs ~/keps-playground
python -m helpers.init_sig_dirs ~/keps-2018 --sigs ../shared/corpus/sigs-2018.yaml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from keps.errors import KepError
from keps.sigs import SigRegistry, create_sig_dirs


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.init_sig_dirs",
        description="Create a folder for every SIG of a SIG list; existing folders are kept.",
    )
    parser.add_argument("location", type=Path, help="the folder to create the SIG folders in")
    parser.add_argument(
        "--sigs",
        type=Path,
        metavar="FILE",
        help="a sigs.yaml to take the SIGs from (default: the list packaged with keps)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Create the SIG folders and print each one created; 1 with a message on failure."""
    args = _parser().parse_args(argv)
    try:
        registry = SigRegistry.packaged() if args.sigs is None else SigRegistry.from_file(args.sigs)
        created = create_sig_dirs(args.location, registry)
    except KepError as exc:
        print(f"init_sig_dirs: {exc}", file=sys.stderr)
        return 1
    for folder in created:
        print(f"created {folder}")
    kept = len(registry.all()) - len(created)
    print(
        f"{len(created)} SIG folders created, {kept} already there, in {args.location}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
