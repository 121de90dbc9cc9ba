"""Tables of a study's results: runs, weekly series and event tables as DataFrames.

One row per run in ``runs`` (identifiers, status, design-point parameters, summary
metrics), one row per run and week in ``timeseries``, and one DataFrame per event
table that the model's ``records()`` returns, each row carrying its run's
identifiers. Also the provenance helpers of the manifest (versions, git commit).
"""

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

from sim.metrics import REGISTRY

PACKAGES = ("xborder", "mesa", "numpy", "scipy", "networkx", "pandas", "pyarrow", "SALib")
#: Identifier columns, first in every table; ``run`` is the run id.
IDS = ("run", "scenario", "point", "replicate", "seed")
#: Columns that hold wall-clock times (left out when comparing studies).
WALL_CLOCK = ("seconds",)
PARAM_PREFIX = "param:"


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
    """The repository's commit (with ``-dirty`` if ``sim/`` has local changes), or ''."""
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
    """JSON-safe: NaN and infinities become None (null), numpy scalars plain numbers."""
    if hasattr(x, "item") and not isinstance(x, list | tuple | dict):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [clean(v) for v in x]
    return x


def atomic_write(path: Path, write) -> None:
    """Write through a temporary file and ``os.replace``: readers see old or new, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_json(path: Path, doc) -> None:
    """Atomically write ``doc`` as indented JSON (NaN as null)."""
    atomic_write(path, lambda p: p.write_text(json.dumps(clean(doc), indent=2, default=str)))


def write_parquet(path: Path, df: pd.DataFrame) -> None:
    """Atomically write a DataFrame as parquet (no index)."""
    atomic_write(path, lambda p: df.to_parquet(p, index=False))


def quantity_unit(scenarios) -> str:
    """The quantity unit of the scenarios' commodities (kg, firearms), or "units" if mixed."""
    from sim.world import COMMODITY_UNITS

    comms = {
        o.get("commodity", "cocaine") for sc in scenarios for o in sc.data.get("organisations", [])
    }
    if len(comms) == 1:
        return COMMODITY_UNITS.get(next(iter(comms)), "kg")
    return "units"


def metric_names(df: pd.DataFrame) -> list[str]:
    """The metric columns of a runs table: registered metrics first, in registry order."""
    ids = set(IDS) | {"status", "error", "traceback", "overrides", *WALL_CLOCK}
    cols = [c for c in df.columns if c not in ids and not c.startswith(PARAM_PREFIX)]
    known = [m for m in REGISTRY if m in cols]
    return known + sorted(c for c in cols if c not in REGISTRY)


def order_runs(df: pd.DataFrame) -> pd.DataFrame:
    """Sort by run id, drop duplicate runs (first kept), and put columns in a fixed order."""
    if df.empty:
        return df
    df = df.drop_duplicates("run", keep="first").sort_values("run", kind="stable")
    params = [c for c in df.columns if c.startswith(PARAM_PREFIX)]
    head = [*IDS, "status", "error", *params]
    tail = ["overrides", *WALL_CLOCK, "traceback"]
    cols = [c for c in head if c in df] + metric_names(df) + [c for c in tail if c in df]
    return df[cols].reset_index(drop=True)


def batch_frames(results, overrides: dict[str, list[str]] | None = None):
    """DataFrames of one batch: (runs, timeseries or None, {table: DataFrame})."""
    rows, series, tables = [], [], {}
    for r in results:
        ids = {
            "run": r.run_id,
            "scenario": r.scenario,
            "point": r.point,
            "replicate": r.replicate,
            "seed": r.seed,
        }
        row = {**ids, "status": r.status, "error": r.error}
        row.update({f"{PARAM_PREFIX}{k}": v for k, v in r.params})
        row.update(r.summary)
        row["overrides"] = json.dumps((overrides or {}).get(r.scenario, []))
        row["seconds"] = r.seconds
        row["traceback"] = r.traceback
        rows.append(row)
        if r.status == "ok" and r.series:
            n = len(next(iter(r.series.values())))
            ts = {k: ids[k] for k in ("run", "scenario", "replicate", "seed")}
            series.append(pd.DataFrame({**ts, "tick": range(n), **r.series}))
        for name, recs in (r.records or {}).items():
            if recs:
                tables.setdefault(name, []).append(
                    pd.DataFrame.from_records([{**rec, **ids} for rec in recs])
                )
    runs = order_runs(pd.DataFrame(rows))
    ts = pd.concat(series, ignore_index=True) if series else None
    return runs, ts, {k: _ids_first(pd.concat(v, ignore_index=True)) for k, v in tables.items()}


def _ids_first(df: pd.DataFrame) -> pd.DataFrame:
    return df[[*IDS, *[c for c in df.columns if c not in IDS]]]


def sort_table(df: pd.DataFrame, by_tick: bool = False) -> pd.DataFrame:
    """Event or series table in run order (row order within a run kept)."""
    keys = ["run", "tick"] if by_tick else ["run"]
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


def table_file(out: Path, name: str) -> Path:
    """Where an event table goes: ``<name>.parquet``, unless the name is one of ours."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name) or "table"
    if safe in ("runs", "timeseries", "summary", "manifest"):
        safe = f"records_{safe}"
    return out / f"{safe}.parquet"
