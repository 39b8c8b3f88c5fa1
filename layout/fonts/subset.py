"""A fast TrueType subsetter for PDF embedding: the used glyphs, renumbered, and nothing else.

fontTools' subsetter takes about 1 s on a 65,535-glyph CJK face; this copies the bytes of
the used glyphs (and the components of composite glyphs) into a new glyf/loca and keeps
only the tables a PDF TrueType font program needs, in a few milliseconds. The kept
glyphs are numbered 0, 1, 2, ... in the order of their ids; the PDF keeps HarfBuzz's
ids as CIDs and maps them with a CIDToGIDMap.
"""
from __future__ import annotations

import os
import struct
import sys
from array import array
from collections.abc import Iterator

class BadFont(ValueError):
    """A font file whose tables do not hold together (cut short, a table missing or
    inconsistent); `path` names the file when it is known."""
    path: str | None = None


def _guarded(method):
    """Glyph data that does not parse is a damaged font, not a Python error."""
    def guarded(self, *args):
        try:
            return method(self, *args)
        except (struct.error, IndexError, KeyError, ValueError) as exc:
            bad = exc if isinstance(exc, BadFont) else BadFont(f"its glyph data is damaged ({exc})")
            bad.path = bad.path or self.path
            raise bad from None
    guarded.__doc__ = method.__doc__
    return guarded


_OPENED: dict[tuple, "SourceFont"] = {}  # SourceFont.open's, by file identity
COPIED = (b"cvt ", b"fpgm", b"prep")  # hinting tables, copied as they are (they name no glyph)

# composite glyph flags
ARG_1_AND_2_ARE_WORDS = 0x0001
WE_HAVE_A_SCALE = 0x0008
MORE_COMPONENTS = 0x0020
WE_HAVE_AN_X_AND_Y_SCALE = 0x0040
WE_HAVE_A_TWO_BY_TWO = 0x0080


class SourceFont:
    """A TrueType file's tables, parsed once and reused for every subset.

    `data` may be an mmap: tables are memoryview slices of it, so a 31 MB CJK face
    costs only the pages a subset touches, not 31 MB of memory.
    """

    path: str | None = None  # the file, when opened from one
    stamps: bytes | None = None  # head's created and modified dates to write instead of this file's

    def __init__(self, data):
        self.data = data
        view = memoryview(data)
        size = len(view)
        if size < 12:
            raise BadFont("the file is too short to be a font")
        num_tables = struct.unpack_from(">H", view, 4)[0]
        if 12 + 16 * num_tables > size:
            raise BadFont("its table directory is cut short")
        self.tables: dict[bytes, memoryview] = {}
        self.checksums: dict[bytes, int] = {}  # as the file's directory gives them
        for i in range(num_tables):
            tag, checksum, offset, length = struct.unpack_from(">4sIII", view, 12 + 16 * i)
            if offset + length > size:
                raise BadFont(f"its '{_tag(tag)}' table runs past the end of the file (cut short?)")
            self.tables[tag] = view[offset:offset + length]
            self.checksums[tag] = checksum
        for tag, least in ((b"head", 54), (b"maxp", 6), (b"hhea", 36), (b"hmtx", 0), (b"loca", 0), (b"glyf", 0)):
            if tag not in self.tables:
                raise BadFont(f"it has no '{_tag(tag)}' table")
            if len(self.tables[tag]) < least:
                raise BadFont(f"its '{_tag(tag)}' table is cut short")

        head = self.tables[b"head"]
        self.units_per_em = struct.unpack_from(">H", head, 18)[0]
        if not 16 <= self.units_per_em <= 16384:
            raise BadFont(f"its unitsPerEm is {self.units_per_em} (16 to 16384)")
        self.bbox = struct.unpack_from(">hhhh", head, 36)
        long_loca = struct.unpack_from(">h", head, 50)[0] == 1
        self.num_glyphs = struct.unpack_from(">H", self.tables[b"maxp"], 4)[0]
        if not self.num_glyphs:
            raise BadFont("it has no glyphs")
        loca = self.tables[b"loca"]
        if len(loca) < (4 if long_loca else 2) * (self.num_glyphs + 1):
            raise BadFont(f"its 'loca' table is too short for its {self.num_glyphs} glyphs")
        if long_loca:
            self.loca = _big_endian("I", loca[:4 * (self.num_glyphs + 1)])
        else:
            self.loca = tuple(2 * v for v in struct.unpack_from(f">{self.num_glyphs + 1}H", loca))
        if self.loca[-1] > len(self.tables[b"glyf"]):
            raise BadFont("its 'glyf' table is cut short: the glyphs run past its end")
        hhea = self.tables[b"hhea"]
        self.ascender, self.descender = struct.unpack_from(">hh", hhea, 4)
        self.num_hmetrics = struct.unpack_from(">H", hhea, 34)[0]
        if not 1 <= self.num_hmetrics <= self.num_glyphs:
            raise BadFont(f"its numberOfHMetrics is {self.num_hmetrics} (1 to its {self.num_glyphs} glyphs)")
        hmtx = self.tables[b"hmtx"]
        if len(hmtx) < 4 * self.num_hmetrics:
            raise BadFont(f"its 'hmtx' table is too short for {self.num_hmetrics} metrics")
        self.advances = _big_endian("H", hmtx[:4 * self.num_hmetrics])[0::2]
        os2 = self.tables.get(b"OS/2")
        self.cap_height = struct.unpack_from(">h", os2, 88)[0] if os2 and len(os2) >= 90 else self.ascender
        self.ps_name = _ps_name(self.tables.get(b"name", b"")) or "Font"

    @classmethod
    def open(cls, path) -> "SourceFont":
        """The file's tables, parsed once per process for as long as the file is the same
        (device, inode, size and time): a process that renders again (watch mode, the
        warm server's workers, which inherit what the server opened) skips the parse."""
        import mmap

        st = os.stat(path)
        key = (os.fspath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        font = _OPENED.get(key)
        if font is None:
            if not st.st_size:
                exc = BadFont("the file is empty")
                exc.path = os.fspath(path)
                raise exc
            with open(path, "rb") as fh:
                try:
                    font = cls(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))
                except BadFont as exc:
                    exc.path = os.fspath(path)
                    raise
            font.path = os.fspath(path)
            _OPENED[key] = font
        return font

    def advance(self, gid: int) -> int:
        return self.advances[min(gid, self.num_hmetrics - 1)]

    def glyph(self, gid: int) -> bytes:
        if gid >= self.num_glyphs:
            return b""
        start, end = self.loca[gid], self.loca[gid + 1]
        if start > end:
            raise BadFont(f"its 'loca' table gives glyph {gid} a negative length")
        return bytes(self.tables[b"glyf"][start:end])

    @_guarded
    def closure(self, gids) -> set[int]:
        """The glyphs plus every component of composite glyphs among them."""
        todo = [g for g in gids if g < self.num_glyphs]
        seen = set(todo) | {0}
        while todo:
            data = self.glyph(todo.pop())
            if len(data) < 10 or struct.unpack_from(">h", data, 0)[0] >= 0:
                continue
            for _, comp in _components(data):
                if comp not in seen:
                    seen.add(comp)
                    todo.append(comp)
        return seen

    @_guarded
    def outline(self, gid: int) -> list[list[tuple[float, float, bool]]]:
        """The glyph's contours as (x, y, on_curve) points in font units, for drawing a
        glyph as a path (decoration that must not be text, such as T8 padding)."""
        data = self.glyph(gid)
        if len(data) < 10:
            return []
        n = struct.unpack_from(">h", data, 0)[0]
        if n < 0:
            return self._composite_outline(data)
        ends = struct.unpack_from(f">{n}H", data, 10)
        count = ends[-1] + 1 if n else 0
        pos = 10 + 2 * n
        pos += 2 + struct.unpack_from(">H", data, pos)[0]  # skip instructions
        flags = []
        while len(flags) < count:
            f = data[pos]
            pos += 1
            flags.append(f)
            if f & 8:
                flags += [f] * data[pos]
                pos += 1
        coords = []
        for short, same in ((2, 16), (4, 32)):
            value, out = 0, []
            for f in flags:
                if f & short:
                    d = data[pos]
                    pos += 1
                    value += d if f & same else -d
                elif not f & same:
                    value += struct.unpack_from(">h", data, pos)[0]
                    pos += 2
                out.append(value)
            coords.append(out)
        points = [(x, y, bool(f & 1)) for x, y, f in zip(coords[0], coords[1], flags)]
        contours, start = [], 0
        for end in ends:
            contours.append(points[start:end + 1])
            start = end + 1
        return contours

    def _composite_outline(self, data: bytes):
        contours = []
        pos = 10
        while True:
            flags, comp = struct.unpack_from(">HH", data, pos)
            pos += 4
            if flags & ARG_1_AND_2_ARE_WORDS:
                dx, dy = struct.unpack_from(">hh", data, pos)
                pos += 4
            else:
                dx, dy = struct.unpack_from(">bb", data, pos)
                pos += 2
            a, b, c, d = 1.0, 0.0, 0.0, 1.0
            if flags & WE_HAVE_A_SCALE:
                a = d = struct.unpack_from(">h", data, pos)[0] / 16384
                pos += 2
            elif flags & WE_HAVE_AN_X_AND_Y_SCALE:
                a, d = (v / 16384 for v in struct.unpack_from(">hh", data, pos))
                pos += 4
            elif flags & WE_HAVE_A_TWO_BY_TWO:
                a, b, c, d = (v / 16384 for v in struct.unpack_from(">hhhh", data, pos))
                pos += 8
            for contour in self.outline(comp):
                contours.append([(a * x + c * y + dx, b * x + d * y + dy, on) for x, y, on in contour])
            if not flags & MORE_COMPONENTS:
                return contours

    def _lsb(self, gid: int) -> int:
        hmtx, long = self.tables[b"hmtx"], self.num_hmetrics
        at = 4 * gid + 2 if gid < long else 4 * long + 2 * (gid - long)
        return struct.unpack_from(">h", hmtx, at)[0] if at + 2 <= len(hmtx) else 0

    @_guarded
    def subset(self, gids) -> tuple[bytes, list[int]]:
        """A font program of the glyphs `gids` (with the components of composite
        glyphs, and glyph 0), renumbered 0, 1, 2, ... in the order of their old ids.
        Returns it and the old ids in that order (new id = index), for the PDF's
        CIDToGIDMap: the content streams keep HarfBuzz's ids as CIDs. Renumbering keeps
        loca and hmtx as small as the subset (a CJK face has 65,535 glyphs)."""
        keep = sorted(g for g in self.closure(gids) if g < self.num_glyphs)
        new_id = {g: i for i, g in enumerate(keep)}
        glyf = bytearray()
        offsets = [0]
        metrics = []
        for gid in keep:
            data = self.glyph(gid)
            if len(data) >= 10 and struct.unpack_from(">h", data, 0)[0] < 0:
                data = _renumber_components(data, new_id)
            glyf += data
            glyf += b"\0" * (-len(data) % 4)
            offsets.append(len(glyf))
            metrics += (self.advance(gid), self._lsb(gid))
        loca = _big_endian_bytes("I", offsets)
        hmtx = struct.pack(">" + "Hh" * len(keep), *metrics)
        head = bytearray(self.tables[b"head"])
        struct.pack_into(">I", head, 8, 0)   # checkSumAdjustment, set below
        struct.pack_into(">h", head, 50, 1)  # long loca
        if self.stamps is not None:
            head[20:36] = self.stamps
        hhea = bytearray(self.tables[b"hhea"])
        struct.pack_into(">H", hhea, 34, len(keep))  # numberOfHMetrics
        maxp = bytearray(self.tables[b"maxp"])
        struct.pack_into(">H", maxp, 4, len(keep))  # numGlyphs
        tables = {tag: bytes(self.tables[tag]) for tag in COPIED if tag in self.tables}
        tables.update({b"glyf": bytes(glyf), b"loca": loca, b"hmtx": hmtx, b"head": bytes(head),
                       b"hhea": bytes(hhea), b"maxp": bytes(maxp)})
        # tables copied whole keep the checksums the source file lists
        checksums = {tag: self.checksums[tag] for tag in COPIED if tag in tables}
        return _assemble(tables, checksums), keep


def _tag(tag: bytes) -> str:
    return tag.decode("latin-1").strip()


def _components(data) -> Iterator[tuple[int, int]]:
    """(offset of its glyph id, glyph id) of each component of a composite glyph."""
    pos = 10
    while True:
        flags, comp = struct.unpack_from(">HH", data, pos)
        yield pos + 2, comp
        pos += 4 + (4 if flags & ARG_1_AND_2_ARE_WORDS else 2)
        if flags & WE_HAVE_A_SCALE:
            pos += 2
        elif flags & WE_HAVE_AN_X_AND_Y_SCALE:
            pos += 4
        elif flags & WE_HAVE_A_TWO_BY_TWO:
            pos += 8
        if not flags & MORE_COMPONENTS:
            return


def _renumber_components(data: bytes, new_id: dict[int, int]) -> bytes:
    """A composite glyph with its components' ids replaced by their new ones."""
    out = bytearray(data)
    for at, comp in _components(data):
        struct.pack_into(">H", out, at, new_id[comp])
    return bytes(out)


def _big_endian_bytes(code: str, values) -> bytes:
    out = array(code, values)
    if sys.byteorder == "little":
        out.byteswap()
    return out.tobytes()


def _ps_name(name_table: bytes) -> str | None:
    if len(name_table) < 6:
        return None
    count, string_offset = struct.unpack_from(">HH", name_table, 2)
    for i in range(count):
        pid, eid, _lid, nid, length, offset = struct.unpack_from(">HHHHHH", name_table, 6 + 12 * i)
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


def _checksum(data: bytes) -> int:
    words = array("I", data + b"\0" * (-len(data) % 4))
    if sys.byteorder == "little":
        words.byteswap()
    return sum(words) & 0xFFFFFFFF


def _assemble(tables: dict[bytes, bytes], checksums: dict[bytes, int]) -> bytes:
    """The font file; `checksums` are known ones (the rest are computed). The whole
    file's checksum, for head's adjustment, is the sum of the directory's and the
    tables' (each table starts on a 4-byte boundary and is zero-padded)."""
    tags = sorted(tables)
    n = len(tags)
    entry_selector = max(k for k in range(16) if 2 ** k <= n)
    search_range = 16 * 2 ** entry_selector
    header = struct.pack(">IHHHH", 0x00010000, n, search_range, entry_selector, n * 16 - search_range)
    directory = []
    body = []
    offset = 12 + 16 * n
    total = 0
    head_offset = 0
    for tag in tags:
        data = tables[tag]
        checksum = checksums[tag] if tag in checksums else _checksum(data)
        total += checksum
        if tag == b"head":
            head_offset = offset
        directory.append(struct.pack(">4sIII", tag, checksum, offset, len(data)))
        body.append(data + b"\0" * (-len(data) % 4))
        offset += len(body[-1])
    head = header + b"".join(directory)
    adjustment = (0xB1B0AFBA - _checksum(head) - total) & 0xFFFFFFFF
    font = bytearray(head + b"".join(body))
    struct.pack_into(">I", font, head_offset + 8, adjustment)
    return bytes(font)
