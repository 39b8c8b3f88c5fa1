"""Legal notices (公告) read back from the PDF with pdfium: each notice's text lies inside
its own box, boxes do not overlap and stay inside the frame, columns fill top to bottom
in the given order, `fit` fills at least as well as `given`, and the notices left out are
reported by title with their place; bad values are located errors with hints.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLE, pdftotext, squash

from layout.api import Options, lay_out, render
from layout.base.errors import InputError
from layout.edition.geometry import frame_rect
from layout.page.notices import pack

EXAMPLES = int(os.environ.get("PAIBAN_FUZZ_EXAMPLES", "30"))

EDITION = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
pages:
  - folio: none
    elements:
      - type: notices
        frame: {{column: 1, span: 6, top: 10mm, height: {height}mm}}
        columns: {columns}
        order: {order}
        items:
{items}
"""

ZH = "本院受理原告诉被告民间借贷纠纷一案，因被告下落不明，依法向其公告送达起诉状副本、应诉通知书及开庭传票。"
BO = "ང་ཚོའི་ཚོང་ཁང་གི་ཐམ་ག་བོར་བརླག་ཤོར་སོང་བས་དོན་མེད་དུ་བཏང་།"
# (title, text, sign): short and long, Chinese and Tibetan
NOTICES = [
    ("遗失声明", "雪域某某商贸有限公司不慎遗失公章一枚，声明作废。", "雪域某某商贸有限公司"),
    ("法院公告", ZH * 3, "城关区人民法院\n2026年11月30日"),
    ("ཁྱབ་བསྒྲགས།", BO * 2, ""),
    ("注销公告", "某某文化传播有限公司经股东决定解散，请债权人自见报之日起四十五日内申报债权。", "清算组"),
    ("遗失声明", "卓玛不慎遗失律师执业证，声明作废。", ""),
    ("开庭公告", ZH * 5, "拉萨市中级人民法院"),
    ("ཁྱབ་བསྒྲགས།", BO, ""),
    ("减资公告", "经股东会决议，本公司注册资本由五百万元减至二百万元，请债权人见报后申报债权。", ""),
]


def _yaml(notices) -> str:
    import json

    return "\n".join(f"          - {{title: {json.dumps(t, ensure_ascii=False)}, text: {json.dumps(x, ensure_ascii=False)}, "
                     f"sign: {json.dumps(s, ensure_ascii=False)}}}" for t, x, s in notices)


def _write(folder, notices, height=120, columns=3, order="given"):
    path = folder / "e.yaml"
    path.write_text(EDITION.format(height=height, columns=columns, order=order, items=_yaml(notices)),
                    encoding="utf-8")
    return path


def _read(pdf):
    """(boxes, characters) pdfium finds on page 1: the stroked rectangles' bounds and each
    character with the centre of its ink, in points from the page's top-left."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[0]
        height = page.get_height()
        boxes = []
        for obj in page.get_objects():
            if obj.type == raw.FPDF_PAGEOBJ_PATH:
                left, bottom, right, top = obj.get_bounds()
                boxes.append((left, height - top, right, height - bottom))
        text = page.get_textpage()
        chars = []
        for i in range(text.count_chars()):
            ch = text.get_text_range(i, 1)
            if ch and not ch.isspace():
                left, bottom, right, top = text.get_charbox(i)
                chars.append((ch, (left + right) / 2, height - (top + bottom) / 2))
        text.close()
        return boxes, chars
    finally:
        doc.close()


def _render(folder, notices, **kw):
    path = _write(folder, notices, **kw)
    pdf = folder / "out.pdf"
    result = render(Options(path, pdf, workers=1))
    edition, _, _ = lay_out(path)
    frame = frame_rect(edition.source.pages[0].elements[0].frame, edition.geometry, 1)
    boxes, chars = _read(pdf)
    return path, result.report, frame, boxes, chars


def _check_page(notices, report, frame, boxes, chars):
    """Every box inside the frame, none overlapping; each box holds exactly one notice's
    text (title, text, sign) and every character lies in a box. Returns, per column
    (left to right), the notices' indices top to bottom."""
    tol = 0.6  # half the rule weight and rounding
    for x0, y0, x1, y1 in boxes:
        assert frame.x - tol <= x0 and x1 <= frame.x + frame.w + tol, (x0, x1, frame)
        assert frame.y - tol <= y0 and y1 <= frame.y + frame.h + tol, (y0, y1, frame)
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = boxes[a], boxes[b]
            assert not (ax0 < bx1 - tol and bx0 < ax1 - tol and ay0 < by1 - tol and by0 < ay1 - tol), (a, b)
    whole = [squash(t + x + s) for t, x, s in notices]
    found = {}
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        inside = "".join(c for c, cx, cy in chars if x0 <= cx <= x1 and y0 <= cy <= y1)
        assert inside in whole, inside
        found[k] = whole.index(inside) if whole.count(inside) == 1 else None
    stray = [c for c, cx, cy in chars if not any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in boxes)]
    assert not stray, stray[:10]
    columns: dict[float, list] = {}
    for k, (x0, y0, x1, y1) in sorted(enumerate(boxes), key=lambda kb: (round(kb[1][0]), kb[1][1])):
        columns.setdefault(round(x0), []).append((y0, y1, found[k]))
    for col in columns.values():  # stacked from the frame's top, each under the one before
        assert abs(col[0][0] - frame.y) < 1.0
        assert all(a[1] <= b[0] + 0.01 for a, b in zip(col, col[1:]))
    return [[i for _, _, i in col] for _, col in sorted(columns.items())]


def test_given_order_fills_columns_top_to_bottom_and_reports_the_rest(tmp_path):
    path, report, frame, boxes, chars = _render(tmp_path, NOTICES, height=60, columns=3)
    cols = _check_page(NOTICES, report, frame, boxes, chars)
    order = [i for col in cols for i in col]
    placed = len(order)
    assert order == list(range(placed)) and 0 < placed < len(NOTICES), cols  # a prefix, in reading order
    (over,) = report.overflow
    assert over.type == "notices" and over.page == 1 and over.element == 1
    left = NOTICES[placed:]
    assert over.chars == sum(len(squash(t + x + s)) for t, x, s in left)
    (warning,) = [w for w in report.warnings if w.code == "overflow"]
    text = str(warning)
    assert text.startswith(f"{path}:6:") and "page 1, element 1 (notices)" in text, text
    assert f"{len(left)} of {len(NOTICES)} notices did not fit" in text
    for title, _, _ in left:
        assert f"'{title}'" in text
    assert "order: fit" in warning.hint


def test_fit_fills_at_least_as_well_as_given(tmp_path):
    heights = {}
    for order in ("given", "fit"):
        folder = tmp_path / order
        folder.mkdir()
        _, report, frame, boxes, chars = _render(folder, NOTICES, height=60, columns=3, order=order)
        cols = _check_page(NOTICES, report, frame, boxes, chars)
        for col in cols:  # each column reads in the given order
            assert col == sorted(col)
        heights[order] = sum(y1 - y0 for _, y0, _, y1 in boxes)
        left = len(NOTICES) - len(boxes)
        assert (sum(o.chars for o in report.overflow) > 0) == (left > 0)
    assert heights["fit"] > heights["given"] + 1, heights  # here strictly better


def test_everything_fits_in_a_deep_frame_with_no_report(tmp_path):
    _, report, frame, boxes, chars = _render(tmp_path, NOTICES, height=300, columns=4, order="fit")
    cols = _check_page(NOTICES, report, frame, boxes, chars)
    assert sorted(i for col in cols for i in col) == list(range(len(NOTICES)))
    assert report.overflow == [] and report.warnings == []


def test_a_notice_too_wide_to_set_is_named(tmp_path):
    notices = [("遗失声明", "正文。", ""), ("WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW", "x", "")]
    path = _write(tmp_path, notices, columns=30)
    _, _, report = lay_out(path)
    (warning,) = [w for w in report.warnings if w.code == "overflow"]
    assert "cannot be set" in warning.message and "'遗失声明'" in warning.message, warning
    assert "widen the columns" in warning.hint


def test_box_false_and_own_box(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text(EDITION.format(height=100, columns=2, order="given", items=(
        "          - {title: 甲, text: 正文一。, box: false}\n"
        "          - {title: 乙, text: 正文二。, box: {fill: gray10, weight: 0, inset: 3mm}}\n"
        "          - {title: 丙, text: 正文三。}")), encoding="utf-8")
    _, pages, _ = lay_out(path)
    from layout.lines.display import Panel

    panels = [i for i in pages[0].items if isinstance(i, Panel)]
    assert [(p.fill, p.stroke) for p in panels] == [("gray10", None), (None, "black")]


@pytest.mark.parametrize("line, said, hint", [
    ("        order: fits", "is not one of given, fit", "did you mean 'fit'?"),
    ("        columns: 0", "is less than 1", "give 1 to 100"),
    ("        box: thick", "expected a mapping or true or false", "key reference"),
    ("        gap: -2mm", "is negative", "lengths here are 0 or more"),
    ("        title_style: bold-title", "unknown style 'bold-title'", "did you mean 'notice-title'?"),
    ("        items: {title: x}", "expected a list", "start each item with '- '"),
], ids=["order", "columns", "box", "gap", "style", "items"])
def test_bad_values_are_located_errors_with_hints(tmp_path, line, said, hint):
    from layout.edition.loader import load_edition

    text = EDITION.format(height=100, columns=2, order="given", items=_yaml(NOTICES[:2]))
    key = line.split(":")[0]
    lines = [x for x in text.splitlines() if not x.startswith(key + ":") and not (
        key.strip() == "items" and x.startswith("          - "))]
    at = lines.index("        frame: {column: 1, span: 6, top: 10mm, height: 100mm}") + 1
    lines.insert(at, line)
    path = tmp_path / "e.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_edition(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{at + 1}:") and said in message and hint in message, message


def test_a_missing_title_is_a_located_error(tmp_path):
    from layout.edition.loader import load_edition

    path = tmp_path / "e.yaml"
    path.write_text(EDITION.format(height=100, columns=2, order="given", items="          - {text: 正文。}"),
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_edition(path)
    message = str(err.value)
    assert message.startswith(f"{path}:11:") and "missing required key 'title' (hint: e.g. title: " in message, message


HEIGHTS = st.lists(st.floats(1.0, 120.0, allow_nan=False), min_size=0, max_size=14)


@settings(max_examples=EXAMPLES * 20, deadline=None, derandomize=True)
@given(heights=HEIGHTS, columns=st.integers(1, 5), depth=st.floats(10.0, 200.0), gap=st.floats(0.0, 12.0))
def test_packing_never_overfills_and_fit_holds_at_least_given(heights, columns, depth, gap):
    filled = {}
    for order in ("given", "fit"):
        cols = pack(heights, columns, depth, gap, order)
        assert len(cols) == columns
        flat = [i for col in cols for i in col]
        assert len(flat) == len(set(flat)) and all(0 <= i < len(heights) for i in flat)
        for col in cols:
            assert col == sorted(col)  # each column reads in the given order
            assert sum(heights[i] for i in col) + gap * max(len(col) - 1, 0) <= depth + 0.01
        filled[order] = sum(heights[i] for i in flat)
        if order == "given":  # a prefix, column by column
            assert flat == list(range(len(flat)))
            if len(flat) < len(heights):  # the next one is taller than a column, or the last column is full
                nxt, last = heights[len(flat)], cols[-1]
                assert nxt > depth or last and sum(heights[i] for i in last) + gap * len(last) + nxt > depth
    assert filled["fit"] >= filled["given"] - 1e-6


def test_the_sample_edition_notices_are_all_on_their_page(tmp_path):
    """The sample's notices block: every notice whole on its page, nothing left out."""
    from layout.edition import model
    from layout.edition.loader import load_edition

    pdf = tmp_path / "sample.pdf"
    result = render(Options(SAMPLE, pdf))
    edition = load_edition(SAMPLE)
    blocks = [(n, el) for n, page in enumerate(edition.source.pages, 1) for el in page.elements
              if isinstance(el, model.Notices)]
    assert blocks and not [o for o in result.report.overflow if o.type == "notices"]
    for number, el in blocks:
        text = squash(pdftotext(pdf, "-f", str(number), "-l", str(number)))
        assert 6 <= len(el.items) <= 12
        for item in el.items:
            for part in (item.title, item.text, item.sign):
                assert squash(part) in text, part
