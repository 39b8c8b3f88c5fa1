"""The laid-out result: pages of positioned glyph runs, images, supplied artwork and rules.

All are NamedTuples: a page holds thousands, made anew as lines are placed.

This is the only thing the PDF writer reads. Coordinates are points from the page's
top-left corner, y downwards (pdf.py flips them).
"""
from __future__ import annotations

from typing import NamedTuple

from ..fonts.faces import Face


class Cluster(NamedTuple):
    """Glyphs [first, first+count) of a run stand for `text` (for text extraction)."""
    first: int
    count: int
    text: str


class Tag(NamedTuple):
    """What a drawn item is part of, for the tagged PDF's structure tree (reading order
    without guessing from positions). Set where the item is made: page/flow for story
    lines and jump lines, page/compose for elements. An item without one is drawn as
    an artifact (rules, boxes, folios, proof and press marks)."""
    role: str  # kicker headline deck title | para subhead byline table | photo caption | jump | an element's type
    story: str | None = None  # the story it belongs to (a head joined with `story:`, its text, its photos)
    block: int = -1  # the block (paragraph) of the story, in story order
    element: int = 0  # the element's number on its page (1-based), 0 for a story's flowed text
    alt: str = ""  # a photo's or an ad's alternate text (caption and credit)


class GlyphRun(NamedTuple):
    """Glyphs of one face and size; positions are pen points relative to (x, y), the
    run's baseline origin, y downwards. A NamedTuple, not a frozen dataclass: every
    placed line makes its runs anew (moved into place, and again for each balancing
    trial), and a frozen dataclass costs several times as much to create."""
    face: Face
    size: float
    x: float
    y: float
    gids: tuple[int, ...]
    positions: tuple[tuple[float, float], ...]
    advances: tuple[float, ...]
    clusters: tuple[Cluster, ...]
    color: str = "black"
    hscale: float = 1.0  # glyphs drawn this much narrower (长体) or wider (扁体); positions include it
    # vertical text (竖排, layout/lines/vertical.py): a column's upright glyphs, each at
    # its own position (x across, y down the column; advances are the glyphs' widths)
    vertical: bool = False
    # degrees clockwise the run is turned about (x, y): 90 for Latin in a column; its
    # positions are along its own baseline (x) and across it (y, away from the glyphs' tops)
    rotate: int = 0
    tag: Tag | None = None  # what it is part of (the tagged PDF)

    def moved(self, dx: float, dy: float, tag: Tag | None = None) -> "GlyphRun":
        """Moved into place; `tag` given where it is placed (a set line's runs are shared)."""
        return GlyphRun(self.face, self.size, self.x + dx, self.y + dy, self.gids,
                        self.positions, self.advances, self.clusters, self.color, self.hscale,
                        self.vertical, self.rotate, self.tag if tag is None else tag)

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.clusters)


class ImageData(NamedTuple):
    """A photo as the PDF embeds it, made by the image pass (images.prepare_pages)
    before writing: the writer reads no image file and makes no colour decision."""
    key: tuple  # the same key, the same XObject: one copy of a photo placed twice alike
    data: bytes
    width: int
    height: int
    colorspace: str  # DeviceGray, DeviceRGB or DeviceCMYK
    filter: str  # DCTDecode
    decode: tuple | None  # (1 0 1 0 …) for Adobe's inverted CMYK JPEGs
    ppi: float = 0.0  # effective resolution at its placed size
    ink: float = 0.0  # highest total area coverage in %, measured (press renders)
    note: str = ""  # what the press conversion did that the preflight reports


def _moved_clipped(item, dx: float, dy: float):
    """An item drawn into (x, y, w, h) and clipped to `clip`, both moved."""
    cx, cy, cw, ch = item.clip
    return item._replace(x=item.x + dx, y=item.y + dy, clip=(cx + dx, cy + dy, cw, ch))


class Image(NamedTuple):
    """A photo drawn into the box (x, y, w, h), clipped to `clip` (x, y, w, h); `data`
    is set by the image pass, before the PDF writer sees it."""
    path: str
    x: float
    y: float
    w: float
    h: float
    clip: tuple[float, float, float, float]
    data: ImageData | None = None
    tag: Tag | None = None

    def moved(self, dx: float, dy: float) -> "Image":
        return _moved_clipped(self, dx, dy)


class Artwork(NamedTuple):
    """A page of a supplied PDF (an ad, the masthead's lettering) drawn as vectors: its
    box as shown scaled into (x, y, w, h) (sides may scale unalike: `fit: stretch`),
    clipped to `clip` (x, y, w, h). `page` is the page as read at load
    (edition/supplied.PdfPage): the writer copies it as a Form XObject."""
    path: str
    x: float
    y: float
    w: float
    h: float
    clip: tuple[float, float, float, float]
    page: object
    tag: Tag | None = None

    def moved(self, dx: float, dy: float) -> "Artwork":
        return _moved_clipped(self, dx, dy)


class Rule(NamedTuple):
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.5
    color: str = "black"

    def moved(self, dx: float, dy: float) -> "Rule":
        return self._replace(x1=self.x1 + dx, y1=self.y1 + dy, x2=self.x2 + dx, y2=self.y2 + dy)


class Panel(NamedTuple):
    """A drawn rectangle, filled, stroked or both (boxes, label bars, ad areas); not
    geometry.Rect, which is an area of the page grid."""
    x: float
    y: float
    w: float
    h: float
    fill: str | None = None
    stroke: str | None = None
    weight: float = 0.5

    def moved(self, dx: float, dy: float) -> "Panel":
        return self._replace(x=self.x + dx, y=self.y + dy)


class Shape(NamedTuple):
    """Rectangles (x, y, w, h) filled together as one path in one colour: a QR code's
    modules. One path, not a panel each, so that rectangles that touch show no seam
    where a rasteriser's anti-aliasing would lighten their shared edge."""
    rects: tuple[tuple[float, float, float, float], ...]
    fill: str = "black"

    def moved(self, dx: float, dy: float) -> "Shape":
        return self._replace(rects=tuple((x + dx, y + dy, w, h) for x, y, w, h in self.rects))


class Source(NamedTuple):
    """Where what lies in (x, y, w, h) comes from, for the live preview's click to source
    (and any reader of the display list that wants it): an element's frame (its line in
    the edition file) or a story's line of text (its paragraph's line in the story
    file). Nothing is drawn: the PDF writer and the trace pass it by."""
    x: float
    y: float
    w: float
    h: float
    kind: str  # 'line' (of a story), 'story' (a story frame), or an element's type
    file: str | None = None
    line: int | None = None
    column: int | None = None
    element: int | None = None  # the element's number on its page (1-based)
    story: str | None = None
    style: str | None = None
    note: str = ""  # what the frame says: its jump, its overset or underset

    def moved(self, dx: float, dy: float) -> "Source":
        return self._replace(x=self.x + dx, y=self.y + dy)


def area(item) -> tuple[float, float, float, float] | None:
    """(left, top, right, bottom) of a drawn item other than text: an image's or
    artwork's clip (nothing paints outside it), a rule with its width, a panel's box, a
    shape's rectangles; None for a `Source` and an empty shape. Box fitting and the
    preview's redrawn regions both ask, text runs they measure each their own way."""
    if isinstance(item, (Image, Artwork)):
        cx, cy, cw, ch = item.clip
        return cx, cy, cx + cw, cy + ch
    if isinstance(item, Rule):
        half = item.width / 2
        return (min(item.x1, item.x2) - half, min(item.y1, item.y2) - half,
                max(item.x1, item.x2) + half, max(item.y1, item.y2) + half)
    if isinstance(item, Panel):
        return item.x, item.y, item.x + item.w, item.y + item.h
    if isinstance(item, Shape) and item.rects:
        return (min(x for x, _, _, _ in item.rects), min(y for _, y, _, _ in item.rects),
                max(x + w for x, _, w, _ in item.rects), max(y + h for _, y, _, h in item.rects))
    if isinstance(item, (Source, Shape)):
        return None
    raise TypeError(f"no area for display item {item!r}")  # a new item type: never passed by silently


class PageOut(NamedTuple):
    """A page: its trim size, what is on it, and for press output the bleed and the
    slug area around the trim (items may lie there, at negative coordinates)."""
    number: int
    width: float
    height: float
    items: tuple
    bleed: float = 0.0
    slug: float = 0.0
