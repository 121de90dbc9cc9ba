"""Runs, evaluators and the loop that hands batches of runs to an executor.

A study is a list of :class:`Run` (run id, scenario, design point, replicate, seed).
Runs are batched into tasks; each task calls an *evaluator* on its runs in a worker
and returns :class:`RunResult` objects. The default evaluator runs the model
(:class:`ModelEvaluator`); :class:`FunctionEvaluator` plugs any function in, so known
answers (the Ishigami function) travel the very same path. A run that raises is
recorded with its error; results are ordered by run id, never by completion, so they
are the same whatever the executor and the number of workers.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from dataclasses import dataclass, field

import numpy as np

from sim.harness.executors import StudyStopped, open_executor
from sim.rng import run_seeds
from sim.scenario import Scenario


@dataclass(frozen=True)
class Run:
    """One run of a study.

    Attributes:
        run_id: position in the study (0..n-1); outputs are ordered by it.
        scenario: label of the scenario (the arm of a comparison).
        replicate: replicate index; replicate k has the same seed in every arm and point.
        seed: the run seed (spawned from the study's root seed).
        point: design point index (sensitivity analysis; 0 otherwise).
        params: parameter values of the design point, as (name, value) pairs.
    """

    run_id: int
    scenario: str
    replicate: int
    seed: int
    point: int = 0
    params: tuple[tuple[str, float], ...] = ()


@dataclass
class RunResult:
    """The outcome of one run.

    Attributes:
        scenario: scenario label.
        replicate: replicate index within the study.
        seed: the run seed.
        summary: metric -> post-burn-in summary.
        series: metric -> weekly values (length = ticks).
        records: event tables of the run, ``{name: [flat dict records]}``.
        state_flow: (ticks, states) quantity arriving in each state per week (optional).
        status: "ok" or "error"; ``error`` holds the one-line message of a failed run.
        traceback: the failed run's traceback.
        conserved: whether produced == delivered + seized + in flight + stock held exactly.
        run_id, point, params: as in :class:`Run`.
        seconds: wall-clock seconds the run took in its worker.
    """

    scenario: str
    replicate: int
    seed: int
    summary: dict[str, float] = field(default_factory=dict)
    series: dict[str, np.ndarray] = field(default_factory=dict)
    records: dict[str, list[dict]] = field(default_factory=dict)
    state_flow: np.ndarray | None = None
    state_seized: np.ndarray | None = None
    leg_flow: np.ndarray | None = None
    status: str = "ok"
    error: str = ""
    traceback: str = ""
    conserved: bool = True
    run_id: int = 0
    point: int = 0
    params: tuple[tuple[str, float], ...] = ()
    seconds: float = 0.0


def _value_text(v) -> str:
    """A ``--set`` value in TOML syntax (whole numbers stay whole)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | np.integer):
        return str(int(v))
    return repr(float(v))


@dataclass
class ModelEvaluator:
    """Run the model: the scenario of the run's arm, with the design point applied.

    Args:
        scenarios: arm label -> Scenario.
        ticks: horizon override.
        series: keep the weekly series (for timeseries.parquet).
        flows: keep per-state and per-leg flows (validation checks).
    """

    scenarios: dict[str, Scenario]
    ticks: int | None = None
    series: bool = True
    flows: bool = False

    def __call__(self, run: Run) -> RunResult:
        """Run the model once and return its result (exceptions propagate)."""
        from sim.model import TraffickingModel

        sc = self.scenarios[run.scenario]
        if run.params:
            sc = sc.with_overrides([f"{k}={_value_text(v)}" for k, v in run.params])
        m = TraffickingModel(sc, seed=run.seed, ticks=self.ticks).run()
        res = RunResult(
            run.scenario,
            run.replicate,
            run.seed,
            summary=m.summary(),
            records=m.records(),
            conserved=m.conserved,
        )
        if self.series:
            res.series = {k: v.copy() for k, v in m.series.items()}
        if self.flows:
            res.state_flow, res.state_seized, res.leg_flow = (
                m.state_flow,
                m.state_seized,
                m.leg_flow,
            )
        return res

    def describe(self) -> dict:
        """What the evaluator is, for the manifest and resume checks."""
        return {"evaluator": "model", "ticks": self.ticks}


@dataclass
class FunctionEvaluator:
    """Evaluate ``func(params, seed) -> {metric: value}`` instead of the model.

    ``func`` must be importable by the workers (a module-level function), since tasks
    are pickled to other processes.
    """

    func: Callable[[dict[str, float], int], dict[str, float]]

    def __call__(self, run: Run) -> RunResult:
        """Evaluate the function at the run's design point."""
        out = self.func(dict(run.params), run.seed)
        return RunResult(
            run.scenario, run.replicate, run.seed, summary={k: float(v) for k, v in out.items()}
        )

    def describe(self) -> dict:
        """What the evaluator is, for the manifest and resume checks."""
        return {"evaluator": f"{self.func.__module__}.{self.func.__qualname__}"}


def describe_evaluator(evaluator) -> dict:
    """An evaluator's ``describe()``, or its qualified name (any callable can evaluate)."""
    if hasattr(evaluator, "describe"):
        return evaluator.describe()
    kind = (
        evaluator if callable(evaluator) and hasattr(evaluator, "__qualname__") else type(evaluator)
    )
    return {"evaluator": f"{kind.__module__}.{kind.__qualname__}"}


def run_batch(evaluator, runs: list[Run]) -> list[RunResult]:
    """Evaluate a batch of runs in a worker; an exception is recorded in its run's result."""
    out = []
    for run in runs:
        t0 = time.perf_counter()
        try:
            res = evaluator(run)
        except Exception as e:  # a crashing run is recorded, not fatal
            first = str(e).splitlines()[0] if str(e) else ""
            res = RunResult(
                run.scenario,
                run.replicate,
                run.seed,
                status="error",
                error=f"{type(e).__name__}: {first}".rstrip(": "),
                traceback=traceback.format_exc(limit=8),
            )
        res.run_id, res.point, res.params = run.run_id, run.point, run.params
        res.seconds = time.perf_counter() - t0
        out.append(res)
    return out


MAX_BATCH = 50


def batch_size(remaining: int, slots: int, size: int | None = None) -> int:
    """Runs in the next task (guided schedule), or ``size`` when given.

    A quarter of each slot's share of the runs still to hand out, 1..50: large tasks
    while much is left (little per-task overhead, e.g. on a cluster), single runs at
    the end so no worker idles while another finishes a big batch.
    """
    if size:
        return max(1, int(size))
    return max(1, min(MAX_BATCH, remaining // (4 * max(slots, 1))))


def execute(
    runs: list[Run],
    evaluator,
    executor: Executor,
    slots: int,
    on_batch: Callable[[list[RunResult]], None],
    size: int | None = None,
) -> None:
    """Hand ``runs`` to ``executor`` in batches; call ``on_batch`` as each one finishes.

    At most two tasks per slot are queued at a time, so an interrupted study loses
    little queued work. Batches finishing together are handled in run-id order.

    Raises:
        StudyStopped: the executor failed (a worker died, the cluster went away).
        KeyboardInterrupt: passed through after cancelling queued tasks.
    """
    window = 1 if slots <= 1 else 2 * slots
    pending: dict = {}
    start = 0

    def submit_next() -> None:
        nonlocal start
        if start < len(runs):
            b = runs[start : start + batch_size(len(runs) - start, slots, size)]
            start += len(b)
            pending[executor.submit(run_batch, evaluator, b)] = b[0].run_id

    try:
        for _ in range(window):
            submit_next()
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=pending.get):
                pending.pop(fut)
                try:
                    results = fut.result()
                except Exception as e:
                    hint = (
                        " (a worker process died; in a script, start studies under "
                        "`if __name__ == '__main__':` so workers can import it)"
                        if type(e).__name__ == "BrokenProcessPool"
                        else ""
                    )
                    raise StudyStopped(f"{type(e).__name__}: {e}{hint}".strip()) from e
                on_batch(results)
                submit_next()
    finally:
        for fut in pending:
            fut.cancel()


def run_one(
    scenario: Scenario, seed: int, replicate: int = 0, ticks: int | None = None
) -> RunResult:
    """Run one replicate with flows kept; an exception is recorded in the result."""
    ev = ModelEvaluator({scenario.name: scenario}, ticks=ticks, flows=True)
    return run_batch(ev, [Run(replicate, scenario.name, replicate, seed)])[0]


def run_replicates(
    scenario: Scenario,
    replicates: int,
    seed: int = 0,
    ticks: int | None = None,
    workers: int | None = None,
    progress: Callable[[RunResult], None] | None = None,
    scheduler: str | None = None,
) -> list[RunResult]:
    """Run ``replicates`` seeded runs of ``scenario`` in memory, in replicate order.

    The light-weight path for validation checks: results keep their per-state and
    per-leg flows, nothing is written. Studies with outputs use ``run_study``.

    Args:
        scenario: a loaded Scenario.
        replicates: number of runs.
        seed: root seed; run seeds are spawned from it (``sim.rng.run_seeds``).
        ticks: horizon override.
        workers: processes (default: available cores; 1 runs serially in-process).
        progress: called with each finished RunResult (for progress bars).
        scheduler: a Dask scheduler address instead of the local pool.
    """
    runs = [Run(i, scenario.name, i, s) for i, s in enumerate(run_seeds(seed, replicates))]
    ev = ModelEvaluator({scenario.name: scenario}, ticks=ticks, flows=True)
    results: list[RunResult] = []

    def keep(batch):
        results.extend(batch)
        for r in batch:
            if progress:
                progress(r)

    with open_executor(workers, scheduler, tasks=len(runs)) as pool:
        execute(runs, ev, pool.executor, pool.slots, keep)
    return sorted(results, key=lambda r: r.run_id)


def summarize_runs(results: list[RunResult]) -> dict[str, dict[str, float]]:
    """Metric -> {mean, ci_low, ci_high} across the successful runs."""
    from sim.harness.stats import summarize_values

    ok = [r for r in results if r.status == "ok"]
    names = list(ok[0].summary) if ok else []
    return {name: summarize_values([r.summary[name] for r in ok], name) for name in names}


__all__ = [
    "FunctionEvaluator",
    "ModelEvaluator",
    "Run",
    "RunResult",
    "StudyStopped",
    "execute",
    "run_batch",
    "run_one",
    "run_replicates",
    "summarize_runs",
]
