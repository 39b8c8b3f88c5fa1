#!/usr/bin/env python3
"""Benchmark workload (schema paiban-bench-workload/1, W8 or W8X) -> a paiban edition folder.

    python bench/w8_to_edition.py ../shared/bench/W8/W8.json out/bench/W8 [--copies N]

Writes OUT/edition.yaml, OUT/stories/*.md (our Markdown subset), and copies the photos
(OUT/photos/) and the workload's plain-text sources (OUT/text/) so that every file the
edition names lies inside its folder, as the loader requires.

The mapping is meant to be faithful, because the benchmark compares us with Typst on the
same page: frames keep their mm positions (converted to grid column/span and a top below
the top margin), styles keep size, leading, alignment, indent and tracking, and fonts
resolve to the same files and collection faces. What the workload says that our format
cannot express is listed in OUT/conversion-notes.txt and printed: that list is a test of
the format, not a failure of the script.

`--copies N` repeats the pages N times (16 and 32 pages for the scaling figure), word
for word, as W8 itself repeats its Chinese articles (pages 2, 5 and 8 carry the same
ones). The engine caches prepared paragraphs by their text (a small part of its time;
line breaking is redone for every frame), so `--rotate` is there to check that: copies
after the first then rotate the sentences of each paragraph (same characters, other
paragraphs).
"""
from __future__ import annotations

import argparse
import datetime
import json
import math
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SCHEMA = "paiban-bench-workload/1"
PT_PER_MM = 72 / 25.4
TOL_MM = 0.05  # workload coordinates are rounded to 3 decimals

# workload style name -> our style name (ours where the engine has a built-in use for it)
STYLE_NAMES = {
    "masthead_title": "masthead", "masthead_bo": "masthead-bo", "masthead_info": "masthead-info",
    "headline": "headline", "deck": "deck", "caption": "caption", "story_title": "story-title",
    "title_bo": "title-bo", "byline": "byline", "body_zh": "body", "subhead_zh": "subhead",
    "body_bo": "body-bo",
}
ALIGN = {"start": "start", "left": "start", "center": "center", "end": "end", "right": "end",
         "justify": "justify"}
LANG = {"zh-Hans": "zh", "zh": "zh", "bo": "bo", "en": "en"}
FIT = {"cover": "fill", "contain": "fit"}
# style keys the converter maps; anything else is reported
STYLE_KEYS_MAPPED = {"font", "size", "leading", "align", "lang", "letter_spacing_em", "first_line_indent_em",
                     "space_before", "paragraph_space", "fallback", "note", "fallback_note", "widows", "orphans"}


@dataclass
class Notes:
    """What the workload asks for that the edition cannot say, each said once."""
    items: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        if text not in self.items:
            self.items.append(text)


# ---------------------------------------------------------------- YAML out (no dumper: exact control)

def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are a subset of YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def length(value: float, unit: str) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("0", "-0") else f"{text}{unit}"


def flow(mapping: dict) -> str:
    """A one-line YAML mapping; values are already YAML text."""
    return "{" + ", ".join(f"{k}: {v}" for k, v in mapping.items()) + "}"


# ---------------------------------------------------------------- fonts

def faces_for(fonts: dict, notes: Notes) -> dict[str, str]:
    """Workload font key -> a face name of fonts/manifest.yaml with the same file and
    collection face, or 'file#index' when the manifest has none."""
    from layout.fonts.faces import face_index, face_specs, find_file, read_manifest, search_paths

    manifest = read_manifest()
    specs = face_specs(manifest)
    paths = search_paths(manifest)
    out = {}
    for key, f in fonts.items():
        path = Path(f["file"])
        match = None
        for name, spec in specs.items():
            if spec.file != path.name or (spec.family and spec.family != f["family"]):
                continue
            found = find_file(spec, paths)
            if found is None:
                continue
            index = face_index(found, spec.family, str(found))
            if index != f.get("ttc_index", 0):
                notes.add(f"font {key}: the workload asks for face {f.get('ttc_index', 0)} of {path.name}, "
                          f"the manifest face '{name}' is face {index} of {found}")
            match = name
            break
        if match is None:
            match = f"{path}#{f.get('ttc_index', 0)}"
            notes.add(f"font {key}: no face of fonts/manifest.yaml is {path.name} ({f['family']}); "
                      f"named by its absolute path in `fonts:`")
        out[key] = match
    return out


def role_for(style: dict, faces: dict[str, str], fonts: dict, roles: dict, new_roles: dict) -> str:
    """The font role giving the style's face and fallbacks: a manifest role whose chains
    start with the same faces for every script the style covers, else a new role."""
    primary = style["font"]
    fallback = style.get("fallback", [])
    tibetan = "Tibetan" in fonts[primary]["family"]
    chain = [faces[primary]] + [faces[k] for k in fallback]
    others = [faces[k] for k in fallback]
    if tibetan:
        want = {"tibetan": chain, "han": others, "latin": others}
    else:
        want = {"han": chain, "latin": chain}
        bo = [faces[k] for k in fallback if "Tibetan" in fonts[k]["family"]]
        if bo:
            want["tibetan"] = bo
    want = {s: c for s, c in want.items() if c}
    order = sorted(roles, key=lambda r: (("tibetan" in r) != tibetan, list(roles).index(r)))
    for role in order:
        chains = roles[role]
        if all(chains.get(s) and chains[s][0] == c[0] for s, c in want.items()):
            return role
    name = "w-" + "-".join([primary] + fallback).replace("_", "-")
    new_roles[name] = want
    return name


# ---------------------------------------------------------------- geometry

class Grid:
    """The workload's page grid, and mm page coordinates -> our frames."""

    def __init__(self, w: dict, notes: Notes):
        self.page, self.m = w["page"], w["page"]["margin"]
        g = w["grid"]
        self.columns, self.gutter = g["columns"], g["gutter"]
        width = self.page["width"] - self.m["left"] - self.m["right"]
        self.col_w = (width - (self.columns - 1) * self.gutter) / self.columns
        if abs(self.col_w - g.get("column_width", self.col_w)) > TOL_MM:
            notes.add(f"grid: column width {g['column_width']} mm given, the margins and gutter make "
                      f"{self.col_w:.3f} mm; ours is computed")
        if abs(self.m["left"] - self.m["right"]) > TOL_MM:
            notes.add("margins: left and right differ; ours are inside/outside and mirror on even pages, "
                      "the workload's do not")
        self.notes = notes

    def span(self, f: dict) -> int:
        return max(1, round((f["w"] + self.gutter) / (self.col_w + self.gutter)))

    def frame(self, f: dict, what: str, height_mm: float | None = None) -> str:
        """Column and span from x and w (checked against the workload's grid_col/span);
        top below the top margin; the height in mm."""
        column = round((f["x"] - self.m["left"]) / (self.col_w + self.gutter)) + 1
        span = self.span(f)
        x0 = self.m["left"] + (column - 1) * (self.col_w + self.gutter)
        w0 = span * self.col_w + (span - 1) * self.gutter
        if abs(x0 - f["x"]) > TOL_MM or abs(w0 - f["w"]) > TOL_MM:
            self.notes.add(f"{what}: frame x={f['x']} w={f['w']} mm is not on the column grid; "
                           f"placed at column {column} span {span} (x={x0:.3f} w={w0:.3f} mm)")
        if "grid_col" in f and (f["grid_col"], f.get("grid_span", 1)) != (column, span):
            self.notes.add(f"{what}: grid_col/grid_span {f['grid_col']}/{f.get('grid_span')} disagree "
                           f"with x/w ({column}/{span}); x/w used")
        top = f["y"] - self.m["top"]
        h = f["h"] if height_mm is None else height_mm
        return flow({"column": column, "span": span, "top": length(top, "mm"), "height": length(h, "mm")})


# ---------------------------------------------------------------- text

def markdown(blocks: list[dict], story: dict, roles_of: dict[str, str], notes: Notes) -> str:
    """Story blocks -> our Markdown subset: byline '> ', subhead '## ', paragraphs."""
    out = []
    for b in blocks:
        text = " ".join(b["text"].split("\n")).strip().replace("*", "\\*")
        kind = roles_of.get(b["style"])
        if kind == "byline":
            out.append("> " + text)
        elif kind == "subhead":
            out.append("## " + text)
        else:
            if kind != "body":
                notes.add(f"story {story['id']}: block style '{b['style']}' is neither the story's body, "
                          f"subhead nor byline style; set in the body style")
            if text.startswith(("## ", "> ")):
                notes.add(f"story {story['id']}: a paragraph starts with '## ' or '> ', which the Markdown "
                          f"subset has no escape for; it becomes a subhead or byline")
            out.append(text)
    return "\n\n".join(out) + "\n"


SENTENCE = re.compile(r"[^。！？!?།]*[。！？!?།]+\s*|[^。！？!?།]+$")


def rotate_sentences(text: str, k: int) -> str:
    """The paragraph with its sentences rotated by k: the same characters, another text."""
    parts = SENTENCE.findall(text)
    if len(parts) < 2:
        return text
    if parts[-1].endswith("།"):
        parts[-1] += " "  # Tibetan sentences are separated by a space after the shad
    k %= len(parts)
    return "".join(parts[k:] + parts[:k]).strip()


def caption_lines(text: str, style: dict, width_mm: float) -> int:
    """Lines a caption needs: full-width characters 1 em, others half (an estimate)."""
    ems = sum(1.0 if ord(c) > 0x2E7F else 0.5 for c in text)
    return max(1, math.ceil(ems * style["size"] / (width_mm * PT_PER_MM) - 1e-9))


# ---------------------------------------------------------------- masthead data

INFO = [
    ("publisher", re.compile(r"^(.*(?:主办|出版))$")),
    ("postal_code", re.compile(r"^邮发代号[:：]\s*(.+)$")),
    ("serial", re.compile(r"^国内统一连续出版物号[:：]\s*(.+)$")),
    ("total_issue", re.compile(r"^总第\s*(\d+)\s*期$")),
    ("issue", re.compile(r"^第\s*(\d+)\s*期$")),
    ("pages", re.compile(r"^本期\s*(\d+)\s*版$")),
    ("date", re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(星期.)?$")),
]
PAGES_ITEM = re.compile(r"^(本期\s*)\d+(\s*版)$")


def paper_fields(mast: dict | None, npages: int, notes: Notes) -> dict[str, str]:
    paper: dict[str, str] = {}
    if mast:
        paper["name"] = q(mast["title"])
        if mast.get("tibetan"):
            paper["name_bo"] = q(mast["tibetan"])
        for item in mast.get("info", []):
            for key, rx in INFO:
                m = rx.match(item.strip())
                if not m:
                    continue
                if key == "date":
                    paper["date"] = datetime.date(*map(int, m.group(1, 2, 3))).isoformat()
                    if m.group(4):
                        paper["weekday"] = q(m.group(4))
                elif key in ("total_issue", "issue"):
                    paper[key] = m.group(1)
                elif key == "pages":
                    paper[key] = str(npages)
                else:
                    paper[key] = q(m.group(1))
                break
    if "name" not in paper:
        paper["name"] = q("W8")
    if "date" not in paper:
        paper["date"] = "2000-01-01"
        notes.add("paper.date is required; the workload gives none, 2000-01-01 used")
    return paper


# ---------------------------------------------------------------- the edition

def convert(w: dict, src_dir: Path, out: Path, copies: int = 1, rotate: bool = False) -> Notes:
    """Write the edition folder; returns what did not map."""
    if w.get("schema") != SCHEMA:
        raise SystemExit(f"not a {SCHEMA} workload: schema {w.get('schema')!r}")
    from layout.fonts.faces import read_manifest

    notes = Notes()
    grid = Grid(w, notes)
    fonts, wstyles = w["fonts"], w["styles"]
    faces = faces_for(fonts, notes)
    roles = read_manifest()["roles"]
    new_roles: dict[str, dict[str, list[str]]] = {}

    # ---- styles
    names = {k: STYLE_NAMES.get(k, k.replace("_", "-")) for k in wstyles}
    body_leading = wstyles.get("body_zh", {}).get("leading", 13.5)
    style_lines = []
    for key, st in wstyles.items():
        s = {"font": role_for(st, faces, fonts, roles, new_roles), "size": length(st["size"], "pt"),
             "leading": length(st["leading"], "pt"), "align": ALIGN[st.get("align", "start")],
             "indent": f"{st.get('first_line_indent_em', 0):g}",
             "tracking": f"{st.get('letter_spacing_em', 0):g}",
             "space_before": length(st.get("space_before", 0), "pt"),
             "space_after": length(st.get("paragraph_space", 0), "pt"),
             "lang": LANG.get(st.get("lang", ""), "auto")}
        for count in ("widows", "orphans"):  # lines kept together at a column head / foot (1: no control)
            if count in st:
                s[count] = str(max(1, int(st[count])))
        if st.get("lang") and st["lang"] not in LANG:
            notes.add(f"style {key}: language {st['lang']} has no equivalent; lang auto")
        for extra in sorted(set(st) - STYLE_KEYS_MAPPED):
            if extra == "keep_with_next" and key == "subhead_zh":
                continue  # the engine keeps every subhead with the text under it
            notes.add(f"style {key}: key '{extra}' ({st[extra]!r}) has no equivalent; ignored")
        style_lines.append(f"  {names[key]}: {flow(s)}")

    # ---- pages, stories, files
    (out / "stories").mkdir(parents=True, exist_ok=True)
    for stale in (out / "stories").glob("*.md"):  # from an earlier run with other copies
        stale.unlink()
    (out / "photos").mkdir(exist_ok=True)
    (out / "text").mkdir(exist_ok=True)
    npages = len(w["pages"]) * copies
    story_lines, page_lines = [], []
    mast_data = next((p["masthead"] for p in w["pages"] if p.get("masthead")), None)
    sub_style = {"zh": "subhead_zh", "bo": "subhead_bo"}
    for copy in range(copies):
        for p in w["pages"]:
            suffix = f"-c{copy + 1}" if copy else ""
            page_lines.append("  - master: front   # no folio: the workload has none")
            page_lines.append("    elements:")
            el = page_lines.append
            mh = p.get("masthead")
            if mh:
                el(f"      - type: masthead   # {mh['title']}")
                el(f"        frame: {grid.frame(mh['frame'], 'masthead')}")
                for k, ours in (("title_style", "masthead"), ("tibetan_style", "masthead-bo"),
                                ("info_style", "masthead-info")):
                    if names.get(mh.get(k)) != ours:
                        notes.add(f"masthead {k} {mh.get(k)!r} is set in our style '{ours}'")
                # the publication data as the workload words it, stacked in the two top corners
                # (which item goes left and which right it does not say: the first half left);
                # the page count stays a field, so that the 16- and 32-page copies say theirs
                info = [PAGES_ITEM.sub(lambda m: m.group(1) + "{pages}" + m.group(2),
                                       i.replace("{", "{{").replace("}", "}}")) for i in mh.get("info", [])]
                half = (len(info) + 1) // 2
                el("        info_position: top")
                el(f"        info_left: [{', '.join(q(i) for i in info[:half])}]")
                el(f"        info_right: [{', '.join(q(i) for i in info[half:])}]")
                rule = mh.get("rule")
                el(f"        rule: {'single' if rule else 'none'}")
                if rule and (abs(rule.get('weight_pt', 1) - 1) > 0.05
                             or abs(rule["y"] - mh["frame"]["y"] - mh["frame"]["h"] - 2 / PT_PER_MM) > 0.1):
                    notes.add(f"masthead rule: ours is 1 pt, 2 pt under the frame; the workload's is "
                              f"{rule.get('weight_pt', 1):g} pt, {rule['y'] - mh['frame']['y'] - mh['frame']['h']:g} "
                              f"mm under it")
            for it in p["items"]:
                t = it["type"]
                if t == "headline":
                    el("      - type: headline")
                    el(f"        text: {q(chr(10).join(it['lines']))}")
                    el(f"        style: {names[it['style']]}")
                    el(f"        frame: {grid.frame(it['frame'], 'headline')}")
                elif t == "deck":
                    # its own frame, as the workload places it; a headline's deck follows the headline's
                    # last line at a distance the engine chooses
                    el("      - type: text   # the deck, in the workload's deck frame")
                    el(f"        text: {q(it['text'])}")
                    el(f"        style: {names[it['style']]}")
                    el(f"        frame: {grid.frame(it['frame'], 'deck')}")
                elif t == "photo":
                    src = src_dir / it["file"]
                    dst = out / "photos" / Path(it["file"]).name
                    if copy == 0:
                        shutil.copy2(src, dst)
                    cap = next((c for c in p["items"] if c["type"] == "caption" and c["story"] == it["story"]),
                               None)
                    el("      - type: photo")
                    el(f"        file: {q('photos/' + dst.name)}")
                    el(f"        fit: {FIT.get(it.get('fit', 'cover'), 'fill')}")
                    height = it["frame"]["h"]
                    if cap:
                        cst = wstyles[cap["style"]]
                        n = caption_lines(cap["text"], cst, cap["frame"]["w"])
                        # our photo frame holds the caption: image + 3 pt + the caption's lines
                        height += (3 + n * cst["leading"]) / PT_PER_MM
                        el(f"        caption: {q(cap['text'])}")
                        el(f"        caption_style: {names[cap['style']]}")
                        gap = cap["frame"]["y"] - (it["frame"]["y"] + it["frame"]["h"])
                        if abs(gap * PT_PER_MM - 3) > 0.5 or abs(cap["frame"]["w"] - it["frame"]["w"]) > TOL_MM:
                            notes.add(f"caption: the workload puts it {gap:g} mm under the photo; ours is 3 pt "
                                      f"under it, as wide as the photo")
                    el(f"        frame: {grid.frame(it['frame'], 'photo', height)}")
                elif t == "caption":
                    pass  # with its photo
                else:
                    notes.add(f"item type '{t}' has no equivalent; left out")
            for s in p["stories"]:
                sid = s["id"] + suffix
                lang = LANG.get(s.get("lang", ""), "auto")
                body_key = "body_bo" if lang == "bo" else "body_zh"
                kinds = {body_key: "body", "byline": "byline", sub_style.get(lang, ""): "subhead"}
                if s.get("title"):
                    el(f"      - type: text   # title of {sid}")
                    el(f"        text: {q(s['title'])}")
                    el(f"        style: {names[s['title_style']]}")
                    el(f"        frame: {grid.frame(s['title_frame'], sid + ' title')}")
                f = s["frame"]
                el("      - type: story")
                el(f"        story: {sid}")
                if f.get("columns", grid.span(f)) != grid.span(f):
                    el(f"        columns: {f['columns']}")
                if abs(f.get("gutter", grid.gutter) - grid.gutter) > TOL_MM:
                    notes.add(f"story {s['id']}: text-column gutter {f['gutter']} mm; a story frame's columns "
                              f"use the grid gutter ({grid.gutter} mm)")
                el(f"        frame: {grid.frame(f, sid)}")
                blocks = s["blocks"]
                if copy and rotate:
                    blocks = [dict(b, text=rotate_sentences(b["text"], copy)) for b in blocks]
                md = out / "stories" / f"{sid}.md"
                md.write_text(markdown(blocks, s, kinds, notes), encoding="utf-8")
                if copy == 0 and s.get("text_file") and (src_dir / s["text_file"]).is_file():
                    shutil.copy2(src_dir / s["text_file"], out / "text" / Path(s["text_file"]).name)
                style = names[body_key]
                story_lines.append(f"  {sid}: " + flow({
                    "file": q(f"stories/{sid}.md"), "style": style, "subhead_style": "subhead",
                    "byline_style": "byline", "lang": lang}))
    if "subhead_zh" not in wstyles:
        style_lines.append("  subhead: {font: headline, size: 9pt, leading: 13.5pt, align: start}")

    paper = paper_fields(mast_data, npages, notes)
    if w.get("overset_policy"):
        notes.add("overset policy: as the workload asks; an overset story is counted per story (characters, "
                  "page, last words), and text that outgrows a headline, text (deck, titles) or caption frame "
                  "is left out below the frame's foot and counted the same way, per element (report 'overflow')")
    head = [
        f"# {w['name']}: generated by bench/w8_to_edition.py from {w['name']}.json"
        + (f", pages repeated {copies} times" if copies > 1 else "") + "; do not edit.",
        "# Benchmark only: the Tibetan text's licence is unclear (see shared/corpus/PROVENANCE.md).",
        "",
        "paper:",
        *[f"  {k}: {v}" for k, v in paper.items()],
        "",
        "geometry:",
        "  preset: custom",
        f"  width: {length(w['page']['width'], 'mm')}",
        f"  height: {length(w['page']['height'], 'mm')}",
        "  margins: " + flow({"top": length(grid.m["top"], "mm"), "bottom": length(grid.m["bottom"], "mm"),
                              "inside": length(grid.m["left"], "mm"), "outside": length(grid.m["right"], "mm")}),
        f"  columns: {grid.columns}",
        f"  gutter: {length(grid.gutter, 'mm')}",
        f"  baseline: {length(body_leading, 'pt')}   # the Chinese body's leading",
        "",
    ]
    if new_roles:
        head.append("fonts:")
        for role, chains in new_roles.items():
            head.append(f"  {role}: " + flow({s: "[" + ", ".join(c) + "]" for s, c in chains.items()}))
        head.append("")
    head += ["styles:", *style_lines, "", "stories:", *story_lines, "", "pages:", *page_lines, ""]
    (out / "edition.yaml").write_text("\n".join(head), encoding="utf-8")
    (out / "conversion-notes.txt").write_text(
        "What the workload says that the edition cannot (bench/w8_to_edition.py):\n"
        + "".join(f"- {n}\n" for n in notes.items), encoding="utf-8")
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Convert a paiban benchmark workload (W8, W8X) to an edition.")
    parser.add_argument("workload", type=Path, help="workload JSON, e.g. ../shared/bench/W8/W8.json")
    parser.add_argument("out", type=Path, help="edition folder to write, e.g. out/bench/W8")
    parser.add_argument("--copies", type=int, default=1, help="repeat the pages N times (2: 16 pages, 4: 32)")
    parser.add_argument("--rotate", action="store_true",
                        help="rotate the sentences of each paragraph in later copies, so that no paragraph "
                             "repeats word for word (default: copies are verbatim)")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not print the conversion notes")
    args = parser.parse_args(argv)
    if args.copies < 1:
        parser.error("--copies must be 1 or more")
    w = json.loads(args.workload.read_text(encoding="utf-8"))
    notes = convert(w, args.workload.resolve().parent, args.out, args.copies, args.rotate)
    if not args.quiet:
        print(f"{args.out / 'edition.yaml'}: {len(w['pages']) * args.copies} pages; "
              f"{len(notes.items)} note(s) in {args.out / 'conversion-notes.txt'}")
        for n in notes.items:
            print(f"  - {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
