"""Supplied artwork (an ad, the masthead's lettering) read once, at load, safely: a page
of a PDF as plain data the PDF writer copies as a Form XObject, or an image (photos).

A supplied file is input, so every fault in it (not a PDF, damaged, encrypted, no such
page, a structure built to hurt: cycles, deep nesting, bombs) is found here, before
anything is composed, and becomes an InputError the loader places at the `file:` key.

pikepdf (qpdf) reads the PDF, and nothing of it leaves this module: the page goes on as
plain values (Name, Real, Ref, Stream, dict, list, bytes for strings, int, bool, None),
each indirect object once in `objects`, so the writer needs no PDF reader and copies
shared objects once. What the preflight asks (fonts not embedded, RGB, images and their
resolution as placed, the heaviest vector colour) is measured here too, from the page's
content and resources.
"""
from __future__ import annotations

import hashlib
import io
import math
import zlib
from typing import NamedTuple

from ..base import files
from ..base.errors import InputError, Where

MAX_OBJECTS = 200_000          # indirect objects copied from one page
MAX_BYTES = 256 * 1024 * 1024  # stream bytes copied (as stored) from one page
MAX_CONTENT = 64 * 1024 * 1024  # the page's content, decoded
MAX_DEPTH = 64                 # nesting of direct objects
MAX_FORMS = 8                  # nesting of form XObjects followed when measuring
MAX_OPS = 2_000_000            # content operators read when measuring
HINT = "ask the agency for the ad again, exported as PDF/X-1a (or X-4), unencrypted"
# keys that point out of the page into the agency's document (its page tree, structure)
_DROP = frozenset(("Parent", "P", "StructParent", "StructParents"))
_NOT_COPIED = frozenset(("Page", "Pages", "Catalog"))


class Name(str):
    """A PDF name, without its slash."""


class Real(str):
    """A real number as the file wrote it (so it is copied exactly)."""


class Ref(int):
    """An indirect object: its index in PdfPage.objects."""


class Stream(NamedTuple):
    """A stream as stored: its dictionary (with its Filter, without Length) and bytes."""
    dict: dict
    data: bytes


class ImageUse(NamedTuple):
    """An image the page draws: its pixels, its size on the page at scale 1 (points)."""
    width: int
    height: int
    w: float
    h: float
    colorspace: str


class PdfPage(NamedTuple):
    """One page of a supplied PDF, read."""
    path: str
    number: int
    key: str                 # the file's hash and the page: the same key, the same XObject
    box: tuple[float, float, float, float]  # the ad's box in the page's space (TrimBox, else CropBox, else MediaBox)
    rotate: int              # 0, 90, 180 or 270: the page is shown turned clockwise
    content: bytes           # the content streams, decoded and joined
    resources: dict
    group: dict | None       # the page's transparency group, if it has one
    objects: tuple           # the indirect objects the resources reach, by Ref
    fonts: tuple[tuple[str, bool], ...]  # (font name, embedded)
    images: tuple[ImageUse, ...]
    rgb: tuple[str, ...]     # what in it is RGB, in words
    ink: float               # the highest total of a CMYK colour it sets, in %
    transparency: tuple[str, ...] = ()  # what in it is transparent, in words (PDF/X-1a has none)

    @property
    def size(self) -> tuple[float, float]:
        """Width and height as shown, in points."""
        x0, y0, x1, y1 = self.box
        w, h = abs(x1 - x0), abs(y1 - y0)
        return (h, w) if self.rotate in (90, 270) else (w, h)


class _Bad(Exception):
    """The PDF is not one we copy; the message says why."""


def is_pdf(path: str) -> bool:
    """A PDF by its first bytes (as readers find it: %PDF- within the first kilobyte)."""
    with open(files.open_input(path), "rb", closefd=True) as fh:
        return b"%PDF-" in fh.read(1024)


def read_pdf(path: str, number: int = 1) -> PdfPage:
    """Page `number` (from 1) of the PDF at `path`, or an InputError saying what is wrong."""
    data = files.read_input(path)
    where = Where(path)
    try:
        import pikepdf
    except ImportError:  # a broken install, not the user's mistake; said plainly all the same
        raise InputError("cannot read supplied PDFs: pikepdf is not installed", where,
                         "install paiban's dependencies again (make setup)") from None
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                raise _Bad("the PDF is encrypted")
            count = len(pdf.pages)
            if not 1 <= number <= count:
                raise InputError(f"the PDF has {count} page{'s' * (count != 1)}, no page {number}", where,
                                 f"give page: 1 to {count}" if count else HINT)
            page = _Reader(pdf, path, number, hashlib.sha256(data).hexdigest()[:24]).page()
            if pdf.get_warnings():  # qpdf repaired it: what it could not read is missing
                raise _Bad(f"the PDF is damaged ({_short(pdf.get_warnings()[0])})")
            return page
    except InputError:
        raise
    except _Bad as exc:
        raise InputError(str(exc), where, HINT) from None
    except pikepdf.PasswordError:
        raise InputError("the PDF is encrypted with a password", where, HINT) from None
    except RecursionError:
        raise InputError("the PDF's objects are nested too deeply", where, HINT) from None
    except MemoryError:
        raise InputError("the PDF is too large to read", where, HINT) from None
    except Exception as exc:  # noqa: BLE001 - qpdf's and pikepdf's many faults on a hostile file
        raise InputError(f"cannot read the PDF: {_short(exc)}", where, HINT) from None


def _short(exc) -> str:
    """A parser's message, one line, without the name qpdf gives the in-memory file."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    for prefix in ("memory-stream: ", "empty PDF: ", "stream: "):
        text = text.replace(prefix, "")
    return text[:160]


def _matrix(values) -> tuple[float, ...]:
    m = tuple(float(v) for v in values)
    if len(m) != 6 or not all(math.isfinite(v) for v in m):
        raise _Bad("a matrix in the PDF is not six numbers")
    return m


def _mul(m, n):
    """m then n (PDF's row-vector convention: m x n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


class _Reader:
    def __init__(self, pdf, path: str, number: int, digest: str) -> None:
        import pikepdf

        self.pk = pikepdf
        self.pdf = pdf
        self.path = path
        self.number = number
        self.key = f"{digest}-{number}"
        self.objects: list = []
        self.memo: dict[tuple[int, int], Ref] = {}
        self.bytes = 0

    # ---- the page ----

    def page(self) -> PdfPage:
        pk = self.pk
        obj = self.pdf.pages[self.number - 1].obj
        media = self._inherited(obj, "/MediaBox")
        if media is None:
            raise _Bad("the page has no MediaBox")
        box = self._box(media)
        for name in ("/CropBox", "/TrimBox"):  # the trim box is the ad as sold; bleed lies outside
            got = obj.get(name) if name == "/TrimBox" else self._inherited(obj, name)
            if got is not None:
                inner = self._box(got)
                box = (max(box[0], inner[0]), max(box[1], inner[1]), min(box[2], inner[2]), min(box[3], inner[3]))
        if box[2] - box[0] < 1 or box[3] - box[1] < 1:
            raise _Bad("the page's box is empty")
        rotate = self._inherited(obj, "/Rotate")
        rotate = int(rotate) % 360 if isinstance(rotate, int) else 0
        if rotate % 90:
            raise _Bad(f"the page is turned by {rotate} degrees, not a multiple of 90")
        resources = self._inherited(obj, "/Resources")
        res = self.value(resources, 0) if isinstance(resources, pk.Dictionary) else {}
        if isinstance(res, Ref):
            res = self.objects[res]
        if not isinstance(res, dict):
            res = {}
        group = obj.get("/Group")
        group = self.value(group, 0) if isinstance(group, pk.Dictionary) else None
        if isinstance(group, Ref):
            group = self.objects[group]
        content = self._content(obj.get("/Contents"))
        measure = _Measure(self, res)
        measure.run(content, res, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), 0)
        rgb = list(dict.fromkeys(measure.rgb + self._rgb_spaces(res)))
        return PdfPage(self.path, self.number, self.key, box, rotate, content, res, group if isinstance(group, dict)
                       else None, tuple(self.objects), self._fonts(res), tuple(measure.images), tuple(rgb),
                       round(measure.ink, 1), self._transparency(res, group))

    def _inherited(self, obj, key: str):
        for _ in range(MAX_DEPTH):
            if obj is None or not isinstance(obj, self.pk.Dictionary):
                return None
            got = obj.get(key)
            if got is not None:
                return got
            obj = obj.get("/Parent")
        raise _Bad("the page tree is nested too deeply")

    def _box(self, value) -> tuple[float, float, float, float]:
        try:
            x0, y0, x1, y1 = (float(v) for v in value)
        except (TypeError, ValueError):
            raise _Bad("a page box is not four numbers") from None
        if not all(math.isfinite(v) and abs(v) < 1e6 for v in (x0, y0, x1, y1)):
            raise _Bad("a page box is out of range")
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)

    def _content(self, contents) -> bytes:
        pk = self.pk
        parts = [contents] if isinstance(contents, pk.Stream) else list(contents) \
            if isinstance(contents, pk.Array) else []
        out = []
        size = 0
        for part in parts:
            if not isinstance(part, pk.Stream):
                raise _Bad("a content stream of the page is not a stream")
            data = self.decoded(part, MAX_CONTENT - size)
            size += len(data) + 1
            out.append(data)
        return b"\n".join(out)

    def decoded(self, stream, limit: int) -> bytes:
        """A stream's data decoded, refused past `limit` bytes (a deflate bomb is cut
        off as it inflates, not after)."""
        pk = self.pk
        filters = stream.get("/Filter")
        filters = [filters] if isinstance(filters, pk.Name) else list(filters) if isinstance(filters, pk.Array) else []
        if all(str(f) in ("/FlateDecode", "/Fl") for f in filters) and stream.get("/DecodeParms") is None:
            data = stream.read_raw_bytes()
            for _ in filters:
                inflate = zlib.decompressobj()
                try:
                    data = inflate.decompress(data, limit + 1)
                except zlib.error as exc:
                    raise _Bad(f"a content stream does not inflate ({exc})") from None
                if len(data) > limit:
                    raise _Bad("the page's content is too large")
        else:
            data = stream.read_bytes()
        if len(data) > limit:
            raise _Bad("the page's content is too large")
        return data

    # ---- objects as plain values ----

    def value(self, obj, depth: int):
        pk = self.pk
        if depth > MAX_DEPTH:
            raise _Bad("the PDF's objects are nested too deeply")
        if isinstance(obj, (pk.Dictionary, pk.Array, pk.Stream)) and obj.is_indirect:
            key = obj.objgen
            ref = self.memo.get(key)
            if ref is None:
                if len(self.objects) >= MAX_OBJECTS:
                    raise _Bad(f"the page uses more than {MAX_OBJECTS} objects")
                ref = self.memo[key] = Ref(len(self.objects))
                self.objects.append(None)
                self.objects[ref] = self._direct(obj, depth + 1)
            return ref
        return self._direct(obj, depth + 1)

    def _direct(self, obj, depth: int):
        pk = self.pk
        if obj is None or isinstance(obj, bool):
            return obj
        if isinstance(obj, int):
            return obj
        if isinstance(obj, float):
            return Real(_real(obj))
        if type(obj).__name__ == "Decimal":
            return Real(_real(obj))
        if isinstance(obj, pk.Name):
            return Name(str(obj)[1:])
        if isinstance(obj, pk.String):
            return bytes(obj)
        if isinstance(obj, pk.Stream):
            raw = obj.read_raw_bytes()
            self.bytes += len(raw)
            if self.bytes > MAX_BYTES:
                raise _Bad(f"the page's streams are larger than {MAX_BYTES // 2 ** 20} MB")
            return Stream(self._dict(obj.stream_dict, depth, stream=True), raw)
        if isinstance(obj, pk.Dictionary):
            if str(obj.get("/Type", "")) in ("/" + t for t in _NOT_COPIED):
                return None  # a page or the document itself, reached from a resource
            return self._dict(obj, depth)
        if isinstance(obj, pk.Array):
            return [self.value(v, depth) for v in obj]
        if isinstance(obj, pk.Object) and obj._type_code == pk.ObjectType.null:
            return None
        raise _Bad(f"the PDF has an object of a kind we do not copy ({type(obj).__name__})")

    def _dict(self, obj, depth: int, stream: bool = False) -> dict:
        out = {}
        for key in sorted(obj.keys()):
            name = key[1:]
            if name in _DROP or stream and name in ("Length", "DL"):
                continue
            out[name] = self.value(obj.get(key), depth)
        return out

    def resolve(self, value):
        for _ in range(MAX_DEPTH):
            if not isinstance(value, Ref):
                return value
            value = self.objects[value]
        return None

    # ---- what the preflight asks ----

    def _dicts(self, resources: dict):
        """Every dictionary (a stream's too) of the resources and the objects they reach,
        direct ones included."""
        todo = [resources, *self.objects]
        while todo:
            value = todo.pop()
            if isinstance(value, Stream):
                yield value
                todo.extend(value.dict.values())
            elif isinstance(value, dict):
                yield value
                todo.extend(value.values())
            elif isinstance(value, list):
                todo.extend(value)

    def _fonts(self, resources: dict) -> tuple[tuple[str, bool], ...]:
        found: dict[str, bool] = {}
        for obj in self._dicts(resources):
            d = obj.dict if isinstance(obj, Stream) else obj
            if not isinstance(d, dict) or d.get("Type") != "Font":
                continue
            kind = d.get("Subtype")
            if kind in ("Type0", None):
                continue  # its descendant is a font of its own
            name = str(d.get("BaseFont") or kind)
            if kind == "Type3":
                embedded = True
            else:
                desc = self.resolve(d.get("FontDescriptor"))
                embedded = isinstance(desc, dict) and any(k in desc for k in ("FontFile", "FontFile2", "FontFile3"))
            found[name] = found.get(name, True) and embedded
        return tuple(sorted(found.items()))

    def _transparency(self, resources: dict, group) -> tuple[str, ...]:
        """Transparency the page uses: a transparency group, soft masks, constant alpha
        below 1, blend modes other than Normal."""
        found = []
        if isinstance(group, dict) and group.get("S") == "Transparency":
            found.append("a transparency group")
        for d in self._dicts(resources):
            d = d.dict if isinstance(d, Stream) else d
            mask = self.resolve(d.get("SMask"))
            if mask is not None and mask != "None":
                found.append("soft masks")
            for key in ("ca", "CA"):
                alpha = self.resolve(d.get(key))
                if isinstance(alpha, (int, Real)) and not isinstance(alpha, bool) and float(alpha) < 1:
                    found.append("opacity below 100 %")
            blend = self.resolve(d.get("BM"))
            if isinstance(blend, Name) and blend not in ("Normal", "Compatible"):
                found.append(f"blend mode {blend}")
            if d.get("S") == "Transparency" and d.get("Type") == "Group":
                found.append("a transparency group")
        return tuple(dict.fromkeys(found))

    def _rgb_spaces(self, resources: dict) -> list[str]:
        """RGB colour spaces the page's objects name (images, colour spaces, shadings)."""
        out = []
        for obj in self._dicts(resources):
            if isinstance(obj, Stream) and obj.dict.get("Subtype") == "Image":
                if _space_name(self, obj.dict.get("ColorSpace")) == "RGB":
                    out.append("an image in RGB")
            elif isinstance(obj, dict) and obj.get("ShadingType") is not None:
                if _space_name(self, obj.get("ColorSpace")) == "RGB":
                    out.append("a shading in RGB")
        return out


def _real(value) -> str:
    text = format(value, "f") if type(value).__name__ == "Decimal" else repr(float(value))
    if not math.isfinite(float(value)) or abs(float(value)) > 1e12:
        raise _Bad("a number in the PDF is out of range")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _space_name(reader, space) -> str:
    """RGB, CMYK, Gray or Other, for a colour space as copied."""
    space = reader.resolve(space)
    for _ in range(4):
        if isinstance(space, list) and space:
            head = reader.resolve(space[0])
            if head == "ICCBased" and len(space) > 1:
                stream = reader.resolve(space[1])
                n = stream.dict.get("N") if isinstance(stream, Stream) else None
                return {1: "Gray", 3: "RGB", 4: "CMYK"}.get(n, "Other")
            if head in ("Indexed", "I") and len(space) > 1:
                space = reader.resolve(space[1])
                continue
            if head in ("CalRGB", "CalGray"):
                return "RGB" if head == "CalRGB" else "Gray"
            return "Other"
        break
    return {"DeviceRGB": "RGB", "RGB": "RGB", "DeviceCMYK": "CMYK", "CMYK": "CMYK",
            "DeviceGray": "Gray", "G": "Gray"}.get(space if isinstance(space, str) else "", "Other")


class _Measure:
    """Walks the content (and the forms it draws) with its transformation: images and
    their size as placed, RGB colour operators, the heaviest CMYK colour."""

    def __init__(self, reader: _Reader, resources: dict) -> None:
        self.r = reader
        self.images: list[ImageUse] = []
        self.rgb: list[str] = []
        self.ink = 0.0
        self.ops = 0

    def run(self, content: bytes, resources: dict, ctm, depth: int) -> None:
        pk = self.r.pk
        if depth > MAX_FORMS:
            raise _Bad("the PDF's forms are nested too deeply")
        stream = pk.Stream(self.r.pdf, content)
        stack = []
        spaces = {"fill": "Gray", "stroke": "Gray"}
        for operands, op in pk.parse_content_stream(stream):
            self.ops += 1
            if self.ops > MAX_OPS:
                raise _Bad(f"the page has more than {MAX_OPS} drawing operations")
            op = str(op)
            if op == "q":
                if len(stack) > 1000:
                    raise _Bad("the page saves its graphics state too deeply")
                stack.append((ctm, dict(spaces)))
            elif op == "Q":
                if stack:
                    ctm, spaces = stack.pop()
            elif op == "cm" and len(operands) == 6:
                ctm = _mul(_matrix(operands), ctm)
            elif op in ("rg", "RG"):
                self._rgb("colours set in RGB (rg, RG)")
            elif op in ("k", "K"):
                self._cmyk(operands)
            elif op in ("cs", "CS") and operands:
                name = str(operands[0])[1:]
                found = _space_name(self.r, self._resource(resources, "ColorSpace", name) or Name(name))
                spaces["fill" if op == "cs" else "stroke"] = found
                if found == "RGB":
                    self._rgb("a colour space in RGB")
            elif op in ("sc", "scn", "SC", "SCN"):
                if spaces["fill" if op.islower() else "stroke"] == "CMYK":
                    self._cmyk([v for v in operands if not isinstance(v, pk.Name)])
            elif op == "Do" and operands:
                self._do(resources, str(operands[0])[1:], ctm, depth)
            elif op == "INLINE IMAGE" and operands:
                image = operands[0]
                try:
                    width, height = int(image.width), int(image.height)
                    space = str(image.obj.get("/ColorSpace", image.obj.get("/CS", "")))[1:]
                except Exception:  # noqa: BLE001 - a malformed inline image
                    raise _Bad("an inline image of the page is malformed") from None
                self._image(width, height, ctm, _space_name(self.r, Name(space)))

    def _rgb(self, what: str) -> None:
        if what not in self.rgb:
            self.rgb.append(what)

    def _cmyk(self, operands) -> None:
        if len(operands) == 4:
            try:
                total = sum(float(v) for v in operands) * 100
            except (TypeError, ValueError):
                return
            if math.isfinite(total):
                self.ink = max(self.ink, total)

    def _resource(self, resources: dict, kind: str, name: str):
        table = self.r.resolve(resources.get(kind)) if isinstance(resources, dict) else None
        return self.r.resolve(table.get(name)) if isinstance(table, dict) else None

    def _do(self, resources: dict, name: str, ctm, depth: int) -> None:
        obj = self._resource(resources, "XObject", name)
        if not isinstance(obj, Stream):
            return
        kind = obj.dict.get("Subtype")
        if kind == "Image":
            width, height = obj.dict.get("Width"), obj.dict.get("Height")
            if isinstance(width, int) and isinstance(height, int):
                self._image(width, height, ctm, _space_name(self.r, obj.dict.get("ColorSpace")))
        elif kind == "Form":
            matrix = obj.dict.get("Matrix")
            m = _matrix(self.r.resolve(matrix)) if isinstance(self.r.resolve(matrix), list) else \
                (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
            inner = self.r.resolve(obj.dict.get("Resources"))
            content = self._form_content(obj)
            self.run(content, inner if isinstance(inner, dict) else resources, _mul(m, ctm), depth + 1)

    def _form_content(self, form: Stream) -> bytes:
        """A form's content decoded (through pikepdf, bounded like the page's)."""
        pk = self.r.pk
        d = pk.Dictionary({f"/{k}": _back(v) for k, v in form.dict.items() if k in ("Filter", "DecodeParms")
                           and not isinstance(v, Ref)})
        stream = pk.Stream(self.r.pdf, form.data)
        for k, v in d.items():
            stream[k] = v
        return self.r.decoded(stream, MAX_CONTENT)

    def _image(self, width: int, height: int, ctm, space: str) -> None:
        a, b, c, d = ctm[:4]
        self.images.append(ImageUse(width, height, math.hypot(a, b), math.hypot(c, d), space))


def _back(value):
    """A filter name or list of them as pikepdf objects again (to decode a form)."""
    import pikepdf

    if isinstance(value, Name):
        return pikepdf.Name("/" + value)
    if isinstance(value, list):
        return pikepdf.Array([_back(v) for v in value])
    if isinstance(value, dict):
        return pikepdf.Dictionary({f"/{k}": _back(v) for k, v in value.items() if not isinstance(v, Ref)})
    if isinstance(value, Real):
        return float(value)
    return value
