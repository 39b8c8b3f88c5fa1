"""Story text in a Markdown subset -> blocks (paragraphs, subheads, bylines) with spans.

The subset, all a newspaper story needs:
- paragraphs separated by blank lines; the lines of a paragraph join without a space
  between Chinese or Tibetan characters, with one between Latin words;
- `## ` starts a subhead; several `## ` lines in a row make a multi-line subhead;
- `> ` starts a byline paragraph (本报记者 …);
- `**…**` sets a run in the character style `bold`; `\\*` is a literal asterisk;
- `[[…]]` keeps a name or a number on one line (no break inside); `\\[` is a literal [;
- a line `{column}` starts the next paragraph at the top of the next column, a line
  `{frame}` sends the rest of the story to its next frame (through the jump): a
  designer says where a column or a frame ends instead of trying frame depths.
"""
from __future__ import annotations

import re

from ..base.errors import InputError, Where
from .model import Block, Span

BREAKS = {"{column}": "column", "{frame}": "frame"}

# A story of a hundred thousand characters (spaces and line ends aside) fills some twenty broadsheet pages; a longer
# one is a mistake (a file pasted twice, a log), and setting it would take minutes.
MAX_CHARS = 100_000
# Unicode's stream-safe limit (UAX #15): more marks than this on one base is no text a
# reader can read, and its stack would run off the page
MAX_MARKS = 30
_MARK_RUN = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]{%d,}" % (MAX_MARKS + 1))


def parse_story(text: str, shown: str, first_line: int = 1) -> tuple[Block, ...]:
    if len(text) > MAX_CHARS and (count := len(text) - sum(map(text.count, " \n\r\t\u3000"))) > MAX_CHARS:
        raise InputError(f"the story has {count:,} characters, more than {MAX_CHARS:,}", Where(shown),
                         "split it into several stories, or check that the file is the story you meant")
    marks = _MARK_RUN.search(text)
    if marks:
        line = text.count("\n", 0, marks.start())
        column = marks.start() - (text.rfind("\n", 0, marks.start()) + 1) + 1
        raise InputError(f"{len(marks.group())} combining marks on one character (at most {MAX_MARKS})",
                         Where(shown, first_line + line, column), "remove the stacked marks")
    text = text.replace("\t", " ")  # a tab pasted from a word processor is a space here
    blocks = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start = i
        if lines[i].strip() in BREAKS:  # a break mark is a block of its own, blank lines or not
            blocks.append(Block(BREAKS[lines[i].strip()], "", Where(shown, first_line + i, 1)))
            i += 1
            continue
        chunk = []
        while i < len(lines) and lines[i].strip() and lines[i].strip() not in BREAKS:
            chunk.append(lines[i].strip())
            i += 1
        where = Where(shown, first_line + start, 1)
        if chunk[0].startswith("## "):
            kind = "subhead"
            parts = [c[3:].strip() if c.startswith("## ") else c for c in chunk]
            raw = "\n".join(parts)  # the designer's own line breaks
        elif chunk[0].startswith("> "):
            kind = "byline"
            raw = _join([c[2:].strip() if c.startswith("> ") else c for c in chunk])
        else:
            kind = "para"
            raw = _join(chunk)
        plain, spans, keep = _marks(raw, shown, first_line + start)
        # spaces at a paragraph's ends (left by '** **' around them) never show: they
        # are not the story's text, so the count of its characters leaves them out
        lead = len(plain) - len(plain.lstrip())
        plain = plain.strip()

        def inside(a: int, b: int) -> tuple[int, int]:
            return max(a - lead, 0), min(b - lead, len(plain))

        spans = tuple(Span(*inside(sp.start, sp.end), sp.style) for sp in spans
                      if inside(sp.start, sp.end)[1] > inside(sp.start, sp.end)[0])
        keep = tuple(inside(a, b) for a, b in keep if inside(a, b)[1] - inside(a, b)[0] > 1)
        if plain:
            blocks.append(Block(kind, plain, where, spans, keep))
    return tuple(blocks)


def _join(lines: list[str]) -> str:
    joined = lines[0]
    for part in lines[1:]:
        joiner = " " if joined[-1:].isascii() and part[:1].isascii() else ""
        joined += joiner + part
    return joined


def _marks(raw: str, shown: str, line: int) -> tuple[str, tuple[Span, ...], tuple[tuple[int, int], ...]]:
    """Remove the ** and [[ ]] marks and the \\ escapes; return the text, its bold spans
    and its no-break ranges."""
    if "*" not in raw and "[" not in raw and "]" not in raw:
        return raw, (), ()
    out: list[str] = []
    spans = []
    keep = []
    opened = kept = None
    opened_at = kept_at = 0
    k = 0
    while k < len(raw):
        if raw.startswith("\\*", k) or raw.startswith("\\[", k):
            out.append(raw[k + 1])
            k += 2
        elif raw.startswith("**", k):
            if opened is None:
                opened, opened_at = len(out), k
            else:
                if len(out) > opened:
                    spans.append(Span(opened, len(out), "bold"))
                opened = None
            k += 2
        elif raw.startswith("[[", k) and kept is None:
            kept, kept_at = len(out), k
            k += 2
        elif raw.startswith("]]", k) and kept is not None:
            keep.append((kept, len(out)))
            kept = None
            k += 2
        else:
            out.append(raw[k])
            k += 1
    for at, what, hint in [(opened_at if opened is not None else None, "'**' opens bold text that is never closed",
                            "close it with '**', or write \\* for an asterisk"),
                           (kept_at if kept is not None else None, "'[[' opens a no-break span that is never closed",
                            "close it with ']]', or write \\[ for a bracket")]:
        if at is not None:
            before = raw[:at]
            raise InputError(what, Where(shown, line + before.count("\n"), at - (before.rfind("\n") + 1) + 1), hint)
    return "".join(out), tuple(spans), tuple(keep)
