"""Designs: any points x seeds, run as a study and returned as one tidy table.

:func:`run_design` is the public door for whatever chooses its own points: a grid
drawn by hand, an optimiser's batch, the EMA workbench (:mod:`sim.ema`). A point is a
dict of parameter values (names from ``sim/params.py`` or dotted paths such as
``states.MID.capacity``, as ``--set`` and ``--param`` take them) and levers (labels of
candidate policies, switched on by a true value). Every point runs on every seed;
seed k is the same at every point (common random numbers). The runs take the study
path (:func:`sim.harness.study.conduct`): the same executors, ``out=`` directory
(``manifest.json``, ``runs.parquet``) and ``resume``, and numbers that do not depend
on the executor or the number of workers.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.harness.comparison import check_metrics
from sim.harness.executors import HarnessError
from sim.harness.outputs import PARAM_PREFIX, metric_names
from sim.harness.runner import Run, RunResult, _value_text, describe_evaluator
from sim.harness.sampling import param_kind
from sim.harness.study import Execution, as_scenario, base_manifest, check_ticks, conduct
from sim.rng import run_seeds
from sim.scenario import Scenario, ScenarioError

LEVER = "lever"
Point = tuple[tuple[str, object], ...]


@dataclass
class DesignEvaluator:
    """Run the model at a design point: levers switched on, then parameters set.

    The policies of the levers that are on are appended to the scenario's, in the
    order of ``levers`` (as ``recommend`` appends a portfolio's); then the parameter
    values are applied as ``--set`` overrides. Only the summary metrics are returned.

    Args:
        scenario: the scenario.
        levers: lever label -> policy (a ``[[policies]]`` table).
        ticks: horizon override.
    """

    scenario: Scenario
    levers: dict[str, dict] = field(default_factory=dict)
    ticks: int | None = None

    def scenario_at(self, params: Point) -> Scenario:
        """The scenario of a point, validated (ScenarioError if a value is refused)."""
        on = {k for k, v in params if k in self.levers and v}
        sets = [f"{k}={_value_text(v)}" for k, v in params if k not in self.levers]
        sc = self.scenario
        if on:
            data = copy.deepcopy(sc.data)
            added = [copy.deepcopy(p) for k, p in self.levers.items() if k in on]
            data["policies"] = [*data.get("policies", []), *added]
            sc = Scenario(sc.name, sc.path, data, list(sc.overrides))
        return sc.with_overrides(sets)

    def __call__(self, run: Run) -> RunResult:
        """Run the model once (exceptions propagate to ``run_batch``)."""
        from sim.model import TraffickingModel

        m = TraffickingModel(self.scenario_at(run.params), seed=run.seed, ticks=self.ticks).run()
        return RunResult(run.scenario, run.replicate, run.seed, summary=m.summary())

    def describe(self) -> dict:
        """For the manifest and resume checks."""
        return {"evaluator": "design", "ticks": self.ticks, "levers": self.levers}


def lever_policies(sc: Scenario, levers) -> dict[str, dict]:
    """Lever label -> policy, from a mapping or from candidates.

    Candidates are objects with ``.label`` and ``.policy``
    (:func:`sim.recommend.enumerate_candidates`); by default, the scenario's own
    ``[[candidates]]``.
    """
    if levers is None:
        return {k: dict(v) for k, v in sc.candidates.items()}
    if isinstance(levers, Mapping):
        return {str(k): dict(v) for k, v in levers.items()}
    return {str(c.label): dict(c.policy) for c in levers}


def _missing(v) -> bool:
    return v is None or (isinstance(v, float | np.floating) and math.isnan(v))


def _value(v, kind: str, where: str):
    """A point's value as the kind wants it: bool (lever), int, or a finite float."""
    if kind == LEVER:
        if isinstance(v, bool | np.bool_ | int | float | np.number) and v in (0, 1):
            return bool(v)
        raise HarnessError(f"{where}: a lever is switched on or off: give true/false, got {v!r}")
    if isinstance(v, bool | np.bool_) or not isinstance(v, int | float | np.number):
        raise HarnessError(f"{where}: expected a number, got {v!r}")
    if not math.isfinite(float(v)):
        raise HarnessError(f"{where}: expected a finite number, got {v!r}")
    if kind == "int":
        if float(v) != int(v):
            raise HarnessError(f"{where}: a whole-number parameter, got {v!r}")
        return int(v)
    return float(v)


def design_points(
    sc: Scenario, points, levers: Mapping[str, dict]
) -> tuple[list[Point], dict[str, str]]:
    """Points as (name, value) tuples, and each name's kind (``"lever"`` or a value kind).

    ``points`` is a DataFrame (one row per point) or a list of dicts; a missing value
    (None, NaN) leaves the scenario's own value (a lever: off).

    Raises:
        HarnessError: no points, an unknown name, or a value of the wrong kind.
    """
    records = points.to_dict("records") if isinstance(points, pd.DataFrame) else list(points)
    if not records:
        raise HarnessError("run_design: points: give at least one point")
    kinds: dict[str, str] = {}
    out = []
    for i, rec in enumerate(records):
        if not isinstance(rec, Mapping):
            raise HarnessError(f"run_design: point {i}: expected a dict of NAME: VALUE")
        vals = []
        for name, v in rec.items():
            name = str(name)
            where = f"run_design: point {i}"
            if name not in kinds:
                kinds[name] = LEVER if name in levers else param_kind(sc, name, where)
            if not _missing(v):
                vals.append((name, _value(v, kinds[name], f"{where}: {name}")))
        out.append(tuple(vals))
    return out, kinds


def design_seeds(seeds: int | Iterable[int]) -> list[int]:
    """Run seeds: a count n gives ``run_study``'s first n (root seed 0); a list is kept."""
    if isinstance(seeds, int | np.integer) and not isinstance(seeds, bool):
        if seeds < 1:
            raise HarnessError(f"run_design: seeds: give at least one, got {seeds}")
        return run_seeds(0, int(seeds))
    out = []
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, int | np.integer) or s < 0:
            raise HarnessError(f"run_design: seeds: whole numbers >= 0, got {s!r}")
        out.append(int(s))
    if not out:
        raise HarnessError("run_design: seeds: give at least one")
    return out


def tidy(runs: pd.DataFrame, kinds: dict[str, str], metrics: list[str] | None) -> pd.DataFrame:
    """The design's table: point, its values, replicate, seed, status, error, metrics.

    A lever's column is true or false (a lever a point does not name is off); a
    parameter a point does not name is NaN (the scenario's value).
    """
    cols = [f"{PARAM_PREFIX}{n}" for n in kinds]
    keep = metrics or metric_names(runs)
    df = runs.reindex(columns=["point", *cols, "replicate", "seed", "status", "error", *keep])
    df = df.rename(columns=dict(zip(cols, kinds))).reset_index(drop=True)
    for n, kind in kinds.items():
        if kind == LEVER:
            df[n] = df[n].map(lambda v: bool(v) if not _missing(v) else False).astype(bool)
    return df


def run_design(
    scenario: Scenario | str | Path,
    points: pd.DataFrame | Sequence[Mapping],
    seeds: int | Iterable[int] = 1,
    metrics: list[str] | None = None,
    *,
    levers=None,
    overrides: list[str] | None = None,
    ticks: int | None = None,
    **execution,
) -> pd.DataFrame:
    """Run every point on every seed; one row per point and seed.

    Args:
        scenario: a Scenario, a scenario file, or a shipped scenario's name.
        points: a DataFrame (one row per point) or a list of dicts ``{name: value}``:
            parameter names (``exploration``) or dotted paths (``states.MID.capacity``),
            and lever labels (true: the lever's policy is added). None or NaN: the
            scenario's value (a lever: off).
        seeds: run seeds (a list, used as given), or a count n: the n seeds of
            ``run_study(..., replicates=n, seed=0)``.
        metrics: metric columns to return (default: every metric).
        levers: the levers points may switch on: ``{label: policy}`` or candidates
            (``sim.recommend.enumerate_candidates(sc)``); default: the scenario's
            ``[[candidates]]``.
        overrides: ``--set`` style ``NAME=VALUE`` strings applied to the scenario first.
        ticks: horizon override.
        **execution: fields of :class:`~sim.harness.study.Execution` (workers,
            scheduler, executor, out, resume, force, progress, batch_size, command).

    Returns:
        A DataFrame, ordered by point then seed: ``point`` (0..n-1, in the order
        given), one column per name used by the points, ``replicate`` (index of the
        seed), ``seed``, ``status`` ("ok" or "error"), ``error`` and the metrics
        (NaN for a failed run). With ``out=`` the runs are also in ``runs.parquet``
        (values as ``param:NAME``) next to ``manifest.json``.

    Raises:
        HarnessError: a bad point, seed, metric, or output directory.
        StudyStopped: the executor failed; finished runs are kept for ``resume``.
    """
    ex = Execution(**execution)
    sc = as_scenario(scenario, overrides)
    check_ticks([sc], ticks)
    lev = lever_policies(sc, levers)
    pts, kinds = design_points(sc, points, lev)
    seed_list = design_seeds(seeds)
    metrics = check_metrics(metrics)
    ev = DesignEvaluator(sc, lev, ticks)
    checked: set[Point] = set()
    for i, p in enumerate(pts):
        if p not in checked:
            try:
                ev.scenario_at(p)
            except ScenarioError as e:
                raise HarnessError(f"run_design: point {i}: {e.key}: {e.problem}") from None
            checked.add(p)
    n = len(seed_list)
    runs = [
        Run(i * n + k, sc.name, k, s, point=i, params=p)
        for i, p in enumerate(pts)
        for k, s in enumerate(seed_list)
    ]
    settings = {
        "kind": "design",
        "scenarios": {sc.name: sc.data},
        "points": [dict(p) for p in pts],
        "seeds": seed_list,
        "ticks": ticks,
        **describe_evaluator(ev),
    }
    manifest = base_manifest("design", {sc.name: sc}, None, seed_list, len(runs))
    data = conduct(runs, ev, settings, manifest, ex, f"design {sc.name}", {sc.name: sc.overrides})
    return tidy(data.runs, kinds, metrics)


__all__ = ["DesignEvaluator", "design_points", "design_seeds", "lever_policies", "run_design"]
