"""Photos made ready for the PDF: read safely, turned upright, flattened, downsampled.

A JPEG that needs nothing is embedded as it is (no generation loss, no time spent).
Anything else (EXIF-rotated, transparent, 16-bit, palette, far more pixels than the
print needs) is converted once and cached by the file's hash and the target size.
Every failure is an InputError naming the file, never a traceback.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from .errors import InputError, Where

MAX_PIXELS = 120_000_000  # larger images are refused (a decompression bomb looks like one)
MAX_PPI = 300.0           # effective resolution kept at most; more is wasted on newsprint
PASS_PPI = 450.0          # a JPEG up to this resolution is embedded untouched
JPEG_QUALITY = 88
CONVERTER_VERSION = 1


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    width: int
    height: int
    colorspace: str          # DeviceGray, DeviceRGB or DeviceCMYK
    filter: str              # DCTDecode
    decode: tuple | None     # (1 0 1 0 …) for Adobe's inverted CMYK JPEGs
    ppi: float               # effective resolution at the placed size


def _open(path: str) -> Image.Image:
    where = Where(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            old = Image.MAX_IMAGE_PIXELS
            Image.MAX_IMAGE_PIXELS = MAX_PIXELS
            try:
                im = Image.open(path)
                im.size  # noqa: B018 - the header is read here
            finally:
                Image.MAX_IMAGE_PIXELS = old
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InputError(f"image has more than {MAX_PIXELS // 1_000_000} megapixels", where,
                             "scale it down before placing it") from None
        except FileNotFoundError:
            raise InputError("image file not found", where) from None
        except (OSError, ValueError, SyntaxError) as exc:
            raise InputError(f"cannot read image: {exc}", where,
                             "save it again as JPEG or PNG") from None
    if im.width * im.height > MAX_PIXELS:
        raise InputError(f"image has more than {MAX_PIXELS // 1_000_000} megapixels", where,
                         "scale it down before placing it")
    return im


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1))
    except (OSError, ValueError, TypeError):
        return 1


def pixel_size(path: str) -> tuple[int, int]:
    """Width and height as the photo is seen: after its EXIF orientation."""
    with _open(path) as im:
        w, h = im.size
        return (h, w) if _orientation(im) in (5, 6, 7, 8) else (w, h)


def prepare(path: str, placed_w: float, placed_h: float, cache_dir: Path, gray: bool = False,
            max_ppi: float = MAX_PPI, quality: int = JPEG_QUALITY) -> PreparedImage:
    """The image for a placement of placed_w x placed_h points (the whole image's size
    on the page, before clipping); `gray` converts it to newsprint grey for the press."""
    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    with _open(path) as im:
        w, h = pixel_size(path)
        ppi = min(w / (placed_w / 72), h / (placed_h / 72)) if placed_w > 0 and placed_h > 0 else 0.0
        if (im.format == "JPEG" and _orientation(im) == 1 and im.mode in ("L", "RGB", "CMYK")
                and ppi <= max(PASS_PPI, max_ppi) and (not gray or im.mode == "L")):
            _check_jpeg(im, data, path, cache_dir / f"{digest[:32]}-v{CONVERTER_VERSION}.checked")
            return PreparedImage(data, w, h, _space(im.mode), "DCTDecode", _decode(im), ppi)
        target = _target_size(w, h, ppi, max_ppi)
        key = f"{digest[:32]}-{target[0]}x{target[1]}-{'g' if gray else 'c'}{quality}-v{CONVERTER_VERSION}"
        cached = _from_cache(cache_dir, key, ppi)
        if cached is not None:
            return cached
        out = _convert(im, target, path, gray, quality)
    result = PreparedImage(out[0], target[0], target[1], out[1], "DCTDecode", None,
                           ppi * target[0] / w if w else 0.0)
    _to_cache(cache_dir, key, result)
    return result


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


def _decode(im: Image.Image):
    # Photoshop writes CMYK JPEGs inverted, marked by an Adobe APP14 segment
    if im.mode == "CMYK" and "adobe" in im.info:
        return (1, 0, 1, 0, 1, 0, 1, 0)
    return None


def _target_size(w: int, h: int, ppi: float, max_ppi: float) -> tuple[int, int]:
    if ppi <= max_ppi or ppi == 0:
        return w, h
    scale = max_ppi / ppi
    return max(1, round(w * scale)), max(1, round(h * scale))


def _convert(im: Image.Image, target: tuple[int, int], path: str, gray: bool,
             quality: int) -> tuple[bytes, str]:
    try:
        if im.format == "JPEG":
            im.draft(im.mode, (target[0] if _orientation(im) == 1 else target[1],
                               target[1] if _orientation(im) == 1 else target[0]))
        im.load()
        icc = im.info.get("icc_profile")
        im = ImageOps.exif_transpose(im)
        im = _flatten(im)
        if gray:
            from .prepress import to_gray

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
    meta = cache_dir / f"{key}.json"
    body = cache_dir / f"{key}.jpg"
    try:
        info = json.loads(meta.read_text())
        return PreparedImage(body.read_bytes(), info["width"], info["height"], info["colorspace"],
                             "DCTDecode", None, info["ppi"])
    except (OSError, ValueError, KeyError):
        return None


def _to_cache(cache_dir: Path, key: str, image: PreparedImage) -> None:
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for suffix, payload in ((".jpg", image.data), (".json", json.dumps(
                {"width": image.width, "height": image.height, "colorspace": image.colorspace,
                 "ppi": image.ppi}).encode())):
            fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".part")
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            os.replace(tmp, cache_dir / f"{key}{suffix}")
    except OSError:
        pass  # a cache that cannot be written only costs time
