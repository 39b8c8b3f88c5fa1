"""The engine's rooms, kept: data flows one way (edition model -> text items -> lines ->
frames and pages -> PDF), and no module reaches back up. layout/ is a few subpackages,
the rooms, in an order; a module may import its own room and those below it, never one
above, also inside a function. And no module-level import cycle anywhere
(docs/ARCHITECTURE.md draws it)."""
from __future__ import annotations

import ast
from pathlib import Path

LAYOUT = Path(__file__).resolve().parent.parent / "layout"

# the rooms, lowest first: each a subpackage of layout/ (api is the one module at the top)
ROOMS = ["base", "fonts", "edition", "text", "lines", "page", "output", "epaper", "api", "desk"]
LEVEL = {room: k for k, room in enumerate(ROOMS)}


def room(module: str) -> str:
    """'text.shape' -> 'text'; 'api' -> 'api'; the package itself ('text') -> 'text'."""
    return module.split(".")[0]


def imports(source: str, module: str = "x.m") -> tuple[set[str], set[str]]:
    """The layout modules a module (dotted, inside layout/) imports: (anywhere, at
    module level). A name imported from a package counts as its module when it is one
    (`from ..text import shape`), else as the package."""
    anywhere: set[str] = set()
    top: set[str] = set()
    tree = ast.parse(source)
    level_nodes = set(map(id, _module_level(tree)))
    here = module.split(".")[:-1]  # the package this module is in
    for node in ast.walk(tree):
        bases: list[str] = []
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.level:
            parent = here[:len(here) - (node.level - 1)] if node.level > 1 else here
            base = parent + (node.module.split(".") if node.module else [])
            names = [".".join(base + [a.name]) if a.name != "*" else ".".join(base) for a in node.names]
            bases = [".".join(base)] * len(names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "layout":
            base = node.module.split(".")[1:]
            names = [".".join(base + [a.name]) for a in node.names]
            bases = [".".join(base)] * len(names)
        elif isinstance(node, ast.Import):
            names = [a.name.split(".", 1)[1] for a in node.names if a.name.startswith("layout.")]
            bases = names
        found = {_known(n, b) for n, b in zip(names, bases)} - {""}
        anywhere |= found
        if id(node) in level_nodes:
            top |= found
    return anywhere, top


def _known(name: str, base: str) -> str:
    """The module a dotted import target names: itself when it is a module or package
    of layout/, else (an attribute of a module) its base."""
    for candidate in (name, base):
        parts = candidate.split(".") if candidate else []
        if parts and ((LAYOUT.joinpath(*parts).with_suffix(".py")).is_file() or
                      (LAYOUT.joinpath(*parts) / "__init__.py").is_file()):
            return candidate
    return base


def _module_level(tree: ast.Module):
    """Statements run when the module is imported: the body, and the bodies of its
    top-level if/try blocks (not functions or classes)."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, (ast.If, ast.Try)):
            todo += node.body + node.orelse + getattr(node, "finalbody", []) + \
                [s for h in getattr(node, "handlers", []) for s in h.body]


def modules() -> dict[str, Path]:
    """Every module of layout/, dotted ('text.shape'; a package as 'text')."""
    found = {}
    for path in sorted(LAYOUT.rglob("*.py")):
        parts = list(path.relative_to(LAYOUT).with_suffix("").parts)
        if "__pycache__" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            found[".".join(parts)] = path
    return found


def graph() -> dict[str, tuple[set[str], set[str]]]:
    out = {}
    for module, path in modules().items():
        name = module + ".__init__" if path.name == "__init__.py" else module
        out[module] = imports(path.read_text(encoding="utf-8"), name)
    return out


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Imports against the rooms, as 'importer (room) -> imported (room)'."""
    return [f"{m} ({room(m)}) -> {d} ({room(d)})"
            for m, deps in sorted(edges.items()) for d in sorted(deps)
            if LEVEL.get(room(d), -1) > LEVEL.get(room(m), len(ROOMS))]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in edges.get(v, ()):
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_every_module_is_in_a_room():
    """layout/ holds only the rooms: a module outside them (or a new folder) must be
    given a place in ROOMS, and every room has a docstring saying what it owns."""
    stray = sorted(m for m in modules() if room(m) not in LEVEL)
    assert not stray, f"put these modules into a room (a subpackage in ROOMS): {stray}"
    for name in ROOMS:
        path = LAYOUT / name / "__init__.py" if name != "api" else LAYOUT / "api.py"
        assert path.is_file(), f"the room {name} is missing"
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{path.name} of {name}: say what it owns"


def test_no_module_imports_a_layer_above_its_own():
    bad = upward({m: anywhere for m, (anywhere, _) in graph().items()})
    assert not bad, "imports against the data flow:\n" + "\n".join(bad)


def test_no_module_level_import_cycle():
    found = cycles({m: top for m, (_, top) in graph().items()})
    assert not found, f"module-level import cycles: {found}"


def test_the_checks_see_a_violation():
    """The checks are not blind: an import up the rooms, a lazy one too, and a cycle
    are each found in sources made for the purpose."""
    source = "from ..page.compose import compose\nfrom . import zh\n\ndef f():\n    from ..api import render\n"
    anywhere, top = imports(source, "text.itemize")
    assert anywhere == {"page.compose", "text.zh", "api"} and top == {"page.compose", "text.zh"}
    assert upward({"text.itemize": anywhere}) == ["text.itemize (text) -> api (api)",
                                                  "text.itemize (text) -> page.compose (page)"]
    assert imports("import layout.output.pdf\nfrom layout.desk.serve import serve\nfrom layout.desk import watch\n"
                   "from layout.text.shape import Shaper\n")[0] == \
        {"output.pdf", "desk.serve", "desk.watch", "text.shape"}
    assert upward({"page.flow": {"output.pdf"}, "output.pdf": {"page.flow"}}) == ["page.flow (page) -> output.pdf (output)"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_real_tree_is_read():
    """The graph is the engine's: the known edges are there (a broken reader would find
    no edges and so no violation)."""
    edges = {m: anywhere for m, (anywhere, _) in graph().items()}
    assert "text.shape" in edges["text.itemize"]
    assert "page.compose" in edges["api"] and "output.pdf" in edges["api"]
    assert "base.errors" in edges["edition.loader"]
    assert sum(map(len, edges.values())) > 100
