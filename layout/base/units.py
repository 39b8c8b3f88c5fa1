"""Lengths and type sizes as designers write them: pt, mm, cm, in, q (级) and 字号 names.

Everything inside the engine is in PostScript points (1/72 in).
"""
from __future__ import annotations

import re

PT_PER_MM = 72 / 25.4

# Multipliers to points. 1 q (级) = 0.25 mm, the Japanese/Chinese phototype unit.
UNITS = {
    "pt": 1.0,
    "mm": PT_PER_MM,
    "cm": 10 * PT_PER_MM,
    "in": 72.0,
    "q": 0.25 * PT_PER_MM,
    "级": 0.25 * PT_PER_MM,
}

# Chinese type sizes (字号) in points, as in the GB conventions used by 方正 and Word.
ZIHAO = {
    "初号": 42.0, "小初": 36.0, "一号": 26.0, "小一": 24.0, "二号": 22.0, "小二": 18.0,
    "三号": 16.0, "小三": 15.0, "四号": 14.0, "小四": 12.0, "五号": 10.5, "小五": 9.0,
    "六号": 7.5, "小六": 6.5, "七号": 5.5, "八号": 5.0,
}

_LENGTH = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+))\s*([a-zA-Z级]+)?\s*$")


class UnitError(ValueError):
    """A length that cannot be read; the message says what is expected."""


def parse_length(value, *, extra_units: dict[str, float] | None = None) -> float:
    """Read '12mm', '10.5pt', '20q', '五号' or 0 into points.

    A bare number other than 0 is refused: in a YAML file '12' could mean pt or mm,
    and a silent guess is how a page goes wrong.
    """
    if isinstance(value, bool):
        raise UnitError(f"expected a length such as 12mm or 10.5pt, got {value!r}")
    if isinstance(value, (int, float)):
        if value == 0:
            return 0.0
        raise UnitError(f"length {value} has no unit; write {value}pt or {value}mm")
    if not isinstance(value, str):
        raise UnitError(f"expected a length such as 12mm or 10.5pt, got {type(value).__name__}")
    text = value.strip()
    if text in ZIHAO:
        return ZIHAO[text]
    match = _LENGTH.match(text)
    if not match:
        raise UnitError(f"cannot read {value!r} as a length; write e.g. 12mm, 10.5pt, 20q or 五号")
    number, unit = float(match.group(1)), match.group(2)
    units = dict(UNITS, **(extra_units or {}))
    if unit is None:
        if number == 0:
            return 0.0
        raise UnitError(f"length {text} has no unit; write {text}pt or {text}mm")
    if unit not in units:
        known = ", ".join(sorted(units))
        plural = unit[:-1] if unit.endswith("s") and unit[:-1] in units else None
        hint = f"write {match.group(1)}{plural}" if plural else f"known units: {known}"
        raise UnitError(f"unknown unit {unit!r} in {value!r}; {hint}")
    return number * units[unit]
