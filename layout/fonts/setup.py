"""`python -m layout.fonts.setup`: make the default fonts ready (used by `make`).

Installs the Debian packages of missing manifest files (only when a file is missing and
apt-get is there), then fills the conversion cache (not for faces marked `prepare: false`,
which no built-in style uses: they are converted on first use). On a machine without apt it names
every missing file and where it looked, and exits non-zero.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import cache as fontcache
from ..base.errors import InputError
from .faces import MANIFEST, face_specs, find_file, load_fontset, read_manifest, search_paths


def _missing(manifest_path: Path) -> tuple[list, list]:
    manifest = read_manifest(manifest_path)
    paths = search_paths(manifest)
    return [s for s in face_specs(manifest).values() if find_file(s, paths) is None], paths


def can_apt() -> bool:
    return bool(shutil.which("apt-get")) and os.geteuid() == 0


def install_missing(manifest_path: Path = MANIFEST, apt: bool | None = None) -> int:
    missing, paths = _missing(manifest_path)
    if not missing:
        return 0
    packages = sorted({s.package for s in missing if s.package})
    if (can_apt() if apt is None else apt) and packages:
        print(f"fonts: installing {' '.join(packages)} (missing: {', '.join(s.file for s in missing)})",
              flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
        if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL)
        missing, paths = _missing(manifest_path)
        if not missing:
            return 0
    print("fonts: these font files are needed and were not found:", file=sys.stderr)
    for spec in missing:
        pkg = f" (Debian package {spec.package})" if spec.package else ""
        print(f"  {spec.file}{pkg}", file=sys.stderr)
    print("looked in: " + ", ".join(str(p) for p in paths), file=sys.stderr)
    print("put the files in one of those folders (e.g. fonts/) and run again", file=sys.stderr)
    return 1


def _convert(face) -> str:
    start = time.perf_counter()
    path = fontcache.embeddable(face)
    return f"fonts: {face.name} ready ({path.name}, {time.perf_counter() - start:.0f} s)"


def prepare_cache() -> int:
    try:
        faces = load_fontset().faces()
    except InputError as exc:
        print(f"fonts: {exc}", file=sys.stderr)
        return 1
    later = {name for name, spec in read_manifest()["faces"].items() if spec.get("prepare") is False}
    todo = [f for f in faces if f.name not in later and fontcache.needs_conversion(f) and not fontcache.is_cached(f)]
    if not todo:
        return 0
    print(f"fonts: converting {len(todo)} CFF face(s) to TrueType once "
          f"(about 45 s each, cached in {fontcache.cache_dir()})", flush=True)
    with ProcessPoolExecutor(max_workers=min(len(todo), os.cpu_count() or 1)) as pool:
        for line in pool.map(_convert, todo):
            print(line, flush=True)
    return 0


def main() -> int:
    return install_missing() or prepare_cache()


if __name__ == "__main__":
    sys.exit(main())
