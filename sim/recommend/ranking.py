"""Ranking portfolios: paired intervals, cost-effectiveness, and how often the ranking held.

See :mod:`sim.recommend.recommendation` for what each column means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.harness.stats import paired_diff
from sim.metrics import REGISTRY
from sim.recommend.evaluation import Evaluations, replicate_range
from sim.recommend.search import Space
from sim.rng import stream
from sim.scenario import Scenario

BOOTSTRAP = 2000


@dataclass(frozen=True)
class Objective:
    """The metric a recommendation optimises and which way is better."""

    metric: str
    sign: float  # +1: higher is better; -1: lower is better

    @property
    def better(self) -> str:  # noqa: D102
        return "higher" if self.sign > 0 else "lower"


def window_weeks(sc: Scenario, ticks: int | None) -> int:
    """Weeks after burn-in over which summary metrics average."""
    return (ticks or sc.ticks) - sc.burn_in


def rank_portfolios(
    ev: Evaluations,
    portfolios: list,
    space: Space,
    replicates: int | range,
    objective: Objective,
    weeks: int,
    seed: int,
) -> list[dict]:
    """Paired statistics, cost-effectiveness and ranking stability of ``portfolios``.

    ``replicates``: the replicates to use (a count from 0, or a range of fresh ones).
    """
    sign = objective.sign
    if not portfolios:
        return []
    reps = replicate_range(replicates)
    n = len(reps)
    base = ev.values((), reps)
    ben = np.array([ev.benefit(p, reps, sign) for p in portfolios])
    means = ben.mean(axis=1)
    costs = np.array([space.cost(p) for p in portfolios])
    order = sorted(range(len(portfolios)), key=lambda i: (-means[i], costs[i], i))
    rng = stream(seed, "recommend_bootstrap")
    idx = rng.integers(0, n, size=(BOOTSTRAP, n))
    boot = ben[:, idx].mean(axis=2)  # (portfolios, resamples)
    # rank = how many portfolios do strictly better (ties share a rank: none beat them)
    boot_rank = (boot[None, :, :] > boot[:, None, :]).sum(axis=1)
    ranks = {i: int((means > means[i]).sum()) for i in range(len(portfolios))}
    per_week = "/week" in REGISTRY[objective.metric].unit
    scale = weeks if per_week else 1.0
    rows = []
    for rank, i in enumerate(order):
        p = portfolios[i]
        d = paired_diff(base, ev.values(p, reps))
        nxt = order[rank + 1] if rank + 1 < len(order) else None
        ce = {"per_million_usd": None, "ci_low": None, "ci_high": None}
        if costs[i] > 0:
            f = sign * scale / (costs[i] / 1e6)
            lo, hi = sorted((d["diff_ci_low"] * f, d["diff_ci_high"] * f))
            ce = {
                "per_million_usd": d["diff_mean"] * f + 0.0,
                "ci_low": lo + 0.0,
                "ci_high": hi + 0.0,
            }
        rows.append(
            {
                "rank": rank + 1,
                "portfolio": ev.name(p),
                "candidates": [ev.labels[c] for c in p],
                "size": len(p),
                "cost_total_usd": float(costs[i]),
                "objective_mean": d["alt_mean"],
                "change": d["diff_mean"],
                "change_ci_low": d["diff_ci_low"],
                "change_ci_high": d["diff_ci_high"],
                "benefit": float(means[i]),
                "benefit_per_million_usd": ce["per_million_usd"],
                "benefit_per_million_usd_ci_low": ce["ci_low"],
                "benefit_per_million_usd_ci_high": ce["ci_high"],
                "p_best": float(np.mean(boot_rank[i] == 0)),
                "rank_held": float(np.mean(boot_rank[i] == ranks[i])),
                "beats_next": float(np.mean(ben[i] > ben[nxt])) if nxt is not None else None,
                "replicates": n,
            }
        )
    return rows


def frontier(rows: list[dict]) -> list[dict]:
    """Every ranked portfolio with a flag: no other is at least as good for less or equal cost."""
    out = []
    for r in rows:
        dominated = any(
            o is not r
            and o["cost_total_usd"] <= r["cost_total_usd"]
            and o["benefit"] >= r["benefit"]
            and (o["cost_total_usd"] < r["cost_total_usd"] or o["benefit"] > r["benefit"])
            for o in rows
        )
        keys = ("portfolio", "cost_total_usd", "benefit", "change_ci_low", "change_ci_high", "rank")
        out.append({**{k: r[k] for k in keys}, "efficient": not dominated})
    return out


__all__ = ["BOOTSTRAP", "Objective", "frontier", "rank_portfolios", "window_weeks"]
