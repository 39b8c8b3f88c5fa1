"""The masthead's three parts — the name, its Tibetan line and the publication data —
never overlap, whatever the name, its length and the sizes: their ink boxes (HarfBuzz
glyph extents, Tibetan stacks to their real depth) read back from the display list."""
from __future__ import annotations

import functools
import re
from pathlib import Path

import uharfbuzz as hb
from hypothesis import HealthCheck, given, settings, strategies as st

from layout.api import lay_out
from layout.lines.display import GlyphRun, Panel, Rule

SHARED = Path(__file__).resolve().parents[2] / "shared"
HAN = "雪域法治报人民日新闻晚西藏高原时代青年"


@functools.cache
def _syllables() -> list[str]:
    """Tibetan syllables of the shared corpus."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((SHARED / "corpus" / "tibetan").glob("*"))
                   if p.is_file())
    return sorted({s for s in re.findall(r"[\u0F40-\u0FBC]+", text) if len(s) <= 6})[:400]


@functools.cache
def _font(path: str, index: int):
    return hb.Font(hb.Face(hb.Blob.from_file_path(path), index))


def ink(run: GlyphRun) -> tuple[float, float, float, float] | None:
    """(left, top, right, bottom) of the run's glyphs' ink, y downwards."""
    font = _font(run.face.path, run.face.index)
    scale = run.size / font.face.upem
    boxes = []
    for gid, (dx, dy) in zip(run.gids, run.positions):
        e = font.get_glyph_extents(gid)
        if e is None or e.width == 0 or e.height == 0:
            continue
        x0 = run.x + dx + e.x_bearing * scale * run.hscale
        x1 = x0 + e.width * scale * run.hscale
        top = run.y + dy - e.y_bearing * scale
        boxes.append((x0, top, x1, top - e.height * scale))
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _mark_box(mark) -> tuple[float, float, float, float]:
    if isinstance(mark, Rule):
        return (min(mark.x1, mark.x2) - 0.25, min(mark.y1, mark.y2) - 0.25,
                max(mark.x1, mark.x2) + 0.25, max(mark.y1, mark.y2) + 0.25)
    return mark.x, mark.y, mark.x + mark.w, mark.y + mark.h


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


EDITION = """\
paper: {{name: {name}, name_bo: "{bo}", date: 2026-12-04, weekday: 星期五, issue: 12, total_issue: 3456,
        publisher: 雪域法治报社, serial: CN 54-0001, postal_code: 55-1}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
styles:
  masthead: {{font: heavy, size: {size}pt, leading: {lead}pt, align: center}}
  masthead-bo: {{font: tibetan-headline, size: {bo_size}pt, leading: {bo_lead}pt, align: center}}
pages:
  - master: front
    elements:
      - {{type: masthead, info_frame: {frame}, info_position: {position},
         frame: {{column: 1, span: {span}, top: 0, height: {height}mm}}}}
"""


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(name_len=st.integers(2, 6), seed=st.integers(0, 10_000), size=st.integers(30, 96),
       bo_size=st.integers(10, 30), syllables=st.integers(2, 7), span=st.integers(3, 6),
       height=st.integers(20, 70), frame=st.sampled_from(["none", "rules", "boxes"]),
       position=st.sampled_from(["foot", "top"]))
def test_name_tibetan_line_and_data_never_overlap(tmp_path_factory, name_len, seed, size, bo_size,
                                                  syllables, span, height, frame, position):
    han = [HAN[(seed * 7 + k * 5) % len(HAN)] for k in range(name_len)]
    pool = _syllables()
    bo = "་".join(pool[(seed + k * 37) % len(pool)] for k in range(syllables)) + "།"
    folder = tmp_path_factory.mktemp("m")
    path = folder / "edition.yaml"
    path.write_text(EDITION.format(name="".join(han), bo=bo, size=size, lead=size * 1.1, bo_size=bo_size,
                                   bo_lead=bo_size * 1.5, span=span, height=height, frame=frame,
                                   position=position), encoding="utf-8")
    _, pages, report = lay_out(path)
    runs = [i for i in pages[0].items if isinstance(i, GlyphRun)]
    tibetan = [r for r in runs if any("\u0F00" <= c <= "\u0FFF" for c in r.text)]
    info = [r for r in runs if r.size == 7.5]  # masthead-info's size
    name = [r for r in runs if r not in tibetan and r not in info]
    if not name or not tibetan:  # a frame too short for them: cut, and counted
        assert any(o.type == "masthead" for o in report.overflow), report.overflow
        return
    groups = [[b for b in map(ink, g) if b] for g in (name, tibetan, info)]
    for i in range(3):
        for j in range(i + 1, 3):
            for a in groups[i]:
                for b in groups[j]:
                    assert not overlap(a, b), (i, j, a, b)
    if position == "top":
        return  # the corners beside the name: its ink may reach lower than theirs
    # the rules and boxes that set off the data cross no ink of the name or Tibetan line
    # (the masthead's own rule under the frame aside)
    marks = [i for i in pages[0].items if isinstance(i, (Rule, Panel)) and getattr(i, "width", 0.5) == 0.5
             and getattr(i, "weight", 0.5) == 0.5]
    for mark in marks:
        box = _mark_box(mark)
        for b in groups[0] + groups[1]:
            assert not overlap(box, b), (mark, b)
    # the Tibetan line's ink keeps a tenth of the name's size below the name's
    name_foot = max(b[3] for b in groups[0])
    assert min(b[1] for b in groups[1]) - name_foot >= 0.1 * size - 0.01


def test_golden_front_keeps_its_date_and_tibetan_line_apart():
    """The case of issue 17: the date line used to sit on the Tibetan name."""
    _, pages, report = lay_out(Path(__file__).resolve().parent / "golden" / "front" / "edition.yaml")
    runs = [i for i in pages[0].items if isinstance(i, GlyphRun) and i.y < 55 * 72 / 25.4]  # the masthead: 15 mm margin, 37 mm frame
    tibetan = [ink(r) for r in runs if any("\u0F00" <= c <= "\u0FFF" for c in r.text)]
    date = [ink(r) for r in runs if r.size == 7.5]  # the publication data (masthead-info)
    assert tibetan and date
    assert not any(overlap(a, b) for a in tibetan for b in date)
    assert not report.overflows if hasattr(report, "overflows") else True


DATA = """\
paper: {{name: 雪域法治报, date: 2026-12-04, weekday: 星期五, issue: 12, total_issue: 3456,
        publisher: 雪域法治报社, serial: CN 54-0001, postal_code: 55-1}}
geometry: {{preset: 对开, margins: 15mm, columns: 8, gutter: 4mm, baseline: 13.5pt}}
pages:
  - master: front
    elements:
      - {{type: masthead, info_frame: {frame}, info_position: {position}, info_left: {left},
         info_right: {right}, frame: {{column: 1, span: 6, top: 0, height: 40mm}}}}
"""
ITEMS = ["{publisher}出版", "国内统一连续出版物号 {serial}", "邮发代号 {postal_code}", "{date} {weekday}",
         "第{issue}期（总第{total_issue}期）", "今日{pages}版", "广告垂询 6323770", "ཁྲིམས་ལུགས།"]


def _items_of(runs, texts):
    """The runs of each item, in order: consecutive runs on one baseline whose text is the item's."""
    out, k = [], 0
    for text in texts:
        got, acc = [], ""
        while k < len(runs) and acc.replace(" ", "") != text.replace(" ", ""):
            acc += runs[k].text
            got.append(runs[k])
            k += 1
        out.append(got)
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(frame=st.sampled_from(["rules", "boxes"]), position=st.sampled_from(["foot", "top"]),
       left=st.lists(st.sampled_from(ITEMS), min_size=0, max_size=3),
       right=st.lists(st.sampled_from(ITEMS), min_size=0, max_size=3))
def test_publication_data_set_off_by_rules_or_boxes(tmp_path_factory, frame, position, left, right):
    """Each item whole on its line (never broken inside at the foot); in boxes, every
    item's ink inside its own box; with rules, an upright rule between neighbours that
    touches neither, and a rule over the data; every item's text there."""
    path = tmp_path_factory.mktemp("d") / "edition.yaml"
    path.write_text(DATA.format(frame=frame, position=position, left=left, right=right), encoding="utf-8")
    edition, pages, report = lay_out(path)
    fields = edition.template_fields(1)
    texts = [t.format(**fields) for t in left + right]
    runs = [i for i in pages[0].items if isinstance(i, GlyphRun) and i.size == 7.5]
    marks = [i for i in pages[0].items if isinstance(i, (Rule, Panel)) and
             (getattr(i, "width", None) == 0.5 or getattr(i, "weight", None) == 0.5)]
    joined = "".join(r.text for r in runs).replace(" ", "")
    assert joined == "".join(texts).replace(" ", ""), (joined, texts)
    if position == "top":
        if frame == "boxes":
            panels = [m for m in marks if isinstance(m, Panel)]
            assert len(panels) == bool(left) + bool(right)
            for b in filter(None, map(ink, runs)):
                assert any(p.x <= b[0] and b[2] <= p.x + p.w and p.y <= b[1] and b[3] <= p.y + p.h for p in panels), b
        else:
            rules = [m for m in marks if isinstance(m, Rule)]
            assert len(rules) == max(len(left) - 1, 0) + max(len(right) - 1, 0)
            for rule in rules:
                assert not any(overlap(_mark_box(rule), b) for b in filter(None, map(ink, runs)))
        return
    groups = _items_of(runs, texts)
    boxes = [[b for b in map(ink, g) if b] for g in groups]
    for g in groups:
        assert len({round(r.y, 2) for r in g}) <= 1, "an item broken across lines"
    if frame == "boxes":
        panels = [m for m in marks if isinstance(m, Panel)]
        assert len(panels) == len(texts)
        for p, inks in zip(panels, boxes):
            for b in inks:
                assert p.x <= b[0] and b[2] <= p.x + p.w and p.y <= b[1] and b[3] <= p.y + p.h, (p, b)
        for a, b in zip(panels, panels[1:]):
            assert a.y != b.y or a.x + a.w < b.x or b.x + b.w < a.x, "boxes overlap"
    else:
        rules = [m for m in marks if isinstance(m, Rule)]
        across = [r for r in rules if r.y1 == r.y2]
        upright = [r for r in rules if r.x1 == r.x2]
        assert len(across) == (1 if texts else 1)
        assert len(upright) == max(len(left) - 1, 0) + max(len(right) - 1, 0)
        for rule in upright:
            assert not any(overlap(_mark_box(rule), b) for inks in boxes for b in inks)
