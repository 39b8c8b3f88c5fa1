"""Diagnostics a user can act on: a place (file, line, column), what is wrong, a hint.

Every mistake in user input becomes an `InputError`; the CLI prints it as one line and
never a traceback. Warnings travel in a `Report` that the caller passes down, so no
module keeps diagnostic state of its own.
"""
from __future__ import annotations

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


@dataclass
class Report:
    """What a render found: warnings and overset, passed down explicitly."""
    warnings: list[str] = field(default_factory=list)
    overset: list[dict] = field(default_factory=list)
    copyfit: list[dict] = field(default_factory=list)  # per story: capacity, lines used, overset, underset
    overflow: list[dict] = field(default_factory=list)  # headlines, captions, boxes whose text outgrows the frame
    preflight: list[str] = field(default_factory=list)  # what a prepress department would flag

    def warn(self, message: str) -> None:
        self.warnings.append(message)
