"""The proof overlay: what a designer checks on screen, drawn over the pages.

Grid columns, frame outlines with element names, the baseline grid, overset markers
and underset areas. Proofs are for the screen, so colours are the obvious ones (in
CMYK, like everything we write).
"""
from __future__ import annotations

from ..edition import model
from ..lines.display import PageOut, Panel, Rule
from ..base.errors import Report
from ..edition.geometry import columns_x, frame_rect, type_area
from ..lines.setter import Setter

GRID = "cmyk(60,0,0,0)"
FRAME = "cmyk(0,80,0,0)"
BASELINE = "cmyk(30,0,0,0)"
OVERSET = "cmyk(0,100,100,0)"
UNDERSET = "cmyk(0,0,40,0)"
HOLE = "cmyk(0,45,90,0)"  # empty lines inside a story's run, stronger than its end's underset


def overlay(edition: model.Edition, pages: list[PageOut], report: Report, setter: Setter) -> list[PageOut]:
    geo = edition.geometry
    out = []
    for page in pages:
        n = page.number
        spec = edition.source.pages[n - 1]
        items: list = []
        area = type_area(geo, n)
        for entry in report.copyfit:
            for pg, x, y, w, h in entry.underset_areas:
                if pg == n:
                    items.append(Panel(x, y, w, h, UNDERSET))
        for hole in report.holes:
            if hole.page == n:
                items.append(Panel(*hole.area, HOLE))
        xs, col = columns_x(geo, n)
        for x in xs:
            items.append(Panel(x, area.y, col, area.h, None, GRID, 0.3))
        y = geo.margins.top + 0.88 * edition.styles["body"].size
        while y <= area.y + area.h:
            items.append(Rule(area.x, y, area.x + area.w, y, 0.15, BASELINE))
            y += geo.baseline
        for k, el in enumerate(spec.elements):
            r = frame_rect(el.frame, geo, n)
            items.append(Panel(r.x, r.y, r.w, r.h, None, FRAME, 0.6))
            name = el.type + (f" {el.story}" if isinstance(el, model.StoryFrame) else "")
            label = setter.lines(f"{k + 1} {name}", "proof", max(r.w - 4, 20), align="start")
            items += [run.moved(r.x + 2, r.y + 7) for run in label[0].runs]
        for entry in report.overflow:
            if entry.page == n:
                r = frame_rect(spec.elements[entry.element - 1].frame, geo, n)
                items.append(Panel(r.x, r.y + r.h - 1.5, r.w, 3, OVERSET))
                text = setter.lines(f"+{entry.chars}", "proof", 60, align="end")
                items += [run.moved(r.x + r.w - 62, r.y + r.h + 8) for run in text[0].runs]
        for entry in report.overset:
            if entry.page == n and entry.at:
                x, y = entry.at
                items.append(Panel(x - 10, y - 6, 10, 10, OVERSET))
                text = setter.lines(f"+{entry.chars}", "proof", 60, align="end")
                items += [run.moved(x - 72, y + 12) for run in text[0].runs]
        out.append(PageOut(page.number, page.width, page.height, page.items + tuple(items)))
    return out
