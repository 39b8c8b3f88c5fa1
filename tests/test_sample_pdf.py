"""The sample edition end to end, read back with poppler, qpdf and pdfium."""
from __future__ import annotations

import subprocess

from conftest import SAMPLE, chunks_in_order, pdfium_text, pdftotext, squash

from layout.api import Options, render
from layout.edition.loader import load_edition


def story_text(name: str) -> str:
    edition = load_edition(SAMPLE)
    return squash("".join(b.text for b in edition.stories[name].blocks))


def test_every_font_is_embedded_and_subset(sample_pdf):
    out = subprocess.run(["pdffonts", str(sample_pdf)], check=True, capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]
    assert rows, "no fonts in the PDF"
    for row in rows:
        name, emb, sub, uni = row.split()[0], *row.split()[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert "+" in name, row
        # the Noto CJK faces are CFF and go in as CFF, subset from the installed collection
        assert ("CID Type 0C" in row) == ("CJK" in name), row


def test_qpdf_finds_no_errors(sample_pdf):
    result = subprocess.run(["qpdf", "--check", str(sample_pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_pdftotext_gives_back_the_chinese_lead_in_reading_order(sample_pdf):
    text = squash(pdftotext(sample_pdf, "-raw"))
    # the lead runs through two frames on page 1 and one on page 2
    pieces = chunks_in_order(story_text("lead"), text, max_chunks=3)
    assert len(pieces) <= 3


def test_pdftotext_gives_back_the_tibetan_story(sample_pdf):
    text = squash(pdftotext(sample_pdf, "-raw"))
    pieces = chunks_in_order(story_text("bo-service"), text, max_chunks=1)
    assert pieces == [story_text("bo-service")]


def test_pdfium_gives_back_chinese_and_tibetan(sample_pdf):
    text = squash(pdfium_text(sample_pdf))
    chunks_in_order(story_text("bo-service"), text, max_chunks=1)
    chunks_in_order(story_text("lead"), text, max_chunks=3)
    chunks_in_order(story_text("pets"), text, max_chunks=1)


def test_masthead_and_jump_lines(sample_pdf):
    text = squash(pdftotext(sample_pdf, "-raw"))
    edition = load_edition(SAMPLE)
    assert squash(edition.source.paper.name) in text
    assert squash(edition.source.paper.name_bo) in text
    assert "（下转02版）" in text and "（上接01版）" in text


def test_same_input_gives_same_bytes(sample_pdf, tmp_path):
    again = tmp_path / "again.pdf"
    render(Options(SAMPLE, again))
    assert again.read_bytes() == sample_pdf.read_bytes()


def test_single_page_render(tmp_path):
    out = tmp_path / "p2.pdf"
    result = render(Options(SAMPLE, out, page=2))
    assert result.pages == 1
    text = squash(pdftotext(out, "-raw"))
    assert "（上接01版）" in text
