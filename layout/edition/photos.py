"""Photo files read safely: only the formats we take (never EPS or PostScript, on which
Pillow would run Ghostscript), no decompression bombs, a regular file only; a JPEG's
size, components and orientation read from its header without Pillow (10 ms to
import), which is loaded only for an image that must be decoded.

Composition asks here for a photo's size; the image pass (images) for its pixels.
Every failure is an InputError naming the file, never a traceback.
"""
from __future__ import annotations

import io
import os
import struct
import warnings
from typing import TYPE_CHECKING, NamedTuple

from ..base import files
from ..base.errors import InputError, Where

if TYPE_CHECKING:  # Pillow is loaded only when an image needs it (see above)
    from PIL import Image

MAX_PIXELS = 120_000_000  # larger images are refused (a decompression bomb looks like one)
# what Pillow may open, whatever a file's name says: never EPS or PostScript (Pillow
# runs Ghostscript on them), nor any of its other plugins
FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "GIF")


class JpegHeader(NamedTuple):
    width: int
    height: int
    components: int  # 1 grey, 3 RGB/YCbCr, 4 CMYK
    orientation: int  # EXIF, 1 = upright
    adobe: bool  # an Adobe APP14 segment (Photoshop's inverted CMYK)


_SOF = frozenset((0xC0, 0xC1, 0xC2))  # baseline, extended and progressive Huffman


def jpeg_header(path: str) -> JpegHeader | None:
    """The header of an 8-bit Huffman JPEG, read segment by segment up to its frame;
    None for anything else (Pillow then reads it, or says what is wrong)."""
    try:
        with os.fdopen(files.open_input(path), "rb") as fh:
            return read_jpeg_header(fh)
    except (OSError, InputError):
        return None


def read_jpeg_header(fh) -> JpegHeader | None:
    if fh.read(2) != b"\xff\xd8":
        return None
    orientation, adobe = 1, False
    while True:
        marker = fh.read(2)
        while marker[:1] == b"\xff" and marker[1:] == b"\xff":  # fill bytes
            marker = marker[1:] + fh.read(1)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        kind = marker[1]
        if 0xD0 <= kind <= 0xD7 or kind == 0x01:
            continue  # no length
        size = fh.read(2)
        if len(size) < 2:
            return None
        length = struct.unpack(">H", size)[0] - 2
        if length < 0 or kind in (0xD9, 0xDA):
            return None  # end of image or scan before any frame
        if kind in _SOF:
            frame = fh.read(length)
            if len(frame) < 6:
                return None
            precision, height, width, components = struct.unpack_from(">BHHB", frame)
            if precision != 8 or components not in (1, 3, 4) or not width or not height:
                return None
            return JpegHeader(width, height, components, orientation, adobe)
        if 0xC3 <= kind <= 0xCF and kind not in (0xC4, 0xC8, 0xCC):
            return None  # lossless, hierarchical or arithmetic: leave it to Pillow
        if kind == 0xE1 or kind == 0xEE:
            payload = fh.read(length)
            if kind == 0xEE and payload.startswith(b"Adobe"):
                adobe = True
            elif kind == 0xE1 and payload.startswith(b"Exif\0\0"):
                orientation = _exiforientation(payload[6:])
        else:
            fh.seek(length, os.SEEK_CUR)


def _exiforientation(tiff: bytes) -> int:
    """Tag 0x0112 of a TIFF structure's first IFD, 1 when absent or unreadable."""
    try:
        order = {b"II": "<", b"MM": ">"}[tiff[:2]]
        ifd = struct.unpack_from(order + "I", tiff, 4)[0]
        count = struct.unpack_from(order + "H", tiff, ifd)[0]
        for k in range(count):
            tag, kind, _, value = struct.unpack_from(order + "HHI4s", tiff, ifd + 2 + 12 * k)
            if tag == 0x0112 and kind == 3:
                return struct.unpack_from(order + "H", value)[0]
    except (KeyError, struct.error):
        pass
    return 1


def pil():
    from PIL import Image

    return Image


def open_photo(path: str, data: bytes | None = None) -> Image.Image:
    """The image in Pillow, from its bytes (read here as a regular file when not given),
    as one of FORMATS only."""
    Image = pil()
    where = Where(path)
    if data is None:
        data = files.read_input(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            old = Image.MAX_IMAGE_PIXELS
            Image.MAX_IMAGE_PIXELS = MAX_PIXELS
            try:
                im = Image.open(io.BytesIO(data), formats=FORMATS)
                im.size  # noqa: B018 - the header is read here
            finally:
                Image.MAX_IMAGE_PIXELS = old
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InputError(f"image has more than {MAX_PIXELS // 1_000_000} megapixels", where,
                             "scale it down before placing it") from None
        except Image.UnidentifiedImageError:
            raise InputError("cannot read image: it is not a JPEG, PNG, TIFF, WebP or GIF file", where,
                             "save it again as JPEG or PNG") from None
        except (OSError, ValueError, SyntaxError) as exc:
            raise InputError(f"cannot read image: {exc}", where,
                             "save it again as JPEG or PNG") from None
    check_pixels(im.width, im.height, path)
    return im


def check_pixels(width: int, height: int, path: str) -> None:
    if width * height > MAX_PIXELS:
        raise InputError(f"image has more than {MAX_PIXELS // 1_000_000} megapixels", Where(path),
                         "scale it down before placing it")


def orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1))
    except (OSError, ValueError, TypeError):
        return 1


def pixel_size(path: str) -> tuple[int, int]:
    """Width and height as the photo is seen: after its EXIF orientation."""
    head = jpeg_header(path)
    if head is not None:
        check_pixels(head.width, head.height, path)
        return upright(head.width, head.height, head.orientation)
    with open_photo(path) as im:
        return upright(im.width, im.height, orientation(im))


def image_mode(path: str) -> str:
    """Pillow's mode of a photo (L, RGB, CMYK, ...), opened as one of the formats we take."""
    with open_photo(path) as im:
        return im.mode


def upright(width: int, height: int, orientation: int) -> tuple[int, int]:
    """The size as seen: EXIF orientations 5 to 8 turn the image a quarter."""
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)
