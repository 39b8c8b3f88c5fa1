"""Font roles, files, and the subsets the PDF embeds (HarfBuzz, from the installed files)."""
from __future__ import annotations

import io
import sys
from array import array
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from conftest import SAMPLE
from layout.api import Options, render
from layout.base.errors import InputError
from layout.fonts import setup as fontsetup
from layout.fonts.embed import FontFile
from layout.fonts.faces import load_fontset
from layout.text.shape import Shaper


def test_every_role_has_han_tibetan_and_latin_chains():
    fonts = load_fontset()
    for role, chains in fonts.roles.items():
        assert set(chains) == {"han", "tibetan", "latin"}, role
        assert all(chains.values()), role


def test_collections_resolve_to_the_simplified_chinese_face():
    fonts = load_fontset()
    face = fonts.chain("body", "han")[0]
    assert face.path.endswith(".ttc") and face.index == 2
    shaper = Shaper()
    # 骨 has a different form in SC and TC/JP: the SC face maps it like the SC glyph
    assert shaper.has_char(face, ord("骨"))


def test_missing_font_names_role_and_path(tmp_path):
    with pytest.raises(InputError) as err:
        load_fontset({"body": {"han": ["fonts/NoSuch.otf"]}}, tmp_path)
    assert "font for role 'body' not found" in str(err.value)
    assert str(tmp_path / "fonts" / "NoSuch.otf") in str(err.value)


def test_setup_without_apt_names_the_files_and_folders(tmp_path, capsys):
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(
        "search_paths: [%s]\nfaces:\n  x: {file: Missing-Regular.ttf, package: fonts-missing}\n"
        "roles: {body: {han: [x]}}\n" % tmp_path, encoding="utf-8")
    assert fontsetup.install_missing(manifest, apt=False) == 1
    err = capsys.readouterr().err
    assert "Missing-Regular.ttf (Debian package fonts-missing)" in err
    assert str(tmp_path) in err


def _outline(font, gid: int) -> list:
    """A glyph's outline as fontTools draws it, for comparing a subset with its source."""
    from fontTools.pens.recordingPen import DecomposingRecordingPen

    glyph_set = font.getGlyphSet()
    pen = DecomposingRecordingPen(glyph_set)
    glyph_set[font.getGlyphOrder()[gid]].draw(pen)
    return pen.value


def _cff_subset(program: bytes):
    from fontTools.cffLib import CFFFontSet

    cff = CFFFontSet()
    cff.decompile(io.BytesIO(program), None)
    return cff[cff.fontNames[0]]


def test_cjk_faces_are_subset_as_cff_straight_from_the_collection():
    """No converted copy: the CJK collection's CFF is subset as it is, and its charset
    gives back the source's glyph ids as CIDs (the ids the content streams use)."""
    face = load_fontset().chain("body", "han")[0]
    src = FontFile.open(face.path, face.index)
    assert src.kind == "cff"
    shaper = Shaper()
    gids = sorted({shaper.font(face).get_nominal_glyph(ord(ch)) for ch in "中文，“测试”。ABC123"})
    program = src.subset(gids)
    assert program.kind == "cff" and program.cid_to_gid is None
    top = _cff_subset(program.data)
    assert hasattr(top, "ROS")  # CID-keyed, as FontFile3 /CIDFontType0C wants
    assert top.charset == [".notdef"] + [f"cid{g:05d}" for g in gids]
    from fontTools.pens.recordingPen import RecordingPen

    source = TTFont(face.path, fontNumber=face.index, lazy=True)
    source_strings = source["CFF "].cff[0].CharStrings
    for new, gid in enumerate(gids, 1):
        drawn, expected = RecordingPen(), RecordingPen()
        top.CharStrings[top.charset[new]].draw(drawn)
        source_strings[f"cid{gid:05d}"].draw(expected)
        assert drawn.value == expected.value, gid
    assert src.advance(gids[1]) == shaper.font(face).get_glyph_h_advance(gids[1])


def test_truetype_subset_keeps_used_glyphs_and_maps_cids_to_them():
    face = load_fontset().chain("body", "tibetan")[0]
    src = FontFile.open(face.path, face.index)
    assert src.kind == "truetype"
    program = src.subset([983, 1341])
    sub = TTFont(io.BytesIO(program.data))
    assert sub["maxp"].numGlyphs == 3  # glyph 0 always
    cid_map = array("H", program.cid_to_gid)
    if sys.byteorder == "little":
        cid_map.byteswap()
    assert len(cid_map) == 1342 and cid_map[983] == 1 and cid_map[1341] == 2
    source = TTFont(face.path)
    for old in (983, 1341):
        assert _outline(sub, cid_map[old]) == _outline(source, old)
        assert sub["hmtx"][sub.getGlyphOrder()[cid_map[old]]][0] == src.advance(old)


def test_the_palette_roles_and_their_faces():
    """楷体, the Black weights and Tibetan Machine Uni: each role's own face first, the
    other scripts falling back to faces that have them; the collections give the SC face."""
    fonts = load_fontset()
    first = {role: {script: chain[0].name for script, chain in chains.items()} for role, chains in fonts.roles.items()}
    assert first["kai"]["han"] == first["kai"]["latin"] == "kai-sc"
    assert first["kai"]["tibetan"] == "serif-bo"
    assert first["headline-black"]["han"] == "sans-sc-black" and first["heavy-black"]["han"] == "serif-sc-black"
    assert first["tibetan-machine"]["tibetan"] == "bo-machine"
    for name in ("sans-sc-black", "serif-sc-black"):
        face = next(f for f in fonts.faces() if f.name == name)
        assert face.index == 2  # Noto … CJK SC in the JP, KR, SC, TC, HK collection


UNIHAN = Path("/usr/share/unicode/Unihan_OtherMappings.txt.bz2")  # Debian's unicode-data


def _general_standard() -> set[str]:
    """The 8105 characters of the 通用规范汉字表 (2013), by Unihan's kTGH field."""
    import bz2

    chars = set()
    with bz2.open(UNIHAN, "rt", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split("\t")
            if len(parts) >= 3 and parts[1] == "kTGH":
                chars.add(chr(int(parts[0][2:], 16)))
    return chars


def _gb2312() -> set[str]:
    chars = set()
    for a in range(0xA1, 0xFF):
        for b in range(0xA1, 0xFF):
            try:
                chars.add(bytes((a, b)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


@pytest.mark.skipif(not UNIHAN.is_file(), reason="Unihan (Debian unicode-data) not installed")
def test_kai_covers_the_general_standard_chinese_characters_and_gb2312():
    """The figures of the manifest's comment: WenKai has every character of the
    通用规范汉字表 and of GB 2312, so the kai role never falls back for Chinese."""
    face = load_fontset().chain("kai", "han")[0]
    shaper = Shaper()
    standard, gb = _general_standard(), _gb2312()
    assert (len(standard), len(gb)) == (8105, 7445)
    assert [c for c in sorted(standard | gb) if not shaper.has_char(face, ord(c))] == []
    source = TTFont(face.path)
    glyf = source["glyf"]
    order = source.getGlyphOrder()
    composite = next(g for g, name in enumerate(order) if glyf[name].isComposite())
    program = FontFile.open(face.path).subset([composite])
    sub = TTFont(io.BytesIO(program.data))
    assert sub["maxp"].numGlyphs > 2  # its components came along
    cid_map = array("H", program.cid_to_gid)
    if sys.byteorder == "little":
        cid_map.byteswap()
    assert _outline(sub, cid_map[composite]) == _outline(source, composite)


def test_a_name_keyed_cff_keeps_its_glyph_ids(tmp_path):
    """A CFF without CIDs (a plain OpenType font): the subset keeps the glyph ids,
    which readers then take for CIDs."""
    from test_files import tiny_font

    font_path = tmp_path / "tiny.otf"
    font_path.write_bytes(tiny_font(cff=True))
    src = FontFile(str(font_path))
    assert src.kind == "cff"
    program = src.subset([40, 60])
    top = _cff_subset(program.data)
    assert not hasattr(top, "ROS")
    source = TTFont(str(font_path))
    names = source.getGlyphOrder()
    for gid in (40, 60):
        assert top.charset[gid] == names[gid]
        assert top.CharStrings[names[gid]].program == source["CFF "].cff[0].CharStrings[names[gid]].program


def test_the_font_step_converts_nothing(tmp_path, monkeypatch):
    """make's font step only checks the files; a render leaves no font copies."""
    monkeypatch.setenv("PAIBAN_CACHE", str(tmp_path / "cache"))
    assert fontsetup.main() == 0
    render(Options(SAMPLE, tmp_path / "s.pdf", page=3))
    assert not (tmp_path / "cache" / "fonts").exists()
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.suffix in (".ttf", ".otf", ".ttc")]
