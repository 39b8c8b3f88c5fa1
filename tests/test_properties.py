"""Generated editions and story texts: whatever a story holds, the engine renders it or
fails with a one-line input error per story, never a traceback; and every character is
either placed or counted as overset.

`make test` tries a modest number of cases; `make fuzz` runs the same properties with
many more (PAIBAN_FUZZ_EXAMPLES) and reports how many it tried.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from layout.api import lay_out
from layout.base.errors import InputError, Notice, Overset

EXAMPLES = int(os.environ.get("PAIBAN_FUZZ_EXAMPLES", "25"))

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
TIBETAN = st.characters(min_codepoint=0x0F00, max_codepoint=0x0FDA)
LATIN = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
PUNCT = st.sampled_from(list("，。、；：！？“”‘’（）《》——……·"))
COMBINING = st.characters(min_codepoint=0x0300, max_codepoint=0x036F)
WILD = st.characters(blacklist_categories=("Cs",))  # every plane, controls, RTL, emoji
TEXT = st.text(st.one_of(HAN, HAN, TIBETAN, LATIN, PUNCT, COMBINING, st.just(" "), st.just("\n")),
               max_size=600)
WORD = st.text(st.characters(min_codepoint=0x61, max_codepoint=0x7A), min_size=1000, max_size=2000)
# a pipe table: cells of any script (a '|' among the Latin makes a row ragged: an input error)
CELL = st.text(st.one_of(HAN, TIBETAN, LATIN, PUNCT, COMBINING, st.just(" ")), max_size=40)
TABLE = st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.one_of(st.none(), st.lists(CELL, min_size=n, max_size=n)),
    st.lists(st.lists(CELL, min_size=n, max_size=n), min_size=1, max_size=30),
    st.lists(st.sampled_from(["---", ":--", "--:", ":-:", "--- 2*", "--- 20mm", "--- auto", "--- 30%"]),
             min_size=n, max_size=n))).map(
    lambda t: "\n".join(([_row(t[0])] if t[0] is not None else []) + ["|" + "|".join(t[2]) + "|"]
                        + [_row(r) for r in t[1]]))


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("\n", " ") for c in cells) + " |"


STORY = st.one_of(TEXT, TEXT, st.text(WILD, max_size=200), WORD, st.just(""),
                  st.builds(lambda t, n: t * n, TEXT, st.integers(1, 8)),
                  st.builds(lambda a, t, b: f"{a}\n\n{t}\n\n{b}", TEXT, TABLE, TEXT))

EDITION = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
styles:
  body: {{font: {role}, size: {size}pt, leading: 13.5pt, indent: 2, width: {width}%}}
stories:
  a: {{file: a.md}}
  b: {{file: b.md}}
pages:
  - elements:
      - {{type: story, story: a, frame: {{column: 1, span: {span}, top: 0mm, height: {height}mm}}}}
      - {{type: story, story: b, frame: {{column: 5, span: 2, top: 0mm, height: 100mm}}}}
  - elements:
      - {{type: story, story: a, frame: {{column: 1, span: 3, top: 0mm, height: 80mm}}}}
"""


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(a=STORY, b=STORY, role=st.sampled_from(["body", "tibetan-body", "caption", "kai", "tibetan-machine"]),
       size=st.sampled_from([7.5, 9, 10.5, 14]), span=st.integers(1, 4), height=st.integers(5, 200),
       width=st.sampled_from([100, 100, 25, 60, 85, 120, 400]))
def test_any_story_is_set_or_refused_clearly(a, b, role, size, span, height, width):
    """Stories of any text, pipe tables among it."""
    folder = Path(tempfile.mkdtemp())
    try:
        (folder / "a.md").write_text(a, encoding="utf-8", newline="")
        (folder / "b.md").write_text(b, encoding="utf-8", newline="")
        (folder / "edition.yaml").write_text(
            EDITION.format(role=role, size=size, span=span, height=height, width=width), encoding="utf-8")
        try:
            edition, pages, report = lay_out(folder / "edition.yaml")
        except InputError as exc:
            event("refused with an input error")
            lines = str(exc).splitlines()
            assert lines and all(": story '" in l or ": " in l for l in lines), str(exc)
            assert len(lines) <= 2  # one line per story at most
            return
        event("set" + (" with overset" if report.overset else ""))
        for entry in report.copyfit:
            story = edition.stories[entry.story]
            assert entry.placed_chars + entry.overset_chars == story.chars, entry
        # every finding is typed and located: in the edition file (or the story's), and
        # on a page, with the story it is about
        for notice in report.warnings:
            event(f"warning {notice.code}")
            assert isinstance(notice, Notice) and notice.place.source is not None, notice
            assert str(notice).startswith(str(notice.place.source)), notice
            if notice.code.startswith("cleaned-"):  # said as the story is read: its file and story, no page
                assert notice.place.story in ("a", "b"), notice
            else:
                assert notice.place.page in (1, 2), notice
        for over in report.overset:
            assert isinstance(over, Overset) and over.place.story == over.story and over.place.source, over
            written = Path(over.place.source.file).read_text(encoding="utf-8").splitlines()
            assert f"story: {over.story}," in written[over.place.source.line - 1], over  # its frame's line
    finally:
        shutil.rmtree(folder, ignore_errors=True)


FRAME_TEXT = st.text(st.one_of(HAN, HAN, TIBETAN, LATIN, PUNCT), min_size=1, max_size=300)

ELEMENT = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
stories:
  s: {{file: s.md}}
pages:
  - elements:
      - {{type: {kind}, {body}{fit}, frame: {{column: 2, span: {span}, top: 10mm, height: {height}mm}}}}
  - elements:
      - {{type: story, story: s, frame: {{column: 1, top: 0mm}}}}
"""


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=FRAME_TEXT, kind=st.sampled_from(["text", "headline", "fitted headline", "notices", "vertical text",
                                              "fitted vertical headline"]), span=st.integers(1, 3),
       height=st.integers(3, 60))
def test_frame_text_is_shown_or_counted(text, kind, span, height):
    """A headline, text or notices frame shows its text down to its foot, never past it,
    and counts what it leaves out: shown + left out = written (whitespace aside). A
    notice (here with no title) is shown whole or left out whole."""
    import json

    folder = Path(tempfile.mkdtemp())
    try:
        (folder / "s.md").write_text("测试。\n", encoding="utf-8")
        (folder / "edition.yaml").write_text(
            ELEMENT.format(kind=kind.split()[-1], span=span, height=height, body=(
                f"items: [{{title: '', text: {json.dumps(text, ensure_ascii=False)}}}]" if kind == "notices"
                else f"text: {json.dumps(text, ensure_ascii=False)}"),
                fit={"fitted headline": ", fit: [12pt, 30pt], fit_width: [50%, 100%]",
                     "vertical text": ", direction: vertical",
                     "fitted vertical headline": ", fit: [12pt, 30pt], direction: vertical"}.get(kind, "")),
            encoding="utf-8")
        try:
            edition, pages, report = lay_out(folder / "edition.yaml")
        except InputError as exc:  # e.g. an unassigned Tibetan code point: no font has it
            event("refused with an input error")
            assert "no font has" in str(exc) and len(str(exc).splitlines()) == 1, str(exc)
            return
        top = (15 + 10) * 72 / 25.4
        foot = top + height * 72 / 25.4
        runs = [r for r in pages[0].items if hasattr(r, "clusters") and r.y > 15 * 72 / 25.4]
        assert all(r.y + 0.12 * r.size <= foot + 0.5 for r in runs)
        # vertical columns (竖排): every glyph's square, upright or turned, above the foot
        # (a closing mark's lower half, empty, may lie past it: the mark at a column's
        # foot is set half an em, chinese.md C8)
        for r in (r for r in runs if r.vertical):
            for c in r.clusters:
                lower = 0.5 if c.text in "，。、；：！？”’」』）〕】〗］｝》〉" else 0.0
                assert all(r.y + py + (0.12 - lower) * r.size <= foot + 0.5
                           for _, py in r.positions[c.first:c.first + c.count]), (c.text, r.text)
        assert all(r.y + px + a <= foot + 0.5 for r in runs if r.rotate for (px, _), a in zip(r.positions, r.advances))
        shown = sum(not c.isspace() for r in runs for c in r.text)
        left = sum(e.chars for e in report.overflow)
        event(f"{kind}: {'cut' if left else 'whole'}")
        assert shown + left == sum(not c.isspace() for c in text), (shown, left, report.overflow)
        if kind == "notices":
            assert shown == 0 or left == 0, (shown, left)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
