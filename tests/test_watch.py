"""Watch mode: only the pages a change affects are composed again, and an invalid edit
keeps the last good PDF."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO

from layout.api import Options
from layout.watch import Session

EDITION = """\
paper: {name: 测试报, date: 2026-11-30}
geometry: {preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}
stories:
  a: {file: a.md}
  b: {file: b.md}
  c: {file: c.md}
pages:
  - elements:
      - {type: story, story: a, frame: {column: 1, span: 3, top: 0mm, height: 60mm}}
      - {type: story, story: b, frame: {column: 4, span: 3, top: 0mm, height: 60mm}}
  - elements:
      - {type: story, story: b, frame: {column: 1, span: 3, top: 0mm, height: 60mm}}
  - elements:
      - {type: story, story: c, frame: {column: 1, span: 3, top: 0mm, height: 60mm}}
"""
TEXT = "人民调解员走进村里，把法律知识讲给群众听。" * 12


def make(tmp_path: Path) -> Path:
    folder = tmp_path / "ed"
    folder.mkdir()
    for name in "abc":
        (folder / f"{name}.md").write_text(TEXT + "\n", encoding="utf-8")
    (folder / "edition.yaml").write_text(EDITION, encoding="utf-8")
    return folder / "edition.yaml"


def test_only_the_pages_a_change_affects_are_composed_again(tmp_path):
    path = make(tmp_path)
    session = Session(Options(path, tmp_path / "out.pdf"))
    first = session.render()
    assert first.ok and first.recomposed == [1, 2, 3]
    assert session.render().recomposed == []  # nothing changed
    (path.parent / "c.md").write_text("新的内容。" * 20 + "\n", encoding="utf-8")
    assert session.render().recomposed == [3]
    (path.parent / "b.md").write_text("改过的文字。" * 30 + "\n", encoding="utf-8")
    assert session.render().recomposed == [1, 2]  # story b runs over pages 1 and 2
    path.write_text(EDITION.replace("story: c, frame: {column: 1, span: 3, top: 0mm, height: 60mm}",
                                    "story: c, frame: {column: 1, span: 3, top: 0mm, height: 50mm}"),
                    encoding="utf-8")
    assert session.render().recomposed == [3]  # page 3's frame changed
    # what was put together from kept and new pages is what a full render makes
    from layout.api import render

    render(Options(path, tmp_path / "full.pdf"))
    assert (tmp_path / "out.pdf").read_bytes() == (tmp_path / "full.pdf").read_bytes()


def test_an_invalid_edit_keeps_the_last_good_pdf(tmp_path):
    path = make(tmp_path)
    out = tmp_path / "out.pdf"
    session = Session(Options(path, out))
    assert session.render().ok
    good = out.read_bytes()
    path.write_text(EDITION.replace("columns: 6", "colums: 6"), encoding="utf-8")
    bad = session.render()
    assert not bad.ok and "did you mean 'columns'" in bad.error
    assert out.read_bytes() == good
    path.write_text(EDITION, encoding="utf-8")
    assert session.render().ok


def test_the_watch_command_reacts_to_a_saved_story(tmp_path):
    path = make(tmp_path)
    proc = subprocess.Popen([sys.executable, str(REPO / "render.py"), str(path), "-o", str(tmp_path / "o.pdf"),
                             "--watch"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=REPO)
    try:
        first = proc.stdout.readline()
        assert "recomposed pages 1, 2, 3" in first, first
        time.sleep(0.5)
        (path.parent / "c.md").write_text("再改一次。" * 10 + "\n", encoding="utf-8")
        second = proc.stdout.readline()
        assert "[c.md] recomposed pages 3" in second, second
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
