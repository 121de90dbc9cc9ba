"""Running the points of a calibration through the harness: each run measures the targets.

A batch (a history-matching wave, an ABC generation) is a list of parameter points,
each run ``replicates`` times on seeds of its own (no common random numbers: the
replicate spread at a point is the model's noise, which the calibration must see).
Batches go through :func:`sim.harness.study.conduct` like any study: the same
executors (``--workers``, Dask), progress bar, and, with ``--out``, one durable
study directory per batch (``runs/<batch>/``) that ``--resume`` finishes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.space import Space, seeds_for
from sim.harness.runner import Run, RunResult
from sim.harness.study import Execution, base_manifest, conduct
from sim.scenario import Scenario
from sim.targets import Target, target_value


def _text(v) -> str:
    """A parameter value as a ``--set`` value (whole numbers stay whole)."""
    return str(int(v)) if isinstance(v, int | np.integer) else repr(float(v))


@dataclass
class TargetEvaluator:
    """Run the model at a run's parameter values; its summary is each target's statistic.

    Args:
        scenario: the scenario calibrated.
        targets: the targets measured.
        ticks: horizon override.
    """

    scenario: Scenario
    targets: list[Target]
    ticks: int | None = None

    def __call__(self, run: Run) -> RunResult:
        """Run the model once and measure every target (exceptions propagate)."""
        from sim.model import TraffickingModel

        sc = self.scenario
        if run.params:
            sc = sc.with_overrides([f"{k}={_text(v)}" for k, v in run.params])
        m = TraffickingModel(sc, seed=run.seed, ticks=self.ticks).run()
        summary = {t.name: target_value(m, t) for t in self.targets}
        return RunResult(
            run.scenario, run.replicate, run.seed, summary=summary, conserved=m.conserved
        )

    def describe(self) -> dict:
        """What the evaluator is, for the manifest and resume checks."""
        return {
            "evaluator": "calibration targets",
            "ticks": self.ticks,
            "targets": [t.to_dict() for t in self.targets],
        }


@dataclass
class Batch:
    """What a batch of points gave.

    Attributes:
        X: (n, d) the points (as run: whole-number parameters rounded).
        runs: one row per run: ``point``, ``replicate``, ``status`` and each target.
        mean, var: (n, m) per point and target: the mean of the successful runs and their
            sample variance (NaN with fewer than two).
        n: (n, m) per point and target: the runs that measured it (a finite value).
        state: the study's state ("finished", "interrupted", "stopped").
    """

    X: np.ndarray
    runs: pd.DataFrame
    mean: np.ndarray
    var: np.ndarray
    n: np.ndarray
    state: str = "finished"


def run_batch(
    sc: Scenario,
    space: Space,
    targets: list[Target],
    X: np.ndarray,
    replicates: int,
    seed: int,
    key: str,
    ex: Execution,
    ticks: int | None = None,
    settings: dict | None = None,
) -> Batch:
    """Run each point of ``X`` ``replicates`` times; per point and target, mean and variance.

    Args:
        sc: the scenario.
        space: the parameters.
        targets: the targets measured.
        X: (n, d) the points.
        replicates: runs per point.
        seed: the root seed.
        ex: the execution.
        ticks: horizon override.
        key: the batch's name (``wave_1``, ``generation_2``): its seeds and its
            directory ``runs/<key>`` under ``ex.out``.
        settings: extra settings recorded in the batch's manifest.
    """
    points = [space.values(x) for x in X]
    seeds = seeds_for(seed, key, len(points) * replicates)
    runs = [
        Run(i * replicates + k, sc.name, k, seeds[i * replicates + k], point=i, params=p)
        for i, p in enumerate(points)
        for k in range(replicates)
    ]
    ev = TargetEvaluator(sc, targets, ticks)
    batch_settings = {
        "kind": "calibrate",
        "batch": key,
        "scenario": sc.data,
        "space": space.to_dict(),
        "points": [dict(p) for p in points],
        "replicates": replicates,
        "root_seed": seed,
        **(settings or {}),
        **ev.describe(),
    }
    out = Path(ex.out) / "runs" / key if ex.out is not None else None
    manifest = base_manifest("calibrate", {sc.name: sc}, seed, seeds, len(runs))
    data = conduct(
        runs, ev, batch_settings, manifest, replace(ex, out=out), key, {sc.name: sc.overrides}
    )
    Xr = np.array([[v for _, v in p] for p in points], dtype=float).reshape(len(points), -1)
    mean, var, n = point_stats(data.runs, [t.name for t in targets], len(points))
    return Batch(Xr, data.runs, mean, var, n, data.state)


def point_stats(runs: pd.DataFrame, names: list[str], n_points: int):
    """Per point and target: mean and sample variance of the finite values, and their count."""
    mean = np.full((n_points, len(names)), np.nan)
    var = np.full((n_points, len(names)), np.nan)
    n = np.zeros((n_points, len(names)), dtype=int)
    if runs.empty:
        return mean, var, n
    ok = runs[runs["status"] == "ok"]
    for i, g in ok.groupby("point"):
        vals = g[names].to_numpy(dtype=float)
        finite = np.isfinite(vals)
        cnt = finite.sum(0)
        n[int(i)] = cnt
        with np.errstate(invalid="ignore"):
            s = np.where(finite, vals, 0.0).sum(0)
            mean[int(i)] = np.where(cnt > 0, s / np.maximum(cnt, 1), np.nan)
            dev = np.where(finite, vals - mean[int(i)], 0.0)
            var[int(i)] = np.where(cnt > 1, (dev**2).sum(0) / np.maximum(cnt - 1, 1), np.nan)
    return mean, var, n


__all__ = ["Batch", "TargetEvaluator", "point_stats", "run_batch"]
