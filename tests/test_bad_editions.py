"""Malformed editions: each gives one exact line (file:line:column: what, hint), exit
code 2 and no traceback. The table is the contract; a changed message is a changed
product."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

from layout.base.errors import InputError
from layout.edition.loader import load_edition

BASE = """\
paper:
  name: 测试报
  date: 2026-11-30
geometry:
  preset: 四开
  margins: 15mm
  columns: 6
  gutter: 6mm
  baseline: 13.5pt
styles:
  body: {font: body, size: 小五, leading: 13.5pt}
stories:
  a: {file: a.md}
pages:
  - elements:
      - type: story
        story: a
        name: a1
        frame: {column: 1, span: 2, top: 0mm, height: 100mm}
      - type: photo
        file: p.jpg
        frame: {column: 3, span: 2, top: 0mm, height: 60mm}
"""
# (id, text replaced, replacement, expected message after "edition.yaml:")
CASES = [
    ("unknown-top-key", "paper:\n", "papr:\n",
     "1:1: unknown key 'papr' (hint: did you mean 'paper'?)"),
    ("misspelt-key", "  columns: 6", "  colums: 6",
     "7:3: unknown key 'colums' in geometry (hint: did you mean 'columns'?)"),
    ("unit-plural", "  gutter: 6mm", "  gutter: 12 pts",
     "8:11: geometry.gutter: unknown unit 'pts' in '12 pts' (hint: write 12pt)"),
    ("unit-missing", "  gutter: 6mm", "  gutter: 6",
     "8:11: geometry.gutter: length 6 has no unit (hint: write 6pt or 6mm)"),
    ("unit-unknown", "  gutter: 6mm", "  gutter: 6 inch",
     "8:11: geometry.gutter: unknown unit 'inch' in '6 inch' (hint: known units: cm, in, mm, pt, q, 级)"),
    ("columns-word", "  columns: 6", "  columns: six",
     "7:12: geometry.columns: expected a whole number, got 'six' (hint: write numbers without a unit here)"),
    ("columns-zero", "  columns: 6", "  columns: 0",
     "7:12: geometry.columns: 0 is less than 1 (hint: give 1 to 100)"),
    ("date-word", "  date: 2026-11-30", "  date: tomorrow",
     "3:9: paper.date: expected a date such as 2026-11-30, got 'tomorrow'"),
    ("date-impossible", "  date: 2026-11-30", "  date: 2026-13-40",
     "3:9: paper.date: expected a date such as 2026-11-30, got '2026-13-40'"),
    ("issue-text", "  date: 2026-11-30\n", "  date: 2026-11-30\n  issue: 二百八十六\n",
     "4:10: paper.issue: expected a whole number, got '二百八十六' (hint: write numbers without a unit here)"),
    ("name-missing", "  name: 测试报\n", "",
     "2:3: paper: missing required key 'name' (hint: e.g. name: 雪域法治报)"),
    ("pages-not-list", "pages:\n  - elements:", "pages:\n  x:\n    elements:",
     "15:3: pages: expected a list (hint: start each item with '- ')"),
    ("element-no-type", "      - type: photo\n", "      - kind: photo\n",
     "20:9: pages[1].elements[2]: needs a 'type' (masthead, headline, story, photo, text, section_label, rule, box, "
     "teaser, ad, qr, notices, table) (hint: add a line 'type: masthead', or another of them)"),
    ("element-type-misspelt", "      - type: photo", "      - type: phot",
     "20:15: pages[1].elements[2]: unknown element type 'phot' (hint: did you mean 'photo'?)"),
    ("frame-column", "{column: 3, span: 2,", "{column: 6, span: 2,",
     "22:16: frame columns 6 to 7 are outside the 6-column grid (hint: columns are numbered 1 to 6: give a smaller "
     "column or span)"),
    ("frame-depth", "top: 0mm, height: 60mm}", "top: 0mm, height: 500mm}",
     "22:16: frame reaches 500.0 mm below the top margin; the type area is 360.0 mm deep (hint: move the frame up "
     "or make it shorter)"),
    ("frame-top-negative", "top: 0mm, height: 60mm}", "top: -5mm, height: 60mm}",
     "22:42: pages[1].elements[2].frame.top: -5mm is negative (hint: lengths here are 0 or more)"),
    ("story-unknown", "        story: a\n", "        story: b\n",
     "17:16: unknown story 'b' (hint: add it under 'stories:')"),
    ("photo-story-unknown", "        file: p.jpg\n", "        file: p.jpg\n        story: aa\n",
     "22:16: unknown story 'aa' (hint: did you mean 'a'?)"),
    ("story-two-heads", "      - type: photo\n", "      - {type: headline, text: 甲, story: a, frame: {column: 5, span: 1, top: 0mm, height: 9mm}}\n"
     "      - {type: text, text: 乙, story: a, frame: {column: 6, span: 1, top: 0mm, height: 9mm}}\n      - type: photo\n",
     "21:38: story 'a' already has its head at line 20 (hint: join one headline (or title text) to a story; a "
     "continuation's headline is the story frame's 'headline')"),
    ("story-file-missing", "  a: {file: a.md}", "  a: {file: b.md}",
     "13:13: story 'a': file not found: b.md (hint: check the name, and the folder it is relative to)"),
    ("story-file-outside", "  a: {file: a.md}", "  a: {file: ../a.md}",
     "13:13: story file '../a.md' is outside the edition folder (hint: keep it under the edition's folder, or allow its folder when you run the render: --allow-path DIR)"),
    ("story-both", "  a: {file: a.md}", "  a: {file: a.md, text: 文字}",
     "13:6: story 'a' needs exactly one of 'file' and 'text' (hint: give file: (a story file) or text: (the story "
     "inline), not both)"),
    ("photo-missing", "        file: p.jpg", "        file: q.jpg",
     "21:15: photo file not found: q.jpg (hint: looked in {base}, next to the edition file; check the name and its case)"),
    ("photo-outside", "        file: p.jpg", "        file: ../p.jpg",
     "21:15: photo '../p.jpg' is outside the edition folder (hint: keep it under the edition's folder, or allow its folder when you run the render: --allow-path DIR)"),
    ("style-unknown", "        file: p.jpg\n", "        file: p.jpg\n        caption_style: captoin\n",
     "22:24: unknown style 'captoin' (hint: did you mean 'caption'?)"),
    ("based-on-unknown", "leading: 13.5pt}", "leading: 13.5pt}\n  lead: {based_on: bodyy}",
     "12:20: style 'lead' is based on unknown style 'bodyy' (hint: did you mean 'body'?)"),
    ("based-on-cycle", "leading: 13.5pt}", "leading: 13.5pt}\n  x: {based_on: y}\n  y: {based_on: x}",
     "13:17: style 'y' is based on itself through x -> y -> x (hint: base one of them on a style outside the "
     "circle, or on none)"),
    ("font-role", "{font: body,", "{font: bdy,",
     "11:16: style 'body': unknown font role 'bdy' (hint: did you mean 'body'?)"),
    ("align-misspelt", "leading: 13.5pt}", "leading: 13.5pt, align: justified}",
     "11:56: styles.body.align: 'justified' is not one of justify, start, center, end (hint: did you mean 'justify'?)"),
    ("color-bad", "leading: 13.5pt}", "leading: 13.5pt, color: red}",
     "11:56: styles.body.color: 'red' is not a colour (hint: black, white, rich-black, gray0 to gray100, cmyk(c, m, y, k) in percent, rgb(r, g, b) in 0-255 or #rrggbb, or spot(NAME, c, m, y, k))"),
    ("leading-no-unit", "leading: 13.5pt}", "leading: 13.5}",
     "11:41: styles.body.leading: length 13.5 has no unit (hint: write 13.5pt or 13.5mm)"),
    ("yaml-syntax", "  columns: 6", "  columns: [6",
     "8:9: YAML syntax error: did not find expected ',' or ']' (hint: while parsing a flow sequence at line 7, column 12)"),
    ("yaml-tab", "  columns: 6", "\tcolumns: 6",
     "7:1: YAML syntax error: found a tab character that violates indentation (hint: while scanning a plain scalar at line 6, column 12)"),
    ("duplicate-key", "  columns: 6", "  columns: 6\n  columns: 8",
     "8:3: duplicate key 'columns' (first at line 7) (hint: keep one of the two)"),
    ("python-tag", "  name: 测试报", "  name: !!python/object/apply:os.system [ls]",
     "2:9: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed (hint: edition files hold plain values only; remove the '!' tag)"),
    ("alias-bomb", "paper:\n", 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
     'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
     'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n'
     'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\npaper:\n',
     "6:1: more than 200000 values after expanding aliases (hint: remove the repeated '*alias' references)"),
    ("deep-nesting", "paper:\n", "x: " + "[" * 5000 + "]" * 5000 + "\npaper:\n",
     "1:104: nesting deeper than 100 levels (hint: edition files are a few levels deep; check the brackets)"),
    ("master-unknown", "  - elements:", "  - master: frontt\n    elements:",
     "15:13: page 1: unknown master 'frontt' (hint: did you mean 'front'?)"),
    ("jump-missing-frame", "        name: a1\n", "        name: a1\n        jump: {page: 1, frame: a2}\n",
     "19:15: jump to frame 'a2' on page 1, which has no story frame of that name (hint: story frames named on page 1: a1)"),
    ("jump-page", "        name: a1\n", "        name: a1\n        jump: {page: 3, frame: a2}\n",
     "19:15: jump to page 3, but the paper has 1 page (hint: give a page from 1 to 1, or announce more with "
     "paper.pages (a partial edition))"),
    ("jump-circular", "        name: a1\n", "        name: a1\n        jump: {page: 1, frame: a1}\n",
     "19:15: jumps go round in a circle through page 1 frame 'a1' (hint: the story's last part needs no jump: "
     "remove the one that leads back)"),
    ("teaser-page", "      - type: photo\n",
     "      - {type: teaser, frame: {column: 5, span: 2, top: 0mm}, items: [{text: 猫, page: 2}]}\n      - type: photo\n",
     "20:87: teaser item '猫' points to page 2, but the paper has 1 page (hint: give a page from 1 to 1, or announce "
     "more with paper.pages (a partial edition))"),
    ("focal-range", "        file: p.jpg\n", "        file: p.jpg\n        focal: [0.5, 1.5]\n",
     "22:22: pages[1].elements[2].focal[2]: 1.5 is more than 1 (hint: give 0 to 1)"),
    ("caption-width-too-wide", "        file: p.jpg\n",
     "        file: p.jpg\n        caption: 图为…\n        caption_position: right\n        caption_width: 80mm\n",
     "24:24: caption_width 80.0 mm: a caption beside the photo must be wider than its 6 pt gap and leave the "
     "picture a fifth of the 76.0 mm frame (hint: give at most 60.8 mm, or widen the frame)"),
    ("caption-width-below", "        file: p.jpg\n", "        file: p.jpg\n        caption_width: 30mm\n",
     "22:24: caption_width is for a caption beside the photo; this one is below it (it takes the frame's width) "
     "(hint: add caption_position: right or left, or remove caption_width)"),
    ("hyphenate-language", "leading: 13.5pt}", "leading: 13.5pt, hyphenate: xx_YY}",
     "11:60: style 'body': no hyphenation patterns for 'xx_YY' (hint: e.g. en_US, en_GB, de_DE)"),
    ("margins-partial", "  margins: 15mm", "  margins: {top: 15mm}",
     "6:12: geometry.margins: missing required key 'bottom' (hint: e.g. bottom: 15mm)"),
    ("include-missing", "paper:\n", "include: [house.yaml]\npaper:\n",
     "1:11: house style 'house.yaml': file not found (hint: check the name, and the folder it is relative to)"),
    ("include-outside", "paper:\n", "include: [../house.yaml]\npaper:\n",
     "1:11: house style '../house.yaml' is outside the edition folder (hint: keep it under the edition's folder, or allow its folder when you run the render: --allow-path DIR)"),
    ("negative-gutter", "  gutter: 6mm", "  gutter: -6mm",
     "8:11: geometry.gutter: -6mm is negative (hint: lengths here are 0 or more)"),
    ("cmyk-over-100", "leading: 13.5pt}", "leading: 13.5pt, color: 'cmyk(150,0,0,0)'}",
     "11:56: styles.body.color: 'cmyk(150,0,0,0)' is not a colour (hint: black, white, rich-black, gray0 to gray100, cmyk(c, m, y, k) in percent, rgb(r, g, b) in 0-255 or #rrggbb, or spot(NAME, c, m, y, k))"),
    ("rgb-over-255", "leading: 13.5pt}", "leading: 13.5pt, color: 'rgb(256,0,0)'}",
     "11:56: styles.body.color: 'rgb(256,0,0)' is not a colour (hint: black, white, rich-black, gray0 to gray100, cmyk(c, m, y, k) in percent, rgb(r, g, b) in 0-255 or #rrggbb, or spot(NAME, c, m, y, k))"),
    ("hex-short", "leading: 13.5pt}", "leading: 13.5pt, color: '#c81'}",
     "11:56: styles.body.color: '#c81' is not a colour (hint: black, white, rich-black, gray0 to gray100, cmyk(c, m, y, k) in percent, rgb(r, g, b) in 0-255 or #rrggbb, or spot(NAME, c, m, y, k))"),
    ("template-field", "stories:\n", "masters:\n  default: {credits: '责任编辑：{editor}'}\nstories:\n",
     "13:22: unknown field '{editor}' in '责任编辑：{editor}' (hint: did you mean 'editors'?)"),
    ("masthead-template-field", "  - elements:\n",
     "  - elements:\n      - {type: masthead, info_right: ['总第{total}期'], frame: {column: 5, top: 70mm}}\n",
     "16:39: unknown field '{total}' in '总第{total}期' (hint: did you mean 'total_issue'?)"),
    ("teaser-format-field", "  - elements:\n",
     "  - elements:\n      - {type: teaser, item_format: '{title}（{page}版）', frame: {column: 5, top: 70mm}}\n",
     "16:37: unknown field '{title}' in '{title}（{page}版）' (hint: fields: text, page)"),
    ("folio-style", "stories:\n", "masters:\n  default: {folio: {style: folo}}\nstories:\n",
     "13:28: unknown style 'folo' (hint: did you mean 'folio'?)"),
    ("jump-style", "stories:\n", "jump_lines: {style: jmp}\nstories:\n",
     "12:21: unknown style 'jmp' (hint: did you mean 'jump'?)"),
    ("font-file-missing", "stories:\n", "fonts: {body: {han: [fonts/NoSuch.otf]}}\nstories:\n",
     "12:1: font for role 'body' not found: {base}/fonts/NoSuch.otf (hint: give a manifest face name or a font file)"),
    ("font-script", "stories:\n", "fonts: {body: {hani: [serif-sc]}}\nstories:\n",
     "12:1: font role 'body': unknown script 'hani' (hint: did you mean 'han'?)"),
    ("width-no-sign", "leading: 13.5pt}", "leading: 13.5pt, width: 85}",
     "11:56: styles.body.width: expected a percentage such as 85%, got 85 (hint: write 85% (with the sign))"),
    ("width-too-narrow", "leading: 13.5pt}", "leading: 13.5pt, width: 10%}",
     "11:56: styles.body.width: 10% is less than 25% (hint: give 25% to 400%)"),
    ("fit-width-three", "  - elements:\n",
     "  - elements:\n      - {type: headline, text: 标题, fit_width: [80%, 90%, 100%], frame: {column: 5, top: 70mm}}\n",
     "16:47: fit_width: give [narrowest, widest] width (hint: e.g. fit_width: [80%, 100%])"),
    ("top-level-list", "paper:\n", "- paper\npaper:\n",
     "2:1: YAML syntax error: did not find expected '-' indicator (hint: while parsing a block collection at line 1, column 1)"),
]


def _edition(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "ed"
    folder.mkdir()
    (folder / "a.md").write_text("正文第一段。\n\n## 小标题\n\n正文第二段。\n", encoding="utf-8")
    (folder / "p.jpg").write_bytes((REPO / "editions" / "sample" / "images" / "coffee.jpg").read_bytes())
    path = folder / "edition.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_base_edition_is_valid(tmp_path):
    load_edition(_edition(tmp_path, BASE))


def test_there_are_at_least_40_cases():
    assert len(CASES) >= 40


# Cases the JSON Schema can see (types, keys, units, enums, patterns): it must reject
# them too. The others need files, references or the whole edition: only the loader can.
SCHEMA_ERRORS = {
    "unknown-top-key", "misspelt-key", "unit-plural", "unit-missing", "unit-unknown", "columns-word",
    "issue-text", "name-missing", "pages-not-list", "element-no-type", "element-type-misspelt",
    "frame-top-negative", "align-misspelt", "color-bad", "leading-no-unit", "negative-gutter",
    "cmyk-over-100", "margins-partial", "date-word", "date-impossible", "width-no-sign",
}


def _text_dates():
    import yaml

    class TextDates(yaml.SafeLoader):
        pass

    TextDates.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    return TextDates


_TextDates = _text_dates()


def test_the_schema_rejects_every_schema_error(tmp_path):
    import datetime
    import json

    import jsonschema
    import yaml

    schema = json.loads((REPO / "docs" / "edition.schema.json").read_text(encoding="utf-8"))

    def plain(v):
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v.isoformat() if isinstance(v, datetime.date) else v

    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(plain(yaml.safe_load(BASE))))
    for case, old, new, _ in CASES:
        if case not in SCHEMA_ERRORS:
            continue
        text = BASE.replace(old, new, 1)
        try:
            document = plain(yaml.safe_load(text))
        except ValueError:  # 2026-13-40: PyYAML's date reader fails; read dates as text
            document = plain(yaml.load(text, Loader=_TextDates))
        assert list(validator.iter_errors(document)), f"the schema accepts case {case}"


@pytest.mark.parametrize("case,old,new,expected", CASES, ids=[c[0] for c in CASES])
def test_bad_edition_gives_the_exact_message(tmp_path, case, old, new, expected):
    assert old in BASE, case
    path = _edition(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(InputError) as err:
        load_edition(path)
    message = str(err.value)
    base = str(path.parent)
    want = expected.replace("{base}", base)
    if not want.startswith(base):
        want = f"{path}:{want}"
    assert message.splitlines()[0] == want


def test_the_command_prints_one_line_and_exits_2(tmp_path):
    path = _edition(tmp_path, BASE.replace("  columns: 6", "  colums: 6"))
    result = subprocess.run([sys.executable, str(REPO / "render.py"), str(path), "-o", str(tmp_path / "o.pdf")],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"{path}:7:3: unknown key 'colums' in geometry (hint: did you mean 'columns'?)"]


def test_all_errors_of_a_file_are_reported(tmp_path):
    text = BASE.replace("  columns: 6", "  colums: 6").replace("  gutter: 6mm", "  gutter: 6")
    with pytest.raises(InputError) as err:
        load_edition(_edition(tmp_path, text))
    assert len(str(err.value).splitlines()) == 2


@pytest.mark.parametrize("encoding,newline", [("utf-8-sig", "\n"), ("utf-8", "\r\n")], ids=["bom", "crlf"])
def test_bom_and_crlf_files_load(tmp_path, encoding, newline):
    path = _edition(tmp_path, "")
    path.write_bytes(BASE.replace("\n", newline).encode(encoding))
    assert load_edition(path).paper.name == "测试报"


def test_non_utf8_file(tmp_path):
    path = _edition(tmp_path, "")
    path.write_bytes(BASE.encode("gb18030"))
    with pytest.raises(InputError) as err:
        load_edition(path)
    assert str(err.value) == f"{path}:2:9: not valid UTF-8 (byte 0xb2) (hint: save the file as UTF-8)"


def test_unclosed_bold_in_a_story(tmp_path):
    path = _edition(tmp_path, BASE)
    (path.parent / "a.md").write_text("第一段。\n\n第二段有**粗体没有结束。\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_edition(path)
    assert str(err.value) == (f"{path.parent / 'a.md'}:3:5: '**' opens bold text that is never closed "
                              "(hint: close it with '**', or write \\* for an asterisk)")


def test_symlink_out_of_the_edition_is_refused(tmp_path):
    path = _edition(tmp_path, BASE.replace("  a: {file: a.md}", "  a: {file: link.md}"))
    outside = tmp_path / "secret.md"
    outside.write_text("秘密。", encoding="utf-8")
    (path.parent / "link.md").symlink_to(outside)
    with pytest.raises(InputError) as err:
        load_edition(path)
    assert "story file 'link.md' is outside the edition folder" in str(err.value)


def test_allow_path_on_the_command_line_lets_a_house_folder_in(tmp_path):
    house = tmp_path / "house"
    house.mkdir()
    (house / "style.yaml").write_text("styles:\n  body: {size: 五号, leading: 16pt, indent: 1}\n"
                                      "  note: {font: caption, size: 六号}\n", encoding="utf-8")
    path = _edition(tmp_path, "include: [../house/style.yaml]\nallow_paths: [../house]\n" + BASE)
    edition = load_edition(path, [house])
    body = edition.styles["body"]
    # the edition writes size and leading; the house's indent stays
    assert (body.size, body.leading, body.indent) == (9.0, 13.5, 1.0)
    assert edition.styles["note"].size == 7.5


def test_a_redefined_house_style_keeps_what_the_edition_does_not_write(tmp_path):
    house = tmp_path / "ed" / "house.yaml"
    path = _edition(tmp_path, BASE.replace("  body: {font: body, size: 小五, leading: 13.5pt}",
                                           "  body: {tracking: 0.02}").replace("paper:\n", "include: [house.yaml]\npaper:\n", 1))
    house.write_text("styles:\n  body: {size: 五号, leading: 16pt, indent: 2}\n", encoding="utf-8")
    body = load_edition(path).styles["body"]
    assert (body.size, body.leading, body.indent, body.tracking) == (10.5, 16.0, 2.0, 0.02)


def test_numbers_in_text_fields_stay_as_written(tmp_path):
    path = _edition(tmp_path, BASE.replace("  date: 2026-11-30\n", "  date: 2026-11-30\n  postal_code: 0755\n"))
    assert load_edition(path).paper.postal_code == "0755"


def test_rows_height_holds_one_gutter_fewer(tmp_path):
    text = BASE.replace("  baseline: 13.5pt", "  baseline: 13.5pt\n  rows: 8").replace(
        "{column: 3, span: 2, top: 0mm, height: 60mm}", "{column: 3, span: 2, top: 0 rows, height: 8 rows}")
    edition = load_edition(_edition(tmp_path, text))
    frame = edition.source.pages[0].elements[1].frame
    depth = edition.geometry.height - edition.geometry.margins.top - edition.geometry.margins.bottom
    assert frame.height == pytest.approx(depth)


def test_a_page_can_drop_the_folio(tmp_path):
    from layout.api import lay_out

    path = _edition(tmp_path, BASE.replace("  - elements:", "  - folio: none\n    elements:"))
    _, pages, _ = lay_out(path)
    top = 15 * 72 / 25.4
    assert not [i for i in pages[0].items if getattr(i, "y", top + 1) < top and hasattr(i, "gids")]


def test_overlapping_elements_are_warned(tmp_path):
    text = BASE + """\
      - type: text
        text: 标题
        frame: {column: 2, span: 2, top: 10mm, height: 10mm}
"""
    edition = load_edition(_edition(tmp_path, text))
    assert any(w.code == "overlap" and "overlap" in str(w) for w in edition.warnings)
