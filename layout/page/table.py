"""Tables on the page: column widths, cells set with line breaking, rows on the baseline
grid, rules in the house style, and a table cut at a row boundary.

A table is set once for a width (`set_table`: each cell's lines, each column's width
and alignment), then placed on a list of baselines (`place_rows`): as many whole rows
as the baselines hold, the header row first (again on every continuation). The `table`
element places it in its frame and reports the rows left out (`table_element`); a
story's pipe table is placed column by column by layout/page/flow.py through
`place_rows`, like the lines of a paragraph.

Rules: three-line (三线表) by default: a thick rule above the header, a thin one under
it, a thick one under the last row; `rows` adds a thin rule between rows, `grid` rules
every row and column and boxes the table (thin), `none` draws none. A rule lies in the
middle of the space between two lines, so rows keep the baselines of the grid.
"""
from __future__ import annotations

import dataclasses
import math
import re
from typing import NamedTuple

from ..base.errors import Overflow, Place, Report
from ..edition import model
from ..edition.geometry import Rect
from ..edition.tables import table_data
from ..lines.display import Rule
from ..lines.justify import Line
from ..lines.linebreak import Widths
from ..lines.prepare import BREAK_HYPHEN, BREAK_OK
from ..lines.setter import Setter

UNLIMITED = 1e5  # a measure no cell reaches: its natural width
# a number, as tables print them: a sign or currency, digits with separators, a decimal
# part, then a unit of a few characters at most (3.5万, 12%, -4℃, ¥1,280.00)
_NUMBER = re.compile(r"^[+\-−±~约]?[¥$€£]?\d[\d,，\u2009 ]*(?:[.．·]\d+)?\s*[^\d\s]{0,3}$")
_DECIMAL = re.compile(r"\d[.．·](?=\d)")
_DIGITS = re.compile(r"\d+")


class CellSet(NamedTuple):
    lines: tuple[Line, ...]
    dx: float       # from the column's left edge to the lines' left edge
    steps: int      # baselines each of its lines takes


class RowSet(NamedTuple):
    cells: tuple[CellSet, ...]
    height: int     # baselines the row takes
    chars: int      # its characters (whitespace included), as the story counts them
    text: str
    too_wide: str | None  # a cell line wider than its column: the row is never placed
    rise: float = 0.0   # of its first lines' ink boxes above their baseline
    depth: float = 0.0  # of its last lines' below theirs


class TableSet(NamedTuple):
    header: RowSet | None
    rows: tuple[RowSet, ...]
    columns: tuple[tuple[float, float], ...]  # (x from the table's left, width)
    width: float
    gap: float
    rules: str
    weights: tuple[float, float]
    ascent: float   # of the cells' type, for the space a rule has between lines
    descent: float
    pitch: float    # of the baselines the table is placed on


class Placed(NamedTuple):
    items: list        # glyph runs and rules
    next: int          # the first row not placed
    used: int          # baselines used (from the first one given)
    chars: int         # characters placed (the header's only with the table's start)
    last_words: str
    baselines: tuple[float, ...]  # of the lines placed


def _style(setter: Setter, name: str, align: str) -> model.Style:
    style = setter.style(name)
    return style if style.align == align else dataclasses.replace(style, align=align)


def _prepared(setter: Setter, cell: model.Cell, style: model.Style, story: str, lang: str):
    return setter.prepared(cell.text, style, cell.where, story, cell.spans, lang, cell.keep)


def _min_width(setter: Setter, cell: model.Cell, style: model.Style, story: str, lang: str) -> tuple[float, float]:
    """(hard, soft): the widest unit of the cell (no line can be narrower), and its
    widest stretch that no break the rules allow can shorten."""
    if not cell.text.strip():
        return 0.0, 0.0
    p = _prepared(setter, cell, style, story, lang)
    widest = run = 0.0
    hard = max((u.width for u in p.units if not u.space and not u.forced), default=0.0)
    for u in p.units:
        if u.space or u.forced:
            widest, run = max(widest, run), 0.0
            continue
        run += u.width
        if u.brk in (BREAK_OK, BREAK_HYPHEN):
            widest, run = max(widest, run - u.end_trim + u.end_extra), 0.0
        else:
            run += u.gap
    return hard, max(widest, run, hard)


def _natural(setter: Setter, cell: model.Cell, style: model.Style, story: str, lang: str) -> float:
    if not cell.text.strip():
        return 0.0
    lines = _lines(setter, cell, style, UNLIMITED, story, lang)
    return max((line.width for line in lines), default=0.0)


def _lines(setter: Setter, cell: model.Cell, style: model.Style, width: float, story: str,
           lang: str) -> tuple[Line, ...]:
    if not cell.text.strip():
        return ()
    p = _prepared(setter, cell, style, story, lang)
    return tuple(setter.set_lines(p, Widths.uniform(width), style, 0, True))


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


def _anchor(text: str) -> int:
    """Where a number's decimal point is (or the end of its integer digits)."""
    m = _DECIMAL.search(text)
    if m:
        return m.start() + 1
    runs = list(_DIGITS.finditer(text))
    return runs[-1].end() if runs else len(text)


def _aligns(data: model.TableData) -> list[str]:
    """Each column's alignment, auto resolved: numbers on the decimal point, text at the start."""
    out = []
    for k, align in enumerate(data.aligns):
        if align == "auto":
            cells = [row[k].text for row in data.rows if row[k].text.strip()]
            align = "decimal" if cells and all(is_number(t) for t in cells) else "start"
        out.append(align)
    return out


def _widths(data: model.TableData, mins: list[float], maxes: list[float], room: float,
            hards: list[float] | None = None) -> list[float]:
    """Column widths that fill `room`: fixed and parts first, auto columns from their
    content, shares split what is left. Squeezed below their content's unbroken words
    (`mins`), the widest auto columns give way first, down to their widest unit
    (`hards`): their Latin and numbers then break inside words, short numbers stay whole,
    and no character is wider than its column while any room allows."""
    hards = hards or [0.0] * len(mins)
    n = len(data.widths)
    out = [0.0] * n
    for k, (kind, value) in enumerate(data.widths):
        out[k] = value if kind == "fixed" else value * room if kind == "part" else 0.0
    autos = [k for k, (kind, _) in enumerate(data.widths) if kind == "auto"]
    shares = [k for k, (kind, _) in enumerate(data.widths) if kind == "share"]
    left = room - sum(out)
    share_min = sum(mins[k] for k in shares)
    if autos:
        lo, hi = sum(mins[k] for k in autos), sum(maxes[k] for k in autos)
        if hi + share_min <= left:
            extra = 0.0 if shares else left - hi
            for k in autos:  # no shares: the autos spread the rest in proportion
                out[k] = maxes[k] + (extra * maxes[k] / hi if hi > 0 else extra / len(autos))
        elif lo + share_min <= left:
            spare = left - share_min - lo
            for k in autos:
                out[k] = mins[k] + (spare * (maxes[k] - mins[k]) / (hi - lo) if hi > lo else 0.0)
        else:
            hard = sum(hards[k] for k in autos)
            room_autos = max(left - share_min, 0.0)
            if room_autos >= hard:
                # the widest give way first: every column at most `level` (and at least
                # its widest unit), the level as high as the room allows
                low, high = 0.0, max(mins[k] for k in autos)
                for _ in range(40):
                    level = (low + high) / 2
                    if sum(max(hards[k], min(mins[k], level)) for k in autos) <= room_autos:
                        low = level
                    else:
                        high = level
                for k in autos:
                    out[k] = max(hards[k], min(mins[k], low))
            else:
                for k in autos:
                    out[k] = hards[k] * room_autos / hard if hard > 0 else 0.0
    if shares:
        rest = room - sum(out)
        total = sum(data.widths[k][1] for k in shares)
        for k in shares:
            out[k] = max(rest, 0.0) * data.widths[k][1] / total
    if sum(out) > room + 0.01:  # fixed columns wider than the table: all narrowed alike
        scale = room / sum(out)
        out = [w * scale for w in out]
    return out


def set_table(data: model.TableData, setter: Setter, width: float, pitch: float, story: model.Story | None = None,
              style: str | None = None, header_style: str | None = None) -> TableSet:
    """The table set for `width`, its lines counted in baselines `pitch` apart; set once
    per render (a story's table is placed again for each column and balancing trial)."""
    key = ("table", id(data), width, pitch, story.name if story else None, style, header_style)
    found = setter.memo.get(key)
    if found is None or found[0] is not data:
        found = setter.memo[key] = (data, _set_table(data, setter, width, pitch, story, style, header_style))
    return found[1]


def _set_table(data: model.TableData, setter: Setter, width: float, pitch: float, story: model.Story | None,
               style: str | None, header_style: str | None) -> TableSet:
    name = data.style or style or "table"
    head_name = data.header_style or header_style or "table-header"
    rules = data.rules or (story.table_rules if story else "three-line")
    story_name, lang = (story.name, story.lang) if story else ("", "auto")
    body = setter.style(name)
    gap = body.size  # an em of the cells' type between columns (half of it inside a grid's box)
    n = len(data.aligns)
    aligns = _aligns(data)
    starts = [_style(setter, name, "start")] * n
    head_starts = [_style(setter, head_name, "start")] * n
    mins, maxes, hards = [0.0] * n, [0.0] * n, [0.0] * n
    for cells, styles in ((data.header, head_starts), *((row, starts) for row in data.rows)):
        for k, cell in enumerate(cells):
            hard, soft = _min_width(setter, cell, styles[k], story_name, lang)
            mins[k], hards[k] = max(mins[k], soft), max(hards[k], hard)
            maxes[k] = max(maxes[k], _natural(setter, cell, styles[k], story_name, lang))
    inner = width - (n - 1) * gap - (gap if rules == "grid" else 0.0)
    widths = _widths(data, mins, [max(a, b) for a, b in zip(mins, maxes)], max(inner, 0.0), hards)
    x = gap / 2 if rules == "grid" else 0.0
    columns = []
    for w in widths:
        columns.append((x, w))
        x += w + gap
    # decimal columns: every number's anchor on one x, the widest flush with the column's end
    anchors: dict[int, tuple[float, float]] = {}
    for k, align in enumerate(aligns):
        if align != "decimal":
            continue
        parts = []
        for row in data.rows:
            text = row[k].text.strip()
            if not text:
                continue
            cut = _anchor(text)
            whole = _natural(setter, model.Cell(text, row[k].where), starts[k], story_name, lang)
            before = _natural(setter, model.Cell(text[:cut], row[k].where), starts[k], story_name, lang)
            parts.append((before, whole - before))
        if parts:
            a, f = max(p[0] for p in parts), max(p[1] for p in parts)
            if a + f <= widths[k] + 0.01:
                anchors[k] = (a, f)

    def row_set(cells: tuple[model.Cell, ...], head: bool) -> RowSet:
        out, too_wide = [], None
        for k, cell in enumerate(cells):
            align = aligns[k]
            sname = head_name if head else name
            if align == "decimal":
                align = "start" if (k in anchors and not head) else "end"
            st = _style(setter, sname, align)
            lines = _lines(setter, cell, st, widths[k], story_name, lang)
            dx = 0.0
            if aligns[k] == "decimal" and not head and k in anchors and lines:
                text = cell.text.strip()
                a, f = anchors[k]
                before = _natural(setter, model.Cell(text[:_anchor(text)], cell.where), starts[k], story_name, lang)
                dx = widths[k] - (a + f) + (a - before)
                if len(lines) > 1:  # (a number that broke: at the column's end instead)
                    lines = _lines(setter, cell, _style(setter, sname, "end"), widths[k], story_name, lang)
                    dx = 0.0
            steps = max(1, math.ceil(st.line_pitch / pitch - 1e-6))
            if too_wide is None and any(line.overfull for line in lines):
                too_wide = cell.text
            out.append(CellSet(lines, dx, steps))
        height = max([len(c.lines) * c.steps for c in out] + [1])
        text = " ".join(c.text for c in cells)
        rise = max([c.lines[0].ascent for c in out if c.lines] + [0.88 * body.size])
        last = max([(len(c.lines) - 1) * c.steps for c in out if c.lines] + [0])
        depth = max([c.lines[-1].descent for c in out if c.lines and (len(c.lines) - 1) * c.steps == last]
                    + [0.12 * body.size])
        return RowSet(tuple(out), height, sum(len(c.text) for c in cells), text, too_wide, rise, depth)

    header = row_set(data.header, True) if data.header else None
    rows = tuple(row_set(row, False) for row in data.rows)
    return TableSet(header, rows, tuple(columns), width, gap, rules, tuple(data.weights),
                    0.88 * body.size, 0.12 * body.size, pitch)


CLEAR = 1.0  # pt at least between a rule's edge and the ink box of a line beside it


def _split(t: TableSet, after_header: bool) -> bool:
    """Whether a rule separates a row from the next one."""
    return t.rules in ("rows", "grid") or (after_header and t.rules != "none")


def _gap_slots(t: TableSet, a: RowSet, b: RowSet, ruled: bool) -> int:
    """Baselines left empty between rows a and b: none, unless a rule between them would
    touch a line's ink box (Tibetan stacks reach deep): then as many as make room."""
    if not ruled:
        return 0
    need = a.depth + b.rise + 2 * CLEAR + t.weights[1]
    extra = 0
    while t.pitch * (1 + extra) < need and extra < 3:
        extra += 1
    return extra


def _top(t: TableSet, first: RowSet, weight: float) -> float:
    """How far above the first row's first baseline the top rule lies."""
    half = max((t.pitch - t.ascent - t.descent) / 2, 0.0)
    return max(t.ascent + half, first.rise + CLEAR + weight / 2)


def _bottom(t: TableSet, last: RowSet, weight: float) -> float:
    half = max((t.pitch - t.ascent - t.descent) / 2, 0.0)
    return max(t.descent + half, last.depth + CLEAR + weight / 2)


def place_rows(t: TableSet, start: int, baselines: list[float], x: float, min_rows: int = 1,
               foot: float | None = None, widows: int = 1) -> Placed:
    """Whole rows from `start` on `baselines` (slots one pitch apart, from the top), the
    header row first; nothing unless the header and `min_rows` rows (or all that are
    left) fit. A row with a cell line wider than its column stops the table there.
    `foot`: the lowest the bottom rule may lie. Fewer than `widows` rows are not left
    for the continuation when rows can go with them (and `min_rows` stay)."""
    head = t.header
    plan: list[tuple[RowSet, int]] = [(head, 0)] if head else []
    used = head.height if head else 0
    k = start
    thick = t.weights[0] if t.rules != "grid" else t.weights[1]
    while k < len(t.rows) and t.rows[k].too_wide is None:
        row = t.rows[k]
        at = used + (_gap_slots(t, plan[-1][0], row, _split(t, plan[-1][0] is head)) if plan else 0)
        end = at + row.height
        if end > len(baselines):
            break
        if foot is not None and baselines[end - 1] + _bottom(t, row, thick) > foot + 0.5:
            break
        plan.append((row, at))
        used = end
        k += 1
    left = len(t.rows) - k
    if 0 < left < widows:  # carry rows over with the last ones
        keep = max(k - (widows - left), start)
        if keep - start >= min_rows:
            plan = [p for p in plan if p[0] is head] + [p for p in plan if p[0] is not head][:keep - start]
            k = keep
            used = plan[-1][1] + plan[-1][0].height
    if k == start or (k - start < min_rows and k < len(t.rows)):
        return Placed([], start, 0, 0, "", ())
    items: list = []
    bounds = []  # (row, its first baseline, its last line's baseline), header first
    chars, placed_baselines = 0, []
    last = ""
    for r, at in plan:
        for (cx, cw), cell in zip(t.columns, r.cells):
            for li, line in enumerate(cell.lines):
                b = baselines[at + li * cell.steps]
                items += [run.moved(x + cx + cell.dx, b) for run in line.runs]
                placed_baselines.append(b)
        bottom_line = max([at + (len(c.lines) - 1) * c.steps for c in r.cells if c.lines] + [at])
        bounds.append((r, baselines[at], baselines[bottom_line]))
        if r is not head or start == 0:
            chars += r.chars
        if r is not head:
            last = r.text[-12:].strip()
    items += _rules(t, bounds, x, head is not None)
    return Placed(items, k, used, chars, last, tuple(placed_baselines))


def _rules(t: TableSet, bounds: list[tuple[RowSet, float, float]], x: float, header: bool) -> list:
    """The rules of a placed piece of the table, each in the middle of the space
    between the ink boxes of the lines it separates."""
    if t.rules == "none" or not bounds:
        return []
    thick, thin = t.weights
    if t.rules == "grid":
        thick = thin
    top = bounds[0][1] - _top(t, bounds[0][0], thick)
    bottom = bounds[-1][2] + _bottom(t, bounds[-1][0], thick)
    between = [((a[2] + a[0].depth) + (b[1] - b[0].rise)) / 2 for a, b in zip(bounds, bounds[1:])]
    x0, x1 = x, x + t.width
    out = []
    if t.rules == "grid":
        for y in [top] + between + [bottom]:
            out.append(Rule(x0, y, x1, y, thin))
        for k in range(1, len(t.columns)):
            cx = x + t.columns[k][0] - t.gap / 2
            out.append(Rule(cx, top, cx, bottom, thin))
        out += [Rule(x0, top, x0, bottom, thin), Rule(x1, top, x1, bottom, thin)]
        return out
    out.append(Rule(x0, top, x1, top, thick))
    if header and between:
        out.append(Rule(x0, between[0], x1, between[0], thin))
    if t.rules == "rows":
        for y in between[1 if header else 0:]:
            out.append(Rule(x0, y, x1, y, thin))
    out.append(Rule(x0, bottom, x1, bottom, thick))
    return out


def table_element(items: list, el: model.Table, rect: Rect, setter: Setter, geo: model.PageGeometry,
                  number: int, k: int, report: Report) -> None:
    """A `table` element in its frame: its rows on the baselines of the frame (the
    page's grid when the cells' pitch is the grid's), the rows that do not fit left out
    at a row boundary and reported with their count, characters and the last row placed."""
    data = table_data(el)
    style = setter.style(data.style)
    pitch = style.line_pitch
    t = set_table(data, setter, rect.w, pitch)
    ascent = 0.88 * style.size
    # the first baseline: on the grid (its pitch a whole number of grid lines), the
    # top rule inside the frame
    first = geo.margins.top + ascent
    step = geo.baseline if abs(pitch / geo.baseline - round(pitch / geo.baseline)) < 0.01 else pitch
    lead = (t.header or t.rows[0])
    above = _top(t, lead, t.weights[1] if t.rules == "grid" else t.weights[0]) if t.rules != "none" else lead.rise
    j = max(0, math.ceil((rect.y + above - first) / step - 1e-6))
    baselines = []
    b = first + j * step
    while b + 0.12 * style.size <= rect.y + rect.h + 0.5 + 1e-6:
        baselines.append(b)
        b += pitch
    got = place_rows(t, 0, baselines, rect.x, foot=rect.y + rect.h)
    items += got.items
    if got.next < len(t.rows):
        left = len(t.rows) - got.next
        chars = sum(not c.isspace() for row in data.rows[got.next:] for cell in row for c in cell.text)
        if got.next == 0 and data.header:
            chars += sum(not c.isspace() for cell in data.header for c in cell.text)
        need = sum(r.height for r in t.rows[got.next:]) * pitch
        too_wide = t.rows[got.next].too_wide
        why = (f"a cell of row {got.next + 1} ('{too_wide[:12]}') has a character wider than its column"
               if too_wide is not None else f"{need * 25.4 / 72:.1f} mm too short")
        where = Place(page=number, element=k, kind="table", words=got.last_words or None)
        report.overflow.append(Overflow(number, k, "table", round(need * 25.4 / 72, 1), chars, got.last_words,
                                        too_wide, where))
        report.warn("table-overset", f"{left} of the table's {len(t.rows)} rows ({chars} characters) did not fit "
                    f"its frame, {why}; rows are cut whole (last row placed: '{got.last_words}')", where,
                    "make the frame deeper, shorten or split the table, or set it in a story to continue it")


def rows_left_note(block: model.Block, rows_placed: int) -> str:
    """What the overset report says of a story's table it could not finish."""
    total = len(block.table.rows)
    return (f"{total - rows_placed} of the table's {total} rows did not fit "
            f"(its first {rows_placed} placed)" if rows_placed else f"none of the table's {total} rows fitted")
