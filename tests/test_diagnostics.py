"""Diagnostics are typed and located: every warning is a Notice with a code and a place
(the edition file's line of the element, or the story file's line of the paragraph; the
page, element and story), every report entry is a type with fields, and the JSON of
--json and --report carries the same structure. Each kind is made happen here, and its
place checked against the line it names."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SAMPLE

from layout.api import Options, lay_out, render
from layout.base.errors import Copyfit, Notice, Overflow, Overset, Place, Report, Where
from layout.desk.watch import Session

HEAD = """\
paper: {name: 测试报, date: 2026-11-30}
geometry: {preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}
styles:
  h: {font: headline, size: 40pt, leading: 44pt}
"""
PARA = "法治宣传教育是全民守法的基础工作，各地坚持把普法与依法治理结合起来。"


def edition(tmp_path: Path, pages: str, a: str = PARA * 3, b: str = PARA) -> Path:
    folder = tmp_path / "ed"
    folder.mkdir(exist_ok=True)
    (folder / "a.md").write_text(a + "\n", encoding="utf-8")
    (folder / "b.md").write_text(b + "\n", encoding="utf-8")
    path = folder / "edition.yaml"
    used = "".join(f"  {s}: {{file: {s}.md}}\n" for s in "ab" if f"story: {s}," in pages)
    path.write_text(HEAD + "stories:\n" + used + "pages:\n" + pages, encoding="utf-8")
    return path


def line_of(where: Where) -> str:
    return Path(where.file).read_text(encoding="utf-8").splitlines()[where.line - 1]


def typed(report: Report) -> None:
    """No free dicts: each list holds its one type, each place is a Place."""
    for name, kind in [("warnings", Notice), ("preflight", Notice), ("overset", Overset),
                       ("overflow", Overflow), ("copyfit", Copyfit)]:
        for entry in getattr(report, name):
            assert isinstance(entry, kind), (name, entry)
            if hasattr(entry, "place"):
                assert isinstance(entry.place, Place)


def test_overset_overflow_and_overlap_are_located_at_their_lines(tmp_path):
    path = edition(tmp_path, """\
  - elements:
      - {type: headline, text: 一个很长很长很长很长很长很长很长很长的标题, style: h, frame: {column: 1, span: 1, top: 0mm, height: 12mm}}
      - {type: story, story: a, frame: {column: 2, span: 1, top: 0mm, height: 20mm}}
      - {type: story, story: b, frame: {column: 2, span: 2, top: 10mm, height: 40mm}}
""")
    _, _, report = lay_out(path)
    typed(report)
    codes = {n.code: n for n in report.warnings}
    assert {"overflow", "overset", "overlap"} <= set(codes), report.warnings
    over = codes["overflow"]
    assert over.place.page == 1 and over.place.element == 1 and over.place.kind == "headline"
    assert "type: headline" in line_of(over.place.source) and over.hint
    assert str(over).startswith(f"{over.place.source}, page 1, element 1 (headline): ")
    (overset,) = report.overset
    assert overset.place.story == "a" and overset.place.element == 2
    assert "story: a," in line_of(overset.place.source)
    assert str(codes["overset"]).startswith(f"{overset.place.source}, page 1, element 2 (story), story 'a': overset: ")
    lap = codes["overlap"]
    assert lap.place.element == 2 and "element 3 (story)" in lap.message and "story: a," in line_of(lap.place.source)
    (entry,) = report.overflow
    assert entry.place == over.place


def test_a_widow_note_names_the_paragraph_in_its_story_file(tmp_path):
    """A widow or orphan that could not be avoided is located at the paragraph: the
    story file's line and its first words (found by trying frame depths)."""
    story = "\n\n".join(f"第{k}段。" + PARA * (1 + k % 3) for k in range(8))
    for height in [5, 6, 7] + list(range(20, 90, 3)):
        path = edition(tmp_path, f"""\
  - elements:
      - {{type: story, story: a, frame: {{column: 1, span: 1, top: 0mm, height: {height}mm}}}}
      - {{type: story, story: a, frame: {{column: 2, span: 1, top: 0mm, height: {height}mm}}}}
""", a=story)
        _, _, report = lay_out(path)
        notes = [n for n in report.warnings if n.code == "keep"]
        if notes:
            break
    else:
        import pytest

        pytest.skip("no depth gave an unavoidable widow or orphan")
    note = notes[0]
    assert note.place.source.file.endswith("a.md") and note.place.story == "a"
    assert line_of(note.place.source).startswith(note.place.words)
    assert note.place.page == 1 and note.place.element in (1, 2)


def test_a_rule_break_and_a_jump_line_left_out_are_placed(tmp_path):
    path = edition(tmp_path, """\
  - elements:
      - {type: story, story: a, frame: {column: 1, span: 1, top: 0mm, height: 20mm}}
  - elements:
      - {type: story, story: a, frame: {column: 1, span: 1, top: 0mm, height: 200mm}}
jump_lines: {to: "（下转{page:02d}版，这是一条长得放不进一栏的转版说明文字）", from: "（上接{page:02d}版）"}
""", a="一" * 10 + "—" * 60 + PARA * 4)
    _, _, report = lay_out(path)
    typed(report)
    by = {n.code: n for n in report.warnings}
    assert "jump-line" in by and "rule-break" in by, report.warnings
    assert by["jump-line"].place.page == 1 and by["jump-line"].place.story == "a"
    assert "story: a," in line_of(by["jump-line"].place.source)
    assert by["rule-break"].place.story == "a" and by["rule-break"].place.source is not None


def test_preflight_findings_are_placed_at_the_photo(tmp_path):
    result = render(Options(SAMPLE, tmp_path / "p.pdf", press=True))
    typed(result.report)
    low = [n for n in result.report.preflight if n.code == "preflight.resolution"]
    assert low and all(n.place.kind == "photo" and "type: photo" in line_of(n.place.source) for n in low)


def test_the_json_report_is_the_typed_report(tmp_path):
    path = edition(tmp_path, """\
  - elements:
      - {type: story, story: a, frame: {column: 1, span: 1, top: 0mm, height: 20mm}}
""")
    out = tmp_path / "o.pdf"
    proc = subprocess.run([sys.executable, str(REPO / "render.py"), str(path), "-o", str(out), "--json",
                           "--report"], capture_output=True, text=True, env={"PAIBAN_SERVER": "0", "PATH": ""})
    assert proc.returncode == 0, proc.stderr
    printed = json.loads(proc.stdout)
    written = json.loads(out.with_suffix(".report.json").read_text(encoding="utf-8"))
    for data in (printed, written):
        (warning,) = [w for w in data["warnings"] if w["code"] == "overset"]
        assert warning["place"] == {"page": 1, "element": 1, "kind": "story", "story": "a",
                                    "file": str(path), "line": 9, "column": 9}
        assert warning["text"].startswith(f"{path}:9:9, page 1, element 1 (story), story 'a': overset: ")
        (over,) = data["overset"]
        assert over["story"] == "a" and over["place"]["line"] == 9
        (fit,) = data["copyfit"]
        assert set(fit) == {f.name for f in dataclasses.fields(Copyfit)}


def test_watch_keeps_the_warnings_of_the_pages_it_did_not_compose_again(tmp_path):
    """The report of a watched render is the whole edition's: a warning about a page
    not composed again stays, one about the page composed again is replaced."""
    pages = """\
  - elements:
      - {type: story, story: a, frame: {column: 1, span: 1, top: 0mm, height: 20mm}}
  - elements:
      - {type: story, story: b, frame: {column: 1, span: 1, top: 0mm, height: 15mm}}
"""
    path = edition(tmp_path, pages, b=PARA * 3)
    session = Session(Options(path, tmp_path / "w.pdf"))
    first = session.render()
    assert first.ok and first.recomposed == [1, 2]
    assert sorted(n.place.story for n in first.report.warnings if n.code == "overset") == ["a", "b"]
    (path.parent / "b.md").write_text(PARA[:10] + "\n", encoding="utf-8")  # b fits now
    again = session.render()
    assert again.recomposed == [2]
    assert [n.place.story for n in again.report.warnings if n.code == "overset"] == ["a"]
    _, _, full = lay_out(path)
    assert [str(n) for n in again.report.warnings] == [str(n) for n in full.warnings]
