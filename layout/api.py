"""From options to files on disk: load, compose (all pages or some), finish (checks,
proof, press, PDF, pictures, report), written atomically. The command line, --watch and
--serve use these same calls."""
from __future__ import annotations

import gc
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from .page.compose import compose
from .base.errors import InputError, Report, Where
from .base.files import Inputs, output_target, write_atomically
from .fonts.faces import MANIFEST, load_fontset
from .epaper.site import check_target as check_site, publish as publish_site
from .output.images import image_cache, prepare_pages
from .edition.loader import load_edition
from .output.marks import press_pages
from .output.pdf import PdfWriter
from .output.preflight import preflight
from .output.profile import cmyk_intent
from .output.trace import trace
from .page.proof import overlay
from .lines.setter import Setter
from .text.shape import Shaper


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
    allow_paths: tuple[Path, ...] = ()  # folders outside the edition's folder its files may come from
    report: bool = False  # also write the report as JSON next to the output (OUT.report.json)
    trace: bool = False  # write the display list as text (output/trace.py) instead of a PDF
    softproof: bool = False  # with png and press: the pictures through the condition's profile
    epaper: Path | None = None  # also write the digital edition (a static site) to this folder
    write_pdf: bool = True  # False: --epaper alone, the PDF made for the site only


# a page picture larger than this is no preview (a broadsheet at 600 dpi is 115 MP), and
# its pixels alone would take gigabytes
MAX_PICTURE_PIXELS = 200_000_000
SLUG_ROOM = 60.0  # points around a press page for marks and slug, at most

STDOUT = Path("-")  # the output path that means standard output: Result.data, no file written


@dataclass
class Result:
    output: Path
    pages: int
    report: Report = field(default_factory=Report)
    outputs: list[Path] = field(default_factory=list)
    data: bytes | None = None  # the PDF (or PNG) when the output is STDOUT
    pdf: bytes | None = None  # the PDF made (the pictures, with --png, are made from it)


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
    edition, fonts = load(options.edition, options.allow_paths)
    inputs = check_outputs(options, edition, fonts)
    pages, report, setter = _compose(edition, fonts, options.page, progress, options.workers)
    if keep is not None:
        # a caller about to exit keeps the composed edition and the caches alive:
        # freeing them object by object when this function returns costs 20 ms (W8)
        keep.append((edition, pages, setter))
    return finish(options, edition, pages, report, setter, inputs)


def check_outputs(options: Options, edition, fonts) -> Inputs:
    """Every file this render reads, after refusing the outputs that would replace one
    of them (or a device, or a folder): refused before the work, checked again when
    written."""
    inputs = _inputs(edition, fonts)
    if options.png:
        geo = edition.geometry
        side = 2 * (2 * geo.bleed + SLUG_ROOM) if options.press else 0.0
        pixels = (geo.width + side) * (geo.height + side) * (options.dpi / 72) ** 2
        if pixels > MAX_PICTURE_PIXELS:
            most = int(72 * (MAX_PICTURE_PIXELS / ((geo.width + side) * (geo.height + side))) ** 0.5)
            raise InputError(f"--dpi {options.dpi:g}: a picture of a page would have {pixels / 1e6:,.0f} "
                             f"megapixels, more than {MAX_PICTURE_PIXELS // 1_000_000}",
                             hint=f"give --dpi {most} or less")
    planned = planned_outputs(options, len(edition.source.pages))
    for path in planned:
        if path != STDOUT and options.write_pdf:
            output_target(path, inputs)
    if options.epaper is not None:
        check_site(options.epaper, inputs, [p for p in planned if options.write_pdf or p != Path(options.output)])
    return inputs


def finish(options: Options, edition, pages: list, report: Report, setter: Setter, inputs: Inputs) -> Result:
    """Composed pages to the files the options ask for: the overset and preflight
    checks, the proof overlay, the press pass, the PDF, pictures, the report. The one
    way out of the engine: the command line, --watch and --serve all end here, so every
    option means the same in each (watch and serve compose incrementally, then call this)."""
    if options.overset_error and (report.overset or report.overflow):
        raise OversetError(report)
    checking = options.press or options.preflight or options.preflight_strict
    if options.proof:
        pages = overlay(edition, pages, report, setter)
    intent = None
    if options.press:  # the press pass: bleed, marks, slug, rich black; then the press's photos
        now = None
        if edition.source.output.slug_time:
            import datetime

            now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
        pages = press_pages(pages, edition, setter, now)
        intent = _press_intent(edition, options.edition)
    if options.trace:  # the display list as the writer would get it, as text: no PDF made
        if checking:
            _preflight(options, pages, edition, report)
        text = trace(pages, Path(edition.base_dir)).encode()
        if options.output == STDOUT:
            return Result(STDOUT, len(pages), report, [STDOUT], text)
        _write(options, [text], report, inputs)
        return Result(Path(options.output), len(pages), report, [Path(options.output)])
    try:
        pages = prepare_pages(pages, image_cache(), edition.source.output if options.press else None)
    except InputError as exc:  # a photo that cannot be decoded: said at its element
        raise _at_photo(edition, exc) from None
    if checking:  # after the image pass: the photos' ink is measured there
        _preflight(options, pages, edition, report)
    writer = PdfWriter(intent)
    data = writer.write(pages, title=edition.paper.name)
    # one picture per page (planned_outputs has refused several for standard output)
    if options.png and options.softproof:
        from .output.softproof import pictures

        files = pictures(data, options.dpi, edition.source.output.condition, len(pages))
    else:
        files = png_pictures(data, options.dpi) if options.png else [data]
    if options.output == STDOUT and options.epaper is None:
        return Result(STDOUT, len(pages), report, [STDOUT], files[0], pdf=data)
    outputs = _write(options, files if options.write_pdf else [], report, inputs, report_too=options.epaper is None)
    if options.epaper is not None:  # after the PDF: the site is made from its bytes
        publish_site(options.epaper, edition, pages, report, data, setter.fonts, inputs)
        outputs.append(Path(options.epaper))
        if options.report:  # with what the site adds to it (overset not published)
            write_atomically(report_path(options.output), report_json(report).encode(), inputs)
    return Result(outputs[0], len(pages), report, outputs, pdf=data)


def _preflight(options: Options, pages: list, edition, report: Report) -> None:
    report.preflight = preflight(pages, edition, report, options.press)
    if options.preflight_strict and report.preflight:
        raise PreflightError(report)


def _press_intent(edition, path: Path):
    """The condition's CMYK profile as the output intent; set-up builds it (make)."""
    from .output.conditions import ProfileMissing

    output = edition.source.output
    try:
        return cmyk_intent(output.condition)
    except ProfileMissing as exc:
        raise InputError(f"cannot make a press render: {exc}", Where(str(path)),
                         "run make (its set-up builds the press profiles with ArgyllCMS), or "
                         "python -m layout.output.conditions") from None


def _write(options: Options, files: list[bytes], report: Report, inputs: Inputs, report_too: bool = True) -> list[Path]:
    """The output files (and the report, when asked for), each written atomically."""
    outputs = planned_outputs(options, len(files))[:len(files)]
    for path, content in zip(outputs, files):
        write_atomically(path, content, inputs)
    if options.report and report_too:
        write_atomically(report_path(options.output), report_json(report).encode(), inputs)
    return outputs


def _at_photo(edition, exc: InputError) -> InputError:
    """A photo's error, found when its pixels are decoded (after composing), placed at
    the first photo element that shows that file, like the errors found composing it."""
    from .edition import model

    if exc.where is None or exc.where.line is not None:
        return exc
    for n, page in enumerate(edition.source.pages, 1):
        for k, el in enumerate(page.elements, 1):
            # (a supplied image ad or lettering is placed like a photo)
            name = el.file if isinstance(el, (model.Photo, model.Ad)) else \
                el.lettering if isinstance(el, model.Masthead) else None
            if name and edition.images.get(name) == exc.where.file:
                return InputError(f"page {n}, element {k} ({el.type}): {name}: {exc.message}",
                                  edition.places.get((n, k)), exc.hint)
    return exc


def planned_outputs(options: Options, count: int) -> list[Path]:
    """The files a render writes: OUTPUT, or for pictures of several pages OUTPUT-pN.png
    (the report, when asked for, goes next to OUTPUT)."""
    output = Path(options.output)
    numbers = [options.page] if options.page is not None else list(range(1, count + 1))
    if not options.png or len(numbers) == 1:
        paths = [output]
    elif output == STDOUT:
        raise InputError(f"-o -: --png makes {len(numbers)} pictures, one per page, and standard output "
                         f"takes one", hint="add --page N, or give a file name")
    else:
        paths = [output.with_name(f"{output.stem}-p{n}{output.suffix}") for n in numbers]
    if options.report and output != STDOUT:
        paths.append(report_path(output))
    return paths


def report_path(output: Path) -> Path:
    return Path(output).with_suffix(".report.json")


def report_json(report: Report) -> str:
    """The report as the JSON file --report writes."""
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)


def _inputs(edition, fonts) -> Inputs:
    """Every file this render reads: what the loader read, the font manifest and the
    font files."""
    inputs = Inputs(edition.inputs)
    inputs.add(MANIFEST, "the font manifest")
    for face in fonts.faces():
        inputs.add(face.path, f"font file {Path(face.path).name}")
    return inputs


def copyfit_table(report: Report) -> str:
    """The copyfit report as a text table."""
    rows = [("story", "pages", "chars", "placed", "overset", "lines", "capacity", "underset")]
    for e in report.copyfit:
        rows.append((e.story, ",".join(map(str, e.pages)), str(e.chars), str(e.placed_chars),
                     str(e.overset_chars), str(e.lines_used), str(e.capacity_lines), str(e.underset_lines)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
                     for r in rows)


def lay_out(path: Path) -> tuple:
    """Load and compose an edition: (edition, pages as display lists, report)."""
    edition, pages, report, _ = _lay_out(path)
    return edition, pages, report


def _lay_out(path: Path, page: int | None = None, progress=None, workers: int = 1,
             allow_paths: tuple[Path, ...] = ()) -> tuple:
    edition, fonts = load(path, allow_paths)
    return (edition, *_compose(edition, fonts, page, progress, workers))


def load(path: Path, allow_paths: tuple[Path, ...] = ()) -> tuple:
    """The edition and its font set."""
    edition = load_edition(path, allow_paths)
    return edition, load_fontset(edition.font_overrides, Path(edition.base_dir))


def _compose(edition, fonts, page: int | None, progress, workers: int) -> tuple:
    count = len(edition.source.pages)
    if page is not None and not 1 <= page <= count:
        raise InputError(f"--page {page}: the edition has pages 1 to {count}", hint=f"give --page 1 to {count}")
    report = Report(warnings=list(edition.warnings))
    setter = Setter(edition, fonts, Shaper())
    pages = compose(edition, setter, report, None if page is None else frozenset({page}), progress, workers)
    return pages, report, setter


def png_pictures(pdf: bytes, dpi: float) -> list[bytes]:
    """PNG pictures of the pages of a PDF."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    out = []
    try:
        for i in range(len(doc)):
            image = doc[i].render(scale=dpi / 72).to_pil()
            buf = io.BytesIO()
            image.save(buf, "PNG", optimize=False)
            out.append(buf.getvalue())
    finally:
        doc.close()
    return out


class PreflightError(Exception):
    """Preflight findings when the render was asked to treat them as errors."""
    exit_code = 4

    def __init__(self, report: Report):
        self.report = report
        super().__init__("; ".join(map(str, report.preflight)))


class OversetError(Exception):
    """Overset text when the render was asked to treat it as an error."""
    exit_code = 3

    def __init__(self, report: Report):
        self.report = report
        parts = [f"{o.story} ({o.chars} characters, page {o.page})" for o in report.overset]
        parts += [f"page {o.page} element {o.element} ({o.chars} characters)" for o in report.overflow]
        super().__init__(f"overset: {', '.join(parts)}")
