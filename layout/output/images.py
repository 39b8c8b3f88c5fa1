"""The image pass: photos made ready for the PDF, turned upright, flattened, downsampled
(and for the press, converted to its inks: CMYK, or black only), before the writer sees
the pages.

A JPEG that needs nothing is embedded as it is (no generation loss, no time spent).
Anything else (EXIF-rotated, transparent, 16-bit, palette, far more pixels than the
print needs) is converted once and cached by the file's hash and the target size.
Files are read through photos (formats allowed, bombs refused); every failure is an
InputError naming the file, never a traceback.
"""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..base import files
from ..base.errors import InputError, Where
from ..edition.photos import check_pixels, open_photo, orientation, pil, read_jpeg_header, upright

if TYPE_CHECKING:  # Pillow is loaded only when an image needs it (see above)
    from PIL import Image

MAX_PPI = 300.0           # effective resolution kept at most; more is wasted on newsprint
PASS_PPI = 450.0          # a JPEG up to this resolution is embedded untouched
TAC_TOLERANCE = 2.0       # % over a condition's ink limit that JPEG rounding may give
JPEG_QUALITY = 88
CONVERTER_VERSION = 2


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    width: int
    height: int
    colorspace: str          # DeviceGray, DeviceRGB or DeviceCMYK
    filter: str              # DCTDecode
    decode: tuple | None     # (1 0 1 0 …) for Adobe's inverted CMYK JPEGs
    ppi: float               # effective resolution at the placed size
    ink: float = 0.0         # highest total area coverage, % (CMYK and grey; measured)
    note: str = ""           # what the press conversion did that the preflight reports


def image_cache() -> Path:
    from ..fonts.faces import cache_root

    return cache_root() / "images"


def prepare_pages(pages: list, cache_dir: Path, press=None) -> list:
    """The image pass: every photo of the pages made ready to embed, once per file and
    placed size, downsampled (and for the press, `press` being the edition's output
    settings, converted to its inks at its resolution)."""
    from ..lines.display import Image as ImageItem, ImageData

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
                    p = prepare(item.path, item.w, item.h, cache_dir, color=press.photos,
                                condition=press.condition, intent=press.intent,
                                max_ppi=press.ppi, quality=press.jpeg_quality)
                else:
                    p = prepare(item.path, item.w, item.h, cache_dir)
                data = made[key] = ImageData(key, p.data, p.width, p.height, p.colorspace, p.filter, p.decode,
                                             p.ppi, p.ink, p.note)
            items[k] = item._replace(data=data)
        out.append(page._replace(items=tuple(items)))
    return out


def prepare(path: str, placed_w: float, placed_h: float, cache_dir: Path, color: str = "keep",
            condition: str = "newsprint", intent: str = "perceptual",
            max_ppi: float = MAX_PPI, quality: int = JPEG_QUALITY) -> PreparedImage:
    """The image for a placement of placed_w x placed_h points (the whole image's size
    on the page, before clipping). `color`: keep (as it is), gray (black ink only) or
    cmyk (colour in the condition's inks, grey photos in black only)."""
    data = files.read_input(path)
    digest = hashlib.sha256(data).hexdigest()
    checked = cache_dir / f"{digest[:32]}-v{CONVERTER_VERSION}.checked"

    def passes(turned: int, mode: str | None, ppi: float) -> bool:
        """Embedded as it is: upright, a PDF colour space, not far too sharp; for the
        press only a supplied CMYK file (its ink measured below)."""
        return (turned == 1 and mode in ("L", "RGB", "CMYK") and ppi <= max(PASS_PPI, max_ppi)
                and (color == "keep" or color == "cmyk" and mode == "CMYK"))

    def supplied_cmyk(im, adobe: bool, w: int, h: int, ppi: float) -> PreparedImage | None:
        """A supplied CMYK JPEG goes to press as the agency made it, if its ink keeps
        to the condition's limit (every pixel measured)."""
        from .conditions import CONDITIONS
        from .profile import ink

        im.load()
        used = ink(im)
        if used <= CONDITIONS[condition].tac + TAC_TOLERANCE:
            return PreparedImage(data, w, h, "DeviceCMYK", "DCTDecode", _decode("CMYK", adobe), ppi, used)
        return None

    head = read_jpeg_header(io.BytesIO(data))
    if head is not None:
        check_pixels(head.width, head.height, path)
        w, h = upright(head.width, head.height, head.orientation)
        ppi = _ppi(w, h, placed_w, placed_h)
        mode = {1: "L", 3: "RGB", 4: "CMYK"}[head.components]
        if passes(head.orientation, mode, ppi) and color == "keep":
            if not checked.exists() or not data.rstrip(b"\0").endswith(b"\xff\xd9"):
                with open_photo(path, data) as im:
                    _check_jpeg(im, data, path, checked)
            return PreparedImage(data, w, h, _space(mode), "DCTDecode", _decode(mode, head.adobe), ppi)
    note = ""
    with open_photo(path, data) as im:
        turned = orientation(im)
        w, h = upright(im.width, im.height, turned)
        ppi = _ppi(w, h, placed_w, placed_h)
        if im.format == "JPEG" and passes(turned, im.mode, ppi):
            _check_jpeg(im, data, path, checked)
            if color == "keep":
                return PreparedImage(data, w, h, _space(im.mode), "DCTDecode",
                                     _decode(im.mode, "adobe" in im.info), ppi)
            kept = supplied_cmyk(im, "adobe" in im.info, w, h, ppi)
            if kept is not None:
                return kept
            note = "over-ink"
        target = _target_size(w, h, ppi, max_ppi)
        key = (f"{digest[:32]}-{target[0]}x{target[1]}-{_press_key(color, condition, intent)}{quality}"
               f"-v{CONVERTER_VERSION}")
        # the resolution at this placement: the same conversion serves other sizes too
        placed_ppi = ppi * target[0] / w if w else 0.0
        cached = _from_cache(cache_dir, key, placed_ppi)
        if cached is not None:
            return cached
        out = _convert(im, target, path, color, condition, intent, quality)
    result = PreparedImage(out[0], target[0], target[1], out[1], "DCTDecode", _decode(out[1][6:], True),
                           placed_ppi, out[2], note or out[3])
    _to_cache(cache_dir, key, result)
    return result


def _press_key(color: str, condition: str, intent: str) -> str:
    """The conversion's part of a cache key: the profile's own key, so that a profile
    built again differently never serves an old conversion."""
    if color == "keep":
        return "c"
    from .conditions import CONDITIONS, key

    return f"{color[0]}{key(CONDITIONS[condition])}{intent[0]}"


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


def _convert(im: Image.Image, target: tuple[int, int], path: str, color: str, condition: str,
             intent: str, quality: int) -> tuple[bytes, str, float, str]:
    """(JPEG bytes, colour space, ink %, note): `note` says that a colour photo went
    to black ink only because it has no colour in it."""
    from PIL import Image, ImageOps

    note = ""
    try:
        if im.format == "JPEG":
            im.draft(im.mode, (target[0] if orientation(im) == 1 else target[1],
                               target[1] if orientation(im) == 1 else target[0]))
        im.load()
        icc = im.info.get("icc_profile")
        im = ImageOps.exif_transpose(im)
        im = _flatten(im)
        if icc:
            im.info["icc_profile"] = icc
        if color != "keep":
            from .profile import neutral, to_black, to_cmyk

            if color == "gray" or neutral(im):
                note = "" if color == "gray" or im.mode == "L" else "neutral"
                im = to_black(im, condition)
            else:
                im = to_cmyk(im, condition, intent)
        if im.size != target:
            im = im.resize(target, Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=quality, optimize=True)
    except (OSError, ValueError, SyntaxError) as exc:
        raise InputError(f"cannot read image: {exc}", Where(path), "save it again as JPEG or PNG") from None
    from .profile import ink

    return buf.getvalue(), _space(im.mode), (ink(im) if color != "keep" else 0.0), note


def _flatten(im: Image.Image) -> Image.Image:
    """Gray, RGB or CMYK with no transparency (set on white) and 8 bits."""
    Image = pil()
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
    head = read_jpeg_header(io.BytesIO(body))
    if (digest != hashlib.sha256(body).hexdigest() or head is None or (head.width, head.height) != (width, height)
            or space not in ("DeviceGray", "DeviceRGB", "DeviceCMYK")):
        return None
    return PreparedImage(body, width, height, space, "DCTDecode", _decode(space[6:], head.adobe), ppi,
                         float(info.get("ink", 0.0)), str(info.get("note", "")))


def _to_cache(cache_dir: Path, key: str, image: PreparedImage) -> None:
    """Quietly: a cache that cannot be written only costs time. The record last, so a
    picture without its record is never used."""
    if files.write_cache(cache_dir / f"{key}.jpg", image.data):
        files.write_cache(cache_dir / f"{key}.json", json.dumps(
            {"width": image.width, "height": image.height, "colorspace": image.colorspace,
             "sha256": hashlib.sha256(image.data).hexdigest(), "ink": image.ink, "note": image.note}).encode())
