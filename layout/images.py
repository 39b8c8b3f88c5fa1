"""Photos made ready for the PDF: read safely, turned upright, flattened, downsampled.

A JPEG that needs nothing is embedded as it is (no generation loss, no time spent).
Anything else (EXIF-rotated, transparent, 16-bit, palette, far more pixels than the
print needs) is converted once and cached by the file's hash and the target size.
Every failure is an InputError naming the file, never a traceback.

A JPEG's size, components and orientation are read from its header here; Pillow
(10 ms to import) is loaded only for an image that must be decoded or converted.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import files
from .errors import InputError, Where

if TYPE_CHECKING:  # Pillow is loaded only when an image needs it (see above)
    from PIL import Image

MAX_PIXELS = 120_000_000  # larger images are refused (a decompression bomb looks like one)
MAX_PPI = 300.0           # effective resolution kept at most; more is wasted on newsprint
PASS_PPI = 450.0          # a JPEG up to this resolution is embedded untouched
JPEG_QUALITY = 88
CONVERTER_VERSION = 1
# what Pillow may open, whatever a file's name says: never EPS or PostScript (Pillow
# runs Ghostscript on them), nor any of its other plugins
FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "GIF")


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    width: int
    height: int
    colorspace: str          # DeviceGray, DeviceRGB or DeviceCMYK
    filter: str              # DCTDecode
    decode: tuple | None     # (1 0 1 0 …) for Adobe's inverted CMYK JPEGs
    ppi: float               # effective resolution at the placed size


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
            return _jpeg_header(fh)
    except (OSError, InputError):
        return None


def _jpeg_header(fh) -> JpegHeader | None:
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
                orientation = _exif_orientation(payload[6:])
        else:
            fh.seek(length, os.SEEK_CUR)


def _exif_orientation(tiff: bytes) -> int:
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


def _pil():
    from PIL import Image

    return Image


def _open(path: str, data: bytes | None = None) -> Image.Image:
    """The image in Pillow, from its bytes (read here as a regular file when not given),
    as one of FORMATS only."""
    Image = _pil()
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
    _check_pixels(im.width, im.height, path)
    return im


def _check_pixels(width: int, height: int, path: str) -> None:
    if width * height > MAX_PIXELS:
        raise InputError(f"image has more than {MAX_PIXELS // 1_000_000} megapixels", Where(path),
                         "scale it down before placing it")


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1))
    except (OSError, ValueError, TypeError):
        return 1


def pixel_size(path: str) -> tuple[int, int]:
    """Width and height as the photo is seen: after its EXIF orientation."""
    head = jpeg_header(path)
    if head is not None:
        _check_pixels(head.width, head.height, path)
        return _upright(head.width, head.height, head.orientation)
    with _open(path) as im:
        return _upright(im.width, im.height, _orientation(im))


def image_cache() -> Path:
    from .fonts import cache_root

    return cache_root() / "images"


def image_mode(path: str) -> str:
    """Pillow's mode of a photo (L, RGB, CMYK, ...), opened as one of the formats we take."""
    with _open(path) as im:
        return im.mode


def prepare_pages(pages: list, cache_dir: Path, press=None) -> list:
    """The image pass: every photo of the pages made ready to embed, once per file and
    placed size, downsampled (and for the press, `press` being the edition's output
    settings, converted to its photo colour at its resolution)."""
    from .display import Image as ImageItem, ImageData

    made: dict[tuple, ImageData] = {}
    out = []
    for page in pages:
        items = list(page.items)
        for k, item in enumerate(items):
            if not isinstance(item, ImageItem) or item.data is not None:
                continue
            key = (item.path, round(item.w, 2), round(item.h, 2))
            data = made.get(key)
            if data is None:
                if press is not None:
                    p = prepare(item.path, item.w, item.h, cache_dir, gray=press.photos == "gray",
                                max_ppi=press.ppi, quality=press.jpeg_quality)
                else:
                    p = prepare(item.path, item.w, item.h, cache_dir)
                data = made[key] = ImageData(key, p.data, p.width, p.height, p.colorspace, p.filter, p.decode)
            items[k] = item._replace(data=data)
        out.append(page._replace(items=tuple(items)))
    return out


def prepare(path: str, placed_w: float, placed_h: float, cache_dir: Path, gray: bool = False,
            max_ppi: float = MAX_PPI, quality: int = JPEG_QUALITY) -> PreparedImage:
    """The image for a placement of placed_w x placed_h points (the whole image's size
    on the page, before clipping); `gray` converts it to newsprint grey for the press."""
    data = files.read_input(path)
    digest = hashlib.sha256(data).hexdigest()
    checked = cache_dir / f"{digest[:32]}-v{CONVERTER_VERSION}.checked"

    def passes(orientation: int, mode: str | None, ppi: float) -> bool:
        """Embedded as it is: upright, a PDF colour space, not far too sharp, and grey
        already if grey is asked for."""
        return (orientation == 1 and mode in ("L", "RGB", "CMYK") and ppi <= max(PASS_PPI, max_ppi)
                and (not gray or mode == "L"))

    head = _jpeg_header(io.BytesIO(data))
    if head is not None:
        _check_pixels(head.width, head.height, path)
        w, h = _upright(head.width, head.height, head.orientation)
        ppi = _ppi(w, h, placed_w, placed_h)
        mode = {1: "L", 3: "RGB", 4: "CMYK"}[head.components]
        if passes(head.orientation, mode, ppi):
            if not checked.exists() or not data.rstrip(b"\0").endswith(b"\xff\xd9"):
                with _open(path, data) as im:
                    _check_jpeg(im, data, path, checked)
            return PreparedImage(data, w, h, _space(mode), "DCTDecode", _decode(mode, head.adobe), ppi)
    with _open(path, data) as im:
        orientation = _orientation(im)
        w, h = _upright(im.width, im.height, orientation)
        ppi = _ppi(w, h, placed_w, placed_h)
        if im.format == "JPEG" and passes(orientation, im.mode, ppi):
            _check_jpeg(im, data, path, checked)
            return PreparedImage(data, w, h, _space(im.mode), "DCTDecode",
                                 _decode(im.mode, "adobe" in im.info), ppi)
        target = _target_size(w, h, ppi, max_ppi)
        key = f"{digest[:32]}-{target[0]}x{target[1]}-{'g' if gray else 'c'}{quality}-v{CONVERTER_VERSION}"
        # the resolution at this placement: the same conversion serves other sizes too
        placed_ppi = ppi * target[0] / w if w else 0.0
        cached = _from_cache(cache_dir, key, placed_ppi)
        if cached is not None:
            return cached
        out = _convert(im, target, path, gray, quality)
    result = PreparedImage(out[0], target[0], target[1], out[1], "DCTDecode", None, placed_ppi)
    _to_cache(cache_dir, key, result)
    return result


def _upright(width: int, height: int, orientation: int) -> tuple[int, int]:
    """The size as seen: EXIF orientations 5 to 8 turn the image a quarter."""
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _ppi(w: int, h: int, placed_w: float, placed_h: float) -> float:
    return min(w / (placed_w / 72), h / (placed_h / 72)) if placed_w > 0 and placed_h > 0 else 0.0


def _check_jpeg(im: Image.Image, data: bytes, path: str, checked: Path) -> None:
    """A JPEG embedded as it is must be whole: it ends with its EOI marker and decodes
    (at an eighth of its size: a few milliseconds a photo, so a file whose exact bytes
    decoded once is marked in the cache, `checked`, by their hash)."""
    if not data.rstrip(b"\0").endswith(b"\xff\xd9"):
        raise InputError("cannot read image: the JPEG file is cut short", Where(path),
                         "copy or export the photo again")
    if checked.exists():
        return
    try:
        im.draft(im.mode, (max(1, im.width // 8), max(1, im.height // 8)))
        im.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise InputError(f"cannot read image: {exc}", Where(path), "copy or export the photo again") from None
    try:
        checked.parent.mkdir(parents=True, exist_ok=True)
        checked.touch()
    except OSError:
        pass  # a cache that cannot be written only costs time


def _space(mode: str) -> str:
    return {"L": "DeviceGray", "RGB": "DeviceRGB", "CMYK": "DeviceCMYK"}[mode]


def _decode(mode: str, adobe: bool):
    # Photoshop writes CMYK JPEGs inverted, marked by an Adobe APP14 segment
    return (1, 0, 1, 0, 1, 0, 1, 0) if mode == "CMYK" and adobe else None


def _target_size(w: int, h: int, ppi: float, max_ppi: float) -> tuple[int, int]:
    if ppi <= max_ppi or ppi == 0:
        return w, h
    scale = max_ppi / ppi
    return max(1, round(w * scale)), max(1, round(h * scale))


def _convert(im: Image.Image, target: tuple[int, int], path: str, gray: bool,
             quality: int) -> tuple[bytes, str]:
    from PIL import Image, ImageOps

    try:
        if im.format == "JPEG":
            im.draft(im.mode, (target[0] if _orientation(im) == 1 else target[1],
                               target[1] if _orientation(im) == 1 else target[0]))
        im.load()
        icc = im.info.get("icc_profile")
        im = ImageOps.exif_transpose(im)
        im = _flatten(im)
        if gray:
            from .profile import to_gray

            if icc:
                im.info["icc_profile"] = icc
            im = to_gray(im)
        if im.size != target:
            im = im.resize(target, Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=quality, optimize=True)
    except (OSError, ValueError, SyntaxError) as exc:
        raise InputError(f"cannot read image: {exc}", Where(path), "save it again as JPEG or PNG") from None
    return buf.getvalue(), _space(im.mode)


def _flatten(im: Image.Image) -> Image.Image:
    """Gray, RGB or CMYK with no transparency (set on white) and 8 bits."""
    Image = _pil()
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        return im.point(lambda v: v / 256).convert("L") if im.mode != "I" else im.convert("L")
    if im.mode == "1":
        return im.convert("L")
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("RGBA", "LA", "PA"):
        rgba = im.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white.convert("L") if im.mode == "LA" else white
    if im.mode in ("L", "RGB", "CMYK"):
        return im
    return im.convert("RGB")


def _from_cache(cache_dir: Path, key: str, ppi: float) -> PreparedImage | None:
    """A conversion made before, when it is whole: its bytes have the hash and the
    JPEG frame the record gives (a damaged or foreign cache is made again)."""
    meta, body = files.read_cache(cache_dir / f"{key}.json"), files.read_cache(cache_dir / f"{key}.jpg")
    if meta is None or body is None:
        return None
    try:
        info = json.loads(meta)
        width, height, space, digest = info["width"], info["height"], info["colorspace"], info["sha256"]
    except (ValueError, KeyError, TypeError):
        return None
    head = _jpeg_header(io.BytesIO(body))
    if (digest != hashlib.sha256(body).hexdigest() or head is None or (head.width, head.height) != (width, height)
            or space not in ("DeviceGray", "DeviceRGB", "DeviceCMYK")):
        return None
    return PreparedImage(body, width, height, space, "DCTDecode", None, ppi)


def _to_cache(cache_dir: Path, key: str, image: PreparedImage) -> None:
    """Quietly: a cache that cannot be written only costs time. The record last, so a
    picture without its record is never used."""
    if files.write_cache(cache_dir / f"{key}.jpg", image.data):
        files.write_cache(cache_dir / f"{key}.json", json.dumps(
            {"width": image.width, "height": image.height, "colorspace": image.colorspace,
             "sha256": hashlib.sha256(image.data).hexdigest()}).encode())
