"""What a press needs beyond the pages: a grey newsprint output profile, photos
converted through it, page boxes, printer's marks and the slug, and the preflight.

The output profile is our own: an ICC v2 grey printer profile whose tone curve models
newsprint dot gain (about 26 % at 40 %, ISO 12647-3's coldset value). It is generated
here, byte for byte the same every time, so it can be shipped and embedded freely.
"""
from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image, ImageCms

from .errors import InputError

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


@dataclass(frozen=True)
class Finding:
    """One preflight finding: what, where, and how bad."""
    kind: str
    message: str


# ---------------------------------------------------------------- marks and slug

MM = 72 / 25.4
SLUG = 15 * MM        # room outside the bleed for marks and the slug line
MARK = 5 * MM         # crop mark length
MARK_GAP = 2 * MM     # crop marks start this far outside the trim (beyond the bleed)
REGISTRATION = "cmyk(100,100,100,100)"  # on every plate
BAR = ("cmyk(100,0,0,0)", "cmyk(0,100,0,0)", "cmyk(0,0,100,0)", "cmyk(0,0,0,100)",
       "cmyk(0,0,0,75)", "cmyk(0,0,0,50)", "cmyk(0,0,0,25)", "cmyk(0,0,0,10)")


def press_pages(pages, edition, setter, now: str | None = None) -> list:
    """The pages with bleed and, when the edition asks for marks, the slug area with
    crop and registration marks, a colour bar and the slug line."""
    from .display import PageOut, Panel, Rule

    out = []
    settings = edition.source.output
    bleed = edition.geometry.bleed
    for page in pages:
        if not settings.marks:
            out.append(PageOut(page.number, page.width, page.height, page.items, bleed, 0.0))
            continue
        w, h = page.width, page.height
        items = []
        start = max(bleed, 0.0) + MARK_GAP
        for x, y, dx, dy in ((0, 0, -1, -1), (w, 0, 1, -1), (0, h, -1, 1), (w, h, 1, 1)):
            items.append(Rule(x + dx * start, y, x + dx * (start + MARK), y, 0.25, REGISTRATION))
            items.append(Rule(x, y + dy * start, x, y + dy * (start + MARK), 0.25, REGISTRATION))
        centre = start + MARK / 2
        for cx, cy in ((w / 2, -centre), (w / 2, h + centre), (-centre, h / 2), (w + centre, h / 2)):
            r = MARK / 3
            items.append(Panel(cx - r / 2, cy - r / 2, r, r, None, REGISTRATION, 0.25))
            items.append(Rule(cx - r, cy, cx + r, cy, 0.25, REGISTRATION))
            items.append(Rule(cx, cy - r, cx, cy + r, 0.25, REGISTRATION))
        patch = 5 * MM
        for k, color in enumerate(BAR):
            items.append(Panel(w / 2 + MARK + k * patch, -start - patch, patch, patch, color))
        text = settings.slug.format(**edition.template_fields(page.number))
        if settings.slug_time and now:
            text += f"  {now}"
        try:
            lines = setter.lines(text, "slug", w / 2, align="start")
        except InputError as exc:  # a character of the slug (or of the paper's name) no font has
            raise InputError(f"the slug line: {exc.message}", edition.places.get(("slug",)), exc.hint) from None
        for line in lines[:1]:  # (an empty slug is none)
            items += [r.moved(0, h + start + MARK) for r in line.runs]
        out.append(PageOut(page.number, w, h, page.items + tuple(items), bleed, start + MARK + SLUG * 0.3))
    return out


# ---------------------------------------------------------------- preflight

def preflight(pages, edition, report, press: bool) -> list[Finding]:
    """What a prepress department would flag: low-resolution photos, photos in RGB in a
    press render that keeps them, overset and text that outgrows its frame."""
    from .display import Image as ImageItem
    from .images import pixel_size

    settings = edition.source.output
    findings = []
    for page in pages:
        for item in page.items:
            if not isinstance(item, ImageItem):
                continue
            w, h = pixel_size(item.path)
            ppi = min(w / (item.w / 72), h / (item.h / 72))
            name = item.path.rsplit("/", 1)[-1]
            if ppi < settings.min_ppi:
                findings.append(Finding("resolution", f"page {page.number}: photo {name} has {ppi:.0f} ppi "
                                                      f"at its size (minimum {settings.min_ppi:.0f})"))
            if press and settings.photos == "keep":
                with Image.open(item.path) as im:
                    if im.mode not in ("L", "CMYK"):
                        findings.append(Finding("colour", f"page {page.number}: photo {name} is {im.mode}, "
                                                          "not grey or CMYK (output.photos: keep)"))
    for entry in report.overset:
        findings.append(Finding("overset", f"story '{entry['story']}' is overset on page {entry['page']}: "
                                           f"{entry['chars']} characters"))
    for entry in report.overflow:
        why = (f"'{entry['too_wide'][:12]}' has a character wider than the frame" if entry.get("too_wide")
               else f"{entry['mm']} mm too short")
        findings.append(Finding("overflow", f"page {entry['page']}, element {entry['element']} "
                                            f"({entry['type']}): {entry['chars']} characters did not fit its "
                                            f"frame ({why})"))
    return findings
