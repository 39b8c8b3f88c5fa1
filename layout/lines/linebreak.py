"""Choose line ends for a prepared paragraph: pure functions over unit widths.

Two breakers behind one entry point, `break_lines`: first-fit (each line as full as it
can be, squeezing before pushing out, C5) and total-fit (Knuth–Plass: the breaks that
make the whole paragraph's spacing most even). Both take a width per line, so lines
beside a photo can be shorter, and both honour the break classes prepare.py set:
ordinary breaks first, emergency breaks (inside a Latin word) only when nothing else
fits, then last-resort breaks (between any two grapheme clusters, against the Chinese
and Tibetan rules) only where no other break makes a line fit, and an overfull line
only when a single unit is wider than the measure. Such a line is marked (Line.overfull)
and the stages above place none: they count its text as overset.
"""
from __future__ import annotations

from typing import NamedTuple
from itertools import accumulate

from ..text import zh
from ..base.scripts import is_han
from .prepare import (BREAK_EMERGENCY, BREAK_HYPHEN, BREAK_LAST, BREAK_OK, STRETCH_CHAR, STRETCH_DIGIT,
                      STRETCH_HAN_LATIN, STRETCH_WORD, Prepared, grid_slot)

EPS = 0.005  # pt: the tolerance of "fits" (half the 0.01 pt a line may overrun)
# how far each kind of gap may comfortably stretch, in em: sets badness, not a limit
COMFORT = {STRETCH_CHAR: 0.15, STRETCH_WORD: 0.5, STRETCH_HAN_LATIN: 0.25, STRETCH_DIGIT: 0.25}
EMERGENCY_PENALTY = 1e5
# a break against the rules costs more than the loosest legal line ((1 + 1e4) ** 2),
# splitting an inseparable pair (C4: —— ……) more still; an overfull line more than any
LAST_PENALTY = 1e9
HYPHEN_PENALTY = 2500.0  # a hyphenated line costs as much as a fairly loose one
SHORT_LAST_LINE = 1e6  # C17: a last line of one Han character
OVERFULL = 1e6
SHRINK_COST = 0.1  # badness of compression relative to expansion


class Widths(NamedTuple):
    """Line widths: the first lines' widths, then one width for all the rest. (A
    NamedTuple: made for every column filled, and a key of the setter's cache.)"""
    first: tuple[float, ...]
    rest: float

    def __call__(self, i: int) -> float:
        return self.first[i] if i < len(self.first) else self.rest

    @staticmethod
    def uniform(width: float) -> "Widths":
        return Widths((), width)

    @staticmethod
    def of(widths, rest: float) -> "Widths":
        """Widths with the trailing run equal to `rest` dropped: the breaker keeps one
        candidate per position and line-width class, so fewer classes is faster."""
        first = list(widths)
        while first and abs(first[-1] - rest) < 1e-9:
            first.pop()
        return Widths(tuple(first), rest)


class _Sums:
    """Prefix sums and per-unit arrays that make any candidate line's measures O(1)."""

    def __init__(self, p: Prepared):
        u = p.units
        n = len(u)
        self.units = u
        self.text = p.text
        self.size = p.size * p.options.width  # the em along x: a condensed em is narrower
        self.adv = [0.0, *accumulate(x.width + x.gap for x in u)]
        self.shr = [0.0, *accumulate(x.shrink + x.gap_shrink for x in u)]
        self.stretch = [0.0, *accumulate(COMFORT.get(x.stretch, 0.0) * self.size for x in u)]
        # C15: a pure-Han line takes space on the grid only beside marks; a line with
        # anything else in it (digits, Latin, Tibetan) is justified as usual
        self.grid_stretch = self.off_grid = None
        if p.options.grid:
            self.grid_stretch = [0.0, *accumulate(_grid_comfort(u, self.size))]
            self.off_grid = [0, *accumulate(int(not _grid_unit(x, self.size)) for x in u)]
        # where a line that starts (ends) at a boundary really starts (ends): spaces and
        # line feeds at its ends are not set
        self.first = list(range(n + 1))
        for i in range(n - 1, -1, -1):
            if u[i].space:
                self.first[i] = self.first[i + 1]
        self.last = list(range(n + 1))
        for j in range(1, n + 1):
            if u[j - 1].space or u[j - 1].forced:
                self.last[j] = self.last[j - 1]
        # what the last unit of a line takes away or adds, and what the first one gives up
        self.end_cut = [x.gap + x.end_trim - x.end_extra for x in u]
        self.end_shrink = [x.gap_shrink + (x.shrink if x.end_trim else 0.0) for x in u]
        self.start_cut = [x.start_trim for x in u]
        self.start_shrink = [x.shrink if x.start_trim else 0.0 for x in u]
        # for the windowed breaker's bisection: where a line ending at break j really
        # ends, its advance sum and its advance-minus-shrink sum (both never fall as j
        # grows; the second only while no unit may shrink by more than it is wide)
        last = self.last
        self.adv_at = ([self.adv[last[j]] for j in range(n + 1)]
                       if all(x <= y for x, y in zip(self.adv, self.adv[1:])) else None)
        self.tight = [a - s for a, s in zip(self.adv, self.shr)]
        self.tight_at = ([self.tight[last[j]] for j in range(n + 1)]
                         if all(x <= y for x, y in zip(self.tight, self.tight[1:])) else None)
        # C18: what a line-end mark may hang past the measure (None: no hanging)
        self.hang = [x.hang for x in u] if p.options.hang else None
        self.max_end_cut = max((c + (x.hang if self.hang else 0.0) for c, x in zip(self.end_cut, u) if c > 0
                                or (self.hang and x.hang)), default=0.0)
        self.max_end_extra = max((-c for c in self.end_cut if c < 0), default=0.0)
        self._penalty: list[float] | None = None

    @property
    def penalty(self) -> list[float]:
        """The cost of a line ending after each unit (made when a breaker first needs it)."""
        if self._penalty is None:
            text = self.text
            runs = [0] * len(text)  # where the run of one repeated character at each index starts
            for i in range(1, len(text)):
                runs[i] = runs[i - 1] if text[i] == text[i - 1] else i
            self._penalty = [_penalty(text, x, runs) for x in self.units]
        return self._penalty

    def content(self, a: int, b: int) -> tuple[int, int]:
        """The units a line [a, b) shows: no spaces or line feeds at either end."""
        a = self.first[a]
        b = self.last[b]
        return (a, b) if b > a else (a, a)

    def measure(self, a: int, b: int) -> tuple[float, float, float]:
        """(natural width, shrinkability, comfortable stretch) of the line [a, b)."""
        a = self.first[a]
        b = self.last[b]
        if b <= a:
            return 0.0, 0.0, 0.0
        natural = self.adv[b] - self.adv[a] - self.end_cut[b - 1] - self.start_cut[a]
        shrink = self.shr[b] - self.shr[a] - self.end_shrink[b - 1]
        if b - a > 1:
            shrink -= self.start_shrink[a]
        return natural, max(shrink, 0.0), self.stretch_of(a, b)

    def hung(self, b: int, natural: float, shrink: float, width: float) -> float:
        """C18: a line that its marks cannot squeeze into the measure (C10), too long by no
        more than its last mark, is as long as what is left when the mark hangs past the
        measure: the mark hangs only when it must."""
        h = self.hang[b - 1]
        if h and natural - shrink > width + EPS and natural - h <= width + EPS:
            return natural - h
        return natural

    def stretch_of(self, a: int, b: int) -> float:
        """The comfortable stretch of the line [a, b) (first and last already applied)."""
        if self.off_grid is not None and self.off_grid[b] == self.off_grid[a]:
            return self.grid_stretch[b - 1] - self.grid_stretch[a]
        return self.stretch[b - 1] - self.stretch[a]


def break_lines(prepared: Prepared, widths: Widths, start: int = 0,
                method: str = "total-fit") -> list[tuple[int, int]]:
    """Lines as unit ranges [a, b), from unit `start` to the paragraph's end."""
    sums = prepared.memo.get("sums")
    if sums is None:
        sums = prepared.memo["sums"] = _Sums(prepared)
    if start >= len(prepared.units):
        return []
    if method == "first-fit":
        return _first_fit(sums, widths, start)
    lines = _windowed(sums, widths, start)
    if lines is None:  # a line would have to be looser than the window allows
        lines = _total_fit(sums, widths, start, (BREAK_OK, BREAK_HYPHEN), overfull=False)
    if lines is None:  # nothing fits without an emergency break (the fast pass first: a run of
        # 100,000 digits has a candidate at every character, and the full search meets
        # each with every open breakpoint a line's width back, again for every column)
        emergency = (BREAK_OK, BREAK_HYPHEN, BREAK_EMERGENCY)
        lines = _windowed(sums, widths, start, emergency)
        if lines is None:
            lines = _total_fit(sums, widths, start, emergency, overfull=False)
    if lines is None:  # nor without breaking the rules (an unbroken run: the fast pass first), or overfull
        every = (BREAK_OK, BREAK_HYPHEN, BREAK_EMERGENCY, BREAK_LAST)
        lines = _windowed(sums, widths, start, every)
        if lines is None:
            lines = _total_fit(sums, widths, start, every, overfull=True)
    return lines if lines is not None else _first_fit(sums, widths, start)


def _fits(sums: _Sums, a: int, b: int, width: float) -> bool:
    natural, shrink, _ = sums.measure(a, b)
    return natural - shrink <= width + EPS


def _first_fit(sums: _Sums, widths: Widths, start: int) -> list[tuple[int, int]]:
    units = sums.units
    n = len(units)
    lines: list[tuple[int, int]] = []
    a = start
    while a < n:
        while a < n and units[a].space:
            a += 1
        if a >= n:
            break
        width = widths(len(lines))
        best = {BREAK_OK: None, BREAK_HYPHEN: None, BREAK_EMERGENCY: None, BREAK_LAST: None}
        b = a + 1
        end = None
        while b <= n:
            if not _fits(sums, a, b, width) and b > a + 1:
                break
            u = units[b - 1]
            if u.forced or b == n:
                end = b
                break
            if u.brk in best:
                best[u.brk] = b
            b += 1
        if end is None:
            end = best[BREAK_OK] or best[BREAK_HYPHEN] or best[BREAK_EMERGENCY] or best[BREAK_LAST]
        if end is None:
            # not even the first grapheme cluster fits: it alone makes an overfull line
            end = a + 1
            while end < n and not units[end - 1].brk and not units[end - 1].forced:
                end += 1
        lines.append((a, end))
        a = end
    return lines


def _total_fit(sums: _Sums, widths: Widths, start: int, allow,
               overfull: bool) -> list[tuple[int, int]] | None:
    units = sums.units
    n = len(units)
    fixed = len(widths.first)
    first_widths = widths.first
    rest = widths.rest
    firsts, lasts = sums.first, sums.last
    adv, shr, stretch_sum, off_grid, hang = sums.adv, sums.shr, sums.stretch, sums.off_grid, sums.hang
    end_cut, end_shrink = sums.end_cut, sums.end_shrink
    start_cut, start_shrink = sums.start_cut, sums.start_shrink
    penalties = sums.penalty if BREAK_LAST in allow or BREAK_EMERGENCY in allow else None
    limit = EPS
    # breakpoints: (position, line-width class) -> (demerits, lines so far, previous key)
    nodes: dict[tuple[int, int], tuple[float, int, tuple | None]] = {(start, 0): (0.0, 0, None)}
    active: dict[tuple[int, int], None] = {(start, 0): None}  # insertion-ordered, deterministic
    for j in range(start + 1, n + 1):
        u = units[j - 1]
        last = j == n
        forced = u.forced and not last
        if not (last or forced or u.brk in allow):
            continue
        penalty = 0.0
        if not (last or forced):
            penalty = (HYPHEN_PENALTY if u.brk == BREAK_HYPHEN else 0.0) if penalties is None else penalties[j - 1]
        b = lasts[j]
        new: dict[tuple[int, int], tuple[float, int, tuple]] = {}
        gone = []
        for key in active:
            dem, count, _ = nodes[key]
            width = first_widths[count] if count < fixed else rest
            a = firsts[key[0]]
            if b <= a:
                natural = shrink = stretch = 0.0
            else:
                natural = adv[b] - adv[a] - end_cut[b - 1] - start_cut[a]
                shrink = shr[b] - shr[a] - end_shrink[b - 1] - (start_shrink[a] if b - a > 1 else 0.0)
                if shrink < 0.0:
                    shrink = 0.0
                stretch = stretch_sum[b - 1] - stretch_sum[a] if off_grid is None else sums.stretch_of(a, b)
                if hang is not None:
                    natural = sums.hung(b, natural, shrink, width)
            if natural - shrink > width + limit:
                gone.append(key)  # lines from here only grow longer
                if not overfull:
                    continue
                # the first legal end of a line that cannot fit: the least bad overfull
                # line, kept so that the paragraph can go on
                bad = OVERFULL + (natural - shrink - width) * 1e4
            elif natural > width:
                # C5: squeezing marks is routine in Chinese setting, cheaper than
                # pushing a character out and spacing the line
                bad = _badness(natural - width, shrink) * SHRINK_COST
            elif last or forced:
                bad = 0.0  # a paragraph's last line is set solid (C12)
            else:
                bad = _badness(width - natural, stretch)
            total = dem + (1 + bad) ** 2 + penalty
            if last and _one_han_char(sums, key[0], j):
                total += SHORT_LAST_LINE
            nkey = (j, count + 1 if count + 1 < fixed else fixed)
            if nkey not in new or total < new[nkey][0]:
                new[nkey] = (total, count + 1, key)
        for key in gone:
            del active[key]
        if forced:
            active = {}
        nodes.update(new)
        for key in new:
            active[key] = None
        if not active:
            return None
    return _best_path(nodes, active, n)


WINDOW_EM = 3.0  # how much shorter than its measure a line may be in the fast pass


def _windowed(sums: _Sums, widths: Widths, start: int,
              allow=(BREAK_OK, BREAK_HYPHEN)) -> list[tuple[int, int]] | None:
    """Total-fit with each line's end searched only where the line is nearly full.

    The same demerits as _total_fit, but instead of every open breakpoint meeting every
    later break, each breakpoint looks only at the breaks that make its line between
    WINDOW_EM short and full (found by bisection on the advance sums): a handful in
    Chinese text, where every character boundary is a candidate. When a line would
    have to be looser than that (a long word, a line feed), it gives up and the full
    search runs.
    """
    import bisect
    import heapq

    units = sums.units
    n = len(units)
    slack = WINDOW_EM * sums.size
    adv, shr, stretch_sum = sums.adv, sums.shr, sums.stretch
    firsts, lasts = sums.first, sums.last
    end_cut, end_shrink = sums.end_cut, sums.end_shrink
    start_cut, start_shrink = sums.start_cut, sums.start_shrink
    tight = sums.tight
    fixed, first_widths, rest = len(widths.first), widths.first, widths.rest
    cands = [j for j in range(start + 1, n) if units[j - 1].brk in allow]
    # ordinary text (the first pass) needs no penalty list: only hyphens cost anything
    penalties = sums.penalty if BREAK_LAST in allow or BREAK_EMERGENCY in allow else None
    forced = [j for j in range(start + 1, n) if units[j - 1].forced]
    if forced:
        return None  # line feeds (subheads, headlines) are short texts: the full search is cheap
    adv_at, tight_at = sums.adv_at, sums.tight_at
    cand_adv = [adv_at[j] for j in cands] if adv_at is not None else None
    cand_tight = [tight_at[j] for j in cands] if tight_at is not None else None
    nodes: dict[tuple[int, int], tuple[float, int, tuple | None]] = {(start, 0): (0.0, 0, None)}
    queue = [(start, 0)]
    done = set()
    while queue:
        key = heapq.heappop(queue)
        if key in done:
            continue
        done.add(key)
        i = key[0]
        dem, count, _ = nodes[key]
        width = first_widths[count] if count < fixed else rest
        a = firsts[i]
        base = adv[a]
        first_cand = bisect.bisect_left(cands, a + 1)
        # the breaks whose line might still be squeezed into the measure: bisection on
        # the advance-minus-shrink sums (a line's natural width less its shrink is at
        # least their difference less the cuts at its ends)
        if cand_tight is not None:
            limit = tight[a] + width + EPS + start_cut[a] + sums.max_end_cut
            hi = bisect.bisect_right(cand_tight, limit)
            to_end = tight_at[n] <= limit
        else:
            hi = bisect.bisect_right(cands, bisect.bisect_right(adv, base + width + (shr[n] - shr[a]) + sums.size, a) - 1)
            to_end = True
        # ... of those, the ones that leave the line at most `slack` short
        near = first_cand
        if cand_adv is not None:
            near = max(near, bisect.bisect_left(cand_adv, base + width - slack - sums.max_end_extra))
        found = False
        for loose in (False, True):
            # first only lines near full; if there is none (a long word follows), any
            # line that fits, however loose
            if found:
                break
            targets = cands[near if not loose else first_cand:hi]
            if to_end:
                targets.append(n)
            for j in targets:
                b = lasts[j]
                if b <= a:
                    continue
                natural = adv[b] - base - end_cut[b - 1] - start_cut[a]
                shrink = shr[b] - shr[a] - end_shrink[b - 1] - (start_shrink[a] if b - a > 1 else 0.0)
                if shrink < 0.0:
                    shrink = 0.0
                if sums.hang is not None:
                    natural = sums.hung(b, natural, shrink, width)
                if j != n and natural < width - slack and not loose:
                    continue
                if natural - shrink > width + EPS:
                    continue
                if natural > width:
                    bad = _badness(natural - width, shrink) * SHRINK_COST
                elif j == n:
                    bad = 0.0
                else:
                    bad = _badness(width - natural, stretch_sum[b - 1] - stretch_sum[a] if sums.off_grid is None
                                   else sums.stretch_of(a, b))
                if j == n:
                    penalty = 0.0
                elif penalties is None:
                    penalty = HYPHEN_PENALTY if units[j - 1].brk == BREAK_HYPHEN else 0.0
                else:
                    penalty = penalties[j - 1]
                total = dem + (1 + bad) ** 2 + penalty
                if j == n and _one_han_char(sums, i, j):
                    total += SHORT_LAST_LINE
                nkey = (j, count + 1 if count + 1 < fixed else fixed)
                if nkey not in nodes or total < nodes[nkey][0]:
                    nodes[nkey] = (total, count + 1, key)
                    if j != n:
                        heapq.heappush(queue, nkey)
                found = True
        if not found:
            return None
    return _best_path(nodes, nodes, n)


def _best_path(nodes: dict, keys, n: int) -> list[tuple[int, int]] | None:
    """The lines of the cheapest chain of breakpoints that reaches the end `n`."""
    ends = [k for k in keys if k[0] == n]
    if not ends:
        return None
    key = min(ends, key=lambda k: (nodes[k][0], k))
    breaks = []
    while key is not None:
        breaks.append(key[0])
        key = nodes[key][2]
    breaks.reverse()
    return [(breaks[k], breaks[k + 1]) for k in range(len(breaks) - 1)]


def _penalty(text: str, u, runs: list[int]) -> float:
    """What a line ending after unit `u` costs, on top of its badness (`runs`: where
    the run of one repeated character at each index starts)."""
    if u.brk == BREAK_EMERGENCY:
        return EMERGENCY_PENALTY
    if u.brk == BREAK_HYPHEN:
        return HYPHEN_PENALTY
    if u.brk != BREAK_LAST:
        return 0.0
    a, b = text[u.end - 1], text[u.end]
    if a + b not in zh.UNBREAKABLE:
        return LAST_PENALTY
    # in a run of dashes or dots, a break between two pairs splits none (looked up, not
    # walked back: walking made a run of 50,000 dashes take minutes)
    k = runs[u.end - 1]
    return LAST_PENALTY * (1 if (u.end - k) % 2 == 0 else 2)


def _grid_unit(x, em: float) -> bool:
    """A unit a pure-Han line on the grid is made of: a Han character or mark one em wide."""
    return x.script == "han" and not x.space and abs(x.width - em) < 0.01


def _grid_comfort(u, em: float):
    """C15: between two Han units of a grid paragraph only the gaps beside marks take
    space (whole ems, justify._grid), so the breaker counts those as a comfortable em
    and the others as a twentieth (a line left short costs more the more ems it
    lacks); elsewhere (Latin, Tibetan) stretch as usual."""
    n = len(u)
    for k, x in enumerate(u):
        if k + 1 < n and x.script == "han" and u[k + 1].script == "han" and not x.space and not u[k + 1].space:
            yield em if grid_slot(u, k) else 0.05 * em
        else:
            yield COMFORT.get(x.stretch, 0.0) * em


def _badness(excess: float, flex: float) -> float:
    if excess <= EPS:
        return 0.0
    if flex <= 0:
        return 1e4
    r = excess / flex
    b = 100.0 * r * r * r
    return b if b < 1e4 else 1e4


def _one_han_char(sums: _Sums, a: int, b: int) -> bool:
    """C17: the line [a, b) holds a single Han character (marks aside)."""
    a, b = sums.content(a, b)
    text = sums.text
    hans = 0
    for k in range(a, b):  # stops at the second Han character or anything else
        u = sums.units[k]
        if u.space:
            continue
        ch = text[u.start]
        if is_han(ch):
            hans += 1
            if hans > 1:
                return False
        elif not zh.is_cjk_punct(ch):
            return False
    return hans == 1
