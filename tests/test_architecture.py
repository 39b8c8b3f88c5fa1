"""The engine's layers, kept: data flows one way (edition model -> text items -> lines ->
frames and pages -> PDF), and no module reaches back up. Every module of layout/ has a
layer; a module may import its own layer and those below it, never one above, also
inside a function. And no module-level import cycle anywhere (docs/ARCHITECTURE.md)."""
from __future__ import annotations

import ast
from pathlib import Path

LAYOUT = Path(__file__).resolve().parent.parent / "layout"

# lowest first
LAYERS: list[tuple[str, set[str]]] = [
    ("base", {"__init__", "errors", "files", "units", "parallel"}),
    ("resources", {"fonts", "fontsubset", "fontcache", "fontsetup", "photos", "profile"}),
    ("edition", {"yamlsource", "convert", "model", "stories", "loader", "schema", "geometry"}),
    ("text", {"scripts", "shape", "itemize", "uax14", "linebreak_data", "zh", "bo", "breaks"}),
    ("lines", {"display", "prepare", "linebreak", "lines", "setter"}),
    ("page", {"flow", "compose", "proof"}),
    ("output", {"images", "marks", "preflight", "pdf", "trace"}),
    ("desk", {"api", "cli", "watch", "serve", "warm"}),
]
LEVEL = {module: k for k, (_, modules) in enumerate(LAYERS) for module in modules}


def imports(source: str) -> tuple[set[str], set[str]]:
    """The layout modules a module imports: (anywhere, at module level)."""
    anywhere: set[str] = set()
    top: set[str] = set()
    tree = ast.parse(source)
    level_nodes = set(map(id, _module_level(tree)))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("layout"):
            rest = node.module.split(".")[1:]
            names = rest[:1] if rest else [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name.split(".")[1] for a in node.names if a.name.startswith("layout.")]
        names = [n.split(".")[0] for n in names]
        anywhere.update(names)
        if id(node) in level_nodes:
            top.update(names)
    return anywhere, top


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


def graph() -> dict[str, tuple[set[str], set[str]]]:
    return {p.stem: imports(p.read_text(encoding="utf-8")) for p in sorted(LAYOUT.glob("*.py"))}


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Imports against the layers, as 'importer (layer) -> imported (layer)'."""
    name = {k: n for k, (n, _) in enumerate(LAYERS)}
    return [f"{m} ({name[LEVEL[m]]}) -> {d} ({name[LEVEL[d]]})"
            for m, deps in sorted(edges.items()) for d in sorted(deps)
            if d in LEVEL and m in LEVEL and LEVEL[d] > LEVEL[m]]


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


def test_every_module_has_a_layer():
    missing = sorted(set(graph()) - set(LEVEL))
    assert not missing, f"put these modules into a layer of tests/test_architecture.py: {missing}"
    gone = sorted(set(LEVEL) - set(graph()))
    assert not gone, f"layers name modules that no longer exist: {gone}"


def test_no_module_imports_a_layer_above_its_own():
    bad = upward({m: anywhere for m, (anywhere, _) in graph().items()})
    assert not bad, "imports against the data flow:\n" + "\n".join(bad)


def test_no_module_level_import_cycle():
    found = cycles({m: top for m, (_, top) in graph().items()})
    assert not found, f"module-level import cycles: {found}"


def test_the_checks_see_a_violation():
    """The checks are not blind: an import up the layers, a lazy one too, and a cycle
    are each found in sources made for the purpose."""
    anywhere, top = imports("from .compose import compose\n\ndef f():\n    from .api import render\n")
    assert anywhere == {"compose", "api"} and top == {"compose"}
    assert upward({"itemize": anywhere}) == ["itemize (text) -> api (desk)", "itemize (text) -> compose (page)"]
    assert imports("import layout.pdf\nfrom layout.serve import x\nfrom layout import watch\n")[0] == \
        {"pdf", "serve", "watch"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
