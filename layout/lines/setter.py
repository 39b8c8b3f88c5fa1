"""Setting text in a named style: the bridge from styles to the text stages.

Holds what one render shares between page elements and story flow (fonts, shaper,
prepared paragraphs), so a headline or caption repeated across pages is prepared once.
"""
from __future__ import annotations

import dataclasses

from ..edition import model
from ..fonts.faces import FontSet
from .linebreak import Widths
from .justify import Line, set_lines
from .prepare import Composition, Prepared, prepare
from ..text.keeps import display_keeps
from ..text.shape import Shaper


class Setter:
    def __init__(self, edition: model.Edition, fonts: FontSet, shaper: Shaper, caches: dict | None = None):
        """`caches`: the prepared paragraphs and set lines of an earlier render with the same
        fonts (watch and serve keep them: a paragraph that did not change is not shaped,
        broken or balanced again). Their keys are what the results depend on (text, the
        style's values, widths), so a style that changed misses them."""
        self.edition = edition
        self.fonts = fonts
        self.shaper = shaper
        caches = caches if caches is not None else {}
        self._prepared: dict[tuple, Prepared] = caches.setdefault("prepared", {})
        self._set: dict[tuple, list[Line]] = caches.setdefault("set", {})  # keyed by id(p): p stays in _prepared
        self._balanced: dict[tuple, list[Line]] = caches.setdefault("balanced", {})
        self.memo: dict[tuple, object] = {}  # what the rooms above set once per render (tables, by width)

    def style(self, name: str) -> model.Style:
        return self.edition.styles[name]

    def prepared(self, text: str, style: model.Style, where=None, story: str = "",
                 spans: tuple[model.Span, ...] = (), lang: str = "auto", keep: tuple = ()) -> Prepared:
        options = Composition(style.strictness, style.trim_line_start, tibetan_scale=style.tibetan_scale,
                              tibetan_justify=style.tibetan_justify, grid=style.grid, hang=style.hanging_punctuation,
                              hyphenate=style.hyphenate, width=style.width / 100,
                              **_autospace(style))
        char = tuple((s.start, s.end, self.edition.char_styles[s.style].font,
                      self.edition.char_styles[s.style].color) for s in spans)
        lang = lang if lang != "auto" else style.lang
        key = (text, style.font, style.size, style.tracking, options, char, lang, keep)
        p = self._prepared.get(key)
        if p is None:
            p = prepare(text, style.font, style.size, style.tracking, self.fonts, self.shaper, where, story,
                        options, char, lang, keep)
            self._prepared[key] = p
        return p

    def set_lines(self, p: Prepared, widths: Widths, style: model.Style, start: int,
                  first_is_para_start: bool) -> list[Line]:
        """A paragraph (from unit `start`) broken and justified for `widths`; remembered,
        because balancing tries the same columns again and again."""
        key = (id(p), widths, start, first_is_para_start, style.align, style.indent, style.size,
               style.width, style.color, style.breaking)
        lines = self._set.get(key)
        if lines is None:
            lines = self._set[key] = set_lines(p, widths, self.shaper, style.align,
                                               indent=style.indent * style.size * style.width / 100,
                                               color=style.color,
                                               start=start, first_is_para_start=first_is_para_start,
                                               method=style.breaking)
        return lines

    def lines(self, text: str, style_name: str, width: float, where=None, align: str | None = None,
              size: float | None = None, type_width: float | None = None, display: bool = False,
              byline: bool = False) -> list[Line]:
        """A short text (headline, caption) set in one width; a line feed breaks it.
        `size` and `type_width` (percent) override the style's, for headline fitting.
        `display` (kicker, headline, deck): numbers with their units and titles in 书名号
        stay on one line, and two or more lines are balanced; `byline`: names too."""
        style = self.style(style_name)
        if size is not None:
            style = dataclasses.replace(style, size=size, leading=style.line_pitch * size / style.size)
        if type_width is not None:
            style = dataclasses.replace(style, width=type_width)
        out: list[Line] = []
        for part in text.split("\n"):
            part = part if part.strip() else ""  # only spaces: no line
            keep = display_keeps(part, byline) if display or byline else ()
            p = self.prepared(part, style, where, keep=keep)
            out += self.balanced(p, style, width, align or style.align) if display else \
                set_lines(p, Widths.uniform(width), self.shaper, align or style.align,
                          indent=style.indent * style.size * style.width / 100, color=style.color,
                          method=style.breaking)
        return out

    def balanced(self, p: Prepared, style: model.Style, width: float, align: str) -> list[Line]:
        """Display lines of similar length, with no short last line: the narrowest
        measure that keeps their number (as CSS's text-wrap: balance), the lines then
        aligned in the whole width as the style says. Justified text keeps its breaks
        (balancing would only move space into its gaps)."""
        key = (id(p), style.size, style.width, style.indent, style.color, style.breaking, width, align)
        if key in self._balanced:
            return self._balanced[key]
        self._balanced[key] = out = self._balance(p, style, width, align)
        return out

    def _balance(self, p: Prepared, style: model.Style, width: float, align: str) -> list[Line]:
        def at(w: float) -> list[Line]:
            return set_lines(p, Widths.uniform(w), self.shaper, align,
                             indent=style.indent * style.size * style.width / 100, color=style.color,
                             method=style.breaking)

        lines = at(width)
        n = len(lines)
        if n < 2 or align == "justify" or any(line.overfull or line.against_rules for line in lines):
            return lines
        low, high = max(sum(line.width for line in lines) / n, width / 4), width
        for _ in range(12):  # to within 1/4096 of the width
            mid = (low + high) / 2
            trial = at(mid)
            if len(trial) == n and not any(line.overfull or line.against_rules for line in trial):
                high = mid
            else:
                low = mid
        if high >= width - 0.01:
            return lines
        shift = {"center": (width - high) / 2, "end": width - high}.get(align, 0.0)
        return [line._replace(runs=tuple(r.moved(shift, 0) for r in line.runs), measure=width)
                for line in at(high)]


def _autospace(style: model.Style) -> dict:
    """The style's autospace (C13, as newspapers set digits) and justification limit,
    as Composition options; a minimum not given is half the gap, a maximum twice it."""
    def three(gap, low, high):
        low = gap / 2 if low is None else min(low, gap)
        return gap, low, max(gap, gap * 2 if high is None else high)
    dg, dl, dh = three(style.autospace_digits, style.autospace_digits_min, style.autospace_digits_max)
    lg, ll, lh = three(style.autospace_latin, style.autospace_latin_min, style.autospace_latin_max)
    return dict(han_digit_gap=dg, han_digit_min=dl, han_digit_max=dh, han_latin_gap=lg, han_latin_min=ll,
                han_latin_max=lh, gap_max=style.justify_max_gap)
