"""Break control in the story text: {column} and {frame} marks, [[no-break]] spans,
subheads that never end a column, and holes (empty column feet inside a story's run)
reported with their place and drawn by --proof."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from layout.api import Options, lay_out, render
from layout.base.errors import InputError
from layout.edition.geometry import columns_x
from layout.edition.stories import parse_story
from layout.lines.display import GlyphRun, Panel

HEAD = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
stories:
  s: {{file: s.md}}
pages:
{pages}
"""
PARA = "法治宣传教育是全民守法的基础工作，各地坚持把普法与依法治理结合起来。"
TWO_PAGES = """\
  - elements:
      - {type: story, story: s, frame: {column: 1, span: 2, top: 0mm, height: 80mm}}
  - elements:
      - {type: story, story: s, frame: {column: 1, span: 2, top: 0mm, height: 80mm}}
"""


def edition(tmp_path: Path, story: str, pages: str = TWO_PAGES) -> Path:
    folder = tmp_path / "ed"
    folder.mkdir(exist_ok=True)
    (folder / "s.md").write_text(story, encoding="utf-8")
    path = folder / "edition.yaml"
    path.write_text(HEAD.format(pages=pages), encoding="utf-8")
    return path


def columns_of(ed, page) -> list[list[str]]:
    """The text lines of each grid column of the page (below the running head), top down."""
    xs, _ = columns_x(ed.geometry, page.number)
    rows: dict[tuple[int, float], list[GlyphRun]] = {}
    for item in page.items:
        if isinstance(item, GlyphRun) and item.y > 50:
            column = max(i for i, x in enumerate(xs) if x <= item.x + 0.5)
            rows.setdefault((column, round(item.y, 2)), []).append(item)
    out: dict[int, list[str]] = {}
    for (column, _), runs in sorted(rows.items()):
        out.setdefault(column, []).append("".join(r.text for r in sorted(runs, key=lambda r: r.x)))
    return [out[k] for k in sorted(out)]


def text_of(ed, page) -> str:
    return "".join("".join(c) for c in columns_of(ed, page))


def test_a_column_mark_starts_the_next_paragraph_at_the_next_column_top(tmp_path):
    story = f"甲段。{PARA}\n\n{{column}}\n\n乙段。{PARA * 16}\n"  # on to page 2
    ed, pages, report = lay_out(edition(tmp_path, story))
    first, second = columns_of(ed, pages[0])[:2]
    assert first[0].lstrip().startswith("甲段") and second[0].lstrip().startswith("乙段"), (first, second)
    assert not any("乙" in line for line in first)
    (hole,) = report.holes
    assert hole.marked and hole.page == 1 and hole.lines > 5 and hole.place.story == "s"
    assert not [n for n in report.warnings if n.code == "hole"], "a hole the designer asked for is no warning"


def test_a_frame_mark_sends_the_rest_through_the_jump(tmp_path):
    story = f"甲段。{PARA}\n{{frame}}\n乙段。{PARA}\n"
    ed, pages, report = lay_out(edition(tmp_path, story))
    one, two = text_of(ed, pages[0]), text_of(ed, pages[1])
    assert "乙段" not in one and "（下转02版）" in one, one
    assert "（上接01版）" in two and "乙段" in two
    assert all(h.marked for h in report.holes) and len(report.holes) == 2  # both columns of page 1's frame
    (entry,) = report.copyfit
    assert entry.placed_chars == entry.chars


def test_marks_at_a_column_top_change_nothing(tmp_path):
    """A mark where the column or frame already begins leaves no empty column."""
    story = f"{{column}}\n{{frame}}\n甲段。{PARA}\n"
    ed, pages, report = lay_out(edition(tmp_path, story))
    assert columns_of(ed, pages[0])[0][0].lstrip().startswith("甲段")
    assert not report.holes


def test_marks_parse_as_blocks_and_count_no_characters():
    blocks = parse_story("甲。\n{column}\n乙。\n\n{frame}\n\n丙。\n", "s.md")
    assert [b.kind for b in blocks] == ["para", "column", "para", "frame", "para"]
    assert [b.where.line for b in blocks] == [1, 2, 3, 5, 7]
    assert sum(len(b.text) for b in blocks) == 6


def test_an_unclosed_no_break_span_is_located():
    with pytest.raises(InputError) as caught:
        parse_story("第一段。\n\n记者 [[次吉 报道\n", "s.md")
    assert str(caught.value).startswith("s.md:3:4: '[[' opens a no-break span that is never closed (hint:")
    (block,) = parse_story("写作 \\[[不是标记]] 的方括号\n", "s.md")
    assert block.text == "写作 [[不是标记]] 的方括号" and block.keep == ()


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pad=st.integers(0, 40), kept=st.sampled_from(["次吉", "3900余万元", "格桑次仁", "《民法典》", "12348热线"]),
       width=st.sampled_from([1, 2]))
def test_a_no_break_span_is_never_split(tmp_path_factory, pad, kept, width):
    tmp_path = tmp_path_factory.mktemp("nb")
    story = ("记者" * pad + f"本报讯[[{kept}]]说，" + PARA) * 3 + "\n"
    pages = f"  - elements:\n      - {{type: story, story: s, frame: {{column: 1, span: {width}, top: 0mm, height: 200mm}}}}\n"
    ed, out, report = lay_out(edition(tmp_path, story, pages))
    text = [line for column in columns_of(ed, out[0]) for line in column]
    assert sum(t.count(kept) for t in text) == 3, text
    assert not report.overset


@pytest.mark.parametrize("height", range(30, 80, 4))
def test_a_subhead_never_ends_a_column(tmp_path, height):
    story = "\n\n".join(f"第{k}段。{PARA * (1 + k % 2)}\n\n## 小标题第{k}个" for k in range(6)) + f"\n\n{PARA}\n"
    pages = f"""\
  - elements:
      - {{type: story, story: s, columns: 3, frame: {{column: 1, span: 3, top: 0mm, height: {height}mm}}}}
  - elements:
      - {{type: story, story: s, columns: 3, frame: {{column: 1, span: 3, top: 0mm, height: 200mm}}}}
"""
    ed, out, _ = lay_out(edition(tmp_path, story, pages))
    for page in out:
        for column in columns_of(ed, page):
            body = [t for t in column if "下转" not in t]
            assert body and "小标题" not in body[-1], column


def test_holes_are_reported_with_their_place_and_drawn_in_the_proof(tmp_path):
    """A subhead sent on to the next column leaves a hole: warned, placed at the
    frame's line with the words before it, and drawn by --proof."""
    story = "\n\n".join(f"第{k}段。{PARA * 2}\n\n## 小标题\n## 第二行" for k in range(8)) + "\n"
    for height in range(40, 120, 3):
        pages = f"  - elements:\n      - {{type: story, story: s, columns: 3, frame: {{column: 1, span: 3, top: 0mm, height: {height}mm}}}}\n"
        path = edition(tmp_path, story, pages)
        _, _, report = lay_out(path)
        holes = [h for h in report.holes if not h.marked]
        if holes:
            break
    else:
        pytest.fail("no depth left a hole")
    hole = holes[0]
    (warning,) = [n for n in report.warnings if n.code == "hole" and n.place == hole.place][:1]
    written = path.read_text(encoding="utf-8").splitlines()[hole.place.source.line - 1]
    assert "type: story" in written and hole.place.page == 1 and hole.place.words
    assert f"{hole.lines} empty line" in warning.message
    out = path.parent / "proof.pdf"
    proofed = render(Options(path, out, proof=True, trace=True))
    x, y, w, h = hole.area
    assert any(f"panel {round(x, 2):g},{round(y, 2):g}" in line and "fill cmyk(0,45,90,0)" in line
               for line in out.read_text(encoding="utf-8").splitlines()), "the hole is not drawn"
    assert proofed.report.holes == report.holes
    assert isinstance(Panel, type)
