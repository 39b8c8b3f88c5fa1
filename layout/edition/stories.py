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
  designer says where a column or a frame ends instead of trying frame depths;
- a pipe table: lines starting with '|', a header row, a delimiter row (`|---|--:|`,
  alignments and widths: layout/edition/tables.py), then a row a line; `\\|` is a
  literal bar in a cell, and a cell may hold bold and [[…]].
"""
from __future__ import annotations

import re

from ..base.errors import InputError, Where
from ..base.scripts import is_cjk
from .clean import clean
from .model import Block, Cell, Span, TableData
from .tables import is_delimiter, read_delimiter, split_row, starts_table

BREAKS = {"{column}": "column", "{frame}": "frame"}

# A story of a hundred thousand characters (spaces and line ends aside) fills some twenty broadsheet pages; a longer
# one is a mistake (a file pasted twice, a log), and setting it would take minutes.
MAX_CHARS = 100_000
# Unicode's stream-safe limit (UAX #15): more marks than this on one base is no text a
# reader can read, and its stack would run off the page
MAX_MARKS = 30
SENTENCE_END = frozenset("。！？!?…”’」』")
_MARK_RUN = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]{%d,}" % (MAX_MARKS + 1))


def parse_story(text: str, shown: str, first_line: int = 1, found: list | None = None) -> tuple[Block, ...]:
    """The story's blocks. With `found` (a list) the text is cleaned (layout/edition/clean.py)
    and each change appended to it: (kind, Where, the words there, what was, what is)."""
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
        if starts_table(lines, i):
            block, i = _table(lines, i, shown, first_line, found)
            blocks.append(block)
            continue
        while i < len(lines) and lines[i].strip() and lines[i].strip() not in BREAKS:
            i += 1
        head = lines[start].strip()
        kind, mark = ("subhead", "## ") if head.startswith("## ") else ("byline", "> ") if head.startswith("> ") \
            else ("para", "")
        # each line's text (markup and the spaces around it gone) and its column
        parts = []
        for line in lines[start:i]:
            body = line.strip()
            cut = len(mark) if mark and body.startswith(mark) else 0
            parts.append((body[cut:].strip(), len(line) - len(line.lstrip()) + cut + len(body[cut:]) -
                          len(body[cut:].lstrip()) + 1))
        raw, at = _join(parts, shown, first_line + start, kind == "subhead", found)
        where = Where(shown, first_line + start, 1)

        def place(k: int) -> Where:
            """The file's line and column of the raw text's character k (a joiner: the next one's)."""
            k = min(k, len(at) - 1)
            while at[k] is None and k + 1 < len(at):
                k += 1
            line, column = at[k] or (first_line + start, 1)
            return Where(shown, line, column)

        if found is not None:
            raw, at = _cleaned(raw, at, place, found)
        plain, spans, keep = _trimmed(*_marks(raw, lambda k: place(k) if k < len(at) else where))
        if plain:
            blocks.append(Block(kind, plain, where, spans, keep))
    return tuple(blocks)


def _join(parts: list[tuple[str, int]], shown: str, line: int, keep_breaks: bool, found: list | None):
    """A paragraph's lines as one text, and each character's (line, column) in the file
    (None for what the joining added). A subhead keeps the designer's line breaks; other
    lines join without a space between Chinese or Tibetan characters, with one between
    Latin words. A join after a Chinese sentence's end is reported when the story is
    cleaned: a line break inside a sentence is where someone (or a pasted column) broke
    the line, and joining it is all there is to do; one after 。 is as often a
    paragraph's end that lost its blank line in pasting."""
    joined, at = "", []
    for k, (part, column) in enumerate(parts):
        if k:
            if keep_breaks:
                joiner = "\n"
            else:
                joiner = " " if joined[-1:].isascii() and part[:1].isascii() else ""
                if found is not None and not joiner and joined[-1:] in SENTENCE_END and is_cjk(part[:1]):
                    found.append(("lines", Where(shown, line + k, column), _words(joined + part, len(joined)),
                                  "\n", ""))
            joined += joiner
            at += [None] * len(joiner)
        joined += part
        at += [(line + k, column + c) for c in range(len(part))]
    return joined, at


def _words(text: str, k: int, around: int = 8) -> str:
    """The words at character k, for the report."""
    return " ".join(text[max(0, k - around):k + around].split())



def _cleaned(text: str, at: list, place, found: list) -> tuple[str, list]:
    """Pasted text cleaned, each change noted at its place, and the characters' source
    positions carried along to the cleaned text."""
    cleaned, fixes, origin = clean(text)
    for fix in fixes:
        found.append((fix.kind, place(fix.at), _words(text, fix.at), fix.was, fix.now))
    return cleaned, [at[k] for k in origin]

def _trimmed(plain: str, spans, keep) -> tuple[str, tuple, tuple]:
    """Spaces at a paragraph's (or cell's) ends (left by '** **' around them) never show:
    they are not the story's text, so the count of its characters leaves them out; its
    bold spans and no-break ranges move with the text."""
    lead = len(plain) - len(plain.lstrip())
    plain = plain.strip()

    def inside(a: int, b: int) -> tuple[int, int]:
        return max(a - lead, 0), min(b - lead, len(plain))

    spans = tuple(Span(*inside(sp.start, sp.end), sp.style) for sp in spans
                  if inside(sp.start, sp.end)[1] > inside(sp.start, sp.end)[0])
    keep = tuple(inside(a, b) for a, b in keep if inside(a, b)[1] - inside(a, b)[0] > 1)
    return plain, spans, keep


def _marks(raw: str, place) -> tuple[str, tuple[Span, ...], tuple[tuple[int, int], ...]]:
    """Remove the ** and [[ ]] marks and the \\ escapes; return the text, its bold spans
    and its no-break ranges. `place`: the file's Where of a character of `raw`."""
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
            raise InputError(what, place(at), hint)
    return "".join(out), tuple(spans), tuple(keep)


def _table(lines: list[str], i: int, shown: str, first_line: int, found: list | None) -> tuple[Block, int]:
    """The pipe table starting at line i, and the line after it: rows to a blank line
    or a break mark, each a '|' line with as many cells as the delimiter row."""
    start = i
    header_line = None if is_delimiter(lines[i]) else i
    if header_line is not None:
        i += 1
    widths, aligns = read_delimiter(lines[i], shown, first_line + i)
    n = len(aligns)
    i += 1
    rows = []

    def row(k: int) -> tuple[Cell, ...]:
        cells = split_row(lines[k])
        if len(cells) != n:
            what = "the header row" if k == header_line else f"row {len(rows) + 1}"
            raise InputError(f"{what} of the table has {len(cells)} cell{'s' * (len(cells) != 1)}, its delimiter "
                             f"row {n}", Where(shown, first_line + k, 1),
                             "give every row a cell per column ('| |' for an empty one), or write \\| for a bar "
                             "inside a cell")
        return tuple(_cell(text, first_line + k, column, shown, found) for text, column in cells)

    header = row(header_line) if header_line is not None else ()
    while i < len(lines) and lines[i].strip() and lines[i].strip() not in BREAKS:
        if not lines[i].strip().startswith("|"):
            raise InputError("a table row must start with '|'", Where(shown, first_line + i, 1),
                             "leave a blank line between the table and the next paragraph")
        if is_delimiter(lines[i]):
            raise InputError("a second delimiter row in the table", Where(shown, first_line + i, 1),
                             "a table has one delimiter row, under its header; leave a blank line to start another")
        rows.append(row(i))
        i += 1
    if not rows:
        raise InputError("a table without rows", Where(shown, first_line + start, 1),
                         "add its rows under the delimiter row, a '|' line each")
    data = TableData(header, tuple(rows), widths, aligns)
    return Block("table", data.text, Where(shown, first_line + start, 1), table=data), i


def _cell(raw: str, line: int, column: int, shown: str, found: list | None) -> Cell:
    """One cell: '\\|' unescaped, cleaned like a paragraph, its bold and [[…]] read."""
    text, at = "", []
    k = len(raw) - len(raw.lstrip())
    body = raw.rstrip()
    while k < len(body):
        if body.startswith("\\|", k):
            text += "|"
            at.append(column + k)
            k += 2
            continue
        text += body[k]
        at.append(column + k)
        k += 1

    def place(k: int) -> Where:
        return Where(shown, line, at[min(k, len(at) - 1)] if at else column)

    if found is not None:
        text, at = _cleaned(text, at, place, found)
    plain, spans, keep = _trimmed(*_marks(text, place))
    return Cell(plain, place(0), spans, keep)
