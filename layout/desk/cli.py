"""The command line: arguments to Options, one render, the outcome as messages and an
exit code. render.py calls main() here unless a warm server (layout/desk/warm.py) renders for
it; the server's workers call it too.

Exit codes: 0 done; 1 the output or the environment failed (an unwritable PDF or report,
standard output closed); 2 a mistake in the input or the flags; 3 overset with
--overset-error; 4 a preflight finding with --preflight strict; 70 an internal error (a
bug: one line, never a traceback); 130 and 143 interrupted (SIGINT, SIGTERM).
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import os
import signal
import sys
import time
from pathlib import Path

from ..api import STDOUT, Options, OversetError, PreflightError, copyfit_table, render
from ..base.errors import INTERNAL_ERROR, InputError, RenderError, as_dict, internal_error

MAX_PAGE = 100_000  # no edition has more pages; a larger --page is a typo


def parse_args(argv: list[str]) -> tuple[Options, argparse.Namespace]:
    sample = Path(__file__).resolve().parents[2] / "editions" / "sample" / "edition.yaml"
    parser = argparse.ArgumentParser(prog="render.py", description="Render a paiban edition to PDF.")
    parser.add_argument("edition", nargs="?", type=Path, default=sample,
                        help="edition YAML (default: the bundled sample)")
    parser.add_argument("-o", "--output", type=Path,
                        help="output PDF (default: out/<edition folder>.pdf); - writes it (or one --png "
                             "picture) to standard output")
    parser.add_argument("--allow-path", dest="allow_paths", action="append", type=Path, default=[],
                        metavar="DIR", help="let the edition's files come from DIR too (repeatable); files "
                                            "outside the edition's folder are refused otherwise")
    parser.add_argument("--page", type=_whole(1, MAX_PAGE), metavar="N",
                        help="compose and write only page N (1-based)")
    parser.add_argument("--png", action="store_true", help="write PNG pictures instead of a PDF")
    parser.add_argument("--trace", action="store_true",
                        help="write the display list as text instead of a PDF: one line per glyph run, image, "
                             "supplied artwork, rule and panel, positions in points (diff two to see a layout change)")
    parser.add_argument("--dpi", type=_number(1, 1200), default=100.0,
                        help="resolution of --png pictures, 1 to 1200 (default 100)")
    parser.add_argument("--proof", action="store_true",
                        help="draw grid, frames, baseline grid, overset (red) and underset (yellow) over the pages")
    parser.add_argument("--report", action="store_true",
                        help="print the copyfit table, and write it as JSON next to the PDF (.report.json)")
    parser.add_argument("--watch", action="store_true",
                        help="render, then again whenever a file of the edition changes (only the pages it affects)")
    parser.add_argument("--serve", action="store_true",
                        help="a live preview on http://127.0.0.1:PORT/ that follows every change (implies --watch)")
    parser.add_argument("--port", type=_whole(0, 65535), default=8000,
                        help="port of --serve, 0 to 65535 (0: any free port)")
    parser.add_argument("--editor", default="vscode://file{path}:{line}", metavar="URL",
                        help="with --serve: the link that opens a clicked line's source, with {path} and {line} "
                             "(default vscode://file{path}:{line}; e.g. idea://open?file={path}&line={line})")
    parser.add_argument("--print", dest="press", action="store_true",
                        help="the press render: photos in the printing condition's CMYK, bleed, crop and registration marks, "
                             "colour bar, slug line, PDF/X output intent (settings: the edition's 'output')")
    parser.add_argument("--softproof", action="store_true",
                        help="PNG pictures of the press render as it will look on its paper: the inks through "
                             "the printing condition's profile (implies --print and --png; needs Ghostscript)")
    parser.add_argument("--preflight", choices=["report", "strict"], default="report",
                        help="strict: any preflight finding (low-resolution photo, RGB photo, overset, text "
                             "past its frame) is an error, no PDF, exit code 4")
    parser.add_argument("--epaper", type=Path, metavar="DIR",
                        help="also write the digital edition (数字报) to folder DIR: a static site of page "
                             "pictures with clickable stories, an HTML page per article, web fonts and "
                             "epaper.json; alone (without -o) no PDF is kept")
    parser.add_argument("--json", action="store_true",
                        help="print the outcome as one JSON object on stdout (for scripts and the production desk)")
    parser.add_argument("--overset-error", action="store_true",
                        help="treat overset text (a story's, or any frame's) as an error: write no PDF, "
                             "exit with code 3")
    parser.add_argument("--diff", metavar="REV",
                        help="what changed against git revision REV (HEAD~1, a tag) or an earlier PDF: the "
                             "pages, elements and stories that changed, and a picture per changed page "
                             "(out/<edition>-diff-pNN.png, old and new side by side)")
    parser.add_argument("--server", action="store_true",
                        help="hand the render to the warm render server, starting one for the next render if "
                             "none runs (also PAIBAN_SERVER=1; see `python -m layout.desk.warm status|stop`)")
    parser.add_argument("--no-server", action="store_true",
                        help="render in this process, even where PAIBAN_SERVER=1 asks for the server")
    args = parser.parse_args(argv)
    for name in ("page", "dpi", "port", "output", "epaper"):
        if isinstance(getattr(args, name), list):  # '--port=--': argparse takes '--' away and gives []
            parser.error(f"argument --{name}: expected a value, not '--'")
    if any(isinstance(p, list) for p in args.allow_paths):
        parser.error("argument --allow-path: expected a folder, not '--'")
    if args.softproof:
        args.png = args.press = True
    output = args.output
    if args.epaper is not None and (args.page or args.png or args.trace or args.press or args.proof or args.watch
                                    or args.serve or args.diff is not None or output == STDOUT):
        parser.error("--epaper publishes the whole edition as it reads on screen; it cannot go with --page, "
                     "--png, --trace, --print, --proof, --watch, --serve, --diff or -o -")
    if output is None:
        stem = args.edition.resolve().parent.name
        suffix = f"-p{args.page}" if args.page else ""
        output = Path("out") / f"{stem}{suffix}.{'png' if args.png else 'trace.txt' if args.trace else 'pdf'}"
    if output == STDOUT and (args.watch or args.serve or args.json or args.report):
        parser.error("-o - writes the output to standard output; it cannot go with --watch, --serve, "
                     "--json or --report")
    options = Options(args.edition, output, args.page, args.proof, args.overset_error, args.png, args.dpi,
                      args.press, args.preflight == "strict", preflight=args.report,
                      allow_paths=tuple(p.resolve() for p in args.allow_paths), report=args.report,
                      trace=args.trace, softproof=args.softproof, epaper=args.epaper,
                      write_pdf=args.epaper is None or args.output is not None)
    if str(args.edition) == "-":
        parser.error("the edition is a file: reading it from standard input (-) is not supported")
    if (args.watch or args.serve) and (args.page or args.png):
        parser.error("--watch renders the whole edition to PDF; leave out --page and --png")
    if args.diff is not None and (args.watch or args.serve or args.png or args.trace or args.page or args.press
                                  or output == STDOUT):
        parser.error("--diff compares whole renders and writes pictures of the changed pages; it cannot go "
                     "with --watch, --serve, --png, --trace, --page, --print or -o -")
    if "{path}" not in args.editor:
        parser.error("argument --editor: the link must contain {path} (and may contain {line})")
    if args.trace and (args.png or args.serve):
        parser.error("--trace writes text instead of the PDF; it cannot go with --png or --serve")
    return options, args


def _whole(low: int, high: int):
    """An argparse type: a whole number from low to high (argparse names the flag)."""
    def parse(text: str) -> int:
        try:
            value = int(text) if len(text) <= 30 else None
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}, not {text[:40]!r}")
        return value
    return parse


def _number(low: float, high: float):
    """An argparse type: a finite number from low to high (nan and inf are not)."""
    def parse(text: str) -> float:
        try:
            value = float(text) if len(text) <= 30 else math.nan
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(f"must be a number from {low:g} to {high:g}, not {text[:40]!r}")
        return value
    return parse


_KEPT: list = []  # what the render made, left for os._exit to drop at once


class Terminated(BaseException):
    """SIGTERM: stop like an interrupt, leaving the last good output in place. Not an
    Exception, so that no `except Exception` on the way (watch's, a guard's) swallows it."""


class StdoutGone(Exception):
    """Standard output is closed or its reader left (EPIPE): the outcome cannot be shown."""


def _on_sigterm(signum, frame):
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    """One render from the command line; the exit code. Whatever happens, no traceback:
    an unexpected exception is a bug, shown as one line with exit code 70."""
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except StdoutGone as exc:
        _silence_stdout()
        _err(f"error: cannot write to standard output: {exc}")
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Terminated:
        _err("terminated")
        return 143
    except Exception as exc:  # noqa: BLE001 - the last resort; every known failure is handled below
        _err(internal_error(exc))
        return INTERNAL_ERROR


def _main(argv: list[str]) -> int:
    options, args = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    if args.watch or args.serve:
        from .serve import serve
        from .watch import watch

        try:
            if args.serve:
                serve(options, args.port, out=_out, editor=args.editor)
            else:
                watch(options, out=_out)
        except KeyboardInterrupt:
            _err("stopped watching")
        except OSError as exc:  # the port is taken, or the system refuses to watch more files
            what = f"cannot serve on port {args.port}" if args.serve else "cannot watch the edition's files"
            _err(f"error: {what}: {exc.strerror or exc}")
            return 1
        return 0
    if args.diff is not None:
        return _diff(options, args)
    # One render, then exit: the cyclic collector stays off for good (api.render turns
    # it off only for the render; switching it back on made it sweep every object the
    # render had made, about 20 ms, just before the process ends anyway).
    gc.disable()
    start = time.perf_counter()
    tty = sys.stderr is not None and sys.stderr.isatty()
    progress = _progress(start) if tty and not args.json else None
    try:
        result = render(options, progress, keep=_KEPT)
    except PreflightError as exc:
        return _fail(args, exc.exit_code, [f"preflight: {m}" for m in exc.report.preflight]
                     + ["no PDF written (--preflight strict)"], [n.as_dict() for n in exc.report.preflight])
    except OversetError as exc:
        lines = [f"error: {n}" for n in exc.report.warnings if n.code in ("overset", "overflow")]
        return _fail(args, exc.exit_code, lines + ["no PDF written (--overset-error)"],
                     [as_dict(e) for e in exc.report.overset + exc.report.overflow])
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
        _out(json.dumps({"ok": True, "outputs": [str(p) for p in result.outputs], "pages": result.pages,
                         "seconds": round(seconds, 3), **result.report.as_dict()}, ensure_ascii=False))
        return 0
    for warning in result.report.warnings:
        _err(f"warning: {warning}")
    if args.report:
        _out(copyfit_table(result.report))
        for finding in result.report.preflight:
            _out(f"preflight: {finding}")
    shown = result.output if len(result.outputs) <= 1 else f"{result.outputs[0]} … {result.outputs[-1].name}"
    if result.data is not None:
        _err(f"standard output: {result.pages} page(s) in {seconds:.2f} s")
    else:
        _out(f"{shown}: {result.pages} page(s) in {seconds:.2f} s")
    return 0


def _diff(options: Options, args) -> int:
    """--diff REV: what changed, as lines (or JSON) and pictures; no PDF is written."""
    from .diff import diff

    gc.disable()
    try:
        change = diff(options, args.diff)
    except (InputError, RenderError) as exc:
        errors = getattr(exc, "errors", [exc])
        lines = [f"error: {exc}"] if not getattr(exc, "where", None) else str(exc).splitlines()
        return _fail(args, exc.exit_code, lines, [_error_json(e) for e in errors])
    if args.json:
        _out(json.dumps({"ok": True, "against": args.diff, "pages": change.pages, "elements": change.elements,
                         "stories": change.stories, "pictures": [str(p) for p in change.pictures]},
                        ensure_ascii=False))
        return 0
    for line in change.lines(args.diff):
        _out(line)
    return 0


def _out(line: str) -> None:
    """A line on standard output, at once (watch and serve report as they go)."""
    stream = sys.stdout
    if stream is None:
        raise StdoutGone("it is closed")
    try:
        try:
            print(line, file=stream, flush=True)
        except UnicodeEncodeError:  # a terminal or pipe that cannot take the text as it is
            print(line.encode("ascii", "backslashreplace").decode("ascii"), file=stream, flush=True)
    except (OSError, ValueError) as exc:
        raise StdoutGone(getattr(exc, "strerror", None) or "it is closed") from None


def _err(line: str) -> None:
    """A line on standard error, where there is one to take it (nothing else can be done)."""
    try:
        try:
            print(line, file=sys.stderr, flush=True)
        except UnicodeEncodeError:
            print(line.encode("ascii", "backslashreplace").decode("ascii"), file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):
        pass


def _silence_stdout() -> None:
    """Point a broken standard output at /dev/null: the interpreter's last flush, and
    render.py's, then have nowhere to fail."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass


class _progress:
    """'composing 5/12, 1.3 s' on a terminal's stderr, rewritten in place."""

    def __init__(self, start: float):
        self.start = start
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        try:
            print(f"\rcomposing {done}/{total}, {time.perf_counter() - self.start:.1f} s", end="",
                  file=sys.stderr, flush=True)
        except (OSError, ValueError):  # the terminal went away: the render goes on
            return
        self.shown = True

    def done(self) -> None:
        if self.shown:
            try:
                print("\r\033[K", end="", file=sys.stderr, flush=True)
            except (OSError, ValueError):
                pass


def _error_json(exc) -> dict:
    where = getattr(exc, "where", None)
    return {"message": getattr(exc, "message", str(exc)), "hint": getattr(exc, "hint", None),
            "file": where.file if where else None, "line": where.line if where else None,
            "column": where.column if where else None}


def _fail(args, code: int, lines: list[str], details: list) -> int:
    if args.json:
        try:
            _out(json.dumps({"ok": False, "exit_code": code, "errors": details, "message": "\n".join(lines)},
                            ensure_ascii=False))
            return code
        except StdoutGone:  # the failure itself matters more: said on stderr, with its own code
            _silence_stdout()
    for line in lines:
        _err(line)
    return code
