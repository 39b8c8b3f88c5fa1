"""The sample edition (editions/sample): eight clean pages, and a showcase of the whole
format. Rendered once for the module.

The coverage tests read the YAML as written (the edition file and every house style file
it includes, through layout.edition.yamlsource) and walk it with the types of layout/edition/model.py:
a field or an element type the model gains and the sample does not use makes them fail,
so the sample grows with the format.
"""
from __future__ import annotations

import dataclasses
import re
import subprocess
import types
import typing
from pathlib import Path

import pytest

from conftest import SAMPLE, pdftotext

from layout.edition import model
from layout.api import Options, render
from layout.edition.convert import yaml_key
from layout.edition.yamlsource import Y, load

# Fields the sample leaves out on purpose, and why. Keep this list short.
NOT_USED = {
    (model.Geometry, "width"): "the sample uses the 对开 preset; width/height only override a preset",
    (model.Geometry, "height"): "the sample uses the 对开 preset; width/height only override a preset",
    (model.Teaser, "height"): "the sample's one teaser fills its frame and centres its items (align); "
                              "editions/issue-287 ends its two teasers' boxes under their items (auto)",
    # issue 16: the sample takes up 长体 and the type palette after the CFF embedding merges
    # (its lead headline in a Black weight); remove these two then
}
# Fields whose every choice (a Literal) the sample must show, not just the key.
EVERY_CHOICE = [
    (model.Style, "align"), (model.Style, "strictness"), (model.Style, "tibetan_justify"),
    (model.Style, "breaking"), (model.Style, "lang"), (model.Photo, "fit"),
    (model.Photo, "caption_position"), (model.RuleElement, "side"), (model.Folio, "position"),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample-edition") / "sample.pdf"
    return render(Options(SAMPLE, out))


# ---------------------------------------------------------------- the rendered edition

def test_eight_pages(rendered):
    assert rendered.pages == 8
    info = subprocess.run(["pdfinfo", str(rendered.output)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+8$", info, re.M), info
    assert re.search(r"^Page size:\s+1105\.5\d* x 1530\.7\d* pts", info, re.M), info  # 对开 390 x 540 mm


def test_nothing_is_overset(rendered):
    assert rendered.report.overset == []


def test_the_render_gives_no_warnings(rendered):
    assert rendered.report.warnings == []


def test_little_underset(rendered):
    """A real paper has no big empty holes: at most 10 % of the story lines stay empty,
    and no story leaves more than half of its frames empty."""
    entries = rendered.report.copyfit
    capacity = sum(e.capacity_lines for e in entries)
    empty = sum(e.underset_lines for e in entries)
    assert empty <= 0.10 * capacity, f"{empty} of {capacity} lines empty"
    for e in entries:
        assert e.underset_lines <= 0.5 * e.capacity_lines, e


def test_every_font_is_embedded(rendered):
    out = subprocess.run(["pdffonts", str(rendered.output)], check=True, capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        emb, sub, uni = row.split()[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row


def test_every_page_has_its_text(rendered):
    """Spot checks of what each page must show, as a reader's PDF tool extracts it."""
    pages = [re.sub(r"\s+", "", pdftotext(rendered.output, "-f", str(n), "-l", str(n), "-raw"))
             for n in range(1, 9)]
    assert "雪域法治报" in pages[0] and "今日8版" in pages[0] and "（下转02版）" in pages[0]
    assert "（上接01版）" in pages[1]
    assert "——访" in pages[0] and "图为" in pages[0]
    assert "མི་བཟོས་འཁོར་སྐར" in pages[2] and "第03版" in pages[2]
    assert "翻译官" in pages[3] and "ལོ་ཙཱ་བ" in pages[3]
    for n in range(4, 8):
        assert f"第0{n + 1}版" in pages[n], n + 1


# ---------------------------------------------------------------- the format, all of it

def _yaml_files() -> list[tuple[Y, type]]:
    """The edition file and, following `include`, every house style file."""
    root = load(SAMPLE)
    out = [(root, model.EditionFile)]

    def visit(y: Y, folder: Path) -> None:
        inc = y.get("include")
        for item in (inc.value if inc is not None else []):
            path = folder / item.value
            house = load(path)
            out.append((house, model.HouseStyle))
            visit(house, path.parent)

    visit(root, SAMPLE.parent)
    return out


def _walk(tp, y: Y, used: set, choices: dict, owner=None) -> None:
    """Record every (dataclass, field) written, and the values of Literal fields."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return _walk(args[0], y, used, choices, owner)
    if origin in (typing.Union, types.UnionType):
        if y.value is None:
            return
        classes = [a for a in args if dataclasses.is_dataclass(a)]
        if isinstance(y.value, dict) and classes:
            if len(classes) > 1:  # an element: its `type` says which
                kind = y.value["type"].value
                classes = [c for c in classes if typing.get_args(typing.get_type_hints(c)["type"]) == (kind,)]
            return _walk(classes[0], y, used, choices, owner)
        for a in args:
            if typing.get_origin(a) is typing.Literal and y.value in typing.get_args(a):
                return _walk(a, y, used, choices, owner)
        return
    if origin is typing.Literal:
        if owner is not None:
            choices.setdefault(owner, set()).add(y.value)
        return
    if origin is list:
        for item in y.value:
            _walk(args[0], item, used, choices)
        return
    if origin is dict:
        for item in y.value.values():
            _walk(args[1], item, used, choices)
        return
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp, include_extras=True)
        names = {yaml_key(f.name): f.name for f in dataclasses.fields(tp)}
        for key, item in y.value.items():
            name = names[key]
            used.add((tp, name))
            _walk(hints[name], item, used, choices, (tp, name))


def _reachable(cls, seen: set) -> None:
    """Every dataclass an edition or house style file can contain."""
    if cls in seen:
        return
    seen.add(cls)
    for hint in typing.get_type_hints(cls, include_extras=True).values():
        stack = [hint]
        while stack:
            t = stack.pop()
            if dataclasses.is_dataclass(t):
                _reachable(t, seen)
            stack += list(typing.get_args(t))


@pytest.fixture(scope="module")
def usage():
    used, choices = set(), {}
    for y, cls in _yaml_files():
        _walk(cls, y, used, choices)
    return used, choices


def test_the_sample_uses_house_style_files():
    files = _yaml_files()
    assert [cls for _, cls in files].count(model.HouseStyle) >= 2  # one includes another


def test_every_element_type_is_used(usage):
    used, _ = usage
    for cls in typing.get_args(model.Element):
        assert (cls, "type") in used, f"no element of type {cls.__name__} in the sample"


def test_every_field_of_the_format_is_used(usage):
    used, _ = usage
    classes: set = set()
    _reachable(model.EditionFile, classes)
    _reachable(model.HouseStyle, classes)
    missing = [f"{cls.__name__}.{yaml_key(f.name)}" for cls in sorted(classes, key=lambda c: c.__name__)
               for f in dataclasses.fields(cls) if (cls, f.name) not in used and (cls, f.name) not in NOT_USED]
    assert not missing, f"keys the sample never writes: {', '.join(missing)}"


def test_every_choice_of_the_style_options_is_used(usage):
    _, choices = usage
    for cls, name in EVERY_CHOICE:
        hint = typing.get_type_hints(cls)[name]
        allowed = set(typing.get_args(hint))
        assert allowed <= choices.get((cls, name), set()), \
            f"{cls.__name__}.{name}: never written as {sorted(allowed - choices.get((cls, name), set()))}"


def test_the_exemptions_are_still_fields():
    for cls, name in NOT_USED:
        assert name in {f.name for f in dataclasses.fields(cls)}, (cls, name)
