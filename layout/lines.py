"""Broken lines -> justified lines of positioned glyph runs.

Widens the gaps that prepare.py marked (first slice of C11/T7), aligns, drops spaces at
line ends, and reshapes a line's edge where HarfBuzz flagged the break unsafe.
"""
from __future__ import annotations

from dataclasses import dataclass

from .display import Cluster, GlyphRun
from .itemize import HB_LANGUAGE, HB_SCRIPT
from .linebreak import break_lines
from .prepare import FEATURES_HAN, FEATURES_LATIN, Prepared, Unit
from .shape import Shaper

# Vertical extent of a line per script, in em: the ideographic em box for Han (and the
# Latin set in the CJK fonts); Tibetan stacks reach well below the baseline.
ASCENT = {"han": 0.88, "latin": 0.88, "tibetan": 0.95}
DESCENT = {"han": 0.12, "latin": 0.12, "tibetan": 0.55}


@dataclass(frozen=True)
class Line:
    runs: tuple[GlyphRun, ...]  # x from the line's left edge, y = 0 on the baseline
    measure: float
    natural: float
    ascent: float
    descent: float
    start: int  # text range this line shows (spaces at its ends included)
    end: int
    ratio: float  # extra space per gap / em, 0 when set solid
    last: bool

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def set_lines(prepared: Prepared, width_of_line, shaper: Shaper, align: str = "justify",
              indent: float = 0.0, color: str = "black", start: int = 0,
              first_is_para_start: bool = True) -> list[Line]:
    """Break and justify from unit `start`; `indent` (pt) applies to the paragraph's
    first line only."""
    def width(i: int) -> float:
        return width_of_line(i) - (indent if i == 0 and first_is_para_start else 0.0)

    ranges = break_lines(prepared, width, start)
    out = []
    for i, (a, b) in enumerate(ranges):
        ind = indent if i == 0 and first_is_para_start else 0.0
        out.append(make_line(prepared, a, b, width(i), ind, align, i == len(ranges) - 1,
                             shaper, color))
    return out


def make_line(prepared: Prepared, a: int, b: int, measure: float, indent: float, align: str,
              last: bool, shaper: Shaper, color: str) -> Line:
    units = prepared.units
    start_text = units[a].start if a < len(units) else len(prepared.text)
    end_text = units[b - 1].end if b > a else start_text
    forced = b > a and units[b - 1].forced
    while b > a and (units[b - 1].space or units[b - 1].forced):
        b -= 1  # spaces at the end of a line are not set (T4, C13)
    last = last or forced
    shown = list(units[a:b])
    groups = _groups(prepared, a, b, shaper)
    natural = sum(w for _, _, w in groups)
    gaps = [k for k, u in enumerate(shown[:-1]) if u.gap_after]
    extra = measure - natural
    per_gap = 0.0
    x0 = indent
    if align == "justify" and not last and gaps and extra > 0:
        per_gap = extra / len(gaps)
    elif align == "center":
        x0 += max(extra, 0) / 2
    elif align == "end":
        x0 += max(extra, 0)
    gap_set = set(gaps)
    runs: list[GlyphRun] = []
    x = x0
    k = 0  # index into shown
    for run_index, glyph_list, _w in groups:
        scale = prepared.scales[run_index]
        face = prepared.runs[run_index].face
        gids, positions, advances, clusters = [], [], [], []
        run_x0 = x
        pen = 0.0
        for unit_glyphs, unit in glyph_list:
            first = len(gids)
            for g in unit_glyphs:
                gids.append(g.gid)
                positions.append((pen + g.dx * scale, -g.dy * scale))
                advances.append(g.advance * scale)
                pen += g.advance * scale
            pen += unit.width - sum(g.advance for g in unit.glyphs) * scale  # tracking
            text = prepared.text[unit.start:unit.end]
            if len(gids) == first and clusters:  # reshaping merged this unit into the previous
                prev = clusters[-1]
                clusters[-1] = Cluster(prev.first, prev.count, prev.text + text)
            else:
                clusters.append(Cluster(first, len(gids) - first, text))
            if k in gap_set:
                pen += per_gap
            k += 1
        runs.append(GlyphRun(face, prepared.size, run_x0, 0.0, tuple(gids), tuple(positions),
                             tuple(advances), tuple(clusters), color))
        x = run_x0 + pen
    scripts = {prepared.runs[r].script for r, _, _ in groups} or {"han"}
    size = prepared.size
    ratio = per_gap / size if size else 0.0
    return Line(tuple(runs), measure, natural, max(ASCENT[s] for s in scripts) * size,
                max(DESCENT[s] for s in scripts) * size, start_text, end_text, ratio, last)


def _groups(prepared: Prepared, a: int, b: int, shaper: Shaper):
    """The line's units grouped by run: (run index, [(glyphs, unit)], width). A group
    whose edge HarfBuzz marked unsafe to break is shaped again on its own."""
    units = prepared.units
    groups = []
    k = a
    while k < b:
        r = units[k].run
        j = k
        while j < b and units[j].run == r:
            j += 1
        members: list[Unit] = list(units[k:j])
        unsafe_start = members[0].glyphs and members[0].glyphs[0].unsafe and (
            k > 0 and units[k - 1].run == r)
        unsafe_end = j < len(units) and units[j].run == r and units[j].glyphs and units[j].glyphs[0].unsafe
        if unsafe_start or unsafe_end:
            glyph_list = _reshape(prepared, members, shaper)
        else:
            glyph_list = [(u.glyphs, u) for u in members]
        width = sum(u.width for u in members)
        groups.append((r, glyph_list, width))
        k = j
    return groups


def _reshape(prepared: Prepared, members: list[Unit], shaper: Shaper):
    run = prepared.runs[members[0].run]
    s, e = members[0].start, members[-1].end
    features = FEATURES_LATIN if run.script == "latin" else FEATURES_HAN if run.script == "han" else ()
    glyphs = shaper.shape(run.face, prepared.text[s:e], HB_SCRIPT[run.script],
                          HB_LANGUAGE[run.script], features)
    out = []
    for u in members:
        gl = tuple(g for g in glyphs if u.start - s <= g.cluster < u.end - s)
        out.append((gl, u))
    return out


def set_paragraph(prepared: Prepared, measure: float, shaper: Shaper, **kw) -> list[Line]:
    return set_lines(prepared, lambda i: measure, shaper, **kw)
