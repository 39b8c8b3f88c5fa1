"""Where a line may end: one flag per character boundary.

UAX #14 (layout/text/uax14.py) is the base; on top of it the Chinese tailoring of
../shared/typography/chinese.md (GB-level 避头尾 by default, quotes as opening and
closing marks, unbreakable —— and ……, no break around solidi) and the Tibetan rules
(layout/text/bo.py) decide wherever a Chinese or Tibetan character is involved.
"""
from __future__ import annotations

from . import bo
from . import zh
from ..base.scripts import is_cjk, is_tibetan
from .uax14 import break_opportunities

NO = 0
ALLOWED = 1
MANDATORY = 2

_QUOTES_OPEN = "“‘"
_QUOTES_CLOSE = "”’"


def opportunities(text: str, strictness: str = "gb") -> list[int]:
    """flags[i] for 0 <= i <= len(text): may a line end before text[i]?
    NO, ALLOWED or MANDATORY (a line feed before it)."""
    flags = break_opportunities(text)
    no_start = zh.NO_START[strictness]
    space_at, j = -1, 0
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        # the two commonest boundaries, decided as the rules below would decide them:
        # between two CJK ideographs UAX #14's answer stands (no mark is involved);
        # inside a Tibetan syllable (letters and signs, after anything but a visarga)
        # no line may end (T1)
        if "\u4e00" <= a <= "\u9fff" and "\u4e00" <= b <= "\u9fff":
            continue
        if "\u0f40" <= b <= "\u0fbc" and ("\u0f40" <= a <= "\u0f7e" or "\u0f80" <= a <= "\u0fbc"):
            flags[i] = NO
            continue
        if flags[i] == MANDATORY:
            continue
        if a == " ":
            if space_at != i - 1:  # a new run of spaces: where it starts, found once per run
                j = i - 1
                while j > 0 and text[j - 1] == " ":
                    j -= 1
            space_at = i  # (so a run of n spaces costs n steps, not n² / 2)
            if j > 0 and text[j - 1] in zh.NO_END:
                flags[i] = NO  # C2 across spaces: '“ Hammel' keeps the quote with its word
                continue
        tib = bo.allowed_before(text, i)
        if tib is not None:
            flags[i] = ALLOWED if tib else NO
            continue
        # Chinese (and Tibetan from China, tibetan.md T15) around the boundary
        before = text[i - 2] if i >= 2 else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        near_cjk = is_cjk(a) or is_cjk(b) or is_cjk(before) or is_cjk(after) or is_tibetan(before) \
            or is_tibetan(after)
        if not near_cjk:
            continue
        ok = flags[i] == ALLOWED
        # Chinese quotes behave as opening and closing brackets: a line may end
        # before “ and after ” (UAX #14's QU forbids both)
        if b in _QUOTES_OPEN or a in _QUOTES_CLOSE:
            ok = True
        # C3: at GB level a line may start with …… (UAX #14's LB22 never allows it);
        # the strict level forbids it below
        if b in "…⋯" and a not in "…⋯":
            ok = True
        if b in no_start or a in zh.NO_END or a + b in zh.UNBREAKABLE:
            ok = False
        if b == "—" and text[i + 1:i + 2] != "—":
            ok = False  # C1: a single — is a connector
        if a in "/／" or b in "/／":
            ok = False
        if b in " \u3000":
            ok = False  # after the space, not before it
        flags[i] = ALLOWED if ok else NO
    return flags
