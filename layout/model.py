"""The edition as the engine sees it: frozen types, built by the loader, read by layout.

Field types drive validation (layout/loader.py): `Length` values carry units in the
file and are points here; `Literal` fields list their choices. Nothing in this module
reads files.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Annotated, Literal, Union

from .errors import Where

# A length in points, written with a unit in the file (12mm, 10.5pt, 20q, 五号).
Length = Annotated[float, "length"]
# A vertical position or extent: a length, or a count of baseline-grid lines ('12 lines').
GridLength = Annotated[float, "gridlength"]

Align = Literal["justify", "start", "center", "end"]

WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@dataclass(frozen=True)
class Paper:
    """Edition metadata printed in the masthead and folios."""
    name: str
    date: datetime.date
    name_bo: str = ""
    publisher: str = ""
    postal_code: str = ""
    serial: str = ""
    issue: int | None = None
    total_issue: int | None = None
    weekday: str | None = None

    @property
    def weekday_text(self) -> str:
        return self.weekday or WEEKDAYS_ZH[self.date.weekday()]


@dataclass(frozen=True)
class Margins:
    top: Length
    bottom: Length
    inside: Length
    outside: Length


@dataclass(frozen=True)
class Geometry:
    """Trim size, margins and the column grid shared by every page."""
    width: Length
    height: Length
    margins: Margins
    columns: int
    gutter: Length
    baseline: Length  # the baseline-grid pitch: body leading


@dataclass(frozen=True)
class Style:
    """A paragraph style. `font` names a font role of fonts/manifest.yaml."""
    font: str = "body"
    size: Length = 9.0
    leading: Length | None = None
    align: Align = "justify"
    indent: float = 0.0  # first-line indent in em
    space_before: Length = 0.0
    space_after: Length = 0.0
    tracking: float = 0.0  # extra space between characters, in em
    color: str = "black"
    strictness: Literal["strict", "gb", "loose"] = "gb"  # 避头尾 level (chinese.md C1-C3)
    trim_line_start: bool = False  # opening bracket at a line start set half width (C8)
    tibetan_scale: float = 1.0  # Tibetan size / Han size inside mixed paragraphs (mixed.md M5)
    tibetan_justify: Literal["distribute", "tsheg"] = "distribute"  # T7, or T8 tsheg padding
    grid: bool = False  # C15: pure-Han lines keep every character on the em grid
    hyphenate: str | None = None  # pyphen language for Latin words (e.g. en_US); none by default
    breaking: Literal["total-fit", "first-fit"] = "total-fit"
    based_on: str | None = None

    @property
    def line_pitch(self) -> float:
        return self.leading if self.leading is not None else round(self.size * 1.4, 3)


@dataclass(frozen=True)
class Frame:
    """A rectangle on the page grid: columns from `column` (1-based) over `span`;
    `top` below the top margin; `height` to the bottom margin when omitted."""
    column: int
    top: GridLength
    span: int = 1
    height: GridLength | None = None


@dataclass(frozen=True)
class Masthead:
    type: Literal["masthead"]
    frame: Frame
    title_style: str = "masthead"
    subtitle_style: str = "masthead-bo"
    info_style: str = "masthead-info"


@dataclass(frozen=True)
class Headline:
    type: Literal["headline"]
    frame: Frame
    text: str
    kicker: str = ""
    deck: str = ""
    style: str = "headline"
    kicker_style: str = "kicker"
    deck_style: str = "deck"


@dataclass(frozen=True)
class StoryFrame:
    type: Literal["story"]
    story: str
    frame: Frame
    columns: int | None = None  # text columns inside the frame; default: one per grid column


@dataclass(frozen=True)
class Photo:
    type: Literal["photo"]
    file: str
    frame: Frame
    caption: str = ""
    credit: str = ""
    fit: Literal["fill", "fit"] = "fill"
    caption_style: str = "caption"


@dataclass(frozen=True)
class TextBlock:
    type: Literal["text"]
    text: str
    frame: Frame
    style: str = "body"


Element = Union[Masthead, Headline, StoryFrame, Photo, TextBlock]


@dataclass(frozen=True)
class Page:
    elements: list[Element]
    section: str = ""


@dataclass(frozen=True)
class StorySource:
    """Where a story's text is: a Markdown-subset file, or inline text."""
    file: str | None = None
    text: str | None = None
    style: str = "body"
    subhead_style: str = "subhead"


@dataclass(frozen=True)
class EditionFile:
    """The top level of an edition YAML file."""
    paper: Paper
    geometry: Geometry
    pages: list[Page]
    styles: dict[str, Style] = field(default_factory=dict)
    stories: dict[str, StorySource] = field(default_factory=dict)
    fonts: dict[str, dict[str, list[str]]] = field(default_factory=dict)


# ---- what the loader hands to layout: the file, plus resolved stories and paths ----

@dataclass(frozen=True)
class Block:
    """One paragraph-level unit of a story: body paragraph or subhead."""
    kind: Literal["para", "subhead"]
    text: str
    where: Where


@dataclass(frozen=True)
class Story:
    name: str
    blocks: tuple[Block, ...]
    style: str
    subhead_style: str


@dataclass(frozen=True)
class Edition:
    source: EditionFile
    base_dir: str
    stories: dict[str, Story]
    styles: dict[str, Style]  # inheritance resolved
    images: dict[str, str]    # photo file as written -> absolute path
    font_overrides: dict[str, dict[str, list[str]]]
