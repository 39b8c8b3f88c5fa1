"""Tibetan on our pages is drawn as HarfBuzz shapes it: compare with `hb-view`.

Each line is set by the engine (prepare -> lines -> display list -> PDF) and compared
with hb-view's PDF of the same text, font and size, both rasterized by pdfium, with the
origins aligned to a quarter pixel. Softened edges may differ a little; misplaced vowel
signs or broken stacks differ a lot (a control test shows the check can fail).
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat

from conftest import SAMPLE, SHARED

from layout.lines.display import Cluster, GlyphRun, PageOut
from layout.fonts.faces import load_fontset, read_manifest
from layout.lines.linebreak import Widths
from layout.lines.justify import set_lines
from layout.edition.loader import load_edition
from layout.output.pdf import PdfWriter
from layout.lines.prepare import Composition, prepare
from layout.text.shape import Shaper

# Pixels per point. At about 100 pixels per em, rasterizer hinting (pdfium hints
# TrueType glyphs at small sizes, cairo's glyphs are plain paths) no longer moves stems
# by half pixels; the positions being checked are those of the PDF at the given size.
SCALE = 10
HB_MARGIN = 800  # hb-view's margin, in its units (1000 per em)
TOLERANCE = 0.06  # difference allowed, as a share of hb-view's ink (good lines: 0.005-0.04)


def _binary(img: Image.Image) -> Image.Image:
    """Ink as white on black, softened by 1 px: the two rasterizers place glyphs at
    different sub-pixel positions, which should not count as a difference."""
    return ImageOps.invert(img.convert("L")).filter(ImageFilter.GaussianBlur(1.0))


def _count(img: Image.Image) -> float:
    return ImageStat.Stat(img).sum[0]


def _window(img: Image.Image, origin: tuple[float, float], box) -> Image.Image:
    """The part of `img` at `box` (left, top, right, bottom, relative to the pen origin)."""
    ox, oy = round(origin[0]), round(origin[1])
    return img.crop((ox + box[0], oy + box[1], ox + box[2], oy + box[3]))


def _mismatch(ours: Image.Image, ours_origin, theirs: Image.Image, theirs_origin) -> float:
    """Share of hb-view's ink pixels that differ from ours, origins aligned, best over
    shifts of up to 1 px. The window is hb-view's ink box: hb-view 6 clips marks that
    rise above 1 em (its clip path ends there), so taller ink of ours is not compared."""
    bbox = theirs.point(lambda v: 255 if v > 64 else 0).getbbox()
    assert bbox, "hb-view drew nothing"
    ox, oy = round(theirs_origin[0]), round(theirs_origin[1])
    box = (bbox[0] - ox - 1, bbox[1] - oy, bbox[2] - ox + 1, bbox[3] - oy + 1)
    ref = _window(theirs, theirs_origin, box)
    ink = max(_count(ref), 1)
    best = 1.0
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            mine = _window(ours, (ours_origin[0] + dx, ours_origin[1] + dy), box)
            best = min(best, _count(ImageChops.difference(ref, mine)) / ink)
    return best


def _hbview(font: str, size: float, text: str, tmp: Path, ascender: float):
    """hb-view's rendering and its pen origin (baseline start) in pixels. hb-view sets
    text at 1 em = 1000 units (so it rounds no position), as PDF; pdfium rasterizes it
    at our size, like ours, so only the glyph placement can differ."""
    import pypdfium2 as pdfium

    out = tmp / "hb.pdf"
    subprocess.run(["hb-view", f"--font-file={font}", "--font-size=1000", f"--margin={HB_MARGIN}",
                    "--script=tibt", "--language=bo", "-O", "pdf", "-o", str(out), f"--text={text}"],
                   check=True)
    factor = size * SCALE / 1000
    doc = pdfium.PdfDocument(str(out))
    try:
        image = _binary(doc[0].render(scale=factor).to_pil())
    finally:
        doc.close()
    return image, (HB_MARGIN * factor, (HB_MARGIN + ascender * 1000) * factor)


def _ours(run: GlyphRun, size: float, width: float, tmp: Path, phase=(0.0, 0.0)):
    """Our rendering (engine -> PDF -> pdfium) and its pen origin in pixels; `phase`
    moves the origin by a fraction of a pixel."""
    import pypdfium2 as pdfium

    left = size + phase[0] / SCALE
    base = size * 2 + phase[1] / SCALE
    page = PageOut(1, width + 2 * size, size * 3.5, (run.moved(left, base),))
    pdf = tmp / "ours.pdf"
    pdf.write_bytes(PdfWriter().write([page]))
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return _binary(doc[0].render(scale=SCALE).to_pil()), (left * SCALE, base * SCALE)
    finally:
        doc.close()


def _compare(run: GlyphRun, size: float, width: float, text: str, tmp: Path) -> float:
    shaper = Shaper()
    m = shaper.metrics(run.face)
    theirs, o2 = _hbview(run.face.path, size, text, tmp, m.ascender / m.upem)
    best = 1.0
    for px in (0.0, 0.5):
        for py in (0.0, 0.5):
            ours, o1 = _ours(run, size, width, tmp, (px, py))
            best = min(best, _mismatch(ours, o1, theirs, o2))
    return best




def _tibetan_roles() -> dict[str, str]:
    """Every Tibetan face of the manifest (first in some role's Tibetan chain), with a
    role that sets Tibetan in it: each is held to hb-view."""
    out: dict[str, str] = {}
    for role, chains in read_manifest()["roles"].items():
        if chains.get("tibetan"):
            out.setdefault(chains["tibetan"][0], role)
    return out


ROLES = sorted(_tibetan_roles().items())
FACE_IDS = [face for face, _ in ROLES]


def _lines(text: str, size: float, role: str = "tibetan-body", width: float = 1.0):
    shaper = Shaper()
    prepared = prepare(text, role, size, 0.0, load_fontset(), shaper, options=Composition(width=width))
    return set_lines(prepared, Widths.uniform(1e6), shaper, align="start")


def test_every_tibetan_face_is_compared():
    assert {"serif-bo", "serif-bo-bold", "bo-machine"} <= set(FACE_IDS)


def _sample_tibetan() -> list[str]:
    edition = load_edition(SAMPLE)
    paragraphs = [b.text for b in edition.stories["bo-service"].blocks]
    # the masthead line and whole phrases of the sample story, one line each
    return [edition.source.paper.name_bo] + [p.split("། ")[0] + "།" for p in paragraphs[:2]]


@pytest.mark.parametrize("face,role", ROLES, ids=FACE_IDS)
@pytest.mark.parametrize("size", [10, 24])
def test_sample_tibetan_matches_hbview(size, face, role, tmp_path):
    for text in _sample_tibetan():
        lines = _lines(text, size, role)
        assert len(lines) == 1 and len(lines[0].runs) == 1
        assert _compare(lines[0].runs[0], size, lines[0].natural, text, tmp_path) < TOLERANCE, text


def test_comparison_catches_misplaced_vowels(tmp_path):
    """The check can fail: glyphs shaped without mark positioning (as a naive shaper
    would draw them) do not pass."""
    size = 10
    text = "བསྐྱོད་པའི་ལས་འགུལ་སྤེལ་ཡོད།"
    lines = _lines(text, size)
    good = lines[0].runs[0]
    shaper = Shaper()
    scale = size / shaper.metrics(good.face).upem
    off = (("mark", False), ("mkmk", False), ("abvm", False), ("blwm", False))
    glyphs = shaper.shape(good.face, text, "Tibt", "bo", off)
    x, positions = 0.0, []
    for g in glyphs:
        positions.append((x, 0.0))
        x += g.advance * scale
    bad = GlyphRun(good.face, size, 0, 0, tuple(g.gid for g in glyphs), tuple(positions),
                   tuple(g.advance * scale for g in glyphs), (Cluster(0, len(glyphs), text),))
    assert _compare(good, size, lines[0].natural, text, tmp_path) < TOLERANCE
    assert _compare(bad, size, x, text, tmp_path) > 2 * TOLERANCE


@pytest.mark.parametrize("face,role", ROLES, ids=FACE_IDS)
@pytest.mark.parametrize("size", [10, 24])
def test_corpus_lines_match_hbview(size, face, role, tmp_path):
    corpus = SHARED / "corpus" / "tibetan" / "tibettimes_2016.txt"
    body = [l for l in corpus.read_text(encoding="utf-8").splitlines() if l and not l.startswith("#")][0]
    for phrase in body.split("། ")[:4]:
        text = phrase.strip()[:40]
        lines = _lines(text, size, role)
        assert _compare(lines[0].runs[0], size, lines[0].natural, text, tmp_path) < TOLERANCE, text


@pytest.mark.parametrize("width", [0.8, 1.25])
def test_condensed_tibetan_matches_scaled_hbview(width, tmp_path):
    """长体/扁体: a Tibetan line set at a width is hb-view's line scaled along x, marks
    and subjoined letters included (their offsets scale with the advances); the same
    line left unscaled does not match, so the check can fail."""
    size = 24
    text = _sample_tibetan()[1]
    run = _lines(text, size, width=width)[0].runs[0]
    assert run.hscale == width
    plain = _lines(text, size)[0].runs[0]
    m = Shaper().metrics(run.face)
    theirs, origin = _hbview(run.face.path, size, text, tmp_path, m.ascender / m.upem)
    theirs = theirs.resize((round(theirs.width * width), theirs.height), Image.LANCZOS)
    origin = (origin[0] * width, origin[1])
    natural = run.positions[-1][0] + run.advances[-1]

    def best(r):
        return min(_mismatch(*_ours(r, size, natural, tmp_path, (px, py)), theirs, origin)
                   for px in (0.0, 0.5) for py in (0.0, 0.5))

    assert best(run) < TOLERANCE
    assert best(plain) > 2 * TOLERANCE
