"""Limits found by the standing campaign (make fuzz), each with the case that found it:
a story too long to set in reasonable time, a stack of combining marks that runs off
the page, a run HarfBuzz gives up on, a masthead whose Tibetan line outgrows its frame."""
from __future__ import annotations

from pathlib import Path

import pytest

from layout.api import Options, render
from layout.base.errors import InputError
from layout.edition.stories import MAX_CHARS, MAX_MARKS

EDITION = """\
paper: {name: 测试报, name_bo: NAME_BO, date: 2026-11-30}
geometry: {preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}
stories:
  a: {file: a.md}
pages:
  - elements:
      - {type: masthead, frame: {column: 1, span: 6, top: 0, height: 30mm}}
      - {type: story, story: a, frame: {column: 1, span: 6, top: 32mm, height: 60mm}}
"""


def make(tmp_path: Path, story: str, name_bo: str = "གངས་ལྗོངས།") -> Path:
    (tmp_path / "a.md").write_text(story, encoding="utf-8")
    path = tmp_path / "edition.yaml"
    path.write_text(EDITION.replace("NAME_BO", name_bo), encoding="utf-8")
    return path


def test_a_story_longer_than_the_limit_is_refused_at_its_key(tmp_path):
    path = make(tmp_path, "测" * (MAX_CHARS + 1))
    with pytest.raises(InputError) as err:
        render(Options(path, tmp_path / "o.pdf", workers=1))
    assert str(err.value).startswith(f"{path}:4:13: story 'a': the story has 100,001 characters, more than 100,000")


@pytest.mark.parametrize("count,ok", [(MAX_MARKS, True), (MAX_MARKS + 1, False)])
def test_marks_stacked_on_one_character_are_bounded(tmp_path, count, ok):
    path = make(tmp_path, "第一行\n\n好a" + "\u0301" * count + "的\n")
    if ok:
        assert render(Options(path, tmp_path / "o.pdf", workers=1)).pages == 1
    else:
        with pytest.raises(InputError) as err:
            render(Options(path, tmp_path / "o.pdf", workers=1))
        assert str(err.value).startswith(f"{tmp_path / 'a.md'}:3:3: {count} combining marks on one character")


def test_a_run_harfbuzz_gives_up_on_is_shaped_in_halves(monkeypatch):
    """HarfBuzz refuses a buffer past its operation bounds (uharfbuzz raises
    MemoryError); the run is shaped in halves, cut where a cluster starts, and the
    glyphs come back in order with clusters counted in the whole text."""
    import uharfbuzz as hb

    from layout.fonts.faces import load_fontset
    from layout.text.shape import Shaper

    face = load_fontset().chain("body", "han")[0]
    text = "》" * 40 + "好" + "\u0301" + "》" * 39
    whole = Shaper().shape(face, text, "Hani", "zh-Hans")
    real = hb.shape

    def refusing(font, buf, features=None):
        if len(buf.glyph_infos) > 30:
            raise MemoryError
        return real(font, buf, features)

    monkeypatch.setattr(hb, "shape", refusing)
    halves = Shaper().shape(face, text, "Hani", "zh-Hans")
    assert [g.cluster for g in halves] == [g.cluster for g in whole]
    assert [g.gid for g in halves] == [g.gid for g in whole]


def test_a_masthead_line_too_deep_for_its_frame_is_cut_and_counted(tmp_path):
    name_bo = "ཁྲིམས་ལུགས་" * 400
    path = make(tmp_path, "本报讯。\n", name_bo)
    result = render(Options(path, tmp_path / "o.pdf", workers=1))
    [entry] = result.report.overflow
    assert entry.type == "masthead" and entry.element == 1 and entry.chars > 3000
    from conftest import pdfium_text, squash

    shown = sum("\u0f00" <= c <= "\u0fff" for c in squash(pdfium_text(tmp_path / "o.pdf")))
    # the publication data goes under the Tibetan line (never across it), so it is cut too
    data = sum(not c.isspace() for c in "2026年11月30日 星期一  今日1版")
    assert 0 < shown and shown + entry.chars == len(name_bo) + data, (shown, entry.chars)


def test_a_folio_with_no_margin_to_stand_in_is_left_out_and_said(tmp_path):
    """Found by the campaign: margins.top 0 put the running head above the page."""
    path = make(tmp_path, "本报讯。\n")
    text = path.read_text(encoding="utf-8").replace("margins: 15mm", "margins: {top: 0pt, bottom: 15mm, "
                                                    "inside: 15mm, outside: 15mm}")
    text = text.replace("  - elements:\n      - {type: masthead", "  - master: default\n    elements:\n"
                        "      - {type: masthead")
    path.write_text(text, encoding="utf-8")
    result = render(Options(path, tmp_path / "o.pdf", workers=1))
    assert any("does not fit in the margin and is left out" in str(w) for w in result.report.warnings), \
        result.report.warnings
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(tmp_path / "o.pdf"))
    page = doc[0]
    text_page = page.get_textpage()
    height = page.get_height()
    for i in range(text_page.count_chars()):
        left, bottom, right, top = text_page.get_charbox(i)
        assert 0 <= bottom and top <= height + 0.5, (i, top, height)
    doc.close()


def test_a_yaml_tag_with_a_value_it_cannot_read_is_located(tmp_path):
    """Found by the campaign: '!!bool maybe' raised KeyError inside PyYAML."""
    from layout.edition.loader import load_edition

    path = tmp_path / "e.yaml"
    path.write_text("paper: {name: 测试报, date: 2026-11-30}\nx: !!bool maybe\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_edition(path)
    assert str(err.value) == (f"{path}:2:4: cannot read 'maybe' as bool "
                              "(hint: remove the '!!bool' tag, or write a bool value)")


def test_a_picture_too_large_to_make_is_refused_before_composing(tmp_path):
    """Found by the campaign: --png --dpi 1200 of a 四开 page wanted 235 megapixels and ran
    out of memory; the flag is refused, with the largest resolution that works."""
    import subprocess
    import sys

    from conftest import REPO

    path = make(tmp_path, "本报讯。\n")
    done = subprocess.run([sys.executable, str(REPO / "render.py"), str(path), "--png", "--dpi", "1200",
                           "-o", str(tmp_path / "p.png")], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == ("error: --dpi 1200: a picture of a page would have 235 megapixels, more than "
                                   "200 (hint: give --dpi 1106 or less)")
    assert not list(tmp_path.glob("p*.png"))


def test_an_ad_label_deeper_than_its_frame_is_cut_and_counted(tmp_path):
    """Found by the campaign: a 100,000-character ad label ran down and off the page."""
    path = make(tmp_path, "本报讯。\n")
    text = path.read_text(encoding="utf-8") + ("      - {type: ad, label: '" + "广告" * 2000 + "', "
                                               "frame: {column: 1, span: 2, top: 100mm, height: 20mm}}\n")
    path.write_text(text, encoding="utf-8")
    result = render(Options(path, tmp_path / "o.pdf", workers=1))
    [entry] = [e for e in result.report.overflow if e.type == "ad"]
    from conftest import pdfium_text, squash

    page = squash(pdfium_text(tmp_path / "o.pdf"))
    shown = page.count("广") + page.count("告")
    assert 0 < shown < 4000 and shown + entry.chars == 4000, (shown, entry.chars)


def test_an_ad_text_deeper_than_its_frame_starts_at_its_top_and_is_counted(tmp_path):
    """Found by the campaign (seed 29): an ad's text is centred in its frame, so a text
    deeper than the frame started above it, off the page."""
    path = make(tmp_path, "本报讯。\n")
    text = path.read_text(encoding="utf-8") + ("      - {type: ad, label: 广告, text: '" + "测" * 3000 + "', "
                                               "frame: {column: 1, span: 2, top: 100mm, height: 20mm}}\n")
    path.write_text(text, encoding="utf-8")
    result = render(Options(path, tmp_path / "o.pdf", workers=1))
    [entry] = [e for e in result.report.overflow if e.type == "ad"]
    from conftest import pdfium_text, squash

    page = squash(pdfium_text(tmp_path / "o.pdf"))
    shown = page.count("测") - page.count("测试报")  # the paper's name, in the masthead and folio
    assert 0 < shown < 3000 and shown + entry.chars == 3000, (shown, entry.chars)
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(tmp_path / "o.pdf"))
    text_page = doc[0].get_textpage()
    frame_top = doc[0].get_height() - (15 + 100) * 72 / 25.4  # the margin and the frame's top, from below
    tops = [text_page.get_charbox(i)[3] for i in range(text_page.count_chars())
            if text_page.get_text_range(i, 1) == "测" and text_page.get_charbox(i)[3] < frame_top + 30]
    doc.close()
    assert tops and max(tops) <= frame_top + 0.5, max(tops)  # the ad's text starts inside its frame
