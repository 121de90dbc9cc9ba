"""docs/ODD.md must describe the code: parameters, registries, scenario keys, step order.

The ODD is parsed as plain Markdown: a table is a block of lines starting with ``|``,
its kind given by the first cell of its header row (``parameter``, ``metric``,
``policy type``, ``state attribute`` ...). The process overview (section 3) lists the
steps of ``TraffickingModel.step`` as ``N. **Name.**`` items, like the class docstring,
which is read with ``ast`` so the model (mesa, scipy) need not be imported.
"""

import ast
import re

import pytest

from sim import metrics, params, policies, rng, scenario
from tests.conftest import ROOT

ODD = ROOT / "docs" / "ODD.md"
MODEL = ROOT / "sim" / "model.py"
WORLD = ROOT / "sim" / "world.py"
STEP = re.compile(r"^\s*(\d+[a-z]?)\.\s+\*\*([^*]+)\*\*", re.M)


def _cells(line: str) -> list[str]:
    return [c.strip().strip("`").strip() for c in line.strip().strip("|").split("|")]


def _tables(text: str) -> list[tuple[str, list[list[str]]]]:
    """Every Markdown table as (first header cell, data rows split into cells)."""
    out, block = [], []
    for line in [*text.splitlines(), ""]:
        if line.lstrip().startswith("|"):
            block.append(line)
            continue
        if len(block) >= 2:
            rows = [_cells(x) for x in block[2:]]  # skip the header and the --- rule
            out.append((_cells(block[0])[0].lower(), rows))
        block = []
    return out


def _assigned(path, name: str):
    """The literal value of module-level ``name = ...`` in ``path`` (no import needed)."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path.name} no longer defines {name}")


@pytest.fixture(scope="module")
def odd() -> str:
    return ODD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tables(odd):
    return _tables(odd)


def _rows(tables, kind: str) -> dict[str, list[str]]:
    """First-cell -> row over every table of ``kind``; a name listed twice is an error."""
    rows: dict[str, list[str]] = {}
    for head, body in tables:
        if head != kind:
            continue
        for r in body:
            for name in (x.strip().strip("`") for x in r[0].split(",")):
                assert name not in rows, f"ODD lists {kind} {name!r} twice"
                rows[name] = r
    assert rows, f"ODD has no '{kind}' table"
    return rows


def test_every_parameter_with_its_default_kind_and_source(tables):
    rows = _rows(tables, "parameter")
    assert set(rows) - set(params.PARAMS) == set(), "ODD lists parameters the code lacks"
    for name, par in params.PARAMS.items():
        assert name in rows, f"parameter {name!r} missing from the ODD parameter tables"
        row = rows[name]
        assert float(row[1]) == pytest.approx(float(par.default), rel=0, abs=0), (
            f"{name}: ODD default {row[1]} != code default {par.default}"
        )
        assert row[2] == par.kind, f"{name}: ODD kind {row[2]!r} != code kind {par.kind!r}"
        assert row[3] == par.role, f"{name}: ODD role {row[3]!r} != code role {par.role!r}"
        if "illustrative" in par.doc:
            assert "illustrative" in row[-1], f"{name}: the code marks it illustrative"


def test_every_metric_and_policy_type(tables):
    mrows = _rows(tables, "metric")
    assert set(mrows) == set(metrics.REGISTRY)
    for name, m in metrics.REGISTRY.items():
        assert mrows[name][1] == m.unit, f"metric {name}: unit differs from the registry"
    prows = _rows(tables, "policy type")
    # other test modules may register test-only policy types ("test_...")
    shipped = {k: v for k, v in policies.REGISTRY.items() if not k.startswith("test_")}
    assert set(prows) == set(shipped)
    for name, cls in shipped.items():
        for f in cls.FIELDS:
            words = re.findall(r"\w+", prows[name][1])
            assert f in words, f"policy {name}: field {f!r} not described"


def test_every_scenario_key_and_state_default(tables):
    for kind, schema in (
        ("scenario key", scenario.SCHEMA_TOP),
        ("state attribute", scenario.SCHEMA_STATE),
        ("location attribute", scenario.SCHEMA_LOCATION),
        ("leg attribute", scenario.SCHEMA_LEG),
        ("organisation attribute", scenario.SCHEMA_ORG),
    ):
        rows = _rows(tables, kind)
        assert set(rows) == set(schema), f"ODD {kind} table differs from the scenario schema"
    state = _rows(tables, "state attribute")
    for key, default in _assigned(WORLD, "STATE_DEFAULTS").items():
        shown = state[key][2]
        expect = str(default).lower() if isinstance(default, bool) else float(default)
        got = shown.lower() if isinstance(default, bool) else float(shown)
        assert got == expect, f"state default {key}: ODD {shown} != code {default}"


def test_every_random_stream_is_described(tables):
    rows = _rows(tables, "stream")
    assert set(rng.STREAMS) <= set(rows)


def test_process_overview_follows_the_model_docstring(odd):
    tree = ast.parse(MODEL.read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "TraffickingModel")
    code = STEP.findall(ast.get_docstring(cls) or "")
    assert len(code) >= 8, "the model docstring no longer lists its steps as N. **Name.**"
    sec3 = re.search(r"^## 3\..*?(?=^## 4\.)", odd, re.M | re.S)
    assert sec3, "ODD has no section 3 followed by section 4"

    def norm(steps):
        return [(n, name.strip().rstrip(".").lower()) for n, name in steps]

    assert norm(STEP.findall(sec3.group(0))) == norm(code)


PHASE_FN = re.compile(r"^\s*(\d+)\.\s+\*\*[^*]+\*\*\s+\(``([\w.]+)``", re.M)


def test_step_calls_one_function_per_phase_in_the_docstring_order():
    """Each numbered phase names its function; step() calls them in that order, once each."""
    tree = ast.parse(MODEL.read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "TraffickingModel")
    phases = PHASE_FN.findall(ast.get_docstring(cls) or "")
    assert [int(n) for n, _ in phases] == list(range(len(phases))) and len(phases) >= 10
    step = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "step")
    src = ast.get_source_segment(MODEL.read_text(encoding="utf-8"), step)
    # every phase call is tagged with its number: `...  # 3`
    tagged = re.findall(r"^(.*?)#\s*(\d+)\s*$", src, re.M)
    numbers = [int(n) for _, n in tagged]
    assert numbers == list(range(len(phases))), "phase calls out of order or missing in step()"
    for (line, _), (_, fn) in zip(tagged, phases):
        name = fn.split(".")[-1]
        if name == "record":  # phase 11 goes through the model's own _record
            name = "_record"
        assert f"{name}(" in line, f"step() line {line.strip()!r} does not call {fn}"
    calls = [
        n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
        for n in ast.walk(step)
        if isinstance(n, ast.Call)
    ]
    for _, fn in phases:
        name = fn.split(".")[-1]
        name = "_record" if name == "record" else name
        assert calls.count(name) == 1, f"step() calls {name} {calls.count(name)} times"
