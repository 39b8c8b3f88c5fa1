"""One pipeline: --watch and --serve compose incrementally, then finish a render exactly
as the command line does, so every option means the same in all three (issue 15). The
press render of a watched edition is a press file, byte for byte the one a plain
`render.py --print` makes of the same files, after the first render and after an edit."""
from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pikepdf
import pytest

from conftest import REPO
from test_watch import make, with_photo

RENDER = [sys.executable, str(REPO / "render.py")]


def full_render(path: Path, out: Path, *flags: str) -> bytes:
    done = subprocess.run([*RENDER, str(path), "-o", str(out), *flags], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


class Watching:
    """`render.py EDITION --watch|--serve FLAGS` running; its output line by line."""

    def __init__(self, path: Path, out: Path, mode: str, *flags: str):
        extra = ["--port", "0"] if mode == "--serve" else []
        self.proc = subprocess.Popen([*RENDER, str(path), "-o", str(out), mode, *extra, *flags],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(x) for x in self.proc.stdout], daemon=True).start()
        if mode == "--serve":
            assert "http://127.0.0.1:" in self.line(), "no address"

    def line(self) -> str:
        """The next line it prints; a minute of silence fails the test rather than hang it."""
        try:
            return self.lines.get(timeout=60)
        except queue.Empty:
            raise AssertionError("the watching render printed nothing for a minute") from None

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=20)


def press_file(data: bytes) -> None:
    """What makes a press file: page boxes, the output intent, photos in the press's
    inks (CMYK, or black only)."""
    import io

    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/OutputIntents" in pdf.Root
        assert str(pdf.Root.OutputIntents[0].S) == "/GTS_PDFX"
        for page in pdf.pages:
            assert "/TrimBox" in page.obj and "/BleedBox" in page.obj
        spaces = {str(image.ColorSpace) for page in pdf.pages for image in page.get_images().values()}
        assert spaces and spaces <= {"/DeviceGray", "/DeviceCMYK"}, spaces


@pytest.mark.parametrize("mode", ["--watch", "--serve"])
def test_a_watched_press_render_is_the_press_render(tmp_path, mode):
    path = make(tmp_path)
    with_photo(path)
    watched, full = tmp_path / "watched.pdf", tmp_path / "full.pdf"
    run = Watching(path, watched, mode, "--print")
    try:
        assert "recomposed pages 1, 2, 3" in run.line()
        expected = full_render(path, full, "--print")
        press_file(expected)
        assert watched.read_bytes() == expected
        time.sleep(0.3)
        (path.parent / "c.md").write_text("改过的文字，第三版重新排。" * 15 + "\n", encoding="utf-8")
        assert "[c.md] recomposed pages 3" in run.line()
        assert watched.read_bytes() == full_render(path, full, "--print")
    finally:
        run.stop()


@pytest.mark.parametrize("mode", ["--watch", "--serve"])
def test_overset_error_and_strict_preflight_hold_while_watching(tmp_path, mode):
    """An edit that oversets a story is an error under --overset-error, in watch mode as
    on the command line: the last good PDF stays."""
    path = make(tmp_path)
    watched = tmp_path / "watched.pdf"
    run = Watching(path, watched, mode, "--overset-error")
    try:
        assert "recomposed pages 1, 2, 3" in run.line()
        good = watched.read_bytes()
        time.sleep(0.3)
        (path.parent / "c.md").write_text("很长的稿子放不下。" * 400 + "\n", encoding="utf-8")
        line = run.line()
        assert "error" in line, line
        assert watched.read_bytes() == good
        cli = subprocess.run([*RENDER, str(path), "-o", str(tmp_path / "x.pdf"), "--overset-error"],
                             capture_output=True, text=True, cwd=REPO)
        assert cli.returncode == 3
    finally:
        run.stop()
    run = Watching(path, tmp_path / "strict.pdf", mode, "--print", "--preflight", "strict")
    try:
        line = run.line() + run.line()  # the error and what follows it
        assert "overset" in line and not (tmp_path / "strict.pdf").exists(), line
    finally:
        run.stop()
