"""Tables (issue 19 item 4), read back from the PDF: cells in their columns and rows in
order (pdfium's character boxes, pdftotext), numbers right-aligned and on their decimal
point, three-line rules where the house style puts them (the display list's rules
against the characters' boxes), widths fixed, shared and from the content, a story's
table cut at a row boundary with its header repeated, rows that do not fit reported
with their place, Tibetan cells extracted, and malformed tables refused with a place
and a hint.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import pdftotext, squash

from layout.api import Options, lay_out, render
from layout.base.errors import InputError
from layout.edition.geometry import frame_rect
from layout.lines.display import Rule

HEAD = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
stories:
  s: {{file: s.md{story_keys}}}
pages:
  - folio: none
    elements:
{elements}
"""
STORY_FRAME = "      - {type: story, story: s, frame: {column: 5, span: 2, top: 0mm, height: 100mm}}\n"

STATIONS = [["拉萨市法律援助中心", "城关区金珠西路18号", "12.5"],
            ["日喀则市法律援助中心", "桑珠孜区上海中路9号", "1280.75"],
            ["那曲市法律援助中心", "色尼区浙江中路", "3"],
            ["ལྷ་སའི་ཁྲིམས་ལུགས་རོགས་རམ་ལྟེ་གནས།", "Lhasa Legal Aid Centre", "46.125"]]


def _edition(tmp: Path, element: dict | None = None, story: str = "测试。", story_keys: str = "",
             frames: str = STORY_FRAME) -> Path:
    elements = ""
    if element is not None:
        elements += "      - " + json.dumps(element, ensure_ascii=False) + "\n"
    (tmp / "s.md").write_text(story + "\n", encoding="utf-8")
    (tmp / "edition.yaml").write_text(HEAD.format(elements=elements + frames, story_keys=story_keys),
                                      encoding="utf-8")
    return tmp / "edition.yaml"


def _table(**extra) -> dict:
    el = {"type": "table", "frame": {"column": 1, "span": 4, "top": "0mm", "height": "80mm"},
          "header": ["站点", "地址", "金额"], "rows": STATIONS}
    el.update(extra)
    return el


def _chars(pdf: Path, page: int = 0) -> list[tuple[str, float, float, float, float]]:
    """Every character pdfium finds: (character, left, top, right, bottom), points from
    the page's top-left; whitespace left out."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        p = doc[page]
        height = p.get_height()
        text = p.get_textpage()
        out = []
        for i in range(text.count_chars()):
            ch = text.get_text_range(i, 1)
            if ch and not ch.isspace():
                left, bottom, right, top = text.get_charbox(i)
                out.append((ch, left, height - top, right, height - bottom))
        text.close()
        return out
    finally:
        doc.close()


def _find(chars, text: str, after: float = -1.0):
    """The boxes of the first run of `text` in the PDF's characters (below y `after`)."""
    s = "".join(c[0] for c in chars)
    at = 0
    while True:
        k = s.find(text, at)
        assert k >= 0, f"{text!r} not in the PDF"
        boxes = chars[k:k + len(text)]
        if boxes[0][2] > after:
            return boxes
        at = k + 1


def _render(path: Path) -> tuple[Path, object]:
    pdf = path.parent / "out.pdf"
    result = render(Options(path, pdf, workers=1))
    return pdf, result.report


# ---------------------------------------------------------------- the element

def test_cells_stay_in_their_columns_rows_in_order_numbers_on_the_point(tmp_path):
    path = _edition(tmp_path, _table())
    pdf, report = _render(path)
    assert report.overflow == [] and report.warnings == []
    text = squash(pdftotext(pdf, "-raw"))
    # the cell texts come back in row order, header first
    cells = [c for row in [["站点", "地址", "金额"]] + STATIONS for c in row]
    assert squash("".join(cells)) in text
    chars = _chars(pdf)
    rows = [_find(chars, squash(row[0])) for row in STATIONS]
    addresses = [_find(chars, squash(row[1])) for row in STATIONS]
    amounts = [_find(chars, row[2]) for row in STATIONS]
    # columns: every cell's characters lie between the columns' starts, in order
    name_right = max(b[3] for row in rows for b in row)
    address_left = min(b[1] for row in addresses for b in row)
    address_right = max(b[3] for row in addresses for b in row)
    amount_left = min(b[1] for row in amounts for b in row)
    assert name_right < address_left < address_right < amount_left
    # the start column: its cells start at one x, the frame's left edge
    edition, pages, _ = lay_out(path)
    rect = frame_rect(edition.source.pages[0].elements[0].frame, edition.geometry, 1)
    starts = [r[0][1] for r in addresses]  # (ink edges: a Latin L's stem, a Han character's side)
    assert max(starts) - min(starts) < 1.5, starts
    assert abs(min(r[0][1] for r in rows) - rect.x) < 2
    # decimal: the points on one x (and the integer "3" ends there)
    points = [next(b for b in row if b[0] == ".") for row in amounts if "." in "".join(c[0] for c in row)]
    xs = [(p[1] + p[3]) / 2 for p in points]
    assert max(xs) - min(xs) < 0.3, xs
    # (ink edges of the same digit shape compared: the units' digits before the point)
    units = [row[[b[0] for b in row].index(".") - 1] for row in amounts if "." in "".join(c[0] for c in row)]
    assert max(u[3] for u in units) - min(u[3] for u in units) < 0.6, units
    three = amounts[2][-1]
    assert abs(three[3] - units[0][3]) < 0.6, (three, units[0])
    # the widest number ends at the frame's right edge
    assert abs(max(row[-1][3] for row in amounts) - (rect.x + rect.w)) < 1.0
    # rows one under another on the baseline grid: each row's name is a grid line lower
    tops = [r[0][2] for r in rows[:3]]
    assert all(b > a for a, b in zip(tops, tops[1:]))
    steps = [(b - a) / edition.geometry.baseline for a, b in zip(tops, tops[1:])]
    assert all(abs(s - round(s)) < 0.05 for s in steps), steps


def test_numbers_without_a_point_are_right_aligned(tmp_path):
    el = _table(header=["名称", "件数"], rows=[["劳动报酬", "3,216"], ["婚姻家庭", "875"], ["其他", "12件"]])
    pdf, report = _render(_edition(tmp_path, el))
    chars = _chars(pdf)
    ends = [_find(chars, t)[-1][3] for t in ("3,216", "875")]
    assert abs(ends[0] - ends[1]) < 0.5, ends
    # a unit after the number stands past the digits' end: the digits line up
    assert abs(_find(chars, "12件")[1][3] - ends[0]) < 0.5


def test_three_line_rules_frame_the_header_and_the_table(tmp_path):
    path = _edition(tmp_path, _table())
    pdf, _ = _render(path)
    chars = _chars(pdf)
    edition, pages, _ = lay_out(path)
    rules = sorted((r for r in pages[0].items if isinstance(r, Rule)), key=lambda r: r.y1)
    assert len(rules) == 3, rules
    top, under_header, bottom = rules
    assert top.width > under_header.width and bottom.width == top.width  # thick, thin, thick
    rect = frame_rect(edition.source.pages[0].elements[0].frame, edition.geometry, 1)
    for r in rules:  # across the table, horizontal
        assert r.y1 == r.y2 and abs(r.x1 - rect.x) < 0.01 and abs(r.x2 - (rect.x + rect.w)) < 0.01
    header = _find(chars, "站点")
    first = _find(chars, squash(STATIONS[0][0]))
    last = _find(chars, squash(STATIONS[-1][0]))
    assert rect.y <= top.y1 < min(b[2] for b in header)
    assert max(b[4] for b in header) < under_header.y1 < min(b[2] for b in first)
    # the Tibetan row's stacks reach deep: the bottom rule clears them
    assert max(b[4] for row in (last, _find(chars, "Lhasa")) for b in row) < bottom.y1 - bottom.width / 2


@pytest.mark.parametrize("rules, count", [("grid", 6 + 2 + 2), ("rows", 3 + 3), ("none", 0)])
def test_other_rules(tmp_path, rules, count):
    """grid: every row boundary, the box and the column lines; rows: a rule between rows."""
    edition, pages, _ = lay_out(_edition(tmp_path, _table(rules=rules)))
    found = [r for r in pages[0].items if isinstance(r, Rule)]
    assert len(found) == count, found
    if rules == "grid":
        assert {r.width for r in found} == {0.5}
        assert sum(r.x1 == r.x2 for r in found) == 4  # two between columns, two sides


def test_widths_fixed_shared_and_auto(tmp_path):
    el = _table(columns=[{"width": "40mm"}, {"width": "*"}, {"width": "auto"}])
    path = _edition(tmp_path, el)
    pdf, _ = _render(path)
    chars = _chars(pdf)
    edition, _, _ = lay_out(path)
    rect = frame_rect(edition.source.pages[0].elements[0].frame, edition.geometry, 1)
    size = edition.styles["table"].size
    address = _find(chars, squash(STATIONS[0][1]))
    # the second column starts 40 mm and an em's gap from the left
    assert abs(address[0][1] - (rect.x + 40 * 72 / 25.4 + size)) < 1.0
    # the auto column is as wide as its widest number: it ends at the right edge
    amounts = [_find(chars, row[2]) for row in STATIONS]
    assert abs(max(r[-1][3] for r in amounts) - (rect.x + rect.w)) < 1.0
    # a narrow share column breaks its cells into lines, inside it
    el = _table(columns=[{"width": "8*"}, {"width": "*"}, {"width": "auto"}])
    pdf, report = _render(_edition(tmp_path, el))
    chars = _chars(pdf)
    assert report.overflow == []
    text = squash(pdftotext(pdf, "-raw"))
    address = _find(chars, "城关区金珠西路18号")  # its lines one after another in the content
    assert len({round(b[2]) for b in address}) >= 2  # on two lines or more
    names = _find(chars, squash(STATIONS[1][0]))
    amounts = [_find(chars, row[2]) for row in STATIONS]
    assert max(b[3] for b in names) < min(b[1] for b in address)  # right of the names' column
    assert max(b[3] for b in address) < min(r[0][1] for r in amounts)  # left of the numbers
    assert all(squash(c) in text for row in STATIONS for c in row[:1])


def test_a_table_too_long_for_its_frame_is_cut_at_a_row_and_reported(tmp_path):
    rows = [[f"第{k + 1}站", f"{k + 1}号", f"{k}.5"] for k in range(40)]
    el = _table(rows=rows, frame={"column": 1, "span": 4, "top": "0mm", "height": "40mm"})
    path = _edition(tmp_path, el)
    pdf, report = _render(path)
    text = squash(pdftotext(pdf, "-raw"))
    placed = [r for r in rows if f"{r[0]}{r[1]}{r[2]}" in text]
    k = len(placed)
    assert 0 < k < 40 and placed == rows[:k]  # whole rows, in order, from the first
    (entry,) = report.overflow
    left = "".join(c for r in rows[k:] for c in r)
    assert entry.page == 1 and entry.element == 1 and entry.type == "table" and entry.chars == len(left)
    (notice,) = [w for w in report.warnings if w.code == "table-overset"]
    assert f"{40 - k} of the table's 40 rows" in notice.message
    assert notice.place.page == 1 and notice.place.element == 1 and notice.place.source.line == 8, notice
    assert str(notice).startswith(f"{path}:8:")
    # nothing is drawn below the frame's foot
    edition, pages, _ = lay_out(path)
    rect = frame_rect(edition.source.pages[0].elements[0].frame, edition.geometry, 1)
    assert all(c[4] <= rect.y + rect.h + 0.5 for c in _chars(pdf))
    assert all(r.y1 <= rect.y + rect.h + 0.5 for r in pages[0].items if isinstance(r, Rule))


def test_a_cell_wider_than_its_column_stops_the_table_there(tmp_path):
    el = _table(rows=[["甲", "", "1"], ["丙", "乙", "2"], ["戊", "", "3"]],
                columns=[{"width": "auto"}, {"width": "1pt"}, {"width": "auto"}])
    pdf, report = _render(_edition(tmp_path, el))
    (entry,) = report.overflow
    assert entry.too_wide == "乙" and entry.chars == 5  # 丙乙2 and 戊3
    text = pdftotext(pdf)
    assert "甲" in text and "丙" not in text and "戊" not in text
    (notice,) = [w for w in report.warnings if w.code == "table-overset"]
    assert "a character wider than its column" in notice.message


# ---------------------------------------------------------------- pipe tables in stories

PIPE = """本报讯 各地法律援助工作站的电话如下：

| 站点 | 电话 | 金额 |
|:--- 2* | --- | ---: |
{rows}

以上站点周一至周五办公。"""


def _pipe_rows(n: int) -> list[list[str]]:
    return [[f"第{k + 1}工作站", f"0891-63{k:05d}", f"{k * 7}.{k % 10}"] for k in range(n)]


def test_a_story_table_continues_in_the_next_column_with_its_header(tmp_path):
    rows = _pipe_rows(12)
    story = PIPE.format(rows="\n".join("| " + " | ".join(r) + " |" for r in rows))
    frames = ("      - {type: story, story: s, columns: 2, balance: false, "
              "frame: {column: 1, span: 4, top: 0mm, height: 50mm}}\n")
    path = _edition(tmp_path, story=story, frames=frames)
    pdf, report = _render(path)
    assert report.overset == [] and report.warnings == []
    text = squash(pdftotext(pdf, "-raw"))
    assert text.count("站点电话金额") == 2  # the header again at the top of the second column
    for r in rows:
        assert "".join(r) in text
    chars = _chars(pdf)
    heads = [b for k, b in enumerate(chars) if "".join(c[0] for c in chars[k:k + 4]) == "站点电话"]
    assert len(heads) == 2 and heads[1][1] > heads[0][1] + 50 and heads[1][2] < heads[0][2]
    edition, pages, _ = lay_out(path)
    rules = [r for r in pages[0].items if isinstance(r, Rule)]
    assert len(rules) == 6  # three-line, for each part
    # every character of the story is placed once (the repeated header aside)
    (entry,) = report.copyfit
    assert entry.placed_chars == entry.chars == edition.stories["s"].chars


def test_a_story_table_that_does_not_fit_reports_its_rows(tmp_path):
    rows = _pipe_rows(40)
    story = PIPE.format(rows="\n".join("| " + " | ".join(r) + " |" for r in rows))
    path = _edition(tmp_path, story=story)
    pdf, report = _render(path)
    (over,) = report.overset
    text = squash(pdftotext(pdf, "-raw"))
    placed = [r for r in rows if "".join(r) in text]
    k = len(placed)
    assert 0 < k < 40 and placed == rows[:k]
    (entry,) = report.copyfit
    assert entry.placed_chars + entry.overset_chars == entry.chars
    (notice,) = [w for w in report.warnings if w.code == "table-overset"]
    assert f"{40 - k} of the table's 40 rows did not fit" in notice.message
    assert notice.place.story == "s" and notice.place.page == 1 and notice.place.source.line == 3, notice


def test_story_tables_take_their_styles_and_rules(tmp_path):
    story = PIPE.format(rows="\n".join("| " + " | ".join(r) + " |" for r in _pipe_rows(3)))
    keys = ", table_style: small, table_header_style: small, table_rules: grid"
    path = _edition(tmp_path, story=story, story_keys=keys)
    text = path.read_text(encoding="utf-8").replace(
        "stories:", "styles:\n  small: {font: caption, size: 7.5pt, leading: 13.5pt}\nstories:")
    path.write_text(text, encoding="utf-8")
    edition, pages, report = lay_out(path)
    sizes = {r.size for r in pages[0].items if hasattr(r, "clusters") and r.text.startswith("第")}
    assert sizes == {7.5}
    # a grid: two sides and two lines between the columns, for each part of the table
    verticals = sum(isinstance(r, Rule) and r.x1 == r.x2 for r in pages[0].items)
    assert verticals and verticals % 4 == 0, verticals


def test_tibetan_cells_extract(tmp_path):
    bo = "ལྷ་སའི་ཁྲིམས་ལུགས་རོགས་རམ་ལྟེ་གནས།"
    story = f"| མིང་། | ཁ་བྱང་། |\n|---|---|\n| {bo} | 12348 |"
    pdf, report = _render(_edition(tmp_path, _table(), story=story))
    text = squash(pdftotext(pdf))  # (a narrow column breaks the story's cell in two lines)
    assert text.count(bo) == 2  # the element's cell and the story's
    assert "མིང་།" in text


# ---------------------------------------------------------------- malformed tables

@pytest.mark.parametrize("element, line, col, message, hint", [
    ({"rows": [["甲", "乙", "1"], ["丙", "2"]]}, 8, 9, "row 2 has 2 cells, the table 3", "a cell per column"),
    ({"columns": [{"width": "2*"}, {"width": "3 apples"}, {"width": "auto"}]}, 8, 9,
     "column 2: cannot read '3 apples' as a column width", "write auto, a length"),
    ({"columns": [{"width": "0*"}, {"width": "*"}, {"width": "auto"}]}, 8, 9, "more than 0*", "a share"),
    ({"columns": [{"width": "auto"}]}, 8, 9, "columns: 1 given for a table of 3 columns", "one entry per column"),
    ({"rows": []}, 8, 9, "a table needs at least one row", "rows"),
], ids=["ragged", "bad-width", "zero-share", "columns-count", "no-rows"])
def test_malformed_elements_are_refused_with_a_place(tmp_path, element, line, col, message, hint):
    with pytest.raises(InputError) as got:
        lay_out(_edition(tmp_path, _table(**element)))
    text = str(got.value)
    assert message in text and "hint:" in text and hint in text, text
    assert f"edition.yaml:{line}:" in text, text


@pytest.mark.parametrize("table, line, message", [
    ("| a | b |\n|---|---|\n| 1 | 2 | 3 |", 3, "row 1 of the table has 3 cells, its delimiter row 2"),
    ("| a | b |\n|---|---|\n| 1 |", 3, "row 1 of the table has 1 cell, its delimiter row 2"),
    ("| a | b |\n|--- 3 apples|---|\n| 1 | 2 |", 2, "table column 1: cannot read '3 apples'"),
    ("| a | b |\n|---|-x-|\n| 1 | 2 |", 2, "cannot read the table's delimiter cell '-x-'"),
    ("| a | b |\n|---|---|\n| 1 | 2 |\n不是表格的一行", 4, "a table row must start with '|'"),
    ("| a | b |\n|---|---|", 1, "a table without rows"),
], ids=["too-many", "too-few", "bad-width", "bad-delimiter", "no-blank-line", "no-rows"])
def test_malformed_pipe_tables_are_refused_with_a_place(tmp_path, table, line, message):
    with pytest.raises(InputError) as got:
        lay_out(_edition(tmp_path, story="导语。\n\n" + table))
    text = str(got.value)
    assert message in text and "hint:" in text, text
    assert f"s.md:{line + 2}:" in text, text


def test_a_bar_line_without_a_delimiter_row_is_a_paragraph(tmp_path):
    edition, pages, report = lay_out(_edition(tmp_path, story="| 不是表格 |\n第二行"))
    (block,) = edition.stories["s"].blocks
    assert block.kind == "para" and block.text.startswith("| 不是表格 |")


def test_escaped_bars_and_bold_in_cells(tmp_path):
    story = "| 名称 | 说明 |\n|---|---|\n| a\\|b | **要紧** 的话 |"
    edition, pages, report = lay_out(_edition(tmp_path, story=story))
    (block,) = edition.stories["s"].blocks
    cells = block.table.rows[0]
    assert cells[0].text == "a|b" and cells[1].text == "要紧 的话" and cells[1].spans[0].style == "bold"
    assert cells[1].where.line == 3 and cells[1].where.column == 10


JUMP = """\
paper: {name: 测试报, date: 2026-11-30}
geometry: {preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}
stories:
  s: {file: s.md, table_rules: grid}
pages:
  - folio: none
    elements:
      - {type: story, story: s, frame: {column: 1, span: 2, top: 0mm, height: 60mm}, jump: {page: 2, frame: rest}}
  - folio: none
    elements:
      - {type: story, story: s, name: rest, frame: {column: 3, span: 3, top: 20mm, height: 200mm}}
"""


def test_a_story_table_jumps_to_another_page_with_its_header_and_keeps_numbers_whole(tmp_path):
    rows = _pipe_rows(20)
    (tmp_path / "s.md").write_text(PIPE.format(rows="\n".join("| " + " | ".join(r) + " |" for r in rows)) + "\n",
                                   encoding="utf-8")
    (tmp_path / "edition.yaml").write_text(JUMP, encoding="utf-8")
    pdf, report = _render(tmp_path / "edition.yaml")
    assert report.overset == []
    one = squash(pdftotext(pdf, "-raw", "-f", "1", "-l", "1"))
    two = squash(pdftotext(pdf, "-raw", "-f", "2", "-l", "2"))
    assert "站点电话金额" in one and "站点电话金额" in two and "上接01版" in two and "下转02版" in one
    on_one = [r for r in rows if "".join(r[1:]) in one or r[0] in one]
    assert 0 < len(on_one) < 20 and rows[len(on_one)][0] in two and rows[-1][0] in two
    # the columns are narrow: names and telephone numbers break, the short numbers never
    edition, pages, _ = lay_out(tmp_path / "edition.yaml")
    texts = {r.text for page in pages for r in page.items if hasattr(r, "clusters")}
    assert all(r[2] in texts for r in rows), [r[2] for r in rows if r[2] not in texts]


def test_a_frame_mark_after_a_table_sends_the_rest_to_the_next_frame(tmp_path):
    story = "| 站点 | 电话 |\n|---|---|\n| 城关区 | 6322148 |\n\n{frame}\n\n后面的段落。"
    frames = ("      - {type: story, story: s, frame: {column: 1, span: 2, top: 0mm, height: 60mm}}\n"
              "      - {type: story, story: s, frame: {column: 4, span: 2, top: 0mm, height: 60mm}}\n")
    edition, pages, report = lay_out(_edition(tmp_path, story=story, frames=frames))
    runs = [r for r in pages[0].items if hasattr(r, "clusters")]
    after = [r for r in runs if "后面" in r.text]
    table = [r for r in runs if "城关区" in r.text]
    assert after and table and after[0].x > table[0].x + 100  # in the second frame
    assert report.overset == []
