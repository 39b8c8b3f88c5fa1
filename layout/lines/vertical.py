"""Text set in vertical columns (竖排): top to bottom, columns right to left.

Upright characters are shaped top to bottom (HarfBuzz `ttb`: the font's `vert`/`vrt2`
forms, its vertical advances and origins), so ，。 sit in the upper right of their em
box and brackets, 《》「」, —— and …… come in their vertical forms; adjacent marks are
set half (C9) with the font's vertical `vhal`. Turned runs (Latin, Tibetan, long
numbers) are shaped left to right and drawn turned 90° clockwise on the column's centre
line, their alphabetic baseline ⅛ em inside the em box's left side; across runs (纵中横)
sit upright across one em, in the Han face's half-width digits (`hwid`) when it has
them, condensed to the column's width when wider.

Columns end where the line rules allow (text/vertical.py, breaks.py): first fit, a
closing mark at a column's foot given half its em (C8) so that a mark that may not
start a column is squeezed in before a character is pushed out (C5). A text block's
columns are justified but a paragraph's last when its style justifies, else set solid
and aligned as the style says (start: at the top, center, end: at the foot); a
headline's are always set solid and aligned. What comes out is a list of `Column`s of display runs, relative to
the column's top centre: the page places them.
"""
from __future__ import annotations

import dataclasses
import unicodedata
from typing import NamedTuple

from ..base.scripts import is_han
from ..edition import model
from ..fonts.faces import FontSet
from ..text import zh
from ..text.breaks import NO
from ..text.itemize import HB_LANGUAGE, HB_SCRIPT, itemize
from ..text.shape import Shaper
from ..text.vertical import ACROSS, SPACE, TURNED, UPRIGHT, column_ends, pieces
from .display import Cluster, GlyphRun
from .setter import Setter

_EPS = 1e-6
TURNED_BASELINE = 0.38  # em left of the centre line: the em box's left side plus 0.12 em (mixed.md M4)
FACE_TOP = 0.88  # em: the ideographic em box's top above the alphabetic baseline


class _Unit(NamedTuple):
    """A piece never split across columns, its glyphs relative to its top on the centre line."""
    start: int
    end: int
    kind: str
    face: object
    color: str
    height: float  # points down the column
    glyphs: tuple  # (gid, x, y, width): upright: the glyph's origin; turned: pen along the baseline
    clusters: tuple  # (first, count, text) relative to glyphs
    hscale: float = 1.0
    trim: float = 0.0  # given up at a column's foot (a closing mark's empty half, C8)
    han: bool = False  # a Han character (the Han-Latin gap, C13, is set next to it)


class Column(NamedTuple):
    """One column: runs relative to its top centre, the text it holds, its natural
    height, and whether a piece in it is taller than the column (never drawn)."""
    runs: tuple[GlyphRun, ...]
    text: str
    height: float
    overfull: bool = False


def columns(setter: Setter, text: str, style_name: str, height: float, tcy_digits: int = 2,
            size: float | None = None, display: bool = False, where=None) -> list[Column]:
    """`text` in columns of `height` points; a line feed starts a new column. `display`
    (headlines): columns set solid and aligned by the style; else justified but the
    last of each paragraph, the first indented by the style's indent."""
    style = setter.style(style_name)
    if size is not None:
        style = dataclasses.replace(style, size=size)
    return set_columns(text, style, setter.fonts, setter.shaper, height, tcy_digits, display, where)


def set_columns(text: str, style: model.Style, fonts: FontSet, shaper: Shaper, height: float,
                tcy_digits: int = 2, display: bool = False, where=None) -> list[Column]:
    """`columns` for a style given whole (no edition needed)."""
    out: list[Column] = []
    for part in text.split("\n"):
        part = part.strip()
        if not part:
            continue
        units, flags = _units(fonts, shaper, part, style, tcy_digits, where)
        out += _break(units, flags, part, style, height, display)
    return out


def _units(fonts: FontSet, shaper: Shaper, text: str, style: model.Style, tcy_digits: int, where):
    size = style.size
    color = style.color
    parts = pieces(text, tcy_digits, shaper.script_of)
    flags = column_ends(text, parts, style.strictness)
    runs = itemize(text, style.font, fonts, shaper, where, lang=style.lang)
    units: list[_Unit] = []
    for part in parts:
        for run in runs:
            a, b = max(run.start, part.start), min(run.end, part.end)
            if a >= b:
                continue
            face = run.face
            scale = size / shaper.metrics(face).upem
            ink = run.color or color
            chunk = text[a:b]
            if part.kind == SPACE:
                units.append(_Unit(a, b, SPACE, face, ink, 0.0, (), ()))
            elif part.kind == UPRIGHT:
                halves = tuple((i, i + 1, 1) for i in zh.halt_positions(chunk))
                glyphs = shaper.shape(face, chunk, HB_SCRIPT[run.script], HB_LANGUAGE[run.script],
                                      (("vhal", halves),) if halves else (), direction="ttb")
                units += _upright(shaper, face, ink, chunk, a, glyphs, scale, size)
            elif part.kind == TURNED:
                units += _turned(shaper, face, ink, chunk, a, run.script, scale, flags)
            else:
                units.append(_across(fonts, shaper, style, face, ink, chunk, a, size))
    return _marks_on_bases(units, text, size), flags


def _marks_on_bases(units: list[_Unit], text: str, size: float) -> list[_Unit]:
    """A combining mark that another face sets than its upright base takes no room of
    its own: it stands over the base's square, its origin at the square's right edge on
    the baseline (as in a line, where such a mark stands at its base's right edge)."""
    out: list[_Unit] = []
    for u in units:
        marks = u.kind == UPRIGHT and all(unicodedata.category(c)[0] == "M" for c in text[u.start:u.end])
        if marks and out and out[-1].kind == UPRIGHT and out[-1].end == u.start:
            base = out[-1].height
            placed = tuple((gid, size / 2, FACE_TOP * size - base, 0.0) for gid, _, _, _ in u.glyphs)
            u = u._replace(height=0.0, glyphs=placed, trim=0.0)
        out.append(u)
    return out


def _upright(shaper, face, color, chunk: str, offset: int, glyphs, scale: float, size: float) -> list[_Unit]:
    out = []
    k = 0
    while k < len(glyphs):
        cluster = glyphs[k].cluster
        j = k
        while j < len(glyphs) and glyphs[j].cluster == cluster:
            j += 1
        end = glyphs[j].cluster if j < len(glyphs) else len(chunk)
        pen, placed = 0.0, []
        for g in glyphs[k:j]:
            placed.append((g.gid, g.dx * scale, pen - g.dy * scale, shaper.h_advance(face, g.gid) * scale))
            pen += g.advance * scale
        text = chunk[cluster:end]
        trim = pen / 2 if len(text) == 1 and text in zh.CLOSING and pen > 0.9 * size else 0.0
        out.append(_Unit(offset + cluster, offset + end, UPRIGHT, face, color, pen, tuple(placed),
                         ((0, len(placed), text),), trim=trim, han=len(text) == 1 and is_han(text)))
        k = j
    return out


def _turned(shaper, face, color, chunk: str, offset: int, script: str, scale: float, flags) -> list[_Unit]:
    """A turned run as units that end where a column may (after its spaces)."""
    out = []
    start = 0
    for i in range(1, len(chunk) + 1):
        if i < len(chunk) and flags[offset + i] == NO:
            continue
        word = chunk[start:i]
        glyphs = shaper.shape(face, word, HB_SCRIPT[script], HB_LANGUAGE[script])
        pen, placed, clusters = 0.0, [], []
        for n, g in enumerate(glyphs):
            if n == 0 or g.cluster != glyphs[n - 1].cluster:
                nxt = next((h.cluster for h in glyphs[n:] if h.cluster != g.cluster), len(word))
                clusters.append([len(placed), 0, word[g.cluster:nxt]])
            clusters[-1][1] += 1
            placed.append((g.gid, pen + g.dx * scale, -g.dy * scale, g.advance * scale))
            pen += g.advance * scale
        out.append(_Unit(offset + start, offset + i, TURNED, face, color, pen, tuple(placed),
                         tuple(tuple(c) for c in clusters)))
        start = i
    return out


def _across(fonts: FontSet, shaper: Shaper, style: model.Style, face, color, digits: str, offset: int,
            size: float) -> _Unit:
    """Digits across the column (纵中横): the Han face's half-width forms when it has
    them (two fill the em), centred, condensed to one em when wider."""
    han = fonts.chain(style.font, "han")
    script = "latin"
    if han and all(shaper.has_char(han[0], ord(c)) for c in digits):
        face, script = han[0], "han"
    features = (("hwid", True),) if len(digits) > 1 and script == "han" else ()
    glyphs = shaper.shape(face, digits, HB_SCRIPT[script], HB_LANGUAGE[script], features)
    scale = size / shaper.metrics(face).upem
    width = sum(g.advance for g in glyphs) * scale
    hscale = min(1.0, size / width) if width > 0 else 1.0
    left = -width * hscale / 2
    pen, placed = 0.0, []
    for g in glyphs:
        placed.append((g.gid, left + (pen + g.dx * scale) * hscale, FACE_TOP * size - g.dy * scale,
                       g.advance * scale * hscale))
        pen += g.advance * scale
    return _Unit(offset, offset + len(digits), ACROSS, face, color, size, tuple(placed),
                 ((0, len(placed), digits),), hscale=hscale)


def _gap(a: _Unit, b: _Unit, style: model.Style) -> float:
    """Space between two units inside a column: tracking, and the Han-Latin gap (C13)
    between a Han character and a turned or across run."""
    gap = style.tracking * style.size
    if (a.han and b.kind in (TURNED, ACROSS)) or (b.han and a.kind in (TURNED, ACROSS)):
        gap += (style.autospace_latin if TURNED in (a.kind, b.kind) else style.autospace_digits) * style.size
    return gap


def _natural(units: list[_Unit], style: model.Style) -> tuple[float, list[float]]:
    """Height of units set as one column (the foot mark trimmed, C8), and the gaps."""
    shown = [u for u in units if u.kind != SPACE]
    if not shown:
        return 0.0, []
    gaps = [_gap(a, b, style) for a, b in zip(shown, shown[1:])]
    return sum(u.height for u in shown) + sum(gaps) - shown[-1].trim, gaps


def _break(units: list[_Unit], flags: list[int], text: str, style: model.Style, height: float,
           display: bool) -> list[Column]:
    """First fit under the column-end rules; a column with no legal end that fits ends
    where it must (against the rules), and a unit taller than the column stands alone."""
    out: list[Column] = []
    indent = 0.0 if display else style.indent * style.size
    i, n = 0, len(units)
    while i < n and units[i].kind == SPACE:
        i += 1
    first = True
    while i < n:
        room = height - (indent if first else 0.0)
        j, last_ok = i + 1, None
        while j <= n and _natural(units[i:j], style)[0] <= room + _EPS:
            if j == n or flags[units[j].start] != NO:
                last_ok = j
            j += 1
        fit = j - 1  # units[i:fit] fit
        if fit >= n:
            end, overfull = n, False
        elif last_ok is not None:
            end, overfull = last_ok, False
        elif fit == i or _natural([units[fit]], style)[0] > room + _EPS:
            # a piece taller than the column: it stands in a column of its own with what
            # the rules keep with it (a quote before a long Latin word), never drawn
            end = fit + 1
            while end < n and flags[units[end].start] == NO:
                end += 1
            overfull = True
        else:
            end, overfull = fit, False  # no legal end fits: against the rules
        last = end >= n
        out.append(_column(units[i:end], text, style, room, display, last, indent if first else 0.0, overfull))
        first = False
        i = end
        while i < n and units[i].kind == SPACE:
            i += 1
    return out


def _column(units: list[_Unit], text: str, style: model.Style, room: float, display: bool, last: bool,
            top: float, overfull: bool) -> Column:
    shown = [u for u in units if u.kind != SPACE]
    natural, gaps = _natural(units, style)
    extra = [0.0] * len(gaps)
    if style.align == "justify" and not display:
        if not last and gaps and natural < room:
            spread = (room - natural) / len(gaps)
            extra = [spread] * len(gaps)
    elif natural < room:
        top += {"center": (room - natural) / 2, "end": room - natural}.get(style.align, 0.0)
    runs: list[GlyphRun] = []
    y = top
    current = None  # (kind, face, color, hscale, run y, gids, positions, advances, clusters)
    for k, u in enumerate(shown):
        key = (u.kind, u.face, u.color, u.hscale)
        if current is None or current[0] != key or u.kind == ACROSS:
            if current is not None:
                runs.append(_run(current, style.size))
            current = [key, y + (FACE_TOP * style.size if u.kind == ACROSS else 0.0), [], [], [], []]
        _, run_y, gids, positions, advances, clusters = current
        base = len(gids)
        for gid, gx, gy, width in u.glyphs:
            gids.append(gid)
            if u.kind == TURNED:
                positions.append((y - run_y + gx, gy))
            else:
                positions.append((gx, y - run_y + gy))
            advances.append(width)
        for first, count, piece in u.clusters:
            clusters.append(Cluster(base + first, count, piece))
        y += u.height + (gaps[k] + extra[k] if k < len(gaps) else 0.0)
    if current is not None:
        runs.append(_run(current, style.size))
    chars = "".join(text[u.start:u.end] for u in units)
    return Column(tuple(runs), chars, natural, overfull)


def _run(current, size: float) -> GlyphRun:
    (kind, face, color, hscale), y, gids, positions, advances, clusters = current
    if kind == TURNED:
        return GlyphRun(face, size, -TURNED_BASELINE * size, y, tuple(gids), tuple(positions), tuple(advances),
                        tuple(clusters), color, 1.0, rotate=90)
    if kind == ACROSS:  # upright like the column (extractors keep it in the column's line)
        return GlyphRun(face, size, 0.0, y, tuple(gids), tuple(positions), tuple(advances), tuple(clusters),
                        color, hscale, vertical=True)
    return GlyphRun(face, size, 0.0, y, tuple(gids), tuple(positions), tuple(advances), tuple(clusters),
                    color, 1.0, vertical=True)
