"""Every paragraph of the shared corpus, set at measures from 6 to 40 em, keeps the
rules that readers notice: no character lost or doubled, no line wider than its
measure, no line starting or ending with a prohibited mark, no Tibetan syllable split.

The rule sets are written out here from ../shared/typography (not imported from the
engine), so that a wrong table in the engine fails this test.
"""
from __future__ import annotations

import pytest

from conftest import SHARED

from layout.fonts import load_fontset
from layout.linebreak import Widths
from layout.lines import set_lines
from layout.prepare import prepare
from layout.shape import Shaper

SIZE = 10.0
MEASURES_EM = (6, 9, 13, 19, 27, 40)
# chinese.md C1 (GB level) and C2
C1 = set("、，。．；：！？‼⁇⁈⁉”’」』）〕】〗］｝》〉–～·・‧/／")
C2 = set("“‘「『（〔【〖［｛《〈")
SOLIDI = set("/／")  # C2 in Chinese (and Tibetan) text; a URL in Latin may break after /
C4 = ("——", "……", "⋯⋯", "⸺⸺")
# tibetan.md T3, and the marks after which T1 lets a line end
T3 = set("།༎༏༐༑༔་༌ཿ \u00a0༻༽")
T1_AFTER = set("་།༎༏༐༑༔ཿ༴྾ ")

CORPUS = sorted((SHARED / "corpus").glob("*/*.txt"))


def paragraphs(path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("# "):
            yield line


def tibetan(ch: str) -> bool:
    return "\u0f00" <= ch <= "\u0fff"


def check_paragraph(text: str, lines, measure: float) -> list[str]:
    problems = []
    if not lines:
        return ["no lines"]
    if lines[0].start != 0 or lines[-1].end != len(text):
        problems.append(f"lines cover {lines[0].start}..{lines[-1].end} of {len(text)}")
    for k, line in enumerate(lines):
        where = f"line {k + 1}"
        if k and line.start != lines[k - 1].end:
            problems.append(f"{where}: starts at {line.start}, previous ended at {lines[k - 1].end}")
        shown = text[line.start:line.end].strip(" \n")
        if line.text != shown:
            problems.append(f"{where}: shows {line.text!r}, source {shown!r}")
        if line.width > measure + 0.01:  # the first line's indent is inside the measure
            problems.append(f"{where}: {line.width:.2f} pt wide, measure {measure:.2f} pt")
        if not shown:
            continue
        if shown[0] in C1 and not (k == 0):
            problems.append(f"{where}: starts with {shown[0]} (C1)")
        if shown[0] in T3 and k:
            problems.append(f"{where}: starts with {shown[0]!r} (T3)")
        if k + 1 < len(lines):
            if shown[-1] in C2:
                problems.append(f"{where}: ends with {shown[-1]} (C2)")
            context = text[max(0, line.end - 3):line.end + 2]
            if shown[-1] in SOLIDI and any(tibetan(c) or "\u3000" <= c <= "\u9fff" for c in context):
                problems.append(f"{where}: ends with {shown[-1]} in Chinese or Tibetan text (C2)")
            a, b = text[line.end - 1], text[line.end] if line.end < len(text) else ""
            if a + b in C4:
                problems.append(f"{where}: splits {a + b} (C4)")
            if tibetan(a) and tibetan(b) and a not in T1_AFTER:
                problems.append(f"{where}: breaks inside a Tibetan syllable after {a!r} (T1)")
    return problems


@pytest.fixture(scope="module")
def engine():
    return load_fontset(), Shaper()


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_paragraphs_keep_the_rules(path, engine):
    fonts, shaper = engine
    role = "tibetan-body" if "bod" in path.name or path.parent.name == "tibetan" else "body"
    failures = []
    total = 0
    for n, text in enumerate(paragraphs(path)):
        prepared = prepare(text, role, SIZE, 0.0, fonts, shaper)
        # each paragraph at two measures, narrow and wide, rotating through the range
        for em in (MEASURES_EM[n % 3], MEASURES_EM[3 + n % 3]):
            measure = em * SIZE
            lines = set_lines(prepared, Widths.uniform(measure), shaper)
            total += len(lines)
            for problem in check_paragraph(text, lines, measure):
                failures.append(f"paragraph {n + 1} at {em} em, {problem}")
    print(f"{path.name}: {total} lines checked")
    assert not failures, f"{len(failures)} violations, first: " + "; ".join(failures[:8])
