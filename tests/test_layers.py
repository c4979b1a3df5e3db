"""The library's layers hold (docs/layout.md#layers): the import-linter contracts in
pyproject.toml pass, every module of sim/ is in a layer, no module imports inside a
function (so none can dodge a cycle that way) but for the few genuine lazy imports listed
below, and no module uses another module's private names."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

from conftest import ROOT

SIM = ROOT / "sim"

#: The only imports inside a function in sim/, each for a reason other than a cycle:
#: (file, function, imported module) -> why.
LAZY_IMPORTS: dict[tuple[str, str, str], str] = {
    # Optuna is in the optional `calib` extra; only revolving-door-calibrate uses it.
    ("sim/calibration/calibrate.py", "calibrate", "optuna"):
        "optional extra (calib), used by one command",
    # SALib is in the optional `calib` extra; only the Morris analysis uses it.
    ("sim/calibration/sensitivity.py", "_morris_table", "SALib.analyze"):
        "optional extra (calib), used by one command",
    ("sim/calibration/sensitivity.py", "morris_analysis", "SALib.sample"):
        "optional extra (calib), used by one command",
    # Hydra builds the sweep callback for every single run too: importing the report
    # (seaborn, SciPy) at the top cost every `revolving-door` run about 2.6 s.
    ("sim/sweep/callback.py", "on_multirun_end", "sim.sweep.report"):
        "heavy, needed only when a multirun ends",
    # issue 25: `revolving-door --help` in under 2 s; Hydra, Mesa and pandas only for a run
    ("sim/cli_start.py", "command", "sim"):
        "start-up: --help and --version answered without importing the run machinery",
    ("sim/config.py", "council_data", "sim.ssda903.seed"):
        "start-up: only a run from a council's data reads SSDA903 (pandera, about 0.5 s)",
    ("sim/run_report.py", "council_lines", "sim.ssda903.seed"):
        "start-up: only a run from a council's data reads SSDA903 (pandera, about 0.5 s)",
    ("sim/config.py", "_from_data", "sim.ssda903.seed"):
        "start-up: only a run from a council's data reads SSDA903 (pandera, about 0.5 s)",
    ("sim/model.py", "__init__", "sim.ssda903.seed"):
        "start-up: only a run from a council's data reads SSDA903 (pandera, about 0.5 s)",
    ("sim/mesa_import.py", "_import_mesa", "mesa"):
        "start-up: Mesa imported once, without its continuous space and networkx, and "
        "without reading source context on the stack (about 1 s)",
    ("sim/report_figure.py", "_figure", "matplotlib.backends.backend_agg"):
        "start-up: matplotlib imported by the figure worker while the model runs, not by the command",
    ("sim/report_figure.py", "_figure", "matplotlib.figure"):
        "start-up: matplotlib imported by the figure worker while the model runs, not by the command",
    ("sim/report_figure.py", "_figure", "matplotlib.ticker"):
        "start-up: matplotlib imported by the figure worker while the model runs, not by the command",
    ("sim/report_figure.py", "_serve", "matplotlib.backends.backend_agg"):
        "start-up: matplotlib imported by the figure worker while the model runs, not by the command",
    ("sim/report_figure.py", "_serve", "matplotlib.figure"):
        "start-up: matplotlib imported by the figure worker while the model runs, not by the command",
    ("sim/report_figure.py", "_serve", "matplotlib.ticker"):
        "start-up: matplotlib imported by the figure worker while the model runs, not by the command",
    ("sim/__init__.py", "__getattr__", "sim"):
        "start-up: sim.run and friends on first use (PEP 562), so `import sim.cli_help` "
        "does not load Mesa",
}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_import_contracts_hold() -> None:
    """lint-imports on pyproject.toml's contracts (layers, the packages' inner layers, Hydra
    only where it belongs, a run from Python without Hydra, figures or optional extras)."""
    res = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command;"
         " sys.exit(lint_imports_command())", "--no-cache", "--no-logo",
         str(ROOT / "pyproject.toml")],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert " 0 broken" in res.stdout, res.stdout


def _layer_entries() -> list[str]:
    contract = next(c for c in _pyproject()["tool"]["importlinter"]["contracts"]
                    if c["id"] == "layers")
    return [m.strip() for layer in contract["layers"]
            for m in layer.replace(":", "|").split("|")]


def test_every_module_of_the_library_is_in_a_layer() -> None:
    """A new module fails here until docs/layout.md and pyproject.toml place it. A package
    whose modules are in different layers (sim.ssda903) is only a folder: its __init__
    imports nothing of the library."""
    entries = _layer_entries()
    graph = grimp.build_graph("sim", exclude_type_checking_imports=True, cache_dir=None)
    outside = []
    for module in sorted(graph.modules):
        if any(module == e or module.startswith(e + ".") for e in entries):
            continue
        if module == "sim":  # the package: sim.run and friends, above every layer
            continue
        if any(e.startswith(module + ".") for e in entries):  # a package split between layers
            imported = graph.find_modules_directly_imported_by(module)
            assert not imported, f"{module}/__init__ imports {sorted(imported)}"
            continue
        outside.append(module)
    assert not outside, f"modules in no layer of pyproject.toml's contract: {outside}"


def _function_imports(path: Path) -> list[tuple[str, str, int]]:
    """(function, imported module, line) of every import inside a function of ``path``."""
    found: list[tuple[str, str, int]] = []

    def walk(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                walk(child, function or child.name)
            elif isinstance(child, ast.Import) and function:
                found.extend((function, a.name, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and function:
                found.append((function, "." * child.level + (child.module or ""), child.lineno))
            else:
                walk(child, function)

    walk(ast.parse(path.read_text(encoding="utf-8")), None)
    return found


def _sources() -> list[Path]:
    return sorted(p for p in SIM.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_module_imports_inside_a_function_but_the_listed_lazy_ones() -> None:
    seen, unexpected = set(), []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        for function, module, line in _function_imports(path):
            key = (rel, function, module)
            if key in LAZY_IMPORTS:
                seen.add(key)
            else:
                unexpected.append(f"{rel}:{line} {function}() imports {module}")
    assert not unexpected, ("imports inside functions (move them to the top of the module; a "
                            "cycle means a layer is wrong): " + "; ".join(unexpected))
    stale = sorted(set(LAZY_IMPORTS) - seen)
    assert not stale, f"allowed lazy imports that no longer exist (remove them): {stale}"


def _module_of(name: str) -> Path | None:
    """The file of the sim module ``name`` (``sim.sweep.figures``), if it is one."""
    path = ROOT.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _private_uses(path: Path) -> list[str]:
    """``from sim.x import _name``, and ``alias._name`` where ``alias`` is a sim module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()  # local names bound to sim modules
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "sim":
                    modules.add(a.asname or a.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sim":
            for a in node.names:
                if a.name.startswith("_") and not a.name.startswith("__"):
                    out.append(f"{node.lineno}: from {node.module} import {a.name}")
                elif _module_of(f"{node.module}.{a.name}") is not None:
                    modules.add(a.asname or a.name)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules:
                out.append(f"{node.lineno}: {ast.unparse(node)}")
    return out


def test_no_module_uses_another_modules_private_names() -> None:
    """In the library, the scripts and the benchmarks (the tests may test a module's
    internals)."""
    files = _sources() + sorted((ROOT / "scripts").glob("*.py")) + sorted(
        (ROOT / "benchmarks").glob("*.py"))
    found = [f"{p.relative_to(ROOT)}:{use}" for p in files for use in _private_uses(p)]
    assert not found, "private names used across modules (make them public): " + "; ".join(
        found)
