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
from ..text.shape import Shaper


class Setter:
    def __init__(self, edition: model.Edition, fonts: FontSet, shaper: Shaper):
        self.edition = edition
        self.fonts = fonts
        self.shaper = shaper
        self._prepared: dict[tuple, Prepared] = {}
        self._set: dict[tuple, list[Line]] = {}

    def style(self, name: str) -> model.Style:
        return self.edition.styles[name]

    def prepared(self, text: str, style: model.Style, where=None, story: str = "",
                 spans: tuple[model.Span, ...] = (), lang: str = "auto") -> Prepared:
        options = Composition(style.strictness, style.trim_line_start, tibetan_scale=style.tibetan_scale,
                              tibetan_justify=style.tibetan_justify, grid=style.grid,
                              hyphenate=style.hyphenate, width=style.width / 100)
        char = tuple((s.start, s.end, self.edition.char_styles[s.style].font,
                      self.edition.char_styles[s.style].color) for s in spans)
        lang = lang if lang != "auto" else style.lang
        key = (text, style.font, style.size, style.tracking, options, char, lang)
        p = self._prepared.get(key)
        if p is None:
            p = prepare(text, style.font, style.size, style.tracking, self.fonts, self.shaper, where, story,
                        options, char, lang)
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
              size: float | None = None, type_width: float | None = None) -> list[Line]:
        """A short text (headline, caption) set in one width; a line feed breaks it.
        `size` and `type_width` (percent) override the style's, for headline fitting."""
        style = self.style(style_name)
        if size is not None:
            style = dataclasses.replace(style, size=size, leading=style.line_pitch * size / style.size)
        if type_width is not None:
            style = dataclasses.replace(style, width=type_width)
        out: list[Line] = []
        for part in text.split("\n"):
            p = self.prepared(part if part.strip() else "", style, where)  # only spaces: no line
            out += set_lines(p, Widths.uniform(width), self.shaper, align or style.align,
                             indent=style.indent * style.size * style.width / 100, color=style.color,
                             method=style.breaking)
        return out
