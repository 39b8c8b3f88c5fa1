"""Golden traces: small editions under tests/golden/ whose display lists, as text
(layout/output/trace.py), must stay exactly as committed. A layout change then shows as a
readable diff of trace.txt; after a deliberate one, `make golden` writes them again and
the diff goes into the commit. The rule-based and property tests stay the real checks;
these show what moved.
"""
from __future__ import annotations

import difflib
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(GOLDEN.parent.parent))

from layout.api import lay_out  # noqa: E402
from layout.output.trace import trace  # noqa: E402

EDITIONS = sorted(p.parent.name for p in GOLDEN.glob("*/edition.yaml"))


def traced(edition: Path) -> str:
    _, pages, _ = lay_out(edition)
    return trace(pages, edition.parent)


@pytest.mark.parametrize("name", EDITIONS)
def test_trace_is_golden(name):
    edition = GOLDEN / name / "edition.yaml"
    expected = (GOLDEN / name / "trace.txt").read_text(encoding="utf-8")
    actual = traced(edition)
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            "trace.txt (committed)", "trace (now)", n=1))
        pytest.fail(f"{name}: the display list changed (`make golden` writes it again if meant):\n"
                    + diff[:6000])


def test_golden_editions_exist():
    assert len(EDITIONS) >= 2, EDITIONS


def test_trace_shows_a_one_point_move(tmp_path):
    """The traces are fine enough: moving one frame by one point changes the trace."""
    import shutil

    src = GOLDEN / "front"
    shutil.copytree(src, tmp_path / "front")
    edition = tmp_path / "front" / "edition.yaml"
    text = edition.read_text(encoding="utf-8")
    moved = text.replace("{column: 1, span: 6, top: 368pt, height: 0}",
                         "{column: 1, span: 6, top: 369pt, height: 0}")
    assert moved != text
    before = traced(edition)
    edition.write_text(moved, encoding="utf-8")
    after = traced(edition)
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed and all(a.startswith("  rule") for a, _ in changed), changed


def test_the_trace_flag_gives_the_golden_trace(tmp_path):
    """`render.py EDITION --trace` writes the same text (to a file, or with -o - to
    standard output), and no PDF; with --proof the overlay is in it too."""
    import os
    import subprocess

    env = {**os.environ, "PAIBAN_SERVER": "0"}
    edition = GOLDEN / "front" / "edition.yaml"
    expected = (GOLDEN / "front" / "trace.txt").read_text(encoding="utf-8")
    command = [sys.executable, str(GOLDEN.parent.parent / "render.py"), str(edition), "--trace"]
    shown = subprocess.run(command + ["-o", "-"], capture_output=True, env=env)
    assert shown.returncode == 0 and shown.stdout.decode("utf-8") == expected, shown.stderr[-2000:]
    out = tmp_path / "front.txt"
    written = subprocess.run(command + ["-o", str(out), "--proof"], capture_output=True, env=env)
    assert written.returncode == 0, written.stderr[-2000:]
    proofed = out.read_text(encoding="utf-8")
    assert len(proofed.splitlines()) > len(expected.splitlines()) and "panel" in proofed
    assert not list(tmp_path.glob("*.pdf"))


def test_trace_names_no_machine_folder():
    for name in EDITIONS:
        text = (GOLDEN / name / "trace.txt").read_text(encoding="utf-8")
        assert str(GOLDEN.parent.parent) not in text and "/usr/share" not in text


if __name__ == "__main__":  # `make golden`
    for name in EDITIONS:
        path = GOLDEN / name / "trace.txt"
        path.write_text(traced(GOLDEN / name / "edition.yaml"), encoding="utf-8")
        print(f"{path.relative_to(GOLDEN.parent.parent)}: {len(path.read_text(encoding='utf-8').splitlines())} lines")
