"""A paragraph made ready for breaking: shaped once, cut into clusters with widths.

A unit is one HarfBuzz cluster (a Han character, a Tibetan stack with its vowels, a
Latin letter or ligature): the smallest piece that is never split across lines.
"""
from __future__ import annotations

from dataclasses import dataclass

from .breaks import opportunities
from .errors import Where
from .fonts import FontSet
from .itemize import HB_LANGUAGE, HB_SCRIPT, Run, itemize
from .shape import Glyph, Shaper

FEATURES_HAN = (("kern", True),)
FEATURES_LATIN = (("kern", True), ("liga", True))


@dataclass(frozen=True)
class Unit:
    start: int
    end: int
    run: int
    glyphs: tuple[Glyph, ...]
    width: float           # natural advance in pt, tracking included
    script: str
    space: bool            # a breakable space: dropped at line ends, stretches in Latin
    break_after: bool      # a line may end after this unit
    gap_after: bool        # justification may widen the gap after this unit
    forced: bool = False   # a line feed: the line must end here (not drawn)


@dataclass(frozen=True)
class Prepared:
    text: str
    size: float
    runs: tuple[Run, ...]
    units: tuple[Unit, ...]
    scales: tuple[float, ...]  # pt per font unit, per run


def prepare(text: str, role: str, size: float, tracking_em: float, fonts: FontSet,
            shaper: Shaper, where: Where | None = None, story: str = "") -> Prepared:
    runs = itemize(text, role, fonts, shaper, where, story)
    flags = opportunities(text)
    units: list[Unit] = []
    scales = []
    tracking = tracking_em * size
    for ri, run in enumerate(runs):
        scale = size / shaper.metrics(run.face).upem
        scales.append(scale)
        features = FEATURES_LATIN if run.script == "latin" else FEATURES_HAN if run.script == "han" else ()
        glyphs = shaper.shape(run.face, text[run.start:run.end], HB_SCRIPT[run.script],
                              HB_LANGUAGE[run.script], features)
        # group glyphs by cluster; clusters are offsets into the run's text
        starts = sorted({g.cluster for g in glyphs})
        bounds = starts + [run.end - run.start]
        by_cluster: dict[int, list[Glyph]] = {}
        for g in glyphs:
            by_cluster.setdefault(g.cluster, []).append(g)
        for k, c in enumerate(starts):
            s, e = run.start + c, run.start + bounds[k + 1]
            gl = tuple(by_cluster[c])
            chars = text[s:e]
            if chars == "\n":
                units.append(Unit(s, e, ri, (), 0.0, run.script, False, True, False, True))
                continue
            width = sum(g.advance for g in gl) * scale + tracking * (e - s)
            units.append(Unit(s, e, ri, gl, width, run.script, chars in (" ", "\u3000"),
                              flags[e] if e < len(text) else True, _gap_after(chars, text, e)))
    return Prepared(text, size, tuple(runs), tuple(units), tuple(scales))


def _gap_after(chars: str, text: str, end: int) -> bool:
    """Where justification may add space (C11 and T7, first slice): between Han
    characters, after a tsheg or shad group, at Latin word spaces."""
    if end >= len(text):
        return False
    nxt = text[end]
    last = chars[-1]
    if last == " ":
        return True
    if "\u0f00" <= last <= "\u0fff" or "\u0f00" <= nxt <= "\u0fff":
        # T7: spread the extra space over syllables and characters alike, so that no
        # gap grows into a false word space
        return nxt != " "
    if last.isascii() and nxt.isascii():
        return False  # inside a Latin word: no letter-spacing (C12)
    if "——" == last + nxt or "……" == last + nxt:
        return False  # C4
    return True
