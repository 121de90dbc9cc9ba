"""Searching the portfolio space under a budget: lazy greedy, and greedy with successive halving.

Both searches build a portfolio one candidate at a time, adding the candidate whose
portfolio has the largest mean paired benefit over the status quo, while the
portfolio fits the budget and the cap on its size, and stop when no addition
improves the mean.

* ``greedy`` (the baseline): lazy greedy, "CELF" (Leskovec et al. 2007, KDD, "Cost-
  effective outbreak detection in networks"). Every single candidate is run with all
  replicates once; afterwards a candidate's last marginal gain bounds its next one
  (diminishing returns), so at each step only the candidates at the top of the queue
  are re-evaluated together with the portfolio so far.
* ``halving`` (default): at each step every affordable extension of the portfolio so
  far is screened by successive halving (Jamieson & Talwalkar 2016, AISTATS,
  "Non-stochastic best arm identification and hyperparameter optimization"): all of
  them run a few replicates, the better 1/eta go on with eta times as many, and so on
  until the last ones have all replicates. Clearly poor portfolios stop after a few
  runs, which is what makes dozens of candidates affordable. After the first step only
  the ``carry`` candidates whose last measured marginal gain is largest are screened
  again (with diminishing returns a gain only shrinks, as in lazy greedy).

Ties are broken by candidate order, so the search is a pure function of the run
results, which are the same for any executor and number of workers.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np

from sim.recommend.evaluation import Evaluations, Portfolio

SEARCHES = ("halving", "greedy")


@dataclass
class Space:
    """The feasible portfolios: candidate costs over the horizon, budget, size cap.

    Attributes:
        costs: total cost of each candidate over the horizon (USD).
        budget: USD over the horizon.
        max_size: at most this many candidates in a portfolio.
    """

    costs: list[float]
    budget: float
    max_size: int

    def cost(self, p: Portfolio) -> float:
        """Total cost of a portfolio over the horizon."""
        return float(sum(self.costs[i] for i in p))

    def extensions(self, p: Portfolio) -> list[Portfolio]:
        """Portfolios with one more affordable candidate, in candidate order."""
        if len(p) >= self.max_size:
            return []
        left = self.budget - self.cost(p)
        return [
            tuple(sorted((*p, c)))
            for c in range(len(self.costs))
            if c not in p and self.costs[c] <= left + 1e-6
        ]


@dataclass
class SearchLog:
    """What a search did: its steps and rungs, for the report and the JSON."""

    steps: list[dict] = field(default_factory=list)

    def add(self, **row) -> None:  # noqa: D102
        self.steps.append(row)


def _mean_benefit(ev: Evaluations, p: Portfolio, r: int, sign: float) -> float:
    return float(ev.benefit(p, r, sign).mean()) if p else 0.0


def _best(ev: Evaluations, arms: list[Portfolio], r: int, sign: float) -> tuple[Portfolio, float]:
    scores = [_mean_benefit(ev, p, r, sign) for p in arms]
    i = int(np.argmax(scores))  # first of equals: candidate order
    return arms[i], scores[i]


def successive_halving(
    ev: Evaluations,
    arms: list[Portfolio],
    replicates: int,
    sign: float,
    *,
    first: int = 2,
    eta: int = 2,
    keep: int = 3,
    log: SearchLog | None = None,
    step: int = 0,
) -> list[Portfolio]:
    """Screen ``arms``: ``first`` replicates each, keep the best 1/eta (at least ``keep``), repeat.

    Returns:
        The survivors, each run with all ``replicates``.
    """
    alive = list(arms)
    r = min(max(first, 2), replicates)
    while True:
        if len(alive) <= keep:
            r = replicates
        ev.ensure(alive, r, what=f"step {step}: {len(alive)} portfolios x {r} replicates")
        if log is not None:
            log.add(step=step, rung_replicates=r, portfolios=len(alive))
        if r >= replicates:
            return alive
        scores = np.array([_mean_benefit(ev, p, r, sign) for p in alive])
        order = np.argsort(-scores, kind="stable")
        n_keep = max(keep, math.ceil(len(alive) / eta))
        alive = [alive[i] for i in sorted(order[:n_keep])]
        r = min(replicates, r * eta)


def greedy_halving(
    ev: Evaluations,
    space: Space,
    replicates: int,
    sign: float,
    *,
    first: int = 2,
    eta: int = 2,
    keep: int = 3,
    carry: int | None = None,
) -> tuple[Portfolio, SearchLog]:
    """Greedy steps, each screening affordable extensions by successive halving.

    The first step screens every candidate. Later steps screen only the ``carry``
    candidates with the largest marginal gain measured at the step before (default
    max(4 keep, n / eta^2)): with diminishing returns a candidate's last gain bounds
    its next one, as in lazy greedy.
    """
    log = SearchLog()
    chosen: Portfolio = ()
    n = len(space.costs)
    carry = carry or max(4 * keep, math.ceil(n / eta**2))
    gain = {c: math.inf for c in range(n)}  # unknown yet: first in line
    ev.ensure([()], min(max(first, 2), replicates), what="status quo")
    for step in range(1, space.max_size + 1):
        exts = {c: tuple(sorted((*chosen, c))) for c in range(n) if c not in chosen}
        ok = set(space.extensions(chosen))
        cands = [c for c in exts if exts[c] in ok]
        if not cands:
            break
        if step > 1:
            cands = sorted(cands, key=lambda c: -gain[c])[:carry]
            cands.sort()
        arms = [exts[c] for c in cands]
        alive = successive_halving(
            ev, arms, replicates, sign, first=first, eta=eta, keep=keep, log=log, step=step
        )
        for c in cands:  # marginal gain at the most replicates this extension got
            r = ev.replicates_of(exts[c])
            gain[c] = _mean_benefit(ev, exts[c], r, sign) - _mean_benefit(ev, chosen, r, sign)
        best, score = _best(ev, alive, replicates, sign)
        base = _mean_benefit(ev, chosen, replicates, sign)
        log.add(step=step, best=ev.name(best), mean_benefit=score, previous=base)
        if score <= base:
            break
        chosen = best
    return chosen, log


def lazy_greedy(
    ev: Evaluations, space: Space, replicates: int, sign: float
) -> tuple[Portfolio, SearchLog]:
    """Lazy greedy (CELF): stale marginal gains are upper bounds; re-evaluate the top only."""
    log = SearchLog()
    singles = space.extensions(())
    ev.ensure(singles, replicates, what=f"step 1: {len(singles)} portfolios x {replicates}")
    log.add(step=1, rung_replicates=replicates, portfolios=len(singles))
    # heap of (-gain, candidate, size of the portfolio the gain was computed for)
    heap = [(-_mean_benefit(ev, p, replicates, sign), p[0], 0) for p in singles]
    heapq.heapify(heap)
    chosen: Portfolio = ()
    base = 0.0
    while heap and len(chosen) < space.max_size:
        neg, c, size = heapq.heappop(heap)
        ext = tuple(sorted((*chosen, c)))
        if ext not in space.extensions(chosen):
            continue  # no longer affordable (the budget left only shrinks)
        if size == len(chosen):
            if -neg <= 0:
                break
            chosen = ext
            base = _mean_benefit(ev, chosen, replicates, sign)
            log.add(step=len(chosen), best=ev.name(chosen), mean_benefit=base, previous=base + neg)
            continue
        ev.ensure([ext], replicates, what=f"step {len(chosen) + 1}: re-evaluating {ev.labels[c]}")
        log.add(step=len(chosen) + 1, rung_replicates=replicates, portfolios=1)
        heapq.heappush(heap, (-(_mean_benefit(ev, ext, replicates, sign) - base), c, len(chosen)))
    return chosen, log


__all__ = ["SEARCHES", "SearchLog", "Space", "greedy_halving", "lazy_greedy", "successive_halving"]
