"""render.py as a user runs it: exit codes, no traceback, and a failed render never
replaces the last good PDF. (The messages for bad editions: test_bad_editions.py.)"""
from __future__ import annotations

import json
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
    assert re.search(r": \d+ page\(s\) in ", result.stdout)


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
    text = edition.read_text(encoding="utf-8")
    edition.write_text(text.replace("geometry:", "geometry:\n  colums: six", 1), encoding="utf-8")
    assert run(str(edition), "-o", str(out)).returncode == 2
    assert out.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.pdf")] == []


def test_missing_edition_file(tmp_path):
    result = run(str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"{tmp_path / 'nope.yaml'}: file not found (hint: check the name, and the "
                                     "folder it is relative to)")


def test_unwritable_output_is_an_error_not_a_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run(str(SAMPLE), "-o", str(blocker / "out.pdf"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot write output" in result.stderr


def test_overset_error_writes_nothing_and_exits_3(tmp_path):
    folder = tmp_path / "ed"
    folder.mkdir()
    (folder / "s.md").write_text("测试文字。" * 200 + "\n", encoding="utf-8")
    (folder / "edition.yaml").write_text(
        "paper: {name: 测试报, date: 2026-11-30}\n"
        "geometry: {preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}\n"
        "stories: {s: {file: s.md}}\n"
        "pages:\n  - elements:\n      - {type: story, story: s, frame: {column: 1, top: 0mm, height: 20mm}}\n",
        encoding="utf-8")
    out = tmp_path / "o.pdf"
    warn = run(str(folder / "edition.yaml"), "-o", str(out))
    # located: the frame's line in the edition, its page and element, the story
    assert warn.returncode == 0 and "edition.yaml:6:9, page 1, element 1 (story), story 's': overset:" in warn.stderr
    out.unlink()
    result = run(str(folder / "edition.yaml"), "-o", str(out), "--overset-error")
    assert result.returncode == 3
    assert "edition.yaml:6:9, page 1, element 1 (story), story 's': overset:" in result.stderr
    assert not out.exists()


def test_overset_error_counts_text_that_outgrows_any_frame(tmp_path):
    """A headline too long for its frame hides text as an overset story does: with
    --overset-error it stops the render too."""
    folder = tmp_path / "ed"
    folder.mkdir()
    (folder / "s.md").write_text("测试文字。\n", encoding="utf-8")
    (folder / "edition.yaml").write_text(
        "paper: {name: 测试报, date: 2026-11-30}\n"
        "geometry: {preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}\n"
        "stories: {s: {file: s.md}}\n"
        "pages:\n  - elements:\n"
        "      - {type: headline, text: 一个很长很长很长很长很长的标题, frame: {column: 1, top: 0mm, height: 10mm}}\n"
        "      - {type: story, story: s, frame: {column: 2, top: 0mm, height: 20mm}}\n",
        encoding="utf-8")
    out = tmp_path / "o.pdf"
    warn = run(str(folder / "edition.yaml"), "-o", str(out), "--json")
    assert warn.returncode == 0
    (entry,) = json.loads(warn.stdout)["overflow"]
    assert entry["type"] == "headline" and entry["chars"] > 0
    out.unlink()
    result = run(str(folder / "edition.yaml"), "-o", str(out), "--overset-error")
    assert result.returncode == 3, result.stderr
    assert (f"edition.yaml:6:9, page 1, element 1 (headline): {entry['chars']} characters did not fit its frame"
            in result.stderr)
    assert not out.exists()


def test_report_prints_the_copyfit_table_and_writes_json(tmp_path):
    import json

    out = tmp_path / "s.pdf"
    result = run(str(SAMPLE), "-o", str(out), "--report")
    assert result.returncode == 0
    header = result.stdout.splitlines()[0].split()
    assert header == ["story", "pages", "chars", "placed", "overset", "lines", "capacity", "underset"]
    data = json.loads(out.with_suffix(".report.json").read_text(encoding="utf-8"))
    assert "lead" in {e["story"] for e in data["copyfit"]}


def test_proof_draws_the_overlay(tmp_path):
    plain, proof = tmp_path / "plain.pdf", tmp_path / "proof.pdf"
    assert run(str(SAMPLE), "-o", str(plain), "--page", "1").returncode == 0
    assert run(str(SAMPLE), "-o", str(proof), "--page", "1", "--proof").returncode == 0
    import pypdfium2 as pdfium

    def objects(path):
        doc = pdfium.PdfDocument(str(path))
        try:
            return len(list(doc[0].get_objects()))
        finally:
            doc.close()
    assert objects(proof) > objects(plain) + 50


def test_json_output_for_scripts(tmp_path):
    import json

    result = run(str(SAMPLE), "-o", str(tmp_path / "s.pdf"), "--json", "--page", "1")
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["pages"] == 1 and data["outputs"] == [str(tmp_path / "s.pdf")]
    bad = tmp_path / "bad.yaml"
    bad.write_text("paper: [\n", encoding="utf-8")
    result = run(str(bad), "--json")
    data = json.loads(result.stdout)
    assert result.returncode == 2 and data["ok"] is False
    assert data["errors"][0]["file"] == str(bad) and data["errors"][0]["line"] == 2


def test_png_preview_of_one_page(tmp_path):
    from PIL import Image

    out = tmp_path / "p2.png"
    result = run(str(SAMPLE), "--page", "2", "--png", "--dpi", "50", "-o", str(out))
    assert result.returncode == 0, result.stderr
    from layout.edition.loader import load_edition

    width = load_edition(SAMPLE).geometry.width
    with Image.open(out) as im:
        assert im.format == "PNG" and abs(im.width - width * 50 / 72) <= 1
