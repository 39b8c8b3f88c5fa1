"""Edition YAML -> model.Edition, checking everything a designer can get wrong.

Types are checked by layout/edition/convert.py; here are the checks that need the whole
edition: house style files, style inheritance, references (styles, stories, masters,
jumps, font roles), files (present, inside the edition folder), the grid, and
overlapping elements (a warning).
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from . import model
from .clean import Cleaning
from .convert import MISSING, Context, convert_dataclass
from ..base.errors import InputError, InputErrors, Notice, Place, Where, did_you_mean, did_you_mean_or_list
from ..base.files import check_input, real
from ..fonts.faces import read_manifest
from .geometry import frame_rect
from .stories import parse_story
from . import supplied
from .photos import pixel_size
from .tables import check_table
from ..base.units import PT_PER_MM
from .yamlsource import Y, load, parse, read_text

S = model.Style
DEFAULT_STYLES = {
    "body": S(font="body", size=9.0, leading=13.5, indent=2.0),
    "subhead": S(font="headline", size=9.0, leading=13.5, align="start"),
    "byline": S(font="caption", size=9.0, leading=13.5, align="start"),
    "headline": S(font="headline", size=28.0, leading=34.0, align="start"),
    "kicker": S(font="caption", size=10.5, leading=15.0, align="start"),
    "deck": S(font="caption", size=12.0, leading=17.0, align="start"),
    "caption": S(font="caption", size=7.5, leading=11.0, align="justify"),
    "masthead": S(font="heavy", size=60.0, leading=66.0, align="center"),
    "masthead-bo": S(font="tibetan-headline", size=16.0, leading=24.0, align="center"),
    "masthead-info": S(font="caption", size=7.5, leading=11.0, align="start"),
    "folio": S(font="caption", size=7.5, leading=10.0, align="start"),
    "credits": S(font="caption", size=7.0, leading=10.0, align="end"),
    "section-label": S(font="headline", size=10.5, leading=14.0, align="center", color="white"),
    "teaser": S(font="caption", size=9.0, leading=13.5, align="start"),
    "teaser-title": S(font="headline", size=12.0, leading=16.0, align="start"),
    "jump": S(font="caption", size=7.5, leading=13.5, align="end"),
    "continued": S(font="headline", size=14.0, leading=18.0, align="start", space_after=4.0),
    "ad": S(font="caption", size=9.0, leading=13.0, align="center", color="gray60"),
    "qr-caption": S(font="caption", size=7.5, leading=10.0, align="center"),
    "notice-title": S(font="headline", size=10.5, leading=14.0, align="center", space_after=2.0),
    "notice-text": S(font="body", size=9.0, leading=12.5, align="justify", indent=2.0),
    "table": S(font="body", size=9.0, leading=13.5, align="start", strictness="loose"),
    "table-header": S(font="headline", size=9.0, leading=13.5, align="start", strictness="loose"),
    "proof": S(font="caption", size=6.0, leading=7.0, align="start", color="cmyk(0,100,0,0)"),
    "slug": S(font="caption", size=6.0, leading=7.0, align="start", color="cmyk(100,100,100,100)"),
}
DEFAULT_CHAR_STYLES = {"bold": model.CharStyle(font="heavy")}
DEFAULT_MASTERS = {"default": model.Master(), "front": model.Master(folio=None)}
ALLOW_HINT = "keep it under the edition's folder, or allow its folder when you run the render: --allow-path DIR"
MAX_INCLUDE_DEPTH = 20
STYLE_KEYS = ("style", "title_style", "subtitle_style", "info_style", "kicker_style", "deck_style",
              "caption_style", "header_style")


def load_edition(path: str | Path, allow_paths=()) -> model.Edition:
    """Read and check an edition; raise InputErrors naming every mistake found.

    Files may come from the edition's root, the folder of the edition file (symbolic
    links resolved), and from the folders in `allow_paths`, which only the person who
    runs the render gives (--allow-path): the edition is untrusted, its own
    `allow_paths` only declares folders and cannot allow them."""
    path = Path(path)
    shown = str(path)
    root, units, row_gutter, edition = _converted(path, shown)
    ctx = Context(units, row_gutter)
    base = path.parent
    inputs = [(str(path), f"the edition file {path.name}")]
    if not edition.pages:
        ctx.error("an edition needs at least one page", root.get("pages").where, "add a page under 'pages:'")
        raise InputErrors(ctx.errors)
    allowed = [base] + [Path(p) for p in allow_paths]
    _check_allow_paths(edition.allow_paths, root.get("allow_paths"), base, allowed, ctx)
    house = _house_styles(edition.include, root, base, allowed, ctx, inputs)
    geometry = _geometry(edition.geometry, root.get("geometry"), ctx)
    if ctx.errors:
        raise InputErrors(ctx.errors)

    ysources = house["ystyles"] + [root.get("styles")]
    styles = _resolve_styles(_merge_styles(house["style_layers"] + [edition.styles], ysources),
                             ysources, ctx)
    char_styles = {**DEFAULT_CHAR_STYLES, **house["char_styles"], **edition.char_styles}
    masters = {**DEFAULT_MASTERS, **house["masters"], **edition.masters}
    fonts = {**house["fonts"], **edition.fonts}
    _check_fonts(styles, char_styles, fonts, house["ystyles"] + [root.get("styles")],
                 house["ychar_styles"] + [root.get("char_styles")], root, ctx)
    _check_font_files(fonts, root, base, allowed, ctx, inputs)
    _check_masters(masters, edition, styles, root, ctx)
    cleaning = Cleaning()
    stories = _stories(edition, root, base, allowed, styles, ctx, inputs, cleaning)
    artwork: dict[tuple, supplied.PdfPage] = {}
    images = _pages(edition, root, base, allowed, geometry, styles, masters, ctx, artwork)
    inputs += [(p, f"photo {name}") for name, p in images.items()]
    inputs += sorted({(art.path, f"artwork {name}") for (name, _), art in artwork.items()})
    if ctx.errors:
        raise InputErrors(ctx.errors)
    places = {}
    for pi, yp in enumerate(root.get("pages").value):
        places[(pi + 1, 0)] = yp.where
        for ei, yel in enumerate(yp.value["elements"].value):
            places[(pi + 1, ei + 1)] = yel.where
    warnings = [dataclasses.replace(n, place=dataclasses.replace(n.place, source=places.get(
        (n.place.page, n.place.element)))) for n in _overlaps(edition, geometry)] + cleaning.notices() \
        + partial_edition(edition, root)
    youtput, ypaper = root.get("output"), root.get("paper")
    places[("slug",)] = (youtput.value["slug"].where if youtput is not None and "slug" in youtput.value
                         else ypaper.value["name"].where)  # the default slug's text is mostly the name
    return model.Edition(edition, str(base.resolve()), geometry, stories, styles, char_styles, masters,
                         images, fonts, tuple(warnings), tuple(inputs), places, artwork)


# ---------------------------------------------------------------- pieces

_CONVERTED: dict[tuple, tuple] = {}  # (edition file's text, its name) -> what _convert made of it


def _converted(path: Path, shown: str) -> tuple:
    """The edition file parsed and converted into the model, kept by its text: a session
    that loads again on every save of a story converts the edition file only when it
    changed. The file is read once and that text converted, so what is kept is what it
    was made of; what is kept is frozen (the model) or only read (the YAML values), and
    only a conversion without errors is kept."""
    text = read_text(path, shown)
    hit = _CONVERTED.get((text, shown))
    if hit is None:
        hit = _convert(text, shown)
        _CONVERTED.clear()  # (one edition at a time: the last one)
        _CONVERTED[(text, shown)] = hit
    return hit


def _convert(text: str, shown: str) -> tuple:
    root = parse(text, shown)
    if not isinstance(root.value, dict):
        raise InputError("an edition file must be a mapping (key: value lines)", root.where,
                         "an edition starts with 'paper:', 'geometry:' and 'pages:' lines (docs/tutorial.md)")
    units, row_gutter = _grid_units(root)
    ctx = Context(units, row_gutter)
    edition = convert_dataclass(model.EditionFile, root, ctx, "")
    if edition is MISSING or ctx.errors:
        raise InputErrors(ctx.errors)
    return root, units, row_gutter, edition


def _grid_units(root: Y) -> tuple[dict[str, float], float]:
    """'lines' and 'rows' for frame positions (a row: its height and one gutter), read
    before the rest of the file; and the row gutter, which an extent of n rows holds
    only n - 1 times."""
    geo = root.get("geometry")
    if geo is None or not isinstance(geo.value, dict):
        return {}, 0.0
    g = convert_dataclass(model.Geometry, geo, Context(), "geometry")
    if g is MISSING:
        return {}, 0.0
    units = {"line": g.baseline, "lines": g.baseline}
    resolved = _geometry(g, geo, Context())
    if resolved is None or not g.rows:
        return units, 0.0
    depth = resolved.height - resolved.margins.top - resolved.margins.bottom
    row = (depth - (g.rows - 1) * resolved.row_gutter) / g.rows
    units.update(row=row + resolved.row_gutter, rows=row + resolved.row_gutter)
    return units, resolved.row_gutter


def _geometry(g: model.Geometry, y: Y | None, ctx: Context) -> model.PageGeometry | None:
    width, height = g.width, g.height
    if g.preset != "custom":
        pw, ph = model.PRESETS[g.preset]
        width = width if width is not None else pw * PT_PER_MM
        height = height if height is not None else ph * PT_PER_MM
    if width is None or height is None:
        ctx.error("geometry: give a preset (对开, 四开, A3) or both width and height",
                  y.where if y else Where("?"), "e.g. preset: 对开, or width: 390mm and height: 540mm")
        return None
    margins = g.margins if isinstance(g.margins, model.Margins) else model.Margins(*(4 * [g.margins]))
    if margins.top + margins.bottom >= height or margins.inside + margins.outside >= width:
        where = y.value["margins"].where if y and "margins" in y.value else (y.where if y else Where("?"))
        ctx.error(f"geometry: the margins leave no type area on the {width / PT_PER_MM:.0f} × "
                  f"{height / PT_PER_MM:.0f} mm page", where,
                  "top and bottom together must be less than the height, inside and outside less than the width")
        return None
    if margins.inside + margins.outside + (g.columns - 1) * g.gutter >= width or g.columns < 1:
        where = y.value["columns"].where if y and "columns" in y.value else (y.where if y else Where("?"))
        ctx.error(f"geometry: {g.columns} columns with these margins and gutters do not fit the "
                  f"{width / PT_PER_MM:.0f} mm page width", where, "give fewer columns, or narrower gutters or margins")
        return None
    row_gutter = g.row_gutter if g.row_gutter is not None else g.baseline
    return model.PageGeometry(width, height, margins, g.columns, g.gutter, g.baseline, g.bleed,
                              g.rows, row_gutter)


def _inside(path: Path, allowed: list[Path]) -> bool:
    """Symbolic links are resolved before the check."""
    target = real(path)
    for folder in allowed:
        folder = real(folder)
        if target == folder or target.startswith(folder.rstrip("/") + "/"):
            return True
    return False


def _check_allow_paths(folders: list[str], y: Y | None, base: Path, allowed: list[Path], ctx: Context) -> None:
    """An edition's `allow_paths` declares the folders it needs; each outside its root
    must have been allowed on the command line."""
    for k, folder in enumerate(folders):
        if not _inside(base / folder, allowed):
            where = y.value[k].where if y is not None and isinstance(y.value, list) else Where("?")
            ctx.error(f"allow_paths: '{folder}' is outside the edition's folder, and an edition cannot allow "
                      f"itself a folder", where,
                      f"allow it when you run the render: --allow-path {real(base / folder)}")


def _house_styles(include: list[str], root: Y, base: Path, allowed: list[Path], ctx: Context,
                  inputs: list) -> dict:
    """House style files, depth first; later ones win, the edition's own win over all."""
    out = {"style_layers": [], "char_styles": {}, "masters": {}, "fonts": {}, "ystyles": [], "ychar_styles": []}
    yinclude = root.get("include")

    def visit(names: list[str], yl: Y | None, folder: Path, chain: tuple[Path, ...]) -> None:
        for k, name in enumerate(names):
            where = yl.value[k].where if yl else Where("?")
            file = folder / name
            if not _inside(file, allowed):
                ctx.error(f"house style '{name}' is outside the edition folder", where, ALLOW_HINT)
                continue
            if real(file) in chain:
                ctx.error(f"house style '{name}' includes itself", where,
                          "remove the include that leads back to it")
                continue
            if len(chain) >= MAX_INCLUDE_DEPTH:
                ctx.error(f"house styles include each other more than {MAX_INCLUDE_DEPTH} deep", where,
                          "a house style file or two is enough")
                continue
            try:
                y = load(file, str(file))
            except InputError as exc:
                if exc.where is None or exc.where.line is None:  # the file itself: said where it is named
                    ctx.error(f"house style '{name}': {exc.message}", where, exc.hint)
                else:
                    ctx.errors.append(exc)
                continue
            inputs.append((str(file), f"house style {name}"))
            house = convert_dataclass(model.HouseStyle, y, ctx, "")
            if house is MISSING:
                continue
            visit(house.include, y.get("include"), file.parent, chain + (real(file),))
            for key in ("char_styles", "masters"):
                out[key].update(getattr(house, key))
            out["fonts"].update(_fonts_from(house.fonts, file.parent, base))
            out["style_layers"].append(house.styles)
            out["ystyles"].append(y.get("styles"))
            out["ychar_styles"].append(y.get("char_styles"))

    visit(include, yinclude, base, ())
    return out


def _merge_styles(layers: list[dict[str, model.Style]], ysources: list[Y | None]) -> dict[str, model.Style]:
    """A style defined in several files (house, then edition): each file's written keys
    over the earlier definition."""
    merged: dict[str, model.Style] = {}
    for layer, ys in zip(layers, ysources):
        for name, style in layer.items():
            if name not in merged:
                merged[name] = style
                continue
            node = ys.value.get(name) if ys is not None and isinstance(ys.value, dict) else None
            written = set(node.value) if node is not None and isinstance(node.value, dict) else set()
            merged[name] = dataclasses.replace(merged[name], **{k: getattr(style, k) for k in written})
    return merged


def _fonts_from(fonts: dict, folder: Path, base: Path) -> dict:
    """Font files named in a house style are relative to that file, not to the edition."""
    out = {}
    for role, chains in fonts.items():
        out[role] = {script: [real(folder / f) if _is_font_file(f) else f for f in chain]
                     for script, chain in chains.items()}
    return out


def _is_font_file(name: str) -> bool:
    """An entry that is not a face of the manifest names a file (as load_fontset reads
    it), whatever its suffix: it must pass the same folder checks."""
    return name not in read_manifest()["faces"]


def _resolve_styles(styles: dict[str, model.Style], ysources: list[Y | None], ctx: Context) -> dict[str, model.Style]:
    """Apply `based_on`: a style's unwritten keys come from its parent, then from the
    built-in style of the same name, then from the defaults."""
    written: dict[str, set[str]] = {}
    for ys in ysources:
        if ys is None or not isinstance(ys.value, dict):
            continue
        for name, node in ys.value.items():
            keys = set(node.value) if isinstance(node.value, dict) else set()
            written[name] = written.get(name, set()) | keys
    resolved: dict[str, model.Style] = dict(DEFAULT_STYLES)
    done: dict[str, model.Style] = {}

    def where_of(name: str) -> Where:
        return key_where(ysources, name, "based_on", Where("?"))

    def resolve(name: str) -> model.Style:
        """Up the chain to a style whose parent is known, then back down: a chain of
        any length, without recursion."""
        chain, on_chain = [name], {name}
        while chain[-1] not in done:
            parent_name = styles[chain[-1]].based_on
            if parent_name is None or parent_name not in styles:
                break
            if parent_name in on_chain:
                loop = chain[chain.index(parent_name):] + [parent_name]
                shown = loop if len(loop) <= 9 else loop[:4] + [f"({len(loop) - 8} more)"] + loop[-4:]
                ctx.error(f"style '{loop[-2]}' is based on itself through {' -> '.join(shown)}", where_of(loop[-2]),
                          "base one of them on a style outside the circle, or on none")
                for n in chain:
                    done[n] = styles[n]
                return done[name]
            chain.append(parent_name)
            on_chain.add(parent_name)
        for n in reversed(chain):
            if n in done:
                continue
            style = styles[n]
            if style.based_on is None:
                parent = DEFAULT_STYLES.get(n, model.Style())
            elif style.based_on in styles:
                parent = done[style.based_on]
            elif style.based_on in DEFAULT_STYLES:
                parent = DEFAULT_STYLES[style.based_on]
            else:
                ctx.error(f"style '{n}' is based on unknown style '{style.based_on}'", where_of(n),
                          did_you_mean_or_list(style.based_on, list(styles) + list(DEFAULT_STYLES), "styles"))
                done[n] = style
                continue
            keep = {k: getattr(style, k) for k in written.get(n, ()) if k != "based_on"}
            done[n] = dataclasses.replace(parent, **keep, based_on=None)
        return done[name]

    for name in styles:
        resolved[name] = resolve(name)
    return resolved


def key_where(ysources: list[Y | None], name: str, key: str, fallback: Where) -> Where:
    """Where the named style's `key` was last written (house files, then the edition); else
    where the style itself was last defined (its value came from based_on); else `fallback`."""
    defined = None
    for ys in reversed(ysources):
        node = ys.value.get(name) if ys is not None and isinstance(ys.value, dict) else None
        if node is None:
            continue
        if isinstance(node.value, dict) and key in node.value:
            return node.value[key].where
        defined = defined or node.where
    return defined or fallback


def _check_fonts(styles, char_styles, fonts, ysources, ychar_sources, root: Y, ctx: Context) -> None:
    roles = set(read_manifest()["roles"]) | set(fonts)
    for name, style in styles.items():
        if style.font not in roles:
            ctx.error(f"style '{name}': unknown font role '{style.font}'", key_where(ysources, name, "font", root.where),
                      did_you_mean(style.font, roles) or f"roles: {', '.join(sorted(roles))}")
        if style.hyphenate is not None:
            import pyphen

            if not pyphen.language_fallback(style.hyphenate):
                ctx.error(f"style '{name}': no hyphenation patterns for '{style.hyphenate}'",
                          key_where(ysources, name, "hyphenate", root.where),
                          did_you_mean(style.hyphenate, pyphen.LANGUAGES) or "e.g. en_US, en_GB, de_DE")
    for name, cs in char_styles.items():
        if cs.font not in roles:
            ctx.error(f"character style '{name}': unknown font role '{cs.font}'",
                      key_where(ychar_sources, name, "font", root.where), did_you_mean_or_list(cs.font, roles, "roles"))


TEASER_FIELDS = {"text": "一只猫引发的邻里纠纷", "page": 2}
MAX_FORMAT_WIDTH = 100  # a {field:>N} width or .N precision: wider is a typo, and costly to set
# what a template may make, its own text and its fields': a folio, slug or item line is
# one line of the page (a longer one, one unbroken word, took a minute to break)
MAX_TEMPLATE_CHARS = 1_000


def _check_template(text: str, where: Where, ctx: Context, fields: dict) -> bool:
    """Folio, credits, masthead, teaser, jump-line and slug templates: every {field}
    known, every format spec valid and at most MAX_FORMAT_WIDTH wide, tried on the
    values the render will give (`fields`)."""
    import string

    try:
        for _, name, spec, _ in string.Formatter().parse(text):
            if name is None:
                continue
            if name not in fields:
                ctx.error(f"unknown field '{{{name}}}' in '{_cut(text)}'", where,
                          did_you_mean(name, fields) or f"fields: {', '.join(fields)}")
                return False
            if spec and "{" in spec:
                ctx.error(f"a format inside a format in '{_cut(text)}'", where,
                          "write a plain format, e.g. {page:02d}")
                return False
            widths = [int(n) for n in re.findall(r"[0-9]+", spec or "")]
            if widths and max(widths) > MAX_FORMAT_WIDTH:
                ctx.error(f"format '{{{name}:{_cut(spec, 20)}}}' is wider than {MAX_FORMAT_WIDTH} characters",
                          where, "write {page:02d} for 01, 02 …")
                return False
        made = text.format(**fields)
        if len(made) > MAX_TEMPLATE_CHARS:
            ctx.error(f"template '{_cut(text)}' makes {len(made)} characters", where,
                      f"a folio, slug or item line holds at most {MAX_TEMPLATE_CHARS:,}; shorten it, or check "
                      "the formats' widths")
            return False
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        unset = [k if k in ("section", "editors") else f"paper.{k}"  # (the page's keys, or the paper's)
                 for _, k, spec, _ in _fields_of(text) if spec and fields.get(k) == ""]
        hint = (f"{unset[0]} is not set: give it, or leave out the format" if unset
                else "write {page:02d} for 01, 02 …")
        ctx.error(f"cannot use template '{_cut(text)}': {exc}", where, hint)
        return False
    return True


def _fields_of(text: str) -> list:
    import string

    try:
        return [f for f in string.Formatter().parse(text) if f[1] is not None]
    except ValueError:
        return []


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_masters(masters, edition, styles, root: Y, ctx: Context) -> None:
    """Styles and templates of master pages and page folios, jump lines and the slug."""
    ymasters = root.get("masters")
    ypages = root.get("pages")
    fields = model.template_fields(edition, 1)  # pages differ in values, not in their kinds

    def where_of(node: Y | None, *keys: str) -> Where:
        for key in keys:
            if node is None or not isinstance(node.value, dict) or key not in node.value:
                break
            node = node.value[key]
        return node.where if node is not None else root.where

    def check_folio(folio: model.Folio, node: Y | None) -> None:
        if folio.style not in styles:
            ctx.error(f"unknown style '{folio.style}'", where_of(node, "style"),
                      did_you_mean_or_list(folio.style, styles, "styles"))
        for key in ("left", "center", "right"):
            _check_template(getattr(folio, key), where_of(node, key), ctx, fields)

    for name, master in masters.items():
        node = ymasters.value.get(name) if ymasters is not None and isinstance(ymasters.value, dict) else None
        if master.folio is not None:
            check_folio(master.folio, node.value.get("folio") if node is not None else None)
        if master.credits_style not in styles:
            ctx.error(f"unknown style '{master.credits_style}'", where_of(node, "credits_style"),
                      did_you_mean_or_list(master.credits_style, styles, "styles"))
        _check_template(master.credits, where_of(node, "credits"), ctx, fields)
    for pi, page in enumerate(edition.pages):
        if isinstance(page.folio, model.Folio):
            check_folio(page.folio, ypages.value[pi].value.get("folio"))
    for key in ("style", "to_style", "from_style"):
        jump_style = getattr(edition.jump_lines, key)
        if jump_style is not None and jump_style not in styles:
            ctx.error(f"unknown style '{jump_style}'", where_of(root.get("jump_lines"), key),
                      did_you_mean_or_list(jump_style, styles, "styles"))
    for key in ("to", "from"):
        text = edition.jump_lines.to if key == "to" else edition.jump_lines.from_
        _check_template(text, where_of(root.get("jump_lines"), key), ctx, {"page": 2})
    _check_template(edition.output.slug, where_of(root.get("output"), "slug"), ctx, fields)


def _check_font_files(fonts: dict, root: Y, base: Path, allowed, ctx: Context, inputs: list) -> None:
    """Font roles the edition changes: files present and allowed, scripts known."""
    from ..fonts.faces import SCRIPTS, load_fontset

    where = root.keys.get("fonts", root.where)
    for role, chains in fonts.items():
        for script, chain in chains.items():
            if script not in SCRIPTS:
                ctx.error(f"font role '{role}': unknown script '{script}'", where,
                          did_you_mean(script, SCRIPTS) or f"scripts: {', '.join(SCRIPTS)}")
            for entry in chain:
                if not _is_font_file(entry):
                    continue
                if not _inside(base / entry.split("#")[0], allowed):
                    ctx.error(f"font file '{entry}' is outside the edition folder", where, ALLOW_HINT)
                else:
                    inputs.append((str(base / entry.split("#")[0]), f"font file {entry}"))
    if ctx.errors:
        return
    try:
        load_fontset(fonts, base)
    except InputError as exc:
        ctx.error(exc.message, where, exc.hint)


def _stories(edition, root: Y, base: Path, allowed, styles, ctx: Context, inputs: list,
             cleaning: Cleaning) -> dict[str, model.Story]:
    stories: dict[str, model.Story] = {}
    ystories = root.get("stories")
    for name, src in edition.stories.items():
        ys = ystories.value[name]
        found = [] if (src.clean if src.clean is not None else edition.clean) else None
        if (src.file is None) == (src.text is None):
            ctx.error(f"story '{name}' needs exactly one of 'file' and 'text'", ys.where,
                      "give file: (a story file) or text: (the story inline), not both")
            continue
        try:
            if src.file is not None:
                fpath = base / src.file
                fwhere = ys.value["file"].where
                if not _inside(fpath, allowed):
                    ctx.error(f"story file '{src.file}' is outside the edition folder", fwhere, ALLOW_HINT)
                    continue
                try:
                    text = read_text(fpath, str(fpath))
                except InputError as exc:
                    ctx.error(f"story '{name}': {exc.message}: {src.file}", fwhere, exc.hint)
                    continue
                inputs.append((str(fpath), f"story {name} ({src.file})"))
                blocks = _parsed(text, str(fpath), 1, found)
            else:
                blocks = _parsed(src.text, str(ys.value["text"].where.file), ys.value["text"].where.line + 1,
                                 found)
        except InputError as exc:
            if exc.where is not None and exc.where.line is None:  # the story as a whole: said at its key
                key = "file" if src.file is not None else "text"
                ctx.error(f"story '{name}': {exc.message}", ys.value[key].where, exc.hint)
            else:
                ctx.errors.append(exc)
            continue
        for key in ("style", "subhead_style", "byline_style", "table_style", "table_header_style"):
            style_name = getattr(src, key)
            if style_name not in styles:
                where = ys.value[key].where if key in ys.value else ys.where
                ctx.error(f"story '{name}' uses unknown style '{style_name}'", where,
                          did_you_mean_or_list(style_name, styles, "styles"))
        for kind, where, words, was, now in found or ():
            cleaning.add(name, kind, where, words, was, now)
        lang = src.lang if src.lang != "auto" else styles.get(src.style, model.Style()).lang
        stories[name] = model.Story(name, blocks, src.style, src.subhead_style, src.byline_style, lang,
                                    src.table_style, src.table_header_style, src.table_rules)
    return stories


PARSED_MOST = 4000  # stories' parses kept (a --watch or --serve session loads again on each save)
_PARSED: dict[tuple, tuple] = {}


def _parsed(text: str, shown: str, first_line: int, found: list | None) -> tuple:
    """parse_story, kept by everything it reads (the text itself, its file's name, the first
    line, whether it cleans): a session that loads the edition again on every save parses
    only the stories that changed (half of a load of W8). Its blocks are frozen, so the
    same ones are exactly what a fresh parse gives; errors are not kept."""
    key = (text, shown, first_line, found is not None)
    hit = _PARSED.get(key)
    if hit is None:
        changes: list | None = [] if found is not None else None
        hit = (parse_story(text, shown, first_line, changes), None if changes is None else tuple(changes))
        if len(_PARSED) >= PARSED_MOST:
            _PARSED.clear()
        _PARSED[key] = hit
    if found is not None:
        found.extend(hit[1])
    return hit[0]


def _pages(edition, root: Y, base: Path, allowed, geo, styles, masters, ctx: Context,
           artwork: dict) -> dict[str, str]:
    """Check every element's references and frame; returns the photos' paths (and
    supplied images'), and reads supplied PDF pages into `artwork`."""
    images: dict[str, str] = {}
    ypages = root.get("pages")
    placed: set[str] = set()
    named: dict[tuple[int, str], tuple[str, Where]] = {}
    jumps = []
    heads: dict[str, str] = {}  # story -> where its headline (or title text) is joined to it
    given, announced = len(edition.pages), edition.paper.announced(len(edition.pages))
    if announced < given:
        ctx.error(f"paper.pages says {announced} pages but {given} are given",
                  root.get("paper").value["pages"].where,
                  f"paper.pages is the count the paper announces (今日…版): give at least {given}, or leave it "
                  "out to announce the pages given")
        announced = given  # (the references are checked against the pages given)
    for pi, page in enumerate(edition.pages):
        yp = ypages.value[pi]
        if page.master not in masters:
            ctx.error(f"page {pi + 1}: unknown master '{page.master}'",
                      yp.value["master"].where, did_you_mean_or_list(page.master, masters, "masters"))
        for ei, element in enumerate(page.elements):
            yel = yp.value["elements"].value[ei]
            _check_frame(element.frame, geo, yel.value["frame"].where, ctx)
            for key in STYLE_KEYS:
                sname = getattr(element, key, None)
                if sname is not None and sname not in styles:
                    where = yel.value[key].where if key in yel.value else yel.where
                    ctx.error(f"unknown style '{sname}'", where, did_you_mean_or_list(sname, styles, "styles"))
            if isinstance(element, model.StoryFrame):
                placed.add(element.story)
                if element.story not in edition.stories:
                    ctx.error(f"unknown story '{element.story}'", yel.value["story"].where,
                              did_you_mean(element.story, edition.stories) or "add it under 'stories:'")
                if element.name:
                    key = (pi + 1, element.name)
                    if key in named:
                        ctx.error(f"page {pi + 1} has two story frames named '{element.name}'",
                                  yel.value["name"].where, "give each story frame of a page a name of its own")
                    named[key] = (element.story, yel.value["name"].where)
                if element.jump:
                    jumps.append((pi + 1, element, yel.value["jump"].where))
            if isinstance(element, (model.Headline, model.Photo, model.TextBlock)) and element.story is not None:
                _check_article_part(element, yel, edition, heads, ctx)
            if isinstance(element, model.Teaser):
                for k, item in enumerate(element.items):
                    if item.page > announced:
                        _past_the_end(f"teaser item '{_cut(item.text, 20)}' points to page {item.page}",
                                      yel.value["items"].value[k].value["page"].where, given, announced, ctx)
                fwhere = yel.value["item_format"].where if "item_format" in yel.value else yel.where
                for item in element.items or [model.TeaserItem(**TEASER_FIELDS)]:
                    if not _check_template(element.item_format, fwhere, ctx, {"text": item.text, "page": item.page}):
                        break
            if isinstance(element, model.Masthead):
                for key in ("info_left", "info_right"):
                    for i, text in enumerate(getattr(element, key) or []):
                        _check_template(text, yel.value[key].value[i].where, ctx,
                                        model.template_fields(edition, pi + 1))
            if isinstance(element, model.Headline) and element.fit is not None and not 1 <= len(element.fit) <= 2:
                ctx.error("fit: give [smallest, largest] type size", yel.value["fit"].where, "e.g. fit: [24pt, 40pt]")
            if (isinstance(element, model.Headline) and element.fit_width is not None
                    and not 1 <= len(element.fit_width) <= 2):
                ctx.error("fit_width: give [narrowest, widest] width", yel.value["fit_width"].where,
                          "e.g. fit_width: [80%, 100%]")
            if isinstance(element, model.Ad) and element.file:
                _check_supplied("ad", element.file, element.page, yel, "file", base, allowed, images, artwork, ctx)
            if isinstance(element, model.Masthead) and element.lettering:
                _check_supplied("lettering", element.lettering, 1, yel, "lettering", base, allowed, images,
                                artwork, ctx)
            if isinstance(element, model.Table):
                check_table(element, yel, ctx.error)
                if len(element.rule_weights) != 2:
                    ctx.error("rule_weights: give [thick, thin]", yel.value["rule_weights"].where,
                              "e.g. rule_weights: [1pt, 0.5pt]")
            if isinstance(element, model.Photo):
                _check_photo(element, yel, base, allowed, images, ctx)
                if element.caption_width is not None and geo is not None:
                    _check_caption_width(element, frame_rect(element.frame, geo, pi + 1).w,
                                         yel.value["caption_width"].where, ctx)
    for name in edition.stories:
        if name not in placed:
            ctx.error(f"story '{name}' is not placed on any page", root.get("stories").keys[name],
                      "place it with a 'type: story' element, or remove it")
    _check_jumps(jumps, named, given, announced, ctx)
    return images


def _check_article_part(element, yel: Y, edition, heads: dict, ctx: Context) -> None:
    """A headline, photo or title text joined to a story names one there is, and a story
    has one head: its article cannot start with two headlines."""
    where = yel.value["story"].where
    if element.story not in edition.stories:
        ctx.error(f"unknown story '{element.story}'", where,
                  did_you_mean(element.story, edition.stories) or "give the name of a story under 'stories:'")
    elif not isinstance(element, model.Photo):
        if element.story in heads:
            ctx.error(f"story '{element.story}' already has its head at {heads[element.story]}", where,
                      "join one headline (or title text) to a story; a continuation's headline is the "
                      "story frame's 'headline'")
        else:
            heads[element.story] = f"line {where.line}"


def _past_the_end(what: str, where: Where, given: int, announced: int, ctx: Context) -> None:
    """A reference to a page the paper does not have."""
    partial = f" (pages 1 to {given} given)" if announced > given else ""
    ctx.error(f"{what}, but the paper has {announced} page{'s' * (announced > 1)}{partial}", where,
              f"give a page from 1 to {announced}" + ("" if announced > given else
                                                      ", or announce more with paper.pages (a partial edition)"))


def partial_edition(edition, root: Y) -> list[Notice]:
    """A partial edition (fewer pages given than paper.pages announces) is said once,
    and so is each jump to a page it does not give: the story's rest is not set."""
    given, announced = len(edition.pages), edition.paper.announced(len(edition.pages))
    if announced <= given:
        return []
    out = [Notice("partial", f"a partial edition: pages 1 to {given} of the {announced} paper.pages announces",
                  Place(root.get("paper").value["pages"].where),
                  "folios and the masthead print the announced count; teasers and jumps may point to any of them")]
    for pi, page in enumerate(edition.pages):
        for ei, el in enumerate(page.elements):
            if isinstance(el, model.StoryFrame) and el.jump and el.jump.page > given:
                yel = root.get("pages").value[pi].value["elements"].value[ei]
                out.append(Notice("partial", f"the story jumps to page {el.jump.page}, which this partial edition "
                                  f"does not give: its jump line says so, and its rest is not set",
                                  Place(yel.value["jump"].where, pi + 1, ei + 1, el.type, el.story),
                                  f"give the pages up to {el.jump.page} to set the rest"))
    return out


def _input_file(what: str, name: str, where: Where, base: Path, allowed, ctx: Context) -> str | None:
    """A file an element names (a photo, a supplied ad or lettering): inside the edition's
    folders and there, as its real path; else None, the fault recorded at `where`."""
    path = base / name
    if not _inside(path, allowed):
        ctx.error(f"{what} '{name}' is outside the edition folder", where, ALLOW_HINT)
        return None
    try:
        check_input(path)
    except InputError as exc:
        if exc.message == "file not found":
            # the folder as the user named it (a path of their own machine stays theirs)
            folder = "the current folder" if str(base) == "." else str(base)
            ctx.error(f"{what} file not found: {name}", where,
                      f"looked in {folder}, next to the edition file; check the name and its case")
        else:
            ctx.error(f"{what} '{name}': {exc.message}", where, exc.hint)
        return None
    return real(path)


def _check_photo(el: model.Photo, yel: Y, base: Path, allowed, images, ctx: Context) -> None:
    full = _input_file("photo", el.file, yel.value["file"].where, base, allowed, ctx)
    if full is not None:
        images[el.file] = full
    if len(el.focal) != 2:  # the model bounds each value
        ctx.error("focal: give [x, y], each from 0 to 1", yel.value["focal"].where, "e.g. focal: [0.5, 0.4]")
    if el.crop is not None:
        left, top, right, bottom = el.crop if len(el.crop) == 4 else (0, 0, 0, 0)
        if len(el.crop) != 4 or not (0 <= left < right <= 1 and 0 <= top < bottom <= 1):
            ctx.error("crop: give [left, top, right, bottom] as fractions, left < right, top < bottom",
                      yel.value["crop"].where, "e.g. crop: [0.1, 0, 0.9, 1] keeps the middle four fifths")


def _check_supplied(what: str, name: str, number: int, yel: Y, key: str, base: Path, allowed, images: dict,
                    artwork: dict, ctx: Context) -> None:
    """A supplied ad or lettering file: inside the edition's folders, there, and read
    (a PDF's page into `artwork`, an image's header checked): each fault placed at its key."""
    where = yel.value[key].where
    full = _input_file(what, name, where, base, allowed, ctx)
    if full is None:
        return
    try:
        if supplied.is_pdf(full):
            if (name, number) not in artwork:
                artwork[(name, number)] = supplied.read_pdf(full, number)
        else:
            if number != 1:
                where = yel.value["page"].where
                raise InputError(f"page {number}: an image has one page", None, "leave page out for an image")
            pixel_size(full)
            images[name] = full
    except InputError as exc:
        if "page" in yel.value and "no page" in exc.message:
            where = yel.value["page"].where
        ctx.error(f"{what} '{name}': {exc.message}", where, exc.hint)


def _check_caption_width(el: model.Photo, frame_w: float, where: Where, ctx: Context) -> None:
    """A side caption's width must leave the picture room beside it (a fifth of the frame)."""
    room = frame_w * 4 / 5
    if el.caption_width <= 6 or el.caption_width > room:
        ctx.error(f"caption_width {el.caption_width / PT_PER_MM:.1f} mm: a caption beside the photo must be wider "
                  f"than its 6 pt gap and leave the picture a fifth of the {frame_w / PT_PER_MM:.1f} mm frame",
                  where, f"give at most {room / PT_PER_MM:.1f} mm, or widen the frame")
    if el.caption_position == "below":
        ctx.error("caption_width is for a caption beside the photo; this one is below it (it takes the frame's "
                  "width)", where, "add caption_position: right or left, or remove caption_width")


def _check_jumps(jumps, named, given: int, announced: int, ctx: Context) -> None:
    """Every jump lands on a named frame of the same story; no chain comes back. A jump
    to a page a partial edition does not give cannot be checked further."""
    links = {}
    for page, el, where in jumps:
        target = (el.jump.page, el.jump.frame)
        if el.jump.page > announced:
            _past_the_end(f"jump to page {el.jump.page}", where, given, announced, ctx)
            continue
        if el.jump.page > given:
            continue
        if target not in named:
            frames = sorted(n for (p, n) in named if p == el.jump.page)
            hint = did_you_mean(el.jump.frame, frames) or (
                f"story frames named on page {el.jump.page}: {', '.join(frames)}" if frames
                else "give the target frame a 'name'")
            ctx.error(f"jump to frame '{el.jump.frame}' on page {el.jump.page}, which has no story frame "
                      f"of that name", where, hint)
            continue
        if named[target][0] != el.story:
            ctx.error(f"jump from story '{el.story}' lands on a frame of story '{named[target][0]}'", where,
                      f"point it at a frame of story '{el.story}'")
            continue
        links[(page, el.name or f"#{id(el)}")] = (target, where)
    for start, (_, where) in links.items():
        seen = {start}
        node = links[start][0]
        while node in links:
            if node in seen:
                ctx.error(f"jumps go round in a circle through page {node[0]} frame '{node[1]}'", where,
                          "the story's last part needs no jump: remove the one that leads back")
                break
            seen.add(node)
            node = links[node][0]


def _check_frame(frame: model.Frame, geo, where: Where, ctx: Context) -> None:
    if geo is None:
        return
    if frame.column < 1 or frame.span < 1 or frame.column + frame.span - 1 > geo.columns:
        ctx.error(f"frame columns {frame.column} to {frame.column + frame.span - 1} are outside "
                  f"the {geo.columns}-column grid", where, f"columns are numbered 1 to {geo.columns}: give a "
                  "smaller column or span")
    depth = geo.height - geo.margins.top - geo.margins.bottom
    bottom = frame.top + (frame.height or 0)
    if frame.top < 0 or bottom > depth + 0.01:
        ctx.error(f"frame reaches {bottom / PT_PER_MM:.1f} mm below the top margin; the type area is "
                  f"{depth / PT_PER_MM:.1f} mm deep", where, "move the frame up or make it shorter")


def _overlaps(edition, geo) -> list[Notice]:
    """Elements that cover each other (boxes and rules aside, which are meant to)."""
    if geo is None:
        return []
    depth = geo.height - geo.margins.top - geo.margins.bottom
    out = []
    for pi, page in enumerate(edition.pages):
        rects = []
        for ei, el in enumerate(page.elements):
            if isinstance(el, (model.Box, model.RuleElement)):
                continue
            f = el.frame
            bottom = f.top + (f.height if f.height is not None else depth - f.top)
            rects.append((ei, el, f.column, f.column + f.span, f.top, bottom))
        for a in range(len(rects)):
            for b in range(a + 1, len(rects)):
                ea, ra = rects[a][1], rects[a]
                eb, rb = rects[b][1], rects[b]
                if isinstance(ea, (model.Photo, model.Qr)) and isinstance(eb, model.StoryFrame) or \
                        isinstance(eb, (model.Photo, model.Qr)) and isinstance(ea, model.StoryFrame):
                    continue  # text wraps around a photo or QR code inside its frame
                if ra[2] < rb[3] and rb[2] < ra[3] and ra[4] < rb[5] - 0.01 and rb[4] < ra[5] - 0.01:
                    out.append(Notice("overlap", f"it overlaps element {rb[0] + 1} ({eb.type})",
                                      Place(page=pi + 1, element=ra[0] + 1, kind=ea.type),
                                      "move one of them, or make it a box or a photo the text wraps around"))
    return out
