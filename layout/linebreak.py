"""Choose line ends for a prepared paragraph: a pure function over unit widths.

`break_lines` takes a width per line (lines beside a photo are shorter). This slice is
first-fit (greedy); total-fit goes behind the same entry point.
"""
from __future__ import annotations

from collections.abc import Callable

from .prepare import Prepared


def natural_width(prepared: Prepared, a: int, b: int) -> float:
    """Width of units [a, b) without the spaces that a line end drops."""
    units = prepared.units
    while b > a and units[b - 1].space:
        b -= 1
    return sum(u.width for u in units[a:b])


def break_lines(prepared: Prepared, width_of_line: Callable[[int], float],
                start: int = 0) -> list[tuple[int, int]]:
    """Lines as unit ranges [a, b), from unit `start` to the paragraph's end."""
    units = prepared.units
    lines: list[tuple[int, int]] = []
    a = start
    n = len(units)
    while a < n:
        while a < n and units[a].space:
            a += 1  # no line starts with a space (T3)
        if a >= n:
            break
        measure = width_of_line(len(lines))
        width = 0.0
        last_ok = None
        b = a
        while b < n:
            u = units[b]
            if width + u.width > measure + 0.01 and not u.space and b > a:
                break
            width += u.width
            b += 1
            if u.forced:
                last_ok = b
                break
            if u.break_after:
                last_ok = b
        if b >= n and not units[b - 1].forced:
            lines.append((a, n))
            break
        end = last_ok if last_ok is not None else b  # no legal break: overfull is better than lost
        lines.append((a, end))
        a = end
    return lines
