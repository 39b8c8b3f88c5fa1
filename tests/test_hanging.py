"""Hanging punctuation (chinese.md C18): off by default; when a style turns it on, a
line-end 、，or 。 may hang past the measure, only when the line is full without it, only
one mark, never one that follows another mark. On the character grid (C15) it keeps
lines whole where the mark would have pushed a character out.

Checked over the shared corpus's paragraphs at several measures, with and without the
grid, and read back from the PDF with pdfium."""
from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import SHARED

from layout.api import Options, render
from layout.fonts.faces import load_fontset
from layout.lines.justify import set_lines
from layout.lines.linebreak import Widths
from layout.lines.prepare import Composition, prepare
from layout.text.shape import Shaper

SIZE = 10.0
MAY_HANG = "、，。"  # written out here, not imported: a wrong table in the engine fails
MARKS = set("、，。；：！？“”‘’（）《》〈〉「」『』【】…—·")


@pytest.fixture(scope="module")
def engine():
    return load_fontset(), Shaper()


def lines_of(engine, text: str, ems: int, *, hang: bool, grid: bool = False, indent: int = 2):
    fonts, shaper = engine
    prepared = prepare(text, "body", SIZE, 0.0, fonts, shaper, options=Composition(hang=hang, grid=grid))
    return set_lines(prepared, Widths.uniform(ems * SIZE), shaper, indent=indent * SIZE)


def corpus(limit: int = 60) -> list[str]:
    out = []
    for path in sorted((SHARED / "corpus" / "chinese").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("# "):
                out.append(line.strip())
    return out[:limit]


def check(lines, measure: float) -> list[str]:
    problems = []
    for i, line in enumerate(lines):
        past = line.width - measure  # width counts from the line's start, indent included
        if past <= 0.02:
            continue
        text = line.text.rstrip()
        if not text or text[-1] not in MAY_HANG:
            problems.append(f"line {i} {text!r} is {past:.2f} pt past the measure and ends with no hanging mark")
            continue
        if len(text) > 1 and text[-2] in MARKS:
            problems.append(f"line {i} {text!r}: a mark after a mark hangs")
        if past > SIZE + 0.02:
            problems.append(f"line {i} {text!r} hangs {past:.2f} pt, more than one mark")
        # without the mark the line fills its measure: the mark's pen starts at its end
        run = line.runs[-1]
        pen = run.x + run.positions[-1][0]
        if abs(pen - measure) > 0.05:
            problems.append(f"line {i} {text!r} hangs, but its mark starts {pen - measure:+.2f} pt from "
                            "the measure's end")
    return problems


def test_off_by_default(engine):
    """C18: no style hangs unless asked; every line keeps inside its measure."""
    for text in corpus(40):
        for ems in (9, 13, 21):
            for line in lines_of(engine, text, ems, hang=False):
                assert line.width <= ems * SIZE + 0.02, line.text


@pytest.mark.parametrize("grid", [False, True])
def test_corpus_hangs_only_as_c18_allows(engine, grid):
    problems, hung, seen = [], 0, 0
    for n, text in enumerate(corpus()):
        for ems in (9, 11, 13, 17):
            lines = lines_of(engine, text, ems, hang=True, grid=grid)
            ends = [(line.start, line.end) for line in lines]
            assert ends[0][0] == 0 and ends[-1][1] == len(text), "no character lost"
            assert all(a[1] == b[0] for a, b in zip(ends, ends[1:])), "no character lost or doubled"
            seen += len(lines)
            hung += sum(line.width > ems * SIZE + 0.02 for line in lines)
            problems += [f"paragraph {n + 1} at {ems} em: {p}" for p in check(lines, ems * SIZE)]
    assert not problems, f"{len(problems)} problems, first: " + "; ".join(problems[:4])
    assert hung > 20, f"only {hung} of {seen} lines hung: the rule never came into play"


def test_grid_keeps_the_line_whole(engine):
    """一…十，in a 10-em grid column: without hanging 十 is pushed out and the line is set
    an em short; with it the comma hangs and the line is whole, every character on the
    grid."""
    text = "一二三四五六七八九十，一二三四五六七八九。"
    plain = lines_of(engine, text, 10, hang=False, grid=True, indent=0)
    hanging = lines_of(engine, text, 10, hang=True, grid=True, indent=0)
    assert plain[0].text == "一二三四五六七八九" and plain[0].grid_miss == "short"
    first = hanging[0]
    assert first.text == "一二三四五六七八九十，"
    assert first.grid_miss == ""
    xs = [run.x + pos[0] for run in first.runs for pos in run.positions]
    assert all(abs(x / SIZE - round(x / SIZE)) < 0.001 for x in xs)


def test_consecutive_marks_never_hang(engine):
    """”，may not hang: the line breaks elsewhere and stays inside its measure."""
    text = "一二三四五六七“八九十”，一二三四五六七八九。"
    for line in lines_of(engine, text, 11, hang=True):
        assert line.width <= 11 * SIZE + 0.02 or not line.text.endswith("”，"), line.text


EDITION = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{width: 160pt, height: 240pt, margins: 20pt, columns: 1, gutter: 0pt, baseline: 13.5pt}}
styles:
  body: {{font: body, size: 10pt, leading: 13.5pt, indent: 0, hanging_punctuation: true, grid: {grid}}}
stories:
  s: {{text: "{text}"}}
pages:
  - elements:
      - {{type: story, story: s, frame: {{column: 1, span: 1, top: 0pt, height: 190pt}}}}
"""


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(n=st.integers(0, 59), grid=st.booleans())
def test_pdf_hangs_the_mark_in_the_margin(tmp_path_factory, n, grid):
    """In the PDF (pdfium's character em boxes): every character but a hanging 、，。 lies
    inside the 120 pt column; a hanging one starts inside it and reaches at most an em
    past; the text reads back whole."""
    text = corpus()[n][:120]
    tmp = tmp_path_factory.mktemp("hang")
    path = tmp / "edition.yaml"
    path.write_text(EDITION.format(text=text.replace('"', "”"), grid=str(grid).lower()), encoding="utf-8")
    result = render(Options(edition=path, output=tmp / "h.pdf"))
    pdf = pdfium.PdfDocument(tmp / "h.pdf")
    page = pdf[0]
    tp = page.get_textpage()
    right = 20 + 120
    for i in range(tp.count_chars()):
        ch = tp.get_text_range(i, 1)
        left, _, r, top = tp.get_charbox(i, loose=True)  # the glyph's em box, not its ink
        if ch.isspace() or page.get_height() - top < 20:  # the folio sits above the type area
            continue
        if ch in MARKS and r > right + 0.05:
            # a closing mark at the line's end keeps its ink inside, its spare half past the
            # edge (C8); only 、，。 may also hang: their em box starting at the edge
            assert left <= right - SIZE / 2 + 0.05 or (ch in MAY_HANG and abs(left - right) < 0.05), (ch, left, r)
        else:  # (pdfium's em box takes in a glyph's ink where it overhangs its advance, as
            # 小 and 领 do in Noto Serif CJK by up to 0.2 pt at 10 pt)
            assert r <= right + 0.25, (ch, r)
    words = tp.get_text_range().replace("\r", "").replace("\n", "").replace(" ", "")
    pdf.close()
    if not result.report.overset:
        assert text.replace('"', "”").replace(" ", "") in words
