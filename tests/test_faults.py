"""Faults around a render: interrupted, terminated, disk full, output folder not
writable; and the same input giving the same bytes in separate processes."""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE

from layout import api
from layout.base.errors import RenderError


def run(*args, **kw):
    return subprocess.Popen([sys.executable, str(REPO / "render.py"), *map(str, args)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def big_edition(folder: Path) -> Path:
    """Sixty pages of long stories: a render that takes several seconds. Every
    paragraph is different (rotations of one sentence), so no cache makes it quick."""
    folder.mkdir()
    sentence = "各级人民法院坚持司法为民，把巡回审判送到群众家门口，就地立案、就地审理、就地调解。"
    size = len(sentence)

    def paragraph(n: int) -> str:
        return "".join(sentence[r:] + sentence[:r]
                       for r in (n % size, n // size % size, n // size ** 2 % size, (n * 7 + 3) % size))

    lines = ["paper: {name: 测试报, date: 2026-11-30}",
             "geometry: {preset: 对开, margins: 20mm, columns: 8, gutter: 4mm, baseline: 13.5pt}",
             "stories:"]
    pages = ["pages:"]
    for p in range(60):
        pages.append("  - elements:")
        for k in range(4):
            name = f"s{p}_{k}"
            first = (p * 4 + k) * 25
            (folder / f"{name}.md").write_text("\n\n".join(paragraph(first + i) for i in range(25)) + "\n",
                                               encoding="utf-8")
            lines.append(f"  {name}: {{file: {name}.md}}")
            pages.append(f"      - {{type: story, story: {name}, frame: {{column: {2 * k + 1}, span: 2, top: 0mm}}}}")
    (folder / "edition.yaml").write_text("\n".join(lines + pages) + "\n", encoding="utf-8")
    return folder / "edition.yaml"


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["sigint", "sigterm"])
def test_a_signal_mid_render_keeps_the_previous_pdf(tmp_path, sig, code):
    edition = big_edition(tmp_path / "ed")
    out = tmp_path / "out.pdf"
    out.write_bytes(b"%PDF-1.4 the last good one")
    proc = run(edition, "-o", out)
    time.sleep(1.0)  # imports done, composing
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    if proc.returncode == 0:
        pytest.skip("the render finished before the signal arrived")
    assert proc.returncode == code, err
    assert "previous output is unchanged" in err and "Traceback" not in err
    assert out.read_bytes() == b"%PDF-1.4 the last good one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ed", "out.pdf"]
    # nor is any process of it left running (the render forks a child for half the stories)
    time.sleep(0.2)
    left = []
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            if str(edition).encode() in (proc_dir / "cmdline").read_bytes():
                left.append(proc_dir.name)
        except OSError:
            pass
    assert not left, f"processes still running: {left}"


def test_disk_full_leaves_no_partial_file_and_the_old_pdf(tmp_path, monkeypatch):
    out = tmp_path / "out.pdf"
    out.write_bytes(b"old")
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    with pytest.raises(RenderError) as err:
        api.write_atomically(out, b"new pdf")
    assert "No space left on device" in str(err.value)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_an_unwritable_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root ignores permissions: use a path under a file
            target = tmp_path / "file" / "out.pdf"
            (tmp_path / "file").write_text("x")
        else:
            target = folder / "out.pdf"
        with pytest.raises(RenderError):
            api.write_atomically(target, b"pdf")
    finally:
        folder.chmod(0o755)


def test_same_bytes_in_two_processes(tmp_path):
    outs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"s{seed}.pdf"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = run(SAMPLE, "-o", out, "--page", "1", env=env)
        proc.communicate(timeout=120)
        assert proc.returncode == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
