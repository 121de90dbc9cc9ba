"""Studies across a calibrated ensemble: ``run`` and ``compare`` with ``--ensemble``.

Every parameter set of the ensemble runs ``replicates`` times (set ``i``, replicate
``k`` has a seed of its own; in a comparison every arm shares it: pairs are (set,
replicate)). Per metric, and per set, the replicate mean (or paired mean difference)
and its standard error; across the ensemble:

- ``mean``: the weighted mean of the per-set means (effects);
- ``param_sd`` and ``param_q05``/``param_q95``: the weighted spread of the per-set means
  (parameter uncertainty alone);
- ``replicate_sd``: the typical sd of one run (or pair) within a set;
- ``ci_low``/``ci_high``: the 95% interval of the mixture of ``N(mean_i, se_i^2)``
  weighted by the sets' weights: parameter and replicate uncertainty together.

With ``--out``, ``run_ensemble.json`` / ``compare_ensemble.json`` hold the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.stats import norm

from sim.calibrate.ensemble import Ensemble
from sim.calibrate.space import weighted_quantile
from sim.harness.comparison import check_metrics, compare_arms
from sim.harness.executors import HarnessError
from sim.harness.outputs import clean, quantity_unit, write_json
from sim.harness.runner import ModelEvaluator, Run
from sim.harness.study import Execution, StudyData, as_scenario, base_manifest, check_ticks, conduct
from sim.metrics import REGISTRY
from sim.rng import run_seeds


def mixture_interval(m, se, w, level: float = 0.95) -> tuple[float, float]:
    """Central interval of the weighted mixture of normals N(m_i, se_i^2)."""
    m, se, w = (np.asarray(a, dtype=float) for a in (m, se, w))
    ok = np.isfinite(m) & np.isfinite(se) & (w > 0)
    if not ok.any():
        return float("nan"), float("nan")
    m, se, w = m[ok], se[ok], w[ok] / w[ok].sum()
    scale = max(float(np.ptp(m)), float(se.max()), abs(float(m.mean())))
    if scale == 0:  # every set gave exactly zero (an arm that changes nothing)
        return 0.0, 0.0
    se = np.maximum(se, 1e-9 * scale)

    def cdf(x, q):
        return float(np.sum(w * norm.cdf((x - m) / se))) - q

    lo = float((m - 10 * se).min()) - 1e-6 * scale
    hi = float((m + 10 * se).max()) + 1e-6 * scale
    tail = (1 - level) / 2
    return brentq(cdf, lo, hi, args=(tail,)), brentq(cdf, lo, hi, args=(1 - tail,))


def across(per_set: pd.DataFrame, w: np.ndarray) -> dict:
    """Ensemble summary of per-set ``mean``, ``sd`` and ``n`` (rows in set order)."""
    m = per_set["mean"].to_numpy(dtype=float)
    sd = per_set["sd"].to_numpy(dtype=float)
    n = per_set["n"].to_numpy(dtype=float)
    ok = np.isfinite(m) & (n > 0)
    if not ok.any():
        nan = float("nan")
        return dict.fromkeys(("mean", "param_sd", "param_q05", "param_q95"), nan) | {
            "replicate_sd": nan,
            "ci_low": nan,
            "ci_high": nan,
            "sets": 0,
        }
    wk = w[ok] / w[ok].sum()
    mean = float(np.sum(wk * m[ok]))
    se = np.where(n[ok] > 1, sd[ok] / np.sqrt(n[ok]), np.nan)
    if np.all(np.isnan(se)):  # one replicate per set: the within-set sd is unknown
        se = np.zeros(ok.sum())
    se = np.where(np.isnan(se), np.nanmax(se), se)
    lo, hi = mixture_interval(m[ok], se, wk)
    q05, q95 = weighted_quantile(m[ok], wk, [0.05, 0.95])
    return {
        "mean": mean,
        "param_sd": float(np.sqrt(np.sum(wk * (m[ok] - mean) ** 2))),
        "param_q05": float(q05),
        "param_q95": float(q95),
        "replicate_sd": float(np.sqrt(np.nansum(wk * sd[ok] ** 2))),
        "ci_low": float(lo),
        "ci_high": float(hi),
        "sets": int(ok.sum()),
    }


def _per_set(values: pd.DataFrame, col: str, ens: Ensemble) -> tuple[pd.DataFrame, dict]:
    """Per set (rows in set order): mean, sd and n of ``col``; and their :func:`across`."""
    g = values.groupby("point")[col]
    per = pd.DataFrame({"mean": g.mean(), "sd": g.std(ddof=1), "n": g.count()})
    per = per.reindex(range(len(ens)))
    return per, across(per, ens.weights)


def _good_runs(data: StudyData, metrics) -> tuple[pd.DataFrame, list[str]]:
    """The study's successful runs; the metrics to summarise (default: the registered ones)."""
    ok = data.runs[data.runs["status"] == "ok"] if len(data.runs) else data.runs
    return ok, check_metrics(metrics) or [m for m in data.metrics if m in REGISTRY]


@dataclass
class EnsembleStudy(StudyData):
    """A study over an ensemble: per metric, the answer across the parameter sets.

    Attributes:
        kind: "run" or "compare".
        ensemble: the ensemble run.
        replicates, seed: per set, and the root seed.
        summary: the JSON document (see :meth:`to_dict`).
    """

    kind: str = "run"
    ensemble: Ensemble | None = None
    replicates: int = 0
    seed: int = 0
    summary: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The JSON document of ``run``/``compare --ensemble --format json``."""
        return clean(self.summary)


def _study(kind, arms, ens: Ensemble, replicates, seed, ticks, ex: Execution) -> StudyData:
    n = len(ens)
    seeds = run_seeds(seed, n * replicates)
    labels = list(arms)
    runs = [
        Run(
            (a * n + i) * replicates + k,
            label,
            k,
            seeds[i * replicates + k],
            point=i,
            params=ens.values(i),
        )
        for a, label in enumerate(labels)
        for i in range(n)
        for k in range(replicates)
    ]
    ev = ModelEvaluator(arms, ticks=ticks, series=False)
    settings = {
        "kind": f"{kind} ensemble",
        "scenarios": {k: sc.data for k, sc in arms.items()},
        "ensemble": {"file": str(ens.path), "sets": [dict(ens.values(i)) for i in range(n)]},
        "weights": [float(x) for x in ens.weights],
        "replicates": replicates,
        "root_seed": seed,
        "ticks": ticks,
        **ev.describe(),
    }
    manifest = base_manifest(f"{kind} ensemble", arms, seed, seeds, len(runs))
    overrides = {k: sc.overrides for k, sc in arms.items()}
    return conduct(runs, ev, settings, manifest, ex, f"{kind} {labels[0]} x {n} sets", overrides)


def _sets(ens: Ensemble) -> list[dict]:
    return [
        {"set": i, "weight": float(ens.weights[i]), **dict(ens.values(i))} for i in range(len(ens))
    ]


def run_ensemble(
    scenario,
    ens: Ensemble,
    replicates=5,
    seed=0,
    *,
    ticks=None,
    metrics=None,
    overrides=None,
    **execution,
) -> EnsembleStudy:
    """Run every set of the ensemble ``replicates`` times; per metric, the ensemble answer."""
    ex = Execution(**execution)
    sc = as_scenario(scenario, overrides)
    check_ticks([sc], ticks)
    if replicates < 1:
        raise HarnessError(f"--replicates: must be at least 1, got {replicates}")
    warnings = ens.check(sc)
    data = _study("run", {sc.name: sc}, ens, replicates, seed, ticks, ex)
    unit = quantity_unit([sc])
    ok, names = _good_runs(data, metrics)
    out = {}
    for name in names if len(ok) else []:
        per, res = _per_set(ok, name, ens)
        res["ci_low"] = max(res["ci_low"], 0.0)  # metrics are never negative
        out[name] = {
            **res,
            "unit": REGISTRY[name].unit.format(q=unit),
            "per_set": per["mean"].tolist(),
        }
    summary = {
        "scenario": sc.name,
        "ensemble": ens.to_dict(),
        "replicates_per_set": replicates,
        "seed": seed,
        "sets": _sets(ens),
        "metrics": out,
        "warnings": warnings,
    }
    return _finish("run", data, ens, replicates, seed, summary)


def compare_ensemble(
    baseline,
    alternatives,
    ens: Ensemble,
    replicates=5,
    seed=0,
    *,
    ticks=None,
    metrics=None,
    overrides=None,
    **execution,
) -> EnsembleStudy:
    """Baseline and alternatives in every set, paired by (set, replicate); ensemble effects."""
    ex = Execution(**execution)
    arms = compare_arms(baseline, alternatives, replicates, overrides, ticks)
    labels, scs = list(arms), list(arms.values())
    warnings = [ens.check(sc) for sc in scs][0]  # alternatives differ from it by design
    data = _study("compare", arms, ens, replicates, seed, ticks, ex)
    unit = quantity_unit(scs)
    ok, names = _good_runs(data, metrics)
    alts = []
    for alt in labels[1:]:
        base = ok[ok["scenario"] == labels[0]].set_index(["point", "replicate"])
        other = ok[ok["scenario"] == alt].set_index(["point", "replicate"])
        both = base.index.intersection(other.index)
        res = {}
        for name in names:
            d = (other.loc[both, name] - base.loc[both, name]).rename("diff").reset_index()
            d = d[np.isfinite(d["diff"])]
            per, effect = _per_set(d, "diff", ens)
            res[name] = {
                **effect,
                "baseline_mean": float(
                    np.average(_set_means(base, name, ens), weights=ens.weights)
                ),
                "unit": REGISTRY[name].unit.format(q=unit),
                "per_set_effect": per["mean"].tolist(),
                "per_set_se": (per["sd"] / np.sqrt(per["n"])).tolist(),
            }
        alts.append({"scenario": alt, "metrics": res})
    summary = {
        "baseline": labels[0],
        "ensemble": ens.to_dict(),
        "replicates_per_set": replicates,
        "seed": seed,
        "pairs": "(set, replicate): every arm runs set i, replicate k on the same seed",
        "effect": "alternative - baseline; mean: weighted over sets; ci: 95% of the mixture "
        "of per-set N(effect, se^2) (parameter and replicate uncertainty)",
        "sets": _sets(ens),
        "alternatives": alts,
        "warnings": warnings,
    }
    return _finish("compare", data, ens, replicates, seed, summary)


def _finish(kind, data: StudyData, ens, replicates, seed, summary: dict) -> EnsembleStudy:
    """The study; with ``--out``, ``KIND_ensemble.json`` next to a finished study's runs."""
    if data.out is not None and data.state == "finished":
        write_json(Path(data.out) / f"{kind}_ensemble.json", clean(summary))
    return EnsembleStudy(
        **vars(data), kind=kind, ensemble=ens, replicates=replicates, seed=seed, summary=summary
    )


def _set_means(runs: pd.DataFrame, name: str, ens: Ensemble) -> np.ndarray:
    m = runs[name].groupby(level="point").mean().reindex(range(len(ens))).to_numpy(dtype=float)
    return np.where(np.isfinite(m), m, np.nanmean(m))


__all__ = ["EnsembleStudy", "across", "compare_ensemble", "mixture_interval", "run_ensemble"]
