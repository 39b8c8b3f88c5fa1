"""Embeddable TrueType copies of faces, made once and kept on disk.

ReportLab-era PDF tooling and our subsetter need TrueType (glyf) outlines; the Noto CJK
faces are CFF inside collections. Converting one face (65,535 glyphs, cu2qu) takes about
45 s, so it happens once per source file and face: the result is keyed by the source's
SHA-256 and face index, and written atomically so an interrupted run leaves no half file.
Glyph ids are kept, so HarfBuzz (shaping the original) and the PDF agree.

The cache is never trusted: a copy that is missing, unreadable (another user's 0600
file) or damaged is made again. Its tables must hold together (SourceFont's checks),
and its bytes must have the SHA-256 recorded when it was written (`verified.json`);
the whole file is hashed again only when its size, time or inode changed, so a
render pays a stat, not 60 ms of hashing a CJK face. (A copy made before the record
existed is recorded as it is, the first time it is used.) Where the cache cannot be written
(a read-only checkout, another user's folder) the copy goes to the user's own cache
(`$XDG_CACHE_HOME/paiban`), and failing that it is made in memory for this render.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
from pathlib import Path

from ..base import files
from .faces import Face, cache_root, user_cache_root
from .subset import BadFont, SourceFont

CONVERTER_VERSION = 1  # bump when the conversion changes, to rebuild caches

_DROP = ("CFF ", "CFF2", "VORG", "GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "DSIG")
_HEX = re.compile(r"[0-9a-f]{64}")


def cache_dir() -> Path:
    return cache_root() / "fonts"


def cache_dirs() -> list[Path]:
    """Where converted faces are looked for and kept: the checkout's cache, then the user's."""
    dirs = [cache_dir(), user_cache_root() / "fonts"]
    return [d for i, d in enumerate(dirs) if d not in dirs[:i]]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_hash(path: Path, dirs: list[Path] | None = None) -> str:
    """SHA-256 of a font file, remembered by (path, size, mtime) so re-renders don't
    re-read 26 MB collections."""
    st = path.stat()
    key = f"{files.real(path)}|{st.st_size}|{st.st_mtime_ns}"
    dirs = cache_dirs() if dirs is None else dirs
    for folder in dirs:
        index = _read_index(folder / "hashes.json")
        if _HEX.fullmatch(str(index.get(key, ""))):
            return index[key]
    digest = _sha256(path)
    for folder in dirs:
        index = _read_index(folder / "hashes.json")
        index[key] = digest
        if files.write_cache(folder / "hashes.json", json.dumps(index, sort_keys=True, indent=0).encode()):
            break
    return digest


def _read_index(path: Path) -> dict:
    data = files.read_cache(path)
    try:
        index = json.loads(data) if data is not None else {}
    except ValueError:
        return {}
    return index if isinstance(index, dict) else {}


def needs_conversion(face: Face) -> bool:
    with open(face.path, "rb") as fh:
        tag = fh.read(4)
    return tag in (b"ttcf", b"OTTO")


def cache_name(face: Face) -> str:
    digest = source_hash(Path(face.path))
    return f"{digest[:24]}-{face.index}-v{CONVERTER_VERSION}.ttf"


def _good(path: Path) -> SourceFont | None:
    """The cached copy, parsed, or None when it is missing, unreadable or damaged."""
    try:
        font = SourceFont.open(path)
        st = os.stat(path)
    except (OSError, ValueError):  # BadFont is a ValueError too
        return None
    index_path = path.parent / "verified.json"
    index = _read_index(index_path)
    record = index.get(path.name)
    stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
    if not isinstance(record, dict) or not _HEX.fullmatch(str(record.get("sha256", ""))):
        record = None
    elif record.get("stamp") == stamp:
        return font
    try:
        digest = _sha256(path)
    except OSError:
        return None
    if record is not None and record["sha256"] != digest:
        return None  # changed since it was written: made again
    index[path.name] = {"sha256": digest, "stamp": stamp}
    files.write_cache(index_path, json.dumps(index, sort_keys=True, indent=0).encode())
    return font


def _keep(folder: Path, name: str, data: bytes) -> bool:
    """Write a converted face to the cache with its record; False when it cannot be."""
    if not files.write_cache(folder / name, data):
        return False
    try:
        st = os.stat(folder / name)
    except OSError:
        return False
    index = _read_index(folder / "verified.json")
    index[name] = {"sha256": hashlib.sha256(data).hexdigest(), "stamp": [st.st_size, st.st_mtime_ns, st.st_ino]}
    files.write_cache(folder / "verified.json", json.dumps(index, sort_keys=True, indent=0).encode())
    return True


def source_font(face: Face) -> SourceFont:
    """The face's TrueType tables, parsed: the file itself when it has TrueType
    outlines, else a converted copy (from the cache, or made now). Raises BadFont for a
    damaged font file, OSError when it cannot be read."""
    if not needs_conversion(face):
        return SourceFont.open(face.path)
    font = _cached_or_converted(face)
    # the copy's head dates are when it was converted (caches made before
    # convert_face kept the source's): the PDF gets the source's, the same everywhere
    font.stamps = _source_stamps(face)
    return font


def _cached_or_converted(face: Face) -> SourceFont:
    name = cache_name(face)
    dirs = cache_dirs()
    for folder in dirs:
        font = _good(folder / name)
        if font is not None:
            return font
    data = _converted(face)
    for folder in dirs:
        if _keep(folder, name, data):
            font = _good(folder / name)
            if font is not None:
                return font
    return SourceFont(data)


def _source_stamps(face: Face) -> bytes | None:
    """The created and modified dates (16 bytes) of the source face's head table."""
    try:
        with open(face.path, "rb") as fh:
            start = 0
            if fh.read(4) == b"ttcf":
                fh.seek(12 + 4 * face.index)
                start = int.from_bytes(fh.read(4), "big")
            fh.seek(start + 4)
            count = int.from_bytes(fh.read(2), "big")
            fh.seek(start + 12)
            directory = fh.read(16 * count)
            for i in range(count):
                if directory[16 * i:16 * i + 4] == b"head":
                    fh.seek(int.from_bytes(directory[16 * i + 8:16 * i + 12], "big") + 20)
                    stamps = fh.read(16)
                    return stamps if len(stamps) == 16 else None
    except OSError:
        pass
    return None


def is_cached(face: Face) -> bool:
    name = cache_name(face)
    return any(_good(folder / name) is not None for folder in cache_dirs())


def _converted(face: Face) -> bytes:
    """convert_face, with any failure of fontTools on a damaged font as BadFont."""
    try:
        return convert_face(face)
    except Exception as exc:  # noqa: BLE001 - fontTools raises many kinds on a damaged font
        bad = BadFont(f"its outlines cannot be converted to TrueType ({type(exc).__name__}: {exc})")
        bad.path = face.path
        raise bad from None


def embeddable(face: Face, convert: bool = True) -> Path:
    """A standalone TrueType-outline file for `face`, converting (slowly) if no good
    copy is cached. Raises FileNotFoundError when none is and `convert` is False, or
    when none can be written."""
    if not needs_conversion(face):
        return Path(face.path)
    name = cache_name(face)
    for folder in cache_dirs():
        if _good(folder / name) is not None:
            return folder / name
    if not convert:
        raise FileNotFoundError(cache_dir() / name)
    data = _converted(face)
    for folder in cache_dirs():
        if _keep(folder, name, data):
            return folder / name
    raise FileNotFoundError(cache_dir() / name)


def convert_face(face: Face) -> bytes:
    """The face as a TrueType-outline font file."""
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
    font.recalcTimestamp = False  # the source's dates, not today's: the same bytes everywhere
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()
