"""Emulators (sim.harness.emulator) and emulator-based sensitivity: known answers on a
noisy Ishigami function against direct Sobol sampling at the same budget, the fitted
noise, out-of-sample checks, and the CLI contract of ``sensitivity --emulator``."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.harness import FunctionEvaluator, HarnessError, sensitivity
from sim.harness.emulated_sensitivity import emulator_sensitivity, noisy_ishigami
from sim.harness.emulator import fit, log_variance_target, validate
from sim.harness.sensitivity_analysis import ISHIGAMI_BOUNDS, ishigami, ishigami_indices

runner = CliRunner()
TRUTH = ishigami_indices()


def _max_error(ind: dict) -> float:
    return max(abs(ind[k][p] - TRUTH[k][p]) for k in ("S1", "ST") for p in TRUTH[k])


def _budget_check(kind: str, tol: float, direct_n: int):
    """200 points x 2 replicates through the harness; direct Sobol on <= the same budget."""
    em = emulator_sensitivity(
        None, kind, ISHIGAMI_BOUNDS, n=200, replicates=2, seed=1,
        evaluator=FunctionEvaluator(noisy_ishigami), workers=1,
    )  # fmt: skip
    direct = sensitivity(
        None, "sobol", ISHIGAMI_BOUNDS, n=direct_n, seed=1,
        evaluator=FunctionEvaluator(noisy_ishigami), workers=1,
    )  # fmt: skip
    assert len(em.runs) == 400 and (em.runs["status"] == "ok").all()
    got = em.indices["y"]
    err_em, err_direct = _max_error(got), _max_error(direct.indices["y"])
    print(f"{kind}: max abs error {err_em:.3f}; direct Sobol on {len(direct.runs)} runs "
          f"{err_direct:.3f}")  # fmt: skip
    assert err_em <= tol, (kind, err_em)
    assert err_direct > err_em, (err_direct, err_em)
    return em, got


def test_gp_emulator_recovers_the_mean_indices_of_a_noisy_ishigami_better_than_direct():
    # the noise sd is 0.5-1.5 depending on x2; the indices asked for are the mean's
    em, got = _budget_check("gp", tol=0.07, direct_n=64)  # direct: 64 x 5 = 320 runs
    for key in ("S1", "ST"):
        for p, true in TRUTH[key].items():
            conf = got[f"{key}_conf"][p]
            assert abs(got[key][p] - true) <= conf, (key, p, got[key][p], true, conf)
            # the interval has both parts: Monte Carlo and the emulator's own uncertainty
            assert got[f"{key}_emulator_conf"][p] > 0 and got[f"{key}_mc_conf"][p] > 0
            assert conf >= max(got[f"{key}_emulator_conf"][p], got[f"{key}_mc_conf"][p])
    val = em.validation["y"]
    assert val["q2"] > 0.7 and 0.85 <= val["coverage"] <= 1.0, val
    assert val["folds"] == 5 and val["points"] == 200
    assert val["q2"] <= val["q2_ceiling"] + 0.02  # replicate noise bounds what any fit explains


@pytest.mark.slow
def test_gbt_emulator_and_gp_against_twice_the_direct_budget():
    _budget_check("gbt", tol=0.15, direct_n=64)
    _budget_check("gp", tol=0.07, direct_n=128)  # direct: 640 runs, more than the 400


def _noisy_design(n=150, r=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-math.pi, math.pi, (n, 3))
    f = np.array([ishigami(dict(zip(("x1", "x2", "x3"), x)))["y"] for x in X])
    sd = 0.5 + (X[:, 1] + math.pi) / (2 * math.pi)
    Y = f[:, None] + sd[:, None] * rng.standard_normal((n, r))
    return X, Y, sd


def test_variance_emulator_tracks_heteroscedastic_noise_and_intervals_cover():
    X, Y, _ = _noisy_design()
    bounds = list(ISHIGAMI_BOUNDS.values())
    em = fit(X, Y.mean(1), Y.var(1, ddof=1), replicates=3, bounds=bounds, seed=0)
    Xt, _, sd_t = _noisy_design(400, 1, seed=9)
    ratio = em.noise_var(Xt) / sd_t**2
    assert 0.6 < np.median(ratio) < 1.6, np.median(ratio)
    assert np.corrcoef(em.noise_var(Xt), sd_t**2)[0, 1] > 0.8
    mu, sd = em.predict(Xt)
    f_t = np.array([ishigami(dict(zip(("x1", "x2", "x3"), x)))["y"] for x in Xt])
    assert 1 - np.mean((mu - f_t) ** 2) / np.var(f_t) > 0.6
    # the emulator is surer where it has data: sd at training points below sd elsewhere
    assert em.predict(X)[1].mean() < sd.mean()
    # draws scatter around the posterior mean with about its sd
    D = em.draws(Xt[:50], 40, seed=1)
    assert np.abs(D.mean(0) - mu[:50]).max() < 4 * sd[:50].max() / math.sqrt(40) + 0.05
    assert 0.6 < np.median(D.std(0, ddof=1) / sd[:50]) < 1.5
    val = validate(X, Y.mean(1), Y.var(1, ddof=1), replicates=3, bounds=bounds, folds=4)
    assert 0.85 <= val["coverage"] <= 1.0 and val["q2"] > 0.5
    assert len(val["predicted"]) == len(X) and val["folds"] == 4


def test_log_variance_target_is_unbiased_for_normal_runs():
    rng = np.random.default_rng(3)
    s2 = rng.standard_normal((20000, 3)).var(1, ddof=1) * 4.0  # sigma^2 = 4
    z, tau = log_variance_target(s2, 3)
    assert abs(z.mean() - math.log(4.0)) < 0.03
    assert abs(z.var() - tau[0]) / tau[0] < 0.05


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"kind": "nope"}, "--emulator"),
        ({"y_var": np.ones(3)}, "one row per design point"),
        ({"bounds": [[0, 1]]}, "bounds"),
    ],
)
def test_bad_emulator_input_is_a_harness_error(kwargs, needle):
    X = np.random.default_rng(0).random((8, 2))
    args = {"y_var": None, **kwargs}
    with pytest.raises(HarnessError, match=needle):
        fit(X, X.sum(1), args.pop("y_var"), **args)


def test_cli_emulator_on_the_toy_outputs_validation_and_intervals(tmp_path):
    out = tmp_path / "e"
    args = [
        "sensitivity", "toy_corridor", "--emulator", "gp", "-N", "10", "-r", "2",
        "--ticks", "70", "--param", "exploration=0.05:0.4", "--param", "expand_max=1:3",
        "--metric", "delivered", "--metric", "seized", "--format", "json",
        "--workers", "2", "--out", str(out),
    ]  # fmt: skip
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    params = ["exploration", "expand_max"]
    assert doc["runs"] == 20 and doc["params"] == params
    assert doc["emulator"]["kind"] == "gp" and doc["emulator"]["N"] == 10
    assert set(doc["metrics"]) == {"delivered", "seized"}
    for res in doc["metrics"].values():
        for key in ("S1", "S1_conf", "ST", "ST_conf", "ST_emulator_conf", "ST_mc_conf"):
            assert set(res[key]) == set(params)
        assert all(c >= 0 for c in res["ST_conf"].values())
        val = res["validation"]
        assert val["folds"] == 5 and val["points"] == 10
        assert 0 <= val["coverage"] <= 1 and val["q2"] <= 1
        assert val["q2_ceiling"] is None or val["q2_ceiling"] <= 1
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["param:expand_max"].isin([1, 2, 3]).all()
    assert runs.groupby("point").size().eq(2).all()
    table = pd.read_csv(out / "validation.csv")
    assert list(table["metric"]) == ["delivered", "seized"]
    man = json.loads((out / "manifest.json").read_text())
    assert man["settings"]["kind"] == "sensitivity-emulator"
    assert [v["metric"] for v in man["emulator_validation"]] == ["delivered", "seized"]
    assert (out / "figures" / "emulator.png").stat().st_size > 5_000
    assert (out / "figures" / "indices.png").stat().st_size > 5_000
    # resuming a finished study runs nothing again and gives the same indices
    r2 = runner.invoke(app, [*args, "--resume"])
    assert r2.exit_code == 0, r2.output
    assert json.loads(r2.stdout)["metrics"]["delivered"]["ST"] == doc["metrics"]["delivered"]["ST"]


@pytest.mark.parametrize(
    "extra, needle",
    [
        (["--emulator", "nope"], "--emulator"),
        (["--emulator", "gp", "--method", "morris"], "--method"),
        (["--emulator", "gp", "--second-order"], "--second-order"),
        (["--emulator", "gp", "-N", "3"], "-N"),
    ],
)
def test_bad_emulator_options_exit_2_one_line(extra, needle):
    r = runner.invoke(app, ["sensitivity", "toy_corridor", "--param", "exploration=0:0.3", *extra])
    assert r.exit_code == 2, r.output
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and needle in err and "Traceback" not in r.output


def test_emulator_replicates_auto_reaches_a_tight_noise_target():
    """-r auto in emulator mode: a pilot picks the replicates that bring the noise share
    under the target, records why, and the study runs with them."""
    em = emulator_sensitivity(
        None, "gp", ISHIGAMI_BOUNDS, n=40, replicates="auto", seed=2, noise_target=0.01,
        evaluator=FunctionEvaluator(noisy_ishigami), workers=1,
    )  # fmt: skip
    choice = em.replicates_auto
    assert choice is not None and choice["replicates"] == em.emulator.replicates
    r = choice["replicates"]
    assert r >= 3  # noise share ~0.07 in one run: a 0.01 target needs several
    assert len(em.runs) == 40 * r and (em.runs["status"] == "ok").all()
    assert em.noise["y"] < 0.03, em.noise  # measured on the study itself
    assert "replicates_auto" in em.to_dict()
