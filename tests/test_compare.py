"""xborder compare: the JSON contract, repeatability, pairing, cost-effectiveness, figures."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.harness import compare
from sim.metrics import REGISTRY
from sim.plotting import write_compare_figures
from sim.rng import run_seeds

runner = CliRunner()
SURGE = "scenarios/toy_surge.toml"
KEYS = {"baseline_mean", "alternative_mean", "diff_mean", "diff_ci_low", "diff_ci_high", "a12"}


def check_contract(doc: dict, replicates: int, ticks: int = 260, alternatives=("toy_surge",)):
    assert doc["baseline"] == "toy_corridor" and doc["replicates"] == replicates
    assert [a["scenario"] for a in doc["alternatives"]] == list(alternatives)
    assert "Wilcoxon" in doc["test"] and "Holm" in doc["test"]
    for alt in doc["alternatives"]:
        assert set(alt["metrics"]) == set(REGISTRY)
        for name, v in alt["metrics"].items():
            assert KEYS <= set(v), name
            if v["diff_mean"] is not None and v["diff_ci_low"] is not None:
                assert v["diff_ci_low"] <= v["diff_mean"] <= v["diff_ci_high"], name
            if v["a12"] is not None:
                assert 0 <= v["a12"] <= 1
            if v["p_holm"] is not None:
                assert v["p_value"] <= v["p_holm"] <= 1
        # the surge costs 2 million USD a year from week 104: the post-burn-in mean of
        # policy_cost is 2e6 * (ticks - 104) / (ticks - 52) in every alternative run
        cost = alt["metrics"]["policy_cost"]
        assert cost["baseline_mean"] == 0
        assert cost["diff_mean"] == pytest.approx(2e6 * (ticks - 104) / (ticks - 52))
        assert cost["diff_ci_low"] == pytest.approx(cost["diff_ci_high"])
        ce = alt["cost_effectiveness"]
        d = alt["metrics"]["delivered"]
        assert ce["delivered_change_per_million_usd"] == pytest.approx(
            d["diff_mean"] * 52 / (cost["diff_mean"] / 1e6)
        )
        assert ce["ci_low"] <= ce["delivered_change_per_million_usd"] <= ce["ci_high"]


def test_compare_json_contract_repeatable_and_executor_independent():
    args = ["compare", "toy_corridor", SURGE, "-r", "6", "--seed", "2", "--format", "json"]
    args += ["--ticks", "156"]
    r1 = runner.invoke(app, [*args, "--workers", "1"])
    r2 = runner.invoke(app, [*args, "--workers", "2"])
    assert r1.exit_code == 0, r1.output
    assert r1.stdout == r2.stdout
    check_contract(json.loads(r1.stdout), 6, ticks=156)


@pytest.mark.slow
def test_compare_r50_contract_and_same_json_again():
    args = ["compare", "scenarios/toy_corridor.toml", SURGE, "-r", "50", "--format", "json"]
    r1, r2 = runner.invoke(app, args), runner.invoke(app, args)
    assert r1.exit_code == 0, r1.output
    assert r1.stdout == r2.stdout
    doc = json.loads(r1.stdout)
    check_contract(doc, 50)
    assert all(v["n_pairs"] <= 50 for v in doc["alternatives"][0]["metrics"].values())


def test_pairs_share_seeds_and_set_applies_to_both(tmp_path):
    cmp = compare(
        "toy_corridor",
        [SURGE],
        replicates=3,
        seed=4,
        ticks=120,
        overrides=["states.WES.capacity=0"],
        workers=1,
        out=tmp_path / "c",
    )
    runs = cmp.runs
    assert list(runs["scenario"]) == ["toy_corridor"] * 3 + ["toy_surge"] * 3
    assert list(runs["seed"]) == run_seeds(4, 3) * 2  # common random numbers
    assert all(json.loads(o) == ["states.WES.capacity=0"] for o in runs["overrides"])
    man = json.loads((tmp_path / "c" / "manifest.json").read_text())
    for data in man["settings"]["scenarios"].values():
        wes = next(s for s in data["states"] if s["id"] == "WES")
        assert wes["capacity"] == 0
    # outputs: the JSON document, the paired table and the forest plot (drawn by sim.plotting)
    write_compare_figures(cmp)
    doc = json.loads((tmp_path / "c" / "compare.json").read_text())
    assert doc == json.loads(json.dumps(cmp.to_dict()))
    table = pd.read_csv(tmp_path / "c" / "summary.csv")
    assert {"metric", "diff_mean", "a12", "p_holm"} <= set(table.columns)
    assert (tmp_path / "c" / "figures" / "forest.png").stat().st_size > 10_000
    # the table agrees with the runs: paired difference of delivered by hand
    b = runs[runs.scenario == "toy_corridor"]["delivered"].to_numpy()
    a = runs[runs.scenario == "toy_surge"]["delivered"].to_numpy()
    row = cmp.table[(cmp.table.metric == "delivered")].iloc[0]
    assert row["diff_mean"] == pytest.approx(np.mean(a - b))


def test_compare_metric_selection_and_table_format():
    r = runner.invoke(
        app,
        ["compare", "toy_corridor", SURGE, "-r", "3", "--ticks", "120", "--workers", "1"]
        + ["--metric", "delivered", "--metric", "seized"],
    )
    assert r.exit_code == 0, r.output
    assert "toy_surge vs toy_corridor" in r.stdout and "delivered" in r.stdout
    assert "route_entropy" not in r.stdout and "cost-effectiveness" in r.stdout


def test_plot_forest_returns_axes():
    import matplotlib.pyplot as plt

    from sim.plotting import plot_forest

    doc = {
        "baseline": "b",
        "replicates": 5,
        "alternatives": [
            {
                "scenario": "a",
                "metrics": {
                    "delivered": {
                        "baseline_mean": 100.0,
                        "diff_mean": -10.0,
                        "diff_ci_low": -15.0,
                        "diff_ci_high": -5.0,
                        "p_holm": 0.01,
                    },
                    "policy_cost": {"baseline_mean": 0.0, "diff_mean": 5.0},
                },
            }
        ],
    }
    ax = plot_forest(doc)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["delivered"]
    (line, _marker) = ax.lines[:2]
    assert list(line.get_xdata()) == [-15.0, -5.0]
    plt.close(ax.figure)
