"""Itemizing: which script (and so which face) each character is set in."""
from __future__ import annotations

import unicodedata

from hypothesis import given, strategies as st

from layout.text.itemize import scripts

MARKS = [chr(c) for c in range(0x300, 0x370)] + ["\u20dd", "\u200d", "\ufe0f"]


@given(base=st.sampled_from("一二字法ཀབcaféz"), marks=st.lists(st.sampled_from(MARKS), min_size=1, max_size=3))
def test_a_combining_mark_takes_the_script_of_its_base(base, marks):
    """A mark set in another face than its base is drawn beside it, not over it: the
    mark, a joiner or a variation selector is set in its base's run."""
    text = "。" + base + "".join(marks) + "。"
    got = scripts(text)
    assert set(got[1:1 + 1 + len(marks)]) == {got[1]}, (text, got)


def test_marks_of_every_category_follow_their_base():
    for cp in range(0x300, 0x370):
        assert unicodedata.category(chr(cp)) == "Mn"
        assert scripts("一" + chr(cp)) == ["han", "han"]
