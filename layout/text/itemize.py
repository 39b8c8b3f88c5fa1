"""Paragraph text -> runs of one script and one face (with the role's fallback chain).

A character that no face of its chain has is an error naming the code point and its
place, never a blank box on the page.
"""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from ..base.errors import InputError, Where
from ..fonts.faces import Face, FontSet
from ..base.scripts import script_of
from .shape import Shaper

# HarfBuzz script and language per script of ours (mixed.md M1)
HB_SCRIPT = {"han": "Hani", "tibetan": "Tibt", "latin": "Latn"}
HB_LANGUAGE = {"han": "zh-Hans", "tibetan": "bo", "latin": "en"}


_CHINESE_NEUTRAL = re.compile("[“‘—…·]")


class Run(NamedTuple):  # one per run of a paragraph; a NamedTuple is cheap to make
    start: int
    end: int
    script: str
    face: Face
    color: str | None = None  # a character style's colour, else the paragraph's


def scripts(text: str, default: str = "han", memo: dict | None = None) -> list[str]:
    """The script of every character; neutral characters take the preceding script,
    or the following one at the start of the text. `memo` remembers script_of per
    character (the shaper's, for a render)."""
    memo = {} if memo is None else memo
    raw = [memo[c] if c in memo else memo.setdefault(c, script_of(c)) for c in text]
    out: list[str] = []
    last = next((s for s in raw if s), default)
    for s in raw:
        if s:
            last = s
        out.append(last)
    # Chinese quotes and dashes right after Latin text but before Han belong to the Han
    for i in (m.start() for m in _CHINESE_NEUTRAL.finditer(text)):
        if raw[i] is None and out[i] == "latin":
            nxt = next((s for s in raw[i + 1:] if s), None)
            if nxt == "han":
                out[i] = "han"
    return out


LANG_SCRIPT = {"zh": "han", "bo": "tibetan", "en": "latin"}


def itemize(text: str, role: str, fonts: FontSet, shaper: Shaper, where: Where | None,
            story: str = "", spans=(), lang: str = "auto") -> list[Run]:
    """Split text into runs that each have one script, one face and one colour.

    `spans` are (start, end, role, colour) of character styles; `lang` ('zh', 'bo',
    'en') names the script of neutral characters at the start of the text.
    """
    per_char = scripts(text, LANG_SCRIPT.get(lang, "han"), shaper.script_of)
    roles: list[str] | None = None
    colors: list[str | None] | None = None
    if spans:
        roles = [role] * len(text)
        colors = [None] * len(text)
        for start, end, span_role, color in spans:
            for i in range(start, min(end, len(text))):
                roles[i] = span_role
                colors[i] = color
    picks = shaper.picks
    fonts_id = id(fonts)
    runs: list[Run] = []
    run_start, run_script, run_face, run_color = 0, None, None, None
    for i, ch in enumerate(text):
        char_role = roles[i] if roles else role
        key = (fonts_id, char_role, per_char[i], ch)
        picked = picks.get(key)
        if picked is None:
            picked = picks[key] = _pick_uncached(ch, per_char[i], char_role, fonts, shaper)
        face, script = picked
        if face is None:
            tried = ", ".join(f.label for f in fonts.chain(char_role, script)) or "none"
            what = f" in story '{story}'" if story else ""
            raise InputError(
                f"no font has U+{ord(ch):04X} {unicodedata.name(ch, '(unnamed)')} "
                f"(character {i + 1} of the paragraph{what}; role '{char_role}', {script} chain: {tried})",
                where, "add a face that has it to the role's chain in the edition's 'fonts:'")
        color = colors[i] if colors else None
        if script == run_script and (face is run_face or face == run_face) and color == run_color:
            continue
        if i:
            runs.append(Run(run_start, i, run_script, run_face, run_color))
        run_start, run_script, run_face, run_color = i, script, face, color
    if text:
        runs.append(Run(run_start, len(text), run_script, run_face, run_color))
    return runs


def _pick(ch: str, script: str, role: str, fonts: FontSet, shaper: Shaper) -> tuple[Face | None, str]:
    """The face for a character and the script to shape it as. Punctuation and symbols
    the script's fonts lack (a '(' in Tibetan text) come from the role's other chains.
    Remembered for the render (in the shaper's caches): text repeats its characters."""
    key = (id(fonts), role, script, ch)
    picked = shaper.picks.get(key)
    if picked is None:
        picked = shaper.picks[key] = _pick_uncached(ch, script, role, fonts, shaper)
    return picked


def _pick_uncached(ch: str, script: str, role: str, fonts: FontSet, shaper: Shaper) -> tuple[Face | None, str]:
    face = _face_for(ch, script, role, fonts, shaper)
    if face is not None:
        return face, script
    for other in ("latin", "han", "tibetan"):
        if other != script:
            face = _face_for(ch, other, role, fonts, shaper)
            if face is not None:
                return face, other
    return None, script


def missing(text: str, role: str, fonts: FontSet, shaper: Shaper, spans=(), lang: str = "auto") -> list[int]:
    """Indices of the characters no face of their role has (for a report of them all).
    Whether a character is missing does not depend on the script it would be set in
    (_pick tries every chain of the role), so each distinct (role, character) is
    looked up once and no per-character scripts are needed."""
    if spans:
        roles = [role] * len(text)
        for start, end, span_role, _ in spans:
            for i in range(start, min(end, len(text))):
                roles[i] = span_role
        keys = list(zip(roles, text))
        absent = {k for k in set(keys) if _absent(k[1], k[0], fonts, shaper, lang)}
        return [i for i, k in enumerate(keys) if k in absent] if absent else []
    absent = {ch for ch in set(text) if _absent(ch, role, fonts, shaper, lang)}
    return [i for i, ch in enumerate(text) if ch in absent] if absent else []


def _absent(ch: str, role: str, fonts: FontSet, shaper: Shaper, lang: str) -> bool:
    key = (id(fonts), role, ch, lang)
    found = shaper.absent.get(key)
    if found is None:
        script = script_of(ch) or LANG_SCRIPT.get(lang, "han")
        found = shaper.absent[key] = _pick(ch, script, role, fonts, shaper)[0] is None
    return found


def _face_for(ch: str, script: str, role: str, fonts: FontSet, shaper: Shaper) -> Face | None:
    cp = ord(ch)
    if role not in fonts.roles:
        raise InputError(f"unknown font role '{role}'", None,
                         f"roles: {', '.join(sorted(fonts.roles))}")
    if cp in (0x0A, 0x20, 0x3000):
        chain = fonts.chain(role, script)
        return chain[0] if chain else None
    for face in fonts.chain(role, script):
        if shaper.has_char(face, cp):
            return face
    return None
