"""The press render (--print): page boxes, no RGB anywhere, the PDF/X output intent,
photo resolution within bounds, and Ghostscript renders every page cleanly."""
from __future__ import annotations

import io
import subprocess

import pikepdf
import pytest
from PIL import ImageCms

from conftest import SAMPLE

from layout.api import Options, render
from layout.edition.loader import load_edition
from layout.output.conditions import profile as condition_profile


@pytest.fixture(scope="module")
def press_pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("press") / "press.pdf"
    result = render(Options(SAMPLE, out, press=True))
    return out, result


def test_page_boxes(press_pdf):
    path, _ = press_pdf
    geo = load_edition(SAMPLE).geometry
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            media = [float(v) for v in page.MediaBox]
            trim = [float(v) for v in page.TrimBox]
            bleed = [float(v) for v in page.BleedBox]
            assert trim[2] - trim[0] == pytest.approx(geo.width, abs=0.01)
            assert trim[3] - trim[1] == pytest.approx(geo.height, abs=0.01)
            assert bleed[0] == pytest.approx(trim[0] - geo.bleed, abs=0.01)
            assert media[0] <= bleed[0] and media[2] >= bleed[2]  # marks and slug outside the bleed


def _color_spaces(pdf) -> set[str]:
    """Every colour space named by images, and every colour operator in content streams."""
    found = set()
    for page in pdf.pages:
        for _, image in page.get_images().items():
            found.add(str(image.ColorSpace))
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("rg", "RG"):
                found.add("/DeviceRGB")
            elif op in ("k", "K"):
                found.add("/DeviceCMYK")
            elif op in ("g", "G"):
                found.add("/DeviceGray")
    return found


def test_no_rgb_anywhere(press_pdf):
    path, _ = press_pdf
    with pikepdf.open(path) as pdf:
        spaces = _color_spaces(pdf)
        assert "/DeviceRGB" not in spaces
        assert spaces <= {"/DeviceGray", "/DeviceCMYK"}


def test_the_screen_render_keeps_photos_as_they_are(tmp_path):
    out = tmp_path / "screen.pdf"
    render(Options(SAMPLE, out, page=1))
    with pikepdf.open(out) as pdf:
        assert "/DeviceRGB" in _color_spaces(pdf)  # photos untouched for the screen


def test_output_intent_and_pdfx_keys(press_pdf):
    path, _ = press_pdf
    with pikepdf.open(path) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        profile = ImageCms.ImageCmsProfile(io.BytesIO(intent.DestOutputProfile.read_bytes()))
        assert profile.profile.device_class == "prtr" and profile.profile.xcolor_space.strip() == "CMYK"
        assert intent.DestOutputProfile.read_bytes() == condition_profile("newsprint")
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-1a:2003"
        assert pdf.docinfo.Trapped == "/False"
        assert len(pdf.trailer.ID) == 2
        for name, font in ((n, f) for page in pdf.pages for n, f in page.Resources.Font.items()):
            descendant = font.DescendantFonts[0]
            # every font embedded: TrueType as FontFile2, CFF as FontFile3 /CIDFontType0C
            descriptor = descendant.FontDescriptor
            assert "/FontFile2" in descriptor or descriptor.FontFile3.Subtype == "/CIDFontType0C", name


def test_photo_resolution_within_bounds(press_pdf):
    path, result = press_pdf
    settings = load_edition(SAMPLE).source.output
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for _, image in page.get_images().items():
                assert int(image.BitsPerComponent) == 8
    # effective resolution: never above the target (downsampled); those below the
    # minimum are named by the preflight
    from layout.api import lay_out
    from layout.lines.display import Image
    from layout.output.images import prepare
    from layout.output.images import image_cache

    edition, pages, _ = lay_out(SAMPLE)
    for page in pages:
        for item in page.items:
            if isinstance(item, Image):
                prepared = prepare(item.path, item.w, item.h, image_cache(), color="cmyk", max_ppi=settings.ppi)
                assert prepared.ppi <= settings.ppi + 1
                if prepared.ppi < settings.min_ppi:
                    name = item.path.rsplit("/", 1)[-1]
                    assert any(name in str(f) and f.place.page == page.number and f.code == "preflight.resolution" for f in result.report.preflight)


def test_ghostscript_renders_every_page_cleanly(press_pdf, tmp_path):
    path, _ = press_pdf
    proc = subprocess.run(["gs", "-dBATCH", "-dNOPAUSE", "-dQUIET", "-sDEVICE=pnggray", "-r20",
                           f"-sOutputFile={tmp_path}/p%d.png", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "" and proc.stderr.strip() == "", proc.stdout + proc.stderr
    assert len(list(tmp_path.glob("p*.png"))) == 8


def test_preflight_strict_refuses_low_resolution(tmp_path):
    import sys

    from conftest import REPO

    out = tmp_path / "x.pdf"
    proc = subprocess.run([sys.executable, str(REPO / "render.py"), str(SAMPLE), "-o", str(out), "--print",
                           "--preflight", "strict"], capture_output=True, text=True)
    assert proc.returncode == 4
    assert "preflight: " in proc.stderr and "page 1, element 5 (photo)" in proc.stderr and "ppi" in proc.stderr
    assert not out.exists()


def test_spot_masthead_and_rich_black(press_pdf):
    """The masthead's spot ink is a Separation colour space (with its CMYK look-alike),
    on the page or in its supplied lettering (a Form XObject); with output.rich_black,
    large black type is 40/30/30/100."""
    path, _ = press_pdf
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        tables = [page.Resources.get("/ColorSpace")] + [
            x.Resources.get("/ColorSpace") for x in page.Resources.XObject.values()
            if x.get("/Subtype") == "/Form" and "/Resources" in x]
        spot = [t[n] for t in tables if t is not None for n in t.keys() if "PANTONE" in n]
        assert spot
        for space in spot:
            assert space[0] == "/Separation" and space[2] == "/DeviceCMYK"
        rich = [ops for ops, op in pikepdf.parse_content_stream(page)
                if str(op) == "k" and [float(v) for v in ops] == [0.4, 0.3, 0.3, 1.0]]
        assert rich, "no rich black on page 1"
