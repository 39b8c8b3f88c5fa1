"""Edition YAML -> model, checking everything a designer can get wrong.

The conversion is driven by the model's type annotations, so a new field in
layout/model.py is validated without new loader code. All errors of a file are
collected and reported together.
"""
from __future__ import annotations

import dataclasses
import datetime
import types
import typing
from pathlib import Path

from . import model
from .errors import InputError, InputErrors, Where, did_you_mean
from .fonts import read_manifest
from .units import UnitError, parse_length
from .yamlsource import Y, load, read_text

DEFAULT_STYLES = {
    "body": model.Style(font="body", size=9.0, leading=13.5, indent=2.0),
    "subhead": model.Style(font="headline", size=9.0, leading=13.5, align="start"),
    "headline": model.Style(font="headline", size=28.0, leading=34.0, align="start"),
    "kicker": model.Style(font="caption", size=10.5, leading=15.0, align="start"),
    "deck": model.Style(font="caption", size=12.0, leading=17.0, align="start"),
    "caption": model.Style(font="caption", size=7.5, leading=11.0, align="justify"),
    "masthead": model.Style(font="heavy", size=60.0, leading=66.0, align="center"),
    "masthead-bo": model.Style(font="tibetan-headline", size=16.0, leading=24.0, align="center"),
    "masthead-info": model.Style(font="caption", size=7.5, leading=11.0, align="start"),
}


class _Context:
    def __init__(self, baseline: float | None = None):
        self.errors: list[InputError] = []
        self.baseline = baseline

    def error(self, message: str, where: Where, hint: str | None = None) -> None:
        self.errors.append(InputError(message, where, hint))


_MISSING = object()


def _type_name(tp) -> str:
    if tp is str:
        return "text"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    if tp is bool:
        return "true or false"
    return getattr(tp, "__name__", str(tp))


def _convert(tp, y: Y, ctx: _Context, name: str):
    """Convert one Y value to type `tp`; on error record it and return _MISSING."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        kind = tp.__metadata__[0]
        extra = {"line": ctx.baseline, "lines": ctx.baseline} if kind == "gridlength" and ctx.baseline else None
        try:
            return parse_length(y.value, extra_units=extra)
        except UnitError as exc:
            ctx.error(f"{name}: {exc}", y.where)
            return _MISSING
    if origin in (typing.Union, types.UnionType):
        if y.value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if all(dataclasses.is_dataclass(a) for a in options):
            return _convert_tagged(options, y, ctx, name)
        return _convert(options[0], y, ctx, name)
    if origin is typing.Literal:
        if y.value in args:
            return y.value
        hint = did_you_mean(str(y.value), [str(a) for a in args])
        ctx.error(f"{name}: {y.value!r} is not one of {', '.join(map(str, args))}", y.where, hint)
        return _MISSING
    if origin is list:
        if not isinstance(y.value, list):
            ctx.error(f"{name}: expected a list", y.where, "start each item with '- '")
            return _MISSING
        items = [_convert(args[0], item, ctx, f"{name}[{i + 1}]") for i, item in enumerate(y.value)]
        return _MISSING if any(i is _MISSING for i in items) else items
    if origin is dict:
        if not isinstance(y.value, dict):
            ctx.error(f"{name}: expected a mapping of names to values", y.where)
            return _MISSING
        out = {key: _convert(args[1], item, ctx, f"{name}.{key}") for key, item in y.value.items()}
        return _MISSING if any(v is _MISSING for v in out.values()) else out
    if dataclasses.is_dataclass(tp):
        return _convert_dataclass(tp, y, ctx, name)
    if tp is float and isinstance(y.value, (int, float)) and not isinstance(y.value, bool):
        return float(y.value)
    if tp is datetime.date and isinstance(y.value, datetime.date):
        return y.value
    if tp is str and isinstance(y.value, (int, float)) and not isinstance(y.value, bool):
        return str(y.value)
    if isinstance(y.value, tp) and not (tp is int and isinstance(y.value, bool)):
        return y.value
    expected = "a date such as 2026-11-30" if tp is datetime.date else _type_name(tp)
    ctx.error(f"{name}: expected {expected}, got {y.value!r}", y.where)
    return _MISSING


def _convert_tagged(options, y: Y, ctx: _Context, name: str):
    """A union of element types, chosen by the mapping's `type` key."""
    by_tag = {typing.get_args(typing.get_type_hints(o)["type"])[0]: o for o in options}
    tag = y.get("type")
    if not isinstance(y.value, dict) or tag is None:
        ctx.error(f"{name}: needs a 'type' ({', '.join(by_tag)})", y.where)
        return _MISSING
    if tag.value not in by_tag:
        ctx.error(f"{name}: unknown element type {tag.value!r}", tag.where,
                  did_you_mean(str(tag.value), by_tag) or f"one of {', '.join(by_tag)}")
        return _MISSING
    return _convert_dataclass(by_tag[tag.value], y, ctx, name)


def _convert_dataclass(cls, y: Y, ctx: _Context, name: str):
    if not isinstance(y.value, dict):
        ctx.error(f"{name}: expected a mapping (key: value lines)", y.where)
        return _MISSING
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    ok = True
    for key, item in y.value.items():
        if key not in fields:
            hint = did_you_mean(key, fields) or f"known keys: {', '.join(fields)}"
            ctx.error(f"unknown key '{key}' in {name}", y.keys[key], hint)
            ok = False
            continue
        value = _convert(hints[key], item, ctx, f"{name}.{key}" if name else key)
        if value is _MISSING:
            ok = False
        else:
            values[key] = value
    for fname, f in fields.items():
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required and fname not in y.value:
            ctx.error(f"{name or 'edition'}: missing required key '{fname}'", y.where)
            ok = False
    return cls(**values) if ok else _MISSING


def _resolve_styles(styles: dict[str, model.Style], ys: Y | None, ctx: _Context) -> dict[str, model.Style]:
    """Apply `based_on`: a style's unset keys come from its parent (then the defaults)."""
    written = {k: set(v.value) if isinstance(v.value, dict) else set()
               for k, v in (ys.value.items() if ys else [])}
    resolved: dict[str, model.Style] = dict(DEFAULT_STYLES)

    def resolve(name: str, chain: tuple[str, ...]) -> model.Style:
        style = styles[name]
        parent_name = style.based_on
        if parent_name is None:
            parent = DEFAULT_STYLES.get(name, model.Style())
        elif parent_name in chain:
            ctx.error(f"style '{name}' is based on itself through {' -> '.join(chain + (parent_name,))}",
                      ys.value[name].where)
            return style
        elif parent_name in styles:
            parent = resolve(parent_name, chain + (parent_name,))
        elif parent_name in DEFAULT_STYLES:
            parent = DEFAULT_STYLES[parent_name]
        else:
            where = ys.value[name].value["based_on"].where
            ctx.error(f"style '{name}' is based on unknown style '{parent_name}'", where,
                      did_you_mean(parent_name, list(styles) + list(DEFAULT_STYLES)))
            return style
        keep = {k: getattr(style, k) for k in written.get(name, ()) if k != "based_on"}
        return dataclasses.replace(parent, **keep, based_on=None)

    for name in styles:
        resolved[name] = resolve(name, (name,))
    return resolved


def _story_blocks(text: str, shown: str, first_line: int) -> tuple[model.Block, ...]:
    """The Markdown subset: blank-line separated paragraphs; '## ' starts a subhead,
    whose following non-blank lines continue it (two-line subheads)."""
    blocks = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start = i
        chunk = []
        while i < len(lines) and lines[i].strip():
            chunk.append(lines[i].strip())
            i += 1
        where = Where(shown, first_line + start, 1)
        if chunk[0].startswith("## "):
            # a subhead's lines are kept apart by a line feed: the designer's own break
            parts = [c[3:].strip() if c.startswith("## ") else c for c in chunk]
            blocks.append(model.Block("subhead", "\n".join(parts), where))
        else:
            # Chinese and Tibetan lines join without a space; Latin lines with one
            joined = chunk[0]
            for part in chunk[1:]:
                joiner = " " if joined[-1:].isascii() and part[:1].isascii() else ""
                joined += joiner + part
            blocks.append(model.Block("para", joined, where))
    return tuple(blocks)


def _hyphenation_language(language: str) -> str | None:
    import pyphen

    return pyphen.language_fallback(language)


def _inside(base: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(base.resolve())
        return True
    except ValueError:
        return False


def load_edition(path: str | Path) -> model.Edition:
    """Read and check an edition; raise InputError(s) naming every mistake found."""
    path = Path(path)
    shown = str(path)
    root = load(path, shown)
    base = path.parent
    if not isinstance(root.value, dict):
        raise InputError("an edition file must be a mapping (key: value lines)", root.where)
    baseline = None
    ctx0 = _Context()
    geo = root.get("geometry")
    if geo is not None:
        g = _convert(model.Geometry, geo, ctx0, "geometry")
        if g is not _MISSING:
            baseline = g.baseline
    ctx = _Context(baseline)
    edition = _convert(model.EditionFile, root, ctx, "")
    if edition is _MISSING or ctx.errors:
        raise InputErrors(ctx.errors)

    styles = _resolve_styles(edition.styles, root.get("styles"), ctx)
    roles = set(read_manifest()["roles"]) | set(edition.fonts)
    ystyles = root.get("styles")
    for name, style in edition.styles.items():
        if style.hyphenate is not None and not _hyphenation_language(style.hyphenate):
            import pyphen

            ctx.error(f"style '{name}': no hyphenation patterns for '{style.hyphenate}'",
                      ystyles.value[name].value["hyphenate"].where,
                      did_you_mean(style.hyphenate, pyphen.LANGUAGES) or "e.g. en_US, en_GB, de_DE")
        if style.font not in roles:
            ys = ystyles.value[name]
            where = ys.value["font"].where if "font" in ys.value else ys.where
            ctx.error(f"style '{name}': unknown font role '{style.font}'", where,
                      did_you_mean(style.font, roles) or f"roles: {', '.join(sorted(roles))}")
    stories: dict[str, model.Story] = {}
    ystories = root.get("stories")
    for name, src in edition.stories.items():
        ys = ystories.value[name]
        if (src.file is None) == (src.text is None):
            ctx.error(f"story '{name}' needs exactly one of 'file' and 'text'", ys.where)
            continue
        if src.file is not None:
            fpath = base / src.file
            fwhere = ys.value["file"].where
            if not _inside(base, fpath):
                ctx.error(f"story file '{src.file}' is outside the edition folder", fwhere,
                          "keep story files next to the edition")
                continue
            try:
                text = read_text(fpath, str(fpath))
            except InputError as exc:
                ctx.error(f"story '{name}': {exc.message}: {src.file}", fwhere, exc.hint)
                continue
            blocks = _story_blocks(text, str(fpath), 1)
        else:
            blocks = _story_blocks(src.text, shown, ys.value["text"].where.line + 1)
        for style_name in (src.style, src.subhead_style):
            if style_name not in styles:
                ctx.error(f"story '{name}' uses unknown style '{style_name}'", ys.where,
                          did_you_mean(style_name, styles))
        stories[name] = model.Story(name, blocks, src.style, src.subhead_style)

    images: dict[str, str] = {}
    ypages = root.get("pages")
    used_stories = set()
    for pi, page in enumerate(edition.pages):
        for ei, element in enumerate(page.elements):
            yel = ypages.value[pi].value["elements"].value[ei]
            _check_frame(element.frame, edition.geometry, yel.value["frame"].where, ctx)
            for key in ("style", "title_style", "subtitle_style", "info_style", "kicker_style",
                        "deck_style", "caption_style"):
                sname = getattr(element, key, None)
                if sname is not None and sname not in styles:
                    where = yel.value[key].where if key in yel.value else yel.where
                    ctx.error(f"unknown style '{sname}'", where, did_you_mean(sname, styles))
            if isinstance(element, model.StoryFrame):
                used_stories.add(element.story)
                if element.story not in edition.stories:
                    ctx.error(f"unknown story '{element.story}'", yel.value["story"].where,
                              did_you_mean(element.story, edition.stories) or "add it under 'stories:'")
            if isinstance(element, model.Photo):
                ipath = base / element.file
                iwhere = yel.value["file"].where
                if not _inside(base, ipath):
                    ctx.error(f"photo '{element.file}' is outside the edition folder", iwhere)
                elif not ipath.is_file():
                    ctx.error(f"photo file not found: {element.file}", iwhere,
                              f"looked in {base.resolve()}")
                else:
                    images[element.file] = str(ipath.resolve())
    for name in edition.stories:
        if name not in used_stories:
            ctx.error(f"story '{name}' is not placed on any page", ystories.keys[name],
                      "place it with a 'type: story' element, or remove it")
    if ctx.errors:
        raise InputErrors(ctx.errors)
    return model.Edition(edition, str(base.resolve()), stories, styles, images, edition.fonts)


def _check_frame(frame: model.Frame, geo: model.Geometry, where: Where, ctx: _Context) -> None:
    if frame.column < 1 or frame.span < 1 or frame.column + frame.span - 1 > geo.columns:
        ctx.error(f"frame columns {frame.column}..{frame.column + frame.span - 1} are outside "
                  f"the {geo.columns}-column grid", where)
    depth = geo.height - geo.margins.top - geo.margins.bottom
    bottom = frame.top + (frame.height or 0)
    if frame.top < 0 or bottom > depth + 0.01:
        ctx.error(f"frame reaches {bottom:.1f}pt below the top margin; the type area is "
                  f"{depth:.1f}pt deep", where)
