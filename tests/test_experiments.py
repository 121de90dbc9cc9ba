"""Reproducible experiments: every quick version reproduces its committed tables exactly.

The full versions (minutes each) are marked slow and run by `make test-all`.
"""

import math
import re
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments import list_experiments, load_experiment, verify_experiment
from sim.experiments import registry as E
from sim.experiments.tables import (
    compare_folders,
    compare_table,
    draw_figures,
    read_tables,
    write_table,
)

NAMES = [e.name for e in list_experiments()]
VALIDATION_ROWS = (
    "V1", "V2", "V5", "V6", "V7", "V9", "V11", "V12", "V14", "V15", "V16", "V17", "V18", "V19",
    "V20", "V21", "V22", "V23", "C1", "C2",
)  # fmt: skip
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args))


def one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1 and "Traceback" not in text


# ------------------------------------------------------------------- the experiments
def test_one_experiment_per_row_and_study():
    checks = {e.data["check"] for e in list_experiments() if e.kind == "validation"}
    assert checks == set(VALIDATION_ROWS)
    kinds = {e.name: e.kind for e in list_experiments()}
    assert kinds["agreements_portfolio"] == "portfolio"
    assert kinds["sensitivity_central_america"] == "sensitivity"
    for e in list_experiments():
        assert e.figures, e.name
        assert "quick" in tomllib_load(e.path), f"{e.name}: no [quick] table"
        assert any(e.expected_dir.parent.joinpath("quick").glob("*.csv")), e.name


def tomllib_load(path):
    import tomllib

    return tomllib.loads(path.read_text())


@pytest.mark.parametrize("name", NAMES)
def test_quick_version_reproduces_committed_tables(name):
    res = verify_experiment(name, quick=True)
    assert res.ok, "\n".join(res.lines())
    assert res.tables


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_full_version_reproduces_committed_tables(name):
    res = verify_experiment(name)
    assert res.ok, "\n".join(res.lines())


def test_portfolio_tables_are_consistent():
    exp = load_experiment("agreements_portfolio", quick=True)
    t = read_tables(exp.expected_dir)
    eff, ce = t["effects"], t["cost_effectiveness"]
    alts = ["mlat", "database", "harmonize", "joint_team", "extradition", "capacity"]
    assert list(ce["alternative"][: len(alts)]) == alts and "all" in set(ce["alternative"])
    assert set(eff["alternative"]) == set(ce["alternative"])
    assert len(eff) == len(ce) * len(exp.data["metrics"])
    # the status quo is the same in every pair: one baseline mean per metric
    assert (eff.groupby("metric")["baseline_mean"].nunique(dropna=False) == 1).all()
    d = eff[eff["metric"] == "delivered"].set_index("alternative")
    cost = eff[eff["metric"] == "policy_cost"].set_index("alternative")
    for row in ce.itertuples():
        assert math.isclose(row.delivered_change_per_year, 52 * d.loc[row.alternative, "diff_mean"])
        assert row.policy_cost_change == cost.loc[row.alternative, "diff_mean"] > 0
        expected = -row.delivered_change_per_year / (row.policy_cost_change / 1e6)
        assert math.isclose(row.reduction_per_million_usd, expected, abs_tol=1e-9)
        assert row.reduction_ci_low <= row.reduction_per_million_usd <= row.reduction_ci_high


def test_sensitivity_convergence_ends_at_the_full_sample():
    exp = load_experiment("sensitivity_central_america", quick=True)
    t = read_tables(exp.expected_dir)
    conv, ind = t["convergence"], t["indices"]
    assert set(ind["index"]) == {"S1", "ST"}
    last = conv[conv["n"] == exp.data["samples"]].set_index(["metric", "param"])["index"]
    st = ind[ind["index"] == "ST"].set_index(["metric", "param"])["value"]
    assert len(last) and (last == st.loc[last.index]).all()
    assert set(t["noise"]["metric"]) == set(exp.data["metrics"])


# ------------------------------------------------------------------------ exact CSV
def test_tables_round_trip_exactly(tmp_path):
    df = pd.DataFrame(
        {
            "name": ["a", "b,c", "d"],
            "x": [0.1 + 0.2, 1e-300, float("nan")],
            "n": [1, 2, 3],
            "ok": [True, False, True],
        }
    )
    write_table(df, tmp_path / "t.csv")
    back = read_tables(tmp_path)["t"]
    assert back["x"][0] == 0.1 + 0.2 and back["x"][1] == 1e-300 and math.isnan(back["x"][2])
    assert list(back["name"]) == ["a", "b,c", "d"] and list(back["n"]) == [1, 2, 3]
    df2 = df.copy()
    df2.loc[1, "x"] = math.nextafter(1e-300, 1.0)  # differs in the last bit only
    write_table(df2, tmp_path / "u.csv")
    diffs = compare_table("t", tmp_path / "t.csv", tmp_path / "u.csv")
    assert len(diffs) == 1 and "row 2 (name=b,c) column x" in diffs[0].line()


# ----------------------------------------------------------------------------- CLI
def test_cli_list_names_every_experiment():
    r = invoke("experiment", "list")
    assert r.exit_code == 0, r.output
    for name in NAMES:
        assert name in r.stdout


def test_cli_run_quick_writes_tables_figures_and_manifest(tmp_path):
    out = tmp_path / "c2"
    r = invoke("experiment", "run", "validation_c2", "--quick", "--workers", "1", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "C2" in r.stdout
    tables = sorted(p.name for p in (out / "tables").glob("*.csv"))
    assert "verdict.csv" in tables and len(tables) >= 2
    verdict = pd.read_csv(out / "tables" / "verdict.csv")
    assert list(verdict.columns) == ["criterion", "value", "passed"] and len(verdict)
    pngs = sorted((out / "figures").glob("*.png"))
    assert pngs and all(p.with_suffix(".svg").is_file() for p in pngs)
    import json

    m = json.loads((out / "manifest.json").read_text())
    assert m["mode"] == "quick" and m["root_seed"] == 0 and m["check"] == "C2"
    assert 'check = "C2"' in m["experiment_text"]
    assert m["versions"]["numpy"] and "git_commit" in m and m["started"] <= m["finished"]
    assert m["tables"]["verdict"]["rows"] == len(verdict)
    assert m["passed"] in (True, False) and m["check_name"]
    assert {out / f for f in m["figures"]} >= set(pngs)
    # the run reproduces the committed quick tables
    expected = load_experiment("validation_c2", quick=True).expected_dir
    _, diffs = compare_folders(expected, out / "tables")
    assert not diffs, [d.line() for d in diffs]
    # redraw from the tables without re-running
    for p in pngs:
        p.unlink()
    r = invoke("experiment", "plot", "validation_c2", "--quick", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert sorted((out / "figures").glob("*.png")) == pngs


def test_cli_verify_quick_passes_then_names_a_tampered_cell(tmp_path, monkeypatch):
    r = invoke("experiment", "verify", "validation_v5", "--quick", "--workers", "1")
    assert r.exit_code == 0, r.output
    assert "reproduced exactly" in r.stdout
    # a copy of the committed tables with one number changed in its last digit
    fake = tmp_path / "expected"
    shutil.copytree(E.EXPECTED_DIR / "validation_v5", fake / "validation_v5")
    path = fake / "validation_v5" / "quick" / "verdict.csv"
    lines = path.read_text().splitlines()
    crit, value, passed = lines[1].split(",")
    changed = repr(float(value) + abs(float(value)) * 1e-12 + 1e-300)
    lines[1] = ",".join([crit, changed, passed])
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(E, "EXPECTED_DIR", fake)
    r = invoke("experiment", "verify", "validation_v5", "--quick", "--workers", "1")
    assert r.exit_code == 1, r.output
    where = f"verdict.csv: row 1 (criterion={crit}) column value"
    assert f"{where}: expected {changed}, got {value}" in r.stderr


def test_cli_bad_names_and_files_exit_2_with_one_line(tmp_path):
    r = invoke("experiment", "run", "no_such_study", "--quick")
    assert r.exit_code == 2 and one_line(r.stderr) and "no_such_study" in r.stderr
    r = invoke("experiment", "verify", "no_such_study")
    assert r.exit_code == 2 and one_line(r.stderr)
    cases = {
        "unknown_key": ('kind = "validation"\ncheck = "V1"\ncolour = 3\n', "colour"),
        "bad_kind": ('kind = "banana"\n', "kind"),
        "bad_type": ('kind = "validation"\ncheck = "V1"\nreplicates = "many"\n', "replicates"),
        "no_check": ('kind = "validation"\ncheck = "V99"\n', "V99"),
        "no_recipe": ('kind = "validation"\ncheck = "V1"\nfigures = ["nope"]\n', "nope"),
        "no_lever": (
            'kind = "portfolio"\nscenario = "toy_corridor"\nlevers = ["teleport"]\n',
            "teleport",
        ),
    }
    for stem, (body, word) in cases.items():
        f = tmp_path / f"{stem}.toml"
        f.write_text(f'name = "{stem}"\ndescription = "d"\n{body}')
        r = invoke("experiment", "run", str(f), "--quick", "--out", str(tmp_path / stem))
        assert r.exit_code == 2, (stem, r.output)
        assert one_line(r.stderr) and str(f) in r.stderr and word in r.stderr, (stem, r.stderr)
    # no committed expected tables for a new experiment: exit 2, and how to write them
    r = invoke("experiment", "verify", str(tmp_path / "no_check.toml"))
    assert r.exit_code == 2 and one_line(r.stderr)


def test_study_recipes_draw_from_the_committed_quick_tables(tmp_path):
    # validation recipes are tested in test_plotting.py (and run above for C2)
    for exp in [e for e in list_experiments() if e.kind != "validation"]:
        quick = load_experiment(exp.name, quick=True)
        paths = draw_figures(exp.figures, read_tables(quick.expected_dir), tmp_path / exp.name)
        pngs = [p for p in paths if p.suffix == ".png"]
        assert pngs and all(p.is_file() and p.with_suffix(".svg").is_file() for p in pngs)
        assert all(re.match(r"[a-z0-9_]+$", p.stem) for p in pngs), exp.name
