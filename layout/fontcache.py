"""Embeddable TrueType copies of faces, made once and kept on disk.

ReportLab-era PDF tooling and our subsetter need TrueType (glyf) outlines; the Noto CJK
faces are CFF inside collections. Converting one face (65,535 glyphs, cu2qu) takes about
45 s, so it happens once per source file and face: the result is keyed by the source's
SHA-256 and face index, and written atomically so an interrupted run leaves no half file.
Glyph ids are kept, so HarfBuzz (shaping the original) and the PDF agree.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from .fonts import CACHE_ROOT, Face

CACHE_DIR = CACHE_ROOT / "fonts"
CONVERTER_VERSION = 1  # bump when the conversion changes, to rebuild caches

_DROP = ("CFF ", "CFF2", "VORG", "GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "DSIG")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_hash(path: Path, cache_dir: Path = CACHE_DIR) -> str:
    """SHA-256 of a font file, remembered by (path, size, mtime) so re-renders don't
    re-read 26 MB collections."""
    st = path.stat()
    key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    index_path = cache_dir / "hashes.json"
    try:
        index = json.loads(index_path.read_text())
    except (OSError, ValueError):
        index = {}
    if key not in index:
        index[key] = _sha256(path)
        cache_dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(index_path, json.dumps(index, sort_keys=True, indent=0).encode())
    return index[key]


def needs_conversion(face: Face) -> bool:
    with open(face.path, "rb") as fh:
        tag = fh.read(4)
    return tag in (b"ttcf", b"OTTO")


def cached_path(face: Face, cache_dir: Path = CACHE_DIR) -> Path:
    digest = source_hash(Path(face.path), cache_dir)
    return cache_dir / f"{digest[:24]}-{face.index}-v{CONVERTER_VERSION}.ttf"


def embeddable(face: Face, cache_dir: Path = CACHE_DIR, convert: bool = True) -> Path:
    """A standalone TrueType-outline file for `face`, converting (slowly) if not cached."""
    if not needs_conversion(face):
        return Path(face.path)
    target = cached_path(face, cache_dir)
    if not target.exists():
        if not convert:
            raise FileNotFoundError(target)
        convert_face(face, target)
    return target


def convert_face(face: Face, target: Path) -> None:
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(face.path, fontNumber=face.index, lazy=False)
    order = font.getGlyphOrder()
    if "glyf" not in font:
        glyph_set = font.getGlyphSet()
        glyf = newTable("glyf")
        glyf.glyphOrder = order
        glyf.glyphs = {}
        for name in order:
            pen = TTGlyphPen(None)
            # 1 font unit of tolerance; CFF outlines are cubic and wind the other way
            glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyf.glyphs[name] = pen.glyph()
        font["glyf"] = glyf
        font["loca"] = newTable("loca")
        maxp = font["maxp"]
        maxp.tableVersion = 0x00010000
        for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                     "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                     "maxComponentElements", "maxPoints", "maxContours", "maxCompositePoints",
                     "maxCompositeContours", "maxComponentDepth"):
            setattr(maxp, attr, 0)
        maxp.maxZones = 1
        font["head"].glyphDataFormat = 0
        font["post"].formatType = 3.0
        font.sfntVersion = "\x00\x01\x00\x00"
    for tag in _DROP:
        if tag in font:
            del font[tag]
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    try:
        font.save(tmp, reorderTables=False)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
