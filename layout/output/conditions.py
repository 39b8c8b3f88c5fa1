"""Printing conditions: the CMYK output profiles photos and colours are converted through.

No CMYK newsprint profile with a licence we may ship was at hand, so we make them as
profiles are made: from the standard characterisation data (CGATS .ti3 measurements)
that Debian's icc-profiles-free ships, with ArgyllCMS's colprof. CGATS allows profiles
derived from TR 002 to be distributed; the FOGRA data are free to use the same way.

The settings are the ones a newspaper's printer expects, and they are part of each
profile's cache key (with the measurement file, colprof's version and the gamut
mapping source), so a change of any of them builds the profile again:

- newsprint (CGATS TR 002, coldset on newsprint): total area coverage 240 %, the SNAP
  limit; black generation `-k r`, a ramp from paper white to full black (a long black
  that carries the neutrals and the shadows, so that grey balance drifts less on a
  web press and less ink is laid down);
- uncoated (FOGRA29, ISO 12647-2 PC 4): 300 %, a medium GCR (`-k h`, half black);
- coated (FOGRA39, ISO 12647-2 PC 1): 330 %, the same.

All use `-q l` with the perceptual table gamut mapped from sRGB (`-S`, CIECAM02 from a
typical monitor to a practical print): 20-25 s per profile on this project's machine;
`-q m` takes 90 s for an average error of 0.17 ΔE against the measurements instead of
0.41 (profcheck), no difference anyone sees on newsprint. colprof writes the time
of the build into the profile header; we set it to the date of the measurements, so a
second build gives the same bytes.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from ..fonts.faces import REPO_ROOT, cache_root

DATA = Path("/usr/share/color/icc")             # icc-profiles-free's .ti3 files
SRGB = Path("/usr/share/color/argyll/ref/sRGB.icm")  # argyll's sRGB, the source gamut
PACKAGES = ("argyll", "icc-profiles-free")
QUALITY = "l"


class Condition(NamedTuple):
    """One printing condition: where its measurements are and how its profile is made."""
    name: str
    ti3: str           # file in DATA
    tac: int           # total area coverage limit, %
    black: str         # colprof black generation (-k)
    identifier: str    # OutputConditionIdentifier (the ICC registry's name)
    info: str          # the condition in words, for the output intent
    created: tuple     # the measurements' date: the profile header's date
    description: str


CONDITIONS = {
    "newsprint": Condition(
        "newsprint", "TR002.ti3", 240, "r", "CGATS TR 002",
        "Coldset offset on newsprint (CGATS TR 002, SNAP), total area coverage 240%", (2007, 1, 1),
        "paiban newsprint CMYK (CGATS TR 002, TAC 240%, long black)"),
    "uncoated": Condition(
        "uncoated", "FOGRA29L.ti3", 300, "h", "FOGRA29",
        "Offset, uncoated paper (ISO 12647-2 PC 4, FOGRA29), total area coverage 300%", (2003, 1, 1),
        "paiban uncoated CMYK (FOGRA29, TAC 300%)"),
    "coated": Condition(
        "coated", "FOGRA39L.ti3", 330, "h", "FOGRA39",
        "Offset, coated paper (ISO 12647-2 PC 1, FOGRA39), total area coverage 330%", (2006, 1, 1),
        "paiban coated CMYK (FOGRA39, TAC 330%)"),
}


class ProfileMissing(Exception):
    """A condition's profile was not built (set-up has not run, or could not)."""


def _args(c: Condition) -> list[str]:
    return ["-q" + QUALITY, "-k" + c.black, "-l", str(c.tac), "-S", str(SRGB), "-cmt", "-dpp",
            "-D", c.description, "-C", "Made by paiban with ArgyllCMS from " + c.identifier
            + " characterisation data", "-Z", "p"]


def _version() -> str:
    try:
        out = subprocess.run(["colprof"], capture_output=True, text=True).stderr
    except OSError:
        return "none"
    return next((line for line in out.splitlines() if "Version" in line), "unknown").strip()


def key(c: Condition) -> str:
    """What the profile is made from: the measurements, the settings, the tool."""
    h = hashlib.sha256()
    for part in ((DATA / c.ti3).read_bytes(), SRGB.read_bytes(), "\0".join(_args(c)).encode(),
                 _version().encode(), b"date-fix-1"):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:16]


def _dirs() -> list[Path]:
    """Where built profiles are looked for: the cache, then the checkout's own (a
    render with its own PAIBAN_CACHE still finds what set-up built)."""
    out = [cache_root() / "icc", REPO_ROOT / ".cache" / "icc"]
    return [d for i, d in enumerate(out) if d not in out[:i]]


def _file(c: Condition, folder: Path) -> Path:
    return folder / f"{c.name}-{key(c)}.icc"


def profile(name: str) -> bytes:
    """The built profile of a condition."""
    c = CONDITIONS[name]
    try:
        k = key(c)
    except OSError as exc:
        raise ProfileMissing(f"the {c.identifier} characterisation data is not installed ({exc.strerror})") from None
    for folder in _dirs():
        path = folder / f"{c.name}-{k}.icc"
        if path.is_file():
            return path.read_bytes()
    raise ProfileMissing(f"the {name} CMYK profile ({c.identifier}) has not been built")


def _fix_date(data: bytes, date: tuple) -> bytes:
    """The header's creation date (bytes 24-35) set to the measurements' date."""
    y, m, d = date
    return data[:24] + struct.pack(">6H", y, m, d, 0, 0, 0) + data[36:]


def build(c: Condition, folder: Path) -> Path:
    """Runs colprof on a copy of the measurements; writes the profile atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    target = _file(c, folder)
    with tempfile.TemporaryDirectory(prefix="paiban-icc-") as tmp:
        shutil.copyfile(DATA / c.ti3, Path(tmp) / c.ti3)
        stem = c.ti3[:-4]
        run = subprocess.run(["colprof", *_args(c), stem], cwd=tmp, capture_output=True, text=True)
        built = Path(tmp) / f"{stem}.icc"
        if run.returncode != 0 or not built.is_file():
            raise RuntimeError(f"colprof failed for {c.name}: {run.stderr.strip() or run.stdout.strip()}")
        data = _fix_date(built.read_bytes(), c.created)
    check(data, c)
    part = target.with_suffix(".part")
    part.write_bytes(data)
    os.replace(part, target)
    for old in folder.glob(f"{c.name}-*.icc"):  # an older build of the same condition
        if old != target:
            old.unlink()
    return target


def check(data: bytes, c: Condition) -> None:
    """A CMYK output profile LittleCMS can use, that keeps to the condition's ink limit."""
    import io

    from PIL import Image, ImageCms

    if data[12:20] != b"prtrCMYK" or data[36:40] != b"acsp":
        raise RuntimeError(f"{c.name}: not a CMYK output profile")
    target = ImageCms.ImageCmsProfile(io.BytesIO(data))
    ramp = Image.new("RGB", (64, 64))
    ramp.putdata([(r * 4, g * 4, (r * 7 + g * 3) % 256) for g in range(64) for r in range(64)])
    out = ImageCms.profileToProfile(ramp, ImageCms.createProfile("sRGB"), target, outputMode="CMYK",
                                    renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                    flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
    worst = max(map(sum, out.get_flattened_data())) / 255 * 100
    if worst > c.tac + 2:
        raise RuntimeError(f"{c.name}: {worst:.0f}% ink, over its {c.tac}% limit")


def _install() -> None:
    if all(shutil.which(t) for t in ("colprof",)) and all((DATA / c.ti3).is_file() for c in CONDITIONS.values()):
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        print(f"press profiles: installing {' '.join(PACKAGES)}", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES]
        if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL)


def main() -> int:
    """`python -m layout.output.conditions` (make's set-up): builds what is missing."""
    _install()
    if not shutil.which("colprof") or not SRGB.is_file():
        print("press profiles: ArgyllCMS (Debian package argyll) is needed to build them", file=sys.stderr)
        return 1
    missing = [c for c in CONDITIONS.values() if not (DATA / c.ti3).is_file()]
    if missing:
        print("press profiles: characterisation data missing (Debian package icc-profiles-free): "
              + ", ".join(str(DATA / c.ti3) for c in missing), file=sys.stderr)
        return 1
    folder = cache_root() / "icc"
    todo = [c for c in CONDITIONS.values() if not _file(c, folder).is_file()]
    if not todo:
        return 0
    print(f"press profiles: building {', '.join(c.name for c in todo)} with colprof (about 25 s each)", flush=True)
    failed = 0
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        for c, job in [(c, pool.submit(build, c, folder)) for c in todo]:
            try:
                print(f"press profiles: {job.result().name}", flush=True)
            except RuntimeError as exc:
                print(f"press profiles: {exc}", file=sys.stderr)
                failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(main())
