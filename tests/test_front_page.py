"""The second edition (editions/issue-287): a real front page and its jump page, pages
1 and 2 of an 8-page issue, as a desk sets them. It is issue 17's acceptance page: it
exercises a jump placed by a {frame} mark, a {column} mark, pasted copy, a partial
edition, a kicker group, a section band, a photo, two-line subheads, dated text,
Tibetan, text on the character grid and boxes. Rendered once for the module.
"""
from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from conftest import REPO, chunks_in_order, pdftotext, squash

from layout.api import Options, render
from layout.edition.clean import clean

EDITION = REPO / "editions" / "issue-287" / "edition.yaml"
STORIES = EDITION.parent / "stories"
ALLOW = (REPO / "editions" / "sample",)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("issue-287") / "front.pdf"
    return render(Options(EDITION, out, allow_paths=ALLOW))


def _page_text(pdf: Path, n: int) -> str:
    return squash(pdftotext(pdf, "-f", str(n), "-l", str(n), "-raw"))


def test_two_pages_of_eight(rendered):
    assert rendered.pages == 2
    front = _page_text(rendered.output, 1)
    assert "今日8版" in front and "第287期（总第5213期）" in front and "2026年12月7日星期一" in front


def test_only_the_expected_warnings(rendered):
    """The partial edition and the pasted story say so; nothing else is wrong with the
    page: no overset, no hole the designer did not ask for."""
    codes = sorted({n.code for n in rendered.report.warnings})
    assert codes == ["cleaned-punctuation", "cleaned-quotes", "cleaned-spaces", "partial"], \
        [n.message for n in rendered.report.warnings]
    assert rendered.report.overset == [] and rendered.report.overflow == []
    assert all(h.marked for h in rendered.report.holes), rendered.report.holes


def _source(name: str) -> str:
    """A story as a reader gets it: cleaned, without its markup."""
    text = clean((STORIES / name).read_text(encoding="utf-8"))[0]
    text = re.sub(r"^(> |## )", "", text, flags=re.M)
    text = re.sub(r"^\{(column|frame)\}$", "", text, flags=re.M)
    return squash(text.replace("**", "").replace("[[", "").replace("]]", ""))


@pytest.mark.parametrize("name", ["lead.md", "pasted.md", "bo-wages.md", "comment.md", "briefs.md"])
def test_every_story_arrives_whole(rendered, name):
    """No word lost: each story's text is in the PDF, in order, in one piece (the lead in
    two: the jump, where page 2's folio and continued headline come between)."""
    both = _page_text(rendered.output, 1) + _page_text(rendered.output, 2)
    both = both.replace("（下转02版）", "").replace("（上接01版）", "")
    chunks_in_order(_source(name), both, 2 if name == "lead.md" else 1)


def test_the_frame_mark_puts_the_jump_where_the_designer_said(rendered):
    """The text before {frame} ends on page 1 above （下转02版）; the text after it
    starts page 2 under （上接01版）."""
    lead = (STORIES / "lead.md").read_text(encoding="utf-8")
    before, after = lead.split("{frame}")
    last_before = squash(before.strip().splitlines()[-1])[-12:]
    first_after = squash(after.strip().splitlines()[0])[:12]
    front, inside = _page_text(rendered.output, 1), _page_text(rendered.output, 2)
    assert last_before in front and last_before not in inside
    assert first_after in inside and first_after not in front
    assert "（下转02版）" in front and "（上接01版）" in inside
    assert inside.index("（上接01版）") < inside.index(first_after)


def _chars(pdf: Path, page: int) -> list[tuple[str, float, float]]:
    """(character, left, top) of every character pdfium finds on a page."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        tp = doc[page - 1].get_textpage()
        out = []
        for i in range(tp.count_chars()):
            ch = tp.get_text_range(i, 1)
            left, bottom, right, top = tp.get_charbox(i)
            out.append((ch, left, top))
        return out
    finally:
        doc.close()


def test_the_column_mark_starts_a_column(rendered):
    """In the briefs, {column} puts 昌都中院… at the top of the next column: on the same
    line as the first brief, one column to the right."""
    chars = _chars(rendered.output, 1)
    text = "".join(c for c, _, _ in chars)
    first = text.index("自治区检察院发布冬季")
    after = text.index("昌都中院审结")
    (_, x0, y0), (_, x1, y1) = chars[first], chars[after]
    assert abs(y1 - y0) < 0.5 and x1 > x0 + 50
