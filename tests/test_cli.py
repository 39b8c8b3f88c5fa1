"""render.py as a user runs it: one-line errors with file:line, exit codes, no traceback,
and a failed render never replaces the last good PDF."""
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


def _line_of(edition: Path, needle: str) -> int:
    return next(i for i, l in enumerate(edition.read_text(encoding="utf-8").splitlines(), 1) if needle in l)


CASES = [
    # (what to replace, with what, expected message fragment, the line that is wrong)
    ("  columns: 6", "  colums: 6", "unknown key 'colums' in geometry (hint: did you mean 'columns'?)", "colums"),
    ("  gutter: 6mm", "  gutter: 6 mms", "geometry.gutter: unknown unit 'mms' in '6 mms'; write 6mm", "gutter"),
    ("  gutter: 6mm", "  gutter: 6", "geometry.gutter: length 6 has no unit; write 6pt or 6mm", "gutter"),
    ("        story: circuit", "        story: circut", "unknown story 'circut' (hint: did you mean 'circuit'?)", "story: circut"),
    ("        file: images/coffee.jpg", "        file: images/cofee.jpg", "photo file not found: images/cofee.jpg", "cofee"),
    ("  issue: 286", "  issue: [286", "YAML syntax error", None),
    ("  issue: 286", "  issue: 286\n  issue: 287", "duplicate key 'issue' (first at line", "issue: 287"),
    ("  date: 2026-11-30", "  date: tomorrow", "paper.date: expected a date such as 2026-11-30, got 'tomorrow'", "date: tomorrow"),
    ("      - type: masthead", "      - type: mast-head", "unknown element type 'mast-head' (hint: did you mean 'masthead'?)", "mast-head"),
    ("  lead: {file: stories/lead.md}", "  lead: {file: ../../etc/passwd}", "story file '../../etc/passwd' is outside the edition folder", "etc/passwd"),
    ("  issue: 286", "  issue: !!python/object:os.system ls", "YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed", "python/object"),
    ("  body: {font: body,", "  body: {font: bodyy,", "style 'body': unknown font role 'bodyy' (hint: did you mean 'body'?)", "bodyy"),
]


@pytest.mark.parametrize("old,new,message,line_of", CASES)
def test_bad_input_gives_one_clear_line(edition, tmp_path, old, new, message, line_of):
    out = tmp_path / "out.pdf"
    _break(edition, old, new)
    result = run(str(edition), "-o", str(out))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr
    if line_of is not None:
        assert f"{edition}:{_line_of(edition, line_of)}:" in result.stderr
    assert not out.exists()


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
