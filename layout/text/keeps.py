"""What display text keeps on one line: ranges no line may end inside.

Body text may break almost anywhere in Chinese; a headline, deck, subhead or byline may
not, because its lines are read as units. A desk never lets a line end between a number
and what it counts ("3900 / 余万元"), inside a title in 书名号 (《民法典》), or inside a
person's name in a byline ("次" / "吉"). The designer's own [[…]] spans come on top.
"""
from __future__ import annotations

import re

# a number (with its decimal point, thousands commas and per cent), an optional word
# before it (第12期, 约300人, 近万元 is no number) and up to three Han characters after it:
# its unit and the counter words that go with it (余万元, 多起, 年, 月, 日)
_NUMBER = re.compile(r"[第约近超逾共]?\d(?:[\d.,%％‰]*[\d%％‰])?[余多几]?[\u4e00-\u9fff]{0,2}")
_TITLE = re.compile(r"《[^《》\n]{1,16}》")
# a name in a byline: a whole space-separated word of two to eight Han characters (a
# Tibetan byline's words are not space-separated; its syllables may break as in text)
_NAME = re.compile(r"(?<!\S)[\u4e00-\u9fff·]{2,8}(?!\S)")


def number_ranges(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _NUMBER.finditer(text) if m.end() - m.start() > 1]


def title_ranges(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TITLE.finditer(text)]


def name_ranges(text: str) -> list[tuple[int, int]]:
    """The space-separated words of a byline (本报记者 次吉 李文): each a name or a title."""
    return [m.span() for m in _NAME.finditer(text)]


def display_keeps(text: str, byline: bool = False) -> tuple[tuple[int, int], ...]:
    """The ranges display text keeps together, sorted; overlapping ones merged."""
    found = sorted(number_ranges(text) + title_ranges(text) + (name_ranges(text) if byline else []))
    merged: list[list[int]] = []
    for start, end in found:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((a, b) for a, b in merged)
