"""Text pasted from a web page, WeChat or a PDF, made what a Chinese desk would have typed.

Pasting brings Western marks between Chinese characters (",", ";", ":", "(", ")", "?",
"!"), straight quotes, and spaces where none belong; set as they are, they are narrow
Latin marks in a Chinese line, and nothing says so. A paragraph with Chinese in it is
cleaned here, one change of each kind remembered, so that the report can say what was
done and where it was done first:

- punctuation: a half-width , ; : ? ! ( ) with a Chinese neighbour (spaces aside) is set
  full-width, and a "." that ends a Chinese sentence becomes 。 (see _full_stop); brackets change in pairs, and a pair changes when it holds or touches
  Chinese (公司(Apple) -> 公司（Apple）), not when it is glued to a Latin word (f(x));
- quotes: a straight " or ' with a Chinese neighbour becomes “ ” or ‘ ’: opening after a
  space, an opening bracket or a colon, closing before a space or a closing mark,
  otherwise the other of the quote before it (straight or curly); an apostrophe between
  Latin letters (Trump's) stays;
- spaces: a space before or after a full-width pause mark (，。、；：？！), after an
  opening bracket or quote, or before a closing one is dropped (the mark has its own);
  two or more in a row become one. One space between two Chinese characters stays: a
  desk writes it on purpose, between names (本报记者 卓玛 李文, （记者 格桑）) and after
  a dateline (本报讯 …); so does one before an opening or after a closing mark.

Never changed: paragraphs without Chinese (Latin, Tibetan), anything next to a Tibetan
character, a mark between two Latin letters or digits (3,500, 12:30, a:b), URLs and
e-mail addresses, a full stop in a number, after a Latin word or opening a list (3.5,
Mr. 王, www., 1. 第一条). Han characters are never changed,
only marks and spaces. Cleaning clean text changes nothing: one pass is repeated until
it finds nothing, so the result is a fixed point (and cleaning twice is cleaning once).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..base.errors import Notice, Place, Where
from ..base.scripts import is_cjk, is_han, is_tibetan

SPACES = " \u00a0\u3000"
HALF = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
# a quote right after one of these opens, right before one of these closes
OPEN_AFTER = frozenset(SPACES + "\n（【《〈「『“‘—：([{")
CLOSE_BEFORE = frozenset(SPACES + "\n，。；：！？、）】》〉」』”’…,.;:!?)]}")
_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"
                  r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
KINDS = ("punctuation", "quotes", "spaces", "lines")
# full-width marks carry their own space: none belongs before or after a pause mark,
# after an opening bracket or quote, or before a closing one (their inner sides)
PAUSE = frozenset("，。、；：？！，．；：？！")
OPENING = frozenset("（《〈「『【〔〖“‘［｛")
CLOSING = frozenset("）》〉」』】〕〗”’］｝")


@dataclass(frozen=True)
class Fix:
    """One change: its kind, where it is in the text as written, what it was and is."""
    kind: str
    at: int
    was: str
    now: str


def clean(text: str) -> tuple[str, list[Fix], list[int]]:
    """The cleaned text, its changes, and for each of its characters the index of the
    character it comes from."""
    cells = list(zip(text, range(len(text))))
    fixes: list[Fix] = []
    if not any(map(is_cjk, text)) or _settled(text):
        return text, fixes, [i for _, i in cells]
    while True:  # each pass removes a half-width mark, a straight quote or a space, or ends
        cells, found = _once(cells)
        if not found:
            fixes.sort(key=lambda f: f.at)
            return "".join(c for c, _ in cells), fixes, [i for _, i in cells]
        fixes += found


_CHANGEABLE = frozenset(",;:?!()\"'.")
_SPACE_RUN = re.compile(f"[{SPACES}]+")


def _settled(s: str) -> bool:
    """Nothing for a pass to change, seen at a glance: no half-width mark or straight
    quote, and every space a single one that the spaces rule keeps (most edited
    paragraphs; a pass costs a Python loop per character, a fifth of a render)."""
    if not _CHANGEABLE.isdisjoint(s):
        return False
    for m in _SPACE_RUN.finditer(s):
        a, b = m.start() - 1, m.end()
        while a >= 0 and s[a] == "*":
            a -= 1
        while b < len(s) and s[b] == "*":
            b += 1
        left, right = (s[a] if a >= 0 else "\n"), (s[b] if b < len(s) else "\n")
        if "\n" in (left, right) or is_tibetan(left) or is_tibetan(right):
            continue
        if left in PAUSE or right in PAUSE or left in OPENING or right in CLOSING or m.end() - m.start() > 1:
            return False
    return True


def _protected(s: str) -> list[bool]:
    """URLs and e-mail addresses (without the marks that end the sentence they are in)."""
    out = [False] * len(s)
    for m in _URL.finditer(s):
        end, opened, closed = m.end(), m.group().count("("), m.group().count(")")
        while end > m.start() and (s[end - 1] in ".,;:!?'\"" or s[end - 1] == ")" and opened < closed):
            closed -= s[end - 1] == ")"
            end -= 1
        out[m.start():end] = [True] * (end - m.start())
    return out


def _once(cells: list[tuple[str, int]]) -> tuple[list[tuple[str, int]], list[Fix]]:
    s = "".join(c for c, _ in cells)
    n = len(s)
    guard = _protected(s)
    # the nearest character each side that is not a space or a bold mark; a line feed
    # (between a multi-line subhead's lines) is one, and stops the search
    prev_sig, last = [-1] * n, -1
    for i, c in enumerate(s):
        prev_sig[i] = last
        if c not in SPACES and c != "*":
            last = i
    next_sig, last = [n] * n, n
    for i in range(n - 1, -1, -1):
        next_sig[i] = last
        if s[i] not in SPACES and s[i] != "*":
            last = i
    hans = [0]
    for c in s:
        hans.append(hans[-1] + is_han(c))

    out = list(s)
    fixes = []

    def chinese(j: int) -> bool:
        """(as changed so far: a mark set full-width makes its neighbour's context Chinese)"""
        return 0 <= j < n and is_cjk(out[j])

    def tibetan(j: int) -> bool:
        return 0 <= j < n and is_tibetan(s[j])

    def latin(j: int) -> bool:
        return 0 <= j < n and s[j].isascii() and s[j].isalnum()

    def near_tibetan(i: int) -> bool:
        return tibetan(prev_sig[i]) or tibetan(next_sig[i])

    def change(i: int, kind: str, now: str) -> None:
        fixes.append(Fix(kind, cells[i][1], s[i], now))
        out[i] = now

    # brackets, in pairs, the outer pair first (so that one pass settles nested pairs)
    stack, single, pairs = [], [], []
    for i, c in enumerate(s):
        if c == "(":
            stack.append(i)
        elif c == ")":
            if stack:
                pairs.append((stack.pop(), i))
            else:
                single.append(i)
    for a, b in sorted(pairs):
        holds_han = hans[b] - hans[a + 1] > 0
        near = chinese(prev_sig[a]) or chinese(next_sig[b]) or holds_han
        if (near and not guard[a] and not guard[b] and not (latin(a - 1) and not holds_han)
                and not any(map(near_tibetan, (a, b)))):
            change(a, "punctuation", "（")
            change(b, "punctuation", "）")
    # marks, and brackets without a partner: forwards, then backwards (a run of marks
    # next to Chinese on either side is settled in one pass)
    marks = sorted(single + stack + [i for i, c in enumerate(s) if c in ",;:?!"])
    for i in marks + marks[::-1]:
        if out[i] != s[i] or guard[i] or near_tibetan(i) or (latin(i - 1) and latin(i + 1)):
            continue
        if chinese(prev_sig[i]) or chinese(next_sig[i]):
            change(i, "punctuation", HALF[s[i]])
    # full stops: a sentence's end, not a number's point, an abbreviation's or a
    # list number's (see _full_stop)
    for i in (i for i, c in enumerate(s) if c == "."):
        if not guard[i] and not near_tibetan(i) and _full_stop(s, out, i, prev_sig[i], next_sig[i]):
            change(i, "punctuation", "。")
    # quotes
    for q, (opening, closing) in (('"', "“”"), ("'", "‘’")):
        expect_open = True
        for i in (i for i, c in enumerate(s) if c in q + opening + closing):
            if s[i] != q:  # a curly one typed right: the next opens after it closes
                expect_open = s[i] == closing
                continue
            if guard[i] or near_tibetan(i) or (q == "'" and latin(i - 1) and latin(i + 1)):
                continue
            if not (chinese(prev_sig[i]) or chinese(next_sig[i])):
                continue
            before = next((s[j] for j in range(i - 1, max(i - 8, -1), -1) if s[j] != "*"), "\n")
            after = next((s[j] for j in range(i + 1, min(i + 8, n)) if s[j] != "*"), "\n")
            opens, closes = before in OPEN_AFTER, after in CLOSE_BEFORE
            is_open = opens if opens != closes else expect_open
            change(i, "quotes", opening if is_open else closing)
            expect_open = not is_open
    # spaces, seen after the marks have changed; `left`: the last character kept before
    # the run (bold marks aside)
    i, left = 0, "\n"
    while i < n:
        if out[i] not in SPACES:
            if out[i] != "*":
                left = out[i]
            i += 1
            continue
        j = i
        while j < n and out[j] in SPACES:
            j += 1
        right = next((out[k] for k in range(j, n) if out[k] != "*"), "\n")
        if "\n" not in (left, right) and not (is_tibetan(left) or is_tibetan(right)):
            if left in PAUSE or right in PAUSE or left in OPENING or right in CLOSING:
                fixes.append(Fix("spaces", cells[i][1], s[i:j], ""))
                out[i:j] = [None] * (j - i)
            elif j - i > 1:
                fixes.append(Fix("spaces", cells[i][1], s[i:j], " "))
                out[i:j] = [" "] + [None] * (j - i - 1)
        if out[i] is not None:
            left = out[i]
        i = j
    return [(c, cell[1]) for c, cell in zip(out, cells) if c is not None], fixes


def _full_stop(s: str, out: list, i: int, p: int, nx: int) -> bool:
    """A "." that ends a Chinese sentence: right after a Chinese character or mark
    (和气. 覆盖."), or after a number or percentage that follows Chinese and before more
    Chinese or the paragraph's end (达到96%. 调解员). Never in a run of dots, before a letter or digit (3.5,
    example.cn), after a Latin word (Mr. 王), or after a number that opens its paragraph
    (1. 第一条)."""
    n = len(s)
    if s[i - 1:i] == "." or s[i + 1:i + 2] in (".", "…") or (i + 1 < n and s[i + 1].isascii() and s[i + 1].isalnum()):
        return False
    if p < 0 or nx < n and out[nx] in PAUSE:
        return False
    if is_cjk(out[p]) and out[p] not in PAUSE:
        return True
    if not (s[p].isdigit() or s[p] in "%％"):
        return False
    q = p
    while q >= 0 and (s[q].isascii() and s[q].isdigit() or s[q] in "%％.,"):
        q -= 1
    return q >= 0 and is_han(out[q]) and (nx >= n or is_han(out[nx]) or out[nx] in CLOSING)


@dataclass
class Cleaning:
    """What cleaning changed in an edition's stories: per kind, how many changes, in
    which stories, and the first (the report gives one notice per kind)."""
    counts: dict[str, int] = field(default_factory=dict)
    marks: dict[str, dict[str, int]] = field(default_factory=dict)  # per kind: what it became, how often
    stories: dict[str, list[str]] = field(default_factory=dict)
    first: dict[str, tuple[Place, str, str]] = field(default_factory=dict)  # place, was, now

    def add(self, story: str, kind: str, where: Where, words: str, was: str, now: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        shown = self.marks.setdefault(kind, {})
        shown[now] = shown.get(now, 0) + 1
        if story not in self.stories.setdefault(kind, []):
            self.stories[kind].append(story)
        if kind not in self.first:
            self.first[kind] = (Place(where, story=story, words=words), was, now)

    def notices(self) -> list[Notice]:
        out = []
        for kind in KINDS:
            if kind not in self.counts:
                continue
            n, (place, was, now) = self.counts[kind], self.first[kind]
            where = f" in {len(self.stories[kind])} stories" if len(self.stories[kind]) > 1 else ""
            first = f"; the first '{was}' -> '{now}'" if kind in ("punctuation", "quotes") else ""
            marks = " ".join(f"{m}×{k}" for m, k in sorted(self.marks[kind].items()))
            what = {"punctuation": f"{n} half-width mark{'s' * (n > 1)} next to Chinese set full-width ({marks})",
                    "quotes": f"{n} straight quote{'s' * (n > 1)} in Chinese text set as “” ‘’ ({marks})",
                    "spaces": f"{n} stray or doubled space{'s' * (n > 1)} in Chinese text removed",
                    "lines": f"{n} line break{'s' * (n > 1)} after a sentence's end joined into its paragraph"}[kind]
            hint = ("a blank line separates paragraphs: where the line also ended its paragraph, leave a "
                    "blank line after it" if kind == "lines" else
                    "pasted text is cleaned as it is read; check the first place, or give the story "
                    "clean: false to keep its text as written")
            out.append(Notice(f"cleaned-{kind}", f"pasted text cleaned: {what}{where}{first}", place, hint))
        return out
