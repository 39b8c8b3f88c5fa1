"""Every error message has its hint, as the README promises: each place in layout/ that
makes an InputError (raised, or recorded with the loader's `ctx.error`) gives a hint
that cannot be None, or is listed below with the reason it has none."""
from __future__ import annotations

import ast

from conftest import REPO

# (file, the message's first words): why it has no hint (yet)
EXCEPTIONS = {
    ("layout/fonts/faces.py", "cannot read font collection"):
        "fonts/ is being rewritten on the fonts branch (issue 17); its messages get their hints there",
    ("layout/output/pdf.py", "cannot read font file"):
        "output/pdf.py is being rewritten on the fonts branch (issue 17); its messages get their hints there",
}


def _makes_input_error(call: ast.Call) -> bool:
    f = call.func
    return (isinstance(f, ast.Name) and f.id == "InputError"
            or isinstance(f, ast.Attribute) and f.attr == "error" and isinstance(f.value, ast.Name)
            and f.value.id == "ctx")


def _hint(call: ast.Call) -> ast.expr | None:
    if len(call.args) >= 3:
        return call.args[2]
    return next((k.value for k in call.keywords if k.arg == "hint"), None)


def _may_be_none(hint: ast.expr | None) -> bool:
    """No hint, None, or did_you_mean(...) alone (None when nothing is close)."""
    if hint is None or isinstance(hint, ast.Constant) and hint.value is None:
        return True
    return isinstance(hint, ast.Call) and isinstance(hint.func, ast.Name) and hint.func.id == "did_you_mean"


def _first_words(call: ast.Call) -> str:
    message = call.args[0] if call.args else next(k.value for k in call.keywords if k.arg == "message")
    if isinstance(message, ast.Constant):
        return str(message.value)
    if isinstance(message, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in message.values)
    return ast.unparse(message)


def _sites():
    for path in sorted((REPO / "layout").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _makes_input_error(node) and not any(
                    isinstance(a, ast.Starred) for a in node.args):
                yield rel, node


def test_every_input_error_has_a_hint():
    missing = []
    for rel, call in _sites():
        if _may_be_none(_hint(call)) and not any(rel == f and _first_words(call).startswith(w)
                                                 for f, w in EXCEPTIONS):
            missing.append(f"{rel}:{call.lineno}: {_first_words(call)[:60]}")
    assert not missing, "errors without a hint:\n" + "\n".join(missing)


def test_the_exceptions_are_still_there():
    sites = [(rel, _first_words(call)) for rel, call in _sites()]
    for f, words in EXCEPTIONS:
        assert any(rel == f and said.startswith(words) for rel, said in sites), (f, words)


def test_the_walk_finds_the_sites():
    """The walk sees both kinds of site (a guard against a test that passes by finding nothing)."""
    kinds = {type(call.func).__name__ for _, call in _sites()}
    assert kinds == {"Name", "Attribute"} and sum(1 for _ in _sites()) > 100
