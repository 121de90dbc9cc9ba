"""--ensemble on run, compare and recommend: every calibrated set runs with its replicates."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.calibrate import load_ensemble, write_ensemble
from sim.cli import app
from sim.resources import shipped

runner = CliRunner()
TOY = shipped("scenarios") / "toy_corridor.toml"
QUICK = ["--ticks", "78", "--set", "burn_in=26", "--workers", "1"]
SETS = pd.DataFrame({"loss_tolerance": [0.06, 0.12, 0.18], "exploration": [0.1, 0.2, 0.3]})
WEIGHTS = [0.5, 0.3, 0.2]


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    path = tmp_path_factory.mktemp("ens") / "ensemble.csv"
    write_ensemble(path, SETS, WEIGHTS, {"scenario": "toy_corridor", "method": "test"})
    return path


def test_ensemble_file_round_trip_and_bad_files(tmp_path, ensemble):
    ens = load_ensemble(ensemble)
    assert ens.names == list(SETS) and np.allclose(ens.weights, WEIGHTS)
    assert ens.header["scenario"] == "toy_corridor" and ens.values(1) == (
        ("loss_tolerance", 0.12),
        ("exploration", 0.2),
    )
    bad = tmp_path / "bad.csv"
    for text, needle in (
        ("set,loss_tolerance\n0,0.1\n", "weight: missing column"),
        ("set,weight,loss_tolerance\n0,-1,0.1\n", "weight: must be >= 0"),
        ("set,weight,loss_tolerance\n0,1,abc\n", "loss_tolerance: row 1"),
        ("set,weight,no_such_param\n0,1,0.1\n", "no_such_param"),
    ):
        bad.write_text(text)
        r = runner.invoke(app, ["run", str(TOY), "--ensemble", str(bad), "-r", "1", *QUICK])
        assert r.exit_code == 2 and needle in r.stderr, (text, r.output)
        assert len(r.stderr.strip().splitlines()) == 1
    r = runner.invoke(app, ["run", str(TOY), "--ensemble", str(tmp_path / "none.csv"), *QUICK])
    assert r.exit_code == 2 and "no such file" in r.stderr


def test_run_reports_each_metric_across_the_ensemble(tmp_path, ensemble):
    out = tmp_path / "run"
    args = ["run", str(TOY), "--ensemble", str(ensemble), "-r", "2", "--format", "json"]
    r = runner.invoke(app, [*args, *QUICK, "--out", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert json.loads((out / "run_ensemble.json").read_text()) == doc
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 3 * 2 and sorted(runs["point"].unique()) == [0, 1, 2]
    assert runs.groupby("point")["param:loss_tolerance"].first().tolist() == [0.06, 0.12, 0.18]
    assert runs["seed"].nunique() == 6  # every (set, replicate) its own seed
    d = doc["metrics"]["delivered"]
    per_set = runs.groupby("point")["delivered"].mean().to_numpy()
    assert d["per_set"] == pytest.approx(per_set.tolist())
    assert d["mean"] == pytest.approx(float(np.dot(WEIGHTS, per_set)))
    assert d["ci_low"] <= d["param_q05"] <= d["mean"] <= d["param_q95"] <= d["ci_high"]
    # loss tolerance moves delivered a lot: the spread over sets is not replicate noise
    assert d["param_sd"] > d["replicate_sd"] / np.sqrt(2)
    assert [s["weight"] for s in doc["sets"]] == pytest.approx(WEIGHTS)


def test_compare_reports_effects_across_the_ensemble(tmp_path, ensemble):
    alt = tmp_path / "surge.toml"
    alt.write_text(
        f'extends = "{TOY}"\nname = "surge"\n[[policies]]\ntype = "surge"\n'
        'state = "NOR"\nfactor = 3.0\nstart = 0\n'
    )
    out = tmp_path / "cmp"
    args = ["compare", str(TOY), str(alt), str(TOY), "--ensemble", str(ensemble), "-r", "3"]
    r = runner.invoke(
        app, [*args, "--metric", "seized", "--format", "json", *QUICK, "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    runs = pd.read_parquet(out / "runs.parquet")
    base = runs[runs["scenario"] == "toy_corridor"].set_index(["point", "replicate"])["seized"]
    surge = runs[runs["scenario"] == "surge"].set_index(["point", "replicate"])["seized"]
    per_set = (surge - base).groupby(level="point").mean().to_numpy()
    s = doc["alternatives"][0]["metrics"]["seized"]
    assert doc["alternatives"][0]["scenario"] == "surge"
    assert s["per_set_effect"] == pytest.approx(per_set.tolist())
    assert s["mean"] == pytest.approx(float(np.dot(WEIGHTS, per_set)))
    assert s["ci_low"] <= s["mean"] <= s["ci_high"] and s["mean"] > 0  # more seized
    assert len(s["per_set_se"]) == 3
    # the baseline against itself: exactly no effect in every set
    same = doc["alternatives"][1]["metrics"]["seized"]
    assert same["per_set_effect"] == [0.0, 0.0, 0.0] and (same["ci_low"], same["ci_high"]) == (0, 0)


def test_recommend_uses_the_sets_as_weighted_worlds(ensemble):
    args = ["recommend", str(TOY), "--budget", "5M", "-k", "1", "--levers", "mlat", "-r", "2"]
    more = ["--no-confirm", "--ensemble", str(ensemble), "--world-replicates", "1"]
    r = runner.invoke(app, [*args, *more, "--robust-top", "1", "--format", "json", *QUICK])
    assert r.exit_code == 0, r.output
    rob = json.loads(r.stdout)["robustness"]
    assert rob["worlds"] == 3 and rob["weights"] == pytest.approx(WEIGHTS)
    world_benefit = pd.DataFrame(rob["table"])
    for row in rob["portfolios"]:
        b = world_benefit[world_benefit["portfolio"] == row["portfolio"]].sort_values("world")
        assert row["mean_benefit"] == pytest.approx(float(np.dot(WEIGHTS, b["benefit"])))
    r = runner.invoke(app, [*args, *more, "--worlds", "5", *QUICK])
    assert r.exit_code == 2 and "--ensemble" in r.stderr
