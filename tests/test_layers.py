"""The package's layout keeps the book's flow: each layer imports only from layers below it,
with no cycle, counting imports inside functions as well as at the top of a module.

    chsreport.settings, chsreport.vocabulary   0  shared choices and words (import nothing)
    chsreport.data                              1  the manifest and a loader per source
    chsreport.analysis                          2  lineage, scale, classes, models, checks
    chsreport.reading                           3  charts, maps, sentences, claims, pages
    chsreport.publishing                        4  execution, staging, Jupyter Book, PDFs
    chsreport.cli                               5  the command line
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "chsreport"
LAYERS = {
    "chsreport": 0,
    "chsreport.settings": 0,
    "chsreport.vocabulary": 0,
    "chsreport.data": 1,
    "chsreport.analysis": 2,
    "chsreport.reading": 3,
    "chsreport.publishing": 4,
    "chsreport.cli": 5,
}
MAX_MODULE_LINES = 620  # "about 600"
MAX_FUNCTION_LINES = 80
LONG_REASON = "Long because"  # a longer function says why in its docstring, starting so


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    """A module's layer: its own entry, else its subpackage's (the package itself counts only
    for its ``__init__``, so a new subpackage is in no layer until it is given one)."""
    if module in LAYERS:
        return LAYERS[module]
    for prefix in sorted((p for p in LAYERS if p != "chsreport"), key=len, reverse=True):
        if module.startswith(prefix + "."):
            return LAYERS[prefix]
    raise AssertionError(f"{module} is in no layer: add it to LAYERS (and to the docstring)")


def imported_modules(path: Path) -> set[str]:
    """Package modules ``path`` imports, anywhere in it (module level or inside a function)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; write chsreport.<...> in full")
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "chsreport"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "chsreport":
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
    return found


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for name, path in MODULES.items():
        graph.add_node(name)
        for target in imported_modules(path):
            if target != name:
                graph.add_edge(name, target)
    return graph


def test_every_module_is_in_a_layer():
    for name in MODULES:
        layer_of(name)
    with pytest.raises(AssertionError, match="in no layer"):
        layer_of("chsreport.newpackage.module")


def test_the_bottom_layer_imports_nothing_from_the_package():
    graph = import_graph()
    for name in MODULES:
        if layer_of(name) == 0:
            assert not list(graph.successors(name)), (
                f"{name} imports {list(graph.successors(name))}"
            )


def test_no_import_points_up_a_layer():
    upward = [
        f"{a} (layer {layer_of(a)}) imports {b} (layer {layer_of(b)})"
        for a, b in import_graph().edges
        if layer_of(b) > layer_of(a)
    ]
    assert not upward, "imports that point up a layer:\n" + "\n".join(upward)


def test_no_import_cycle():
    cycles = list(nx.simple_cycles(import_graph()))
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c + [c[0]]) for c in cycles)


def test_the_graph_sees_imports_inside_functions(tmp_path):
    """The check is not blind to the imports that hid the old cycles, nor to relative ones."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from chsreport.publishing import build\n")
    assert imported_modules(module) == {"chsreport.publishing.build"}
    module.write_text("def f():\n    from . import charts\n")
    with pytest.raises(AssertionError, match="relative import"):
        imported_modules(module)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_size(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{name} has {lines} lines: split it by what it holds"


def test_long_functions_say_why():
    unexplained = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                doc = ast.get_docstring(node) or ""
                if length > MAX_FUNCTION_LINES and LONG_REASON not in doc:
                    unexplained.append(f"{name}.{node.name}: {length} lines")
    assert not unexplained, (
        f"functions over {MAX_FUNCTION_LINES} lines without '{LONG_REASON} ...' in their "
        "docstring:\n" + "\n".join(unexplained)
    )


def test_no_module_reaches_into_another_modules_private_names():
    """``other._name`` across modules of the package: make the name public or move the code."""
    reaching = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text())
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in MODULES and alias.asname:
                        aliases[alias.asname] = alias.name
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chsreport"):
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in MODULES:
                        aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                    elif alias.name.startswith("_"):
                        reaching.append(f"{name} imports {node.module}.{alias.name}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                reaching.append(f"{name} uses {aliases[node.value.id]}.{node.attr}")
    assert not reaching, "\n".join(reaching)
