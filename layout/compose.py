"""Edition -> pages: frames on the grid, stories threaded through them, on the baseline grid.

Every element is placed in its frame; stories flow column by column through their
frames in page order, and across pages with jump lines the engine writes itself. Text
that finds no room is reported as overset, never dropped.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image as PILImage

from . import model
from .display import GlyphRun, Image, PageOut, Rule
from .errors import InputError, Report, Where
from .fonts import FontSet
from .lines import Line, set_lines
from .linebreak import Widths
from .prepare import Composition, Prepared, prepare
from .shape import Shaper

JUMP_TO = "（下转{page:02d}版）"
JUMP_FROM = "（上接{page:02d}版）"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float


class _Setter:
    """Sets paragraphs of a style; holds what one render shares (fonts, shaper, report)."""

    def __init__(self, edition: model.Edition, fonts: FontSet, shaper: Shaper, report: Report):
        self.edition = edition
        self.fonts = fonts
        self.shaper = shaper
        self.report = report
        self._prepared: dict[tuple, Prepared] = {}

    def style(self, name: str) -> model.Style:
        return self.edition.styles[name]

    def prepared(self, text: str, style: model.Style, where: Where | None, story: str = "") -> Prepared:
        options = Composition(style.strictness, style.trim_line_start, tibetan_scale=style.tibetan_scale,
                              tibetan_justify=style.tibetan_justify, grid=style.grid,
                              hyphenate=style.hyphenate)
        key = (text, style.font, style.size, style.tracking, options)
        p = self._prepared.get(key)
        if p is None:
            p = prepare(text, style.font, style.size, style.tracking, self.fonts, self.shaper, where, story,
                        options)
            self._prepared[key] = p
        return p

    def lines(self, text: str, style_name: str, width: float, where: Where | None = None,
              align: str | None = None) -> list[Line]:
        """A short text (headline, caption) set in one width; '\\n' breaks the line."""
        style = self.style(style_name)
        out: list[Line] = []
        for part in text.split("\n"):
            p = self.prepared(part, style, where)
            out += set_lines(p, Widths.uniform(width), self.shaper, align or style.align,
                             indent=style.indent * style.size, color=style.color, method=style.breaking)
        return out


def _grid(geo: model.Geometry, page_number: int):
    """Column x positions for a page; odd pages have the inside margin on the left."""
    left = geo.margins.inside if page_number % 2 == 1 else geo.margins.outside
    type_width = geo.width - geo.margins.inside - geo.margins.outside
    col = (type_width - (geo.columns - 1) * geo.gutter) / geo.columns
    xs = [left + i * (col + geo.gutter) for i in range(geo.columns)]
    return xs, col


def frame_rect(frame: model.Frame, geo: model.Geometry, page_number: int) -> Rect:
    xs, col = _grid(geo, page_number)
    x = xs[frame.column - 1]
    w = frame.span * col + (frame.span - 1) * geo.gutter
    y = geo.margins.top + frame.top
    depth = geo.height - geo.margins.top - geo.margins.bottom
    h = frame.height if frame.height is not None else depth - frame.top
    return Rect(x, y, w, h)


def _stack(items: list, lines: list[Line], x: float, y: float, pitch: float) -> float:
    """Place lines top-down from y (the top of the first line's box); returns the
    bottom. Lines sit `pitch` apart; the first baseline is one ascent below y."""
    for i, line in enumerate(lines):
        baseline = y + line.ascent + i * pitch
        items += [r.moved(x, baseline) for r in line.runs]
    if not lines:
        return y
    return y + lines[0].ascent + (len(lines) - 1) * pitch + lines[-1].descent


def compose(edition: model.Edition, fonts: FontSet, shaper: Shaper, report: Report) -> list[PageOut]:
    setter = _Setter(edition, fonts, shaper, report)
    src = edition.source
    geo = src.geometry
    pages_items: list[list] = [[] for _ in src.pages]
    chains: dict[str, list[tuple[int, model.StoryFrame]]] = {}
    for pi, page in enumerate(src.pages):
        number = pi + 1
        items = pages_items[pi]
        for element in page.elements:
            rect = frame_rect(element.frame, geo, number)
            if isinstance(element, model.StoryFrame):
                chains.setdefault(element.story, []).append((pi, element))
            elif isinstance(element, model.Masthead):
                _masthead(items, element, rect, setter, src.paper, len(src.pages))
            elif isinstance(element, model.Headline):
                _headline(items, element, rect, setter)
            elif isinstance(element, model.Photo):
                _photo(items, element, rect, setter)
            elif isinstance(element, model.TextBlock):
                style = setter.style(element.style)
                y = rect.y
                for part in element.text.split("\n\n"):
                    lines = setter.lines(part.strip(), element.style, rect.w)
                    y = _stack(items, lines, rect.x, y, style.line_pitch) + style.space_after
    for name, chain in chains.items():
        _flow_story(edition.stories[name], chain, pages_items, setter, geo)
    return [PageOut(i + 1, geo.width, geo.height, tuple(items)) for i, items in enumerate(pages_items)]


def _masthead(items, el: model.Masthead, rect: Rect, setter: _Setter, paper: model.Paper, npages: int):
    title = setter.lines(paper.name, el.title_style, rect.w, align="center")
    title_style = setter.style(el.title_style)
    y = _stack(items, title, rect.x, rect.y, title_style.line_pitch)
    if paper.name_bo:
        sub_style = setter.style(el.subtitle_style)
        sub = setter.lines(paper.name_bo, el.subtitle_style, rect.w, align="center")
        y = _stack(items, sub, rect.x, y + sub_style.space_before, sub_style.line_pitch)
    info_style = setter.style(el.info_style)
    date = f"{paper.date.year}年{paper.date.month}月{paper.date.day}日 {paper.weekday_text}"
    left = "  ".join(x for x in (paper.publisher, f"国内统一连续出版物号 {paper.serial}" if paper.serial else "",
                                 f"邮发代号 {paper.postal_code}" if paper.postal_code else "") if x)
    right_parts = [date]
    if paper.issue is not None:
        total = f"（总第{paper.total_issue}期）" if paper.total_issue is not None else ""
        right_parts.append(f"第{paper.issue}期{total}")
    right_parts.append(f"今日{npages}版")
    bottom = rect.y + rect.h
    y_info = bottom - info_style.line_pitch
    _stack(items, setter.lines(left, el.info_style, rect.w, align="start"), rect.x, y_info, info_style.line_pitch)
    _stack(items, setter.lines("  ".join(right_parts), el.info_style, rect.w, align="end"), rect.x, y_info,
           info_style.line_pitch)
    items.append(Rule(rect.x, bottom + 2, rect.x + rect.w, bottom + 2, 1.2))
    items.append(Rule(rect.x, bottom + 3.6, rect.x + rect.w, bottom + 3.6, 0.4))


def _headline(items, el: model.Headline, rect: Rect, setter: _Setter):
    y = rect.y
    for text, style_name in ((el.kicker, el.kicker_style), (el.text, el.style), (el.deck, el.deck_style)):
        if not text:
            continue
        style = setter.style(style_name)
        y = _stack(items, setter.lines(text, style_name, rect.w), rect.x, y + style.space_before,
                   style.line_pitch) + style.space_after


def _photo(items, el: model.Photo, rect: Rect, setter: _Setter):
    cap_lines = []
    cap_style = setter.style(el.caption_style)
    text = el.caption + (f"（{el.credit}）" if el.credit else "")
    if text:
        cap_lines = setter.lines(text, el.caption_style, rect.w)
    cap_h = (len(cap_lines) * cap_style.line_pitch + 3) if cap_lines else 0
    box = Rect(rect.x, rect.y, rect.w, rect.h - cap_h)
    path = setter.edition.images[el.file]
    try:
        with PILImage.open(path) as im:
            iw, ih = im.size
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read photo {el.file}: {exc}", None, "re-save it as JPEG or PNG") from None
    scale = (max if el.fit == "fill" else min)(box.w / iw, box.h / ih)
    w, h = iw * scale, ih * scale
    items.append(Image(path, box.x + (box.w - w) / 2, box.y + (box.h - h) / 2, w, h,
                       (box.x, box.y, box.w, box.h)))
    if cap_lines:
        _stack(items, cap_lines, rect.x, box.y + box.h + 3, cap_style.line_pitch)


@dataclass
class _Column:
    page: int
    x: float
    w: float
    baselines: list[float]


def _columns(frame: model.StoryFrame, page_index: int, geo: model.Geometry, ascent: float) -> list[_Column]:
    """The frame's text columns, each with the baselines of the page's baseline grid
    that fit inside it."""
    rect = frame_rect(frame.frame, geo, page_index + 1)
    n = frame.columns or frame.frame.span
    w = (rect.w - (n - 1) * geo.gutter) / n
    pitch = geo.baseline
    first = geo.margins.top + ascent
    k0 = max(0, math.ceil((rect.y + ascent - first) / pitch - 1e-6))
    baselines = []
    k = k0
    while first + k * pitch + (pitch - ascent) <= rect.y + rect.h + 1e-6:
        baselines.append(first + k * pitch)
        k += 1
    return [_Column(page_index, rect.x + i * (w + geo.gutter), w, list(baselines)) for i in range(n)]


def _flow_story(story: model.Story, chain, pages_items, setter: _Setter, geo: model.Geometry):
    """Thread the story through its frames; write jump lines; report overset."""
    body = setter.style(story.style)
    ascent = 0.88 * body.size
    frames = [(pi, _columns(el, pi, geo, ascent)) for pi, el in chain]
    jump_style = "caption"
    # jump lines: the last line of a part that continues on another page, and the
    # first line of the part that continues it
    for fi, (pi, cols) in enumerate(frames):
        nxt = frames[fi + 1][0] if fi + 1 < len(frames) else None
        if nxt is not None and nxt != pi and cols[-1].baselines:
            y = cols[-1].baselines.pop()
            lines = setter.lines(JUMP_TO.format(page=nxt + 1), jump_style, cols[-1].w, align="end")
            pages_items[pi] += [r.moved(cols[-1].x, y) for r in lines[0].runs]
        prev = frames[fi - 1][0] if fi > 0 else None
        if prev is not None and prev != pi and cols[0].baselines:
            y = cols[0].baselines.pop(0)
            lines = setter.lines(JUMP_FROM.format(page=prev + 1), jump_style, cols[0].w, align="start")
            pages_items[pi] += [r.moved(cols[0].x, y) for r in lines[0].runs]
    columns = [c for _, cols in frames for c in cols]
    ci = 0
    bi = 0
    unit = 0
    slot = 0  # next baseline index in the current column
    last_page = chain[-1][0]
    placed_chars = 0
    while bi < len(story.blocks) and ci < len(columns):
        block = story.blocks[bi]
        style_name = story.subhead_style if block.kind == "subhead" else story.style
        style = setter.style(style_name)
        col = columns[ci]
        steps = max(1, math.ceil(style.line_pitch / geo.baseline - 1e-6))
        if unit == 0 and slot > 0 and style.space_before:
            slot += math.ceil(style.space_before / geo.baseline - 1e-6)
        p = setter.prepared(block.text, style, block.where, story.name)
        lines = set_lines(p, Widths.uniform(col.w), setter.shaper, style.align,
                          indent=style.indent * style.size, color=style.color, start=unit,
                          first_is_para_start=unit == 0, method=style.breaking)
        fits = 0
        while fits < len(lines) and slot + fits * steps < len(col.baselines):
            fits += 1
        for li in range(fits):
            baseline = col.baselines[slot + li * steps]
            pages_items[col.page] += [r.moved(col.x, baseline) for r in lines[li].runs]
            placed_chars += lines[li].end - lines[li].start
        slot += fits * steps
        if fits == len(lines):
            bi += 1
            unit = 0
            slot += math.ceil(style.space_after / geo.baseline - 1e-6) if style.space_after else 0
            if slot >= len(col.baselines):
                ci, slot = ci + 1, 0
        else:
            unit = _unit_at(p, lines[fits].start)
            ci, slot = ci + 1, 0
    if bi < len(story.blocks):
        left_chars = 0
        block = story.blocks[bi]
        style_name = story.subhead_style if block.kind == "subhead" else story.style
        p = setter.prepared(block.text, setter.style(style_name), block.where, story.name)
        left_chars += len(p.text) - (p.units[unit].start if unit < len(p.units) else len(p.text))
        left_chars += sum(len(b.text) for b in story.blocks[bi + 1:])
        setter.report.overset.append({"story": story.name, "page": last_page + 1, "chars": left_chars,
                                      "placed_chars": placed_chars})
        setter.report.warn(f"story '{story.name}' is overset on page {last_page + 1}: "
                           f"{left_chars} characters did not fit")


def _unit_at(p: Prepared, text_index: int) -> int:
    for i, u in enumerate(p.units):
        if u.start >= text_index:
            return i
    return len(p.units)
