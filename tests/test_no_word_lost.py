"""No word lost, read back from the PDF: runs that no rule lets break (Han, Han with
combining marks, Tibetan without tshegs, Latin words and numbers, dashes, ellipses,
runs of opening or closing marks, and mixtures) are set at measures from a third of
an em up, in a story frame and in headline, text (horizontal and vertical), caption,
teaser, table, QR caption and notices frames. Whatever happens, placed + overset +
overflow = source, and the text pdfium finds in each frame is exactly the placed part of
its source, every character of it inside the frame; no text lies anywhere else on the page.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import pdftotext, squash

from layout.api import Options, render
from layout.edition.geometry import frame_rect
from layout.lines.justify import OVERRUN
from layout.edition.loader import load_edition

EXAMPLES = int(os.environ.get("PAIBAN_FUZZ_EXAMPLES", "30"))


def _assigned(lo: int, hi: int) -> list[str]:
    return [chr(c) for c in range(lo, hi + 1) if unicodedata.name(chr(c), "")]


HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
COMBINING = st.characters(min_codepoint=0x0300, max_codepoint=0x036F)
BO_LETTER = st.sampled_from(_assigned(0x0F40, 0x0F6C))
BO_SUBJOINED = st.sampled_from(_assigned(0x0F90, 0x0FBC))
BO_VOWEL = st.sampled_from(list("\u0f72\u0f74\u0f7a\u0f7c\u0f71\u0f7e"))
# a Tibetan stack: a letter, maybe a subjoined letter, maybe a vowel sign; no tsheg
BO_STACK = st.builds(lambda a, b, c: a + b + c, BO_LETTER, st.one_of(st.just(""), BO_SUBJOINED),
                     st.one_of(st.just(""), BO_VOWEL))
LATIN = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
CLOSING = st.sampled_from(list("，。、；：！？”’）》」』】〕"))
OPENING = st.sampled_from(list("“‘（《「『【〔"))
RUNS = {
    "han": st.text(HAN, min_size=1, max_size=40),
    "han+mark": st.lists(st.tuples(HAN, COMBINING).map("".join), min_size=1, max_size=20).map("".join),
    "tibetan": st.lists(BO_STACK, min_size=1, max_size=40).map("".join),
    "latin": st.text(LATIN, min_size=1, max_size=80),
    "dashes": st.integers(1, 40).map(lambda n: "——" * n),
    "ellipses": st.integers(1, 40).map(lambda n: "……" * n),
    "closing": st.text(CLOSING, min_size=1, max_size=40),
    "opening": st.text(OPENING, min_size=1, max_size=40),
}
RUN = st.sampled_from(sorted(RUNS)).flatmap(lambda kind: RUNS[kind].map(lambda text: (kind, text)))
TEXT = st.lists(RUN, min_size=1, max_size=3)

# 24 narrow grid columns (about 25 pt each): a frame's measure in em is
# span × 25 pt ÷ size, from about 0.35 em (one column at 72 pt) to 56 em
EDITION = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 24, gutter: 1mm, baseline: 13.5pt}}
styles:
  t: {{font: {role}, size: {size}pt, leading: {leading}pt}}
stories:
  s: {{file: s.md, style: t}}
pages:
  - folio: none
    elements:
      - {{type: story, story: s, columns: 1, frame: {{column: 1, span: {span}, top: 0mm, height: 60mm}}}}
      - {{type: {type}, {element}, frame: {{column: 13, span: {span}, top: 0mm, height: 60mm}}}}
"""
ELEMENTS = {
    "headline": "style: t, text: {text}",
    "text": "style: t, text: {text}",
    "vertical headline": "style: t, direction: vertical, text: {text}",  # 竖排: columns right to left
    "vertical text": "style: t, direction: vertical, text: {text}",
    "teaser": "title_style: t, title: {text}",
    "photo": "file: p.png, caption_style: t, caption: {text}",
    "qr": "content: 'https://www.xueyu-fazhi.cn/a/1', caption_style: t, caption: {text}",
    # a notice is placed whole or left out whole (and counted); an empty title sets no line
    "notices": "title_style: t, style: t, items: [{{title: '', text: {text}}}]",
    # a run a row, in one column (a table is cut at a row: what it shows is a prefix)
    "table": "style: t, header_style: t, rows: {rows}",
}


def _boxes(pdf: Path) -> list[tuple[str, float, float, float, float, float]]:
    """Every character pdfium finds on page 1: (character, x0, y0, x1, y1 of its ink,
    x of its origin), in points from the page's top-left; whitespace left out."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[0]
        height = page.get_height()
        text = page.get_textpage()
        out = []
        for i in range(text.count_chars()):
            ch = text.get_text_range(i, 1)
            if not ch or ch.isspace():
                continue
            left, bottom, right, top = text.get_charbox(i)
            x, y = ctypes.c_double(), ctypes.c_double()
            raw.FPDFText_GetCharOrigin(text.raw, i, x, y)
            out.append((ch, left, height - top, right, height - bottom, x.value))
        text.close()
        return out
    finally:
        doc.close()


def _inside(box, rect, size: float) -> bool:
    """The character lies in the frame: the centre of its ink inside, and its ink past
    the frame's sides by no more than a glyph's overhang (0.1 em). A combining mark set
    from another face than its base has no advance and stands at the base's right edge:
    for it the origin counts."""
    ch, x0, y0, x1, y1, origin = box
    tol = 0.1 * size + 0.5
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if not rect.y - tol <= cy <= rect.y + rect.h + tol:
        return False
    if unicodedata.category(ch)[0] == "M":
        return rect.x - tol <= origin <= rect.x + rect.w + tol
    return rect.x - tol <= x0 and x1 <= rect.x + rect.w + tol and rect.x <= cx <= rect.x + rect.w


def _text_in(pdf: Path, rect=None) -> str:
    """What pdftotext reads (in content order) on page 1, or in a rectangle of it."""
    crop = [] if rect is None else ["-x", str(int(rect.x)), "-y", str(int(rect.y)),
                                    "-W", str(int(rect.w + 2)), "-H", str(int(rect.h + 2))]
    return squash(pdftotext(pdf, "-raw", "-r", "72", "-f", "1", "-l", "1", *crop))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(story_runs=TEXT, frame_runs=TEXT, span=st.one_of(st.integers(1, 2), st.integers(1, 11)),
       size=st.sampled_from([6, 9, 14, 24, 40, 60, 72]),
       kind=st.sampled_from(sorted(ELEMENTS)), role=st.sampled_from(["body", "tibetan-body", "headline"]))
def test_every_character_is_placed_in_its_frame_or_counted(story_runs, frame_runs, span, size, kind, role):
    story_text = "".join(t for _, t in story_runs)
    frame_text = "".join(t for _, t in frame_runs)
    for k, _ in story_runs + frame_runs:
        event(f"run: {k}")
    event(f"element: {kind}")
    folder = Path(tempfile.mkdtemp(prefix="paiban-nwl-"))
    try:
        (folder / "s.md").write_text(story_text + "\n", encoding="utf-8")
        if kind == "photo":
            from PIL import Image

            Image.new("L", (40, 30), 128).save(folder / "p.png")
        element = ELEMENTS[kind].format(text=json.dumps(frame_text, ensure_ascii=False),
                                        rows=json.dumps([[t] for _, t in frame_runs], ensure_ascii=False))
        (folder / "edition.yaml").write_text(
            EDITION.format(role=role, size=size, leading=round(size * 1.3, 2), span=span, type=kind.split()[-1],
                           element=element), encoding="utf-8")
        pdf = folder / "out.pdf"
        result = render(Options(folder / "edition.yaml", pdf, workers=1))
        report = result.report
        edition = load_edition(folder / "edition.yaml")
        story_rect = frame_rect(edition.source.pages[0].elements[0].frame, edition.geometry, 1)
        frame = frame_rect(edition.source.pages[0].elements[1].frame, edition.geometry, 1)
        em = frame.w / size
        event(f"measure {'< 1' if em < 1 else '1-4' if em < 4 else '4-16' if em < 16 else '>= 16'} em")

        # the story: placed + overset = source, and the placed part is what the PDF has
        (entry,) = report.copyfit
        assert entry.placed_chars + entry.overset_chars == len(story_text), entry
        placed = story_text[:entry.placed_chars]
        if entry.overset_chars:
            event("story overset")
            (over,) = report.overset
            assert over.chars == entry.overset_chars and over.page == 1

        # the frame: shown + overflow = source (whitespace aside)
        left = sum(e.chars for e in report.overflow)
        event("frame overflow" if left else "frame whole")
        whole = squash(frame_text)
        shown = whole[:len(whole) - left]

        # pdftotext: the page holds exactly the placed text, each part in its frame
        assert _text_in(pdf) == shown + squash(placed)
        assert _text_in(pdf, frame) == shown
        assert _text_in(pdf, story_rect) == squash(placed)
        # pdfium: and every character it finds lies inside the frame, not past its sides
        stray = [c for c in _boxes(pdf) if not (_inside(c, story_rect, size) or _inside(c, frame, size))]
        assert not stray, f"characters outside their frames: {stray[:5]}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


STORY_EDITION = """\
paper: {name: 测试报, date: 2026-11-30}
geometry: {preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}
styles:
  body: {font: body, size: 10.5pt, leading: 13.5pt, indent: 2}
stories:
  a: {file: a.md}
pages:
  - folio: none
    elements:
      - {type: story, story: a, frame: {column: 1, span: 2, top: 0mm, height: 100mm}}
"""


@pytest.mark.parametrize("text, char", [
    ("ཀ" * 100_000, "ཀ"),           # Tibetan without tshegs: was 100,000 placed, 112 in the PDF
    ("他说" + "——" * 200, "—"),      # lost 319 of 404 characters
    ("！" * 200, "！"),              # lost 41
], ids=["tibetan-without-tshegs", "dashes", "exclamation-marks"])
def test_issue_examples_are_placed_or_counted(tmp_path, text, char):
    """The examples of issue 22: what the report calls placed is what the PDF holds,
    and the rest is overset, with its page and count."""
    (tmp_path / "a.md").write_text(text + "\n", encoding="utf-8")
    (tmp_path / "edition.yaml").write_text(STORY_EDITION, encoding="utf-8")
    pdf = tmp_path / "out.pdf"
    report = render(Options(tmp_path / "edition.yaml", pdf, workers=1)).report
    (entry,) = report.copyfit
    assert entry.placed_chars + entry.overset_chars == len(text)
    found = _text_in(pdf)
    assert found == text[:entry.placed_chars]
    assert found.count(char) == text[:entry.placed_chars].count(char) > 0
    if entry.overset_chars:
        (over,) = report.overset
        assert over.page == 1 and over.chars == len(text) - entry.placed_chars
    # the lines had to break against the rules, and the report says so
    assert any("no break the composition rules allow" in str(w) for w in report.warnings), report.warnings


@functools.cache
def _engine():
    from layout.fonts.faces import load_fontset
    from layout.text.shape import Shaper

    return load_fontset(), Shaper()


def _set(text: str, role: str, em: float, method: str = "total-fit"):
    from layout.lines.linebreak import Widths
    from layout.lines.justify import set_lines
    from layout.lines.prepare import prepare

    fonts, shaper = _engine()
    p = prepare(text, role, 10.0, 0.0, fonts, shaper)
    return p, set_lines(p, Widths.uniform(em * 10.0), shaper, method=method)


@settings(max_examples=EXAMPLES * 10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(runs=TEXT, em=st.one_of(st.floats(0.3, 3.0), st.floats(3.0, 40.0)),
       role=st.sampled_from(["body", "tibetan-body", "headline"]),
       method=st.sampled_from(["total-fit", "first-fit"]))
def test_every_line_fits_or_holds_one_cluster_too_wide(runs, em, role, method):
    """The breaker's side: lines cover the text in order; each fits its measure, unless
    it holds a single cluster wider than the measure (then it is marked overfull, and
    the stages above place none of it); no line ends inside a grapheme cluster."""
    text = "".join(t for _, t in runs)
    p, lines = _set(text, role, em, method)
    assert lines[0].start == 0 and lines[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(lines, lines[1:]))
    for line in lines:
        units = [u for u in p.units if line.start <= u.start < line.end and not u.space]
        if line.overfull:
            # one grapheme cluster (units joined by no break: a base and a mark set from
            # another face), wider than the measure
            event("a cluster wider than the measure")
            assert all(not u.brk for u in units[:-1]), (line.text, em)
            assert not line.width <= em * 10.0 + OVERRUN, (line.text, em)
        else:
            assert line.width <= em * 10.0 + OVERRUN, (line.text, line.width, em)
        if line.end < len(text):
            after = text[line.end]
            assert unicodedata.category(after)[0] != "M" and after != "\u200d", (line.text, after)
        if line.against_rules:
            event("a line breaks against the rules")


HAN_TEXT = st.lists(st.tuples(st.text(HAN, min_size=1, max_size=12),
                              st.one_of(st.just(""), CLOSING, OPENING)), min_size=1, max_size=30)


@settings(max_examples=EXAMPLES * 4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(parts=HAN_TEXT, em=st.floats(3.0, 30.0))
def test_the_rules_hold_wherever_a_legal_break_exists(parts, em):
    """Chinese with single marks between characters always has a legal break within
    any 3 em: no line breaks against the rules (C1, C2), none is overfull."""
    text = "".join(a + b for a, b in parts)
    _, lines = _set(text, "body", em)
    for k, line in enumerate(lines):
        assert not line.against_rules and not line.overfull, (line.text, em)
        if k + 1 < len(lines):
            assert text[line.end] not in "，。、；：！？”’）》」』】〕", line.text  # C1
            assert text[line.end - 1] not in "“‘（《「『【〔", line.text  # C2


CONTINUED = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
styles:
  j: {{font: headline, size: {jump_size}pt}}
jump_lines: {{style: j}}
stories:
  s: {{file: s.md}}
pages:
  - folio: none
    elements:
      - {{type: story, story: s, frame: {{column: 1, top: 0mm, height: 20mm}}}}
  - folio: none
    elements:
      - {{type: story, story: s, headline: {headline}, frame: {{column: 1, top: 0mm, height: 15mm}}}}
"""


@pytest.mark.parametrize("headline, jump_size", [("接上文" * 30, 9), ("ཀ" * 3, 9), ("续", 60)],
                         ids=["headline-too-deep", "headline-fits", "jump-line-too-wide"])
def test_continued_headlines_and_jump_lines_stay_in_their_frames(tmp_path, headline, jump_size):
    """A story frame's continuation headline is shown down to the frame's foot and the
    rest counted, like other frames' text; a jump line that does not fit its column on
    one line is left out with a warning, never drawn past the column."""
    from layout.api import lay_out

    (tmp_path / "s.md").write_text("法治宣传教育是全民守法的基础工作。" * 40 + "\n", encoding="utf-8")
    (tmp_path / "edition.yaml").write_text(CONTINUED.format(headline=headline, jump_size=jump_size),
                                           encoding="utf-8")
    edition, pages, report = lay_out(tmp_path / "edition.yaml")
    for n, page in enumerate(pages):
        rect = frame_rect(edition.source.pages[n].elements[0].frame, edition.geometry, n + 1)
        for run in (i for i in page.items if hasattr(i, "clusters")):
            # (a closing mark at a line's end gives up half its advance, C8)
            right = run.x + max(p[0] + a for p, a in zip(run.positions, run.advances))
            assert rect.x - 0.01 <= run.x and right <= rect.x + rect.w + 0.5 * run.size + 0.01, (run.text, rect)
            assert run.y + 0.12 * run.size <= rect.y + rect.h + 0.5, (run.text, rect)
    shown = "".join(r.text for r in pages[1].items if hasattr(r, "clusters") and r.size == 14.0)
    left = sum(e.chars for e in report.overflow if e.page == 2)
    assert len(shown) + left == len(headline)
    assert headline.startswith(shown)
    if jump_size > 14:
        assert any(w.code == "jump-line" and "left out" in str(w) for w in report.warnings), report.warnings
