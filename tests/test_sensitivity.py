"""Sensitivity analysis: known answers (Ishigami) through the harness, the CLI contract,
stored sample settings and refused mismatches."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.harness import FunctionEvaluator, HarnessError, analyze_study, sensitivity
from sim.harness.sensitivity_analysis import (
    ISHIGAMI_BOUNDS,
    SampleSettings,
    analyze,
    ishigami,
    ishigami_indices,
)
from sim.plotting import write_sensitivity_figures

runner = CliRunner()


def test_ishigami_sobol_indices_recovered_through_the_process_pool(tmp_path):
    res = sensitivity(
        None,
        "sobol",
        ISHIGAMI_BOUNDS,
        n=1024,
        seed=1,
        evaluator=FunctionEvaluator(ishigami),
        workers=2,
        out=tmp_path / "ish",
    )
    assert len(res.runs) == 1024 * (3 + 2)
    assert (res.runs["status"] == "ok").all()
    got, truth = res.indices["y"], ishigami_indices()
    for key in ("S1", "ST"):
        for p, true in truth[key].items():
            conf = got[f"{key}_conf"][p]
            assert 0 < conf < 0.1, (key, p, conf)
            assert abs(got[key][p] - true) <= conf, (key, p, got[key][p], true, conf)
    # the evaluations really are the Ishigami function at the stored design points
    row = res.runs.iloc[7]
    x = {p: row[f"param:{p}"] for p in ISHIGAMI_BOUNDS}
    assert row["y"] == ishigami(x)["y"]
    # convergence: the last point is the full sample
    conv = res.convergence["y"]
    assert [c["n"] for c in conv] == [128, 256, 512, 1024]
    assert conv[-1]["index"] == got["ST"]
    write_sensitivity_figures(res)  # what `xborder sensitivity --out` draws
    assert (tmp_path / "ish" / "figures" / "indices.png").stat().st_size > 5_000
    assert (tmp_path / "ish" / "figures" / "convergence.png").stat().st_size > 5_000


def test_ishigami_morris_ranks_x1_and_x2_above_x3():
    res = sensitivity(
        None,
        "morris",
        ISHIGAMI_BOUNDS,
        n=40,
        seed=3,
        evaluator=FunctionEvaluator(ishigami),
        workers=1,
    )
    mu = res.indices["y"]["mu_star"]
    assert len(res.runs) == 40 * 4
    assert min(mu["x1"], mu["x2"]) > mu["x3"] > 0
    assert set(res.indices["y"]) == {"mu", "mu_star", "mu_star_conf", "sigma"}


def test_second_order_mismatch_is_refused():
    st = SampleSettings("sobol", 16, False, dict(ISHIGAMI_BOUNDS), {}, 0, 1)
    X = st.sample()
    Y = np.array([ishigami(dict(zip(st.names, x)))["y"] for x in X])
    assert "S1" in analyze(st, Y)
    with pytest.raises(HarnessError, match="calc_second_order"):
        analyze(st, Y, calc_second_order=True)
    with pytest.raises(HarnessError, match="drawn for sobol"):
        analyze(st, Y, method="fast")
    with pytest.raises(HarnessError, match="do not fit"):
        analyze(st, Y[:-1])


def test_cli_sobol_on_the_toy_json_contract(tmp_path):
    out = tmp_path / "s"
    args = [
        "sensitivity", "toy_corridor", "--method", "sobol", "-N", "4", "-r", "2",
        "--ticks", "70", "--param", "exploration=0.05:0.4", "--param",
        "states.MID.capacity=5:30", "--param", "expand_max=1:3", "--format", "json",
        "--workers", "2", "--out", str(out),
    ]  # fmt: skip
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    params = ["exploration", "states.MID.capacity", "expand_max"]
    assert doc["method"] == "sobol" and doc["params"] == params
    assert doc["runs"] == 4 * (3 + 2) * 2
    assert doc["sample"]["calc_second_order"] is False and doc["sample"]["replicates"] == 2
    d = doc["metrics"]["delivered"]
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        assert set(d[key]) == set(params)
    # the noise share is the measured ratio, not clipped at 1 (issue 15): it can exceed 1
    runs = __import__("pandas").read_parquet(out / "runs.parquet")
    g = runs.groupby("point")["delivered"]
    assert d["noise_share"] == pytest.approx(g.var().mean() / 2 / g.mean().var())
    # the quality flags travel with the indices (tests/test_index_quality.py)
    assert d["st_sum"] == pytest.approx(sum(d["ST"].values()))
    assert ("noisy" in d["flags"]) == (d["noise_share"] is not None and d["noise_share"] > 0.5)
    assert ("st_sum_high" in d["flags"]) == (d["st_sum"] > 1.5)
    assert runs["param:expand_max"].isin([1, 2, 3]).all()  # whole-number parameter
    assert set(runs.groupby("point")["seed"].apply(tuple)) == {tuple(runs["seed"][:2])}
    # the sample's settings travel with the results; re-analysis reproduces the indices
    again = analyze_study(out)
    assert again.to_dict()["metrics"]["delivered"]["ST"] == d["ST"]
    with pytest.raises(HarnessError, match="calc_second_order"):
        analyze_study(out, calc_second_order=True)
    # resuming with another sample is refused with one line
    r2 = runner.invoke(app, [*args, "--second-order", "--resume"])
    assert r2.exit_code == 2
    assert "settings.sample.calc_second_order" in r2.stderr
    assert len(r2.stderr.strip().splitlines()) == 1


def test_uncertainties_table_is_the_default():
    from sim.harness.sensitivity_analysis import resolve_params
    from sim.scenario import load_scenario

    sc = load_scenario("toy_corridor")
    bounds, kinds = resolve_params(sc, None)
    assert bounds == {k: tuple(v) for k, v in sc.data["uncertainties"].items()}
    assert set(kinds.values()) <= {"prob", "nonneg", "pos", "int", "float"}


def test_ishigami_fast_first_order_indices():
    res = sensitivity(
        None, "fast", ISHIGAMI_BOUNDS, n=1000, seed=4, evaluator=FunctionEvaluator(ishigami)
    )
    truth = ishigami_indices()["S1"]
    for p, v in res.indices["y"]["S1"].items():
        assert abs(v - truth[p]) < 0.05, (p, v, truth[p])
    assert res.convergence["y"] == []  # FAST samples cannot be subset


def test_fast_on_the_toy():
    res = sensitivity(
        "toy_corridor",
        "fast",
        ["states.MID.capacity=2:40"],
        n=65,
        ticks=60,
        metrics=["seized"],
        workers=2,
        seed=2,
    )
    assert res.settings.names == ["states.MID.capacity"]
    assert len(res.runs) == 65
    assert sorted(res.runs["param:states.MID.capacity"].round(6).unique())[0] >= 2
    s = res.indices["seized"]
    assert set(s) == {"S1", "S1_conf", "ST", "ST_conf"}
    assert -0.05 <= s["S1"]["states.MID.capacity"] <= 1.05


@pytest.mark.parametrize(
    "extra, needle",
    [
        (["--param", "exploration=0.4"], "NAME=LOW:HIGH"),
        (["--param", "exploration=0.4:0.1"], "LOW must be below HIGH"),
        (["--param", "exploration=a:b"], "numbers"),
        (["--param", "nosuch=0:1"], "nosuch"),
        (["--param", "states.ZZZ.capacity=1:2"], "ZZZ"),
        (["--param", "detection=0:1"], "detection"),
        (["--param", "states.MID.detection=0.5:1.5"], "states.MID.detection"),
        (["--param", "expand_max=1.5:3"], "whole"),
        (["--param", "exploration=0:0.3", "-N", "10"], "power of two"),
        (["--method", "nope", "--param", "exploration=0:0.3"], "--method"),
        (["--method", "fast", "-N", "20", "--param", "exploration=0:0.3"], "FAST"),
        (["--metric", "zzz", "--param", "exploration=0:0.3"], "--metric"),
    ],
)
def test_bad_sensitivity_input_exit_2_one_line(extra, needle):
    r = runner.invoke(app, ["sensitivity", "toy_corridor", *extra])
    assert r.exit_code == 2, r.output
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and needle in err and "Traceback" not in r.output
