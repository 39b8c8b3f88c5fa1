"""Vertical text (竖排): how each character stands in a column, and where a column may end.

Han characters and Chinese marks stand upright (shaped top to bottom, in the font's
vertical forms); Latin words, Tibetan and digit runs longer than `tcy_digits` are turned
90° clockwise; a run of at most `tcy_digits` European digits sits across the column
(纵中横, tate-chu-yoko). Columns end where lines may end (breaks.py: the same 避头尾
rules), and a turned or across run is never split but at its spaces. These are the
rules of clreq's vertical writing (§ 3.1, 3.2.2), kept apart from the page.
"""
from __future__ import annotations

import unicodedata
from typing import NamedTuple

from . import breaks
from .itemize import scripts

UPRIGHT = "upright"
TURNED = "turned"
ACROSS = "across"
SPACE = "space"  # a space at either end of a turned run: set as nothing (the gap rules space it)


class Piece(NamedTuple):
    start: int
    end: int
    kind: str


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def pieces(text: str, tcy_digits: int = 2, memo: dict | None = None) -> list[Piece]:
    """The text as pieces of one kind each, in order, covering every character."""
    per_char = scripts(text, "han", memo)
    kinds = [UPRIGHT if s == "han" else TURNED for s in per_char]
    for i, ch in enumerate(text):
        if ch in "\n\u3000":
            kinds[i] = UPRIGHT
    # short digit runs not part of a Latin word (5G, G20) or a number (3.5, 1,000) sit across
    i = 0
    while i < len(text):
        if not _is_digit(text[i]):
            i += 1
            continue
        j = i
        while j < len(text) and _is_digit(text[j]):
            j += 1
        before = text[i - 1] if i else ""
        after = text[j] if j < len(text) else ""
        joined = any(c and (c.isalnum() or c in ".,:/-%") and kinds[k] == TURNED
                     for c, k in ((before, i - 1), (after, j)))
        if 0 < j - i <= tcy_digits and not joined:
            for k in range(i, j):
                kinds[k] = ACROSS
        i = j
    # a combining mark goes with its base, whatever its own script
    for i in range(1, len(text)):
        if unicodedata.category(text[i])[0] == "M":
            kinds[i] = kinds[i - 1]
    # spaces at the ends of a turned run (and between upright characters) take no room
    for i, ch in enumerate(text):
        if ch == " ":
            prev = kinds[i - 1] if i else None
            nxt = next((kinds[k] for k in range(i + 1, len(text)) if text[k] != " "), None)
            if prev != TURNED or nxt != TURNED:
                kinds[i] = SPACE
    out: list[Piece] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or kinds[i] != kinds[start]:
            out.append(Piece(start, i, kinds[start]))
            start = i
    return out


def column_ends(text: str, parts: list[Piece], strictness: str = "gb") -> list[int]:
    """flags[i] for 0 <= i <= len(text): may a column end before text[i]? The line
    rules (breaks.opportunities), and never inside an across run or a turned word."""
    flags = breaks.opportunities(text, strictness)
    for p in parts:
        if p.kind == ACROSS:
            for i in range(p.start + 1, p.end):
                flags[i] = breaks.NO
        elif p.kind == TURNED:
            for i in range(p.start + 1, p.end):
                if text[i - 1] != " ":
                    flags[i] = breaks.NO
    return flags
