"""A study's outputs: manifest.json, runs.parquet, timeseries.parquet, summary.csv, figures."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from sim.harness.runner import RunResult, summarize_runs
from sim.metrics import REGISTRY
from sim.scenario import Scenario

PACKAGES = ("xborder", "mesa", "numpy", "scipy", "networkx", "pandas", "pyarrow", "SALib")


def now() -> str:
    """UTC time stamp in ISO format."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def versions() -> dict[str, str]:
    """Installed versions of the packages that shape the numbers."""
    out = {"python": sys.version.split()[0]}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def git_commit() -> str:
    """The repository's commit (with ``-dirty`` if it has local changes), or ''."""
    root = Path(__file__).resolve().parents[2]
    try:
        sha = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "sim"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return sha + ("-dirty" if dirty and sha else "")
    except (OSError, subprocess.SubprocessError):
        return ""


def clean(x):
    """JSON-safe: NaN and infinities become None (null)."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [clean(v) for v in x]
    return x


def runs_frame(results: list[RunResult], overrides: list[str]) -> pd.DataFrame:
    """One row per run: scenario, replicate, seed, status, error, overrides, summary metrics."""
    rows = []
    for r in results:
        row = {
            "scenario": r.scenario,
            "replicate": r.replicate,
            "seed": r.seed,
            "status": r.status,
            "error": r.error,
            "overrides": json.dumps(overrides),
        }
        row.update({name: r.summary.get(name, float("nan")) for name in REGISTRY})
        rows.append(row)
    return pd.DataFrame(rows)


def timeseries_frame(results: list[RunResult]) -> pd.DataFrame:
    """Long table: run, tick, one column per metric."""
    frames = []
    for r in results:
        if r.status != "ok":
            continue
        n = len(next(iter(r.series.values())))
        df = pd.DataFrame({"run": r.replicate, "tick": range(n)})
        for name, values in r.series.items():
            df[name] = values
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def write_study(
    out: Path,
    scenario: Scenario,
    results: list[RunResult],
    seed: int,
    command: list[str],
    started: str,
    unit: str = "kg",
) -> dict:
    """Write every output of a run study into ``out``; return the manifest."""
    from sim.plotting import plot_main

    out.mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(exist_ok=True)
    runs = runs_frame(results, scenario.overrides)
    ts = timeseries_frame(results)
    _atomic_write(out / "runs.parquet", lambda p: runs.to_parquet(p, index=False))
    _atomic_write(out / "timeseries.parquet", lambda p: ts.to_parquet(p, index=False))
    stats = summarize_runs(results)
    summary = pd.DataFrame(
        [{"metric": k, **v, "unit": REGISTRY[k].unit.format(q=unit)} for k, v in stats.items()]
    )
    _atomic_write(out / "summary.csv", lambda p: summary.to_csv(p, index=False))
    if len(ts):
        fig = plot_main(
            ts,
            title=scenario.name,
            unit=unit,
            burn_in=scenario.burn_in,
            policies=scenario.data.get("policies", []),
        )
        fig.savefig(out / "figures" / "main_series.png", dpi=120)
        import matplotlib.pyplot as plt

        plt.close(fig)
    status = {
        "ok": sum(r.status == "ok" for r in results),
        "error": sum(r.status != "ok" for r in results),
    }
    manifest = {
        "command": command,
        "scenario": scenario.name,
        "scenario_path": str(scenario.path),
        "overrides": scenario.overrides,
        "resolved_scenario": scenario.data,
        "root_seed": seed,
        "run_seeds": [r.seed for r in results],
        "versions": versions(),
        "git_commit": git_commit(),
        "started": started,
        "ended": now(),
        "status": status,
    }
    _atomic_write(
        out / "manifest.json",
        lambda p: p.write_text(json.dumps(clean(manifest), indent=2, default=str)),
    )
    return manifest
