"""Stories through their frames: threading, columns on the baseline grid, text wrap
around photos, widow and orphan control, balancing, jump lines, copyfit.

A story's frames form a chain (page order, or as `jump` says). Each frame offers text
columns, and each column a list of slots: the baselines of the grid that lie inside
it, each with the width left beside any photo. Text fills the slots column by column;
where the chain crosses to another page the engine writes the jump lines; the last
frame's columns are balanced; what finds no room is reported, never dropped.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from ..edition import model
from ..lines.display import GlyphRun, Rule, Source, Tag
from ..base.errors import Copyfit, Hole, Overflow, Overset, Place, Report, Where
from ..edition.geometry import Rect, frame_rect, within
from ..lines.linebreak import Widths
from ..lines.justify import Line
from ..lines.prepare import Prepared
from ..lines.setter import Setter
from ..text.keeps import display_keeps
from . import table as tables

MIN_WRAP_WIDTH_EM = 4.0  # narrower than this beside a photo, a slot is left empty


@dataclass(frozen=True)
class Slot:
    baseline: float
    x: float
    w: float


@dataclass
class Column:
    page: int
    part: int
    x: float
    w: float
    slots: list[Slot] = field(default_factory=list)
    index: int = 0  # which column of its frame (0: the first)


@dataclass(frozen=True)
class Cursor:
    """Where a story's text stands: block, and unit within the block's paragraph."""
    block: int = 0
    unit: int = 0


@dataclass
class Fill:
    """What filling some columns did: placed runs, where the text stands, slots used."""
    placed: list[tuple[int, int, GlyphRun | Source]] = field(default_factory=list)  # (column, page, run or line source)
    lines: list[tuple[int, int, float]] = field(default_factory=list)     # (column, block, baseline)
    cursor: Cursor = Cursor()
    used: list[int] = field(default_factory=list)        # slots used per column
    starts: list[Cursor] = field(default_factory=list)   # cursor at each column's start
    chars: list[int] = field(default_factory=list)       # characters placed per column
    last_words: str = ""
    tails: list[str] = field(default_factory=list)      # the last words placed by the end of each column
    marked: set[int] = field(default_factory=set)        # columns a break mark ended early
    # widows and orphans that could not be avoided: (column, what, paragraph's first words, its line)
    notes: list[tuple[int, str, str, Where]] = field(default_factory=list)
    rule_breaks: list[tuple[int, str]] = field(default_factory=list)  # (column, where) of lines that break the rules
    # pure-Han lines that could not be justified on the character grid (C15), an entry
    # a paragraph and column: (column, the lines' misses, page, paragraph's first words, its line)
    off_grid: list[tuple[int, tuple[str, ...], int, str, Where]] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.cursor.block < 0


def story_chain(frames: list[tuple[int, model.StoryFrame]]) -> list[tuple[int, model.StoryFrame]]:
    """The order a story's frames are filled in: page order, except where a frame's
    `jump` names the frame that follows it (the loader has checked the names). A jump to
    a page a partial edition does not give ends the chain."""
    by_name = {(pi + 1, el.name): (pi, el) for pi, el in frames if el.name}
    targets = {id(by_name[(el.jump.page, el.jump.frame)][1]) for _, el in frames
               if el.jump and (el.jump.page, el.jump.frame) in by_name}
    order, seen = [], set()
    pending = [f for f in frames if id(f[1]) not in targets]
    cur = pending[0] if pending else (frames[0] if frames else None)
    while cur is not None and id(cur[1]) not in seen:
        order.append(cur)
        seen.add(id(cur[1]))
        pi, el = cur
        if el.jump:
            cur = by_name.get((el.jump.page, el.jump.frame))
        else:
            after = frames[frames.index(cur) + 1:]
            cur = next((f for f in after if id(f[1]) not in seen and id(f[1]) not in targets), None)
    order += [f for f in frames if id(f[1]) not in seen]
    return order


def _columns(frame: model.StoryFrame, pi: int, part: int, geo: model.PageGeometry, ascent: float,
             pitch: float, skip_top: float, obstacles: list[Rect], boxes: list) -> list[Column]:
    """The frame's text columns and their slots. Body lines sit on the page's baseline
    grid (when the story's pitch is the grid's), so that neighbouring columns share
    baselines; lines beside a photo get the width the photo leaves."""
    rect = within(frame_rect(frame.frame, geo, pi + 1), boxes)
    n = frame.columns or frame.frame.span
    w = (rect.w - (n - 1) * geo.gutter) / n
    top = rect.y + skip_top
    first = geo.margins.top + ascent
    step = geo.baseline if abs(pitch - geo.baseline) < 0.01 else pitch
    k = max(0, math.ceil((top + ascent - first) / step - 1e-6))
    baselines = []
    while first + k * step + (pitch - ascent) <= rect.y + rect.h + 1e-6:
        baselines.append(first + k * step)
        k += 1
    columns = []
    for i in range(n):
        x = rect.x + i * (w + geo.gutter)
        slots = []
        for b in baselines:
            free = _free_interval(x, w, b - ascent, b + pitch - ascent, obstacles)
            if free and free[1] >= MIN_WRAP_WIDTH_EM * ascent / 0.88:
                slots.append(Slot(b, free[0], free[1]))
        columns.append(Column(pi, part, x, w, slots, i))
    return columns


def _free_interval(x: float, w: float, top: float, bottom: float, obstacles: list[Rect]):
    """The widest stretch of [x, x+w] that no obstacle covers between top and bottom."""
    spans = [(x, x + w)]
    for o in obstacles:
        if o.y >= bottom or o.y + o.h <= top or o.x >= x + w or o.x + o.w <= x:
            continue
        cut = []
        for a, b in spans:
            if o.x > a:
                cut.append((a, min(b, o.x)))
            if o.x + o.w < b:
                cut.append((max(a, o.x + o.w), b))
        spans = [(a, b) for a, b in cut if b - a > 0.01]
    if not spans:
        return None
    a, b = max(spans, key=lambda s: (s[1] - s[0], -s[0]))
    return a, b - a


def flow_story(story: model.Story, chain, pages_items: list[list], setter: Setter,
               geo: model.PageGeometry, jumps: model.JumpLines, obstacles: dict[int, list[Rect]],
               boxes: dict[int, list], report: Report, until: int | None = None,
               numbers: dict[int, int] | None = None) -> None:
    """Flow a story; `until` (a 0-based page index) stops after that page (previews).
    `numbers`: each frame's element number on its page, by id(), for the report."""
    numbers = numbers or {}

    def place(part: int, words: str | None = None, source: Where | None = None) -> Place:
        pi, el = chain[part]
        return Place(source, pi + 1, numbers.get(id(el)), el.type, story.name, words)

    body = setter.style(story.style)
    ascent = 0.88 * body.size
    pitch = body.line_pitch
    frames = [_frame(k, pi, el, setter, geo, ascent, pitch, obstacles, boxes) for k, (pi, el) in enumerate(chain)]
    # a jump to a page a partial edition does not give: the jump line says where the
    # story goes on, and its rest is not set (the loader has said so)
    away = chain[-1][1].jump.page if chain and chain[-1][1].jump and chain[-1][1].jump.page > len(pages_items) \
        else None
    attempt = _attempt(story, frames, setter, jumps, until, away)
    unused: list[Part] = []
    if attempt.fill.finished and frames:
        # the story ends before its last frames: a jump to them would send the reader to
        # empty space, so it is set again without them (no 下转, no 上接, no continuation
        # headline) and the report says where it ended
        last = max((attempt.columns[ci].part for ci, u in enumerate(attempt.fill.used) if u), default=0)
        if away is not None or any(f.page != frames[last].page for f in frames[last + 1:]):
            shorter = _attempt(story, frames[:last + 1], setter, jumps, until)
            if shorter.fill.finished:
                attempt, unused = shorter, frames[last + 1:]
    fill, columns = attempt.fill, attempt.columns
    for frame in frames[:len(frames) - len(unused)]:
        if until is None or frame.page <= until:
            if frame.headline_cut is not None:
                _headline_overflow(report, frame.element, frame.page, numbers.get(id(frame.element), 0),
                                   *frame.headline_cut)
        pages_items[frame.page] += frame.items
    for page, run in attempt.jump_items:
        pages_items[page].append(run)
    for text, k in attempt.jump_misses:
        report.warn("jump-line", f"the jump line '{text}' does not fit its column on one line and is left out",
                    place(k), "shorten jump_lines' text or its style's size")
    for _, page, run in fill.placed:
        pages_items[page].append(run)
    notes = [(code, text, place(columns[ci].part, words, source)) for code, ci, text, words, source in
             [("keep", *note) for note in fill.notes] + _grid_notes(fill.off_grid)
             + _rule_break_notes(fill)]
    for ci, lines, area in _holes(fill, columns, [f.element.balance for f in frames], ascent, pitch):
        mm = round(area[4] * 25.4 / 72, 1)
        where = place(columns[ci].part, fill.tails[ci] or None)
        report.holes.append(Hole(story.name, columns[ci].page + 1, lines, mm, area[1:], ci in fill.marked, where))
        if ci in fill.marked:
            continue  # the designer's own break: listed and drawn, not warned about
        report.warn("hole", f"{lines} empty line{'s' if lines > 1 else ''} ({mm:.1f} mm) at the foot of its column "
                    f"{columns[ci].index + 1}, before the story goes on", where,
                    "a break mark, a widow or orphan, or a subhead sent on left it: fill it, or move the break")
    if attempt.partial and not fill.finished:
        for code, text, where in notes:
            report.warn(code, text, where, HINTS.get(code))
        return  # its end is on a page not composed: nothing to report about overset
    spare = [c for f in unused if until is None or f.page <= until for c in f.columns]
    capacity = sum(len(c.slots) for c in columns + spare)
    used = sum(fill.used)
    placed = sum(fill.chars)
    pages = tuple(sorted({c.page + 1 for c, u in zip(columns, fill.used) if u}))
    if fill.finished:
        # the empty part of each column, for the proof overlay
        areas = tuple((c.page + 1, c.x, c.slots[u].baseline - ascent, c.w,
                       c.slots[-1].baseline - c.slots[u].baseline + pitch)
                      for c, u in list(zip(columns, fill.used)) + [(c, 0) for c in spare] if u < len(c.slots))
        entry = Copyfit(story.name, story.chars, placed, capacity, used, 0, capacity - used, pages, areas)
        if unused or (away is not None and not attempt.partial):
            left = sorted({f.page + 1 for f in unused}) or [away]
            end = pages[-1] if pages else frames[0].page + 1
            many = len(unused) > 1
            empty = sum(len(c.slots) for c in spare)
            report.warn("jump-unused", f"the story ends on page {end} before its jump: its frame{'s' if many else ''} "
                        f"on page{'s' if len(left) > 1 else ''} {', '.join(map(str, left))} "
                        f"stay{'' if many else 's'} empty ({empty} lines underset), and no jump lines are printed",
                        place(len(frames) - len(unused) - 1),
                        "remove the continuation frame, make this frame shorter, or add text")
    else:
        left = story.chars - placed
        last_page = chain[-1][0] + 1 if chain else 0
        entry = Copyfit(story.name, story.chars, placed, capacity, used, left, 0, pages)
        last = columns[-1] if columns else None
        at = (last.x + last.w, last.slots[-1].baseline) if last and last.slots else None
        where = place(len(chain) - 1) if chain else Place(story=story.name)
        report.overset.append(Overset(story.name, last_page, left, placed, fill.last_words, at, where))
        report.warn("overset", f"overset: {left} characters did not fit (last words placed: "
                    f"'{fill.last_words}')", where, "make the frames larger, cut the story, or let it jump")
        cut = story.blocks[fill.cursor.block] if 0 <= fill.cursor.block < len(story.blocks) else None
        if cut is not None and cut.kind == "table":
            report.warn("table-overset", tables.rows_left_note(cut, fill.cursor.unit),
                        dataclasses.replace(where, source=cut.where, words=fill.last_words or None),
                        "make the frames larger, shorten the table, or let the story jump")
    for code, text, where in notes:
        report.warn(code, text, where, HINTS.get(code))
    report.copyfit.append(entry)


def _holes(fill: Fill, columns: list[Column], balanced: list[bool], ascent: float,
           pitch: float) -> list[tuple[int, int, tuple]]:
    """Empty lines at the foot of a column the story goes on from: (column, lines,
    (page, x, y, w, h)). Not the story's end, nor the columns its end balances."""
    used = [ci for ci, u in enumerate(fill.used) if u]
    if not used:
        return []
    last = used[-1]
    # balancing evens out the columns where the story ends: their feet are its end
    # (unless a break mark ended one)
    end_part = columns[last].part if fill.finished and balanced[columns[last].part] else None
    out = []
    for ci in range(last):
        c, u = columns[ci], fill.used[ci]
        if u < len(c.slots) and (c.part != end_part or ci in fill.marked):
            area = (c.page + 1, c.x, c.slots[u].baseline - ascent, c.w,
                    c.slots[-1].baseline - c.slots[u].baseline + pitch)
            out.append((ci, len(c.slots) - u, area))
    return out


@dataclass
class Part:
    """One frame of a story's chain, laid out but not yet filled: its continuation
    headline and column rules (drawn only if the story reaches it) and its columns."""
    page: int
    element: model.StoryFrame
    columns: list[Column]
    items: list
    headline_cut: tuple | None  # (lines, cut, short) when the headline outgrows the frame


@dataclass
class Attempt:
    """A story filled through some of its frames, with their jump lines."""
    fill: Fill
    columns: list[Column]
    jump_items: list[tuple[int, GlyphRun]]
    jump_misses: list[tuple[str, int]]  # (text, part) of jump lines that did not fit
    partial: bool


def _frame(part: int, pi: int, el: model.StoryFrame, setter: Setter, geo: model.PageGeometry,
           ascent: float, pitch: float, obstacles: dict[int, list[Rect]], boxes: dict[int, list]) -> Part:
    skip = 0.0
    items: list = []
    cut = None
    rect = within(frame_rect(el.frame, geo, pi + 1), boxes.get(pi, []))
    if el.headline:
        style = setter.style("continued")
        lines = setter.lines(el.headline, "continued", rect.w)
        foot = rect.y + rect.h + 0.5
        for i, line in enumerate(lines):
            y = rect.y + line.ascent + i * style.line_pitch
            if line.overfull or y + 0.12 * style.size > foot:
                # as compose does for other frames: left out from here, and counted
                cut = (lines, i, rect.y + lines[0].ascent + (len(lines) - 1) * style.line_pitch
                       + lines[-1].descent - (rect.y + rect.h))
                break
            items += [r.moved(rect.x, y) for r in line.runs]
        skip = len(lines) * style.line_pitch + style.space_after
    cols = _columns(el, pi, part, geo, ascent, pitch, skip, obstacles.get(pi, []), boxes.get(pi, []))
    if el.column_rules and len(cols) > 1:
        for c in cols[1:]:
            x = c.x - geo.gutter / 2
            for y0, y1 in _rule_spans(x, rect.y + skip, rect.y + rect.h, obstacles.get(pi, []), geo.gutter):
                items.append(Rule(x, y0, x, y1, 0.4))
    return Part(pi, el, cols, items, cut)


def _attempt(story: model.Story, frames: list[Part], setter: Setter, jumps: model.JumpLines,
             until: int | None, away: int | None = None) -> Attempt:
    """Fill the story through these frames (their columns copied: jump lines take slots)."""
    parts = [(f.page, [Column(c.page, c.part, c.x, c.w, list(c.slots), c.index) for c in f.columns]) for f in frames]
    jump_items: list = []
    misses: list = []
    _jump_lines(parts, jump_items, misses, setter, jumps, away)
    columns = [c for _, cols in parts for c in cols]
    partial = away is not None
    if until is not None:
        # a preview of some pages: text is placed in order, so the columns after the
        # last page wanted change nothing before it; the story is not followed there
        shown = [c for c in columns if c.page <= until]
        partial = len(shown) < len(columns)
        columns = shown
    fill = _fill(story, columns, setter, Cursor())
    fill = _balance(story, columns, setter, fill, [f.element.balance for f in frames])
    return Attempt(fill, columns, jump_items, misses, partial)


HINTS = {"grid": "edit a word in or out of the paragraph, or change the column's width by whole ems"}


def _grid_notes(entries) -> list[tuple]:
    """One 'grid' note a paragraph, though its lines be in several columns: at its
    first column, counting the lines of all."""
    merged: dict = {}
    for ci, missed, page, words, where in entries:
        key = (words, where)
        if key in merged:
            merged[key][1].extend(missed)
        else:
            merged[key] = [ci, list(missed), page, words, where]
    return [("grid", ci, _grid_note(missed, page), words, where) for ci, missed, page, words, where in merged.values()]


def _grid_note(missed: list[str], page: int) -> str:
    """What a paragraph's lines that left the character grid (C15) say, and why."""
    short, off = missed.count("short"), missed.count("off")
    parts = []
    if short:
        parts.append(f"{short} line{'s' if short > 1 else ''} set short: no mark in "
                     f"{'them' if short > 1 else 'it'} can take the em a character pushed out (推出) left")
    if off:
        parts.append(f"{off} line{'s' if off > 1 else ''} off the grid: {'their' if off > 1 else 'its'} "
                     f"marks cannot give whole ems for the mark pushed in (挤进)")
    return f"character grid on page {page + 1}: " + "; ".join(parts)


def _rule_break_notes(fill: Fill) -> list[tuple]:
    """Lines that had to break where the Chinese or Tibetan rules forbid (an unbroken
    run longer than the measure): said once per story, at the first place, as
    (code, column, what, words, source)."""
    if not fill.rule_breaks:
        return []
    n = len(fill.rule_breaks)
    ci, where = fill.rule_breaks[0]
    return [("rule-break", ci, f"no break the composition rules allow fits the measure, so {n} "
             f"line{'s' if n > 1 else ''} break{'' if n > 1 else 's'} against them, the first {where}", None, None)]


def _headline_overflow(report: Report, el: model.StoryFrame, pi: int, k: int, lines: list[Line],
                       cut: int, short: float) -> None:
    """The continuation headline's lines from `cut` on are left out: report them as
    compose reports other frames' text (`short`: pt the frame lacks below)."""
    chars = sum(not c.isspace() for line in lines[cut:] for c in line.text)
    shown = "".join(line.text for line in lines[:cut]).strip()
    where = Place(page=pi + 1, element=k, kind=el.type)
    report.overflow.append(Overflow(pi + 1, k, el.type, round(max(short, 0.0) * 25.4 / 72, 1), chars, shown[-12:],
                                    lines[cut].text if lines[cut].overfull else None, where))
    report.warn("overflow", f"{chars} characters of its headline did not fit its frame (last words placed: "
                f"'{shown[-12:]}')", where, "shorten the continuation headline or make the frame deeper")


def _rule_spans(x: float, top: float, bottom: float, obstacles: list[Rect], gutter: float) -> list[tuple]:
    """A column rule from top to bottom, cut where a photo the text wraps around lies
    across it (with its gap). A photo only beside the gutter does not cut it: photos sit
    on the grid, so one across the rule reaches past it by a column on each side, and one
    beside it at most by its gap. Pieces shorter than 6 pt are left out."""
    spans = [(top, bottom)]
    for ob in obstacles:
        if not (ob.x + gutter < x < ob.x + ob.w - gutter):
            continue
        cut = []
        for y0, y1 in spans:
            if ob.y + ob.h <= y0 or y1 <= ob.y:
                cut.append((y0, y1))
                continue
            cut += [(y0, ob.y)] if ob.y > y0 else []
            cut += [(ob.y + ob.h, y1)] if ob.y + ob.h < y1 else []
        spans = cut
    return [(y0, y1) for y0, y1 in spans if y1 - y0 >= 6]


def _jump_lines(parts, items: list, misses: list, setter: Setter, jumps: model.JumpLines,
                away: int | None = None) -> None:
    """下转 at the end of a part that continues on another page, 上接 at the start of
    the part that continues it: one line in the slot (into `items` as (page, run)), or
    left out and listed in `misses` as (text, part). `away`: the page (1-based) past
    the pages given that the last part jumps to."""
    for k, (pi, cols) in enumerate(parts):
        nxt = parts[k + 1][0] if k + 1 < len(parts) else (away - 1 if away is not None else None)
        # (an empty jump line, or one of spaces only, is none: its slot stays the story's)
        if nxt is not None and nxt != pi and cols[-1].slots and jumps.to.strip():
            slot = cols[-1].slots.pop()
            _jump_line(items, misses, setter, jumps.to_style or jumps.style, jumps.to.format(page=nxt + 1),
                       slot, "end" if jumps.align == "sides" else None, pi, k)
        prev = parts[k - 1][0] if k > 0 else None
        if prev is not None and prev != pi and cols[0].slots and jumps.from_.strip():
            slot = cols[0].slots.pop(0)
            _jump_line(items, misses, setter, jumps.from_style or jumps.style, jumps.from_.format(page=prev + 1),
                       slot, "start" if jumps.align == "sides" else None, pi, k)


def _jump_line(items: list, misses: list, setter: Setter, style: str, text: str, slot: Slot,
               align: str | None, pi: int, k: int) -> None:
    """One jump line in its slot, aligned as `align` says, or (None) as its style does."""
    lines = setter.lines(text, style, slot.w, align=align)
    if len(lines) != 1 or lines[0].overfull:
        misses.append((text, k))
        return
    tag = Tag("jump")  # an artifact (pagination) in the tagged PDF
    items += [(pi, r.moved(slot.x, slot.baseline, tag)) for r in lines[0].runs]


def _style_of(story: model.Story, block: model.Block) -> str:
    return {"subhead": story.subhead_style, "byline": story.byline_style}.get(block.kind, story.style)


def _prepared(story: model.Story, block: model.Block, setter: Setter) -> tuple[Prepared, model.Style]:
    style = setter.style(_style_of(story, block))
    keep = block.keep
    if block.kind in ("subhead", "byline"):  # display text: numbers, titles (and names) stay whole
        keep = tuple(sorted(keep + display_keeps(block.text, block.kind == "byline")))
    return setter.prepared(block.text, style, block.where, story.name, block.spans, story.lang, keep), style


def _fill(story: model.Story, columns: list[Column], setter: Setter, cursor: Cursor,
          caps: dict[int, int] | None = None) -> Fill:
    """Fill `columns` from `cursor`. `caps` limits the slots of some columns (balancing).
    Widows and orphans are avoided by moving lines on; what cannot be avoided is noted."""
    out = Fill()
    body_pitch = setter.style(story.style).line_pitch
    bi, unit = cursor.block, cursor.unit
    skip_part = None  # a frame break: the rest of this part (frame) stays empty
    filled_parts: set[int] = set()
    for ci, col in enumerate(columns):
        out.starts.append(Cursor(bi, unit))
        limit = min(len(col.slots), (caps or {}).get(ci, len(col.slots)))
        slot = 0
        out.chars.append(0)
        if col.part == skip_part:
            out.used.append(0)
            out.tails.append(out.last_words)
            out.marked.add(ci)
            continue
        while bi < len(story.blocks) and slot < limit:
            block = story.blocks[bi]
            if block.kind in ("column", "frame"):
                # a break mark: at the top of a column (or of a frame) it is already kept
                bi, unit = bi + 1, 0
                if block.kind == "frame" and (slot > 0 or col.part in filled_parts):
                    skip_part = col.part
                    out.marked.add(ci)
                    break
                if block.kind == "column" and slot > 0:
                    out.marked.add(ci)
                    break
                continue
            if block.kind == "table":
                before = slot
                done, slot, unit = _fill_table(story, block, bi, col, ci, slot, limit, unit, setter, body_pitch, out)
                if slot > before:
                    filled_parts.add(col.part)
                if done:
                    bi, unit = bi + 1, 0
                    continue
                break
            p, style = _prepared(story, block, setter)
            steps = max(1, math.ceil(style.line_pitch / body_pitch - 1e-6))
            before = slot  # the space before a block sent on to the next column is not used here
            if unit == 0 and slot > 0 and style.space_before:
                slot += math.ceil(style.space_before / body_pitch - 1e-6)
            free = col.slots[slot:limit:steps]
            if not free:
                break
            widths = Widths.of([s.w for s in free], col.w)
            lines = setter.set_lines(p, widths, style, unit, unit == 0)
            if block.kind == "subhead" and len(lines) > 1 and unit == 0 and all(abs(s.w - col.w) < 0.01 for s in free):
                lines = setter.balanced(p, style, col.w, style.align)  # its lines of even length
            fits = min(len(lines), len(free))
            # a line wider than its slot (a unit wider than the column) is never placed:
            # it would run out of the frame, so it and what follows stay overset
            fits = next((k for k in range(fits) if lines[k].overfull), fits)
            fits = _keep_together(story, bi, block, lines, fits, slot, unit, steps, limit, out, col,
                                  setter.style(story.style))
            style_name = {"subhead": story.subhead_style, "byline": story.byline_style}.get(block.kind, story.style)
            tag = Tag(block.kind if block.kind in ("subhead", "byline") else "para", story.name, bi)
            for li in range(fits):
                s = free[li]
                line = lines[li]
                out.placed += [(ci, col.page, r.moved(s.x, s.baseline, tag)) for r in line.runs]
                where = block.where
                out.placed.append((ci, col.page, Source(s.x, s.baseline - line.ascent, max(line.width, 1.0),
                                                        line.ascent + line.descent, "line", where.file, where.line,
                                                        where.column, None, story.name, style_name)))
                out.lines.append((ci, bi, s.baseline))
                out.chars[-1] += lines[li].end - lines[li].start
                out.last_words = p.text[max(lines[li].start, lines[li].end - 12):lines[li].end].strip()
                if lines[li].against_rules:
                    end = lines[li].end
                    out.rule_breaks.append((ci, f"on page {col.page + 1} between "
                                                f"'{p.text[max(0, end - 6):end]}' and '{p.text[end:end + 6]}'"))
            missed = [lines[li].grid_miss for li in range(fits) if lines[li].grid_miss]
            if missed:
                out.off_grid.append((ci, tuple(missed), col.page, block.text[:12], block.where))
            slot += fits * steps
            if fits:
                filled_parts.add(col.part)
            else:
                slot = before
            if fits == len(lines):
                bi, unit = bi + 1, 0
                if style.space_after:
                    slot += math.ceil(style.space_after / body_pitch - 1e-6)
            else:
                if fits:
                    unit = _unit_at(p, lines[fits].start)
                break
        out.used.append(min(slot, limit))
        out.tails.append(out.last_words)
    out.cursor = Cursor(-1, 0) if bi >= len(story.blocks) else Cursor(bi, unit)
    return out


def _fill_table(story: model.Story, block: model.Block, bi: int, col: Column, ci: int, slot: int, limit: int,
                unit: int, setter: Setter, pitch: float, out: Fill) -> tuple[bool, int, int]:
    """A pipe table's rows from row `unit` into the column from `slot`, as a unit of
    rows (layout/page/table.py), its header again at the top of each continuation; a
    blank line before it (not at the column's top) and after it. Returns (finished,
    slot, row)."""
    t = tables.set_table(block.table, setter, col.w, pitch, story, story.table_style, story.table_header_style)
    lead = 1 if slot > 0 else 0
    free = col.slots[slot + lead:limit]
    # rows need the column's whole width: a slot narrowed by a photo ends the run
    run = next((k for k, s in enumerate(free) if abs(s.w - col.w) > 0.01 or abs(s.x - col.x) > 0.01), len(free))
    body = setter.style(story.style)
    # a table's first rows are an orphan, its last a widow, like a paragraph's lines
    # the bottom rule stays in the column: above the foot of its last line's box
    foot = free[run - 1].baseline + pitch - 0.88 * body.size if run else None
    got = tables.place_rows(t, unit, [s.baseline for s in free[:run]], col.x,
                            min_rows=max(1, body.orphans) if unit == 0 and slot > 0 else 1,
                            foot=foot, widows=max(1, body.widows))
    if got.next == unit:
        return False, slot, unit
    tag = Tag("table", story.name, bi)
    out.placed += [(ci, col.page, item._replace(tag=tag) if isinstance(item, GlyphRun) else item) for item in got.items]
    out.lines += [(ci, bi, b) for b in got.baselines]
    out.chars[-1] += got.chars
    out.last_words = got.last_words or out.last_words
    slot += lead + got.used
    if got.next < len(t.rows):
        return False, slot, got.next
    if bi + 1 < len(story.blocks):
        slot += 1
    return True, slot, 0


def _keep_together(story, bi, block, lines: list[Line], fits: int, slot: int, unit: int, steps: int,
                   limit: int, out: Fill, col: Column, body: model.Style) -> int:
    """How many of the paragraph's lines to place here: fewer than `orphans` first
    lines stay not at a column foot, fewer than `widows` last lines go not alone to the
    next column's head, and a subhead goes with its text."""
    orphans, widows = max(1, body.orphans), max(1, body.widows)
    if block.kind == "subhead":
        nxt = story.blocks[bi + 1] if bi + 1 < len(story.blocks) else None
        after = limit - slot - fits * steps
        # at a column's top it must stay (else the column would stay empty), except in
        # a column balancing has capped: there the balancer tries a deeper cap
        movable = slot > 0 or limit < len(col.slots)
        if fits < len(lines) and movable:
            return 0  # a subhead is never split: all of it goes to the next column
        if fits == len(lines) and nxt is not None and after < max(orphans, 1) and movable:
            return 0  # the subhead goes to the next column with its text
        return fits
    if fits >= len(lines) or fits == 0:
        return fits
    if unit == 0 and fits < orphans and len(lines) >= orphans and slot > 0:
        return 0  # orphan: the paragraph starts in the next column instead
    rest = len(lines) - fits
    if rest < widows and fits - (widows - rest) >= (orphans if unit == 0 else 1):
        return fits - (widows - rest)  # widow: carry lines over with it
    if rest < widows or (unit == 0 and fits < orphans):
        kind = "widow" if rest < widows else "orphan"
        out.notes.append((len(out.used), f"{kind} line: the column has room for {fits} "
                                         f"of the paragraph's lines and there is no better break",
                          block.text[:12], block.where))
    return fits


def _balance(story: model.Story, columns: list[Column], setter: Setter, fill: Fill,
             wanted: list[bool]) -> Fill:
    """Even out the columns of the frame where the story ends: the same number of lines
    in each, the last column the shortest (unless that frame says balance: false)."""
    if not fill.finished:
        return fill
    last_col = max((i for i, u in enumerate(fill.used) if u), default=None)
    if last_col is None or not wanted[columns[last_col].part]:
        return fill
    part = columns[last_col].part
    members = [i for i, c in enumerate(columns) if c.part == part]
    if len(members) < 2 or last_col == members[-1] and fill.used[last_col] >= len(columns[last_col].slots) - 1:
        return fill
    first = members[0]
    start = fill.starts[first]
    total = sum(fill.used[i] for i in members)
    part_cols = [columns[i] for i in members]
    for target in range(math.ceil(total / len(members)), max(len(c.slots) for c in part_cols) + 1):
        trial = _fill(story, part_cols, setter, start, caps={k: target for k in range(len(members))})
        if trial.finished:
            n = len(members)
            placed = [e for e in fill.placed if e[0] < first] + [(ci + first, pg, r) for ci, pg, r in trial.placed]
            lines = [e for e in fill.lines if e[0] < first] + [(ci + first, b, y) for ci, b, y in trial.lines]
            rule_breaks = [e for e in fill.rule_breaks if e[0] < first] + [
                (ci + first, w) for ci, w in trial.rule_breaks]
            notes = [e for e in fill.notes if e[0] < first] + [(ci + first, *rest) for ci, *rest in trial.notes]
            off_grid = [e for e in fill.off_grid if e[0] < first] + [(ci + first, *r) for ci, *r in trial.off_grid]
            return Fill(placed, lines, trial.cursor, fill.used[:first] + trial.used + fill.used[first + n:],
                        fill.starts[:first] + trial.starts, fill.chars[:first] + trial.chars,
                        trial.last_words, fill.tails[:first] + trial.tails + fill.tails[first + n:],
                        {c for c in fill.marked if c < first} | {c + first for c in trial.marked}, notes,
                        rule_breaks, off_grid)
    return fill


def _unit_at(p: Prepared, text_index: int) -> int:
    for i, u in enumerate(p.units):
        if u.start >= text_index:
            return i
    return len(p.units)
