"""Edition -> pages: masters and folios, every element in its frame, stories flowed.

Drawing order on a page is reading order for text (extractors that follow the content
stream read it right): backgrounds first, then elements in the order the designer
listed them, stories after the elements of their first page.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import unicodedata
from pathlib import Path
from typing import NamedTuple

from ..edition import model
from ..base import parallel
from ..lines.display import Artwork, GlyphRun, Image, PageOut, Panel, Rule, Source, Tag, area
from ..base.errors import InputError, InputErrors, Overflow, Place, Report
from . import artwork
from .flow import flow_story, story_chain
from . import notices, qr, vertical
from .table import table_element
from ..edition.geometry import Rect, frame_rect, type_area, within
from ..edition.photos import pixel_size
from ..text.itemize import missing
from ..lines.justify import Line
from ..lines.setter import Setter


class _Cut(NamedTuple):
    """Stands in an element's items for a line wider than the frame (a character wider
    than the measure): never drawn; _page_elements leaves it and the element's text
    after it out, and counts them."""
    text: str


def _stack(items: list, lines: list[Line], x: float, y: float, pitch: float, tag: Tag | None = None) -> float:
    """Lines top-down from y (the top of the first line's box); returns the bottom."""
    for i, line in enumerate(lines):
        if line.overfull:
            items.append(_Cut(line.text))
            continue
        items += [r.moved(x, y + line.ascent + i * pitch, tag) for r in line.runs]
    if not lines:
        return y
    return y + lines[0].ascent + (len(lines) - 1) * pitch + lines[-1].descent


def compose(edition: model.Edition, setter: Setter, report: Report,
            only: frozenset[int] | None = None, progress=None, workers: int = 1) -> list[PageOut]:
    """Compose the pages (1-based numbers in `only`, or all). A story on a requested
    page is flowed from its start, so its text and jump lines are where they would be
    in the whole edition; nothing else of other pages is composed. With `workers` 2,
    the later half of the stories (by length) is flowed in a forked process while this
    one sets the page elements and the first half (layout/base/parallel.py); the result is
    the same, item for item."""
    src = edition.source
    geo = edition.geometry
    wanted = set(range(len(src.pages))) if only is None else {n - 1 for n in only}
    pages_items: list[list] = [[] for _ in src.pages]
    backgrounds: list[list] = [[] for _ in src.pages]
    frames: dict[str, list[tuple[int, model.StoryFrame]]] = {}
    obstacles: dict[int, list[Rect]] = {}  # photos (with their gap) that story text wraps around
    boxes: dict[int, list[tuple[Rect, float]]] = {}  # ruled boxes and their insets
    for pi, page in enumerate(src.pages):
        for element in page.elements:
            if isinstance(element, model.Box):
                boxes.setdefault(pi, []).append((frame_rect(element.frame, geo, pi + 1), element.inset))
    numbers: dict[int, int] = {}  # a story frame's element number on its page, for the report
    for pi, page in enumerate(src.pages):
        for k, element in enumerate(page.elements):
            if isinstance(element, model.StoryFrame):
                frames.setdefault(element.story, []).append((pi, element))
                numbers[id(element)] = k + 1
            elif isinstance(element, (model.Photo, model.Qr)):
                r, g = frame_rect(element.frame, geo, pi + 1), element.wrap_gap
                obstacles.setdefault(pi, []).append(Rect(r.x - g, r.y - g, r.w + 2 * g, r.h + 2 * g))
    stories = [name for name, fs in frames.items() if any(pi in wanted for pi, _ in fs)]
    _check_coverage(edition, stories, setter)
    until = None if only is None else max(wanted)

    def flow(names: list[str], items: list[list], into: Report) -> None:
        nonlocal done
        for name in names:
            # (a mistake found while flowing, a continuation headline's character no
            # font has, is placed at the story's first frame that has a headline)
            pi, el = next(((pi, el) for pi, el in frames[name] if el.headline), frames[name][0])
            k = next(k for k, e in enumerate(src.pages[pi].elements) if e is el)
            with _placed(edition, pi + 1, k + 1, f"story '{name}'"):
                flow_story(edition.stories[name], story_chain(frames[name]), items, setter, geo,
                           src.jump_lines, obstacles, boxes, into, until, numbers)
            if items is pages_items:
                done += 1
                if progress:
                    progress(done, total)

    def apart(names: list[str]) -> tuple[list[list], Report]:
        items: list[list] = [[] for _ in src.pages]
        into = Report()
        flow(names, items, into)
        return items, into

    total = len(wanted) + len(stories)
    done = 0
    mine, theirs = _shares(stories, edition) if workers > 1 else (stories, [])
    child = parallel.Forked(lambda: apart(theirs)) if theirs else None
    try:
        for pi in sorted(wanted):
            _page_elements(pages_items[pi], backgrounds[pi], edition, src.pages[pi], pi + 1, setter, report,
                           boxes.get(pi, []))
            done += 1
            if progress:
                progress(done, total)
        flow(mine, pages_items, report)
        if theirs:
            got = child.result()
            if got is None:  # no child, or it failed: flow them here
                flow(theirs, pages_items, report)
            else:
                # appended after this process's stories, as a flow in one process would
                items, into = got
                for pi, placed in enumerate(items):
                    pages_items[pi] += placed
                for f in dataclasses.fields(Report):
                    getattr(report, f.name).extend(getattr(into, f.name))
                done += len(theirs)
                if progress:
                    progress(done, total)
    except BaseException:
        if child is not None:
            child.cancel()
        raise
    for pi in sorted(wanted):
        _fit_boxes(pages_items[pi], backgrounds[pi], src.pages[pi], geo, pi + 1, setter)
    report.locate(edition.places)  # each finding on an element gets its line in the edition file
    return [PageOut(i + 1, geo.width, geo.height, tuple(backgrounds[i] + pages_items[i]))
            for i in sorted(wanted)]


def _shares(stories: list[str], edition: model.Edition) -> tuple[list[str], list[str]]:
    """The stories in order, cut where half of their text is before the cut: the first
    share for this process (which also sets the page elements), the rest for a child."""
    if len(stories) < 2:
        return stories, []
    total = sum(edition.stories[n].chars for n in stories)
    run = 0
    for k, name in enumerate(stories[:-1]):
        run += edition.stories[name].chars
        if run * 2 >= total:
            return stories[:k + 1], stories[k + 1:]
    return stories[:-1], stories[-1:]


def _check_coverage(edition: model.Edition, names: list[str], setter: Setter) -> None:
    """Every character the stories need, in a font of its role: or one report naming
    all that are missing, story by story, never a blank box on the page."""
    errors = []
    for name in names:
        story = edition.stories[name]
        found: dict[str, list] = {}
        for k, block in enumerate(story.blocks):
            style_name = {"subhead": story.subhead_style, "byline": story.byline_style,
                          "table": story.table_style}.get(block.kind, story.style)
            style = edition.styles[style_name]
            spans = tuple((s.start, s.end, edition.char_styles[s.style].font, None) for s in block.spans)
            for i in missing(block.text, style.font, setter.fonts, setter.shaper, spans, story.lang):
                found.setdefault(block.text[i], [0, k + 1, style.font, block.where])[0] += 1
        if found:
            chars = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')} ({n}×, first in paragraph {k})"
                              for c, (n, k, _, _) in sorted(found.items()))
            roles = sorted({v[2] for v in found.values()})
            first = min(found.values(), key=lambda v: v[1])[3]
            errors.append(InputError(f"story '{name}': no font has {len(found)} character(s): {chars}", first,
                                     f"add a face that has them to font role {', '.join(roles)} in 'fonts:'"))
    if errors:
        raise InputErrors(errors)


def _page_elements(items: list, backgrounds: list, edition: model.Edition, page: model.Page, number: int,
                   setter: Setter, report: Report, boxes: list) -> None:
    start = len(items)
    with _placed(edition, number, 0, "folio and credits"):
        _master(items, edition, page, number, setter)
    for cut in _take_cut(items, start):
        report.warn("folio", f"the master's folio or credits line '{cut.text}' is wider than the type area "
                    "and is left out", Place(page=number, element=0, kind="folio"), "shorten it or narrow its style")
    height = edition.geometry.height
    off = [run for run in items[start:] if isinstance(run, GlyphRun)
           and (run.y - 0.88 * run.size < 0 or run.y + 0.12 * run.size > height)]
    if off:  # margins too small to hold them: left out, and said, never drawn off the page
        items[start:] = [item for item in items[start:] if not any(item is run for run in off)]
        text = "".join(run.text for run in off).strip()
        report.warn("folio", f"the master's folio or credits line '{text[:40]}' does not fit in the margin and "
                    "is left out", Place(page=number, element=0, kind="folio"),
                    "give the page a deeper top or bottom margin")
    for k, element in enumerate(page.elements):
        with _placed(edition, number, k + 1, element.type):
            _element(items, backgrounds, edition, element, k, number, setter, report, boxes)


@contextlib.contextmanager
def _placed(edition: model.Edition, number: int, k: int, what: str):
    """A mistake found while setting an element (a character no font has) is reported
    at the element in the edition file, with its page and number."""
    try:
        yield
    except InputError as exc:
        if (exc.where is not None and exc.where.line is not None) or isinstance(exc, InputErrors):
            raise
        label = f"page {number}, element {k} ({what})" if k else f"page {number}, {what}"
        if exc.where is not None and exc.where.file:  # the file it is about (a photo) stays named
            file = Path(exc.where.file)
            label += f": {file.relative_to(edition.base_dir) if file.is_relative_to(edition.base_dir) else file}"
        raise InputError(f"{label}: {exc.message}", edition.places.get((number, k)), exc.hint) from None


def _element(items: list, backgrounds: list, edition: model.Edition, element, k: int, number: int,
             setter: Setter, report: Report, boxes: list) -> None:
    geo = edition.geometry
    rect = frame_rect(element.frame, geo, number)
    if not isinstance(element, (model.Box, model.RuleElement, model.SectionLabel, model.Photo)):
        rect = within(rect, boxes)
    bottom = None
    items.append(_source(edition, element, k, number, frame_rect(element.frame, geo, number)))
    start = len(items)
    if isinstance(element, model.StoryFrame):
        return  # flowed with its story
    elif isinstance(element, model.Masthead):
        bottom = _masthead(items, element, rect, setter, edition.paper, edition.template_fields(number),
                           lambda text, hint: report.warn("masthead", text, Place(page=number, element=k + 1,
                                                                                  kind="masthead"), hint))
    elif getattr(element, "direction", "horizontal") == "vertical":  # 竖排: columns, overflow reported there
        (vertical.headline if isinstance(element, model.Headline) else vertical.text_block)(
            items, element, rect, setter, report, number, k)
    elif isinstance(element, model.Headline):
        bottom = _headline(items, element, rect, setter)
    elif isinstance(element, model.Photo):
        bottom = _photo(items, element, rect, setter)
    elif isinstance(element, model.TextBlock):
        bottom = _text(items, element.text, element.style, rect, setter)
    elif isinstance(element, model.SectionLabel):
        _section_label(items, element, rect, setter)
    elif isinstance(element, model.RuleElement):
        _rule(items, element, rect, geo, number)
    elif isinstance(element, model.Box):
        backgrounds.append(Panel(rect.x, rect.y, rect.w, rect.h, element.fill, element.color, element.weight))
    elif isinstance(element, model.Teaser):
        bottom = _teaser(items, element, rect, setter)
    elif isinstance(element, model.Ad):
        bottom = _ad(items, element, rect, setter)
    elif isinstance(element, model.Qr):
        bottom = qr.place(items, element, rect, setter, report, number, k, _stack)
    elif isinstance(element, model.Notices):
        notices.place(items, element, rect, geo, setter, report, number, k)
    elif isinstance(element, model.Table):
        table_element(items, element, rect, setter, geo, number, k + 1, report)
    else:  # a type the model has and this module forgot: never skip silently
        raise TypeError(f"no layout for element {element!r}")
    short = bottom is not None and element.frame.height is not None and bottom > rect.y + rect.h + 0.5
    if short or any(isinstance(item, _Cut) for item in items[start:]):
        _overflow(items, start, element, k + 1, number, rect, bottom if short else None, report)
    _tag(items, start, element, k + 1, edition)


def _tag(items: list, start: int, element, number: int, edition: model.Edition) -> None:
    """Each run, photo and artwork of the element says what it is part of (the tagged
    PDF's structure): its story (`story:`), its number on the page, and its role, as the
    element's setter said (kicker, headline, deck, caption) or else its type."""
    story = getattr(element, "story", None)
    role = "title" if story and isinstance(element, model.TextBlock) else element.type
    alt = ""
    if isinstance(element, model.Ad):
        alt = " ".join(t for t in (element.label, element.text) if t) or "ad"
    elif isinstance(element, model.Masthead):
        alt = edition.paper.name
    made: dict = {}  # one Tag per role: the writer sees a change of tag by identity
    for i in range(start, len(items)):
        item = items[i]
        if isinstance(item, (GlyphRun, Image, Artwork)):
            t = (item.tag.role, item.tag.alt) if item.tag else (role, alt)
            tag = made.get(t)
            if tag is None:
                tag = made[t] = Tag(t[0], story, -1, number, t[1])
            items[i] = item._replace(tag=tag)


def _fit_boxes(items: list, backgrounds: list, page: model.Page, geo, number: int, setter: Setter) -> None:
    """Boxes that take their content's height or align it (Box.height, Box.align): done
    when the page is whole, because stories flowed into a box are set last. What is
    inside is what lies wholly within the box's frame, measured by its ink (once a page,
    and again only for what a box moves)."""
    bounds = None
    for element in page.elements:
        if not isinstance(element, model.Box) or (element.height == "frame" and element.align == "top"):
            continue
        rect = frame_rect(element.frame, geo, number)
        panel = Panel(rect.x, rect.y, rect.w, rect.h, element.fill, element.color, element.weight)
        at = next((i for i, item in enumerate(backgrounds) if item == panel), None)
        if at is None:
            continue
        if bounds is None:
            bounds = [_bounds(item, setter) for item in items]
        inside, top, bottom = [], math.inf, -math.inf
        lines = [i for i, item in enumerate(items) if isinstance(item, Source) and item.kind == "line"
                 and _within((item.x, item.y, item.x + item.w, item.y + item.h), rect)]
        for i, box in enumerate(bounds):
            if box is None or not _within(box, rect):
                continue
            inside.append(i)
            top, bottom = min(top, box[1]), max(bottom, box[3])
        if not inside:
            continue  # an empty box keeps its frame
        above = max(element.inset, top - rect.y)  # the room the content keeps under the top rule
        if element.height == "auto":
            backgrounds[at] = panel._replace(h=min(rect.h, bottom + above - rect.y))
            continue
        below = rect.y + rect.h - bottom
        dy = (below - (top - rect.y)) / 2 if element.align == "middle" else below - element.inset
        if dy > 0.01:
            for i in inside + lines:  # (the lines' sources move with their text)
                items[i] = items[i].moved(0.0, dy)
                if bounds[i] is not None:
                    x0, y0, x1, y1 = bounds[i]
                    bounds[i] = (x0, y0 + dy, x1, y1 + dy)


def _bounds(item, setter: Setter) -> tuple[float, float, float, float] | None:
    """(left, top, right, bottom) of an item's ink (a run's glyphs, by their outlines)."""
    if isinstance(item, GlyphRun) and (item.vertical or item.rotate):
        # a column of upright glyphs, or a turned run in one: the glyphs' em squares
        # about their pens (their outlines are not measured across a turn)
        if not item.gids:
            return None
        xs = [item.x + dx for dx, _ in item.positions]
        ys = [item.y + dy for _, dy in item.positions]
        if item.rotate:
            return (item.x - item.size, item.y, item.x + item.size, item.y + sum(item.advances))
        return min(xs) - 0.5 * item.size, min(ys) - item.size, max(xs) + item.size, max(ys) + item.size
    if isinstance(item, GlyphRun):
        if not item.gids:
            return None
        ink = setter.shaper.ink(item.face, item.gids, [dy / item.size for _, dy in item.positions])
        if ink is None:
            return None
        return item.x, item.y - ink[0] * item.size, item.x + sum(item.advances), item.y + ink[1] * item.size
    return area(item)


def _within(box: tuple[float, float, float, float], rect: Rect) -> bool:
    return (box[0] >= rect.x - 0.5 and box[2] <= rect.x + rect.w + 0.5
            and box[1] >= rect.y - 0.5 and box[3] <= rect.y + rect.h + 0.5)


def _source(edition: model.Edition, element, k: int, number: int, rect: Rect) -> Source:
    """Where an element comes from: its frame, and its line in the edition file."""
    where = edition.places.get((number, k + 1))
    note = ""
    if isinstance(element, model.StoryFrame):
        note = f"jumps to page {element.jump.page}, frame {element.jump.frame}" if element.jump else ""
    return Source(rect.x, rect.y, rect.w, rect.h, element.type, where.file if where else None,
                  where.line if where else None, where.column if where else None, k + 1,
                  getattr(element, "story", None), getattr(element, "style", None), note)


def _take_cut(items: list, start: int) -> list[_Cut]:
    """Take the stand-ins of lines too wide to set out of items[start:]."""
    cut = [item for item in items[start:] if isinstance(item, _Cut)]
    if cut:
        items[start:] = [item for item in items[start:] if not isinstance(item, _Cut)]
    return cut


def _overflow(items: list, start: int, element, k: int, number: int, rect: Rect, bottom: float | None,
              report: Report) -> None:
    """Text that outgrows a headline, text, caption, teaser or ad frame: the lines below
    the frame's foot, and from a line too wide for the frame on (a character wider than
    the measure), are left out (never drawn over what lies beside or below it) and
    reported, like an overset story, with the characters left out and the last words
    shown."""
    foot = rect.y + rect.h + 0.5
    kept, dropped, cut = [], [], []
    for item in items[start:]:
        if isinstance(item, _Cut):
            cut.append(item)
        # a line stays if its body (to the ideographic descent, 0.12 em) is in the frame,
        # and no line before it was too wide to set
        elif isinstance(item, GlyphRun) and (cut or bottom is not None and item.y + 0.12 * item.size > foot):
            dropped.append(item)
        else:
            kept.append(item)
    items[start:] = kept
    chars = sum(not c.isspace() for run in dropped + cut for c in run.text)
    shown = "".join(run.text for run in kept if isinstance(run, GlyphRun)).strip()
    by = (bottom - rect.y - rect.h) * 25.4 / 72 if bottom is not None else 0.0
    why = f"{by:.1f} mm too short"
    if cut:
        why = f"'{cut[0].text[:12]}' has a character wider than the frame" + (f", and {why}" if by else "")
    where = Place(page=number, element=k, kind=element.type)
    report.overflow.append(Overflow(number, k, element.type, round(by, 1), chars, shown[-12:],
                                    cut[0].text if cut else None, where))
    report.warn("overflow", f"{chars} characters did not fit its frame, {why} (last words placed: "
                f"'{shown[-12:]}')", where, "make the frame larger or the text shorter (or use fit)")


def _master(items, edition: model.Edition, page: model.Page, number: int, setter: Setter) -> None:
    """The folio (running head) and credits line of the page's master."""
    master = edition.masters[page.master]
    folio = {"master": master.folio, "none": None}.get(page.folio, page.folio) \
        if isinstance(page.folio, str) else page.folio
    geo = edition.geometry
    area = type_area(geo, number)
    fields = edition.template_fields(number)
    if folio is not None:
        style = setter.style(folio.style)
        left, right = folio.left, folio.right
        if folio.mirror and number % 2 == 0:
            left, right = right, left
        gap = 4.0
        if folio.position == "top":
            y = area.y - gap - style.line_pitch
            rule_y = area.y - gap / 2
        else:
            y = area.y + area.h + gap
            rule_y = area.y + area.h + gap / 2
        for text, align in ((left, "start"), (folio.center, "center"), (right, "end")):
            if text:
                _stack(items, setter.lines(text.format(**fields), folio.style, area.w, align=align),
                       area.x, y, style.line_pitch)
        if folio.rule:
            items.append(Rule(area.x, rule_y, area.x + area.w, rule_y, 0.5))
    if master.credits:
        style = setter.style(master.credits_style)
        _stack(items, setter.lines(master.credits.format(**fields), master.credits_style, area.w),
               area.x, area.y + area.h + 2.0, style.line_pitch)


def _text(items, text: str, style_name: str, rect: Rect, setter: Setter) -> float:
    style = setter.style(style_name)
    y = rect.y
    for part in text.split("\n\n"):
        lines = setter.lines(part.strip(), style_name, rect.w)
        y = _stack(items, lines, rect.x, y + style.space_before, style.line_pitch) + style.space_after
    return y


def _masthead(items, el: model.Masthead, rect: Rect, setter: Setter, paper: model.Paper, fields: dict, warn):
    title_style = setter.style(el.title_style)
    title = setter.lines(paper.name, el.title_style, rect.w, align="center")
    lettered = None  # the lettering's box, set in the area the name's type would take
    if el.lettering:
        # (with the data stacked in the top corners, a quarter of the frame each, between them)
        side = rect.w / 4 if el.info_position == "top" else 0.0
        area = Rect(rect.x + side, rect.y, rect.w - 2 * side,
                    _stack([], title, rect.x, rect.y, title_style.line_pitch) - rect.y)
        lettered = artwork.place_file(items, setter.edition, el.lettering, 1, area, "fit")
        y = lettered.y + lettered.h
    else:
        y = _stack(items, title, rect.x, rect.y, title_style.line_pitch)
    sub = []
    if paper.name_bo:
        # set snug under a large name, the Tibetan line reads as touching it: its ink keeps a
        # tenth of the name's size from the name's ink (or its style's space_before, if more)
        sub_style = setter.style(el.subtitle_style)
        sub = setter.lines(paper.name_bo, el.subtitle_style, rect.w, align="center")
        gap = max(sub_style.space_before, 0.1 * title_style.size)
        if (title or lettered) and sub:  # between the inks: the name's foot and the Tibetan vowels' tops
            name_ink, sub_ink = _ink(setter, title[-1:]) if lettered is None else (0.0, 0.0), _ink(setter, sub[:1])
            if name_ink and sub_ink:
                # (the lettering's foot is its box's)
                name_foot = y if lettered else (y - title[-1].descent) + name_ink[1]  # baseline of the name's last line
                top = name_foot + gap  # the Tibetan ink's top
                y = top + sub_ink[0] - sub[0].ascent  # the Tibetan line box's top
                gap = 0.0
        y = _stack(items, sub, rect.x, y + gap, sub_style.line_pitch)
        sub_ink = _ink(setter, sub[-1:])
        if sub and sub_ink:  # stacks deeper than the line box: the data keeps clear of them
            y = max(y, y - sub[-1].descent + sub_ink[1])
    info_style = setter.style(el.info_style)
    pitch = info_style.line_pitch
    left = [t.format(**fields) for t in el.info_left] if el.info_left is not None else [
        paper.publisher, f"国内统一连续出版物号 {paper.serial}" if paper.serial else "",
        f"邮发代号 {paper.postal_code}" if paper.postal_code else ""]
    if el.info_right is not None:
        right = [t.format(**fields) for t in el.info_right]
    else:
        right = [f"{fields['date']} {fields['weekday']}"]
        if paper.issue is not None:
            total = f"（总第{paper.total_issue}期）" if paper.total_issue is not None else ""
            right.append(f"第{paper.issue}期{total}")
        elif paper.total_issue is not None:
            right.append(f"总第{paper.total_issue}期")
        right.append(f"今日{fields['pages']}版")
    left, right = [x for x in left if x], [x for x in right if x]
    position, corner = el.info_position, rect.w / 4
    if position == "top" and (left or right):
        # the corners beside the name and its Tibetan line: as wide as they leave them,
        # less an em each side
        spans = [_extent(part) for part in ([sub] if lettered else [title, sub])]
        if lettered:
            spans.append((lettered.x - rect.x, lettered.x + lettered.w - rect.x))
        for span in spans:
            if span is not None:
                corner = min(corner, span[0] - info_style.size, rect.w - span[1] - info_style.size)
        if corner < 6 * info_style.size:
            warn(f"the name leaves {max(corner, 0) * 25.4 / 72:.1f} mm beside it, too little for the "
                 "publication data in the top corners: it is set at the foot",
                 "make the frame wider or the name smaller, or set info_position: foot")
            position = "foot"
    el = dataclasses.replace(el, info_position=position)
    if el.info_frame != "none":
        return _info_framed(items, el, rect, setter, y, sub, left, right, corner)
    if el.info_position == "foot":
        sides = [(setter.lines("  ".join(side), el.info_style, rect.w, align=align))
                 for side, align in ((left, "start"), (right, "end"))]
        y_info = rect.y + rect.h - pitch
        # the foot line may flank the Tibetan line (T-stacks reach 0.55 em below its baseline,
        # in its line box), never cross it: where a side reaches under it, it goes below it
        if y_info < y and _reaches_under(sides, sub):
            y_info = y + 0.25 * info_style.size
            y = y_info + pitch  # past the frame's foot, it is cut and counted like the name
        for lines in sides:
            _stack(items, lines, rect.x, y_info, pitch)
    else:  # stacked in the top corners, as wide as the name leaves them, an item a line or more
        width = corner
        for side, align, x in ((left, "start", rect.x), (right, "end", rect.x + rect.w - width)):
            lines = [line for item in side for line in setter.lines(item, el.info_style, width, align=align)]
            _stack(items, lines, x, rect.y, pitch)
    _masthead_rule(items, el, rect)
    return y  # the foot of the name, its Tibetan line (and data moved under it): past the frame's, they are cut and counted


def _masthead_rule(items, el: model.Masthead, rect: Rect) -> None:
    bottom = rect.y + rect.h
    if el.rule == "double":
        items.append(Rule(rect.x, bottom + 2, rect.x + rect.w, bottom + 2, 1.2))
        items.append(Rule(rect.x, bottom + 3.6, rect.x + rect.w, bottom + 3.6, 0.4))
    elif el.rule == "single":
        items.append(Rule(rect.x, bottom + 2, rect.x + rect.w, bottom + 2, 1.0))


INFO_RULE = 0.5  # pt: the hairlines and boxes that set off the publication data


def _info_framed(items, el: model.Masthead, rect: Rect, setter: Setter, y: float, sub: list[Line],
                 left: list[str], right: list[str], corner: float) -> float:
    """The publication data set off by rules or boxes (Masthead.info_frame), as 报头
    data is: each item on one line, never broken inside; at the foot the two sides run
    from the frame's edges (an item that does not fit the width is cut and counted like
    the name), in the corners they stack. Returns the foot of what is set."""
    style = setter.style(el.info_style)
    pitch, em = style.line_pitch, style.size
    boxes = el.info_frame == "boxes"
    pad = 0.3 * em if boxes else 0.0  # inside a box, left and right
    sep = 0.6 * em if boxes else em  # between items: a box's gap, or the rule's room
    if el.info_position == "foot":
        sides = []
        for side, align in ((left, "start"), (right, "end")):
            set_ = [setter.lines(t, el.info_style, rect.w, align="start") for t in side]
            widths = [max((line.width for line in lines), default=0.0) for lines in set_]
            total = sum(widths) + 2 * pad * len(widths) + sep * max(len(widths) - 1, 0)
            x = rect.x if align == "start" else rect.x + rect.w - total
            placed = []
            for lines, w in zip(set_, widths):
                placed.append((x, lines, w))
                x += w + 2 * pad + sep
            sides.append(placed)
        spans = [(x, x + w + 2 * pad) for placed in sides for x, _, w in placed]
        y_info = rect.y + rect.h - pitch - (0.25 * em if boxes else 0.0)
        under = _extent(sub)
        above = 0.15 * em if boxes else 0.0  # a box's rule over its item's line
        if under is not None and y_info - above < y and any(a < rect.x + under[1] + 2 and b > rect.x + under[0] - 2
                                                            for a, b in spans):
            y_info = y + 0.25 * style.size + above + (0.25 * em if el.info_frame == "rules" else 0.0)
            y = y_info + pitch  # past the frame's foot, it is cut and counted like the name
        if el.info_frame == "rules":
            if y_info - 0.25 * em < y + 0.25 * style.size:  # the rule runs across the frame: under the Tibetan line
                y_info = y + 0.25 * style.size + 0.25 * em
                y = y_info + pitch  # past the frame's foot, it is cut and counted like the name
            top = y_info - 0.25 * em
            items.append(Rule(rect.x, top, rect.x + rect.w, top, INFO_RULE))
        # the two sides meet: the right one goes on a line of its own (past the frame's
        # foot, it is cut and counted like any text that outgrows its frame)
        clash = sides[0] and sides[1] and sides[0][-1][0] + sides[0][-1][2] + 2 * pad + sep > sides[1][0][0]
        for s, placed in enumerate(sides):
            row = y_info + (pitch + 0.4 * em if clash and s == 1 else 0.0)
            for i, (x, lines, w) in enumerate(placed):
                _stack(items, lines, x + pad, row, pitch)
                line_top, line_foot = row, row + pitch
                if boxes:
                    items.append(Panel(x, line_top - 0.15 * em, w + 2 * pad, pitch + 0.3 * em, None, "black",
                                       INFO_RULE))
                elif i + 1 < len(placed):
                    mid = x + w + sep / 2
                    items.append(Rule(mid, line_top + 0.15 * em, mid, line_foot - 0.15 * em, INFO_RULE))
        y = max(y, y_info + (2 * pitch + 0.4 * em if clash else pitch) + (0.15 * em if boxes else 0.0))
    else:  # stacked in the top corners, as wide as the name leaves them
        width = corner
        for side, align, x in ((left, "start", rect.x), (right, "end", rect.x + rect.w - width)):
            yy = rect.y + (0.2 * em if boxes else 0.0)
            for i, text in enumerate(side):
                lines = setter.lines(text, el.info_style, width - 2 * pad, align=align)
                yy = _stack(items, lines, x + pad, yy, pitch) if lines else yy
                if el.info_frame == "rules" and i + 1 < len(side):
                    items.append(Rule(x, yy + 0.2 * em, x + width, yy + 0.2 * em, INFO_RULE))
                    yy += 0.4 * em
            if boxes and side:
                items.append(Panel(x, rect.y, width, yy + 0.2 * em - rect.y, None, "black", INFO_RULE))
    _masthead_rule(items, el, rect)
    return y

def _extent(lines: list[Line]) -> tuple[float, float] | None:
    """Left and right of the glyphs of lines set from one left edge."""
    spans = [(run.x, run.x + sum(run.advances)) for line in lines for run in line.runs if run.gids]
    return (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None


def _ink(setter: Setter, lines: list[Line]) -> tuple[float, float] | None:
    """(rise, depth) in points of the lines' ink about their own baselines (the deepest
    line's depth, the highest line's rise)."""
    found = None
    for line in lines:
        for run in line.runs:
            ink = setter.shaper.ink(run.face, run.gids, [dy / run.size for _, dy in run.positions])
            if ink is not None:
                rise, depth = ink[0] * run.size, ink[1] * run.size
                found = (rise, depth) if found is None else (max(found[0], rise), max(found[1], depth))
    return found


def _reaches_under(sides: list[list[Line]], sub: list[Line]) -> bool:
    """Whether a side of the publication data reaches across the Tibetan line."""
    under = _extent(sub)
    if under is None:
        return False
    for lines in sides:
        side = _extent(lines)
        if side is not None and side[0] < under[1] + 2 and side[1] > under[0] - 2:
            return True
    return False


def _headline(items, el: model.Headline, rect: Rect, setter: Setter):
    y = rect.y
    for text, style_name, role in ((el.kicker, el.kicker_style, "kicker"), (el.text, el.style, "headline"),
                                   (el.deck, el.deck_style, "deck")):
        if not text:
            continue
        style = setter.style(style_name)
        size = type_width = None
        if style_name == el.style and (el.fit or el.fit_width):
            size, type_width = _fitted(el, text, rect.w, setter)
        lines = setter.lines(text, style_name, rect.w, size=size, type_width=type_width, display=True)
        pitch = style.line_pitch * (size / style.size if size else 1.0)
        y = _stack(items, lines, rect.x, y + style.space_before, pitch, Tag(role)) + style.space_after
    return y


def _limits(values: list[float]) -> tuple[float, float]:
    return tuple(sorted(values[:2])) if len(values) >= 2 else (values[0], values[0])


def _fits(text: str, el: model.Headline, width: float, setter: Setter, size: float | None,
          type_width: float | None) -> bool:
    """Each of the headline's lines on one line of `width`."""
    lines = setter.lines(text, el.style, width, size=size, type_width=type_width, display=True)
    return len(lines) <= text.count("\n") + 1 and not any(line.overfull for line in lines)


def _fitted(el: model.Headline, text: str, width: float, setter: Setter) -> tuple[float | None, float | None]:
    """(size, type width) of a fitted headline: the largest size within `fit` that fits
    at the narrowest width of `fit_width`, then the widest width (whole percents) that
    fits at that size. Big type comes first; it is condensed only as far as it must be."""
    narrow, wide = _limits(el.fit_width) if el.fit_width else (None, None)
    size = _fitted_size(el, text, width, setter, narrow) if el.fit else None
    if narrow is None or _fits(text, el, width, setter, size, wide):
        return size, wide
    low, high = math.ceil(narrow), math.floor(wide)  # integers in [low, high) may fit
    if high == wide:
        high -= 1
    best = narrow
    while low <= high:  # bisection: a narrower setting fits wherever a wider one does
        mid = (low + high) // 2
        if _fits(text, el, width, setter, size, float(mid)):
            best, low = float(mid), mid + 1
        else:
            high = mid - 1
    return size, best


def _fitted_size(el: model.Headline, text: str, width: float, setter: Setter,
                 type_width: float | None = None) -> float:
    """The largest size within the limits at which each of the headline's lines fits
    its width on one line (half-point steps)."""
    low, high = _limits(el.fit)
    size = high
    while size > low:
        if _fits(text, el, width, setter, size, type_width):
            return size
        size -= 0.5
    return low


def _photo(items, el: model.Photo, rect: Rect, setter: Setter):
    """The picture in its frame, less the caption's room, and the caption. `fit: fit`
    shows the whole picture at the top of the frame (on the grid, like the text beside
    it), centred across, with the caption right under it and as wide as it, or beside it
    and ending with its foot; the room the picture does not take stays below, empty."""
    cap_style = setter.style(el.caption_style)
    text = el.caption + (f"（{el.credit}）" if el.credit else "")
    side = el.caption_position in ("left", "right") and text
    cap_w = (rect.w / 3 if el.caption_width is None else el.caption_width) if side else rect.w
    path = setter.edition.images[el.file]
    iw, ih = pixel_size(path)
    crop = el.crop if el.fit == "crop" and el.crop else [0.0, 0.0, 1.0, 1.0]
    cw, ch = iw * (crop[2] - crop[0]), ih * (crop[3] - crop[1])
    pitch = cap_style.line_pitch
    fit = el.fit == "fit"
    width = cap_w  # the caption's measure (a side caption keeps 6 pt from the picture)
    for _ in range(4):  # fit: a caption under a narrower picture takes its width
        measure = width
        cap_lines = setter.lines(text, el.caption_style, measure - (6 if side else 0)) if text else []
        cap_h = (len(cap_lines) * pitch + 3) if cap_lines and not side else 0
        # a caption deeper than the frame leaves the picture no room (it is not drawn)
        # and starts at the frame's top, never above it; what passes the foot is counted
        box = Rect(rect.x + (cap_w if el.caption_position == "left" and side else 0), rect.y,
                   rect.w - (cap_w if side else 0), max(rect.h - cap_h, 0.0))
        scale = (min if fit else max)(box.w / cw, box.h / ch)
        shown = max(cw * scale, min(10 * cap_style.size, box.w))  # no caption under 10 em
        if not (fit and cap_lines and not side) or shown >= width - 0.5:
            break
        width = shown
    w, h = iw * scale, ih * scale
    if fit:
        if side:  # against its caption, so that the two stay together
            x = box.x + box.w - cw * scale if el.caption_position == "right" else box.x
        else:
            x = box.x + (box.w - cw * scale) / 2
        y = box.y
        clip = (x, y, cw * scale, ch * scale)
        x, y = x - crop[0] * w, y - crop[1] * h
    else:
        # the focal point as near the box's centre as the image allows
        fx, fy = (el.focal if el.fit == "fill" else [(crop[0] + crop[2]) / 2, (crop[1] + crop[3]) / 2])
        x = min(box.x, max(box.x + box.w - w, box.x + box.w / 2 - fx * w))
        y = min(box.y, max(box.y + box.h - h, box.y + box.h / 2 - fy * h))
        clip = (box.x, box.y, box.w, box.h)
    if clip[2] > 0 and clip[3] > 0:
        items.append(Image(path, x, y, w, h, clip, tag=Tag("photo", alt=text)))
    if not cap_lines:
        return None
    px, py, pw, ph = clip  # the picture as shown
    if side:
        cx = px + pw + 6 if el.caption_position == "right" else px - cap_w
        # the last line ends with the picture's foot; a caption taller than the picture
        # starts at its top and runs on (what passes the frame's foot is left out, and counted)
        top = max(py, py + ph - len(cap_lines) * pitch)
        return _stack(items, cap_lines, cx, top, pitch, Tag("caption"))
    cx = rect.x if measure >= rect.w - 0.5 else min(max(px + (pw - measure) / 2, rect.x), rect.x + rect.w - measure)
    return _stack(items, cap_lines, cx, py + ph + 3, pitch, Tag("caption"))


def _section_label(items, el: model.SectionLabel, rect: Rect, setter: Setter):
    style = setter.style(el.style)
    h = rect.h if el.frame.height is not None else style.line_pitch + 4
    items.append(Panel(rect.x, rect.y, rect.w, h, el.fill))
    lines = setter.lines(el.text, el.style, rect.w - 8, align=style.align)
    top = rect.y + (h - (len(lines) * style.line_pitch)) / 2 + (style.line_pitch - style.size) / 2
    _stack(items, lines, rect.x + 4, top, style.line_pitch)


def _rule(items, el: model.RuleElement, rect: Rect, geo: model.PageGeometry, number: int):
    """Top and bottom rules on the frame's edge; left and right ones in the middle of the
    gutter beside it (on the type area's edge at the margins), clear of justified text."""
    x0, y0, x1, y1 = rect.x, rect.y, rect.x + rect.w, rect.y + rect.h
    area = type_area(geo, number)
    left = x0 - geo.gutter / 2 if x0 - geo.gutter / 2 > area.x else x0
    right = x1 + geo.gutter / 2 if x1 + geo.gutter / 2 < area.x + area.w else x1
    ends = {"top": (x0, y0, x1, y0), "bottom": (x0, y1, x1, y1),
            "left": (left, y0, left, y1), "right": (right, y0, right, y1)}[el.side]
    items.append(Rule(*ends, el.weight, el.color))


def _teaser(items, el: model.Teaser, rect: Rect, setter: Setter):
    """The box, its title and items; `align` moves them down by a share of the room
    they leave (none when they fill it: what outgrows the foot is cut and counted), or
    `height: auto` takes the room away."""
    inset = 6.0
    at = len(items)
    items.append(Panel(rect.x, rect.y, rect.w, rect.h, None, "black", 0.75))
    content: list = []
    y = _text(content, el.title, el.title_style, Rect(rect.x + inset, rect.y + inset, rect.w - 2 * inset, rect.h),
              setter)
    for item in el.items:
        y = _text(content, el.item_format.format(text=item.text, page=item.page), el.style,
                  Rect(rect.x + inset, y + 2, rect.w - 2 * inset, rect.h), setter)
    room = rect.y + rect.h - (y + inset)
    if el.height == "auto" and room > 0:
        items[at] = items[at]._replace(h=rect.h - room)
        room = 0.0
    shift = max(0.0, room) * {"top": 0.0, "middle": 0.5, "bottom": 1.0}[el.align]
    items += [item.moved(0.0, shift) if isinstance(item, GlyphRun) else item for item in content]
    return y + shift + inset


def _ad(items, el: model.Ad, rect: Rect, setter: Setter):
    if el.file:  # the supplied ad, fitted and clipped to the frame (page/artwork)
        artwork.place_file(items, setter.edition, el.file, el.page, rect, el.fit, el.tolerance)
        return None
    items.append(Panel(rect.x, rect.y, rect.w, rect.h, "gray5", "gray60", 0.5))
    # the label's foot counts too: a label longer than the frame is cut and counted
    bottom = _text(items, el.label, "caption", Rect(rect.x + 3, rect.y + 3, rect.w - 6, rect.h), setter)
    if el.text:
        style = setter.style("ad")
        lines = setter.lines(el.text, "ad", rect.w - 12, align="center")
        # centred in the frame; a text deeper than it starts at its top (never above
        # it, off the page) and what outgrows the foot is cut and counted
        top = rect.y + max(0.0, (rect.h - len(lines) * style.line_pitch) / 2)
        bottom = max(bottom, _stack(items, lines, rect.x + 6, top, style.line_pitch))
    return bottom
