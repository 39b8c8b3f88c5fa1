"""Story text in a Markdown subset -> blocks (paragraphs, subheads, bylines) with spans.

The subset, all a newspaper story needs:
- paragraphs separated by blank lines; the lines of a paragraph join without a space
  between Chinese or Tibetan characters, with one between Latin words;
- `## ` starts a subhead; several `## ` lines in a row make a multi-line subhead;
- `> ` starts a byline paragraph (本报记者 …);
- `**…**` sets a run in the character style `bold`; `\\*` is a literal asterisk.
"""
from __future__ import annotations

import re

from ..base.errors import InputError, Where
from .model import Block, Span

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
        chunk = []
        while i < len(lines) and lines[i].strip():
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
        plain, spans = _bold(raw, shown, first_line + start)
        # spaces at a paragraph's ends (left by '** **' around them) never show: they
        # are not the story's text, so the count of its characters leaves them out
        lead = len(plain) - len(plain.lstrip())
        plain = plain.strip()
        spans = tuple(Span(max(sp.start - lead, 0), min(sp.end - lead, len(plain)), sp.style) for sp in spans
                      if min(sp.end - lead, len(plain)) > max(sp.start - lead, 0))
        if plain:
            blocks.append(Block(kind, plain, where, spans))
    return tuple(blocks)


def _join(lines: list[str]) -> str:
    joined = lines[0]
    for part in lines[1:]:
        joiner = " " if joined[-1:].isascii() and part[:1].isascii() else ""
        joined += joiner + part
    return joined


def _bold(raw: str, shown: str, line: int) -> tuple[str, tuple[Span, ...]]:
    """Remove ** marks and \\ escapes; return the text and its bold spans."""
    if "*" not in raw:
        return raw, ()
    out = []
    spans = []
    opened = None
    opened_at = 0
    k = 0
    while k < len(raw):
        if raw.startswith("\\*", k):
            out.append("*")
            k += 2
        elif raw.startswith("**", k):
            if opened is None:
                opened, opened_at = len(out), k
            else:
                if len(out) > opened:
                    spans.append(Span(opened, len(out), "bold"))
                opened = None
            k += 2
        else:
            out.append(raw[k])
            k += 1
    if opened is not None:
        before = raw[:opened_at]
        row = line + before.count("\n")
        col = opened_at - (before.rfind("\n") + 1) + 1
        raise InputError("'**' opens bold text that is never closed", Where(shown, row, col),
                         "close it with '**', or write \\* for an asterisk")
    return "".join(out), tuple(spans)
