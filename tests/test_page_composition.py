"""Page composition on small editions built here: threading and jump lines, overset
counts, the baseline grid, text wrap around photos, widows and orphans."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, SAMPLE

from layout.api import lay_out
from layout.lines.display import GlyphRun, Image, Rule

HEAD = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
styles:
  h: {{font: headline, size: 26pt, leading: 30pt, align: justify}}
stories:
  s: {{file: s.md}}
pages:
{pages}
"""
PARA = "法治宣传教育是全民守法的基础工作，各地坚持把普法与依法治理结合起来，推动法律知识进机关、进乡村、进社区、进学校、进企业、进单位。"


def edition(tmp_path: Path, pages: str, paragraphs: int, photo: bool = False) -> Path:
    folder = tmp_path / "ed"
    folder.mkdir(exist_ok=True)
    (folder / "s.md").write_text("\n\n".join(f"{k + 1}.{PARA}" for k in range(paragraphs)) + "\n",
                                 encoding="utf-8")
    if photo:
        (folder / "p.jpg").write_bytes((REPO / "editions" / "sample" / "images" / "coffee.jpg").read_bytes())
    path = folder / "edition.yaml"
    path.write_text(HEAD.format(pages=pages), encoding="utf-8")
    return path


def texts(page, area_only: bool = True) -> list[GlyphRun]:
    """The page's glyph runs; by default those in the type area (no running head)."""
    top = 15 * 72 / 25.4
    return [i for i in page.items if isinstance(i, GlyphRun) and (not area_only or i.y > top)]


def page_text(page) -> str:
    return "".join(r.text for r in texts(page))


THREE_FRAMES = """\
  - elements:
      - {type: story, story: s, frame: {column: 1, span: 2, top: 0mm, height: 40mm}}
      - {type: story, story: s, frame: {column: 4, span: 3, top: 100mm, height: 30mm}}
  - elements:
      - {type: story, story: s, frame: {column: 1, span: 3, top: 0mm, height: 60mm}}
"""


def test_a_story_through_three_frames_on_two_pages_gets_its_jump_lines(tmp_path):
    _, pages, report = lay_out(edition(tmp_path, THREE_FRAMES, 9))
    one, two = page_text(pages[0]), page_text(pages[1])
    assert one.count("（下转02版）") == 1 and "上接" not in one
    assert two.count("（上接01版）") == 1 and "下转" not in two
    # the jump line is the last line of the part on page 1, in its last column
    runs = texts(pages[0])
    right = max(r.x for r in runs if "下转" in r.text)
    column = [r for r in runs if abs(r.x - right) < 60]
    bottom = max(r.y for r in column)
    assert "".join(r.text for r in sorted(column, key=lambda r: r.x) if r.y == bottom) == "（下转02版）"
    assert not report.overset


def test_an_explicit_jump_changes_the_order(tmp_path):
    pages_yaml = """\
  - elements:
      - {type: story, story: s, frame: {column: 1, span: 2, top: 0mm, height: 40mm}, jump: {page: 2, frame: next}}
  - elements:
      - {type: story, story: s, frame: {column: 1, span: 3, top: 0mm, height: 60mm}, name: next}
"""
    _, pages, _ = lay_out(edition(tmp_path, pages_yaml, 6))
    assert "（下转02版）" in page_text(pages[0])
    assert "（上接01版）" in page_text(pages[1])


JUMP = """\
  - elements:
      - {{type: story, story: s, frame: {{column: 1, span: 2, top: 0mm, height: {height}mm}}}}
  - elements:
      - {{type: story, story: s, headline: 出门就能找到人, frame: {{column: 1, span: 3, top: 0mm, height: 60mm}}}}
"""


def test_a_jump_is_printed_only_when_the_story_continues(tmp_path):
    """Jump lines tell the truth, both ways: the same story jumps from a short frame
    (下转 on page 1, continuation headline and 上接 on page 2) and, from a tall one that
    holds it all, prints neither jump line nor the continuation headline; the report
    says where it ended, with its place, and counts the empty frame as underset."""
    _, pages, report = lay_out(edition(tmp_path, JUMP.format(height=30), 6))
    one, two = page_text(pages[0]), page_text(pages[1])
    assert "（下转02版）" in one and "（上接01版）" in two and "出门就能找到人" in two
    assert not [n for n in report.warnings if n.code == "jump-unused"]
    (entry,) = report.copyfit
    assert entry.pages == (1, 2) and entry.placed_chars == entry.chars

    _, pages, report = lay_out(edition(tmp_path, JUMP.format(height=150), 6))
    one, two = page_text(pages[0]), page_text(pages[1])
    assert "下转" not in one and two == "", two
    (entry,) = report.copyfit
    assert entry.pages == (1,) and entry.placed_chars == entry.chars and entry.overset_chars == 0
    (note,) = [n for n in report.warnings if n.code == "jump-unused"]
    assert note.place.page == 1 and note.place.element == 1 and note.place.story == "s"
    assert note.place.source.line == 9 and "frame on page 2 stays empty" in note.message
    empty = [a for a in entry.underset_areas if a[0] == 2]
    assert empty and entry.underset_lines >= sum(1 for _ in empty)
    # a preview of page 1 sets it as the whole edition does: no 下转 there either
    from layout.api import Options, render

    out = tmp_path / "p1.pdf"
    render(Options(tmp_path / "ed" / "edition.yaml", out, page=1, trace=True))
    assert "下转" not in out.read_text(encoding="utf-8")


def test_a_story_ending_in_its_first_frame_never_prints_a_jump_line(tmp_path):
    """Over many frame depths: there is a 下转 on page 1 exactly when text is on page 2."""
    for height in range(20, 130, 11):
        _, pages, report = lay_out(edition(tmp_path, JUMP.format(height=height), 5))
        one, two = page_text(pages[0]), page_text(pages[1])
        continues = bool(two.replace("（上接01版）", "").replace("出门就能找到人", ""))
        assert ("下转" in one) == continues == ("上接" in two) == ("出门就能找到人" in two), (height, one[-20:], two)
        assert sum(e.placed_chars for e in report.copyfit) == sum(e.chars for e in report.copyfit)


def test_overset_is_reported_with_exact_counts(tmp_path):
    pages_yaml = "  - elements:\n      - {type: story, story: s, frame: {column: 1, span: 1, top: 0mm, height: 30mm}}\n"
    path = edition(tmp_path, pages_yaml, 5)
    ed, pages, report = lay_out(path)
    story = ed.stories["s"]
    placed = len("".join(r.text for r in texts(pages[0])).replace(" ", ""))
    (entry,) = report.overset
    assert entry.story == "s" and entry.page == 1
    assert entry.chars == story.chars - entry.placed_chars
    assert entry.placed_chars == placed
    assert entry.chars > 0


@pytest.mark.parametrize("which", ["three-frames", "overset", "sample"])
def test_placed_plus_overset_is_every_character(tmp_path, which):
    if which == "sample":
        path = SAMPLE
    elif which == "three-frames":
        path = edition(tmp_path, THREE_FRAMES, 12)
    else:
        path = edition(tmp_path, "  - elements:\n      - {type: story, story: s, frame: {column: 1, span: 2, top: 0mm, height: 20mm}}\n", 9)
    ed, pages, report = lay_out(path)
    for entry in report.copyfit:
        assert entry.placed_chars + entry.overset_chars == ed.stories[entry.story].chars, entry


def test_columns_of_a_story_share_baselines_in_the_sample():
    """Body lines of stories sit on the page's baseline grid, so that neighbouring
    columns (of a story, and of stories side by side) share baselines."""
    from layout.edition import model
    from layout.edition.geometry import frame_rect

    ed, pages, _ = lay_out(SAMPLE)
    grid = ed.geometry.baseline
    checked = 0
    for page in pages:
        spec = ed.source.pages[page.number - 1]
        for el in spec.elements:
            if not isinstance(el, model.StoryFrame):
                continue
            story = ed.stories[el.story]
            body = ed.styles[story.style]
            if abs(body.line_pitch - grid) > 0.01:
                continue  # a story on its own pitch (Tibetan) keeps its own grid
            r = frame_rect(el.frame, ed.geometry, page.number)
            for run in texts(page):
                if r.x - 0.01 <= run.x <= r.x + r.w and r.y <= run.y <= r.y + r.h and run.size == body.size:
                    k = (run.y - ed.geometry.margins.top - 0.88 * run.size) / grid
                    assert abs(k - round(k)) < 0.01 / grid, (page.number, el.story, run.text, run.y)
                    checked += 1
    assert checked > 100


def test_text_wraps_around_a_photo_in_its_frame(tmp_path):
    pages_yaml = """\
  - elements:
      - {type: story, story: s, frame: {column: 1, span: 3, top: 0mm, height: 150mm}}
      - {type: photo, file: p.jpg, frame: {column: 2, span: 2, top: 30mm, height: 50mm}, wrap_gap: 2mm}
"""
    ed, pages, report = lay_out(edition(tmp_path, pages_yaml, 14, photo=True))
    image = next(i for i in pages[0].items if isinstance(i, Image))
    cx, cy, cw, ch = image.clip
    gap = 2 * 72 / 25.4
    box = (cx - gap + 0.01, cy - gap + 0.01, cx + cw + gap - 0.01, cy + ch + gap - 0.01)
    beside = 0
    for run in texts(pages[0]):
        for (px, py), adv in zip(run.positions, run.advances):
            x0, x1 = run.x + px, run.x + px + adv
            y0, y1 = run.y - 0.88 * run.size, run.y + 0.12 * run.size
            assert not (x0 < box[2] and box[0] < x1 and y0 < box[3] and box[1] < y1), (run.text, x0, y0)
        if box[1] < run.y < box[3]:
            beside += 1
    assert beside > 0, "no line was set beside the photo"


def test_no_widows_or_orphans_unless_reported():
    """In the sample, no paragraph leaves one line alone at a column foot or head,
    except where the report names it."""
    ed, pages, report = lay_out(SAMPLE)
    notes = [str(w) for w in report.warnings if w.code == "keep"]
    assert not notes, notes


@pytest.mark.parametrize("height", range(8, 26))
def test_paragraphs_keep_two_lines_at_column_feet_and_heads(tmp_path, height):
    """Widow and orphan control, over many column depths: a paragraph broken across a
    column keeps at least two lines on each side, or the break is reported."""
    from layout.page.flow import Column, Cursor, Slot, _fill
    from layout.fonts.faces import load_fontset
    from layout.edition.loader import load_edition
    from layout.lines.setter import Setter
    from layout.text.shape import Shaper

    path = edition(tmp_path, "  - elements:\n      - {type: story, story: s, frame: {column: 1, top: 0mm}}\n", 6)
    ed = load_edition(path)
    setter = Setter(ed, load_fontset(), Shaper())
    width = 11 * 9.0
    columns = [Column(0, k, k * 120.0, width, [Slot(50 + 13.5 * i, k * 120.0, width) for i in range(height)])
               for k in range(8)]
    fill = _fill(ed.stories["s"], columns, setter, Cursor())
    assert fill.finished
    count: dict[tuple[int, int], int] = {}
    for col, block, _ in fill.lines:
        count[(block, col)] = count.get((block, col), 0) + 1
    for (block, col), n in count.items():
        if (block, col + 1) in count:
            ok = n >= 2 and count[(block, col + 1)] >= 2
            assert ok or fill.notes, (height, block, col, n, count[(block, col + 1)])


def _headline_lines(tmp_path, headline: str) -> list[list[GlyphRun]]:
    path = edition(tmp_path, "  - elements:\n" + headline + "      - {type: story, story: s, frame: {column: 1, top: 60mm}}\n", 1)
    ed, pages, _ = lay_out(path)
    runs = [r for r in texts(pages[0]) if r.size > 12]
    rows: dict[float, list[GlyphRun]] = {}
    for r in runs:
        rows.setdefault(round(r.y, 1), []).append(r)
    return [sorted(v, key=lambda r: r.x) for _, v in sorted(rows.items())]


def test_a_fitted_headline_is_as_large_as_its_width_allows(tmp_path):
    rows = _headline_lines(tmp_path, "      - {type: headline, text: 法治护航高原发展, fit: [18pt, 60pt], "
                                     "frame: {column: 1, span: 3, top: 0mm}}\n")
    assert len(rows) == 1
    size = rows[0][0].size
    assert 18 <= size <= 60 and size > 30
    width = sum(sum(r.advances) for r in rows[0])
    assert width <= 3 * 36.67 * 72 / 25.4 + 2 * 6 * 72 / 25.4 + 0.01


def test_a_headline_never_leaves_one_character_alone(tmp_path):
    # nine characters in a width of eight: 8 + 1 would strand the last one
    rows = _headline_lines(tmp_path, "      - {type: headline, text: 一二三四五六七八九, style: h, "
                                     "frame: {column: 1, span: 2, top: 0mm}}\n")
    assert len(rows) == 2
    assert all(len("".join(r.text for r in row)) >= 2 for row in rows)


def test_a_headline_too_big_for_its_frame_is_cut_at_its_foot_and_reported(tmp_path):
    pages_yaml = ("  - elements:\n      - {type: headline, text: 一个很长很长的标题会超出它的框, kicker: 引题, deck: 副题也很长很长很长很长,"
                  " style: h, frame: {column: 1, span: 2, top: 0mm, height: 12mm}}\n"
                  "      - {type: story, story: s, frame: {column: 1, top: 60mm}}\n")
    _, pages, report = lay_out(edition(tmp_path, pages_yaml, 1))
    (entry,) = report.overflow
    assert entry.page == 1 and entry.element == 1 and entry.type == "headline" and entry.mm > 5
    assert any(f"{entry.chars} characters did not fit its frame" in str(w) for w in report.warnings)
    # nothing is drawn below the frame (over the story under it); what is left out is counted
    foot = 15 * 72 / 25.4 + 12 * 72 / 25.4
    shown = [r for r in texts(pages[0]) if r.y < 15 * 72 / 25.4 + 60 * 72 / 25.4 - 1]
    assert all(r.y + 0.12 * r.size <= foot + 0.5 for r in shown)
    written = "引题一个很长很长的标题会超出它的框副题也很长很长很长很长"
    assert sum(len(r.text.strip()) for r in shown) + entry.chars == len(written)
    assert entry.last_words and written.find(entry.last_words[-4:]) >= 0


def test_text_that_outgrows_its_frame_is_left_out_and_counted(tmp_path):
    text = "各级法院坚持把巡回审判送到群众家门口。" * 8
    pages_yaml = (f"  - elements:\n      - {{type: text, text: {text}, frame: {{column: 1, span: 1, top: 0mm, "
                  "height: 10mm}}\n      - {type: story, story: s, frame: {column: 3, top: 0mm}}\n")
    _, pages, report = lay_out(edition(tmp_path, pages_yaml, 1))
    (entry,) = report.overflow
    shown = [r for r in texts(pages[0]) if r.x < 100]
    assert shown and all(r.y < 15 * 72 / 25.4 + 10 * 72 / 25.4 + 0.5 for r in shown)
    assert sum(len(r.text.strip()) for r in shown) + entry.chars == len(text)
    assert text.startswith("".join(r.text for r in sorted(shown, key=lambda r: (r.y, r.x))))


def test_a_page_preview_equals_that_page_of_the_whole_edition():
    """--page N composes only what page N needs, and draws it exactly as the whole
    edition's page N (jump lines and all)."""
    from layout.page.compose import compose
    from layout.base.errors import Report
    from layout.fonts.faces import load_fontset
    from layout.edition.loader import load_edition
    from layout.lines.setter import Setter
    from layout.text.shape import Shaper

    ed = load_edition(SAMPLE)
    fonts = load_fontset(ed.font_overrides, Path(ed.base_dir))
    whole = compose(ed, Setter(ed, fonts, Shaper()), Report())
    for number in range(1, len(whole) + 1):
        (alone,) = compose(ed, Setter(ed, fonts, Shaper()), Report(), frozenset({number}))
        assert alone.items == whole[number - 1].items, number


def test_stories_flowed_in_a_second_process_give_the_same_pages_and_report():
    """compose(workers=2) flows the later half of the stories in a forked child; the
    pages (item for item, in the same order) and the report (warnings, overset,
    copyfit, in the same order) are those of a flow in one process, for the whole
    edition and for a one-page preview."""
    from layout.base import parallel
    from layout.page.compose import _shares, compose
    from layout.base.errors import Report
    from layout.fonts.faces import load_fontset
    from layout.edition.loader import load_edition
    from layout.lines.setter import Setter
    from layout.text.shape import Shaper

    if not parallel.available():
        pytest.skip("no fork, or a single core: compose works in one process here")
    ed = load_edition(SAMPLE)
    fonts = load_fontset(ed.font_overrides, Path(ed.base_dir))
    mine, theirs = _shares(list(ed.stories), ed)
    assert mine and theirs  # the sample does split
    for only in (None, frozenset({2})):
        serial_report, forked_report = Report(), Report()
        serial = compose(ed, Setter(ed, fonts, Shaper()), serial_report, only)
        forked = compose(ed, Setter(ed, fonts, Shaper()), forked_report, only, workers=2)
        assert [p.items for p in forked] == [p.items for p in serial]
        assert forked_report == serial_report


def test_a_failed_or_impossible_child_leaves_the_work_to_the_caller():
    """A child that fails gives no result (the caller then does the work itself, and
    any error surfaces there); a child's result comes back whole."""
    import threading

    from layout.base import parallel

    if not parallel.available():
        pytest.skip("no fork here")
    assert parallel.Forked(lambda: {"pages": [1, 2], "text": "藏文 བོད"}).result() == \
        {"pages": [1, 2], "text": "藏文 བོད"}
    assert parallel.Forked(lambda: 1 / 0).result() is None
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # with another thread running, no fork: no child, no result
        assert not parallel.available()
        assert parallel.Forked(lambda: 42).result() is None
    finally:
        stop.set()
        other.join()


def photo_edition(tmp_path: Path, size: tuple[int, int], element: str) -> Path:
    """An edition with one photo of `size` pixels (a real JPEG) and the element given."""
    from PIL import Image as PILImage

    story = "{type: story, story: s, frame: {column: 1, span: 2, top: 0mm}}"
    path = edition(tmp_path, f"  - elements:\n      - {element}\n  - elements:\n      - {story}\n", 1)
    PILImage.new("RGB", size, (120, 140, 160)).save(path.parent / "p.jpg", "JPEG", quality=80)
    return path


def right(run: GlyphRun) -> float:
    """Where the run's last glyph ends; a closing mark at a line end counts half (C8:
    its empty half may stand past the measure)."""
    end = run.x + max(px + adv for (px, _), adv in zip(run.positions, run.advances))
    return end - (run.advances[-1] / 2 if run.text and run.text[-1] in "，。、；：）」』”" else 0)


def photo_page(tmp_path: Path, size: tuple[int, int], element: str):
    """Lay out photo_edition's page: the edition, the report, the picture as shown
    (x, y, w, h) and the page's text runs."""
    ed, pages, report = lay_out(photo_edition(tmp_path, size, element))
    image = next(i for i in pages[0].items if isinstance(i, Image))
    return ed, report, image.clip, texts(pages[0])


CAPTION = "图为巡回法庭的法官在牧民家中调解草场纠纷，当事双方握手言和。"


def test_a_whole_picture_hangs_from_the_frame_top_with_its_caption_under_it(tmp_path):
    """fit: fit — a wide picture in a tall frame: at the frame's top (on the grid, like the
    text beside it), the caption right under the picture, the spare room below."""
    frame = "{column: 1, span: 3, top: 20mm, height: 120mm}"
    ed, report, (x, y, w, h), runs = photo_page(
        tmp_path, (1600, 900), f"{{type: photo, file: p.jpg, fit: fit, caption: {CAPTION}, frame: {frame}}}")
    top = 15 * 72 / 25.4 + 20 * 72 / 25.4
    assert abs(y - top) < 0.01
    first = min(runs, key=lambda r: r.y)
    assert "".join(r.text for r in sorted(runs, key=lambda r: (r.y, r.x))) == CAPTION
    # the first caption line's glyph tops sit 3 pt under the picture (ascent ≈ 0.88 em)
    assert y + h + 3 < first.y < y + h + 3 + first.size * 1.2
    assert not report.overflow


def test_a_narrow_whole_picture_gets_a_caption_as_wide_as_it(tmp_path):
    """fit: fit — a tall picture in a wide frame, centred: its caption takes the picture's
    width and stays under it, not the frame's."""
    frame = "{column: 1, span: 6, top: 0mm, height: 100mm}"
    ed, report, (x, y, w, h), runs = photo_page(
        tmp_path, (600, 1000), f"{{type: photo, file: p.jpg, fit: fit, caption: {CAPTION}, frame: {frame}}}")
    left = 15 * 72 / 25.4
    frame_w = ed.geometry.width - 2 * left
    assert w < frame_w / 2 and abs(x + w / 2 - (left + frame_w / 2)) < 0.01  # centred across
    assert "".join(r.text for r in sorted(runs, key=lambda r: (r.y, r.x))) == CAPTION
    assert len({round(r.y, 2) for r in runs}) > 1  # broken to the picture's width
    for r in runs:
        assert x - 0.01 <= r.x and right(r) <= x + w + 0.01, (r.text, r.x, right(r), x, w)
        assert y + h < r.y
    bottom = max(r.y for r in runs)
    assert bottom < 15 * 72 / 25.4 + 100 * 72 / 25.4


@pytest.mark.parametrize("position", ["right", "left"])
def test_a_side_caption_ends_with_the_foot_of_a_whole_picture_beside_it(tmp_path, position):
    frame = "{column: 1, span: 6, top: 0mm, height: 100mm}"
    ed, report, (x, y, w, h), runs = photo_page(
        tmp_path, (1600, 900), f"{{type: photo, file: p.jpg, fit: fit, caption: {CAPTION}, "
                               f"caption_position: {position}, frame: {frame}}}")
    assert "".join(r.text for r in sorted(runs, key=lambda r: (r.y, r.x))) == CAPTION
    last = max(r.y for r in runs)
    assert y + h - runs[0].size < last <= y + h  # the last line's baseline on the picture's foot
    if position == "right":
        assert all(abs(r.x - (x + w + 6)) < 0.01 for r in runs if r.x > x)  # 6 pt beside it
    else:
        assert all(right(r) <= x - 6 + 0.01 for r in runs)
    assert not report.overflow


def test_a_side_caption_taller_than_its_photo_is_set_to_the_frame_foot_and_reported(tmp_path):
    """It used to vanish whole (reported as running past the frame, but never drawn):
    now it starts at the photo's top, and what the frame cannot hold is counted."""
    long = CAPTION * 6
    frame = "{column: 1, span: 3, top: 0mm, height: 20mm}"
    ed, report, (x, y, w, h), runs = photo_page(
        tmp_path, (1600, 900), f"{{type: photo, file: p.jpg, caption: {long}, caption_position: right, "
                               f"frame: {frame}}}")
    shown = "".join(r.text for r in sorted(runs, key=lambda r: (r.y, r.x)))
    (entry,) = report.overflow
    assert entry.type == "photo" and shown and long.startswith(shown)
    assert len(shown) + entry.chars == len(long)


def test_a_column_rule_stops_at_a_photo_across_it_not_at_one_beside_it(tmp_path):
    pages_yaml = """\
  - elements:
      - {type: story, story: s, column_rules: true, frame: {column: 1, span: 4, top: 0mm, height: 150mm}}
      - {type: photo, file: p.jpg, frame: {column: 1, span: 2, top: 30mm, height: 40mm}, wrap_gap: 4mm}
"""
    ed, pages, report = lay_out(edition(tmp_path, pages_yaml, 20, photo=True))
    image = next(i for i in pages[0].items if isinstance(i, Image))
    x, y, w, h = image.clip
    rules = [r for r in pages[0].items if isinstance(r, Rule) and abs(r.x1 - r.x2) < 0.01 and r.y2 - r.y1 > 1]
    by_x: dict[float, list] = {}
    for r in rules:
        by_x.setdefault(round(r.x1, 2), []).append((r.y1, r.y2))
    assert len(by_x) == 3, by_x  # between columns 1|2, 2|3, 3|4
    across, beside, clear = (sorted(by_x[k]) for k in sorted(by_x))
    assert x < sorted(by_x)[0] < x + w  # the first gutter runs under the photo
    assert len(across) == 2 and across[0][1] <= y and across[1][0] >= y + h  # cut above and below it
    assert len(beside) == 1 and len(clear) == 1  # 4 mm of wrap gap reach past the gutter's middle: no cut
    assert beside[0] == clear[0]


def test_a_side_caption_takes_the_width_given(tmp_path):
    frame = "{column: 1, span: 4, top: 0mm, height: 60mm}"
    ed, report, (x, y, w, h), runs = photo_page(
        tmp_path, (1600, 900), f"{{type: photo, file: p.jpg, caption: {CAPTION}, caption_position: right, "
                               f"caption_width: 30mm, frame: {frame}}}")
    left = 15 * 72 / 25.4
    frame_w = 4 * (ed.geometry.width - 2 * left - 5 * ed.geometry.gutter) / 6 + 3 * ed.geometry.gutter
    assert abs(w - (frame_w - 30 * 72 / 25.4)) < 0.01
    assert "".join(r.text for r in sorted(runs, key=lambda r: (r.y, r.x))) == CAPTION
    for r in runs:
        assert abs(r.x - (x + w + 6)) < 0.01 and right(r) <= left + frame_w + 0.01


@pytest.mark.parametrize("rule,count", [("double", 2), ("single", 1), ("none", 0)])
def test_a_masthead_stacks_its_data_in_the_top_corners_and_draws_the_rule_asked(tmp_path, rule, count):
    masthead = ("{type: masthead, info_position: top, info_left: ['{publisher}', '广告垂询 6323770'], "
                "info_right: ['总第{total_issue}期', '今日{pages}版', '{date} {weekday}'], "
                f"rule: {rule}, frame: {{column: 1, span: 6, top: 0mm, height: 40mm}}}}")
    path = edition(tmp_path, f"  - elements:\n      - {masthead}\n      - "
                             "{type: story, story: s, frame: {column: 1, top: 60mm}}\n", 1)
    text = path.read_text(encoding="utf-8").replace("paper: {name: 测试报, date: 2026-11-30}",
                                                   "paper: {name: 测试报, date: 2026-11-30, publisher: 测试报社出版, "
                                                   "total_issue: 5212}")
    path.write_text(text, encoding="utf-8")
    ed, pages, report = lay_out(path)
    left_x = 15 * 72 / 25.4
    right_x = ed.geometry.width - left_x
    top = 15 * 72 / 25.4
    runs = [r for r in texts(pages[0]) if r.y < top + 40 * 72 / 25.4]
    lines = {}
    for r in runs:
        lines.setdefault((round(r.y, 1), r.x < ed.geometry.width / 2), []).append(r)
    stacked = sorted((y, left, "".join(r.text for r in rs)) for (y, left), rs in lines.items() if rs[0].size < 12)
    assert [t for _, left, t in stacked if left] == ["测试报社出版", "广告垂询 6323770"]
    assert [t for _, left, t in stacked if not left] == ["总第5212期", "今日1版", "2026年11月30日 星期一"]
    assert min(y for y, _, _ in stacked) < top + 12  # in the top corners
    for (_, left), rs in lines.items():
        if rs[0].size < 12 and left:
            assert abs(min(r.x for r in rs) - left_x) < 0.01  # set from the frame's left edge
        elif rs[0].size < 12:
            assert abs(max(right(r) for r in rs) - right_x) < 1.0  # and to its right edge
    rules = [r for r in pages[0].items if isinstance(r, Rule) and abs(r.y1 - r.y2) < 0.01
             and top + 40 * 72 / 25.4 < r.y1 < top + 40 * 72 / 25.4 + 5]
    assert len(rules) == count


def test_a_teaser_writes_its_items_in_the_format_given(tmp_path):
    teaser = ("{type: teaser, title: 导读, item_format: '{text}……{page:02d}版', "
              "items: [{text: 一只猫引发的邻里纠纷, page: 2}, {text: 网购退货被拒怎么办, page: 6}], "
              "frame: {column: 1, span: 3, top: 0mm, height: 40mm}}")
    path = edition(tmp_path, f"  - elements:\n      - {teaser}\n      - "
                             "{type: story, story: s, frame: {column: 5, top: 0mm}}\n", 1)
    # a preview of page 1 of 8: its teaser may point to the pages not given yet
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2026-11-30}", "date: 2026-11-30, pages: 8}", 1),
                    encoding="utf-8")
    _, pages, report = lay_out(path)
    shown = "".join(r.text for r in sorted(texts(pages[0]), key=lambda r: (r.y, r.x)) if r.x < 200)
    assert "一只猫引发的邻里纠纷……02版" in shown and "网购退货被拒怎么办……06版" in shown
    assert not report.overflow
