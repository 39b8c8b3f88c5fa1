"""Fonts that cannot serve: missing, corrupt, a face that is not there, or a font that
lacks characters a story needs (all of them reported, story by story)."""
from __future__ import annotations

from pathlib import Path

import pytest

from layout.api import Options, render
from layout.base.errors import InputError
from layout.edition.loader import load_edition

EDITION = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
fonts: {fonts}
allow_paths: [/usr/share/fonts]
stories:
  a: {{file: a.md}}
pages:
  - elements:
      - {{type: story, story: a, frame: {{column: 1, span: 3, top: 0mm, height: 60mm}}}}
"""


# the system's font folder, which the edition's allow_paths asks for: as a user would
# allow it on the command line (--allow-path)
SYSTEM_FONTS = (Path("/usr/share/fonts"),)


def edition(tmp_path: Path, fonts: str, text: str = "正文。\n") -> Path:
    folder = tmp_path / "ed"
    (folder / "fonts").mkdir(parents=True)
    (folder / "a.md").write_text(text, encoding="utf-8")
    (folder / "edition.yaml").write_text(EDITION.format(fonts=fonts), encoding="utf-8")
    return folder / "edition.yaml"


def test_a_corrupt_font_file(tmp_path):
    path = edition(tmp_path, "{body: {han: [fonts/Broken.ttf]}}")
    (path.parent / "fonts" / "Broken.ttf").write_bytes(b"\x00\x01\x00\x00" + b"garbage" * 50)
    with pytest.raises(InputError) as err:
        load_edition(path, SYSTEM_FONTS)
    assert "font for role 'body' is not a usable font file: Broken.ttf" in str(err.value)


def test_a_face_index_out_of_range(tmp_path):
    path = edition(tmp_path, "{body: {han: [/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc#40]}}")
    with pytest.raises(InputError) as err:
        load_edition(path, SYSTEM_FONTS)
    assert "NotoSerifCJK-Regular.ttc has faces 0 to" in str(err.value) and "not 40" in str(err.value)


def test_a_single_font_has_no_second_face(tmp_path):
    path = edition(tmp_path, "{body: {tibetan: [/usr/share/fonts/truetype/noto/NotoSerifTibetan-Regular.ttf#1]}}")
    with pytest.raises(InputError) as err:
        load_edition(path, SYSTEM_FONTS)
    assert "is a single font, it has no face 1" in str(err.value)


def test_missing_characters_are_all_reported_with_their_story(tmp_path):
    # a Latin-only chain for Han: every Han character of the story is missing
    path = edition(tmp_path, "{body: {han: [serif-latin], latin: [serif-latin], tibetan: [serif-bo]}}",
                   "法治报道。\n\n法治进村入户。\n")
    with pytest.raises(InputError) as err:
        render(Options(path, tmp_path / "o.pdf", allow_paths=SYSTEM_FONTS))
    message = str(err.value)
    assert message.startswith(f"{path.parent / 'a.md'}:1:1: story 'a': no font has 9 character(s):")
    assert "U+6CD5 CJK UNIFIED IDEOGRAPH-6CD5 (2×, first in paragraph 1)" in message
    assert "U+6751 CJK UNIFIED IDEOGRAPH-6751 (1×, first in paragraph 2)" in message
    assert not (tmp_path / "o.pdf").exists()
