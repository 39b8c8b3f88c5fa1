"""The code reads clean: no unused imports or variables, no undefined names (pyflakes)."""
from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_pyflakes_finds_nothing():
    paths = [REPO / "layout", REPO / "render.py", REPO / "bench", REPO / "tests", REPO / "tools"]
    done = subprocess.run([sys.executable, "-m", "pyflakes", *map(str, paths)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
