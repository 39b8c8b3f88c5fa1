"""Colour for the press (issue 18): the sample's --print render read back as a printer
would, through Ghostscript's separations (tiffsep), and photos of every kind converted or
kept as the printing condition asks.

- body text is on the Black plate only; no pixel inside the page's bleed carries more
  than the condition's total ink (240 % on newsprint), measured over every pixel; each
  colour photo has ink on Cyan, Magenta and Yellow;
- the output intent is the condition's CMYK profile, which set-up builds again to the
  same bytes;
- a grey photo (and a colour file with no colour in it) goes to black only; a supplied
  CMYK JPEG within the limit is placed byte for byte, one over it is converted and the
  preflight says so; small type in several inks is named.
"""
from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops, ImageCms, ImageMath

from conftest import SAMPLE

from layout.api import Options, lay_out, render
from layout.lines.display import GlyphRun, Image as ImageItem
from layout.output import conditions

DPI = 100
TOLERANCE = 3.0  # % of ink: JPEG rounding and Ghostscript's resampling of the photos


@pytest.fixture(scope="module")
def press(tmp_path_factory):
    folder = tmp_path_factory.mktemp("press-colour")
    out = folder / "press.pdf"
    result = render(Options(SAMPLE, out, press=True))
    return out, result


@pytest.fixture(scope="module")
def plates(press, tmp_path_factory):
    """Page 1's four process plates as ink (0-255, 255 = solid), and the trim's offset
    on the press sheet (pt)."""
    path, _ = press
    folder = tmp_path_factory.mktemp("tiffsep")
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=tiffsep", f"-r{DPI}", "-dFirstPage=1",
                    "-dLastPage=1", f"-sOutputFile={folder}/p.tif", str(path)], check=True, capture_output=True)
    inks = {n: ImageChops.invert(Image.open(folder / f"p({n}).tif")) for n in ("Cyan", "Magenta", "Yellow", "Black")}
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        media = [float(v) for v in page.MediaBox]
        trim = [float(v) for v in page.TrimBox]
        bleed = [float(v) for v in page.BleedBox]
    return inks, (trim[0] - media[0], media[3] - trim[3]), (bleed, media)


def _px(rect, offset) -> tuple[int, int, int, int]:
    """A page rectangle (x, y, w, h in pt, y downwards from the trim's top) in pixels."""
    x, y, w, h = rect
    ox, oy = offset
    return (round((ox + x) * DPI / 72), round((oy + y) * DPI / 72),
            round((ox + x + w) * DPI / 72), round((oy + y + h) * DPI / 72))


def _most(im: Image.Image, box) -> int:
    return im.crop(box).getextrema()[1]


def test_body_text_is_on_the_black_plate_only(plates):
    inks, offset, _ = plates
    _, pages, _ = lay_out(SAMPLE)
    runs = [r for r in pages[0].items if isinstance(r, GlyphRun) and r.color == "black" and r.size < 24]
    assert len(runs) > 100
    inked = 0
    for r in runs:
        # the run's body, inside its glyphs' em boxes (kept off neighbouring photos' edges)
        box = _px((r.x + 1, r.y - 0.8 * r.size, sum(r.advances) - 2, r.size * 0.9), offset)
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        for plate in ("Cyan", "Magenta", "Yellow"):
            assert _most(inks[plate], box) == 0, (plate, "".join(c.text for c in r.clusters)[:20])
        inked += _most(inks["Black"], box) > 200
    assert inked > 0.9 * len(runs)


def test_no_pixel_carries_more_than_the_ink_limit(plates):
    inks, _, (bleed, media) = plates
    total = ImageMath.lambda_eval(lambda a: a["c"] + a["m"] + a["y"] + a["k"], c=inks["Cyan"], m=inks["Magenta"],
                                  y=inks["Yellow"], k=inks["Black"])
    height = total.size[1]
    box = (round((bleed[0] - media[0]) * DPI / 72), round(height - (bleed[3] - media[1]) * DPI / 72),
           round((bleed[2] - media[0]) * DPI / 72), round(height - (bleed[1] - media[1]) * DPI / 72))
    most = total.crop(box).getextrema()[1] / 2.55
    assert most <= conditions.CONDITIONS["newsprint"].tac + TOLERANCE, most
    assert most > 150  # the page does carry colour: the measure is not of an empty sheet


def test_colour_photos_are_in_cyan_magenta_and_yellow(plates, press):
    inks, offset, _ = plates
    _, pages, _ = lay_out(SAMPLE)
    photos = [i for i in pages[0].items if isinstance(i, ImageItem)]
    assert photos
    for p in photos:
        box = _px(p.clip, offset)
        for plate in ("Cyan", "Magenta", "Yellow", "Black"):
            assert _most(inks[plate], box) > 64, (p.path, plate)
    path, _ = press
    with pikepdf.open(path) as pdf:
        spaces = {str(im.ColorSpace) for page in pdf.pages for im in page.get_images().values()}
    assert spaces == {"/DeviceCMYK"}, spaces  # the sample's photos are all in colour


def test_the_output_intent_is_the_condition(press):
    path, _ = press
    with pikepdf.open(path) as pdf:
        (intent,) = pdf.Root.OutputIntents
        data = intent.DestOutputProfile.read_bytes()
        assert str(intent.OutputConditionIdentifier) == "CGATS TR 002"
        assert str(intent.RegistryName) == "http://www.color.org"
        assert int(intent.DestOutputProfile.N) == 4
    assert data == conditions.profile("newsprint")
    prof = ImageCms.ImageCmsProfile(io.BytesIO(data)).profile
    assert prof.device_class == "prtr" and prof.xcolor_space.strip() == "CMYK"


def test_qpdf_and_ghostscript_find_nothing(press, tmp_path):
    path, _ = press
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout
    gs = subprocess.run(["gs", "-dBATCH", "-dNOPAUSE", "-dQUIET", "-sDEVICE=nullpage", str(path)],
                        capture_output=True, text=True)
    assert gs.returncode == 0 and gs.stdout.strip() == "" and gs.stderr.strip() == "", gs.stdout + gs.stderr


def test_a_second_build_gives_the_same_profile(tmp_path):
    """The newsprint profile made again from the measurements: the same bytes as set-up's."""
    c = conditions.CONDITIONS["newsprint"]
    built = conditions.build(c, tmp_path)
    assert built.read_bytes() == conditions.profile("newsprint")


# ---------------------------------------------------------------- photos of every kind

EDITION = """\
paper: {{name: 测试报, date: 2026-12-05}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
output: {{photos: cmyk, min_ppi: 0}}
styles:
  body: {{font: body, size: 9pt, leading: 13.5pt}}
  tiny: {{font: body, size: 6pt, leading: 9pt, color: "cmyk(0, 100, 100, 0)"}}
stories: {{}}
pages:
  - elements:
{photos}
      - type: text
        text: 小字两色
        style: tiny
        frame: {{column: 1, span: 2, top: 300mm, height: 20mm}}
      - type: box
        fill: "cmyk(80, 70, 70, 100)"
        frame: {{column: 4, span: 2, top: 300mm, height: 20mm}}
"""


def _photo(k: int, name: str) -> str:
    return (f"      - type: photo\n        file: {name}\n"
            f"        frame: {{column: {1 + 2 * (k % 3)}, span: 2, top: {10 + 80 * (k // 3)}mm, height: 60mm}}")


def _scene(width: int, mode: str = "RGB") -> Image.Image:
    """A colour picture (each test photo has its own width: the PDF's images are told
    apart by their size)."""
    im = Image.new("RGB", (width, 200))
    im.putdata([(x % 256, (y * 2) % 256, (x + y) % 256) for y in range(200) for x in range(width)])
    return im if mode == "RGB" else im.convert(mode)


def _cmyk_jpeg(path: Path, ink: int, width: int) -> None:
    """A CMYK JPEG whose darkest patch carries `ink` % in total."""
    each = round(ink / 4 * 2.55)
    im = Image.new("CMYK", (width, 200), (40, 20, 10, 0))
    im.paste((each, each, each, each), (50, 50, 150, 150))
    im.save(path, "JPEG", quality=95)


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photo-kinds")
    _scene(300).save(folder / "colour.png")
    _scene(310, "L").save(folder / "grey.png")
    _scene(320, "L").convert("RGB").save(folder / "grey-rgb.jpg", quality=95)
    _cmyk_jpeg(folder / "cmyk-ok.jpg", 200, 200)
    _cmyk_jpeg(folder / "cmyk-heavy.jpg", 360, 210)
    names = ["colour.png", "grey.png", "grey-rgb.jpg", "cmyk-ok.jpg", "cmyk-heavy.jpg"]
    (folder / "edition.yaml").write_text(
        EDITION.format(photos="\n".join(_photo(k, n) for k, n in enumerate(names))), encoding="utf-8")
    out = folder / "out.pdf"
    result = render(Options(folder / "edition.yaml", out, press=True))
    with pikepdf.open(out) as pdf:
        images = {}
        for page in pdf.pages:
            for name, im in page.get_images().items():
                images[name] = (str(im.ColorSpace), im.read_raw_bytes())
    return folder, result, images


def _image_of(kinds, photo: str):
    """The embedded image of a photo, found by its pixel size."""
    folder, _, images = kinds
    with Image.open(folder / photo) as src:
        size = src.size
    found = []
    with pikepdf.open(folder / "out.pdf") as pdf:
        for page in pdf.pages:
            for im in page.get_images().values():
                if (int(im.Width), int(im.Height)) == size:
                    found.append((str(im.ColorSpace), im.read_raw_bytes()))
    return found


def test_grey_photos_go_to_black_only(kinds):
    for photo in ("grey.png", "grey-rgb.jpg"):
        spaces = {s for s, _ in _image_of(kinds, photo)}
        assert spaces == {"/DeviceGray"}, (photo, spaces)


def test_a_colour_photo_goes_to_cmyk_within_the_limit(kinds):
    folder, result, _ = kinds
    (space, data), *_ = [x for x in _image_of(kinds, "colour.png") if x[0] == "/DeviceCMYK"]
    im = Image.open(io.BytesIO(data))
    im.load()
    total = ImageMath.lambda_eval(lambda a: a["c"] + a["m"] + a["y"] + a["k"],
                                  **dict(zip("cmyk", im.split())))  # Pillow undoes Adobe's inversion
    assert total.getextrema()[1] / 2.55 <= 240 + TOLERANCE


def test_supplied_cmyk_is_kept_when_within_the_limit_and_converted_when_not(kinds):
    folder, result, _ = kinds
    kept = _image_of(kinds, "cmyk-ok.jpg")
    assert [d for _, d in kept] == [(folder / "cmyk-ok.jpg").read_bytes()]
    heavy = _image_of(kinds, "cmyk-heavy.jpg")
    assert heavy and all(d != (folder / "cmyk-heavy.jpg").read_bytes() for _, d in heavy)
    codes = {(f.code, f.place.element) for f in result.report.preflight}
    assert ("preflight.converted", 5) in codes, result.report.preflight
    assert not any(f.code == "preflight.converted" and f.place.element != 5 for f in result.report.preflight)


def test_small_type_in_several_inks_is_named(kinds):
    _, result, _ = kinds
    small = [f for f in result.report.preflight if f.code == "preflight.small-type"]
    assert len(small) == 1 and "cmyk(0,100,100,0)" in small[0].message.replace(" ", ""), small
    assert re.search(r"2 inks", small[0].message)


# ---------------------------------------------------------------- colours of the edition

COLOURS = """\
paper: {{name: 测试报, date: 2026-12-05}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
output: {{photos: cmyk}}
styles:
  big: {{font: body, size: 30pt, leading: 36pt, color: {big}}}
  small: {{font: body, size: 9pt, leading: 13.5pt, color: {small}}}
  plain: {{font: body, size: 30pt, leading: 36pt}}
stories: {{}}
pages:
  - elements:
      - {{type: text, text: 大字, style: big, frame: {{column: 1, span: 3, top: 10mm, height: 20mm}}}}
      - {{type: text, text: 小字, style: small, frame: {{column: 1, span: 3, top: 40mm, height: 20mm}}}}
      - {{type: text, text: 黑字, style: plain, frame: {{column: 1, span: 3, top: 70mm, height: 20mm}}}}
      - {{type: rule, side: top, weight: 0.5pt, color: {big}, frame: {{column: 4, span: 3, top: 10mm, height: 0}}}}
"""


def _fills(path: Path) -> list[tuple[str, tuple[float, ...]]]:
    with pikepdf.open(path) as pdf:
        return [(str(op), tuple(float(v) for v in ops)) for ops, op in pikepdf.parse_content_stream(pdf.pages[0])
                if str(op) in ("k", "K", "g", "G", "rg", "RG")]


@pytest.mark.parametrize("screen", [False, True])
def test_rich_black_only_where_a_style_asks_and_only_for_large_type(tmp_path, screen):
    (tmp_path / "edition.yaml").write_text(COLOURS.format(big="rich-black", small="rich-black"), encoding="utf-8")
    out = tmp_path / "out.pdf"
    render(Options(tmp_path / "edition.yaml", out, press=not screen))
    fills = _fills(out)
    rich = [f for f in fills if f == ("k", (0.4, 0.3, 0.3, 1.0))]
    # press: the 30 pt style in rich black; its 9 pt sibling, the plain style and the thin
    # rule in plain black; a screen render draws all of them black
    assert len(rich) == (0 if screen else 1), fills


def test_rgb_colours_are_converted_for_the_press_and_named(tmp_path):
    (tmp_path / "edition.yaml").write_text(COLOURS.format(big="'#c8102e'", small="'rgb(0, 90, 160)'"),
                                           encoding="utf-8")
    out = tmp_path / "out.pdf"
    result = render(Options(tmp_path / "edition.yaml", out, press=True))
    assert not any(op in ("rg", "RG") for op, _ in _fills(out))
    named = sorted(f.message.split(" ")[1] for f in result.report.preflight if f.code == "preflight.rgb")
    assert named == ["rgb(0,90,160)", "rgb(200,16,46)"], result.report.preflight
    red = [f for f in result.report.preflight if "rgb(200,16,46)" in f.message][0]
    c, m, y, k = (int(v) for v in re.search(r"printed as cmyk\(([\d,]+)\)", red.message).group(1).split(","))
    assert m > 70 and y > 40 and c < 30 and c + m + y + k <= 240 + 1  # a red, within the newsprint limit
    screen = tmp_path / "screen.pdf"
    render(Options(tmp_path / "edition.yaml", screen))
    assert any(op == "rg" for op, _ in _fills(screen))  # the screen keeps the colour as given


def test_the_soft_proof_shows_the_page_on_newsprint(tmp_path):
    """--softproof: the press render through the profile, cut to the trim: newsprint's
    grey paper, and the photo duller than on screen."""
    import sys

    from conftest import REPO

    soft, screen = tmp_path / "soft.png", tmp_path / "screen.png"
    for out, flag in ((soft, "--softproof"), (screen, "--png")):
        done = subprocess.run([sys.executable, str(REPO / "render.py"), str(SAMPLE), "--page", "1", "--dpi", "30",
                               flag, "-o", str(out)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    a, b = Image.open(soft).convert("RGB"), Image.open(screen).convert("RGB")
    assert abs(a.width - b.width) <= 1 and abs(a.height - b.height) <= 1  # the trim, no marks
    r, g, bl = a.getpixel((3, 3))
    assert 170 < r < 230 and abs(r - g) < 12 and bl < r, (r, g, bl)
    assert b.getpixel((3, 3)) == (255, 255, 255)


@pytest.mark.parametrize("condition,identifier", [("uncoated", "FOGRA29"), ("coated", "FOGRA39")])
def test_supplements_print_on_their_own_condition(tmp_path, condition, identifier):
    """output.condition: the photo in that condition's inks, within its limit, and the
    output intent naming it."""
    _scene(300).save(tmp_path / "colour.png")
    text = EDITION.format(photos=_photo(0, "colour.png")).replace("photos: cmyk,", f"photos: cmyk, condition: {condition},")
    (tmp_path / "edition.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out.pdf"
    render(Options(tmp_path / "edition.yaml", out, press=True))
    with pikepdf.open(out) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == identifier
        assert intent.DestOutputProfile.read_bytes() == conditions.profile(condition)
        (im,) = pdf.pages[0].get_images().values()
        assert str(im.ColorSpace) == "/DeviceCMYK"
        picture = Image.open(io.BytesIO(im.read_raw_bytes()))
        picture.load()
    total = ImageMath.lambda_eval(lambda a: a["c"] + a["m"] + a["y"] + a["k"], **dict(zip("cmyk", picture.split())))
    assert total.getextrema()[1] / 2.55 <= conditions.CONDITIONS[condition].tac + TOLERANCE


def test_an_area_over_the_ink_limit_is_named(kinds):
    _, result, _ = kinds
    heavy = [f for f in result.report.preflight if f.code == "preflight.ink" and "box" in f.message]
    assert len(heavy) == 1 and "320%" in heavy[0].message and heavy[0].place.page == 1, result.report.preflight
