"""Legal notices (公告): each notice set in a box as deep as its text, the boxes packed
into the frame's columns, and the notices that did not fit reported by title.

A 法制报 sells this space by the notice and fills pages with them: court notices,
lost-certificate notices (遗失声明), company notices. Each notice is set once at the
column's measure (title centred, text, sign flush right); then only its height matters,
and packing is a one-dimensional bin packing of heights into the columns. `given` keeps
the written order (top to bottom, column by column, stopping at the first that does not
fit); `fit` takes the best of worst-, first- and best-fit decreasing and the given order
(so it never holds less than `given`; of those that hold as much, the one with the
evenest columns), deterministic, ties to the earlier notice.
A notice is never cut: it is placed whole or left out and named in the report.
"""
from __future__ import annotations

from typing import NamedTuple

from ..base.errors import Overflow, Place, Report
from ..base.units import PT_PER_MM
from ..edition import model
from ..edition.geometry import Rect
from ..lines.display import GlyphRun, Panel
from ..lines.setter import Setter

EPS = 0.01  # points: heights that add up within this fit


class Set(NamedTuple):
    """A notice set at the column's measure: its items relative to its box's top-left."""
    index: int
    height: float
    items: tuple  # Panel first (when boxed), then glyph runs
    chars: int    # characters that are not spaces, for the report


def box_of(item: model.NoticeItem, el: model.Notices) -> model.NoticeBox | None:
    """The item's box: its own, the block's, or none."""
    box = el.box if item.box is None else item.box
    if box is True:
        return model.NoticeBox()
    return box or None


def set_notice(item: model.NoticeItem, index: int, el: model.Notices, width: float, setter: Setter) -> Set | None:
    """The notice set `width` wide, or None when its text cannot be set there (a measure
    of nothing, or a character wider than it)."""
    box = box_of(item, el)
    inset = box.inset if box else 0.0
    measure = width - 2 * inset
    if measure < 1.0:
        return None
    runs: list = []
    base, after, descent = None, 0.0, 0.0  # the last baseline, the space after its paragraph, its line's descent
    parts = [(item.title, el.title_style, None, True)] if item.title.strip() else []
    parts += [(p.strip(), el.style, None, False) for p in item.text.split("\n\n") if p.strip()]
    if item.sign.strip():
        parts.append((item.sign.strip(), el.style, "end", False))
    for text, style_name, align, display in parts:
        style = setter.style(style_name)
        lines = setter.lines(text, style_name, measure, align=align, display=display)
        if any(line.overfull for line in lines):
            return None
        for i, line in enumerate(lines):
            # every line a pitch below the one before (paragraphs too, with their spaces)
            if base is None:
                base = inset + style.space_before + line.ascent
            else:
                base += style.line_pitch + (0.0 if i else after + style.space_before)
            runs += [r.moved(inset, base) for r in line.runs]
            descent = line.descent
        after = style.space_after
    height = (base + descent if base is not None else inset) + inset
    panel = [Panel(0.0, 0.0, width, height, box.fill, box.color if box.weight > 0 else None, box.weight)] \
        if box and (box.fill or box.weight > 0) else []
    chars = sum(not c.isspace() for c in item.title + item.text + item.sign)
    return Set(index, height, tuple(panel + runs), chars)


def _given(heights: list[float], columns: int, depth: float, gap: float) -> list[list[int]]:
    """In order: each notice in the current column if it has room, else the next; the
    first that fits in none of the columns left ends the packing."""
    cols: list[list[int]] = [[]]
    used = 0.0
    for i, h in enumerate(heights):
        need = h + (gap if cols[-1] else 0.0)
        if used + need > depth + EPS:
            if len(cols) == columns or h > depth + EPS:
                break
            cols.append([])
            need, used = h, 0.0
        cols[-1].append(i)
        used += need
    return cols + [[] for _ in range(columns - len(cols))]


def _decreasing(heights: list[float], columns: int, depth: float, gap: float, how: str) -> list[list[int]]:
    """Tallest first, each into a column with room for it: the first (first-fit), the
    fullest (best-fit) or the emptiest (worst-fit, which evens the columns out)."""
    cols: list[list[int]] = [[] for _ in range(columns)]
    used = [0.0] * columns
    for i in sorted(range(len(heights)), key=lambda i: (-heights[i], i)):
        fits = [c for c in range(columns) if used[c] + heights[i] + (gap if cols[c] else 0.0) <= depth + EPS]
        if not fits:
            continue
        c = {"first": fits[0], "best": min(fits, key=lambda c: (-used[c], c)),
             "worst": min(fits, key=lambda c: (used[c], c))}[how]
        used[c] += heights[i] + (gap if cols[c] else 0.0)
        cols[c].append(i)
    return [sorted(col) for col in cols]


def pack(heights: list[float], columns: int, depth: float, gap: float, order: str) -> list[list[int]]:
    """The notices (by index into `heights`) each column holds, top to bottom."""
    given = _given(heights, columns, depth, gap)
    if order == "given":
        return given
    tries = [_decreasing(heights, columns, depth, gap, how) for how in ("worst", "first", "best")] + [given]

    def deepest(cols: list[list[int]]) -> float:
        return max((sum(heights[i] + gap for i in col) - gap for col in cols if col), default=0.0)
    # the most height placed wins, then the most notices, then the evenest columns (the
    # shallowest deepest one); ties keep the earlier try
    return max(tries, key=lambda cols: (round(sum(heights[i] for col in cols for i in col), 3),
                                        sum(map(len, cols)), -round(deepest(cols), 3)))


def place(items: list, el: model.Notices, rect: Rect, geo: model.PageGeometry, setter: Setter, report: Report,
          number: int, k: int) -> None:
    """Set, pack and draw the notices; report those left out, by title."""
    columns = el.columns if el.columns is not None else el.frame.span
    gutter = geo.gutter if el.gutter is None else el.gutter
    width = (rect.w - (columns - 1) * gutter) / columns
    done = [set_notice(item, i, el, width, setter) if width > 0 else None for i, item in enumerate(el.items)]
    settable = [s for s in done if s is not None]
    cols = pack([s.height for s in settable], columns, rect.h, el.gap, el.order)
    placed = set()
    for c, col in enumerate(cols):
        x, y = rect.x + c * (width + gutter), rect.y
        for j in col:
            notice = settable[j]
            placed.add(notice.index)
            for item in notice.items:
                items.append(item.moved(x, y) if isinstance(item, GlyphRun) else
                             item._replace(x=item.x + x, y=item.y + y))
            y += notice.height + el.gap
    left = [i for i in range(len(el.items)) if i not in placed]
    if not left:
        return
    where = Place(page=number, element=k + 1, kind=el.type)
    names = [_name(el.items[i]) for i in left]
    chars = sum(sum(not c.isspace() for c in it.title + it.text + it.sign) for it in (el.items[i] for i in left))
    unset = [i for i in left if done[i] is None]
    deeper = sum(done[i].height + el.gap for i in left if done[i] is not None) / columns
    last = [_name(el.items[i]) for i in sorted(placed)][-1:] or [""]
    report.overflow.append(Overflow(number, k + 1, el.type, round(deeper / PT_PER_MM, 1), chars, last[0],
                                    _name(el.items[unset[0]]) if unset else None, where))
    shown = ", ".join(f"'{n}'" for n in names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    why = f" ({len(unset)} cannot be set {width / PT_PER_MM:.1f} mm wide)" if unset else ""
    report.warn("overflow", f"{len(left)} of {len(el.items)} notices did not fit and are left out: {shown}{why}; "
                f"{chars} characters", where,
                "make the frame deeper or give it more columns, use order: fit, or run them in the next issue"
                if len(unset) < len(left) else "widen the columns (fewer columns, a wider frame, a smaller inset)")


def _name(item: model.NoticeItem) -> str:
    """What the report calls a notice: its title, or its first words."""
    name = " ".join((item.title.strip() or item.text.strip()).split())
    return name if len(name) <= 24 else name[:23] + "…"
