"""Diagnostics a user can act on: a place (file, line, column), what is wrong, a hint.

Every mistake in user input becomes an `InputError`; the CLI prints it as one line and
never a traceback. Warnings travel in a `Report` that the caller passes down, so no
module keeps diagnostic state of its own.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Where:
    """A place in a user's file; line and column are 1-based, None when unknown."""
    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class InputError(Exception):
    """A mistake in the user's input (edition, story, image, font): exit code 2."""
    exit_code = 2

    def __init__(self, message: str, where: Where | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)  # one line, and no escape reaches a terminal


class InputErrors(InputError):
    """Several input mistakes found at once, reported together."""

    def __init__(self, errors: list[InputError]):
        super().__init__(errors[0].message, errors[0].where, errors[0].hint)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class RenderError(Exception):
    """The input was valid but the render could not finish (e.g. unwritable output)."""
    exit_code = 1


INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug of ours, not a mistake of the user's


def internal_error(exc: BaseException) -> str:
    """The one line shown for an unexpected exception, in place of a traceback (which
    PAIBAN_DEBUG=1 adds). A safety net: the fuzz campaign counts this line as a failure."""
    import os

    said = " ".join(str(exc).split())
    said = said if len(said) <= 300 else said[:300] + "…"
    text = f"internal error: {type(exc).__name__}: {said} (please report it; PAIBAN_DEBUG=1 shows the traceback)"
    if os.environ.get("PAIBAN_DEBUG", "") not in ("", "0"):
        import traceback

        text = "".join(traceback.format_exception(exc)) + text
    return text


def did_you_mean(word: str, choices) -> str | None:
    """A hint naming the closest valid choice, or None when nothing is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def did_you_mean_or_list(word: str, choices, what: str) -> str:
    """A hint naming the closest choice, or else the choices there are (the first dozen)."""
    names = sorted(choices)
    listed = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
    return did_you_mean(word, names) or (f"{what}: {listed}" if names else f"define the {what.rstrip('s')} first")


@dataclass(frozen=True)
class Place:
    """Where a finding is, as precisely as it is known: in a user's file (`source`, the
    element's or paragraph's line), on the pages (page, element number and type), in a
    story, and the first words of the paragraph, so a designer finds it in both the
    YAML and the proof."""
    source: Where | None = None
    page: int | None = None
    element: int | None = None  # 1-based, as the page's element list counts; 0: the master's folio
    kind: str | None = None     # the element's type
    story: str | None = None
    words: str | None = None    # the paragraph's first words, or the words at the place

    def __str__(self) -> str:
        parts = [str(self.source)] if self.source else []
        if self.page is not None:
            parts.append(f"page {self.page}" + (f", element {self.element}" if self.element else "")
                         + (f" ({self.kind})" if self.kind else ""))
        if self.story:
            parts.append(f"story '{self.story}'")
        if self.words:
            parts.append(f"at '{self.words}'")
        return ", ".join(parts)

    def as_dict(self) -> dict:
        out = {k: v for k, v in vars(self).items() if v is not None and k != "source"}
        if self.source:
            out.update(file=self.source.file, line=self.source.line, column=self.source.column)
        return out


@dataclass(frozen=True)
class Notice:
    """A warning: what kind (`code`, stable, for scripts and the JSON report), what,
    where, and what to do."""
    code: str
    message: str
    place: Place = Place()
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.place}: {self.message}" if str(self.place) else self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)

    def as_dict(self) -> dict:
        out = {"code": self.code, "message": self.message, "place": self.place.as_dict(), "text": str(self)}
        if self.hint:
            out["hint"] = self.hint
        return out


@dataclass(frozen=True)
class Overset:
    """A story that did not fit its frames: `chars` left over after the last page."""
    story: str
    page: int
    chars: int
    placed_chars: int
    last_words: str
    at: tuple[float, float] | None  # the last column's foot (for the proof's mark)
    place: Place = Place()


@dataclass(frozen=True)
class Overflow:
    """Text of a headline, caption, box, ad or folio that outgrew its frame: left out
    from `last_words` on, and counted."""
    page: int
    element: int
    type: str
    mm: float               # how much deeper the frame would have to be
    chars: int
    last_words: str
    too_wide: str | None = None  # a line with a character wider than the frame
    place: Place = Place()


@dataclass(frozen=True)
class Copyfit:
    """One story against its frames: the copyfit table's row."""
    story: str
    chars: int
    placed_chars: int
    capacity_lines: int
    lines_used: int
    overset_chars: int
    underset_lines: int
    pages: tuple[int, ...]
    underset_areas: tuple[tuple, ...] = ()  # (page, x, y, w, h) of empty column feet, for the proof


@dataclass(frozen=True)
class Hole:
    """Empty lines at the foot of a column that the story goes on from (not its end):
    a break mark, a widow or orphan, or a subhead sent on left them."""
    story: str
    page: int
    lines: int
    mm: float
    area: tuple[float, float, float, float]  # x, y, w, h on the page, for the proof
    marked: bool = False  # left by a break mark ({column}, {frame}): the designer's choice
    place: Place = Place()


def as_dict(entry) -> dict:
    """A report entry for JSON: its fields, its place flattened."""
    out = {}
    for f in dataclasses.fields(entry):
        value = getattr(entry, f.name)
        if isinstance(value, Place):
            value = value.as_dict()
        out[f.name] = value
    return out


@dataclass
class Report:
    """What a render found, passed down explicitly: typed entries, each with its place."""
    warnings: list[Notice] = field(default_factory=list)
    overset: list[Overset] = field(default_factory=list)
    copyfit: list[Copyfit] = field(default_factory=list)
    overflow: list[Overflow] = field(default_factory=list)  # headlines, captions, boxes whose text outgrows the frame
    preflight: list[Notice] = field(default_factory=list)   # what a prepress department would flag
    holes: list[Hole] = field(default_factory=list)         # empty column feet inside a story's run

    def warn(self, code: str, message: str, place: Place = Place(), hint: str | None = None) -> None:
        self.warnings.append(Notice(code, message, place, hint))

    def locate(self, places: dict) -> None:
        """Give each entry placed on a page element its line in the edition file
        (`places`: (page, element) -> Where, from the loader)."""
        def where(place: Place) -> Place:
            if place.source is None and place.page is not None and place.element is not None:
                found = places.get((place.page, place.element))
                if found is not None:
                    return dataclasses.replace(place, source=found)
            return place

        self.warnings = [dataclasses.replace(n, place=where(n.place)) for n in self.warnings]
        self.overset = [dataclasses.replace(o, place=where(o.place)) for o in self.overset]
        self.overflow = [dataclasses.replace(o, place=where(o.place)) for o in self.overflow]
        self.holes = [dataclasses.replace(o, place=where(o.place)) for o in self.holes]

    def as_dict(self) -> dict:
        return {"copyfit": [as_dict(e) for e in self.copyfit], "overset": [as_dict(e) for e in self.overset],
                "overflow": [as_dict(e) for e in self.overflow], "holes": [as_dict(e) for e in self.holes],
                "preflight": [n.as_dict() for n in self.preflight], "warnings": [n.as_dict() for n in self.warnings]}
