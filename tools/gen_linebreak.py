#!/usr/bin/env python3
"""Generate layout/text/linebreak_data.py from the Unicode Character Database (and the rule
tables of layout/text/uax14.py).

The line breaker must not depend on the Unicode version of the running Python
(3.11 ships 14.0), so every property UAX #14 needs is frozen here from Debian's
`unicode-data` package (15.0.0): Line_Break, the LB1 resolution of SA marks
(General_Category Mn/Mc), East_Asian_Width F/W/H (LB30) and Extended_Pictographic
code points that are still unassigned (LB30b).

Usage: python tools/gen_linebreak.py [--unicode-dir DIR] [--output FILE] [--check]
The output depends only on the input files, so re-running it is a no-op.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

EXPECTED_VERSION = "15.0.0"
MAX_CP = 0x10FFFF
REPO = Path(__file__).resolve().parent.parent
SOURCES = {
    "lb": "LineBreak.txt",
    "eaw": "EastAsianWidth.txt",
    "emoji": "emoji/emoji-data.txt",
    "ucd": "UnicodeData.txt",
}

# Defaults for unlisted code points, from the prose headers of LineBreak.txt and
# EastAsianWidth.txt 15.0 (the files list these ranges explicitly today, but the
# headers are the normative statement, so apply them underneath the listed values).
LB_DEFAULTS = [
    (0x3400, 0x4DBF, "ID"), (0x4E00, 0x9FFF, "ID"), (0xF900, 0xFAFF, "ID"),
    (0x20000, 0x2FFFD, "ID"), (0x30000, 0x3FFFD, "ID"),
    (0x1F000, 0x1FAFF, "ID"), (0x1FC00, 0x1FFFD, "ID"),
    (0x20A0, 0x20CF, "PR"),
]
EAW_DEFAULTS = [
    (0x3400, 0x4DBF, "W"), (0x4E00, 0x9FFF, "W"), (0xF900, 0xFAFF, "W"),
    (0x20000, 0x2FFFD, "W"), (0x30000, 0x3FFFD, "W"),
]

_LINE = re.compile(r"^([0-9A-F]{4,6})(?:\.\.([0-9A-F]{4,6}))?\s*;\s*([A-Za-z0-9_]+)")


def parse_property_file(path: Path) -> Iterator[tuple[int, int, str]]:
    """(first, last, value) for each data line; comments and blanks skipped."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            m = _LINE.match(line)
            if m:
                first = int(m.group(1), 16)
                last = int(m.group(2), 16) if m.group(2) else first
                yield first, last, m.group(3)


def header_lines(path: Path, count: int = 2) -> list[str]:
    """The leading comment lines naming the file's version and date, for provenance."""
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#") or len(out) == count:
                break
            out.append(line[1:].strip())
    return out


def check_version(path: Path) -> None:
    first = header_lines(path, 1)[0]
    if EXPECTED_VERSION not in first:
        sys.exit(f"{path}: expected Unicode {EXPECTED_VERSION}, header says {first!r}; "
                 "the rules in layout/text/uax14.py are written for that version")


def fill(table: list[str], ranges: Iterable[tuple[int, int, str]]) -> None:
    for first, last, value in ranges:
        table[first:last + 1] = [value] * (last - first + 1)


def general_categories(path: Path) -> list[str]:
    """General_Category of every code point; UnicodeData.txt's First/Last pairs are ranges."""
    gc = ["Cn"] * (MAX_CP + 1)
    first = None
    with path.open(encoding="utf-8") as f:
        for line in f:
            fields = line.split(";")
            cp, name, cat = int(fields[0], 16), fields[1], fields[2]
            if name.endswith(", First>"):
                first = cp
                continue
            if name.endswith(", Last>") and first is not None:
                gc[first:cp + 1] = [cat] * (cp - first + 1)
                first = None
            else:
                gc[cp] = cat
    return gc


def runs(values: list[str]) -> list[tuple[int, str]]:
    """(start, value) at every change of value: a partition of the code space."""
    out = [(0, values[0])]
    for cp in range(1, len(values)):
        if values[cp] != values[cp - 1]:
            out.append((cp, values[cp]))
    return out


def bounds(member: list[bool]) -> list[int]:
    """Alternating in/out boundaries: cp is a member iff bisect_right(bounds, cp) is odd."""
    out: list[int] = []
    inside = False
    for cp, m in enumerate(member):
        if m != inside:
            out.append(cp)
            inside = m
    if inside:
        out.append(MAX_CP + 1)
    return out


def format_tuple(name: str, literals: list[str], per_line: int) -> str:
    """`name = (...)` with `per_line` literals a line, so the diff of a Unicode update reads."""
    lines = [f"{name} = ("]
    for i in range(0, len(literals), per_line):
        lines.append("    " + " ".join(f"{v}," for v in literals[i:i + per_line]))
    lines.append(")")
    return "\n".join(lines)


def format_ints(name: str, values: list[int]) -> str:
    return format_tuple(name, [f"0x{v:04X}" for v in values], 10)


def format_strs(name: str, values: list[str]) -> str:
    return format_tuple(name, [f'"{v}"' for v in values], 16)


def format_bytes(name: str, data: bytes) -> str:
    """`name = bytes.fromhex(...)`, 32 bytes a line."""
    lines = [f"{name} = bytes.fromhex("]
    for i in range(0, len(data), 32):
        lines.append(f'    "{data[i:i + 32].hex()}"')
    lines.append(")")
    return "\n".join(lines)


def rule_tables() -> list[str]:
    """UAX #14's rules as layout/text/uax14.py tabulates them (_tables), stored so that
    importing the breaker does not work them out again (4 ms of every render)."""
    sys.path.insert(0, str(REPO))
    from layout.text import uax14

    raw, pair, space, state = uax14._tables()
    return [
        "# The rules of layout/text/uax14.py as its lookup tables (uax14._tables(); test_uax14 checks",
        "# that these are what the rules give): adjacent characters, unit pairs, after spaces,",
        "# context states.",
        format_bytes("RULE_RAW", raw), "", format_bytes("RULE_PAIR", pair), "",
        format_bytes("RULE_SPACE", space), "", format_bytes("RULE_STATE", state), "",
    ]


def generate(udir: Path) -> str:
    paths = {key: udir / rel for key, rel in SOURCES.items()}
    for key in ("lb", "eaw"):
        check_version(paths[key])

    lb = ["XX"] * (MAX_CP + 1)
    fill(lb, LB_DEFAULTS)
    fill(lb, parse_property_file(paths["lb"]))

    eaw = ["N"] * (MAX_CP + 1)
    fill(eaw, EAW_DEFAULTS)
    fill(eaw, parse_property_file(paths["eaw"]))

    extpict = [False] * (MAX_CP + 1)
    for first, last, prop in parse_property_file(paths["emoji"]):
        if prop == "Extended_Pictographic":
            extpict[first:last + 1] = [True] * (last - first + 1)

    gc = general_categories(paths["ucd"])
    sa_marks = [c == "SA" and g in ("Mn", "Mc") for c, g in zip(lb, gc)]
    wide = [w in ("F", "W", "H") for w in eaw]
    extpict_cn = [x and g == "Cn" for x, g in zip(extpict, gc)]

    lb_runs = runs(lb)
    provenance = []
    for key, rel in SOURCES.items():
        if key == "ucd":
            provenance.append(f"#   {rel} (General_Category)")
            continue
        info = "; ".join(header_lines(paths[key]))
        provenance.append(f"#   {rel}: {info}")
    if "15.0" not in " ".join(header_lines(paths["emoji"], 8)):
        sys.exit(f"{paths['emoji']}: not the Emoji 15.0 data file")

    parts = [
        '"""Unicode properties for the line breaker (layout/text/uax14.py). GENERATED: do not edit.',
        "",
        "Regenerate with `python tools/gen_linebreak.py`; it reads Debian's unicode-data package",
        "and tabulates the rules of layout/text/uax14.py.",
        '"""',
        f"# Unicode {EXPECTED_VERSION}, from /usr/share/unicode/ (Debian package unicode-data):",
        *provenance,
        "",
        f'UNICODE_VERSION = "{EXPECTED_VERSION}"',
        "",
        "# Line_Break (raw, before LB1): code points LB_STARTS[i] .. LB_STARTS[i+1]-1",
        "# have class LB_VALUES[i]; the last run ends at U+10FFFF.",
        format_ints("LB_STARTS", [s for s, _ in lb_runs]),
        "",
        format_strs("LB_VALUES", [v for _, v in lb_runs]),
        "",
        "# Sets below are sorted boundaries: cp is a member iff bisect_right(SET, cp) is odd.",
        "",
        "# Line_Break=SA with General_Category Mn or Mc (LB1 resolves these to CM, the rest to AL).",
        format_ints("SA_MARKS", bounds(sa_marks)),
        "",
        "# East_Asian_Width F, W or H (LB30 exempts such OP and CP).",
        format_ints("EAST_ASIAN_FWH", bounds(wide)),
        "",
        "# Extended_Pictographic and General_Category Cn (LB30b).",
        format_ints("EXTPICT_UNASSIGNED", bounds(extpict_cn)),
        "",
        *rule_tables(),
    ]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--unicode-dir", type=Path, default=Path("/usr/share/unicode"))
    ap.add_argument("--output", type=Path, default=REPO / "layout" / "text" / "linebreak_data.py")
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if the output file is out of date")
    args = ap.parse_args(argv)
    missing = [r for r in SOURCES.values() if not (args.unicode_dir / r).is_file()]
    if missing:
        sys.exit(f"missing {', '.join(missing)} in {args.unicode_dir}: "
                 "install the Debian package unicode-data (apt-get install unicode-data)")
    text = generate(args.unicode_dir)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; run tools/gen_linebreak.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
