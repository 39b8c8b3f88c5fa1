"""Unicode Line Breaking Algorithm (UAX #14 for Unicode 15.0.0, rules LB2-LB31).

The rules are written once, in order, in `_unit_rule`; at import they are folded into
pair tables so that the per-character loop is a few table lookups. Only the pairs whose
outcome depends on more than the two classes (LB21a, LB25, LB28a, LB30, LB30a, LB30b)
fall back to `_unit_rule` with a lazily evaluated context, which keeps the loop linear.

Properties come from `linebreak_data` (generated from the UCD 15.0.0), never from
Python's `unicodedata`, whose version follows the interpreter (14.0 in Python 3.11).
Numbers use the regex tailoring of LB25 from UAX #14 section 8.2, example 7, as the
conformance file LineBreakTest.txt does. LB28a (classes AK, AP, AS, VF, VI) is
implemented, but those classes first appear in the Unicode 15.1 data, so with the
15.0.0 tables it never fires.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from . import linebreak_data as _data

NO_BREAK, ALLOWED, MANDATORY = 0, 1, 2

CLASS_NAMES = (
    "BK", "CR", "LF", "NL", "SP", "ZW", "CM", "ZWJ", "WJ", "GL", "CB", "CL", "CP", "EX",
    "IS", "SY", "OP", "QU", "NS", "B2", "BA", "BB", "HY", "HL", "IN", "AL", "NU", "PR",
    "PO", "ID", "EB", "EM", "H2", "H3", "JL", "JV", "JT", "RI", "AK", "AP", "AS", "VF",
    "VI", "AI", "SA", "SG", "XX", "CJ", "sot",
)
(BK, CR, LF, NL, SP, ZW, CM, ZWJ, WJ, GL, CB, CL, CP, EX,
 IS, SY, OP, QU, NS, B2, BA, BB, HY, HL, IN, AL, NU, PR,
 PO, ID, EB, EM, H2, H3, JL, JV, JT, RI, AK, AP, AS, VF,
 VI, AI, SA, SG, XX, CJ, SOT) = range(len(CLASS_NAMES))
_N = len(CLASS_NAMES)
_INDEX = MappingProxyType({name: k for k, name in enumerate(CLASS_NAMES)})
_DOTTED_CIRCLE = "\u25cc"  # stands in for a consonant in LB28a

# Codes in the raw table (besides NO_BREAK/ALLOWED/MANDATORY) and the pair table.
_ABSORB = 3  # LB9: a CM/ZWJ joins the unit before it
_UNIT = 4    # decide with the unit-level rules
_LB21A = 3   # pair table: NO_BREAK after "HL (HY|BA)", else ALLOWED
_SLOW = 4    # pair table: ask _unit_rule with the real context

# Context states carried from unit to unit (LB25 numbers, LB30a regional indicators).
_ST_NONE, _ST_NUM, _ST_NUM_CLOSED, _ST_RI_ODD, _ST_RI_EVEN = range(5)


def _in_set(bounds: tuple[int, ...], cp: int) -> bool:
    return bisect_right(bounds, cp) & 1 == 1


def _lb1(raw: str, sa_mark: bool) -> int:
    """LB1 with the default resolution: the algorithm has no dictionary for SA scripts."""
    if raw in ("AI", "SG", "XX"):
        return AL
    if raw == "SA":
        return CM if sa_mark else AL
    if raw == "CJ":
        return NS
    return _INDEX[raw]


def _resolved_runs() -> tuple[tuple[int, ...], bytes]:
    starts = sorted(set(_data.LB_STARTS) | set(_data.SA_MARKS))
    values = bytes(_lb1(_data.LB_VALUES[bisect_right(_data.LB_STARTS, s) - 1],
                        _in_set(_data.SA_MARKS, s)) for s in starts)
    return tuple(starts), values


_RUN_STARTS, _RUN_VALUES = _resolved_runs()


def _bmp_table() -> bytes:
    table = bytearray(0x10000)
    for k, start in enumerate(_RUN_STARTS):
        if start >= 0x10000:
            break
        end = _RUN_STARTS[k + 1] if k + 1 < len(_RUN_STARTS) else 0x110000
        table[start:min(end, 0x10000)] = bytes((_RUN_VALUES[k],)) * (min(end, 0x10000) - start)
    return bytes(table)


_BMP = _bmp_table()
# Classes that an unassigned Extended_Pictographic code point can have (LB30b).
_XP_CLASSES = frozenset(
    _RUN_VALUES[bisect_right(_RUN_STARTS, cp) - 1]
    for first, end in zip(_data.EXTPICT_UNASSIGNED[::2], _data.EXTPICT_UNASSIGNED[1::2])
    for cp in range(first, end))


def _classes(text: str) -> list[int]:
    """Resolved class ids; the all-BMP case (nearly every paragraph) stays in C loops."""
    bmp = _BMP
    if not text or max(text) < "\U00010000":
        return list(map(bmp.__getitem__, map(ord, text)))
    starts, values = _RUN_STARTS, _RUN_VALUES
    return [bmp[o] if o < 0x10000 else values[bisect_right(starts, o) - 1]
            for o in map(ord, text)]


def line_break_classes(text: str) -> list[str]:
    """Line_Break class of each character after LB1 (AI/SG/XX -> AL, SA -> CM or AL, CJ -> NS)."""
    return [CLASS_NAMES[c] for c in _classes(text)]


class _Context:
    """What the few context-dependent rules need, computed only when they ask.

    `i` is the index of the character being decided, `base` the first character of the
    unit before it (the unit being the character plus the CM/ZWJ that LB9 attached)."""

    __slots__ = ("text", "cls", "i", "base", "prev2", "state")

    def __init__(self, text: str, cls: list[int], i: int, base: int, prev2: int, state: int):
        self.text, self.cls, self.i, self.base, self.prev2, self.state = text, cls, i, base, prev2, state

    def _attached(self, j: int) -> bool:
        return _RAW[self.cls[j - 1] * _N + self.cls[j]] == _ABSORB

    def prev2_is_hl(self) -> bool:
        return self.prev2 == HL

    def prev2_akish(self) -> bool:
        if self.prev2 in (AK, AS):
            return True
        if self.prev2 != AL:
            return False
        k = self.base - 1
        while k > 0 and self._attached(k):
            k -= 1
        return self.text[k] == _DOTTED_CIRCLE

    def next_unit(self) -> int:
        """Class of the unit after the one starting at i (SOT stands for end of text)."""
        j, n = self.i + 1, len(self.text)
        while j < n and self._attached(j):
            j += 1
        if j >= n:
            return SOT
        c = self.cls[j]
        return AL if c in (CM, ZWJ) else c

    def num_state(self) -> int:
        return self.state if self.state in (_ST_NUM, _ST_NUM_CLOSED) else _ST_NONE

    def ri_odd(self) -> bool:
        return self.state == _ST_RI_ODD

    def a_wide(self) -> bool:
        return _in_set(_data.EAST_ASIAN_FWH, ord(self.text[self.base]))

    def b_wide(self) -> bool:
        return _in_set(_data.EAST_ASIAN_FWH, ord(self.text[self.i]))

    def a_extpict_unassigned(self) -> bool:
        return _in_set(_data.EXTPICT_UNASSIGNED, ord(self.text[self.base]))

    def a_dotted(self) -> bool:
        return self.text[self.base] == _DOTTED_CIRCLE

    def b_dotted(self) -> bool:
        return self.text[self.i] == _DOTTED_CIRCLE


def _unit_rule(a: int, b: int, s: int, ctx: _Context | _Probe) -> int:
    """LB8 and LB11-LB31 between two units (LB9/LB10 already applied to a and b).

    `s` is the class before any spaces that end at a (equal to a if a is not SP)."""
    if s == ZW:
        return ALLOWED                                      # LB8
    if a == WJ or b == WJ or a == GL:
        return NO_BREAK                                     # LB11, LB12
    if b == GL and a not in (SP, BA, HY):
        return NO_BREAK                                     # LB12a
    if b in (CL, CP, EX, IS, SY):
        return NO_BREAK                                     # LB13
    if s == OP or (s == QU and b == OP) or (s in (CL, CP) and b == NS) or (s == B2 and b == B2):
        return NO_BREAK                                     # LB14-LB17
    if a == SP:
        return ALLOWED                                      # LB18
    if a == QU or b == QU:
        return NO_BREAK                                     # LB19
    if a == CB or b == CB:
        return ALLOWED                                      # LB20
    if b in (BA, HY, NS) or a == BB:
        return NO_BREAK                                     # LB21
    if a in (HY, BA) and ctx.prev2_is_hl():
        return NO_BREAK                                     # LB21a
    if (a == SY and b == HL) or b == IN:
        return NO_BREAK                                     # LB21b, LB22
    if (a in (AL, HL) and b == NU) or (a == NU and b in (AL, HL)):
        return NO_BREAK                                     # LB23
    if (a == PR and b in (ID, EB, EM)) or (a in (ID, EB, EM) and b == PO):
        return NO_BREAK                                     # LB23a
    if (a in (PR, PO) and b in (AL, HL)) or (a in (AL, HL) and b in (PR, PO)):
        return NO_BREAK                                     # LB24
    # LB25, tailored: (PR|PO)? (OP|HY)? NU (NU|SY|IS)* (CL|CP)? (PR|PO)? holds together.
    if a in (PR, PO) and (b == NU or (b in (OP, HY) and ctx.next_unit() == NU)):
        return NO_BREAK
    if a in (OP, HY) and b == NU:
        return NO_BREAK
    if b in (NU, SY, IS, CL, CP) and (a == NU or (a in (SY, IS) and ctx.num_state() == _ST_NUM)):
        return NO_BREAK
    if b in (PO, PR) and (a == NU or (a in (SY, IS, CL, CP) and ctx.num_state() != _ST_NONE)):
        return NO_BREAK
    if ((a == JL and b in (JL, JV, H2, H3)) or (a in (JV, H2) and b in (JV, JT))
            or (a in (JT, H3) and b == JT)):
        return NO_BREAK                                     # LB26
    if (a in (JL, JV, JT, H2, H3) and b == PO) or (a == PR and b in (JL, JV, JT, H2, H3)):
        return NO_BREAK                                     # LB27
    if a in (AL, HL) and b in (AL, HL):
        return NO_BREAK                                     # LB28
    # LB28a: Brahmic orthographic syllables (classes AK/AP/AS/VF/VI; none in 15.0.0 data).
    if a == AP and (b in (AK, AS) or (b == AL and ctx.b_dotted())):
        return NO_BREAK
    a_ak = a in (AK, AS) or (a == AL and b in (AK, AS, VF, VI) and ctx.a_dotted())
    if a_ak and b in (VF, VI):
        return NO_BREAK
    if a == VI and (b == AK or (b == AL and ctx.b_dotted())) and ctx.prev2_akish():
        return NO_BREAK
    if a_ak and (b in (AK, AS) or (b == AL and ctx.b_dotted())) and ctx.next_unit() == VF:
        return NO_BREAK
    if a == IS and b in (AL, HL):
        return NO_BREAK                                     # LB29
    if a in (AL, HL, NU) and b == OP and not ctx.b_wide():
        return NO_BREAK                                     # LB30
    if a == CP and b in (AL, HL, NU) and not ctx.a_wide():
        return NO_BREAK                                     # LB30
    if a == RI and b == RI and ctx.ri_odd():
        return NO_BREAK                                     # LB30a
    if b == EM and (a == EB or (a in _XP_CLASSES and ctx.a_extpict_unassigned())):
        return NO_BREAK                                     # LB30b
    return ALLOWED                                          # LB31


def _raw_rule(a: int, b: int) -> int:
    """LB4-LB9 between two adjacent characters, before any unit is formed."""
    if a == BK:
        return MANDATORY                                    # LB4
    if a == CR:
        return NO_BREAK if b == LF else MANDATORY           # LB5
    if a in (LF, NL):
        return MANDATORY                                    # LB5
    if b in (BK, CR, LF, NL, SP, ZW):
        return NO_BREAK                                     # LB6, LB7
    if a == ZW:
        return ALLOWED                                      # LB8 (with spaces: _unit_rule)
    if b in (CM, ZWJ) and a != SP:
        return _ABSORB                                      # LB9 (LB8a when a is ZWJ)
    if a == ZWJ:
        return NO_BREAK                                     # LB8a
    return _UNIT


class _Probe:
    """A context that answers neutrally and notes what was asked: for building tables."""

    def __init__(self, **answers: object):
        self.answers = answers
        self.asked: set[str] = set()

    def __getattr__(self, name: str) -> Callable[[], Any]:
        neutral = SOT if name == "next_unit" else _ST_NONE if name == "num_state" else False

        def answer() -> Any:
            self.asked.add(name)
            return self.answers.get(name, neutral)
        return answer


def _tables() -> tuple[bytes, bytes, bytes, bytes]:
    raw = bytes(_raw_rule(a, b) for a in range(_N) for b in range(_N))
    pair = bytearray(_N * _N)
    space = bytearray(_N * _N)
    for a in range(_N):
        for b in range(_N):
            probe = _Probe()
            r = _unit_rule(a, b, a, probe)
            if probe.asked == {"prev2_is_hl"}:
                hl = _unit_rule(a, b, a, _Probe(prev2_is_hl=True))
                if hl != r:
                    r = _LB21A if (hl, r) == (NO_BREAK, ALLOWED) else _SLOW
            elif probe.asked:
                r = _SLOW
            pair[a * _N + b] = r
            probe = _Probe()
            space[a * _N + b] = _unit_rule(SP, b, a, probe)
            assert not probe.asked
    state = bytearray(5 * _N)
    for st in range(5):
        for e in range(_N):
            if e == NU or (e in (SY, IS) and st == _ST_NUM):
                nxt = _ST_NUM
            elif e in (CL, CP) and st == _ST_NUM:
                nxt = _ST_NUM_CLOSED
            elif e == RI:
                nxt = _ST_RI_EVEN if st == _ST_RI_ODD else _ST_RI_ODD
            else:
                nxt = _ST_NONE
            state[st * _N + e] = nxt
    return raw, bytes(pair), bytes(space), bytes(state)


# _RAW[a*N+b]: LB4-LB9 for adjacent characters; _PAIR[a*N+b]: units a, b (a not SP);
# _SPACE[s*N+b]: after spaces that follow class s; _STATE[st*N+e]: context transitions.
# the generated tables when linebreak_data has them (test_uax14 checks they are the
# rules' own), else worked out here
_RAW, _PAIR, _SPACE, _STATE = ((_data.RULE_RAW, _data.RULE_PAIR, _data.RULE_SPACE, _data.RULE_STATE)
                               if hasattr(_data, "RULE_RAW") else _tables())
_UNIT_CLASS = bytes(AL if c in (CM, ZWJ) else c for c in range(_N))  # LB10


def break_opportunities(text: str) -> list[int]:
    """For each i in 0..len(text): NO_BREAK, ALLOWED or MANDATORY before text[i].

    Index 0 is NO_BREAK (LB2); index len(text) is MANDATORY (LB3). Empty text gives [0]."""
    n = len(text)
    if n == 0:
        return [NO_BREAK]
    cls = _classes(text)
    out = [NO_BREAK] * (n + 1)
    out[n] = MANDATORY
    raw_t, pair_t, space_t, state_t, unit_t = _RAW, _PAIR, _SPACE, _STATE, _UNIT_CLASS
    N = _N
    a_raw = cls[0]
    prev = unit_t[a_raw]        # class of the unit before position i
    prev2 = SOT                 # class of the unit before that
    before_sp = SOT             # class before the spaces, while prev is SP
    base = 0                    # index where prev's unit starts
    state = state_t[prev]
    for i in range(1, n):
        b = cls[i]
        r = raw_t[a_raw * N + b]
        a_raw = b
        if r == _ABSORB:
            continue
        e = unit_t[b]
        if r == _UNIT:
            if prev == SP:
                r = space_t[before_sp * N + e]
            else:
                r = pair_t[prev * N + e]
                if r > MANDATORY:
                    if r == _LB21A:
                        r = NO_BREAK if prev2 == HL else ALLOWED
                    else:
                        r = _unit_rule(prev, e, prev, _Context(text, cls, i, base, prev2, state))
            out[i] = r
        elif r:
            out[i] = r
        if e == SP and prev != SP:
            before_sp = prev
        prev2 = prev
        prev = e
        base = i
        state = state_t[state * N + e]
    return out
