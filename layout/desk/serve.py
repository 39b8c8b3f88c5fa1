"""The live preview: a small web server on loopback showing the pages as they are.

The page lists thumbnails, shows the current page at screen resolution, the copyfit
table and any error, and reloads its pictures by itself when a re-render finishes
(it polls /state; no websocket library needed). Rendering runs in watch mode; only
recomposed pages are rasterized again.

It answers only requests addressed to itself by name (Host 127.0.0.1, localhost or
[::1] with its port): a web page elsewhere that rebinds its own name to 127.0.0.1
would otherwise read the edition's pages through the user's browser. Odd requests get
a 4xx, never a traceback; a connection that says nothing is closed after IDLE seconds.
"""
from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..api import STDOUT, Options, finish
from ..base.files import Inputs
from ..base.errors import as_dict, internal_error
from ..lines.display import GlyphRun, Panel, Source, area
from .watch import Outcome, Session, describe, file_events

SCREEN_WIDTH = 900  # pixels across a page in the main view
THUMB_WIDTH = 140
JPEG_QUALITY = 90  # the page the browser shows: a JPEG takes 6 ms to encode, a PNG 45 (W8 page 1)
IDLE = 10.0  # seconds a connection may stay silent
HOSTS = ("127.0.0.1", "localhost", "[::1]")
MAX_PAGE_DIGITS = 6
LONG_POLL = 20.0  # seconds a /state?since= request waits for a change
EDITOR = "vscode://file{path}:{line}"  # the default link that opens a source line in an editor


class Preview:
    """What the server shows: the pictures of the last good render, and its state."""

    def __init__(self, options: Options, editor: str = EDITOR):
        self.session = Session(options)
        self.editor = editor
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.pages: dict[int, bytes] = {}  # the page at the screen's width, JPEG (what the browser shows)
        self.lossless: dict[int, object] = {}  # the same as a PNG (or its picture, encoded when asked)
        self.thumbs: dict[int, bytes] = {}
        # page -> (the composed page, its picture): what a changed region is drawn onto
        self.shown: dict[int, tuple[object, object]] = {}
        self.state: dict = {"version": 0, "pages": 0, "error": "", "copyfit": [], "warnings": [], "message": "",
                            "press": options.press, "editor": editor, "holes": []}
        self.softproofs: dict[int, bytes] = {}  # made when asked for, dropped when the page changes
        # the last proof, to show what changed since: the PDF at the output before this
        # preview wrote it (else its first render's), and the pictures made from it
        self.proof_pdf: bytes | None = _last_proof(options.output)
        self.proof: dict[int, object] = {}
        self.diffs: dict[tuple[int, int], bytes] = {}  # (page, version) -> picture

    def render(self, changed: list[str]) -> str:
        shown: list[int] = []  # pages whose pictures went out before the edition's PDF was written
        outcome = self.session.render(early=lambda *args: self._early(shown, *args))
        with self.lock:
            if outcome.ok:
                try:
                    self._rasterize([n for n in outcome.recomposed if n not in shown])
                except Exception as exc:  # noqa: BLE001 - the pictures of the last good render stay
                    outcome = Outcome(False, outcome.seconds, error=internal_error(exc))
                for n in shown:  # a soft proof asked for in between was made from the last PDF
                    self.softproofs.pop(n, None)
            message = describe(outcome, changed)
            if outcome.ok:
                self._publish(outcome.report, self.session.version, len(self.session.pages),
                              seconds=round(outcome.seconds, 3))
            else:
                self.state.update(error=outcome.error)
            self.state["message"] = message
            self._tick()
        return message

    def _early(self, shown: list[int], pages: list, edition, report, setter, version: int) -> None:
        """The pages composed again, shown before the edition's PDF is written: each
        through the same finish (proof, press pass, photos) as a PDF of its own, and its
        pictures made from that; the state says so at once (a browser waiting on
        /state?since= gets it). A failure here leaves it to the full render."""
        if not pages:
            return
        options = dataclasses.replace(self.session.options, output=STDOUT, png=False, softproof=False,
                                      report=False, preflight=False, preflight_strict=False, overset_error=False,
                                      trace=False, page=None)
        pictures = {}
        regional = not (options.proof or options.press)  # (those draw more than the composed items)
        try:
            for page in pages:
                with self.lock:
                    last = self.shown.get(page.number) if regional else None
                image = _redrawn(last, page, lambda part: finish(options, edition, [part], report, setter,
                                                                  Inputs()).data)
                if image is None:  # the whole page
                    data = finish(options, edition, [page], report, setter, Inputs()).data
                    image = _picture(data, 0)
                pictures[page.number] = (_encoded(image, "JPEG"), _encoded(_thumbnail(image), "PNG"), image, page)
        except Exception:  # noqa: BLE001 - the full render below makes them, or says what is wrong
            return
        with self.lock:
            for n, (big, small, image, page) in pictures.items():
                self.pages[n], self.thumbs[n], self.lossless[n] = big, small, image
                self.shown[n] = (page, image)
                self.softproofs.pop(n, None)
                shown.append(n)
            self._publish(report, version, len(edition.source.pages))
            self.state["message"] = f"pages {', '.join(map(str, sorted(pictures)))} composed; writing the PDF"
            self._tick()

    def _publish(self, report, version: int, pages: int, **extra) -> None:
        self.state.update(version=version, pages=pages, error="",
                          copyfit=[as_dict(e) for e in report.copyfit],
                          warnings=[_linked(n.as_dict()) for n in report.warnings + report.preflight],
                          holes=[{"page": h.page, "area": list(h.area), "story": h.story, "lines": h.lines}
                                 for h in report.holes], **extra)

    def _tick(self) -> None:
        """Something changed: wake the requests waiting on /state?since=."""
        self.state["tick"] = self.state.get("tick", 0) + 1
        self.changed.notify_all()

    def wait(self, since: int, timeout: float) -> None:
        """Wait until the state's tick is not `since` (a long poll), at most `timeout` s."""
        with self.lock:
            self.changed.wait_for(lambda: self.state.get("tick", 0) != since, timeout)

    def lossless_page(self, n: int) -> bytes | None:
        """Page n as a PNG, encoded from its picture the first time it is asked for."""
        with self.lock:
            found = self.lossless.get(n)
        if found is None or isinstance(found, bytes):
            return found
        png = _encoded(found, "PNG")
        with self.lock:
            if self.lossless.get(n) is found:
                self.lossless[n] = png
        return png

    def _rasterize(self, numbers: list[int]) -> None:
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(self.session.pdf)
        try:
            count = len(doc)
            for n in list(self.pages):
                if n > count:
                    del self.pages[n], self.thumbs[n], self.lossless[n]
                    self.shown.pop(n, None)
            for n in range(1, count + 1):
                if n in self.pages and n not in numbers:
                    continue
                self.softproofs.pop(n, None)
                page = doc[n - 1]
                image = page.render(scale=SCREEN_WIDTH / page.get_width()).to_pil()
                self.pages[n], self.thumbs[n], self.lossless[n] = \
                    _encoded(image, "JPEG"), _encoded(_thumbnail(image), "PNG"), image
                composed = self.session.pages.get(n)
                if composed is not None and not (self.session.options.proof or self.session.options.press):
                    self.shown[n] = (composed[1], image)
                else:
                    self.shown.pop(n, None)
        finally:
            doc.close()

    def sources(self, n: int) -> dict | None:
        """Where each frame and line of page n comes from (display.Source, made by the
        composition), in fractions of the page, with the file as given (path:line to copy)
        and as a full path for the editor link."""
        with self.lock:
            found = self.session.pages.get(n)
        if found is None:
            return None
        page = found[1]
        out = []
        for item in page.items:
            if isinstance(item, Source):
                out.append({"x": item.x / page.width, "y": item.y / page.height, "w": item.w / page.width,
                            "h": item.h / page.height, "kind": item.kind, "file": item.file, "line": item.line,
                            "path": _full(item.file), "element": item.element, "story": item.story,
                            "style": item.style, "note": item.note})
        return {"page": n, "width": page.width, "height": page.height, "sources": out}

    def diff(self, n: int) -> bytes | None:
        """Page n as it is now with the regions that changed since the last proof
        outlined (desk/diff.py); None for a page the preview has not got."""
        import io

        from PIL import Image

        from .diff import outlined

        with self.lock:
            if self.proof_pdf is None:
                self.proof_pdf = self.session.pdf
            version, pdf = self.state["version"], self.proof_pdf
            found = self.diffs.get((n, version))
        now = self.lossless_page(n) if found is None else None
        if found is not None or now is None:
            return found
        if n not in self.proof:
            import pypdfium2 as pdfium

            doc = pdfium.PdfDocument(pdf)
            try:
                page = doc[n - 1] if n <= len(doc) else None
                self.proof[n] = page.render(scale=SCREEN_WIDTH / page.get_width()).to_pil().convert("RGB") \
                    if page is not None else None
            finally:
                doc.close()
        buf = io.BytesIO()
        outlined(self.proof[n], Image.open(io.BytesIO(now))).save(buf, "PNG", compress_level=1)
        with self.lock:
            self.diffs = {k: v for k, v in self.diffs.items() if k[1] == version}
            self.diffs[(n, version)] = buf.getvalue()
        return buf.getvalue()

    def softproof(self, n: int) -> bytes | None:
        """Page n of a press render as it will look on its paper (output/softproof.py),
        at the preview's width; None when the preview is no press render."""
        if not self.state["press"]:
            return None
        with self.lock:
            found = self.softproofs.get(n)
            if found is not None or n not in self.pages:
                return found
            pdf, width = self.session.pdf, self.session.pages[n][1].width
            condition = self.session.condition
        from ..output.softproof import pictures

        (picture,) = pictures(pdf, SCREEN_WIDTH / width * 72, condition, 1, first=n)
        with self.lock:
            self.softproofs[n] = picture
        return picture


def _picture(pdf: bytes, index: int):
    """A PDF's page rasterised at the preview's width."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[index]
        return page.render(scale=SCREEN_WIDTH / page.get_width()).to_pil()
    finally:
        doc.close()


REDRAW_MOST = 0.5  # past this share of the page changed, the whole page is drawn again
PAD = 2.0  # points around a changed item's box


def _redrawn(last, page, pdf_of):
    """The new picture of `page`, made by drawing again only the region where its items
    differ from the `last` (page, picture) shown: the items that meet that region, in
    their order, go through `pdf_of` (the same finish as the whole page) as a page of
    their own, and that region of its picture replaces the old one. Every item that
    can paint a pixel of the region is drawn, so the region's pixels are those of the
    whole page drawn again. None when that is not worth it (or not known to be right):
    no last picture, another size, an item whose extent is not known, most of the
    page changed."""
    from collections import Counter

    if last is None:
        return None
    old, picture = last
    if (old.width, old.height) != (page.width, page.height):
        return None
    drawn_old = Counter(i for i in old.items if not isinstance(i, Source))
    drawn_new = Counter(i for i in page.items if not isinstance(i, Source))
    changed = list((drawn_old - drawn_new).elements()) + list((drawn_new - drawn_old).elements())
    if not changed:
        return picture
    boxes = [_extent(i) for i in changed]
    if any(b is None for b in boxes):
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    scale = picture.width / page.width
    px0, py0 = max(0, int(x0 * scale) - 2), max(0, int(y0 * scale) - 2)
    px1, py1 = min(picture.width, int(x1 * scale) + 3), min(picture.height, int(y1 * scale) + 3)
    if px1 <= px0 or py1 <= py0:
        return picture
    if (px1 - px0) * (py1 - py0) > REDRAW_MOST * picture.width * picture.height:
        return None
    rx0, ry0, rx1, ry1 = px0 / scale - PAD, py0 / scale - PAD, px1 / scale + PAD, py1 / scale + PAD
    part = []
    for item in page.items:
        if isinstance(item, Source):
            continue
        box = _extent(item)
        if box is None or (box[0] <= rx1 and box[2] >= rx0 and box[1] <= ry1 and box[3] >= ry0):
            part.append(item)
    region = _picture(pdf_of(page._replace(items=tuple(part))), 0)
    if region.size != picture.size:
        return None
    out = picture.copy()
    out.paste(region.crop((px0, py0, px1, py1)), (px0, py0))
    return out


def _extent(item) -> tuple[float, float, float, float] | None:
    """Where an item can paint (x0, y0, x1, y1), generously; None when not known."""
    if isinstance(item, GlyphRun):
        size = item.size
        if not item.positions:
            return (item.x, item.y, item.x, item.y)
        xs = [p[0] for p in item.positions]
        ys = [p[1] for p in item.positions]
        reach = 2 * size + max(item.advances, default=0.0) * max(1.0, item.hscale)
        if item.rotate:  # along its baseline either way: a square as far as the run goes
            r = max(max(map(abs, xs)), max(map(abs, ys))) + reach
            return (item.x - r, item.y - r, item.x + r, item.y + r)
        return (item.x + min(xs) - reach, item.y + min(ys) - reach, item.x + max(xs) + reach,
                item.y + max(ys) + reach)
    box = area(item)
    if box is None:
        return None
    pad = PAD + (item.weight if isinstance(item, Panel) else 0.0)
    return box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad


def _encoded(image, kind: str) -> bytes:
    import io

    buf = io.BytesIO()
    if kind == "JPEG":
        image.save(buf, "JPEG", quality=JPEG_QUALITY)
    else:
        image.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def _thumbnail(image):
    """The thumbnail scaled down from the page's picture (not a second rasterisation)."""
    from PIL import Image

    return image.resize((THUMB_WIDTH, max(1, round(image.height * THUMB_WIDTH / image.width))),
                        Image.Resampling.BOX)


def _last_proof(output) -> bytes | None:
    """The PDF a render left at the output before this preview (the last proof), if any
    and readable."""
    from ..base.files import read_input

    try:
        return read_input(output) if output != STDOUT and Path(output).is_file() else None
    except Exception:  # noqa: BLE001 - no last proof: the first render is the baseline
        return None


def _full(file: str | None) -> str | None:
    """The file as a full path, for the editor link (the page is shown on this machine only)."""
    if not file:
        return None
    return str(Path(file).resolve())


def _linked(notice: dict) -> dict:
    """A warning with the full path of its place, for the editor link."""
    place = notice.get("place", {})
    if place.get("file"):
        notice["path"] = _full(place["file"])
    return notice


PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>paiban preview</title>
<style>
body{margin:0;font:14px sans-serif;display:flex;background:#eee}
#thumbs{width:170px;height:100vh;overflow:auto;padding:8px;box-sizing:border-box;background:#ddd}
#thumbs img{width:140px;display:block;margin:0 auto 4px;border:2px solid transparent;cursor:pointer}
#thumbs img.current{border-color:#c00}
#main{flex:1;padding:12px;overflow:auto;height:100vh;box-sizing:border-box}
#page{width:900px;box-shadow:0 0 6px #999;background:#fff}
#error{white-space:pre-wrap;color:#a00;font-family:monospace}
table{border-collapse:collapse;margin-top:8px}td,th{padding:2px 8px;border-bottom:1px solid #ccc;text-align:right}
td:first-child,th:first-child{text-align:left}.over{color:#c00;font-weight:bold}
#warnings{color:#840;font-size:13px;padding-left:16px}#warnings li[data-page]{cursor:pointer}
#sheet{position:relative;width:900px}#sheet img{display:block}
#hover{position:absolute;border:2px solid #06c;pointer-events:none;display:none}
.mark{position:absolute;pointer-events:none}.hole{background:rgba(255,150,0,.35)}.overset{border:2px solid #c00}
#source{margin:6px 0;padding:6px;background:#fff;font-size:13px;min-height:2.6em}
#pathline{font-family:monospace;width:30em}
</style></head>
<body data-version="0">
<div id="thumbs"></div>
<div id="main"><div id="message"></div><div id="error"></div>
<label id="soft" title="the press render as it will look on newsprint: needs --print"><input type="checkbox"
 id="softproof" onchange="draw()" disabled> soft proof (on the paper, in its inks)</label>
<label title="the page now, with what changed since the last proof outlined in red"><input type="checkbox"
 id="changes" onchange="draw()"> changes since the last proof</label><br>
<div id="source"><span id="where">click a line or a frame to see where it comes from</span>
 <a id="editor" href="#">open in editor</a> <input id="pathline" readonly title="copy path:line">
 <div id="frame"></div></div>
<div id="sheet"><img id="page" alt="page"><div id="marks"></div><div id="hover"></div></div>
<ul id="warnings"></ul><table id="copyfit"></table></div>
<script>
const params = new URLSearchParams(location.search);
let current = +(params.get('page') || 1), version = -1, tick = -1, S = {editor: '', copyfit: [], holes: []};
let sources = null, asked = params.get('at');  // ?page=N&at=fx,fy: as if clicked there
function show(n) { current = n; draw(); }
if (params.get('view') === 'diff') document.getElementById('changes').checked = true;
function draw() {
  const soft = document.getElementById('softproof').checked, changes = document.getElementById('changes').checked;
  document.getElementById('page').src = (changes ? '/diff/' + current + '.png' : soft ? '/softproof/' + current + '.png' : '/page/' + current + '.jpg') + '?v=' + version;
  document.querySelectorAll('#thumbs img').forEach((img, i) => img.className = (i + 1 === current) ? 'current' : '');
  loadSources();
}
async function loadSources() {
  const page = current, v = version;
  try {
    const got = await (await fetch('/sources/' + page + '.json?v=' + v, {cache: 'no-store'})).json();
    if (page !== current || v !== version) return;
    sources = got; drawMarks();
    if (asked) { const [x, y] = asked.split(',').map(Number); asked = null; locate(x, y); }
  } catch (e) { sources = null; }
}
function hit(fx, fy, want) {  // the smallest region of the composition that holds the point
  let best = null;
  for (const s of (sources ? sources.sources : [])) {
    if (want(s) && fx >= s.x && fx <= s.x + s.w && fy >= s.y && fy <= s.y + s.h && (!best || s.w * s.h < best.w * best.h)) best = s;
  }
  return best;
}
function editorLink(path, line) { return S.editor.replace('{path}', encodeURI(path)).replace('{line}', line || 1); }
function fit(story) {
  const e = (S.copyfit || []).find(e => e.story === story);
  if (!e) return '';
  return e.overset_chars ? ', overset ' + e.overset_chars + ' characters' : e.underset_lines ? ', underset ' + e.underset_lines + ' lines' : '';
}
function frameText(f) {
  return f.kind + (f.story ? ' ' + f.story : '') + ', element ' + f.element + ' at ' + f.file + ':' + f.line +
    (f.style ? ', style ' + f.style : '') + (f.note ? ', ' + f.note : '') + (f.story ? fit(f.story) : '');
}
function locate(fx, fy) {
  const line = hit(fx, fy, s => s.kind === 'line'), frame = hit(fx, fy, s => s.kind !== 'line');
  const main = line || frame, where = document.getElementById('where');
  if (!main) { where.textContent = 'nothing composed here'; document.body.dataset.source = ''; return; }
  const pl = main.file + ':' + main.line;
  where.textContent = line ? 'story ' + line.story + ', paragraph at ' + pl + ', style ' + line.style : frameText(frame);
  document.getElementById('pathline').value = pl;
  document.getElementById('editor').href = editorLink(main.path, main.line);
  document.getElementById('frame').textContent = line && frame ? 'in ' + frameText(frame) : '';
  document.body.dataset.source = pl;
}
function at(ev) {
  const r = document.getElementById('page').getBoundingClientRect();
  return [(ev.clientX - r.left) / r.width, (ev.clientY - r.top) / r.height];
}
function box(div, x, y, w, h) {
  Object.assign(div.style, {left: x * 100 + '%', top: y * 100 + '%', width: w * 100 + '%', height: h * 100 + '%'});
}
function drawMarks() {  // holes and overset, on the page as they happen
  const marks = document.getElementById('marks');
  marks.innerHTML = '';
  if (!sources) return;
  for (const h of (S.holes || [])) {
    if (h.page !== current) continue;
    const d = document.createElement('div'); d.className = 'mark hole'; d.title = 'hole: ' + h.lines + ' lines (' + h.story + ')';
    box(d, h.area[0] / sources.width, h.area[1] / sources.height, h.area[2] / sources.width, h.area[3] / sources.height);
    marks.appendChild(d);
  }
  for (const e of (S.copyfit || [])) {
    if (!e.overset_chars || e.pages[e.pages.length - 1] !== current) continue;
    for (const s of sources.sources) {
      if (s.kind !== 'story' || s.story !== e.story) continue;
      const d = document.createElement('div'); d.className = 'mark overset'; d.title = 'overset ' + e.overset_chars;
      box(d, s.x, s.y, s.w, s.h); marks.appendChild(d);
    }
  }
}
document.addEventListener('DOMContentLoaded', () => {
  const img = document.getElementById('page'), hover = document.getElementById('hover');
  img.addEventListener('click', ev => locate(...at(ev)));
  img.addEventListener('mousemove', ev => {
    const [x, y] = at(ev), f = hit(x, y, s => s.kind !== 'line');
    if (!f) { hover.style.display = 'none'; return; }
    box(hover, f.x, f.y, f.w, f.h); hover.style.display = 'block'; hover.title = frameText(f); img.title = frameText(f);
  });
  img.addEventListener('mouseleave', () => hover.style.display = 'none');
  // when a version's picture was on screen (the clock of the machine): the browser test
  // prints the time from an edit's save to it
  img.addEventListener('load', () => { document.body.dataset.shown = Date.now(); document.body.dataset.shownVersion = version; });
});
async function poll() {
  try {
    // a long poll: the server answers when the state has changed (at once the first time);
    // ?poll=MS asks plain polling instead (a headless browser's virtual time waits on a long poll)
    const long = !params.get('poll') && tick >= 0;
    const s = await (await fetch('/state' + (long ? '?since=' + tick : ''), {cache: 'no-store'})).json();
    S = s;
    if (s.tick !== tick) {
      tick = s.tick;
      document.getElementById('error').textContent = s.error;
      document.getElementById('message').textContent = s.message;
      document.getElementById('softproof').disabled = !s.press;
    }
    if (s.version !== version) {
      version = s.version;
      const thumbs = document.getElementById('thumbs');
      thumbs.innerHTML = '';
      for (let n = 1; n <= s.pages; n++) {
        const img = document.createElement('img');
        img.src = '/thumb/' + n + '.png?v=' + version; img.alt = 'page ' + n;
        img.onclick = () => show(n); thumbs.appendChild(img);
      }
      if (current > s.pages) current = 1;
      draw();
      const rows = ['<tr><th>story</th><th>pages</th><th>chars</th><th>overset</th><th>lines</th><th>capacity</th><th>underset</th></tr>'];
      for (const e of s.copyfit) {
        rows.push('<tr><td>' + e.story + '</td><td>' + e.pages.join(',') + '</td><td>' + e.chars +
          '</td><td class="' + (e.overset_chars ? 'over' : '') + '">' + e.overset_chars + '</td><td>' +
          e.lines_used + '</td><td>' + e.capacity_lines + '</td><td>' + e.underset_lines + '</td></tr>');
      }
      document.getElementById('copyfit').innerHTML = rows.join('');
      const list = document.getElementById('warnings');
      list.innerHTML = '';
      for (const w of (s.warnings || [])) {  // each with its place: a click shows its page
        const li = document.createElement('li');
        li.textContent = w.text + ' ';
        if (w.path) {  // its source, in the editor
          const a = document.createElement('a'); a.href = editorLink(w.path, w.place.line); a.textContent = 'open';
          a.onclick = ev => ev.stopPropagation(); li.appendChild(a);
        }
        if (w.place.page) { li.dataset.page = w.place.page; li.onclick = () => show(w.place.page); }
        list.appendChild(li);
      }
      document.body.dataset.version = version;
    }
    setTimeout(poll, +(params.get('poll') || 0));
    return;
  } catch (e) { /* the server is restarting; try again */ }
  setTimeout(poll, 400);
}
poll();
</script></body></html>
"""


def _handler(preview: Preview, port: list[int]):
    """The request handler; `port` holds the port the server listens on, once bound."""
    class Handler(BaseHTTPRequestHandler):
        timeout = IDLE  # a silent connection is closed (http.server catches the timeout)

        def log_message(self, *args):  # quiet: the terminal shows renders, not requests
            pass

        def _send(self, body: bytes, kind: str, status=HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _ours(self) -> bool:
            """The request names this server: a DNS-rebinding page's Host names its own site."""
            host = (self.headers.get("Host") or "").strip().lower()
            allowed = {f"{name}:{port[0]}" for name in HOSTS}
            if port[0] == 80:
                allowed.update(HOSTS)
            return host in allowed

        def __getattr__(self, name: str):
            """Any other method (POST, HEAD, made-up ones): 405, not http.server's 501."""
            if name.startswith("do_"):
                return lambda: self._send(b"only GET", "text/plain", HTTPStatus.METHOD_NOT_ALLOWED)
            raise AttributeError(name)

        def do_GET(self):  # noqa: N802 - the http.server name
            if not self._ours():
                return self._send(b"this preview answers only to 127.0.0.1 and localhost", "text/plain",
                                  HTTPStatus.MISDIRECTED_REQUEST)
            path = self.path.split("?")[0]
            if path == "/":
                return self._send(PAGE.encode(), "text/html; charset=utf-8")
            if path == "/state":
                since = self.path.partition("?since=")[2]
                if since.isascii() and since.isdigit() and len(since) <= 12:
                    preview.wait(int(since), LONG_POLL)  # a long poll: answered when something changes
                with preview.lock:
                    body = json.dumps(preview.state, ensure_ascii=False).encode()
                return self._send(body, "application/json; charset=utf-8")
            def stored(store):
                def get(n: int):
                    with preview.lock:
                        return store.get(n)
                return get

            def sources(n: int):
                found = preview.sources(n)
                return None if found is None else json.dumps(found, ensure_ascii=False).encode()

            for prefix, suffix, get, kind, missing in (
                    ("/sources/", ".json", sources, "application/json; charset=utf-8", b"no such page"),
                    ("/diff/", ".png", preview.diff, "image/png", b"no such page"),
                    ("/softproof/", ".png", preview.softproof, "image/png", b"no soft proof: run with --print"),
                    ("/page/", ".jpg", stored(preview.pages), "image/jpeg", b"not found"),
                    ("/page/", ".png", preview.lossless_page, "image/png", b"not found"),
                    ("/thumb/", ".png", stored(preview.thumbs), "image/png", b"not found")):
                if path.startswith(prefix) and path.endswith(suffix):
                    number = path[len(prefix):-len(suffix)]
                    # ASCII digits only ('²' is a digit to str.isdigit, not to int), and few
                    # of them (int() refuses thousands)
                    if number.isascii() and number.isdigit() and len(number) <= MAX_PAGE_DIGITS:
                        body = get(int(number))
                        if body is not None:
                            return self._send(body, kind)
                    return self._send(missing, "text/plain", HTTPStatus.NOT_FOUND)
            return self._send(b"not found", "text/plain", HTTPStatus.NOT_FOUND)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A request that failed: the connection is closed and the preview goes on,
        without a traceback. A client that left mid-answer is nothing to report; a bug
        is one line."""
        import sys

        exc = sys.exc_info()[1]
        if exc is not None and not isinstance(exc, OSError):
            try:
                print(internal_error(exc), file=sys.stderr, flush=True)
            except (OSError, ValueError, AttributeError):
                pass


def serve(options: Options, port: int = 8000, out=print, stop: threading.Event | None = None,
          editor: str = EDITOR) -> None:
    """Serve the preview on 127.0.0.1 and re-render on every change until interrupted.
    `editor`: the link that opens a source line, with {path} and {line}."""
    preview = Preview(options, editor)
    bound = [port]
    server = _Server(("127.0.0.1", port), _handler(preview, bound))
    bound[0] = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    out(f"preview: http://127.0.0.1:{server.server_address[1]}/")
    out(preview.render([]))
    try:
        for names in file_events(options, stop, step=10):
            out(preview.render(names))
    finally:
        server.shutdown()
        server.server_close()
