"""The press pass over composed pages: bleed, crop and registration marks, the colour
bar and the slug line; rich black where a style asks for it and the type is large enough,
RGB colours converted to the printing condition's inks.
Every press decision is made here, before writing: the PDF writer draws what it is
given."""
from __future__ import annotations

from ..lines.display import GlyphRun, PageOut, Panel, Rule, Shape
from ..base.errors import InputError

# ---------------------------------------------------------------- marks and slug

MM = 72 / 25.4
SLUG = 15 * MM        # room outside the bleed for marks and the slug line
MARK = 5 * MM         # crop mark length
MARK_GAP = 2 * MM     # crop marks start this far outside the trim (beyond the bleed)
REGISTRATION = "cmyk(100,100,100,100)"  # on every plate
RICH_BLACK_MIN = 24.0  # points; smaller type in four inks would show misregistration
RICH_RULE_MIN = 2.0    # points; so would a thinner rule
BAR = ("cmyk(100,0,0,0)", "cmyk(0,100,0,0)", "cmyk(0,0,100,0)", "cmyk(0,0,0,100)",
       "cmyk(0,0,0,75)", "cmyk(0,0,0,50)", "cmyk(0,0,0,25)", "cmyk(0,0,0,10)")


def press_pages(pages, edition, setter, now: str | None = None) -> list:
    """The pages with bleed and, when the edition asks for marks, the slug area with
    crop and registration marks, a colour bar and the slug line."""
    out = []
    settings = edition.source.output
    bleed = edition.geometry.bleed
    inks = _Inks(settings.rich_black, settings.condition)
    pages = [page._replace(items=tuple(map(inks.item, page.items))) for page in pages]
    for page in pages:
        if not settings.marks:
            out.append(PageOut(page.number, page.width, page.height, page.items, bleed, 0.0))
            continue
        w, h = page.width, page.height
        items = []
        start = max(bleed, 0.0) + MARK_GAP
        for x, y, dx, dy in ((0, 0, -1, -1), (w, 0, 1, -1), (0, h, -1, 1), (w, h, 1, 1)):
            items.append(Rule(x + dx * start, y, x + dx * (start + MARK), y, 0.25, REGISTRATION))
            items.append(Rule(x, y + dy * start, x, y + dy * (start + MARK), 0.25, REGISTRATION))
        centre = start + MARK / 2
        for cx, cy in ((w / 2, -centre), (w / 2, h + centre), (-centre, h / 2), (w + centre, h / 2)):
            r = MARK / 3
            items.append(Panel(cx - r / 2, cy - r / 2, r, r, None, REGISTRATION, 0.25))
            items.append(Rule(cx - r, cy, cx + r, cy, 0.25, REGISTRATION))
            items.append(Rule(cx, cy - r, cx, cy + r, 0.25, REGISTRATION))
        patch = 5 * MM
        for k, color in enumerate(BAR):
            items.append(Panel(w / 2 + MARK + k * patch, -start - patch, patch, patch, color))
        text = settings.slug.format(**edition.template_fields(page.number))
        if settings.slug_time and now:
            text += f"  {now}"
        try:
            lines = setter.lines(text, "slug", w / 2, align="start")
        except InputError as exc:  # a character of the slug (or of the paper's name) no font has
            raise InputError(f"the slug line: {exc.message}", edition.places.get(("slug",)), exc.hint) from None
        for line in lines[:1]:  # (an empty slug is none)
            items += [r.moved(0, h + start + MARK) for r in line.runs]
        out.append(PageOut(page.number, w, h, page.items + tuple(items), bleed, start + MARK + SLUG * 0.3))
    return out


class _Inks:
    """The press's colours: rich-black made four inks where it may be (solid black looks
    grey on newsprint; small type and thin rules in four inks show every slip of the
    plates), RGB converted through the condition's profile, once per colour."""

    def __init__(self, rich: str, condition: str) -> None:
        self.rich, self.condition, self.converted = rich, condition, {}

    def color(self, color: str | None, large: bool = True) -> str | None:
        if color == "rich-black":
            return self.rich if large else "black"
        if color is not None and color.startswith("rgb("):
            found = self.converted.get(color)
            if found is None:
                from .profile import rgb_to_cmyk

                found = self.converted[color] = rgb_to_cmyk(color, self.condition)
            return found
        return color

    def item(self, item):
        if isinstance(item, GlyphRun):
            color = self.color(item.color, item.size >= RICH_BLACK_MIN)
            return item if color == item.color else item._replace(color=color)
        if isinstance(item, Rule):
            color = self.color(item.color, item.width >= RICH_RULE_MIN)
            return item if color == item.color else item._replace(color=color)
        if isinstance(item, Panel):
            fill, stroke = self.color(item.fill), self.color(item.stroke, item.weight >= RICH_RULE_MIN)
            return item if (fill, stroke) == (item.fill, item.stroke) else item._replace(fill=fill, stroke=stroke)
        if isinstance(item, Shape):  # a QR code's modules: one ink, never rich black
            fill = self.color(item.fill, large=False)
            return item if fill == item.fill else item._replace(fill=fill)
        return item
