"""The press's colour: our grey newsprint output profile, photos converted through it,
and the output intent a PDF/X file carries.

The output profile is our own: an ICC v2 grey printer profile whose tone curve models
newsprint dot gain (about 26 % at 40 %, ISO 12647-3's coldset value). It is generated
here, byte for byte the same every time, so it can be shipped and embedded freely.
"""
from __future__ import annotations

import io
import struct
from typing import NamedTuple

from PIL import Image, ImageCms


DOT_GAIN_AT_40 = 0.26  # coldset newsprint (ISO 12647-3)
PROFILE_NAME = "paiban newsprint gray (dot gain 26%)"
CONDITION = "Coldset newsprint, grey, dot gain 26% at 40%"


def _tag_text(text: str) -> bytes:
    return b"text" + b"\0\0\0\0" + text.encode("ascii") + b"\0"


def _tag_desc(text: str) -> bytes:
    ascii_ = text.encode("ascii") + b"\0"
    return (b"desc" + b"\0\0\0\0" + struct.pack(">I", len(ascii_)) + ascii_
            + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + b"\0" * 67)


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def _tone_curve(points: int = 256) -> list[int]:
    """Device value (ink) -> PCS lightness as the ICC grey TRC wants it (0 = no light).

    The TRC maps the device value to luminance Y: for ink fraction a, the printed tone
    is a + gain(a), with gain a parabola peaking DOT_GAIN_AT_40 near 40-50 %; Y is
    1 - tone, so that 0 (device black) is the darkest."""
    out = []
    for k in range(points):
        device = k / (points - 1)          # 0 = black, 1 = white in a grey profile
        ink = 1.0 - device
        gain = DOT_GAIN_AT_40 * 4 * ink * (1 - ink) / (4 * 0.4 * 0.6) * 0.96
        tone = min(1.0, ink + gain)
        out.append(round((1.0 - tone) * 65535))
    return out


def gray_profile() -> bytes:
    """The ICC v2 output ('prtr') grey profile, deterministic bytes."""
    curve = _tone_curve()
    tags = [
        (b"desc", _tag_desc(PROFILE_NAME)),
        (b"cprt", _tag_text("Public domain. Made by paiban.")),
        (b"wtpt", b"XYZ " + b"\0\0\0\0" + _s15(0.9642) + _s15(1.0) + _s15(0.8249)),
        (b"kTRC", b"curv" + b"\0\0\0\0" + struct.pack(">I", len(curve)) + struct.pack(f">{len(curve)}H", *curve)),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for sig, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = struct.pack(">I4sI4s4s4s", size, b"lcms", 0x02100000, b"prtr", b"GRAY", b"XYZ ")
    header += struct.pack(">6H", 2026, 1, 1, 0, 0, 0)  # a fixed date: the same bytes every time
    header += b"acsp" + b"APPL" + struct.pack(">I", 0) + b"\0" * 4 + b"\0" * 4 + struct.pack(">Q", 0)
    header += struct.pack(">I", 0)  # rendering intent: perceptual
    header += _s15(0.9642) + _s15(1.0) + _s15(0.8249)  # D50
    header += b"lcms" + b"\0" * 44
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def to_gray(im: Image.Image) -> Image.Image:
    """A photo converted to the newsprint grey of the output profile (sRGB assumed for
    untagged RGB; an embedded profile is used when the photo has one)."""
    src_bytes = im.info.get("icc_profile")
    if im.mode == "L":
        return im
    if im.mode == "CMYK" and not src_bytes:
        im = im.convert("RGB")
    source = ImageCms.ImageCmsProfile(io.BytesIO(src_bytes)) if src_bytes else ImageCms.createProfile("sRGB")
    target = ImageCms.ImageCmsProfile(io.BytesIO(gray_profile()))
    mode = im.mode if im.mode in ("RGB", "CMYK") else "RGB"
    if im.mode != mode:
        im = im.convert(mode)
    try:
        return ImageCms.profileToProfile(im, source, target, outputMode="L")
    except ImageCms.PyCMSError:
        return ImageCms.profileToProfile(im.convert("RGB"), ImageCms.createProfile("sRGB"), target,
                                         outputMode="L")


class OutputIntent(NamedTuple):
    """What a PDF/X file says it was made for: the profile and its condition."""
    profile: bytes
    condition: str
    components: int  # 1 grey, 4 CMYK


def newsprint_intent() -> OutputIntent:
    return OutputIntent(gray_profile(), CONDITION, 1)
