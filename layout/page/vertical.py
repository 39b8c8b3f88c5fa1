"""Vertical headlines and text blocks (竖排) in their frames.

Columns (layout/lines/vertical.py) stand from the frame's right edge leftwards, each as
tall as the frame, one style's leading apart; a headline's kicker stands right of it
and its deck left of it. `fit` is the largest size at which each of the headline's
lines stands in one column of the frame's height. Columns that reach past the frame's
left edge, and a column holding a piece taller than the frame, are left out and
reported as overflow (no word lost), like horizontal text below a frame's foot.
"""
from __future__ import annotations

from ..base.errors import InputError, Overflow, Place, Report
from ..edition import model
from ..edition.geometry import Rect
from ..lines.vertical import Column, columns
from ..lines.setter import Setter


def headline(items: list, el: model.Headline, rect: Rect, setter: Setter, report: Report, number: int,
             k: int) -> None:
    if el.fit_width:
        raise InputError("fit_width condenses a horizontal headline; a vertical one is fitted on the "
                         "frame's height by `fit`", None, "remove fit_width, or use fit")
    parts = []
    for text, style_name in ((el.kicker, el.kicker_style), (el.text, el.style), (el.deck, el.deck_style)):
        if not text:
            continue
        size = _fitted(el, text, rect.h, setter) if style_name == el.style and el.fit else None
        parts.append((columns(setter, text, style_name, rect.h, el.tcy_digits, size, display=True),
                      setter.style(style_name), size))
    _place(items, parts, el, rect, report, number, k)


def text_block(items: list, el: model.TextBlock, rect: Rect, setter: Setter, report: Report, number: int,
               k: int) -> None:
    style = setter.style(el.style)
    parts = [(columns(setter, para.strip(), el.style, rect.h, el.tcy_digits), style, None)
             for para in el.text.split("\n\n") if para.strip()]
    _place(items, parts, el, rect, report, number, k)


def _fitted(el: model.Headline, text: str, height: float, setter: Setter) -> float:
    """The largest size within `fit` (half-point steps) at which each line of the
    headline stands in one column of `height`."""
    low, high = sorted(el.fit[:2]) if len(el.fit) >= 2 else (el.fit[0], el.fit[0])
    want = sum(1 for part in text.split("\n") if part.strip())
    size = high
    while size > low:
        cols = columns(setter, text, el.style, height, el.tcy_digits, size, display=True)
        if len(cols) <= want and not any(c.overfull for c in cols):
            return size
        size -= 0.5
    return low


def _place(items: list, parts: list[tuple[list[Column], model.Style, float | None]], el, rect: Rect,
           report: Report, number: int, k: int) -> None:
    right = rect.x + rect.w
    kept: list[Column] = []
    dropped: list[Column] = []
    for cols, style, size in parts:
        size = size or style.size
        pitch = style.line_pitch * size / style.size
        right -= style.space_before
        for n, col in enumerate(cols):
            centre = right - size / 2 - n * pitch
            if col.overfull or dropped or centre - size / 2 < rect.x - 0.5:
                dropped.append(col)
                continue
            items += [run.moved(centre, rect.y) for run in col.runs]
            kept.append(col)
        right -= len(cols) * pitch + style.space_after
    if dropped:
        chars = sum(not c.isspace() for col in dropped for c in col.text)
        shown = "".join(col.text for col in kept).strip()
        tall = next((col.text for col in dropped if col.overfull), None)
        where = Place(page=number, element=k + 1, kind=el.type)
        why = f"'{tall[:12]}' is taller than the frame" if tall else "its columns reach past the frame's left edge"
        report.overflow.append(Overflow(number, k + 1, el.type, 0.0, chars, shown[-12:], tall, where))
        report.warn("overflow", f"{chars} characters did not fit its frame, {why} (last words placed: "
                    f"'{shown[-12:]}')", where, "make the frame wider or taller, or the text shorter (or use fit)")
