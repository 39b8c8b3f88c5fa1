"""Tables as written -> `TableData`: a `table` element's rows and columns, and a story's
'|' pipe tables; column widths and alignments read, ragged rows and bad widths refused
with their place.

Widths: `auto` (from the content), a length (`30mm`: fixed), a share of the width the
fixed and auto columns leave (`2*`, `*` for 1*), or a part of the table's width (`30%`).
A pipe table's delimiter row gives alignments as Markdown does (`:--` start, `:-:`
centre, `--:` end, `---` auto) and, after the dashes, a width (`| :--- 2* | ---: 20mm |`);
a table without a header row starts with its delimiter row.
"""
from __future__ import annotations

import re

from ..base.errors import InputError, Where
from ..base.units import UnitError, parse_length
from .model import PAGE_MAX, Cell, Table, TableData

MAX_COLUMNS = 50
MAX_SHARE = 1000.0
WIDTH_HINT = "write auto, a length (30mm, 12pt), a share of the rest ('2*', '*') or a part of the table ('30%')"
_SHARE = re.compile(r"^\s*((?:\d+(?:\.\d*)?|\.\d+)?)\s*\*\s*$")
_PART = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*%\s*$")
_DELIMITER_CELL = re.compile(r"^(:?)(-+)(:?)(?:\s+(\S.*?))?$")
_ALIGNS = {("", ""): "auto", (":", ""): "start", ("", ":"): "end", (":", ":"): "center"}


def parse_width(text: str) -> tuple[str, float]:
    """('auto', 0), ('fixed', points), ('share', weight) or ('part', fraction); a
    ValueError saying why for anything else."""
    if not isinstance(text, str):
        raise ValueError(f"cannot read {text!r} as a column width")
    if text.strip() == "auto":
        return ("auto", 0.0)
    m = _SHARE.match(text)
    if m:
        weight = float(m.group(1)) if m.group(1) else 1.0
        if not 0 < weight <= MAX_SHARE:
            raise ValueError(f"share '{text.strip()}' must be more than 0* and at most {MAX_SHARE:g}*")
        return ("share", weight)
    m = _PART.match(text)
    if m:
        part = float(m.group(1))
        if not 0 < part <= 100:
            raise ValueError(f"part '{text.strip()}' of the table must be more than 0% and at most 100%")
        return ("part", part / 100)
    try:
        points = parse_length(text)
    except UnitError as exc:
        raise ValueError(f"cannot read {text.strip()!r} as a column width ({exc})") from None
    if not 0 < points <= PAGE_MAX:
        raise ValueError(f"column width {text.strip()!r} must be more than 0 and at most {PAGE_MAX:g}pt")
    return ("fixed", points)


def column_count(el: Table) -> int:
    """The columns the table has: its header's, else its `columns`', else its first row's."""
    if el.header:
        return len(el.header)
    if el.columns:
        return len(el.columns)
    return len(el.rows[0]) if el.rows else 0


def check_table(el: Table, yel, error) -> None:
    """A table element's shape: rows, header and columns of one count, widths readable.
    `yel`: the element's YAML node (for places); `error(message, where, hint)`."""
    def at(*keys) -> Where:
        node = yel
        for key in keys:
            value = node.value
            if isinstance(value, dict) and key in value or isinstance(value, list) and key < len(value):
                node = value[key]
            else:
                break
        return node.where

    if not el.rows:
        error("a table needs at least one row", at("rows"), "give its rows under rows: [[cell, cell], …]")
        return
    n = column_count(el)
    if not 1 <= n <= MAX_COLUMNS:
        error(f"a table has 1 to {MAX_COLUMNS} columns, this one {n}", at("header" if el.header else "rows"),
              "split it into two tables")
        return
    given = "the header's" if el.header else "the columns'" if el.columns else "the first row's"
    if el.columns and len(el.columns) != n:
        error(f"columns: {len(el.columns)} given for a table of {n} columns ({given} count)", at("columns"),
              f"give one entry per column, {n} in all")
    for i, row in enumerate(el.rows):
        if len(row) != n:
            error(f"row {i + 1} has {len(row)} cell{'s' * (len(row) != 1)}, the table {n} ({given} count)",
                  at("rows", i), "give every row a cell per column; an empty cell is ''")
    for i, col in enumerate(el.columns):
        try:
            parse_width(col.width)
        except ValueError as exc:
            error(f"column {i + 1}: {exc}", at("columns", i, "width"), WIDTH_HINT)


def table_data(el: Table) -> TableData:
    """The element as layout reads it (check_table has passed)."""
    n = column_count(el)
    columns = list(el.columns or [])
    widths = tuple(parse_width(c.width) for c in columns) + (("auto", 0.0),) * (n - len(columns))
    aligns = tuple(c.align for c in columns) + ("auto",) * (n - len(columns))
    weights = tuple(el.rule_weights[:2]) if len(el.rule_weights) >= 2 else (1.0, 0.5)
    return TableData(tuple(Cell(t) for t in el.header or ()), tuple(tuple(Cell(t) for t in row) for row in el.rows),
                     widths[:n], aligns[:n], el.rules, el.style, el.header_style, weights)


# ---------------------------------------------------------------- pipe tables in stories

def is_delimiter(line: str) -> bool:
    """A line that looks like a pipe table's delimiter row: '|' then cells of dashes."""
    body = line.strip()
    if not body.startswith("|") or "-" not in body:
        return False
    return all(c.strip().lstrip(":").startswith("-") for c, _ in split_row(line))


def starts_table(lines: list[str], i: int) -> bool:
    """Whether a block starting at line i is a pipe table: a '|' line, with a delimiter
    row as its first or second line."""
    if not lines[i].strip().startswith("|"):
        return False
    return is_delimiter(lines[i]) or (i + 1 < len(lines) and is_delimiter(lines[i + 1]))


def split_row(line: str) -> list[tuple[str, int]]:
    """A row's cells (as written, '\\|' a literal bar kept escaped) and each one's
    1-based column in the line; the outer bars dropped."""
    cells, k, start = [], 0, None
    text = line.rstrip()
    k = len(line) - len(line.lstrip())
    if text[k:k + 1] == "|":
        k += 1
    start = k
    while k < len(text):
        if text.startswith("\\|", k):
            k += 2
            continue
        if text[k] == "|":
            cells.append((text[start:k], start + 1))
            start = k + 1
        k += 1
    if start < len(text) and text[start:].strip():
        cells.append((text[start:], start + 1))
    return cells


def read_delimiter(line: str, shown: str, number: int) -> tuple[tuple[tuple[str, float], ...], tuple[str, ...]]:
    """A delimiter row's widths and alignments; a located error for a cell it cannot read."""
    widths, aligns = [], []
    for cell, column in split_row(line):
        m = _DELIMITER_CELL.match(cell.strip())
        where = Where(shown, number, column + len(cell) - len(cell.lstrip()))
        if not m:
            raise InputError(f"cannot read the table's delimiter cell '{cell.strip()}'", where,
                             "write ---, :--- (start), :---: (centre) or ---: (end), then a width if you want "
                             "one: '| :--- 2* | ---: 20mm |'")
        aligns.append(_ALIGNS[(m.group(1), m.group(3))])
        try:
            widths.append(parse_width(m.group(4)) if m.group(4) else ("auto", 0.0))
        except ValueError as exc:
            raise InputError(f"table column {len(widths) + 1}: {exc}", where, WIDTH_HINT) from None
    if not 1 <= len(aligns) <= MAX_COLUMNS:
        raise InputError(f"a table has 1 to {MAX_COLUMNS} columns, this one {len(aligns)}",
                         Where(shown, number, 1), "split it into two tables")
    return tuple(widths), tuple(aligns)
