"""Render a sigs.yaml (a path or an http(s) URL) into the compact list keps packages.

Refresh the packaged default from kubernetes/community::

    python -m helpers.render_sig_list \\
        https://raw.githubusercontent.com/kubernetes/community/master/sigs.yaml \\
        --output keps/sigs/data/sigs.yaml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from keps._files import atomic_write_text
from keps.errors import KepError
from keps.sigs import read_location, render_sig_list, source_label


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.render_sig_list",
        description="Render a sigs.yaml into the compact SIG list that keps packages.",
    )
    parser.add_argument("source", help="path or http(s) URL of a sigs.yaml")
    parser.add_argument(
        "--output", "-o", type=Path, help="file to write (atomically); default: standard output"
    )
    parser.add_argument(
        "--source-label",
        help="how the header names the source (default: the URL, or the file name of a path)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for a URL (default: 30)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Render the SIG list; 0 on success, 1 with a one-line message on stderr otherwise."""
    args = _parser().parse_args(argv)
    label = args.source_label or source_label(args.source)
    try:
        text = read_location(args.source, timeout=args.timeout)
        rendered = render_sig_list(text, source=args.source, label=label)
        if args.output is None:
            sys.stdout.write(rendered)
        else:
            atomic_write_text(args.output, rendered)
            groups = rendered.count("\n- dir: ")
            print(f"wrote {args.output} ({groups} groups from {label})", file=sys.stderr)
    except KepError as exc:
        print(f"render_sig_list: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
