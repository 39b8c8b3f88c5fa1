"""Font roles -> faces -> files: which font sets each script of each style.

Reads fonts/manifest.yaml (and an edition's overrides), finds the files, and picks the
face inside a collection by its family name. Opening fonts for shaping is shape.py's
job; subsetting them for the PDF is embed.py's.
"""
from __future__ import annotations

from dataclasses import dataclass
import functools
import json
import os
from pathlib import Path
from typing import NamedTuple

import yaml

from ..base import files
from ..base.errors import InputError, Where, did_you_mean

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFEST = REPO_ROOT / "fonts" / "manifest.yaml"


def cache_root() -> Path:
    """Where face indexes and photo conversions are kept: .cache in
    the checkout (git-ignored), or PAIBAN_CACHE. Read at each use, so a long-running
    caller and the tests can point it elsewhere."""
    return Path(os.environ.get("PAIBAN_CACHE") or REPO_ROOT / ".cache")


SCRIPTS = ("han", "tibetan", "latin")


class Face(NamedTuple):
    """One font face: a file and the face index inside it (0 for a single font). A
    NamedTuple: it keys every cache of shaping and writing, and hashes in C."""
    path: str
    index: int = 0
    name: str = ""  # the manifest's name for it, or the file name

    @property
    def label(self) -> str:
        return f"{Path(self.path).name}#{self.index}" if self.index else Path(self.path).name


@dataclass(frozen=True)
class FaceSpec:
    name: str
    file: str
    family: str | None
    package: str | None


@dataclass(frozen=True)
class FontSet:
    """Resolved faces and, per role, per script, the fallback chain of faces."""
    roles: dict[str, dict[str, tuple[Face, ...]]]

    def chain(self, role: str, script: str) -> tuple[Face, ...]:
        return self.roles[role].get(script, ())

    def faces(self) -> list[Face]:
        return sorted({f for chains in self.roles.values() for c in chains.values() for f in c})


def read_manifest(path: Path = MANIFEST) -> dict:
    """The manifest, read once per process (loader and font set both ask; callers only
    read it)."""
    return _read_manifest(Path(path), Path(path).stat().st_mtime_ns)


@functools.cache
def _read_manifest(path: Path, mtime: int) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def face_specs(manifest: dict) -> dict[str, FaceSpec]:
    return {name: FaceSpec(name, spec["file"], spec.get("face"), spec.get("package"))
            for name, spec in manifest["faces"].items()}


def search_paths(manifest: dict) -> list[Path]:
    return [p if p.is_absolute() else REPO_ROOT / p for p in map(Path, manifest["search_paths"])]


def find_file(spec: FaceSpec, paths: list[Path]) -> Path | None:
    for folder in paths:
        candidate = folder / spec.file
        if candidate.is_file():
            return candidate
    return None


def face_index(path: Path, family: str | None, shown: str) -> int:
    """The index of the face named `family` in a collection (0 for a single font).

    Remembered on disk by (path, size, mtime, family): reading a collection's name
    tables costs fontTools' import and 50 ms, on every render, for the same answer."""
    with open(path, "rb") as fh:
        header = fh.read(12)
    if header[:4] != b"ttcf":
        return 0
    count = int.from_bytes(header[8:12], "big")
    st = path.stat()
    key = f"{files.real(path)}|{st.st_size}|{st.st_mtime_ns}|{family}"
    known = _read_json(cache_root() / "faces.json")
    index = known.get(key)
    # the cache is only a hint: an entry that is not a face of this file is asked again
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < count:
        return index
    index = _face_index(path, family, shown)
    known[key] = index
    files.write_cache(cache_root() / "faces.json", json.dumps(known, sort_keys=True, indent=0).encode())
    return index


def _read_json(path: Path) -> dict:
    data = files.read_cache(path)
    try:
        known = json.loads(data) if data is not None else {}
    except ValueError:
        return {}
    return known if isinstance(known, dict) else {}


def _face_index(path: Path, family: str | None, shown: str) -> int:
    from fontTools.ttLib import TTCollection, TTLibError

    try:
        collection = TTCollection(str(path), lazy=True)
    except (TTLibError, OSError, ValueError) as exc:
        raise InputError(f"cannot read font collection: {exc}", Where(shown)) from None
    names = []
    for i, font in enumerate(collection.fonts):
        fam = font["name"].getBestFamilyName()
        full = font["name"].getBestFullName()
        names.append(fam)
        if family in (fam, full):
            return i
    if family is None:
        return 0
    raise InputError(f"no face '{family}' in collection", Where(shown),
                     did_you_mean(family, names) or f"faces: {', '.join(names)}")


def check_font_file(path: Path, index: int, role: str) -> None:
    """A font file named by an edition must be a font, and have the face asked for:
    HarfBuzz would quietly treat garbage as an empty font, every character missing."""
    import logging

    from fontTools.ttLib import TTCollection, TTFont

    quiet = logging.getLogger("fontTools")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # its warnings about odd tables are ours to word
    try:
        with open(path, "rb") as fh:
            tag = fh.read(4)
        is_collection = tag == b"ttcf"
        if is_collection:
            count = len(TTCollection(str(path), lazy=True).fonts)
            if not 0 <= index < count:
                raise InputError(f"font for role '{role}': {path.name} has faces 0 to {count - 1}, not {index}",
                                 Where(str(path)), f"write {path.name}#0 … #{count - 1}")
        elif index:
            raise InputError(f"font for role '{role}': {path.name} is a single font, it has no face {index}",
                             Where(str(path)), f"write {path.name} without '#{index}'")
        # the tables the PDF relies on must hold together (fontTools reads them
        # lazily and HarfBuzz forgives: a damaged table would give blank glyphs)
        from .embed import FontFile

        FontFile.open(path, index if is_collection else 0)
        font = TTFont(str(path), fontNumber=index if is_collection else -1, lazy=True)
        font["head"], font["cmap"], font["hmtx"]  # noqa: B018 - reading them checks them
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - fontTools raises many kinds on a damaged file
        raise InputError(f"font for role '{role}' is not a usable font file: {path.name} ({exc})",
                         Where(str(path)), "use a TTF, OTF or TTC file") from None
    finally:
        quiet.setLevel(level)


def load_fontset(overrides: dict[str, dict[str, list[str]]] | None = None,
                 base_dir: Path | None = None, manifest_path: Path = MANIFEST) -> FontSet:
    """Resolve every role of the manifest (plus edition overrides) to faces on disk.

    An override entry names a manifest face ('serif-sc') or a font file relative to the
    edition ('fonts/MyHei.otf', 'fonts/Some.ttc#2' for a collection's third face).
    """
    manifest = read_manifest(manifest_path)
    specs = face_specs(manifest)
    paths = search_paths(manifest)
    cache: dict[str, Face] = {}

    def named(name: str, role: str) -> Face:
        if name in cache:
            return cache[name]
        if name in specs:
            spec = specs[name]
            found = find_file(spec, paths)
            if found is None:
                looked = ", ".join(str(p) for p in paths)
                pkg = f"; install Debian package {spec.package}" if spec.package else ""
                raise InputError(f"font for role '{role}' not found: {spec.file} (face '{name}')",
                                 Where(str(manifest_path)), f"looked in {looked}{pkg}")
            face = Face(str(found), face_index(found, spec.family, str(found)), name)
        else:
            file, _, index = name.partition("#")
            path = Path(file) if Path(file).is_absolute() else (base_dir or REPO_ROOT) / file
            try:
                files.check_input(path)
            except InputError as exc:
                if exc.message != "file not found":
                    raise InputError(f"font for role '{role}': {file}: {exc.message}", Where(str(path)),
                                     exc.hint) from None
                raise InputError(f"font for role '{role}' not found: {path}", None,
                                 did_you_mean(name, specs) or "give a manifest face name or a font file") from None
            idx = int(index) if index.isdigit() else face_index(path, index or None, str(path))
            check_font_file(path, idx, role)
            face = Face(files.real(path), idx, Path(file).name)
        cache[name] = face
        return face

    roles: dict[str, dict[str, tuple[Face, ...]]] = {}
    merged = {r: dict(c) for r, c in manifest["roles"].items()}
    for role, chains in (overrides or {}).items():
        merged.setdefault(role, {}).update(chains)
    for role, chains in merged.items():
        for script in chains:
            if script not in SCRIPTS:
                raise InputError(f"font role '{role}': unknown script '{script}'", None,
                                 did_you_mean(script, SCRIPTS) or f"scripts: {', '.join(SCRIPTS)}")
        roles[role] = {script: tuple(named(n, role) for n in chain) for script, chain in chains.items()}
    return FontSet(roles)
