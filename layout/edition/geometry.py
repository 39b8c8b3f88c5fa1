"""The page grid: where a frame is on a given page, in points from the top-left."""
from __future__ import annotations

from dataclasses import dataclass

from . import model


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float


def columns_x(geo: model.PageGeometry, page_number: int) -> tuple[list[float], float]:
    """Column left edges and the column width; odd pages have the inside margin on
    the left."""
    left = geo.margins.inside if page_number % 2 == 1 else geo.margins.outside
    type_width = geo.width - geo.margins.inside - geo.margins.outside
    col = (type_width - (geo.columns - 1) * geo.gutter) / geo.columns
    return [left + i * (col + geo.gutter) for i in range(geo.columns)], col


def type_area(geo: model.PageGeometry, page_number: int) -> Rect:
    left = geo.margins.inside if page_number % 2 == 1 else geo.margins.outside
    return Rect(left, geo.margins.top, geo.width - geo.margins.inside - geo.margins.outside,
                geo.height - geo.margins.top - geo.margins.bottom)


def frame_rect(frame: model.Frame, geo: model.PageGeometry, page_number: int) -> Rect:
    xs, col = columns_x(geo, page_number)
    x = xs[frame.column - 1]
    w = frame.span * col + (frame.span - 1) * geo.gutter
    y = geo.margins.top + frame.top
    depth = geo.height - geo.margins.top - geo.margins.bottom
    h = frame.height if frame.height is not None else depth - frame.top
    return Rect(x, y, w, h)


def within(rect: Rect, boxes: list[tuple[Rect, float]]) -> Rect:
    """A frame inside a ruled box keeps the box's inset from its rules: the part of the
    frame inside the box's inner rectangle."""
    for box, inset in boxes:
        if (box.x - 0.01 <= rect.x and rect.x + rect.w <= box.x + box.w + 0.01
                and box.y - 0.01 <= rect.y and rect.y + rect.h <= box.y + box.h + 0.01):
            x0, y0 = max(rect.x, box.x + inset), max(rect.y, box.y + inset)
            x1 = min(rect.x + rect.w, box.x + box.w - inset)
            y1 = min(rect.y + rect.h, box.y + box.h - inset)
            return Rect(x0, y0, max(x1 - x0, 0.0), max(y1 - y0, 0.0))
    return rect
