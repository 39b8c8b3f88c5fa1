"""Click to source (issue 20): the composition says where each frame and each line of
text comes from (display.Source), and the live preview turns a click into that place.

- Every line of every story on the sample's pages maps to the paragraph its text is
  from (by its line in the story file), and every element to its line in the edition
  file; the PDF is the same with or without the sources.
- In headless Chromium, the preview of a copy of the golden front edition, clicked (by
  ?page=N&at=x,y, the same function a click calls) on a line of the lead's second
  paragraph and on the photo, names the right path:line and makes the editor link."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from conftest import SAMPLE
from layout.api import lay_out
from layout.lines.display import GlyphRun, Source

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "front"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def sample():
    return lay_out(SAMPLE)


def test_every_story_line_maps_to_its_paragraph(sample):
    edition, pages, _ = sample
    blocks = {(name, b.where.line): b.text for name, story in edition.stories.items() for b in story.blocks}
    checked = 0
    for page in pages:
        runs = [i for i in page.items if isinstance(i, GlyphRun)]
        for src in (i for i in page.items if isinstance(i, Source) and i.kind == "line"):
            text = blocks[(src.story, src.line)]
            inside = "".join(r.text for r in runs if src.y <= r.y <= src.y + src.h + 0.01
                             and src.x - 0.01 <= r.x <= src.x + src.w)
            inside = inside.replace(" ", "")
            assert inside, src
            assert inside in text.replace(" ", "") or inside.rstrip("-‐") in text.replace(" ", ""), \
                (src.story, src.line, inside[:30])
            checked += 1
    assert checked > 1500


def test_every_element_has_its_frame_and_line(sample):
    edition, pages, _ = sample
    for pi, page in enumerate(pages):
        found = {i.element: i for i in page.items if isinstance(i, Source) and i.kind != "line"}
        for k, element in enumerate(edition.source.pages[pi].elements, 1):
            src = found[k]
            assert src.kind == element.type
            assert src.line == edition.places[(pi + 1, k)].line
            if element.type == "story":
                assert src.story == element.story


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (make test installs it)")
def test_a_click_names_the_source_in_the_browser(tmp_path):
    shutil.copytree(GOLDEN, tmp_path / "ed", ignore=shutil.ignore_patterns("trace.txt"))
    edition = tmp_path / "ed" / "edition.yaml"
    story = (tmp_path / "ed" / "stories" / "lead.md").read_text(encoding="utf-8").splitlines()
    proc = subprocess.Popen([sys.executable, str(REPO / "render.py"), "ed/edition.yaml", "-o", "o.pdf", "--serve",
                             "--port", "0", "--editor", "myeditor://open?f={path}&l={line}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    try:
        url = proc.stdout.readline().strip().split(" ", 1)[1]
        assert "recomposed" in proc.stdout.readline()
        with urllib.request.urlopen(url + "sources/1.json", timeout=5) as resp:
            sources = json.loads(resp.read())["sources"]
        # the second paragraph of the lead: its line in the story file
        paragraphs = [n for n, text in enumerate(story, 1) if text.strip() and not text.startswith(">")]
        second = paragraphs[1]
        line = next(s for s in sources if s["kind"] == "line" and s["story"] == "lead" and s["line"] == second)
        photo = next(s for s in sources if s["kind"] == "photo")
        photo_line = next(n for n, text in enumerate(edition.read_text(encoding="utf-8").splitlines(), 1)
                          if "type: photo" in text)
        for region, want in ((line, f"ed/stories/lead.md:{second}"), (photo, f"ed/edition.yaml:{photo_line}")):
            x, y = region["x"] + region["w"] / 2, region["y"] + region["h"] / 2
            dom = subprocess.run(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000", "--dump-dom",
                 f"{url}?page=1&at={x:.5f},{y:.5f}&poll=300"], capture_output=True, text=True, timeout=60).stdout
            assert f'data-source="{want}"' in dom, (want, dom[dom.find("<body"):][:300])
            path = str((tmp_path / want.rsplit(":", 1)[0]).resolve())
            assert f'myeditor://open?f={path}&amp;l={want.rsplit(":", 1)[1]}' in dom
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
