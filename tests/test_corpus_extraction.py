"""A page of corpus text, set by the engine and written as PDF, gives back its source
text through pdftotext and pdfium, Chinese and Tibetan alike (whitespace aside)."""
from __future__ import annotations

import pytest

from conftest import SHARED, pdfium_text, pdftotext, squash

from layout.lines.display import PageOut
from layout.fonts.faces import load_fontset
from layout.lines.linebreak import Widths
from layout.lines.justify import set_lines
from layout.output.pdf import PdfWriter
from layout.lines.prepare import prepare
from layout.text.shape import Shaper

PAGE_W, PAGE_H, MARGIN = 595.0, 842.0, 40.0
COLUMNS, GUTTER, SIZE, PITCH = 3, 14.0, 10.0, 16.0


def set_pages(paragraphs: list[str], role: str) -> list[PageOut]:
    """Paragraphs in three columns per page, as many pages as they need."""
    fonts, shaper = load_fontset(), Shaper()
    col_w = (PAGE_W - 2 * MARGIN - (COLUMNS - 1) * GUTTER) / COLUMNS
    pages, items = [], []
    col, y = 0, MARGIN + SIZE
    for text in paragraphs:
        prepared = prepare(text, role, SIZE, 0.0, fonts, shaper)
        for line in set_lines(prepared, Widths.uniform(col_w), shaper, indent=2 * SIZE):
            if y > PAGE_H - MARGIN:
                col, y = col + 1, MARGIN + SIZE
                if col == COLUMNS:
                    pages.append(PageOut(len(pages) + 1, PAGE_W, PAGE_H, tuple(items)))
                    items, col = [], 0
            x = MARGIN + col * (col_w + GUTTER)
            items += [r.moved(x, y) for r in line.runs]
            y += PITCH
    pages.append(PageOut(len(pages) + 1, PAGE_W, PAGE_H, tuple(items)))
    return pages


def article(path, index: int) -> list[str]:
    """The paragraphs of one article (articles are separated by blank lines)."""
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    return [l for l in blocks[index].splitlines() if l.strip() and not l.startswith("# ")]


@pytest.mark.parametrize("path,role", [
    (SHARED / "corpus" / "chinese" / "ntrex128_zh_news_02.txt", "body"),
    (SHARED / "corpus" / "tibetan" / "tibettimes_2015.txt", "tibetan-body"),
], ids=["chinese", "tibetan"])
def test_text_comes_back(path, role, tmp_path):
    paragraphs = article(path, 1)
    pdf = tmp_path / "corpus.pdf"
    pdf.write_bytes(PdfWriter().write(set_pages(paragraphs, role)))
    source = squash("".join(paragraphs))
    assert squash(pdftotext(pdf, "-raw")) == source
    assert squash(pdfium_text(pdf)) == source
