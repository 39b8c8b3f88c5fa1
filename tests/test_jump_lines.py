"""Jump lines (上接, 下转) aligned by one rule: at the column's sides (下转 at the end,
上接 at the start), or as their styles say, one style for both or one each; read back
from the display list against the column's justified lines."""
from __future__ import annotations

import pytest

from layout.api import lay_out
from layout.lines.display import GlyphRun
from test_page_composition import HEAD, PARA

PAGES = """\
  - elements:
      - {type: story, story: s, frame: {column: 1, span: 2, top: 0mm, height: 40mm}}
  - elements:
      - {type: story, story: s, frame: {column: 1, span: 3, top: 0mm, height: 60mm}}
"""
STYLES = """\
  jl: {font: caption, size: 7.5pt, leading: 13.5pt, align: start}
  jc: {font: caption, size: 7.5pt, leading: 13.5pt, align: center}
  je: {font: caption, size: 7.5pt, leading: 13.5pt, align: end}
"""


def make(tmp_path, jump_lines: str):
    folder = tmp_path / "ed"
    folder.mkdir()
    (folder / "s.md").write_text("\n\n".join(PARA for _ in range(8)) + "\n", encoding="utf-8")
    head = HEAD.format(pages=PAGES).replace("styles:\n", "styles:\n" + STYLES)
    path = folder / "edition.yaml"
    path.write_text(head + "jump_lines:\n" + jump_lines, encoding="utf-8")
    return path


def _line(page, word: str):
    """(left, right) of the jump line holding `word`, and (left, right) of its column,
    from the lines of the same column nearby (runs closer than the gutter; an indent or
    a short last line aside, they span it)."""
    runs = [i for i in page.items if isinstance(i, GlyphRun)]
    [mark] = [r for r in runs if word in r.text]

    def pieces(y):  # the runs on baseline y, joined where less than 5 pt apart
        spans = sorted((r.x, r.x + sum(r.advances)) for r in runs if abs(r.y - y) < 0.01)
        out = [list(spans[0])]
        for a, b in spans[1:]:
            if a - out[-1][1] < 5:
                out[-1][1] = max(out[-1][1], b)
            else:
                out.append([a, b])
        return out

    [ext] = [list(p) for p in pieces(mark.y) if p[0] <= mark.x <= p[1]]
    last = max((r for r in runs if abs(r.y - mark.y) < 0.01 and ext[0] <= r.x <= ext[1]), key=lambda r: r.x)
    if last.text.endswith("）"):  # a closing mark's blank half may pass the line's end (C8)
        ext[1] -= last.advances[-1] / 2
    ys = sorted({r.y for r in runs if r.size != mark.size and 20 < abs(r.y - mark.y) < 60})
    col = [p for y in ys for p in pieces(y) if p[0] < ext[1] and ext[0] < p[1]]
    return tuple(ext), (min(p[0] for p in col), max(p[1] for p in col))


def _where(ext, col) -> str:
    if abs(ext[0] - col[0]) < 0.5:
        return "start"
    if abs(ext[1] - col[1]) < 0.5:
        return "end"
    assert abs((ext[0] + ext[1]) / 2 - (col[0] + col[1]) / 2) < 0.5, (ext, col)
    return "center"


@pytest.mark.parametrize("options,to,from_", [
    ("  style: jc\n", "end", "start"),                                    # sides, the default
    ("  style: jc\n  align: style\n", "center", "center"),                 # one rule for both
    ("  style: jc\n  to_style: jl\n  from_style: je\n  align: style\n", "start", "end"),  # one each
])
def test_jump_lines_follow_their_rule(tmp_path, options, to, from_):
    _, pages, _ = lay_out(make(tmp_path, options))
    assert _where(*_line(pages[0], "下转")) == to
    assert _where(*_line(pages[1], "上接")) == from_


def test_an_unknown_jump_style_is_a_located_error(tmp_path):
    from layout.base.errors import InputError

    with pytest.raises(InputError) as err:
        lay_out(make(tmp_path, "  to_style: nope\n"))
    assert "unknown style 'nope'" in str(err.value) and "edition.yaml:" in str(err.value)
