"""Tibetan composition rules, from ../shared/typography/tibetan.md.

Where a Tibetan line may end (T1–T5, T10, T11) and which characters may not start one.
UAX #14 alone would allow breaks the Tibetan rules forbid (before a shad after a
tsheg, around the space of 'ཅིག །'), so inside Tibetan text these rules decide.
"""
from __future__ import annotations

from . import zh
from ..base.scripts import is_tibetan

TSHEG = "\u0f0b"
TSHEG_NB = "\u0f0c"
SHAD = "\u0f0d"
SHADS = frozenset("\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f12\u0f14")
NGA = "\u0f44"
# T3: never at the start of a line
NO_START = frozenset("\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f14\u0f0b\u0f0c\u0f7f \u00a0\u0f3b\u0f3d\u0f08")
# T1: a line may end after these (a tsheg and the other syllable ends)
BREAK_AFTER = frozenset("\u0f0b\u0f14\u0f7f\u0f34\u0fbe")
# T10: head marks stay with what follows
HEAD_MARKS = frozenset("\u0f01\u0f02\u0f03\u0f04\u0f05\u0f06\u0f07\u0f09\u0f0a\u0fd0\u0fd1\u0fd3")


def is_letter(ch: str) -> bool:
    """A base consonant (or vowel letter) that can begin a syllable."""
    return "\u0f40" <= ch <= "\u0f6c" or ch in "\u0f88\u0f89\u0f8a\u0f8b\u0f8c"


def is_digit(ch: str) -> bool:
    return "\u0f20" <= ch <= "\u0f33"


def _vowel_or_sign(ch: str) -> bool:
    return "\u0f71" <= ch <= "\u0f87" or "\u0f8d" <= ch <= "\u0fbc" or ch in "\u0f35\u0f37\u0f39\u0f3e\u0f3f"


def _ends_in_nga(text: str, i: int) -> bool:
    """True when the syllable ending at text[i] ends in ང, with or without vowel signs
    (T2: དང་། keeps its tsheg and shad together)."""
    j = i
    while j >= 0 and _vowel_or_sign(text[j]):
        j -= 1
    return j >= 0 and text[j] == NGA


def allowed_before(text: str, i: int) -> bool | None:
    """May a line end before text[i]? None when neither neighbour is Tibetan (the
    Chinese and UAX #14 rules decide there)."""
    a, b = text[i - 1], text[i]
    if not (is_tibetan(a) or is_tibetan(b) or (a == " " and i >= 2 and is_tibetan(text[i - 2]))):
        return None
    if b in NO_START:
        return False  # T3
    if b in zh.NO_START_GB or a in zh.NO_END:
        return False  # Chinese marks in Tibetan text keep their rules (tibetan.md T15)
    if a in HEAD_MARKS:
        return False  # T10
    if a == TSHEG:
        # T2: not between ང་ and །
        return not (b in SHADS and i >= 2 and _ends_in_nga(text, i - 2))
    if a in BREAK_AFTER:
        return True
    if a in SHADS:
        return not (b in SHADS)  # T1: not between two shads
    if a == " ":
        # T4: '། ' then the next phrase: break after the space (the space is not set);
        # 'ཅིག །' and 'ཀུན། །' never break, as a shad cannot start a line (T3)
        return True
    if is_tibetan(a) and is_tibetan(b):
        return False  # inside a syllable or a number (T1, T11)
    # Tibetan next to Han or Latin: a break at the script boundary (M3), except that
    # a Tibetan letter directly followed by a Latin letter does not break
    return not (is_tibetan(a) and b.isascii() and b.isalpha())
