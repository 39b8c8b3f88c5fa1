"""docs/tutorial.md, followed literally: its files written, its commands run, its outputs
compared, in a fresh folder.

The tutorial marks what the test reads:
- ```markdown file=PATH / ```yaml file=PATH: write the file; ```yaml append=PATH: add
  the lines at its end;
- ```sh: commands, run from the repository folder (`make …`, the one-time setup, is
  skipped: the test runs inside that setup);
- ```text output: what the command before it prints, stderr then stdout; the seconds a
  render took are not compared.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, squash

TUTORIAL = REPO / "docs" / "tutorial.md"
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.M | re.S)
TIME = re.compile(r" in \d+\.\d+ s$", re.M)


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1).strip(), m.group(2)) for m in FENCE.finditer(TUTORIAL.read_text(encoding="utf-8"))]


def run(command: str, cwd: Path) -> str:
    command = re.sub(r"^\.venv/bin/python\b", sys.executable, command)
    result = subprocess.run(["bash", "-c", command], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=300)
    assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"
    return result.stderr + result.stdout


@pytest.fixture(scope="module")
def followed(tmp_path_factory) -> Path:
    """A folder where the tutorial has been followed; it has the repository's render.py
    and sample, as a clone has."""
    work = tmp_path_factory.mktemp("tutorial")
    (work / "render.py").symlink_to(REPO / "render.py")
    (work / "editions").symlink_to(REPO / "editions")
    last = None
    for info, body in blocks():
        words = info.split()
        options = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        if "file" in options or "append" in options:
            target = work / options.get("file", options.get("append"))
            assert target.resolve().is_relative_to(work.resolve()), target
            target.parent.mkdir(parents=True, exist_ok=True)
            mode = "w" if "file" in options else "a"
            with open(target, mode, encoding="utf-8") as fh:
                fh.write(body)
        elif words[:1] == ["sh"]:
            for line in body.splitlines():
                if line.strip() and not line.startswith("make "):
                    last = (line, run(line, work))
        elif words == ["text", "output"]:
            assert last is not None, "an output block with no command before it"
            command, output = last
            assert TIME.sub("", output) == TIME.sub("", body), f"`{command}` printed:\n{output}"
    return work


def test_the_tutorial_has_files_commands_and_outputs():
    kinds = [info.split()[0] for info, _ in blocks() if info]
    assert kinds.count("sh") >= 5 and "text" in kinds
    assert any("file=myedition/edition.yaml" in info for info, _ in blocks())


def test_the_result_has_two_pages_a_jump_and_a_photo(followed):
    pdf = followed / "out" / "myedition.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M), info
    page1 = squash(subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                                  text=True, check=True).stdout)
    page2 = squash(subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True,
                                  text=True, check=True).stdout)
    assert "（下转02版）" in page1 and "（上接01版）" in page2
    assert "雪域法治报" in page1 and "出门就能找到人" in page1 and "图为城关区" in page1
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert [row.split()[0] for row in images] == ["1"], images  # one photo, on page 1


def test_the_pictures_of_the_pages_exist(followed):
    assert (followed / "out" / "myedition-1.png").stat().st_size > 0
    assert (followed / "out" / "myedition-2.png").stat().st_size > 0


def test_the_cookbook_examples_are_valid_yaml():
    """The cookbook's snippets are pieces of an edition file: each parses on its own."""
    import textwrap

    import yaml

    text = (REPO / "docs" / "cookbook.md").read_text(encoding="utf-8")
    snippets = [m.group(2) for m in FENCE.finditer(text) if m.group(1).strip() == "yaml"]
    assert len(snippets) >= 6
    for snippet in snippets:
        data = yaml.safe_load(textwrap.dedent(snippet))
        assert isinstance(data, (list, dict)), snippet
