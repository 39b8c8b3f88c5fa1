"""YAML values (with positions) -> model types, driven by the types' annotations.

A new field in layout/edition/model.py is validated here without new code: its type says what
is allowed. Every mistake is recorded with its place and a hint, and converting goes on,
so that a file's errors are reported together.
"""
from __future__ import annotations

import dataclasses
import functools
import datetime
import re
import types
import typing

from ..base.errors import InputError, Where, did_you_mean
from ..base.units import UnitError, parse_length
from .yamlsource import Y

MISSING = object()
_PERCENT = r"(100|[1-9]?[0-9])"
_BYTE = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_COLOR = re.compile(rf"^(black|white|rich-black|gray{_PERCENT}|cmyk\(\s*{_PERCENT}(\s*,\s*{_PERCENT}){{3}}\s*\)"
                    rf"|rgb\(\s*{_BYTE}(\s*,\s*{_BYTE}){{2}}\s*\)|#[0-9A-Fa-f]{{6}}"
                    rf"|spot\(\s*[A-Za-z0-9][A-Za-z0-9 ._-]*,\s*{_PERCENT}(\s*,\s*{_PERCENT}){{3}}\s*\))$")
COLOR_HINT = ("black, white, rich-black, gray0 to gray100, cmyk(c, m, y, k) in percent, rgb(r, g, b) in 0-255 "
              "or #rrggbb, or spot(NAME, c, m, y, k)")


def normal_color(value: str) -> str:
    """One spelling per RGB colour: #rrggbb as rgb(r,g,b), no spaces inside its brackets
    (the press pass converts each RGB colour once)."""
    value = value.strip()
    if value.startswith("#"):
        return "rgb({},{},{})".format(*(int(value[i:i + 2], 16) for i in (1, 3, 5)))
    if value.startswith("rgb("):
        return re.sub(r"\s+", "", value)
    return value
_ROWS = re.compile(r"rows?\s*$")
_PERCENT_VALUE = re.compile(r"^\s*([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*%\s*$")  # as the schema's pattern
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # no font draws them; "\n" breaks a line
KEY_REFERENCE = "see the key reference in docs/edition-format.md"


class Context:
    """Where conversion records errors, and what grid units mean in this edition."""

    def __init__(self, units: dict[str, float] | None = None, row_gutter: float = 0.0):
        self.errors: list[InputError] = []
        self.units = units or {}
        self.row_gutter = row_gutter

    def error(self, message: str, where: Where, hint: str | None = None) -> None:
        self.errors.append(InputError(message, where, hint))


def shown(y: Y, limit: int = 40, quote: bool = True) -> str:
    """A value as a message can show it: as written, cut short; a mapping or a list by
    its kind, not by its insides."""
    v = y.value
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    text = y.raw if y.raw is not None else repr(v) if isinstance(v, str) and quote else str(v)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def type_name(tp) -> str:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return {"length": "a length such as 12mm", "gridlength": "a length or '12 lines'",
                "color": "a colour", "percent": "a percentage such as 85%"}.get(tp.__metadata__[0], "a value")
    if origin is list:
        return "a list"
    if origin is dict:
        return "a mapping"
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    return {str: "text", int: "a whole number", float: "a number", bool: "true or false",
            datetime.date: "a date such as 2026-11-30"}.get(tp, getattr(tp, "__name__", str(tp)))


def convert(tp, y: Y, ctx: Context, name: str):
    """Convert one value to type `tp`; on a mistake record it and return MISSING."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return _annotated(tp, y, ctx, name)
    if origin in (typing.Union, types.UnionType):
        return _union(args, y, ctx, name)
    if origin is typing.Literal:
        if y.value in args:
            return y.value
        hint = did_you_mean(str(y.value), [str(a) for a in args]) if isinstance(y.value, str) else None
        same = [a for a in args if isinstance(a, str) and isinstance(y.value, str) and a.lower() == y.value.lower()]
        if same:  # 'm' for M: difflib finds no likeness in one letter of the other case
            hint = f"did you mean '{same[0]}'?"
        ctx.error(f"{name}: {shown(y)} is not one of {', '.join(map(str, args))}", y.where, hint)
        return MISSING
    if origin is list:
        if not isinstance(y.value, list):
            ctx.error(f"{name}: expected a list", y.where, "start each item with '- '")
            return MISSING
        items = [convert(args[0], item, ctx, f"{name}[{i + 1}]") for i, item in enumerate(y.value)]
        return MISSING if any(i is MISSING for i in items) else items
    if origin is dict:
        if not isinstance(y.value, dict):
            ctx.error(f"{name}: expected a mapping of names to values", y.where,
                      "write a 'name: value' line for each, indented under the key")
            return MISSING
        out = {key: convert(args[1], item, ctx, f"{name}.{key}") for key, item in y.value.items()}
        return MISSING if any(v is MISSING for v in out.values()) else out
    if dataclasses.is_dataclass(tp):
        return convert_dataclass(tp, y, ctx, name)
    return _scalar(tp, y, ctx, name)


def _annotated(tp, y: Y, ctx: Context, name: str):
    kind = tp.__metadata__[0]
    if kind == "color":
        if isinstance(y.value, str) and _COLOR.match(y.value.strip()):
            return normal_color(y.value)
        ctx.error(f"{name}: {shown(y)} is not a colour", y.where, COLOR_HINT)
        return MISSING
    if kind == "percent":
        found = _PERCENT_VALUE.match(y.value) if isinstance(y.value, str) else None
        if found is None:
            number = isinstance(y.value, (int, float)) and not isinstance(y.value, bool)
            ctx.error(f"{name}: expected a percentage such as 85%, got {shown(y)}", y.where,
                      f"write {shown(y)}% (with the sign)" if number else None)
            return MISSING
        return float(found.group(1))
    extra = ctx.units if kind == "gridlength" else None
    if isinstance(y.value, (dict, list)):
        ctx.error(f"{name}: expected a length such as 12mm or 10.5pt, got {shown(y)}", y.where,
                  "one length with its unit: 12mm, 10.5pt, 20q or a 字号 such as 五号")
        return MISSING
    try:
        value = parse_length(y.value, extra_units=extra)
    except UnitError as exc:
        said, _, advice = str(exc).partition("; ")  # (a unit's message ends with what to write)
        ctx.error(f"{name}: {said}", y.where, advice or "units: pt, mm, cm, in, q (级) or a 字号 name (五号); "
                  "only 0 is written bare" + (", and positions also take '12 lines'" if extra else ""))
        return MISSING
    if value < 0:
        ctx.error(f"{name}: {shown(y, quote=False)} is negative", y.where, "lengths here are 0 or more")
        return MISSING
    if "extent" in tp.__metadata__ and isinstance(y.value, str) and _ROWS.search(y.value):
        value -= ctx.row_gutter  # n rows hold n - 1 gutters, not n
    return value


def _union(args, y: Y, ctx: Context, name: str):
    if y.value is None and type(None) in args:
        return None
    options = [a for a in args if a is not type(None)]
    classes = [a for a in options if dataclasses.is_dataclass(a)]
    if isinstance(y.value, dict) and classes:
        if len(classes) == 1:
            return convert_dataclass(classes[0], y, ctx, name)
        return _tagged(classes, y, ctx, name)
    others = [a for a in options if not dataclasses.is_dataclass(a)]
    for option in others:
        trial = Context(ctx.units, ctx.row_gutter)
        value = convert(option, y, trial, name)
        if value is not MISSING:
            return value
    if len(others) == 1 and not classes:
        return convert(others[0], y, ctx, name)
    expected = " or ".join(type_name(o) for o in options)
    ctx.error(f"{name}: expected {expected}, got {shown(y)}", y.where,
              f"{KEY_REFERENCE} for '{name.rsplit('.', 1)[-1]}'")
    return MISSING


def _tagged(options, y: Y, ctx: Context, name: str):
    """A union of element types, chosen by the mapping's `type` key."""
    by_tag = {typing.get_args(_shape(o)[0]["type"])[0]: o for o in options}
    tag = y.get("type")
    if tag is None:
        ctx.error(f"{name}: needs a 'type' ({', '.join(by_tag)})", y.where,
                  f"add a line 'type: {next(iter(by_tag))}', or another of them")
        return MISSING
    if not isinstance(tag.value, str) or tag.value not in by_tag:
        hint = did_you_mean(tag.value, by_tag) if isinstance(tag.value, str) else None
        ctx.error(f"{name}: unknown element type {shown(tag)}", tag.where, hint or f"one of {', '.join(by_tag)}")
        return MISSING
    return convert_dataclass(by_tag[tag.value], y, ctx, name)


def _scalar(tp, y: Y, ctx: Context, name: str):
    v = y.value
    if tp is float and isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return float(v)
        except OverflowError:  # a whole number of 400 digits
            ctx.error(f"{name}: {shown(y)} is too large", y.where, f"{KEY_REFERENCE} for its bounds")
            return MISSING
    if tp is datetime.date and isinstance(v, datetime.date) and not isinstance(v, datetime.datetime):
        return v
    if tp is str and isinstance(v, (int, float)) and not isinstance(v, bool):
        return y.raw if y.raw is not None else str(v)  # as written: '0755' stays 0755
    if tp is str and isinstance(v, str) and (bad := _CONTROL.search(v)):
        ctx.error(f"{name}: control character U+{ord(bad.group()):04X} in the text", y.where,
                  "remove it (a tab: write a space); a line feed is the only control character a text may hold")
        return MISSING
    if tp in (str, int, bool) and isinstance(v, tp) and not (tp is int and isinstance(v, bool)):
        return v
    ctx.error(f"{name}: expected {type_name(tp)}, got {shown(y)}", y.where,
              "write numbers without a unit here" if tp in (int, float) and isinstance(v, str) else None)
    return MISSING


def is_length(tp) -> bool:
    """A length (in points), or a list or optional one: bounds of it are shown in pt."""
    if typing.get_origin(tp) is typing.Annotated:
        return tp.__metadata__[0] not in ("color", "percent")
    return any(is_length(a) for a in typing.get_args(tp))


def is_percent(tp) -> bool:
    """A percentage, or a list or optional one: bounds of it are shown with %."""
    if typing.get_origin(tp) is typing.Annotated:
        return tp.__metadata__[0] == "percent"
    return any(is_percent(a) for a in typing.get_args(tp))


def unit_of(tp) -> str:
    return "pt" if is_length(tp) else "%" if is_percent(tp) else ""


def bounds_text(bounds: tuple, tp) -> str:
    unit = unit_of(tp)
    return f"{_number(bounds[0])}{unit} to {_number(bounds[1])}{unit}"


def _number(x) -> str:
    return str(x) if isinstance(x, int) else f"{x:g}"


def _bounded(value, bounds: tuple, tp, y: Y, ctx: Context, name: str):
    """`value` when it (or each of its items) lies within the field's bounds; NaN and
    infinities never do."""
    if isinstance(value, list):
        ok = all(_bounded(v, bounds, tp, item, ctx, f"{name}[{i + 1}]") is not MISSING
                 for i, (v, item) in enumerate(zip(value, y.value)))
        return value if ok else MISSING
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return value  # a mapping of the same key (margins), or null
    low, high = bounds
    if low <= value <= high:
        return value
    unit = unit_of(tp)
    what = "not a number" if value != value else (f"less than {_number(low)}{unit}" if value < low
                                                   else f"more than {_number(high)}{unit}")
    ctx.error(f"{name}: {shown(y, quote=not unit)} is {what}", y.where, f"give {bounds_text(bounds, tp)}")
    return MISSING


def yaml_key(field_name: str) -> str:
    """A field named for a Python keyword ('from_') is written without the underscore."""
    return field_name[:-1] if field_name.endswith("_") else field_name


@functools.cache
def _shape(cls) -> tuple[dict, dict]:
    """A model class's type hints and fields by YAML key (the classes never change)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return hints, {yaml_key(f.name): f for f in dataclasses.fields(cls)}


def convert_dataclass(cls, y: Y, ctx: Context, name: str):
    if not isinstance(y.value, dict):
        ctx.error(f"{name or 'the file'}: expected a mapping (key: value lines)", y.where,
                  "write 'key: value' lines, indented under it" if name else
                  "an edition starts with 'paper:', 'geometry:' and 'pages:' lines (docs/tutorial.md)")
        return MISSING
    hints, fields = _shape(cls)
    values = {}
    ok = True
    suggested = set()
    for key, item in y.value.items():
        if key not in fields:
            where_name = f" in {name}" if name else ""
            hint = did_you_mean(key, fields)
            if hint:
                suggested.add(hint.split("'")[1])
            ctx.error(f"unknown key '{key}'{where_name}", y.keys[key],
                      hint or f"known keys: {', '.join(fields)}")
            ok = False
            continue
        field_name = fields[key].name
        path = f"{name}.{key}" if name else key
        value = convert(hints[field_name], item, ctx, path)
        if value is not MISSING and "bounds" in fields[key].metadata:
            value = _bounded(value, fields[key].metadata["bounds"], hints[field_name], item, ctx, path)
        if value is MISSING:
            ok = False
        else:
            values[field_name] = value
    for fname, f in fields.items():
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required and fname not in y.value and fname not in suggested:
            # a key reported as misspelt of this one is not reported again as missing
            ctx.error(f"{name or 'the file'}: missing required key '{fname}'", y.where,
                      f"e.g. {fname}: {f.metadata['example']}" if "example" in f.metadata else None)
            ok = False
    return cls(**values) if ok else MISSING
