"""Shared fixtures: the rendered sample, and helpers that read PDFs with real tools."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "editions" / "sample" / "edition.yaml"

sys.path.insert(0, str(REPO))
# renders the tests start stay in their own process: no warm render server is used or
# left behind (tests/test_warm.py starts its own, in a folder of its own)
os.environ["PAIBAN_SERVER"] = "0"

from layout.api import Options, render  # noqa: E402


def squash(text: str) -> str:
    """Text with all whitespace removed: extractors disagree about spaces, not characters."""
    return re.sub(r"\s+", "", text)


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout


def pdfium_text(pdf: Path) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def chunks_in_order(needle: str, hay: str, max_chunks: int) -> list[str]:
    """Split `needle` into the fewest contiguous pieces that occur in `hay` one after
    another; fail when it needs more than `max_chunks` (text missing or out of order)."""
    pieces = []
    pos, at = 0, 0
    while pos < len(needle):
        lo, hi = 0, len(needle) - pos
        while lo < hi:  # longest prefix of needle[pos:] found in hay after `at`
            mid = (lo + hi + 1) // 2
            if hay.find(needle[pos:pos + mid], at) >= 0:
                lo = mid
            else:
                hi = mid - 1
        if lo == 0:
            raise AssertionError(f"text missing from the PDF at: {needle[pos:pos + 40]!r}")
        found = hay.find(needle[pos:pos + lo], at)
        pieces.append(needle[pos:pos + lo])
        at = found + lo
        pos += lo
        if len(pieces) > max_chunks:
            raise AssertionError(f"text out of order or broken up: {[p[:20] for p in pieces]}")
    return pieces


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "sample.pdf"
    result = render(Options(SAMPLE, out))
    assert result.pages >= 2
    return out
