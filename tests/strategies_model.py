"""Hypothesis strategies for hostile editions: a small valid edition with every element
type, and mutations of any key of layout/edition/model.py to values a careless or hostile user
could write (0, negative, NaN, infinities, huge numbers, empty and long texts, control
characters, deep nesting, aliases, wrong types).

The keys come from the model's annotations, walked alongside the base edition, so a new
field or element type is fuzzed without a change here. Used by tests/test_hostile_input.py
(a modest number of cases in `make test`) and reusable by the `make fuzz` campaign.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime
import math
import types
import typing

import yaml
from hypothesis import strategies as st

from layout.edition import model
from layout.edition.convert import is_length, is_percent, yaml_key

PHOTO = "p.jpg"  # the base edition's photo; the caller puts a real image there

BASE: dict = {
    "paper": {"name": "测试报", "date": datetime.date(2026, 11, 30), "name_bo": "ཚགས་པར།",
              "issue": 12, "total_issue": 340, "pages": 2, "publisher": "测试报社", "serial": "CN 54-0099",
              "postal_code": "55-18", "weekday": "星期一"},
    "geometry": {"preset": "四开", "margins": {"top": "15mm", "bottom": "15mm", "inside": "15mm",
                                              "outside": "15mm"},
                 "columns": 6, "gutter": "6mm", "baseline": "13.5pt", "bleed": "3mm", "rows": 0,
                 "row_gutter": "13.5pt", "width": "270mm", "height": "390mm"},
    "styles": {"body": {"font": "body", "size": "小五", "leading": "13.5pt", "align": "justify", "indent": 2,
                        "space_before": 0, "space_after": 0, "tracking": 0.0, "width": "100%", "color": "black",
                        "strictness": "gb", "trim_line_start": False, "tibetan_scale": 1.0,
                        "tibetan_justify": "distribute", "grid": False, "hyphenate": "en_US",
                        "breaking": "total-fit", "orphans": 2, "widows": 2, "lang": "auto"},
               "lead": {"based_on": "body", "size": "五号"}},
    "char_styles": {"bold": {"font": "heavy", "color": "black"}},
    "masters": {"default": {"folio": {"left": "{paper}", "center": "{date} {weekday}",
                                      "right": "第{page:02d}版 {section}", "position": "top", "mirror": True,
                                      "rule": True, "style": "folio"},
                            "credits": "责任编辑：{editors}", "credits_style": "credits"}},
    "stories": {"a": {"text": "正文第一段，**要紧的话**。\n\n## 小标题\n\n正文第二段。", "style": "lead",
                      "subhead_style": "subhead", "byline_style": "byline", "lang": "auto"}},
    "jump_lines": {"to": "（下转{page:02d}版）", "from": "（上接{page:02d}版）", "style": "jump"},
    "output": {"photos": "gray", "condition": "newsprint", "intent": "perceptual", "ppi": 200, "min_ppi": 120, "jpeg_quality": 85, "marks": True,
               "slug": "{paper} {date} 第{page:02d}版", "slug_time": False, "rich_black": "cmyk(40, 30, 30, 100)"},
    "pages": [
        {"section": "要闻", "master": "default", "editors": "卓玛", "folio": "master", "elements": [
            {"type": "masthead", "frame": {"column": 1, "span": 6, "top": 0, "height": "30mm"},
             "title_style": "masthead", "subtitle_style": "masthead-bo", "info_style": "masthead-info",
             "info_left": ["{publisher}"], "info_right": ["第{issue}期"], "info_position": "foot",
             "rule": "double"},
            {"type": "headline", "frame": {"column": 1, "span": 4, "top": "35mm", "height": "20mm"},
             "text": "标题", "kicker": "引题", "deck": "副题", "style": "headline", "kicker_style": "kicker",
             "deck_style": "deck", "fit": ["18pt", "30pt"], "fit_width": ["80%", "100%"]},
            {"type": "story", "story": "a", "frame": {"column": 1, "span": 2, "top": "60mm", "height": "60mm"},
             "columns": 2, "name": "a1", "jump": {"page": 2, "frame": "a2"}, "headline": "",
             "column_rules": True, "balance": True},
            {"type": "photo", "file": PHOTO, "frame": {"column": 3, "span": 2, "top": "60mm", "height": "50mm"},
             "caption": "图为测试。", "credit": "本报记者 摄", "fit": "fill", "focal": [0.5, 0.5],
             "crop": [0.0, 0.0, 1.0, 1.0], "caption_position": "below", "caption_style": "caption",
             "wrap_gap": "2mm"},
            {"type": "text", "text": "短讯。", "frame": {"column": 5, "span": 2, "top": "35mm", "height": "20mm"},
             "style": "body"},
            {"type": "section_label", "text": "要闻", "frame": {"column": 5, "span": 2, "top": "60mm",
                                                              "height": "8mm"},
             "style": "section-label", "fill": "black"},
            {"type": "rule", "frame": {"column": 1, "span": 6, "top": "130mm", "height": 0}, "side": "top",
             "weight": "0.5pt", "color": "black"},
            {"type": "box", "frame": {"column": 5, "span": 2, "top": "70mm", "height": "50mm"},
             "weight": "0.75pt", "color": "black", "fill": "gray10", "inset": "2mm"},
            {"type": "teaser", "frame": {"column": 5, "span": 2, "top": "75mm", "height": "40mm"},
             "items": [{"text": "要看的", "page": 2}], "title": "导读", "style": "teaser",
             "title_style": "teaser-title", "item_format": "· {text}（{page:02d}版）"},
            {"type": "ad", "frame": {"column": 1, "span": 6, "top": "140mm", "height": "30mm"},
             "label": "广告", "text": "订单 1"},
            {"type": "qr", "content": "https://www.example.cn/a/1", "error_correction": "M", "size": "25mm",
             "caption": "扫码阅读", "caption_style": "qr-caption", "color": "black", "wrap_gap": "1mm",
             "frame": {"column": 1, "span": 1, "top": "175mm", "height": "40mm"}},
            {"type": "notices", "frame": {"column": 2, "span": 5, "top": "175mm", "height": "60mm"}, "columns": 3,
             "gutter": "4mm", "gap": "2mm", "order": "fit", "title_style": "notice-title", "style": "notice-text",
             "box": {"weight": "0.5pt", "color": "black", "fill": "gray5", "inset": "1.5mm"},
             "items": [{"title": "遗失声明", "text": "某某不慎遗失身份证，声明作废。", "sign": "某某\n2026年11月30日",
                        "box": False},
                       {"title": "公告", "text": "ཐམ་ག་བོར་སོང་།", "box": {"fill": "gray10"}}]},
            {"type": "ad", "frame": {"column": 1, "span": 6, "top": "240mm", "height": "30mm"},
             "file": PHOTO, "page": 1, "fit": "fill", "tolerance": "3%"},   # a supplied (image) ad
            {"type": "table", "frame": {"column": 1, "span": 6, "top": "285mm", "height": "30mm"},
             "header": ["名称", "金额"], "rows": [["甲", "1.5"], ["ཀ་ཁ།", "12"]],
             "columns": [{"width": "2*", "align": "start"}, {"width": "auto", "align": "decimal"}],
             "rules": "three-line", "rule_weights": ["1pt", "0.5pt"], "style": "body", "header_style": "body"},
        ]},
        {"elements": [{"type": "story", "story": "a", "name": "a2", "frame": {"column": 1, "span": 3, "top": 0}}],
         "folio": {"right": "第{page}版"}},
    ],
}


def _is_union(tp) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _class_of(tp, value):
    """The dataclass a value of type `tp` is read as (None for a scalar)."""
    if dataclasses.is_dataclass(tp):
        return tp
    if _is_union(tp) and isinstance(value, dict):
        classes = [a for a in typing.get_args(tp) if dataclasses.is_dataclass(a)]
        for c in classes:
            hints = typing.get_type_hints(c)
            if len(classes) == 1 or typing.get_args(hints.get("type", object)) == (value.get("type"),):
                return c
    return None


def model_keys(doc=None) -> list[tuple[tuple, str, object, type]]:
    """Every key of every mapping the model reads in `doc` (the base edition): (path to
    the mapping, key, its type, its class), from the model's annotations; keys the
    document leaves out are listed too."""
    out = []

    def visit(tp, value, path):
        cls = _class_of(tp, value)
        if cls is not None:
            hints = typing.get_type_hints(cls, include_extras=True)
            for f in dataclasses.fields(cls):
                key = yaml_key(f.name)
                out.append((path, key, hints[f.name], cls))
                if key in value:
                    visit(hints[f.name], value[key], path + (key,))
            return
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if _is_union(tp):
            for a in args:
                if typing.get_origin(a) in (list, dict):
                    visit(a, value, path)
        elif origin is list and isinstance(value, list):
            for i, item in enumerate(value):
                visit(args[0], item, path + (i,))
        elif origin is dict and isinstance(value, dict):
            for k, item in value.items():
                visit(args[1], item, path + (k,))

    visit(model.EditionFile, BASE if doc is None else doc, ())
    return out


# ---------------------------------------------------------------- hostile values

FLOATS = st.sampled_from([0.0, -0.0, -1.0, 1e-300, 1e300, math.nan, math.inf, -math.inf, 0.5, 1.0, 7.0])
INTS = st.one_of(st.sampled_from([0, -1, 1, 2, 3, 100, 101, 2**31, 2**63, -(2**63), 10**400]),
                 st.integers(-10, 10))
CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from(list("\x7f\u200b\u202e\ufeff\ufffe"))
WILD = st.characters(blacklist_categories=("Cs",))
TEXTS = st.one_of(
    st.text(WILD, max_size=30), st.text(CONTROL, min_size=1, max_size=5), st.just(""),
    st.sampled_from(["x" * 5000, "字" * 3000, " " * 3000 + "x", "ཀ" * 2000, "😀", "{", "}", "{page", "{0}",
                     "{page:>99999}", "{page:.99999f}", "{issue:03d}", "{page!r:>40}", "{page:{pages}}",
                     "{paper.name}", "{page[0]}", "%s", "\\", "../../etc/passwd", "/dev/zero", ".", "\x00"]))
LENGTHS = st.one_of(
    st.sampled_from(["0pt", "0", "-1pt", "0.001pt", "1pt", "1e9pt", "9" * 400 + "mm", "9" * 20 + "pt",
                     ".nan", "nan pt", "inf mm", "五号", "八号", "12 lines", "999999 lines", "2 rows", "0 rows",
                     "1000 rows", "14400pt", "14401pt", "200in", "1 px", "mm", "12 mm mm"]),
    st.builds(lambda n, u: f"{n}{u}", st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6,
                                                max_value=1e6).map(lambda x: round(x, 3)),
              st.sampled_from(["pt", "mm", "cm", "in", "q", "级", " lines", " rows"])))
PERCENTS = st.one_of(
    st.sampled_from(["0%", "-5%", "85", "85 %", " 85% ", "nan%", "inf%", "1e3%", "%", "85%%", "８５%", "24.999%",
                     "400.001%", "9" * 400 + "%", ".5%", "85.%", "100pt", ""]),
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False).map(lambda x: f"{round(x, 3)}%"))
ANY = st.one_of(FLOATS, INTS, TEXTS, st.booleans(), st.none(), st.just([]), st.just({}),
                st.just(datetime.date(2026, 2, 28)), st.lists(st.integers(), max_size=3),
                st.dictionaries(st.sampled_from(["type", "x", "frame", "page"]), st.integers(), max_size=2))


def _deep(levels: int):
    value: object = "x"
    for i in range(levels):
        value = [value] if i % 2 else {"k": value}
    return value


DEEP_BLOCK = "DEEPBLOCKSENTINEL"  # to_yaml writes it as 600 levels of '- - - …' (too deep to dump)
DEEP = st.one_of(st.sampled_from([90, 99, 101, 150]).map(_deep), st.just(DEEP_BLOCK))


def _edges(tp, bounds) -> st.SearchStrategy:
    """Values a bounded field accepts, at and near its bounds (where divisions by zero
    and runaway loops live)."""
    low, high = bounds
    points = [low, high, low + (high - low) * 1e-6, (low + high) / 2, high - (high - low) * 1e-6]
    if isinstance(low, int) and isinstance(high, int):
        points = [low, high, low + 1, high - 1]
    if is_length(tp):
        one = st.sampled_from([f"{p:.6g}pt" if p else 0 for p in points])
    elif is_percent(tp):
        one = st.sampled_from([f"{p:.6g}%" for p in points])
    else:
        one = st.sampled_from(points)
    if list in [typing.get_origin(a) for a in (tp, *typing.get_args(tp))]:
        return st.lists(one, min_size=1, max_size=4)
    return one


def values_for(tp, bounds: tuple | None = None) -> st.SearchStrategy:
    """Hostile values for a field of type `tp`: mostly of its own kind, at the edges
    (`bounds`: the field's), and sometimes of any kind at all."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    own: list[st.SearchStrategy] = [_edges(tp, bounds)] * 2 if bounds else []
    if origin is typing.Annotated and tp.__metadata__[0] == "percent":
        own.append(PERCENTS)
    elif origin is typing.Annotated:
        own.append(LENGTHS if tp.__metadata__[0] != "color" else st.sampled_from(
            ["gray101", "cmyk(0,0,0)", "spot(, 0, 0, 0, 0)", "black ", "spot(X" + "y" * 3000 + ", 0, 0, 0, 0)"]))
    elif _is_union(tp):
        own += [values_for(a) for a in args if a is not type(None) and not dataclasses.is_dataclass(a)]
    elif origin is typing.Literal:
        own.append(st.sampled_from(list(args) + [a.upper() for a in args if isinstance(a, str)] + [""]))
    elif origin is list:
        own += [st.lists(values_for(args[0]), max_size=4), st.just([])]
    elif origin is dict:
        own.append(st.dictionaries(st.text(WILD, max_size=8), ANY, max_size=3))
    elif tp is int:
        own.append(INTS)
    elif tp is float:
        own.append(st.one_of(FLOATS, INTS))
    elif tp is str:
        own.append(TEXTS)
    elif tp is bool:
        own.append(st.sampled_from([True, False, "yes", 1]))
    elif tp is datetime.date:
        own.append(st.sampled_from(["2026-02-30", "0001-01-01", "9999-12-31", "2026-13-01", 20261130]))
    return st.one_of(*own * 4, ANY, DEEP) if own else st.one_of(ANY, ANY, DEEP)


# ---------------------------------------------------------------- mutations

def _get(doc, path):
    for part in path:
        doc = doc[part]
    return doc


@st.composite
def mutation(draw, keys=None):
    """One change to the base edition: a key set to a hostile value, removed, or made an
    alias of another value (or of the mapping it is in)."""
    keys = keys if keys is not None else KEYS
    path, key, tp, cls = draw(st.sampled_from(keys))
    kind = draw(st.sampled_from(["value"] * 12 + ["delete", "delete", "alias", "self", "unknown key"]))
    if kind == "value":
        bounds = {yaml_key(f.name): f.metadata.get("bounds") for f in dataclasses.fields(cls)}.get(key)
        return ("set", path, key, draw(values_for(tp, bounds)))
    if kind == "alias":
        other = draw(st.sampled_from([("paper",), ("geometry",), ("styles",), ("pages",), ("stories", "a"),
                                      ("pages", 0, "elements", 0, "frame")]))
        return ("alias", path, key, other)
    if kind == "self":
        return ("self", path, key, None)
    if kind == "unknown key":
        return ("set", path, draw(st.sampled_from([key + "s", key.upper(), "", " ", "<<", "0", "\x1b[2J" + key])), 1)
    return ("delete", path, key, None)


@st.composite
def extreme(draw, keys=None):
    """One change that the format accepts: a bounded key at or near one of its bounds,
    a choice of a fixed set, a true/false flipped. These reach the composer, where
    divisions by zero and runaway loops live."""
    keys = keys if keys is not None else KEYS
    path, key, tp, cls = draw(st.sampled_from([k for k in keys if _acceptable(k)]))
    f = {yaml_key(f.name): f for f in dataclasses.fields(cls)}[key]
    if "bounds" in f.metadata:
        return ("set", path, key, draw(_edges(tp, f.metadata["bounds"])))
    if tp is bool:
        return ("set", path, key, draw(st.booleans()))
    return ("set", path, key, draw(st.sampled_from(typing.get_args(tp))))


def _acceptable(k) -> bool:
    _, key, tp, cls = k
    f = {yaml_key(f.name): f for f in dataclasses.fields(cls)}[key]
    return "bounds" in f.metadata or tp is bool or typing.get_origin(tp) is typing.Literal


def apply(doc: dict, changes) -> dict:
    """The document with the changes made (aliases become shared objects, which YAML
    writes as an anchor and '*alias' references)."""
    doc = copy.deepcopy(doc)
    for op, path, key, value in changes:
        try:
            node = _get(doc, path)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced the place
        if not isinstance(node, dict):
            continue
        if op == "set":
            node[key] = value
        elif op == "delete":
            node.pop(key, None)
        elif op == "alias":
            try:
                node[key] = _get(doc, value)
            except (KeyError, IndexError, TypeError):
                pass
        elif op == "self":
            node[key] = node  # a value inside itself
    return doc


def to_yaml(doc: dict) -> str:
    """YAML text of a document, with anchors and aliases for shared values."""
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
    lines = []
    for line in text.split("\n"):
        if DEEP_BLOCK in line:
            indent = len(line) - len(line.lstrip(" -"))
            head = line[: line.index(DEEP_BLOCK)]
            if head.rstrip().endswith(":"):
                line = head.rstrip() + "\n" + " " * (indent + 2) + "- " * 600 + "x"
            else:
                line = head + "- " * 600 + "x"
        lines.append(line)
    return "\n".join(lines)


KEYS = model_keys()
MUTATIONS = st.lists(mutation(), min_size=1, max_size=3)
EXTREMES = st.lists(extreme(), min_size=1, max_size=4)
