"""xborder as an EMA workbench model (the optional extra ``ema``: ``pip install 'xborder[ema]'``).

:func:`model` wraps a scenario as an ``ema_workbench`` 3.0 model, so the workbench's
samplers, evaluators, optimisers and scenario discovery can drive xborder:

* **uncertainties**: the scenario's ``[uncertainties]`` table, or, without one, every
  parameter whose role is ``uncertain`` over its default range (``sim/params.py``),
  or ``NAME=LOW:HIGH`` strings as ``xborder sensitivity --param`` takes them.
  Whole-number parameters become ``IntegerParameter``, the others ``RealParameter``.
* **levers**: one ``BooleanParameter`` per candidate policy the scenario lacks (the
  candidates of ``xborder recommend``, :func:`sim.recommend.enumerate_candidates`);
  true switches the candidate's policy on.
* **outcomes**: xborder metrics (post-burn-in summaries), one ``ScalarOutcome`` each,
  to maximise or minimise when the metric has a better side.
* **seeds**, explicit: without ``seeds`` the model is an ``ema_workbench.Model`` whose
  constant ``seed`` is the first seed of ``run_design(..., seeds=1)`` (every experiment
  on the same seed). With ``seeds`` (a count or a list, as for ``run_design``) it is a
  ``ReplicatorModel`` with one replication ``{"seed": s}`` per seed, and each outcome
  is ``aggregate`` (default: the mean) over the seeds, still a ``ScalarOutcome`` that
  the workbench can optimise. (Not ``ArrayOutcome``: the workbench registers one
  outcome class per name in a process, so ``delivered`` could not be both.) The
  value of every seed: :func:`replay`.

An experiment is one run of :class:`sim.harness.design.DesignEvaluator`, the runner of
:func:`sim.harness.run_design`, in the workbench's process: the same point and seed
give the same numbers either way. :func:`replay` runs a workbench experiments table
through ``run_design`` (any executor, ``out=``, ``resume``).

Workbench names must be Python identifiers: a parameter or lever whose xborder name is
not one (``states.MID.capacity``, ``mlat:MID-NOR``) gets one (``states_MID_capacity``,
``mlat_MID_NOR``) with its xborder name as the ``variable_name``; :func:`to_points`
maps experiments back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.harness.comparison import check_metrics
from sim.harness.design import DesignEvaluator, design_points, design_seeds, run_design
from sim.harness.runner import Run
from sim.harness.sampling import resolve_params
from sim.harness.study import as_scenario, check_ticks
from sim.metrics import REGISTRY
from sim.recommend.candidates import enumerate_candidates
from sim.scenario import Scenario

INSTALL = "pip install 'xborder[ema]'  (in a checkout: pip install -e '.[ema]')"


def require():
    """The ``ema_workbench`` module; ImportError saying how to install it if missing."""
    try:
        import ema_workbench
    except ImportError as e:
        raise ImportError(f"sim.ema needs the EMA workbench 3.0: {INSTALL}") from e
    return ema_workbench


@dataclass
class DesignFunction:
    """What the workbench calls per experiment: ``f(**values, seed=...) -> {metric: value}``.

    A module-level class, so the workbench's multiprocessing evaluator can pickle it.

    Attributes:
        evaluator: runs the model at a point (:class:`DesignEvaluator`).
        names: xborder names of the model's parameters and levers, in model order.
        metrics: the outcomes.
    """

    evaluator: DesignEvaluator
    names: list[str]
    metrics: list[str]

    def __call__(self, seed: int, **values) -> dict[str, float]:
        """Run the model once at the values given, on ``seed``."""
        ev = self.evaluator
        rec = {n: values[n] for n in self.names if n in values}
        point = design_points(ev.scenario, [rec], ev.levers)[0][0]
        res = ev(Run(0, ev.scenario.name, 0, int(seed), params=point))
        return {m: float(res.summary.get(m, math.nan)) for m in self.metrics}


def _identifiers(names: list[str], taken: set[str]) -> dict[str, str]:
    """A unique Python identifier for each xborder name, for the workbench."""
    out = {}
    for name in names:
        ident = re.sub(r"\W+", "_", name).strip("_") or "x"
        if ident[0].isdigit() or ident in taken:
            ident = f"x_{ident}"
        base, k = ident, 2
        while ident in taken:
            ident, k = f"{base}_{k}", k + 1
        taken.add(ident)
        out[name] = ident
    return out


def model(
    scenario: Scenario | str | Path,
    *,
    uncertainties: list[str] | dict | None = None,
    levers: str | list[str] | None = None,
    metrics: list[str] | None = None,
    seeds: int | list[int] | None = None,
    start: int | None = None,
    overrides: list[str] | None = None,
    ticks: int | None = None,
    name: str | None = None,
    aggregate: Callable = np.mean,
):
    """An ``ema_workbench`` model of the scenario (see the module docstring).

    Args:
        scenario: a Scenario, a scenario file, or a shipped scenario's name.
        uncertainties: ``["NAME=LOW:HIGH", ...]`` or ``{name: (low, high)}``; default:
            the scenario's ``[uncertainties]`` (else the uncertain parameters' ranges).
        levers: which levers' candidates (``"mlat,database"``; see
            ``sim.recommend.candidates.LEVERS``); default: all; ``[]``: none.
        metrics: outcomes (default: every metric).
        seeds: None: a ``Model`` with the constant ``seed``; a count or a list of run
            seeds: a ``ReplicatorModel`` with one replication per seed.
        start: week generated candidates start (default: the burn-in).
        overrides: ``--set`` style ``NAME=VALUE`` strings applied to the scenario first.
        ticks: horizon override.
        name: the model's name (default: the scenario's, as an identifier).
        aggregate: with ``seeds``: an outcome over the seeds, ``f(values) -> number``
            (default ``np.mean``; picklable for the multiprocessing evaluator).

    Raises:
        ImportError: ema-workbench is not installed.
        HarnessError: an unknown parameter, lever or metric, or a bad range.
    """
    ema = require()
    sc = as_scenario(scenario, overrides)
    check_ticks([sc], ticks)
    bounds, kinds = resolve_params(sc, uncertainties)
    none = levers is not None and not levers
    cands = [] if none else enumerate_candidates(sc, levers, start, ticks)
    outcomes = check_metrics(metrics) or list(REGISTRY)
    lever_names = [c.label for c in cands]
    model_attrs = set(dir(ema.ReplicatorModel))
    idents = _identifiers([*bounds, *lever_names], set(model_attrs) | {"seed"})
    fn = DesignFunction(
        DesignEvaluator(sc, {c.label: dict(c.policy) for c in cands}, ticks),
        [*bounds, *lever_names],
        outcomes,
    )
    ident = _identifiers([name or sc.name], set())[name or sc.name]
    seed_list = None if seeds is None else design_seeds(seeds)
    m = (ema.Model if seed_list is None else ema.ReplicatorModel)(ident, function=fn)
    m.uncertainties = [
        (ema.IntegerParameter if kinds[k] == "int" else ema.RealParameter)(
            idents[k], lo, hi, variable_name=k
        )
        for k, (lo, hi) in bounds.items()
    ]
    m.levers = [ema.BooleanParameter(idents[k], variable_name=k) for k in lever_names]
    if seed_list is None:
        m.constants = [ema.Constant("seed", design_seeds(1)[0])]
    else:
        m.replications = [{"seed": s} for s in seed_list]
    over = None if seed_list is None else aggregate
    m.outcomes = [ema.ScalarOutcome(k, kind=_kind(ema, k), function=over) for k in outcomes]
    return m


def _kind(ema, metric: str) -> int:
    side = REGISTRY[metric].higher_is
    out = ema.ScalarOutcome
    return out.MAXIMIZE if side == "better" else out.MINIMIZE if side == "worse" else out.INFO


def seeds_of(m) -> list[int]:
    """The run seeds of a model from :func:`model`, in replication order."""
    if hasattr(m, "replications"):
        return [int(r["seed"]) for r in m.replications]
    return [int(next(c.value for c in m.constants if c.name == "seed"))]


def to_points(m, experiments: pd.DataFrame) -> pd.DataFrame:
    """The workbench's experiments as ``run_design`` points (xborder names, one row each)."""
    cols = {}
    for p in [*m.uncertainties, *m.levers]:
        if p.name in experiments:
            col = experiments[p.name]
            is_lever = p.name in m.levers
            cols[p.variable_name[0]] = col.astype(object) if is_lever else col.to_numpy()
    return pd.DataFrame(cols).reset_index(drop=True)


def replay(m, experiments: pd.DataFrame, **execution) -> pd.DataFrame:
    """Run the workbench's experiments through :func:`sim.harness.run_design`.

    Same scenario, levers, horizon, metrics and seeds as the model; ``**execution``
    as for ``run_design`` (workers, scheduler, out, resume, ...). Row ``i * S + k`` is
    experiment ``i`` on seed ``k`` (S seeds).
    """
    fn = m.function
    ev = fn.evaluator
    return run_design(
        ev.scenario,
        to_points(m, experiments),
        seeds_of(m),
        fn.metrics,
        levers=ev.levers,
        ticks=ev.ticks,
        **execution,
    )


__all__ = ["DesignFunction", "model", "replay", "require", "seeds_of", "to_points"]
