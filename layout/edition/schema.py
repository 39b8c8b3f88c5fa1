"""JSON Schema (draft 2020-12) and the format reference's key tables, from layout/edition/model.py.

The model's annotations already drive the loader (layout/edition/convert.py); generating the
schema and the reference from the same annotations keeps all three in step. Editors use
the schema to complete and check edition files while they are typed, so it must never
refuse what the loader accepts: the patterns for lengths and colours follow
layout/base/units.py and layout/edition/convert.py (tests/test_schema.py holds them to it). Checks
that need the whole edition (references, files, the grid) stay the loader's alone.

`python -m layout.edition.schema` rewrites docs/*.schema.json and the generated block of
docs/edition-format.md; `--check` only reports what is out of date (exit 1).
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import inspect
import json
import re
import sys
import types
import typing
from collections import deque
from pathlib import Path

import yaml

from . import model
from .convert import bounds_text, yaml_key
from ..base.units import UNITS, ZIHAO

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# Grid units the loader adds for frame positions (layout/edition/loader.py, _grid_units).
GRID_UNITS = ("line", "lines", "row", "rows")
KEYS_START = "<!-- keys:start -->"
KEYS_END = "<!-- keys:end -->"
FILES = ("docs/edition.schema.json", "docs/house-style.schema.json", "docs/edition-format.md")

_NUMBER = r"\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"  # lengths are never negative
_ZERO = r"[-+]?(?:0+(?:\.0*)?|\.0+)"


def length_pattern(extra_units: tuple[str, ...] = ()) -> str:
    """What units.parse_length reads: a number with a unit, a 字号 name, or a bare zero.
    ASCII digits only (the loader's `\\d` also takes e.g. full-width digits, by accident)."""
    units = "|".join(re.escape(u) for u in sorted(set(UNITS) | set(extra_units)))
    sizes = "|".join(sorted(ZIHAO))
    return rf"^\s*(?:{sizes}|{_NUMBER}\s*(?:{units})|{_ZERO})\s*$"


_PERCENT = r"(?:100|[1-9]?[0-9])"
_BYTE = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
COLOR_PATTERN = (rf"^\s*(?:black|white|rich-black|gray{_PERCENT}"
                 rf"|cmyk\(\s*{_PERCENT}(?:\s*,\s*{_PERCENT}){{3}}\s*\)"
                 rf"|rgb\(\s*{_BYTE}(?:\s*,\s*{_BYTE}){{2}}\s*\)|#[0-9A-Fa-f]{{6}}"
                 rf"|spot\(\s*[A-Za-z0-9][A-Za-z0-9 ._-]*,\s*{_PERCENT}(?:\s*,\s*{_PERCENT}){{3}}\s*\))\s*$")
PERCENT_PATTERN = r"^\s*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*%\s*$"  # convert._PERCENT_VALUE
DATE_PATTERN = r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"


def _annotated_defs(kind: str) -> tuple[str, dict]:
    """The shared definition of a Length, GridLength, Color or Percent."""
    zero = {"type": "number", "const": 0}
    if kind == "length":
        return "Length", {
            "title": "Length",
            "description": "A length with a unit (pt, mm, cm, in, q or 级 = 0.25 mm), a 字号 name "
                           "such as 五号 (10.5 pt) or 小五 (9 pt), or the number 0.",
            "anyOf": [{"type": "string", "pattern": length_pattern()}, zero],
            "examples": ["12mm", "10.5pt", "20q", "五号", 0]}
    if kind == "gridlength":
        return "GridLength", {
            "title": "GridLength",
            "description": "A length, or lines of the baseline grid ('12 lines'), or module rows "
                           "('2 rows', when geometry.rows is set).",
            "anyOf": [{"type": "string", "pattern": length_pattern(GRID_UNITS)}, zero],
            "examples": ["40mm", "12 lines", "2 rows", 0]}
    if kind == "color":
        return "Color", {
            "title": "Color",
            "description": "black, white, rich-black (black in four inks in a press render, for "
                           "large type and areas), gray0 to gray100 (percent black), cmyk(c, m, y, k) in "
                           "percent, rgb(r, g, b) in 0-255 or #rrggbb (converted through the printing "
                           "condition's profile for the press), or spot(NAME, c, m, y, k): a spot ink "
                           "with its CMYK look-alike.",
            "type": "string", "pattern": COLOR_PATTERN,
            "examples": ["black", "gray20", "cmyk(0, 100, 100, 0)", "rich-black", "#c8102e",
                         "spot(PANTONE 485 C, 0, 95, 100, 0)"]}
    if kind == "percent":
        return "Percent", {
            "title": "Percent",
            "description": "A percentage, written with its sign: 85% (bounds are the key's).",
            "type": "string", "pattern": PERCENT_PATTERN, "examples": ["85%", "120%"]}
    raise TypeError(f"no schema for Annotated kind {kind!r}")


def _is_union(tp) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _tag(cls) -> str:
    """The `type` value of an element class (its Literal)."""
    return typing.get_args(typing.get_type_hints(cls)["type"])[0]


def _field_default(f: dataclasses.Field):
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


class NotJSON(ValueError):
    """A default the schema cannot state (it is then left out)."""


def to_json(tp, value):
    """A Python value of type `tp` as it would be written in the file: lengths with 'pt',
    dates as ISO text, dataclasses as mappings with YAML keys."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if value is None:
        return None
    if origin is typing.Annotated:
        if tp.__metadata__[0] == "color":
            return value
        if tp.__metadata__[0] == "percent":
            return f"{value:g}%"
        return 0 if value == 0 else f"{value:g}pt"
    if _is_union(tp):
        if dataclasses.is_dataclass(value):
            return to_json(type(value), value)
        options = [a for a in args if a is not type(None) and not dataclasses.is_dataclass(a)]
        if len(options) == 1:
            return to_json(options[0], value)
        raise NotJSON(f"ambiguous union default {value!r}")
    if origin is typing.Literal:
        return value
    if origin is list:
        return [to_json(args[0], v) for v in value]
    if origin is dict:
        return {k: to_json(args[1], v) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp, include_extras=True)
        return {yaml_key(f.name): to_json(hints[f.name], getattr(value, f.name))
                for f in dataclasses.fields(tp)}
    if tp is datetime.date:
        return value.isoformat()
    if tp in (str, int, float, bool) and isinstance(value, tp):
        return value
    raise NotJSON(f"cannot write {value!r} as JSON")


class Walker:
    """Visits the dataclasses reachable from a root, breadth first, building `$defs`
    and noting where in the file each class appears."""

    def __init__(self) -> None:
        self.defs: dict[str, dict] = {}
        self.classes: dict[str, type] = {}
        self.paths: dict[str, list[str]] = {}
        self._queue: deque[tuple[type, str]] = deque()

    def walk(self, root: type, path: str = "") -> dict:
        ref = self._ref(root, path)
        while self._queue:
            cls, at = self._queue.popleft()
            self.defs[cls.__name__] = self._class(cls, at)
        return ref

    def _ref(self, cls: type, path: str) -> dict:
        name = cls.__name__
        if self.classes.setdefault(name, cls) is not cls:
            raise TypeError(f"two model classes named {name}")
        if name not in self.paths:
            self._queue.append((cls, path))
        seen = self.paths.setdefault(name, [])
        if path not in seen:
            seen.append(path)
        return {"$ref": f"#/$defs/{name}"}

    def schema(self, tp, path: str, bounds: tuple | None = None) -> dict:
        """`bounds`: the field's (least, most), stated on its numbers (a length's are in
        its description: a pattern cannot bound them)."""
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin is typing.Annotated:
            name, definition = _annotated_defs(tp.__metadata__[0])
            self.defs[name] = definition
            return {"$ref": f"#/$defs/{name}"}
        if _is_union(tp):
            options = [a for a in args if a is not type(None)]
            classes = [a for a in options if dataclasses.is_dataclass(a)]
            parts = [self._tagged(classes, path)] if len(classes) > 1 else []
            parts += [self.schema(a, path, bounds) for a in options if len(classes) < 2 or a not in classes]
            if type(None) in args:
                parts.append({"type": "null"})
            return parts[0] if len(parts) == 1 else {"anyOf": parts}
        if origin is typing.Literal:
            return {"const": args[0]} if len(args) == 1 else {"enum": list(args)}
        if origin is list:
            return {"type": "array", "items": self.schema(args[0], f"{path}[]", bounds)}
        if origin is dict:
            if args[0] is not str:
                raise TypeError(f"mapping keys must be text, not {args[0]!r}")
            return {"type": "object", "additionalProperties": self.schema(args[1], f"{path}.<name>")}
        if dataclasses.is_dataclass(tp):
            return self._ref(tp, path)
        scalars = {
            str: {"type": ["string", "number"]},  # the loader reads a number as its digits
            int: {"type": "integer"},
            float: {"type": "number"},
            bool: {"type": "boolean"},
            datetime.date: {"type": "string", "format": "date", "pattern": DATE_PATTERN},
        }
        if tp in scalars:
            out = dict(scalars[tp])
            if bounds is not None and tp in (int, float):
                out["minimum"], out["maximum"] = bounds
            return out
        raise TypeError(f"no schema for type {tp!r} (at {path or 'the top level'})")

    def _tagged(self, classes: list[type], path: str) -> dict:
        """Elements: a mapping whose `type` picks the class (convert._tagged)."""
        return {"type": "object", "required": ["type"],
                "properties": {"type": {"enum": [_tag(c) for c in classes]}},
                "oneOf": [self._ref(c, path) for c in classes]}

    def _class(self, cls: type, path: str) -> dict:
        hints = typing.get_type_hints(cls, include_extras=True)
        properties: dict[str, dict] = {}
        required: list[str] = []
        for f in dataclasses.fields(cls):
            key = yaml_key(f.name)
            if "doc" not in f.metadata:
                raise TypeError(f"{cls.__name__}.{f.name} has no doc(); every format key needs one")
            bounds = f.metadata.get("bounds")
            prop = dict(self.schema(hints[f.name], f"{path}.{key}" if path else key, bounds))
            prop["description"] = f.metadata["doc"] + (f" ({bounds_text(bounds, hints[f.name])})" if bounds else "")
            if "example" in f.metadata:
                prop["examples"] = [f.metadata["example"]]
            default = _field_default(f)
            if default is dataclasses.MISSING:
                required.append(key)
            else:
                try:
                    prop["default"] = to_json(hints[f.name], default)
                except NotJSON:
                    pass
            properties[key] = prop
        out = {"type": "object", "title": cls.__name__, "description": inspect.cleandoc(cls.__doc__ or ""),
               "properties": properties, "additionalProperties": False}
        if required:
            out["required"] = required
        return out


def _root_schema(cls: type, title: str) -> dict:
    walker = Walker()
    ref = walker.walk(cls)
    return {"$schema": DRAFT, "title": title, "description": inspect.cleandoc(cls.__doc__ or ""),
            **ref, "$defs": walker.defs}


def edition_schema() -> dict:
    """The schema of an edition file (model.EditionFile)."""
    return _root_schema(model.EditionFile, "paiban edition")


def house_style_schema() -> dict:
    """The schema of a house style file an edition includes (model.HouseStyle)."""
    return _root_schema(model.HouseStyle, "paiban house style")


def dump(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------- the key reference

def human_type(tp) -> str:
    """A type as a designer reads it, with links to the sections of the classes."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return {"length": "length", "gridlength": "grid length", "color": "colour",
                "percent": "percentage"}[tp.__metadata__[0]]
    if _is_union(tp):
        options = [a for a in args if a is not type(None)]
        classes = [a for a in options if dataclasses.is_dataclass(a)]
        if len(classes) > 1:
            words = ["element: " + ", ".join(f"[{_tag(c)}](#{c.__name__.lower()})" for c in classes)]
        else:
            words = [human_type(a) for a in options]
        if type(None) in args:
            words.append("null")
        return " or ".join(words)
    if origin is typing.Literal:
        return "`" + args[0] + "`" if len(args) == 1 else "one of " + ", ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {human_type(args[0])}"
    if origin is dict:
        return f"map of names to {human_type(args[1])}"
    if dataclasses.is_dataclass(tp):
        return f"[{tp.__name__}](#{tp.__name__.lower()})"
    return {str: "text", int: "whole number", float: "number", bool: "true or false",
            datetime.date: "date (YYYY-MM-DD)"}[tp]


def _yaml_ready(tp, value):
    """`value` (as JSON has it) with dates as date objects, so that YAML writes them unquoted."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is datetime.date and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    if _is_union(tp):
        classes = [a for a in args if dataclasses.is_dataclass(a)]
        if isinstance(value, dict) and classes:
            match = [c for c in classes if len(classes) == 1 or _tag(c) == value.get("type")]
            return _yaml_ready(match[0], value) if match else value
        others = [a for a in args if a is not type(None) and not dataclasses.is_dataclass(a)]
        return _yaml_ready(others[0], value) if len(others) == 1 else value
    if origin is list and isinstance(value, list):
        return [_yaml_ready(args[0], v) for v in value]
    if origin is dict and isinstance(value, dict):
        return {k: _yaml_ready(args[1], v) for k, v in value.items()}
    if dataclasses.is_dataclass(tp) and isinstance(value, dict):
        hints = typing.get_type_hints(tp, include_extras=True)
        names = {yaml_key(f.name): f.name for f in dataclasses.fields(tp)}
        return {k: _yaml_ready(hints[names[k]], v) if k in names else v for k, v in value.items()}
    return value


def inline_yaml(value, tp=None) -> str:
    """A value (as JSON has it) as one line of YAML, the way a designer would write it."""
    text = yaml.safe_dump(_yaml_ready(tp, value), allow_unicode=True, default_flow_style=True,
                          sort_keys=False, width=10**9).strip()
    return text[:-4].strip() if text.endswith("\n...") else text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _where(cls: type, paths: list[str]) -> str:
    if "" in paths:
        return "the top level of " + ("an edition file" if cls is model.EditionFile else "a house style file")
    shown = ", ".join(f"`{p}`" for p in paths)
    if "type" in {f.name for f in dataclasses.fields(cls)}:
        shown += f" with `type: {_tag(cls)}`"
    return shown


def key_reference() -> str:
    """One section per format class: where it goes, and a table of every key."""
    walker = Walker()
    walker.walk(model.EditionFile)
    walker.walk(model.HouseStyle)
    out = ["<!-- generated by `python -m layout.edition.schema` from layout/edition/model.py: do not edit by hand -->", ""]
    for name, cls in walker.classes.items():
        hints = typing.get_type_hints(cls, include_extras=True)
        doc = " ".join(inspect.cleandoc(cls.__doc__ or "").split())
        out += [f"### {name}", "", f"**In the file:** {_where(cls, walker.paths[name])}.", "", doc, "",
                "| key | type | default | description | example |", "|---|---|---|---|---|"]
        for f in dataclasses.fields(cls):
            tp = hints[f.name]
            default = _field_default(f)
            if default is dataclasses.MISSING:
                shown = "*required*"
            elif default is None:
                shown = "*not set*"
            elif default == "":
                shown = "*empty*"
            elif dataclasses.is_dataclass(default) and default == type(default)():
                shown = f"the defaults of [{type(default).__name__}](#{type(default).__name__.lower()})"
            else:
                try:
                    shown = _code(inline_yaml(to_json(tp, default), tp))
                except NotJSON:
                    shown = "*see description*"
            example = _code(inline_yaml(f.metadata["example"], tp)) if "example" in f.metadata else ""
            kind = human_type(tp)
            if "bounds" in f.metadata:
                kind += ", " + ("each " if typing.get_origin(tp) is list else "") + bounds_text(f.metadata["bounds"], tp)
            out.append("| " + " | ".join(_cell(c) for c in (
                _code(yaml_key(f.name)), kind, shown, f.metadata["doc"], example)) + " |")
        out.append("")
    return "\n".join(out + _builtins())


def _builtins() -> list[str]:
    """The styles and masters every edition has (layout/edition/loader.py), as a table."""
    from . import loader  # heavy (fonts, stories): only the reference needs its defaults

    sizes = {v: k for k, v in ZIHAO.items()}
    plain = model.Style()
    hints = typing.get_type_hints(model.Style, include_extras=True)
    out = ["### Built-in styles and masters", "",
           "Every edition has these without defining them. A style you define under a built-in "
           "name (and without `based_on`) starts from the built-in one: the keys you leave out "
           "keep the values below, not the defaults of [Style](#style).", "",
           "| style | font | size | leading | align | other |", "|---|---|---|---|---|---|"]
    for name, st in loader.DEFAULT_STYLES.items():
        size = f"{st.size:g}pt" + (f" ({sizes[st.size]})" if st.size in sizes else "")
        other = ", ".join(f"{yaml_key(f.name)}: {inline_yaml(to_json(hints[f.name], getattr(st, f.name)))}"
                          for f in dataclasses.fields(st)
                          if f.name not in ("font", "size", "leading", "align")
                          and getattr(st, f.name) != getattr(plain, f.name))
        leading = "1.4 × size" if st.leading is None else to_json(model.Length, st.leading)
        out.append(f"| `{name}` | {st.font} | {size} | {leading} | "
                   f"{st.align} | {other} |")
    out += ["", "| character style | font | colour |", "|---|---|---|"]
    for name, cs in loader.DEFAULT_CHAR_STYLES.items():
        out.append(f"| `{name}` | {cs.font} | {cs.color or 'the paragraph’s'} |")
    out += ["", "| master | folio | credits |", "|---|---|---|"]
    for name, m in loader.DEFAULT_MASTERS.items():
        folio = "none" if m.folio is None else ("the defaults of [Folio](#folio)" if m.folio == model.Folio()
                                                 else _code(inline_yaml(to_json(model.Folio, m.folio))))
        out.append(f"| `{name}` | {folio} | {_cell(m.credits) or 'none'} |")
    out.append("")
    return out


def replace_keys(markdown: str, block: str) -> str:
    """The markdown with the text between the key markers replaced by `block`."""
    start, end = markdown.find(KEYS_START), markdown.find(KEYS_END)
    if start < 0 or end < start:
        raise ValueError(f"docs/edition-format.md needs the markers {KEYS_START} and {KEYS_END}")
    return markdown[: start + len(KEYS_START)] + "\n" + block + "\n" + markdown[end:]


def generated_files(repo: Path) -> dict[Path, str]:
    """Every generated file under `repo` with the text it should have."""
    reference = repo / FILES[2]
    return {
        repo / FILES[0]: dump(edition_schema()),
        repo / FILES[1]: dump(house_style_schema()),
        reference: replace_keys(reference.read_text(encoding="utf-8"), key_reference()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m layout.edition.schema",
                                     description="Regenerate the JSON Schemas and the key tables of "
                                                 "docs/edition-format.md from layout/edition/model.py.")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a generated file is out of date")
    args = parser.parse_args(argv)
    repo = Path(__file__).resolve().parents[2]
    try:
        wanted = generated_files(repo)
    except (OSError, ValueError) as exc:
        print(f"layout.edition.schema: {exc}", file=sys.stderr)
        return 2
    stale = [p for p, text in wanted.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    for path in stale:
        shown = path.relative_to(repo)
        if args.check:
            print(f"{shown} is out of date: run python -m layout.edition.schema", file=sys.stderr)
        else:
            path.write_text(wanted[path], encoding="utf-8")
            print(f"wrote {shown}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
