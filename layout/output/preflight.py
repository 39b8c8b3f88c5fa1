"""The preflight: what a prepress department would flag before a file goes to press."""
from __future__ import annotations

from ..base.errors import Notice, Place
from ..lines.display import GlyphRun, Image as ImageItem, Panel, Rule, Shape
from ..edition.photos import image_mode, pixel_size


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
            if not isinstance(item, ImageItem):
                continue
            name = item.path.rsplit("/", 1)[-1]
            k = photos.get(item.path)
            where = Place(edition.places.get((page.number, k)) if k else None, page.number, k, "photo")
            data = item.data
            if press and data is not None and tac is not None:
                if data.ink > tac + 2.0:
                    findings.append(Notice("preflight.ink", f"photo {name} has {data.ink:.0f}% ink at its "
                                           f"darkest (the {settings.condition} limit is {tac}%)", where,
                                           "use output.photos: cmyk, which converts it within the limit"))
                if data.note == "over-ink":
                    findings.append(Notice("preflight.converted", f"photo {name} is CMYK with more ink than "
                                           f"the {settings.condition} limit ({tac}%): converted, not kept as "
                                           f"supplied", where,
                                           "ask for the photo separated for this printing condition"))
            w, h = pixel_size(item.path)
            ppi = min(w / (item.w / 72), h / (item.h / 72))
            if ppi < settings.min_ppi:
                findings.append(Notice("preflight.resolution", f"photo {name} has {ppi:.0f} ppi at its size "
                                       f"(minimum {settings.min_ppi:.0f})", where,
                                       "use a larger original or set the photo smaller"))
            if press and settings.photos == "keep":
                mode = image_mode(item.path)
                if mode not in ("L", "CMYK"):
                    findings.append(Notice("preflight.colour", f"photo {name} is {mode}, not grey or CMYK "
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


def _photo_elements(edition, number: int) -> dict[str, int]:
    """A photo file's element number on the page (the first, when it is placed twice)."""
    found: dict[str, int] = {}
    for k, el in enumerate(edition.source.pages[number - 1].elements, 1):
        path = edition.images.get(getattr(el, "file", None) or "") if el.type == "photo" else None
        if path is not None:
            found.setdefault(path, k)
    return found
