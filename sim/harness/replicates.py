"""``--replicates auto``: a pilot chooses the replicates per design point.

It measures each metric's replicate noise and chooses the replicates that bring its
noise share under a target.

Model, per metric: a run at design point i with replicate seed k gives
``y_ik = f_i + s_k + e_ik``: ``f`` the point's value, ``s`` the seed's effect (common
to every point under common random numbers, so it cancels between points), ``e`` the
rest. With r replicates per point the noise share the study reports
(:func:`sim.harness.indices.noise_share`) is about

    ns(r) = (sigma2 / r) / (v_between + tau2 / r)

with ``sigma2`` the within-point variance of single runs (``s + e``), ``tau2`` the
variance of ``e`` alone (the residual of a two-way point x seed decomposition) and
``v_between`` the variance of ``f`` over the points. Without a seed effect
``tau2 = sigma2`` and this is ``(sigma2/r) / (v_between + sigma2/r)``. ``ns(r) <= t``
needs ``r >= (sigma2 - t tau2) / (t v_between)``; when the pilot sees no
between-point variance (``v_between <= 0``) no number of replicates reaches the target.

The pilot runs :data:`PILOT_POINTS` design points spread over the sample (the same
points' parameter values as the study's) at :data:`PILOT_REPLICATES` replicates each,
on the study's first seeds, in memory. Its estimates are rough (16 points): the
choice is a starting point, and the study reports the noise share it actually got.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from sim.harness.executors import HarnessError
from sim.harness.outputs import metric_names
from sim.harness.runner import Run
from sim.harness.sampling import SampleSettings
from sim.harness.study import Execution
from sim.harness.study import conduct as _conduct
from sim.rng import run_seeds

PILOT_POINTS = 16
PILOT_REPLICATES = 4
NOISE_TARGET = 0.1
MAX_REPLICATES = 32


def check_auto(target: float, cap: int) -> None:
    """Refuse a target outside (0, 1) or a cap below 2 (HarnessError: exit 2)."""
    if not 0 < target < 1:
        raise HarnessError(f"--noise-target: must be between 0 and 1 (exclusive), got {target}")
    if cap < 2:
        raise HarnessError(f"--max-replicates: must be at least 2, got {cap}")


def pilot_estimates(runs: pd.DataFrame, metric: str) -> dict:
    """sigma2, tau2 and v_between of one metric (see the module), from a balanced pilot.

    Points with a failed or missing replicate are left out; NaN where fewer than two
    points or replicates remain.
    """
    ok = runs[runs["status"] == "ok"]
    Y = ok.set_index(["point", "replicate"])[metric].unstack().dropna().to_numpy(dtype=float)
    n, r = Y.shape if Y.ndim == 2 else (0, 0)
    if n < 2 or r < 2:
        return {"points": int(n), "sigma2": math.nan, "tau2": math.nan, "v_between": math.nan}
    means = Y.mean(axis=1)
    resid = Y - means[:, None] - Y.mean(axis=0)[None, :] + Y.mean()
    tau2 = float((resid**2).sum() / ((n - 1) * (r - 1)))
    return {
        "points": int(n),
        "sigma2": float(Y.var(axis=1, ddof=1).mean()),
        "tau2": tau2,
        "v_between": float(means.var(ddof=1) - tau2 / r),
    }


def needed_replicates(sigma2: float, tau2: float, v_between: float, target: float) -> float:
    """Replicates per point for a noise share <= target: 1 without noise, inf if none do."""
    if not math.isfinite(sigma2):
        return math.nan
    if sigma2 <= 0:
        return 1
    if not v_between > 0:
        return math.inf
    return max(2, math.ceil((sigma2 - target * tau2) / (target * v_between) - 1e-9))


def choose(runs: pd.DataFrame, metrics: list[str], target: float, cap: int) -> dict:
    """The replicates per point for ``metrics`` from a pilot's runs, and why."""
    per: dict[str, dict] = {}
    for m in metrics:
        est = pilot_estimates(runs, m)
        need = needed_replicates(est["sigma2"], est["tau2"], est["v_between"], target)
        per[m] = {
            **est,
            "needed": need if math.isfinite(need) else None,
            "reachable": bool(need <= cap) if not math.isnan(need) else None,
        }
    needs = {m: (math.inf if d["needed"] is None else d["needed"]) for m, d in per.items()}
    needs = {m: v for m, v in needs.items() if per[m]["reachable"] is not None}
    driver = max(needs, key=needs.get) if needs else None
    chosen = int(min(cap, needs[driver])) if driver else 1
    missed = [m for m, d in per.items() if d["reachable"] is False]
    return {
        "replicates": chosen,
        "noise_target": target,
        "max_replicates": cap,
        "reached": not missed,
        "missed": missed,
        "driven_by": driver,
        "pilot": {"points": int(runs["point"].nunique()), "replicates": PILOT_REPLICATES},
        "metrics": per,
        "reason": _reason(chosen, driver, per.get(driver, {}), target, cap, missed),
    }


def _reason(chosen, driver, d, target, cap, missed) -> str:
    if driver is None:
        return "no metric could be measured in the pilot; 1 replicate"
    if d["needed"] == 1:
        return "the pilot saw no replicate noise in any metric; 1 replicate per point"
    need = "no number of replicates" if d["needed"] is None else f"{d['needed']} replicates"
    text = f"{driver} needs {need} for a noise share <= {target:g}"
    if missed:
        return f"{text}; capped at --max-replicates {cap}: target missed for {', '.join(missed)}"
    return f"{text}; chose {chosen} replicates per point"


def describe(choice: dict) -> str:
    """One line saying what ``--replicates auto`` chose and why."""
    p = choice["pilot"]
    return (
        f"replicates auto: {choice['replicates']} per point (pilot: {p['points']} points x "
        f"{p['replicates']} replicates; {choice['reason']})"
    )


def auto_replicates(
    st: SampleSettings,
    evaluator,
    label: str,
    metrics: list[str] | None,
    ex: Execution,
    target: float = NOISE_TARGET,
    cap: int = MAX_REPLICATES,
    overrides_by: dict | None = None,
) -> dict:
    """Run the pilot (in memory, on ``ex``'s executor) and :func:`choose` the replicates."""
    check_auto(target, cap)
    X = st.sample()
    idx = np.unique(np.linspace(0, len(X) - 1, min(PILOT_POINTS, len(X))).round().astype(int))
    seeds = run_seeds(st.seed, PILOT_REPLICATES)
    runs = [
        Run(j * PILOT_REPLICATES + k, label, k, s, point=j, params=st.values(X[i]))
        for j, i in enumerate(idx)
        for k, s in enumerate(seeds)
    ]
    pilot_ex = replace(ex, out=None, resume=False, force=False)
    desc = f"pilot {label}"
    data = _conduct(runs, evaluator, {"kind": "pilot"}, {}, pilot_ex, desc, overrides_by)
    if data.runs.empty or not (data.runs["status"] == "ok").any():
        raise HarnessError("--replicates auto: every pilot run failed")
    names = [m for m in (metrics or metric_names(data.runs)) if m in data.runs.columns]
    return choose(data.runs, names, target, cap)
