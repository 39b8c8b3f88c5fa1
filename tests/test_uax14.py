"""UAX #14 line breaking: the Unicode conformance file, plus the cases a newspaper needs."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from layout.text import linebreak_data
from layout.text import uax14
from layout.text.uax14 import ALLOWED, MANDATORY, NO_BREAK, break_opportunities, line_break_classes

TEST_FILE = Path("/usr/share/unicode/auxiliary/LineBreakTest.txt")
EXPECTED_CASES = 7654  # in LineBreakTest-15.0.0.txt


def load_cases(path: Path) -> list[tuple[int, str, list[int], str]]:
    """(line number, text, expected 0/1 per position 0..len, source line) for each case."""
    cases = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        body = line.split("#", 1)[0].split()
        if not body:
            continue
        text = "".join(chr(int(tok, 16)) for tok in body[1::2])
        marks = [1 if tok == "÷" else 0 for tok in body[0::2]]
        assert all(tok in ("÷", "×") for tok in body[0::2]), line
        cases.append((lineno, text, marks, line))
    return cases


def test_conformance_file() -> None:
    # Not a skip: a missing file would silently drop the only exhaustive check.
    assert TEST_FILE.is_file(), (f"{TEST_FILE} is missing: install the Debian package "
                                 "unicode-data (apt-get install unicode-data)")
    first = TEST_FILE.read_text(encoding="utf-8").splitlines()[0]
    assert linebreak_data.UNICODE_VERSION in first, f"test file is {first!r}"
    cases = load_cases(TEST_FILE)
    failures = []
    for lineno, text, expected, line in cases:
        got = [min(v, ALLOWED) for v in break_opportunities(text)]  # the file has no "mandatory"
        if got != expected:
            failures.append(f"line {lineno}: got {got} for {line}")
    passed = len(cases) - len(failures)
    print(f"LineBreakTest.txt: {passed}/{len(cases)} passed ({100 * passed / len(cases):.2f} %)")
    assert len(cases) == EXPECTED_CASES
    assert not failures, f"{len(failures)} failures; first ones:\n" + "\n".join(failures[:10])


def allowed_at(text: str) -> list[int]:
    """Indices i where a line may end before text[i] (excluding the end of text)."""
    flags = break_opportunities(text)
    return [i for i in range(1, len(text)) if flags[i] != NO_BREAK]


def test_chinese_breaks_between_ideographs() -> None:
    text = "新闻报道"
    assert line_break_classes(text) == ["ID"] * 4
    assert allowed_at(text) == [1, 2, 3]


def test_chinese_no_break_before_closing_or_after_opening() -> None:
    text = "他说（今天）好。"
    flags = break_opportunities(text)
    assert flags[text.index("。")] == NO_BREAK
    assert flags[text.index("）")] == NO_BREAK
    assert flags[text.index("（") + 1] == NO_BREAK
    assert flags[text.index("（")] == ALLOWED


def test_tibetan_tsheg_and_shad() -> None:
    text = "བོད་ཡིག་ཡག་པོ།"
    flags = break_opportunities(text)
    tshegs = [i for i, ch in enumerate(text) if ch == "\u0f0b"]
    assert len(tshegs) == 3
    for i in tshegs:
        assert flags[i + 1] == ALLOWED, f"no break after the tsheg at {i}"
        assert flags[i] == NO_BREAK, f"break before the tsheg at {i}"
    assert flags[text.index("\u0f0d")] == NO_BREAK
    # Vowel signs and subjoined letters stay with their letter.
    assert allowed_at(text) == [i + 1 for i in tshegs]


def test_latin_words_and_spaces() -> None:
    text = "print layout"
    assert allowed_at(text) == [6]
    assert break_opportunities("hyphen-ated")[7] == ALLOWED


def test_mandatory_breaks_and_ends() -> None:
    flags = break_opportunities("a\r\nb\nc")
    assert flags == [NO_BREAK, NO_BREAK, NO_BREAK, MANDATORY, NO_BREAK, MANDATORY, MANDATORY]
    assert break_opportunities("") == [NO_BREAK]
    assert break_opportunities("字") == [NO_BREAK, MANDATORY]


def test_lb1_resolution_uses_unicode_15_data() -> None:
    # U+0ECE LAO YAMAKKAN is new in 15.0 (unassigned for Python 3.11's unicodedata):
    # SA with General_Category Mn, so LB1 makes it CM.
    assert line_break_classes("\u0e81\u0ece\u00a7\u3041\ud800\U000e0020\U000e0080") == \
        ["AL", "CM", "AL", "NS", "AL", "CM", "AL"]
    assert line_break_classes("\U00020000\U0001F600\U0001FFFD") == ["ID", "ID", "ID"]


def test_numbers_hold_together() -> None:
    assert allowed_at("$(12.5)%") == []
    assert allowed_at("价格 ¥1,200.00 元") == [1, 3, 13]


def test_regional_indicator_pairs() -> None:
    flags = break_opportunities("\U0001F1E8\U0001F1F3\U0001F1EF\U0001F1F5\U0001F1E8")
    assert flags == [NO_BREAK, NO_BREAK, ALLOWED, NO_BREAK, ALLOWED, MANDATORY]


# One sample per class, plus the characters that single rules look at (wide and narrow
# brackets for LB30, an unassigned pictograph for LB30b, the dotted circle for LB28a).
SAMPLES = ("a\u05d0 0 $%,/!\"\u3005\u4e00\u2024\u1100\u1160\u11a8\uac00\uac01\u00b4"
           "\u2010-\u0f0b\u0f0d\u2014\u00a0\u2060\u200b\ufffc\u0308\u200d\r\n\x0c\u0085"
           "(\uff08)\uff09]\u300c\u300d\U0001F1E6\U0001F1E7\u261d\U0001F3FB\U0001F02C"
           "\u25cc\u0e81\u0e31\u3041\u00a7")


def reference_breaks(text: str) -> list[int]:
    """The same rules (_unit_rule) without the pair tables or the incremental state:
    units and contexts are rebuilt by scanning back, quadratic but obviously right."""
    u = uax14
    ids = u._classes(text)
    n = len(ids)
    out = [NO_BREAK] * (n + 1)
    out[n] = MANDATORY
    raw = [u._UNIT] + [u._raw_rule(ids[i - 1], ids[i]) for i in range(1, n)]
    units: list[tuple[int, int]] = []  # (first index, class after LB9/LB10)
    for i in range(n):
        if i and raw[i] == u._ABSORB:
            continue
        units.append((i, u.AL if ids[i] in (u.CM, u.ZWJ) else ids[i]))
    for k in range(1, len(units)):
        i, b = units[k]
        if raw[i] != u._UNIT:
            out[i] = raw[i]
            continue
        a = units[k - 1][1]
        j = k - 1
        while j >= 0 and units[j][1] == u.SP:
            j -= 1
        s = units[j][1] if j >= 0 else u.SOT
        classes = [c for _, c in units[:k]]
        ri = 0
        while ri < len(classes) and classes[-1 - ri] == u.RI:
            ri += 1
        state = u._ST_RI_ODD if ri % 2 else u._ST_RI_EVEN if ri else u._ST_NONE

        def run_has_nu(end: int) -> bool:
            m = end
            while m >= 0 and classes[m] in (u.NU, u.SY, u.IS):
                if classes[m] == u.NU:
                    return True
                m -= 1
            return False
        if classes[-1] in (u.NU, u.SY, u.IS) and run_has_nu(len(classes) - 1):
            state = u._ST_NUM
        elif classes[-1] in (u.CL, u.CP) and run_has_nu(len(classes) - 2):
            state = u._ST_NUM_CLOSED
        prev2 = units[k - 2][1] if k >= 2 else u.SOT
        ctx = u._Context(text, ids, i, units[k - 1][0], prev2, state)
        out[i] = u._unit_rule(a, b, s, ctx)
    return out


def test_tables_agree_with_rules_on_random_text() -> None:
    rng = random.Random(14)
    for _ in range(4000):
        text = "".join(rng.choice(SAMPLES) for _ in range(rng.randint(1, 9)))
        assert break_opportunities(text) == reference_breaks(text), [hex(ord(c)) for c in text]


@pytest.mark.parametrize("classes, expected", [
    # LB28a with the Unicode 15.1 classes (absent from the 15.0 data, so exercised directly).
    (["AK", "VI", "AK", "VF"], [0, 0, 0, 0]),
    (["AP", "AK", "AS", "VF"], [0, 0, 0, 0]),
    (["AK", "AK"], [0, 1]),
    (["ID", "VI", "AK"], [0, 1, 1]),
])
def test_lb28a_orthographic_syllables(classes: list[str], expected: list[int]) -> None:
    ids = [uax14.CLASS_NAMES.index(c) for c in classes]
    got = [0]
    for i in range(1, len(ids)):
        prev2 = ids[i - 2] if i >= 2 else uax14.SOT
        ctx = uax14._Context("x" * len(ids), ids, i, i - 1, prev2, 0)
        got.append(uax14._unit_rule(ids[i - 1], ids[i], ids[i - 1], ctx))
    assert got == expected


def test_the_stored_rule_tables_are_the_rules_own() -> None:
    """linebreak_data carries UAX #14's rules as tables (so that importing the breaker
    does not work them out again); they must be exactly what uax14's rules give now,
    and the generated file must be what tools/gen_linebreak.py writes."""
    import subprocess
    import sys

    assert (linebreak_data.RULE_RAW, linebreak_data.RULE_PAIR, linebreak_data.RULE_SPACE,
            linebreak_data.RULE_STATE) == uax14._tables()
    assert (uax14._RAW, uax14._PAIR, uax14._SPACE, uax14._STATE) == uax14._tables()
    tool = Path(__file__).resolve().parent.parent / "tools" / "gen_linebreak.py"
    done = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
