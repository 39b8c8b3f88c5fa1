"""Broken lines -> justified lines of positioned glyph runs.

Justification follows the priorities of ../shared/typography: a full-width mark at a
line end is set half width (C8); a line too long gives up space level by level (C10:
Western spaces, interpuncts, brackets, commas, the Han-Western gap, full stops), equal
items equally; a line too short widens Western spaces, then Han-Western and Han-digit
gaps (to the style's autospace maximum), then all other gaps alike (C11) — in Tibetan
only the gaps between syllables (T7) — none past the style's `justify_max_gap`. A
paragraph's last line is set solid (C12).
"""
from __future__ import annotations

import math
from typing import NamedTuple

from ..text import bo
from .display import Cluster, GlyphRun
from ..text.itemize import HB_LANGUAGE, HB_SCRIPT
from .linebreak import EPS, Widths, break_lines
from .prepare import (BREAK_LAST, STRETCH_CHAR, STRETCH_DIGIT, STRETCH_HAN_LATIN, STRETCH_WORD, SHRINK_GAP,
                      Composition, Prepared, Unit, _features, grid_mark, grid_slot)
from ..text.shape import Shaper

# Vertical extent of a line per script, in em: the ideographic em box for Han (and the
# Latin of the CJK fonts); Tibetan stacks reach well below the baseline.
ASCENT = {"han": 0.88, "latin": 0.88, "tibetan": 0.95}
DESCENT = {"han": 0.12, "latin": 0.12, "tibetan": 0.55}
SHRINK_ORDER = (2, 3, 4, 5, SHRINK_GAP, 7)  # C10, after the line-end mark (1)
# how far past its measure a line may reach and still be placed (pt): a hair from
# reshaping at its ends is no reason to leave a line out, a glyph's width is
OVERRUN = 0.25
_new = tuple.__new__  # a NamedTuple from a tuple, without its Python-level __new__


class Line(NamedTuple):  # not a frozen dataclass: made per line and per balancing trial
    runs: tuple[GlyphRun, ...]  # x from the line's left edge, y = 0 on the baseline
    measure: float
    natural: float
    ascent: float
    descent: float
    start: int  # the text this line accounts for (spaces at its ends included)
    end: int
    ratio: float  # space added (+) or taken (-) per em of type size
    last: bool
    width: float = 0.0  # set width: from the line's start (indent included) to its last glyph's advance
    overfull: bool = False  # wider than its measure (a cluster wider than it, or no finite width): never placed
    against_rules: bool = False  # it ends at a last-resort break: no break the rules allow fitted
    # C15: why a pure-Han line in grid mode could not be justified on the grid: 'short'
    # (no mark to take the space: set on the grid, short of its measure by whole ems) or
    # 'off' (too long, and its marks cannot give whole ems: compressed off the grid)
    grid_miss: str = ""

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def set_lines(prepared: Prepared, widths: Widths, shaper: Shaper, align: str = "justify",
              indent: float = 0.0, color: str = "black", start: int = 0,
              first_is_para_start: bool = True, method: str = "total-fit") -> list[Line]:
    """Break and justify from unit `start`; `indent` (pt) shortens the paragraph's
    first line only. On the character grid (C15) a line is as many whole ems as its
    measure holds, centred in it: the part of an em left over is shared by the two
    sides, not poured into the line's gaps."""
    offsets = Widths.uniform(0.0)
    if prepared.options.grid and align == "justify":
        em = prepared.size * prepared.options.width
        whole = Widths.of(tuple(_ems(w, em) for w in widths.first), _ems(widths.rest, em))
        offsets = Widths.of(tuple((w - _ems(w, em)) / 2 for w in widths.first),
                            (widths.rest - _ems(widths.rest, em)) / 2)
        widths = whole
    if first_is_para_start and indent:
        first = widths(0) - indent
        widths = Widths.of((first, *widths.first[1:]) if widths.first else (first,), widths.rest)
    ranges = break_lines(prepared, widths, start, method)
    out = []
    for i, (a, b) in enumerate(ranges):
        ind = (indent if i == 0 and first_is_para_start else 0.0) + offsets(i)
        out.append(make_line(prepared, a, b, widths(i), ind, align, i == len(ranges) - 1, shaper, color))
    return out


def _shrink(shown: list[Unit]) -> float:
    """What the line's marks and gaps may give up (C10), as the breaker counts it."""
    total = sum(u.shrink + u.gap_shrink for u in shown)
    end = shown[-1]
    total -= end.gap_shrink + (end.shrink if end.end_trim else 0.0)
    if len(shown) > 1 and shown[0].start_trim:
        total -= shown[0].shrink
    return max(total, 0.0)


def _ems(width: float, em: float) -> float:
    """The whole ems a measure holds (C15), to a hundredth of a point."""
    return math.floor(width / em + 0.01 / em) * em if width == width and width < float("inf") else width


def make_line(prepared: Prepared, a: int, b: int, measure: float, indent: float, align: str,
              last: bool, shaper: Shaper, color: str) -> Line:
    units = prepared.units
    text_start = units[a].start
    text_end = units[b - 1].end
    forced = units[b - 1].forced
    against_rules = units[b - 1].brk == BREAK_LAST and not last
    while a < b and units[a].space:
        a += 1
    while b > a and (units[b - 1].space or units[b - 1].forced):
        b -= 1
    last = last or forced
    shown = list(units[a:b])
    if not shown:
        return Line((), measure, 0.0, 0.88 * prepared.size, 0.12 * prepared.size, text_start, text_end,
                    0.0, last)
    glyphs, adv = _glyphs(prepared, a, b, shaper)
    n = len(shown)
    shift = [0.0] * n
    gaps = [u.gap for u in shown]
    gaps[-1] = 0.0
    if shown[-1].end_trim:
        adv[-1] -= shown[-1].end_trim  # C8: the spare half after a closing mark goes
    em = prepared.size * prepared.options.width
    grid = prepared.options.grid and align == "justify" and _on_grid(shown, adv, em)
    if shown[0].start_trim and not grid:
        adv[0] -= shown[0].start_trim
        shift[0] -= shown[0].start_trim
    pad = None
    if shown[-1].hyphen and b < len(units):
        # a hyphenated word: the hyphen is drawn, and is no text (see _runs)
        pad = (shown[-1].hyphen, shown[-1].hyphen_width, 1)
    natural = sum(adv) + sum(gaps) + (pad[1] if pad else 0.0)
    hang = 0.0  # C18: the line-end mark hangs past the measure only when nothing else fits it
    if shown[-1].hang and not pad and natural - _shrink(shown) > measure + EPS \
            and natural - shown[-1].hang <= measure + EPS:
        hang = shown[-1].hang
    delta = measure + hang - natural
    grid_miss = ""
    if grid and (delta < -1e-6 or (delta > EPS and not last)):
        delta, grid_miss = _grid(shown, adv, shift, gaps, delta, em)
    elif delta < -1e-6:
        delta = _compress(shown, adv, shift, gaps, delta)
    elif delta > EPS and align == "justify" and (not last or hang):
        if pad is None:
            pad, delta = _tsheg_padding(prepared, shown, glyphs, delta)
        delta = _expand(shown, gaps, delta, prepared.size * prepared.options.width, prepared.options)
    x = indent
    if align == "center":
        x += max(delta, 0.0) / 2
    elif align == "end":
        x += max(delta, 0.0)
    runs = _runs(prepared, shown, glyphs, adv, shift, gaps, x, color, pad)
    used = {u.run for u in shown}
    ascent = max(ASCENT[prepared.runs[r].script] * prepared.sizes[r] - prepared.shifts[r] for r in used)
    descent = max(DESCENT[prepared.runs[r].script] * prepared.sizes[r] + prepared.shifts[r] for r in used)
    width = sum(adv) + sum(gaps) + (pad[1] * pad[2] if pad else 0.0)
    return Line(tuple(runs), measure, natural, ascent, descent, text_start, text_end,
                (width - natural) / prepared.size, last, x + width,
                overfull=not width <= measure + hang + OVERRUN,  # NaN too
                against_rules=against_rules, grid_miss=grid_miss)


def _on_grid(shown: list[Unit], adv, em: float) -> bool:
    """C15 applies to pure-Han lines: every unit a Han character or mark one em wide
    (no Latin, Tibetan, spaces or tracking)."""
    return all(u.script == "han" and not u.space and abs(w - em) < 0.01 for u, w in zip(shown, adv))


def _grid(shown: list[Unit], adv, shift, gaps, delta: float, em: float) -> tuple[float, str]:
    """C15 with C10/C11: justify a pure-Han line without moving a Han character off
    the em grid; the space is taken from or given to marks only. Returns what is left
    and '' or why the line could not hold (see Line.grid_miss).

    挤进 (too long): the marks after the line's last character may give up any part of
    their spare halves (the line-end mark first, C10 (1)); marks between characters
    only in whole ems, two halves in one run of marks, so that every character after
    them moves by whole ems. 推出 (too short, the line's last character pushed out): whole
    ems after closing marks and before opening ones. A line whose marks cannot do it is
    compressed as usual ('off'), or set short on the grid ('short')."""
    n = len(shown)
    mark = [grid_mark(u) for u in shown]
    if delta < 0:
        need = -delta
        last_char = max((k for k in range(n) if not mark[k]), default=-1)
        trailing = list(range(n - 1, last_char, -1))
        groups, k = [], 0  # runs of marks with a character after them
        while k <= last_char:
            if mark[k]:
                j = k
                while mark[j]:
                    j += 1
                groups.append(list(range(k, j)))
                k = j
            else:
                k += 1
        whole = [int(sum(shown[i].shrink for i in g) / em + 1e-6) for g in groups]
        tail = sum(shown[i].shrink for i in trailing)
        ems = max(0, math.ceil((need - tail) / em - 1e-6))
        rest = need - ems * em
        if ems > sum(whole) or rest < -EPS:
            return _compress(shown, adv, shift, gaps, delta), "off"
        # C10: the groups whose marks give way earliest first, then from the line's end
        order = sorted(range(len(groups)), key=lambda g: (min(shown[i].shrink_level for i in groups[g]), -g))
        for g in order:
            take = min(whole[g], ems)
            ems -= take
            _take(shown, adv, shift, groups[g], take * em)
        _take(shown, adv, shift, trailing, max(rest, 0.0))
        return 0.0, ""
    count = round(delta / em)
    slots = [k for k in range(n - 1) if grid_slot(shown, k)]
    if not slots or abs(delta - count * em) > 0.01:
        return delta, "short"
    # C11 has no order among marks; the stronger pause (full stops, then commas) first
    slots.sort(key=lambda k: (-max(shown[k].shrink_level, shown[k + 1].shrink_level), k))
    for i, k in enumerate(slots):
        gaps[k] += em * (count // len(slots) + (i < count % len(slots)))
    return delta - count * em, ""


def _take(shown: list[Unit], adv, shift, ks: list[int], amount: float) -> None:
    """Take `amount` from the spare halves of the marks `ks`, in that order."""
    for k in ks:
        part = min(amount, shown[k].shrink)
        if part <= 0:
            break
        adv[k] -= part
        shift[k] -= part * (shown[k].shrink_left / shown[k].shrink)
        amount -= part


def _compress(shown: list[Unit], adv, shift, gaps, delta: float) -> float:
    """C10: take space level by level until the line fits; equal items equally."""
    n = len(shown)
    end = shown[-1]
    if end.shrink and not end.end_trim:
        # C10 (1): the mark at the line end gives way first
        take = min(-delta, end.shrink)
        adv[-1] -= take
        shift[-1] -= take * (end.shrink_left / end.shrink)
        delta += take
        if delta >= -EPS:
            return delta
    for level in SHRINK_ORDER:
        if level == SHRINK_GAP:
            items = [(k, shown[k].gap_shrink) for k in range(n - 1) if shown[k].gap_shrink > 0]
        else:
            items = [(k, shown[k].shrink) for k in range(n)
                     if shown[k].shrink_level == level and shown[k].shrink > 0
                     and k != n - 1 and not (k == 0 and shown[k].start_trim)]
        cap = sum(amount for _, amount in items)
        if cap <= 0:
            continue
        take = min(-delta, cap)
        for k, amount in items:
            part = amount * take / cap
            if level == SHRINK_GAP:
                gaps[k] -= part
            else:
                adv[k] -= part
                shift[k] -= part * (shown[k].shrink_left / shown[k].shrink)
        delta += take
        if delta >= -EPS:
            break
    if delta < -EPS:
        # what is left comes from reshaping at the break (contextual widths differ a
        # little from the ones the breaker saw): take it from the inter-character gaps
        chars = [k for k in range(n - 1) if shown[k].stretch == STRETCH_CHAR]
        if chars and -delta <= 0.1 * len(chars):
            for k in chars:
                gaps[k] += delta / len(chars)
            delta = 0.0
    return delta


def _tsheg_padding(prepared: Prepared, shown: list[Unit], glyphs, delta: float):
    """T8 (a style option): a Tibetan line that ends in a tsheg is filled with tshegs
    rather than spaced out. Returns (gid, advance, count) and what is left to spread."""
    last = shown[-1]
    if (prepared.options.tibetan_justify != "tsheg" or prepared.text[last.end - 1] != bo.TSHEG
            or not glyphs[-1]):
        return None, delta
    tsheg = glyphs[-1][-1]
    advance = tsheg.advance * prepared.scales[last.run]
    count = int((delta + EPS) // advance) if advance > 0 else 0
    if not count:
        return None, delta
    return (tsheg.gid, advance, count), delta - count * advance


def _expand(shown: list[Unit], gaps, delta: float, size: float, options: Composition) -> float:
    """C11 and T7, by priority over the whole line: Western spaces to ½ em, Han-Western
    and Han-digit gaps to the style's maximum, then every other gap alike; with no such
    gaps, the spaces take the rest. No gap grows by more than the style's `gap_max`
    (nor an autospace gap past its maximum): what no gap may take is left over, and the
    line ends short.

    Tibetan (T7): the gaps that stretch are those after a tsheg or shad (a little wider
    tsheg, as T7 allows) and the spaces after a shad; inside a syllable nothing moves
    (prepare gives those gaps no stretch). A line with no such gap (one long word)
    spreads over its spaces, if any, and is otherwise left short: never letter-spaced."""
    word, han_latin, digit, chars = [], [], [], []
    kinds = {STRETCH_WORD: word, STRETCH_HAN_LATIN: han_latin, STRETCH_DIGIT: digit, STRETCH_CHAR: chars}
    for k in range(len(shown) - 1):
        kind = kinds.get(shown[k].stretch)
        if kind is not None:
            kind.append(k)
    limit = options.gap_max * size
    added = {}

    def spread(ks, cap):
        nonlocal delta
        while ks and delta > EPS:
            room = {k: min(cap, limit) - added.get(k, 0.0) for k in ks}
            ks = [k for k in ks if room[k] > EPS]
            if not ks:
                break
            each = min(delta / len(ks), min(room[k] for k in ks))
            for k in ks:
                gaps[k] += each
                added[k] = added.get(k, 0.0) + each
            delta -= each * len(ks)

    spread(word, 0.25 * size)
    spread(han_latin, (options.han_latin_max - options.han_latin_gap) * size)
    spread(digit, (options.han_digit_max - options.han_digit_gap) * size)
    spread(chars or word, limit)
    return delta


def _glyphs(prepared: Prepared, a: int, b: int, shaper: Shaper):
    """The line's glyphs per unit, and each unit's advance. A run piece whose edge
    HarfBuzz marked unsafe to break is shaped again on its own."""
    units = prepared.units
    glyphs: list[tuple] = []
    adv: list[float] = []
    k = a
    while k < b:
        r = units[k].run
        j = k
        while j < b and units[j].run == r:
            j += 1
        members = units[k:j]
        unsafe_start = members[0].glyphs and members[0].glyphs[0].unsafe and k > 0 and units[k - 1].run == r
        unsafe_end = j < len(units) and units[j].run == r and units[j].glyphs and units[j].glyphs[0].unsafe
        if unsafe_start or unsafe_end:
            run = prepared.runs[r]
            s, e = members[0].start, members[-1].end
            features = tuple(sorted(_features(run.script).items()))
            shaped = shaper.shape(run.face, prepared.text[s:e], HB_SCRIPT[run.script],
                                  HB_LANGUAGE[run.script], features)
            scale = prepared.scales[r]
            for u in members:
                gl = tuple(g for g in shaped if u.start - s <= g.cluster < u.end - s)
                glyphs.append(gl)
                tracking = u.width - sum(g.advance for g in u.glyphs) * scale
                adv.append(sum(g.advance for g in gl) * scale + tracking)
        else:
            for u in members:
                glyphs.append(u.glyphs)
                adv.append(u.width)
        k = j
    return glyphs, adv


def _runs(prepared: Prepared, shown, glyphs, adv, shift, gaps, x0: float, color: str,
          pad=None) -> list[GlyphRun]:
    runs: list[GlyphRun] = []
    text = prepared.text
    x = x0
    k = 0
    n = len(shown)
    while k < n:
        r = shown[k].run
        scale = prepared.scales[r]  # along x; y is not scaled by the type's width
        yscale = scale / prepared.options.width
        run_x = x
        gids, positions, advances, clusters = [], [], [], []
        add_gid, add_position, add_advance = gids.append, positions.append, advances.append
        while k < n and shown[k].run == r:
            u = shown[k]
            pen = x - run_x + shift[k]
            first = len(gids)
            unit_glyphs = glyphs[k]
            if len(unit_glyphs) == 1:  # most units: a Han character, a letter
                g = unit_glyphs[0]
                add_gid(g.gid)
                add_position((pen + g.dx * scale, -g.dy * yscale))
                add_advance(g.advance * scale)
            else:
                for g in unit_glyphs:
                    advance = g.advance * scale
                    add_gid(g.gid)
                    add_position((pen + g.dx * scale, -g.dy * yscale))
                    add_advance(advance)
                    pen += advance
            if len(gids) > first:
                clusters.append(_new(Cluster, (first, len(gids) - first, text[u.start:u.end])))
            elif clusters:  # reshaping merged this unit into the previous
                prev = clusters[-1]
                clusters[-1] = Cluster(prev.first, prev.count, prev.text + text[u.start:u.end])
            x += adv[k] + gaps[k]
            k += 1
        if pad and k == n:
            # T8 padding or a hyphen: drawn, but standing for no text
            gid, advance, count = pad
            pen = x - run_x
            clusters.append(Cluster(len(gids), count, ""))
            for _ in range(count):
                gids.append(gid)
                positions.append((pen, 0.0))
                advances.append(advance)
                pen += advance
        if gids:
            runs.append(GlyphRun(prepared.runs[r].face, prepared.sizes[r], run_x, prepared.shifts[r],
                                 tuple(gids), tuple(positions), tuple(advances), tuple(clusters),
                                 prepared.runs[r].color or color, prepared.options.width))
    return runs
