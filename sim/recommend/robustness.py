"""Robustness across deep uncertainty: portfolios across a Latin hypercube of worlds.

A *world* is one set of values of the uncertain parameters (what we do not know:
detection, learning rates, MLAT latency...), kept apart from the levers (the
agreements) as in the EMA workbench. The top portfolios and the status quo run in
every world on the same seeds (common random numbers), so each portfolio's benefit in
a world is a paired difference with the status quo *in that world*.

Regret (Savage 1951, "The theory of statistical decision", JASA 46; the measure used
in robust decision making, Lempert, Popper & Bankes 2003, RAND MR-1626): in each world,
how far a portfolio's benefit falls short of the best of the options compared there
(the status quo included). Portfolios are listed by their largest regret (minimax
regret), then their mean regret. Also: the share of worlds in which each beats the
status quo, and in which no option does better (with common random numbers an
addition that changes nothing gives identical runs, so several options can tie).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.harness.executors import HarnessError
from sim.harness.outputs import PARAM_PREFIX
from sim.harness.sampling import resolve_params
from sim.recommend.evaluation import Evaluations, Portfolio
from sim.rng import stream
from sim.scenario import Scenario


@dataclass(frozen=True)
class UncertainSpace:
    """Uncertain parameters, their bounds, and a seeded Latin hypercube of worlds.

    Attributes:
        bounds: parameter -> (low, high).
        kinds: parameter -> value kind ("int" values are rounded).
        n: number of worlds.
        seed: root seed (the hypercube draws from its own named stream).
    """

    bounds: dict
    kinds: dict
    n: int
    seed: int

    def points(self) -> list[tuple[tuple[str, float], ...]]:
        """The worlds, as (name, value) pairs: one stratum per world in every parameter."""
        from scipy.stats import qmc

        u = qmc.LatinHypercube(d=len(self.bounds), rng=stream(self.seed, "robustness_lhs"))
        x = u.random(self.n)
        out = []
        for row in x:
            vals = []
            for (k, (lo, hi)), v in zip(self.bounds.items(), row):
                if self.kinds.get(k) == "int":
                    vals.append((k, int(min(hi, np.floor(lo + v * (hi - lo + 1))))))
                else:
                    vals.append((k, float(lo + v * (hi - lo))))
            out.append(tuple(vals))
        return out

    def to_dict(self) -> dict:
        """Plain form for JSON and the manifest."""
        return {
            "bounds": {k: list(v) for k, v in self.bounds.items()},
            "kinds": dict(self.kinds),
            "worlds": self.n,
            "sampler": "Latin hypercube (scipy.stats.qmc), stream robustness_lhs",
        }


@dataclass(frozen=True)
class GivenWorlds:
    """Worlds given as parameter sets with weights: a calibrated ensemble (``--ensemble``).

    Summaries over the worlds (mean benefit and regret, shares of worlds) are weighted
    by ``weights``; the largest regret and the smallest benefit are over every world.

    Attributes:
        sets: each world as (name, value) pairs.
        weights: one per world, summing to 1.
        source: where the sets come from (the ensemble file).
    """

    sets: tuple
    weights: tuple
    source: str = ""

    @property
    def n(self) -> int:  # noqa: D102
        return len(self.sets)

    @property
    def bounds(self) -> dict:
        """The range of each parameter over the sets."""
        names = [k for k, _ in self.sets[0]]
        vals = np.array([[v for _, v in s] for s in self.sets], dtype=float)
        return {k: (float(vals[:, i].min()), float(vals[:, i].max())) for i, k in enumerate(names)}

    def points(self) -> list[tuple[tuple[str, float], ...]]:  # noqa: D102
        return [tuple(s) for s in self.sets]

    def to_dict(self) -> dict:
        """Plain form for JSON and the manifest."""
        return {
            "bounds": {k: list(v) for k, v in self.bounds.items()},
            "worlds": self.n,
            "sampler": f"calibrated ensemble {self.source}".strip(),
            "weights": [float(w) for w in self.weights],
        }


def check_uncertain(
    sc: Scenario, specs: list[str] | dict | None, n: int, seed: int
) -> UncertainSpace:
    """Uncertain parameters from ``NAME=LOW:HIGH`` strings or the scenario's ``[uncertainties]``.

    Raises:
        HarnessError: a malformed or unknown parameter, or nothing to vary.
    """
    if n < 2:
        raise HarnessError(f"--worlds: robustness needs at least 2 worlds, got {n}")
    bounds, kinds = resolve_params(sc, specs)
    return UncertainSpace(bounds, kinds, n, seed)


def robustness(
    ev: Evaluations,
    portfolios: list[Portfolio],
    space: UncertainSpace,
    replicates: int,
    objective,
) -> dict:
    """Run the status quo and ``portfolios`` in every world; regret and success shares.

    Returns:
        ``{"params", "bounds", "worlds", "world_replicates", "portfolios": [rows],
        "table": [one row per portfolio and world]}``.
    """
    options = [(), *[p for p in portfolios if p]]
    n = space.n
    ev.ensure_many(
        [(p, w) for w in range(n) for p in options],
        replicates,
        what=f"robustness: {len(options)} options x {n} worlds x {replicates} replicates",
    )
    ben = np.array(
        [
            [ev.benefit(p, replicates, objective.sign, w).mean() if p else 0.0 for w in range(n)]
            for p in options
        ]
    )
    best = ben.max(axis=0)  # the status quo (0) is among the options
    regret = best - ben
    wt = np.asarray(getattr(space, "weights", None) or np.ones(n), dtype=float)
    wt = wt / wt.sum()  # a calibrated ensemble's weights; equal for a hypercube
    rows = []
    for i, p in enumerate(options):
        rows.append(
            {
                "portfolio": ev.name(p),
                "mean_benefit": float(np.sum(wt * ben[i])),
                "min_benefit": float(ben[i].min()),
                "mean_regret": float(np.sum(wt * regret[i])),
                "max_regret": float(regret[i].max()),
                "share_beats_status_quo": float(np.sum(wt * (ben[i] > 0))) if p else None,
                "share_best": float(np.sum(wt * (regret[i] <= 1e-12))),
            }
        )
    rows.sort(key=lambda r: (r["max_regret"], r["mean_regret"]))
    for k, r in enumerate(rows):
        r["rank"] = k + 1
    table = []
    for w, world in enumerate(ev.worlds[:n]):
        for i, p in enumerate(options):
            table.append(
                {
                    "portfolio": ev.name(p),
                    "world": w,
                    **{f"{PARAM_PREFIX}{k}": v for k, v in world},
                    "objective_mean": float(ev.values(p, replicates, w).mean()),
                    "benefit": float(ben[i, w]),
                    "regret": float(regret[i, w]),
                }
            )
    return {
        "params": list(space.bounds),
        "bounds": {k: list(v) for k, v in space.bounds.items()},
        "worlds": n,
        "weights": [float(x) for x in wt] if hasattr(space, "weights") else None,
        "world_replicates": replicates,
        "objective": objective.metric,
        "ranking": "minimax regret, then mean regret",
        "portfolios": rows,
        "table": table,
    }


def worlds_frame(result: dict) -> pd.DataFrame:
    """One row per portfolio and world (worlds.parquet; what ``discover`` reads)."""
    return pd.DataFrame(result["table"])


__all__ = ["GivenWorlds", "UncertainSpace", "check_uncertain", "robustness", "worlds_frame"]
