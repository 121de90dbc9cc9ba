"""Calibration: a known answer (targets made from planted parameters) and the ABC-SMC parts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from sim.calibrate.abc import Population, weights
from sim.calibrate.across import mixture_interval
from sim.calibrate.space import Space, ess, systematic_resample, weighted_quantile
from sim.cli import app
from sim.resources import shipped

runner = CliRunner()
TOY = shipped("scenarios") / "toy_corridor.toml"
#: planted values (inside the toy's ranges below); exploration barely moves these targets
PLANTED = {"loss_tolerance": 0.08, "size_elasticity": 0.3, "exploration": 0.2}
IDENTIFIABLE = ("loss_tolerance", "size_elasticity")
METRICS = ("delivered", "seizure_events", "interdiction_rate", "route_entropy")
BASE = f"""extends = "{TOY}"
name = "toy_planted"
ticks = 78
burn_in = 26
[uncertainties]
loss_tolerance = [0.045, 0.2]
size_elasticity = [0.0, 0.5]
exploration = [0.05, 0.4]
"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> str:
    return planted_scenario(tmp_path_factory.mktemp("planted"))


def planted_scenario(tmp_path) -> str:
    """The toy (one year and a half) with targets measured at the planted values.

    The observation is the mean of 8 runs at the planted values; its sd is the larger
    of 5% of it and the sd of one run (so a planted run is a plausible observation).
    """
    from sim.model import TraffickingModel
    from sim.scenario import load_scenario

    base = tmp_path / "base.toml"
    base.write_text(BASE)
    sc = load_scenario(base, [f"{k}={v}" for k, v in PLANTED.items()])
    runs = np.array(
        [
            [TraffickingModel(sc, seed=1000 + s).run().summary()[m] for m in METRICS]
            for s in range(8)
        ]
    )
    text = BASE
    for k, m in enumerate(METRICS):
        v = float(runs[:, k].mean())
        sd = float(max(0.05 * abs(v), runs[:, k].std(ddof=1)))
        text += f'[targets.{m}]\nvalue = {v!r}\nsd = {sd!r}\nsource = "planted (test)"\n'
    path = tmp_path / "toy_planted.toml"
    path.write_text(text)
    return str(path)


def test_history_matching_recovers_planted_parameters(tmp_path, planted):
    path = planted
    out = tmp_path / "cal"
    args = ["calibrate", path, "--waves", "3", "--points", "20", "-r", "2", "--seed", "0"]
    r = runner.invoke(app, [*args, "--workers", "1", "--out", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    iv = doc["intervals"]
    for k, v in PLANTED.items():
        assert iv[k]["q05"] <= v <= iv[k]["q95"], (k, v, iv[k])
    for k in IDENTIFIABLE:
        assert iv[k]["width_ratio"] < 0.9, (k, iv[k])  # narrower than the prior
    assert [d["wave"] for d in doc["diagnostics"]] == [1, 2, 3]
    assert doc["diagnostics"][-1]["space_share"] < 1.0  # the waves cut the space
    assert set(doc["diagnostics"][0]["q2"]) == set(METRICS)
    for t in METRICS:  # the ensemble reproduces every target within its sd
        assert abs(doc["fits"][t]["z"]) < 1, (t, doc["fits"][t])
    for f in ("calibration.json", "posterior.csv", "ensemble.csv", "ensemble.json",
              "diagnostics.csv", "figures/targets.png", "figures/posterior.png"):  # fmt: skip
        assert (out / f).is_file(), f
    ens = pd.read_csv(out / "ensemble.csv")
    assert list(ens.columns) == ["set", "weight", *PLANTED]
    assert ens["weight"].sum() == pytest.approx(1.0) and 1 <= len(ens) <= 20
    head = json.loads((out / "ensemble.json").read_text())
    assert head["scenario"] == "toy_planted" and head["method"] == "history-matching"
    assert [t["name"] for t in head["targets"]] == list(METRICS)
    # the runs went through the harness: one study directory per wave
    assert (out / "runs" / "wave_3" / "runs.parquet").is_file()


def test_abc_pipeline_runs_and_writes_an_ensemble(tmp_path, planted):
    path = planted
    out = tmp_path / "abc"
    args = ["calibrate", path, "--method", "abc", "--particles", "12", "--generations", "1"]
    r = runner.invoke(app, [*args, "--workers", "1", "--out", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    gens = doc["diagnostics"]
    assert [g["generation"] for g in gens] == [0, 1]
    assert gens[1]["tolerance"] < gens[0]["tolerance"]  # decreasing schedule
    assert 0 < gens[1]["acceptance_rate"] <= 1 and 1 <= gens[1]["ess"] <= 12
    post = pd.read_csv(out / "posterior.csv")
    assert len(post) == gens[1]["particles"] and post["weight"].sum() == pytest.approx(1.0)
    assert (out / "ensemble.csv").is_file()


def test_abc_weights_follow_beaumont_with_the_truncated_kernel():
    space = Space({"a": (0.0, 1.0)}, {"a": "float"})
    prev = Population(
        np.array([[0.2], [0.5], [0.9]]), np.array([0.2, 0.5, 0.3]), np.zeros(3), np.zeros((3, 1)), 1
    )
    X = np.array([[0.1], [0.6], [0.95]])
    w = weights(X, prev, space)
    # by hand: kernel sd = sqrt(2 * weighted var); density normalised over [0, 1]
    m = np.sum(prev.w * prev.X[:, 0])
    s = np.sqrt(2 * np.sum(prev.w * (prev.X[:, 0] - m) ** 2))
    mass = stats.norm.cdf((1 - prev.X[:, 0]) / s) - stats.norm.cdf(-prev.X[:, 0] / s)
    dens = stats.norm.pdf((X - prev.X[:, 0][None, :]) / s) / s / mass[None, :]
    expect = 1 / (dens @ prev.w)
    assert np.allclose(w, expect / expect.sum())


def test_weighted_helpers():
    x = np.arange(1000, dtype=float)
    assert weighted_quantile(x, np.ones(1000), 0.5)[0] == pytest.approx(499.5)
    w = np.r_[np.zeros(500), np.ones(500)]  # only the upper half counts
    assert weighted_quantile(x, w, 0.5)[0] == pytest.approx(749.5)
    assert ess(np.ones(10)) == pytest.approx(10) and ess(np.r_[1.0, np.zeros(9)]) == 1
    idx = systematic_resample(np.array([0.1, 0.0, 0.9]), 10, np.random.default_rng(1))
    assert np.bincount(idx, minlength=3).tolist() == [1, 0, 9]
    lo, hi = mixture_interval([2.0], [0.5], [1.0])  # one normal: mean +- 1.96 sd
    assert (lo, hi) == pytest.approx((2 - 1.959964 * 0.5, 2 + 1.959964 * 0.5), rel=1e-5)
    lo, hi = mixture_interval([0.0, 10.0], [1.0, 1.0], [0.5, 0.5])  # two far modes: both
    assert lo < -1 and hi > 11
    assert mixture_interval([0.0, 0.0], [0.0, 0.0], [0.5, 0.5]) == (0.0, 0.0)
