"""The soft proof: a press render as it will look on its paper.

The press file's inks are rasterised by Ghostscript (tiff32nc: the four process plates,
spot inks through their CMYK look-alikes, each page cut to its trim box) and taken
through the printing condition's profile back to screen colours with the absolute
colorimetric intent, so the paper's own colour and the inks' dull solids show, as they
will on newsprint. pdfium, which draws our screen pictures, turns CMYK into RGB with no
profile at all: a soft proof through it would show the file, not the print.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..base.errors import InputError, Where


def pictures(pdf: bytes, dpi: float, condition: str, pages: int, first: int = 1) -> list[bytes]:
    """PNG pictures of a press PDF's pages (`pages` of them from page `first`) through
    the condition's profile."""
    from PIL import Image, ImageCms

    from .conditions import profile

    if shutil.which("gs") is None:
        raise InputError("--softproof needs Ghostscript to separate the inks", Where("gs"),
                         "install it (Debian package ghostscript); make test's set-up does")
    press = ImageCms.ImageCmsProfile(io.BytesIO(profile(condition)))
    screen = ImageCms.createProfile("sRGB")
    transform = ImageCms.buildTransform(press, screen, "CMYK", "RGB",
                                        renderingIntent=ImageCms.Intent.ABSOLUTE_COLORIMETRIC)
    out = []
    with tempfile.TemporaryDirectory(prefix="paiban-softproof-") as tmp:
        source = Path(tmp) / "press.pdf"
        source.write_bytes(pdf)
        run = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-dUseTrimBox", "-dTextAlphaBits=4", "-dGraphicsAlphaBits=4",
                              "-sDEVICE=tiff32nc", f"-r{dpi:g}", f"-dFirstPage={first}",
                              f"-dLastPage={first + pages - 1}", f"-sOutputFile={tmp}/p%04d.tif", str(source)],
                             capture_output=True, text=True, timeout=600)
        if run.returncode != 0:
            raise InputError(f"Ghostscript could not separate the press file: {run.stderr.strip()[:200]}",
                             Where("gs"), "render with --print and check the PDF with qpdf --check")
        for k in range(1, pages + 1):
            with Image.open(Path(tmp) / f"p{k:04d}.tif") as plates:
                plates.load()
                picture = ImageCms.applyTransform(plates, transform)
            buf = io.BytesIO()
            picture.save(buf, "PNG", optimize=False)
            out.append(buf.getvalue())
    return out
