"""Font programs for the PDF, straight from the installed files: HarfBuzz's subsetter.

Any face the manifest or an edition names (TTF, OTF, a face of a TTC/OTC; glyf or CFF
outlines) is read where it lies: no converted copy, no cache. The PDF writer gets the
metrics its font dictionaries need, a subset of the used glyphs in the face's own
outline format (CFF stays CFF, glyf stays TrueType), and glyph outlines for decorations
that must be drawn, not shown as text.

The PDF's content streams use HarfBuzz's glyph ids (those of the installed face) as CIDs:
- TrueType: the subset renumbers its glyphs; a CIDToGIDMap maps each CID to its new glyph.
- CID-keyed CFF: the subset's charset maps its glyphs back to the source's CIDs, and a
  reader picks a glyph by CID through it. Where the source's CIDs are its glyph ids (as in
  Noto CJK) the renumbered subset is used as it is; otherwise, and for a
  name-keyed CFF, the subset keeps the glyph ids (CID = glyph id), larger but right.
  CFF subsets carry no hints and no subroutines: half the subsetting time, and smaller
  once deflated (docs/performance.md).

HarfBuzz forgives damaged tables (it reads them as empty: blank glyphs), so a face's
table directory and the tables the PDF relies on are checked here first, with a message
that says what is wrong.
"""
from __future__ import annotations

import mmap
import os
import struct
import sys
from array import array
from typing import NamedTuple

import uharfbuzz as hb


class BadFont(ValueError):
    """A font file whose tables do not hold together (cut short, a table missing or
    inconsistent); `path` names the file when it is known."""
    path: str | None = None


class Program(NamedTuple):
    """A subset font program and how the PDF must describe it."""
    data: bytes
    kind: str  # "truetype" (FontFile2) or "cff" (FontFile3 /CIDFontType0C)
    cid_to_gid: bytes | None  # TrueType: two bytes per CID up to the largest, its new glyph id


_OPENED: dict[tuple, "FontFile"] = {}  # FontFile.open's, by file identity and face
_CFF_DROP = ("VORG", "GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "vhea", "vmtx", "DSIG",
             "name", "post", "cmap", "OS/2", "kern", "COLR", "CPAL", "SVG ", "STAT")
# a PDF TrueType program needs glyf, loca, head, hhea, hmtx, maxp and the hinting tables
_TRUETYPE_DROP = _CFF_DROP + ("hdmx", "LTSH", "VDMX", "gasp", "meta", "morx", "kerx", "feat", "trak")


def _tags(names) -> list[int]:
    return [int.from_bytes(n.encode("latin-1"), "big") for n in names]


class FontFile:
    """One face of a font file: HarfBuzz's face over the file, and its checked tables.

    The file is mapped, not read: a 26 MB collection costs only the pages a render
    touches. `open` keeps what it parsed for as long as the file stays the same, so the
    warm server parses the default faces once before it forks its workers.
    """

    def __init__(self, path: str, index: int = 0):
        self.path = path
        self.index = index
        with open(path, "rb") as fh:
            if not os.fstat(fh.fileno()).st_size:
                raise BadFont("the file is empty")
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        self.tables = _directory(memoryview(self._map), index)
        t = self.tables
        outlines = [tag for tag in (b"glyf", b"CFF ", b"CFF2") if tag in t]
        if not outlines:
            raise BadFont("it has no outlines ('glyf' or 'CFF ' table)")
        self.kind = "truetype" if outlines[0] == b"glyf" else "cff"
        for tag, least in ((b"head", 54), (b"maxp", 6), (b"hhea", 36), (b"hmtx", 0)):
            if tag not in t:
                raise BadFont(f"it has no '{_tag(tag)}' table")
            if len(t[tag]) < least:
                raise BadFont(f"its '{_tag(tag)}' table is cut short")
        head = t[b"head"]
        self.units_per_em = struct.unpack_from(">H", head, 18)[0]
        if not 16 <= self.units_per_em <= 16384:
            raise BadFont(f"its unitsPerEm is {self.units_per_em} (16 to 16384)")
        self.bbox = struct.unpack_from(">hhhh", head, 36)
        self.num_glyphs = struct.unpack_from(">H", t[b"maxp"], 4)[0]
        if not self.num_glyphs:
            raise BadFont("it has no glyphs")
        if self.kind == "truetype":
            _check_loca(t, struct.unpack_from(">h", head, 50)[0] == 1, self.num_glyphs)
        hhea = t[b"hhea"]
        self.ascender, self.descender = struct.unpack_from(">hh", hhea, 4)
        self.num_hmetrics = struct.unpack_from(">H", hhea, 34)[0]
        if not 1 <= self.num_hmetrics <= self.num_glyphs:
            raise BadFont(f"its numberOfHMetrics is {self.num_hmetrics} (1 to its {self.num_glyphs} glyphs)")
        if len(t[b"hmtx"]) < 4 * self.num_hmetrics:
            raise BadFont(f"its 'hmtx' table is too short for {self.num_hmetrics} metrics")
        self.advances = _big_endian("H", t[b"hmtx"][:4 * self.num_hmetrics])[0::2]
        os2 = t.get(b"OS/2")
        self.cap_height = struct.unpack_from(">h", os2, 88)[0] if os2 is not None and len(os2) >= 90 else self.ascender
        self.ps_name = _ps_name(t.get(b"name", b"")) or "Font"
        self.face = hb.Face(hb.Blob.from_file_path(path), index)
        self._font: hb.Font | None = None

    @classmethod
    def open(cls, path, index: int = 0) -> "FontFile":
        """The face, parsed once per process for as long as the file is the same
        (device, inode, size and time)."""
        path = os.fspath(path)
        st = os.stat(path)
        key = (path, index, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        font = _OPENED.get(key)
        if font is None:
            try:
                font = cls(path, index)
            except BadFont as exc:
                exc.path = path
                raise
            _OPENED[key] = font
        return font

    def advance(self, gid: int) -> int:
        return self.advances[min(gid, self.num_hmetrics - 1)]

    def subset(self, gids) -> Program:
        """A font program of the glyphs `gids` (with glyph 0 and what they are built
        from: composite glyphs' components, CFF accents), in the face's outline format."""
        try:
            if self.kind == "truetype":
                return self._truetype(gids)
            return self._cff(gids)
        except RuntimeError as exc:  # HarfBuzz could not subset it
            bad = BadFont(f"HarfBuzz cannot subset it ({exc})")
            bad.path = self.path
            raise bad from None

    def _input(self, gids, flags, drop) -> hb.SubsetInput:
        inp = hb.SubsetInput()
        glyphs = inp.glyph_set
        for g in gids:
            if g < self.num_glyphs:
                glyphs.add(g)
        glyphs.add(0)
        # the PDF shows glyphs by id: no substitutions to follow, no layout tables
        inp.flags = flags | hb.SubsetFlags.NO_LAYOUT_CLOSURE
        tags = inp.drop_table_tag_set
        for tag in _tags(drop):
            tags.add(tag)
        if b"fvar" in self.tables:  # a variable face: its default instance (CFF2 as CFF)
            inp.flags |= hb.SubsetFlags.DOWNGRADE_CFF2
            inp.pin_all_axes_to_default(self.face)
        return inp

    def _truetype(self, gids) -> Program:
        plan = hb.SubsetPlan(self.face, self._input(gids, hb.SubsetFlags.DEFAULT, _TRUETYPE_DROP))
        new_ids = plan.old_to_new_glyph_mapping
        program = plan.execute().blob.data
        cid_map = array("H", bytes(2 * (max(new_ids.keys()) + 1)))
        for old, new in new_ids.items():
            cid_map[old] = new
        if sys.byteorder == "little":
            cid_map.byteswap()
        return Program(program, "truetype", cid_map.tobytes())

    def _cff(self, gids) -> Program:
        # Without hints and subroutines: HarfBuzz subsets a CJK face in half the time
        # (no subroutine closure to work out), and the plain charstrings deflate so much
        # better that the PDF is smaller. The TrueType copies we embedded before had no
        # hints either.
        plain = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE
        if b"CFF " in self.tables and _cid_keyed(self.tables[b"CFF "]):
            plan = hb.SubsetPlan(self.face, self._input(gids, plain, _CFF_DROP))
            old_ids = dict(plan.new_to_old_glyph_mapping.items())
            cff = plan.execute().reference_table("CFF ").data
            cids = _cff_cids(cff, len(old_ids))
            if cids is not None and all(cids[new] == old for new, old in old_ids.items()):
                return Program(cff, "cff", None)
        # the source's CIDs are not its glyph ids, or it has none (name-keyed): keep the
        # glyph ids, and CIDs equal to them
        flags = plain | hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.CFF_IDENTITY_CHARSET
        sub = hb.subset(self.face, self._input(gids, flags, _CFF_DROP))
        return Program(sub.reference_table("CFF ").data, "cff", None)

    def draw(self, gid: int, pen) -> None:
        """The glyph's outline, in font units, into a fontTools-style pen (moveTo,
        lineTo, qCurveTo, curveTo, closePath): decorations drawn as paths."""
        if self._font is None:
            self._font = hb.Font(self.face)
        self._font.draw_glyph_with_pen(gid, pen)


def _directory(view: memoryview, index: int) -> dict[bytes, memoryview]:
    """The face's tables as slices of the file, every one checked to lie inside it."""
    size = len(view)
    start = 0
    if size >= 4 and bytes(view[:4]) == b"ttcf":
        if size < 12:
            raise BadFont("its collection header is cut short")
        count = struct.unpack_from(">I", view, 8)[0]
        if not 0 <= index < count or 12 + 4 * count > size:
            raise BadFont(f"the collection has no face {index}")
        start = struct.unpack_from(">I", view, 12 + 4 * index)[0]
    if start + 12 > size:
        raise BadFont("the file is too short to be a font")
    num_tables = struct.unpack_from(">H", view, start + 4)[0]
    if start + 12 + 16 * num_tables > size:
        raise BadFont("its table directory is cut short")
    tables = {}
    for i in range(num_tables):
        tag, _checksum, offset, length = struct.unpack_from(">4sIII", view, start + 12 + 16 * i)
        if offset + length > size:
            raise BadFont(f"its '{_tag(tag)}' table runs past the end of the file (cut short?)")
        tables[tag] = view[offset:offset + length]
    return tables


def _check_loca(tables, long_loca: bool, num_glyphs: int) -> None:
    """glyf outlines: loca must index every glyph, inside glyf."""
    for tag in (b"loca", b"glyf"):
        if tag not in tables:
            raise BadFont(f"it has no '{_tag(tag)}' table")
    loca = tables[b"loca"]
    size = 4 if long_loca else 2
    if len(loca) < size * (num_glyphs + 1):
        raise BadFont(f"its 'loca' table is too short for its {num_glyphs} glyphs")
    end = struct.unpack_from(">I" if long_loca else ">H", loca, size * num_glyphs)[0] * (1 if long_loca else 2)
    if end > len(tables[b"glyf"]):
        raise BadFont("its 'glyf' table is cut short: the glyphs run past its end")


# ---- CFF: the charset of a subset (CID per glyph) ----

def _index(data: bytes, pos: int) -> tuple[list[bytes], int]:
    """A CFF INDEX at `pos`: its items and the position after it."""
    count = struct.unpack_from(">H", data, pos)[0]
    if not count:
        return [], pos + 2
    size = data[pos + 2]
    base = pos + 3 + (count + 1) * size - 1
    offsets = [int.from_bytes(data[pos + 3 + i * size:pos + 3 + (i + 1) * size], "big") for i in range(count + 1)]
    return [data[base + offsets[i]:base + offsets[i + 1]] for i in range(count)], base + offsets[-1]


def _dict(data: bytes) -> dict[int, list]:
    """A CFF DICT: operator (escaped ones as 1200 + n) -> operands."""
    out, operands, i = {}, [], 0
    while i < len(data):
        b = data[i]
        if b <= 21:
            if b == 12:
                i += 1
                b = 1200 + data[i]
            out[b] = operands
            operands = []
            i += 1
        elif b == 28:
            operands.append(struct.unpack_from(">h", data, i + 1)[0])
            i += 3
        elif b == 29:
            operands.append(struct.unpack_from(">i", data, i + 1)[0])
            i += 5
        elif b == 30:  # a real number: skipped to its end nibble, kept as 0
            i += 1
            while data[i] & 0x0F != 0x0F and data[i] & 0xF0 != 0xF0:
                i += 1
            operands.append(0)
            i += 1
        elif 32 <= b <= 246:
            operands.append(b - 139)
            i += 1
        elif 247 <= b <= 250:
            operands.append((b - 247) * 256 + data[i + 1] + 108)
            i += 2
        elif 251 <= b <= 254:
            operands.append(-(b - 251) * 256 - data[i + 1] - 108)
            i += 2
        else:
            i += 1
    return out


def _top_dict(cff) -> dict[int, list]:
    _, pos = _index(cff, cff[2])  # names
    tops, _ = _index(cff, pos)
    return _dict(bytes(tops[0]))


def _cid_keyed(cff) -> bool:
    """Whether a CFF table is CID-keyed (its top DICT has ROS); False when unreadable."""
    try:
        return 1230 in _top_dict(cff)
    except (IndexError, struct.error):
        return False


def _cff_cids(cff: bytes, count: int) -> list[int] | None:
    """The CID of each glyph of a CID-keyed CFF font; None for a name-keyed one."""
    top = _top_dict(cff)
    if 1230 not in top:  # no ROS: not CID-keyed
        return None
    pos = top.get(15, [0])[0]
    if pos <= 2:  # a predefined charset: not one of a CID font
        return None
    cids = [0]
    fmt = cff[pos]
    pos += 1
    while len(cids) < count:
        if fmt == 0:
            cids.append(struct.unpack_from(">H", cff, pos)[0])
            pos += 2
            continue
        first = struct.unpack_from(">H", cff, pos)[0]
        left = cff[pos + 2] if fmt == 1 else struct.unpack_from(">H", cff, pos + 2)[0]
        pos += 3 if fmt == 1 else 4
        cids.extend(range(first, first + left + 1))
    return cids[:count]


def _tag(tag: bytes) -> str:
    return tag.decode("latin-1").strip()


def _ps_name(name_table) -> str | None:
    if len(name_table) < 6:
        return None
    count, string_offset = struct.unpack_from(">HH", name_table, 2)
    for i in range(count):
        if 6 + 12 * i + 12 > len(name_table):
            return None
        pid, _eid, _lid, nid, length, offset = struct.unpack_from(">HHHHHH", name_table, 6 + 12 * i)
        if nid != 6:
            continue
        raw = bytes(name_table[string_offset + offset:string_offset + offset + length])
        text = raw.decode("utf-16-be", "replace") if pid in (0, 3) else raw.decode("latin-1")
        return "".join(c for c in text if c.isalnum() or c in "-_") or None
    return None


def _big_endian(code: str, data) -> array:
    """Unsigned big-endian integers as an array (in C, not a Python loop per value)."""
    values = array(code, bytes(data))
    if sys.byteorder == "little":
        values.byteswap()
    return values
