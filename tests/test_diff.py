"""`render.py EDITION --diff REV` on a known edit: a git repository holding a copy of the
golden front edition, one commit, then an edit of a story and of a headline. The command
names the pages, the story (its text, its re-flow) and the element (with its line in the
edition file) that changed, and writes a picture per changed page, old and new side by
side with the changed regions outlined in red; against an earlier PDF it names the
pages whose pictures changed."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "front"
GIT = ["git", "-c", "user.email=desk@example.org", "-c", "user.name=desk", "-c", "commit.gpgsign=false"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAIBAN_SERVER": "0"}
    return subprocess.run([sys.executable, str(REPO / "render.py"), *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.fixture()
def repo(tmp_path):
    shutil.copytree(GOLDEN, tmp_path / "ed", ignore=shutil.ignore_patterns("trace.txt"))
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(GIT + ["-C", str(tmp_path), "add", "-A"], check=True)
    subprocess.run(GIT + ["-C", str(tmp_path), "commit", "-qm", "first proof"], check=True)
    return tmp_path


def red_pixels(path: Path) -> int:
    r, g, b = Image.open(path).convert("RGB").split()
    red = Image.eval(r, lambda v: 255 if v > 200 else 0)
    not_green = Image.eval(g, lambda v: 255 if v < 40 else 0)
    not_blue = Image.eval(b, lambda v: 255 if v < 40 else 0)
    mask = ImageChops.multiply(ImageChops.multiply(red, not_green), not_blue)
    return mask.histogram()[255]


def test_a_story_edit_and_a_headline_edit(repo):
    story = repo / "ed" / "stories" / "lead.md"
    story.write_text(story.read_text(encoding="utf-8").replace("。", "。这是校样之后加进来的一句话，足够让后面的行重新排过。", 1),
                     encoding="utf-8")
    edition = repo / "ed" / "edition.yaml"
    text = edition.read_text(encoding="utf-8")
    assert "出门就能找到人" in text
    edition.write_text(text.replace("出门就能找到人", "出门就能找到律师"), encoding="utf-8")
    line = next(i for i, s in enumerate(edition.read_text(encoding="utf-8").splitlines(), 1) if "出门就能找到律师" in s)
    done = run(str(edition), "--diff", "HEAD", "--json", "-o", str(repo / "out" / "x.pdf"), cwd=repo)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["pages"] == [1, 2]  # the lead jumps to page 2: its continuation re-flows too
    [lead] = [s for s in got["stories"] if s.startswith("story lead:")]
    assert "text changed (1 paragraph)" in lead and "re-flowed" in lead
    headlines = [e for e in got["elements"] if "(headline" in e]
    assert headlines, got["elements"]
    # the headline element's own line, or the element's first line just above the text
    at = int(headlines[0].rsplit(":", 1)[1])
    assert line - 12 <= at <= line, (headlines, line)
    assert len(got["pictures"]) == 2
    for picture in got["pictures"]:
        assert Path(picture).is_file() and red_pixels(Path(picture)) > 100
    assert not (repo / "out" / "x.pdf").exists(), "--diff writes no PDF"


def test_nothing_changed(repo):
    done = run(str(repo / "ed" / "edition.yaml"), "--diff", "HEAD", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "pages changed: none" in done.stdout
    assert "picture:" not in done.stdout


def test_against_an_earlier_pdf(repo):
    edition = repo / "ed" / "edition.yaml"
    first = repo / "first.pdf"
    assert run(str(edition), "-o", str(first), cwd=repo).returncode == 0
    story = repo / "ed" / "stories" / "lead.md"
    story.write_text(story.read_text(encoding="utf-8").replace("。", "。又加了一句。", 1), encoding="utf-8")
    done = run(str(edition), "--diff", str(first), "--json", cwd=repo)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert 1 in got["pages"]
    assert all(red_pixels(repo / p) > 0 for p in got["pictures"])  # out/ under the working folder


@pytest.mark.parametrize("against, message", [
    ("no-such-branch", "no such revision"),
    ("HEAD~5", "no such revision"),
])
def test_bad_revisions_are_located_errors(repo, against, message):
    done = run(str(repo / "ed" / "edition.yaml"), "--diff", against, cwd=repo)
    assert done.returncode == 2
    assert message in done.stderr and "hint:" in done.stderr
    assert "Traceback" not in done.stderr


def test_not_a_repository_and_a_broken_pdf(tmp_path):
    shutil.copytree(GOLDEN, tmp_path / "ed", ignore=shutil.ignore_patterns("trace.txt"))
    done = run(str(tmp_path / "ed" / "edition.yaml"), "--diff", "HEAD", cwd=tmp_path)
    assert done.returncode == 2 and "not in a git repository" in done.stderr, done.stderr
    broken = tmp_path / "old.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really\n")
    done = run(str(tmp_path / "ed" / "edition.yaml"), "--diff", str(broken), cwd=tmp_path)
    assert done.returncode == 2 and "cannot be read" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
