"""Run replicates of a scenario: one seed per run spawned from the root seed.

Runs are independent, so a process pool gives the same numbers as a serial loop;
results are always returned in replicate order.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np

from sim.rng import run_seeds
from sim.scenario import Scenario


@dataclass
class RunResult:
    """The outcome of one run.

    Attributes:
        scenario: scenario name.
        replicate: replicate index within the study.
        seed: the run seed.
        summary: metric -> post-burn-in summary.
        series: metric -> weekly values (length = ticks).
        state_flow: (ticks, states) quantity arriving in each state per week.
        status: "ok" or "error"; ``error`` holds the message of a failed run.
        conserved: whether produced == delivered + seized + in flight held exactly.
    """

    scenario: str
    replicate: int
    seed: int
    summary: dict[str, float] = field(default_factory=dict)
    series: dict[str, np.ndarray] = field(default_factory=dict)
    state_flow: np.ndarray | None = None
    state_seized: np.ndarray | None = None
    leg_flow: np.ndarray | None = None
    status: str = "ok"
    error: str = ""
    conserved: bool = True


def run_one(
    scenario: Scenario, seed: int, replicate: int = 0, ticks: int | None = None
) -> RunResult:
    """Run one replicate; an exception is recorded in the result, never raised."""
    from sim.model import TraffickingModel

    try:
        m = TraffickingModel(scenario, seed=seed, ticks=ticks).run()
        return RunResult(
            scenario=scenario.name,
            replicate=replicate,
            seed=seed,
            summary=m.summary(),
            series={k: v.copy() for k, v in m.series.items()},
            state_flow=m.state_flow,
            state_seized=m.state_seized,
            leg_flow=m.leg_flow,
            conserved=m.total_produced == m.total_delivered + m.total_seized + m.in_flight,
        )
    except Exception as e:  # a crashing run is recorded, not fatal
        return RunResult(
            scenario=scenario.name,
            replicate=replicate,
            seed=seed,
            status="error",
            error=f"{type(e).__name__}: {e} | {traceback.format_exc(limit=3)}",
        )


def _run_batch(scenario: Scenario, jobs: list[tuple[int, int]], ticks) -> list[RunResult]:
    return [run_one(scenario, seed, rep, ticks) for rep, seed in jobs]


def _mp_context():
    """Forkserver with the model preloaded: safe with threads, and workers start fast."""
    import multiprocessing as mp

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["sim.model"])
    return ctx


def default_workers() -> int:
    """Worker processes by default: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        return os.cpu_count() or 1


def run_replicates(
    scenario: Scenario,
    replicates: int,
    seed: int = 0,
    ticks: int | None = None,
    workers: int | None = None,
    progress: Callable[[RunResult], None] | None = None,
) -> list[RunResult]:
    """Run ``replicates`` seeded runs of ``scenario`` and return them in replicate order.

    Args:
        scenario: a loaded Scenario.
        replicates: number of runs.
        seed: root seed; run seeds are spawned from it (``sim.rng.run_seeds``).
        ticks: horizon override.
        workers: processes (default: available cores; 1 runs serially in-process).
        progress: called with each finished RunResult (for progress bars).
    """
    seeds = run_seeds(seed, replicates)
    jobs = list(enumerate(seeds))
    workers = min(workers or default_workers(), replicates)
    results: list[RunResult] = []
    if workers <= 1:
        for rep, s in jobs:
            r = run_one(scenario, s, rep, ticks)
            results.append(r)
            if progress:
                progress(r)
    else:
        # batches of a few runs keep the per-task overhead small
        size = max(1, min(8, replicates // (4 * workers)))
        batches = [jobs[i : i + size] for i in range(0, len(jobs), size)]
        with ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context()) as pool:
            futs = [pool.submit(_run_batch, scenario, b, ticks) for b in batches]
            for fut in as_completed(futs):
                for r in fut.result():
                    results.append(r)
                    if progress:
                        progress(r)
    return sorted(results, key=lambda r: r.replicate)


def summarize_runs(results: list[RunResult]) -> dict[str, dict[str, float]]:
    """Metric -> {mean, ci_low, ci_high} across the successful runs."""
    from sim.harness.stats import mean_ci

    ok = [r for r in results if r.status == "ok"]
    names = list(ok[0].summary) if ok else []
    out = {}
    for name in names:
        m, lo, hi = mean_ci([r.summary[name] for r in ok])
        # every registered metric is a count, share or amount: never below zero
        out[name] = {"mean": m, "ci_low": max(lo, 0.0) if lo == lo else lo, "ci_high": hi}
    return out
