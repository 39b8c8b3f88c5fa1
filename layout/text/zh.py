"""Chinese (simplified) composition rules, from ../shared/typography/chinese.md.

Character classes that the breaker and the justifier ask about: which marks may not
start or end a line at each strictness level (C1–C3), which are opening or closing
(and so carry half an em of spare space, C7–C9), and in which order marks give up that
space when a line is too long (C10).
"""
from __future__ import annotations

# C1: never at the start of a line (GB level, clreq's recommendation)
NO_START_GB = frozenset("、，。．；：！？‼⁇⁈⁉”’」』）〕】〗］｝》〉–～·・‧/／")
# C3: strict level also keeps dashes and ellipses off the line start
NO_START_STRICT = NO_START_GB | frozenset("⸺—…⋯")
# a looser level for narrow measures: only the commonest marks (C20 warns against it)
NO_START_LOOSE = frozenset("、，。．；：！？”’」』）〕】〗］｝》〉")
NO_START = {"strict": NO_START_STRICT, "gb": NO_START_GB, "loose": NO_START_LOOSE}

# C2: never at the end of a line
NO_END = frozenset("“‘「『（〔【〖［｛《〈/／")

# C4: pairs that are one unit and never split or spaced
UNBREAKABLE = ("——", "……", "⋯⋯", "⸺⸺")

OPENING = frozenset("“‘「『（〔【〖［｛《〈")
# C9: for SC, ：；、。，． count as closing
CLOSING = frozenset("”’」』）〕】〗］｝》〉：；、。，．！？")
MIDDLE_DOT = frozenset("·・‧")
FULL_STOPS = frozenset("。？！")
COMMAS = frozenset("，、；")

# C10: compression levels (lower gives way first); 1 is the line-end mark, handled
# apart, 2 Western spaces, 6 the Han-Western gap.
SHRINK_LEVEL_INTERPUNCT = 3
SHRINK_LEVEL_BRACKET = 4
SHRINK_LEVEL_COMMA = 5
SHRINK_LEVEL_STOP = 7


def is_cjk_punct(ch: str) -> bool:
    return ch in OPENING or ch in CLOSING or ch in MIDDLE_DOT


def shrink_level(ch: str) -> int | None:
    """C10: the level at which this mark's spare half em may be taken."""
    if ch in MIDDLE_DOT:
        return SHRINK_LEVEL_INTERPUNCT
    if ch in OPENING or ch in "”’」』）〕】〗］｝》〉":
        return SHRINK_LEVEL_BRACKET
    if ch in COMMAS or ch in "：":
        return SHRINK_LEVEL_COMMA
    if ch in FULL_STOPS or ch == "．":
        return SHRINK_LEVEL_STOP
    return None


def halt_positions(text: str) -> list[int]:
    """C9: indices of marks set half-width because of their neighbour (the font's
    `halt` feature does the setting): an opening mark after an opening mark, middle
    dot, U+3000 or closing mark; a closing mark before a closing mark, middle dot or
    U+3000."""
    out = []
    for i, ch in enumerate(text):
        if ch in OPENING and i > 0:
            prev = text[i - 1]
            if prev in OPENING or prev in CLOSING or prev in MIDDLE_DOT or prev == "\u3000":
                out.append(i)
        elif ch in CLOSING and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in CLOSING or nxt in MIDDLE_DOT or nxt == "\u3000":
                out.append(i)
    return out
