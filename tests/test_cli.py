"""render.py as a user runs it: exit codes, no traceback, and a failed render never
replaces the last good PDF. (The messages for bad editions: test_bad_editions.py.)"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "render.py"), *args], cwd=cwd,
                          capture_output=True, text=True)


@pytest.fixture()
def edition(tmp_path) -> Path:
    """A writable copy of the sample edition."""
    target = tmp_path / "ed"
    shutil.copytree(SAMPLE.parent, target)
    return target / "edition.yaml"


def test_renders_an_edition_to_the_given_file(tmp_path):
    out = tmp_path / "x.pdf"
    result = run(str(SAMPLE), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert "2 page(s)" in result.stdout


def test_page_option_writes_one_page(tmp_path):
    out = tmp_path / "p1.pdf"
    result = run(str(SAMPLE), "-o", str(out), "--page", "1")
    assert result.returncode == 0, result.stderr
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info


def _break(edition: Path, old: str, new: str) -> None:
    text = edition.read_text(encoding="utf-8")
    assert old in text
    edition.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_failed_render_keeps_the_last_good_pdf(edition, tmp_path):
    out = tmp_path / "out.pdf"
    assert run(str(edition), "-o", str(out)).returncode == 0
    good = out.read_bytes()
    _break(edition, "  columns: 6", "  columns: six")
    assert run(str(edition), "-o", str(out)).returncode == 2
    assert out.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.pdf")] == []


def test_missing_edition_file(tmp_path):
    result = run(str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"{tmp_path / 'nope.yaml'}: file not found"


def test_unwritable_output_is_an_error_not_a_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run(str(SAMPLE), "-o", str(blocker / "out.pdf"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot write output" in result.stderr
