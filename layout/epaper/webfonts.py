"""The site's web fonts: the faces the render used, subset to the characters the site
shows, as WOFF2 (fontTools, Brotli), each with the `unicode-range` it covers, so that
Tibetan and Chinese read right on a machine that has neither font. Layout tables stay
(the browser shapes the Tibetan stacks with the face's own GSUB/GPOS)."""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass

from ..base.scripts import is_tibetan
from ..base.files import read_cache, write_cache
from ..fonts.faces import Face, FontSet, cache_root

VERSION = 1  # of the cut: a change to it makes new cache files
# features a horizontal web page never asks for, whose glyphs would double a CJK face:
# alternates for a picker (aalt), other widths, vertical forms, discretionary ligatures
# and the forms of Japanese, Korean and traditional Chinese (locl: the site is zh-Hans);
# a Tibetan face keeps every feature
HAN_UNUSED = ("aalt", "fwid", "hwid", "pwid", "qwid", "twid", "vert", "vrt2", "vkna", "dlig", "nalt", "locl")

# the families the site's style sheet names, and the font roles each comes from
FAMILIES = (("pb-body", "body", False), ("pb-head", "headline", True))


@dataclass(frozen=True)
class WebFont:
    family: str
    file: str  # its name in the site's fonts/ folder
    data: bytes
    ranges: str  # the CSS unicode-range
    bold: bool


def unicode_range(chars: set[str]) -> str:
    """`U+0F40-0F42, U+4E00` for the code points of `chars`."""
    cps = sorted(ord(c) for c in chars)
    out, i = [], 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        out.append(f"U+{cps[i]:X}" if i == j else f"U+{cps[i]:X}-{cps[j]:X}")
        i = j + 1
    return ", ".join(out)


def subset(face: Face, chars: set[str], drop: tuple[str, ...] = ()) -> tuple[bytes, set[str]]:
    """`face` cut to those of `chars` it has, as WOFF2, and the characters it covers.
    HarfBuzz cuts (fontTools takes twenty times as long on a CJK collection), keeping
    every layout feature and script; fontTools wraps the result as WOFF2."""
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    st = os.stat(face.path)
    text = "".join(sorted(chars))
    key = hashlib.sha256(f"{VERSION}|{face.path}|{face.index}|{drop}|{st.st_size}|{st.st_mtime_ns}|{text}".encode()).hexdigest()
    cached = read_cache(cache_root() / "webfonts" / f"{key}.woff2")
    hb_face = hb.Face(hb.Blob.from_file_path(face.path), face.index)
    have = {c for c in chars if ord(c) in hb_face.unicodes}
    if cached is not None:
        return cached, have
    inp = hb.SubsetInput()
    for c in sorted(have):
        inp.unicode_set.add(ord(c))
    for which in (inp.layout_feature_tag_set, inp.layout_script_tag_set):
        which.clear()  # the empty set inverted: every feature and script, not HarfBuzz's default list
        which.invert()
    for tag in drop:
        inp.layout_feature_tag_set.remove(int.from_bytes(tag.encode(), "big"))
    inp.flags = hb.SubsetFlags.NO_HINTING
    cut = hb.subset(hb_face, inp)
    if cut is None:
        raise RuntimeError(f"HarfBuzz cannot subset {face.label()}")
    font = TTFont(io.BytesIO(cut.blob.data), recalcTimestamp=False)
    font.flavor = "woff2"
    buf = io.BytesIO()
    font.save(buf, reorderTables=False)
    write_cache(cache_root() / "webfonts" / f"{key}.woff2", buf.getvalue())
    return buf.getvalue(), have


def web_fonts(fonts: FontSet, body: set[str], head: set[str]) -> list[WebFont]:
    """For each family, a Tibetan face and a Chinese (and Latin) face, cut to the
    characters shown in that family. A face that covers none is left out."""
    out: list[WebFont] = []
    for family, role, bold in FAMILIES:
        chars = {c for c in (head if bold else body) if not c.isspace()}
        if role not in fonts.roles:
            continue
        tib = {c for c in chars if is_tibetan(c)}
        rest = chars - tib
        done: set[Face] = set()
        for script, want in (("tibetan", tib), ("han", rest)):
            chain = fonts.roles[role].get(script, ())
            if not want or not chain or chain[0] in done:
                continue
            face = chain[0]
            done.add(face)
            data, have = subset(face, want, () if script == "tibetan" else HAN_UNUSED)
            if have:
                name = f"{family}-{script}.woff2"
                out.append(WebFont(family, name, data, unicode_range(have), bold))
    return out
