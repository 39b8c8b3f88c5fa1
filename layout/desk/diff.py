"""What changed since the last proof (`render.py EDITION --diff REV`): the edition as it
is against the same edition at a git revision, or against an earlier PDF of it.

Both sides are composed by this engine, so what differs is the edition's doing: the
pages whose display lists differ, the elements the designer changed (by the edition
file's line), the stories whose text changed or that re-flowed (other pages, other line
counts, other overset), and a picture per changed page, the old and the new side by
side with the changed regions outlined. An earlier PDF gives only what a PDF can: the
pages whose pictures or text differ, and the pictures."""
from __future__ import annotations

import dataclasses
import io
import subprocess
import tempfile
from pathlib import Path

from .. import api
from ..base.errors import InputError
from ..base.files import Inputs, write_atomically
from ..output.trace import trace

MARK = (220, 0, 0)  # the outline of a changed region
TILE = 8  # px: the grid the changed regions are found on


@dataclasses.dataclass
class Side:
    """One render of the edition: what --diff compares."""
    pages: list[str]  # each page's display list as text (layout/output/trace.py)
    pictures: list  # Pillow images, one per page
    texts: list[str]  # each page's extracted text (for an earlier PDF)
    elements: list[tuple] = dataclasses.field(default_factory=list)  # per page: its elements
    places: dict = dataclasses.field(default_factory=dict)  # (page, element) -> Where
    stories: dict = dataclasses.field(default_factory=dict)  # name -> paragraph texts
    copyfit: dict = dataclasses.field(default_factory=dict)  # name -> Copyfit
    inputs: Inputs | None = None  # the files the render read: the pictures never replace one


@dataclasses.dataclass
class Change:
    pages: list[int]
    elements: list[str]
    stories: list[str]
    pictures: list[Path]

    def lines(self, against: str) -> list[str]:
        out = [f"changes against {against}:"]
        out.append("pages changed: " + (", ".join(str(p) for p in self.pages) if self.pages else "none"))
        out += [f"  {line}" for line in self.elements]
        out += [f"  {line}" for line in self.stories]
        out += [f"picture: {path}" for path in self.pictures]
        return out


def diff(options: api.Options, against: str, dpi: float = 50.0) -> Change:
    """Compare the edition now with `against`: a git revision, or a PDF file."""
    new = _render(options.edition, options.allow_paths, dpi)
    earlier = Path(against)
    if earlier.suffix.lower() == ".pdf" and earlier.is_file():
        old = _from_pdf(earlier.read_bytes(), dpi)
    else:
        with tempfile.TemporaryDirectory(prefix="paiban-diff-") as tmp:
            edition, allow = _checkout(options.edition, options.allow_paths, against, Path(tmp))
            old = _render(edition, allow, dpi)
    return _compare(old, new, options, against)


def _render(edition: Path, allow: tuple[Path, ...], dpi: float) -> Side:
    ed, fonts = api.load(edition, allow)
    pages, report, setter = api._compose(ed, fonts, None, None, 1)
    base = Path(ed.base_dir)
    texts = [trace([page], base) for page in pages]
    inputs = api._inputs(ed, fonts)
    result = api.finish(api.Options(edition, api.STDOUT), ed, pages, report, setter, inputs)
    pictures, _ = _pictures(result.data, dpi)
    stories = {name: tuple(b.text for b in story.blocks) for name, story in ed.stories.items()}
    return Side(texts, pictures, [], [tuple(p.elements) for p in ed.source.pages], dict(ed.places), stories,
                {row.story: row for row in report.copyfit}, inputs)


def _from_pdf(data: bytes, dpi: float) -> Side:
    try:
        pictures, texts = _pictures(data, dpi)
    except Exception as exc:  # pdfium's own error: a file that is no PDF, or a broken one
        raise InputError(f"--diff: the earlier PDF cannot be read ({type(exc).__name__})",
                         hint="give a PDF this engine wrote, or a git revision") from None
    return Side([], pictures, texts)


def _pictures(pdf: bytes, dpi: float) -> tuple[list, list[str]]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        pictures, texts = [], []
        for i in range(len(doc)):
            page = doc[i]
            pictures.append(page.render(scale=dpi / 72).to_pil().convert("RGB"))
            texts.append(page.get_textpage().get_text_range())
        return pictures, texts
    finally:
        doc.close()


def _checkout(edition: Path, allow: tuple[Path, ...], rev: str, into: Path) -> tuple[Path, tuple[Path, ...]]:
    """The edition's folder (and the folders it may read) as they were at `rev`, written
    under `into` at the same places relative to the repository."""
    edition = edition.resolve()
    top = _git(edition.parent, "rev-parse", "--show-toplevel").strip()
    if not top:
        raise InputError(f"--diff {rev}: {edition.parent.name} is not in a git repository",
                         hint="give an earlier PDF instead: --diff out/old.pdf")
    root = Path(top).resolve()
    folders = [edition.parent, *(p.resolve() for p in allow)]
    for folder in folders:
        if not folder.is_relative_to(root):
            raise InputError(f"--diff {rev}: {folder.name} is outside the edition's repository",
                             hint="keep the edition and the folders it reads in one repository")
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    if not commit:
        raise InputError(f"--diff {rev}: no such revision in the repository",
                         hint="give a commit, a branch, a tag (HEAD~1), or an earlier PDF")
    for folder in folders:
        rel = folder.relative_to(root).as_posix() or "."
        names = _git(root, "ls-tree", "-r", "-z", "--name-only", commit, "--", rel).split("\0")
        for name in filter(None, names):
            blob = subprocess.run(["git", "-C", str(root), "cat-file", "blob", f"{commit}:{name}"],
                                  capture_output=True, check=True).stdout
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob)
    moved = into / edition.relative_to(root)
    if not moved.is_file():
        raise InputError(f"--diff {rev}: {edition.name} did not exist at {rev}",
                         hint="give a revision where the edition exists")
    return moved, tuple(into / p.resolve().relative_to(root) for p in allow)


def _git(where: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True)
    except FileNotFoundError:
        raise InputError("--diff needs git to read an earlier revision", hint="install git, or give an earlier PDF") \
            from None
    return done.stdout if done.returncode == 0 else ""


def _compare(old: Side, new: Side, options: api.Options, against: str) -> Change:
    count = max(len(old.pictures), len(new.pictures))
    pages = []
    for i in range(count):
        if i >= len(old.pictures) or i >= len(new.pictures):
            pages.append(i + 1)
        elif old.pages and new.pages:
            if old.pages[i] != new.pages[i]:
                pages.append(i + 1)
        elif old.pictures[i].tobytes() != new.pictures[i].tobytes() or (
                old.texts and i < len(old.texts) and old.texts[i] != new.texts[i] if new.texts else False):
            pages.append(i + 1)
    elements = _elements(old, new, options.edition)
    stories = _stories(old, new)
    pictures = []
    out_dir = Path(options.output).parent if options.output != api.STDOUT else Path("out")
    stem = options.edition.resolve().parent.name
    for number in pages:
        a = old.pictures[number - 1] if number <= len(old.pictures) else None
        b = new.pictures[number - 1] if number <= len(new.pictures) else None
        path = out_dir / f"{stem}-diff-p{number:02d}.png"
        buf = io.BytesIO()
        _side_by_side(a, b).save(buf, "PNG")
        write_atomically(path, buf.getvalue(), new.inputs)
        pictures.append(path)
    return Change(pages, elements, stories, pictures)


def _elements(old: Side, new: Side, edition: Path) -> list[str]:
    """The elements the designer changed, added or removed, by page and edition line."""
    out = []
    name = edition.name
    for pi in range(max(len(old.elements), len(new.elements))):
        a = old.elements[pi] if pi < len(old.elements) else ()
        b = new.elements[pi] if pi < len(new.elements) else ()
        for k in range(max(len(a), len(b))):
            ea = a[k] if k < len(a) else None
            eb = b[k] if k < len(b) else None
            if ea == eb:
                continue
            where = new.places.get((pi + 1, k + 1)) or old.places.get((pi + 1, k + 1))
            at = f"{name}:{where.line}" if where is not None and where.line else name
            what = "added" if ea is None else "removed" if eb is None else "changed"
            kind = (eb or ea).type
            label = getattr(eb or ea, "story", None) or (getattr(eb or ea, "text", "") or "")[:16]
            out.append(f"page {pi + 1}, element {k + 1} ({kind}{' ' + label if label else ''}) {what}: {at}")
    return out


def _stories(old: Side, new: Side) -> list[str]:
    """Stories whose text changed, and those that re-flowed: other pages, other line
    counts, other overset."""
    out = []
    for name in sorted(set(old.stories) | set(new.stories)):
        a, b = old.stories.get(name), new.stories.get(name)
        if a is None or b is None:
            out.append(f"story {name} {'added' if a is None else 'removed'}")
            continue
        notes = []
        if a != b:
            changed = sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))
            notes.append(f"text changed ({changed} paragraph{'s' if changed != 1 else ''})")
        fa, fb = old.copyfit.get(name), new.copyfit.get(name)
        if fa is not None and fb is not None:
            if fa.pages != fb.pages:
                notes.append(f"re-flowed: pages {_pages(fa.pages)} -> {_pages(fb.pages)}")
            elif fa.lines_used != fb.lines_used:
                notes.append(f"re-flowed: {fa.lines_used} -> {fb.lines_used} lines")
            if fa.overset_chars != fb.overset_chars:
                notes.append(f"overset {fa.overset_chars} -> {fb.overset_chars} characters")
        if notes:
            out.append(f"story {name}: " + "; ".join(notes))
    return out


def _pages(pages: tuple[int, ...]) -> str:
    return ", ".join(str(p) for p in pages) or "none"


def _regions(a, b) -> list[tuple[int, int, int, int]]:
    """Rectangles (left, top, right, bottom) around the pixels that differ, found on a
    grid of TILE px and joined where tiles touch."""
    from PIL import Image, ImageChops

    diff = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 24 else 0)
    cols, rows = (a.width + TILE - 1) // TILE, (a.height + TILE - 1) // TILE
    padded = Image.new("L", (cols * TILE, rows * TILE), 0)
    padded.paste(diff, (0, 0))
    small = padded.resize((cols, rows), Image.Resampling.BOX)  # a tile's mean: > 0 if any pixel differs
    on = {(x, y) for y in range(rows) for x in range(cols) if small.getpixel((x, y)) > 0}
    regions = []
    while on:
        stack = [on.pop()]
        x0 = x1 = stack[0][0]
        y0 = y1 = stack[0][1]
        while stack:
            x, y = stack.pop()
            x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    n = (x + dx, y + dy)
                    if n in on:
                        on.remove(n)
                        stack.append(n)
        regions.append((x0 * TILE, y0 * TILE, min((x1 + 1) * TILE, a.width), min((y1 + 1) * TILE, a.height)))
    return sorted(regions)


def outlined(old, new):
    """The new page with the regions that differ from the old one outlined (the live
    preview's view of the changes since the last proof)."""
    from PIL import Image, ImageDraw

    old = old or Image.new("RGB", new.size, "white")
    if old.size != new.size:
        old = old.resize(new.size)
    out = new.convert("RGB")
    draw = ImageDraw.Draw(out)
    for x0, y0, x1, y1 in _regions(old, out):
        draw.rectangle((x0 - 2, y0 - 2, x1 + 1, y1 + 1), outline=MARK, width=2)
    return out


def _side_by_side(a, b):
    """The old page left, the new right, the changed regions outlined on both."""
    from PIL import Image, ImageDraw

    blank = a or b
    a = a or Image.new("RGB", blank.size, "white")
    b = b or Image.new("RGB", blank.size, "white")
    if a.size != b.size:
        b = b.resize(a.size)
    regions = _regions(a, b)
    gap = 12
    out = Image.new("RGB", (a.width * 2 + gap, a.height), (128, 128, 128))
    out.paste(a, (0, 0))
    out.paste(b, (a.width + gap, 0))
    draw = ImageDraw.Draw(out)
    for x0, y0, x1, y1 in regions:
        for dx in (0, a.width + gap):
            draw.rectangle((x0 + dx - 2, y0 - 2, x1 + dx + 1, y1 + 1), outline=MARK, width=2)
    return out
