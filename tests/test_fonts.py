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
