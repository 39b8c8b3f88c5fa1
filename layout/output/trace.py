"""The display list as text: one line per glyph run, image, artwork, rule, panel and shape.

A layout change then reads as a diff (tests/golden keeps small editions' traces), and a
designer or a bug report can say what lies where without a PDF reader. Positions are in
points from the page's top-left, rounded to 0.01 pt: a one-point move always shows, the
last bits of floating-point arithmetic never do. A vertical column's upright glyphs are
a `vrun` (its top centre and the height of its last glyph's origin); a turned run says
`rot90` after its face.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..lines.display import Artwork, GlyphRun, Image, PageOut, Panel, Rule, Shape, Source


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _box(x: float, y: float, w: float, h: float) -> str:
    return f"{_n(x)},{_n(y)} {_n(w)}x{_n(h)}"


def _run(run: GlyphRun) -> str:
    """A run: where its pen starts, its face and size, its width as laid out (the last
    glyph's pen plus its advance, so justification shows), its glyph count and text.
    Condensed or expanded type adds its width after the face (x85%)."""
    width = run.positions[-1][0] + run.advances[-1] if run.gids else 0.0
    colour = "" if run.color == "black" else f" {run.color}"
    face = run.face.name or run.face.label
    if run.hscale != 1.0:
        face += f" x{_n(run.hscale * 100)}%"
    if run.vertical:  # a column of upright glyphs: (x, y) is its top centre, h its last glyph's origin
        return (f"vrun {_n(run.x)},{_n(run.y)} {face} {_n(run.size)}pt h={_n(run.positions[-1][1] if run.gids else 0.0)} "
                f"g={len(run.gids)}{colour} {json.dumps(run.text, ensure_ascii=False)}")
    if run.rotate:
        face += f" rot{run.rotate}"
    return (f"run {_n(run.x)},{_n(run.y)} {face} {_n(run.size)}pt w={_n(width)} "
            f"g={len(run.gids)}{colour} {json.dumps(run.text, ensure_ascii=False)}")


def _image(image: Image, base: Path | None) -> str:
    path = Path(image.path)
    if base is not None:
        try:
            path = path.resolve().relative_to(base.resolve())
        except ValueError:
            path = Path(path.name)
    return f"image {_box(image.x, image.y, image.w, image.h)} clip {_box(*image.clip)} {path.as_posix()}"


def _artwork(art: Artwork, base: Path | None) -> str:
    """A supplied PDF page: where its box is drawn, its clip, the file and page."""
    shown = _image(Image(art.path, art.x, art.y, art.w, art.h, art.clip), base)
    return f"artwork{shown[len('image'):]} p{art.page.number}"


def _rule(rule: Rule) -> str:
    colour = "" if rule.color == "black" else f" {rule.color}"
    return f"rule {_n(rule.x1)},{_n(rule.y1)} -> {_n(rule.x2)},{_n(rule.y2)} {_n(rule.width)}pt{colour}"


def _panel(panel: Panel) -> str:
    parts = [f"panel {_box(panel.x, panel.y, panel.w, panel.h)}"]
    if panel.fill:
        parts.append(f"fill {panel.fill}")
    if panel.stroke:
        parts.append(f"stroke {panel.stroke} {_n(panel.weight)}pt")
    return " ".join(parts)


def _shape(shape: Shape) -> str:
    """Its rectangles' count, their bounds and a digest of them (a changed module shows)."""
    x0, y0 = min(r[0] for r in shape.rects), min(r[1] for r in shape.rects)
    x1, y1 = max(r[0] + r[2] for r in shape.rects), max(r[1] + r[3] for r in shape.rects)
    digest = hashlib.sha256(" ".join(_box(*r) for r in shape.rects).encode()).hexdigest()[:12]
    return f"shape {_box(x0, y0, x1 - x0, y1 - y0)} {len(shape.rects)} rects {digest} fill {shape.fill}"


def trace(pages: list[PageOut], base: Path | None = None) -> str:
    """The pages as text, in drawing order. Image paths are given relative to `base`
    (the edition's folder), so a trace names no folder of the machine it was made on."""
    lines = []
    for page in pages:
        extra = f" bleed {_n(page.bleed)} slug {_n(page.slug)}" if page.bleed or page.slug else ""
        lines.append(f"page {page.number} {_n(page.width)}x{_n(page.height)}{extra}")
        for item in page.items:
            if isinstance(item, GlyphRun):
                lines.append("  " + _run(item))
            elif isinstance(item, Image):
                lines.append("  " + _image(item, base))
            elif isinstance(item, Artwork):
                lines.append("  " + _artwork(item, base))
            elif isinstance(item, Rule):
                lines.append("  " + _rule(item))
            elif isinstance(item, Panel):
                lines.append("  " + _panel(item))
            elif isinstance(item, Shape):
                lines.append("  " + _shape(item))
            elif isinstance(item, Source):
                continue  # where a frame or line comes from: nothing drawn (the live preview reads it)
            else:  # a new display type must be traced, not skipped
                raise TypeError(f"trace: no text form for {type(item).__name__}")
    return "\n".join(lines) + "\n"
