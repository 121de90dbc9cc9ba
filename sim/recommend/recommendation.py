"""Which agreements next? Treaty-portfolio recommendation under a budget.

:func:`recommend` enumerates the candidate agreements a scenario does not yet have
(:mod:`sim.recommend.candidates`), searches the portfolios that fit the budget and a cap
on their size (:mod:`sim.recommend.search`), every portfolio run on the same
seeds as the status quo (common random numbers). The ``top`` portfolios the search ran
with all replicates are then run again on as many *fresh* replicates (seeds the search
never saw; ``confirm``), since the search's own estimates of its winners are biased
upwards by their selection, and ranked by their mean paired effect on the objective:

* effect: the paired change in the objective (portfolio - status quo) with a Student-t
  95% interval over the replicates; "benefit" is the change signed so that positive
  is better (less delivered, more convictions);
* cost: total USD over the horizon (cost per year x weeks in force / 52), what the
  budget is compared with; cost-effectiveness is the benefit over the post-burn-in
  window (per-week metrics x its weeks) per million USD of that cost;
* how often the ranking held: ``p_best`` and ``rank_held`` are the shares of 2,000
  bootstrap resamples of the replicates (the same resample for every portfolio, so the
  pairing is kept) in which the portfolio ranks first / keeps its rank; ``beats_next``
  is the share of replicates in which it did better than the portfolio ranked below.

With uncertain parameters (``params``) the top portfolios are also run across a Latin
hypercube of worlds (:mod:`sim.recommend.robustness`): regret and the share of worlds
in which each beats the status quo.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.harness.executors import HarnessError, open_executor
from sim.harness.outputs import clean, git_commit, now, quantity_unit, versions, write_json
from sim.harness.stats import mean_ci
from sim.harness.study import Execution, as_scenario, check_ticks
from sim.metrics import REGISTRY
from sim.recommend.candidates import Candidate, enumerate_candidates, parse_levers
from sim.recommend.evaluation import NOMINAL, Evaluations, PortfolioEvaluator, open_store
from sim.recommend.ranking import Objective, frontier, rank_portfolios, window_weeks
from sim.recommend.search import (
    SEARCHES,
    Space,
    greedy_halving,
    lazy_greedy,
)
from sim.recommend.verdict import NO_WINNER, detectable, regret_warning, verdict_fields
from sim.rng import run_seeds
from sim.scenario import Scenario
from sim.suggest import did_you_mean


def parse_objective(name: str) -> Objective:
    """A registered metric with a direction (``higher_is``); HarnessError otherwise."""
    usable = [m.name for m in REGISTRY.values() if m.higher_is]
    if name not in REGISTRY or not REGISTRY[name].higher_is:
        raise HarnessError(
            f"--objective: {name!r} is not a metric with a better direction"
            f"{did_you_mean(name, usable)} (one of {', '.join(usable)})"
        )
    return Objective(name, 1.0 if REGISTRY[name].higher_is == "better" else -1.0)


_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9}


def parse_budget(text: str | float) -> float:
    """USD from ``2e7``, ``20000000``, ``20M``, ``500k``, ``1.5B``; HarnessError otherwise."""
    if isinstance(text, int | float):
        value = float(text)
    else:
        m = re.fullmatch(r"\s*([0-9.eE+_-]+)\s*([kKmMbB]?)\s*(usd|USD)?\s*", str(text))
        try:
            value = float(m.group(1)) * _SUFFIX[m.group(2).lower()] if m else float("nan")
        except ValueError:
            value = float("nan")
    if not math.isfinite(value) or value <= 0:
        raise HarnessError(
            f"--budget: expected a positive amount in USD (e.g. 2e7, 20M, 500k), got {text!r}"
        )
    return value


@dataclass
class Recommendation:
    """A ranked set of portfolios and how they were found.

    Attributes:
        scenario: the status quo's name.
        settings: every option that shaped the result (also in the manifest).
        candidates: the candidates the search drew from.
        portfolios: ranked rows (see :func:`rank_portfolios`), best first.
        status_quo: mean and 95% interval of the objective without any new agreement.
        log: the search's steps and rungs.
        runs: model runs made (or reloaded).
        robustness: the deep-uncertainty table, or None.
        unit: the quantity unit (kg, firearms).
        out: output directory, if any.
    """

    scenario: str
    settings: dict
    candidates: list[Candidate]
    portfolios: list[dict]
    status_quo: dict
    log: list[dict]
    runs: int
    robustness: dict | None = None
    unit: str = "kg"
    out: Path | None = None
    frontier: list[dict] = field(default_factory=list)
    note: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def sign(self) -> float:
        """+1 when a higher objective is better, -1 when lower is."""
        return 1.0 if self.settings["objective"]["better"] == "higher" else -1.0

    @property
    def best(self) -> dict | None:
        """The top-ranked portfolio if its paired interval excludes zero on the better side.

        None when no portfolio beats the status quo detectably (:mod:`sim.recommend.verdict`).
        """
        top = self.portfolios[0] if self.portfolios else None
        if top and top["benefit"] > 0 and detectable(top, self.sign):
            return top
        return None

    def table(self, top: int | None = None) -> pd.DataFrame:
        """The ranked portfolios as a DataFrame."""
        rows = self.portfolios[:top] if top else self.portfolios
        return pd.DataFrame(rows).drop(columns=["candidates"], errors="ignore")

    def to_dict(self) -> dict:
        """The JSON document of ``xborder recommend --format json``."""
        return clean(
            {
                "scenario": self.scenario,
                **self.settings,
                "unit": self.unit,
                "candidates": [c.to_dict() for c in self.candidates],
                "status_quo": self.status_quo,
                "recommended": self.best["portfolio"] if self.best else None,
                **verdict_fields(self.portfolios, self.settings, self.unit, self.warnings),
                "portfolios": self.portfolios,
                "frontier": self.frontier,
                "search_log": self.log,
                "runs": self.runs,
                "note": self.note,
                "robustness": self.robustness,
            }
        )


def recommend(
    scenario: Scenario | str | Path,
    budget: float | str,
    *,
    max_agreements: int = 3,
    levers: list[str] | str | None = None,
    objective: str = "delivered",
    replicates: int = 16,
    seed: int = 0,
    search: str = "halving",
    first_replicates: int = 2,
    eta: int = 2,
    start: int | None = None,
    ticks: int | None = None,
    top: int = 10,
    confirm: bool = True,
    overrides: list[str] | None = None,
    params: list[str] | dict | None = None,
    uncertain: list[str] | dict | None = None,
    worlds: int = 0,
    world_replicates: int = 2,
    robust_top: int = 5,
    ensemble=None,
    **execution,
) -> Recommendation:
    """Recommend a portfolio of new agreements under a budget.

    Args:
        scenario: the status quo (Scenario, file or shipped name).
        budget: USD over the horizon (number, or text such as ``"20M"``).
        max_agreements: at most this many candidates (of any lever) in a portfolio.
        levers: levers to draw candidates from (default all; see ``candidates.LEVERS``).
        objective: a metric with a better direction (``delivered``, ``convictions``, ...).
        replicates: paired replicates of the status quo and of every finalist.
        seed: root seed; replicate k has the same run seed for every portfolio.
        search: "halving" (greedy with successive halving) or "greedy" (lazy greedy).
        first_replicates: halving: replicates of the first rung.
        eta: halving: keep the best 1/eta of the portfolios at each rung.
        start: tick at which generated candidates start (default: the burn-in).
        ticks: horizon override.
        top: portfolios kept in the ranking.
        confirm: rank the ``top`` portfolios of the search on ``replicates`` fresh
            replicates (seeds the search never used), so the winners' intervals are not
            biased by their selection.
        overrides: ``--set`` strings applied to the status quo.
        params: uncertain parameters for robustness, ``NAME=LOW:HIGH`` strings or
            ``{name: (low, high)}`` (as for ``sensitivity``); with ``worlds`` > 0 and
            none given, the scenario's ``[uncertainties]``.
        uncertain: the old name of ``params`` (still accepted).
        worlds: Latin hypercube points for robustness (0: none unless ``params``).
        world_replicates: paired replicates per world.
        robust_top: how many top portfolios the robustness analysis runs.
        ensemble: worlds given instead of a hypercube (a calibrated ensemble,
            :class:`~sim.recommend.robustness.GivenWorlds`); the search runs as given.
        **execution: workers, scheduler, executor, out, resume, progress, command.

    Returns:
        A :class:`Recommendation`.
    """
    ex = Execution(**execution)
    sc = as_scenario(scenario, overrides)
    check_ticks([sc], ticks)
    budget = parse_budget(budget)
    obj = parse_objective(objective)
    levers = parse_levers(levers)
    if search not in SEARCHES:
        raise HarnessError(f"--search: must be one of {', '.join(SEARCHES)}, got {search!r}")
    for name, v, lo in (
        ("--max-agreements", max_agreements, 1),
        ("--replicates", replicates, 2),
        ("--first-replicates", first_replicates, 2),
        ("--eta", eta, 2),
        ("--top", top, 1),
        ("--world-replicates", world_replicates, 1),
        ("--robust-top", robust_top, 1),
        ("--worlds", worlds, 0),
    ):
        if v < lo:
            raise HarnessError(f"{name}: must be at least {lo}, got {v}")
    if params is not None and uncertain is not None:
        raise HarnessError("recommend: give the uncertain parameters once, as params")
    uncertain = params if params is not None else uncertain
    if ensemble is not None and (uncertain or worlds):
        raise HarnessError("--ensemble: the worlds are its sets: drop --param and --worlds")
    worlds = ensemble.n if ensemble is not None else (worlds or (20 if uncertain else 0))
    horizon = ticks or sc.ticks
    cands = enumerate_candidates(sc, levers, start, horizon)
    space = Space([c.total_cost for c in cands], budget, max_agreements)
    if not cands:
        raise HarnessError(
            f"--levers: {sc.name} lacks nothing under {', '.join(levers)} (no candidates)"
        )
    if not space.extensions(()):
        cheapest = min(c.total_cost for c in cands)
        raise HarnessError(
            f"--budget: {budget:,.0f} USD affords no candidate (the cheapest costs "
            f"{cheapest:,.0f} USD over the horizon)"
        )
    robust_spec = ensemble
    if worlds and ensemble is None:
        from sim.recommend.robustness import check_uncertain

        robust_spec = check_uncertain(sc, uncertain, worlds, seed)
    settings = {
        "objective": {"metric": obj.metric, "better": obj.better},
        "budget_usd": budget,
        "max_agreements": max_agreements,
        "levers": levers,
        "replicates": replicates,
        "seed": seed,
        "search": search,
        "first_replicates": first_replicates,
        "eta": eta,
        "confirm": confirm,
        "start": sc.burn_in if start is None else start,
        "ticks": horizon,
        "overrides": list(sc.overrides),
        "cost_rule": "total USD over the horizon: cost per year x weeks in force / 52",
        "uncertain": robust_spec.to_dict() if robust_spec else None,
        "worlds": worlds,
        "world_replicates": world_replicates,
        "robust_top": robust_top,
    }
    done = open_store(ex.out, {**settings, "scenario": sc.data}, ex.resume, ex.force)
    seeds = run_seeds(seed, max(2 * replicates, world_replicates))
    evaluator = PortfolioEvaluator(sc, [c.policy for c in cands], ticks)
    started = now()
    with open_executor(ex.workers, ex.scheduler, ex.executor) as pool:
        ev = Evaluations(
            evaluator, pool, seeds, obj.metric, [c.label for c in cands], ex.out, ex.progress
        )
        if robust_spec:
            ev.worlds = robust_spec.points()
        if done is not None:
            ev.preload(done)
        if search == "greedy":
            chosen, log = lazy_greedy(ev, space, replicates, obj.sign)
        else:
            chosen, log = greedy_halving(
                ev, space, replicates, obj.sign, first=first_replicates, eta=eta
            )
        ev.ensure([()], replicates, what="status quo")
        full = sorted(
            {p for (p, w, k) in ev.cache if p and w == NOMINAL and k == replicates - 1},
            key=lambda p: (len(p), p),
        )
        full = [p for p in full if all((p, NOMINAL, k) in ev.cache for k in range(replicates))]
        weeks = window_weeks(sc, ticks)
        rows = rank_portfolios(ev, full, space, replicates, obj, weeks, seed)
        reps: int | range = replicates
        if confirm and rows:
            # the search's estimates of the portfolios it kept are biased upwards (they
            # won on those very replicates): rank the finalists on fresh ones
            finalists = [_key(ev, r) for r in rows[:top]]
            reps = range(replicates, 2 * replicates)
            ev.ensure(finalists, reps, what=f"confirming {len(finalists)} portfolios")
            searched = {r["portfolio"]: r["benefit"] for r in rows}
            rows = rank_portfolios(ev, finalists, space, reps, obj, weeks, seed)
            for r in rows:
                r["search_benefit"] = searched[r["portfolio"]]
        status_quo = _mean_ci(ev.values((), reps))
        robustness = None
        if robust_spec:
            from sim.recommend.robustness import robustness as robust_fn

            tops = [_key(ev, r) for r in rows[:robust_top]]
            robustness = robust_fn(ev, tops, robust_spec, world_replicates, obj)
    rec = Recommendation(
        sc.name,
        settings,
        cands,
        rows[:top],
        status_quo,
        log.steps,
        len(ev.cache),
        robustness,
        quantity_unit([sc]),
        ex.out,
        frontier(rows),
    )
    if rec.best:
        rec.warnings = [w for w in [regret_warning(rec.best["portfolio"], robustness)] if w]
    if not rec.best:
        rec.note = f"{NO_WINNER} ({obj.metric}, paired 95% intervals)"
    elif chosen and rows[0]["portfolio"] != ev.name(chosen):
        rec.note = (
            f"the search ended with {ev.name(chosen)}; a portfolio it ran on the way ranks higher"
        )
    if ex.out is not None:
        write_outputs(rec, ev, sc, started, ex.command)
    return rec


def _key(ev: Evaluations, row: dict) -> tuple[int, ...]:
    return tuple(sorted(ev.labels.index(c) for c in row["candidates"]))


def _mean_ci(values) -> dict:
    m, lo, hi = mean_ci(values)
    return {"mean": m, "ci_low": lo, "ci_high": hi}


def write_outputs(rec: Recommendation, ev: Evaluations, sc: Scenario, started, command) -> None:
    """recommend.json, summary.csv, runs.parquet, worlds.parquet, manifest.json.

    Figures (``frontier.png``, ``regret.png``): :func:`sim.plotting.write_recommend_figures`.
    """
    out = Path(rec.out)
    write_json(out / "recommend.json", rec.to_dict())
    rec.table().to_csv(out / "summary.csv", index=False)
    ev._write()
    if rec.robustness:
        from sim.harness.outputs import write_parquet
        from sim.recommend.robustness import worlds_frame

        write_parquet(out / "worlds.parquet", worlds_frame(rec.robustness))
    write_json(
        out / "manifest.json",
        {
            "kind": "recommend",
            "command": command if command is not None else list(sys.argv),
            "scenario": sc.name,
            "scenario_path": str(sc.path),
            "settings": {**rec.settings, "scenario": sc.data},
            "root_seed": rec.settings["seed"],
            "run_seeds": ev.seeds,
            "runs_total": rec.runs,
            "runs_done": rec.runs,
            "versions": versions(),
            "git_commit": git_commit(),
            "started": started,
            "finished": now(),
            "state": "finished",
        },
    )


__all__ = ["Objective", "Recommendation", "parse_budget", "parse_objective", "recommend"]
