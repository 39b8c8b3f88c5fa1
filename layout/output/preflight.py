"""The preflight: what a prepress department would flag before a file goes to press."""
from __future__ import annotations

from dataclasses import dataclass

from ..lines.display import Image as ImageItem
from ..edition.photos import image_mode, pixel_size


@dataclass(frozen=True)
class Finding:
    """One preflight finding: what, where, and how bad."""
    kind: str
    message: str


def preflight(pages, edition, report, press: bool) -> list[Finding]:
    """What a prepress department would flag: low-resolution photos, photos in RGB in a
    press render that keeps them, overset and text that outgrows its frame."""
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
                mode = image_mode(item.path)
                if mode not in ("L", "CMYK"):
                    findings.append(Finding("colour", f"page {page.number}: photo {name} is {mode}, "
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
