"""The JSON Schema and the format reference stay true to the model and to the loader.

Editors trust the schema while a designer types, and designers trust the reference: a
schema that refuses a good file, or a reference missing a key, sends people the wrong
way. So the generated files must be current, the sample and the documented example must
pass both the schema and the real loader, and schema and loader must agree on lengths,
colours and plain mistakes.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from layout.edition import model
from layout.edition import schema
from layout.api import Options, render
from layout.edition.convert import MISSING, Context, convert, yaml_key
from layout.base.errors import InputError, InputErrors, Where
from layout.edition.loader import load_edition
from layout.edition.stories import parse_story
from layout.base.units import ZIHAO
from layout.edition.yamlsource import Y

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "edition-format.md"
SAMPLE = REPO / "editions" / "sample" / "edition.yaml"
PHOTO = REPO / "editions" / "sample" / "images" / "coffee.jpg"
INTERNAL = {"Span", "Block", "Cell", "TableData", "Story", "PageGeometry", "Edition"}  # not part of the file format


def as_json(value):
    """YAML data as the schema sees it: dates become ISO text."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def validator(root: dict, ref: str | None = None) -> jsonschema.Draft202012Validator:
    if ref is not None:
        root = {"$schema": schema.DRAFT, "$defs": root["$defs"], "$ref": f"#/$defs/{ref}"}
    return jsonschema.Draft202012Validator(root)


def errors(v: jsonschema.Draft202012Validator, doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(doc)]


def key_sections() -> dict[str, list[str]]:
    """The generated block of the reference: section title -> keys of its table."""
    text = DOC.read_text(encoding="utf-8")
    block = text[text.index(schema.KEYS_START):text.index(schema.KEYS_END)]
    sections: dict[str, list[str]] = {}
    current = None
    for line in block.splitlines():
        if line.startswith("### "):
            current = sections.setdefault(line[4:].strip(), [])
        elif current is not None and (m := re.match(r"\| `([^`]+)` \|", line)):
            current.append(m.group(1))
    return sections


def example_files() -> dict[str, str]:
    """The fenced blocks of the reference that name their file (```yaml file=…)."""
    text = DOC.read_text(encoding="utf-8")
    found = re.findall(r"^```\w+ file=(\S+)\n(.*?)^```$", text, flags=re.M | re.S)
    return dict(found)


def format_classes() -> list[type]:
    return [c for c in vars(model).values() if isinstance(c, type) and dataclasses.is_dataclass(c)
            and c.__module__ == model.__name__ and c.__name__ not in INTERNAL]


# ---------------------------------------------------------------- (a) generated files

def test_generated_files_are_current():
    for path, text in schema.generated_files(REPO).items():
        assert path.read_text(encoding="utf-8") == text, \
            f"{path.relative_to(REPO)} is out of date: run python -m layout.edition.schema"


def test_generation_is_deterministic_and_valid():
    assert schema.dump(schema.edition_schema()) == schema.dump(schema.edition_schema())
    assert schema.key_reference() == schema.key_reference()
    for root in (schema.edition_schema(), schema.house_style_schema()):
        jsonschema.Draft202012Validator.check_schema(root)


def test_check_mode_writes_nothing_and_passes():
    before = {p: p.read_bytes() for p in schema.generated_files(REPO)}
    assert schema.main(["--check"]) == 0
    assert {p: p.read_bytes() for p in before} == before


# ---------------------------------------------------------------- (b) the sample

@pytest.mark.parametrize("path", sorted((REPO / "editions").glob("*/edition.yaml")), ids=lambda p: p.parent.name)
def test_every_bundled_edition_validates(path):
    doc = as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert errors(validator(schema.edition_schema()), doc) == []


# ---------------------------------------------------------------- (c) the documented example

def test_complete_example_validates_and_loads(tmp_path):
    files = example_files()
    assert {"house/style.yaml", "issue-286/edition.yaml"} <= set(files), sorted(files)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    edition_path = tmp_path / "issue-286" / "edition.yaml"
    data = yaml.safe_load(edition_path.read_text(encoding="utf-8"))
    for page in data["pages"]:
        for el in page["elements"]:
            if el["type"] == "photo":
                target = edition_path.parent / el["file"]
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(PHOTO, target)

    assert errors(validator(schema.edition_schema()), as_json(data)) == []
    house = yaml.safe_load((tmp_path / "house" / "style.yaml").read_text(encoding="utf-8"))
    assert errors(validator(schema.house_style_schema()), house) == []

    try:
        # the house folder is allowed as the reference says: on the command line
        edition = load_edition(edition_path, [tmp_path / "house"])
    except (InputError, InputErrors) as exc:
        pytest.fail(f"the documented example does not load: {exc}")
    assert edition.warnings == ()
    assert {type(el).__name__ for p in edition.source.pages for el in p.elements} >= {
        "Masthead", "Headline", "StoryFrame", "Photo", "TextBlock", "SectionLabel", "RuleElement",
        "Box", "Teaser", "Ad"}, "the complete example should show every element type"
    # the house style was used: its master, its font role, its bold
    assert "inside" in edition.masters and edition.styles["headline"].font == "title"
    assert edition.char_styles["bold"].color == "cmyk(0, 100, 100, 0)"

    # and it renders: no overset, no composition warnings (the reference shows good practice)
    result = render(Options(edition_path, tmp_path / "example.pdf", overset_error=True,
                            allow_paths=(tmp_path / "house",)))
    assert result.pages == 2 and (tmp_path / "example.pdf").stat().st_size > 0
    assert result.report.warnings == []


def test_documented_story_shows_the_markdown_subset():
    lead = example_files()["issue-286/stories/lead.md"]
    blocks = parse_story(lead, "lead.md")
    kinds = [b.kind for b in blocks]
    assert "byline" in kinds and "para" in kinds
    assert any(b.kind == "subhead" and "\n" in b.text for b in blocks), "a multi-line subhead"
    assert any(s.style == "bold" for b in blocks for s in b.spans)
    assert any("*" in b.text for b in blocks), "a literal asterisk"


# ---------------------------------------------------------------- (d) the reference is complete

def test_every_model_key_is_in_the_reference():
    sections = key_sections()
    for cls in format_classes():
        assert cls.__name__ in sections, f"docs/edition-format.md has no section for {cls.__name__}"
        keys = [yaml_key(f.name) for f in dataclasses.fields(cls)]
        missing = set(keys) - set(sections[cls.__name__])
        assert not missing, f"{cls.__name__}: keys missing from the reference: {sorted(missing)}"
        assert sections[cls.__name__] == keys, f"{cls.__name__}: the table lists other keys"


def test_every_type_size_is_in_the_reference():
    text = DOC.read_text(encoding="utf-8")
    for name, points in ZIHAO.items():
        assert re.search(rf"\| {name} \| {points:g} \|", text), f"字号 {name} ({points:g} pt) not in the table"


def test_every_field_example_matches_its_schema():
    root = schema.edition_schema()
    defs = root["$defs"]
    for name, definition in defs.items():
        for key, prop in definition.get("properties", {}).items():
            v = jsonschema.Draft202012Validator({"$defs": defs, **prop})
            for example in prop.get("examples", []):
                assert errors(v, example) == [], f"{name}.{key}: example {example!r}"
            if "default" in prop:
                assert errors(v, prop["default"]) == [], f"{name}.{key}: default {prop['default']!r}"


# ---------------------------------------------------------------- (e) mistakes are refused

MINIMAL = {
    "paper": {"name": "测试报", "date": "2026-11-30"},
    "geometry": {"preset": "四开", "margins": "15mm", "columns": 6, "gutter": "6mm", "baseline": "13.5pt"},
    "stories": {"s": {"text": "正文。"}},
    "pages": [{"elements": [{"type": "story", "story": "s",
                             "frame": {"column": 1, "span": 2, "top": 0}}]}],
}


def _mutate(path: str, value):
    doc = copy.deepcopy(MINIMAL)
    *parents, last = path.split(".")
    node = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[last] = value
    return doc


BAD = {
    "unknown key": _mutate("pagez", []),
    "unknown key in a frame": _mutate("pages.0.elements.0.frame.colum", 2),
    "misspelt element type": _mutate("pages.0.elements.0.type", "storey"),
    "element without type": {**MINIMAL, "pages": [{"elements": [{"story": "s", "frame": {"column": 1, "top": 0}}]}]},
    "'12 pts' length": _mutate("geometry.gutter", "12 pts"),
    "length without unit": _mutate("geometry.gutter", 12),
    "upper-case unit": _mutate("geometry.gutter", "6MM"),
    "bad colour": {**MINIMAL, "styles": {"body": {"color": "red"}}},
    "grey spelt British": {**MINIMAL, "styles": {"body": {"color": "grey50"}}},
    "columns as text": _mutate("geometry.columns", "6"),
    "columns as a fraction": _mutate("geometry.columns", 6.5),
    "choice not offered": _mutate("geometry.preset", "八开"),
    "missing required key": {**MINIMAL, "paper": {"name": "测试报"}},
    "rows unit spelt wrong": _mutate("pages.0.elements.0.frame.top", "2 rowz"),
    "width without its sign": {**MINIMAL, "styles": {"body": {"width": 85}}},
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_mistakes_are_refused_by_schema_and_loader(case, tmp_path):
    assert errors(validator(schema.edition_schema()), BAD[case]), f"schema accepts: {case}"
    path = tmp_path / "edition.yaml"
    path.write_text(yaml.safe_dump(_dated(BAD[case]), allow_unicode=True), encoding="utf-8")
    with pytest.raises((InputError, InputErrors)):
        load_edition(path)


def test_minimal_document_passes_both(tmp_path):
    assert errors(validator(schema.edition_schema()), MINIMAL) == []
    path = tmp_path / "edition.yaml"
    path.write_text(yaml.safe_dump(_dated(MINIMAL), allow_unicode=True), encoding="utf-8")
    load_edition(path)


def _dated(doc: dict) -> dict:
    """The document as YAML should carry it: the date as a date."""
    doc = copy.deepcopy(doc)
    if isinstance(doc.get("paper", {}).get("date"), str):
        doc["paper"]["date"] = datetime.date.fromisoformat(doc["paper"]["date"])
    return doc


# ---------------------------------------------------------------- patterns agree with the loader

LENGTHS = ["12mm", "10.5pt", "20q", "20级", "20 级", "五号", "小五", " 五号 ", "初号", "八号", "0", "0.0",
           "+0", "-0", ".0", "0.", "00", "-3mm", "+3mm", ".5pt", "5.pt", "1.5cm", "0.5in", "12 mm",
           " 12mm ", "12\tmm", "12mm\n", "12", "12 pts", "12pts", "12MM", "12Pt", "1e3pt", "mm", "",
           " ", "五号字", "五", "大五", "五 号", "12mm5", "1,5mm", "--3mm", "3 mm mm", "0mm", "0 pt",
           "12px", "12em", "12 lines", "2 rows", "1 line", "12line", "twelve mm",
           0, 0.0, -0.0, 12, 12.5, True, False, None, [], {}]
GRID_EXTRA = ["12 lines", "12lines", "1 line", "2 rows", "1 row", "2 Rows", "2 rowz", "1.5 lines",
              "-1 lines", "2 rows 3mm"]
COLORS = ["black", "white", "gray0", "gray5", "gray50", "gray99", "gray100", "gray101", "gray05",
          "gray-5", "grey50", "Black", " black ", "black\n", "cmyk(0,100,100,0)", "cmyk(0, 100, 100, 0)",
          "cmyk( 0 , 1 , 2 , 3 )", "cmyk(0,100,100)", "cmyk(0,0,0,0,0)", "cmyk(1000,0,0,0)",
          "cmyk(150,0,0,0)", "cmyk(0.5,0,0,0)", "cmyk(-1,0,0,0)", "rgb(0,0,0)", "#000000", "red", "",
          "gray", 0, None, True]
PERCENTS = ["85%", "100%", "0%", "85.5%", ".5%", "85.%", " 85% ", "85 %", "85%\n", "85", "85%%", "%", "-5%",
            "+5%", "1e3%", "nan%", "８５%", "85 percent", "", 85, 0.85, None, True]
GRID_UNITS = {"line": 13.5, "lines": 13.5, "row": 120.0, "rows": 120.0}


def _loader_accepts(tp, value, units=None) -> bool:
    return convert(tp, Y(value, Where("test")), Context(units), "value") is not MISSING


@pytest.mark.parametrize("tp,ref,values,units", [
    (model.Length, "Length", LENGTHS, None),
    (model.GridLength, "GridLength", LENGTHS + GRID_EXTRA, GRID_UNITS),
    (model.Color, "Color", COLORS, None),
    (model.Percent, "Percent", PERCENTS, None),
], ids=["length", "gridlength", "color", "percent"])
def test_patterns_agree_with_the_loader(tp, ref, values, units):
    v = validator(schema.edition_schema(), ref)
    disagree = [(value, _loader_accepts(tp, value, units)) for value in values
                if _loader_accepts(tp, value, units) != v.is_valid(value)]
    assert disagree == [], "(value, loader accepts) where the schema says otherwise"


def test_schema_refuses_non_ascii_digits():
    """Editors' regular expressions mean ASCII by a digit; the loader's `\\d` (Python)
    also reads full-width digits ('１２mm'). The schema keeps to ASCII: stricter there,
    never looser."""
    v = validator(schema.edition_schema(), "Length")
    assert not v.is_valid("１２mm") and v.is_valid("12mm")
