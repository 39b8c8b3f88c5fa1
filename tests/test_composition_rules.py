"""Every paragraph of the shared corpus, set at measures from 6 to 40 em, keeps the
rules that readers notice: no character lost or doubled, no line wider than its
measure, no line starting or ending with a prohibited mark, no Tibetan syllable split.

The rule sets are written out here from ../shared/typography (not imported from the
engine), so that a wrong table in the engine fails this test.
"""
from __future__ import annotations

import pytest

from conftest import SHARED

from layout.fonts.faces import load_fontset
from layout.lines.linebreak import Widths
from layout.lines.justify import set_lines
from layout.lines.prepare import prepare
from layout.text.shape import Shaper

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


def test_grid_mode_keeps_pure_han_lines_on_the_em_grid(engine):
    """C15: with the character grid on and a measure of whole ems, every character of
    a line that needs no adjustment starts on a multiple of the type size."""
    from layout.lines.prepare import Composition

    fonts, shaper = engine
    text = next(paragraphs(SHARED / "corpus" / "chinese" / "ntrex128_zh_news_01.txt"))
    prepared = prepare(text, "body", SIZE, 0.0, fonts, shaper, options=Composition(grid=True))
    lines = set_lines(prepared, Widths.uniform(17 * SIZE), shaper)
    on_grid = 0
    for line in lines[:-1]:
        if abs(line.ratio) > 1e-9 or any(c.isascii() for c in line.text):
            continue
        xs = [run.x + p[0] for run in line.runs for p in run.positions]
        assert all(abs(x / SIZE - round(x / SIZE)) < 1e-6 for x in xs), line.text
        on_grid += 1
    assert on_grid >= len(lines) // 2, f"only {on_grid} of {len(lines)} lines on the grid"


def test_tsheg_padding_fills_lines_and_adds_no_text(engine, tmp_path):
    """T8 (an option): lines ending in a tsheg are filled with tshegs, drawn as shapes,
    so the text that comes back is the source."""
    import subprocess

    from conftest import pdfium_text, squash
    from layout.lines.display import PageOut
    from layout.output.pdf import PdfWriter
    from layout.lines.prepare import Composition

    fonts, shaper = engine
    text = next(paragraphs(SHARED / "corpus" / "tibetan" / "tibettimes_2017.txt"))[:600]
    prepared = prepare(text, "tibetan-body", SIZE, 0.0, fonts, shaper,
                       options=Composition(tibetan_justify="tsheg"))
    lines = set_lines(prepared, Widths.uniform(13 * SIZE), shaper)
    padded = [l for l in lines[:-1] if l.runs and l.runs[-1].clusters[-1].text == ""]
    assert padded, "no line was padded"
    for line in lines[:-1]:
        assert abs(line.width - 13 * SIZE) < 0.01
    items = [r.moved(20, 30 + 18 * i) for i, l in enumerate(lines) for r in l.runs]
    pdf = tmp_path / "t8.pdf"
    pdf.write_bytes(PdfWriter().write([PageOut(1, 13 * SIZE + 40, 18 * len(lines) + 60, tuple(items))]))
    out = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
    assert squash(out) == squash(text)
    assert squash(pdfium_text(pdf)) == squash(text)


def test_hyphenation_breaks_long_latin_words_and_adds_no_text(engine, tmp_path):
    """Optional hyphenation (pyphen) for Latin in narrow columns: words break at
    hyphenation points with a drawn hyphen that is not text."""
    from conftest import pdfium_text, pdftotext, squash
    from layout.lines.display import PageOut
    from layout.output.pdf import PdfWriter
    from layout.lines.prepare import Composition

    fonts, shaper = engine
    text = ("Representatives of international organisations discussed telecommunications "
            "infrastructure and environmental responsibilities with administrators.")
    plain = set_lines(prepare(text, "body", SIZE, 0.0, fonts, shaper), Widths.uniform(9 * SIZE), shaper)
    hyph = set_lines(prepare(text, "body", SIZE, 0.0, fonts, shaper, options=Composition(hyphenate="en_US", gap_max=2.0)),
                     Widths.uniform(9 * SIZE), shaper)
    hyphenated = [l for l in hyph if l.runs and l.runs[-1].clusters[-1].text == ""]
    assert hyphenated, "no word was hyphenated"
    for line in hyphenated:
        assert text[line.end - 1].isalpha() and text[line.end].isalpha()
    assert all(l.width <= 9 * SIZE + 0.01 for l in hyph)
    assert all(abs(l.width - 9 * SIZE) < 0.01 for l in hyph[:-1]), "lines not justified"
    # without hyphenation the narrow measure forces emergency breaks with no hyphen
    def inside_words(lines):
        return sum(1 for l in lines[:-1] if text[l.end - 1].isalpha() and text[l.end].isalpha())
    assert inside_words(plain) > 0
    assert inside_words(hyph) == len(hyphenated)
    items = [r.moved(20, 30 + 14 * i) for i, l in enumerate(hyph) for r in l.runs]
    pdf = tmp_path / "h.pdf"
    pdf.write_bytes(PdfWriter().write([PageOut(1, 9 * SIZE + 40, 14 * len(hyph) + 60, tuple(items))]))
    assert squash(pdftotext(pdf, "-raw")) == squash(text)
    assert squash(pdfium_text(pdf)) == squash(text)
