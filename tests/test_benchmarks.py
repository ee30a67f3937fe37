"""The benchmarks still run against the package as it is laid out (they are not run by the tests:
they take minutes; these checks keep them from breaking silently when modules move)."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "build.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_build", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_notebook_imports_the_benchmark_times_exist():
    exec(load_benchmark().NOTEBOOK_IMPORTS, {})


def test_the_benchmark_imports_only_modules_that_exist():
    import ast

    tree = ast.parse(BENCHMARK.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chsreport"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name) or importlib.util.find_spec(
                    f"{node.module}.{alias.name}"
                ), f"benchmarks/build.py imports {alias.name} from {node.module}, which has none"
