"""`python -m layout.fonts.setup`: make sure the default fonts are there (used by `make`).

Checks that every file the manifest names is installed, and installs the Debian packages
of missing ones (only when a file is missing and apt-get is there). Nothing is
converted: the PDF writer subsets the installed files as they are. On a machine without
apt it names every missing file and where it looked, and exits non-zero.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .faces import MANIFEST, face_specs, find_file, read_manifest, search_paths


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


def main() -> int:
    return install_missing()


if __name__ == "__main__":
    sys.exit(main())
