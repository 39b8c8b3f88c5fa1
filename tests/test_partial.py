"""Partial editions and page references (issue 17, item 6): a designer previews pages 1–2
of an 8-page issue, `{pages}` still prints 8, a jump to a page not given prints its
jump line; a teaser or jump past the paper's pages is an error at its place, with a hint."""
from __future__ import annotations

import pytest

from conftest import pdftotext, squash

from layout.api import Options, render
from layout.base.errors import InputError
from layout.edition.loader import load_edition

EDITION = """\
paper: {{name: 测试报, date: 2026-11-30{pages}}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
stories:
  lead: {{file: lead.md}}
pages:
  - master: front
    elements:
      - {{type: masthead, frame: {{column: 1, span: 6, top: 0mm, height: 30mm}}}}
      - {{type: story, story: lead, frame: {{column: 1, span: 4, top: 40mm, height: 40mm}}{jump}}}
      - {{type: teaser, frame: {{column: 5, span: 2, top: 40mm, height: 40mm}}, items: [{{text: 一只猫, page: {teaser}}}]}}
  - folio: {{right: "第{{page:02d}}版 共{{pages}}版"}}
    elements: []
"""


def edition(tmp_path, pages=", pages: 8", jump=", jump: {page: 5, frame: lead-5}", teaser=7):
    (tmp_path / "lead.md").write_text("本报讯 记者昨天获悉，全区已建成公共法律服务中心。" * 60 + "\n", encoding="utf-8")
    path = tmp_path / "edition.yaml"
    path.write_text(EDITION.format(pages=pages, jump=jump, teaser=teaser), encoding="utf-8")
    return path


def test_a_partial_edition_prints_the_announced_count_and_its_jump(tmp_path):
    result = render(Options(edition(tmp_path), tmp_path / "out.pdf", workers=1))
    text = squash(pdftotext(tmp_path / "out.pdf"))
    assert "今日8版" in text and "第02版共8版" in text
    assert "（下转05版）" in text and "一只猫（07版）" in text
    assert not result.report.overset  # the rest of the story is on page 5, not set here
    partial = [n for n in result.report.warnings if n.code == "partial"]
    assert len(partial) == 2
    assert "pages 1 to 2 of the 8" in partial[0].message and partial[0].place.source.line == 1
    assert "jumps to page 5" in partial[1].message and partial[1].place.story == "lead"
    assert (partial[1].place.source.line, partial[1].place.page) == (9, 1) and partial[1].hint


def test_fewer_pages_announced_than_given_is_an_error_with_a_hint(tmp_path):
    with pytest.raises(InputError) as caught:
        load_edition(edition(tmp_path, pages=", pages: 1", jump="", teaser=1))
    (error,) = caught.value.errors
    assert "paper.pages says 1 pages but 2 are given" in error.message
    assert (error.where.line, error.where.column) == (1, 45) and "give at least 2" in error.hint


@pytest.mark.parametrize("pages,jump,teaser,said,at", [
    (", pages: 8", "", 9, "teaser item '一只猫' points to page 9, but the paper has 8 pages (pages 1 to 2 given)",
     (10, 104)),
    ("", "", 3, "teaser item '一只猫' points to page 3, but the paper has 2 pages", (10, 104)),
    (", pages: 8", ", jump: {page: 12, frame: x}", 2, "jump to page 12, but the paper has 8 pages", (9, 96)),
    ("", ", jump: {page: 3, frame: x}", 2, "jump to page 3, but the paper has 2 pages", (9, 96)),
])
def test_a_reference_past_the_papers_pages_is_an_error_at_its_place(tmp_path, pages, jump, teaser, said, at):
    with pytest.raises(InputError) as caught:
        load_edition(edition(tmp_path, pages=pages, jump=jump, teaser=teaser))
    (error,) = caught.value.errors
    assert error.message.startswith(said)
    assert (error.where.line, error.where.column) == at
    assert error.hint.startswith("give a page from 1 to")
    assert ("paper.pages" in error.hint) == (pages == "")  # a complete edition is told how to announce more


def test_a_whole_edition_is_not_partial(tmp_path):
    loaded = load_edition(edition(tmp_path, pages=", pages: 2", jump="", teaser=2))
    assert not [n for n in loaded.warnings if n.code == "partial"]
    assert loaded.template_fields(1)["pages"] == 2
