"""Tibetan stretches between syllables, never inside them (issue 17, item 9;
tibetan.md T7): a justified Tibetan line takes its extra space after tshegs and shads
and at its spaces; inside a syllable (and a stack) the glyphs keep HarfBuzz's
positions. Read back from the PDF with pdfium, over many lines of real text.
"""
from __future__ import annotations

import ctypes

import pytest
import uharfbuzz as hb

from conftest import SHARED

from layout.api import Options, render
from layout.base.scripts import is_han, is_tibetan
from layout.fonts.faces import load_fontset
from layout.lines.prepare import (STRETCH_CHAR, STRETCH_NONE, SYLLABLE_END, Composition, prepare)
from layout.text.shape import Shaper

SIZE = 11.0
# after these a Tibetan line may stretch (tsheg, shads, the space after a shad): T7
STRETCH_AFTER = set("\u0f0b\u0f0c\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f12\u0f13\u0f14\u0f34 ")
HEAD = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 对开, margins: 15mm, columns: 8, gutter: 6mm, baseline: 13.5pt}}
styles:
  bo: {{font: tibetan-body, size: 11pt, leading: 20.25pt, indent: 0, lang: bo}}
stories:
{stories}
pages:
  - master: front
    elements:
{elements}"""


def tibetan_paragraphs(n: int) -> list[str]:
    out = []
    for path in sorted((SHARED / "corpus" / "tibetan").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("# ") and all(is_tibetan(c) or c == " " for c in line):
                out.append(line)
    return out[:n]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """Eight justified columns of corpus paragraphs (one a column), rendered; pdfium's
    lines, each as (text, origins)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    paras = tibetan_paragraphs(8)
    stories = "\n".join(f"  p{k}: {{text: \"{p}\", style: bo}}" for k, p in enumerate(paras))
    elements = "\n".join(f"      - {{type: story, story: p{k}, columns: 1, frame: {{column: {k + 1}, "
                         f"span: 1, top: 0mm, height: 480mm}}}}" for k in range(len(paras)))
    folder = tmp_path_factory.mktemp("bo")
    path = folder / "edition.yaml"
    path.write_text(HEAD.format(stories=stories, elements=elements), encoding="utf-8")
    pdf = folder / "bo.pdf"
    render(Options(path, pdf))
    doc = pdfium.PdfDocument(str(pdf))
    tp = doc[0].get_textpage()
    x, y = ctypes.c_double(), ctypes.c_double()
    lines, text, origins = [], [], []
    for i in range(tp.count_chars()):
        ch = tp.get_text_range(i, 1)
        if ch == " " and pdfium_c.FPDFText_IsGenerated(tp.raw, i):
            continue
        if ch in "\r\n":
            if text:
                lines.append(("".join(text), origins))
            text, origins = [], []
            continue
        pdfium_c.FPDFText_GetCharOrigin(tp.raw, i, x, y)
        text.append(ch)
        origins.append(x.value)
    if text:
        lines.append(("".join(text), origins))
    doc.close()
    return paras, lines


def harfbuzz_origins(text: str) -> dict[int, float]:
    """Where HarfBuzz puts each cluster of `text` set solid at SIZE (the first glyph's
    origin, offset included), by the cluster's first character."""
    face = load_fontset().chain("tibetan-body", "tibetan")[0]
    blob = hb.Blob.from_file_path(face.path)
    font = hb.Font(hb.Face(blob, face.index))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.script, buf.language = "Tibt", "bo"
    hb.shape(font, buf, {})
    scale = SIZE / font.face.upem
    out, pen = {}, 0.0
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions):
        out.setdefault(info.cluster, (pen + pos.x_offset) * scale)
        pen += pos.x_advance
    return out


def test_inside_syllables_glyphs_keep_harfbuzz_positions(page):
    """In every justified line, each cluster of a syllable stands from the one before
    it exactly as far as HarfBuzz puts it (0.01 pt); a gap after a tsheg, shad or space
    may only grow; and the lines do grow there (the text is justified)."""
    paras, lines = page
    assert len(lines) > 150
    inside = grown = 0
    full = [line for line in lines if not any(p.endswith(line[0]) for p in paras)]  # not a last line
    assert len(full) > 120
    for text, origins in full:
        expected = harfbuzz_origins(text)
        starts = sorted(expected)
        for c1, c2 in zip(starts, starts[1:]):
            want = expected[c2] - expected[c1]
            got = origins[c2] - origins[c1]
            if text[c2 - 1] in STRETCH_AFTER:
                assert got >= want - 0.01, (text, c2)
                grown += got > want + 0.05
            else:
                assert got == pytest.approx(want, abs=0.01), (text, c2, text[c1:c2 + 1])
                inside += 1
    assert inside > 3000 and grown > 500


def test_gap_classes_in_mixed_tibetan_chinese():
    """prepare's stretch classes over the parallel corpus, mixed Tibetan and Chinese:
    between two Tibetan characters only a gap after a syllable's end stretches (T7), and
    never the one before a shad, which closes its syllable (ང་། T2: a shad spaced off
    its tsheg reads as a stray mark); the Han part keeps the Han rule (C11: every gap
    between Han characters)."""
    shads = set("\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f12")  # written out: not the engine's table
    fonts, shaper = load_fontset(), Shaper()
    bo = (SHARED / "corpus" / "parallel" / "udhr_bod.txt").read_text(encoding="utf-8").splitlines()
    zh = (SHARED / "corpus" / "parallel" / "udhr_zho.txt").read_text(encoding="utf-8").splitlines()
    checked = {"inside": 0, "syllable": 0, "han": 0}
    for a, b in list(zip(bo, zh))[:30]:
        if not a.strip() or a.startswith("#"):
            continue
        text = a.strip() + b.strip()
        prepared = prepare(text, "body", SIZE, 0.0, fonts, shaper, options=Composition())
        units = prepared.units
        for u, v in zip(units, units[1:]):
            x, y = text[u.end - 1], text[v.start]
            if u.space or v.space:
                continue
            if is_tibetan(x) and is_tibetan(y):
                if x in SYLLABLE_END and (y not in shads or x in shads):
                    assert u.stretch == STRETCH_CHAR, (x, y)
                    checked["syllable"] += 1
                else:
                    assert u.stretch == STRETCH_NONE, (x, y)
                    checked["inside"] += 1
            elif is_han(x) and is_han(y):
                assert u.stretch == STRETCH_CHAR, (x, y)
                checked["han"] += 1
    assert min(checked.values()) > 100, checked
