"""PRIM (Friedman & Fisher 1999): planted boxes are recovered; discover reads study directories."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.plotting import write_discover_figure
from sim.recommend import discover
from sim.recommend.prim import prim

runner = CliRunner()


def planted(n=1000, noise=0.05, seed=3):
    """Uniform inputs in [0, 1]^4; cases of interest where 0.2 <= x0 <= 0.6 and x1 >= 0.7.

    ``noise`` of the labels are flipped, so no box is perfectly pure.
    """
    rng = np.random.default_rng(seed)
    X = rng.random((n, 4))
    y = ((X[:, 0] >= 0.2) & (X[:, 0] <= 0.6) & (X[:, 1] >= 0.7)).astype(float)
    flip = rng.random(n) < noise
    y[flip] = 1 - y[flip]
    return X, y


def test_prim_recovers_a_planted_box():
    X, y = planted()
    res = prim(X, y, min_density=0.85)
    box = res.boxes[0]
    assert list(box.restricted) == [True, True, False, False]
    assert box.low[0] == pytest.approx(0.2, abs=0.04)
    assert box.high[0] == pytest.approx(0.6, abs=0.04)
    assert box.low[1] == pytest.approx(0.7, abs=0.04)
    assert box.density >= 0.85 and box.coverage >= 0.55
    # coverage can be at most the share of cases inside the planted box (the rest is noise)
    inside = (X[:, 0] >= 0.2) & (X[:, 0] <= 0.6) & (X[:, 1] >= 0.7)
    assert box.coverage <= y[inside].sum() / y.sum() + 0.05
    assert (box.qp[:2] < 1e-6).all() and np.isnan(box.qp[2:]).all()
    # the trajectory goes from everything to smaller, denser boxes
    assert res.trajectory[0].mass == 1 and res.trajectory[0].coverage == 1
    assert res.trajectory[-1].mass >= 0.05
    assert res.trajectory[-1].density > res.trajectory[0].density == pytest.approx(res.base_rate)


def test_prim_covering_finds_a_second_box():
    rng = np.random.default_rng(5)
    X = rng.random((1500, 3))
    a = (X[:, 0] <= 0.25) & (X[:, 2] <= 0.3)
    b = (X[:, 0] >= 0.75) & (X[:, 1] >= 0.75)
    res = prim(X, (a | b).astype(float), max_boxes=2, min_density=1.0)
    assert len(res.boxes) == 2
    found = sorted(res.boxes, key=lambda bx: bx.low[0])
    assert found[0].high[0] == pytest.approx(0.25, abs=0.03)
    assert found[0].high[2] == pytest.approx(0.3, abs=0.03)
    assert found[1].low[0] == pytest.approx(0.75, abs=0.03)
    assert found[1].low[1] == pytest.approx(0.75, abs=0.03)
    assert sum(bx.coverage for bx in res.boxes) > 0.85


def test_prim_rejects_bad_shapes():
    with pytest.raises(ValueError, match="prim"):
        prim(np.zeros((5, 2)), np.zeros(4))


def write_study(path, n=400, seed=2):
    """A study directory as ``xborder sensitivity --out`` leaves it: runs.parquet with
    ``param:`` columns, two replicates per point; delivered is high where a > 0.6 and b < 0.3."""
    rng = np.random.default_rng(seed)
    rows = []
    for point in range(n):
        a, b, c = rng.random(3)
        for rep in range(2):
            high = a > 0.6 and b < 0.3
            rows.append(
                {
                    "run": 2 * point + rep,
                    "scenario": "toy",
                    "point": point,
                    "replicate": rep,
                    "seed": rep,
                    "status": "ok",
                    "param:a": a,
                    "param:b": b,
                    "param:c": c,
                    "delivered": (2000.0 if high else 1000.0) + rng.normal(0, 10),
                }
            )
    path.mkdir()
    pd.DataFrame(rows).to_parquet(path / "runs.parquet", index=False)


def test_discover_on_a_sensitivity_style_study(tmp_path):
    study = tmp_path / "study"
    write_study(study)
    doc = discover(study, "delivered", 1500, min_density=0.95)  # higher is worse: fail above
    assert doc["fail_if"] == "above" and doc["points"] == 400
    box = doc["boxes"][0]
    assert set(box["limits"]) == {"a", "b"}
    assert box["limits"]["a"]["low"] == pytest.approx(0.6, abs=0.05)
    assert box["limits"]["b"]["high"] == pytest.approx(0.3, abs=0.05)
    assert box["limits"]["a"]["high"] is None and box["limits"]["b"]["low"] is None
    assert box["density"] > 0.9
    assert doc["figure"] == str(study / "figures" / "prim_delivered.png")
    write_discover_figure(doc)
    assert (study / "figures" / "prim_delivered.png").stat().st_size > 0
    r = runner.invoke(app, ["discover", str(study), "--metric", "delivered", "--threshold", "1500"])
    assert r.exit_code == 0, r.output
    assert "box 1" in r.stdout and "coverage" in r.stdout
    j = runner.invoke(
        app,
        [
            "discover",
            str(study),
            "--metric",
            "delivered",
            "--threshold",
            "1500",
            "--format",
            "json",
        ],
    )
    assert json.loads(j.stdout)["boxes"][0]["limits"].keys() == {"a", "b"}


@pytest.mark.parametrize(
    "args, words",
    [
        (["--metric", "nope", "--threshold", "1"], "--metric: "),
        (["--metric", "delivered", "--threshold", "1", "--fail-if", "up"], "--fail-if: must be"),
        (["--metric", "delivered", "--threshold", "1", "--peel-alpha", "0.7"], "--peel-alpha"),
    ],
)
def test_discover_bad_input_is_one_line(tmp_path, args, words):
    study = tmp_path / "study"
    write_study(study, n=20)
    r = runner.invoke(app, ["discover", str(study), *args])
    assert r.exit_code == 2 and words in r.stderr, r.output
    assert len(r.stderr.strip().splitlines()) == 1


def test_discover_without_a_study(tmp_path):
    r = runner.invoke(app, ["discover", str(tmp_path), "--metric", "benefit", "--threshold", "0"])
    assert r.exit_code == 2 and "no worlds.parquet or runs.parquet" in r.stderr
