"""The digital edition (--epaper): every story one article with all its published text,
hostile text escaped, the overset tail left out and reported, the site deterministic,
and a real browser follows index -> page -> hotzone -> article with the web fonts."""
from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import REPO, SAMPLE, pdftotext, squash
from layout.api import Options, render
from layout.base.errors import InputError, RenderError
from layout.edition import model
from layout.edition.loader import load_edition
from layout.epaper.articles import Article, PhotoPart, slug
from layout.epaper.site import article_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core, chromium's dependency
ISSUE = REPO / "editions" / "issue-287" / "edition.yaml"
ALLOW = {SAMPLE: (), ISSUE: (REPO / "editions" / "sample",)}
ALLOWED_TAGS = {"html", "head", "meta", "title", "link", "body", "nav", "a", "span", "main", "article", "header",
                "p", "h1", "h2", "figure", "img", "figcaption", "div", "strong", "table", "thead", "tbody", "tr",
                "th", "td"}


class Reader(HTMLParser):
    """An article page read back: the text of its <article>, its tags and attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <article>
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.langs: list[tuple[str, str]] = []  # (lang, text) of each element with a lang, innermost
        self.stack: list[str | None] = []
        self.captions: list[str] = []
        self.in_caption = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "article":
            self.depth += 1
        if tag == "figcaption":
            self.in_caption += 1
        if tag not in ("meta", "link", "img"):
            self.stack.append(attrs.get("lang"))

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1
        if tag == "figcaption":
            self.in_caption -= 1
        if tag not in ("meta", "link", "img") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.depth and not self.in_caption:
            self.text.append(data)
        if self.in_caption:
            self.captions.append(data)
        lang = next((x for x in reversed(self.stack) if x), None)
        if self.lasttag != "title":  # a <title> cannot mark a span: it has the page's language
            self.langs.append((lang, data))


def read(path: Path) -> Reader:
    r = Reader()
    r.feed(path.read_text(encoding="utf-8"))
    r.close()
    return r


def expected(edition, story: model.Story, head: tuple[str, ...]) -> str:
    """What an article must say: its head (kicker, headline, deck), then every block of
    the story as the engine read it, tables cell by cell."""
    parts = list(head)
    for b in story.blocks:
        if b.kind == "table":
            parts += [c.text for row in (b.table.header, *b.table.rows) for c in row]
        elif b.kind not in ("column", "frame"):
            parts.append(b.text)
    return squash("".join(parts))


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    out = {}
    for name, path in (("sample", SAMPLE), ("issue-287", ISSUE)):
        folder = tmp_path_factory.mktemp(name)
        result = render(Options(path, folder / "x.pdf", epaper=folder / "site", write_pdf=False,
                                allow_paths=ALLOW[path]))
        assert not (folder / "x.pdf").exists()  # the site alone
        out[name] = (path, folder / "site", result)
    return out


@pytest.mark.parametrize("name", ["sample", "issue-287"])
def test_every_story_is_one_article_with_its_whole_text(sites, name):
    path, site, result = sites[name]
    edition = load_edition(path, ALLOW[path])
    data = json.loads((site / "epaper.json").read_text(encoding="utf-8"))
    by_story = {a["story"]: a for a in data["articles"]}
    placed = {s.story for p in edition.source.pages for s in p.elements if isinstance(s, model.StoryFrame)}
    assert set(by_story) == placed and len(data["articles"]) == len(placed)
    heads = {}
    for page in edition.source.pages:
        for el in page.elements:
            if isinstance(el, model.Headline) and el.story and el.story not in heads:
                heads[el.story] = (el.kicker, el.text, el.deck)
    for page in edition.source.pages:
        for el in page.elements:
            if isinstance(el, model.TextBlock) and el.story and el.story not in heads:
                heads[el.story] = (el.text,)
    assert not result.report.overset
    for story_name, art in by_story.items():
        page = read(site / art["html"])
        story = edition.stories[story_name]
        assert squash("".join(page.text)) == expected(edition, story, heads.get(story_name, ())), story_name
        article_tag = next(a for t, a in page.tags if t == "article")
        assert article_tag["lang"] == art["lang"] and article_tag["data-story"] == story_name
        # every Tibetan run is marked bo, every Han run zh-Hans, whatever the article's language
        for lang, text in page.langs:
            if any("\u0f40" <= c <= "\u0fbc" for c in text):
                assert lang == "bo", (story_name, text)
            if any("\u4e00" <= c <= "\u9fff" for c in text) and any(
                    t == "article" for t, _ in page.tags) and lang is not None:
                assert lang in ("zh-Hans", "bo") and (lang == "zh-Hans" or not re.search("[\u4e00-\u9fff]", text)), \
                    (story_name, lang, text)
        for r in art["regions"]:  # page coordinates, in points and fractions of the page
            size = data["pages"][r["page"] - 1]
            x, y, w, h = r["points"]
            assert 0 <= x and x + w <= size["width_pt"] + 5 and 0 <= y and y + h <= size["height_pt"] + 5
            assert abs(r["fractions"][0] - x / size["width_pt"]) < 1e-4
    if name == "sample":
        lead = by_story["lead"]
        assert lead["pages"] == [1, 2]  # the jumped lead is one article, both parts
        kinds = [(r["page"], r["kind"]) for r in lead["regions"]]
        assert {(1, "headline"), (1, "photo"), (1, "text"), (1, "jump"), (2, "text"), (2, "jump")} <= set(kinds)
        text = "".join(read(site / lead["html"]).text)
        assert "下转" not in text and "上接" not in text  # the jump lines dropped
        assert (site / "page-02.html").read_text(encoding="utf-8").count('href="a/lead.html"') >= 2
        # no absolute path of this machine anywhere in the site
        for f in site.rglob("*"):
            if f.suffix in (".html", ".json", ".css"):
                assert str(REPO) not in f.read_text(encoding="utf-8") and "/tmp" not in f.read_text(encoding="utf-8")


ALPHABET = st.sampled_from(list("法律服务进村入户ཀཁགངཅ་།ྐྱabcXYZ 0123456789") + ["<script>alert(1)</script>", "&amp;", "&",
                                                                       '"', "'", "<", ">", "</p>", "<!--",
                                                                       "x" * 300, "\u00a0", "法" * 80])
TEXTS = st.lists(ALPHABET, min_size=1, max_size=30).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=TEXTS, head=TEXTS, paras=st.lists(TEXTS, min_size=1, max_size=4), caption=TEXTS, credit=TEXTS,
       bold=st.integers(0, 40))
def test_hostile_text_round_trips_and_injects_nothing(tmp_path_factory, name, head, paras, caption, credit, bold):
    edition = load_edition(SAMPLE) if not hasattr(test_hostile_text_round_trips_and_injects_nothing, "ed") else \
        test_hostile_text_round_trips_and_injects_nothing.ed
    test_hostile_text_round_trips_and_injects_nothing.ed = edition
    where = model.Where("x.md") if hasattr(model, "Where") else None
    from layout.base.errors import Where

    blocks = [model.Block("para", t, Where("x.md"), (model.Span(0, min(bold, len(t)), "bold"),)) for t in paras]
    blocks.append(model.Block("subhead", head, Where("x.md")))
    art = Article(name, slug(name, set()), "zh-Hans", kicker=head, headline=head, deck=head, blocks=blocks,
                  photos=[PhotoPart("a.jpg", "/x/a.jpg", caption, credit)])
    assert re.fullmatch(r"[a-z0-9-]+", art.slug)
    page = article_html(edition, art, {"/x/a.jpg": "img/a-1.jpg"})
    r = Reader()
    r.feed(page)
    r.close()
    assert squash("".join(r.text)) == squash(head * 3 + "".join(paras) + head)
    assert squash("".join(r.captions)) == squash(caption + credit)
    for tag, attrs in r.tags:
        assert tag in ALLOWED_TAGS, tag
        assert not any(k.startswith("on") for k in attrs), attrs
    assert next(a for t, a in r.tags if t == "article")["data-story"] == name
    assert next(a for t, a in r.tags if t == "img")["alt"] == " ".join(caption.split())
    del where


def test_slugs_are_safe_and_unique():
    taken: set[str] = set()
    names = ["lead", "Lead", "头条", "../../etc", "a b", "", "lead", "ཀ"]
    slugs = [slug(n, taken) for n in names]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[a-z0-9-]+", s) for s in slugs)


EDITION = """\
paper: {name: 测试报, date: 2026-11-30, issue: 3}
geometry: {preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}
stories:
  a: {file: a.md}
  b: {file: b.md}
pages:
  - section: 要闻
    elements:
      - {type: headline, story: a, text: 短的标题, frame: {column: 1, span: 3, top: 0mm, height: 12mm}}
      - {type: story, story: a, frame: {column: 1, span: 3, top: 14mm, height: 30mm}}
      - {type: headline, story: b, text: ཁྲིམས་ལུགས།, frame: {column: 4, span: 3, top: 0mm, height: 12mm}}
      - {type: story, story: b, frame: {column: 4, span: 3, top: 14mm, height: 60mm}}
"""


def small(tmp_path: Path) -> Path:
    folder = tmp_path / "ed"
    folder.mkdir()
    (folder / "a.md").write_text(("人民调解员走进村里，把法律知识讲给群众听。" * 20 + "\n\n") * 3, encoding="utf-8")
    (folder / "b.md").write_text("ཁྲིམས་ལུགས་ཞབས་ཞུ་མང་ཚོགས་ལ་སྤྲོད་པ། " * 10 + "\n", encoding="utf-8")
    (folder / "edition.yaml").write_text(EDITION, encoding="utf-8")
    return folder / "edition.yaml"


def test_an_overset_tail_is_not_published_and_reported(tmp_path):
    path = small(tmp_path)
    result = render(Options(path, tmp_path / "o.pdf", epaper=tmp_path / "site", report=True))
    over = {o.story: o for o in result.report.overset}
    assert "a" in over and "b" not in over
    notes = [w for w in result.report.warnings if w.code == "epaper-overset"]
    assert len(notes) == 1 and notes[0].place.story == "a" and str(over["a"].chars) in notes[0].message
    report = json.loads((tmp_path / "o.report.json").read_text(encoding="utf-8"))
    assert any(w["code"] == "epaper-overset" for w in report["warnings"])
    data = json.loads((tmp_path / "site" / "epaper.json").read_text(encoding="utf-8"))
    art = next(a for a in data["articles"] if a["story"] == "a")
    assert art["overset_chars"] == over["a"].chars
    web = squash("".join(read(tmp_path / "site" / art["html"]).text))[len("短的标题"):]
    story = squash(load_edition(path).stories["a"].blocks[0].text * 3)
    assert story.startswith(web) and len(story) - len(web) == over["a"].chars > 0
    # what the web shows is what the page printed, in order
    assert web in squash(pdftotext(tmp_path / "o.pdf"))


def test_the_site_is_deterministic_and_replaced_whole(tmp_path):
    path = small(tmp_path)
    render(Options(path, tmp_path / "o.pdf", epaper=tmp_path / "one", write_pdf=False))
    (tmp_path / "one" / "stale.html").write_text("old", encoding="utf-8")
    render(Options(path, tmp_path / "o.pdf", epaper=tmp_path / "one", write_pdf=False))
    render(Options(path, tmp_path / "o.pdf", epaper=tmp_path / "two", write_pdf=False))
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*") if p.is_file())
    assert Path("stale.html") not in files  # the old site replaced, not merged
    for f in files:
        assert (tmp_path / "one" / f).read_bytes() == (tmp_path / "two" / f).read_bytes(), f
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left
    # a folder that is not a site, or holds an input, is refused before any work
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(RenderError, match="not a site"):
        render(Options(path, tmp_path / "o.pdf", epaper=other, write_pdf=False))
    assert (other / "notes.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(InputError, match="input of this render"):
        render(Options(path, tmp_path / "o.pdf", epaper=path.parent, write_pdf=False))
    with pytest.raises(InputError, match="another output"):
        render(Options(path, tmp_path / "one" / "o.pdf", epaper=tmp_path / "one"))
    assert (tmp_path / "one" / "index.html").is_file()
    # the command line: --epaper alone writes the site and no PDF
    proc = subprocess.run([sys.executable, str(REPO / "render.py"), str(path), "--epaper", str(tmp_path / "cli")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "cli" / "index.html").is_file() and not (tmp_path / "out").exists()
    proc = subprocess.run([sys.executable, str(REPO / "render.py"), str(path), "--epaper", str(tmp_path / "x"),
                           "--page", "1"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2 and "--epaper" in proc.stderr and "Traceback" not in proc.stderr


HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><pre id="log"></pre><iframe id="f" width="1300" height="1500"></iframe>
<script>
const f = document.getElementById('f'), log = [];
const say = s => { log.push(s); document.getElementById('log').textContent = log.join('\\n'); };
const open = url => new Promise(ok => { f.onload = () => ok(f.contentDocument); f.src = url; });
const click = (doc, el) => new Promise(ok => {
  f.onload = () => ok(f.contentDocument);
  const r = el.getBoundingClientRect();
  const hit = doc.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);  // what a user's click hits
  say('hit ' + (hit && hit.getAttribute('data-article')));
  hit.click();
});
(async () => {
  let doc = await open('site/index.html');
  say('index pages ' + doc.querySelectorAll('.card').length);
  doc = await click(doc, doc.querySelector('a[href="page-01.html"] img'));
  say('page ' + f.contentWindow.location.pathname.split('/').pop() + ' zones ' + doc.querySelectorAll('.hz').length);
  doc = await click(doc, doc.querySelector('.hz.text[data-article="ARTICLE"]'));
  say('article ' + f.contentWindow.location.pathname.split('/').pop() + ' h1 ' + doc.querySelector('h1').textContent);
  doc = await open('site/a/TIBETAN.html');
  await doc.fonts.ready;
  const faces = [...doc.fonts].filter(x => x.status === 'loaded').map(x => x.family.replace(/"/g, '')).sort();
  const p = doc.querySelector('.body p:not(.byline)');
  say('bo lang ' + doc.querySelector('article').lang + ' font ' + getComputedStyle(p).fontFamily.split(',')[0]);
  say('loaded ' + faces.join(' '));
  const span = family => { const e = doc.createElement('span'); e.textContent = 'ཁྲིམས་ལུགས་ཞབས་ཞུ།';
    e.style.fontFamily = family; e.style.fontSize = '32px'; e.style.display = 'inline-block';
    doc.body.appendChild(e); return e.offsetWidth; };
  const web = span('pb-body'), plain = span('nosuchfont-x');
  say('width web ' + web.toFixed(1) + ' fallback ' + plain.toFixed(1));
  say('widths ' + (Math.abs(web - plain) > 0.5 ? 'differ' : 'same'));
  say('done');
})().catch(e => say('error ' + e));
</script></body></html>
"""


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    """Chromium on a machine with one Latin font and no Tibetan or Chinese one (its own
    fontconfig): whatever Tibetan or Chinese it shows comes from the site's web fonts."""
    conf = profile.parent / "fonts.conf"
    latin = profile.parent / "latin-only"
    latin.mkdir(exist_ok=True)
    if not (latin / "DejaVuSans.ttf").exists():
        (latin / "DejaVuSans.ttf").symlink_to(LATIN_FONT)
    conf.write_text(f"<?xml version='1.0'?><fontconfig><dir>{latin}</dir>"
                    f"<cachedir>{profile.parent / 'fccache'}</cachedir></fontconfig>", encoding="utf-8")
    env = dict(os.environ, FONTCONFIG_FILE=str(conf))
    return subprocess.run(env=env, args=
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         f"--user-data-dir={profile}", "--hide-scrollbars", *args],
        capture_output=True, text=True, timeout=90)


@pytest.mark.skipif(CHROMIUM is None or not LATIN_FONT.exists(), reason="needs Debian's chromium (make test installs it)")
def test_a_browser_follows_a_story_from_the_index(sites, tmp_path):
    from PIL import Image, ImageStat

    _, site, _ = sites["sample"]
    root = tmp_path / "www"
    root.mkdir()
    shutil.copytree(site, root / "site")
    (root / "check.html").write_text(HARNESS.replace("ARTICLE", "mediation").replace("TIBETAN", "bo-grassland"),
                                     encoding="utf-8")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        dom = chromium(["--virtual-time-budget=15000", "--window-size=1400,1600", "--dump-dom", base + "check.html"],
                       tmp_path / "profile").stdout
        log = re.search(r'<pre id="log">(.*?)</pre>', dom, re.S).group(1)
        assert "done" in log, log
        assert "index pages 8" in log
        assert re.search(r"page page-01.html zones \d+", log)
        assert "hit mediation" in log  # the point clicked is the mediation story's zone
        assert "article mediation.html h1 矛盾纠纷" in log
        assert "bo lang bo font pb-body" in log
        assert "pb-body" in log.split("loaded ", 1)[1]  # the subset face was fetched and used
        assert "widths differ" in log  # the web font sets Tibetan unlike the fallback would
        # screenshots, straight from file:// (no server needed): not blank
        for page in ("index.html", "page-01.html", "a/bo-grassland.html", "a/lead.html"):
            shot = tmp_path / (page.replace("/", "_") + ".png")
            chromium([f"--screenshot={shot}", "--window-size=1300,1500", "--virtual-time-budget=3000",
                      (site / page).as_uri()], tmp_path / "profile2")
            with Image.open(shot) as im:
                stat = ImageStat.Stat(im.convert("L"))
                assert stat.stddev[0] > 20, (page, stat.stddev)
                assert len(im.convert("L").getcolors(65536) or []) > 50, page
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_failed_write_leaves_the_last_good_site(tmp_path):
    from layout.epaper.site import swap

    site = tmp_path / "site"
    swap(site, {"epaper.json": b"{}", "index.html": b"good"})
    with pytest.raises(RenderError, match="cannot write the site"):
        swap(site, {"epaper.json": b"{}", "index.html": b"new", "index.html/x": b"cannot be"})
    assert (site / "index.html").read_bytes() == b"good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # nothing half-written left
