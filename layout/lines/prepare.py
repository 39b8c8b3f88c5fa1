"""A paragraph made ready for breaking: shaped once, cut into clusters that carry
their widths and how much they may give or take.

A unit is one HarfBuzz cluster (a Han character, a Tibetan stack with its vowel signs,
a Latin letter or ligature): the smallest piece never split across lines. Each unit
knows what happens at a line end (C8), how far it may shrink and at which priority
(C10), what kind of gap follows it and how that gap may stretch (C11, C13, T7, M2).
"""
from __future__ import annotations

import math

import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from ..text import zh
from ..text.breaks import MANDATORY, NO, opportunities
from ..base.errors import Where
from ..fonts.faces import FontSet
from ..text.itemize import HB_LANGUAGE, HB_SCRIPT, Run, itemize
from ..base.scripts import is_han, is_tibetan
from ..text.shape import Glyph, Shaper

# break classes of a unit's end: NO only inside a grapheme cluster; EMERGENCY inside
# a Latin word or number, when nothing else fits; LAST where the composition rules
# forbid a break (C1-C4, T1, T3), taken only when no other break can make a line fit
BREAK_NO, BREAK_OK, BREAK_EMERGENCY, BREAK_HYPHEN, BREAK_LAST = 0, 1, 2, 3, 4
# stretch classes of the gap after a unit (C11 order)
STRETCH_NONE, STRETCH_WORD, STRETCH_HAN_LATIN, STRETCH_CHAR, STRETCH_DIGIT = 0, 1, 2, 3, 4
# where a Tibetan syllable ends (T7): a gap after one of these may stretch, a gap
# between two other Tibetan characters lies inside a syllable and never does
SHADS = frozenset("\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f12")  # ། ༎ ༏ ༐ ༑ ༒
SYLLABLE_END = frozenset("\u0f0b\u0f0c\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f12\u0f13\u0f14\u0f34")
SHRINK_SPACE, SHRINK_GAP = 2, 6  # C10 levels of Western spaces and the Han-Western gap


class Unit(NamedTuple):
    start: int
    end: int
    run: int
    glyphs: tuple[Glyph, ...]
    width: float           # natural advance in pt, tracking included
    script: str
    space: bool = False    # a breakable space: not set at a line's start or end
    forced: bool = False   # a line feed: the line ends here (not drawn)
    brk: int = BREAK_NO    # may a line end after this unit (emergency, last: only if nothing else fits)
    gap: float = 0.0       # space after this unit inside a line (the ¼ em Han-Latin gap, C13)
    gap_shrink: float = 0.0
    stretch: int = STRETCH_NONE
    shrink: float = 0.0    # spare space this unit may give up (C10) ...
    shrink_level: int = 0  # ... at this level
    shrink_left: float = 0.0  # the part of `shrink` on the glyph's left side (opening brackets)
    end_trim: float = 0.0  # given up when the unit ends a line (C8)
    end_extra: float = 0.0  # taken when it ends a line: lost kerning, or the hyphen
    hyphen: int = 0         # glyph id of the hyphen drawn when a line ends here (BREAK_HYPHEN)
    hyphen_width: float = 0.0
    start_trim: float = 0.0  # given up when it starts a line (opening brackets, if enabled)
    hang: float = 0.0        # may hang past the measure when it ends a line (C18): its width there


_new = tuple.__new__
_DEFAULTS = tuple(Unit._field_defaults[f] for f in Unit._fields[6:])
_SPECIAL = frozenset("\n \u3000")


@dataclass(frozen=True)
class Composition:
    """A style's composition options (chinese.md / tibetan.md / mixed.md)."""
    strictness: str = "gb"          # C1–C3: 'strict', 'gb' or 'loose'
    trim_line_start: bool = False   # C8: opening bracket at line start set ½ em
    han_latin_gap: float = 0.25     # C13, em: between Han and a Latin letter ...
    han_latin_min: float = 0.125    # ... down to this when a line is too long (C10)
    han_latin_max: float = 0.5      # ... up to this when it is too short (C11)
    han_digit_gap: float = 0.0      # between Han and a European digit: solid, as newspapers set dates
    han_digit_min: float = 0.0
    han_digit_max: float = 0.0
    gap_max: float = 0.5            # no gap grows by more than this (em) in a justified line
    tibetan_latin_gap: float = 0.2  # M2, em
    tibetan_scale: float = 1.0      # M5: Tibetan size / Han size in mixed text
    tibetan_justify: str = "distribute"  # T7 'distribute', or T8 'tsheg' padding
    grid: bool = False              # C15: pure-Han lines keep every character on the em grid
    hang: bool = False              # C18: a lone line-end 、，。 may hang past the measure
    hyphenate: str | None = None    # a pyphen language (e.g. 'en_US') for Latin words, or None
    width: float = 1.0              # horizontal scale of the type: 长体 below 1, 扁体 above


@dataclass(frozen=True)
class Prepared:
    text: str
    size: float
    runs: tuple[Run, ...]
    units: tuple[Unit, ...]
    scales: tuple[float, ...]   # pt per font unit along x, per run (the width's scale included)
    sizes: tuple[float, ...]    # type size per run (Tibetan may be scaled, M5)
    shifts: tuple[float, ...]   # baseline shift per run, pt, y downwards (M4)
    dominant: str               # the paragraph's main script
    options: Composition = Composition()
    # what later stages derive from the units alone and would otherwise derive again
    # for every measure tried (the breaker's prefix sums); not part of the value
    memo: dict = field(default_factory=dict, compare=False, repr=False)


def _features(script: str) -> dict:
    if script == "latin":
        return {"kern": True, "liga": True}
    if script == "han":
        return {"kern": True}
    return {}


def dominant_script(text: str, runs) -> str:
    counts: dict[str, int] = {}
    for r in runs:
        counts[r.script] = counts.get(r.script, 0) + (r.end - r.start)
    return max(sorted(counts), key=lambda s: counts[s]) if counts else "han"


def prepare(text: str, role: str, size: float, tracking_em: float, fonts: FontSet,
            shaper: Shaper, where: Where | None = None, story: str = "",
            options: Composition = Composition(), spans=(), lang: str = "auto", keep=()) -> Prepared:
    """`spans`: (start, end, font role, colour) of character styles (bold runs);
    `keep`: (start, end) ranges no line may end inside (a name, a number and its unit),
    short of a last-resort break when the range is wider than the line."""
    runs = itemize(text, role, fonts, shaper, where, story, spans, lang)
    flags = opportunities(text, options.strictness)
    for start, end in keep:
        flags[start + 1:end] = [f if f == MANDATORY else NO for f in flags[start + 1:end]]
    dominant = dominant_script(text, runs)
    # C9 sets adjacent marks half width; on the character grid (C15) every mark keeps
    # its full em
    halted = set() if options.grid else set(zh.halt_positions(text))
    units: list[Unit] = []
    scales, sizes, shifts = [], [], []
    for ri, run in enumerate(runs):
        m = shaper.metrics(run.face)
        run_size = size * options.tibetan_scale if run.script == "tibetan" and dominant != "tibetan" else size
        # condensed or expanded type (options.width) narrows or widens every advance
        # and offset along x, and with them the em that tracking and gaps are measured in
        scale = run_size / m.upem * options.width
        scales.append(scale)
        sizes.append(run_size)
        shifts.append(_baseline_shift(run, dominant, size, run_size, fonts, shaper, role))
        features = _features(run.script)
        if run.script == "han":
            ranges = [(i - run.start, i - run.start + 1, 1) for i in sorted(halted) if run.start <= i < run.end]
            if ranges:
                features = dict(features, halt=ranges)
        glyphs = shaper.shape(run.face, text[run.start:run.end], HB_SCRIPT[run.script],
                              HB_LANGUAGE[run.script], tuple(sorted((k, _hashable(v)) for k, v in features.items())))
        tracking = tracking_em * run_size * options.width
        for s, e, gl in _clusters(glyphs, run.start, run.end):
            width = (gl[0].advance if len(gl) == 1 else sum(g.advance for g in gl)) * scale + tracking * (e - s)
            units.append(_unit(text, s, e, ri, gl, width, run, run_size * options.width, scale, shaper,
                               halted, options.grid))
    units = _join(text, units, flags, size * options.width, options, shaper.gap_memo)
    if options.grid:
        units = _grid_shrink(units, size * options.width)
    if options.hang:
        units = _hanging(units, text)
    units = _line_end_widths(text, units, runs, scales, shaper)
    if options.hyphenate:
        units = _hyphenate(text, units, runs, scales, shaper, options.hyphenate)
    return Prepared(text, size, tuple(runs), tuple(units), tuple(scales), tuple(sizes),
                    tuple(shifts), dominant, options)


def _clusters(glyphs, start: int, end: int):
    """(text start, text end, glyphs) of each cluster of a run shaped from text[start:end].
    Left-to-right output has its clusters in order, so one pass groups them; anything
    else is sorted first."""
    if any(a.cluster > b.cluster for a, b in zip(glyphs, glyphs[1:])):
        glyphs = sorted(glyphs, key=lambda g: g.cluster)
    out = []
    group: list[Glyph] = []
    current = -1
    for g in glyphs:
        if g.cluster != current:
            if group:
                out.append([start + current, 0, tuple(group)])
            group = [g]
            current = g.cluster
        else:
            group.append(g)
    if group:
        out.append([start + current, 0, tuple(group)])
    for k in range(len(out)):
        out[k][1] = out[k + 1][0] if k + 1 < len(out) else end
    return out


def _hashable(v):
    return tuple(v) if isinstance(v, list) else v


def _unit(text, s, e, ri, glyphs, width, run, size, scale, shaper, halted, grid) -> Unit:
    ch = text[s]
    if e - s == 1 and ch not in _SPECIAL and not (run.script == "han" and zh.is_cjk_punct(ch)):
        # the common case (a letter, a Han character, a Tibetan stack is longer): every
        # field but the first six at its default, built without NamedTuple's __new__
        return _new(Unit, (s, e, ri, glyphs, width, run.script) + _DEFAULTS)
    chars = text[s:e]
    if chars == "\n":
        return Unit(s, e, ri, (), 0.0, run.script, forced=True)
    if chars in (" ", "\u3000"):
        shrink = max(0.0, width - 0.25 * size) if chars == " " else 0.0
        return Unit(s, e, ri, glyphs, width, run.script, space=True, shrink=shrink,
                    shrink_level=SHRINK_SPACE)
    unit = Unit(s, e, ri, glyphs, width, run.script)
    if run.script == "han" and len(chars) == 1 and zh.is_cjk_punct(ch) and s not in halted:
        spare, left = _spare(shaper, run.face, ch, scale)
        if spare > 0:
            level = zh.shrink_level(ch) or zh.SHRINK_LEVEL_COMMA
            # C8 trims a closing mark at the line end; on the grid (C15) it keeps its
            # em unless the line needs the room (then it gives way first, C10 level 1)
            trim_end = spare if (ch in zh.CLOSING or ch in zh.MIDDLE_DOT) and not grid else 0.0
            trim_start = spare if ch in zh.OPENING else 0.0
            unit = Unit(s, e, ri, glyphs, width, run.script, shrink=spare, shrink_level=level,
                        shrink_left=left, end_trim=trim_end, start_trim=trim_start)
    return unit


def _grid_shrink(units: list[Unit], em: float) -> list[Unit]:
    """C15: on the character grid a mark may give up its spare half only where the
    characters after it still move by whole ems: a run of adjacent full-width marks
    gives the whole ems its halves add up to (，「 one em), a mark alone between two
    characters nothing (its level and sides are kept: it may still take an em pushed
    out, see justify._grid). The breaker then sees what the grid allows."""
    out = list(units)
    k, n = 0, len(units)
    while k < n:
        if not grid_mark(units[k]):
            k += 1
            continue
        j = k
        while j < n and grid_mark(units[j]):
            j += 1
        spare = sum(u.shrink for u in units[k:j])
        keep = math.floor(spare / em + 1e-6) * em / spare if spare > 0 else 0.0
        for i in range(k, j):
            u = units[i]
            out[i] = u._replace(shrink=u.shrink * keep, shrink_left=u.shrink_left * keep if keep else u.shrink_left)
        k = j
    return out


HANGING = frozenset("、，。")  # C18: the marks that may hang


def _hanging(units: list[Unit], text: str) -> list[Unit]:
    """C18: a 、，or 。 may hang past a full line's measure, drawn as wide as it is at a
    line end; never one that follows another mark (”，) ."""
    out = list(units)
    for k, u in enumerate(units):
        if (u.script == "han" and u.end - u.start == 1 and text[u.start] in HANGING
                and not (k and units[k - 1].shrink_level > 0 and units[k - 1].script == "han")):
            out[k] = u._replace(hang=u.width - u.end_trim)
    return out


def grid_mark(u: Unit) -> bool:
    """A full-width Han mark (its C10 level kept on the grid, see _grid_shrink)."""
    return u.shrink_level > 0 and u.script == "han" and not u.space


def opening(u: Unit) -> bool:
    """A mark whose spare lies left of its glyph (an opening bracket or quote)."""
    return u.shrink_left > 0 and (u.shrink == 0 or u.shrink_left >= u.shrink / 2)


def grid_slot(units, k: int) -> bool:
    """C15: may the gap after unit k take whole ems on the grid (推出)? After a
    closing mark or before an opening one, but not inside ”， or 《「: a run of marks
    stays together."""
    a, b = units[k], units[k + 1]
    closes, opens = grid_mark(a) and not opening(a), grid_mark(b) and opening(b)
    return (closes and not (grid_mark(b) and not opens)) or (opens and not (grid_mark(a) and not closes))


def _spare(shaper: Shaper, face, ch: str, scale: float) -> tuple[float, float]:
    """The half em a full-width mark may give up, from the font's `halt` feature: how
    much, and how much of it lies left of the glyph."""
    full = shaper.shape(face, ch, "Hani", "zh-Hans", ())
    half = shaper.shape(face, ch, "Hani", "zh-Hans", (("halt", True),))
    if len(full) != 1 or len(half) != 1:
        return 0.0, 0.0
    spare = (full[0].advance - half[0].advance) * scale
    left = -half[0].dx * scale
    return max(spare, 0.0), max(min(left, spare), 0.0)


def _join(text: str, units: list[Unit], flags: list[int], size: float, options: Composition,
          memo: dict) -> list[Unit]:
    """Decide, for each unit, whether a line may end after it and what gap follows.
    `memo` (the render's) remembers gaps by what the rules look at in the two
    characters that meet (_gap_class) and whether either unit is a space."""
    out = []
    n = len(units)
    end_of_text = len(text)
    trim_start = options.trim_line_start
    classes = memo.setdefault("classes", {})
    gaps: dict[tuple, tuple[float, float, int]] = memo.setdefault((size, options), {})
    make = tuple.__new__  # Unit from a tuple of every field, without NamedTuple's Python __new__
    for k, u in enumerate(units):
        (start, end, run, glyphs, width, script, space, forced, _, _, _, _,
         shrink, shrink_level, shrink_left, end_trim, end_extra, hyphen, hyphen_width, start_trim, hang) = u
        brk = BREAK_OK
        if end < end_of_text and flags[end] == NO:
            if not _grapheme_boundary(text, end):
                brk = BREAK_NO
            else:
                brk = BREAK_EMERGENCY if _emergency_ok(text, end) else BREAK_LAST
        gap, gap_shrink, stretch = 0.0, 0.0, STRETCH_NONE
        if k + 1 < n and not forced:
            nxt = units[k + 1]
            if not nxt.forced:
                a, b = text[end - 1], text[nxt.start]
                key = (classes.get(a) or classes.setdefault(a, _gap_class(a)),
                       classes.get(b) or classes.setdefault(b, _gap_class(b)), space, nxt.space)
                found = gaps.get(key)
                if found is None:
                    found = gaps[key] = _gap(a, b, space, nxt.space, size, options)
                gap, gap_shrink, stretch = found
        out.append(make(Unit, (start, end, run, glyphs, width, script, space, forced, brk, gap, gap_shrink,
                               stretch, shrink, shrink_level, shrink_left, end_trim, end_extra, hyphen,
                               hyphen_width, start_trim if trim_start else 0.0, hang)))
    return out


def _line_end_widths(text, units: list[Unit], runs, scales, shaper: Shaper) -> list[Unit]:
    """Where the next unit's first glyph is unsafe to break before (kerning, contextual
    forms), a unit ending a line is shaped without its neighbour; note the difference."""
    out = list(units)
    for k in range(len(units) - 1):
        u, nxt = units[k], units[k + 1]
        if u.brk and nxt.run == u.run and nxt.glyphs and nxt.glyphs[0].unsafe and not u.space:
            run = runs[u.run]
            alone = shaper.shape(run.face, text[u.start:u.end], HB_SCRIPT[run.script],
                                 HB_LANGUAGE[run.script], tuple(sorted(_features(run.script).items())))
            extra = (sum(g.advance for g in alone) - sum(g.advance for g in u.glyphs)) * scales[u.run]
            if abs(extra) > 1e-6:
                out[k] = u._replace(end_extra=extra)
    return out


def _hyphenate(text, units: list[Unit], runs, scales, shaper: Shaper, language: str) -> list[Unit]:
    """Hyphenation points of Latin words (pyphen's patterns) become breaks that cost a
    little and draw a hyphen; the hyphen is not text (extraction gives the word back)."""
    hyphenator = shaper.hyphenator(language)
    by_end = {u.end: k for k, u in enumerate(units)}
    out = list(units)
    i = 0
    while i < len(text):
        if not (text[i].isascii() and text[i].isalpha()):
            i += 1
            continue
        j = i
        while j < len(text) and text[j].isascii() and text[j].isalpha():
            j += 1
        if j - i >= 6:
            for pos in hyphenator.positions(text[i:j]):
                k = by_end.get(i + pos)
                if k is None or out[k].brk == BREAK_OK:
                    continue
                run = runs[out[k].run]
                dash = shaper.shape(run.face, "-", HB_SCRIPT[run.script], HB_LANGUAGE[run.script], ())
                if len(dash) == 1 and dash[0].gid:
                    width = dash[0].advance * scales[out[k].run]
                    out[k] = out[k]._replace(brk=BREAK_HYPHEN, hyphen=dash[0].gid, hyphen_width=width,
                                     end_extra=out[k].end_extra + width)
        i = j
    return out


def _emergency_ok(text: str, i: int) -> bool:
    """A break the rules would rather not make, but may when nothing else fits: inside
    a Latin word or number. Never where C1, C2, C4, T1 or T3 forbid it."""
    a, b = text[i - 1], text[i]
    if is_tibetan(a) or is_tibetan(b):
        return False
    if b in zh.NO_START_STRICT or a in zh.NO_END or a + b in zh.UNBREAKABLE:
        return False
    return not (b.isspace() or a.isspace())


_EXTEND = frozenset(("Mn", "Me", "Mc"))


def _grapheme_boundary(text: str, i: int) -> bool:
    """Whether text[i-1] and text[i] belong to different grapheme clusters (UAX #29's
    rules that matter here: marks, joiners, variation selectors, emoji modifiers and
    tags, regional indicator pairs, Hangul jamo, CR LF). A cluster is the least a line
    may hold: even a last-resort break never splits a Tibetan stack from its signs or
    a Han character from a combining mark, which may be set from another face."""
    a, b = text[i - 1], text[i]
    cb = ord(b)
    if (unicodedata.category(b) in _EXTEND or cb in (0x200C, 0x200D) or 0x1F3FB <= cb <= 0x1F3FF
            or 0xE0020 <= cb <= 0xE007F or 0xFE00 <= cb <= 0xFE0F or 0xFF9E <= cb <= 0xFF9F):
        return False
    if a == "\u200d" or a + b == "\r\n":
        return False
    if _regional(b) and _regional(a):
        k = i - 1
        while k > 0 and _regional(text[k - 1]):
            k -= 1
        return (i - k) % 2 == 0
    ja, jb = _jamo(a), _jamo(b)
    if ja and jb:
        if ja in ("LV", "V"):
            return jb not in ("V", "T")
        if ja in ("LVT", "T"):
            return jb != "T"
        return jb not in ("L", "V", "LV", "LVT")  # ja == "L"
    return True


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _jamo(ch: str) -> str | None:
    cp = ord(ch)
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return None


def _latinish(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


_UNBREAKABLE_CHARS = frozenset("".join(zh.UNBREAKABLE))


def _gap_class(ch: str):
    """All that _gap looks at in a character: a character of an unbreakable pair
    stands for itself, any other for its kind."""
    if ch in _UNBREAKABLE_CHARS:
        return ch
    return (is_han(ch), _latinish(ch), is_tibetan(ch), ch.isascii(), ch in "/／", ch.isdigit(),
            ch in SYLLABLE_END, ch in SHADS)


def _gap(a: str, b: str, a_space: bool, b_space: bool, size: float,
         options: Composition) -> tuple[float, float, int]:
    """The gap between units ending in `a` and starting with `b`: (width, shrink,
    stretch class). Between Han and Latin the style's autospace: letters ¼ em (C13),
    digits solid as mainland papers set dates and issue numbers, each with its minimum
    (C10) and maximum (C11); a gap whose maximum is its width never stretches. Between
    two Tibetan characters only a gap after a tsheg or shad stretches (T7): inside a
    syllable HarfBuzz's positions stay."""
    if a_space or b_space:
        return 0.0, 0.0, STRETCH_WORD if a_space else STRETCH_NONE
    if is_han(a) and _latinish(b) or _latinish(a) and is_han(b):
        if (a if _latinish(a) else b).isdigit():
            g, low, high, kind = options.han_digit_gap, options.han_digit_min, options.han_digit_max, STRETCH_DIGIT
        else:
            g, low, high, kind = options.han_latin_gap, options.han_latin_min, options.han_latin_max, STRETCH_HAN_LATIN
        return g * size, max(g - low, 0.0) * size, kind if high > g else STRETCH_NONE
    if is_tibetan(a) and _latinish(b) or _latinish(a) and is_tibetan(b):
        return options.tibetan_latin_gap * size, 0.0, STRETCH_HAN_LATIN  # M2
    if _latinish(a) and _latinish(b) or a + b in zh.UNBREAKABLE:
        return 0.0, 0.0, STRETCH_NONE  # C12: no letter-spacing in words; C4
    if a.isascii() and b.isascii():
        return 0.0, 0.0, STRETCH_NONE
    if b in "/／" or a in "/／":
        return 0.0, 0.0, STRETCH_NONE  # C11: not around solidi
    if is_tibetan(a) and is_tibetan(b) and a not in SYLLABLE_END:
        return 0.0, 0.0, STRETCH_NONE  # T7: no letter-spacing inside a syllable
    if is_tibetan(a) and b in SHADS and a not in SHADS:
        return 0.0, 0.0, STRETCH_NONE  # a shad closes its syllable (ང་། T2, T5): never spaced off it
    return 0.0, 0.0, STRETCH_CHAR  # C11 (3) and T7: every other gap, equally


def _baseline_shift(run: Run, dominant: str, size: float, run_size: float, fonts: FontSet,
                    shaper: Shaper, role: str) -> float:
    """M4: Tibetan in a Chinese line hangs from the top of the ideographic character
    face; Chinese in a Tibetan line sits so that its face top meets the Tibetan head
    line. Returns the shift of this run's baseline, y downwards."""
    if {run.script, dominant} != {"han", "tibetan"}:
        return 0.0
    han_face = fonts.chain(role, "han")[0] if fonts.chain(role, "han") else None
    bo_face = fonts.chain(role, "tibetan")[0] if fonts.chain(role, "tibetan") else None
    if han_face is None or bo_face is None:
        return 0.0
    mh, mb = shaper.metrics(han_face), shaper.metrics(bo_face)
    han_top = shaper.face_top(han_face) / mh.upem * size
    bo_head = mb.hanging / mb.upem
    if run.script == "tibetan":
        return -(han_top - bo_head * run_size)
    bo_size = size  # the Tibetan text of a Tibetan paragraph is at the style's size
    return han_top - bo_head * bo_size
