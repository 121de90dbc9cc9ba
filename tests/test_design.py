"""run_design: any points x seeds, the same numbers on any executor, with outputs and resume."""

import json

import pandas as pd
import pytest

from sim import run_design, run_study
from sim.harness import HarnessError
from sim.harness.design import design_seeds
from sim.rng import run_seeds

TICKS = 60  # burn-in 52 + 8 weeks: a quarter of a second per run of the toy
METRICS = ["delivered", "seized", "interdiction_rate", "policy_cost"]
POINTS = [
    {"exploration": 0.1, "states.MID.capacity": 5.0},
    {"exploration": 0.3, "states.MID.investigators": 4, "mlat_MKT_NOR": True},
    {"risk_aversion": 1.5, "surge_MID": 1},
]


def test_same_frame_on_one_and_two_workers_with_outputs(tmp_path):
    one = run_design("toy_corridor", POINTS, 2, METRICS, ticks=TICKS, workers=1)
    two = run_design("toy_corridor", POINTS, 2, METRICS, ticks=TICKS, workers=2, out=tmp_path / "d")
    pd.testing.assert_frame_equal(one, two)
    names = ["exploration", "states.MID.capacity", "states.MID.investigators"]
    names += ["mlat_MKT_NOR", "risk_aversion", "surge_MID"]
    head = ["point", *names, "replicate", "seed", "status", "error"]
    assert list(one.columns) == [*head, *METRICS]
    assert list(one["point"]) == [0, 0, 1, 1, 2, 2]
    assert list(one["seed"]) == run_seeds(0, 2) * 3
    assert (one["status"] == "ok").all()
    # a lever that is on adds its policy (and its cost); a missing value leaves the scenario's
    assert list(one["policy_cost"]) == [0.0, 0.0, 250000.0, 250000.0, 500000.0, 500000.0]
    assert one["exploration"].isna().tolist() == [False] * 4 + [True] * 2
    assert one["mlat_MKT_NOR"].tolist() == [False, False, True, True, False, False]
    # different points give different runs on the same seed
    assert one.loc[0, "delivered"] != one.loc[2, "delivered"]
    man = json.loads((tmp_path / "d" / "manifest.json").read_text())
    assert man["kind"] == "design" and man["state"] == "finished"
    assert man["settings"]["points"][1] == POINTS[1] | {"mlat_MKT_NOR": True}
    runs = pd.read_parquet(tmp_path / "d" / "runs.parquet")
    assert len(runs) == 6 and "param:states.MID.capacity" in runs
    again = run_design(
        "toy_corridor", POINTS, 2, METRICS, ticks=TICKS, workers=1, out=tmp_path / "d", resume=True
    )
    pd.testing.assert_frame_equal(one, again)
    with pytest.raises(HarnessError, match="holds a study with other settings"):
        run_design("toy_corridor", POINTS[:1], 2, METRICS, ticks=TICKS, out=tmp_path / "d")


def test_an_empty_point_is_run_study():
    d = run_design("toy_corridor", [{}], 2, ["delivered", "seized"], ticks=TICKS, workers=1)
    s = run_study("toy_corridor", replicates=2, seed=0, ticks=TICKS, workers=1).runs
    assert list(d["seed"]) == list(s["seed"])
    assert d["delivered"].tolist() == s["delivered"].tolist()
    assert d["seized"].tolist() == s["seized"].tolist()


def test_points_as_a_dataframe_and_explicit_seeds():
    pts = pd.DataFrame({"exploration": [0.1, 0.3]})
    d = run_design("toy_corridor", pts, [7, 11], ["delivered"], ticks=TICKS, workers=1)
    assert list(d["seed"]) == [7, 11, 7, 11] and list(d["replicate"]) == [0, 1, 0, 1]
    assert list(d["exploration"]) == [0.1, 0.1, 0.3, 0.3]
    assert d["delivered"].notna().all()


@pytest.mark.parametrize(
    "points, seeds, words",
    [
        ([{"exploraton": 0.1}], 1, "point 0: exploraton: unknown parameter (did you mean"),
        ([{"states.MID.investigators": 2.5}], 1, "a whole-number parameter"),
        ([{"exploration": 1.5}], 1, "point 0: "),
        ([{"exploration": "high"}], 1, "expected a number"),
        ([{"mlat_MKT_NOR": 2}], 1, "a lever is switched on or off"),
        ([{"ticks": 100}], 1, "the horizon is not an uncertain parameter"),
        ([], 1, "give at least one point"),
        ([{"exploration": 0.1}], 0, "seeds: give at least one"),
        ([{"exploration": 0.1}], [1, -2], "whole numbers >= 0"),
    ],
)
def test_bad_designs_are_refused_before_any_run(points, seeds, words):
    with pytest.raises(HarnessError) as e:
        run_design("toy_corridor", points, seeds, workers=1)
    assert words in str(e.value)


def test_seed_counts_are_run_study_seeds():
    assert design_seeds(3) == run_seeds(0, 3)
    assert design_seeds([5, 5]) == [5, 5]
