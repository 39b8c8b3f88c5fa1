"""Grid mode (chinese.md C15): every Han character of a pure-Han line sits on the em grid
from the line's start, also where 避头尾 pushes a character out (推出) or a mark in (挤进);
a line whose marks cannot take or give the space is reported.

The classes of characters are written out here (not imported from the engine), so
that a wrong table in the engine fails these tests.
"""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import SHARED

from layout.fonts.faces import load_fontset
from layout.lines.linebreak import Widths
from layout.lines.justify import set_lines
from layout.lines.prepare import Composition, prepare
from layout.text.shape import Shaper

SIZE = 10.0
GRID = Composition(grid=True)
HAN = "法治宣传教育是全民守法的基础工作各地坚持把普与依理结合起来推动律知识进机关乡村社区学校企业单位"
AFTER = "，。、；：！？"  # marks that follow a word
PAIRS = ("「」", "《》", "（）", "“”", "『』", "【】")


@pytest.fixture(scope="module")
def engine():
    return load_fontset(), Shaper()


def ideograph(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH")


def pure_han(text: str) -> bool:
    """Han characters and full-width marks only: the lines C15 speaks of."""
    return bool(text) and all(ideograph(c) or (unicodedata.east_asian_width(c) in "FW"
                                               and unicodedata.category(c).startswith("P")) for c in text)


def han_xs(line) -> list[tuple[str, float]]:
    """(character, pen x from the line's start) of each Han character of the line."""
    out = []
    for run in line.runs:
        for cluster in run.clusters:
            if cluster.text and ideograph(cluster.text[0]):
                out.append((cluster.text, run.x + run.positions[cluster.first][0]))
    return out


def check(text: str, lines, measure: float, indent: float) -> list[str]:
    """What is wrong with a grid paragraph's lines: a Han character of a pure-Han line
    off the grid (lines reported 'off' aside), a justified line not filling its
    measure, a line reported short by anything but whole ems."""
    problems = []
    for i, line in enumerate(lines):
        if not pure_han(line.text):
            continue
        if line.grid_miss == "off":
            continue  # reported: compressed as usual
        for ch, x in han_xs(line):
            if abs(x / SIZE - round(x / SIZE)) * SIZE > 0.01:
                problems.append(f"line {i} {line.text!r}: {ch} at {x / SIZE:.3f} em")
        if line.last:
            continue
        set_width = line.width - (indent if i == 0 else 0.0)
        room = line.measure - set_width
        if line.grid_miss == "short":
            ems = room / SIZE
            if ems < 0.99 or abs(ems - round(ems)) * SIZE > 0.01:
                problems.append(f"line {i} {line.text!r} reported short by {ems:.3f} em")
        elif abs(room) > 0.01:
            problems.append(f"line {i} {line.text!r}: {set_width:.2f} pt in a {measure:.2f} pt measure")
    return problems


def grid_lines(engine, text: str, ems: int, indent_em: float = 0.0):
    fonts, shaper = engine
    prepared = prepare(text, "body", SIZE, 0.0, fonts, shaper, options=GRID)
    return set_lines(prepared, Widths.uniform(ems * SIZE), shaper, indent=indent_em * SIZE)


word = st.text(alphabet=HAN, min_size=1, max_size=8)
segment = st.tuples(word, st.sampled_from(("",) + PAIRS), st.sampled_from(("", "") + tuple(AFTER)))


@st.composite
def paragraphs(draw):
    parts = []
    for w, pair, mark in draw(st.lists(segment, min_size=2, max_size=30)):
        parts.append(f"{pair[0]}{w}{pair[1]}{mark}" if pair else w + mark)
    return "".join(parts) + "。"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=paragraphs(), ems=st.integers(5, 30), indent=st.sampled_from((0, 2)))
def test_generated_paragraphs_hold_the_grid(engine, text, ems, indent):
    """C15 over generated pure-Han paragraphs with every kind of mark: each Han
    character of each pure-Han line starts at a whole number of ems from the line's
    start (indent included); each justified line fills its measure, or is reported."""
    lines = grid_lines(engine, text, ems, indent)
    assert "".join(line.text for line in lines) == text
    problems = check(text, lines, ems * SIZE, indent * SIZE)
    assert not problems, problems[:5]


def corpus_paragraphs():
    for path in sorted((SHARED / "corpus" / "chinese").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("# "):
                yield line


def test_the_corpus_holds_the_grid(engine):
    """C15 over every Chinese paragraph of the shared corpus at four measures: pure-Han
    lines on the grid; few are left short (the breaker sees where the grid lets a line
    take space), and none leaves the grid."""
    problems, lines_seen, short, off = [], 0, 0, 0
    for n, text in enumerate(corpus_paragraphs()):
        for ems in (8, 13, 17, 24):
            lines = grid_lines(engine, text, ems, 2)
            pure = [line for line in lines if pure_han(line.text) and not line.last]
            lines_seen += len(pure)
            short += sum(line.grid_miss == "short" for line in pure)
            off += sum(line.grid_miss == "off" for line in pure)
            problems += [f"paragraph {n + 1} at {ems} em, {p}" for p in check(text, lines, ems * SIZE, 2 * SIZE)]
    assert lines_seen > 1000
    assert not problems, f"{len(problems)} problems, first: " + "; ".join(problems[:5])
    assert off == 0
    assert short < 0.05 * lines_seen, f"{short} of {lines_seen} pure-Han lines left short"


def test_the_issue_example_is_pushed_out_and_reported(engine):
    """一二三四五六七八九十， in a 10-em column: 挤进 would need a whole em and the comma
    has half of one, so 十 is pushed out (推出); the line left has no mark to take the
    em, so it stays on the grid, one em short, and says so (not 1.125 em pitch)."""
    lines = grid_lines(engine, "一二三四五六七八九十，一二三四五。", 10)
    first = lines[0]
    assert first.text == "一二三四五六七八九"
    assert [x for _, x in han_xs(first)] == pytest.approx([k * SIZE for k in range(9)], abs=0.01)
    assert first.grid_miss == "short"
    assert first.width == pytest.approx(9 * SIZE, abs=0.01)


def test_pushed_out_space_goes_beside_a_mark(engine):
    """推出 with a mark in the line: the em 十 leaves goes after the comma, and every
    character stays on the grid; the line is full and not reported."""
    lines = grid_lines(engine, "一，二三四五六七八十，一二三四五。", 10)
    first = lines[0]
    assert first.text == "一，二三四五六七八"
    assert first.grid_miss == ""
    assert first.width == pytest.approx(10 * SIZE, abs=0.01)
    xs = dict(han_xs(first))
    assert xs["一"] == pytest.approx(0.0, abs=0.01)
    assert xs["二"] == pytest.approx(3 * SIZE, abs=0.01)  # 一 ， then the em pushed out
    assert xs["八"] == pytest.approx(9 * SIZE, abs=0.01)


def test_a_mark_is_pushed_in_by_two_halves(engine):
    """挤进: 「 may not end a line and 九 may not be left behind it, so ，「 give up a
    half em each and take 九 into the line; 九 stays on the grid."""
    lines = grid_lines(engine, "一二三四五六七八，「九十」，一二三四五。", 10)
    first = lines[0]
    assert first.text == "一二三四五六七八，「九"
    assert first.grid_miss == ""
    assert dict(han_xs(first))["九"] == pytest.approx(9 * SIZE, abs=0.01)
    assert first.width == pytest.approx(10 * SIZE, abs=0.01)


def test_lines_with_latin_are_justified_as_usual(engine):
    """Lines with Latin or digits are not pure Han: they fill the measure by the usual
    rules (C11) and are never reported."""
    lines = grid_lines(engine, "本报讯2026年全市共受理法律援助案件1234件，同比增长百分之十二，其中PDF文书三百份。", 10)
    mixed = [line for line in lines[:-1] if not pure_han(line.text)]
    assert mixed
    for line in mixed:
        assert line.grid_miss == ""
        assert line.width == pytest.approx(line.measure, abs=0.01)


EDITION = """\
paper: {name: 测试报, date: 2026-11-30}
geometry: {width: 140pt, height: 200pt, margins: 20pt, columns: 1, gutter: 0pt, baseline: 13.5pt}
styles:
  body: {font: body, size: 10pt, leading: 13.5pt, indent: 0, grid: true}
stories:
  s: {file: s.md}
pages:
  - elements:
      - {type: story, story: s, frame: {column: 1, span: 1, top: 0pt, height: 150pt}}
"""
HOLDS = "一，二三四五六七八十，一二三四五六七八，「九十」，一二三四五。"
SHORT = "一二三四五六七八九十，一二三四五。"


def test_the_pdf_holds_the_grid_and_the_report_names_the_line(tmp_path):
    """Read back from the PDF with pdfium: each Han character's origin is where the
    display list put it, each at a whole number of ems from the column's left edge; the
    paragraph that could not hold is reported with its place, the one that holds is not."""
    import pypdfium2 as pdfium

    from layout.api import Options, lay_out, render

    (tmp_path / "s.md").write_text(f"{HOLDS}\n\n{SHORT}\n", encoding="utf-8")
    path = tmp_path / "e.yaml"
    path.write_text(EDITION, encoding="utf-8")
    _, pages, report = lay_out(path)
    top = 20.0  # the type area's top: the running head above it is no part of the story
    drawn = sorted((round(r.x + p[0], 2), round(r.y, 2)) for r in pages[0].items if hasattr(r, "clusters")
                   and r.y > top for c in r.clusters if c.text and ideograph(c.text[0])
                   for p in [r.positions[c.first]])
    render(Options(path, tmp_path / "o.pdf", workers=1))
    doc = pdfium.PdfDocument(str(tmp_path / "o.pdf"))
    page = doc[0]
    height = page.get_height()
    text_page = page.get_textpage()
    read = []
    for i in range(text_page.count_chars()):
        ch = text_page.get_text_range(i, 1)
        if ch and ideograph(ch):
            ox, oy = _origin(text_page, i)
            if height - oy > top:
                read.append((round(ox, 2), round(height - oy, 2)))
    doc.close()
    assert len(read) == len(drawn) == sum(map(ideograph, HOLDS + SHORT))
    for (rx, ry), (dx, dy) in zip(sorted(read), drawn):
        assert abs(rx - dx) < 0.01 and abs(ry - dy) < 0.01, ((rx, ry), (dx, dy))
    left = 20.0
    for x, _ in read:
        assert abs((x - left) / SIZE - round((x - left) / SIZE)) * SIZE < 0.01, x
    grid = [w for w in report.warnings if w.code == "grid"]
    assert len(grid) == 1, report.warnings
    notice = grid[0]
    assert notice.place.page == 1 and notice.place.story == "s"
    assert notice.place.words == SHORT[:12]
    assert notice.place.source is not None and notice.place.source.line == 3
    assert "1 line set short" in notice.message and notice.hint


def _origin(text_page, i: int) -> tuple[float, float]:
    import ctypes

    import pypdfium2.raw as raw

    x, y = ctypes.c_double(), ctypes.c_double()
    assert raw.FPDFText_GetCharOrigin(text_page, i, ctypes.byref(x), ctypes.byref(y))
    return x.value, y.value
