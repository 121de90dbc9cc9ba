"""A study's output directory: results that survive crashes, and ``--resume``.

Layout of ``--out DIR``::

    manifest.json            what was asked (settings), provenance, state, status counts
    parts/TOKEN.runs.parquet one file set per finished batch, written as it finishes:
    parts/TOKEN.timeseries.parquet    series and event tables first, the runs file last,
    parts/TOKEN.<table>.parquet       each atomically (temporary file + os.replace)
    runs.parquet             every finished run; rewritten atomically as batches finish
    timeseries.parquet       consolidated from the parts when the study ends or stops
    <table>.parquet          each event table of ``TraffickingModel.records()``

A batch counts as finished when its runs part exists; parts without one (a crash
mid-write) are deleted on resume. Consolidation writes the big files first and
deletes the parts last, dropping any run already consolidated, so a crash at any
point leaves every finished run exactly once.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from pathlib import Path

import pandas as pd

from sim.harness.executors import HarnessError
from sim.harness.outputs import (
    atomic_write,
    now,
    order_runs,
    sort_table,
    table_file,
    write_json,
    write_parquet,
)

#: Files of ours that a fresh study removes from a reused ``--out`` directory.
OWN_FILES = (
    "runs.parquet",
    "timeseries.parquet",
    "summary.csv",
    "compare.json",
    "sensitivity.json",
    "figures/main_series.png",
    "figures/forest.png",
    "figures/indices.png",
    "figures/convergence.png",
)
RUNS_FLUSH_SECONDS = 2.0


def _first_difference(old, new, path: str = "settings") -> tuple[str, object, object] | None:
    """The first key path where two JSON-like values differ, with both values."""
    if isinstance(old, dict) and isinstance(new, dict):
        for k in [*old, *[k for k in new if k not in old]]:
            if k not in old or k not in new:
                return f"{path}.{k}", old.get(k), new.get(k)
            d = _first_difference(old[k], new[k], f"{path}.{k}")
            if d:
                return d
        return None
    return None if old == new else (path, old, new)


def _normal(x):
    """The JSON round trip of ``x``, as stored in the manifest (for comparisons)."""
    from sim.harness.outputs import clean

    return json.loads(json.dumps(clean(x), default=str))


class Store:
    """The output directory of one study; see the module docstring for the layout.

    Args:
        out: the directory (created if missing).
    """

    def __init__(self, out: Path):
        self.out = Path(out)
        self.parts = self.out / "parts"
        self.manifest: dict = {}
        self.runs_frames: list[pd.DataFrame] = []
        self.tables: set[str] = set()
        self._last_flush = 0.0

    # ------------------------------------------------------------------ start / resume
    def _read_manifest(self) -> dict | None:
        path = self.out / "manifest.json"
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError) as e:
            raise HarnessError(f"{path}: cannot read the manifest ({e})") from None

    def start(self, manifest: dict, resume: bool, force: bool = False) -> pd.DataFrame:
        """Open the directory for a study; return the runs already finished (resume).

        A directory that is not empty must hold a study (a ``manifest.json``). Without
        ``resume``, a study there with other settings is replaced only with ``force``;
        one with the same settings is run again (its files replaced), as is any study
        with ``force``.

        Raises:
            HarnessError: resuming with different settings, starting over an unfinished
                study or one with other settings (without ``force``), or a non-empty
                directory that holds no study.
        """
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            probe = self.out / f".write-test-{uuid.uuid4().hex[:8]}"
            probe.touch()
            probe.unlink()
        except OSError as e:
            raise HarnessError(f"--out {self.out}: cannot write there ({e.strerror})") from None
        old = self._read_manifest()
        if old is None and any(self.out.iterdir()):
            raise HarnessError(
                f"--out {self.out}: not empty and holds no study (no manifest.json); "
                "choose a new or empty directory"
            )
        if old is not None and force and not resume:
            self._clear(old)
            shutil.rmtree(self.out / "figures", ignore_errors=True)
            (self.out / "manifest.json").unlink(missing_ok=True)
            old = None
        if old is not None and not resume:
            self._refuse_other_settings(old, manifest)
        done = pd.DataFrame()
        if old is not None and resume:
            diff = _first_difference(
                _normal(old.get("settings", {})), _normal(manifest["settings"])
            )
            if diff:
                key, was, asked = diff
                shown = (
                    f"the study was started with {was!r}, this command gives {asked!r}"
                    if not isinstance(was, dict | list) and not isinstance(asked, dict | list)
                    else "differs from the study's (scenario file or --set changed)"
                )
                raise HarnessError(
                    f"{self.out / 'manifest.json'}: {key}: {shown}; resume with the same "
                    "settings or choose another --out"
                )
            self._drop_orphans()
            self.tables = set(old.get("tables", []))
            done = self._load_runs()
            manifest["started"] = old.get("started", manifest["started"])
            manifest["sessions"] = [*old.get("sessions", []), now()]
        elif old is not None:
            n_done = len(self._load_runs())
            if old.get("state") != "finished" and n_done:
                raise HarnessError(
                    f"{self.out}: holds an unfinished study ({n_done} of "
                    f"{old.get('runs_total', '?')} runs done): add --resume to finish it, "
                    "or choose another --out"
                )
            self._clear(old)
        else:
            self._clear({})
        manifest.setdefault("sessions", [manifest["started"]])
        manifest["state"] = "running"
        self.manifest = manifest
        write_json(self.out / "manifest.json", manifest)
        if not done.empty:
            self.runs_frames = [done]
        return done

    def _refuse_other_settings(self, old: dict, manifest: dict) -> None:
        """Refuse to replace a study whose settings differ from this command's."""
        was = {"kind": old.get("kind"), "settings": old.get("settings", {})}
        asked = {"kind": manifest.get("kind"), "settings": manifest["settings"]}
        diff = _first_difference(_normal(was), _normal(asked), "")
        if diff:
            key, a, b = diff[0].lstrip("."), diff[1], diff[2]
            scalar = not isinstance(a, dict | list) and not isinstance(b, dict | list)
            shown = f"{key} was {a!r}, this command gives {b!r}" if scalar else f"{key} differs"
            raise HarnessError(
                f"--out {self.out}: holds a study with other settings ({shown}); "
                "--force replaces it, --resume continues it with its own settings"
            )

    def _clear(self, old: dict) -> None:
        shutil.rmtree(self.parts, ignore_errors=True)
        for name in OWN_FILES:
            (self.out / name).unlink(missing_ok=True)
        for t in old.get("tables", []):
            table_file(self.out, t).unlink(missing_ok=True)
        figures = self.out / "figures"
        if figures.is_dir() and not any(figures.iterdir()):
            figures.rmdir()

    def _part_files(self, kind: str) -> list[Path]:
        """Part files of one kind, of finished batches only (those with a runs part)."""
        if not self.parts.is_dir():
            return []
        files = sorted(self.parts.glob(f"*.{kind}.parquet"))
        if kind == "runs":
            return files
        ok = set(self._tokens())
        return [p for p in files if p.name.split(".")[0] in ok]

    def _tokens(self) -> list[str]:
        """Tokens of finished batches (those whose runs part exists)."""
        return [p.name.split(".")[0] for p in self._part_files("runs")]

    def _drop_orphans(self) -> None:
        ok = set(self._tokens())
        for p in self.parts.glob("*") if self.parts.is_dir() else []:
            if p.name.split(".")[0] not in ok:
                p.unlink(missing_ok=True)

    def _load_runs(self) -> pd.DataFrame:
        frames = [pd.read_parquet(p) for p in [self.out / "runs.parquet"] if p.is_file()]
        frames += [pd.read_parquet(p) for p in self._part_files("runs")]
        frames = [f for f in frames if not f.empty]
        return order_runs(pd.concat(frames, ignore_index=True)) if frames else pd.DataFrame()

    # -------------------------------------------------------------------- batches
    def add_batch(self, runs: pd.DataFrame, ts: pd.DataFrame | None, tables: dict) -> None:
        """Write one finished batch: series and tables first, its runs part last."""
        self.parts.mkdir(exist_ok=True)
        token = f"{int(runs['run'].iloc[0]):09d}-{uuid.uuid4().hex[:8]}"
        if ts is not None and len(ts):
            write_parquet(self.parts / f"{token}.timeseries.parquet", ts)
        for name, df in tables.items():
            self.tables.add(name)
            write_parquet(
                self.parts / f"{token}.table-{table_file(self.out, name).stem}.parquet", df
            )
        write_parquet(self.parts / f"{token}.runs.parquet", runs)
        self.runs_frames.append(runs)
        if time.monotonic() - self._last_flush >= RUNS_FLUSH_SECONDS:
            self.flush_runs()

    def all_runs(self) -> pd.DataFrame:
        """Every finished run so far, in run order."""
        frames = [f for f in self.runs_frames if not f.empty]
        return order_runs(pd.concat(frames, ignore_index=True)) if frames else pd.DataFrame()

    def flush_runs(self) -> None:
        """Rewrite runs.parquet with every finished run (atomically)."""
        write_parquet(self.out / "runs.parquet", self.all_runs())
        self._last_flush = time.monotonic()

    # ---------------------------------------------------------------- consolidation
    def _consolidate(self, target: Path, parts: list[Path], by_tick: bool) -> pd.DataFrame | None:
        old = pd.read_parquet(target) if target.is_file() else None
        frames = [] if old is None else [old]
        have = set() if old is None else set(old["run"])
        for p in parts:
            df = pd.read_parquet(p)
            frames.append(df[~df["run"].isin(have)] if have else df)
        frames = [f for f in frames if len(f)]
        if not frames:
            return old
        df = sort_table(pd.concat(frames, ignore_index=True), by_tick)
        if parts:
            write_parquet(target, df)
        return df

    def finish(self, state: str, extra: dict | None = None) -> dict:
        """Consolidate the parts, remove them, and write the final manifest.

        Returns:
            ``{"runs": DataFrame, "timeseries": DataFrame | None, "tables": {name: DataFrame}}``
        """
        runs = self.all_runs()
        write_parquet(self.out / "runs.parquet", runs)
        ts = self._consolidate(
            self.out / "timeseries.parquet", self._part_files("timeseries"), by_tick=True
        )
        tables = {}
        for name in sorted(self.tables):
            target = table_file(self.out, name)
            tables[name] = self._consolidate(
                target, self._part_files(f"table-{target.stem}"), by_tick=False
            )
        shutil.rmtree(self.parts, ignore_errors=True)
        ok = int((runs["status"] == "ok").sum()) if len(runs) else 0
        self.manifest.update(
            {
                "ended": now(),
                "state": state,
                "status": {"ok": ok, "error": len(runs) - ok},
                "runs_done": len(runs),
                "tables": sorted(self.tables),
                **(extra or {}),
            }
        )
        write_json(self.out / "manifest.json", self.manifest)
        return {"runs": runs, "timeseries": ts, "tables": tables}

    def write_text(self, name: str, text: str) -> None:
        """Atomically write a text file under the directory."""
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda p: p.write_text(text))
