"""The press's colour: photos converted to the printing condition's inks through its
CMYK profile (conditions.py builds them), and the output intent a PDF/X file carries.

Colour photos go to CMYK through LittleCMS, from their own profile (sRGB when none), in
the edition's rendering intent with black point compensation; the profile's ink limit
and black generation come with it. A photo with no colour in it goes to black ink only
(DeviceGray, 255 - K), through the lightness the press gives black ink alone, so a grey
photo never prints as a four-colour grey that shifts when the plates drift.
"""
from __future__ import annotations

import io
from functools import lru_cache
from typing import NamedTuple

from PIL import Image, ImageCms


class OutputIntent(NamedTuple):
    """What a PDF/X file says it was made for: the profile and its condition."""
    profile: bytes
    condition: str
    components: int  # 1 grey, 4 CMYK
    identifier: str = "Custom"  # OutputConditionIdentifier: a registered condition's name


INTENTS = {"perceptual": 0, "relative": 1}  # ImageCms.Intent values


def cmyk_intent(condition: str) -> OutputIntent:
    """The output intent of a CMYK press file: the condition's profile (conditions.py)."""
    from .conditions import CONDITIONS, profile

    c = CONDITIONS[condition]
    return OutputIntent(profile(condition), c.info, 4, c.identifier)


def _lab_profile():
    return ImageCms.createProfile("LAB", 5000)


@lru_cache(maxsize=8)
def _k_lightness(condition: str) -> tuple[float, ...]:
    """L* (0-100) of black ink alone at each of 256 steps, as the press prints it
    (relative to its paper)."""
    from .conditions import profile

    ramp = Image.new("CMYK", (256, 1))
    ramp.putdata([(0, 0, 0, k) for k in range(256)])
    cmyk = ImageCms.ImageCmsProfile(io.BytesIO(profile(condition)))
    lab = ImageCms.profileToProfile(ramp, cmyk, _lab_profile(), outputMode="LAB",
                                    renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    return tuple(v * 100 / 255 for v in lab.getchannel("L").get_flattened_data())


@lru_cache(maxsize=8)
def _k_table(condition: str) -> tuple[int, ...]:
    """Source L* (0-255 as Pillow's LAB stores it) -> DeviceGray value that prints it in
    black ink only: the paper's white for L* 100, full black for L* 0 (black point
    compensation), the tones between at the lightness the press gives them."""
    light = _k_lightness(condition)
    white, black = light[0], light[-1]
    return tuple(255 - _ink_for(light, black + (white - black) * v / 255) for v in range(256))


def _ink_for(light: tuple, target: float) -> int:
    """The ink value (0-255) whose lightness is `target`; lightness falls as ink rises."""
    lo, hi = 0, len(light) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if light[mid] >= target:
            lo = mid
        else:
            hi = mid
    if light[lo] == light[hi]:
        return lo
    return round(lo + min(1.0, max(0.0, (light[lo] - target) / (light[lo] - light[hi]))))


def _source_profile(im: Image.Image):
    data = im.info.get("icc_profile")
    if data:
        try:
            return ImageCms.ImageCmsProfile(io.BytesIO(data))
        except (OSError, ImageCms.PyCMSError):
            pass
    return ImageCms.createProfile("sRGB") if im.mode != "CMYK" else None


def neutral(im: Image.Image, tolerance: int = 3) -> bool:
    """A photo with no colour in it (a grey scan saved as RGB): it goes to black ink only."""
    if im.mode == "L":
        return True
    if im.mode != "RGB":
        return False
    small = im.copy()
    small.thumbnail((256, 256))
    r, g, b = small.split()
    from PIL import ImageChops

    spread = ImageChops.lighter(ImageChops.difference(r, g), ImageChops.difference(g, b))
    return spread.getextrema()[1] <= tolerance


def to_black(im: Image.Image, condition: str) -> Image.Image:
    """Any photo as black ink only (DeviceGray: 255 - K), through the press's tone for
    black: lightness from the photo's own profile (sRGB when none)."""
    if im.mode == "CMYK":
        im = to_rgb(im)
    if im.mode == "L":
        im = im.convert("RGB")  # an untagged grey is sRGB grey
    source = _source_profile(im)
    lab = ImageCms.profileToProfile(im, source, _lab_profile(), outputMode="LAB",
                                    renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    return lab.getchannel("L").point(list(_k_table(condition)))


def to_rgb(im: Image.Image) -> Image.Image:
    """A CMYK photo on screen colours: through its own profile, or the coated FOGRA39
    condition an agency most often separates for (a CMYK file without a profile says
    nothing better)."""
    source = _source_profile(im)
    if source is None:
        from .conditions import ProfileMissing, profile

        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile("coated")))
        except ProfileMissing:
            return im.convert("RGB")
    return ImageCms.profileToProfile(im, source, ImageCms.createProfile("sRGB"), outputMode="RGB",
                                     renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)


def to_cmyk(im: Image.Image, condition: str, intent: str) -> Image.Image:
    """A colour photo in the press's inks, through LittleCMS: from its own profile (sRGB
    when none), in the edition's rendering intent, with black point compensation."""
    from .conditions import profile

    if im.mode == "CMYK":
        im = to_rgb(im)
    if im.mode != "RGB":
        im = im.convert("RGB")
    target = ImageCms.ImageCmsProfile(io.BytesIO(profile(condition)))
    return ImageCms.profileToProfile(im, _source_profile(im), target, outputMode="CMYK",
                                     renderingIntent=ImageCms.Intent(INTENTS[intent]),
                                     flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)


def ink(im: Image.Image) -> float:
    """The highest total area coverage of a picture, in % (every pixel measured; Pillow
    has undone an Adobe JPEG's inversion)."""
    if im.mode != "CMYK":
        return 0.0 if im.mode != "L" else 100.0 - im.getextrema()[0] / 2.55
    from PIL import ImageMath

    bands = im.split()
    total = ImageMath.lambda_eval(lambda a: a["c"] + a["m"] + a["y"] + a["k"],
                                  c=bands[0], m=bands[1], y=bands[2], k=bands[3])
    return total.getextrema()[1] / 2.55


def rgb_to_cmyk(color: str, condition: str) -> str:
    """An RGB colour of the edition (rgb(r,g,b), sRGB) in the condition's inks, as
    cmyk(c,m,y,k) in whole percent: relative colorimetric with black point compensation
    (a flat colour has no gamut of its own to compress)."""
    from .conditions import profile

    r, g, b = (int(v) for v in color[4:-1].split(","))
    target = ImageCms.ImageCmsProfile(io.BytesIO(profile(condition)))
    px = ImageCms.profileToProfile(Image.new("RGB", (1, 1), (r, g, b)), ImageCms.createProfile("sRGB"), target,
                                   outputMode="CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                   flags=ImageCms.Flags.BLACKPOINTCOMPENSATION).getpixel((0, 0))
    return "cmyk({},{},{},{})".format(*(round(v / 2.55) for v in px))
