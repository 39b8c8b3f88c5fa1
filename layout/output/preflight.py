"""The preflight: what a prepress department would flag before a file goes to press."""
from __future__ import annotations

from ..base.errors import Notice, Place
from ..lines.display import Image as ImageItem
from ..edition.photos import image_mode, pixel_size


def preflight(pages, edition, report, press: bool) -> list[Notice]:
    """What a prepress department would flag: low-resolution photos, photos in RGB in a
    press render that keeps them, overset and text that outgrows its frame. Each finding
    has its place (the photo's element and its line in the edition file)."""
    settings = edition.source.output
    findings = []
    for page in pages:
        photos = _photo_elements(edition, page.number)
        for item in page.items:
            if not isinstance(item, ImageItem):
                continue
            w, h = pixel_size(item.path)
            ppi = min(w / (item.w / 72), h / (item.h / 72))
            name = item.path.rsplit("/", 1)[-1]
            k = photos.get(item.path)
            where = Place(edition.places.get((page.number, k)) if k else None, page.number, k, "photo")
            if ppi < settings.min_ppi:
                findings.append(Notice("preflight.resolution", f"photo {name} has {ppi:.0f} ppi at its size "
                                       f"(minimum {settings.min_ppi:.0f})", where,
                                       "use a larger original or set the photo smaller"))
            if press and settings.photos == "keep":
                mode = image_mode(item.path)
                if mode not in ("L", "CMYK"):
                    findings.append(Notice("preflight.colour", f"photo {name} is {mode}, not grey or CMYK "
                                           "(output.photos: keep)", where, "use output.photos: gray"))
    for entry in report.overset:
        findings.append(Notice("preflight.overset", f"overset: {entry.chars} characters", entry.place))
    for entry in report.overflow:
        why = (f"'{entry.too_wide[:12]}' has a character wider than the frame" if entry.too_wide
               else f"{entry.mm} mm too short")
        findings.append(Notice("preflight.overflow", f"{entry.chars} characters did not fit its frame ({why})",
                               entry.place))
    return findings


def _photo_elements(edition, number: int) -> dict[str, int]:
    """A photo file's element number on the page (the first, when it is placed twice)."""
    found: dict[str, int] = {}
    for k, el in enumerate(edition.source.pages[number - 1].elements, 1):
        path = edition.images.get(getattr(el, "file", None) or "") if el.type == "photo" else None
        if path is not None:
            found.setdefault(path, k)
    return found
