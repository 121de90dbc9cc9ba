"""Honest indices: the noise share unclipped, flags for indices that mean little (JSON,
tables, figures) and ``--replicates auto`` (a pilot chooses the replicates per point)."""

import io
import json

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from sim.cli import app
from sim.cli.reports import sensitivity_tables
from sim.harness import FunctionEvaluator, sensitivity
from sim.harness.indices import (
    FLAG_NOTES,
    ISHIGAMI_BOUNDS,
    ishigami,
    noise_share,
    quality_flags,
    replicate_variances,
)
from sim.harness.replicates import choose, needed_replicates

runner = CliRunner()


def _noisy(params, seed, sd):
    """Ishigami plus Gaussian noise of sd ``sd``, different at every point and seed."""
    key = [int(1e9 * (v + 4)) for v in params.values()]
    return {"y": ishigami(params)["y"] + sd * np.random.default_rng([seed, *key]).normal()}


def ishigami_sd2(params, seed=0):
    return _noisy(params, seed, 2.0)


def ishigami_sd4(params, seed=0):
    return _noisy(params, seed, 4.0)


def ishigami_sd12(params, seed=0):
    return _noisy(params, seed, 12.0)


def _runs(values: np.ndarray) -> pd.DataFrame:
    """A runs table from a points x replicates array."""
    n, r = values.shape
    return pd.DataFrame(
        {
            "point": np.repeat(np.arange(n), r),
            "replicate": np.tile(np.arange(r), n),
            "status": "ok",
            "y": values.ravel(),
        }
    )


def _gsa(func, replicates, n=64, **kw):
    return sensitivity(
        None,
        "sobol",
        ISHIGAMI_BOUNDS,
        n=n,
        replicates=replicates,
        seed=5,
        evaluator=FunctionEvaluator(func),
        workers=1,
        **kw,
    )


def test_noise_share_is_not_clipped_when_noise_dominates():
    # common random numbers: a large seed effect shared by every point, a tiny point effect
    points = np.arange(10) * 0.01
    y = points[:, None] + np.array([0.0, 10.0])[None, :]
    runs = _runs(y)
    within, total = replicate_variances(runs, "y")
    assert within == pytest.approx(50.0) and total == pytest.approx(np.var(points, ddof=1))
    ns = noise_share(runs, "y", 2)
    assert ns == pytest.approx(25.0 / np.var(points, ddof=1)) and ns > 1
    assert quality_flags({"ST": {"a": 0.9, "b": 0.8}}, ns) == ["noisy", "st_sum_high"]
    assert quality_flags({"ST": {"a": 0.6, "b": 0.5}}, 0.2) == []
    assert noise_share(runs, "y", 1) is None


def test_flags_in_json_and_table_for_a_noisy_metric_not_for_a_clean_one():
    clean = _gsa(ishigami, 2, n=256).to_dict()
    noisy = _gsa(ishigami_sd12, 2).to_dict()
    c, d = clean["metrics"]["y"], noisy["metrics"]["y"]
    assert c["noise_share"] == 0 and c["flags"] == [] and 0.9 < c["st_sum"] < 1.5
    # sd 12 on Ishigami (variance ~13.8): noise share ~ 72 / (13.8 + 72)
    assert d["noise_share"] > 0.5 and "noisy" in d["flags"]
    assert d["st_sum"] == pytest.approx(sum(d["ST"].values()))
    assert noisy["flag_thresholds"] == {"noise_share": 0.5, "st_sum": 1.5}
    assert set(noisy["flag_notes"]) == set(FLAG_NOTES)
    json.dumps(noisy)  # plain JSON
    out = io.StringIO()
    sensitivity_tables(noisy, ["y"], Console(file=out, width=200))
    text = out.getvalue()
    assert "FLAGGED: noisy" in text and FLAG_NOTES["noisy"][:40] in text
    out = io.StringIO()
    sensitivity_tables(clean, ["y"], Console(file=out, width=200))
    assert "FLAGGED" not in out.getvalue() and "no metric flagged" in out.getvalue()


def test_needed_replicates_formula():
    # no common seed effect (tau2 = sigma2): (sigma2 / r) / (v + sigma2 / r) <= t
    assert needed_replicates(4.0, 4.0, 1.0, 0.1) == 36
    assert needed_replicates(0.0, 0.0, 1.0, 0.1) == 1
    assert needed_replicates(4.0, 4.0, 0.0, 0.1) == float("inf")
    rng = np.random.default_rng(0)
    f = rng.normal(0, 1, 400)
    low = choose(_runs(f[:, None] + rng.normal(0, 0.5, (400, 4))), ["y"], 0.1, 32)
    high = choose(_runs(f[:, None] + rng.normal(0, 1.5, (400, 4))), ["y"], 0.1, 32)
    assert 1 < low["replicates"] < high["replicates"] <= 32
    assert low["reached"] and low["driven_by"] == "y" and low["missed"] == []


def test_replicates_auto_picks_more_for_a_noisier_output_and_reports_it(tmp_path):
    a = _gsa(ishigami_sd2, "auto", n=16)
    b = _gsa(ishigami_sd4, "auto", n=16, out=tmp_path / "b")
    ra, rb = a.replicates_auto, b.replicates_auto
    assert 2 <= ra["replicates"] < rb["replicates"] <= 32
    assert a.settings.replicates == ra["replicates"] and ra["reached"] and rb["reached"]
    assert b.noise["y"] <= 0.2  # the target (0.1) with the pilot's rough estimates
    assert len(b.runs) == 16 * 5 * rb["replicates"]
    doc = b.to_dict()
    assert doc["replicates_auto"]["replicates"] == doc["sample"]["replicates"]
    assert doc["replicates_auto"]["pilot"] == {"points": 16, "replicates": 4}
    assert "y needs" in b.describe_replicates()
    man = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert man["replicates_auto"]["replicates"] == rb["replicates"]
    # a cap too low to reach the target: capped, said so and flagged
    c = _gsa(ishigami_sd4, "auto", n=16, max_replicates=3)
    assert c.settings.replicates == 3 and not c.replicates_auto["reached"]
    assert "noise_target_missed" in c.to_dict()["metrics"]["y"]["flags"]
    assert "target missed for y" in c.describe_replicates()


@pytest.mark.parametrize(
    "extra, needle",
    [
        (["-r", "many"], "-r/--replicates"),
        (["-r", "0"], "-r/--replicates"),
        (["-r", "auto", "--noise-target", "1.5"], "--noise-target"),
        (["-r", "auto", "--max-replicates", "1"], "--max-replicates"),
    ],
)
def test_bad_replicates_input_exit_2_one_line(extra, needle):
    r = runner.invoke(app, ["sensitivity", "toy_corridor", "--param", "exploration=0:0.3", *extra])
    assert r.exit_code == 2, r.output
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and needle in err and "Traceback" not in r.output
