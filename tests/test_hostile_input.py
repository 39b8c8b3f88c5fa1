"""Hostile and careless editions: every key of the model given values at the edges (0,
negative, NaN, infinities, huge, empty, deep, aliased, wrong types, control characters)
gives a PDF or a located input error (file:line:column, exit code 2): never a traceback,
never a hang, never a runaway of memory. Plus each example of issue 22, as written.

The generated cases run in this process, each bounded by HANG_SECONDS of wall time and
MEMORY_BYTES of address space above what the process had; `make test` tries a modest
number of them (PAIBAN_FUZZ_EXAMPLES raises it).
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import REPO
from strategies_model import BASE, EXTREMES, KEYS, MUTATIONS, PHOTO, apply, to_yaml
from test_bad_editions import BASE as BAD_BASE, _edition as _bad_edition

from layout.edition import model
from layout.api import Options, render
from layout.base.errors import InputError

EXAMPLES = int(os.environ.get("PAIBAN_FUZZ_EXAMPLES", "40"))
HANG_SECONDS = 60  # a render of the small base edition takes about a second
MEMORY_BYTES = 3 << 30
COFFEE = REPO / "editions" / "sample" / "images" / "coffee.jpg"


class Hang(Exception):
    pass


@contextlib.contextmanager
def bounded():
    """Raise Hang after HANG_SECONDS; MemoryError past MEMORY_BYTES more address space."""
    def alarm(signum, frame):
        raise Hang(f"no result after {HANG_SECONDS} s")

    old_handler = signal.signal(signal.SIGALRM, alarm)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as fh:
        used = int(fh.read().split()[0]) * resource.getpagesize()
    limit = used + MEMORY_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old_handler)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _render(text: str, press: bool = False):
    """(the render's result or None, the input error or None) for an edition text."""
    folder = Path(tempfile.mkdtemp(prefix="input-"))
    try:
        shutil.copy(COFFEE, folder / PHOTO)
        (folder / "edition.yaml").write_text(text, encoding="utf-8")
        try:
            with bounded():
                return render(Options(folder / "edition.yaml", folder / "out.pdf", press=press, workers=1)), None
        except InputError as exc:
            return None, exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _located(exc: InputError) -> None:
    for e in getattr(exc, "errors", [exc]):
        assert e.where is not None and e.where.line is not None and e.where.column is not None, \
            f"an error without a line and column: {e}"
        assert "Y(value=" not in str(e) and "Where(" not in str(e), str(e)
        assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in str(e)), f"a control character in {str(e)!r}"


def test_the_base_edition_renders_and_reaches_every_class():
    classes = {c for _, _, _, c in KEYS}
    wanted = {c for c in vars(model).values() if isinstance(c, type) and dataclasses.is_dataclass(c)
              and c.__module__ == model.__name__} - {model.Span, model.Block, model.Cell, model.TableData, model.Story,
                                                     model.PageGeometry,
                                                     model.Edition, model.HouseStyle}
    assert wanted - classes == set(), "the base edition should hold every class of the format"
    result, error = _render(to_yaml(BASE), press=True)
    assert error is None, str(error)
    assert result.pages == 2


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(changes=st.one_of(MUTATIONS, EXTREMES), press=st.booleans())
def test_any_hostile_value_renders_or_is_refused_with_its_place(changes, press):
    text = to_yaml(apply(BASE, changes))
    result, error = _render(text, press)
    if error is None:
        event("rendered")
        assert result.pages >= 1
    else:
        event("refused")
        _located(error)


# ---------------------------------------------------------------- the examples of issue 22

NINES = "9" * 400
LONG = "字" * 2000
NESTED = "".join(" " * (i + 1) + f"k{i}:\n" for i in range(600)) + " " * 601 + "v\n"
CHAIN = "".join(f"  s{i}: {{based_on: {'body' if i == 0 else f's{i - 1}'}}}\n" for i in range(2000))
HINT_ALIAS = "(hint: put long texts in story files, and remove repeated '*alias' references)"
HINT_KEY = "(hint: write a plain name before the ':' (no '? ' key, no '*alias' of a mapping or list))"
# (id, text of tests/test_bad_editions.py's BASE replaced, replacement, the message after "edition.yaml:")
EXAMPLES_22 = [
    ("alias-bomb-characters", "paper:\n", "x: [&it {text: " + LONG + "}" + ", *it" * 30000 + "]\npaper:\n",
     f"1:1: more than 1000000 characters of text after expanding aliases {HINT_ALIAS}"),
    ("alias-bomb-in-a-teaser", "  - elements:\n", "  - elements:\n      - {type: teaser, frame: {column: 5, span: 2, "
     "top: 70mm}, items: [&it {text: " + LONG + ", page: 1}" + ", *it" * 30000 + "]}\n",
     f"14:1: more than 1000000 characters of text after expanding aliases {HINT_ALIAS}"),
    ("folio-format-width", "stories:\n", "masters:\n  default: {folio: {left: '{page:>30000000}'}}\nstories:\n",
     "13:27: format '{page:>30000000}' is wider than 100 characters (hint: write {page:02d} for 01, 02 …)"),
    ("folio-many-widths", "stories:\n", "masters:\n  default: {folio: {left: '" + "{page:>100}" * 200 + "'}}\nstories:\n",
     "13:27: template '" + ("{page:>100}" * 6)[:59] + "…' makes 20000 characters (hint: a folio, slug or item line "
     "holds at most 1,000; shorten it, or check the formats' widths)"),
    ("folio-long-text", "stories:\n", "masters:\n  default: {folio: {left: '" + "x" * 100_000 + "'}}\nstories:\n",
     "13:27: template '" + "x" * 59 + "…' makes 100000 characters (hint: a folio, slug or item line "
     "holds at most 1,000; shorten it, or check the formats' widths)"),
    ("teaser-format-width", "  - elements:\n", "  - elements:\n      - {type: teaser, item_format: '{text:.99999}', "
     "items: [{text: 要看的, page: 1}], frame: {column: 5, span: 2, top: 70mm}}\n",
     "16:37: format '{text:.99999}' is wider than 100 characters (hint: write {page:02d} for 01, 02 …)"),
    ("columns-huge", "  columns: 6", "  columns: " + NINES,
     "7:12: geometry.columns: " + "9" * 39 + "… is more than 100 (hint: give 1 to 100)"),
    ("gutter-infinite", "  gutter: 6mm", "  gutter: " + NINES + "mm",
     "8:11: geometry.gutter: " + "9" * 39 + "… is more than 14400pt (hint: give 0pt to 14400pt)"),
    ("tracking-nan", "leading: 13.5pt}", "leading: 13.5pt, tracking: .nan}",
     "11:59: styles.body.tracking: .nan is not a number (hint: give -0.5 to 5)"),
    ("indent-infinite", "leading: 13.5pt}", "leading: 13.5pt, indent: .inf}",
     "11:57: styles.body.indent: .inf is more than 50 (hint: give 0 to 50)"),
    ("size-zero", "size: 小五,", "size: 0pt,", "11:28: styles.body.size: 0pt is less than 1pt (hint: give 1pt to 1000pt)"),
    ("leading-zero", "leading: 13.5pt}", "leading: 0pt}",
     "11:41: styles.body.leading: 0pt is less than 1pt (hint: give 1pt to 2000pt)"),
    ("fit-zero", "  - elements:\n", "  - elements:\n      - {type: headline, text: 标题, fit: [0, 0], "
     "frame: {column: 5, span: 2, top: 70mm}}\n",
     "16:42: pages[1].elements[1].fit[1]: 0 is less than 1pt (hint: give 1pt to 1000pt)"),
    ("block-nesting-600", "paper:\n", "x:\n" + NESTED + "paper:\n",
     "101:101: values nested deeper than 100 levels (hint: edition files are a few levels deep; check the indentation)"),
    ("dash-nesting-600", "paper:\n", "x:\n  " + "- " * 600 + "v\npaper:\n",
     "2:201: values nested deeper than 100 levels (hint: edition files are a few levels deep; check the indentation)"),
    ("recursive-alias", "paper:\n", "x: &a [*a]\npaper:\n",
     "1:4: a value contains itself through an '*alias' (hint: an alias may repeat a value written before it, "
     "not the one it is in)"),
    ("issue-format-without-issue", "  - elements:\n", "  - elements:\n      - {type: masthead, info_right: "
     "['第{issue:03d}期'], frame: {column: 5, top: 70mm}}\n",
     "16:39: cannot use template '第{issue:03d}期': Unknown format code 'd' for object of type 'str' "
     "(hint: paper.issue is not set: give it, or leave out the format)"),
    ("slug-field", "stories:\n", "output: {slug: '{paper} {pge}'}\nstories:\n",
     "12:16: unknown field '{pge}' in '{paper} {pge}' (hint: did you mean 'page'?)"),
    ("pages-empty", None, "pages: []\n",  # in place of all the pages
     "14:8: an edition needs at least one page (hint: add a page under 'pages:')"),
    ("margins-deeper-than-page", "  margins: 15mm", "  margins: {top: 200mm, bottom: 200mm, inside: 15mm, outside: 15mm}",
     "6:12: geometry: the margins leave no type area on the 270 × 390 mm page (hint: top and bottom together must "
     "be less than the height, inside and outside less than the width)"),
    ("nul-byte", "  name: 测试报", "  name: 测试\0报",
     "2:11: control character U+0000 is not allowed in a YAML file (hint: remove it; a tab or a line break is fine)"),
    ("escaped-control-character", "  name: 测试报", '  name: "测试\\x1f报"',
     "2:9: paper.name: control character U+001F in the text (hint: remove it (a tab: write a space); a line feed "
     "is the only control character a text may hold)"),
    ("alias-key", "paper:\n", "x: &m {a: 1}\ny: {*m : 2}\npaper:\n", f"1:4: keys must be text, got a mapping {HINT_KEY}"),
    ("complex-key", "paper:\n", "? [a, b]\n: 1\npaper:\n", f"1:3: keys must be text, got a list {HINT_KEY}"),
    ("emoji-in-headline", "  - elements:\n", "  - elements:\n      - {type: headline, text: '标题😀', "
     "frame: {column: 5, span: 2, top: 70mm}}\n",
     "16:9: page 1, element 1 (headline): no font has U+1F600 GRINNING FACE (character 3 of the paragraph; role "
     "'headline', han chain: NotoSansCJK-Bold.ttc#2) (hint: add a face that has it to the role's chain in the "
     "edition's 'fonts:')"),
    ("include-a-folder", "paper:\n", "include: ['.']\npaper:\n", "1:11: house style '.': is a folder, not a regular file (hint: name a file (a folder, pipe or device cannot be read as one))"),
]


@pytest.mark.parametrize("case,old,new,expected", EXAMPLES_22, ids=[c[0] for c in EXAMPLES_22])
def test_issue_22_examples_give_a_located_message_and_exit_2(tmp_path, case, old, new, expected):
    assert old is None or old in BAD_BASE, case
    text = BAD_BASE.replace(old, new, 1) if old else BAD_BASE[:BAD_BASE.index("pages:")] + new
    path = _bad_edition(tmp_path, text)
    # a bound on memory: the alias bombs used 2.9 GB before
    result = subprocess.run(["bash", "-c", 'ulimit -v 3000000; exec "$0" "$@"', sys.executable,
                             str(REPO / "render.py"), str(path), "-o", str(tmp_path / "o.pdf")],
                            capture_output=True, text=True, timeout=HANG_SECONDS)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[0] == f"{path}:{expected}"
    assert not (tmp_path / "o.pdf").exists()


def test_a_based_on_chain_2000_long_is_resolved(tmp_path):
    path = _bad_edition(tmp_path, BAD_BASE.replace("leading: 13.5pt}", "leading: 13.5pt}\n" + CHAIN, 1))
    from layout.edition.loader import load_edition

    styles = load_edition(path).styles
    assert styles["s1999"].size == styles["body"].size == 9.0 and styles["s1999"].based_on is None


def test_a_based_on_loop_is_reported_once_at_its_place(tmp_path):
    path = _bad_edition(tmp_path, BAD_BASE.replace("leading: 13.5pt}", "leading: 13.5pt}\n"
                                                   "  x: {based_on: y}\n  y: {based_on: z}\n  z: {based_on: x}", 1))
    with pytest.raises(InputError) as err:
        from layout.edition.loader import load_edition

        load_edition(path)
    assert str(err.value).splitlines() == [f"{path}:14:17: style 'z' is based on itself through x -> y -> z -> x (hint: base "
                                              "one of them on a style outside the circle, or on none)"]


# ---------------------------------------------------------------- bounds, declared once

def _numeric(tp) -> bool:
    import typing

    if typing.get_origin(tp) is typing.Annotated:
        return tp.__metadata__[0] != "color"
    if typing.get_origin(tp) is list or typing.get_args(tp):
        return any(_numeric(a) for a in typing.get_args(tp) if not dataclasses.is_dataclass(a))
    return tp in (int, float)


CLASSES = sorted({cls for *_, cls in KEYS}, key=lambda c: c.__name__)
BOUNDED = [(cls, f) for cls in CLASSES for f in dataclasses.fields(cls) if "bounds" in f.metadata]


def test_every_number_and_length_of_the_format_has_bounds():
    import typing

    for cls in CLASSES:
        hints = typing.get_type_hints(cls, include_extras=True)
        for f in dataclasses.fields(cls):
            assert _numeric(hints[f.name]) == ("bounds" in f.metadata), f"{cls.__name__}.{f.name}"


def test_the_schema_and_the_reference_state_the_bounds():
    import typing

    from layout.edition import schema
    from layout.edition.convert import bounds_text, yaml_key

    defs = schema.edition_schema()["$defs"]
    reference = (REPO / "docs" / "edition-format.md").read_text(encoding="utf-8")
    for cls, f in BOUNDED:
        tp = typing.get_type_hints(cls, include_extras=True)[f.name]
        prop = defs[cls.__name__]["properties"][yaml_key(f.name)]
        text = bounds_text(f.metadata["bounds"], tp)
        assert text in prop["description"], (cls.__name__, f.name)
        assert f"| `{yaml_key(f.name)}` | " in reference and text in reference
        numbers = [p for p in [prop, prop.get("items", {})] + prop.get("anyOf", []) if p.get("type") in ("integer", "number")]
        for p in numbers:
            assert (p["minimum"], p["maximum"]) == tuple(f.metadata["bounds"]), (cls.__name__, f.name)


@settings(max_examples=EXAMPLES * 10, deadline=None, derandomize=True)
@given(field=st.sampled_from(BOUNDED), value=st.one_of(
    st.floats(), st.integers(min_value=-(10**30), max_value=10**30), st.sampled_from([10**400, -(10**400)])),
    unit=st.sampled_from(["pt", "mm", "in"]))
def test_convert_takes_a_value_exactly_when_it_lies_within_the_bounds(field, value, unit):
    """Over every bounded key: in bounds is taken, anything else (NaN, infinities,
    overflowing integers included) is refused at the value."""
    import math
    import typing

    from layout.edition.convert import Context, convert_dataclass, is_percent, yaml_key
    from layout.base.errors import Where
    from layout.base.units import UNITS
    from layout.edition.yamlsource import Y

    cls, f = field
    tp = typing.get_type_hints(cls, include_extras=True)[f.name]
    low, high = f.metadata["bounds"]
    whole = int in (typing.get_args(tp) or (tp,))
    if is_percent(tp):  # a percentage: written with its sign
        if isinstance(value, float) and not math.isfinite(value):
            return
        number = f"{value:.6f}" if isinstance(value, float) else str(value)
        written, raw = number + "%", None
        inside = low <= float(number) <= high
    elif "Annotated" in repr(tp):  # a length: written with a unit
        if isinstance(value, float) and not math.isfinite(value):
            return  # YAML's .nan and .inf are numbers without a unit, refused as such elsewhere
        number = f"{value:.6f}" if isinstance(value, float) else str(value)
        written, raw = number + unit, None
        inside = low <= float(number) * UNITS[unit] <= high  # (-0.000000pt is 0)
    else:
        written, raw = value, str(value) if abs(value) < 10**100 else "9" * 400
        inside = (isinstance(value, int) or not whole) and low <= value <= high
    where = Where("e.yaml", 1, 1)
    item = Y(written, where, raw=raw)
    key = yaml_key(f.name)
    listed = list in [typing.get_origin(a) for a in (tp, *typing.get_args(tp))]
    node = Y([item], where) if listed else item
    ctx = Context()
    convert_dataclass(cls, Y({key: node}, where, {key: where}), ctx, "x")
    mine = [str(e) for e in ctx.errors if e.message.startswith(f"x.{key}")]
    assert (not mine) == inside, (written, mine)
    assert all(e.where == where for e in ctx.errors)


# ---------------------------------------------------------------- long runs set in linear time

@settings(max_examples=EXAMPLES * 5, deadline=None, derandomize=True)
@given(text=st.lists(st.sampled_from(list("“‘（《 a字ཀ་\n—…") + [" " * 5]), max_size=40).map("".join))
def test_a_quote_keeps_its_word_across_any_run_of_spaces(text):
    """C2 across spaces, for every space of the run: the start of a run is now found
    once per run (a folio of n spaces took n²/2 steps), and must still be found."""
    from layout.text import breaks
    from layout.text import zh

    flags = breaks.opportunities(text)
    for i in range(1, len(text)):
        if text[i - 1] != " " or flags[i] == breaks.MANDATORY:
            continue
        j = i - 1
        while j > 0 and text[j - 1] == " ":
            j -= 1
        if j > 0 and text[j - 1] in zh.NO_END:
            assert flags[i] == breaks.NO, (text, i)
