"""QR codes read back: every code of a rendered page, rasterised at 300 dpi with pdfium,
is decoded by zbar (Debian zbar-tools' zbarimg) to exactly the content written, for
URLs, Chinese, Tibetan, every error-correction level and contents near the capacity
limit; what cannot be a code (empty, too long) is a located error with a hint; a frame
too small for a readable code is a located warning.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE

from layout.api import Options, lay_out, render
from layout.base.errors import InputError
from layout.base.units import PT_PER_MM
from layout.edition.geometry import frame_rect
from layout.lines.display import Shape
from layout.page import qr

EXAMPLES = int(os.environ.get("PAIBAN_FUZZ_EXAMPLES", "30"))
DPI = 300

EDITION = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: custom, width: {width}mm, height: {height}mm, margins: 10mm, columns: 4, gutter: 5mm,
            baseline: 13.5pt}}
pages:
  - folio: none
    elements:
{elements}
"""


def _edition(folder: Path, elements: list[str], width: int = 160, height: int = 200) -> Path:
    path = folder / "e.yaml"
    path.write_text(EDITION.format(width=width, height=height, elements="\n".join(
        "      - " + e for e in elements)), encoding="utf-8")
    return path


def _element(content: str, column: int = 1, span: int = 2, top: str = "0mm", height: str = "80mm",
             extra: str = "") -> str:
    # JSON with ASCII escapes is a YAML double-quoted scalar: any text, written exactly
    return (f"{{type: qr, content: {json.dumps(content)}{extra}, "
            f"frame: {{column: {column}, span: {span}, top: {top}, height: {height}}}}}")


def _decode(pdf: Path, rects: list, folder: Path) -> list[bytes | None]:
    """The bytes zbar reads in each rectangle (points) of page 1, rasterised at 300 dpi."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        image = doc[0].render(scale=DPI / 72).to_pil()
    finally:
        doc.close()
    out = []
    for k, r in enumerate(rects):
        s = DPI / 72
        crop = image.crop((int(r.x * s) - 4, int(r.y * s) - 4, int((r.x + r.w) * s) + 4, int((r.y + r.h) * s) + 4))
        png = folder / f"code-{k}.png"
        crop.save(png)
        run = subprocess.run(["zbarimg", "--nodbus", "-q", "--raw", "-Sbinary", "-Sdisable", "-Sqrcode.enable",
                              str(png)], capture_output=True)
        out.append(run.stdout if run.returncode == 0 else None)
    return out


def _render_and_decode(folder: Path, contents: list[str], extras: list[str]) -> list[bytes | None]:
    elements = [_element(c, column=1 + 2 * (k % 2), span=2, top=f"{(k // 2) * 90}mm", height="85mm", extra=x)
                for k, (c, x) in enumerate(zip(contents, extras))]
    path = _edition(folder, elements, height=max(200, 20 + 90 * ((len(contents) + 1) // 2)))
    pdf = folder / "out.pdf"
    result = render(Options(path, pdf, workers=1))
    assert not [w for w in result.report.warnings if w.code == "qr-size"], result.report.warnings
    edition, _, _ = lay_out(path)
    rects = [frame_rect(el.frame, edition.geometry, 1) for el in edition.source.pages[0].elements]
    return _decode(pdf, rects, folder)


CONTENTS = [
    "https://www.xueyu-fazhi.cn/a/20261130-01",
    "扫码阅读全文：全区公共法律服务体系建设走笔",
    "བོད་ཀྱི་ཁྲིམས་ལུགས་ཚགས་པར། ཁྲིམས་ལུགས་ཀྱི་མདུན་དུ་མི་ཚང་མ་འདྲ་མཉམ་ཡིན།",
    "12348",
    "Mixed 中文 བོད་ཡིག and Latin, with “quotes” and a line\nfeed",
]


def test_every_code_on_a_page_reads_back_as_its_content(tmp_path):
    levels = ["L", "M", "Q", "H", "M"]
    extras = [f", error_correction: {lv}" for lv in levels]
    extras[1] += ", caption: 扫码阅读全文"
    found = _render_and_decode(tmp_path, CONTENTS, extras)
    assert found == [c.encode("utf-8") for c in CONTENTS]


def test_a_code_is_one_square_shape_centred_in_its_frame_with_its_quiet_zone(tmp_path):
    path = _edition(tmp_path, [_element(CONTENTS[0], span=3, height="50mm", extra=", caption: 扫码阅读全文"),
                               _element(CONTENTS[1], column=4, span=1, height="60mm",
                                        extra=", size: 30mm, color: rich-black")])
    edition, pages, report = lay_out(path)
    shapes = [i for i in pages[0].items if isinstance(i, Shape)]
    assert len(shapes) == 2
    for shape, el, content in zip(shapes, edition.source.pages[0].elements, CONTENTS):
        frame = frame_rect(el.frame, edition.geometry, 1)
        n = len(qr.modules(content, el.error_correction))
        x0, y0 = min(r[0] for r in shape.rects), min(r[1] for r in shape.rects)
        x1, y1 = max(r[0] + r[2] for r in shape.rects), max(r[1] + r[3] for r in shape.rects)
        assert abs((x1 - x0) - (y1 - y0)) < 0.01  # square (the finder patterns mark three corners)
        module = (x1 - x0) / n
        side = module * (n + 2 * qr.QUIET)
        assert abs((x0 + x1) / 2 - (frame.x + frame.w / 2)) < 0.01  # centred across
        assert abs(y0 - module * qr.QUIET - frame.y) < 0.01  # at the top, after its quiet zone
        assert side <= frame.w + 0.01 and y0 - module * qr.QUIET + side <= frame.y + frame.h + 0.01
        assert shape.fill == "black"  # rich-black too: one ink
        # the rectangles are the dark modules exactly: area, and no two overlap
        dark = sum(map(sum, qr.modules(content, el.error_correction)))
        assert abs(sum(r[2] * r[3] for r in shape.rects) - dark * module * module) < 1e-6 * dark
        assert len(shape.rects) < dark / 2  # merged, not a rectangle a module
    # the second one is 30 mm, as asked
    xs = [r[0] for r in shapes[1].rects] + [r[0] + r[2] for r in shapes[1].rects]
    n = len(qr.modules(CONTENTS[1], "M"))
    assert abs((max(xs) - min(xs)) * (n + 8) / n - 30 * PT_PER_MM) < 0.01
    assert report.warnings == []


def test_the_pdf_draws_a_code_as_one_filled_path(tmp_path):
    """One path object per code, filled, no stroke: no seams between modules."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    path = _edition(tmp_path, [_element(CONTENTS[0])])
    pdf = tmp_path / "out.pdf"
    render(Options(path, pdf, workers=1))
    doc = pdfium.PdfDocument(str(pdf))
    try:
        paths = [o for o in doc[0].get_objects() if o.type == raw.FPDF_PAGEOBJ_PATH]
        assert len(paths) == 1
        mode, stroke = pdfium.raw.c_int(), pdfium.raw.c_int()
        raw.FPDFPath_GetDrawMode(paths[0].raw, mode, stroke)
        assert mode.value == raw.FPDF_FILLMODE_WINDING and not stroke.value
    finally:
        doc.close()


def _located(exc: InputError, path: Path) -> None:
    text = str(exc)
    assert text.startswith(f"{path}:") and "page 1, element 1 (qr)" in text and "(hint: " in text, text
    assert len(text.splitlines()) == 1


def test_empty_and_too_long_contents_are_located_errors(tmp_path):
    for content, said, hint in [("", "content is empty", "give the URL"),
                                ("字" * 800, "more than a QR code holds at error_correction H", "shorten it"),
                                ("1" * 7090, "more than a QR code holds", "lower error_correction")]:
        path = _edition(tmp_path, [_element(content, extra=", error_correction: H")])
        with pytest.raises(InputError) as err:
            lay_out(path)
        _located(err.value, path)
        assert said in str(err.value) and hint in str(err.value), str(err.value)


def test_bad_values_are_located_errors_with_hints(tmp_path):
    from layout.edition.loader import load_edition

    for extra, said, hint in [(", error_correction: X", "is not one of L, M, Q, H", None),
                              (", error_correction: m", "is not one of L, M, Q, H", "did you mean 'M'?"),
                              (", size: -3mm", "is negative", "lengths here are 0 or more"),
                              (", color: blak", "is not a colour", "black, white"),
                              (", caption_style: nope", "unknown style 'nope'", "styles:")]:
        path = _edition(tmp_path, [_element("x", extra=extra)])
        with pytest.raises(InputError) as err:
            load_edition(path)
        text = str(err.value)
        assert text.startswith(f"{path}:7:") and said in text, text  # the element's line
        assert hint is None or "(hint: " in text and hint in text, text


def test_a_frame_too_small_is_a_located_warning(tmp_path):
    path = _edition(tmp_path, [_element("https://www.xueyu-fazhi.cn/" + "a" * 200, span=1, height="8mm")])
    _, pages, report = lay_out(path)
    (warning,) = [w for w in report.warnings if w.code == "qr-size"]
    assert str(warning).startswith(f"{path}:7:") and "page 1, element 1 (qr)" in str(warning), str(warning)
    assert "under the 0.25 mm" in warning.message and warning.hint.startswith("give the code at least")
    assert any(isinstance(i, Shape) for i in pages[0].items)  # drawn all the same, and said


def test_a_caption_too_deep_is_cut_and_counted(tmp_path):
    path = _edition(tmp_path, [_element("x", span=1, height="30mm", extra=", caption: " + "扫码阅读全文" * 40)])
    _, _, report = lay_out(path)
    (over,) = report.overflow
    assert over.type == "qr" and over.chars > 0


def test_story_text_wraps_around_a_code(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text(EDITION.format(width=160, height=200, elements="\n".join("      - " + e for e in [
        "{type: story, story: s, frame: {column: 1, span: 2, top: 0mm, height: 80mm}}",
        _element(CONTENTS[0], column=2, span=1, top="20mm", height="30mm")])).replace(
        "pages:", "stories:\n  s: {text: " + "法治宣传教育是全民守法的基础工作。" * 30 + "}\npages:"), encoding="utf-8")
    edition, pages, report = lay_out(path)
    frame = frame_rect(edition.source.pages[0].elements[1].frame, edition.geometry, 1)
    runs = [i for i in pages[0].items if hasattr(i, "clusters")]
    assert runs and not [w for w in report.warnings if w.code != "overset"]  # (more text than room)
    for run in runs:  # no line crosses the code's frame
        right = run.x + sum(run.advances)
        inside_x = run.x < frame.x + frame.w and right > frame.x
        inside_y = frame.y < run.y < frame.y + frame.h + run.size
        assert not (inside_x and inside_y), (run.text, run.x, run.y)


BMP_TEXT = st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"], max_codepoint=0xFFFF,
                         exclude_characters="\u2028\u2029\ufeff\ufffe\uffff")
CONTENT = st.one_of(
    st.text(BMP_TEXT, min_size=0, max_size=60),
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=300),
    st.text(st.sampled_from(list("ཀཁགངཅཆཇཉཏཐདནཔཕབམཙཚཛཝཞཟའཡརལཤསཧཨ་།ིེོུྲྱ")), min_size=1, max_size=200),
    st.builds(lambda path: "https://www.xueyu-fazhi.cn/" + path,
              st.text(st.sampled_from(list("abcdefghijklmnopqrstuvwxyz0123456789-_/?=&")), max_size=80)),
    # near the limit of version 40 at the level: either side of it
    st.tuples(st.sampled_from(["L", "M", "Q", "H"]), st.integers(-40, 40)).map(
        lambda t: "法" * ((qr.CAPACITY[t[0]] + t[1]) // 3) + "a" * ((qr.CAPACITY[t[0]] + t[1]) % 3)),
)


@settings(max_examples=max(8, EXAMPLES // 2), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(content=CONTENT, level=st.sampled_from(["L", "M", "Q", "H"]))
def test_any_content_gives_a_decodable_code_or_a_located_error(content, level):
    folder = Path(tempfile.mkdtemp(prefix="paiban-qr-"))
    try:
        path = _edition(folder, [_element(content, span=4, height="170mm", extra=f", error_correction: {level}")],
                        width=200, height=200)
        try:
            edition, _, _ = lay_out(path)
        except InputError as exc:
            event("located error")
            _located(exc, path)
            assert content == "" or len(content.encode("utf-8")) > qr.CAPACITY[level], str(exc)
            return
        event("decoded")
        pdf = folder / "out.pdf"
        render(Options(path, pdf, workers=1))
        rect = frame_rect(edition.source.pages[0].elements[0].frame, edition.geometry, 1)
        assert _decode(pdf, [rect], folder) == [content.encode("utf-8")]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_sample_edition_codes_read_back_from_their_pages(tmp_path):
    """Each QR code of the sample, decoded from a 300 dpi picture of its page."""
    import pypdfium2 as pdfium

    from layout.edition import model
    from layout.edition.loader import load_edition

    pdf = tmp_path / "sample.pdf"
    render(Options(SAMPLE, pdf))
    edition = load_edition(SAMPLE)
    found = 0

    for number, page in enumerate(edition.source.pages, 1):
        codes = [el for el in page.elements if isinstance(el, model.Qr)]
        if not codes:
            continue
        single = tmp_path / f"p{number}.pdf"
        doc, out = pdfium.PdfDocument(str(pdf)), pdfium.PdfDocument.new()
        out.import_pages(doc, [number - 1])
        out.save(str(single))
        doc.close()
        out.close()
        rects = [frame_rect(el.frame, edition.geometry, number) for el in codes]
        assert _decode(single, rects, tmp_path) == [el.content.encode("utf-8") for el in codes]
        found += len(codes)
    assert found >= 2


def test_zbar_is_there():
    assert shutil.which("zbarimg"), "zbarimg missing: apt-get install zbar-tools (make test-tools)"
