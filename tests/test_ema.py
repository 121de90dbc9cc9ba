"""The EMA workbench adapter (sim.ema) and PRIM against the workbench's PRIM.

The workbench is the real package (the extra ``ema``, in ``dev``): its evaluators run
xborder's experiments, which must equal ``run_design`` on the same points and seeds.
"""

import sys

import numpy as np
import pandas as pd
import pytest

from sim import ema, load_scenario, run_design
from sim.harness import HarnessError
from sim.recommend import enumerate_candidates
from sim.recommend.prim import prim
from sim.rng import run_seeds

TICKS = 60  # burn-in 52 + 8 weeks: a quarter of a second per run of the toy
METRICS = ["delivered", "seized", "interdiction_rate", "policy_cost"]


def test_the_model_comes_from_the_scenario():
    w = pytest.importorskip("ema_workbench")
    m = ema.model("toy_corridor", ticks=TICKS)
    assert isinstance(m, w.Model) and m.name == "toy_corridor"
    sc = load_scenario("toy_corridor")
    unc = {p.name: (type(p).__name__, p.lower_bound, p.upper_bound) for p in m.uncertainties}
    assert unc == {k: ("RealParameter", lo, hi) for k, (lo, hi) in sc.data["uncertainties"].items()}
    labels = [c.label for c in enumerate_candidates(sc)]
    assert [p.variable_name[0] for p in m.levers] == labels
    assert all(isinstance(p, w.BooleanParameter) and p.name.isidentifier() for p in m.levers)
    assert m.levers["mlat_AND_MID"].variable_name == ["mlat:AND-MID"]
    kinds = {o.name: o.kind for o in m.outcomes}
    out = w.ScalarOutcome
    assert (kinds["delivered"], kinds["seized"], kinds["route_entropy"]) == (
        out.MINIMIZE,
        out.MAXIMIZE,
        out.INFO,
    )
    assert [(c.name, c.value) for c in m.constants] == [("seed", run_seeds(0, 1)[0])]
    r = ema.model(
        "toy_corridor",
        uncertainties={"states.MID.investigators": (2, 20)},
        levers="capacity",
        seeds=[3, 4],
    )
    assert isinstance(r, w.ReplicatorModel) and ema.seeds_of(r) == [3, 4]
    (p,) = list(r.uncertainties)
    assert isinstance(p, w.IntegerParameter) and p.name == "states_MID_investigators"
    assert p.variable_name == ["states.MID.investigators"]
    assert [q.name for q in r.levers] == ["capacity_MID", "capacity_WES", "capacity_EAS"] + [
        "capacity_NOR",
        "capacity_MKT",
    ]
    with pytest.raises(HarnessError, match="unknown metric"):
        ema.model("toy_corridor", metrics=["delivred"])


def test_sequential_evaluator_equals_run_design():
    """Replications on two seeds (outcome: their mean); points rebuilt by hand."""
    w = pytest.importorskip("ema_workbench")
    unc = ["exploration=0.05:0.4", "states.MID.capacity=5:15", "states.MID.investigators=4:12"]
    m = ema.model(
        "toy_corridor", uncertainties=unc, levers="scenario", metrics=METRICS, seeds=2, ticks=TICKS
    )
    with w.SequentialEvaluator(m) as ev:
        exps, outs = ev.perform_experiments(
            scenarios=3,
            policies=2,
            uncertainty_sampling_kwargs={"rng": 1},
            lever_sampling_kwargs={"rng": 2},
        )
    assert outs["delivered"].shape == (6,)
    points = [
        {
            "exploration": r.exploration,
            "states.MID.capacity": r.states_MID_capacity,
            "states.MID.investigators": int(r.states_MID_investigators),
            "mlat_MKT_NOR": bool(r.mlat_MKT_NOR),
            "surge_MID": bool(r.surge_MID),
        }
        for r in exps.itertuples()
    ]
    df = run_design("toy_corridor", points, run_seeds(0, 2), METRICS, ticks=TICKS, workers=1)
    assert (df["status"] == "ok").all()
    for k in METRICS:
        np.testing.assert_array_equal(df[k].to_numpy().reshape(6, 2).mean(axis=1), outs[k], k)
    # the levers took effect: each lever's cost when on
    cost = 250000.0 * exps["mlat_MKT_NOR"].to_numpy() + 500000.0 * exps["surge_MID"].to_numpy()
    np.testing.assert_array_equal(outs["policy_cost"], cost)
    assert len(np.unique(df["delivered"])) >= 10  # 6 points x 2 seeds: (nearly) all differ
    pd.testing.assert_frame_equal(ema.replay(m, exps, workers=1), df)


def test_multiprocessing_evaluator_equals_run_design_on_two_workers():
    w = pytest.importorskip("ema_workbench")
    m = ema.model("toy_corridor", levers=[], metrics=METRICS, ticks=TICKS)
    with w.MultiprocessingEvaluator(m, n_processes=2) as ev:
        exps, outs = ev.perform_experiments(scenarios=4, uncertainty_sampling_kwargs={"rng": 5})
    df = ema.replay(m, exps, workers=2)
    assert list(df["seed"]) == [run_seeds(0, 1)[0]] * 4
    assert list(df["exploration"]) == list(exps["exploration"])
    for k in METRICS:
        np.testing.assert_array_equal(df[k].to_numpy(), outs[k], err_msg=k)


def test_without_the_workbench_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # as if not installed
    with pytest.raises(ImportError, match=r"pip install 'xborder\[ema\]'"):
        ema.model("toy_corridor")


# ----------------------------------------------------------------------------- PRIM
def planted(seed: int, n: int = 1000, noise: float = 0.05):
    """Uniform inputs (distinct values); failures where 0.2 <= x0 <= 0.6 and x1 >= 0.7,
    with ``noise`` of the labels flipped."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, 4))
    y = ((X[:, 0] >= 0.2) & (X[:, 0] <= 0.6) & (X[:, 1] >= 0.7)).astype(int)
    flip = rng.random(n) < noise
    y[flip] = 1 - y[flip]
    return X, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prim_peels_as_the_workbench_does(seed):
    """Same data, same settings: the same peeling trajectory and the same chosen box.

    Aligned: the workbench's ``ORIGINAL`` objective (the mean in the box, which is
    xborder's; its default ``LENIENT1`` divides the gain in mean by the points lost),
    peel_alpha, mass_min. On continuous inputs with distinct values both peel the same
    points: the workbench cuts at the midpoint between two data values (``get_quantile``),
    xborder at the data value, so limits differ but never which points are inside. Ties
    go to the fewer restricted inputs, then the first input, high side first, in both.

    Not compared, by design: pasting. The workbench pastes the last (smallest) box of
    the peel, by a quantile of the points just outside, while the mean strictly rises;
    xborder pastes the box chosen on the trajectory, a share of its points at a time,
    while the mean does not fall. Nor discrete inputs (ties in values are peeled
    differently: the workbench moves to the next distinct value, xborder drops the
    extreme value) nor categorical ones (the workbench peels categories).
    """
    w = pytest.importorskip("ema_workbench.analysis.prim")
    from ema_workbench.analysis.prim_util import PRIMObjectiveFunctions

    X, y = planted(seed)
    ours = prim(X, y, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05, min_density=0.8)
    cols = ["x0", "x1", "x2", "x3"]
    theirs = w.Prim(
        pd.DataFrame(X, columns=cols),
        y,
        obj_function=PRIMObjectiveFunctions.ORIGINAL,
        peel_alpha=0.05,
        paste_alpha=0.05,
        mass_min=0.05,
    )
    box = theirs.find_box()
    t = box.peeling_trajectory
    mass = t["mass"].to_numpy()
    n_peel = 1 + int(np.argmax(np.diff(mass) >= 0)) if (np.diff(mass) >= 0).any() else len(t)
    peel = t.iloc[:n_peel]
    assert n_peel == len(ours.trajectory) > 20
    for col in ("coverage", "density", "mass"):
        mine = [getattr(b, col) for b in ours.trajectory]
        np.testing.assert_allclose(mine, peel[col].to_numpy(), rtol=0, atol=1e-12, err_msg=col)
    # the box each chooses: the widest on the trajectory at least 0.8 dense
    dense = peel[peel["density"] >= 0.8]
    i = int(dense["coverage"].idxmax())
    pick = max((b for b in ours.trajectory if b.density >= 0.8), key=lambda b: b.coverage)
    assert next(k for k, b in enumerate(ours.trajectory) if b is pick) == i
    box.select(i)
    assert (box.coverage, box.density) == pytest.approx((pick.coverage, pick.density), abs=1e-12)
    lims = box.box_lims[i][cols].to_numpy(dtype=float)
    inside = np.all((X >= lims[0]) & (X <= lims[1]), axis=1)
    np.testing.assert_array_equal(inside, pick.contains(X))
    init = theirs.box_init[cols].to_numpy(dtype=float)
    np.testing.assert_array_equal(np.any(lims != init, axis=0), pick.restricted)
    print(f"seed {seed}: box {i}: coverage {pick.coverage:.4f} density {pick.density:.4f}")
