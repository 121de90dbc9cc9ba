"""Benchmark: milliseconds per tick of TraffickingModel, and how it scales with shipments.

Rows:

* the shipped scenarios ``central_america_cocaine`` (skipped with a note when the file
  is missing or does not load) and ``toy_corridor``: warm up, then time the rest of
  the scenario's horizon (policies that start late are included);
* a synthetic layered corridor (:mod:`synthetic`) with production scaled so that about
  1k, 10k and 100k shipments are in flight at steady state, organisations fixed and
  shipment size pinned, so the rows measure the cost per shipment.

For each row: mean and median wall ms/tick over the timed ticks (the mean includes the
adaptation ticks, every ``adapt_period``-th; the median mostly does not), mean CPU
ms/tick of this thread, mean ms of the adaptation ticks, minor page faults per tick,
shipments in flight (mean of ``len(model.shipments)`` after each timed tick) and ns per
shipment per tick (mean ms/tick / in flight). The log-log least-squares slope of mean
ms/tick against in flight over the synthetic rows is compared with the targets:
slope <= 1.1 and <= 20 ms/tick at 100k in flight.

Usage::

    .venv/bin/python benchmarks/bench_tick.py [--profile] [--ticks N] [--warmup N]
                                              [--malloc-top-pad MB] [--out PATH]

Writes ``outputs/bench/results.json`` (machine info, settings, rows, slopes) and prints
its path. ``--profile`` adds a cProfile of the 100k row (top 15 by cumulative time, then
by own time). ``--malloc-top-pad 64`` measures the model with glibc keeping freed heap
(see :func:`malloc_top_pad`). The whole run takes well under a minute.
"""

from __future__ import annotations

import argparse
import cProfile
import ctypes
import ctypes.util
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import sysconfig
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from rich import box
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from sim.harness.executors import keep_freed_heap  # noqa: E402
from sim.model import TraffickingModel  # noqa: E402
from sim.resources import shipped  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402

keep_freed_heap()  # as a study's workers do (the model itself tunes nothing at import)

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_FILES = ("central_america_cocaine", "toy_corridor")
SCALES = (1_000, 10_000, 100_000)
TARGET_SLOPE = 1.1
TARGET_MS_100K = 20.0
#: Wall-clock cap on the timed ticks of one row (the row reports how many it timed).
ROW_BUDGET_S = 20.0

#: Piped output (``make bench | tee``) gets a fixed width so the table does not wrap.
console = Console() if sys.stdout.isatty() else Console(width=100)


# ----------------------------------------------------------------------------- timing
def _minor_faults() -> int:
    """Minor page faults of this process so far (0 where unavailable)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt if resource else 0


def malloc_top_pad(mb: int) -> bool:
    """Ask glibc malloc to keep ``mb`` MiB of freed heap (``mallopt(M_TOP_PAD)``).

    Large numpy temporaries are then reused instead of being returned to the OS and
    page-faulted in again every tick. Returns False where this is not glibc.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(-2, int(mb) << 20))  # -2: M_TOP_PAD
    except (OSError, AttributeError):
        return False


def time_ticks(model: TraffickingModel, warmup: int, n: int) -> dict:
    """Step ``warmup`` ticks, then time ``n`` ticks one by one with ``perf_counter``.

    Args:
        model: a fresh model whose horizon covers ``warmup + n`` ticks.
        warmup: untimed ticks first (shipments fill the pipeline, beliefs settle).
        n: ticks to time (stops early past :data:`ROW_BUDGET_S` seconds).

    Returns:
        A row: mean / median / min / max wall ms per tick, mean CPU ms of this thread
        (``thread_time``: less disturbed by other processes on a busy machine), mean
        ms of adaptation ticks, minor page faults per tick, shipments in flight (mean
        after each timed tick), ns per shipment per tick.
    """
    for _ in range(warmup):
        model.step()
    period = int(model.params["adapt_period"])
    dt, cpu, flight, adapt = [], [], [], []
    faults0 = _minor_faults()
    start = time.perf_counter()
    for _ in range(n):
        t = model.tick
        c0 = time.thread_time()
        t0 = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        cpu.append(time.thread_time() - c0)
        dt.append(t1 - t0)
        flight.append(len(model.shipments))
        adapt.append((t + 1) % period == 0)
        if t1 - start > ROW_BUDGET_S:
            break
    faults = _minor_faults() - faults0
    ms = np.array(dt) * 1e3
    adapt = np.array(adapt)
    in_flight = float(np.mean(flight))
    mean = float(ms.mean())
    return {
        "warmup": warmup,
        "ticks_timed": len(ms),
        "in_flight": in_flight,
        "mean_ms": mean,
        "median_ms": float(np.median(ms)),
        "cpu_mean_ms": float(np.mean(cpu) * 1e3),
        "minor_faults_per_tick": faults / len(ms),
        "min_ms": float(ms.min()),
        "max_ms": float(ms.max()),
        "adapt_tick_mean_ms": float(ms[adapt].mean()) if adapt.any() else None,
        "other_tick_mean_ms": float(ms[~adapt].mean()) if (~adapt).any() else None,
        "ns_per_shipment_tick": mean * 1e6 / in_flight if in_flight > 0 else None,
    }


def bench_file(name: str, warmup: int, seed: int, max_ticks: int) -> dict:
    """Time a shipped scenario over the rest of its own horizon after warm-up."""
    path = shipped("scenarios") / f"{name}.toml"
    row: dict = {"scenario": name, "kind": "file"}
    if not path.is_file():
        return {**row, "skipped": f"scenarios/{path.name} not found"}
    try:
        sc = load_scenario(path)
        model = TraffickingModel(sc, seed=seed)
        w = max(0, min(warmup, model.ticks - 1))
        n = min(model.ticks - w, max_ticks)
        return {**row, **time_ticks(model, w, n)}
    except Exception as e:  # a scenario being written may not load or run yet
        return {**row, "skipped": f"{type(e).__name__}: {e}"}


def bench_synthetic(
    target: int, ratio: float, warmup: int, n: int, seed: int, extra: int = 0
) -> tuple[dict, TraffickingModel]:
    """Time the synthetic corridor sized for ``target`` shipments in flight.

    Args:
        target: shipments in flight wanted at steady state.
        ratio: in flight per new shipment per tick (:func:`synthetic.calibrate`).
        warmup: untimed ticks first.
        n: ticks to time.
        seed: the model seed.
        extra: further ticks of horizon left for the caller (profiling).

    Returns:
        The row and the model (positioned after the timed ticks).
    """
    new = max(1, round(target / ratio))
    sc = synthetic.layered_corridor(new, ticks=warmup + n + extra + 1)
    model = TraffickingModel(sc, seed=seed)
    row = {
        "scenario": f"synthetic {target // 1000}k",
        "kind": "synthetic",
        "target_in_flight": target,
        "new_shipments_per_tick": synthetic.new_shipments_per_tick(sc),
        "graph": {
            "states": model.world.n_states,
            "locations": model.world.n_locations,
            "legs": model.world.n_legs,
            "organizations": len(model.orgs),
        },
        **time_ticks(model, warmup, n),
    }
    return row, model


def loglog_slope(x: list[float], y: list[float]) -> float | None:
    """Least-squares slope of log(y) against log(x); None with fewer than two points."""
    if len(x) < 2:
        return None
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


# ---------------------------------------------------------------------------- reporting
def machine_info() -> dict:
    """Interpreter, library versions, CPU and the git commit measured."""
    import mesa
    import networkx
    import scipy

    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "networkx": networkx.__version__,
        "mesa": mesa.__version__,
        "cpu_count": os.cpu_count(),
        "load_avg_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "platform": platform.platform(),
        "git": commit,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _fmt(v, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def print_table(
    rows: list[dict], slope: float | None, slope_median: float | None, slope_top: float | None
) -> None:
    """The rows as a rich table, then the targets."""
    tab = Table(
        title="TraffickingModel.step: ms per tick",
        caption="mean, median: wall ms; cpu: this thread's CPU ms (mean); adapt: mean wall ms "
        "of adaptation ticks; faults: minor page faults per tick; ns/ship: mean / in flight",
        box=box.SIMPLE_HEAD,
    )
    tab.add_column("scenario", no_wrap=True)
    cols = ("in flight", "mean", "median", "cpu", "adapt", "faults", "ns/ship", "ticks")
    for col in cols:
        tab.add_column(col, justify="right", no_wrap=True)
    notes = []
    for r in rows:
        if "skipped" in r:
            tab.add_row(r["scenario"], "[yellow]skipped[/]", *[""] * (len(cols) - 1))
            notes.append(f"[yellow]{r['scenario']} skipped:[/] {r['skipped']}")
            continue
        tab.add_row(
            r["scenario"],
            f"{r['in_flight']:,.0f}",
            f"{r['mean_ms']:.2f}",
            f"{r['median_ms']:.2f}",
            f"{r['cpu_mean_ms']:.2f}",
            _fmt(r["adapt_tick_mean_ms"], ".2f"),
            f"{r['minor_faults_per_tick']:,.0f}",
            _fmt(r["ns_per_shipment_tick"], ",.0f"),
            str(r["ticks_timed"]),
        )
    console.print(tab)
    for note in notes:
        console.print(note)

    def verdict(ok: bool) -> str:
        return "[green]PASS[/]" if ok else "[red]MISS[/]"

    if slope is not None:
        console.print(
            f"log-log slope of mean ms/tick vs in flight: [bold]{slope:.2f}[/] "
            f"(target <= {TARGET_SLOPE}) {verdict(slope <= TARGET_SLOPE)}\n"
            f"  [dim]slope of median ms: {_fmt(slope_median, '.2f')}; "
            f"of mean ms over the two largest rows only: {_fmt(slope_top, '.2f')}[/]"
        )
    big = [r for r in rows if r.get("target_in_flight") == 100_000 and "mean_ms" in r]
    if big:
        r = big[0]
        console.print(
            f"ms/tick at {r['in_flight']:,.0f} in flight: mean [bold]{r['mean_ms']:.1f}[/], "
            f"median {r['median_ms']:.1f} (target <= {TARGET_MS_100K:g}) "
            f"{verdict(r['mean_ms'] <= TARGET_MS_100K)}"
        )


def profile(model: TraffickingModel, n: int, top: int = 15) -> str:
    """cProfile ``n`` further ticks of ``model``.

    Returns:
        The top ``top`` functions by cumulative time (Mesa's step wrappers left out),
        then by own time: numpy work written inline in ``TraffickingModel.step`` shows
        up as the own time of ``step``.
    """
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        model.step()
    prof.disable()
    out = io.StringIO()
    st = pstats.Stats(prof, stream=out)
    st.sort_stats("cumulative").print_stats(r"^(?!.*mesa[/\\])", top)
    st.sort_stats("tottime").print_stats(top)
    # Shorter names: site-packages and repo prefixes (mesa also has a model.py).
    site = sysconfig.get_paths()["purelib"] + os.sep
    return out.getvalue().replace(site, "site-packages/").replace(str(ROOT) + os.sep, "")


# --------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit code (0: ran, whatever the verdicts)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warmup", type=int, default=30, help="untimed ticks first (30)")
    ap.add_argument("--ticks", type=int, default=100, help="timed ticks, synthetic rows (100)")
    ap.add_argument("--file-ticks", type=int, default=230,
                    help="at most this many timed ticks for scenario files (230)")  # fmt: skip
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--profile", action="store_true", help="cProfile the 100k row")
    ap.add_argument("--profile-ticks", type=int, default=40)
    ap.add_argument("--malloc-top-pad", type=int, default=0, metavar="MB",
                    help="glibc mallopt(M_TOP_PAD) first, in MiB (0: malloc as is)")  # fmt: skip
    ap.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench" / "results.json")
    args = ap.parse_args(argv)

    t_start = time.perf_counter()
    machine = machine_info()  # before timing: its load average is the other processes'
    if args.malloc_top_pad and not malloc_top_pad(args.malloc_top_pad):
        console.print("[yellow]note:[/] mallopt is not available here; malloc left alone")
    load = machine["load_avg_1m"] or 0.0
    if load >= (os.cpu_count() or 1):
        console.print(
            f"[yellow]note:[/] load average {load:.1f} on {os.cpu_count()} CPUs: other "
            "processes are running, wall times will be noisy (compare the cpu column)"
        )
    rows = []
    for name in SCENARIO_FILES:
        with console.status(f"timing {name} ..."):
            rows.append(bench_file(name, args.warmup, args.seed, args.file_ticks))

    with console.status("calibrating the synthetic corridor ..."):
        ratio = synthetic.calibrate(warmup=args.warmup, seed=args.seed)
    big_model = None
    for target in SCALES:
        with console.status(f"timing synthetic {target:,} in flight ..."):
            extra = args.profile_ticks if args.profile and target == max(SCALES) else 0
            row, model = bench_synthetic(target, ratio, args.warmup, args.ticks, args.seed, extra)
        rows.append(row)
        if extra:
            big_model = model
        del model

    syn = [r for r in rows if r["kind"] == "synthetic"]
    x = [r["in_flight"] for r in syn]
    slope = loglog_slope(x, [r["mean_ms"] for r in syn])
    slope_median = loglog_slope(x, [r["median_ms"] for r in syn])
    # The fitted slope is flattened by per-tick costs that do not grow with shipments
    # (adaptation, production loop); the slope over the two largest rows is the
    # better sign of super-linear growth.
    slope_top = loglog_slope(x[-2:], [r["mean_ms"] for r in syn[-2:]]) if len(syn) > 2 else None
    print_table(rows, slope, slope_median, slope_top)

    result = {
        "machine": machine,
        "settings": {
            "warmup": args.warmup,
            "ticks": args.ticks,
            "file_ticks": args.file_ticks,
            "seed": args.seed,
            "malloc_top_pad_mb": args.malloc_top_pad,
            "in_flight_per_new_shipment": ratio,
        },
        "targets": {"slope": TARGET_SLOPE, "ms_per_tick_at_100k": TARGET_MS_100K},
        "slope_mean_ms": slope,
        "slope_median_ms": slope_median,
        "slope_mean_ms_two_largest": slope_top,
        "rows": rows,
        "wall_s": None,
    }
    if big_model is not None:
        console.rule(f"cProfile: synthetic 100k, {args.profile_ticks} ticks")
        print(profile(big_model, args.profile_ticks), flush=True)
    result["wall_s"] = round(time.perf_counter() - t_start, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    console.print(f"wrote {shown} ({result['wall_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
