"""Supplied artwork placed in a frame: an ad, the masthead's lettering.

One rule for both, so an ad and a lettering file behave alike: the artwork (a PDF page
as read at load, or an image) is scaled to the frame by `fit` (whole and centred; to
cover it, centred and cut; or exactly the frame, when that distorts it by at most the
tolerance), and always clipped to the frame. A PDF page becomes an Artwork item (the
writer copies it as vectors), an image an Image item (the image pass prepares it like a
photo: CMYK kept, converted for the press as the edition says).
"""
from __future__ import annotations

from ..edition.geometry import Rect
from ..edition.photos import pixel_size
from ..lines.display import Artwork, Image


def natural_size(path: str, page) -> tuple[float, float]:
    """The artwork's own width and height: a PDF page's box as shown, in points; an
    image's pixels (only their proportions count)."""
    return page.size if page is not None else tuple(float(v) for v in pixel_size(path))


def scaled(size: tuple[float, float], rect: Rect, fit: str, tolerance: float = 0.0) -> Rect:
    """Where the artwork's box goes for `fit` (fit, fill or stretch; stretch beyond
    `tolerance` percent of distortion is set as fit)."""
    w, h = size
    if fit == "stretch" and distortion(size, rect) <= tolerance + 1e-9:
        return rect
    scale = (max if fit == "fill" else min)(rect.w / w, rect.h / h)
    sw, sh = w * scale, h * scale
    return Rect(rect.x + (rect.w - sw) / 2, rect.y + (rect.h - sh) / 2, sw, sh)


def distortion(size: tuple[float, float], rect: Rect) -> float:
    """How much filling the frame exactly would change the artwork's proportions, in %."""
    w, h = size
    return abs((rect.w / rect.h) / (w / h) - 1) * 100


def place(items: list, path: str, page, rect: Rect, fit: str, tolerance: float = 0.0) -> Rect:
    """The artwork into `rect`, clipped to it; returns where its box went (nothing is
    drawn in a frame without area)."""
    if rect.w <= 0 or rect.h <= 0:
        return Rect(rect.x, rect.y, 0.0, 0.0)
    box = scaled(natural_size(path, page), rect, fit, tolerance)
    clip = (rect.x, rect.y, rect.w, rect.h)
    if page is not None:
        items.append(Artwork(path, box.x, box.y, box.w, box.h, clip, page))
    else:
        items.append(Image(path, box.x, box.y, box.w, box.h, clip))
    return box


def place_file(items: list, edition, file: str, number: int, rect: Rect, fit: str,
               tolerance: float = 0.0) -> Rect:
    """A supplied file as the loader read it (edition.artwork for a PDF page, edition.images
    for an image) into `rect`."""
    page = edition.artwork.get((file, number))
    path = page.path if page is not None else edition.images[file]
    return place(items, path, page, rect, fit, tolerance)
