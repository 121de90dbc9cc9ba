"""Benchmark: the experiment harness's speed-up, overhead, and Mesa's ``batch_run`` side by side.

All on the same runs of the toy scenario (the same seeds), within one run of this
script, so the ratios share the machine's state:

* **model**: the runs as a plain loop of ``TraffickingModel(sc, seed).run()`` in this
  process (no harness at all): the reference for overhead.
* **harness, 1 worker**: ``run_study(workers=1)`` in memory, and again with ``--out``
  (parquet parts, consolidation, summary and figure).
* **harness, 2 workers**: a new process pool (its workers fork from the forkserver,
  which imported the model once per session), and a warm pool passed in as
  ``executor`` (start-up excluded).
* **`xborder run`, 1 and 2 workers**: the command end to end in a subprocess, cold:
  interpreter, imports and forkserver start-up included.
* **machine_2**: the plain loop split in two halves over a warm 2-process pool: what
  this machine itself gives two processes, the ceiling of any speed-up.
* **mesa.batch_run, 2 processes** and **1 process**: the same model class with a
  ``DataCollector`` recording every metric each week (the idiomatic way to get the
  same outputs: weekly series and per-run values), same seeds, same horizon.

Ratios and targets: speed-up of 2 workers over 1 (>= 1.8x), harness overhead per run
(< 5% of model time: a study's wall clock over the sum of its runs' own times), harness
vs ``batch_run`` at equal process counts (>= 3x).

Usage::

    .venv/bin/python benchmarks/bench_harness.py [--runs 24] [--ticks 260] [--repeat 2]
                                                 [--out PATH]

Each configuration runs ``--repeat`` times, in rounds, and keeps its best time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from functools import lru_cache, partial
from pathlib import Path

import numpy as np
from rich import box
from rich.console import Console
from rich.table import Table

from sim.harness import run_study
from sim.harness.executors import _mp_context
from sim.metrics import REGISTRY
from sim.model import TraffickingModel
from sim.rng import run_seeds
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
TARGET_SPEEDUP = 1.8
TARGET_OVERHEAD = 0.05
TARGET_VS_MESA = 3.0
console = Console() if sys.stdout.isatty() else Console(width=100)


class BatchToy(TraffickingModel):
    """The model as ``mesa.batch_run`` wants it: keyword parameters and a DataCollector."""

    def __init__(self, scenario: str, ticks: int, seed: int = 0):
        import mesa

        super().__init__(_scenario(scenario), seed=seed, ticks=ticks)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(this_week, name=name) for name in REGISTRY}
        )

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)


@lru_cache
def _scenario(name: str) -> Scenario:
    return load_scenario(name)


def this_week(model: TraffickingModel, name: str) -> float:
    """A DataCollector reporter: this week's value of one metric."""
    return float(model.series[name][model.tick - 1])


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def model_loop(sc: Scenario, seeds: list[int], ticks: int) -> list[dict]:
    return [TraffickingModel(sc, seed=s, ticks=ticks).run().summary() for s in seeds]


def warm_pool(n: int) -> ProcessPoolExecutor:
    pool = ProcessPoolExecutor(max_workers=n, mp_context=_mp_context())
    list(pool.map(abs, range(n * 4)))  # start the workers (and the forkserver)
    return pool


def mesa_batch(sc: Scenario, seeds: list[int], ticks: int, processes: int) -> list[dict]:
    from mesa.batchrunner import batch_run

    return batch_run(
        BatchToy,
        {"scenario": sc.name, "ticks": ticks},
        number_processes=processes,
        rng=seeds,
        data_collection_period=1,
        max_steps=ticks,
        display_progress=False,
    )


def plain_chunk(seeds: list[int], ticks: int) -> list[float]:
    """The plain model loop on some seeds (the machine's own scaling, no harness)."""
    sc = _scenario("toy_corridor")
    return [TraffickingModel(sc, seed=s, ticks=ticks).run().summary()["delivered"] for s in seeds]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=16, help="runs of the toy scenario (16)")
    ap.add_argument("--ticks", type=int, default=260, help="weeks per run (260)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3, help="rounds; best time kept (3)")
    ap.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench" / "harness.json")
    args = ap.parse_args(argv)
    sc = load_scenario("toy_corridor")
    seeds = run_seeds(args.seed, args.runs)
    n, ticks = args.runs, args.ticks
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    t0 = time.perf_counter()
    t: dict[str, float] = {}
    out: dict[str, object] = {}
    within: dict[str, float] = {}  # study wall / sum of its runs' own seconds - 1
    pool = warm_pool(2)

    def with_out():
        with tempfile.TemporaryDirectory() as tmp:
            return run_study(sc, n, args.seed, ticks=ticks, workers=1, out=Path(tmp) / "s")

    def cli(workers: int):
        cmd = [sys.executable, "-m", "sim.cli", "run", "toy_corridor", "-r", str(n)]
        cmd += ["--seed", str(args.seed), "--ticks", str(ticks), "--format", "json"]
        cmd += ["--workers", str(workers)]
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True).stdout

    configs = {
        "model": lambda: model_loop(sc, seeds, ticks),
        "machine_2": lambda: list(pool.map(plain_chunk, [seeds[0::2], seeds[1::2]], [ticks] * 2)),
        "harness_1": lambda: run_study(sc, n, args.seed, ticks=ticks, workers=1),
        "harness_1_out": with_out,
        "harness_2": lambda: run_study(sc, n, args.seed, ticks=ticks, workers=2),
        "harness_2_warm": lambda: run_study(sc, n, args.seed, ticks=ticks, executor=pool),
        "cli_1": lambda: cli(1),
        "cli_2": lambda: cli(2),
        "mesa_2": lambda: mesa_batch(sc, seeds, ticks, 2),
        "mesa_1": lambda: mesa_batch(sc, seeds, ticks, 1),
    }
    model_loop(sc, seeds[:1], ticks)  # warm caches and imports
    try:
        # Rounds through every configuration; each keeps its best time, so a burst of
        # load from other processes spoils one round, not the ratios.
        for k in range(args.repeat):
            for name, fn in configs.items():
                with console.status(f"round {k + 1}/{args.repeat}: {name} ..."):
                    dt, res = timed(fn)
                t[name] = min(t.get(name, dt), dt)
                out.setdefault(name, res)
                if name in ("harness_1", "harness_1_out"):
                    w = dt / float(res.runs["seconds"].sum()) - 1.0
                    within[name] = min(within.get(name, w), w)
    finally:
        pool.shutdown()
    summaries, s1, s2, rows = out["model"], out["harness_1"], out["harness_2"], out["mesa_2"]

    # the same runs: harness results equal the plain loop's and batch_run's last week
    same_model = all(
        np.allclose(s1.runs[k].to_numpy(), [d[k] for d in summaries], equal_nan=True)
        for k in ("delivered", "seized", "interdiction_rate")
    )
    last = {r["RunId"]: r for r in rows if r["Step"] == ticks}
    ts = s2.timeseries
    mesa_last = [last[i]["delivered"] for i in range(n)]
    ours_last = ts[ts["tick"] == ticks - 1].sort_values("run")["delivered"].tolist()
    same_mesa = np.allclose(mesa_last, ours_last)
    same_cli = out["cli_1"] == out["cli_2"]

    res = {
        "machine_scaling_2_processes": t["model"] / t["machine_2"],
        "speedup_2_over_1": t["harness_1"] / t["harness_2"],
        "speedup_2_over_1_warm": t["harness_1"] / t["harness_2_warm"],
        "speedup_2_over_1_cli": t["cli_1"] / t["cli_2"],
        "overhead_per_run": within["harness_1"],
        "overhead_per_run_with_out": within["harness_1_out"],
        "overhead_vs_plain_loop": t["harness_1"] / t["model"] - 1.0,
        "vs_mesa_2_processes": t["mesa_2"] / t["harness_2"],
        "vs_mesa_2_processes_warm": t["mesa_2"] / t["harness_2_warm"],
        "vs_mesa_default_1_process": t["mesa_1"] / t["harness_2"],
        "vs_mesa_2_processes_cli": t["mesa_2"] / t["cli_2"],
    }

    tab = Table(
        title=f"harness on {n} runs of toy_corridor x {ticks} weeks, best of {args.repeat}",
        box=box.SIMPLE_HEAD,
    )
    tab.add_column("what")
    tab.add_column("seconds", justify="right")
    tab.add_column("s/run", justify="right")
    for k, v in t.items():
        tab.add_row(k, f"{v:.2f}", f"{v / n:.3f}")
    console.print(tab)

    def verdict(ok: bool) -> str:
        return "[green]PASS[/]" if ok else "[red]MISS[/]"

    console.print(
        f"speed-up, 2 workers over 1: [bold]{res['speedup_2_over_1']:.2f}x[/] with a new "
        f"pool; warm pool {res['speedup_2_over_1_warm']:.2f}x; `xborder run` end to end "
        f"{res['speedup_2_over_1_cli']:.2f}x; this machine's own 2-process scaling (plain "
        f"loop, static split) {res['machine_scaling_2_processes']:.2f}x. Target >= "
        f"{TARGET_SPEEDUP}x (warm) {verdict(res['speedup_2_over_1_warm'] >= TARGET_SPEEDUP)}\n"
        f"harness overhead per run: [bold]{res['overhead_per_run']:.1%}[/] of model time "
        f"(study wall clock over its runs' own time; with --out, figure included "
        f"{res['overhead_per_run_with_out']:.1%}; against a separate plain loop "
        f"{res['overhead_vs_plain_loop']:+.1%}), target < {TARGET_OVERHEAD:.0%} "
        f"{verdict(res['overhead_per_run'] < TARGET_OVERHEAD)}\n"
        f"vs mesa.batch_run at 2 processes: [bold]{res['vs_mesa_2_processes']:.2f}x[/] as fast "
        f"(warm pool {res['vs_mesa_2_processes_warm']:.2f}x; `xborder run` end to end "
        f"{res['vs_mesa_2_processes_cli']:.2f}x; vs batch_run's default of one process "
        f"{res['vs_mesa_default_1_process']:.2f}x), target >= {TARGET_VS_MESA}x "
        f"{verdict(res['vs_mesa_2_processes'] >= TARGET_VS_MESA)}\n"
        f"same runs: harness = plain model loop {same_model}; = batch_run {same_mesa}; "
        f"CLI JSON with 1 and 2 workers identical {same_cli}"
    )
    if load is not None and load >= (os.cpu_count() or 1) * 0.5:
        console.print(f"[yellow]note:[/] load average {load:.1f} before the run: times are noisy")
    doc = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "load_avg_1m": load,
        "load_avg_1m_after": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "runs": n,
        "ticks": ticks,
        "repeat": args.repeat,
        "wall_s": round(time.perf_counter() - t0, 1),
        "seconds": t,
        "ratios": res,
        "targets": {
            "speedup": TARGET_SPEEDUP,
            "overhead": TARGET_OVERHEAD,
            "vs_mesa": TARGET_VS_MESA,
        },
        "same_runs": {
            "model_loop": bool(same_model),
            "mesa_batch_run": bool(same_mesa),
            "cli_1_vs_2_workers": bool(same_cli),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    console.print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
