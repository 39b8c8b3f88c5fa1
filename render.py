#!/usr/bin/env python3
"""paiban: render an edition YAML to a PDF.

    python render.py                          # the bundled sample -> out/sample.pdf
    python render.py EDITION.yaml -o OUT.pdf  # any edition
    python render.py EDITION.yaml --page 1    # only page 1 (preview)
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from layout.api import Options, render
from layout.errors import InputError, RenderError

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "editions" / "sample" / "edition.yaml"


def parse_args(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="render.py", description="Render a paiban edition to PDF.")
    parser.add_argument("edition", nargs="?", type=Path, default=SAMPLE,
                        help="edition YAML (default: the bundled sample)")
    parser.add_argument("-o", "--output", type=Path, help="output PDF (default: out/<edition folder>.pdf)")
    parser.add_argument("--page", type=int, help="render only page N (1-based)")
    args = parser.parse_args(argv)
    output = args.output
    if output is None:
        stem = args.edition.resolve().parent.name
        suffix = f"-p{args.page}" if args.page else ""
        output = Path("out") / f"{stem}{suffix}.pdf"
    return Options(args.edition, output, args.page)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(sys.argv[1:] if argv is None else argv)
    start = time.perf_counter()
    try:
        result = render(options)
    except (InputError, RenderError) as exc:
        print(f"error: {exc}" if not getattr(exc, "where", None) else str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; the previous output is unchanged", file=sys.stderr)
        return 130
    for warning in result.report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{result.output}: {result.pages} page(s) in {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
