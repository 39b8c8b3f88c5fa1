"""长体/扁体: a style's `width` scales type along x, and a headline's `fit_width` chooses
a width to fit. What is measured is what is printed: the advances the layout uses, the
text the PDF gives back, and the ink the glyphs leave on a rendered page.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import pdftotext, squash

from layout.api import Options, lay_out, render
from layout.lines.display import GlyphRun
from layout.output.trace import trace

HEAD = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
styles:
  plain: {{font: headline, size: 40pt, leading: 48pt, align: start}}
  narrow: {{based_on: plain, width: {width}}}
  body-narrow: {{font: body, size: 小五, width: {width}, indent: 2}}
  bo-narrow: {{font: tibetan-machine, size: 14pt, leading: 24pt, width: {width}}}
stories:
  s: {{text: "{body}", style: body-narrow}}
  b: {{text: "{tibetan}", style: bo-narrow}}
pages:
  - master: front
    elements:
      - {{type: headline, text: {text}, style: plain, frame: {{column: 1, span: 6, top: 0mm, height: 20mm}}}}
      - {{type: headline, text: {text}, style: narrow, frame: {{column: 1, span: 6, top: 25mm, height: 20mm}}}}
      - {{type: story, story: s, columns: 1, frame: {{column: 1, span: 2, top: 50mm, height: 60mm}}}}
      - {{type: story, story: b, columns: 1, frame: {{column: 3, span: 2, top: 50mm, height: 60mm}}}}
{more}"""
TEXT = "出门就能找到人"
BODY = "法治宣传教育是全民守法的基础工作，各地坚持把普法与依法治理结合起来，推动法律知识进机关、进乡村。"
TIBETAN = "བོད་ལྗོངས་ཀྱི་ཁྲིམས་ལུགས་ཞབས་ཞུའི་ལས་དོན་ཡར་རྒྱས་ཆེན་པོ་བྱུང་ཡོད།"


def _edition(tmp_path: Path, width: str = "85%", more: str = "") -> Path:
    folder = tmp_path / "ed"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "edition.yaml"
    path.write_text(HEAD.format(width=width, text=TEXT, body=BODY, tibetan=TIBETAN, more=more),
                    encoding="utf-8")
    return path


def _runs(page, text: str) -> list[GlyphRun]:
    return [r for r in page.items if isinstance(r, GlyphRun) and r.text == text]


def _advance(run: GlyphRun) -> float:
    return run.positions[-1][0] + run.advances[-1]


@pytest.mark.parametrize("width", [85, 120])
def test_a_condensed_headline_measures_its_width_and_extracts(tmp_path, width):
    path = _edition(tmp_path, f"{width}%")
    _, pages, _ = lay_out(path)
    plain, scaled = _runs(pages[0], TEXT)
    assert (plain.hscale, scaled.hscale) == (1.0, width / 100)
    assert _advance(scaled) / _advance(plain) == pytest.approx(width / 100, rel=1e-9)
    assert [a / b for a, b in zip(scaled.advances, plain.advances)] == pytest.approx([width / 100] * len(TEXT))
    # heights are the size's: the same baseline pitch, the same size
    assert scaled.size == plain.size
    out = tmp_path / "w.pdf"
    render(Options(path, out))
    for args in ((), ("-raw",)):
        text = squash(pdftotext(out, *args))
        assert text.count(TEXT) == 2, args
        assert squash(BODY) in text and squash(TIBETAN) in text


def test_glyph_outlines_are_condensed_on_the_rendered_page(tmp_path):
    """The ink of the condensed headline is 85% as wide as the plain one's, measured
    on pdfium's rendering of the PDF: the text matrix condenses the outlines, not only
    the spacing between them."""
    import pypdfium2 as pdfium

    path = _edition(tmp_path, "85%")
    out = tmp_path / "w.pdf"
    render(Options(path, out))
    _, pages, _ = lay_out(path)
    plain, scaled = _runs(pages[0], TEXT)
    scale = 4
    doc = pdfium.PdfDocument(str(out))
    try:
        image = doc[0].render(scale=scale, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()

    def ink_box(run: GlyphRun) -> tuple[int, int, int, int]:
        top, bottom = (run.y - 0.9 * run.size) * scale, (run.y + 0.2 * run.size) * scale
        band = image.crop((0, round(top), image.width, round(bottom)))
        box = band.point(lambda v: 255 if v < 128 else 0).getbbox()
        assert box, "no ink"
        return box

    p, s = ink_box(plain), ink_box(scaled)
    assert (s[2] - s[0]) / (p[2] - p[0]) == pytest.approx(0.85, abs=0.01)
    assert (s[3] - s[1]) == pytest.approx(p[3] - p[1], abs=2)  # as tall as before


def test_body_text_breaks_on_the_scaled_widths(tmp_path):
    """Half as wide, about twice the characters a line; every line still in its measure."""
    counts = {}
    for width in ("100%", "50%"):
        _, pages, _ = lay_out(_edition(tmp_path / width.rstrip("%"), width))
        runs = [r for r in pages[0].items if isinstance(r, GlyphRun) and r.face.name == "serif-sc"]
        by_line: dict[float, int] = {}
        for r in runs:
            by_line[round(r.y, 1)] = by_line.get(round(r.y, 1), 0) + len(r.text)
            assert r.x + _advance(r) <= (15 + 2 * 35 + 6) * MM + 0.25  # the frame's right edge
        counts[width] = max(by_line.values())
    assert 1.8 <= counts["50%"] / counts["100%"] <= 2.2


def test_the_trace_shows_a_width_only_where_it_is_not_100(tmp_path):
    _, pages, _ = lay_out(_edition(tmp_path, "85%"))
    lines = [line for line in trace(pages).splitlines() if TEXT in line]
    assert len(lines) == 2
    assert " x85% " in lines[1] and "%" not in lines[0]


FIT = """\
      - {{type: headline, text: 全区公共法律服务体系建设走笔让群众出门就能找到人, style: plain, fit: [30pt, 40pt],
         fit_width: {limits}, frame: {{column: 1, span: 6, top: 120mm, height: 30mm}}}}
"""
MM = 72 / 25.4
LONG = "全区公共法律服务体系建设走笔让群众出门就能找到人"


def _fitted(tmp_path: Path, limits: str) -> GlyphRun:
    _, pages, _ = lay_out(_edition(tmp_path, more=FIT.format(limits=limits)))
    runs = [r for r in pages[0].items if isinstance(r, GlyphRun) and LONG[:4] in r.text]
    assert len(runs) == 1, "one line"
    return runs[0]


def test_fit_width_condenses_a_headline_as_little_as_it_must(tmp_path):
    run = _fitted(tmp_path, "[60%, 100%]")
    measure = 240 * MM  # the type area of 四开 less two 15 mm margins
    assert run.size == 40  # the largest size fits at the narrowest width...
    assert 0.6 <= run.hscale < 1.0 and run.hscale * 100 == int(run.hscale * 100)
    assert _advance(run) <= measure + 0.25
    # ...and one percent wider would not fit
    assert _advance(run) * (run.hscale + 0.01) / run.hscale > measure + 0.25


def test_fit_width_keeps_the_widest_width_when_it_fits(tmp_path):
    run = _fitted(tmp_path / "a", "[50%, 60%]")
    assert run.hscale == 0.6 and run.size == 40


def test_fit_width_too_narrow_a_limit_sets_the_narrowest(tmp_path):
    """Limits that cannot fit: the smallest size at the narrowest width, broken over
    lines (reported as any headline too long is), never a width outside the limits."""
    _, pages, _ = lay_out(_edition(tmp_path, more=FIT.format(limits="[99%, 100%]")))
    runs = [r for r in pages[0].items if isinstance(r, GlyphRun) and r.size == 30]
    assert runs and all(r.hscale == 0.99 for r in runs)
