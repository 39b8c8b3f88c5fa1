"""The command line: arguments to Options, one render, the outcome as messages and an
exit code. render.py calls main() here unless a warm server (layout/warm.py) renders for
it; the server's workers call it too.
"""
from __future__ import annotations

import argparse
import gc
import json
import signal
import sys
import time
from pathlib import Path

from .api import STDOUT, Options, OversetError, PreflightError, copyfit_table, render
from .errors import InputError, RenderError


def parse_args(argv: list[str]) -> tuple[Options, argparse.Namespace]:
    sample = Path(__file__).resolve().parent.parent / "editions" / "sample" / "edition.yaml"
    parser = argparse.ArgumentParser(prog="render.py", description="Render a paiban edition to PDF.")
    parser.add_argument("edition", nargs="?", type=Path, default=sample,
                        help="edition YAML (default: the bundled sample)")
    parser.add_argument("-o", "--output", type=Path,
                        help="output PDF (default: out/<edition folder>.pdf); - writes it (or one --png "
                             "picture) to standard output")
    parser.add_argument("--allow-path", dest="allow_paths", action="append", type=Path, default=[],
                        metavar="DIR", help="let the edition's files come from DIR too (repeatable); files "
                                            "outside the edition's folder are refused otherwise")
    parser.add_argument("--page", type=int, help="compose and write only page N (1-based)")
    parser.add_argument("--png", action="store_true", help="write PNG pictures instead of a PDF")
    parser.add_argument("--dpi", type=float, default=100.0, help="resolution of --png pictures (default 100)")
    parser.add_argument("--proof", action="store_true",
                        help="draw grid, frames, baseline grid, overset (red) and underset (yellow) over the pages")
    parser.add_argument("--report", action="store_true",
                        help="print the copyfit table, and write it as JSON next to the PDF (.report.json)")
    parser.add_argument("--watch", action="store_true",
                        help="render, then again whenever a file of the edition changes (only the pages it affects)")
    parser.add_argument("--serve", action="store_true",
                        help="a live preview on http://127.0.0.1:PORT/ that follows every change (implies --watch)")
    parser.add_argument("--port", type=int, default=8000, help="port of --serve (0: any free port)")
    parser.add_argument("--print", dest="press", action="store_true",
                        help="the press render: photos in newsprint grey, bleed, crop and registration marks, "
                             "colour bar, slug line, PDF/X output intent (settings: the edition's 'output')")
    parser.add_argument("--preflight", choices=["report", "strict"], default="report",
                        help="strict: any preflight finding (low-resolution photo, RGB photo, overset, text "
                             "past its frame) is an error, no PDF, exit code 4")
    parser.add_argument("--json", action="store_true",
                        help="print the outcome as one JSON object on stdout (for scripts and the production desk)")
    parser.add_argument("--overset-error", action="store_true",
                        help="treat overset text (a story's, or any frame's) as an error: write no PDF, "
                             "exit with code 3")
    parser.add_argument("--no-server", action="store_true",
                        help="render in this process: neither use nor start the warm render server "
                             "(also PAIBAN_SERVER=0; see `python -m layout.warm status|stop`)")
    args = parser.parse_args(argv)
    output = args.output
    if output is None:
        stem = args.edition.resolve().parent.name
        suffix = f"-p{args.page}" if args.page else ""
        output = Path("out") / f"{stem}{suffix}.{'png' if args.png else 'pdf'}"
    if args.dpi <= 0 or args.dpi > 1200:
        parser.error("--dpi must be between 1 and 1200")
    if output == STDOUT and (args.watch or args.serve or args.json or args.report):
        parser.error("-o - writes the output to standard output; it cannot go with --watch, --serve, "
                     "--json or --report")
    options = Options(args.edition, output, args.page, args.proof, args.overset_error, args.png, args.dpi,
                      args.press, args.preflight == "strict", preflight=args.report,
                      allow_paths=tuple(p.resolve() for p in args.allow_paths), report=args.report)
    if (args.watch or args.serve) and (args.page or args.png):
        parser.error("--watch renders the whole edition to PDF; leave out --page and --png")
    return options, args


_KEPT: list = []  # what the render made, left for os._exit to drop at once


class Terminated(Exception):
    """SIGTERM: stop like an interrupt, leaving the last good output in place."""


def _on_sigterm(signum, frame):
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    options, args = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    if args.watch or args.serve:
        from .serve import serve
        from .watch import watch

        try:
            if args.serve:
                serve(options, args.port, out=lambda line: print(line, flush=True))
            else:
                watch(options, out=lambda line: print(line, flush=True))
        except KeyboardInterrupt:
            print("stopped watching", file=sys.stderr)
        except OSError as exc:
            print(f"error: cannot serve on port {args.port}: {exc.strerror}", file=sys.stderr)
            return 1
        return 0
    # One render, then exit: the cyclic collector stays off for good (api.render turns
    # it off only for the render; switching it back on made it sweep every object the
    # render had made, about 20 ms, just before the process ends anyway).
    gc.disable()
    start = time.perf_counter()
    progress = _progress(start) if sys.stderr.isatty() and not args.json else None
    try:
        result = render(options, progress, keep=_KEPT)
    except PreflightError as exc:
        return _fail(args, exc.exit_code, [f"preflight: {m}" for m in exc.report.preflight]
                     + ["no PDF written (--preflight strict)"], exc.report.preflight)
    except OversetError as exc:
        lines = [f"error: story '{e['story']}' is overset on page {e['page']}: {e['chars']} characters did not fit "
                 f"(last words placed: '{e['last_words']}')" for e in exc.report.overset]
        lines += [f"error: page {e['page']}, element {e['element']} ({e['type']}): {e['chars']} characters did not "
                  f"fit its frame (last words placed: '{e['last_words']}')" for e in exc.report.overflow]
        return _fail(args, exc.exit_code, lines + ["no PDF written (--overset-error)"],
                     exc.report.overset + exc.report.overflow)
    except (InputError, RenderError) as exc:
        errors = getattr(exc, "errors", [exc])
        lines = [f"error: {exc}"] if not getattr(exc, "where", None) else str(exc).splitlines()
        return _fail(args, exc.exit_code, lines, [_error_json(e) for e in errors])
    except KeyboardInterrupt:
        return _fail(args, 130, ["interrupted; the previous output is unchanged"], [])
    except Terminated:
        return _fail(args, 143, ["terminated; the previous output is unchanged"], [])
    finally:
        if progress:
            progress.done()
    seconds = time.perf_counter() - start
    if result.data is not None:  # -o -
        try:
            sys.stdout.buffer.write(result.data)
            sys.stdout.buffer.flush()
        except OSError as exc:
            return _fail(args, 1, [f"error: cannot write the output to standard output: {exc.strerror or exc}"], [])
    if args.json:
        print(json.dumps({"ok": True, "outputs": [str(p) for p in result.outputs], "pages": result.pages,
                          "seconds": round(seconds, 3), "warnings": result.report.warnings,
                          "overset": result.report.overset, "overflow": result.report.overflow,
                          "copyfit": result.report.copyfit, "preflight": result.report.preflight},
                         ensure_ascii=False))
        return 0
    for warning in result.report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.report:
        print(copyfit_table(result.report))
        for finding in result.report.preflight:
            print(f"preflight: {finding}")
    shown = result.output if len(result.outputs) <= 1 else f"{result.outputs[0]} … {result.outputs[-1].name}"
    if result.data is not None:
        print(f"standard output: {result.pages} page(s) in {seconds:.2f} s", file=sys.stderr)
    else:
        print(f"{shown}: {result.pages} page(s) in {seconds:.2f} s")
    return 0


class _progress:
    """'composing 5/12, 1.3 s' on a terminal's stderr, rewritten in place."""

    def __init__(self, start: float):
        self.start = start
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        print(f"\rcomposing {done}/{total}, {time.perf_counter() - self.start:.1f} s", end="",
              file=sys.stderr, flush=True)
        self.shown = True

    def done(self) -> None:
        if self.shown:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def _error_json(exc) -> dict:
    where = getattr(exc, "where", None)
    return {"message": getattr(exc, "message", str(exc)), "hint": getattr(exc, "hint", None),
            "file": where.file if where else None, "line": where.line if where else None,
            "column": where.column if where else None}


def _fail(args, code: int, lines: list[str], details: list) -> int:
    if args.json:

        print(json.dumps({"ok": False, "exit_code": code, "errors": details, "message": "\n".join(lines)},
                         ensure_ascii=False))
    else:
        for line in lines:
            print(line, file=sys.stderr)
    return code
