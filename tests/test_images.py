"""Photos as they arrive from a newsroom: broken, huge, rotated, transparent, CMYK,
16-bit, misnamed. Each is placed correctly or refused with a clear one-line error."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from layout.output import images
from layout.edition import photos
from layout.api import Options, render
from layout.base.errors import InputError

EDITION = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
pages:
  - elements:
      - {{type: photo, file: {name}, frame: {{column: 1, span: 3, top: 0mm, height: 60mm}}, caption: 图为测试。}}
"""


def place(tmp_path: Path, name: str, data: bytes):
    folder = tmp_path / "ed"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    (folder / "edition.yaml").write_text(EDITION.format(name=name), encoding="utf-8")
    return render(Options(folder / "edition.yaml", tmp_path / "out.pdf"))


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def embedded(tmp_path) -> list[dict]:
    """The PDF's image XObjects: size and colour space, read back with pdfium."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(str(tmp_path / "out.pdf"))
    out = []
    try:
        for obj in doc[0].get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE]):
            w, h = obj.get_px_size()
            meta = obj.get_metadata()
            out.append({"w": w, "h": h, "colorspace": meta.colorspace, "bpc": meta.bits_per_pixel})
    finally:
        doc.close()
    return out


def gradient(mode: str, size=(400, 300)) -> Image.Image:
    im = Image.linear_gradient("L").resize(size)
    return im.convert(mode)


def test_a_plain_jpeg_is_embedded_untouched(tmp_path):
    data = encode(gradient("RGB"), "JPEG", quality=80)
    place(tmp_path, "p.jpg", data)
    assert data in (tmp_path / "out.pdf").read_bytes()


def test_cmyk_jpeg(tmp_path):
    place(tmp_path, "p.jpg", encode(gradient("CMYK"), "JPEG"))
    (img,) = embedded(tmp_path)
    assert img["colorspace"] == 3  # FPDF_COLORSPACE_DEVICECMYK


def test_sixteen_bit_png_becomes_eight_bit_gray(tmp_path):
    im = Image.new("I;16", (300, 200))
    im.putdata([v * 200 for v in range(300)] * 200)
    place(tmp_path, "p.png", encode(im, "PNG"))
    (img,) = embedded(tmp_path)
    assert img["colorspace"] == 1 and img["bpc"] == 8  # DeviceGray, 8 bits


def test_palette_with_transparency_is_set_on_white(tmp_path):
    im = Image.new("P", (200, 100), 0)
    im.putpalette([255, 0, 0] + [0, 0, 255] * 255)
    im.info["transparency"] = 0
    place(tmp_path, "p.png", encode(im, "PNG", transparency=0))
    data = (tmp_path / "out.pdf").read_bytes()
    assert b"/SMask" not in data and b"/Mask" not in data


def test_exif_rotation_is_applied(tmp_path):
    im = gradient("RGB", (400, 200))  # landscape pixels ...
    exif = Image.Exif()
    exif[0x0112] = 6  # ... shown rotated 90°: portrait
    place(tmp_path, "p.jpg", encode(im, "JPEG", exif=exif))
    (img,) = embedded(tmp_path)
    assert img["w"] < img["h"]
    assert photos.pixel_size(str(tmp_path / "ed" / "p.jpg")) == (200, 400)


def test_a_png_named_jpg_still_works(tmp_path):
    place(tmp_path, "p.jpg", encode(gradient("RGB"), "PNG"))
    (img,) = embedded(tmp_path)
    assert img["w"] == 400


@pytest.mark.parametrize("data,message", [
    (b"not an image at all", "cannot read image"),
    (None, "cannot read image"),  # a JPEG cut in half
])
def test_broken_files_are_refused_clearly(tmp_path, data, message):
    if data is None:
        full = encode(gradient("RGB", (800, 600)), "JPEG")
        data = full[: len(full) // 2]
    with pytest.raises(InputError) as err:
        place(tmp_path, "p.jpg", data)
    text = str(err.value)
    assert message in text and "p.jpg" in text and "\n" not in text


def test_a_decompression_bomb_is_refused(tmp_path):
    # a PNG header claiming 200 megapixels; Pillow's limit is set deliberately (120 MP)
    im = Image.new("1", (20000, 10000))
    with pytest.raises(InputError) as err:
        place(tmp_path, "p.png", encode(im, "PNG"))
    assert "more than 120 megapixels" in str(err.value)


def test_a_hundred_megapixel_jpeg_is_downsampled_within_memory(tmp_path):
    import subprocess
    import sys

    im = Image.new("RGB", (12000, 8400), (200, 180, 150))  # 100.8 MP
    (tmp_path / "ed").mkdir()
    im.save(tmp_path / "ed" / "big.jpg", "JPEG", quality=50)
    del im
    (tmp_path / "ed" / "edition.yaml").write_text(EDITION.format(name="big.jpg"), encoding="utf-8")
    # in a fresh process, so that its peak memory is its own
    code = ("import resource, sys; from pathlib import Path; from layout.api import Options, render; "
            f"render(Options(Path({str(tmp_path / 'ed' / 'edition.yaml')!r}), Path({str(tmp_path / 'out.pdf')!r}))); "
            "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 0, result.stderr
    # peak memory of that process (VmHWM, kB: new after exec, unlike ru_maxrss after fork)
    assert int(result.stdout.strip()) < 300_000  # decoding 100 MP in full takes 300 MB more
    (img,) = embedded(tmp_path)
    assert img["w"] < 3000  # 3 columns ≈ 104 mm at 300 ppi ≈ 1230 px (the frame fills)


def test_a_converted_photo_reports_the_resolution_of_each_placement(tmp_path):
    """The cache keeps one conversion for every placement at which it serves; the
    resolution is the placement's (it used to be the first placement's, for ever)."""
    src = tmp_path / "p.png"
    Image.new("RGB", (600, 400), (150, 120, 90)).save(src)
    cache = tmp_path / "cache"
    big = images.prepare(str(src), 600.0, 400.0, cache)    # 72 ppi
    small = images.prepare(str(src), 300.0, 200.0, cache)  # the same pixels at 144 ppi
    assert (big.width, small.width) == (600, 600) and big.data == small.data
    assert round(big.ppi) == 72 and round(small.ppi) == 144
