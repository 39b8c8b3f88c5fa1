"""A teaser box's title and items sit where its `align` says: at the top inset, centred
between the insets (within 0.5 pt), or on the foot inset; read back from the display list
over generated boxes and item counts. Line boxes are Han's 0.88 and 0.12 em (C-rules'
ideographic em box), as the engine stacks them."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from layout.api import lay_out
from layout.lines.display import GlyphRun, Panel

MM = 72 / 25.4
EDITION = """\
paper: {{name: 测试报, date: 2026-11-30}}
geometry: {{preset: 四开, margins: 15mm, columns: 6, gutter: 6mm, baseline: 13.5pt}}
pages:
  - elements:
      - type: teaser
        align: {align}
        items: [{items}]
        frame: {{column: 2, span: {span}, top: 20mm, height: {height}mm}}
"""
ITEM = "{{text: 调解员的一天第{k}篇, page: 1}}"


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(align=st.sampled_from(["top", "middle", "bottom"]), count=st.integers(1, 5),
       span=st.integers(2, 4), height=st.integers(40, 120))
def test_teaser_content_sits_as_aligned(tmp_path_factory, align, count, span, height):
    path = tmp_path_factory.mktemp("t") / "edition.yaml"
    items = ", ".join(ITEM.format(k=k) for k in range(count))
    path.write_text(EDITION.format(align=align, items=items, span=span, height=height), encoding="utf-8")
    _, pages, report = lay_out(path)
    assert not report.overflow
    [box] = [i for i in pages[0].items if isinstance(i, Panel)]
    runs = [i for i in pages[0].items if isinstance(i, GlyphRun) and box.y < i.y < box.y + box.h]
    top = min(r.y - 0.88 * r.size for r in runs)
    bottom = max(r.y + 0.12 * r.size for r in runs)
    above, below = top - (box.y + 6), box.y + box.h - 6 - bottom
    assert above >= -0.5 and below >= -0.5, (above, below)
    if align == "top":
        assert abs(above) < 0.5
    elif align == "bottom":
        assert abs(below) < 0.5
    else:
        assert abs(above - below) < 0.5, (above, below)
