"""One call from options to a PDF on disk: load, compose, write (atomically)."""
from __future__ import annotations

import gc
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .compose import compose
from .errors import RenderError, Report
from .fonts import load_fontset
from .loader import load_edition
from .pdf import PdfWriter
from .proof import overlay
from .setter import Setter
from .shape import Shaper


@dataclass(frozen=True)
class Options:
    edition: Path
    output: Path
    page: int | None = None  # render only this page (1-based)
    proof: bool = False  # draw the proof overlay (grid, frames, overset, underset)
    overset_error: bool = False  # overset (stories, or text outgrowing any frame) is an error: no PDF, exit 3
    png: bool = False  # write PNG pictures of the pages instead of a PDF
    dpi: float = 100.0
    press: bool = False  # the press render: grey photos, bleed, marks, PDF/X output intent
    preflight_strict: bool = False  # any preflight finding is an error: no PDF, exit code 4
    preflight: bool = False  # run the preflight (for --report) even without --print
    workers: int = 2  # 2: on two cores, half the stories flow in a forked process (same result)


@dataclass
class Result:
    output: Path
    pages: int
    report: Report = field(default_factory=Report)
    outputs: list[Path] = field(default_factory=list)


def render(options: Options, progress=None, keep: list | None = None) -> Result:
    """Render an edition to a PDF. Raises InputError for mistakes in the input and
    RenderError when the output cannot be written; never leaves a half-written file.
    `keep`: a list that is given the composed edition, for a caller that exits next."""
    # A render allocates some hundred thousand small tuples and makes no reference
    # cycles worth collecting; the cyclic collector, run every 700 allocations, cost
    # a tenth of the time (W8: 80 ms). It is off during a render and back on after.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _render(options, progress, keep)
    finally:
        if enabled:
            gc.enable()


def _render(options: Options, progress=None, keep: list | None = None) -> Result:
    edition, pages, report, setter = _lay_out(options.edition, options.page, progress, options.workers)
    if keep is not None:
        # a caller about to exit keeps the composed edition and the caches alive:
        # freeing them object by object when this function returns costs 20 ms (W8)
        keep.append((edition, pages, setter))
    if options.overset_error and (report.overset or report.overflow):
        raise OversetError(report)
    if options.press or options.preflight or options.preflight_strict:
        from .prepress import preflight

        report.preflight = [f.message for f in preflight(pages, edition, report, options.press)]
    if options.preflight_strict and report.preflight:
        raise PreflightError(report)
    if options.proof:
        pages = overlay(edition, pages, report, setter)
    writer = PdfWriter(edition.source.output if options.press else None)
    if options.press:
        now = None
        if edition.source.output.slug_time:
            import datetime

            now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
        from .prepress import press_pages

        pages = press_pages(pages, edition, setter, now)
    data = writer.write(pages, title=edition.paper.name)
    if options.png:
        outputs = write_pngs(data, [p.number for p in pages], options.output, options.dpi)
        return Result(outputs[0], len(pages), report, outputs)
    write_atomically(options.output, data)
    return Result(options.output, len(pages), report, [options.output])


def copyfit_table(report: Report) -> str:
    """The copyfit report as a text table."""
    rows = [("story", "pages", "chars", "placed", "overset", "lines", "capacity", "underset")]
    for e in report.copyfit:
        rows.append((e["story"], ",".join(map(str, e["pages"])), str(e["chars"]), str(e["placed_chars"]),
                     str(e["overset_chars"]), str(e["lines_used"]), str(e["capacity_lines"]),
                     str(e["underset_lines"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
                     for r in rows)


def lay_out(path: Path) -> tuple:
    """Load and compose an edition: (edition, pages as display lists, report)."""
    edition, pages, report, _ = _lay_out(path)
    return edition, pages, report


def _lay_out(path: Path, page: int | None = None, progress=None, workers: int = 1) -> tuple:
    edition = load_edition(path)
    count = len(edition.source.pages)
    if page is not None and not 1 <= page <= count:
        raise RenderError(f"--page {page}: the edition has pages 1 to {count}")
    fonts = load_fontset(edition.font_overrides, Path(edition.base_dir))
    report = Report(warnings=list(edition.warnings))
    setter = Setter(edition, fonts, Shaper())
    pages = compose(edition, setter, report, None if page is None else frozenset({page}), progress, workers)
    return edition, pages, report, setter


def write_pngs(pdf: bytes, numbers: list[int], output: Path, dpi: float) -> list[Path]:
    """PNG pictures of the pages of a PDF: OUTPUT.png for one page, OUTPUT-pN.png for
    several. Each is written atomically."""
    import pypdfium2 as pdfium

    output = Path(output)
    doc = pdfium.PdfDocument(pdf)
    paths = []
    try:
        for i, number in enumerate(numbers):
            path = output if len(numbers) == 1 else output.with_name(f"{output.stem}-p{number}{output.suffix}")
            image = doc[i].render(scale=dpi / 72).to_pil()
            buf = io.BytesIO()
            image.save(buf, "PNG", optimize=False)
            write_atomically(path, buf.getvalue())
            paths.append(path)
    finally:
        doc.close()
    return paths


class PreflightError(Exception):
    """Preflight findings when the render was asked to treat them as errors."""
    exit_code = 4

    def __init__(self, report: Report):
        self.report = report
        super().__init__("; ".join(report.preflight))


class OversetError(Exception):
    """Overset text when the render was asked to treat it as an error."""
    exit_code = 3

    def __init__(self, report: Report):
        self.report = report
        parts = [f"{o['story']} ({o['chars']} characters, page {o['page']})" for o in report.overset]
        parts += [f"page {o['page']} element {o['element']} ({o['chars']} characters)" for o in report.overflow]
        super().__init__(f"overset: {', '.join(parts)}")


def write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target and rename: the last good file survives any failure."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise RenderError(f"{path}: cannot write output: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        raise RenderError(f"{path}: cannot write output: {exc.strerror}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
