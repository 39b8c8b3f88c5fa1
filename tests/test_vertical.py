"""Vertical headlines and text (竖排), read back from the PDF: where pdfium finds each
glyph (columns top to bottom, right to left), which glyphs the content stream draws
(HarfBuzz's vertical forms of the marks, not the horizontal ones), what the extractors
give back (the source text), 纵中横 digits upright side by side, Latin turned; and over
the corpus, no column starts or ends with a mark the line rules forbid there.

The rule sets are written out here from ../shared/typography/chinese.md (C1, C2, C4),
not imported from the engine.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
import uharfbuzz as hb
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import SHARED, pdfium_text, pdftotext, squash

from layout.api import Options, lay_out, render
from layout.base.errors import InputError
from layout.edition import model
from layout.fonts.faces import load_fontset
from layout.lines.display import GlyphRun
from layout.lines.vertical import set_columns
from layout.text.shape import Shaper

C1 = set("、，。．；：！？‼⁇⁈⁉”’」』）〕】〗］｝》〉–～·・‧/／")
C2 = set("“‘「『（〔【〖［｛《〈")
C4 = ("——", "……", "⋯⋯", "⸺⸺")

SIZE = 30.0
PITCH = 40.0
COLUMNS = ["法治的阳光照进草原，", "《牧民》心里「亮」了。", "——12月NBA好……"]
HEADLINE = "\\n".join(COLUMNS)
EDITION = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
styles:
  vhead: {{font: headline, size: {size}pt, leading: {pitch}pt, align: start, strictness: strict}}
  vtext: {{font: body, size: 10.5pt, leading: 18pt, indent: 2}}
pages:
  - folio: none
    elements:
      - type: headline
        direction: vertical
        text: "{headline}"
        style: vhead
        frame: {{column: 5, span: 2, top: 0mm, height: 150mm}}
{more}"""


def _edition(tmp_path: Path, headline: str = HEADLINE, more: str = "", size: float = SIZE) -> Path:
    folder = tmp_path / "ed"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "edition.yaml"
    path.write_text(EDITION.format(headline=headline, more=more, size=size, pitch=PITCH), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    path = _edition(tmp_path_factory.mktemp("vertical"))
    out = path.parent / "v.pdf"
    render(Options(path, out))
    return out


def _chars(pdf: Path) -> list[tuple[str, tuple[float, float, float, float], float]]:
    """Each character pdfium finds, with its box (left, bottom, right, top; y up) and
    its angle, whitespace and the line ends it makes up left out."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[0].get_textpage()
        out = []
        for i in range(page.count_chars()):
            ch = page.get_text_range(i, 1)
            if not ch.strip():
                continue
            angle = pdfium.raw.FPDFText_GetCharAngle(page.raw, i)
            out.append((ch, page.get_charbox(i), angle))
        return out
    finally:
        doc.close()


def _centre(box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _hb_gid(font_path: str, index: int, ch: str, direction: str) -> int:
    face = hb.Face(hb.Blob.from_file_path(font_path), index)
    font = hb.Font(face)
    buf = hb.Buffer()
    buf.add_str(ch)
    buf.direction = direction
    buf.script = "Hani"
    buf.language = "zh-Hans"
    hb.shape(font, buf, {})
    return buf.glyph_infos[0].codepoint


def _drawn(pdf: Path, size: float) -> list[tuple[str, int]]:
    """(font resource, glyph id) of every glyph drawn at `size`, in stream order."""
    out = []
    with pikepdf.open(pdf) as doc:
        font, at = None, None
        for operands, op in pikepdf.parse_content_stream(doc.pages[0]):
            op = str(op)
            if op == "Tf":
                font, at = str(operands[0]), float(operands[1])
            elif op in ("Tj", "TJ") and at == size:
                strings = operands[0] if op == "TJ" else [operands[0]]
                for s in strings:
                    if isinstance(s, pikepdf.String):
                        raw = bytes(s)
                        out += [(font, int.from_bytes(raw[k:k + 2], "big")) for k in range(0, len(raw), 2)]
    return out


def test_vertical_headline_glyphs_stand_in_columns_right_to_left(rendered):
    """pdfium's boxes of the Han characters: x constant down each column, y going down
    the page, each column left of the one before by the style's leading."""
    chars = _chars(rendered)
    text = "".join(c for c, _, _ in chars)
    start = text.find(COLUMNS[0])
    assert start >= 0, text[:80]
    at = start
    centres = []
    for column in COLUMNS[:2]:
        here = chars[at:at + len(column)]
        assert "".join(c for c, _, _ in here) == column
        han = [(_centre(box)) for c, box, _ in here if "\u4e00" <= c <= "\u9fff"]
        xs = [x for x, _ in han]
        ys = [y for _, y in han]
        assert max(xs) - min(xs) < 0.06 * SIZE, (column, xs)
        assert all(b < a - 0.8 * SIZE for a, b in zip(ys, ys[1:])), (column, ys)  # down the page
        centres.append(sum(xs) / len(xs))
        at += len(column)
    assert centres[1] == pytest.approx(centres[0] - PITCH, abs=0.06 * SIZE)  # right to left


def test_vertical_marks_are_the_fonts_vertical_forms_in_their_places(rendered, tmp_path):
    """The content stream draws HarfBuzz's vertical glyphs for the marks (vert/vrt2), never
    the horizontal ones; ，。 sit in the upper right of their em box, brackets and
    corner brackets lie across the column, —— and …… run down it; the text extracts as
    the source's marks (ToUnicode), not as presentation forms."""
    edition, pages, _ = lay_out(_edition(tmp_path))
    face = next(r.face for r in pages[0].items if isinstance(r, GlyphRun) and r.vertical)
    drawn = {gid for _, gid in _drawn(rendered, SIZE)}
    for mark in "，。《》「」":
        vertical = _hb_gid(face.path, face.index, mark, "ttb")
        horizontal = _hb_gid(face.path, face.index, mark, "ltr")
        assert vertical != horizontal, mark
        assert vertical in drawn and horizontal not in drawn, mark
    chars = _chars(rendered)
    text = "".join(c for c, _, _ in chars)
    at = text.find(COLUMNS[0])
    found = {}
    for k, (c, box, _) in enumerate(chars[at:at + len("".join(COLUMNS))]):
        found.setdefault(c, []).append((k + at, box))
    han_x = _centre(chars[at][1])[0]
    for mark in "，":
        (k, box), = found[mark]
        above = _centre(chars[k - 1][1])[1]
        cx, cy = _centre(box)
        assert cx > han_x + 0.1 * SIZE, (mark, cx, han_x)  # right of the centre line
        # the upper half of its own em box, which starts half an em under the character above
        assert above - 1.0 * SIZE < cy < above - 0.5 * SIZE + 0.05 * SIZE, (mark, cy, above)
    second_x = _centre(chars[found["牧"][0][0]][1])[0]
    for mark in "。":
        (k, box), = found[mark]
        above = _centre(chars[k - 1][1])[1]
        cx, cy = _centre(box)
        assert cx > second_x + 0.1 * SIZE and cy > above - 1.0 * SIZE, (mark, cx, cy)
    for mark in "《》「」":
        for _, box in found[mark]:
            assert box[2] - box[0] > box[3] - box[1], (mark, box)  # lying across the column
    assert squash(pdftotext(rendered, "-raw")).startswith(squash("".join(COLUMNS)))


def test_tate_chu_yoko_digits_stand_side_by_side_and_latin_turns(rendered):
    """12 (two digits, the default) stands upright across one em of the column, its
    digits side by side; NBA is turned a quarter clockwise: its letters go down the
    page, and pdfium reports them at 90 degrees while the Han characters stand at 0."""
    chars = _chars(rendered)
    text = "".join(c for c, _, _ in chars)
    at = text.find("12月NBA")
    assert at >= 0, text
    (_, one, a1), (_, two, a2), (_, month, a3) = chars[at:at + 3]
    assert a1 == pytest.approx(0, abs=1e-3) and a2 == pytest.approx(0, abs=1e-3)
    assert _centre(one)[1] == pytest.approx(_centre(two)[1], abs=0.05 * SIZE)  # one height
    assert _centre(two)[0] > _centre(one)[0]
    column_x = _centre(month)[0]
    # across the column, within its em, centred: the ink of the digits' row on pdfium's
    # rendering of the page (its char boxes of glyphs set in writing mode 1 are not where
    # it draws them when two share a height)
    doc = pdfium.PdfDocument(str(rendered))
    try:
        scale = 4
        page = doc[0]
        height = page.get_size()[1]
        image = page.render(scale=scale).to_pil().convert("L")
    finally:
        doc.close()
    top, bottom = (height - max(one[3], two[3])) * scale, (height - min(one[1], two[1])) * scale
    ink = [x for x in range(int((column_x - SIZE) * scale), int((column_x + SIZE) * scale))
           if any(image.getpixel((x, y)) < 128 for y in range(int(top), int(bottom)))]
    left, right = ink[0] / scale, ink[-1] / scale
    assert right - left <= 1.0 * SIZE  # within one em across
    assert abs((left + right) / 2 - column_x) < 0.1 * SIZE  # centred on the column
    gaps = [b - a for a, b in zip(ink, ink[1:])]
    assert max(gaps) > 1, "two digits side by side, with white between them"
    letters = chars[at + 3:at + 6]
    assert "".join(c for c, _, _ in letters) == "NBA"
    for _, box, angle in letters:
        assert angle == pytest.approx(3 * math.pi / 2, abs=1e-3) or angle == pytest.approx(math.pi / 2, abs=1e-3)
        assert abs(_centre(box)[0] - column_x) < 0.35 * SIZE
    ys = [_centre(box)[1] for _, box, _ in letters]
    assert ys[0] > ys[1] > ys[2]
    with pikepdf.open(rendered) as doc:
        stream = doc.pages[0].Contents.read_bytes().decode("latin-1")
    assert re.search(r"\b0 -1 1 0 [\d.]+ [\d.]+ Tm", stream)


def test_tcy_digits_is_configurable(tmp_path):
    """tcy_digits: 0 turns every number; 4 sets 2026 across one em."""
    def kinds(tcy: int, text: str) -> list[GlyphRun]:
        path = _edition(tmp_path / str(tcy), headline=text)
        path.write_text(path.read_text(encoding="utf-8").replace(
            "        style: vhead\n", f"        style: vhead\n        tcy_digits: {tcy}\n"), encoding="utf-8")
        _, pages, _ = lay_out(path)
        return [r for r in pages[0].items if isinstance(r, GlyphRun)]
    runs = kinds(0, "第12期")
    assert [r.text for r in runs if r.rotate == 90] == ["12"]
    runs = kinds(4, "2026年")
    across = [r for r in runs if r.vertical and r.text.isdigit()]
    assert [r.text for r in across] == ["2026"]
    width = across[0].positions[-1][0] + across[0].advances[-1] - across[0].positions[0][0]
    assert width <= SIZE + 0.01


def test_vertical_text_block_reads_back_column_by_column(tmp_path):
    """A vertical text block's columns, justified to the frame's height, come back from
    pdfium and from pdftotext in reading order, column by column."""
    body = "法治宣传教育是全民守法的基础工作，各地坚持把普法与依法治理结合起来，推动法律知识进机关、进乡村、进社区、进学校。"
    more = f"""      - type: text
        direction: vertical
        style: vtext
        text: "{body}"
        frame: {{column: 1, span: 3, top: 0mm, height: 60mm}}
"""
    path = _edition(tmp_path, more=more)
    out = path.parent / "t.pdf"
    render(Options(path, out))
    for text in (pdftotext(out), pdftotext(out, "-raw")):
        assert squash(body) in squash(text)
    assert squash(body) in squash(pdfium_text(out))
    # every column but the last reaches the frame's foot: justified (a closing mark at
    # the foot ends half an em higher, C8); each column left of the one before
    chars = _chars(out)
    flat = "".join(c for c, _, _ in chars)
    at = flat.find(body)
    boxes = [box for _, box, _ in chars[at:at + len(body)]]
    columns: list[list] = [[boxes[0]]]
    for box in boxes[1:]:
        if abs(_centre(box)[0] - _centre(columns[-1][-1])[0]) > 5:
            columns.append([])
        columns[-1].append(box)
    assert len(columns) >= 3
    xs = [_centre(col[0])[0] for col in columns]
    assert all(b < a - 10 for a, b in zip(xs, xs[1:])), xs
    feet = [min(box[1] for box in col) for col in columns]
    assert max(feet[:-1]) - min(feet[:-1]) < 10.5 * 0.7, feet
    assert feet[-1] > min(feet[:-1]) + 10.5, "the paragraph's last column is not stretched"


def _paragraphs():
    for path in sorted((SHARED / "corpus" / "chinese").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("# "):
                yield line.strip()


PARAGRAPHS = list(_paragraphs())


@pytest.fixture(scope="module")
def engine():
    return load_fontset(), Shaper()


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(k=st.integers(0, len(PARAGRAPHS) - 1), em=st.integers(5, 30), strictness=st.sampled_from(["gb", "strict"]),
       display=st.booleans())
def test_corpus_columns_keep_the_line_rules(engine, k, em, strictness, display):
    """Any corpus paragraph set in columns of 5 to 30 em: every character in a column
    once and in order, no column taller than the frame unless one piece is, and no
    column starting with a C1 mark or ending with a C2 mark or inside a C4 pair."""
    _check_columns(engine, PARAGRAPHS[k], em, strictness, display)


def test_every_corpus_paragraph_keeps_the_line_rules_in_columns(engine):
    """The same over every paragraph of the Chinese corpus, at 5, 9 and 17 em."""
    for n, text in enumerate(PARAGRAPHS):
        for em in (5, 9, 17):
            _check_columns(engine, text, em, "gb", n % 2 == 0)


def _check_columns(engine, text: str, em: int, strictness: str, display: bool) -> None:
    fonts, shaper = engine
    style = model.Style(font="body", size=10.0, strictness=strictness, align="start" if display else "justify")
    height = em * 10.0
    columns = set_columns(text, style, fonts, shaper, height, display=display)
    assert squash("".join(c.text for c in columns)) == squash(text)

    def alone(piece: str, first: bool) -> bool:
        """Whether `piece` stands in one column (indented if it is a paragraph's first)."""
        cols = set_columns(piece, style, fonts, shaper, height, display=display or not first)
        return len(cols) == 1 and not cols[0].overfull

    for n, col in enumerate(columns):
        shown = col.text.strip()
        if col.overfull:
            continue
        assert col.height <= height + 1e-6, (n, col.height, height)
        # a column breaks against the rules only where what they keep together does not
        # stand in one column (a Latin word and its full stop, in a narrow one): a break
        # between two Han characters is always allowed, so the piece from the last such
        # break before the mark, pushed down (推出), must not have fitted
        if n and shown[0] in C1:
            before = columns[n - 1].text.strip()
            marks = len(shown) - len(shown.lstrip("".join(C1)))
            cuts = [j for j in range(1, len(before)) if _han(before[j - 1]) and _han(before[j])]
            if cuts:
                assert not alone(before[cuts[-1]:] + shown[:marks], False), (n, before, shown)
        if n + 1 < len(columns):
            nxt = columns[n + 1].text.strip()
            if (shown[-1] in C2 or shown[-1] + nxt[:1] in C4) and len(shown) > 1 and _han(shown[-2]):
                cuts = [k for k in range(1, len(nxt)) if _han(nxt[k - 1]) and _han(nxt[k])]
                if cuts:
                    assert not alone(shown[-1] + nxt[:cuts[0]], False), (n, shown, nxt)


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def test_bad_vertical_values_are_located_errors(tmp_path):
    for bad, words in (("direction: sideways", "direction"), ("tcy_digits: 9", "tcy_digits"),
                       ("fit_width: [80%, 100%]", "fit_width")):
        path = _edition(tmp_path / words, headline="法治的阳光")
        path.write_text(path.read_text(encoding="utf-8").replace(
            "        style: vhead\n", f"        style: vhead\n        {bad}\n"), encoding="utf-8")
        with pytest.raises(InputError) as caught:
            lay_out(path)
        message = str(caught.value)
        assert re.search(r"edition\.yaml:\d+:\d+", message), message
        assert words in message or "condenses" in message, message


def test_a_vertical_headline_too_wide_for_its_frame_is_cut_and_counted(tmp_path):
    """Columns past the frame's left edge are left out and reported with their
    characters; nothing is drawn outside the frame."""
    text = "\\n".join(["法治的阳光照进草原"] * 8)
    path = _edition(tmp_path, headline=text)
    edition, pages, report = lay_out(path)
    runs = [r for r in pages[0].items if isinstance(r, GlyphRun) and r.vertical]
    from layout.edition.geometry import frame_rect
    rect = frame_rect(edition.source.pages[0].elements[0].frame, edition.geometry, 1)
    assert runs and all(r.x - SIZE / 2 >= rect.x - 0.5 for r in runs)
    placed = sum(len(r.text) for r in runs)
    assert report.overflow and placed + report.overflow[0].chars == 8 * 9


def test_a_closing_mark_is_squeezed_into_a_column_before_a_character_is_pushed_out(engine):
    """C5 and C8: a column one em short of 法治宣传教育，(7 em) still holds the comma, set
    half an em at the foot, instead of pushing 育 down with it; at 6 em less a half,
    育， goes down together (a column never starts with ，)."""
    fonts, shaper = engine
    style = model.Style(font="body", size=10.0, align="start")
    text = "法治宣传教育，是基础"
    squeezed = set_columns(text, style, fonts, shaper, 65.0)
    assert squeezed[0].text == "法治宣传教育，" and squeezed[0].height == pytest.approx(65.0)
    pushed = set_columns(text, style, fonts, shaper, 64.0)
    assert pushed[0].text == "法治宣传教" and pushed[1].text.startswith("育，")


def test_the_trace_shows_columns_and_turned_runs(tmp_path):
    """The display list as text says which runs are vertical columns (vrun, from their
    top centre) and which are turned (rot90), with their text."""
    from layout.output.trace import trace

    _, pages, _ = lay_out(_edition(tmp_path))
    lines = trace(pages).splitlines()
    assert any(line.strip().startswith("vrun ") and line.endswith('"法治的阳光照进草原，"') for line in lines)
    assert any(" rot90 " in line and line.endswith('"NBA"') for line in lines)
    assert any(line.strip().startswith("vrun ") and line.endswith('"12"') for line in lines)


def test_fit_sets_a_vertical_headline_as_large_as_stands_in_the_frames_height(tmp_path):
    """fit works on height: the largest size (half-point steps) at which each line of
    the headline stands in one column of the frame; the columns then fill it."""
    path = _edition(tmp_path, headline="法治的阳光\\n照进草原")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "        style: vhead\n", "        style: vhead\n        fit: [12pt, 90pt]\n").replace(
        "height: 150mm", "height: 100mm"), encoding="utf-8")
    edition, pages, report = lay_out(path)
    runs = [r for r in pages[0].items if isinstance(r, GlyphRun) and r.vertical]
    assert [r.text for r in runs] == ["法治的阳光", "照进草原"]
    size = runs[0].size
    height = 100 * 72 / 25.4
    assert 5 * size <= height + 1e-6 < 5 * (size + 0.5)
    assert runs[1].x == pytest.approx(runs[0].x - PITCH * size / SIZE)  # the pitch scales with the size
    assert not report.overflow
