"""The live preview's incremental session against a fresh render (issue 20 item 1).

A session keeps the loaded edition's parts (stories parsed, the edition file converted),
the pages whose fingerprint did not change, and the last picture of each page, onto
which only a changed region is drawn again. Over a sequence of generated edits (a
paragraph changed, added or removed, a story lengthened until it jumps or overflows, a
photo moved, a style changed) each render must equal a fresh one: the display lists
(layout/output/trace.py's text), the PDF's bytes, and every page's picture, pixel for
pixel, against the final PDF rasterised whole."""
from __future__ import annotations

import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from layout.api import Options, _lay_out, render
from layout.desk.serve import Preview, _picture
from layout.output.trace import trace

EDITION = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
styles:
  body: {{size: {size}pt, leading: {leading}pt}}
stories:
  a: {{file: a.md}}
  b: {{file: b.md}}
  c: {{file: c.md}}
pages:
  - elements:
      - {{type: story, story: a, frame: {{column: 1, span: 3, top: 0mm, height: 60mm}}, jump: {{page: 3, frame: rest}}}}
      - {{type: photo, file: p.png, frame: {{column: 2, span: 2, top: {photo}mm, height: 30mm}}, wrap_gap: 2mm}}
      - {{type: story, story: b, frame: {{column: 4, span: 3, top: 0mm, height: 60mm}}}}
  - elements:
      - {{type: story, story: b, frame: {{column: 1, span: 3, top: 0mm, height: 60mm}}}}
      - {{type: story, story: c, frame: {{column: 4, span: 3, top: 0mm, height: 60mm}}}}
  - elements:
      - {{type: story, story: a, frame: {{column: 1, span: 6, top: 0mm, height: 50mm}}, name: rest}}
"""
SENTENCES = ["人民调解员走进村里，把法律知识讲给群众听。", "村民们说，有事找调解员，心里踏实。",
             "这项工作已经坚持了十年。", "今年春天，合作社的茶叶卖到了外省。", "ཁྱིམ་ཚང་གི་འཚོ་བ་ཡར་རྒྱས་བྱུང་།"]

paragraph = st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=6).map("".join)
edit = st.one_of(
    st.tuples(st.just("change"), st.sampled_from("abc"), st.integers(0, 9), paragraph),
    st.tuples(st.just("add"), st.sampled_from("abc"), st.integers(0, 9), paragraph),
    st.tuples(st.just("remove"), st.sampled_from("abc"), st.integers(0, 9), st.just("")),
    st.tuples(st.just("lengthen"), st.sampled_from("abc"), st.integers(2, 6), paragraph),
    st.tuples(st.just("photo"), st.just(""), st.integers(0, 30), st.just("")),
    st.tuples(st.just("style"), st.just(""), st.integers(0, 2), st.just("")),
)


def apply(folder: Path, state: dict, step: tuple) -> None:
    """One edit, written as an editor's save: the whole file anew."""
    kind, story, n, text = step
    if kind in ("change", "add", "remove", "lengthen"):
        paras = state[story]
        i = n % max(1, len(paras))
        if kind == "change" and paras:
            paras[i] = text
        elif kind == "add":
            paras.insert(i, text)
        elif kind == "remove" and len(paras) > 1:
            del paras[i]
        elif kind == "lengthen":
            paras.extend([text] * n * 3)
        (folder / f"{story}.md").write_text("\n\n".join(paras) + "\n", encoding="utf-8")
    else:
        if kind == "photo":
            state["photo"] = n
        else:
            state["size"], state["leading"] = [(10.5, 15.0), (12.0, 18.0), (9.0, 13.5)][n]
        write_edition(folder, state)


def write_edition(folder: Path, state: dict) -> None:
    (folder / "edition.yaml").write_text(EDITION.format(size=state["size"], leading=state["leading"],
                                                        photo=state["photo"]), encoding="utf-8")


def rgb(picture) -> Image.Image:
    if isinstance(picture, bytes):
        picture = Image.open(io.BytesIO(picture))
    return picture.convert("RGB")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(edit, min_size=2, max_size=5))
def test_an_incremental_session_equals_a_fresh_render(tmp_path_factory, steps):
    folder = tmp_path_factory.mktemp("ed")
    Image.new("RGB", (120, 80), (200, 120, 40)).save(folder / "p.png")
    state = {"a": [SENTENCES[0] * 3, SENTENCES[1] * 2], "b": [SENTENCES[2] * 4], "c": [SENTENCES[3] * 2],
             "photo": 10, "size": 10.5, "leading": 15.0}
    for story in "abc":
        (folder / f"{story}.md").write_text("\n\n".join(state[story]) + "\n", encoding="utf-8")
    write_edition(folder, state)
    out, fresh = folder / "live.pdf", folder / "fresh.pdf"
    preview = Preview(Options(folder / "edition.yaml", out))
    preview.render([])
    for step in steps:
        apply(folder, state, step)
        message = preview.render([step[0]])
        assert preview.session.last.ok, message
        render(Options(folder / "edition.yaml", fresh))
        assert out.read_bytes() == fresh.read_bytes(), f"PDF differs after {step}"
        _, pages, _, _ = _lay_out(folder / "edition.yaml")
        kept = [preview.session.pages[n][1] for n in sorted(preview.session.pages)]
        assert trace(kept, folder) == trace(pages, folder), f"display list differs after {step}"
        for n in range(1, len(pages) + 1):
            whole = rgb(_picture(fresh.read_bytes(), n - 1))
            shown = rgb(preview.lossless_page(n))
            assert ImageChops.difference(whole, shown).getbbox() is None, f"page {n}'s picture after {step}"
