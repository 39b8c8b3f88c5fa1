"""Font roles, files and the conversion cache."""
from __future__ import annotations

from pathlib import Path

import pytest

from layout.fonts import cache as fontcache
from layout.fonts import setup as fontsetup
from layout.base.errors import InputError
from layout.fonts.faces import load_fontset
from layout.fonts.subset import SourceFont
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


def test_converted_faces_keep_glyph_ids_and_advances():
    """The PDF embeds the converted copy while HarfBuzz shapes the original: the two
    must agree glyph for glyph."""
    face = load_fontset().chain("body", "han")[0]
    assert fontcache.needs_conversion(face)
    converted = SourceFont(fontcache.embeddable(face).read_bytes())
    shaper = Shaper()
    for ch in "中文，“测试”。ABC123":
        gid = shaper.font(face).get_nominal_glyph(ord(ch))
        assert converted.advance(gid) == shaper.font(face).get_glyph_h_advance(gid)
        assert converted.glyph(gid), ch


def test_subset_keeps_used_glyphs_and_drops_others():
    face = load_fontset().chain("body", "tibetan")[0]
    src = SourceFont(Path(face.path).read_bytes())
    program, order = src.subset([983, 1341])
    data = SourceFont(program)
    assert order == [0, 983, 1341]  # glyph 0 always; new id = position
    assert data.num_glyphs == 3 and data.num_hmetrics == 3
    for new, old in enumerate(order):  # the same bytes, padded to 4, and the same metrics
        assert data.glyph(new).startswith(src.glyph(old))
        assert len(data.glyph(new)) - len(src.glyph(old)) < 4
        assert data.advance(new) == src.advance(old)


def test_subset_renumbers_the_components_of_composite_glyphs():
    """A composite glyph names its components by glyph id; in a renumbered subset it
    must name their new ids, or the glyph draws the wrong shapes."""
    import struct

    face = load_fontset().chain("body", "tibetan")[0]
    src = SourceFont(Path(face.path).read_bytes())
    composite = next(g for g in range(src.num_glyphs)
                     if len(src.glyph(g)) >= 10 and struct.unpack_from(">h", src.glyph(g), 0)[0] < 0)
    program, order = src.subset([composite])
    assert len(order) > 2  # its components came along
    data = SourceFont(program)
    new = order.index(composite)
    assert data.outline(new) == src.outline(composite)


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


def test_cff_faces_no_builtin_style_uses_stay_out_of_the_font_step(monkeypatch):
    """make's font step converts CFF faces once; the Black weights (CFF, used by no
    built-in style) would cost minutes each, so they wait for their first use."""
    asked = []
    monkeypatch.setattr(fontcache, "is_cached", lambda face: asked.append(face.name) or True)
    assert fontsetup.prepare_cache() == 0
    assert "serif-sc" in asked
    assert not {"sans-sc-black", "serif-sc-black"} & set(asked)


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
