"""The live preview, end to end in headless Chromium: the page shows page 1, a story
file is edited, and the page shows the new version by itself."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO
from test_watch import make

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def dom(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran for a while (headless, no network but loopback)."""
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         f"--user-data-dir={profile}", "--virtual-time-budget=4000", "--dump-dom", url],
        capture_output=True, text=True, timeout=60).stdout


def state(url: str) -> dict:
    with urllib.request.urlopen(url + "state", timeout=5) as resp:
        return json.loads(resp.read())


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (make test installs it)")
def test_the_preview_follows_an_edit(tmp_path):
    path = make(tmp_path)
    proc = subprocess.Popen([sys.executable, str(REPO / "render.py"), str(path), "-o", str(tmp_path / "o.pdf"),
                             "--serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, cwd=REPO)
    try:
        url = proc.stdout.readline().strip().split(" ", 1)[1]
        assert url.startswith("http://127.0.0.1:"), url
        assert "recomposed pages 1, 2, 3" in proc.stdout.readline()
        before = dom(url, tmp_path / "profile")
        assert 'data-version="1"' in before
        assert 'src="/page/1.png?v=1"' in before
        assert before.count('src="/thumb/') == 3
        with urllib.request.urlopen(url + "page/1.png?v=1", timeout=5) as resp:
            first_png = resp.read()
        (path.parent / "a.md").write_text("第一版的文字改过了。" * 30 + "\n", encoding="utf-8")
        assert "recomposed pages 1" in proc.stdout.readline()
        assert state(url)["version"] == 2
        after = dom(url, tmp_path / "profile")
        assert 'data-version="2"' in after and 'src="/page/1.png?v=2"' in after
        with urllib.request.urlopen(url + "page/1.png?v=2", timeout=5) as resp:
            assert resp.read() != first_png
        # an invalid edit: the page shows the error and keeps the last good pictures
        path.write_text(path.read_text(encoding="utf-8").replace("columns: 6", "colums: 6"), encoding="utf-8")
        assert "error" in proc.stdout.readline()
        broken = dom(url, tmp_path / "profile")
        assert "did you mean 'columns'" in broken and 'data-version="2"' in broken
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
