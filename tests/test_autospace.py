"""Autospace as mainland newspapers set it (issue 17, item 2): digits solid against
Han ("2025年9月12日", "总第1413期"), ¼ em around Latin words (chinese.md C13), and
justification that spreads a short line's space by the C11 priorities with no single
gap past the style's limit. Gaps are read back from the PDF (pdfium's character
boxes: a glyph's origin and its advance) or from the laid-out lines.
"""
from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import SHARED

from layout.api import Options, render
from layout.fonts.faces import load_fontset
from layout.lines.justify import set_lines
from layout.lines.linebreak import Widths
from layout.lines.prepare import Composition, prepare
from layout.base.scripts import is_han
from layout.text.shape import Shaper

SIZE = 9.0  # 小五, the sample's body
DATE = "2025年9月12日"
HEAD = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
styles:
  body: {{font: body, size: 小五, leading: 13.5pt, indent: 0}}
  quarter: {{based_on: body, autospace_digits: 0.25}}
  quarter-start: {{based_on: quarter, align: start}}
  tight: {{based_on: body, justify_max_gap: {limit}}}
stories:
{stories}
pages:
  - master: front
    elements:
{elements}"""


def corpus_paragraphs(n: int) -> list[str]:
    out = []
    for path in sorted((SHARED / "corpus" / "chinese").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("# "):
                out.append(line.strip())
    return out[:n]


INSERTS = (DATE, "总第1413期", "（下转02版）", "24小时", "CN 54-0099", "Wi-Fi", "GDP增长5.2%",
           "第3季度", "iPhone 15", "2026年", "12月")


def mixed(text: str, rng: random.Random, every: int = 17, inserts=INSERTS) -> str:
    """A corpus paragraph with dates, numbers and Latin words put in at Han places."""
    out = []
    for i, ch in enumerate(text):
        out.append(ch)
        if i % every == every - 1 and is_han(ch):
            out.append(rng.choice(inserts))
    return "".join(out)


def _edition(tmp_path, stories: dict[str, tuple[str, str]], limit: float = 0.5, span: int = 1):
    """One story a frame of `span` columns (one is about 12 em), each in its style."""
    story_lines, element_lines = [], []
    for k, (name, (text, style)) in enumerate(stories.items()):
        story_lines.append(f"  {name}: {{text: \"{text}\", style: {style}}}")
        element_lines.append(f"      - {{type: story, story: {name}, columns: 1, "
                             f"frame: {{column: {k * span % 6 + 1}, span: {span}, top: {k * span // 6 * 120}mm, "
                             f"height: 115mm}}}}")
    folder = tmp_path / "ed"
    folder.mkdir(exist_ok=True)
    path = folder / "edition.yaml"
    path.write_text(HEAD.format(limit=limit, stories="\n".join(story_lines),
                                elements="\n".join(element_lines)), encoding="utf-8")
    out = tmp_path / "out.pdf"
    render(Options(path, out))
    return out


def pdf_lines(pdf) -> list[list[tuple[str, float, float, float]]]:
    """Each text line of page 1 as (character, left, right, baseline) from pdfium's
    loose boxes: the left is the glyph's origin, the right its origin plus advance."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c
    doc = pdfium.PdfDocument(str(pdf))
    tp = doc[0].get_textpage()
    lines, line = [], []
    for i in range(tp.count_chars()):
        ch = tp.get_text_range(i, 1)
        if ch == " " and pdfium_c.FPDFText_IsGenerated(tp.raw, i):
            continue  # pdfium's guess at a word space from a wide gap: no glyph of ours
        if ch in "\r\n":
            if line:
                lines.append(line)
            line = []
            continue
        left, bottom, right, top = tp.get_charbox(i, loose=True)
        line.append((ch, left, right, bottom))
    if line:
        lines.append(line)
    doc.close()
    return lines


def gaps_around(lines, needle: str):
    """The gaps (pt) between neighbouring characters of every whole `needle` on a
    line that is not a paragraph's last (those are set solid anyway)."""
    out = []
    for line in lines[:-1]:
        text = "".join(c[0] for c in line)
        start = text.find(needle)
        while start >= 0:
            part = line[start:start + len(needle)]
            out.append([b[1] - a[2] for a, b in zip(part, part[1:])])
            start = text.find(needle, start + 1)
    return out


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    """Justified columns of corpus text with dates put in: in the default style, in a
    style that asks for ¼ em around digits, and in that style start-aligned (set solid);
    a paragraph each, in a frame two columns wide."""
    rng = random.Random(17)
    text = "".join(mixed(p, rng, 12, (DATE,)) for p in corpus_paragraphs(2))
    stories = {"d": (text, "body"), "q": (text, "quarter"), "s": (text, "quarter-start")}
    pdf = _edition(tmp_path_factory.mktemp("dated"), stories, span=2)
    return by_column(pdf_lines(pdf))


def by_column(lines) -> list[list]:
    """pdfium's lines grouped by the column they start in (left edges shared by many lines)."""
    starts = [round(line[0][1]) for line in lines]
    edges = sorted(x for x in set(starts) if starts.count(x) >= 3)
    cols: list[list] = [[] for _ in edges]
    for line in lines:
        k = max(i for i, e in enumerate(edges) if e <= line[0][1] + 1)
        cols[k].append(line)
    return cols


def date_gaps(column) -> list[list[float]]:
    """The Han–digit gaps (pt) inside every whole date on a line of the column that
    is not its last (a paragraph's last line is set solid anyway)."""
    out = []
    for line in column[:-1]:
        text = "".join(c[0] for c in line)
        start = text.find(DATE)
        while start >= 0:
            part = line[start:start + len(DATE)]
            out.append([b[1] - a[2] for a, b, x, y in zip(part, part[1:], DATE, DATE[1:])
                        if is_han(x) != is_han(y)])
            start = text.find(DATE, start + 1)
    return out


def test_dates_are_solid_in_justified_default_lines(dated):
    """The default autospace sets a date solid: 年 and its digits, the digits and 月,
    under 0.05 em apart in justified body lines, which pour their space elsewhere."""
    assert len(dated) == 3
    for column in dated[:1]:
        found = date_gaps(column)
        assert len(found) >= 2, "the date must be found in justified lines"
        for gaps in found:
            assert len(gaps) == 5 and max(gaps) < 0.05 * SIZE, gaps


def test_quarter_em_digit_spacing_when_the_style_asks(dated):
    """autospace_digits: 0.25 gives ¼ em between Han and digits: in lines set solid
    (align start) exactly (or less, down to the ⅛ em minimum, where a line had to
    shrink), and between the minimum and the maximum (½) in justified ones."""
    solid = [g for column in dated[2:] for gaps in date_gaps(column) for g in gaps]
    justified = [g for column in dated[1:2] for gaps in date_gaps(column) for g in gaps]
    assert len(solid) >= 10 and len(justified) >= 10
    # start-aligned lines keep ¼ em unless a line gave space back to fit (C10: to ⅛)
    assert all(0.125 * SIZE - 0.01 <= g <= 0.25 * SIZE + 0.01 for g in solid), solid
    assert sum(abs(g - 0.25 * SIZE) < 0.01 for g in solid) >= 0.7 * len(solid)
    assert all(0.125 * SIZE - 0.01 <= g <= 0.5 * SIZE + 0.01 for g in justified), justified
    assert max(justified) > 0.25 * SIZE  # justified lines do stretch them, to their maximum


def check_gaps(prepared, lines, options: Composition, size: float) -> list[str]:
    """Every gap of justified (not last) lines within the style's limits: Han–digit
    up to its maximum, Han–Latin up to its, any other gap by no more than justify_max_gap
    past its natural width (0: the glyphs' own advances). A cluster's pen position is
    its first glyph's less that glyph's offset (a half-width quote is drawn left of its pen)."""
    problems = []
    by_start = {u.start: u for u in prepared.units}
    for line in lines:
        if line.last:
            continue
        cells = []
        pos = line.start
        while prepared.text[pos] in " \n":
            pos += 1
        for run in line.runs:
            for c in run.clusters:
                unit = by_start[pos]
                pos += len(c.text)
                dx = unit.glyphs[0].dx * prepared.scales[unit.run] if unit.glyphs else 0.0
                left = run.x + run.positions[c.first][0] - dx
                right = left + sum(run.advances[c.first:c.first + c.count])
                if c.text:
                    cells.append((c.text, left, right))
        for (ta, _, ra), (tb, lb, _) in zip(cells, cells[1:]):
            a, b = ta[-1], tb[0]
            gap = lb - ra
            if is_han(a) and b.isascii() and b.isdigit() or is_han(b) and a.isascii() and a.isdigit():
                top = options.han_digit_max * size
            elif is_han(a) and b.isascii() and b.isalpha() or is_han(b) and a.isascii() and a.isalpha():
                top = options.han_latin_max * size
            else:
                top = options.gap_max * size
            if gap > top + 0.01:
                problems.append(f"{a}|{b} gap {gap:.2f} pt > {top:.2f} in {line.text!r}")
    return problems


@pytest.fixture(scope="module")
def engine():
    return load_fontset(), Shaper()


PARAS = corpus_paragraphs(40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(para=st.integers(0, len(PARAS) - 1), seed=st.integers(0, 10 ** 6),
       every=st.integers(3, 30), em=st.integers(5, 30),
       limit=st.sampled_from([0.1, 0.25, 0.5, 1.0]), digits=st.sampled_from([0.0, 0.25]))
def test_no_gap_passes_the_styles_limits(engine, para, seed, every, em, limit, digits):
    """Over real mixed lines (corpus paragraphs with dates, numbers and Latin put in)
    at many measures: no gap of a justified line grows past what the style allows."""
    fonts, shaper = engine
    text = mixed(PARAS[para], random.Random(seed), every)
    options = Composition(han_digit_gap=digits, han_digit_min=digits / 2, han_digit_max=digits * 2,
                          gap_max=limit)
    prepared = prepare(text, "body", SIZE, 0.0, fonts, shaper, options=options)
    lines = set_lines(prepared, Widths.uniform(em * SIZE), shaper)
    assert not check_gaps(prepared, lines, options, SIZE)


def test_the_limit_binds(engine):
    """The limit is what stops the spreading: an uncapped style spreads a line past a
    tight limit, which the same line under that limit does not pass (so the property
    above can fail)."""
    fonts, shaper = engine
    text = "法治宣传教育是全民守法的基础工作" * 3
    wide = Composition(gap_max=5.0)
    tight = Composition(gap_max=0.05)
    for options, bad in ((wide, True), (tight, False)):
        prepared = prepare(text, "body", SIZE, 0.0, fonts, shaper, options=options)
        lines = set_lines(prepared, Widths.uniform(10.5 * SIZE), shaper)
        assert bool(check_gaps(prepared, lines, tight, SIZE)) is bad


def test_pdf_gaps_within_the_limit(tmp_path):
    """The same rule read back from a PDF: corpus columns with dates and Latin under a
    tight limit; no two neighbours of a justified line further apart than allowed."""
    rng = random.Random(9)
    texts = [mixed(p, rng, 7) for p in corpus_paragraphs(6)]
    pdf = _edition(tmp_path, {f"t{k}": (t, "tight") for k, t in enumerate(texts)}, limit=0.2)
    checked = 0
    for line in pdf_lines(pdf):
        for (a, _, ra, _), (b, lb, _, _) in zip(line, line[1:]):
            if is_han(a) and is_han(b):
                assert lb - ra <= 0.2 * SIZE + 0.01, "".join(c[0] for c in line)
                checked += 1
    assert checked > 150
