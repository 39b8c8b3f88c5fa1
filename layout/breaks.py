"""Where a line may break: one flag per character boundary.

First slice of the rules in ../shared/typography: Chinese 避头尾 at GB level (C1, C2),
unbreakable —— and …… (C4), Tibetan breaks after tsheg and shad (T1–T4), Latin words
kept whole (C14). The full UAX #14 base with its tailoring replaces this later; the
interface (text -> flags) stays.
"""
from __future__ import annotations

# C1: never at line start; C2: never at line end (GB level)
NO_START = set("、，。．；：！？‼⁇⁈⁉”’」』）〕】〗］｝》〉–～·・‧/／%％,.;:!?)]}") | {"\u2014", "\u2026"}
NO_END = set("“‘「『（〔【〖［｛《〈/／([{")
UNBREAKABLE_PAIRS = {"——", "……", "⋯⋯", "⸺⸺"}

TSHEG = "\u0f0b"
TSHEG_NB = "\u0f0c"
SHADS = set("\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f14")
# T3: these never begin a line
BO_NO_START = SHADS | set("\u0f0b\u0f0c\u0f7f\u0f3b\u0f3d ")
BO_HEAD = set("\u0f04\u0f05")  # T10: head marks stay with what follows


def _is_bo(ch: str) -> bool:
    return "\u0f00" <= ch <= "\u0fff"


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (0x2E80 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0xFF00 <= cp <= 0xFFEF
            or 0x20000 <= cp <= 0x3FFFF or 0xFE30 <= cp <= 0xFE4F)


def opportunities(text: str) -> list[bool]:
    """flags[i] is True when a line may end before text[i] (1 <= i < len(text))."""
    n = len(text)
    flags = [False] * (n + 1)
    for i in range(1, n):
        a, b = text[i - 1], text[i]
        flags[i] = _allowed(a, b, text, i)
    return flags


def _allowed(a: str, b: str, text: str, i: int) -> bool:
    if b == "\n":
        return False
    if a == "\n":
        return True  # a forced break (e.g. a two-line headline)
    if b in " \u3000":
        return False  # break after spaces, never before them
    if a + b in UNBREAKABLE_PAIRS:
        return False
    if _is_bo(a) or _is_bo(b) or (a == " " and i >= 2 and _is_bo(text[i - 2])):
        return _tibetan(a, b, text, i)
    if b in NO_START or a in NO_END:
        return False
    if a == " ":
        return True
    if _is_cjk(a) or _is_cjk(b):
        # C14: digits and Latin letters stick together; Han breaks anywhere else
        return not (a.isascii() and a.isalnum() and b.isascii() and b.isalnum())
    return False  # inside a Latin word or number


def _tibetan(a: str, b: str, text: str, i: int) -> bool:
    if b in BO_NO_START or b in NO_START:
        return False
    if a in BO_HEAD or a in NO_END:
        return False
    if a == TSHEG:
        return True
    if a == " ":
        prev = text[i - 2]
        if prev in SHADS:
            return True  # T4: '། ' then a consonant: break after the space
        return prev not in "\u0f40\u0f42"  # ཀ/ག + space (ཅིག །) stays whole
    if a in SHADS:
        return True
    if not _is_bo(b) or not _is_bo(a):
        return a == " " or _is_cjk(a) or _is_cjk(b)
    return False  # inside a syllable
