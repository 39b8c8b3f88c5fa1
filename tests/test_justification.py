"""Individual spacing rules, measured on single lines (chinese.md, mixed.md)."""
from __future__ import annotations

import pytest

from layout.fonts.faces import load_fontset
from layout.lines.linebreak import Widths
from layout.lines.justify import set_lines
from layout.lines.prepare import Composition, prepare
from layout.text.shape import Shaper

SIZE = 10.0


@pytest.fixture(scope="module")
def engine():
    return load_fontset(), Shaper()


def one_line(engine, text, width=1000.0, align="start", options=Composition()):
    fonts, shaper = engine
    prepared = prepare(text, "body", SIZE, 0.0, fonts, shaper, options=options)
    lines = set_lines(prepared, Widths.uniform(width), shaper, align=align)
    return prepared, lines


def x_of(line, index: int) -> float:
    """Pen x of the glyph that shows text[index] (first glyph of its cluster)."""
    for run in line.runs:
        pos = 0
        for cluster in run.clusters:
            if pos <= index < pos + len(cluster.text):
                return run.x + run.positions[cluster.first][0]
            pos += len(cluster.text)
        index -= pos
    raise AssertionError("no such character")


def test_adjacent_marks_take_one_and_a_half_em(engine):
    """C9: 。” together are 1.5 em, not 2."""
    _, lines = one_line(engine, "好。”好")
    assert x_of(lines[0], 3) - x_of(lines[0], 1) == pytest.approx(1.5 * SIZE, abs=0.01)


def test_han_latin_gap_is_a_quarter_em(engine):
    """C13: ¼ em between Han and a Latin letter; digits solid by default, as mainland
    newspapers set numbers and dates, and ¼ em when the style asks (issue 17)."""
    _, lines = one_line(engine, "共AB个")
    # '共' to 'A': one em plus the gap
    assert x_of(lines[0], 1) - x_of(lines[0], 0) == pytest.approx(1.25 * SIZE, abs=0.01)
    _, lines = one_line(engine, "共12个")
    assert x_of(lines[0], 1) - x_of(lines[0], 0) == pytest.approx(1.0 * SIZE, abs=0.01)
    _, lines = one_line(engine, "共12个", options=Composition(han_digit_gap=0.25, han_digit_max=0.5))
    assert x_of(lines[0], 1) - x_of(lines[0], 0) == pytest.approx(1.25 * SIZE, abs=0.01)


def test_line_end_comma_is_half_width_so_a_line_fits(engine):
    """C8 and C5: ten characters and a comma fit ten and a half ems."""
    _, lines = one_line(engine, "一二三四五六七八九十，一二三", width=10.5 * SIZE, align="justify")
    assert lines[0].text == "一二三四五六七八九十，"
    assert lines[0].width == pytest.approx(10.5 * SIZE, abs=0.01)


def test_compression_before_pushing_out(engine):
    """C5: a comma that would start the next line is squeezed onto this one when the
    line's marks can give up the room."""
    text = "一二三，四五六七八九十，一二三"
    _, lines = one_line(engine, text, width=11 * SIZE, align="justify")
    assert lines[0].text == "一二三，四五六七八九十，"
    assert lines[0].width <= 11 * SIZE + 0.01


def test_tibetan_hangs_from_the_ideographic_face_top(engine):
    """M4: in a Chinese line, a Tibetan word's head line meets the top of the Han
    character face."""
    fonts, shaper = engine
    prepared, lines = one_line(engine, "藏文和汉文并列：བོད་ཡིག汉字")
    han = next(r for r in lines[0].runs if "藏" in r.text)
    bo = next(r for r in lines[0].runs if "བོད" in r.text)
    han_top = shaper.face_top(han.face) / shaper.metrics(han.face).upem * SIZE
    m = shaper.metrics(bo.face)
    bo_head = m.hanging / m.upem * bo.size
    assert bo.y - bo_head == pytest.approx(han.y - han_top, abs=0.01)


def test_tibetan_size_ratio(engine):
    """M5: the Tibetan/Han size ratio of mixed paragraphs is a style setting."""
    _, lines = one_line(engine, "藏文和汉文并列：བོད་ཡིག汉字", options=Composition(tibetan_scale=1.2))
    bo = next(r for r in lines[0].runs if "བོད" in r.text)
    assert bo.size == pytest.approx(1.2 * SIZE)


def test_strictness_levels(engine):
    """C3: at the strict level a line may not start with ……; at GB level it may."""
    from layout.text.breaks import opportunities

    text = "他说……好"
    i = text.index("…")
    assert opportunities(text, "gb")[i] == 1
    assert opportunities(text, "strict")[i] == 0


@pytest.mark.parametrize("trim", [False, True])
def test_opening_mark_at_a_line_start_is_half_width_when_asked(engine, trim):
    """C8's option (style `trim_line_start`): an opening mark that starts a line gives
    up its blank half, so its ink meets the column edge and the line still fills the
    measure; without the option it keeps its full em. (A bug once put the trim into the
    line-end field, so the option did nothing.)"""
    text = "一二三四五六七八九十“一二三四五六七八”九十一二三"
    _, lines = one_line(engine, text, width=10 * SIZE, align="justify",
                        options=Composition(trim_line_start=trim))
    second = lines[1]
    assert second.text.startswith("“")
    first_x = second.runs[0].x + second.runs[0].positions[0][0]
    next_x = x_of(second, 1)
    if trim:
        assert first_x == pytest.approx(-0.5 * SIZE, abs=0.01)
        assert next_x == pytest.approx(0.5 * SIZE, abs=0.3)
    else:
        assert first_x == pytest.approx(0.0, abs=0.01)
        assert next_x >= 1.0 * SIZE - 0.01  # the full em, and its share of the justification
    assert second.width == pytest.approx(10 * SIZE, abs=0.01)
