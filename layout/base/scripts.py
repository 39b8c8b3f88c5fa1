"""Which script a character belongs to: the one place that knows the code point ranges
(Tibetan, Han ideographs, the CJK marks and forms set with them, the rest). The text
rules (zh, bo, breaks) and itemizing (which face sets a character) ask here.
"""
from __future__ import annotations

import unicodedata


def is_tibetan(ch: str) -> bool:
    return "\u0f00" <= ch <= "\u0fff"


def is_han(ch: str) -> bool:
    """A Han ideograph (URO, extension A, the compatibility block, the supplementary
    planes' extensions) or 〇 and 々, which behave as one."""
    cp = ord(ch)
    return (0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF
            or ch in "〇々")


def is_cjk(ch: str) -> bool:
    """Han, or a mark set the Chinese way: CJK symbols and punctuation, full-width
    forms, vertical forms, radicals, and the dashes and ellipsis of Chinese text.
    Around these a line may break without a space (UAX #14 tailored)."""
    if not ch:
        return False
    cp = ord(ch)
    return (is_han(ch) or 0x3000 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFFEF
            or 0xFE30 <= cp <= 0xFE4F or 0x2E80 <= cp <= 0x2FFF or ch in "〇々—…⸺")


# marks a Chinese text sets as Chinese and a Western one as Western: ·—―‘’“”…⸺
_SHARED = frozenset("\u00b7\u2014\u2015\u2018\u2019\u201c\u201d\u2026\u2e3a")


def script_of(ch: str) -> str | None:
    """'han', 'tibetan', 'latin' (the script whose face sets it), or None for
    characters that follow their neighbours: spaces, punctuation shared by Chinese and
    Western text, combining marks, joiners and variation selectors."""
    cp = ord(ch)
    if 0x0F00 <= cp <= 0x0FFF:
        return "tibetan"
    if (0x2E80 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0xFE30 <= cp <= 0xFE4F
            or 0xFF00 <= cp <= 0xFFEF or 0x20000 <= cp <= 0x3FFFF):
        return "han"
    category = unicodedata.category(ch)
    if category in ("Mn", "Me") or cp in (0x200C, 0x200D) or 0xFE00 <= cp <= 0xFE0F:
        return None
    if ch.isalnum():
        return "latin"
    if ch in _SHARED or category[0] in "ZPS" or ch in "\n\t":
        return None
    return "latin"


def language(tibetan: int, han: int, latin: int) -> str | None:
    """The language tag of a text by how many of its characters are Tibetan, Han and
    Latin: bo or zh-Hans by which has more, en for Latin alone, None for none of them
    (digits, marks). One rule, so the tagged PDF and the digital edition agree."""
    if tibetan or han:
        return "bo" if tibetan > han else "zh-Hans"
    return "en" if latin else None
