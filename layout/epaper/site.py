"""The site's files: index, a page per newspaper page (its picture from our PDF with
pypdfium2, a hotzone over each part of each article), a page per article, the web fonts,
the style sheet and epaper.json; written to a sibling folder, then swapped in, so a
failed render leaves the last good site. Every text from the edition is escaped here."""
from __future__ import annotations

import html
import io
import json
import re
import os
import secrets
import shutil
from pathlib import Path

from ..base.errors import InputError, Place, RenderError, Report, Where
from ..base.files import Inputs, real
from ..base.scripts import is_han, is_tibetan
from ..edition import model
from ..fonts.faces import FontSet
from .articles import Article, articles
from .webfonts import web_fonts

MARK = "epaper.json"  # a folder holding this (and what the site writes) is a site to replace
PAGE_PX = (1200, 320)  # widths of a page's picture and its thumbnail, in pixels
PHOTO_PX = 1200  # a photo's longer side at most, in pixels
UI = {"issue": "目录", "prev": "上一版", "next": "下一版", "articles": "本版文章", "page": "版",
      "back": "返回本版", "pages": "见报版面"}


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def check_target(target: Path, inputs: Inputs, outputs=()) -> None:
    """Refuse a site folder that is an input, holds one or another output of the render,
    or is a folder that is not a site (with other files in it): the swap would delete them."""
    target = Path(target)
    shown = str(target)
    if "\0" in shown:
        raise InputError("the --epaper folder name contains a NUL byte", Where(shown), "give a plain folder name")
    where = real(target)
    for out in outputs:
        path = real(out)
        if path == where or path.startswith(where.rstrip(os.sep) + os.sep):
            raise InputError(f"--epaper {shown}: the site folder would hold {out}, another output of this render",
                             Where(shown), "write the PDF (-o) outside the site's folder")
    for path, what in sorted(inputs.paths.items()):
        if path == where or path.startswith(where.rstrip(os.sep) + os.sep):
            raise InputError(f"--epaper {shown}: the site folder would replace {what}, an input of this render",
                             Where(shown), "write the site to a folder of its own, e.g. out/epaper")
    if os.path.lexists(target):
        if target.is_symlink() or not target.is_dir():
            raise RenderError(f"{shown}: cannot write the site: it is not a folder (a file or a link), which "
                              "is not replaced; give a new folder name")
        names = set(os.listdir(target))
        if names and MARK not in names:
            raise RenderError(f"{shown}: cannot write the site: the folder holds other files and no {MARK} "
                              "(it is not a site this command wrote); give a new or empty folder")


def publish(target: Path, edition: model.Edition, pages: list, report: Report, pdf: bytes,
            fonts: FontSet, inputs: Inputs) -> list[Article]:
    """Write the site for the composed `pages` (the display lists) and their PDF."""
    check_target(target, inputs)
    arts = articles(edition, pages, report)
    for art in arts:
        if art.overset_chars:
            report.warn("epaper-overset", f"story {art.story}: {art.overset_chars} characters overset are not "
                        "published in the digital edition", Place(story=art.story),
                        "cut the story or give it more room")
    files = build(edition, pages, arts, pdf, fonts)
    swap(Path(target), files)
    return arts


def build(edition: model.Edition, pages: list, arts: list[Article], pdf: bytes, fonts: FontSet) -> dict[str, bytes]:
    """Every file of the site, by its path in the site."""
    files: dict[str, bytes] = {}
    pictures = page_pictures(pdf)
    sizes = [(p.width, p.height) for p in pages]
    for n, (big, small) in enumerate(pictures, 1):
        files[f"pages/p{n:02d}.webp"] = big
        files[f"pages/p{n:02d}-s.webp"] = small
    photos: dict[str, str] = {}  # photo file -> its name in the site
    for art in arts:
        for k, ph in enumerate(art.photos, 1):
            if ph.path and ph.path not in photos:
                name = f"img/{art.slug}-{k}.jpg"
                files[name] = web_photo(ph.path)
                photos[ph.path] = name
    body_chars, head_chars = set("".join(UI.values()) + "…：" + edition.paper.name + edition.paper.name_bo), set()
    head_chars |= set(edition.paper.name + edition.paper.name_bo + "".join(UI.values()) + "0123456789")
    head_chars |= {c for p in edition.source.pages for c in p.section}
    for art in arts:
        head_chars |= set(art.kicker + art.headline + art.deck)
        for b in art.blocks:
            body_chars |= set(b.text) if b.kind != "table" else set(b.table.text)
            if b.kind in ("subhead", "byline"):
                head_chars |= set(b.text)
            if b.kind == "table":
                head_chars |= {ch for c in b.table.header for ch in c.text}
            for s in b.spans:
                head_chars |= set(b.text[s.start:s.end])
        for ph in art.photos:
            body_chars |= set(ph.caption + ph.credit)
    for n, page in enumerate(edition.source.pages, 1):
        body_chars |= set(page.section)
    body_chars |= head_chars
    fonts_css = []
    for wf in web_fonts(fonts, body_chars, head_chars):
        files[f"fonts/{wf.file}"] = wf.data
        fonts_css.append(f'@font-face{{font-family:"{wf.family}";src:url("../fonts/{wf.file}") format("woff2");'
                         f'font-weight:{700 if wf.bold else 400};font-display:swap;unicode-range:{wf.ranges}}}')
    files["css/site.css"] = ("\n".join(fonts_css) + "\n" + CSS).encode()
    on_page: dict[int, list[Article]] = {}
    for art in arts:
        for p in art.pages:
            on_page.setdefault(p, []).append(art)
    count = len(pages)
    files["index.html"] = index_html(edition, pages, on_page).encode()
    for i, page in enumerate(pages):
        files[f"page-{page.number:02d}.html"] = page_html(edition, page, sizes[i], on_page.get(page.number, []),
                                                          count).encode()
    for art in arts:
        files[f"a/{art.slug}.html"] = article_html(edition, art, photos).encode()
    files[MARK] = site_json(edition, pages, arts, photos).encode()
    return files


def page_pictures(pdf: bytes) -> list[tuple[bytes, bytes]]:
    """Each page of our PDF as WebP, at the page's width and as a thumbnail."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    out = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            width = page.get_width()
            pair = []
            for px in PAGE_PX:
                image = page.render(scale=px / width).to_pil().convert("RGB")
                buf = io.BytesIO()
                image.save(buf, "WEBP", quality=80, method=4)
                pair.append(buf.getvalue())
            out.append((pair[0], pair[1]))
    finally:
        doc.close()
    return out


def web_photo(path: str) -> bytes:
    """A photo upright, in sRGB-ish RGB, at most PHOTO_PX on its longer side, as a
    plain JPEG (no metadata carried over)."""
    from PIL import ImageOps

    from ..edition.photos import open_photo

    im = ImageOps.exif_transpose(open_photo(path))
    im = im.convert("RGB")
    im.thumbnail((PHOTO_PX, PHOTO_PX))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=82, optimize=True, progressive=True)
    return buf.getvalue()


def swap(target: Path, files: dict[str, bytes]) -> None:
    """Write the site into a sibling folder, then put it in the target's place (the old
    site removed after): a failure before the swap leaves the last good site."""
    target = Path(target)
    parent = target.parent
    tag = f"{os.getpid()}-{secrets.token_hex(4)}"
    tmp = parent / f".{target.name}.{tag}.part"
    old = parent / f".{target.name}.{tag}.old"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        for name in sorted(files):
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as fh:
                fh.write(files[name])
        if os.path.lexists(target):
            os.rename(target, old)
        os.rename(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if os.path.lexists(old) and not os.path.lexists(target):
            os.rename(old, target)
        raise RenderError(f"{target}: cannot write the site: {exc.strerror or exc}") from None
    shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------- text to HTML

def _script(ch: str) -> str | None:
    if is_tibetan(ch):
        return "bo"
    if is_han(ch):
        return "zh-Hans"
    return None


def marked(text: str, lang: str, spans=()) -> str:
    """`text` escaped, bold spans as <strong>, and runs in another script than the
    article's marked with their own lang (a neutral character goes with the run before)."""
    bold = [False] * len(text)
    for s in spans:
        for i in range(max(0, s.start), min(len(text), s.end)):
            bold[i] = True
    out, cur, run, last = [], None, [], lang
    for i, ch in enumerate(text):
        script = _script(ch) or last
        last = script
        key = (bold[i], script)
        if key != cur and run:
            out.append(_wrap("".join(run), cur, lang))
            run = []
        cur = key
        run.append(ch)
    if run:
        out.append(_wrap("".join(run), cur, lang))
    return "".join(out)


def _wrap(text: str, key, lang: str) -> str:
    bold, script = key
    body = esc(text)
    if script != lang and lang != "en" or (lang == "en" and script in ("bo", "zh-Hans")):
        body = f'<span lang="{script}">{body}</span>'
    return f"<strong>{body}</strong>" if bold else body


def _lines(text: str, lang: str) -> str:
    """A headline's lines (a line feed breaks it in print) as one line on the web."""
    return marked(" ".join(part.strip() for part in text.splitlines() if part.strip()) if "\n" in text
                  else text, lang)


def table_html(table: model.TableData, lang: str) -> str:
    """A pipe table as an HTML table; an `auto` column of numbers set right, as in print."""
    def align(i: int) -> str:
        a = table.aligns[i] if i < len(table.aligns) else "auto"
        if a == "auto":
            column = [row[i].text for row in table.rows if i < len(row)]
            return "num" if column and all(re.fullmatch(r"[\d.,%+\-−\s]+", t) for t in column) else "start"
        return a

    def cells(row, tag: str) -> str:
        return "".join(f'<{tag} class="{esc(align(i))}">{marked(c.text, lang, c.spans)}</{tag}>'
                       for i, c in enumerate(row))

    rows = []
    if table.header:
        rows.append(f"<thead><tr>{cells(table.header, 'th')}</tr></thead>")
    rows.append("<tbody>" + "".join(f"<tr>{cells(row, 'td')}</tr>" for row in table.rows) + "</tbody>")
    return f'<div class="table"><table>{"".join(rows)}</table></div>'


def _head(title: str, lang: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{esc(title)}</title>\n<link rel="stylesheet" href="{{root}}css/site.css">\n</head>\n')


def _issue_line(edition: model.Edition) -> str:
    paper = edition.paper
    date = paper.date
    parts = [f"{date.year}年{date.month}月{date.day}日"]
    if paper.weekday_text:
        parts.append(paper.weekday_text)
    if paper.issue is not None:
        parts.append(f"第{paper.issue}期")
    if paper.total_issue is not None:
        parts.append(f"总第{paper.total_issue}期")
    return " ".join(parts)


def _section(edition: model.Edition, number: int) -> str:
    section = edition.source.pages[number - 1].section
    return f"第{number:02d}{UI['page']}" + (f" {section}" if section else "")


def index_html(edition: model.Edition, pages: list, on_page: dict) -> str:
    paper = edition.paper
    cards = []
    for page in pages:
        n = page.number
        titles = "".join(f"<li>{_lines(a.headline or a.story, a.lang)}</li>"
                         for a in on_page.get(n, []) if a.headline)
        cards.append(f'<li class="card"><a href="page-{n:02d}.html"><img src="pages/p{n:02d}-s.webp" '
                     f'width="{PAGE_PX[1]}" height="{round(PAGE_PX[1] * page.height / page.width)}" '
                     f'alt="{esc(_section(edition, n))}"><span class="sec">{marked(_section(edition, n), "zh-Hans")}</span></a>'
                     f'<ul class="heads">{titles}</ul></li>')
    return (_head(f"{paper.name} {_issue_line(edition)}", "zh-Hans").replace("{root}", "")
            + f'<body class="index">\n<header><h1>{esc(paper.name)}</h1>'
            + (f'<p class="bo" lang="bo">{esc(paper.name_bo)}</p>' if paper.name_bo else "")
            + f'<p class="issue">{esc(_issue_line(edition))}</p></header>\n'
            + f'<main><ol class="pages">{"".join(cards)}</ol></main>\n</body>\n</html>\n')


def page_html(edition: model.Edition, page, size: tuple[float, float], arts: list[Article], count: int) -> str:
    n = page.number
    width, height = size
    zones, items = [], []
    for art in arts:
        title = _title(art)
        for r in art.regions:
            if r.page != n:
                continue
            zones.append(f'<a class="hz {r.kind}" href="a/{art.slug}.html" data-article="{esc(art.slug)}" '
                         f'title="{esc(_plain(title))}" style="left:{100 * r.x / width:.3f}%;top:{100 * r.y / height:.3f}%;'
                         f'width:{100 * r.w / width:.3f}%;height:{100 * r.h / height:.3f}%"></a>')
        items.append(f'<li lang="{art.lang}"><a href="a/{art.slug}.html">{_lines(title, art.lang)}</a></li>')
    nav = ['<a href="index.html">' + UI["issue"] + "</a>"]
    nav.append(f'<a rel="prev" href="page-{n - 1:02d}.html">{UI["prev"]}</a>' if n > 1 else
               f'<span class="off">{UI["prev"]}</span>')
    nav.append(f'<a rel="next" href="page-{n + 1:02d}.html">{UI["next"]}</a>' if n < count else
               f'<span class="off">{UI["next"]}</span>')
    h = round(PAGE_PX[0] * height / width)
    return (_head(f"{edition.paper.name} {_section(edition, n)}", "zh-Hans").replace("{root}", "")
            + f'<body class="page">\n<nav class="bar" lang="zh-Hans">{" ".join(nav)}<span class="where">'
            + f'{marked(_section(edition, n), "zh-Hans")}</span></nav>\n<main class="sheet">\n'
            + f'<div class="pagepic"><img src="pages/p{n:02d}.webp" width="{PAGE_PX[0]}" height="{h}" '
            + f'alt="{esc(_section(edition, n))}">{"".join(zones)}</div>\n'
            + f'<aside><h2>{UI["articles"]}</h2><ol class="list">{"".join(items)}</ol></aside>\n</main>\n'
            + "</body>\n</html>\n")


def _title(art: Article) -> str:
    """The article's headline, or for a story printed without one its first words."""
    if art.headline:
        return art.headline
    first = next((b.text for b in art.blocks if b.kind in ("para", "subhead") and b.text.strip()), art.story)
    first = " ".join(first.split())
    return first if len(first) <= 24 else first[:24] + "…"


def _plain(text: str) -> str:
    return " ".join(text.split())


def article_html(edition: model.Edition, art: Article, photos: dict[str, str]) -> str:
    lang = art.lang
    parts = []
    if art.kicker:
        parts.append(f'<p class="kicker">{_lines(art.kicker, lang)}</p>')
    if art.headline:
        parts.append(f"<h1>{_lines(art.headline, lang)}</h1>")
    if art.deck:
        parts.append(f'<p class="deck">{_lines(art.deck, lang)}</p>')
    head = f'<header>{"".join(parts)}</header>' if parts else ""
    figures = []
    for ph in art.photos:
        if ph.path not in photos:
            continue
        cap = marked(ph.caption, lang) + (f' <span class="credit">{marked(ph.credit, lang)}</span>' if ph.credit else "")
        figures.append(f'<figure><img src="../{photos[ph.path]}" alt="{esc(_plain(ph.caption))}">'
                       f"<figcaption>{cap}</figcaption></figure>")
    body = []
    for b in art.blocks:
        if b.kind == "para":
            body.append(f"<p>{marked(b.text, lang, b.spans)}</p>")
        elif b.kind == "subhead":
            body.append(f"<h2>{marked(b.text, lang, b.spans)}</h2>")
        elif b.kind == "byline":
            body.append(f'<p class="byline">{marked(b.text, lang, b.spans)}</p>')
        elif b.kind == "table" and b.table is not None:
            body.append(table_html(b.table, lang))
    pages = " ".join(f'<a href="../page-{p:02d}.html">{marked(_section(edition, p), "zh-Hans")}</a>' for p in art.pages)
    title = _plain(_title(art))
    if lang == "zh-Hans":  # the title is in the page's language only (it cannot mark a span)
        title = f"{title} — {edition.paper.name}"
    return (_head(title, lang).replace("{root}", "../")
            + f'<body class="article">\n<nav class="bar" lang="zh-Hans"><a href="../index.html">{UI["issue"]}</a> '
            + f'<span class="where">{UI["pages"]}：{pages}</span></nav>\n'
            + f'<main><article lang="{lang}" data-story="{esc(art.story)}">{head}{"".join(figures)}'
            + f'<div class="body">{"".join(body)}</div></article></main>\n</body>\n</html>\n')


def site_json(edition: model.Edition, pages: list, arts: list[Article], photos: dict[str, str]) -> str:
    paper = edition.paper
    sizes = {p.number: (p.width, p.height) for p in pages}
    data = {
        "paper": paper.name, "date": paper.date.isoformat(), "issue": paper.issue, "total_issue": paper.total_issue,
        "pages": [{"number": p.number, "section": edition.source.pages[p.number - 1].section,
                   "html": f"page-{p.number:02d}.html", "image": f"pages/p{p.number:02d}.webp",
                   "thumbnail": f"pages/p{p.number:02d}-s.webp", "width_pt": round(p.width, 2),
                   "height_pt": round(p.height, 2),
                   "articles": [a.slug for a in arts if p.number in a.pages]} for p in pages],
        "articles": [{
            "id": a.slug, "story": a.story, "html": f"a/{a.slug}.html", "lang": a.lang, "kicker": a.kicker,
            "headline": a.headline, "deck": a.deck, "pages": a.pages, "overset_chars": a.overset_chars,
            "photos": [photos[ph.path] for ph in a.photos if ph.path in photos],
            "regions": [{"page": r.page, "kind": r.kind,
                         "points": [round(v, 2) for v in (r.x, r.y, r.w, r.h)],
                         "fractions": [round(r.x / sizes[r.page][0], 5), round(r.y / sizes[r.page][1], 5),
                                       round(r.w / sizes[r.page][0], 5), round(r.h / sizes[r.page][1], 5)]}
                        for r in a.regions]} for a in arts],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


CSS = """
*{box-sizing:border-box}
html{background:#f4f1ea;color:#1b1b1b}
body{margin:0;font-family:"pb-body","Noto Serif CJK SC","Source Han Serif SC",serif;font-size:18px}
a{color:#8a1c1c;text-decoration:none}
a:hover{text-decoration:underline}
.bar{position:sticky;top:0;z-index:2;display:flex;gap:1.2em;align-items:center;padding:.6em 1.2em;
 background:#8a1c1c;color:#fff;font-family:"pb-head","pb-body",sans-serif;font-weight:700}
.bar a{color:#fff}.bar .off{opacity:.45}.bar .where{margin-left:auto;font-weight:400}
.bar .where a{margin-left:.6em}
header h1,.article h1{font-family:"pb-head","pb-body","Noto Sans CJK SC",sans-serif;font-weight:700}
.index header{text-align:center;padding:2em 1em 1em;border-bottom:3px double #8a1c1c;background:#fff}
.index header h1{font-size:3em;letter-spacing:.2em;margin:0;color:#8a1c1c}
.index header .bo{font-size:1.4em;margin:.3em 0;line-height:2}
.index header .issue{margin:.5em 0 0;color:#555}
.pages{list-style:none;margin:0 auto;padding:1.5em;display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));
 gap:1.5em;max-width:1400px}
.card{background:#fff;padding:.8em;box-shadow:0 1px 4px rgba(0,0,0,.15)}
.card img{width:100%;height:auto;display:block;border:1px solid #ddd}
.card .sec{display:block;font-family:"pb-head","pb-body",sans-serif;font-weight:700;margin:.5em 0 .2em}
.card .heads{margin:0;padding-left:1.1em;font-size:.8em;line-height:1.6;color:#333}
.sheet{display:flex;gap:1.5em;padding:1.5em;align-items:flex-start}
.pagepic{position:relative;flex:0 1 900px;min-width:0;background:#fff;box-shadow:0 1px 6px rgba(0,0,0,.2)}
.pagepic img{display:block;width:100%;height:auto}
.hz{position:absolute;display:block;outline:2px solid transparent;transition:background .1s}
.hz:hover,.hz:focus,.hz.on{outline-color:#c00;background:rgba(200,0,0,.08)}
aside{flex:0 0 300px;background:#fff;padding:1em 1.2em;box-shadow:0 1px 4px rgba(0,0,0,.15)}
aside h2{font-family:"pb-head","pb-body",sans-serif;font-size:1em;margin:0 0 .5em;color:#8a1c1c}
aside .list{margin:0;padding-left:1.3em;line-height:1.7;font-size:.95em}
aside .list li:lang(bo){line-height:2.1;font-size:1.1em}
.article main{padding:1.5em}
article{max-width:38em;margin:0 auto;background:#fff;padding:2em 2.5em 3em;box-shadow:0 1px 4px rgba(0,0,0,.15)}
article .kicker{font-family:"pb-head","pb-body",sans-serif;color:#555;margin:0 0 .4em;font-size:1.05em}
article h1{font-size:2em;line-height:1.35;margin:0 0 .3em}
article .deck{color:#444;font-size:1.15em;margin:.2em 0 1em}
article figure{margin:1.2em 0}
article figure img{width:100%;height:auto;display:block}
article figcaption{font-size:.85em;line-height:1.6;color:#444;margin-top:.4em}
article .credit{color:#777}
.body p{line-height:1.8;text-align:justify;text-indent:2em;margin:0 0 .6em}
.body h2{font-family:"pb-head","pb-body",sans-serif;font-size:1.15em;margin:1.4em 0 .5em}
.body .byline{text-indent:0;font-family:"pb-head","pb-body",sans-serif;font-weight:700;color:#555}
.body strong{font-family:"pb-head","pb-body",sans-serif;font-weight:700}
.table{overflow-x:auto;margin:1em 0}
.table table{border-collapse:collapse;font-size:.9em;width:100%}
.table th,.table td{border-top:1px solid #999;border-bottom:1px solid #999;padding:.3em .6em;line-height:1.5}
.table th{font-weight:700;text-align:left;font-family:"pb-head","pb-body",sans-serif}
.table .end,.table .num,.table .decimal{text-align:right}.table .center{text-align:center}
article:lang(bo){font-size:1.2em}
article:lang(bo) .body p{line-height:2.1;text-indent:0;text-align:left}
article:lang(bo) h1{line-height:1.8}
article:lang(en) .body p{text-indent:0;line-height:1.6;text-align:left}
:lang(bo)>span[lang="zh-Hans"]{font-size:.85em}
@media (max-width:800px){.sheet{flex-direction:column}aside{flex:none;width:100%}article{padding:1.2em}}
"""
