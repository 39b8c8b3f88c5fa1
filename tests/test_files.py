"""Files the render reads and writes, as a hostile or careless user leaves them: the
output pointed at an input, a device, a folder or a link; inputs that are FIFOs,
folders, devices, loops, links to nothing; damaged photos, fonts and caches. Each
gives a located error or a correct render, never a traceback, a hang or a replaced
file."""
from __future__ import annotations

import io
import os
import signal
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO

from layout.api import Options, render
from layout.base.errors import InputError, RenderError

TEXT = "Hello world, set in a tiny font.\n\nA second paragraph of plain Latin text.\n"

EDITION = """\
paper: {{name: Test, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
include: [{include}]
masters: {{plain: {{folio: null}}}}
fonts:
  body: {{latin: [{font}], han: [{font}]}}
  caption: {{latin: [{font}], han: [{font}]}}
stories:
  a: {{file: {story}}}
pages:
  - master: plain
    elements:
      - {{type: story, story: a, frame: {{column: 1, span: 3, top: 0mm, height: 60mm}}}}
      - {{type: photo, file: {photo}, frame: {{column: 4, span: 3, top: 0mm, height: 60mm}}, caption: Photo}}
"""

NAMES = {"story": "a.md", "photo": "p.png", "include": "house.yaml", "font": "fonts/tiny.ttf"}


# ---------------------------------------------------------------- material

def tiny_font(cff: bool = False, family: str = "Tiny") -> bytes:
    """A small font with a box for every ASCII letter: TrueType outlines, or CFF."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    chars = [chr(c) for c in range(0x20, 0x7F)]
    names = [".notdef"] + [f"g{ord(c):02X}" for c in chars]
    fb = FontBuilder(1000, isTTF=not cff)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({ord(c): f"g{ord(c):02X}" for c in chars})

    def draw(pen, k):
        if k % 7 != 1:  # the space (k 1) and some others stay empty
            pen.moveTo((50, 0))
            pen.lineTo((50, 500 + 3 * k))
            pen.lineTo((450, 500 + 3 * k))
            pen.lineTo((450, 0))
            pen.closePath()

    if cff:
        strings = {}
        for k, name in enumerate(names):
            pen = T2CharStringPen(500, None)
            draw(pen, k)
            strings[name] = pen.getCharString()
        fb.setupCFF(family, {"FullName": family}, strings, {})
    else:
        glyphs = {}
        for k, name in enumerate(names):
            pen = TTGlyphPen(None)
            draw(pen, k)
            glyphs[name] = pen.glyph()
        fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({n: (500, 50) for n in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": family, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    out = io.BytesIO()
    fb.save(out)
    return out.getvalue()


def tiny_collection() -> bytes:
    """Two tiny TrueType faces in one collection (a .ttc goes through the face index
    cache)."""
    from fontTools.ttLib import TTCollection, TTFont

    collection = TTCollection()
    collection.fonts = [TTFont(io.BytesIO(tiny_font(family=name))) for name in ("TinyA", "TinyB")]
    out = io.BytesIO()
    collection.save(out)
    return out.getvalue()


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.linear_gradient("L").resize((120, 90)).convert("RGB").save(buf, "PNG")
    return buf.getvalue()


def jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.linear_gradient("L").resize((120, 90)).convert("RGB").save(buf, "JPEG", quality=80)
    return buf.getvalue()


VALID = {"story": TEXT.encode(), "photo": None, "include": b"styles: {}\n", "font": None}


def valid(key: str) -> bytes:
    return {"photo": png, "font": tiny_font}.get(key, lambda: VALID[key])()


def edition(folder: Path, **names) -> Path:
    """A small edition in `folder` whose files are all there, in good order; `names`
    renames a file (its key then points where the test wants)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fonts").mkdir(exist_ok=True)
    chosen = {**NAMES, **names}
    for key, name in NAMES.items():
        if key not in names:
            (folder / name).write_bytes(valid(key))
    text = EDITION.format(**{k: _yaml(v) for k, v in chosen.items()})
    (folder / "edition.yaml").write_text(text, encoding="utf-8")
    return folder / "edition.yaml"


def _yaml(name: str) -> str:
    """A file name as a YAML double-quoted string (a NUL byte as its escape)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"').replace("\0", "\\0") + '"'


@contextmanager
def time_limit(seconds: int):
    """A hang is a failure, not a stuck test run."""
    def expired(signum, frame):
        raise AssertionError(f"no result after {seconds} s: the render hangs")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory, monkeypatch):
    """Every test here caches in a folder of its own, never in the shared .cache."""
    monkeypatch.setenv("PAIBAN_CACHE", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("usercache")))


def cli(*args, env=None, **kw) -> subprocess.CompletedProcess:
    environ = dict(os.environ, PAIBAN_SERVER="0", **(env or {}))
    return subprocess.run([sys.executable, str(REPO / "render.py"), *map(str, args)], cwd=kw.pop("cwd", REPO),
                          capture_output=True, env=environ, timeout=120, **kw)


# ---------------------------------------------------------------- never clobber

def snapshot(path: Path):
    """What a path is and holds, to show it was not replaced."""
    st_ = os.lstat(path)
    link = os.readlink(path) if stat.S_ISLNK(st_.st_mode) else None
    data = path.read_bytes() if stat.S_ISREG(st_.st_mode) else None
    return stat.S_IFMT(st_.st_mode), st_.st_ino, link, data


@pytest.mark.parametrize("key", ["edition", "story", "photo", "include", "font"])
@pytest.mark.parametrize("how", ["same name", "symbolic link", "hard link", "another spelling"])
def test_the_output_never_replaces_an_input(tmp_path, key, how):
    path = edition(tmp_path / "ed")
    target = path if key == "edition" else path.parent / NAMES[key]
    before = snapshot(target)
    out = {"same name": target, "symbolic link": tmp_path / "link.pdf", "hard link": tmp_path / "hard.pdf",
           "another spelling": path.parent / "fonts" / ".." / os.path.relpath(target, path.parent)}[how]
    if how == "symbolic link":
        out.symlink_to(target)
    elif how == "hard link":
        os.link(target, out)
    with pytest.raises(InputError) as err:
        render(Options(path, out, workers=1))
    message = str(err.value)
    assert message.startswith(f"{out}: the output would replace ") and "an input of this render" in message
    assert snapshot(target) == before
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".part")]


def test_output_onto_the_edition_on_the_command_line(tmp_path):
    path = edition(tmp_path / "ed")
    before = path.read_bytes()
    story = path.parent / "a.md"
    for out, what in ((path, "the edition file edition.yaml"), (story, "story a (a.md)")):
        result = cli(path, "-o", out)
        assert result.returncode == 2, result.stderr
        assert result.stderr.decode() == (f"{out}: the output would replace {what}, an input of this render "
                                          f"(hint: write the output to another file (-o OUT.pdf), or to "
                                          f"standard output with -o -)\n")
    assert path.read_bytes() == before and story.read_bytes() == TEXT.encode()


def _device(path: Path) -> None:
    if os.geteuid() == 0:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    else:
        path.symlink_to("/dev/null")


OUTPUT_KINDS = {
    "device": (_device, "character device"),
    "link to a device": (lambda p: p.symlink_to("/dev/null"), "a symbolic link to a character device"),
    "folder": (lambda p: p.mkdir(), "a folder"),
    "FIFO": (os.mkfifo, "a FIFO"),
    "link to a folder": (lambda p: p.symlink_to(p.parent), "a symbolic link to a folder"),
    "dangling link": (lambda p: p.symlink_to(p.parent / "nothing"), "a symbolic link to a missing file"),
    "link loop": (lambda p: p.symlink_to(p), "a symbolic link loop"),
}


@pytest.mark.parametrize("kind", list(OUTPUT_KINDS))
def test_the_output_never_replaces_what_is_not_a_file(tmp_path, kind):
    make, words = OUTPUT_KINDS[kind]
    path = edition(tmp_path / "ed")
    out = tmp_path / "out.pdf"
    make(out)
    before = snapshot(out)
    with pytest.raises(RenderError) as err:
        render(Options(path, out, workers=1))
    assert str(err.value).startswith(f"{out}: cannot write output: it is ") and words in str(err.value)
    assert snapshot(out) == before


def test_a_link_to_a_file_is_written_through_and_kept(tmp_path):
    path = edition(tmp_path / "ed")
    real = tmp_path / "elsewhere" / "real.pdf"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "out.pdf"
    link.symlink_to(real)
    render(Options(path, link, workers=1))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes().startswith(b"%PDF")


def test_the_report_and_every_picture_are_checked_before_anything_is_written(tmp_path):
    path = edition(tmp_path / "ed")
    out = tmp_path / "out.pdf"
    out.write_bytes(b"the last good one")
    (tmp_path / "out.report.json").mkdir()
    with pytest.raises(RenderError, match="out.report.json: cannot write output: it is a folder"):
        render(Options(path, out, workers=1, report=True))
    assert out.read_bytes() == b"the last good one"
    # pictures of several pages: OUT-p2.png would be the photo
    two = path.read_text(encoding="utf-8") + "  - {master: plain, elements: []}\n"
    path.write_text(two, encoding="utf-8")
    photo = path.parent / "shot-p2.png"
    photo.write_bytes(png())
    path.write_text(two.replace('"p.png"', '"shot-p2.png"'), encoding="utf-8")
    with pytest.raises(InputError, match="would replace photo shot-p2.png"):
        render(Options(path, path.parent / "shot.png", png=True, workers=1))
    assert photo.read_bytes() == png()
    assert not (path.parent / "shot-p1.png").exists()


@pytest.mark.parametrize("png_", [False, True], ids=["pdf", "png"])
def test_standard_output_gives_the_same_bytes_as_the_file(tmp_path, png_):
    path = edition(tmp_path / "ed")
    extra = ["--png"] if png_ else []
    out = tmp_path / ("out.png" if png_ else "out.pdf")
    assert cli(path, "-o", out, *extra).returncode == 0
    piped = cli(path, "-o", "-", *extra)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == out.read_bytes()
    assert b"page(s)" in piped.stderr


def test_standard_output_takes_one_picture_only(tmp_path):
    path = edition(tmp_path / "ed")
    path.write_text(path.read_text(encoding="utf-8") + "  - {master: plain, elements: []}\n", encoding="utf-8")
    result = cli(path, "-o", "-", "--png")
    assert result.returncode == 2 and result.stdout == b""
    assert "standard output takes one" in result.stderr.decode()


def test_the_pdf_respects_the_umask(tmp_path):
    path = edition(tmp_path / "ed")
    old = os.umask(0o027)
    try:
        render(Options(path, tmp_path / "out.pdf", workers=1, report=True))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "out.pdf").st_mode) == 0o640
    assert stat.S_IMODE(os.stat(tmp_path / "out.report.json").st_mode) == 0o640


KILLED_WRITER = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from layout.base import files
with files.replacing(Path(sys.argv[2])) as fh:
    fh.write(b"%PDF half")
    fh.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""

LIVE_WRITER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from layout.base import files
with files.replacing(Path(sys.argv[2])) as fh:
    fh.write(b"%PDF in progress")
    fh.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


def test_a_writer_killed_mid_write_leaves_a_part_the_next_render_removes(tmp_path):
    path = edition(tmp_path / "ed")
    out = tmp_path / "out.pdf"
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(REPO), str(out)], capture_output=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    left = [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert len(left) == 1 and left[0].startswith(".out.pdf.")
    # a writer at work on the same file, another file's part, and a file not ours stay
    live = subprocess.Popen([sys.executable, "-c", LIVE_WRITER, str(REPO), str(out)], stdout=subprocess.PIPE)
    try:
        assert live.stdout.readline() == b"writing\n"
        working = {p.name for p in tmp_path.iterdir() if p.name.endswith(".part")} - set(left)
        other = tmp_path / ".other.pdf.1-0123abcd.part"
        mine = tmp_path / ".out.pdf.my-notes.part"
        other.write_bytes(b"x")
        mine.write_bytes(b"x")
        render(Options(path, out, workers=1))
        parts = {p.name for p in tmp_path.iterdir() if p.name.endswith(".part")}
        assert parts == working | {other.name, mine.name}
    finally:
        live.kill()
        live.wait()
    assert out.read_bytes().startswith(b"%PDF-")


# ---------------------------------------------------------------- what is read

def test_an_edition_cannot_allow_itself_the_whole_disk(tmp_path):
    path = edition(tmp_path / "ed", story="/etc/passwd")
    text = path.read_text(encoding="utf-8").replace("include:", "allow_paths: [/]\ninclude:")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        render(Options(path, tmp_path / "out.pdf", workers=1))
    lines = str(err.value).splitlines()
    assert lines[0] == (f"{path}:3:15: allow_paths: '/' is outside the edition's folder, and an edition cannot "
                        f"allow itself a folder (hint: allow it when you run the render: --allow-path /)")
    assert not (tmp_path / "out.pdf").exists()
    # without the claim, the file itself is refused; and a folder above is no better
    path.write_text(text.replace("allow_paths: [/]\n", ""), encoding="utf-8")
    with pytest.raises(InputError, match="9:13: story file '/etc/passwd' is outside the edition folder"):
        render(Options(path, tmp_path / "out.pdf", workers=1))
    path.write_text(text.replace("allow_paths: [/]", "allow_paths: [.., ../..]"), encoding="utf-8")
    with pytest.raises(InputError, match="3:15: allow_paths: '..' is outside the edition's folder"):
        render(Options(path, tmp_path / "out.pdf", workers=1))


def test_allow_path_on_the_command_line(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "story.md").write_text("A story kept outside the edition.\n", encoding="utf-8")
    path = edition(tmp_path / "ed", story="../shared/story.md")
    refused = cli(path, "-o", tmp_path / "out.pdf")
    assert refused.returncode == 2
    assert "story file '../shared/story.md' is outside the edition folder" in refused.stderr.decode()
    allowed = cli(path, "-o", tmp_path / "out.pdf", "--allow-path", "../shared", cwd=path.parent)
    assert allowed.returncode == 0, allowed.stderr
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF-")


EPS = b"""%!PS-Adobe-3.0 EPSF-3.0
%%BoundingBox: 0 0 20 20
%%EndComments
newpath 0 0 moveto 20 0 lineto 20 20 lineto closepath fill
showpage
%%EOF
"""


def test_an_eps_named_jpg_is_refused_without_ghostscript(tmp_path):
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    calls = tmp_path / "gs-calls"
    gs = bin_ / "gs"
    gs.write_text(f"#!/bin/sh\necho \"$@\" >> {calls}\nexit 1\n")
    gs.chmod(0o755)
    path = edition(tmp_path / "ed", photo="p.jpg")
    (path.parent / "p.jpg").write_bytes(EPS)
    result = cli(path, "-o", tmp_path / "out.pdf", env={"PATH": f"{bin_}:{os.environ['PATH']}"})
    assert result.returncode == 2
    assert result.stderr.decode() == (f"{path}:14:9: page 1, element 2 (photo): p.jpg: cannot read image: it is not a "
                                      f"JPEG, PNG, TIFF, WebP or GIF file (hint: save it again as JPEG or PNG)\n")
    assert not calls.exists(), calls.read_text()


def _fifo(path: Path) -> None:
    os.mkfifo(path)


INPUT_KINDS = {
    "regular": None,
    "symbolic link": None,
    "FIFO": "is a FIFO (named pipe), not a regular file",
    "folder": "is a folder, not a regular file",
    "device": "is a character device, not a regular file",
    "dangling link": "is a symbolic link to a missing file",
    "link loop": "is a symbolic link loop",
    "missing": "not found",
    "NUL in the name": "the file name contains a NUL byte",
}


def make_kind(path: Path, kind: str, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "regular":
        path.write_bytes(data)
    elif kind == "symbolic link":
        real = path.with_name("real-" + path.name)
        real.write_bytes(data)
        path.symlink_to(real.name)
    elif kind == "FIFO":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "device":
        _device(path)
    elif kind == "dangling link":
        path.symlink_to("nothing-here")
    elif kind == "link loop":
        path.symlink_to(path.name)


POSITION = {"story": "9:13", "photo": "14:", "include": "3:11", "font": "5:1"}


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(key=st.sampled_from(["story", "photo", "include", "font", "output"]), kind=st.sampled_from(list(INPUT_KINDS)),
       workers=st.sampled_from([1, 2]))
def test_every_kind_of_file_for_every_path_key(tmp_path_factory, key, kind, workers):
    """Generated: each path-taking key given each kind of file. A regular file or a
    link to one renders; anything else is a located error saying what it is; nothing
    hangs, nothing is replaced, no other exception escapes."""
    folder = tmp_path_factory.mktemp("kinds") / "ed"
    if key == "output":
        path = edition(folder)
        out = folder / ("o\0ut.pdf" if kind == "NUL in the name" else "out.pdf")
        if kind not in ("missing", "NUL in the name"):
            make_kind(out, kind, b"%PDF-1.4 old")
        before = snapshot(out) if kind not in ("missing", "NUL in the name") else None
        with time_limit(60):
            try:
                render(Options(path, out, workers=workers))
            except (InputError, RenderError) as exc:
                assert kind not in ("regular", "symbolic link", "missing"), exc
                assert str(exc).startswith(str(folder)), exc  # a NUL byte in the name is shown escaped
                if before is not None:
                    assert snapshot(out) == before
            else:
                assert kind in ("regular", "symbolic link", "missing"), kind
                assert out.read_bytes().startswith(b"%PDF-")
        return
    name = NAMES[key] if kind != "NUL in the name" else NAMES[key].replace(".", "\0.", 1)
    path = edition(folder, **{key: name})
    if kind not in ("missing", "NUL in the name"):
        make_kind(folder / name, kind, valid(key))
    with time_limit(60):
        try:
            render(Options(path, folder / "out.pdf", workers=workers))
        except InputError as exc:
            assert kind not in ("regular", "symbolic link"), exc
            message = str(exc)
            if kind == "NUL in the name":  # refused as text already, where the name is written
                assert message.startswith(f"{path}:") and "control character U+0000" in message, message
                return
            assert message.startswith(f"{path}:{POSITION[key]}"), message
            assert INPUT_KINDS[kind] in message, message
        else:
            assert kind in ("regular", "symbolic link"), kind
            assert (folder / "out.pdf").read_bytes().startswith(b"%PDF-")


# ---------------------------------------------------------------- damaged fonts, photos, caches

def _tables(data: bytes) -> dict[bytes, int]:
    """Each table's directory entry offset."""
    count = int.from_bytes(data[4:6], "big")
    return {data[12 + 16 * i:16 + 16 * i]: 12 + 16 * i for i in range(count)}


def _table_offset(data: bytes, tag: bytes) -> int:
    at = _tables(data)[tag]
    return int.from_bytes(data[at + 8:at + 12], "big")


def no_loca(data: bytes) -> bytes:
    out = bytearray(data)
    at = _tables(data)[b"loca"]
    out[at:at + 4] = b"xxxx"
    return bytes(out)


def no_hmetrics(data: bytes) -> bytes:
    out = bytearray(data)
    at = _table_offset(data, b"hhea") + 34
    out[at:at + 2] = b"\0\0"
    return bytes(out)


def short_glyf(data: bytes) -> bytes:
    out = bytearray(data)
    at = _tables(data)[b"glyf"] + 12
    length = int.from_bytes(data[at:at + 4], "big")
    out[at:at + 4] = (length // 2).to_bytes(4, "big")
    return bytes(out)


@pytest.mark.parametrize("damage,message", [
    (no_loca, "it has no 'loca' table"),
    (no_hmetrics, "its numberOfHMetrics is 0 (1 to its 96 glyphs)"),
    (short_glyf, "its 'glyf' table is cut short: the glyphs run past its end"),
    (lambda data: data[:len(data) // 2], "runs past the end of the file (cut short?)"),
    (lambda data: b"", "is not a usable font file"),
], ids=["no loca", "numberOfHMetrics 0", "glyf cut short", "file cut in half", "empty"])
def test_a_damaged_edition_font_is_named(tmp_path, damage, message):
    path = edition(tmp_path / "ed")
    (path.parent / "fonts" / "tiny.ttf").write_bytes(damage(tiny_font()))
    with pytest.raises(InputError) as err:
        render(Options(path, tmp_path / "out.pdf", workers=1))
    text = str(err.value)
    assert text.startswith(f"{path}:5:1: font for role 'body' is not a usable font file: tiny.ttf ("), text
    assert message in text


def damaged(data: bytes, how: str, at: float, garbage: bytes) -> bytes:
    cut = int(len(data) * at)
    return {"empty": b"", "cut": data[:cut], "garbage": garbage * 64,
            "overwritten": data[:cut] + garbage + data[cut + len(garbage):],
            "json": b'{"width": "x", "sha256": 5, "' + garbage.hex().encode() + b'": [7]}'}[how]


DAMAGE = dict(how=st.sampled_from(["empty", "cut", "garbage", "overwritten", "json"]),
              at=st.floats(0, 1), garbage=st.binary(min_size=1, max_size=64))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(key=st.sampled_from(["photo png", "photo jpeg", "font"]), **DAMAGE)
def test_damaged_photos_and_fonts_render_or_are_named(tmp_path_factory, key, how, at, garbage):
    """Generated: a photo or edition font cut short or overwritten anywhere. Either it
    still renders, or the error names the file; never another exception or a hang."""
    folder = tmp_path_factory.mktemp("damaged") / "ed"
    name = {"photo png": "p.png", "photo jpeg": "p.jpg", "font": "fonts/tiny.ttf"}[key]
    good = {"photo png": png, "photo jpeg": jpeg, "font": tiny_font}[key]()
    path = edition(folder, **({"photo": name} if key != "font" else {}))
    (folder / name).write_bytes(damaged(good, how, at, garbage))
    with time_limit(60):
        try:
            render(Options(path, folder / "out.pdf", workers=1))
        except InputError as exc:
            message = str(exc)
            # damage found while composing is placed at the element; damage found only
            # when the PDF writer decodes the photo names the photo file alone
            assert message.startswith((f"{path}:14:9: page 1, element 2 (photo): {name}: cannot read image",
                                       f"{folder / name}: cannot read image", f"{path}:5:1: font for role")), message
            assert Path(name).name in message, message
        else:
            assert (folder / "out.pdf").read_bytes().startswith(b"%PDF-")


def cache_edition(folder: Path) -> Path:
    """An edition that goes through every cache: a face of a collection by family name
    (the face index cache) and a PNG photo (the photo conversion cache)."""
    path = edition(folder)
    (folder / "fonts" / "tiny.ttc").write_bytes(tiny_collection())
    text = path.read_text(encoding="utf-8").replace('"fonts/tiny.ttf"]', '"fonts/tiny.ttc#TinyB"]')
    path.write_text(text, encoding="utf-8")
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(pick=st.integers(0, 1000), **DAMAGE)
def test_a_damaged_cache_is_made_again_not_trusted(tmp_path_factory, monkeypatch, pick, how, at, garbage):
    """Generated: any file of a filled cache cut short, emptied or overwritten. The
    render gives the same bytes as with a sound cache."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("PAIBAN_CACHE", str(cache))
    folder = tmp_path_factory.mktemp("ed") / "ed"
    path = cache_edition(folder)
    render(Options(path, folder / "clean.pdf", workers=1))
    entries = sorted(p for p in cache.rglob("*") if p.is_file())
    assert {p.suffix for p in entries} >= {".json", ".jpg"}, entries
    victim = entries[pick % len(entries)]
    victim.write_bytes(damaged(victim.read_bytes(), how, at, garbage))
    with time_limit(60):
        render(Options(path, folder / "again.pdf", workers=1))
    assert (folder / "again.pdf").read_bytes() == (folder / "clean.pdf").read_bytes(), victim.name


def test_a_face_cache_that_names_a_face_the_file_lacks(tmp_path, monkeypatch):
    """faces.json said face 7 of a two-face collection: that is the cache's fault, not
    the stories' (they were reported as missing every character)."""
    import json

    cache = tmp_path / "cache"
    monkeypatch.setenv("PAIBAN_CACHE", str(cache))
    path = cache_edition(tmp_path / "ed")
    render(Options(path, tmp_path / "clean.pdf", workers=1))
    known = json.loads((cache / "faces.json").read_text())
    (cache / "faces.json").write_text(json.dumps({key: 7 for key in known}))
    render(Options(path, tmp_path / "again.pdf", workers=1))
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "clean.pdf").read_bytes()


def unprivileged() -> list[str]:
    """A command prefix under which file permissions hold: root keeps its uid but
    loses the capabilities that let it read and write past them."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"]


def foreign(path: Path, mode: int) -> None:
    """Make a file or folder another user's (as root), or at least not ours to use."""
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)
        os.chmod(path, mode)
    else:
        os.chmod(path, mode & 0o7077 & ~0o077 if path.is_dir() else 0)


@pytest.mark.parametrize("case", ["another user's cache, files 0600", "a read-only cache",
                                  "and no user cache either"])
def test_a_cache_that_cannot_be_used_only_costs_time(tmp_path, case):
    cache, user = tmp_path / "cache", tmp_path / "user"
    path = cache_edition(tmp_path / "ed")
    env = {"PAIBAN_CACHE": str(cache), "XDG_CACHE_HOME": str(user)}
    assert cli(path, "-o", tmp_path / "clean.pdf", env={"PAIBAN_CACHE": str(tmp_path / "other")}).returncode == 0
    if case == "another user's cache, files 0600":
        assert cli(path, "-o", tmp_path / "fill.pdf", env=env).returncode == 0
        for item in cache.rglob("*"):
            foreign(item, 0o755 if item.is_dir() else 0o600)
    else:
        cache.mkdir()
    foreign(cache, 0o755)
    if case == "and no user cache either":
        user.mkdir()
        foreign(user, 0o755)
    result = subprocess.run([*unprivileged(), sys.executable, str(REPO / "render.py"), str(path), "-o",
                             str(tmp_path / "out.pdf")], capture_output=True, timeout=120,
                            env=dict(os.environ, PAIBAN_SERVER="0", **env))
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    assert (tmp_path / "out.pdf").read_bytes() == (tmp_path / "clean.pdf").read_bytes()
    # fonts are subset from their files: no copy of one is made anywhere
    assert not [p for folder in (cache, user) if folder.exists() for p in folder.rglob("*.ttf")]


@pytest.mark.parametrize("entry", ["/etc/passwd", "../outside-font", "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"])
def test_a_font_file_outside_the_root_is_refused_whatever_its_name(tmp_path, entry):
    path = edition(tmp_path / "ed")
    (tmp_path / "outside-font").write_bytes(tiny_font())
    path.write_text(path.read_text(encoding="utf-8").replace('"fonts/tiny.ttf"]', f'"{entry}"]'), encoding="utf-8")
    with pytest.raises(InputError, match=f"5:1: font file '{entry}' is outside the edition folder"):
        render(Options(path, tmp_path / "out.pdf", workers=1))
