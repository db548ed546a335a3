"""The layout's rules, checked by reading the code: no import cycle, no private name crossing modules,
notebooks on the public surface, every public name still importable."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import pytest

import backpain_analysis

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "backpain_analysis"

#: What ``from backpain_analysis import ...`` offered before the layout changed: none of it may disappear.
PUBLIC_NAMES = (
    "COLUMNS", "LogFileError", "ValidationResult", "read_log", "validate_log", "load_log", "contract_table",
    "RISK_FACTORS", "RiskFactor", "get_factor", "factor_table", "prepare_log", "RiskFactorEncoder",
    "simulate_cohort", "true_odds_ratios", "PainRiskModel", "ModelError", "load_default_model",
    "bootstrap_validate", "points_card", "run_check", "risk_tier", "triage",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ImportFrom reads from."""
    if not node.level:
        return node.module or ""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    base = package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names, line) for every import in a file, at any depth (function-level included)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((_resolve(module, path, node), [a.name for a in node.names], node.lineno))
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for target, names, _ in _imports(module, path):
            candidates = [target] + [f"{target}.{n}" for n in names]  # "from . import x" may name a submodule
            for cand in candidates:
                if cand in modules and cand != "backpain_analysis":
                    # importing a.b.c runs a.b's __init__ first, unless the importer is inside a.b (then a.b is
                    # already being initialised)
                    parts = cand.split(".")
                    for k in range(2, len(parts) + 1):
                        dep = ".".join(parts[:k])
                        if dep != module and dep in modules and not module.startswith(dep + "."):
                            graph[module].add(dep)
    return graph


def test_no_import_cycle_in_the_package():
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_check_finds_a_cycle(tmp_path, monkeypatch):
    """The graph sees function-level imports and package __init__ files (else the test above proves nothing)."""
    graph = _graph()
    assert "backpain_analysis.fitting" in graph["backpain_analysis.model.core"]
    assert "backpain_analysis.validation" in graph["backpain_analysis.model.core"]
    assert "backpain_analysis.fitting" not in graph["backpain_analysis.features"]
    assert any(graph[m] for m in graph if m.startswith("backpain_analysis.cli"))  # cli imports inside functions


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _own_private_imports(module: str, path: Path) -> list[str]:
    problems = []
    for target, names, line in _imports(module, path):
        if not target.startswith("backpain_analysis"):
            continue  # a third party's internals are that party's business (see features' EWM kernel check)
        if any(_private(p) for p in target.split(".")):
            problems.append(f"{path.name}:{line} imports private module {target}")
        problems += [f"{path.name}:{line} imports private name {target}.{n}" for n in names if _private(n)]
    return problems


def test_no_module_imports_a_private_name_of_another():
    problems = []
    for module, path in _modules().items():
        problems += _own_private_imports(module, path)
    for path in sorted((ROOT / "benchmarks").glob("*.py")) + sorted((ROOT / "suite").glob("*.py")):
        problems += _own_private_imports(_module_name(path), path)
    assert not problems, "\n".join(problems)


def test_no_module_calls_a_private_attribute_of_another_object():
    """``other._thing`` is only allowed on ``self`` and ``cls`` (and dunders)."""
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and _private(node.attr):
                owner = node.value
                if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                    continue
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno} uses .{node.attr}")
    assert not problems, "\n".join(problems)


def _notebook_sources() -> list[tuple[str, str]]:
    out = []
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        for cell in json.loads(nb.read_text())["cells"]:
            if cell["cell_type"] == "code":
                out.append((nb.name, "".join(cell["source"])))
    return out


def test_no_notebook_imports_a_private_module_or_name():
    problems = []
    for name, source in _notebook_sources():
        try:
            tree = ast.parse(source)
        except SyntaxError:  # IPython magics
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("backpain_analysis"):
                if any(_private(p) for p in node.module.split(".")) or any(_private(a.name) for a in node.names):
                    problems.append(f"{name}: from {node.module} import {', '.join(a.name for a in node.names)}")
            if isinstance(node, ast.Import):
                problems += [f"{name}: import {a.name}" for a in node.names
                             if a.name.startswith("backpain_analysis") and any(_private(p) for p in a.name.split("."))]
            if isinstance(node, ast.Attribute) and _private(node.attr):
                problems.append(f"{name}: uses .{node.attr}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_every_public_name_is_still_importable(name):
    assert name in backpain_analysis.__all__
    assert getattr(backpain_analysis, name) is not None


@pytest.mark.parametrize("module", sorted(m for m in _modules() if not _private(m.rsplit(".", 1)[-1])
                                           and not m.endswith("__main__")))
def test_every_public_module_declares_what_it_exports(module):
    mod = importlib.import_module(module)
    assert hasattr(mod, "__all__"), f"{module} has no __all__"
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert not missing, f"{module}.__all__ names what it lacks: {missing}"
