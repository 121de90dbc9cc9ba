"""The floor plan: wings import the model, never the reverse; no import loops; small files.

Static checks over the source (no module is imported except in the subprocess test):
the import graph is built from every ``import`` statement under ``sim/`` that is not
inside an ``if TYPE_CHECKING:`` block, function-level (lazy) imports included.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT / "sim"
WINGS = (
    "harness",
    "recommend",
    "validation",
    "experiments",
    "plotting",
    "cli",
    "dashboard",
    "ema",
    "calibrate",
)
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in SIM.rglob("*.py") if "_shipped" not in p.parts}


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Modules of ``sim`` imported by the file (outside TYPE_CHECKING blocks)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    is_pkg = path.name == "__init__.py"

    def visit(node):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for a in node.names:
                out.add(a.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = name.split(".") if is_pkg else name.split(".")[:-1]
                pkg = pkg[: len(pkg) - (node.level - 1)]
                base = ".".join([*pkg, base] if base else pkg)
            for a in node.names:
                full = f"{base}.{a.name}"
                out.add(full if full in known else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in out if m in known and m != name}


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    mods = _modules()
    g = nx.DiGraph()
    g.add_nodes_from(mods)
    for name, path in mods.items():
        for dep in _imports(path, name, set(mods)):
            g.add_edge(name, dep)
    return g


def _wing(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in WINGS) else "model"


def test_no_import_loops(graph):
    cycles = list(nx.simple_cycles(graph))
    assert cycles == [], f"import loops outside TYPE_CHECKING: {cycles}"


def test_the_model_imports_no_wing(graph):
    bad = [
        (a, b) for a, b in graph.edges if _wing(a) == "model" and a != "sim" and _wing(b) != "model"
    ]
    assert bad == [], f"model modules importing a wing: {bad}"


@pytest.mark.parametrize(
    ("wing", "forbidden"),
    [
        (
            "harness",
            {
                "cli",
                "plotting",
                "recommend",
                "validation",
                "experiments",
                "dashboard",
                "ema",
                "calibrate",
            },
        ),
        (
            "plotting",
            {"cli", "harness", "recommend", "validation", "experiments", "dashboard", "calibrate"},
        ),
        ("recommend", {"cli", "plotting", "validation", "experiments", "dashboard"}),
        ("validation", {"cli", "plotting", "recommend", "experiments", "dashboard"}),
        ("experiments", {"cli", "plotting", "dashboard"}),
        ("ema", {"cli", "plotting", "validation", "experiments", "dashboard"}),
        ("calibrate", {"cli", "plotting", "recommend", "validation", "experiments", "dashboard"}),
    ],
)
def test_wings_point_one_way(graph, wing, forbidden):
    bad = [(a, b) for a, b in graph.edges if _wing(a) == wing and _wing(b) in forbidden]
    assert bad == [], f"{wing} imports {sorted({_wing(b) for _, b in bad})}: {bad}"


def test_no_module_over_400_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in SIM.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"modules over {MAX_LINES} lines: {long}"


def test_only_plotting_saves_figures():
    callers = [
        str(p.relative_to(ROOT))
        for p in SIM.rglob("*.py")
        if "savefig" in p.read_text(encoding="utf-8") and "plotting" not in p.parts
    ]
    assert callers == []


def test_importing_the_model_has_no_side_effects():
    """``import sim.model`` brings no presentation or cluster library, nor a backend choice.

    Mesa itself imports pandas (``mesa/agent.py`` 3.5 imports it at the top), so the
    comparison is against a bare ``import mesa``: what the model adds must be none of them.
    """
    code = (
        "import sys, mesa; before = set(sys.modules); import sim.model, sim.scenario, sim.params;"
        "heavy = ('matplotlib', 'pandas', 'typer', 'rich', 'dask');"
        "added = sorted(m for m in set(sys.modules) - before if m.split('.')[0] in heavy);"
        "print(added)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]", out.stdout
    code = (
        "import sys, sim.model;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('matplotlib', 'typer', 'rich', 'dask')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]", out.stdout


def test_importing_plotting_keeps_the_backend(tmp_path):
    code = (
        "import matplotlib; matplotlib.use('svg'); import sim.plotting;"
        "print(matplotlib.get_backend())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MPLCONFIGDIR": str(tmp_path)},
    )
    assert out.stdout.strip() == "svg"
