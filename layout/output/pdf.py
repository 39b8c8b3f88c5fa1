"""Display list -> PDF bytes. The only module that imports ReportLab.

Text is drawn as the glyph ids HarfBuzz chose, with their positions, through Type0
(Identity-H) fonts whose subsets we embed ourselves, CFF outlines as CFF (CIDFontType0,
FontFile3 /CIDFontType0C) and glyf outlines as TrueType (CIDFontType2, FontFile2):
ReportLab's own font path maps characters, not glyphs, cannot show Tibetan stacks and
embeds only TrueType. Extraction:
a ToUnicode CMap for glyphs that stand for one fixed text, and /ActualText spans for
clusters it cannot describe (Tibetan stacks drawn as several glyphs).

A supplied PDF page (Artwork) comes read (edition/supplied: plain values, its indirect
objects listed once); it is written as a Form XObject whose content is the page's, and
whose resources are its objects translated one by one into ReportLab's low-level pdfdoc
objects, each once per file however often it is reached or placed.
"""
from __future__ import annotations

import hashlib
import io
import queue
import struct
import threading
import zlib

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen import canvas as rl_canvas

from ..lines.display import Artwork, Cluster, GlyphRun, Image, PageOut, Panel, Rule, Shape, Tag
from ..edition.supplied import Name, Real, Ref, Stream
from ..base.errors import InputError, Where
from ..base.scripts import language, script_of
from ..fonts.faces import Face
from ..fonts.embed import BadFont, FontFile, Program


def _n(v: float) -> str:
    """Numbers with fixed precision: same input, same bytes."""
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _separation(color: str):
    """spot(NAME, c, m, y, k) as ReportLab's Separation colour (CMYK alternate)."""
    from reportlab.lib.colors import CMYKColorSep

    name, *values = [v.strip() for v in color[5:-1].split(",")]
    c, m, y, k = (int(v) / 100 for v in values)
    return CMYKColorSep(c, m, y, k, spotName=name)


def _color(color: str, stroke: bool = False) -> str:
    """The colour operator: DeviceGray for black (rich-black too: the press pass makes
    it four inks where it may be), white and greys, DeviceCMYK for cmyk(...), DeviceRGB
    for rgb(...), which only a screen render keeps (the press pass converts it)."""
    if color.startswith("rgb("):
        r, g, b = (int(v) / 255 for v in color[4:-1].split(","))
        return f"{_n(r)} {_n(g)} {_n(b)} {'RG' if stroke else 'rg'}"
    if color.startswith("spot("):  # rules and boxes: the CMYK look-alike
        color = "cmyk(" + color[5:-1].split(",", 1)[1] + ")"
    if color.startswith("cmyk("):
        c, m, y, k = (int(v) / 100 for v in color[5:-1].split(","))
        return f"{_n(c)} {_n(m)} {_n(y)} {_n(k)} {'K' if stroke else 'k'}"
    level = {"black": 0.0, "white": 1.0}.get(color)
    if level is None:
        level = 1.0 - int(color[4:]) / 100 if color.startswith("gray") and color[4:].isdigit() else 0.0
    return f"{_n(level)} {'G' if stroke else 'g'}"


class _FontPlan:
    """What the document shows of one face: glyphs used and the text each stands for."""

    def __init__(self, face: Face, name: str):
        self.face = face
        self.name = name
        self.gids: set[int] = set()
        self.to_unicode: dict[int, str] = {}
        self.vertical = False  # drawn in a vertical column too: a second, Identity-V font


def _plan_fonts(pages: list[PageOut]) -> dict[Face, _FontPlan]:
    plans: dict[Face, _FontPlan] = {}
    for page in pages:
        for item in page.items:
            if not isinstance(item, GlyphRun):
                continue
            plan = plans.get(item.face)
            if plan is None:
                plan = plans[item.face] = _FontPlan(item.face, f"PB{len(plans) + 1}")
            plan.gids.update(item.gids)
            plan.vertical = plan.vertical or item.vertical
            for c in item.clusters:
                if c.count == 1:
                    plan.to_unicode.setdefault(item.gids[c.first], c.text)
    return plans


def _second(pair):
    return pair[1]


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


class _Canvas(rl_canvas.Canvas):
    """ReportLab's canvas without its initial Helvetica: every font in our files is
    one we embed."""

    def _make_preamble(self):
        self._preamble = "1 0 0 1 0 0 cm"


class PdfWriter:
    """Writes pages to PDF bytes, drawing what the display list says and nothing more:
    photos come prepared (images.prepare_pages) and colours decided (marks.press_pages)
    before. With an output intent (profile.OutputIntent) the file is marked PDF/X for
    that press. Holds parsed font files, so a process that renders several times reads
    each font once."""

    def __init__(self, intent=None) -> None:
        self._sources: dict[Face, FontFile] = {}
        self.intent = intent

    def source(self, face: Face) -> FontFile:
        src = self._sources.get(face)
        if src is None:
            try:
                src = self._sources[face] = FontFile.open(face.path, face.index)
            except OSError as exc:
                raise InputError(f"cannot read font file: {exc.strerror or exc}", Where(face.path)) from None
        return src

    def write(self, pages: list[PageOut], title: str = "") -> bytes:
        # ReportLab wraps compressed page streams in ASCII85 by default: a quarter larger
        # and slower to write, for 7-bit transports nobody uses. Off while we write.
        saved = rl_config.useA85
        rl_config.useA85 = 0
        try:
            return self._write(pages, title)
        except BadFont as exc:  # a font file is damaged
            raise InputError(f"font file is damaged: {exc}", Where(exc.path or "?"),
                             "install or copy the font again") from None
        finally:
            rl_config.useA85 = saved

    def _write(self, pages: list[PageOut], title: str) -> bytes:
        self._forms: dict[tuple[Face, int], str] = {}
        self._images: dict[tuple, str] = {}
        self._artwork: dict[str, str] = {}
        self._copied: dict[tuple[str, int], object] = {}  # (page read, object) -> its reference
        out = io.BytesIO()
        c = _Canvas(out, invariant=1, pageCompression=1)
        c.setTitle(title)
        c.setCreator("paiban")
        c.setProducer("paiban")
        plans = _plan_fonts(pages)
        self._struct = _Structure()
        # A second thread makes the font programs (subset, then deflate) and deflates
        # each page's stream while this one draws the next page: zlib lets go of the
        # GIL, so on two cores the compression overlaps the drawing.
        jobs = [(self.source(plan.face), sorted(plan.gids | {0})) for plan in plans.values()]
        # the largest subsets first: their deflating (no GIL) then overlaps the drawing
        order = sorted(range(len(jobs)), key=lambda k: -len(jobs[k][1]))
        helper = _Helper()
        for k in order:
            helper.put(_font_program, *jobs[k])
        streams = []
        try:
            for k, page in enumerate(pages):
                self._draw_page(c, page, plans, k)
                done = c._doc.Pages.pages[-1]  # ReportLab's page, with its stream text
                done.StructParents = k  # (its key in the structure's parent tree)
                done.__NoDefault__ = _PAGE_KEYS
                streams.append(done)
                helper.put(_deflate, done.stream)
        finally:
            results = helper.finish()
        if results is None:  # the helper failed: do it all here, where errors are raised
            results = [_font_program(*jobs[k]) for k in order] + [_deflate(p.stream) for p in streams]
        programs = dict(zip(order, results))
        for k, plan in enumerate(plans.values()):
            self._embed(c, plan, *programs[k])
        for page, packed in zip(streams, results[len(jobs):]):
            page.Contents = pdfdoc.PDFStream(pdfdoc.PDFDictionary({"Filter": pdfdoc.PDFName("FlateDecode")}),
                                             packed, filters=[])
        if self.intent is not None:
            self._output_intent(c)
        self._struct.finish(c._doc)
        c.save()
        return out.getvalue()

    def _draw_page(self, c, page: PageOut, plans: dict, index: int) -> None:
        off = page.bleed + page.slug
        c.setPageSize((page.width + 2 * off, page.height + 2 * off))
        if off:
            b = off - page.bleed
            c.setTrimBox((off, off, off + page.width, off + page.height))
            c.setBleedBox((b, b, b + page.width + 2 * page.bleed, b + page.height + 2 * page.bleed))
            c.addLiteral(f"q 1 0 0 1 {_n(off)} {_n(off)} cm")
        else:
            c.setTrimBox((0, 0, page.width, page.height))
            c.setBleedBox((0, 0, page.width, page.height))
        # each drawn item inside marked content: the items of one tag in a row share
        # one (a paragraph's lines in a column), untagged ones are artifacts
        struct = self._struct
        struct.page(c._doc.thisPageRef())
        mark = _CLOSED  # the key of the marked content open
        key = None
        last, last_kind = _CLOSED, None  # the tag object and item type the key was made for
        text = None  # the open element's text: its runs' clusters
        for item in page.items:
            kind = type(item)
            if kind is GlyphRun or kind is Image or kind is Artwork:
                tag = item.tag
                if tag is not last or kind is not last_kind:  # (a line's runs share one tag)
                    last, last_kind = tag, kind
                    # an element's number is its page's; a picture is a figure of its own
                    key = None if tag is None else (index if tag.element else -1, tag, kind is not GlyphRun)
            elif kind is Rule or kind is Panel or kind is Shape:
                key, last = None, _CLOSED
            else:
                continue  # (a Source: nothing drawn)
            if key is not mark and key != mark:
                if mark is not _CLOSED:
                    c.addLiteral("EMC")
                bdc, text = struct.begin(key)
                c.addLiteral(bdc)
                mark = key
            if text is not None and kind is GlyphRun:
                text.append(item.clusters)
            if isinstance(item, GlyphRun):
                self._glyph_run(c, page, item, plans[item.face])
            elif isinstance(item, Image):
                self._image(c, page, item)
            elif isinstance(item, Artwork):
                self._art(c, page, item)
            elif isinstance(item, Rule):
                self._rule(c, page, item)
            elif isinstance(item, Panel):
                self._rect(c, page, item)
            elif isinstance(item, Shape):
                self._shape(c, page, item)
        if mark is not _CLOSED:
            c.addLiteral("EMC")
        if off:
            c.addLiteral("Q")
        c.showPage()

    # ---- drawing ----

    def _glyph_run(self, c, page: PageOut, run: GlyphRun, plan: _FontPlan) -> None:
        src = self.source(run.face)
        self._tc = "0"
        size = run.size
        k = 1000.0 / src.units_per_em
        color = run.color
        # a vertical column's glyphs are drawn in the face's Identity-V font (writing
        # mode 1), so that extractors read the column as one line, top to bottom
        name = plan.name + "V" if run.vertical else plan.name
        if color.startswith("spot("):
            c.setFillColor(_separation(color))  # ReportLab registers the colour space
            ops = [f"BT /{name} {_n(size)} Tf"]
        else:
            ops = [f"BT /{name} {_n(size)} Tf {_color(color)}"]
        # glyphs that stand for no text (T8 padding) are drawn as shapes, not text, so
        # that no extractor reports them; a cluster whose glyphs the ToUnicode map cannot
        # spell gets an ActualText span; the rest go out as plain TJ segments
        to_unicode = plan.to_unicode
        gids = run.gids
        shapes: list[int] = []
        plain: list[int] = []
        for first, count, text in run.clusters:
            if not count:
                continue
            if not text:
                shapes.extend(range(first, first + count))
                continue
            if count == 1:
                if to_unicode.get(gids[first]) == text:
                    plain.append(first)
                    continue
            elif "".join(to_unicode.get(g, "\ufffd") for g in gids[first:first + count]) == text:
                plain.extend(range(first, first + count))
                continue
            if plain:
                self._segments(ops, page, run, src, plain)
                plain = []
            end = first + count
            ops.append(f"/Span <</ActualText <FEFF{_utf16_hex(text)}>>> BDC")
            scale = k * size / 1000.0 * run.hscale
            right = max(range(first, end), key=lambda g: (run.positions[g][0] + src.advance(gids[g]) * scale, -g))
            self._segments(ops, page, run, src, list(range(first, end)))
            if right != end - 1:
                # extractors end the span at its last glyph; repeat the rightmost one
                # invisibly (3 Tr) so a mark pulled back onto its base does not leave
                # a false word gap after the cluster
                ops.append("3 Tr")
                self._segments(ops, page, run, src, [right])
                ops.append("0 Tr")
            ops.append("EMC")
        if plain:
            self._segments(ops, page, run, src, plain)
        if self._tc != "0":  # character spacing outlives ET: leave it as it was
            ops.append("0 Tc")
            self._tc = "0"
        ops.append("ET")
        scale = size / src.units_per_em
        for g in shapes:
            name = self._shape_form(c, run.face, run.gids[g])
            px, py = run.positions[g]
            if run.rotate == 90:  # turned a quarter clockwise: its baseline runs down the page
                ops.append(f"q 0 {_n(-scale * run.hscale)} {_n(scale)} 0 {_n(run.x - py)} "
                           f"{_n(page.height - run.y - px)} cm /{name} Do Q")
                continue
            ops.append(f"q {_n(scale * run.hscale)} 0 0 {_n(scale)} {_n(run.x + px)} {_n(page.height - run.y - py)} cm "
                       f"/{name} Do Q")
        c.addLiteral("\n".join(ops))

    def _shape_form(self, c, face: Face, gid: int) -> str:
        """A glyph's outline as a form XObject (in font units), defined once per file."""
        key = (face, gid)
        name = self._forms.get(key)
        if name is None:
            name = self._forms[key] = f"PG{len(self._forms) + 1}"
            pen = _PathPen()
            self.source(face).draw(gid, pen)
            ops = pen.ops
            upem = self.source(face).units_per_em
            c.beginForm(name, -2 * upem, -2 * upem, 3 * upem, 3 * upem)
            c.addLiteral(" ".join(ops) + " f")
            c.endForm()
        c._formsinuse.append(name)  # the page's resources must list it
        return c._doc.getXObjectName(name).lstrip("/")

    def _segments(self, ops, page, run, src, order) -> None:
        """Glyphs `order` (indices into the run) as TJ arrays, one per baseline height.
        TJ moves the pen by each glyph's advance in the font; where HarfBuzz's position
        (kerning, justification) differs, a number in the array corrects it. A justified
        Chinese line widens every gap alike: that common amount is set once as character
        spacing (Tc), so only the gaps that differ from it need a number. Condensed or
        expanded type (hscale) is drawn through the text matrix, which scales glyphs,
        TJ numbers and Tc along x alike; the text itself is unchanged for extraction.
        A turned run (Latin in a vertical column) is drawn through a text matrix turned
        a quarter clockwise; a vertical column's glyphs each stand at their own height,
        so each gets its own Tm."""
        positions = run.positions
        gids = run.gids
        per_unit = 1000.0 / src.units_per_em  # font units -> text space (1/1000 em)
        per_point = 1000.0 / run.size  # points -> text space
        hscale = f"{run.hscale:.6f}".rstrip("0").rstrip(".")  # as written, so as used below
        per_point_x = per_point / float(hscale)  # points along x -> text space, before the matrix
        matrix = "1 0 0 1" if run.hscale == 1.0 else f"{hscale} 0 0 1"
        turned = run.rotate == 90
        if turned:
            matrix = f"0 -{hscale} 1 0"
        if run.vertical:  # writing mode 1: one glyph a segment, set from its vertical origin
            self._column(ops, page, run, src, order)
            return
        advances = src.advances
        last_metric = len(advances) - 1
        n = len(order)
        i = 0
        while i < n:
            g = order[i]
            px, py = positions[g]
            x = run.x + px
            seg = [gids[g]]
            adjs = []  # after each glyph but the last: the correction, 1/1000 em
            i += 1
            while i < n:
                h = order[i]
                hx, hy = positions[h]
                if hy - py > 1e-6 or py - hy > 1e-6:
                    break
                prev = seg[-1]
                adjs.append(round(advances[prev if prev <= last_metric else last_metric] * per_unit
                                  - (hx - px) * per_point_x, 3))
                seg.append(gids[h])
                px = hx
                i += 1
            common = 0.0
            if len(adjs) > 2:  # the commonest correction (the first seen, on a tie), if 3+ times
                counts: dict[float, int] = {}
                for adj in adjs:
                    counts[adj] = counts.get(adj, 0) + 1
                value, most = max(counts.items(), key=_second)
                if most >= 3:
                    common = value
            if adjs:
                items = []
                start = 0
                for j, adj in enumerate(adjs):
                    if adj != common:
                        items.append(f"<{struct.pack(f'>{j + 1 - start}H', *seg[start:j + 1]).hex()}> "
                                     f"{_n(adj - common)}")
                        start = j + 1
                items.append(f"<{struct.pack(f'>{len(seg) - start}H', *seg[start:]).hex()}>")
            else:
                items = [f"<{seg[0]:04x}>"]
            spacing = -common / per_point
            tc = f"{spacing:.6f}".rstrip("0").rstrip(".") if common else "0"
            if tc != self._tc:
                ops.append(f"{tc} Tc")
                self._tc = tc
            if turned:  # along the baseline is down the page, across it is to the left
                x, py = run.x - py, x - run.x
            ops.append(f"{matrix} {_n(x)} {_n(page.height - (run.y + py))} Tm [{' '.join(items)}] TJ")

    def _column(self, ops, page, run, src, order) -> None:
        """Glyphs of a vertical column, each at its own place. In writing mode 1 a glyph
        is drawn with its horizontal origin at the pen less its position vector: half its
        width across and 0.88 em up (the font's DW2 and W widths), so the pen goes there."""
        k = run.size / src.units_per_em
        hscale = f"{run.hscale:.6f}".rstrip("0").rstrip(".")  # 纵中横 digits condensed to an em
        matrix = "1 0 0 1" if run.hscale == 1.0 else f"{hscale} 0 0 1"
        for g in order:
            px, py = run.positions[g]
            gid = run.gids[g]
            x = run.x + px + src.advance(gid) * k * float(hscale) / 2
            y = run.y + py - 0.88 * run.size
            ops.append(f"{matrix} {_n(x)} {_n(page.height - y)} Tm <{gid:04x}> Tj")

    def _image(self, c, page: PageOut, img: Image) -> None:
        prepared = img.data
        if prepared is None:  # a caller skipped the image pass: a bug, not a mistake in the input
            raise TypeError(f"photo {img.path} was not prepared (images.prepare_pages) before writing")
        key = prepared.key
        name = self._images.get(key)
        if name is None:
            name = self._images[key] = f"PI{len(self._images) + 1}"
            d = pdfdoc.PDFDictionary({
                "Type": pdfdoc.PDFName("XObject"), "Subtype": pdfdoc.PDFName("Image"),
                "Width": prepared.width, "Height": prepared.height, "BitsPerComponent": 8,
                "ColorSpace": pdfdoc.PDFName(prepared.colorspace),
                "Filter": pdfdoc.PDFName(prepared.filter)})
            if prepared.decode:
                d["Decode"] = pdfdoc.PDFArray(list(prepared.decode))
            c._doc.addForm(name, pdfdoc.PDFStream(d, prepared.data, filters=[]))
        c._formsinuse.append(name)
        cx, cy, cw, ch = img.clip
        c.addLiteral(f"q {_n(cx)} {_n(page.height - cy - ch)} {_n(cw)} {_n(ch)} re W n "
                     f"{_n(img.w)} 0 0 {_n(img.h)} {_n(img.x)} {_n(page.height - img.y - img.h)} cm "
                     f"/{c._doc.getXObjectName(name).lstrip('/')} Do Q")

    def _art(self, c, page: PageOut, art: Artwork) -> None:
        """A supplied PDF page: its Form XObject (made once per file and page), drawn
        with its box scaled into the placement and clipped to the frame."""
        read = art.page
        name = self._artwork.get(read.key)
        if name is None:
            name = self._artwork[read.key] = f"PA{len(self._artwork) + 1}"
            doc = c._doc
            d = pdfdoc.PDFDictionary({
                "Type": pdfdoc.PDFName("XObject"), "Subtype": pdfdoc.PDFName("Form"),
                "BBox": pdfdoc.PDFArray([_n(v).encode() for v in read.box]),
                "Resources": self._copy(doc, read, read.resources),
                "Filter": pdfdoc.PDFName("FlateDecode")})
            if read.group is not None:
                d["Group"] = self._copy(doc, read, read.group)
            doc.addForm(name, pdfdoc.PDFStream(d, zlib.compress(read.content, 6), filters=[]))
        c._formsinuse.append(name)
        cx, cy, cw, ch = art.clip
        m = _art_matrix(read.box, read.rotate, art.x, page.height - art.y - art.h, art.w, art.h)
        # the page was made for a fresh graphics state, and a form inherits ours: the
        # colour and text state the last glyph run left (white type, character spacing)
        # are set back to their initial values first
        c.addLiteral(f"q {_n(cx)} {_n(page.height - cy - ch)} {_n(cw)} {_n(ch)} re W n {_INITIAL_STATE} "
                     f"{' '.join(f'{v:.6f}'.rstrip('0').rstrip('.') or '0' for v in m)} cm "
                     f"/{c._doc.getXObjectName(name).lstrip('/')} Do Q")

    def _copy(self, doc, read, value):
        """A plain value of a supplied page as a pdfdoc object; an indirect object is
        registered once (before its contents, so that cycles close on it)."""
        if isinstance(value, Ref):
            key = (read.key, int(value))  # (the file and page: each page read has its own table)
            ref = self._copied.get(key)
            if ref is not None:
                return ref
            target = read.objects[value]
            if isinstance(target, Stream):
                obj = pdfdoc.PDFStream(pdfdoc.PDFDictionary(), target.data,
                                       filters=[] if "Filter" in target.dict else None)
                inner = obj.dictionary
            elif isinstance(target, dict):
                obj = inner = pdfdoc.PDFDictionary()
            elif isinstance(target, list):
                obj = pdfdoc.PDFArray([])
                inner = None
            else:
                return self._copy(doc, read, target)
            ref = self._copied[key] = doc.Reference(obj)
            if inner is not None:
                for k, v in (target.dict if isinstance(target, Stream) else target).items():
                    inner[k] = self._copy(doc, read, v)
            else:
                obj.sequence = [self._copy(doc, read, v) for v in target]
            return ref
        if isinstance(value, Name):
            return pdfdoc.PDFName(value)
        if isinstance(value, Real):
            return str(value).encode("ascii")
        if isinstance(value, bool):
            return b"true" if value else b"false"
        if value is None:
            return b"null"
        if isinstance(value, int):
            return str(value).encode("ascii")
        if isinstance(value, bytes):
            return b"<" + value.hex().encode("ascii") + b">"
        if isinstance(value, dict):
            return pdfdoc.PDFDictionary({k: self._copy(doc, read, v) for k, v in value.items()})
        if isinstance(value, list):
            return pdfdoc.PDFArray([self._copy(doc, read, v) for v in value])
        if isinstance(value, Stream):  # (streams are always indirect; a direct one is not PDF)
            return b"null"
        raise TypeError(f"no PDF form for {type(value).__name__}")

    def _rule(self, c, page: PageOut, rule: Rule) -> None:
        c.addLiteral(f"q {_color(rule.color, stroke=True)} {_n(rule.width)} w "
                     f"{_n(rule.x1)} {_n(page.height - rule.y1)} m {_n(rule.x2)} {_n(page.height - rule.y2)} l S Q")

    def _rect(self, c, page: PageOut, r: Panel) -> None:
        ops = ["q"]
        if r.fill:
            ops.append(_color(r.fill))
        if r.stroke:
            ops += [_color(r.stroke, stroke=True), f"{_n(r.weight)} w"]
        paint = "B" if r.fill and r.stroke else "f" if r.fill else "S"
        ops.append(f"{_n(r.x)} {_n(page.height - r.y - r.h)} {_n(r.w)} {_n(r.h)} re {paint} Q")
        c.addLiteral(" ".join(ops))

    def _shape(self, c, page: PageOut, s: Shape) -> None:
        rects = " ".join(f"{_n(x)} {_n(page.height - y - h)} {_n(w)} {_n(h)} re" for x, y, w, h in s.rects)
        c.addLiteral(f"q {_color(s.fill)} {rects} f Q")

    # ---- press ----

    def _output_intent(self, c) -> None:
        """PDF/X: the output intent (the press's profile), GTS_PDFXVersion, Trapped."""
        doc = c._doc
        intent = self.intent
        profile = pdfdoc.PDFStream(pdfdoc.PDFDictionary({"N": intent.components}),
                                   zlib.compress(intent.profile, 9), filters=[])
        profile.dictionary["Filter"] = pdfdoc.PDFName("FlateDecode")
        entry = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("OutputIntent"), "S": pdfdoc.PDFName("GTS_PDFX"),
            "OutputConditionIdentifier": pdfdoc.PDFString(intent.identifier),
            "OutputCondition": pdfdoc.PDFString(intent.condition),
            "Info": pdfdoc.PDFString(intent.condition),
            "DestOutputProfile": doc.Reference(profile)})
        if intent.identifier != "Custom":  # a characterised condition of the ICC registry
            entry["RegistryName"] = pdfdoc.PDFString("http://www.color.org")
        catalog = doc.Catalog
        catalog.OutputIntents = pdfdoc.PDFArray([doc.Reference(entry)])
        catalog.__NoDefault__ = list(type(catalog).__NoDefault__) + ["OutputIntents"]
        doc.info = _PressInfo.of(doc.info)

    # ---- fonts ----

    def _embed(self, c, plan: _FontPlan, gids: list[int], program: Program, packed: bytes,
               cid_map: bytes | None) -> None:
        doc = c._doc
        src = self.source(plan.face)
        digest = hashlib.sha256(f"{src.ps_name}|{gids}".encode()).digest()
        tag = "".join(chr(ord("A") + b % 26) for b in digest[:6])
        base_name = f"{tag}+{src.ps_name}"
        k = 1000.0 / src.units_per_em

        cff = program.kind == "cff"
        font_file = pdfdoc.PDFStream(pdfdoc.PDFDictionary(
            {"Subtype": pdfdoc.PDFName("CIDFontType0C")} if cff else {"Length1": len(program.data)}),
            packed, filters=[])
        font_file.dictionary["Filter"] = pdfdoc.PDFName("FlateDecode")
        x0, y0, x1, y1 = src.bbox
        descriptor = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("FontDescriptor"),
            "FontName": pdfdoc.PDFName(base_name),
            "Flags": 4,
            "FontBBox": pdfdoc.PDFArray([round(v * k) for v in (x0, y0, x1, y1)]),
            "ItalicAngle": 0,
            # Text extractors size their line boxes from these; Noto Tibetan's real
            # extremes (1.47 / -1.35 em) make lines of neighbouring columns overlap and
            # scramble the reading order, so report a line box of at most 1.5 em.
            "Ascent": round(min(src.ascender * k, 1000)),
            "Descent": round(max(src.descender * k, -500)),
            "CapHeight": round(src.cap_height * k),
            "StemV": 80,
            "FontFile3" if cff else "FontFile2": doc.Reference(font_file),
        })
        # W as one literal, consecutive glyph ids sharing an array: a PDFArray object
        # per glyph cost more to format than the page streams
        widths = []
        run: list[int] = []
        for g in gids:
            if run and g != run[-1] + 1:
                widths.append(f"{run[0]} [{' '.join(str(round(src.advance(r) * k)) for r in run)}]")
                run = []
            run.append(g)
        widths.append(f"{run[0]} [{' '.join(str(round(src.advance(r) * k)) for r in run)}]")
        cid_font = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("CIDFontType0" if cff else "CIDFontType2"),
            "BaseFont": pdfdoc.PDFName(base_name),
            "CIDSystemInfo": pdfdoc.PDFDictionary({
                "Registry": pdfdoc.PDFString("Adobe"), "Ordering": pdfdoc.PDFString("Identity"),
                "Supplement": 0}),
            "FontDescriptor": doc.Reference(descriptor),
            "W": f"[{' '.join(widths)}]".encode("ascii"),
        })
        if cid_map is not None:  # TrueType: CIDs are the source's glyph ids, the subset renumbers
            cid_font["CIDToGIDMap"] = doc.Reference(pdfdoc.PDFStream(
                pdfdoc.PDFDictionary({"Filter": pdfdoc.PDFName("FlateDecode")}), cid_map, filters=[]))
        cmap = pdfdoc.PDFStream(content=_to_unicode_cmap(plan.to_unicode).encode("ascii"),
                                filters=[pdfdoc.PDFZCompress])
        font = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("Type0"),
            "BaseFont": pdfdoc.PDFName(base_name),
            "Encoding": pdfdoc.PDFName("Identity-H"),
            "DescendantFonts": pdfdoc.PDFArray([doc.Reference(cid_font)]),
            "ToUnicode": doc.Reference(cmap),
        })
        doc.idToObject[pdfdoc.BasicFonts].dict[plan.name] = doc.Reference(font)
        if plan.vertical:  # the same glyphs in writing mode 1, for vertical columns
            cid_font["DW2"] = pdfdoc.PDFArray([880, -1000])
            upright = pdfdoc.PDFDictionary({key: font[key] for key in font.dict})
            upright["Encoding"] = pdfdoc.PDFName("Identity-V")
            doc.idToObject[pdfdoc.BasicFonts].dict[plan.name + "V"] = doc.Reference(upright)


_CLOSED = object()  # no marked content open
_PAGE_KEYS = list(pdfdoc.PDFPage.__NoDefault__) + ["StructParents"]
_HEAD = {"kicker": 0, "headline": 1, "deck": 2, "title": 3}  # a story's head, in this order
_TYPES = {"headline": "H1", "subhead": "H2", "caption": "Caption"}  # the rest: P (pictures: Figure)


def _scripts(runs: list, known: dict[str, int]) -> tuple[int, int, int]:
    """(Tibetan, Han, Latin) clusters of the runs. A run is of one script (text/itemize
    splits them so), the first character with a script of its own says which; `known`
    holds the characters already asked."""
    counts = [0, 0, 0, 0]
    for clusters in runs:
        k = 3
        for c in clusters:
            for ch in c.text:
                k = known.get(ch)
                if k is None:
                    k = known[ch] = _SCRIPT.get(script_of(ch), 3)
                if k != 3:
                    break
            if k != 3:
                break
        counts[k] += len(clusters)
    return counts[0], counts[1], counts[2]


_SCRIPT = {"tibetan": 0, "han": 1, "latin": 2}


def _lang(counts) -> str | None:
    return language(*counts)


def _joined(clusters: list) -> str:
    """The text of runs' clusters, in order."""
    return "".join([c.text for run in clusters for c in run])


def _sum(counts: list) -> tuple[int, int, int]:
    return tuple(map(sum, zip(*counts))) if counts else (0, 0, 0)


class _Group:
    """One structure element being gathered: its marked content, (page, MCID) each."""
    __slots__ = ("tag", "kind", "marks", "text", "kids")

    def __init__(self, tag: Tag, kind: str) -> None:
        self.tag = tag
        self.kind = kind
        self.marks: list[tuple[int, int]] = []
        self.text: list[tuple] = []  # its runs' clusters
        self.kids: list[_Group] = []


class _Structure:
    """The tagged PDF: marked content on the pages as they are drawn, and at the end
    the structure tree. Document holds, in the order they first appear on the pages,
    one Art per story (its head: kicker, headline, deck; its pictures as Figures with
    their captions; its blocks in story order, on whatever pages they lie) and the
    elements no story owns. Items without a tag, and jump lines, are artifacts."""

    def __init__(self) -> None:
        self.groups: dict[tuple, _Group] = {}
        self.parents: list[list[_Group]] = []  # per page: the element of each MCID
        self.refs: list = []  # the pages' references
        self.known: dict[str, int] = {}  # each character's script, once asked

    def page(self, ref) -> None:
        self.parents.append([])
        self.refs.append(ref)

    def begin(self, key) -> tuple[str, list | None]:
        """The BDC that opens marked content for `key` (None, or (page or -1, tag,
        picture)), and the list its runs' clusters go to (None: an artifact)."""
        if key is None:
            return "/Artifact BMC", None
        tag = key[1]
        if tag.role == "jump":
            return "/Artifact <</Type /Pagination>> BDC", None
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = _Group(tag, "Figure" if key[2] else _TYPES.get(tag.role, "P"))
        mcids = self.parents[-1]
        group.marks.append((len(self.parents) - 1, len(mcids)))
        mcids.append(group)
        return f"/{group.kind} <</MCID {len(mcids) - 1}>> BDC", group.text

    def finish(self, doc) -> None:
        name = pdfdoc.PDFName
        figures = {(key[0], key[1].element): g for key, g in self.groups.items() if g.kind == "Figure"}
        top: list = []  # Document's children: groups, and (story, members) for Art
        arts: dict[str, list[_Group]] = {}
        for key, g in self.groups.items():
            if g.tag.role == "caption" and (key[0], g.tag.element) in figures:
                figures[key[0], g.tag.element].kids.append(g)  # its caption, inside the Figure
                continue
            story = g.tag.story
            if story is None:
                top.append(g)
            elif story in arts:
                arts[story].append(g)
            else:
                arts[story] = [g]
                top.append(story)
        root = pdfdoc.PDFDictionary({"Type": name("StructTreeRoot")})
        root_ref = doc.Reference(root)
        document = pdfdoc.PDFDictionary({"Type": name("StructElem"), "S": name("Document"), "P": root_ref})
        document_ref = doc.Reference(document)
        refs: dict[int, object] = {}  # id(group) -> its element's reference
        texts = []  # each element's (Tibetan, Han, Latin) counts
        kids = []
        for entry in top:
            if isinstance(entry, str):
                members = arts[entry]
                head = sorted((g for g in members if g.tag.role in _HEAD), key=lambda g: _HEAD[g.tag.role])
                pictures = [g for g in members if g.kind == "Figure"]
                body = sorted((g for g in members if g.tag.element == 0), key=lambda g: g.tag.block)
                rest = [g for g in members if g not in head and g not in pictures and g not in body]
                art = pdfdoc.PDFDictionary({"Type": name("StructElem"), "S": name("Art"), "P": document_ref,
                                            "T": _text_string(entry)})
                art_ref = doc.Reference(art)
                art_kids, text = [], []
                for g in head + pictures + body + rest:
                    art_kids.append(self._element(doc, g, art_ref, refs, text))
                art["K"] = pdfdoc.PDFArray(art_kids)
                lang = _lang(_sum(text))
                if lang:
                    art["Lang"] = pdfdoc.PDFString(lang)
                kids.append(art_ref)
                texts += text
            else:
                kids.append(self._element(doc, entry, document_ref, refs, texts))
        document["K"] = pdfdoc.PDFArray(kids)
        nums = []
        for k, mcids in enumerate(self.parents):
            nums += [k, pdfdoc.PDFArray([refs[id(g)] for g in mcids])]
        root["K"] = document_ref
        root["ParentTree"] = doc.Reference(pdfdoc.PDFDictionary({"Nums": pdfdoc.PDFArray(nums)}))
        root["ParentTreeNextKey"] = len(self.parents)
        catalog = doc.Catalog
        catalog.StructTreeRoot = root
        catalog.MarkInfo = pdfdoc.PDFDictionary({"Marked": b"true"})
        catalog.Lang = pdfdoc.PDFString(_lang(_sum(texts)) or "zh-Hans")

    def _element(self, doc, g: _Group, parent, refs: dict, texts: list):
        """A group's structure element (and its caption's), under `parent`."""
        name = pdfdoc.PDFName
        page = g.marks[0][0]
        d = pdfdoc.PDFDictionary({"Type": name("StructElem"), "S": name(g.kind), "P": parent,
                                  "Pg": self.refs[page]})
        ref = refs[id(g)] = doc.Reference(d)
        k = [mcid if p == page else pdfdoc.PDFDictionary({"Type": name("MCR"), "Pg": self.refs[p], "MCID": mcid})
             for p, mcid in g.marks]
        runs = g.text
        if g.kind == "Figure":
            alt = g.tag.alt or "".join(_joined(c.text) for c in g.kids) or g.tag.role
            d["Alt"] = _text_string(alt)
            runs = [(Cluster(0, 0, alt),)]
        counts = _scripts(runs, self.known)
        texts.append(counts)
        k += [self._element(doc, c, ref, refs, []) for c in g.kids]
        d["K"] = pdfdoc.PDFArray(k)
        lang = _lang(counts)
        if lang:
            d["Lang"] = pdfdoc.PDFString(lang)
        return ref


def _text_string(text: str):
    """A PDF text string: ASCII as it is, else in UTF-16BE (Chinese and Tibetan)."""
    if text.isascii() and text.isprintable():
        return pdfdoc.PDFString(text)
    return f"<FEFF{_utf16_hex(text)}>".encode("ascii")


class _PressInfo(pdfdoc.PDFInfo):
    """The document information with the PDF/X version (ReportLab's has no such key)."""

    @classmethod
    def of(cls, info):
        press = cls()
        press.__dict__.update(info.__dict__)
        return press

    def format(self, document):
        d = pdfdoc.PDFDictionary({
            "Title": pdfdoc.PDFString(self.title), "Creator": pdfdoc.PDFString(self.creator),
            "Producer": pdfdoc.PDFString(self.producer), "Trapped": pdfdoc.PDFName("False"),
            "CreationDate": pdfdoc.PDFDate(ts=document._timeStamp, dateFormatter=self._dateFormatter),
            "ModDate": pdfdoc.PDFDate(ts=document._timeStamp, dateFormatter=self._dateFormatter),
            "GTS_PDFXVersion": pdfdoc.PDFString("PDF/X-1a:2003")})
        return d.format(document)


class _Helper:
    """One worker thread that runs jobs in order; finish() gives their results, or
    None if one failed (the caller then does the work itself and sees the error)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._results: list = []
        self._failed = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def put(self, fn, *args) -> None:
        self._jobs.put((fn, args))

    def finish(self) -> list | None:
        self._jobs.put(None)
        self._thread.join()
        return None if self._failed else self._results

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if not self._failed:
                try:
                    self._results.append(job[0](*job[1]))
                except BaseException:
                    self._failed = True


# the graphics and text state a page's content starts with (PDF 32000-1, 8.4 and 9.3)
_INITIAL_STATE = "0 g 0 G 1 w 0 J 0 j 10 M [] 0 d 0 Tc 0 Tw 100 Tz 0 TL 0 Tr 0 Ts"


def _art_matrix(box, rotate: int, x: float, y: float, w: float, h: float) -> tuple[float, ...]:
    """The matrix that draws a page's box, turned by its /Rotate (clockwise as shown),
    into the rectangle (x, y, w, h) of PDF space (y up)."""
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    turn = {0: (1, 0, 0, 1, 0, 0), 90: (0, -1, 1, 0, 0, bw), 180: (-1, 0, 0, -1, bw, bh),
            270: (0, 1, -1, 0, bh, 0)}[rotate]
    vw, vh = (bh, bw) if rotate in (90, 270) else (bw, bh)
    m = _mul((1, 0, 0, 1, -x0, -y0), turn)
    return _mul(m, (w / vw, 0, 0, h / vh, x, y))


def _mul(m, n):
    """m then n, in PDF's row-vector convention."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _deflate(stream) -> bytes:
    """A page stream deflated as ReportLab would (UTF-8, zlib's default level)."""
    return zlib.compress(stream.encode("utf-8") if isinstance(stream, str) else stream, 6)


def _font_program(src: FontFile, gids: list[int]) -> tuple[list[int], Program, bytes, bytes | None]:
    """The glyph ids (CIDs), the subset font program, it deflated, and for TrueType the
    deflated CIDToGIDMap."""
    program = src.subset(gids)
    cid_map = None if program.cid_to_gid is None else zlib.compress(program.cid_to_gid, 6)
    return gids, program, zlib.compress(program.data, 3), cid_map


class _PathPen:
    """A glyph outline (fontTools' pen protocol, as HarfBuzz draws) as PDF path ops;
    quadratic curves become the cubic curves PDF paths have."""

    def __init__(self) -> None:
        self.ops: list[str] = []
        self._at = (0.0, 0.0)

    def moveTo(self, p) -> None:  # noqa: N802 - the pen protocol's names
        self.ops.append(f"{_n(p[0])} {_n(p[1])} m")
        self._at = p

    def lineTo(self, p) -> None:  # noqa: N802
        self.ops.append(f"{_n(p[0])} {_n(p[1])} l")
        self._at = p

    def curveTo(self, *points) -> None:  # noqa: N802
        for k in range(0, len(points) - 2, 3):
            (x1, y1), (x2, y2), (x3, y3) = points[k:k + 3]
            self.ops.append(f"{_n(x1)} {_n(y1)} {_n(x2)} {_n(y2)} {_n(x3)} {_n(y3)} c")
        self._at = points[-1]

    def qCurveTo(self, *points) -> None:  # noqa: N802
        # implied on-curve points between consecutive off-curve ones
        for k, ctrl in enumerate(points[:-1]):
            end = points[-1] if k == len(points) - 2 else ((ctrl[0] + points[k + 1][0]) / 2,
                                                           (ctrl[1] + points[k + 1][1]) / 2)
            self.ops.append(_quad(self._at[0], self._at[1], ctrl, end))
            self._at = end

    def closePath(self) -> None:  # noqa: N802
        self.ops.append("h")


def _quad(x0: float, y0: float, ctrl, end) -> str:
    (qx, qy), (x1, y1) = ctrl, end
    c1 = (x0 + 2 / 3 * (qx - x0), y0 + 2 / 3 * (qy - y0))
    c2 = (x1 + 2 / 3 * (qx - x1), y1 + 2 / 3 * (qy - y1))
    return f"{_n(c1[0])} {_n(c1[1])} {_n(c2[0])} {_n(c2[1])} {_n(x1)} {_n(y1)} c"


def _to_unicode_cmap(mapping: dict[int, str]) -> str:
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
    ]
    items = sorted(mapping.items())
    for i in range(0, len(items), 100):
        chunk = items[i:i + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{g:04X}> <{_utf16_hex(t)}>" for g, t in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines) + "\n"
