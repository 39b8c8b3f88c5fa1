"""Case generators of the fuzz campaign, one per class. A case is made from (seed, class,
index) alone: the same triple gives the same files and command line on any machine.

- model: hostile values for every key of every model type, found by walking the
  annotations of layout/edition/model.py from EditionFile and HouseStyle (a key or an element
  type added there is covered without a change here);
- yaml: hostile YAML syntax (tags, anchors, aliases, merge keys, deep nesting, huge
  scalars, control characters, BOMs, other encodings, damage);
- story: hostile story text in every script (Han, Tibetan with and without tshegs,
  Latin, digits, each punctuation class, emoji, combining marks, RTL, controls, bytes
  that are not UTF-8, Markdown marks), mixed with the shared corpus when it is there;
- files: photo, story, house style and font paths that are FIFOs, folders, symlink
  loops, dangling links, damaged, truncated or mislabelled files, empty, outside;
- cli: every flag with hostile values, and combinations.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime
import io
import json
import random
import typing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from layout.edition import model

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
CLASSES = ("model", "yaml", "story", "files", "cli")
# the share of each class in a campaign: case i belongs to CYCLE[i % len(CYCLE)]
CYCLE = ("model", "story", "model", "yaml", "story", "files", "model", "cli", "story", "yaml",
         "model", "files", "story", "cli", "model", "yaml", "story", "files", "model", "cli")
EDITION = "ed/edition.yaml"
OUTPUT = "out.pdf"
SECRET = "SECRETFUZZMARK"  # in secret.txt, next to (outside) the edition's folder


class Special(tuple):
    """A file that is not plain bytes: ('fifo',), ('dir',), ('symlink', target)."""


FIFO, FOLDER = Special(("fifo",)), Special(("dir",))


def symlink(target: str) -> Special:
    return Special(("symlink", target))


@dataclass
class Case:
    cls: str
    index: int
    note: str
    files: dict = field(default_factory=dict)  # path in the case folder -> bytes | Special
    argv: list = field(default_factory=lambda: [EDITION, "-o", OUTPUT, "--json"])
    expect_text: bool = False  # only story frames: the PDF's text must be the stories'
    stdout_closed: bool = False  # stdout is a pipe nobody reads
    protect: list = field(default_factory=list)  # inputs that must be unchanged afterwards
    mutations: int = 0  # model cases: how many hostile changes (for shrinking a failure)
    keys: list = field(default_factory=list)  # model cases: the (class.key)s changed

    @property
    def id(self) -> str:
        return f"{self.cls}:{self.index}"


def make(cls: str, index: int, seed: int, only: int | None = None) -> Case:
    """The case `index` of class `cls` for this seed. `only`: of a model case's
    mutations, keep only that one (to shrink a failing case)."""
    rng = random.Random(f"{seed}:{cls}:{index}")
    if cls == "model":
        case = _model_case(rng, index, only)
    else:
        case = {"yaml": _yaml_case, "story": _story_case, "files": _files_case, "cli": _cli_case}[cls](rng, index)
    case.files.setdefault("secret.txt", (SECRET + "\n").encode())
    return case


# ---------------------------------------------------------------- the base edition

@cache
def photo_bytes(fmt: str = "JPEG", size=(64, 48), mode="RGB") -> bytes:
    from PIL import Image

    img = Image.new(mode, size)
    if mode in ("RGB", "L", "CMYK", "RGBA"):
        px = img.load()
        for x in range(size[0]):
            for y in range(size[1]):
                v = (x * 4 + y * 3) % 256
                px[x, y] = {"RGB": (v, 255 - v, (x * y) % 256), "L": v, "CMYK": (v, 0, 255 - v, 10),
                            "RGBA": (v, v, 255 - v, 128)}[mode]
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def base_edition() -> tuple[dict, dict, dict]:
    """A small edition that uses every model type (and every element type the model
    has: one added later is built from its fields' examples). Returns the edition, the
    house style file it includes, and its other files."""
    frame = lambda c, s, t, h=None: {"column": c, "span": s, "top": t, **({"height": h} if h else {})}  # noqa: E731
    page1 = [
        {"type": "masthead", "frame": frame(1, 6, "0mm", "34mm"), "info_left": ["{publisher}", "{serial}"],
         "info_right": ["{date} {weekday}", "第{issue}期"], "info_position": "foot", "rule": "double"},
        {"type": "headline", "frame": frame(1, 4, "40mm", "30mm"), "text": "出门就能找到人",
         "kicker": "法律服务进村入户", "deck": "——走笔", "fit": ["20pt", "30pt"]},
        {"type": "story", "story": "a", "frame": frame(1, 4, "72mm", "60mm"), "columns": 2,
         "jump": {"page": 2, "frame": "a-2"}, "column_rules": True},
        {"type": "photo", "file": "images/p.jpg", "frame": frame(5, 2, "40mm", "50mm"), "caption": "图为…",
         "credit": "本报记者 摄", "fit": "crop", "focal": [0.5, 0.4], "crop": [0.1, 0.0, 0.9, 1.0],
         "caption_position": "below", "wrap_gap": "2mm"},
        {"type": "text", "text": "巡回法庭开到牧民家门口", "frame": frame(5, 2, "95mm", "20mm"), "style": "body"},
        {"type": "section_label", "text": "法治·聚焦", "frame": frame(1, 2, "140mm", "8mm"), "fill": "gray80"},
        {"type": "rule", "frame": frame(1, 6, "150mm", "0mm"), "side": "top", "weight": "0.5pt", "color": "black"},
        {"type": "box", "frame": frame(1, 3, "155mm", "60mm"), "weight": "0.75pt", "fill": "gray10", "inset": "2mm"},
        {"type": "story", "story": "c", "frame": frame(1, 3, "155mm", "60mm")},
        {"type": "teaser", "frame": frame(4, 3, "155mm", "40mm"),
         "items": [{"text": "一只猫引发的邻里纠纷", "page": 2}], "item_format": "{text}……{page}版"},
        {"type": "ad", "frame": frame(1, 6, "230mm", "40mm"), "label": "广告", "text": "订单 2026-118"},
        {"type": "qr", "content": "https://www.example.cn/a/1", "frame": frame(1, 1, "275mm", "40mm"),
         "error_correction": "Q", "size": "30mm", "caption": "扫码阅读全文", "caption_style": "qr-caption",
         "color": "black", "wrap_gap": "1mm"},
        {"type": "notices", "frame": frame(2, 5, "275mm", "60mm"), "columns": 3, "gutter": "4mm", "gap": "2mm",
         "order": "fit", "box": {"weight": "0.5pt", "color": "black", "fill": "gray5", "inset": "1.5mm"},
         "title_style": "notice-title", "style": "notice-text",
         "items": [{"title": "遗失声明", "text": "某某不慎遗失身份证，声明作废。", "sign": "某某\n2026年11月30日",
                    "box": False},
                   {"title": "ཁྱབ་བསྒྲགས།", "text": "ཐམ་ག་བོར་སོང་།", "box": {"fill": "gray10"}}]},
    ]
    present = {e["type"] for e in page1}
    for cls in typing.get_args(model.Element):
        tag = typing.get_args(_hints(cls)["type"])[0]
        if tag not in present:  # a new element type: made from its examples
            # copies: the mutations below must not change the model's examples (the
            # schema and the format reference print them)
            page1.append({_key(f.name): copy.deepcopy(f.metadata["example"]) for f in dataclasses.fields(cls)
                          if "example" in f.metadata})
    edition = {
        "include": ["house.yaml"],
        "paper": {"name": "测试报", "date": datetime.date(2026, 11, 30), "name_bo": "གངས་ལྗོངས།",
                  "publisher": "测试报社", "postal_code": "55-18", "serial": "CN 54-0099", "issue": 286,
                  "total_issue": 5212, "weekday": "星期一", "pages": 2},
        "geometry": {"preset": "四开", "margins": {"top": "15mm", "bottom": "15mm", "inside": "15mm",
                                                  "outside": "15mm"},
                     "columns": 6, "gutter": "6mm", "baseline": "13.5pt", "bleed": "3mm", "rows": 8,
                     "row_gutter": "13.5pt"},
        "styles": {"body": {"font": "body", "size": "9pt", "leading": "13.5pt", "indent": 2},
                   "note": {"based_on": "body", "size": "小五", "align": "start", "tracking": 0.05,
                            "color": "cmyk(0,100,0,0)", "strictness": "strict", "trim_line_start": True,
                            "tibetan_scale": 1.1, "tibetan_justify": "tsheg", "grid": True,
                            "hyphenate": "en_US", "breaking": "first-fit", "orphans": 2, "widows": 2,
                            "lang": "zh", "space_before": "13.5pt", "space_after": "0pt"}},
        "char_styles": {"bold": {"font": "heavy", "color": "black"}},
        "masters": {"inner": {"folio": {"left": "{paper}", "center": "{date} {weekday}",
                                        "right": "第{page:02d}版 {section}", "position": "top",
                                        "mirror": True, "rule": True, "style": "folio"},
                              "credits": "责任编辑：{editors}", "credits_style": "credits"}},
        "stories": {"a": {"file": "stories/a.md", "style": "body", "subhead_style": "subhead",
                          "byline_style": "byline", "lang": "auto"},
                    "b": {"text": "本报讯 Latin words 123。"},
                    "c": {"text": "བོད་ཀྱི་ཡི་གེ།", "lang": "bo", "style": "note"}},
        "jump_lines": {"to": "（下转{page:02d}版）", "from": "（上接{page:02d}版）", "style": "jump"},
        "output": {"photos": "gray", "condition": "newsprint", "intent": "perceptual", "ppi": 200, "min_ppi": 120,
                   "jpeg_quality": 85, "marks": True,
                   "slug": "{paper} {date} 第{page:02d}版", "slug_time": False, "rich_black": "cmyk(40, 30, 30, 100)"},
        "allow_paths": [],
        "fonts": {"body": {"latin": ["serif-latin"]}},
        "pages": [
            {"master": "front", "section": "要闻", "editors": "卓玛", "elements": page1},
            {"master": "inner", "section": "法治", "editors": "李文", "folio": "master",
             "elements": [{"type": "story", "story": "a", "name": "a-2", "frame": frame(1, 3, "0mm", "80mm"),
                           "headline": "法律服务进村入户", "balance": True},
                          {"type": "story", "story": "b", "frame": frame(4, 3, "0mm", "40mm")}]},
        ],
    }
    house = {"styles": {"credits": {"font": "caption", "size": "7pt"}}, "char_styles": {},
             "masters": {"plain": {"folio": None}}, "fonts": {}, "include": []}
    files = {"ed/stories/a.md": "## 小标题\n\n> 本报记者 卓玛\n\n本报讯 **法律** 服务进村入户。ཀ་ཁ་ག Latin.\n".encode(),
             "ed/images/p.jpg": photo_bytes()}
    return edition, house, files


@cache
def base_files() -> dict:
    """The base edition's files, written out (the yaml and cli classes start from them)."""
    edition, house, files = base_edition()
    return {**files, EDITION: dump(edition), "ed/house.yaml": dump(house)}


def _key(name: str) -> str:
    return name[:-1] if name.endswith("_") else name


@cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls, include_extras=True)


def model_fields() -> list[tuple[type, str]]:
    """Every (model class, YAML key) an edition or house file can hold, by the types."""
    seen, out = set(), []

    def visit(tp):
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin is typing.Annotated:
            return visit(args[0])
        if args:
            for a in args:
                visit(a)
            return
        if dataclasses.is_dataclass(tp) and tp not in seen:
            seen.add(tp)
            for f in dataclasses.fields(tp):
                out.append((tp, _key(f.name)))
                visit(_hints(tp)[f.name])

    visit(model.EditionFile)
    visit(model.HouseStyle)
    return out


def _locations(tp, value, path: tuple, out: list) -> None:
    """(path, class, key, type) of every field of every model object in `value`."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return _locations(args[0], value, path, out)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType")):
        classes = [a for a in args if dataclasses.is_dataclass(a)]
        if isinstance(value, dict) and classes:
            if len(classes) > 1:
                tag = value.get("type")
                classes = [c for c in classes if typing.get_args(_hints(c).get("type"))[:1] == (tag,)]
            for c in classes[:1]:
                _locations(c, value, path, out)
        return
    if origin is list and isinstance(value, list):
        for i, v in enumerate(value):
            _locations(args[0], v, path + (i,), out)
    elif origin is dict and isinstance(value, dict):
        for k, v in value.items():
            _locations(args[1], v, path + (k,), out)
    elif dataclasses.is_dataclass(tp) and isinstance(value, dict):
        for f in dataclasses.fields(tp):
            key = _key(f.name)
            out.append((path, tp, key, _hints(tp)[f.name]))
            if key in value:
                _locations(_hints(tp)[f.name], value[key], path + (key,), out)


# ---------------------------------------------------------------- hostile values

class Raw(str):
    """Text put into the dumped YAML as written (a deep flow collection)."""


HUGE = 10 ** 400
NUMBERS = [0, -1, 1, 2, HUGE, -HUGE, 2 ** 31, 2 ** 63, 2 ** 64 + 1, float("nan"), float("inf"), float("-inf"),
           1e308, -1e308, 5e-324, -0.0, 0.5, 1e6, 999999, 1.5]
LENGTHS = ["0pt", "0mm", "-0mm", "-1mm", "0.0001pt", "1e-320pt", "1pt", "1e400pt", "9" * 400 + "mm",
           "9" * 400 + ".5pt", "nanpt", "NaN pt", "infmm", "inf", ".5pt", "5000mm", "100000000000mm", "五号",
           "初号", "八号", "零号", "12 lines", "0 lines", "1e308 lines", "3 rows", "0 rows", "999999 rows",
           "-2 rows", "1 row", "12", "12 pt", "12PT", "12 furlongs", "", " ", "１２ｍｍ", "12mm 3mm", "1,5mm"]
TEMPLATES = ["{page:>30000000}", "{page:>3000}", "{page:03000d}", "{issue:03d}", "{total_issue:,}", "{",
             "}", "{}", "{0}", "{page!r}", "{page!x}", "{page.real}", "{page[0]}", "{unknown}", "{page:%}",
             "{date:x}", "{paper:{page}}", "{{page}}", "{page:.9999999f}", "{page:<-5}", "第{page:02d}版",
             "{text}", "{text:>99999999}", "{page:n}", "{editors}" * 2000]
STRINGS = ["", " ", "\n", "x" * 100_000, "测" * 20_000, "ཀ" * 20_000, "\x00", "a\x00b", "\x01\x1b[31m",
           "\u202e反向\u202c", "\ufeff", "\u200b" * 50, "😀👨‍👩‍👧🇨🇳", "e\u0301" * 30, "\U00020000\U0002a6d6",
           "\ue000", "\uffff", "\U0010ffff", "-", "null", "~", "../../etc/passwd", "/etc/hostname", ".", "..",
           "a" * 300, "%s%n", "${HOME}", "`id`", "\\", "'", "\"", "#", "*a", "&a", "!tag"]
COLORS = ["gray101", "gray-1", "gray", "cmyk(101,0,0,0)", "cmyk(1,2,3)", "cmyk(nan,0,0,0)", "spot(,1,2,3,4)",
          "spot(" + "A" * 10000 + ",0,0,0,0)", "spot(X,0,0,0,0)", "#ff0000", "rgb(1,2,3)", "BLACK",
          "cmyk( 0 , 0 , 0 , 100 )", "white", "gray0", "gray100", "spot(红,0,100,100,0)"]
DATES = [datetime.date(1, 1, 1), datetime.date(9999, 12, 31), "2026-02-30", "2026-13-40", "0000-01-01", 20261130,
         datetime.datetime(2026, 11, 30, 10, 0), "星期一", "", "2026-11-30T99:00:00"]


def deep(rng: random.Random) -> Raw:
    n = rng.choice([20, 99, 100, 101, 150, 1000, 5000])
    kind = rng.choice("[{m")
    if kind == "[":
        return Raw("[" * n + "1" + "]" * n)
    if kind == "{":
        return Raw("{a: " * n + "1" + "}" * n)
    return Raw("[" + ", ".join(["{a: [" * 3 + "1" + "]}" * 3] * n) + "]")


def hostile(tp, rng: random.Random, nodes: list) -> object:
    """A hostile value for a field of type `tp`: of its kind (extremes, malformed) or
    of another kind entirely."""
    r = rng.random()
    if r < 0.06 and nodes:
        return rng.choice(nodes)  # the same object twice: YAML writes an anchor and an alias
    if r < 0.10:
        return deep(rng)
    if r < 0.25:  # a value of any kind
        return rng.choice([None, [], {}, True, False, rng.choice(NUMBERS), rng.choice(STRINGS),
                           rng.choice(LENGTHS), rng.choice(DATES), {"unknown": 1}, [[[]]], {"": ""},
                           {1: "a"}, [None] * 5])
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        kind = tp.__metadata__[0]
        if kind == "color":
            return rng.choice(COLORS)
        return rng.choice(LENGTHS + NUMBERS[:12])
    if origin in (typing.Union, getattr(__import__("types"), "UnionType")):
        options = [a for a in args if a is not type(None)]
        if len(options) < len(args) and rng.random() < 0.15:
            return None
        return hostile(rng.choice(options), rng, nodes)
    if origin is typing.Literal:
        v = str(rng.choice(args))
        return rng.choice([v.upper(), v + " ", v[:-1], "", v * 2, 1, None, v.title(), " " + v])
    if origin is list:
        item = args[0]
        return rng.choice([[], [hostile(item, rng, nodes)], [hostile(item, rng, nodes) for _ in range(3)],
                           [example(item, rng)] * rng.choice([2, 100, 3000]), "not a list", [None]])
    if origin is dict:
        item = args[1]
        ex = example(item, rng)
        return rng.choice([{}, {"": ex}, {"k" * 1000: ex}, {1: ex}, {None: ex}, {"x": hostile(item, rng, nodes)},
                           {f"k{i}": ex for i in range(rng.choice([50, 2000]))}, "not a mapping"])
    if dataclasses.is_dataclass(tp):
        value = example(tp, rng)
        fields = [f for f in dataclasses.fields(tp)]
        if fields and isinstance(value, dict):
            f = rng.choice(fields)
            value[_key(f.name)] = hostile(_hints(tp)[f.name], rng, nodes)
        return rng.choice([value, value, {}, {"unknown_key": 1}, [value]])
    if tp is bool:
        return rng.choice(["yes", "no", "on", 1, 0, "true", "True", None])
    if tp is int:
        return rng.choice(NUMBERS + ["12", "1e3", "0x10"])
    if tp is float:
        return rng.choice(NUMBERS + ["nan", "1e400", "0"])
    if tp is str:
        return rng.choice(TEMPLATES + STRINGS)
    if tp is datetime.date:
        return rng.choice(DATES)
    return rng.choice(NUMBERS + STRINGS)


def example(tp, rng: random.Random) -> object:
    """A plausible value of type `tp` (from the model's examples where it has them)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return {"color": "black"}.get(tp.__metadata__[0], "10pt")
    if origin in (typing.Union, getattr(__import__("types"), "UnionType")):
        return example(rng.choice([a for a in args if a is not type(None)]), rng)
    if origin is typing.Literal:
        return args[0]
    if origin is list:
        return [example(args[0], rng)]
    if origin is dict:
        return {"x": example(args[1], rng)}
    if dataclasses.is_dataclass(tp):
        return json.loads(json.dumps({_key(f.name): f.metadata["example"] for f in dataclasses.fields(tp)
                                      if "example" in f.metadata}, default=str))
    return {bool: True, int: 1, float: 1.0, str: "文字", datetime.date: datetime.date(2026, 11, 30)}.get(tp, "x")


def dump(data) -> bytes:
    """YAML text of `data`, with Raw values written as they are."""
    raws: list[str] = []

    def swap(v):
        if isinstance(v, Raw):
            raws.append(str(v))
            return f"RAWPLACEHOLDER{len(raws) - 1}X"
        if isinstance(v, dict):
            return {k: swap(x) for k, x in v.items()}
        if isinstance(v, list):
            return [swap(x) for x in v]
        return v

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # LibYAML's, where PyYAML has it: faster
    text = yaml.dump(swap(data), Dumper=dumper, allow_unicode=True, sort_keys=False, width=1 << 30)
    for i, raw in enumerate(raws):
        text = text.replace(f"RAWPLACEHOLDER{i}X", raw, 1)
    return text.encode("utf-8", "surrogatepass")


def _subtrees(doc) -> list:
    out = []
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            out.append(node)
            stack += [v for v in node.values() if isinstance(v, (dict, list))]
        elif isinstance(node, list):
            out.append(node)
            stack += [v for v in node if isinstance(v, (dict, list))]
    return out


def _get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


# ---------------------------------------------------------------- model

def _model_case(rng: random.Random, index: int, only: int | None) -> Case:
    edition, house, files = base_edition()
    docs = {"edition": (model.EditionFile, edition), "house": (model.HouseStyle, house)}
    pairs = model_fields()
    n = rng.choice([1, 1, 1, 1, 2, 3])
    notes, keys = [], []
    for m in range(n):
        # one (class, key) pair uniformly, so that every key is tried as often
        for _ in range(50):
            cls, key = rng.choice(pairs)
            where = []
            for name, (tp, doc) in docs.items():
                locs: list = []
                _locations(tp, doc, (), locs)
                where += [(name, loc) for loc in locs if loc[1] is cls and loc[2] == key]
            if where:
                break
        name, (path, cls, key, tp) = rng.choice(where)
        doc = docs[name][1]
        # subtrees that may appear twice (an alias): any but the target's ancestors
        ancestors = {id(_get(doc, path[:i])) for i in range(len(path) + 1)}
        nodes = [x for x in _subtrees(doc) if id(x) not in ancestors]
        nodes = rng.sample(nodes, min(3, len(nodes)))
        op = rng.random()
        value = hostile(tp, rng, nodes)  # drawn in any case, so that shrinking keeps the others
        if only is not None and m != only:
            continue
        target = _get(doc, path)
        keys.append(f"{cls.__name__}.{key}")
        if op < 0.08:
            target.pop(key, None)
            notes.append(f"{name}:{'.'.join(map(str, path + (key,)))} removed")
        elif op < 0.12:
            target[key + rng.choice(["_", "s", "X"])] = target.get(key, 1)
            notes.append(f"{name}:{'.'.join(map(str, path + (key,)))} misspelt")
        else:
            target[key] = value
            shown = repr(value)
            notes.append(f"{name}:{'.'.join(map(str, path + (key,)))} = "
                         f"{shown[:60] + '…' if len(shown) > 60 else shown}")
    files = dict(files)
    files[EDITION] = dump(edition)
    files["ed/house.yaml"] = dump(house)
    argv = [EDITION, "-o", OUTPUT, "--json"] + rng.choice([[], [], ["--print"], ["--proof"], ["--report"],
                                                           ["--print", "--preflight", "strict"], ["--page", "2"]])
    return Case("model", index, "; ".join(notes), files, argv, mutations=n, keys=keys)


# ---------------------------------------------------------------- yaml

def _yaml_case(rng: random.Random, index: int) -> Case:
    files = dict(base_files())
    target = EDITION if rng.random() < 0.8 else "ed/house.yaml"
    text = files[target].decode()
    lines = text.split("\n")
    kinds = [
        "tag", "merge", "alias", "bomb", "recursive", "deep_block", "deep_flow", "huge_scalar", "many_keys",
        "control", "bom", "encoding", "bad_bytes", "truncate", "empty", "documents", "directive", "dupkey",
        "complex_key", "nonstr_key", "tabs", "cr", "long_line", "unclosed", "mutate", "numbers", "shuffle",
    ]
    kind = rng.choice(kinds)
    note = kind
    data = None
    if kind == "tag":
        tag = rng.choice(["!!python/object/apply:os.system ['touch pwned']", "!custom x", "!!binary aGVsbG8=",
                          "!!set {a, b}", "!!omap [a: 1]", "!!str 12", "!!int '12'", "!!float nan",
                          "!<tag:yaml.org,2002:str> x", "!!timestamp 2026-13-40", "!!python/name:os.system",
                          "!!map {a: 1}", "!!seq [1]", "!!null ''", "!!bool maybe", "!! x", "!e!x y"])
        i = _value_line(lines, rng)
        lines[i] = lines[i].split(": ", 1)[0] + ": " + tag
        note += f" {tag!r} at line {i + 1}"
    elif kind == "merge":
        lines += ["x-base: &b {font: body}", "styles2:", "  s: {<<: *b, size: 9pt}"] \
            if rng.random() < 0.5 else []
        text = "\n".join(lines).replace("  body:\n    font: body", "  body: &b\n    font: body", 1)
        text = text.replace("  note:\n", "  note:\n    <<: *b\n", 1) if "  note:\n" in text else \
            text + "\nmore: {<<: [*b, *b]}\n"
        lines = text.split("\n")
    elif kind == "alias":
        text = "\n".join(lines).replace("stories:\n  a:", "stories:\n  a: &s", 1)
        text = text.replace("  b:\n", "  b: *s\n  d: *s\n", 1)
        lines = text.split("\n")
    elif kind == "bomb":
        size = rng.choice([10, 2000])
        count = rng.choice([100, 1000, 30000])
        levels = rng.choice([1, 2, 6])
        bomb = [f"a0: &a0 [{'x' * size!r}]"]
        for lv in range(1, levels + 1):
            bomb.append(f"a{lv}: &a{lv} [{', '.join([f'*a{lv - 1}'] * (count if levels == 1 else 9))}]")
        lines = bomb + lines
        note += f" {size} chars x {count}, {levels} levels"
    elif kind == "recursive":
        lines += rng.choice(["loop: &l [*l]", "loop: &l {a: *l}", "loop: &l [1, [2, *l]]"])
    elif kind == "deep_block":
        n = rng.choice([50, 99, 101, 600, 3000])
        lines = [" " * i + ("a:" if i % 2 == 0 or rng.random() < 0.5 else "- a:") for i in range(n)] + lines \
            if rng.random() < 0.3 else lines + ["x:"] + ["  " * (i + 1) + "a:" for i in range(n)]
        note += f" {n} levels"
    elif kind == "deep_flow":
        n = rng.choice([99, 100, 101, 5000])
        lines.append("x: " + deep(rng) if rng.random() < 0.5 else "x: " + "[" * n + "]" * n)
    elif kind == "huge_scalar":
        n = rng.choice([100_000, 1_000_000, 5_000_000])
        where = rng.choice(["value", "key", "comment", "quoted"])
        body = "测" * (n // 3) if rng.random() < 0.5 else "x" * n
        lines.append({"value": f"x: {body}", "key": f"{body}: 1", "comment": f"# {body}",
                      "quoted": f'x: "{body}\\u0041"'}[where])
        note += f" {n} as {where}"
    elif kind == "many_keys":
        n = rng.choice([1000, 100_000])
        lines += ["styles2:"] + [f"  s{i}: {{font: body}}" for i in range(n)]
    elif kind == "control":
        ch = rng.choice(["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\ufffe", "\uffff", "\ud800",
                         "\x0c", "\x0b", "\ufeff", "\U0001f600"])
        i = rng.randrange(len(text))
        text = text[:i] + ch + text[i:]
        lines = text.split("\n")
        note += f" {ch!r} at offset {i}"
    elif kind == "bom":
        text = rng.choice(["\ufeff\ufeff", "\ufeff"]) + text if rng.random() < 0.6 else \
            text[: len(text) // 2] + "\ufeff" + text[len(text) // 2:]
        lines = text.split("\n")
    elif kind == "encoding":
        enc = rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "gb18030", "big5", "latin-1", "cp1252"])
        data = text.encode(enc, "replace")
        note += f" {enc}"
    elif kind == "bad_bytes":
        raw = bytearray(text.encode())
        for _ in range(rng.choice([1, 5])):
            raw.insert(rng.randrange(len(raw)), rng.choice([0xFF, 0xC0, 0x80, 0xED, 0xF8, 0xFE]))
        data = bytes(raw)
    elif kind == "truncate":
        raw = text.encode()
        data = raw[: rng.randrange(len(raw))]
    elif kind == "empty":
        data = rng.choice([b"", b"\n", b"# only a comment\n", b"---\n", b"...\n", b"~\n", b"[]\n", b"x\n",
                           b"- 1\n", b"'\n", b"\xef\xbb\xbf"])
    elif kind == "documents":
        lines = lines + ["---"] + lines if rng.random() < 0.5 else ["---"] + lines + ["...", "---", "x: 1"]
    elif kind == "directive":
        lines = [rng.choice(["%YAML 1.1", "%YAML 1.3", "%YAML 9.9", "%TAG ! tag:x.org,2000:", "%FOO bar"]),
                 "---"] + lines
    elif kind == "dupkey":
        lines += [lines[0]] if lines[0] and not lines[0].startswith(" ") else ["paper: {}"]
    elif kind == "complex_key":
        lines.append(rng.choice(["? [a, b]\n: c", "? {a: 1}\n: c", "[1, 2]: x", "{a: 1}: x"]))
    elif kind == "nonstr_key":
        lines.append(rng.choice(["1: x", "null: y", "true: x", "2026-11-30: x", "1.5: x", ".nan: x", "~: x"]))
    elif kind == "tabs":
        text = text.replace("  ", "\t", rng.choice([1, 10, 1000]))
        lines = text.split("\n")
    elif kind == "cr":
        data = text.replace("\n", rng.choice(["\r", "\r\n", "\n\r", "\u2028"])).encode()
    elif kind == "long_line":
        lines.append("x: [" + ", ".join(["1"] * rng.choice([10_000, 300_000])) + "]")
    elif kind == "unclosed":
        lines.append(rng.choice(["x: 'open", 'x: "open', "x: [1, 2", "x: {a: 1", "x: |", "x: >-", "x: &", "x: *",
                                 "x: *nothere", "- x", "x: \"\\ud800\"", "x: \"\\x\"", "x: \"\\U0011ffff\""]))
    elif kind == "mutate":
        chars = list(text)
        for _ in range(rng.choice([1, 3, 20])):
            i = rng.randrange(len(chars))
            chars[i] = rng.choice([":", "-", "[", "{", "'", '"', "&", "*", "!", "|", ">", "%", "@", "`", "#",
                                   " ", "\n", "\t", "?", ",", "]", "}"])
        text = "".join(chars)
        lines = text.split("\n")
    elif kind == "numbers":
        i = _value_line(lines, rng)
        v = rng.choice(["0x1F", "0o17", "017", "1_000", "+.inf", "-.NaN", ".NAN", "1e400", "1:30:00", "0b101", "~",
                        "Null", "yes", "off", "2026-11-30 10:00:00", "1e-400", "-0", "+12", "12e", "١٢"])
        lines[i] = lines[i].split(": ", 1)[0] + ": " + v
        note += f" {v} at line {i + 1}"
    elif kind == "shuffle":
        for _ in range(rng.choice([1, 3])):
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            op = rng.choice(["swap", "dup", "drop"])
            if op == "swap":
                lines[i], lines[j] = lines[j], lines[i]
            elif op == "dup":
                lines.insert(j, lines[i])
            else:
                del lines[i]
    if data is None:
        data = "\n".join(lines).encode("utf-8", "surrogatepass")
    files[target] = data
    return Case("yaml", index, f"{target}: {note}", files)


def _value_line(lines: list[str], rng: random.Random) -> int:
    candidates = [i for i, l in enumerate(lines) if ": " in l and not l.rstrip().endswith(":")]
    return rng.choice(candidates) if candidates else 0


# ---------------------------------------------------------------- story text

def _corpus(rng: random.Random, n: int) -> str:
    files = sorted(CORPUS.rglob("*.txt")) if CORPUS.is_dir() else []
    if not files:
        return "本报讯 法律服务进村入户。" * (n // 12 + 1)
    text = rng.choice(files).read_text(encoding="utf-8", errors="replace")
    start = rng.randrange(max(1, len(text) - n))
    return text[start:start + n]


PUNCT = {
    "opening": "「『（《〈【〔“‘〖",
    "closing": "」』）》〉】〕”’〗",
    "stops": "，。、；：！？",
    "dash": ["——", "～", "–", "—"],
    "ellipsis": ["……", "…", "⋯"],
    "dots": "·・•",
    "tibetan": "་།༎༄༅༑༔",
    "latin": ".,;:!?()[]\"'-/",
}


RENDERABLE = ["han", "han", "tibetan", "tibetan_solid", "tibetan_stack", "latin", "latin_word", "digits", "punct",
              "punct_run", "punct_run", "combining", "corpus", "corpus", "spaces", "mixed", "fullwidth"]
UNSET = ["emoji", "rtl", "controls", "han_ext", "pua", "markdown"]  # mostly refused: no font has them


@cache
def _assigned(a: int, b: int) -> list[str]:
    """The assigned characters of a range (an unassigned one is refused, rightly: no
    font has it; the story class wants text that can be set)."""
    import unicodedata

    chars = [chr(i) for i in range(a, b + 1) if unicodedata.category(chr(i)) != "Cn"]
    return chars or [chr(a)]


def script_run(rng: random.Random, n: int, wild: bool = False) -> str:
    kind = rng.choice(UNSET if wild else RENDERABLE)
    c = lambda a, b: rng.choice(_assigned(a, b))  # noqa: E731
    if kind == "han":
        return "".join(c(0x4E00, 0x9FA5) for _ in range(n))
    if kind == "tibetan":
        return "".join(rng.choice(["ཀ", "ཁ", "ག", "ང", "བོད", "ཡི", "གེ", "སྐད", "ཆ"]) + "་" for _ in range(n // 2 + 1))
    if kind == "tibetan_solid":  # no tsheg: an unbreakable run
        return rng.choice(["ཀ", "བསྒྲུབས", "ཀྵ", "ཨོཾ"]) * n
    if kind == "tibetan_stack":
        return "".join(c(0x0F40, 0x0F6C) + c(0x0F90, 0x0FBC) + c(0x0F71, 0x0F84) for _ in range(n // 3 + 1))
    if kind == "latin":
        return " ".join("".join(c(0x61, 0x7A) for _ in range(rng.randint(1, 12))) for _ in range(n // 6 + 1))
    if kind == "latin_word":
        return "".join(c(0x61, 0x7A) for _ in range(n * 3))
    if kind == "digits":
        return "".join(c(0x30, 0x39) for _ in range(n))
    if kind == "punct":
        cls = rng.choice(list(PUNCT))
        return "".join(rng.choice(list(PUNCT[cls])) for _ in range(n))
    if kind == "punct_run":
        return rng.choice(["他说", "", "ཀ"]) + rng.choice(["——", "！", "……", "。", "（", "）", "·", "་", "།", "“", "》"]) * n
    if kind == "emoji":
        return "".join(rng.choice(["😀", "👨‍👩‍👧", "🇨🇳", "❤️", "✊🏽", "\U0001fae0"]) for _ in range(n // 2 + 1))
    if kind == "combining":
        base = rng.choice(["a", "测", "ཀ", "", " "])
        return base + "".join(c(0x0300, 0x036F) for _ in range(n))
    if kind == "rtl":
        return rng.choice(["\u202e", "\u202b", ""]) + "".join(c(0x05D0, 0x05EA) if rng.random() < 0.5 else
                                                              c(0x0627, 0x064A) for _ in range(n))
    if kind == "controls":
        return "".join(rng.choice(["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u200b", "\u200d",
                                   "\u2060", "\ufeff", "\u2028", "\u2029", "\ufffd", "\u00ad", "\u180e", "\r"])
                       for _ in range(max(1, n // 10)))
    if kind == "corpus":
        return _corpus(rng, n)
    if kind == "markdown":
        return rng.choice(["**", "**粗", "\\*", "\\", "## ", "> ", "##", "***", "** **", "**\n\n**", "[[", "]]", "[[次吉]]",
                           "\\[", "\n{column}\n", "\n{frame}\n", "{column}", "[[**粗**]]", "[[\n\n]]"]) * \
            rng.randint(1, 5) + "正文"
    if kind == "spaces":
        return rng.choice([" ", "\n", "\n\n", "\t", "\u3000", "\u00a0", "\u2003"]) * n
    if kind == "han_ext":
        return "".join(c(0x20000, 0x2A6D6) for _ in range(max(1, n // 10)))
    if kind == "pua":
        return "".join(c(0xE000, 0xF8FF) for _ in range(max(1, n // 10)))
    if kind == "fullwidth":
        return "".join(c(0xFF01, 0xFF5E) for _ in range(n))
    return "".join(script_run(rng, max(1, n // 4), wild) for _ in range(4))


def story_text(rng: random.Random) -> str:
    size = rng.choice([1, 5, 20, 80, 300, 300, 1000, 3000])
    if rng.random() < 0.015:
        size = rng.choice([20_000, 100_000])
    pieces = [script_run(rng, max(1, size // rng.choice([1, 2, 4])), rng.random() < 0.06)
              for _ in range(rng.choice([1, 1, 2, 3, 5]))]
    sep = rng.choice(["", "", "\n", "\n\n", " "])
    return sep.join(pieces)


def _story_case(rng: random.Random, index: int) -> Case:
    roles = ["body", "tibetan-body", "caption", "headline", "heavy", "latin", "tibetan-headline"]
    styles = {}
    for name in ("s1", "s2"):
        size = rng.choice([5, 7.5, 9, 10.5, 14, 28, 72])
        styles[name] = {"font": rng.choice(roles), "size": f"{size}pt",
                        "leading": f"{round(size * rng.choice([1.0, 1.2, 1.5]), 2)}pt",
                        "indent": rng.choice([0, 0, 2, 8]), "align": rng.choice(["justify", "start", "center", "end"]),
                        "tibetan_justify": rng.choice(["distribute", "tsheg"]),
                        "breaking": rng.choice(["total-fit", "first-fit"]),
                        "strictness": rng.choice(["strict", "gb", "loose"]),
                        "tracking": rng.choice([0, 0, 0.1, -0.05]), "grid": rng.random() < 0.2,
                        "hyphenate": rng.choice([None, None, "en_US"]), "lang": rng.choice(["auto", "zh", "bo", "en"])}
    files: dict = {}
    stories, elements, notes, parts = {}, [], [], []
    nstories = rng.choice([1, 1, 2, 3])
    for i in range(nstories):
        text = story_text(rng)
        name = f"s{i}"
        raw = text.encode("utf-8", "surrogatepass")
        if rng.random() < 0.05:  # bytes that are not UTF-8 in a story file
            pos = rng.randrange(len(raw) + 1)
            raw = raw[:pos] + rng.choice([b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xe6\xb5"]) + raw[pos:]
        if rng.random() < 0.7 or "\x00" in text or "\ud800" in text:
            files[f"ed/stories/{name}.md"] = raw
            src = {"file": f"stories/{name}.md"}
        else:
            src = {"text": text}
        src["style"] = rng.choice(["s1", "s2", "body"])
        if rng.random() < 0.3:
            src["lang"] = rng.choice(["auto", "zh", "bo", "en"])
        stories[name] = src
        notes.append(f"{name}: {len(text)} chars {text[:24]!r}")
        parts += [name] * rng.choice([1, 1, 2])
    # the parts in bands one under the other: text drawn over text would hide characters
    # from the extractors, and overlapping frames are the model class's business
    band = 330 // len(parts)
    for i, name in enumerate(parts):
        span = rng.randint(1, 6)
        col = rng.randint(1, 7 - span)
        frame = {"column": col, "span": span, "top": f"{i * band}mm"}
        if i < len(parts) - 1 or rng.random() < 0.8:
            frame["height"] = f"{rng.choice([h for h in (1, 5, 10, 30, 100, 300) if h <= band] or [band])}mm"
        el = {"type": "story", "story": name, "frame": frame}
        if rng.random() < 0.3:
            el["columns"] = rng.choice([1, 2, 3, 6])
        if rng.random() < 0.2:
            el["balance"] = False
        elements.append(el)
    edition = {"paper": {"name": "测试报", "date": datetime.date(2026, 11, 30)},
               "geometry": {"preset": rng.choice(["四开", "对开", "A3"]), "margins": "15mm", "columns": 6,
                            "gutter": rng.choice(["6mm", "0mm", "2mm"]), "baseline": "13.5pt"},
               "styles": styles, "stories": stories,
               "pages": [{"master": "front", "elements": elements}]}
    files[EDITION] = dump(edition)
    argv = [EDITION, "-o", OUTPUT, "--json"] + rng.choice([[], [], [], ["--print"], ["--proof"]])
    # with --proof or --print the pages carry text of their own (labels, the slug line)
    return Case("story", index, "; ".join(notes), files, argv, expect_text=len(argv) == 4)


# ---------------------------------------------------------------- files

def _image_variants(rng: random.Random) -> tuple[str, bytes | Special]:
    fmt = rng.choice(["JPEG", "PNG", "TIFF", "GIF", "WEBP", "BMP"])
    mode = rng.choice(["RGB", "L", "RGBA", "CMYK"]) if fmt in ("TIFF", "JPEG") else rng.choice(["RGB", "L"])
    if fmt == "JPEG" and mode == "RGBA":
        mode = "RGB"
    try:
        good = photo_bytes(fmt, (rng.choice([1, 16, 64]), rng.choice([1, 16, 48])), mode)
    except (OSError, KeyError, ValueError):
        good = photo_bytes()
    kind = rng.choice(["good", "truncate", "truncate", "flip", "flip", "header", "empty", "zeros", "eps", "pdf", "svg",
                       "text", "bomb_png", "zero_png", "huge_jpeg_header"])
    if kind == "good":
        return f"{fmt} {mode} as it is", good
    if kind == "truncate":
        n = rng.randrange(len(good))
        return f"{fmt} {mode} cut to {n} of {len(good)} bytes", good[:n]
    if kind == "flip":
        raw = bytearray(good)
        for _ in range(rng.choice([1, 4, 30])):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return f"{fmt} {mode} with bytes changed", bytes(raw)
    if kind == "header":
        return f"{fmt} header only", good[:rng.choice([2, 8, 30, 100])]
    if kind == "empty":
        return "empty file", b""
    if kind == "zeros":
        return "zeros", b"\0" * rng.choice([1, 1000, 100_000])
    if kind == "eps":
        return "an EPS file", (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n"
                               b"newpath 0 0 moveto 10 10 lineto stroke\nshowpage\n%%EOF\n")
    if kind == "pdf":
        return "a PDF file", b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    if kind == "svg":
        return "an SVG file", b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    if kind == "text":
        return "a text file", "不是图片".encode()
    if kind in ("bomb_png", "zero_png"):
        import struct
        import zlib

        w, h = (100_000, 100_000) if kind == "bomb_png" else (0, 0)
        ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
        chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))  # noqa: E731
        return f"PNG claiming {w}x{h}", (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                                         + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
    good = photo_bytes()
    i = good.find(b"\xff\xc0")
    raw = bytearray(good)
    if i > 0:
        raw[i + 5:i + 9] = b"\xff\xff\xff\xff"  # 65535 x 65535
    return "JPEG claiming 65535x65535", bytes(raw)


@cache
def font_bytes() -> bytes:
    path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    return path.read_bytes() if path.exists() else b"\0\1\0\0" + b"\0" * 100


def _font_variant(rng: random.Random) -> tuple[str, bytes]:
    good = font_bytes()
    kind = rng.choice(["good", "truncate", "flip", "empty", "text", "drop_table", "hmetrics0", "woff"])
    if kind == "good":
        return "a good TrueType font", good
    if kind == "truncate":
        n = rng.choice([4, 12, 100, 1000, len(good) // 2, len(good) - 1])
        return f"font cut to {n} bytes", good[:n]
    if kind == "flip":
        raw = bytearray(good)
        for _ in range(rng.choice([1, 10, 100])):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return "font with bytes changed", bytes(raw)
    if kind == "empty":
        return "empty font", b""
    if kind == "text":
        return "text named .ttf", b"not a font\n"
    if kind == "woff":
        return "a WOFF header", b"wOFF" + good[4:2000]
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(good), lazy=False)
    if kind == "drop_table":
        tag = rng.choice(["loca", "glyf", "cmap", "hmtx", "head", "hhea", "maxp", "name", "post", "OS/2"])
        if tag in font:
            del font[tag]
        note = f"font without '{tag}'"
    else:
        font["hhea"].numberOfHMetrics = 0
        note = "font with numberOfHMetrics 0"
    buf = io.BytesIO()
    try:
        font.save(buf)
    except Exception:  # noqa: BLE001 - fontTools cannot write it without that table: cut instead
        return note + " (cut)", good[: len(good) // 3]
    return note, buf.getvalue()


def _files_case(rng: random.Random, index: int) -> Case:
    edition = {"paper": {"name": "测试报", "date": datetime.date(2026, 11, 30)},
               "geometry": {"preset": "四开", "margins": "15mm", "columns": 6, "gutter": "6mm", "baseline": "13.5pt"},
               "stories": {"a": {"file": "stories/a.md"}},
               "pages": [{"master": "front", "elements": [
                   {"type": "story", "story": "a", "frame": {"column": 1, "span": 3, "top": "0mm", "height": "80mm"}},
                   {"type": "photo", "file": "images/p.jpg", "frame": {"column": 4, "span": 3, "top": "0mm",
                                                                        "height": "60mm"}, "caption": "图为…"}]}]}
    files: dict = {"ed/stories/a.md": "本报讯 Latin words 123。\n".encode(), "ed/images/p.jpg": photo_bytes()}
    target = rng.choice(["photo", "photo", "photo", "story", "house", "font", "edition", "path"])
    kind = rng.choice(["content", "content", "content", "fifo", "dir", "loop", "selfloop", "dangling", "empty",
                       "outside", "devzero", "long", "weird"])
    if target == "photo" and kind == "content":
        what, data = _image_variants(rng)
        name = rng.choice(["images/p.jpg", "images/p.png", "images/p.tif", "images/p.webp", "images/p.eps",
                           "images/p.gif", "images/p"])
        edition["pages"][0]["elements"][1]["file"] = name
        files["ed/" + name] = data
        note = f"photo {name}: {what}"
    elif target == "font" and kind == "content":
        what, data = _font_variant(rng)
        name = rng.choice(["fonts/f.ttf", "fonts/f.ttc", "fonts/f.TTF"])
        edition["fonts"] = {"body": {"latin": [name]}}
        files["ed/" + name] = data
        note = f"font {name}: {what}"
    elif target == "story" and kind == "content":
        data = rng.choice([b"\xff\xfe" + "本报讯".encode("utf-16-le"), "本报讯".encode("gb18030"), b"\xef\xbb\xbf" * 3,
                           b"\x00" * 100, b"a\r\rb\r\n\nc", b"", b"\n" * 100_000, "测".encode() * 700_000])
        files["ed/stories/a.md"] = data
        note = f"story file: {data[:20]!r}… ({len(data)} bytes)"
    elif target == "edition" and kind == "content":
        case = _cli_case(rng, index)
        case.cls = "files"
        return case
    else:
        rel = {"photo": "images/p.jpg", "story": "stories/a.md", "house": "house/h.yaml", "font": "fonts/f.ttf",
               "edition": "edition.yaml", "path": "images/p.jpg"}[target]
        if target == "house":
            edition["include"] = ["house/h.yaml"]
        if target == "font":
            edition["fonts"] = {"body": {"latin": ["fonts/f.ttf"]}}
        path = "ed/" + rel
        if kind == "fifo":
            files[path] = FIFO
        elif kind == "dir":
            files[path] = FOLDER
        elif kind == "loop":
            files[path] = symlink("loop2")
            files[str(Path(path).parent / "loop2")] = symlink(Path(path).name)
        elif kind == "selfloop":
            files[path] = symlink(Path(path).name)
        elif kind == "dangling":
            files[path] = symlink("nowhere/missing")
        elif kind == "empty":
            files[path] = b""
        elif kind in ("outside", "devzero"):
            files[path] = symlink("../../secret.txt" if rel.count("/") else "../secret.txt")
            if kind == "devzero":
                files[path] = symlink("/dev/zero")
            edition["allow_paths"] = rng.choice([[], ["/"], [".."], ["../.."], ["/dev"]])
        elif kind == "long":
            long = "x" * rng.choice([255, 256, 5000]) + Path(rel).suffix
            rel = str(Path(rel).parent / long)
            files["ed/" + str(Path(rel).parent / ("y" * 200))] = b""
        else:
            rel = rng.choice(["images/\x00.jpg", "/etc/hostname", "../secret.txt", "/dev/zero", "/proc/self/environ",
                              "images/", "", ".", "images/../../secret.txt", "~/x.jpg", "images/*.jpg",
                              "file:///etc/hostname", "\\\\server\\share\\x.jpg", "images/p.jpg\n"])
            if rng.random() < 0.5:
                edition["allow_paths"] = rng.choice([["/"], [".."], ["/etc", "/proc", "/dev"]])
        # the file a path names, written into the edition
        if target in ("photo", "path"):
            edition["pages"][0]["elements"][1]["file"] = rel
        elif target == "story":
            edition["stories"]["a"]["file"] = rel
        elif target == "house":
            edition["include"] = [rel]
        elif target == "font":
            edition["fonts"] = {"body": {"latin": [rel]}}
        note = f"{target} {rel!r}: {kind}" + (f" (allow_paths {edition.get('allow_paths')})"
                                               if "allow_paths" in edition else "")
        if target == "edition":
            files[EDITION] = dump(edition)
            case = Case("files", index, f"the edition itself: {kind}", files)
            case.files.pop(EDITION)
            case.files[EDITION] = {"fifo": FIFO, "dir": FOLDER, "loop": symlink("loop2"),
                                   "selfloop": symlink("edition.yaml"), "dangling": symlink("nowhere"),
                                   "empty": b""}.get(kind, dump(edition))
            if kind == "loop":
                case.files["ed/loop2"] = symlink("edition.yaml")
            return case
    files[EDITION] = dump(edition)
    return Case("files", index, note, files)


# ---------------------------------------------------------------- cli

FLAG_VALUES = {
    "--page": ["0", "-1", "1", "2", "3", "99999999999999999999", "1.5", "nan", "", "٣", "+1", " 1", "1_0", "0x1"],
    "--dpi": ["nan", "inf", "-inf", "0", "1e-320", "1e400", "1200", "1200.0001", "1", "abc", "0x10", "1_00", " 50 ",
              "-0", "5", "NaN"],
    "--port": ["70000", "-1", "65536", "99999999999999999999999", "0x50", "abc", ""],
    "--preflight": ["strict", "report", "STRICT", "", "none"],
}
BOOL_FLAGS = ["--png", "--proof", "--report", "--print", "--json", "--overset-error", "--trace", "--no-server"]


def _cli_case(rng: random.Random, index: int) -> Case:
    files = dict(base_files())
    argv = [EDITION]
    for _ in range(rng.choice([1, 2, 3, 4])):
        flag = rng.choice(list(FLAG_VALUES) + BOOL_FLAGS + ["-o", "-o", "extra", "--bogus"])
        if flag in FLAG_VALUES:
            value = rng.choice(FLAG_VALUES[flag])
            argv += [f"{flag}={value}"] if rng.random() < 0.2 else [flag, value]
        elif flag == "-o":
            argv += ["-o", rng.choice([OUTPUT, "out/deep/er/x.pdf", EDITION, "ed/stories/a.md", "ed/images/p.jpg",
                                       "ed", "dir.pdf", "null-link", "-", "x" * 300 + ".pdf", "out.png",
                                       "report-dir.pdf", "ed/house.yaml", "noext", ".pdf"])]
        elif flag == "extra":
            argv.append(rng.choice(["second.yaml", "ed/house.yaml", "--", "-", ""]))
        elif flag == "--bogus":
            argv.append(rng.choice(["--bogus", "-x", "--page", "--dpi=", "--pag", "--js"]))
        else:
            argv.append(flag)
    if rng.random() < 0.15:  # --watch/--serve only where they must stop at once
        argv += rng.choice([["--watch", "--page", "1"], ["--serve", "--png"], ["--serve", "--port", "70000"],
                            ["--serve", "--port", "-1"], ["--watch", "--png"]])
    if rng.random() < 0.1:
        argv[0] = rng.choice(["missing.yaml", "ed", "ed/images/p.jpg", "ed/stories/a.md", "-", "secret.txt"])
    files["dir.pdf"] = FOLDER
    files["out.report.json"] = FOLDER if rng.random() < 0.3 else b"{}"
    files["report-dir.report.json"] = FOLDER
    files["null-link"] = symlink("/dev/null")
    case = Case("cli", index, " ".join(argv), files, argv, stdout_closed=rng.random() < 0.05)
    case.protect = [EDITION, "ed/stories/a.md", "ed/images/p.jpg", "ed/house.yaml", "null-link", "dir.pdf"]
    return case
