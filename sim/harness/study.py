"""Studies: seeded runs of one or more scenarios, on any executor, with durable outputs.

:func:`conduct` is the one driver under ``run_study``, ``compare`` and
``sensitivity``: it opens the output directory (resuming if asked), skips the runs
already finished, hands the rest to the executor in batches, writes each finished
batch as it lands, and consolidates the outputs at the end, also when interrupted.
"""

from __future__ import annotations

import sys
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.harness.executors import HarnessError, StudyStopped, open_executor
from sim.harness.outputs import (
    batch_frames,
    git_commit,
    metric_names,
    now,
    order_runs,
    quantity_unit,
    sort_table,
    versions,
)
from sim.harness.progress import progress_bar
from sim.harness.runner import ModelEvaluator, Run, describe_evaluator, execute
from sim.harness.stats import summarize_values
from sim.harness.store import Store
from sim.metrics import REGISTRY
from sim.rng import run_seeds
from sim.scenario import Scenario, load_scenario


@dataclass
class Execution:
    """How and where a study runs.

    Attributes:
        workers: local processes (default: available cores; 1: serial, in-process).
        scheduler: Dask scheduler address ``tcp://HOST:PORT`` (instead of the pool).
        executor: an Executor you manage (reused across studies; wins over both).
        out: output directory (None: results only in memory).
        resume: finish the interrupted study in ``out`` instead of refusing it.
        force: replace a study in ``out`` whose settings differ (or that is unfinished).
        progress: draw a progress bar on stderr (when it is a terminal).
        batch_size: runs per task (default: guided, 1-50 runs, smaller towards the end).
        command: the command line recorded in the manifest (default: ``sys.argv``).
    """

    workers: int | None = None
    scheduler: str | None = None
    executor: Executor | None = None
    out: Path | None = None
    resume: bool = False
    force: bool = False
    progress: bool = False
    batch_size: int | None = None
    command: list[str] | None = None


@dataclass
class StudyData:
    """What a study produced.

    Attributes:
        runs: one row per run (identifiers, status, error, parameters, summary metrics).
        timeseries: one row per run and week (None when series were not kept).
        tables: event tables of the runs (``TraffickingModel.records()``), by name.
        manifest: the manifest (settings, seeds, provenance, status counts).
        state: "finished", "interrupted" or "stopped".
        out: the output directory, if any.
    """

    runs: pd.DataFrame
    timeseries: pd.DataFrame | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    state: str = "finished"
    out: Path | None = None

    @property
    def failed(self) -> pd.DataFrame:
        """The runs that raised, with their errors."""
        if self.runs.empty:
            return self.runs
        return self.runs[self.runs["status"] != "ok"]

    @property
    def metrics(self) -> list[str]:
        """Metric columns of ``runs``."""
        return metric_names(self.runs)


def base_manifest(kind: str, scenarios: dict[str, Scenario], seed: int, seeds, n_runs: int):
    """The manifest fields every study records."""
    first = next(iter(scenarios.values()), None)
    return {
        "kind": kind,
        "scenario": first.name if first else None,
        "scenario_path": str(first.path) if first else None,
        "overrides": first.overrides if first else [],
        "resolved_scenario": first.data if first else None,
        "scenarios": {
            k: {"path": str(sc.path), "overrides": sc.overrides} for k, sc in scenarios.items()
        },
        "root_seed": seed,
        "run_seeds": list(seeds),
        "runs_total": n_runs,
        "versions": versions(),
        "git_commit": git_commit(),
    }


def conduct(
    runs: list[Run],
    evaluator,
    settings: dict,
    manifest: dict,
    ex: Execution,
    description: str,
    overrides: dict[str, list[str]] | None = None,
) -> StudyData:
    """Run ``runs`` (those not already finished in ``ex.out``) and gather every result.

    Raises:
        HarnessError: bad settings for the output directory (exit code 2 in the CLI).
        StudyStopped: the executor failed; finished runs are kept for ``--resume``.
        KeyboardInterrupt: after saving the finished runs.
    """
    manifest = {
        **manifest,
        "command": ex.command if ex.command is not None else list(sys.argv),
        "settings": settings,
        "started": now(),
    }
    store = Store(ex.out) if ex.out is not None else None
    done = store.start(manifest, ex.resume, ex.force) if store else pd.DataFrame()
    done_ids = set(done["run"]) if len(done) else set()
    todo = [r for r in runs if r.run_id not in done_ids]
    mem_runs: list[pd.DataFrame] = []
    mem_ts: list[pd.DataFrame] = []
    mem_tables: dict[str, list[pd.DataFrame]] = {}
    state = "stopped"
    with progress_bar(len(runs), description, len(runs) - len(todo), ex.progress) as advance:

        def on_batch(results) -> None:
            frames = batch_frames(results, overrides)
            if store:
                store.add_batch(*frames)
            else:
                mem_runs.append(frames[0])
                if frames[1] is not None:
                    mem_ts.append(frames[1])
                for k, v in frames[2].items():
                    mem_tables.setdefault(k, []).append(v)
            advance(len(results))

        try:
            if todo:
                with open_executor(ex.workers, ex.scheduler, ex.executor, tasks=len(todo)) as pool:
                    execute(todo, evaluator, pool.executor, pool.slots, on_batch, ex.batch_size)
            state = "finished"
        except KeyboardInterrupt:
            state = "interrupted"
            raise
        finally:
            if store:
                data = store.finish(state)
                out = StudyData(
                    data["runs"], data["timeseries"], data["tables"], store.manifest, state, ex.out
                )
    if store:
        return out
    runs_df = order_runs(pd.concat(mem_runs, ignore_index=True)) if mem_runs else pd.DataFrame()
    ts = sort_table(pd.concat(mem_ts, ignore_index=True), by_tick=True) if mem_ts else None
    tables = {k: sort_table(pd.concat(v, ignore_index=True)) for k, v in mem_tables.items()}
    ok = int((runs_df["status"] == "ok").sum()) if len(runs_df) else 0
    manifest.update({"state": state, "status": {"ok": ok, "error": len(runs_df) - ok}})
    return StudyData(runs_df, ts, tables, manifest, state, None)


# ------------------------------------------------------------------------ run studies
@dataclass
class Study(StudyData):
    """Replicates of one scenario (``run_study``).

    Attributes:
        scenario: the scenario's name.
        replicates: runs asked for.
        seed: the root seed.
        unit: the quantity unit of the scenario (kg, firearms).
    """

    scenario: str = ""
    replicates: int = 0
    seed: int = 0
    unit: str = "kg"

    def summary(self) -> pd.DataFrame:
        """Per metric: mean and 95% interval across the successful runs, with its unit."""
        ok = self.runs[self.runs["status"] == "ok"] if len(self.runs) else self.runs
        rows = []
        for name in self.metrics:
            s = summarize_values(ok[name].to_numpy(dtype=float) if len(ok) else [], name)
            unit = REGISTRY[name].unit.format(q=self.unit) if name in REGISTRY else ""
            rows.append({"metric": name, **s, "unit": unit})
        return pd.DataFrame(rows, columns=["metric", "mean", "ci_low", "ci_high", "unit"])

    def to_dict(self) -> dict:
        """The JSON document of ``xborder run --format json``."""
        metrics = {
            r["metric"]: {k: r[k] for k in ("mean", "ci_low", "ci_high", "unit")}
            for r in self.summary().to_dict("records")
        }
        return {
            "scenario": self.scenario,
            "replicates": self.replicates,
            "seed": self.seed,
            "metrics": metrics,
        }


def as_scenario(scenario: Scenario | str | Path, overrides: list[str] | None = None) -> Scenario:
    """A Scenario from a Scenario, a file or a shipped name, with ``--set`` overrides."""
    if isinstance(scenario, Scenario):
        return scenario.with_overrides(list(overrides)) if overrides else scenario
    return load_scenario(scenario, list(overrides or []))


def check_ticks(scenarios, ticks: int | None) -> None:
    """``--ticks`` must leave weeks after every scenario's burn-in."""
    for sc in scenarios:
        if ticks is not None and ticks <= sc.burn_in:
            raise HarnessError(
                f"{sc.path}: --ticks: must be larger than burn_in ({sc.burn_in}), got {ticks}"
            )


def run_study(
    scenario: Scenario | str | Path,
    replicates: int = 10,
    seed: int = 0,
    *,
    overrides: list[str] | None = None,
    ticks: int | None = None,
    evaluator=None,
    **execution,
) -> Study:
    """Run seeded replicates of a scenario; results ordered by replicate.

    Args:
        scenario: a Scenario, a scenario file, or a shipped scenario's name.
        replicates: number of runs; their seeds are spawned from ``seed``.
        seed: the root seed.
        overrides: ``--set`` style ``NAME=VALUE`` strings.
        ticks: horizon override.
        evaluator: what a run computes (default: the model; see ``FunctionEvaluator``).
        **execution: fields of :class:`Execution` (workers, scheduler, executor, out,
            resume, progress, batch_size, command).

    Returns:
        A :class:`Study`: ``.runs``, ``.timeseries``, ``.tables``, ``.summary()``,
        ``.to_dict()``, ``.failed``.
    """
    ex = Execution(**execution)
    sc = as_scenario(scenario, overrides)
    check_ticks([sc], ticks)
    if replicates < 1:
        raise HarnessError(f"--replicates: must be at least 1, got {replicates}")
    seeds = run_seeds(seed, replicates)
    runs = [Run(i, sc.name, i, s) for i, s in enumerate(seeds)]
    ev = evaluator or ModelEvaluator({sc.name: sc}, ticks=ticks)
    settings = {
        "kind": "run",
        "scenarios": {sc.name: sc.data},
        "replicates": replicates,
        "root_seed": seed,
        "ticks": ticks,
        **describe_evaluator(ev),
    }
    manifest = base_manifest("run", {sc.name: sc}, seed, seeds, len(runs))
    data = conduct(runs, ev, settings, manifest, ex, sc.name, {sc.name: sc.overrides})
    study = Study(**vars(data), scenario=sc.name, replicates=replicates, seed=seed)
    study.unit = quantity_unit([sc])
    if ex.out is not None and data.state == "finished":
        write_run_outputs(study)
    return study


def write_run_outputs(study: Study) -> None:
    """summary.csv of a finished run study (figures: :func:`sim.plotting.write_run_figures`)."""
    study.summary().to_csv(Path(study.out) / "summary.csv", index=False)


@dataclass
class Replay:
    """One replicate of a study run once more, with the arrays a study does not keep.

    Attributes:
        replicate: the replicate's number.
        world: the scenario's world (states, locations, legs).
        result: the run, with ``leg_flow``, ``state_flow`` and ``state_seized`` per week.
    """

    replicate: int
    world: object
    result: object


def replay_first(study: StudyData, sc: Scenario, ticks: int | None = None) -> Replay | None:
    """The first successful replicate of a model study, run again with its seed.

    Studies keep no per-leg or per-state arrays; the corridor map and the
    displacement figure (:func:`sim.plotting.write_run_figures`) need them, so the
    first replicate is run once more (identical numbers, about one extra run).
    None when the study did not run the model or no run succeeded.
    """
    ok = study.runs[study.runs["status"] == "ok"] if len(study.runs) else study.runs
    if study.manifest.get("settings", {}).get("evaluator") != "model" or ok.empty:
        return None
    from sim.harness.runner import run_one
    from sim.world import build_world

    first = ok.sort_values("replicate").iloc[0]
    rep, seed = int(first["replicate"]), int(first["seed"])
    r = run_one(sc, seed, rep, ticks)
    if r.status != "ok" or r.state_flow is None:
        return None
    return Replay(rep, build_world(sc), r)


__all__ = [
    "Execution",
    "Replay",
    "Study",
    "StudyData",
    "StudyStopped",
    "conduct",
    "replay_first",
    "run_study",
]
