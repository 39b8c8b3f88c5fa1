"""QR codes: content -> modules (segno) -> one filled shape, and the `qr` element in its frame.

The encoding is segno's (ISO/IEC 18004, regular QR only: Micro QR is read by few phones).
Text that is not ASCII is encoded as UTF-8 bytes, without an ECI header, as WeChat and
phone cameras expect. Each row's dark modules are merged into runs, and runs repeated in
the rows below into one taller rectangle; all are filled as one path (`Shape`), in one
ink. The quiet zone of 4 modules the standard requires lies inside the frame, so
whatever is beside the frame never touches the code.
"""
from __future__ import annotations

from typing import Callable

from ..base.errors import InputError, Place, Report
from ..base.units import PT_PER_MM
from ..edition import model
from ..edition.geometry import Rect
from ..lines.display import Shape
from ..lines.setter import Setter

QUIET = 4  # modules of light margin on every side (ISO/IEC 18004, 5.3.8: "four modules wide")
# The smallest module we call readable in print. ISO/IEC 18004 sets no minimum; print
# guidance (GS1 General Specifications, 5.12.3) puts QR's smallest X-dimension for
# general use at about 0.25 mm at its best print quality. Newsprint's dot gain and a
# phone held at reading distance ask for more, so this is the floor, not a target.
MIN_MODULE_MM = 0.25
# Byte capacity of the largest code (version 40) per level, for the hint of a too-long content.
CAPACITY = {"L": 2953, "M": 2331, "Q": 1663, "H": 1273}


def modules(content: str, level: str) -> tuple[tuple[bool, ...], ...]:
    """The code's modules, rows top-down, True for dark, without the quiet zone."""
    import segno

    if not content:
        raise InputError("qr: content is empty", None, "give the URL or text the code should hold")
    try:
        data = content.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("qr: the content holds a character that is not text (a lone surrogate)", None,
                         "remove it") from None
    try:
        if content.isascii():  # numeric, alphanumeric or byte mode, whichever is shortest
            code = segno.make(content, error=level.lower(), micro=False, boost_error=False)
        else:
            code = segno.make(data, error=level.lower(), mode="byte", micro=False, boost_error=False)
    except segno.DataOverflowError:
        raise InputError(f"qr: the content ({len(data)} bytes as UTF-8) is more than a QR code holds at "
                         f"error_correction {level} (at most {CAPACITY[level]} bytes)", None,
                         "shorten it (a short URL that leads to the text), or choose a lower "
                         "error_correction (L holds the most)") from None
    return tuple(tuple(bool(v) for v in row) for row in code.matrix)


def rects(matrix, x: float, y: float, module: float) -> tuple[tuple[float, float, float, float], ...]:
    """The dark modules as few rectangles (x, y, w, h): runs along each row, a run that
    the next rows repeat exactly grown down over them. (x, y): the first module's corner."""
    out = []
    open_runs: dict[tuple[int, int], int] = {}  # (first column, end column) -> first row
    for r, row in enumerate(list(matrix) + [()]):  # an empty row at the end closes every run
        runs, c = set(), 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                runs.add((start, c))
            c += 1
        for run in [run for run in open_runs if run not in runs]:
            top = open_runs.pop(run)
            out.append((top, run[0], r - top, run[1] - run[0]))
        for run in runs:
            open_runs.setdefault(run, r)
    out.sort()
    return tuple((x + c * module, y + top * module, w * module, h * module) for top, c, h, w in out)


def place(items: list, el: model.Qr, rect: Rect, setter: Setter, report: Report, number: int, k: int,
          stack: Callable) -> float | None:
    """The code, square and centred across the frame at its top, and the caption under
    it; returns the caption's foot (past the frame's, it is cut and counted by the caller)."""
    matrix = modules(el.content, el.error_correction)
    n = len(matrix) + 2 * QUIET
    cap_lines = setter.lines(el.caption, el.caption_style, rect.w) if el.caption else []
    pitch = setter.style(el.caption_style).line_pitch
    room = rect.h - len(cap_lines) * pitch
    side = min(rect.w, room, el.size if el.size is not None else rect.w)
    where = Place(page=number, element=k + 1, kind=el.type, words=el.content[:24])
    module = max(side, 0.0) / n
    if module / PT_PER_MM < MIN_MODULE_MM:
        need = MIN_MODULE_MM * PT_PER_MM * n
        report.warn("qr-size", f"the code's modules are {module / PT_PER_MM:.2f} mm, under the {MIN_MODULE_MM} mm "
                    f"a phone reads in print ({len(matrix)} modules and the quiet zone across "
                    f"{max(side, 0.0) / PT_PER_MM:.1f} mm)", where,
                    f"give the code at least {need / PT_PER_MM:.1f} mm (frame, or size), a shorter content, "
                    "or a lower error_correction")
    if side > 0:
        x, y = rect.x + (rect.w - side) / 2, rect.y
        color = "black" if el.color == "rich-black" else el.color
        items.append(Shape(rects(matrix, x + QUIET * module, y + QUIET * module, module), color))
    if not cap_lines:
        return None
    return stack(items, cap_lines, rect.x, rect.y + max(side, 0.0), pitch)
