"""A box takes its content's height (`height: auto`) or aligns its content (`align`):
read back from the display list over generated boxes, contents and heights, and from the
PDF with pdfium (the rectangle's path and the characters' boxes). The content is what
lies wholly in the box's frame: a headline and a story flowed in it, a photo."""
from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import SAMPLE
from layout.api import lay_out, render, Options
from layout.lines.display import Image, Panel

PHOTO = SAMPLE.parent / "images"
EDITION = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
stories:
  s: {{text: "{text}"}}
pages:
  - elements:
      - type: box
        height: {height}
        align: {align}
        inset: {inset}pt
        frame: {{column: 2, span: 4, top: 20mm, height: {depth}mm}}
      - type: text
        text: 让劳动者的汗水有回报
        style: headline
        frame: {{column: 2, span: 4, top: 24mm, height: 12mm}}
      - type: story
        story: s
        frame: {{column: 2, span: 4, top: 40mm, height: {story}mm}}
      - type: rule
        side: top
        frame: {{column: 1, span: 6, top: 200mm, height: 0}}
"""
SENTENCE = "法治的分量，就体现在这一笔笔追回的工资里。"


def edition(tmp: Path, **values) -> Path:
    path = tmp / "edition.yaml"
    path.write_text(EDITION.format(**values), encoding="utf-8")
    return path


def read_back(pdf_path: Path) -> tuple[tuple, float, float, str]:
    """From the PDF with pdfium: the box (its rectangle path's bounds: left, top, right,
    bottom, y downwards), the top and bottom of the ink of the characters inside it
    (their tight boxes), and the page's text."""
    pdf = pdfium.PdfDocument(pdf_path)
    page = pdf[0]
    height = page.get_height()
    rects = []
    for obj in page.get_objects():
        if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            left, bottom, right, top = obj.get_bounds()
            if right - left > 100 and top - bottom > 20:
                # pdfium's bounds take in the stroke (0.75 pt): back to the rule's middle
                rects.append((left + 0.75, height - top + 0.75, right - 0.75, height - bottom - 0.75))
    [box] = rects
    text = page.get_textpage()
    tops, bottoms = [], []
    for i in range(text.count_chars()):
        if text.get_text_range(i, 1).isspace():
            continue
        left, bottom, right, top = text.get_charbox(i)
        if box[0] - 1 <= left and right <= box[2] + 1 and box[1] - 1 <= height - top < 200 * MM:
            tops.append(height - top)
            bottoms.append(height - bottom)
    words = text.get_text_range().replace("\r", "").replace("\n", "").replace(" ", "")
    pdf.close()
    return box, min(tops), max(bottoms), words


MM = 72 / 25.4


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(height=st.sampled_from(["frame", "auto"]), align=st.sampled_from(["top", "middle", "bottom"]),
       inset=st.integers(2, 12), depth=st.integers(60, 160), sentences=st.integers(1, 12))
def test_box_fits_or_aligns_its_content(tmp_path_factory, height, align, inset, depth, sentences):
    tmp = tmp_path_factory.mktemp("box")
    story = min(depth - 22, 120)
    path = edition(tmp, text=SENTENCE * sentences, height=height, align=align, inset=inset, depth=depth,
                   story=story)
    result = render(Options(edition=path, output=tmp / "box.pdf"))
    box, top, bottom, words = read_back(tmp / "box.pdf")
    if not result.report.overset:
        assert SENTENCE * sentences in words
    frame_h = depth * MM
    assert abs(box[1] - 35 * MM) < 0.5, "the top rule stays where the frame puts it"
    assert box[3] - box[1] <= frame_h + 0.5
    assert top >= box[1] and bottom <= box[3] + 0.5, "content outside its box"
    above, below = top - box[1], box[3] - bottom
    if height == "auto":
        # as far below the content as it is below the top rule, at least the inset,
        # unless the frame is the limit
        want = min(frame_h, bottom - box[1] + max(inset, above))
        assert abs(box[3] - box[1] - want) < 1.0, (box[3] - box[1], want)
        return
    assert abs(box[3] - box[1] - frame_h) < 0.5
    # the headline's frame puts it 4 mm under the top rule: nothing ever moves up
    assert above >= 4 * MM - 0.5
    if align == "middle" and below > above:
        assert abs(above - below) < 1.0, (above, below)
    elif align == "bottom" and below > inset:
        assert abs(below - inset) < 1.0, (below, inset)


def test_auto_box_in_the_pdf(tmp_path):
    """The PDF's box rectangle ends under the text, and every character of the story is
    on the page."""
    path = edition(tmp_path, text=SENTENCE * 3, height="auto", align="top", inset=6, depth=150, story=120)
    result = render(Options(edition=path, output=tmp_path / "box.pdf"))
    assert not result.report.overset
    box, top, bottom, words = read_back(tmp_path / "box.pdf")
    assert bottom < box[3] and box[3] - bottom < 20, "the box is deeper than its content"
    assert SENTENCE * 3 in words


def test_photo_moves_with_its_box(tmp_path):
    """A photo in an aligned box moves down with the text (its clip too)."""
    shutil.copy(PHOTO / "coffee.jpg", tmp_path / "coffee.jpg")
    src = EDITION.replace("""stories:
  s: {{text: "{text}"}}
""", "").replace("""      - type: story
        story: s
        frame: {{column: 2, span: 4, top: 40mm, height: {story}mm}}
""", """      - type: photo
        file: coffee.jpg
        frame: {{column: 2, span: 2, top: 40mm, height: 30mm}}
""")
    path = tmp_path / "edition.yaml"
    path.write_text(src.format(text="", height="frame", align="bottom", inset=6, depth=150, story=0),
                    encoding="utf-8")
    _, pages, _ = lay_out(path)
    [panel] = [i for i in pages[0].items if isinstance(i, Panel)]
    [photo] = [i for i in pages[0].items if isinstance(i, Image)]
    assert abs(photo.clip[1] + photo.clip[3] - (panel.y + panel.h - 6)) < 0.5
    assert abs(photo.clip[1] - photo.y) < 0.5 or photo.y < photo.clip[1]
