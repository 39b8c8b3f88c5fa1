"""One call from options to a PDF on disk: load, compose, write (atomically)."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .compose import compose
from .errors import RenderError, Report
from .fonts import load_fontset
from .loader import load_edition
from .pdf import PdfWriter
from .shape import Shaper


@dataclass(frozen=True)
class Options:
    edition: Path
    output: Path
    page: int | None = None  # render only this page (1-based)


@dataclass
class Result:
    output: Path
    pages: int
    report: Report = field(default_factory=Report)


def render(options: Options) -> Result:
    """Render an edition to a PDF. Raises InputError for mistakes in the input and
    RenderError when the output cannot be written; never leaves a half-written file."""
    edition, pages, report = lay_out(options.edition)
    if options.page is not None:
        if not 1 <= options.page <= len(pages):
            raise RenderError(f"--page {options.page}: the edition has pages 1 to {len(pages)}")
        pages = [pages[options.page - 1]]
    data = PdfWriter().write(pages, title=edition.paper.name)
    write_atomically(options.output, data)
    return Result(options.output, len(pages), report)


def lay_out(path: Path) -> tuple:
    """Load and compose an edition: (edition, pages as display lists, report)."""
    edition = load_edition(path)
    fonts = load_fontset(edition.font_overrides, Path(edition.base_dir))
    report = Report(warnings=list(edition.warnings))
    pages = compose(edition, fonts, Shaper(), report)
    return edition, pages, report


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
