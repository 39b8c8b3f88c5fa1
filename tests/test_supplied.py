"""Supplied artwork (issue 19 item 1, issue 17 item 7): an ad given as a PDF is placed as
vectors (a Form XObject with the agency's fonts; its text extracts, no image is made of
it), an image ad keeps its CMYK; `fit` is measured from the PDF's matrix and BBox against
the frame; every preflight finding; a broken, encrypted, hostile file or a missing page
is a located error at its key, never a traceback; the masthead takes lettering.

Ads are made here as an agency would: PostScript through Ghostscript's ps2pdf (Type 1C
fonts embedded), or built with pikepdf where a fault must be exact.
"""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from PIL import Image as PILImage

from conftest import REPO, SAMPLE, pdftotext, squash
from layout.api import Options, lay_out, render
from layout.base.errors import InputError
from layout.edition.geometry import frame_rect
from layout.lines.display import Artwork, Image, Panel

AD_PS = """%!PS
<< /PageSize [{w} {h}] >> setpagedevice
0 0 0.2 0 setcmykcolor 0 0 {w} {h} rectfill
0 0.9 0.8 0.1 setcmykcolor
/Helvetica-Bold findfont 28 scalefont setfont 20 {y1} moveto (Legal Aid 12348) show
0 0 0 1 setcmykcolor /Helvetica findfont 12 scalefont setfont 20 {y2} moveto (Free advice every day) show
showpage
"""

EDITION = """\
paper: {{name: 测试报, name_bo: "ཚགས་པར།", date: 2026-12-04, weekday: 星期五, issue: 12, publisher: 测试报社}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
output: {{min_ppi: 150}}
pages:
  - master: front
    elements:
{elements}
"""


def ps_ad(folder: Path, w: float = 283.46, h: float = 141.73, name: str = "ad.pdf") -> Path:
    """A 2:1 ad (100 x 50 mm by default) as Ghostscript makes it from PostScript."""
    ps = folder / (name + ".ps")
    ps.write_text(AD_PS.format(w=w, h=h, y1=h * 0.55, y2=h * 0.25))
    out = folder / name
    subprocess.run(["ps2pdf", "-dPDFSETTINGS=/prepress", "-dEmbedAllFonts=true", str(ps), str(out)],
                   check=True, capture_output=True)
    return out


def built_pdf(path: Path, content: bytes, resources: dict | None = None, size=(200, 100), pages: int = 1,
              encrypt: bool = False, rotate: int = 0) -> Path:
    """A PDF built object by object (for faults a real tool would not make)."""
    pdf = pikepdf.new()
    for _ in range(pages):
        page = pdf.add_blank_page(page_size=size)
        page.obj.Contents = pdf.make_stream(content)
        if resources:
            page.obj.Resources = pikepdf.Dictionary(resources(pdf) if callable(resources) else resources)
        if rotate:
            page.obj.Rotate = rotate
    kwargs = {"encryption": pikepdf.Encryption(owner="owner", user="user")} if encrypt else {}
    pdf.save(path, deterministic_id=not encrypt, **kwargs)
    return path


def write_edition(folder: Path, elements: list[str]) -> Path:
    path = folder / "edition.yaml"
    path.write_text(EDITION.format(elements="\n".join("      - " + e for e in elements)), encoding="utf-8")
    return path


def ad(file: str, frame: str = "{column: 1, span: 3, top: 40mm, height: 50mm}", extra: str = "") -> str:
    return f"{{type: ad, file: {file}, frame: {frame}{extra}}}"


def form_placements(pdf_path: Path, page_index: int = 0) -> list[tuple]:
    """(clip rect, matrix, form XObject) for each form drawn on a page: the `re W n` before
    the `cm` and `Do`, read from the page's content stream."""
    found = []
    with pikepdf.open(pdf_path) as pdf:
        page = pdf.pages[page_index]
        clip = matrix = None
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "re":
                clip = tuple(float(v) for v in operands)
            elif op == "cm":
                matrix = tuple(float(v) for v in operands)
            elif op == "Do":
                xobj = page.obj.Resources.XObject[operands[0]]
                if xobj.Subtype == "/Form" and xobj.get("/Matrix") is None and ".PA" in str(operands[0]):
                    found.append((clip, matrix, [float(v) for v in xobj.BBox]))
    return found


# ---------------------------------------------------------------- the sample's ad

def test_sample_ad_is_vectors_with_its_text_and_fonts(sample_pdf):
    """Page 2's ad (ads/legal-aid.pdf): its text comes back, no image is made of it, its
    fonts are in the Form XObject as the ad's PDF has them, and the file is sound."""
    text = squash(pdftotext(sample_pdf, "-f", "2", "-l", "2"))
    for words in ("有困难", "找法援", "12348", "公共法律服务热线", "汉藏双语", "全天接听", "雪域法治报社"):
        assert words in text
    listed = subprocess.run(["pdfimages", "-f", "2", "-l", "2", "-list", str(sample_pdf)], check=True,
                            capture_output=True, text=True).stdout.splitlines()[2:]
    photos_on_page_2 = 1  # the cat (images/cat.jpg), nothing more
    assert len(listed) == photos_on_page_2, listed
    with pikepdf.open(REPO / "editions/sample/ads/legal-aid.pdf") as supplied:
        fonts = {str(f.BaseFont) for f in supplied.pages[0].Resources.Font.values()}
    with pikepdf.open(sample_pdf) as pdf:
        forms = [x for name, x in pdf.pages[1].Resources.XObject.items() if x.Subtype == "/Form"
                 and ".PA" in name]
        assert len(forms) == 1
        copied = {str(f.BaseFont) for f in forms[0].Resources.Font.values()}
        assert copied == fonts
        for font in forms[0].Resources.Font.values():
            desc = font.DescendantFonts[0].FontDescriptor
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    check = subprocess.run(["qpdf", "--check", str(sample_pdf)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout


def test_ghostscript_renders_a_supplied_ad_without_a_word(tmp_path):
    ps_ad(tmp_path)
    path = write_edition(tmp_path, [ad("ad.pdf")])
    out = tmp_path / "out.pdf"
    render(Options(path, out, workers=1))
    gs = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=nullpage", str(out)],
                        capture_output=True, text=True)
    assert gs.returncode == 0 and gs.stdout == "" and gs.stderr == ""
    assert subprocess.run(["qpdf", "--check", str(out)], capture_output=True).returncode == 0
    assert "LegalAid12348" in squash(pdftotext(out))
    assert subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True,
                          check=True).stdout.count("\n") == 2  # the header only: no image


def test_placeholder_without_file_and_same_bytes_twice(tmp_path):
    ps_ad(tmp_path)
    path = write_edition(tmp_path, [ad("ad.pdf"), "{type: ad, text: 订单 1, frame: {column: 4, span: 3, "
                                    "top: 40mm, height: 50mm}}"])
    _, pages, _ = lay_out(path)
    items = pages[0].items
    assert sum(isinstance(i, Artwork) for i in items) == 1
    assert sum(isinstance(i, Panel) and i.fill == "gray5" for i in items) == 1  # the placeholder, as before
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render(Options(path, a, workers=1))
    render(Options(path, b, workers=2))
    assert a.read_bytes() == b.read_bytes()
    trace = render(Options(path, Path("-"), trace=True)).data.decode()
    assert any(line.strip().startswith("artwork ") and line.endswith("ad.pdf p1") for line in trace.splitlines())


def test_one_form_for_an_ad_placed_twice(tmp_path):
    ps_ad(tmp_path)
    path = write_edition(tmp_path, [ad("ad.pdf"), ad("ad.pdf", "{column: 4, span: 3, top: 40mm, height: 50mm}")])
    out = tmp_path / "out.pdf"
    render(Options(path, out, workers=1))
    with pikepdf.open(out) as pdf:
        forms = {x.objgen for name, x in pdf.pages[0].Resources.XObject.items() if ".PA" in name}
        fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
    assert len(forms) == 1 and len(form_placements(out)) == 2
    assert len(fonts) == 2  # Helvetica and Helvetica-Bold, once each


# ---------------------------------------------------------------- fitting

@pytest.mark.parametrize("fit,frame,tolerance", [
    ("fit", "{column: 1, span: 3, top: 40mm, height: 80mm}", None),   # taller than the ad: bands above, below
    ("fit", "{column: 1, span: 6, top: 40mm, height: 40mm}", None),   # wider: bands left and right
    ("fill", "{column: 1, span: 3, top: 40mm, height: 80mm}", None),  # cut at the sides
    ("fill", "{column: 1, span: 6, top: 40mm, height: 40mm}", None),  # cut above and below
    ("stretch", "{column: 1, span: 3, top: 40mm, height: 63mm}", 20.0),  # within tolerance: the frame exactly
    ("stretch", "{column: 1, span: 3, top: 40mm, height: 80mm}", 3.0),   # beyond: set as fit
])
def test_fit_measured_from_the_pdf(tmp_path, fit, frame, tolerance):
    ps_ad(tmp_path)
    extra = f", fit: {fit}" + (f", tolerance: {tolerance}%" if tolerance is not None else "")
    path = write_edition(tmp_path, [ad("ad.pdf", frame, extra)])
    out = tmp_path / "out.pdf"
    render(Options(path, out, workers=1))
    edition, _, _ = lay_out(path)
    el = edition.source.pages[0].elements[0]
    r = frame_rect(el.frame, edition.geometry, 1)
    page_h = edition.geometry.height
    fx0, fy0, fx1, fy1 = r.x, page_h - r.y - r.h, r.x + r.w, page_h - r.y  # the frame, PDF space
    (clip, m, bbox), = form_placements(out)
    assert clip == pytest.approx((fx0, fy0, r.w, r.h), abs=0.01)  # clipped to the frame
    a, b, c, d, e, f = m
    assert b == 0 and c == 0
    x0, y0 = a * bbox[0] + e, d * bbox[1] + f
    x1, y1 = a * bbox[2] + e, d * bbox[3] + f
    bw, bh = bbox[2] - bbox[0], bbox[3] - bbox[1]
    assert bw / bh == pytest.approx(2.0, rel=0.001)
    ratio_frame = r.w / r.h
    if fit == "stretch" and abs(ratio_frame / 2.0 - 1) * 100 <= tolerance:
        assert (x0, y0, x1, y1) == pytest.approx((fx0, fy0, fx1, fy1), abs=0.01)
        return
    assert a == pytest.approx(d, rel=1e-4)  # proportions kept
    assert (x0 + x1) / 2 == pytest.approx((fx0 + fx1) / 2, abs=0.01)  # centred
    assert (y0 + y1) / 2 == pytest.approx((fy0 + fy1) / 2, abs=0.01)
    if fit == "fill":  # covers the frame, one side exactly
        assert x0 <= fx0 + 0.01 and x1 >= fx1 - 0.01 and y0 <= fy0 + 0.01 and y1 >= fy1 - 0.01
        assert min(abs((x1 - x0) - r.w), abs((y1 - y0) - r.h)) < 0.01
    else:  # inside the frame, one side exactly
        assert x0 >= fx0 - 0.01 and x1 <= fx1 + 0.01 and y0 >= fy0 - 0.01 and y1 <= fy1 + 0.01
        assert min(abs((x1 - x0) - r.w), abs((y1 - y0) - r.h)) < 0.01


def test_a_turned_page_is_shown_turned(tmp_path):
    """A page with /Rotate 90 is placed as it is shown: upright for the reader."""
    built_pdf(tmp_path / "turned.pdf", b"0 0 0 1 k 0 0 200 20 re f", size=(200, 100), rotate=90)
    path = write_edition(tmp_path, [ad("turned.pdf", "{column: 1, span: 2, top: 40mm, height: 80mm}")])
    _, pages, _ = lay_out(path)
    art, = [i for i in pages[0].items if isinstance(i, Artwork)]
    assert art.w / art.h == pytest.approx(100 / 200)  # 100 wide, 200 tall as shown
    out = tmp_path / "out.pdf"
    render(Options(path, out, workers=1))
    (_, (a, b, c, d, e, f), bbox), = form_placements(out)
    assert a == 0 and d == 0 and b < 0 < c  # turned a quarter clockwise
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(out))
    try:  # the black bar along the page's foot, turned: a bar down the placed ad's left side
        scale = 2
        bitmap = doc[0].render(scale=scale).to_pil().convert("L")
    finally:
        doc.close()
    x0, top = art.x * scale, art.y * scale
    left = bitmap.getpixel((int(x0 + art.w * scale * 0.05), int(top + art.h * scale / 2)))
    right = bitmap.getpixel((int(x0 + art.w * scale * 0.95), int(top + art.h * scale / 2)))
    assert left < 60 and right > 200


# ---------------------------------------------------------------- image ads

def test_cmyk_image_ad_is_kept(tmp_path):
    im = PILImage.new("CMYK", (800, 400), (0, 60, 100, 0))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    (tmp_path / "ad.jpg").write_bytes(buf.getvalue())
    path = write_edition(tmp_path, [ad("ad.jpg", extra=", fit: fill")])
    _, pages, _ = lay_out(path)
    image, = [i for i in pages[0].items if isinstance(i, Image)]
    assert image.clip[3] < image.h - 1 and image.clip[2] == pytest.approx(image.w)  # filled: cut above, below
    for press in (False, True):
        out = tmp_path / f"out{press}.pdf"
        render(Options(path, out, press=press, workers=1))
        with pikepdf.open(out) as pdf:
            xobj, = [x for x in pdf.pages[0].Resources.XObject.values() if x.get("/Subtype") == "/Image"]
            assert xobj.ColorSpace == "/DeviceCMYK"
            assert xobj.read_raw_bytes() == buf.getvalue()  # as supplied, not converted


# ---------------------------------------------------------------- preflight

def _findings(path: Path, tmp_path: Path, press: bool) -> list:
    result = render(Options(path, tmp_path / "out.pdf", press=press, preflight=True, workers=1))
    return result.report.preflight


def _codes(findings, kind: str = "ad") -> list[str]:
    return sorted(n.code for n in findings if n.place.kind == kind)


def test_preflight_clean_ad_has_no_finding(tmp_path):
    ps_ad(tmp_path, w=328.82, h=141.73)  # 116 x 50 mm: within 2 % of the 3-column frame (117 mm)
    path = write_edition(tmp_path, [ad("ad.pdf", "{column: 1, span: 3, top: 40mm, height: 50mm}")])
    assert _codes(_findings(path, tmp_path, press=True)) == []


def test_preflight_size_mismatch(tmp_path):
    ps_ad(tmp_path)  # 100 x 50 mm in a 117 x 50 mm frame: 14.5 % narrower
    path = write_edition(tmp_path, [ad("ad.pdf")])
    found = [n for n in _findings(path, tmp_path, press=False) if n.code == "preflight.ad-size"]
    assert len(found) == 1 and "100.0 x 50.0 mm" in found[0].message
    assert found[0].place.page == 1 and found[0].place.element == 1 and found[0].place.source.line == 7


def test_preflight_fonts_not_embedded_rgb_ink_and_low_resolution(tmp_path):
    def resources(pdf):
        image = pdf.make_stream(bytes(range(100)), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                                Width=10, Height=10, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8)
        font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                  BaseFont=pikepdf.Name.Helvetica)
        return {"/Font": {"/F1": font}, "/XObject": {"/Im1": image}}

    content = (b"1 0 0 rg 0 0 100 100 re f 0.9 0.9 0.9 0.9 k 0 0 50 50 re f "
               b"q 200 0 0 100 0 0 cm /Im1 Do Q BT /F1 12 Tf 10 10 Td (Hello) Tj ET")
    built_pdf(tmp_path / "ad.pdf", content, resources, size=(331.65, 141.73))  # 117 x 50 mm: the frame's size
    path = write_edition(tmp_path, [ad("ad.pdf")])
    screen = _codes(_findings(path, tmp_path, press=False))
    assert screen == ["preflight.fonts", "preflight.resolution"]  # RGB and ink matter for the press only
    found = _findings(path, tmp_path, press=True)
    assert _codes(found) == ["preflight.colour", "preflight.fonts", "preflight.ink", "preflight.resolution"]
    messages = {n.code: n.message for n in found if n.place.kind == "ad"}
    assert "Helvetica" in messages["preflight.fonts"]
    assert "360% ink" in messages["preflight.ink"]
    assert "RGB" in messages["preflight.colour"]
    assert "lowest 4 ppi" in messages["preflight.resolution"]  # 10 px over 200 pt as placed


def test_preflight_transparency_in_a_press_render(tmp_path):
    def resources(pdf):
        return {"/ExtGState": {"/G1": pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=0.5,
                                                          BM=pikepdf.Name.Multiply)}}

    built_pdf(tmp_path / "ad.pdf", b"/G1 gs 0 0 0 1 k 0 0 100 100 re f", resources, size=(331.65, 141.73))
    path = write_edition(tmp_path, [ad("ad.pdf")])
    assert _codes(_findings(path, tmp_path, press=False)) == []
    found = [n for n in _findings(path, tmp_path, press=True) if n.place.kind == "ad"]
    assert [n.code for n in found] == ["preflight.transparency"]
    assert "opacity below 100 %" in found[0].message and "blend mode Multiply" in found[0].message


def test_preflight_image_ad_proportions(tmp_path):
    PILImage.new("CMYK", (300, 300), (0, 0, 0, 50)).save(tmp_path / "ad.jpg", "JPEG")
    path = write_edition(tmp_path, [ad("ad.jpg")])
    found = [n for n in _findings(path, tmp_path, press=False) if n.code == "preflight.ad-size"]
    assert len(found) == 1 and "300:300" in found[0].message


# ---------------------------------------------------------------- located errors

def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        render(Options(path, path.parent / "out.pdf", workers=1))
    errors = getattr(info.value, "errors", [info.value])
    assert len(errors) == 1
    return errors[0]


@pytest.mark.parametrize("make,message", [
    (lambda d: (d / "ad.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4), "cannot read the PDF"),
    (lambda d: (d / "ad.pdf").write_bytes(ps_ad(d, name="whole.pdf").read_bytes()[:900]), "PDF"),
    (lambda d: built_pdf(d / "ad.pdf", b"0 g 0 0 10 10 re f", encrypt=True), "encrypted"),
    (lambda d: (d / "ad.pdf").write_text("not a pdf at all"), "not a JPEG, PNG, TIFF"),
])
def test_broken_encrypted_or_foreign_file_is_located(tmp_path, make, message):
    make(tmp_path)
    error = _error(write_edition(tmp_path, [ad("ad.pdf")]))
    assert message in error.message and "ad 'ad.pdf'" in error.message
    assert error.where.file.endswith("edition.yaml") and error.where.line == 7
    assert error.where.column == len("      - {type: ad, file: ") + 1
    assert error.hint


def test_missing_page_is_located_at_page(tmp_path):
    built_pdf(tmp_path / "ad.pdf", b"0 g 0 0 10 10 re f", pages=2)
    error = _error(write_edition(tmp_path, [ad("ad.pdf", extra=", page: 3")]))
    assert "has 2 pages, no page 3" in error.message and "page: 1 to 2" in error.hint
    assert error.where.line == 7 and error.where.column > len("      - {type: ad, file: ad.pdf, frame: ")
    path = write_edition(tmp_path, [ad("ad.pdf", extra=", page: 2")])
    _, pages, _ = lay_out(path)
    assert [i.page.number for i in pages[0].items if isinstance(i, Artwork)] == [2]


def test_missing_file_and_outside_folder(tmp_path):
    error = _error(write_edition(tmp_path, [ad("nowhere.pdf")]))
    assert "ad file not found: nowhere.pdf" in error.message and error.where.line == 7
    error = _error(write_edition(tmp_path, [ad("../x.pdf")]))
    assert "outside the edition folder" in error.message and error.where.line == 7


@pytest.fixture(scope="module")
def whole_ad(tmp_path_factory) -> bytes:
    return ps_ad(tmp_path_factory.mktemp("whole")).read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), page=st.integers(-3, 5))
def test_hostile_ad_files_give_located_errors_only(tmp_path_factory, whole_ad, data, page):
    """Truncated, flipped, random or prefixed bytes, and wrong page numbers: a PDF, or an
    InputError placed in the edition file, never anything else."""
    kind = data.draw(st.sampled_from(["truncated", "flipped", "random", "pdf-random", "whole"]))
    if kind == "truncated":
        body = whole_ad[:data.draw(st.integers(0, len(whole_ad) - 1))]
    elif kind == "flipped":
        body = bytearray(whole_ad)
        for at in data.draw(st.lists(st.integers(0, len(whole_ad) - 1), min_size=1, max_size=8)):
            body[at] ^= data.draw(st.integers(1, 255))
        body = bytes(body)
    elif kind == "random":
        body = data.draw(st.binary(max_size=2000))
    elif kind == "pdf-random":
        body = b"%PDF-1.7\n" + data.draw(st.binary(max_size=2000))
    else:
        body = whole_ad
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "ad.pdf").write_bytes(body)
    path = write_edition(folder, [ad("ad.pdf", extra=f", page: {page}")])
    try:
        render(Options(path, folder / "out.pdf", workers=1))
    except InputError as exc:
        for error in getattr(exc, "errors", [exc]):
            assert error.where is not None and error.where.file.endswith("edition.yaml"), str(error)
            assert error.where.line == 7 and error.where.column is not None, str(error)
            assert error.hint, str(error)
    else:
        assert 1 <= page and kind in ("whole", "flipped", "truncated")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- the masthead's lettering

def test_masthead_lettering_in_place_of_the_name(tmp_path):
    """The lettering (house/lettering.pdf, made with paiban) is set as vectors where the
    name's type would be, centred; the Tibetan line is under it, the data at the foot."""
    shutil.copy(REPO / "editions/sample/house/lettering.pdf", tmp_path / "lettering.pdf")
    frame = "{column: 1, span: 6, top: 0, height: 45mm}"
    path = write_edition(tmp_path, [f"{{type: masthead, lettering: lettering.pdf, frame: {frame}}}"])
    edition, pages, report = lay_out(path)
    items = pages[0].items
    art, = [i for i in items if isinstance(i, Artwork)]
    runs = [i for i in items if hasattr(i, "gids")]
    assert all(run.y > art.y + art.h for run in runs)  # no type set for the name: all below the lettering
    r = frame_rect(edition.source.pages[0].elements[0].frame, edition.geometry, 1)
    assert art.x + art.w / 2 == pytest.approx(r.x + r.w / 2, abs=0.01)
    assert art.y >= r.y - 0.01
    tibetan, = [run for run in runs if "ཚགས" in run.text]
    assert tibetan.y - tibetan.size > art.y + art.h - 0.01  # under the lettering
    assert not report.overflow
    out = tmp_path / "out.pdf"
    render(Options(path, out, workers=1))
    text = squash(pdftotext(out))
    assert "雪域法治报" in text and "ཚགས་པར" in text
    assert subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True,
                          check=True).stdout.count("\n") == 2


def test_masthead_lettering_as_an_image(tmp_path):
    PILImage.new("L", (1200, 300), 0).save(tmp_path / "lettering.png")
    path = write_edition(tmp_path, ["{type: masthead, lettering: lettering.png, frame: "
                                    "{column: 1, span: 6, top: 0, height: 45mm}}"])
    _, pages, _ = lay_out(path)
    image, = [i for i in pages[0].items if isinstance(i, Image)]
    assert image.w / image.h == pytest.approx(4.0)


def test_sample_loads_its_ad_at_load(tmp_path):
    """The sample's ad and lettering are read when the edition is loaded, and listed as
    inputs (a change to them re-renders under --watch)."""
    from layout.edition.loader import load_edition

    edition = load_edition(SAMPLE)
    assert sorted(edition.artwork) == [("ads/legal-aid.pdf", 1), ("house/lettering.pdf", 1)]
    whats = {what for _, what in edition.inputs}
    assert {"artwork ads/legal-aid.pdf", "artwork house/lettering.pdf"} <= whats


def test_watch_composes_again_the_page_whose_ad_changed(tmp_path):
    """--watch: a new version of the ad's file (same name) recomposes its page, and the
    result is what a full render makes."""
    from layout.desk.watch import Session

    ps_ad(tmp_path)
    path = tmp_path / "edition.yaml"
    path.write_text(EDITION.format(elements="      - " + ad("ad.pdf")) + "  - elements:\n      - "
                    + ad("other.pdf") + "\n", encoding="utf-8")
    ps_ad(tmp_path, name="other.pdf")
    session = Session(Options(path, tmp_path / "out.pdf", workers=1))
    assert session.render().recomposed == [1, 2]
    assert session.render().recomposed == []
    ps_ad(tmp_path, w=300, h=150)  # the agency sends the ad again, another size
    assert session.render().recomposed == [1]
    render(Options(path, tmp_path / "full.pdf", workers=1))
    assert (tmp_path / "out.pdf").read_bytes() == (tmp_path / "full.pdf").read_bytes()


@pytest.mark.parametrize("key", ["ad", "lettering"])
@pytest.mark.parametrize("kind", ["regular", "symbolic link", "FIFO", "folder", "device", "dangling link",
                                  "link loop", "missing"])
def test_every_kind_of_file_for_ad_and_lettering(tmp_path, whole_ad, key, kind):
    """The supplied file's key given each kind of file: a regular file or a link to one
    renders; anything else is an error at the key saying what it is; nothing hangs."""
    from test_files import INPUT_KINDS, make_kind, time_limit

    if kind != "missing":
        make_kind(tmp_path / "art.pdf", kind, whole_ad)
    element = ad("art.pdf") if key == "ad" else \
        "{type: masthead, lettering: art.pdf, frame: {column: 1, span: 6, top: 0, height: 40mm}}"
    path = write_edition(tmp_path, [element])
    with time_limit(60):
        try:
            render(Options(path, tmp_path / "out.pdf", workers=1))
        except InputError as exc:
            assert kind not in ("regular", "symbolic link"), exc
            assert str(exc).startswith(f"{path}:7:"), exc
            assert INPUT_KINDS[kind] in str(exc) and f"{key} " in str(exc), exc
        else:
            assert kind in ("regular", "symbolic link"), kind


def test_two_pages_of_one_file_keep_their_own_objects(tmp_path):
    """Pages 1 and 2 of one PDF on one page: each form has its own page's font and text."""
    pdf = pikepdf.new()
    for text, font in ((b"Alpha", "/Helvetica"), (b"Omega", "/Courier")):
        page = pdf.add_blank_page(page_size=(331.65, 141.73))
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name(font)))))
        page.obj.Contents = pdf.make_stream(b"BT /F1 24 Tf 20 60 Td (" + text + b") Tj ET")
    pdf.save(tmp_path / "two.pdf", deterministic_id=True)
    path = write_edition(tmp_path, [ad("two.pdf", extra=", page: 1"),
                                    ad("two.pdf", "{column: 4, span: 3, top: 40mm, height: 50mm}", ", page: 2")])
    out = tmp_path / "out.pdf"
    render(Options(path, out, workers=1))
    text = squash(pdftotext(out))
    assert "Alpha" in text and "Omega" in text
    with pikepdf.open(out) as done:
        forms = sorted((str(n), x) for n, x in done.pages[0].Resources.XObject.items() if ".PA" in str(n))
        fonts = [str(x.Resources.Font.F1.BaseFont) for _, x in forms]
    assert fonts == ["/Helvetica", "/Courier"]


def test_hostile_structures(tmp_path):
    """A cycle among the resources' objects is copied (each object once, the file sound);
    nesting past the reader's bound and a deflate bomb in the content are located errors."""
    import zlib

    def cycle(pdf):
        a = pdf.make_indirect(pikepdf.Dictionary(Name=pikepdf.Name.A))
        b = pdf.make_indirect(pikepdf.Dictionary(Name=pikepdf.Name.B, Next=a))
        a.Next = b
        return {"/Properties": {"/P1": a}}

    built_pdf(tmp_path / "ad.pdf", b"/OC /P1 BDC 0 g 0 0 10 10 re f EMC", cycle, size=(331.65, 141.73))
    path = write_edition(tmp_path, [ad("ad.pdf")])
    out = tmp_path / "out.pdf"
    render(Options(path, out, workers=1))
    assert subprocess.run(["qpdf", "--check", str(out)], capture_output=True).returncode == 0
    with pikepdf.open(out) as pdf:
        form, = [x for n, x in pdf.pages[0].Resources.XObject.items() if ".PA" in str(n)]
        a = form.Resources.Properties.P1
        assert a.Next.Next.objgen == a.objgen

    deep = pikepdf.Array([0])
    for _ in range(100):
        deep = pikepdf.Array([deep])
    built_pdf(tmp_path / "ad.pdf", b"0 g 0 0 10 10 re f", {"/Properties": {"/P1": deep}})
    error = _error(path)
    assert "nested too deeply" in error.message and error.where.line == 7

    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(331.65, 141.73))
    page.obj.Contents = pikepdf.Stream(pdf, zlib.compress(b" " * (80 << 20), 9))
    page.obj.Contents.Filter = pikepdf.Name.FlateDecode
    pdf.save(tmp_path / "ad.pdf", deterministic_id=True)
    assert (tmp_path / "ad.pdf").stat().st_size < 200_000
    error = _error(path)
    assert "too large" in error.message and error.where.line == 7


@pytest.mark.parametrize("position", ["foot", "top"])
def test_lettering_keeps_clear_of_the_publication_data(tmp_path, position):
    """Wide lettering (20:1) never overlaps the data, at the foot or stacked in the corners."""
    built_pdf(tmp_path / "wide.pdf", b"0 0 0 1 k 0 0 1000 50 re f", size=(1000, 50))
    path = write_edition(tmp_path, [f"{{type: masthead, lettering: wide.pdf, info_position: {position}, "
                                    "frame: {column: 1, span: 6, top: 0, height: 45mm}}"])
    _, pages, report = lay_out(path)
    art, = [i for i in pages[0].items if isinstance(i, Artwork)]
    runs = [i for i in pages[0].items if hasattr(i, "gids") and i.gids]
    assert runs
    for run in runs:
        left, right = run.x, run.x + run.positions[-1][0] + run.advances[-1]
        top, bottom = run.y - run.size, run.y + 0.3 * run.size
        apart = right <= art.x or left >= art.x + art.w or bottom <= art.y or top >= art.y + art.h
        assert apart, (run.text, (left, top, right, bottom), art[1:5])
    assert not report.overflow


def test_the_ad_starts_from_a_fresh_graphics_state(tmp_path):
    """An ad that fills in the default colour (black) stays black after white type (a
    section label) set just before it on the page."""
    built_pdf(tmp_path / "ad.pdf", b"0 0 331.65 141.73 re f", size=(331.65, 141.73))
    path = write_edition(tmp_path, ["{type: section_label, text: 要闻, fill: black, "
                                    "frame: {column: 4, span: 2, top: 10mm, height: 8mm}}", ad("ad.pdf")])
    _, pages, _ = lay_out(path)
    art, = [i for i in pages[0].items if isinstance(i, Artwork)]
    out = tmp_path / "out.pdf"
    render(Options(path, out, workers=1))
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(out))
    try:
        bitmap = doc[0].render(scale=1).to_pil().convert("L")
    finally:
        doc.close()
    assert bitmap.getpixel((int(art.x + art.w / 2), int(art.y + art.h / 2))) < 30


def test_an_image_ad_cut_short_is_placed_at_its_element(tmp_path):
    """A JPEG whose header reads but whose data is cut: found when decoded, said at the ad."""
    im = PILImage.new("CMYK", (400, 200), (0, 60, 100, 0))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    (tmp_path / "ad.jpg").write_bytes(buf.getvalue()[:len(buf.getvalue()) // 2])
    error = _error(write_edition(tmp_path, [ad("ad.jpg")]))
    assert error.where is not None and error.where.line == 7 and "(ad): ad.jpg" in error.message


@pytest.mark.parametrize("source", ["ads/legal-aid", "house/lettering"])
def test_the_sample_artwork_is_what_its_source_makes(tmp_path, source):
    """The committed PDFs (make sample-ad) match their sources: same size, same text."""
    committed = REPO / "editions/sample" / f"{source}.pdf"
    out = tmp_path / "made.pdf"
    render(Options(REPO / "editions/sample" / f"{source}.yaml", out, workers=1))
    assert squash(pdftotext(out)) == squash(pdftotext(committed))
    with pikepdf.open(out) as made, pikepdf.open(committed) as kept:
        assert [float(v) for v in made.pages[0].MediaBox] == [float(v) for v in kept.pages[0].MediaBox]


def test_one_reader_and_one_writer():
    """pikepdf is imported by edition/supplied only (nothing of it travels further) and
    ReportLab by output/pdf only: one library reads supplied PDFs, one writes ours."""
    import ast

    users: dict[str, set[str]] = {"pikepdf": set(), "reportlab": set()}
    for path in sorted((REPO / "layout").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            for name in names:
                top = name.split(".")[0]
                if top in users:
                    users[top].add(path.relative_to(REPO).as_posix())
    assert users == {"pikepdf": {"layout/edition/supplied.py"}, "reportlab": {"layout/output/pdf.py"}}


@pytest.mark.parametrize("fit", ["fit", "fill", "stretch"])
def test_a_frame_without_height_draws_nothing_and_fails_nothing(tmp_path, fit):
    ps_ad(tmp_path)
    path = write_edition(tmp_path, [ad("ad.pdf", "{column: 1, span: 3, top: 40mm, height: 0mm}", f", fit: {fit}")])
    _, pages, _ = lay_out(path)
    assert not [i for i in pages[0].items if isinstance(i, Artwork)]
    render(Options(path, tmp_path / "out.pdf", press=True, preflight=True, workers=1))
