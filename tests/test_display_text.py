"""Display text breaks like display text: headlines, kickers, decks and subheads of
two or more lines are balanced, and no line of them (or of a byline) ends between a
number and what it counts, inside a title in 书名号 or inside a person's name."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from layout.api import lay_out
from layout.edition.geometry import columns_x
from layout.lines.display import GlyphRun
from layout.text.keeps import display_keeps

HEAD = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
styles:
  big: {{font: headline, size: {size}pt, leading: {lead}pt, align: {align}}}
stories:
  s: {{file: s.md}}
pages:
  - elements:
      - {{type: headline, text: "{text}", style: big, frame: {{column: 1, span: {span}, top: 0mm, height: 120mm}}}}
      - {{type: story, story: s, frame: {{column: 1, span: 2, top: 130mm, height: 100mm}}}}
"""


def lines_of(page, top: float, bottom: float) -> list[str]:
    rows: dict[float, list[GlyphRun]] = {}
    for item in page.items:
        if isinstance(item, GlyphRun) and top < item.y < bottom:
            rows.setdefault(round(item.y, 2), []).append(item)
    return ["".join(r.text for r in sorted(runs, key=lambda r: r.x)) for _, runs in sorted(rows.items())]


def widths_of(page, top: float, bottom: float) -> list[float]:
    rows: dict[float, list[GlyphRun]] = {}
    for item in page.items:
        if isinstance(item, GlyphRun) and top < item.y < bottom:
            rows.setdefault(round(item.y, 2), []).append(item)
    return [max(r.x + r.positions[-1][0] + r.advances[-1] for r in runs) - min(r.x for r in runs)
            for _, runs in sorted(rows.items())]


def render(tmp_path: Path, text: str, span: int = 2, size: float = 36, align: str = "center",
           story: str = "正文。\n") -> tuple:
    folder = tmp_path / "ed"
    folder.mkdir(exist_ok=True)
    (folder / "s.md").write_text(story, encoding="utf-8")
    (folder / "edition.yaml").write_text(HEAD.format(text=text, span=span, size=size, lead=size * 1.2,
                                                     align=align), encoding="utf-8")
    return lay_out(folder / "edition.yaml")


def test_the_keeps_of_display_text():
    text = "全区挽回经济损失3900余万元 第12期《民法典》宣讲98%以上"
    kept = [text[a:b] for a, b in display_keeps(text)]
    assert kept == ["3900余万元", "第12期", "《民法典》", "98%以上"]
    assert [t for a, b in display_keeps("西藏某高校法学院教授 拉巴次仁", byline=True)
            for t in ["西藏某高校法学院教授 拉巴次仁"[a:b]]] == ["拉巴次仁"]  # (the title is no name)
    assert display_keeps("རང་ཚགས་གསར་འགོད་པ་ཚེ་རིང་", byline=True) == ()


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lead=st.integers(0, 12), kept=st.sampled_from(["3900余万元", "《民法典》", "第1413期", "12348热线"]),
       span=st.integers(1, 3), size=st.sampled_from([24, 30, 36, 48]))
def test_a_headline_never_breaks_inside_a_number_or_a_title(tmp_path_factory, lead, kept, span, size):
    tmp_path = tmp_path_factory.mktemp("h")
    text = "法治" * lead + f"挽回{kept}成效显著"
    ed, pages, report = render(tmp_path, text, span, size)
    shown = lines_of(pages[0], 40, 400)
    xs, column = columns_x(ed.geometry, 1)
    if sum(0.6 if c.isascii() else 1.0 for c in kept) * size > span * column + (span - 1) * ed.geometry.gutter:
        return  # wider than the frame: the last-resort break, tested elsewhere
    assert "".join(shown) == text
    assert any(kept in line for line in shown), shown


def test_two_line_headlines_are_balanced(tmp_path):
    """Without balancing the second line held two characters of sixteen."""
    text = "出门就能找到人一个电话问到底了"
    _, pages, _ = render(tmp_path, text, span=3, size=36)
    shown = lines_of(pages[0], 40, 400)
    assert "".join(shown) == text and len(shown) == 2, shown
    widths = widths_of(pages[0], 40, 400)
    assert min(widths) >= 0.75 * max(widths), (shown, widths)


def test_a_balanced_centred_headline_stays_centred(tmp_path):
    _, pages, _ = render(tmp_path, "出门就能找到人一个电话问到底了", span=3, size=36)
    rows: dict[float, list[GlyphRun]] = {}
    for item in pages[0].items:
        if isinstance(item, GlyphRun) and 40 < item.y < 400:
            rows.setdefault(round(item.y, 2), []).append(item)
    centres = [(min(r.x for r in runs) + max(r.x + r.positions[-1][0] + r.advances[-1] for r in runs)) / 2
               for runs in rows.values()]
    assert max(centres) - min(centres) < 1.0, centres


def test_designer_line_breaks_are_kept(tmp_path):
    _, pages, _ = render(tmp_path, "出门就能\\n找到人", span=3, size=36)
    assert lines_of(pages[0], 40, 400) == ["出门就能", "找到人"]


def test_a_byline_never_splits_a_name(tmp_path):
    story = "> 西藏某高校法学院教授 拉巴次仁\n\n正文。\n"
    for span in (1, 2):
        folder = tmp_path / f"b{span}"
        folder.mkdir()
        (folder / "s.md").write_text(story, encoding="utf-8")
        (folder / "edition.yaml").write_text(HEAD.format(text="标题", span=1, size=20, lead=24, align="start")
                                             .replace("span: 2, top: 130mm", f"span: {span}, top: 130mm")
                                             .replace("frame: {column: 1, span: 1, top: 130mm",
                                                      "frame: {column: 1, span: 1, top: 130mm"),
                                             encoding="utf-8")
        _, pages, _ = lay_out(folder / "edition.yaml")
        text = lines_of(pages[0], 350, 2000)
        assert any("拉巴次仁" in line for line in text), text
