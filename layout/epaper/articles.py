"""The articles of an issue, from the composition: which parts of which page belong to
which story (the display list's `Source` items), and each story's published text (the
edition model's blocks, less any overset tail, which the report names)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..base.errors import Report
from ..base.scripts import is_han, is_tibetan, language as language_of
from ..edition import model
from ..lines.display import GlyphRun, Source

# element kinds whose Source names a story and that make part of its article
PARTS = {"headline": "headline", "text": "headline", "photo": "photo", "story": "text"}


@dataclass
class Region:
    """A part of an article on a page, in points from the page's top-left corner."""
    page: int
    kind: str  # headline, text, photo, jump
    x: float
    y: float
    w: float
    h: float


@dataclass
class PhotoPart:
    file: str  # as written in the edition
    path: str  # the file read
    caption: str
    credit: str


@dataclass
class Article:
    story: str
    slug: str
    lang: str  # bo, zh-Hans or en
    kicker: str = ""
    headline: str = ""
    deck: str = ""
    blocks: list = field(default_factory=list)  # model.Block, the published ones (tail cut)
    photos: list[PhotoPart] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    overset_chars: int = 0  # characters of the story not published (not placed in print)

    @property
    def pages(self) -> list[int]:
        return sorted({r.page for r in self.regions})


def slug(name: str, taken: set[str]) -> str:
    """A file name safe on any file system and in any URL for a story name (any string):
    ASCII letters, digits and hyphens, unique in the site."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "article"
    cand, n = base, 1
    while cand in taken:
        n += 1
        cand = f"{base}-{n}"
    taken.add(cand)
    return cand


def language(text: str, lang: str = "auto") -> str:
    """The article's language: the story's `lang`, else by its letters, as the tagged PDF judges."""
    if lang == "bo":
        return "bo"
    if lang == "zh":
        return "zh-Hans"
    if lang == "en":
        return "en"
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return language_of(sum(map(is_tibetan, text)), sum(map(is_han, text)), latin) or "zh-Hans"


def published(story: model.Story, placed: int) -> list[model.Block]:
    """The story's blocks with text up to `placed` characters (the flow counts each
    block's text in order); the rest is the overset tail, not published."""
    out, left = [], placed
    for block in story.blocks:
        if block.kind in ("column", "frame"):
            continue
        if left <= 0:
            break
        n = len(block.text)
        if n <= left or block.kind == "table":  # a table is placed whole or not at all
            out.append(block)
        else:
            out.append(model.Block(block.kind, block.text[:left], block.where,
                                   tuple(model.Span(s.start, min(s.end, left), s.style)
                                         for s in block.spans if s.start < left)))
        left -= n
    return out


def articles(edition: model.Edition, pages: list, report: Report) -> list[Article]:
    """One article per story placed on the pages, in the order its first part appears."""
    by_story: dict[str, Article] = {}
    taken: set[str] = set()
    placed = {c.story: c.placed_chars for c in report.copyfit}
    overset = {o.story: o.chars for o in report.overset}
    for page in pages:
        items = page.items
        sources = [it for it in items if isinstance(it, Source)]
        lines = [s for s in sources if s.kind == "line"]
        frames = [s for s in sources if s.kind != "line"]
        for src in frames:
            kind = PARTS.get(src.kind)
            if kind is None or not src.story or src.story not in edition.stories:
                continue
            art = by_story.get(src.story)
            if art is None:
                story = edition.stories[src.story]
                text = "".join(b.text for b in story.blocks)
                art = by_story[src.story] = Article(src.story, slug(src.story, taken),
                                                    language(text, story.lang))
            element = edition.source.pages[page.number - 1].elements[src.element - 1] \
                if src.element and src.element <= len(edition.source.pages[page.number - 1].elements) else None
            if kind == "text":
                art.regions += _text_regions(page.number, src, lines, items, frames)
                continue
            art.regions.append(Region(page.number, kind, src.x, src.y, src.w, src.h))
            if isinstance(element, model.Headline) and not art.headline:
                art.kicker, art.headline, art.deck = element.kicker, element.text, element.deck
            elif isinstance(element, model.TextBlock) and not art.headline:
                art.headline = element.text
            elif isinstance(element, model.Photo):
                art.photos.append(PhotoPart(element.file, edition.images.get(element.file, ""),
                                            element.caption, element.credit))
    for name, art in by_story.items():
        story = edition.stories[name]
        total = story.chars
        done = placed.get(name, total)
        art.blocks = published(story, done)
        art.overset_chars = overset.get(name, max(0, total - done))
    return list(by_story.values())


def _text_regions(number: int, frame: Source, lines: list[Source], items, frames) -> list[Region]:
    """A story frame's parts: a box per text column round the lines set there (not the
    empty frame), and its jump line. Runs in the frame with no line Source of their own
    (jump lines, a continuation headline, pipe-table cells), outside every other element,
    are grouped by baseline; a row of runs the composer tagged `jump` is the jump line."""
    boxes = [(s.x, s.y, s.w, s.h) for s in lines if s.story == frame.story and _in(s, frame)]
    others = [f for f in frames if f is not frame and f.kind != "rule"]
    rows: dict[float, list] = {}
    for run in items:
        if not isinstance(run, GlyphRun) or not run.gids:
            continue
        box = _run_box(run)
        if not _holds(frame, box) or any(_holds(b, box) for b in boxes) or any(_holds(f, box) for f in others):
            continue
        rows.setdefault(round(run.y, 1), []).append((run, box))
    out = []
    for y in sorted(rows):
        row = sorted(rows[y], key=lambda rb: rb[1][0])
        box = _union([b for _, b in row])
        if all(r.tag is not None and r.tag.role == "jump" for r, _ in row):
            out.append(Region(number, "jump", *box))
        else:
            boxes.append(box)
    cols: list[list] = []  # boxes that overlap across x make one column
    for b in sorted(boxes):
        for col in cols:
            u = _union(col)
            if b[0] < u[0] + u[2] - 1 and u[0] < b[0] + b[2] - 1:
                col.append(b)
                break
        else:
            cols.append([b])
    return [Region(number, "text", *_union(col)) for col in cols] + out


def _union(boxes) -> tuple[float, float, float, float]:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def _run_box(run: GlyphRun) -> tuple[float, float, float, float]:
    width = sum(run.advances)
    return (run.x, run.y - run.size * 0.88, max(width, 1.0), run.size * 1.12)


def _in(box, rect, slack: float = 1.0) -> bool:
    x, y, w, h = box[0], box[1], box[2], box[3]
    return (x >= rect[0] - slack and y >= rect[1] - slack
            and x + w <= rect[0] + rect[2] + slack and y + h <= rect[1] + rect[3] + slack)


def _holds(rect, box) -> bool:
    """`box`'s centre lies in `rect`."""
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    return rect[0] <= cx <= rect[0] + rect[2] and rect[1] <= cy <= rect[1] + rect[3]
