"""The preflight: what a prepress department would flag before a file goes to press."""
from __future__ import annotations

from ..base.errors import Notice, Place
from ..lines.display import Artwork, GlyphRun, Image as ImageItem, Panel, Rule, Shape
from ..edition.photos import image_mode, pixel_size
from ..base.units import PT_PER_MM


from .marks import REGISTRATION

SMALL_TYPE = 7.0  # pt: type below this in more than one ink blurs when the plates slip


def preflight(pages, edition, report, press: bool) -> list[Notice]:
    """What a prepress department would flag: low-resolution photos, photos in RGB in a
    press render that keeps them, photos over the condition's ink limit (measured by the
    image pass) or converted because they were, small type in more than one ink, overset
    and text that outgrows its frame. Each finding has its place (the photo's element
    and its line in the edition file; the page for type)."""
    settings = edition.source.output
    findings = []
    tac = _ink_limit(settings.condition) if press else None
    for page in pages:
        photos = _photo_elements(edition, page.number)
        if press:
            findings += _small_type(page) + _heavy_areas(page, tac)
        for item in page.items:
            if isinstance(item, Artwork):
                k, kind = photos.get(item.path, (None, "ad"))
                findings += _artwork(item, Place(edition.places.get((page.number, k)) if k else None, page.number,
                                                 k, kind), kind, settings, press, tac)
                continue
            if not isinstance(item, ImageItem):
                continue
            name = item.path.rsplit("/", 1)[-1]
            k, kind = photos.get(item.path, (None, "photo"))
            where = Place(edition.places.get((page.number, k)) if k else None, page.number, k, kind)
            if kind == "ad":
                findings += _ad_size(name, pixel_size(item.path), item, where, image=True)
            data = item.data
            if press and data is not None and tac is not None:
                if data.ink > tac + 2.0:
                    findings.append(Notice("preflight.ink", f"{kind} {name} has {data.ink:.0f}% ink at its "
                                           f"darkest (the {settings.condition} limit is {tac}%)", where,
                                           "use output.photos: cmyk, which converts it within the limit"))
                if data.note == "over-ink":
                    findings.append(Notice("preflight.converted", f"{kind} {name} is CMYK with more ink than "
                                           f"the {settings.condition} limit ({tac}%): converted, not kept as "
                                           f"supplied", where,
                                           "ask for the photo separated for this printing condition"))
            w, h = pixel_size(item.path)
            ppi = min(w / (item.w / 72), h / (item.h / 72))
            if ppi < settings.min_ppi:
                findings.append(Notice("preflight.resolution", f"{kind} {name} has {ppi:.0f} ppi at its size "
                                       f"(minimum {settings.min_ppi:.0f})", where,
                                       "use a larger original or set the photo smaller"))
            if press and settings.photos == "keep":
                mode = image_mode(item.path)
                if mode not in ("L", "CMYK"):
                    findings.append(Notice("preflight.colour", f"{kind} {name} is {mode}, not grey or CMYK "
                                           "(output.photos: keep)", where, "use output.photos: cmyk (or gray)"))
    if press:
        findings += _rgb_colours(edition)
    for entry in report.overset:
        findings.append(Notice("preflight.overset", f"overset: {entry.chars} characters", entry.place))
    for entry in report.overflow:
        why = (f"'{entry.too_wide[:12]}' has a character wider than the frame" if entry.too_wide
               else f"{entry.mm} mm too short")
        findings.append(Notice("preflight.overflow", f"{entry.chars} characters did not fit its frame ({why})",
                               entry.place))
    return findings


def _ink_limit(condition: str) -> int:
    from .conditions import CONDITIONS

    return CONDITIONS[condition].tac


def _inks(color: str) -> int:
    """How many process inks a colour is printed with (a spot is one)."""
    if color.startswith("cmyk("):
        return sum(1 for v in color[5:-1].split(",") if float(v) > 0)
    return 1


def _ink(color: str | None) -> float:
    """Total ink of a flat colour, in % (spot inks print on their own plate: 0 here)."""
    if color and color.startswith("cmyk("):
        return sum(float(v) for v in color[5:-1].split(","))
    return 100.0 if color in ("black", "rich-black") else 0.0


def _heavy_areas(page, tac: int) -> list[Notice]:
    """Boxes, rules and type whose colour lays down more ink than the condition allows
    (the marks outside the trim print on every plate by design)."""
    found: dict[str, str] = {}
    for item in page.items:
        if isinstance(item, GlyphRun):
            colours = [(item.color, "type")]
        elif isinstance(item, Panel):
            colours = [(item.fill, "box"), (item.stroke, "box rule")]
        elif isinstance(item, Rule):
            colours = [(item.color, "rule")]
        elif isinstance(item, Shape):
            colours = [(item.fill, "QR code")]
        else:
            continue
        for colour, what in colours:
            if colour and colour != REGISTRATION and _ink(colour) > tac:
                found.setdefault(colour, what)
    return [Notice("preflight.ink", f"{what} in {colour}: {_ink(colour):.0f}% ink, over the limit of {tac}%",
                   Place(None, page.number), "take ink out of its colour (less C, M or Y under the K)")
            for colour, what in found.items()]


def _small_type(page) -> list[Notice]:
    """Type under 7 pt in two or more inks: one finding per colour and page, with the
    first words set in it."""
    found: dict[str, str] = {}
    for item in page.items:
        if (isinstance(item, GlyphRun) and item.size < SMALL_TYPE and _inks(item.color) > 1
                and item.color != REGISTRATION):  # the slug is on every plate by design
            found.setdefault(item.color, "".join(c.text for c in item.clusters)[:12])
    return [Notice("preflight.small-type", f"type under {SMALL_TYPE:g} pt in {_inks(color)} inks ({color}), "
                   f"e.g. '{words}'", Place(None, page.number),
                   "set small type in one ink (black, or a solid colour)")
            for color, words in found.items()]


def _rgb_colours(edition) -> list[Notice]:
    """Every RGB colour the edition gives (styles, character styles, elements), named
    with what the press pass made of it: the desk should choose a press colour's inks."""
    import dataclasses

    from .profile import rgb_to_cmyk

    found: dict[str, list[str]] = {}

    def walk(value, path: str) -> None:
        if isinstance(value, str):
            if value.startswith("rgb("):
                found.setdefault(value, []).append(path)
        elif dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name), f"{path}.{f.name}" if path else f.name)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}")
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i + 1}]")

    source = edition.source
    for name in ("styles", "char_styles", "masters", "pages", "output"):
        walk(getattr(source, name), name)
    condition = source.output.condition
    return [Notice("preflight.rgb", f"colour {colour} ({', '.join(paths[:3])}{' …' if len(paths) > 3 else ''}) "
                   f"is RGB: printed as {rgb_to_cmyk(colour, condition)} on {condition}", Place(),
                   "give it as cmyk(c, m, y, k) to choose its inks")
            for colour, paths in sorted(found.items())]


def _photo_elements(edition, number: int) -> dict[str, tuple[int, str]]:
    """A photo's, a supplied ad's or lettering file's element number on the page (the
    first, when it is placed twice) and what it is."""
    found: dict[str, tuple[int, str]] = {}
    for k, el in enumerate(edition.source.pages[number - 1].elements, 1):
        name = getattr(el, "file", None) if el.type in ("photo", "ad") else getattr(el, "lettering", None)
        if not name:
            continue
        art = edition.artwork.get((name, getattr(el, "page", 1)))
        path = art.path if art is not None else edition.images.get(name)
        if path is not None:
            found.setdefault(path, (k, el.type if el.type != "masthead" else "lettering"))
    return found


SIZE_TOLERANCE = 2.0  # %: a supplied ad this much larger or smaller than its frame is flagged


def _ad_size(name: str, size, item, where: Place, image: bool = False) -> list[Notice]:
    """An ad made for another size than its frame's (booked) size: for a PDF its box in
    mm, for an image (no physical size) its proportions."""
    fw, fh = item.clip[2], item.clip[3]
    w, h = size
    if image:
        off = abs((w / h) / (fw / fh) - 1) * 100
        what = f"proportions {w}:{h} px"
    else:
        off = max(abs(w / fw - 1), abs(h / fh - 1)) * 100
        what = f"{w / PT_PER_MM:.1f} x {h / PT_PER_MM:.1f} mm"
    if off <= SIZE_TOLERANCE:
        return []
    return [Notice("preflight.ad-size", f"ad {name} is {what}, its frame {fw / PT_PER_MM:.1f} x "
                   f"{fh / PT_PER_MM:.1f} mm: {off:.1f}% off", where,
                   "ask the agency for the ad at the booked size, or give the frame the ad's size")]


def _artwork(item: Artwork, where: Place, kind: str, settings, press: bool, tac) -> list[Notice]:
    """A supplied PDF page: its size against the frame (ads), fonts it did not embed,
    RGB in a press render, its images under min_ppi as placed, and its heaviest CMYK
    colour over the ink limit."""
    read = item.page
    name = item.path.rsplit("/", 1)[-1]
    found = _ad_size(name, read.size, item, where) if kind == "ad" else []
    missing = [font for font, embedded in read.fonts if not embedded]
    if missing:
        found.append(Notice("preflight.fonts", f"{kind} {name} does not embed its font"
                            f"{'s' * (len(missing) > 1)} {', '.join(missing[:4])}{' …' if len(missing) > 4 else ''}: "
                            "the press would set it in another", where,
                            "ask the agency for the file with all fonts embedded (PDF/X)"))
    if press and read.rgb:
        found.append(Notice("preflight.colour", f"{kind} {name} has RGB: {', '.join(read.rgb)}; "
                            "the press converts it as it likes", where,
                            "ask the agency for the ad separated in CMYK for this printing condition"))
    if press and read.transparency:
        found.append(Notice("preflight.transparency", f"{kind} {name} uses transparency "
                            f"({', '.join(read.transparency)}), which PDF/X-1a does not allow: the press's "
                            "flattening may differ from the proof", where,
                            "ask the agency for the ad flattened (PDF/X-1a)"))
    scale_x, scale_y = item.w / read.size[0], item.h / read.size[1]
    low = [min(use.width / (use.w * scale_x / 72), use.height / (use.h * scale_y / 72))
           for use in read.images if use.w > 0 and use.h > 0]
    low = [ppi for ppi in low if ppi < settings.min_ppi]
    if low:
        found.append(Notice("preflight.resolution", f"{kind} {name} has {len(low)} image{'s' * (len(low) > 1)} "
                            f"under {settings.min_ppi:.0f} ppi as placed (lowest {min(low):.0f} ppi)", where,
                            "ask the agency for the ad with sharper images, or set it smaller"))
    if press and tac is not None and read.ink > tac + 2.0:
        found.append(Notice("preflight.ink", f"{kind} {name} sets a colour of {read.ink:.0f}% ink (the "
                            f"{settings.condition} limit is {tac}%)", where,
                            "ask the agency for the ad separated for this printing condition"))
    return found
