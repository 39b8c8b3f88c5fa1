"""Shaping with HarfBuzz: text + face -> glyph ids, advances and offsets.

The only module that imports HarfBuzz. Results are in font units (the font's scale is
its upem, no hinting), so one shaped result serves every size; they are cached by
(face, text, script, language, features, direction), because syllables, words and whole
headlines repeat across an edition. Vertical text (竖排) is shaped top to bottom
(`ttb`): HarfBuzz then applies the font's `vert`/`vrt2` forms and its vertical metrics.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

import uharfbuzz as hb

from ..base.errors import InputError
from ..fonts.faces import Face

UNSAFE_TO_BREAK = 1
_SERIALIZE_FLAGS = (hb.BufferSerializeFlags.GLYPH_FLAGS | hb.BufferSerializeFlags.NO_GLYPH_NAMES
                    | hb.BufferSerializeFlags.NO_POSITIONS | hb.BufferSerializeFlags.NO_ADVANCES)
_FLAGS = re.compile(r"=(\d+)#(\d+)")  # gid=cluster#flags


class Glyph(NamedTuple):
    """One shaped glyph, in font units. `cluster` indexes the shaped text. Shaped top
    to bottom, `advance` is the distance down the column (HarfBuzz's y advance, made
    positive) and (dx, dy) put the glyph's horizontal origin relative to the pen on the
    column's centre line (y up, as HarfBuzz gives it: about (-½ em, -0.88 em))."""
    gid: int
    cluster: int
    advance: int
    dx: int
    dy: int
    unsafe: bool  # unsafe to break before; set on a cluster's first glyph only


@dataclass(frozen=True)
class FaceMetrics:
    upem: int
    ascender: int
    descender: int  # negative, below the baseline
    hanging: int    # Tibetan head line: top of U+0F40 (Noto Tibetan has no BASE 'hang')


class Shaper:
    """Holds the HarfBuzz fonts of one render and its shaping cache (no global state)."""

    def __init__(self) -> None:
        self._fonts: dict[Face, hb.Font] = {}
        self._metrics: dict[Face, FaceMetrics] = {}
        self._coverage: dict[Face, dict[int, bool]] = {}
        self._cache: dict[tuple, tuple[Glyph, ...]] = {}
        self.picks: dict[tuple, tuple] = {}  # itemize: (fonts, role, script, char) -> (face, script)
        self.absent: dict[tuple, bool] = {}  # itemize: (fonts, role, char, lang) -> no face has it
        self.script_of: dict[str, str | None] = {}  # itemize: char -> its script (or None)
        self.gap_memo: dict = {}  # prepare: the gap rules' answers by kind of character
        self.hits = 0
        self.misses = 0

    def font(self, face: Face) -> hb.Font:
        font = self._fonts.get(face)
        if font is None:
            blob = hb.Blob.from_file_path(face.path)
            hb_face = hb.Face(blob, face.index)
            font = hb.Font(hb_face)
            font.scale = (hb_face.upem, hb_face.upem)
            self._fonts[face] = font
        return font

    def ink(self, face: Face, gids, offsets) -> tuple[float, float] | None:
        """How far the glyphs' ink rises above and reaches below the baseline, in em
        (offsets: each glyph's y offset in em, downwards); None for no ink. Line boxes
        take Tibetan as 0.95 and 0.55 em; a headline face's vowels and stacks (T6) may
        go further, and a masthead keeps its parts apart by their ink."""
        font = self.font(face)
        upem = font.face.upem
        rise = depth = None
        for gid, dy in zip(gids, offsets):
            e = font.get_glyph_extents(gid)
            if e is None or e.width == 0 or e.height == 0:
                continue
            top, bottom = e.y_bearing / upem - dy, (e.y_bearing + e.height) / upem - dy
            rise = top if rise is None else max(rise, top)
            depth = -bottom if depth is None else max(depth, -bottom)
        return None if rise is None else (rise, depth)

    def metrics(self, face: Face) -> FaceMetrics:
        m = self._metrics.get(face)
        if m is None:
            font = self.font(face)
            ext = font.get_font_extents("ltr")
            hanging = ext.ascender
            gid = font.get_nominal_glyph(0x0F40)
            extents = font.get_glyph_extents(gid) if gid else None
            if extents is not None:  # (a damaged glyph has none: the ascender stands in)
                hanging = extents.y_bearing
            m = FaceMetrics(font.face.upem, ext.ascender, ext.descender, hanging)
            self._metrics[face] = m
        return m

    def face_top(self, face: Face) -> int:
        """Top of the ideographic character face (BASE 'icft'), 0.88 em without BASE."""
        font = self.font(face)
        try:
            top = font.get_layout_baseline("icft", "ltr", "hani", "ZHS")
        except (ValueError, KeyError):
            top = None
        return top if top is not None else round(0.88 * font.face.upem)

    def h_advance(self, face: Face, gid: int) -> int:
        """A glyph's horizontal advance in font units (its width across a column)."""
        return self.font(face).get_glyph_h_advance(gid)

    def has_char(self, face: Face, cp: int) -> bool:
        cover = self._coverage.setdefault(face, {})
        found = cover.get(cp)
        if found is None:
            found = cover[cp] = bool(self.font(face).get_nominal_glyph(cp))
        return found

    def shape(self, face: Face, text: str, script: str, language: str,
              features: tuple = (), direction: str = "ltr") -> tuple[Glyph, ...]:
        key = (face, text, script, language, features, direction) if direction != "ltr" else \
            (face, text, script, language, features)
        cached = self._cache.get(key)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        buf = hb.Buffer()
        buf.add_str(text)  # code point indices as clusters, like add_codepoints, in C
        buf.direction = direction
        buf.script = script
        buf.language = language
        # a feature's value is on/off, or ((start, end, value), ...) ranges
        try:
            hb.shape(self.font(face), buf, {k: list(v) if isinstance(v, tuple) else v for k, v in features})
        except MemoryError:
            # HarfBuzz bounds the work one buffer may take (its max-ops and max-length
            # factors) and gives up on a pathological run, such as ten thousand closing
            # marks; shaped in two halves, cut between characters that start a cluster
            glyphs = self._halves(face, text, script, language, features, direction)
            self._cache[key] = glyphs
            return glyphs
        # unsafe-to-break, read where a cluster starts (a line can break only there):
        # uharfbuzz makes an enum object of each glyph's flags, which cost more than the
        # rest of this loop, so the flagged clusters come from HarfBuzz's own
        # serialization instead (only flagged glyphs carry '#flags')
        flagged = _FLAGS.findall(buf.serialize(self.font(face), flags=_SERIALIZE_FLAGS))
        unsafe = {int(c) for c, f in flagged if int(f) & UNSAFE_TO_BREAK} if flagged else ()
        out = []
        prev = -1
        vertical = direction == "ttb"
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions):
            cluster = info.cluster
            out.append(Glyph(info.codepoint, cluster, -pos.y_advance if vertical else pos.x_advance,
                             pos.x_offset, pos.y_offset, cluster != prev and cluster in unsafe))
            prev = cluster
        glyphs = tuple(out)
        self._cache[key] = glyphs
        return glyphs

    def _halves(self, face: Face, text: str, script: str, language: str, features: tuple,
                direction: str = "ltr") -> tuple[Glyph, ...]:
        cut = len(text) // 2
        while 0 < cut < len(text) and unicodedata.category(text[cut])[0] == "M":
            cut += 1  # never between a base and its marks
        if cut in (0, len(text)):
            raise InputError(f"HarfBuzz cannot shape a run of {len(text):,} characters that "
                             f"begins '{text[:12]}'", hint="break the run up with spaces or punctuation")
        left = self.shape(face, text[:cut], script, language, _features_in(features, 0, cut), direction)
        right = self.shape(face, text[cut:], script, language, _features_in(features, cut, len(text)), direction)
        return left + tuple(g._replace(cluster=g.cluster + cut) for g in right)

    def hyphenator(self, language: str):
        """pyphen's patterns for a language, loaded once per render."""
        import pyphen

        cache = self.__dict__.setdefault("_hyphenators", {})
        if language not in cache:
            cache[language] = pyphen.Pyphen(lang=language)
        return cache[language]

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


def _features_in(features: tuple, start: int, end: int) -> tuple:
    """The features of text[start:end]: ranges clipped to it and counted from its start."""
    out = []
    for name, value in features:
        if isinstance(value, tuple):
            value = tuple((max(a, start) - start, min(b, end) - start, v) for a, b, v in value
                          if min(b, end) > max(a, start))
        out.append((name, value))
    return tuple(out)
