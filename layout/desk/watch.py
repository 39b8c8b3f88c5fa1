"""Watch mode: re-render when a file the edition uses changes, recomposing only the
pages the change affects.

Each page has a fingerprint of everything its composition depends on: the edition's
shared settings, the page's own elements, and for every story that reaches the page,
the story's text and all the frames (and photo obstacles) of its chain. Unchanged
fingerprints reuse the pages composed last time. An edit that makes the render fail,
in any way, prints its error and leaves the last good output in place: the session
keeps watching.
"""
from __future__ import annotations

import gc
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..edition import model
from ..api import Options, OversetError, PreflightError, check_outputs, finish, load
from ..page.compose import compose
from ..base.errors import Copyfit, Hole, InputError, Notice, Overset, RenderError, Report, internal_error
from ..lines.setter import Setter
from ..text.shape import Shaper


def _h(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def fingerprints(edition: model.Edition) -> list[str]:
    """What each page's composition depends on, hashed."""
    src = edition.source
    shared = _h(edition.geometry, sorted(edition.styles.items()), sorted(edition.char_styles.items()),
                sorted(edition.masters.items()), sorted(edition.font_overrides.items()), src.jump_lines,
                src.paper, len(src.pages))
    frames: dict[str, list] = {}
    photos: dict[int, list] = {}
    for pi, page in enumerate(src.pages):
        for el in page.elements:
            if isinstance(el, model.StoryFrame):
                frames.setdefault(el.story, []).append((pi, el))
            elif isinstance(el, model.Photo):
                photos.setdefault(pi, []).append((el.frame, el.wrap_gap))
    out = []
    for pi, page in enumerate(src.pages):
        parts = [shared, page]
        for el in page.elements:
            if isinstance(el, model.Photo):
                path = Path(edition.images[el.file])
                st = path.stat()
                parts.append((el.file, st.st_size, st.st_mtime_ns))
            supplied = el.file if isinstance(el, model.Ad) else el.lettering if isinstance(el, model.Masthead) else None
            if supplied:  # a supplied PDF page by its file's hash (read at load); an image by its file
                art = edition.artwork.get((supplied, getattr(el, "page", 1)))
                if art is not None:
                    parts.append((supplied, art.key))
                else:
                    st = Path(edition.images[supplied]).stat()
                    parts.append((supplied, st.st_size, st.st_mtime_ns))
        for name in sorted({el.story for el in page.elements if isinstance(el, model.StoryFrame)}):
            chain = frames[name]
            parts.append((edition.stories[name], chain, [photos.get(p, []) for p, _ in chain]))
        out.append(_h(*parts))
    return out


CACHED_PARAGRAPHS = 50_000  # prepared paragraphs kept between renders; past it, all are dropped


@dataclass
class Outcome:
    ok: bool
    seconds: float
    recomposed: list[int] = field(default_factory=list)  # page numbers
    error: str = ""
    report: Report | None = None


class Session:
    """One edition being watched: the last good pages and what they were made from.
    Composition is incremental (pages whose fingerprint changed); everything after it
    is api.finish, the same as a render from the command line."""

    def __init__(self, options: Options):
        self.options = options
        self.pages: dict[int, tuple[str, object]] = {}  # page number -> (fingerprint, PageOut)
        self.story_reports: dict[str, Copyfit] = {}  # story -> its copyfit entry
        self.oversets: dict[str, list[Overset]] = {}  # story -> its overset entries
        self.holes: dict[str, list[Hole]] = {}  # story -> the holes in its run
        self.notices: list[Notice] = []  # the warnings of the pages and stories composed earlier
        self.overflows: dict[int, list[dict]] = {}  # page number -> text left out of its frames
        self.shaper = Shaper()
        self.caches: dict = {}  # the setter's prepared paragraphs and lines, kept while the fonts stay
        self.cache_fonts = None
        self.version = 0
        self.last: Outcome | None = None
        self.pdf: bytes | None = None
        self.condition = "newsprint"  # the last render's printing condition (the soft proof's)

    def render(self, early=None) -> Outcome:
        """Compose what changed, then write the outputs. `early(pages, edition, report,
        setter, version)`, if given, is called with the pages composed again before the
        edition's PDF is written (the live preview shows them first)."""
        start = time.perf_counter()
        enabled = gc.isenabled()
        gc.disable()  # as api.render: a render makes no cycles worth collecting, and the collector costs a tenth
        try:
            outcome = self._render(start, early)
        except (InputError, RenderError, OversetError, PreflightError) as exc:
            outcome = Outcome(False, time.perf_counter() - start, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must not end the session
            self.pages.clear()  # what it left half-made is not trusted: the next render starts afresh
            outcome = Outcome(False, time.perf_counter() - start, error=internal_error(exc))
        finally:
            if enabled:
                gc.enable()
        self.last = outcome
        return outcome

    def _render(self, start: float, early=None) -> Outcome:
        edition, fonts = load(self.options.edition, self.options.allow_paths)
        inputs = check_outputs(self.options, edition, fonts)
        marks = fingerprints(edition)
        stale = frozenset(n for n, mark in enumerate(marks, 1)
                          if n not in self.pages or self.pages[n][0] != mark)
        fresh = Report(warnings=list(edition.warnings))
        if fonts != self.cache_fonts or len(self.caches.get("prepared", ())) > CACHED_PARAGRAPHS:
            self.caches, self.cache_fonts = {}, fonts  # (dropped together: set lines are keyed by id)
        setter = Setter(edition, fonts, self.shaper, self.caches)
        for page in compose(edition, setter, fresh, stale) if stale else []:
            self.pages[page.number] = (marks[page.number - 1], page)
        report = self._report(edition, len(marks), stale, fresh, len(edition.warnings))
        pages = [self.pages[n][1] for n in range(1, len(marks) + 1)]
        if early is not None:
            early([self.pages[n][1] for n in sorted(stale)], edition, report, setter, self.version + 1)
        result = finish(self.options, edition, pages, report, setter, inputs)
        self.pdf = result.pdf
        self.condition = edition.source.output.condition
        self.version += 1
        return Outcome(True, time.perf_counter() - start, sorted(stale), report=report)

    def _report(self, edition: model.Edition, count: int, stale: frozenset, fresh: Report, loaded: int) -> Report:
        """The whole edition's report: what this composition found for the pages and
        stories it made, and what earlier ones found for the rest. The loader's warnings
        (overlaps, cleaned text: the first `loaded` of `fresh`) come fresh with every load."""
        composed = fresh.warnings[loaded:]
        for n in [n for n in self.pages if n > count]:
            del self.pages[n]
        for n in stale:
            self.overflows[n] = [e for e in fresh.overflow if e.page == n]
        for entry in fresh.copyfit:
            self.story_reports[entry.story] = entry
            self.oversets[entry.story] = [e for e in fresh.overset if e.story == entry.story]
            self.holes[entry.story] = [e for e in fresh.holes if e.story == entry.story]
        # a warning about a story composed again, or a page composed again, is replaced
        # by this composition's
        again = {e.story for e in fresh.copyfit} | {n.place.story for n in composed if n.place.story}
        self.notices = [n for n in self.notices if (
            n.place.story not in again if n.place.story else n.place.page not in stale)
            and (n.place.page is None or n.place.page <= count)] + composed
        names = set(edition.stories)
        self.story_reports = {k: v for k, v in self.story_reports.items() if k in names}
        self.oversets = {k: v for k, v in self.oversets.items() if k in names}
        self.holes = {k: v for k, v in self.holes.items() if k in names}
        self.overflows = {n: v for n, v in self.overflows.items() if n <= count}
        return Report(warnings=fresh.warnings[:loaded] + sorted(self.notices, key=_order),
                      copyfit=[self.story_reports[k] for k in sorted(self.story_reports)],
                      overset=[e for k in sorted(self.oversets) for e in self.oversets[k]],
                      overflow=[e for n in sorted(self.overflows) for e in self.overflows[n]],
                      holes=[e for k in sorted(self.holes) for e in self.holes[k]])


def _order(n: Notice) -> tuple:
    """Warnings in page order, as one composition of the whole edition gives them."""
    return (n.place.page or 0, n.place.element or 0, n.place.story or "")


def watched_paths(options: Options) -> list[Path]:
    """The edition's folder (stories, photos, house styles inside it), the folders it
    allows, and the font folders."""
    from ..fonts.faces import MANIFEST

    folder = Path(options.edition).resolve().parent
    paths = [folder, MANIFEST.parent, *options.allow_paths]
    return [p for p in paths if p.exists()]


def describe(outcome: Outcome, changed: list[str]) -> str:
    what = ", ".join(changed) if changed else "start"
    if not outcome.ok:
        return f"[{what}] error, the last good output is kept:\n{outcome.error}"
    pages = ", ".join(map(str, outcome.recomposed)) or "none"
    overset = sum(e.overset_chars for e in outcome.report.copyfit)
    fit = f"{len(outcome.report.copyfit)} stories, " + (f"{overset} characters overset" if overset else "no overset")
    return f"[{what}] recomposed pages {pages} in {outcome.seconds:.2f} s; {fit}"


def file_events(options: Options, stop=None, step: int = 50):
    """Batches of names of the edition's files that changed (our own output ignored),
    `step` ms after the last change of a batch (an editor's save is a burst of events)."""
    from watchfiles import watch as file_changes

    output = Path(options.output).resolve()

    def relevant(_, path: str) -> bool:
        return not path.endswith((".part", ".pdf", ".png", ".json")) and Path(path).resolve() != output

    for changes in file_changes(*watched_paths(options), stop_event=stop, debounce=200, step=step,
                                watch_filter=relevant):
        yield sorted({Path(p).name for _, p in changes})


def watch(options: Options, out=print, stop=None) -> None:
    """Render, then re-render on every change until interrupted (or `stop` is set)."""
    session = Session(options)
    out(describe(session.render(), []))
    for names in file_events(options, stop):
        out(describe(session.render(), names))
