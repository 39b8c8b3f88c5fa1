"""The edition as the engine sees it: frozen types, built by the loader, read by layout.

The field types and bounds drive validation (layout/edition/convert.py, layout/edition/loader.py) and
the JSON Schema (layout/edition/schema.py); each field's `doc`, `example` and `bounds` feed the
format reference (docs/edition-format.md). `Length` values carry units in the file and are points here;
`Literal` fields list their choices. Nothing in this module reads files.
"""
from __future__ import annotations

import datetime
from dataclasses import MISSING, dataclass, field
from typing import Annotated, Literal, Union

from ..base.errors import Notice, Where

# A length in points, written with a unit in the file (12mm, 10.5pt, 20q, 五号).
Length = Annotated[float, "length"]
# A vertical position: a length, or lines of the baseline grid ('12 lines'), or module
# rows ('2 rows': the top of the third row) when the grid has rows.
GridLength = Annotated[float, "gridlength"]
# A vertical extent in the same units; '2 rows' is two rows and the gutter between them.
GridExtent = Annotated[float, "gridlength", "extent"]
# A colour: black, white, grayNN (NN % black), cmyk(c, m, y, k) in percent, or
# spot(NAME, c, m, y, k): a spot ink (a masthead red) with its CMYK look-alike.
Color = Annotated[str, "color"]
# A share in percent, written with its sign ('85%'); the number of percent here (85.0).
Percent = Annotated[float, "percent"]

Align = Literal["justify", "start", "center", "end"]

WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


# Bounds of numbers and lengths (lengths in points). Declared once, on the field: the
# loader refuses what lies outside (layout/edition/convert.py), the schema and the format
# reference show them (layout/edition/schema.py). Wide enough for any newspaper, narrow enough
# that no value can overflow, divide by zero or make a render run away.
PAGE_MAX = 14400.0  # 200 in: the largest page PDF readers must show
LENGTH = (0.0, PAGE_MAX)
TYPE_SIZE = (1.0, 1000.0)
RULE_WEIGHT = (0.0, 100.0)
FRACTION = (0.0, 1.0)
GRID_COUNT = (1, 100)  # columns of a grid or a frame
PAGE_NUMBER = (1, 10_000)
TYPE_WIDTH = (25.0, 400.0)  # horizontal scale of type, percent: a quarter to four times as wide


def doc(text: str, default=MISSING, example=None, factory=MISSING, bounds: tuple | None = None):
    """A field with its documentation (and an example for the reference). `bounds`:
    (least, most) of a number or length, or of each item of a list of them."""
    meta = {"doc": text}
    if example is not None:
        meta["example"] = example
    if bounds is not None:
        meta["bounds"] = bounds
    if factory is not MISSING:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


# ---------------------------------------------------------------- the paper itself

@dataclass(frozen=True)
class Paper:
    """Edition metadata: the masthead and the folios print it."""
    name: str = doc("The paper's name in Chinese.", example="雪域法治报")
    date: datetime.date = doc("The issue's date.", example="2026-11-30")
    name_bo: str = doc("The paper's name in Tibetan, set under the Chinese name.", "",
                       example="གངས་ལྗོངས་ཁྲིམས་ལུགས་ཚགས་པར།")
    publisher: str = doc("Publisher line.", "", example="雪域法治报社出版")
    postal_code: str = doc("Postal distribution code (邮发代号).", "", example="55-18")
    serial: str = doc("Serial number (国内统一连续出版物号).", "", example="CN 54-0099")
    issue: int | None = doc("Issue number of the year (第…期).", None, example=286, bounds=(0, 10**9))
    total_issue: int | None = doc("Running total of issues (总第…期).", None, example=5212, bounds=(0, 10**9))
    weekday: str | None = doc("Weekday as printed; derived from the date when not given.", None,
                              example="星期一")
    pages: int | None = doc("Page count as announced (今日…版, `{pages}`): at least the pages given; "
                            "more makes a partial edition (pages 1–2 of 8 to preview), whose teasers "
                            "and jumps may point up to it. The pages given when not set.",
                            None, example=8, bounds=PAGE_NUMBER)

    def announced(self, given: int) -> int:
        """The page count the paper prints and references may reach."""
        return self.pages if self.pages is not None else given

    @property
    def weekday_text(self) -> str:
        return self.weekday or WEEKDAYS_ZH[self.date.weekday()]


# ---------------------------------------------------------------- geometry

PRESETS = {
    # trim sizes in mm: Chinese newspaper formats and ISO A3
    "对开": (390.0, 540.0),
    "broadsheet": (390.0, 540.0),
    "四开": (270.0, 390.0),
    "tabloid": (270.0, 390.0),
    "A3": (297.0, 420.0),
}


@dataclass(frozen=True)
class Margins:
    """Page margins; inside is the spine side (left on odd pages)."""
    top: Length = doc("Top margin.", example="15mm", bounds=LENGTH)
    bottom: Length = doc("Bottom margin.", example="15mm", bounds=LENGTH)
    inside: Length = doc("Inside (spine) margin.", example="15mm", bounds=LENGTH)
    outside: Length = doc("Outside margin.", example="15mm", bounds=LENGTH)


@dataclass(frozen=True)
class Geometry:
    """Trim size, margins and the grid every page shares."""
    margins: Margins | Length = doc("Margins: one length for all four, or top/bottom/inside/outside.",
                                    example="15mm", bounds=LENGTH)
    columns: int = doc("Columns of the grid (栏).", example=6, bounds=GRID_COUNT)
    gutter: Length = doc("Space between columns.", example="6mm", bounds=LENGTH)
    baseline: Length = doc("Baseline-grid pitch: body text lines sit on it.", example="13.5pt", bounds=TYPE_SIZE)
    preset: Literal["对开", "broadsheet", "四开", "tabloid", "A3", "custom"] = doc(
        "A named trim size: 对开/broadsheet 390×540 mm, 四开/tabloid 270×390 mm, A3 297×420 mm; "
        "custom needs width and height.", "custom", example="四开")
    width: Length | None = doc("Trim width (overrides the preset).", None, example="270mm", bounds=(72.0, PAGE_MAX))
    height: Length | None = doc("Trim height (overrides the preset).", None, example="390mm", bounds=(72.0, PAGE_MAX))
    bleed: Length = doc("Bleed beyond the trim on every side.", 0.0, example="3mm", bounds=(0.0, 72.0))
    rows: int = doc("Module rows dividing the type area (0: none); frames may then be placed "
                    "in rows ('2 rows').", 0, example=8, bounds=(0, 1000))
    row_gutter: Length | None = doc("Space between module rows; the baseline pitch when not given.",
                                    None, example="13.5pt", bounds=LENGTH)


# ---------------------------------------------------------------- styles

@dataclass(frozen=True)
class Style:
    """A paragraph style. `font` names a font role of fonts/manifest.yaml (or of the
    edition's `fonts`)."""
    font: str = doc("Font role: body, headline, heavy, caption, kai, headline-black, heavy-black, "
                    "tibetan-body, tibetan-headline, tibetan-machine, latin, or one the edition defines.",
                    "body", example="body")
    size: Length = doc("Type size: pt, mm, q (级) or a 字号 name.", 9.0, example="小五", bounds=TYPE_SIZE)
    leading: Length | None = doc("Line pitch; 1.4 × size when not given.", None, example="13.5pt", bounds=(1.0, 2000.0))
    align: Align = doc("Alignment; justified lines end the paragraph ragged.", "justify",
                       example="justify")
    indent: float = doc("First-line indent in em (chinese.md C16: 2).", 0.0, example=2, bounds=(0.0, 50.0))
    space_before: Length = doc("Space above the paragraph (rounded to baseline lines in stories).",
                               0.0, example="13.5pt", bounds=LENGTH)
    space_after: Length = doc("Space below the paragraph.", 0.0, example="0pt", bounds=LENGTH)
    tracking: float = doc("Extra space between characters, in em.", 0.0, example=0.1, bounds=(-0.5, 5.0))
    width: Percent = doc("Horizontal scale of the type: below 100% condensed (长体), above it expanded "
                         "(扁体). Glyphs are drawn narrower or wider, and everything measured in their "
                         "em (advances, tracking, gaps, indent) with them; line breaking and "
                         "justification use the scaled widths. The height stays the size.", 100.0,
                         example="85%", bounds=TYPE_WIDTH)
    color: Color = doc("Text colour.", "black", example="black")
    strictness: Literal["strict", "gb", "loose"] = doc(
        "Line-start and line-end prohibitions (避头尾, chinese.md C1–C3).", "gb", example="gb")
    trim_line_start: bool = doc("Set an opening bracket at a line start half width (C8).", False,
                                example=False)
    tibetan_scale: float = doc("Tibetan size ÷ Chinese size inside mixed paragraphs (mixed.md M5).",
                               1.0, example=1.1, bounds=(0.1, 10.0))
    tibetan_justify: Literal["distribute", "tsheg"] = doc(
        "Tibetan justification: spread space (T7) or fill line ends with tshegs (T8).",
        "distribute", example="distribute")
    grid: bool = doc("Keep pure-Chinese lines on the character grid (C15).", False, example=False)
    hanging_punctuation: bool = doc(
        "Let a line-end 、，or 。 hang past the measure when the line is full without it (chinese.md "
        "C18: off by default; never after another mark). On the character grid it keeps lines whole "
        "where a mark would push a character out (推出).", False, example=False)
    autospace_digits: float = doc(
        "Space between Chinese and European digits, in em: 0 sets dates, numbers and issue numbers "
        "solid, as mainland newspapers do (2025年9月12日); 0.25 is the clreq ¼ em (chinese.md C13).",
        0.0, example=0, bounds=(0.0, 2.0))
    autospace_digits_min: float | None = doc(
        "Least the Chinese–digit space may shrink to in a tight line, in em; half of "
        "`autospace_digits` when not given.", None, example=0, bounds=(0.0, 2.0))
    autospace_digits_max: float | None = doc(
        "Most the Chinese–digit space may grow to in a justified line, in em; twice "
        "`autospace_digits` when not given (so solid digits stay solid).", None, example=0, bounds=(0.0, 2.0))
    autospace_latin: float = doc(
        "Space between Chinese and Latin letters, in em (C13: ¼ em; 0 for none).", 0.25, example=0.25,
        bounds=(0.0, 2.0))
    autospace_latin_min: float | None = doc(
        "Least the Chinese–Latin space may shrink to, in em; half of `autospace_latin` when not given.",
        None, example=0.125, bounds=(0.0, 2.0))
    autospace_latin_max: float | None = doc(
        "Most the Chinese–Latin space may grow to, in em; twice `autospace_latin` when not given.",
        None, example=0.5, bounds=(0.0, 2.0))
    justify_max_gap: float = doc(
        "Justification spreads a short line's space by the clreq priorities (C11, T7) over the whole "
        "line; no single gap grows by more than this, in em. A line that needs more ends short. Latin "
        "or Tibetan in narrow columns, with few gaps to spread over, needs more (2).",
        0.5, example=0.5, bounds=(0.0, 5.0))
    hyphenate: str | None = doc("Hyphenate Latin words with this pyphen language.", None,
                                example="en_US")
    breaking: Literal["total-fit", "first-fit"] = doc(
        "Line breaking: the whole paragraph at once (even spacing) or line by line.", "total-fit",
        example="total-fit")
    orphans: int = doc("Lines of a paragraph kept together at a column foot (1: no control).", 2,
                       example=2, bounds=(1, 100))
    widows: int = doc("Lines of a paragraph kept together at a column head (1: no control).", 2,
                      example=2, bounds=(1, 100))
    lang: Literal["auto", "zh", "bo", "en"] = doc(
        "Script of characters that could be either (spaces, Western punctuation) at the start of "
        "a paragraph; runs are otherwise detected per character.", "auto", example="auto")
    based_on: str | None = doc("Style whose settings this one starts from.", None, example="body")

    @property
    def line_pitch(self) -> float:
        return self.leading if self.leading is not None else round(self.size * 1.4, 3)


@dataclass(frozen=True)
class CharStyle:
    """A character style, for **bold** runs in stories (the style named `bold`)."""
    font: str = doc("Font role of the run.", "heavy", example="headline")
    color: Color | None = doc("Colour of the run; the paragraph's when not given.", None,
                              example="black")


# ---------------------------------------------------------------- master pages

@dataclass(frozen=True)
class Folio:
    """The running head (or foot) of a page. Texts are templates: {paper}, {paper_bo},
    {date}, {weekday}, {page}, {page:02d}, {pages}, {section}, {editors}, {issue},
    {total_issue}."""
    left: str = doc("Text at the left of odd pages (the spine side when `mirror` is on).", "{paper}",
                    example="{paper}")
    center: str = doc("Text in the middle.", "{date} {weekday}", example="{date} {weekday}")
    right: str = doc("Text at the right of odd pages (the outside edge when `mirror` is on).",
                     "第{page:02d}版 {section}", example="第{page:02d}版 {section}")
    position: Literal["top", "bottom"] = doc("Above the type area or below it.", "top", example="top")
    mirror: bool = doc("Swap left and right on even pages (outside stays outside).", True,
                       example=True)
    rule: bool = doc("A rule between the folio and the type area.", True, example=True)
    style: str = doc("Paragraph style of the folio text.", "folio", example="folio")


@dataclass(frozen=True)
class Master:
    """What every page based on this master carries."""
    folio: Folio | None = doc("The running head; null for none (a front page).",
                              factory=Folio, example={"position": "top"})
    credits: str = doc("Editors' credits line under the type area: a template, e.g. "
                       "'责任编辑：{editors}'.", "", example="责任编辑：{editors}")
    credits_style: str = doc("Paragraph style of the credits line.", "credits", example="credits")


# ---------------------------------------------------------------- elements

@dataclass(frozen=True)
class Frame:
    """A rectangle on the page grid: columns from `column` (1-based) over `span`; `top`
    below the top margin; `height` to the bottom margin when omitted."""
    column: int = doc("First grid column, from 1.", example=1, bounds=GRID_COUNT)
    top: GridLength = doc("Distance below the top margin: a length, '12 lines' or '2 rows'.",
                          example="40mm", bounds=LENGTH)
    span: int = doc("Number of grid columns.", 1, example=3, bounds=GRID_COUNT)
    height: GridExtent | None = doc("Height; to the bottom margin when not given.", None,
                                    example="30mm", bounds=LENGTH)


@dataclass(frozen=True)
class JumpTarget:
    """Where a story continues: a named story frame on another page."""
    page: int = doc("Page number of the continuation.", example=2, bounds=PAGE_NUMBER)
    frame: str = doc("Name of the story frame there.", example="lead-2")


@dataclass(frozen=True)
class Masthead:
    """The paper's name (Chinese over Tibetan) and its publication data."""
    type: Literal["masthead"] = doc("Element type.", example="masthead")
    frame: Frame = doc("Where it goes.", example={"column": 1, "span": 6, "top": "0mm", "height": "34mm"})
    title_style: str = doc("Style of the Chinese name.", "masthead", example="masthead")
    subtitle_style: str = doc("Style of the Tibetan name.", "masthead-bo", example="masthead-bo")
    info_style: str = doc("Style of the publication data line.", "masthead-info", example="masthead-info")
    info_left: list[str] | None = doc(
        "Publication data on the left, an item each, with {fields} (paper, publisher, serial, postal_code, "
        "date, weekday, issue, total_issue, pages); the engine's wording (publisher, serial number, postal "
        "code) when not given.", None, example=["{publisher}", "国内统一连续出版物号 {serial}", "广告垂询 6323770"])
    info_right: list[str] | None = doc(
        "Publication data on the right, the same way; the engine's wording (date and weekday, issue and "
        "total issue, page count) when not given.", None,
        example=["{date} {weekday}", "总第{total_issue}期", "今日{pages}版"])
    info_position: Literal["foot", "top"] = doc(
        "foot: each side's items on one line at the frame's foot; top: stacked, an item a line, in the "
        "frame's top left and top right corners, beside the name.", "foot", example="foot")
    info_frame: Literal["none", "rules", "boxes"] = doc(
        "How the publication data is set off: none (items apart by two spaces); rules (a thin rule "
        "over the data across the frame, a thin upright rule between items; stacked items get a rule "
        "between them); boxes (each item in a thin box; stacked items one box around them).",
        "none", example="rules")
    rule: Literal["double", "single", "none"] = doc(
        "The rule under the masthead: a thick and a thin line, one 1 pt line, or none.", "double",
        example="double")
    lettering: str | None = doc(
        "The paper's own lettering (题字), relative to the edition: a PDF (its first page, as vectors) "
        "or an image, set in place of the Chinese name's type, fitted to the area the name would take.",
        None, example="house/lettering.pdf")


# vertical text (竖排, layout/lines/vertical.py)
Direction = Literal["horizontal", "vertical"]
DIRECTION_DOC = ("horizontal: lines left to right, top to bottom; vertical (竖排): columns top to bottom, "
                 "right to left, from the frame's right edge, each as tall as the frame, the column pitch "
                 "the style's leading; Han and Chinese marks upright in their vertical forms, Latin turned "
                 "90° clockwise.")
TCY_DOC = ("Vertical text: a run of at most this many European digits stands upright across the column "
           "(纵中横); longer numbers turn with Latin. 0: every number turns.")
TCY_BOUNDS = (0, 4)


@dataclass(frozen=True)
class Headline:
    """A headline group: kicker (引题), headline (主题) and deck (副题)."""
    type: Literal["headline"] = doc("Element type.", example="headline")
    frame: Frame = doc("Where it goes.", example={"column": 1, "span": 6, "top": "40mm"})
    text: str = doc("The headline; a line feed breaks it where you want.", example="出门就能找到人")
    kicker: str = doc("Kicker above the headline.", "", example="法律服务进村入户")
    deck: str = doc("Deck under the headline.", "", example="——全区公共法律服务体系建设走笔")
    style: str = doc("Style of the headline.", "headline", example="headline")
    kicker_style: str = doc("Style of the kicker.", "kicker", example="kicker")
    deck_style: str = doc("Style of the deck.", "deck", example="deck")
    fit: list[Length] | None = doc("Size limits [smallest, largest]: the headline is set as large "
                                   "as fits its width on its lines.", None, example=["24pt", "40pt"], bounds=TYPE_SIZE)
    fit_width: list[Percent] | None = doc(
        "Width limits [narrowest, widest] (长体 to fit): the headline is set at the largest size (within "
        "`fit`, or its style's size) at which it fits its lines at the narrowest width, then as wide as "
        "fits at that size, in 1% steps. Its style's `width` is not used then.", None,
        example=["80%", "100%"], bounds=TYPE_WIDTH)
    direction: Direction = doc(DIRECTION_DOC + " Vertical: `fit` works on the frame's height (each line "
                               "in one column); kicker and deck stand in columns right and left of it; "
                               "no `fit_width`.", "horizontal", example="vertical")
    tcy_digits: int = doc(TCY_DOC, 2, example=2, bounds=TCY_BOUNDS)
    story: str | None = doc("The story this headline group heads: the digital edition (`--epaper`) and "
                            "the tagged PDF make kicker, headline and deck the head of its article.",
                            None, example="lead")


@dataclass(frozen=True)
class StoryFrame:
    """Part of a story: its text flows through its frames in page order (or as `jump`
    says), column by column."""
    type: Literal["story"] = doc("Element type.", example="story")
    story: str = doc("Name of the story (under `stories`).", example="lead")
    frame: Frame = doc("Where this part goes.", example={"column": 4, "span": 3, "top": "74mm"})
    columns: int | None = doc("Text columns in the frame; one per grid column when not given.",
                              None, example=2, bounds=GRID_COUNT)
    name: str | None = doc("A name other frames' `jump` can point at.", None, example="lead-2")
    jump: JumpTarget | None = doc("The part that follows this one, when it is not the next frame "
                                  "of the story in page order.", None, example={"page": 2, "frame": "lead-2"})
    headline: str = doc("Continuation headline set above this part.", "", example="法律服务进村入户")
    column_rules: bool = doc("Rules (栏线) between the frame's columns.", False, example=True)
    balance: bool = doc("Even out the columns when the story ends in this frame.", True, example=True)


@dataclass(frozen=True)
class Photo:
    """A photograph with caption and credit."""
    type: Literal["photo"] = doc("Element type.", example="photo")
    file: str = doc("Image file, relative to the edition.", example="images/coffee.jpg")
    frame: Frame = doc("Where it goes (caption included).", example={"column": 1, "span": 3, "top": "74mm"})
    caption: str = doc("Caption (图为…).", "", example="图为…")
    credit: str = doc("Credit, set after the caption.", "", example="本报记者 卓玛 摄")
    fit: Literal["fill", "fit", "crop"] = doc(
        "fill: cover the box, cropping; fit: show it whole, at the top of the frame, with the caption "
        "right under it and no wider than it (or beside it, ending with its foot); crop: fill using `crop`.",
        "fill",
        example="fill")
    focal: list[float] = doc("Point to keep in view when filling, as fractions [x, y] of the image.",
                             factory=lambda: [0.5, 0.5], example=[0.5, 0.4], bounds=FRACTION)
    crop: list[float] | None = doc("Part of the image to use, fractions [left, top, right, bottom].",
                                   None, example=[0.1, 0.0, 0.9, 1.0], bounds=FRACTION)
    caption_position: Literal["below", "right", "left"] = doc("Caption under the photo or beside it.",
                                                              "below", example="below")
    caption_width: Length | None = doc("Width of a caption beside the photo, with the 6 pt between "
                                       "them; a third of the frame when not given.", None, example="42mm", bounds=LENGTH)
    caption_style: str = doc("Style of the caption.", "caption", example="caption")
    wrap_gap: Length = doc("Gap between the photo and story text wrapped around it.", 4.0,
                           example="2mm", bounds=LENGTH)
    story: str | None = doc("The story this photo illustrates: the digital edition (`--epaper`) and "
                            "the tagged PDF put it, with its caption and credit, in that story's article.",
                            None, example="lead")


@dataclass(frozen=True)
class TextBlock:
    """Free text in a frame (short items, notes)."""
    type: Literal["text"] = doc("Element type.", example="text")
    text: str = doc("The text; a blank line separates paragraphs.", example="巡回法庭开到牧民家门口")
    frame: Frame = doc("Where it goes.", example={"column": 5, "span": 2, "top": "190mm"})
    style: str = doc("Paragraph style.", "body", example="headline-2")
    direction: Direction = doc(DIRECTION_DOC + " Vertical columns are justified but a paragraph's last.",
                               "horizontal", example="vertical")
    tcy_digits: int = doc(TCY_DOC, 2, example=2, bounds=TCY_BOUNDS)
    story: str | None = doc("The story this text is the title of (a headline set as plain text): the "
                            "digital edition (`--epaper`) and the tagged PDF make it its article's headline.",
                            None, example="commentary")


@dataclass(frozen=True)
class SectionLabel:
    """A section label such as 法治·聚焦, set on a bar."""
    type: Literal["section_label"] = doc("Element type.", example="section_label")
    text: str = doc("The label.", example="法治·聚焦")
    frame: Frame = doc("Where it goes.", example={"column": 1, "span": 2, "top": "0mm", "height": "8mm"})
    style: str = doc("Paragraph style of the label.", "section-label", example="section-label")
    fill: Color = doc("Colour of the bar behind it.", "black", example="gray80")


@dataclass(frozen=True)
class RuleElement:
    """A rule along one side of a frame, or across its middle."""
    type: Literal["rule"] = doc("Element type.", example="rule")
    frame: Frame = doc("The frame whose side is ruled.", example={"column": 1, "span": 6, "top": "200mm", "height": "0mm"})
    side: Literal["top", "bottom", "left", "right"] = doc(
        "Which side: top and bottom on the frame's edge, left and right in the middle of the gutter.",
        "top", example="top")
    weight: Length = doc("Rule weight.", 0.5, example="0.5pt", bounds=RULE_WEIGHT)
    color: Color = doc("Rule colour.", "black", example="black")


@dataclass(frozen=True)
class Box:
    """A ruled box; stories and text placed inside it sit within its inset."""
    type: Literal["box"] = doc("Element type.", example="box")
    frame: Frame = doc("The box.", example={"column": 4, "span": 3, "top": "300mm", "height": "60mm"})
    weight: Length = doc("Rule weight of the box.", 0.75, example="0.75pt", bounds=RULE_WEIGHT)
    color: Color = doc("Rule colour.", "black", example="black")
    fill: Color | None = doc("Background colour.", None, example="gray10")
    inset: Length = doc("Space between the box's rule and what is inside.", 6.0, example="2mm", bounds=LENGTH)
    height: Literal["frame", "auto"] = doc(
        "frame: the box is as deep as its frame; auto: it ends under what is inside it (text, photos, "
        "rules lying wholly within the frame), as far below their ink as they are below its top rule "
        "(at least the inset); the frame's height is the most it takes.", "frame", example="auto")
    align: Literal["top", "middle", "bottom"] = doc(
        "Where what is inside sits in a box deeper than it, moved as a whole by its ink: where its "
        "frames put it, centred between the rules, or at the foot (an inset above the bottom rule). "
        "It only ever moves down.", "top", example="middle")


@dataclass(frozen=True)
class TeaserItem:
    """One line of a teaser box."""
    text: str = doc("What to read.", example="一只猫引发的邻里纠纷")
    page: int = doc("The page it is on.", example=2, bounds=PAGE_NUMBER)


@dataclass(frozen=True)
class Teaser:
    """A teaser box (导读) pointing to stories inside."""
    type: Literal["teaser"] = doc("Element type.", example="teaser")
    frame: Frame = doc("Where it goes.", example={"column": 5, "span": 2, "top": "40mm"})
    items: list[TeaserItem] = doc("The stories it points to.", factory=list,
                                  example=[{"text": "一只猫引发的邻里纠纷", "page": 2}])
    title: str = doc("Title of the box.", "导读", example="导读")
    style: str = doc("Style of the items.", "teaser", example="teaser")
    title_style: str = doc("Style of the title.", "teaser-title", example="teaser-title")
    item_format: str = doc("How an item is written: {text} and {page} (with a format, {page:02d} for 02).",
                           "· {text}（{page:02d}版）", example="{text}……{page}版")
    align: Literal["top", "middle", "bottom"] = doc(
        "Where the title and items sit in a box deeper than they are: at its top, centred "
        "between its insets, or at its foot.", "top", example="middle")
    height: Literal["frame", "auto"] = doc(
        "frame: the box is as deep as its frame; auto: it ends an inset under its last item (the frame's "
        "height, or the bottom margin, is the most it takes).", "frame", example="auto")


@dataclass(frozen=True)
class Ad:
    """An advertisement: the supplied ad (`file`, a PDF page or an image), or until it
    arrives a ruled placeholder with a label and text."""
    type: Literal["ad"] = doc("Element type.", example="ad")
    frame: Frame = doc("The ad's area.", example={"column": 1, "span": 6, "top": "300mm"})
    label: str = doc("Small label in the placeholder's corner.", "广告", example="广告")
    text: str = doc("What to show until the ad arrives (advertiser, order number).", "",
                    example="××律师事务所 订单 2026-118")
    file: str | None = doc("The supplied ad, relative to the edition: a PDF (one page placed as vectors, "
                           "its fonts and images as the agency made them) or a JPEG, PNG or TIFF (CMYK "
                           "kept). The placeholder (label and text) when not given.", None,
                           example="ads/legal-aid.pdf")
    page: int = doc("Page of the PDF to place.", 1, example=1, bounds=PAGE_NUMBER)
    fit: Literal["fit", "fill", "stretch"] = doc(
        "fit: the whole ad, centred, as large as the frame allows; fill: cover the frame, centred, "
        "cut at its edges; stretch: exactly the frame, if that distorts the ad by at most `tolerance` "
        "(else as fit). The ad is clipped to the frame.", "fit", example="fit")
    tolerance: Percent = doc("How much `stretch` may distort the ad's proportions.", 3.0,
                             example="3%", bounds=(0.0, 100.0))


@dataclass(frozen=True)
class Qr:
    """A QR code (扫码阅读, 扫码看视频) with an optional caption under it: vectors in one
    ink, with the quiet zone of 4 modules the standard (ISO/IEC 18004) requires inside
    the frame, square and centred across it (layout/page/qr.py)."""
    type: Literal["qr"] = doc("Element type.", example="qr")
    content: str = doc("What the code holds: a URL or any text (Chinese and Tibetan are encoded as UTF-8).",
                       example="https://www.xueyu-fazhi.cn/a/20261130-01")
    frame: Frame = doc("Where it goes (caption included); story text wraps around it.",
                       example={"column": 8, "span": 1, "top": "54 lines", "height": "12 lines"})
    error_correction: Literal["L", "M", "Q", "H"] = doc(
        "Error correction level: the share of the code that may be damaged or covered and still read "
        "(L 7%, M 15%, Q 25%, H 30%). Higher levels need more modules, so smaller ones in the same frame.",
        "M", example="M")
    size: Length | None = doc("Side of the code, its quiet zone included; as large as the frame allows "
                              "(its width, or its height less the caption) when not given.", None,
                              example="30mm", bounds=LENGTH)
    caption: str = doc("Text under the code; a line feed breaks it.", "", example="扫码阅读全文")
    caption_style: str = doc("Style of the caption.", "qr-caption", example="qr-caption")
    color: Color = doc("Ink of the modules. One ink only: rich-black is drawn as black, so a press "
                       "render prints them in 100 % K.", "black", example="black")
    wrap_gap: Length = doc("Gap between the frame and story text wrapped around it (the quiet zone "
                           "already keeps text off the code).", 0.0, example="1mm", bounds=LENGTH)


@dataclass(frozen=True)
class NoticeBox:
    """The ruled box a notice is set in."""
    weight: Length = doc("Rule weight (0: no rule).", 0.5, example="0.5pt", bounds=RULE_WEIGHT)
    color: Color = doc("Rule colour.", "black", example="black")
    fill: Color | None = doc("Background colour.", None, example="gray5")
    inset: Length = doc("Space between the rule and the text.", 4.0, example="1.5mm", bounds=LENGTH)


@dataclass(frozen=True)
class NoticeItem:
    """One notice (公告, 遗失声明, 注销公告): a title, its text and who gives it."""
    title: str = doc("Title, set centred over the text.", example="遗失声明")
    text: str = doc("The notice; a blank line separates paragraphs.",
                    example="雪域某某商贸有限公司不慎遗失公章一枚，声明作废。")
    sign: str = doc("Who gives notice and when (落款), flush right under the text; a line feed breaks it.",
                    "", example="雪域某某商贸有限公司清算组")
    box: NoticeBox | bool | None = doc("This notice's box: settings of its own, or false for none; the "
                                       "block's `box` when not given.", None, example={"fill": "gray5"})


@dataclass(frozen=True)
class Notices:
    """A block of notices (公告): each set in a box as deep as its text, packed into the
    frame's columns top to bottom, column by column; notices that do not fit are left
    out and reported by title (layout/page/notices.py)."""
    type: Literal["notices"] = doc("Element type.", example="notices")
    frame: Frame = doc("The area the notices are packed into.",
                       example={"column": 1, "span": 8, "top": "59 lines", "height": "28 lines"})
    items: list[NoticeItem] = doc("The notices.", factory=list,
                                  example=[{"title": "遗失声明", "text": "某某不慎遗失身份证，声明作废。"}])
    columns: int | None = doc("Columns the frame is divided into; one per grid column when not given.",
                              None, example=4, bounds=GRID_COUNT)
    gutter: Length | None = doc("Space between the columns; the grid's gutter when not given.", None,
                                example="4mm", bounds=LENGTH)
    gap: Length = doc("Space between two notices in a column.", 6.0, example="2mm", bounds=LENGTH)
    order: Literal["given", "fit"] = doc(
        "given: in the order written, each in the first column with room after the one before it; the "
        "first that does not fit and all after it are left out. fit: by size, to fill the columns best "
        "(tallest first, each into a column with room: the packing that holds the most, then the one "
        "with the evenest columns; never less than given holds), each column reading in the given "
        "order.", "given", example="fit")
    box: NoticeBox | bool = doc("The box of every notice (an item's own `box` wins); false for none.",
                                factory=NoticeBox, example={"weight": "0.5pt", "inset": "1.5mm"})
    title_style: str = doc("Style of the titles.", "notice-title", example="notice-title")
    style: str = doc("Style of the text and the sign.", "notice-text", example="notice-text")


@dataclass(frozen=True)
class TableColumn:
    """One column of a table: how wide, and how its cells align."""
    width: str = doc("A length (30mm: fixed), a part of the table's width ('30%'), a share of what "
                     "fixed and auto columns leave ('2*', '0.5*', '*'), or auto: as wide as its content "
                     "asks, within the table's width.", "auto", example="2*")
    align: Literal["auto", "start", "center", "end", "decimal"] = doc(
        "Alignment of the column's cells (and its header cell): auto sets numbers on their decimal "
        "point (right when they have none) and text at the start; decimal lines up the decimal points "
        "(or the ends of the integers) of the column.", "auto", example="decimal")


TableRules = Literal["three-line", "grid", "rows", "none"]


@dataclass(frozen=True)
class Table:
    """A table: an optional header row and rows of cells, each cell text set in its column's
    width with line breaking; rows on the baseline grid. Rows that do not fit the frame are
    left out at a row boundary and reported."""
    type: Literal["table"] = doc("Element type.", example="table")
    frame: Frame = doc("Where it goes; the table is as wide as the frame.",
                       example={"column": 1, "span": 4, "top": "300mm", "height": "60mm"})
    rows: list[list[str]] = doc("The body rows, each a list of its cells' texts (as many as the "
                                "columns).", example=[["拉萨市法律援助中心", "6322148"]])
    header: list[str] | None = doc("The header row: a heading per column; none when not given.", None,
                                   example=["名称", "电话"])
    columns: list[TableColumn] = doc("Widths and alignments, a column each, left to right; auto "
                                     "widths and alignments when not given.", factory=list,
                                     example=[{"width": "2*"}, {"width": "25mm", "align": "end"}])
    rules: TableRules = doc(
        "three-line (三线表: a thick rule above the header, a thin one under it, a thick one under the "
        "table), grid (every row and column ruled, a box around), rows (three-line, and a thin rule "
        "between rows) or none.", "three-line", example="three-line")
    rule_weights: list[Length] = doc("Weights of the [thick, thin] rules.", factory=lambda: [1.0, 0.5],
                                     example=["1pt", "0.5pt"], bounds=RULE_WEIGHT)
    style: str = doc("Paragraph style of the cells.", "table", example="table")
    header_style: str = doc("Paragraph style of the header cells.", "table-header", example="table-header")


Element = Union[Masthead, Headline, StoryFrame, Photo, TextBlock, SectionLabel, RuleElement, Box,
                Teaser, Ad, Qr, Notices, Table]


@dataclass(frozen=True)
class Page:
    """One page: its elements, section and master."""
    elements: list[Element] = doc("What is on the page.", example=[])
    section: str = doc("Section name (版名), printed in the folio.", "", example="要闻")
    master: str = doc("Master page it is based on.", "default", example="front")
    editors: str = doc("Editors' credits, for the master's {editors}.", "", example="卓玛 李文")
    folio: Folio | Literal["master", "none"] = doc(
        "This page's folio: the master's, none, or one of its own.", "master",
        example={"right": "第{page:02d}版"})


@dataclass(frozen=True)
class StorySource:
    """Where a story's text is: a file (Markdown subset) or inline text."""
    file: str | None = doc("Story file, relative to the edition.", None, example="stories/lead.md")
    text: str | None = doc("The story's text, inline.", None, example="本报讯……")
    style: str = doc("Body style.", "body", example="body")
    subhead_style: str = doc("Style of '## ' subheads.", "subhead", example="subhead")
    byline_style: str = doc("Style of '> ' byline paragraphs.", "byline", example="byline")
    lang: Literal["auto", "zh", "bo", "en"] = doc("Overrides the body style's `lang`.", "auto",
                                                  example="bo")
    table_style: str = doc("Style of the cells of '|' pipe tables.", "table", example="table")
    table_header_style: str = doc("Style of their header cells.", "table-header", example="table-header")
    table_rules: TableRules = doc("Rules of its pipe tables (as a table element's `rules`).", "three-line",
                                  example="three-line")
    clean: bool | None = doc("Clean pasted text (see the edition's `clean`); the edition's setting "
                             "when not given. false keeps a text that must stay as written (a "
                             "document quoted, code).", None, example=False)


@dataclass(frozen=True)
class JumpLines:
    """The lines the engine writes where a story jumps to another page."""
    to: str = doc("At the end of a part that continues later: {page} is where.", "（下转{page:02d}版）",
                  example="（下转{page:02d}版）")
    from_: str = doc("At the start of a continuation: {page} is where it came from.",
                     "（上接{page:02d}版）", example="（上接{page:02d}版）")
    style: str = doc("Paragraph style of jump lines.", "jump", example="jump")
    to_style: str | None = doc("Paragraph style of the 下转 line; `style` when not given.", None,
                               example="jump")
    from_style: str | None = doc("Paragraph style of the 上接 line; `style` when not given.", None,
                                 example="jump")
    align: Literal["sides", "style"] = doc(
        "sides: 下转 at the end of its column's last line, 上接 at the start of the first; style: each "
        "line as its style aligns it (one rule for both, or one each with `to_style` and `from_style`).",
        "sides", example="sides")


@dataclass(frozen=True)
class Output:
    """How a press render (render.py --print) is made."""
    photos: Literal["cmyk", "gray", "keep"] = doc(
        "cmyk: colour photos converted to the press's CMYK through the condition's profile "
        "(from their own profile, sRGB when none), photos without colour to black ink only, "
        "supplied CMYK kept when within the ink limit; gray: every photo in black ink only; "
        "keep: as they are (screen proofs).", "cmyk", example="cmyk")
    condition: Literal["newsprint", "uncoated", "coated"] = doc(
        "The printing condition: newsprint (CGATS TR 002, 240% ink), uncoated (FOGRA29, 300%) "
        "or coated (FOGRA39, 330%); its CMYK profile converts photos and is the PDF's output "
        "intent.", "newsprint", example="newsprint")
    intent: Literal["perceptual", "relative"] = doc(
        "Rendering intent of photo conversions (with black point compensation): perceptual "
        "compresses the photo's whole gamut; relative (colorimetric) keeps in-gamut colours "
        "exact and clips the rest.", "perceptual", example="perceptual")
    ppi: float = doc("Effective resolution photos are downsampled to.", 200.0, example=200, bounds=(10.0, 2400.0))
    min_ppi: float = doc("Photos below this effective resolution are reported by the preflight.",
                         120.0, example=120, bounds=(0.0, 2400.0))
    jpeg_quality: int = doc("JPEG quality of converted photos (1-95).", 85, example=85, bounds=(1, 95))
    marks: bool = doc("Crop and registration marks, colour bars and the slug line outside the trim.",
                      True, example=True)
    slug: str = doc("The slug line: a template like the folio's.", "{paper} {date} 第{page:02d}版",
                    example="{paper} {date} 第{page:02d}版")
    slug_time: bool = doc("Add the time of the render to the slug (the PDF then differs each time).",
                          False, example=False)
    rich_black: Color = doc(
        "What the colour rich-black prints as: the inks under solid black that make it deep on "
        "newsprint. Only where a style, rule or box asks for rich-black, and never on type under "
        "24 pt or rules under 2 pt (plain black there: four plates never register that finely).",
        "cmyk(40, 30, 30, 100)", example="cmyk(40, 30, 30, 100)")


@dataclass(frozen=True)
class EditionFile:
    """The top level of an edition YAML file. (A house style file it includes holds only
    include, styles, char_styles, masters and fonts.)"""
    paper: Paper = doc("The paper and this issue.", example={"name": "雪域法治报", "date": "2026-11-30"})
    geometry: Geometry = doc("Page size and grid.", example={"preset": "四开", "margins": "15mm",
                                                            "columns": 6, "gutter": "6mm",
                                                            "baseline": "13.5pt"})
    pages: list[Page] = doc("The pages, in order.", example=[])
    include: list[str] = doc("House style files whose styles, char_styles, masters and fonts this "
                             "edition uses (its own win).", factory=list, example=["../house/style.yaml"])
    allow_paths: list[str] = doc("Folders outside the edition's folder that its files come from. A "
                                 "declaration only: an edition cannot allow itself anything; each "
                                 "folder must be allowed on the command line (--allow-path).",
                                 factory=list, example=["../house"])
    styles: dict[str, Style] = doc("Paragraph styles by name.", factory=dict,
                                   example={"body": {"font": "body", "size": "小五"}})
    char_styles: dict[str, CharStyle] = doc("Character styles by name.", factory=dict,
                                            example={"bold": {"font": "heavy"}})
    masters: dict[str, Master] = doc("Master pages by name.", factory=dict,
                                     example={"front": {"folio": None}})
    stories: dict[str, StorySource] = doc("Stories by name.", factory=dict,
                                          example={"lead": {"file": "stories/lead.md"}})
    fonts: dict[str, dict[str, list[str]]] = doc(
        "Font roles to add or change: role -> script (han, tibetan, latin) -> faces or files.",
        factory=dict, example={"body": {"han": ["fonts/MySong.otf"]}})
    jump_lines: JumpLines = doc("Formats of the jump lines.", factory=JumpLines,
                                example={"to": "（下转{page:02d}版）"})
    output: Output = doc("Press output: photos, resolution, marks (used with --print).", factory=Output,
                         example={"photos": "cmyk", "ppi": 200})
    clean: bool = doc(
        "Clean stories' pasted text as it is read: half-width , ; : ? ! ( ) next to Chinese set "
        "full-width, straight quotes in Chinese text as “” ‘’, spaces beside full-width marks and "
        "doubled spaces removed; the report says what changed, how often and where first. On by "
        "default, because a Chinese desk's copy arrives pasted from web pages, WeChat and PDFs, "
        "where these are always mistakes, and the cleaning never touches Latin words, numbers "
        "(3.5, 12:30), URLs, e-mail addresses or Tibetan text. A story's own `clean` wins.",
        True, example=True)


@dataclass(frozen=True)
class HouseStyle:
    """A house style file: what editions of a paper share."""
    include: list[str] = doc("Further house style files.", factory=list, example=[])
    styles: dict[str, Style] = doc("Paragraph styles.", factory=dict, example={})
    char_styles: dict[str, CharStyle] = doc("Character styles.", factory=dict, example={})
    masters: dict[str, Master] = doc("Master pages.", factory=dict, example={})
    fonts: dict[str, dict[str, list[str]]] = doc("Font roles.", factory=dict, example={})


# ---------------------------------------------------------------- what layout reads

@dataclass(frozen=True)
class Span:
    """Characters [start, end) of a block set in a character style."""
    start: int
    end: int
    style: str


@dataclass(frozen=True)
class Cell:
    """One table cell's text, with its bold spans and no-break ranges, and where it is written."""
    text: str
    where: Where | None = None
    spans: tuple[Span, ...] = ()
    keep: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class TableData:
    """A table as layout reads it, from a `table` element or a story's pipe table. Widths
    per column: ("auto", 0), ("fixed", points) or ("share", weight). Styles and rules of
    a story's table are its story's (None here)."""
    header: tuple[Cell, ...]  # () when there is none
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[tuple[str, float], ...]
    aligns: tuple[str, ...]
    rules: str | None = None
    style: str | None = None
    header_style: str | None = None
    weights: tuple[float, float] = (1.0, 0.5)

    @property
    def text(self) -> str:
        """Every cell's text, header first, row by row: what the table counts as placed."""
        return "".join(c.text for row in (self.header, *self.rows) for c in row)


@dataclass(frozen=True)
class Block:
    """One paragraph-level unit of a story; a `column` or `frame` block is a break mark
    (no text): the next paragraph starts in the next column, or the next frame. A
    `table` block holds its table; its text is its cells' text."""
    kind: Literal["para", "subhead", "byline", "column", "frame", "table"]
    text: str
    where: Where
    spans: tuple[Span, ...] = ()
    keep: tuple[tuple[int, int], ...] = ()  # [start, end) ranges no line may end inside ([[…]])
    table: TableData | None = None


@dataclass(frozen=True)
class Story:
    name: str
    blocks: tuple[Block, ...]
    style: str
    subhead_style: str
    byline_style: str = "byline"
    lang: str = "auto"
    table_style: str = "table"
    table_header_style: str = "table-header"
    table_rules: str = "three-line"

    @property
    def chars(self) -> int:
        return sum(len(b.text) for b in self.blocks)


@dataclass(frozen=True)
class PageGeometry:
    """Geometry with the preset resolved: every length known, in points."""
    width: float
    height: float
    margins: Margins
    columns: int
    gutter: float
    baseline: float
    bleed: float
    rows: int
    row_gutter: float


@dataclass(frozen=True)
class Edition:
    source: EditionFile
    base_dir: str
    geometry: PageGeometry
    stories: dict[str, Story]
    styles: dict[str, Style]            # inheritance resolved, defaults included
    char_styles: dict[str, CharStyle]
    masters: dict[str, Master]
    images: dict[str, str]              # photo file as written -> absolute path
    font_overrides: dict[str, dict[str, list[str]]]
    warnings: tuple[Notice, ...] = ()  # found while loading (elements that overlap, pasted text cleaned)
    inputs: tuple[tuple[str, str], ...] = ()  # (path, what it is) of every file the loader read
    # where each page (page, 0) and element (page, k from 1) and the slug (("slug",)) are
    # written: a mistake found only while composing (a character no font has) is reported there
    places: dict[tuple, Where] = field(default_factory=dict)
    # supplied PDF artwork (ads, lettering): (file as written, page) -> the page read (edition/supplied)
    artwork: dict[tuple, object] = field(default_factory=dict)

    @property
    def paper(self) -> Paper:
        return self.source.paper

    def template_fields(self, number: int) -> dict:
        """What folio, credits and slug templates may name, for page `number`."""
        return template_fields(self.source, number)


def template_fields(source: EditionFile, number: int) -> dict:
    """The values folio, credits, masthead and slug templates are given on page `number`
    (the loader checks templates with these very values)."""
    paper = source.paper
    page = source.pages[number - 1]
    return {"paper": paper.name, "paper_bo": paper.name_bo, "page": number,
            "pages": paper.announced(len(source.pages)), "section": page.section, "editors": page.editors,
            "date": f"{paper.date.year}年{paper.date.month}月{paper.date.day}日",
            "weekday": paper.weekday_text, "issue": paper.issue if paper.issue is not None else "",
            "total_issue": paper.total_issue if paper.total_issue is not None else "",
            "publisher": paper.publisher, "serial": paper.serial, "postal_code": paper.postal_code}
