"""The tagged PDF, read back by real readers: poppler says it is tagged and prints its
structure tree with each element's text (`pdfinfo -struct-text`, an independent reading
of the marked content through ToUnicode and ActualText), qpdf checks the file, pikepdf
walks the tree and the content streams. For the sample, issue-287, their press renders
and generated editions: one Art per placed story whose text, in structure order, is
its head, its photos' captions and its blocks as written (a jumped story whole, on
both its pages); jump lines are artifacts; every photo of a story is a Figure with Alt;
nothing is drawn outside marked content.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import pdftotext, squash

from layout.api import Options, _lay_out, render
from layout.base.scripts import is_tibetan
from layout.edition import model

REPO = Path(__file__).resolve().parent.parent
ALLOW = (REPO / "editions" / "sample",)
EDITIONS = [REPO / "editions" / "sample" / "edition.yaml", REPO / "editions" / "issue-287" / "edition.yaml"]
POPPLER = shutil.which("pdfinfo") is not None and "-struct-text" in subprocess.run(
    ["pdfinfo", "-h"], capture_output=True, text=True).stderr


class Node:
    def __init__(self, kind: str, title: str = "") -> None:
        self.kind, self.title, self.kids, self.text = kind, title, [], []

    def all_text(self) -> str:
        return "".join(self.text) + "".join(k.all_text() for k in self.kids)


def struct_text(pdf: Path) -> Node:
    """poppler's reading of the structure tree: elements by indentation, their text."""
    out = subprocess.run(["pdfinfo", "-struct-text", str(pdf)], check=True, capture_output=True
                         ).stdout.decode("utf-8", "replace")
    root = Node("root")
    stack = [(-1, root)]
    for line in out.splitlines():
        m = re.match(r'^( *)(?:"(.*)"|(\w+)(?: "(.*)")?(?: \(\w+\))?)\s*$', line)
        if not m:  # a text that went on over a line break
            stack[-1][1].text.append(line)
            continue
        depth = len(m.group(1))
        while stack[-1][0] >= depth:
            stack.pop()
        if m.group(2) is not None:
            stack[-1][1].text.append(m.group(2))
        else:
            node = Node(m.group(3), m.group(4) or "")
            stack[-1][1].kids.append(node)
            stack.append((depth, node))
    return root


def _to_unicode(font) -> dict[int, str]:
    """A ToUnicode CMap's bfchar entries (the writer makes no ranges)."""
    out = {}
    data = font.ToUnicode.read_bytes().decode("ascii")
    for cid, text in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]+)>", data):
        if len(text) % 4 == 0:
            out[int(cid, 16)] = bytes.fromhex(text).decode("utf-16-be")
    return out


def mcid_texts(doc) -> dict[tuple[int, int], str]:
    """(page, MCID) -> the text drawn inside it, read from the content streams: glyphs
    through the fonts' ToUnicode maps, an ActualText span as its text."""
    out: dict[tuple[int, int], str] = {}
    for pi, page in enumerate(doc.pages):
        fonts = {}
        for name, font in page.Resources.get("/Font", {}).items():
            fonts[name] = _to_unicode(font) if "/ToUnicode" in font else {}
        stack: list = []  # (MCID or None, ActualText or None)
        cmap: dict = {}
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "BDC":
                props = operands[1]
                mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
                actual = str(props.ActualText) if isinstance(props, pikepdf.Dictionary) and "/ActualText" in props \
                    else None
                stack.append((mcid, actual))
                if actual is not None:
                    _add(out, pi, stack, actual)
            elif op == "BMC":
                stack.append((None, None))
            elif op == "EMC":
                stack.pop()
            elif op == "Tf":
                cmap = fonts.get(str(operands[0]), {})
            elif op in ("TJ", "Tj") and not any(a is not None for _, a in stack):
                parts = operands[0] if op == "TJ" else [operands[0]]
                for part in parts:
                    if isinstance(part, pikepdf.String):
                        raw = bytes(part)
                        _add(out, pi, stack, "".join(cmap.get(int.from_bytes(raw[i:i + 2], "big"), "\ufffd")
                                                     for i in range(0, len(raw) - 1, 2)))
    return out


def _add(out: dict, pi: int, stack: list, text: str) -> None:
    mcid = next((m for m, _ in stack if m is not None), None)
    if mcid is not None:
        out[pi, mcid] = out.get((pi, mcid), "") + text


def art_text(doc, el, texts: dict, pages: dict) -> str:
    """An element's text in structure order (its marked content, then its kids')."""
    own = pages[el.Pg.objgen] if "/Pg" in el else None
    got = []
    for kid in el.K if isinstance(el.K, pikepdf.Array) else [el.K]:
        if isinstance(kid, int):
            got.append(texts.get((own, kid), ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            got.append(art_text(doc, kid, texts, pages))
        elif isinstance(kid, pikepdf.Dictionary):
            got.append(texts.get((pages[kid.Pg.objgen], int(kid.MCID)), ""))
    return "".join(got)


def expected_art(edition: model.Edition, name: str) -> tuple[str, str, bool]:
    """(head and captions, body, whole): a story's text as written, from the model."""
    head, captions = [], []
    heads = []
    for page in edition.source.pages:
        for el in page.elements:
            if getattr(el, "story", None) != name:
                continue
            if isinstance(el, model.Headline):
                heads.append((0, el.kicker))
                heads.append((1, el.text))
                heads.append((2, el.deck))
            elif isinstance(el, model.TextBlock):
                heads.append((3, el.text))
            elif isinstance(el, model.Photo):
                captions.append(el.caption + (f"（{el.credit}）" if el.credit else ""))
    head = [t for _, t in sorted(heads, key=lambda h: h[0]) if t]
    story = edition.stories[name]
    tables = any(b.kind == "table" for b in story.blocks)
    body = "".join(b.text for b in story.blocks if b.kind in ("para", "paragraph", "subhead", "byline"))
    return squash("".join(head + captions)), squash(body), not tables


def check(path: Path, pdf: Path, poppler: bool = True) -> dict:
    """Every rule of the tagged PDF for one render; returns {story: Art}. `poppler`:
    read the tree with poppler too (it takes 37 s on the sample's eight pages)."""
    edition, pages, report, _ = _lay_out(path, allow_paths=ALLOW)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)
    placed = {c.story for c in report.copyfit if c.placed_chars} | {
        el.story for page in edition.source.pages for el in page.elements
        if isinstance(el, (model.Headline, model.TextBlock, model.Photo)) and getattr(el, "story", None)}
    overset = {o.story for o in report.overset}
    with pikepdf.open(pdf) as doc:
        root = doc.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) in ("zh-Hans", "bo")
        tree = root.StructTreeRoot
        document = tree.K
        assert document.S == "/Document"
        arts = {str(k.T): k for k in document.K if k.S == "/Art"}
        # one Art per placed story, each story once
        assert sorted(arts) == sorted(placed)
        assert len([k for k in document.K if k.S == "/Art"]) == len(arts)
        parents = dict(_nums(tree.ParentTree))
        for k, page in enumerate(doc.pages):
            assert int(page.StructParents) == k
            _all_marked(page, len(parents[k]))
        texts = mcid_texts(doc)
        numbers = {p.objgen: k for k, p in enumerate(doc.pages)}
        # jump lines are artifacts: in the page text, never in marked content
        jumps = edition.source.jump_lines
        every = squash("".join(texts.values()))
        page_text = squash(pdftotext(pdf))
        for word in (jumps.to.split("{")[0].strip(), jumps.from_.split("{")[0].strip()):
            if word and word in page_text:
                assert word not in every, word
        for name, art in arts.items():
            _compare(edition, name, squash(art_text(doc, art, texts, numbers)), name in overset)
            assert str(art.Lang) in ("zh-Hans", "bo", "en")
            # a story whose text reached two pages has marked content on both
            pages_of = {_page_number(doc, kid) for kid in _leaves(art)}
            reached = {p - 1 for c in report.copyfit if c.story == name for p in c.pages}
            assert reached <= pages_of, name
            # every photo joined to the story is one of its Figures
            photos = [el for page in edition.source.pages for el in page.elements
                      if isinstance(el, model.Photo) and el.story == name]
            assert len([kid for kid in art.K if kid.S == "/Figure"]) == len(photos), name
            for kid in art.K:
                if kid.S == "/Figure":
                    cap = [c for c in kid.K if isinstance(c, pikepdf.Dictionary) and c.get("/S") == "/Caption"]
                    assert str(kid.Alt).strip(), name
                    assert cap, name
    if POPPLER and poppler:
        tree = struct_text(pdf)
        [document] = tree.kids
        read = {a.title: a for a in document.kids if a.kind == "Art"}
        for name in placed:
            art = read[name]
            # (poppler's structure text ignores ActualText, which Tibetan stacks need)
            if not any(is_tibetan(ch) for ch in "".join(expected_art(edition, name)[:2])):
                _compare(edition, name, squash(art.all_text()), name in overset)
            for fig in [k for k in art.kids if k.kind == "Figure"]:
                assert fig.kids and fig.kids[-1].kind == "Caption"
    return arts


def _compare(edition, name: str, text: str, overset: bool) -> None:
    """An Art's text is its head, its captions and its blocks as written (the placed
    part of an overset story)."""
    head, body, whole = expected_art(edition, name)
    assert text.startswith(head), (name, text[:80], head[:80])
    rest = text[len(head):]
    if whole and not overset:
        assert rest == body, (name, rest[:200], body[:200])
    elif whole:
        assert body.startswith(rest), name


def _nums(tree) -> list:
    nums = list(tree.Nums)
    return [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]


def _leaves(el):
    for kid in el.K if isinstance(el.K, pikepdf.Array) else [el.K]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from _leaves(kid)
        elif isinstance(kid, pikepdf.Dictionary):  # a marked-content reference
            yield kid
        else:
            yield el


def _page_number(doc, kid) -> int:
    pg = kid.Pg
    return next(k for k, p in enumerate(doc.pages) if p.objgen == pg.objgen)


def _all_marked(page, mcids: int) -> None:
    """Every text, picture and path is drawn inside marked content (ours, not only an
    ActualText span), and the page's MCIDs are 0..n-1, as its parent tree lists them."""
    depth = 0
    seen = []
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op in ("BDC", "BMC"):
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                assert depth == 0  # ours: outermost
                seen.append(int(operands[1].MCID))
            elif operands[0] == "/Artifact":
                assert depth == 0
            depth += 1
        elif op == "EMC":
            depth -= 1
        elif op in ("BT", "Do", "S", "f", "B", "TJ", "Tj"):
            assert depth > 0, op
    assert depth == 0
    assert seen == list(range(mcids))


@pytest.mark.parametrize("path", EDITIONS, ids=lambda p: p.parent.name)
@pytest.mark.parametrize("press", [False, True], ids=["screen", "press"])
def test_tagged_editions(tmp_path, path, press):
    out = tmp_path / "out.pdf"
    render(Options(path, out, press=press, allow_paths=ALLOW))
    arts = check(path, out, poppler=path != EDITIONS[0])
    assert arts


def test_the_jumped_lead_is_one_art_on_two_pages(tmp_path):
    out = tmp_path / "out.pdf"
    render(Options(EDITIONS[0], out))
    with pikepdf.open(out) as doc:
        [lead] = [k for k in doc.Root.StructTreeRoot.K.K if k.get("/T") == "lead"]
        pages = {_page_number(doc, leaf) for leaf in _leaves(lead)}
        assert len(pages) == 2
        figures = [k for k in lead.K if k.S == "/Figure"]
        assert figures and all("摄" in str(f.Alt) for f in figures)
        kinds = [str(k.S) for k in lead.K]
        assert kinds.index("/H1") < kinds.index("/Figure") < kinds.index("/P", kinds.index("/Figure"))


def test_same_bytes_twice(tmp_path):
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render(Options(EDITIONS[1], a, allow_paths=ALLOW))
    render(Options(EDITIONS[1], b, allow_paths=ALLOW))
    assert a.read_bytes() == b.read_bytes()


HAN = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=60)
BO = st.lists(st.sampled_from(["བོད", "ཡིག", "ཁྲིམས", "ལུགས", "སྐད"]), min_size=1, max_size=20).map("་".join)
BLOCK = st.tuples(st.sampled_from(["", "## ", "> "]), st.one_of(HAN, BO))
STORY = st.lists(BLOCK, min_size=1, max_size=12)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(stories=st.lists(STORY, min_size=1, max_size=3), jump=st.booleans(), tall=st.integers(20, 80),
       photo=st.booleans())
def test_generated_editions(tmp_path_factory, stories, jump, tall, photo):
    """Stories of Chinese and Tibetan paragraphs, subheads and bylines, each with a
    joined headline, in frames of any depth (overset or not), the first jumping to
    page 2 (with a continuation headline) or not, and with a photo or not."""
    folder = tmp_path_factory.mktemp("ed")
    names = [f"s{k}" for k in range(len(stories))]
    for name, blocks in zip(names, stories):
        (folder / f"{name}.md").write_text("\n\n".join(mark + text for mark, text in blocks) + "\n",
                                           encoding="utf-8")
    first, second = [], []
    for k, name in enumerate(names):
        col = 1 + 2 * k
        first.append(f"      - {{type: headline, story: {name}, text: 标题{k}, kicker: 引题{k}, "
                     f"frame: {{column: {col}, span: 2, top: 0mm, height: 20mm}}}}")
        frame = f"{{column: {col}, span: 2, top: 22mm, height: {tall}mm}}"
        if k == 0 and jump:
            first.append(f"      - {{type: story, story: {name}, name: a, frame: {frame}, jump: {{page: 2, frame: b}}}}")
            second.append(f"      - {{type: story, story: {name}, name: b, headline: 续{k}, frame: {{column: 1, "
                          f"span: 3, top: 0mm, height: 200mm}}}}")
        else:
            first.append(f"      - {{type: story, story: {name}, frame: {frame}}}")
    if photo:  # joined to the first story
        (folder / "p.jpg").write_bytes((REPO / "editions" / "sample" / "images" / "coffee.jpg").read_bytes())
        first.append(f"      - {{type: photo, story: s0, file: p.jpg, caption: 图为咖啡馆, credit: 记者 摄, "
                     f"frame: {{column: 1, span: 2, top: {tall + 24}mm, height: 40mm}}}}")
    pages = "  - elements:\n" + "\n".join(first) + "\n"
    if second:
        pages += "  - elements:\n" + "\n".join(second) + "\n"
    head = ("paper: {name: 测试报, date: 2026-11-30}\n"
            "geometry: {preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}\n"
            "stories:\n" + "".join(f"  {n}: {{file: {n}.md}}\n" for n in names))
    path = folder / "edition.yaml"
    path.write_text(head + "pages:\n" + pages, encoding="utf-8")
    out = folder / "out.pdf"
    render(Options(path, out))
    check(path, out)
