"""Stories through their frames: threading, columns, the baseline grid, jump lines,
overset.

A story's frames form a chain (page order, or as `jump` says). Text fills each frame
column by column on the baseline grid; where the chain crosses to another page the
engine writes the jump lines. What finds no room is reported, never dropped.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import model
from .display import Rule
from .errors import Report
from .geometry import Rect, frame_rect
from .linebreak import Widths
from .lines import set_lines
from .prepare import Prepared
from .setter import Setter


@dataclass
class Column:
    page: int
    x: float
    w: float
    baselines: list[float] = field(default_factory=list)


def story_chain(frames: list[tuple[int, model.StoryFrame]]) -> list[tuple[int, model.StoryFrame]]:
    """The order a story's frames are filled in: page order, except where a frame's
    `jump` names the frame that follows it (the loader has checked the names)."""
    by_name = {(pi + 1, el.name): (pi, el) for pi, el in frames if el.name}
    targets = {id(by_name[(el.jump.page, el.jump.frame)][1]) for _, el in frames if el.jump}
    order, seen = [], set()
    pending = [f for f in frames if id(f[1]) not in targets]
    cur = pending[0] if pending else (frames[0] if frames else None)
    while cur is not None and id(cur[1]) not in seen:
        order.append(cur)
        seen.add(id(cur[1]))
        pi, el = cur
        if el.jump:
            cur = by_name[(el.jump.page, el.jump.frame)]
        else:
            after = frames[frames.index(cur) + 1:]
            cur = next((f for f in after if id(f[1]) not in seen and id(f[1]) not in targets), None)
    order += [f for f in frames if id(f[1]) not in seen]
    return order


def _columns(frame: model.StoryFrame, pi: int, geo: model.PageGeometry, ascent: float, pitch: float,
             skip_top: float) -> list[Column]:
    """The frame's text columns with the baselines that fit in them. Body lines sit on
    the page's baseline grid (when the story's pitch is the grid's), so that columns
    side by side share baselines."""
    rect = frame_rect(frame.frame, geo, pi + 1)
    n = frame.columns or frame.frame.span
    w = (rect.w - (n - 1) * geo.gutter) / n
    top = rect.y + skip_top
    first = geo.margins.top + ascent
    step = geo.baseline if abs(pitch - geo.baseline) < 0.01 else pitch
    k0 = max(0, math.ceil((top + ascent - first) / step - 1e-6))
    baselines = []
    k = k0
    while first + k * step + (pitch - ascent) <= rect.y + rect.h + 1e-6:
        baselines.append(first + k * step)
        k += 1
    return [Column(pi, rect.x + i * (w + geo.gutter), w, list(baselines)) for i in range(n)]


def flow_story(story: model.Story, chain, pages_items: list[list], setter: Setter,
               geo: model.PageGeometry, jumps: model.JumpLines, report: Report) -> None:
    body = setter.style(story.style)
    ascent = 0.88 * body.size
    pitch = body.line_pitch
    parts = []
    for pi, el in chain:
        skip = 0.0
        rect = frame_rect(el.frame, geo, pi + 1)
        if el.headline:
            hl = setter.lines(el.headline, "continued", rect.w)
            style = setter.style("continued")
            for i, line in enumerate(hl):
                pages_items[pi] += [r.moved(rect.x, rect.y + line.ascent + i * style.line_pitch) for r in line.runs]
            skip = len(hl) * style.line_pitch + style.space_after
        cols = _columns(el, pi, geo, ascent, pitch, skip)
        if el.column_rules and len(cols) > 1:
            for c in cols[1:]:
                x = c.x - geo.gutter / 2
                pages_items[pi].append(Rule(x, rect.y + skip, x, rect.y + rect.h, 0.4))
        parts.append((pi, cols))
    _jump_lines(parts, pages_items, setter, jumps)
    columns = [c for _, cols in parts for c in cols]
    _fill(story, columns, pages_items, setter, geo, report, chain[-1][0] if chain else 0)


def _jump_lines(parts, pages_items, setter: Setter, jumps: model.JumpLines) -> None:
    """下转 at the end of a part that continues on another page, 上接 at the start of
    the part that continues it."""
    for k, (pi, cols) in enumerate(parts):
        nxt = parts[k + 1][0] if k + 1 < len(parts) else None
        if nxt is not None and nxt != pi and cols[-1].baselines:
            y = cols[-1].baselines.pop()
            line = setter.lines(jumps.to.format(page=nxt + 1), jumps.style, cols[-1].w, align="end")[0]
            pages_items[pi] += [r.moved(cols[-1].x, y) for r in line.runs]
        prev = parts[k - 1][0] if k > 0 else None
        if prev is not None and prev != pi and cols[0].baselines:
            y = cols[0].baselines.pop(0)
            line = setter.lines(jumps.from_.format(page=prev + 1), jumps.style, cols[0].w, align="start")[0]
            pages_items[pi] += [r.moved(cols[0].x, y) for r in line.runs]


def _style_of(story: model.Story, block: model.Block) -> str:
    return {"subhead": story.subhead_style, "byline": story.byline_style}.get(block.kind, story.style)


def _fill(story: model.Story, columns: list[Column], pages_items, setter: Setter,
          geo: model.PageGeometry, report: Report, last_page: int) -> None:
    ci = bi = unit = slot = 0
    placed = 0
    last_words = ""
    body_pitch = setter.style(story.style).line_pitch
    while bi < len(story.blocks) and ci < len(columns):
        block = story.blocks[bi]
        style = setter.style(_style_of(story, block))
        col = columns[ci]
        steps = max(1, math.ceil(style.line_pitch / body_pitch - 1e-6))
        if unit == 0 and slot > 0 and style.space_before:
            slot += math.ceil(style.space_before / body_pitch - 1e-6)
        p = setter.prepared(block.text, style, block.where, story.name, block.spans, story.lang)
        lines = set_lines(p, Widths.uniform(col.w), setter.shaper, style.align,
                          indent=style.indent * style.size, color=style.color, start=unit,
                          first_is_para_start=unit == 0, method=style.breaking)
        fits = 0
        while fits < len(lines) and slot + fits * steps < len(col.baselines):
            fits += 1
        for li in range(fits):
            baseline = col.baselines[slot + li * steps]
            pages_items[col.page] += [r.moved(col.x, baseline) for r in lines[li].runs]
            placed += lines[li].end - lines[li].start
            last_words = p.text[max(lines[li].start, lines[li].end - 12):lines[li].end]
        slot += fits * steps
        if fits == len(lines):
            bi, unit = bi + 1, 0
            if style.space_after:
                slot += math.ceil(style.space_after / body_pitch - 1e-6)
            if slot >= len(col.baselines):
                ci, slot = ci + 1, 0
        else:
            if fits:
                unit = _unit_at(p, lines[fits].start)
            ci, slot = ci + 1, 0
    if bi < len(story.blocks):
        p = setter.prepared(story.blocks[bi].text, setter.style(_style_of(story, story.blocks[bi])),
                            story.blocks[bi].where, story.name, story.blocks[bi].spans, story.lang)
        left = len(p.text) - (p.units[unit].start if unit < len(p.units) else len(p.text))
        left += sum(len(b.text) for b in story.blocks[bi + 1:])
        report.overset.append({"story": story.name, "page": last_page + 1, "chars": left,
                               "placed_chars": placed, "last_words": last_words.strip()})
        report.warn(f"story '{story.name}' is overset on page {last_page + 1}: {left} characters did "
                    f"not fit (last words placed: '{last_words.strip()}')")


def _unit_at(p: Prepared, text_index: int) -> int:
    for i, u in enumerate(p.units):
        if u.start >= text_index:
            return i
    return len(p.units)
