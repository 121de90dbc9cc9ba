"""Ensemble files: calibrated parameter sets with weights, and the header naming them.

``ensemble.csv`` has one row per parameter set: ``set``, ``weight`` (the weights sum
to 1) and one column per parameter. ``ensemble.json`` beside it (same stem) names the
scenario, the method, the targets and the parameters' prior box. ``xborder run``,
``compare`` and ``recommend`` take ``--ensemble ensemble.csv`` and run every set.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.harness.executors import HarnessError
from sim.harness.outputs import clean, now, write_json
from sim.scenario import Scenario, ScenarioError

FORMAT = "xborder-ensemble/1"


@dataclass
class Ensemble:
    """Parameter sets with weights.

    Attributes:
        params: one row per set, one column per parameter.
        weights: one per set, summing to 1.
        header: what produced it (scenario, method, targets, prior box).
        path: the CSV it was read from (or written to).
    """

    params: pd.DataFrame
    weights: np.ndarray
    header: dict = field(default_factory=dict)
    path: Path | None = None

    @property
    def names(self) -> list[str]:  # noqa: D102
        return list(self.params.columns)

    def __len__(self) -> int:
        return len(self.params)

    def values(self, i: int) -> tuple[tuple[str, float], ...]:
        """Set ``i`` as the (name, value) pairs of a run (whole numbers stay whole)."""
        kinds = (self.header.get("params") or {}).get("kinds", {})
        row = self.params.iloc[i]
        return tuple(
            (k, int(round(float(row[k]))) if kinds.get(k) == "int" else float(row[k]))
            for k in self.names
        )

    def check(self, sc: Scenario) -> list[str]:
        """Apply every set to ``sc`` once (HarnessError if one is invalid); warnings."""
        where = self.path or "ensemble"
        for i in range(len(self)):
            sets = [f"{k}={v!r}" for k, v in self.values(i)]
            try:
                sc.with_overrides(sets)
            except ScenarioError as e:
                raise HarnessError(f"{where}: set {i}: {e.key or 'params'}: {e.problem}") from None
        made_for = self.header.get("scenario")
        if made_for and made_for != sc.name:
            return [f"{where}: calibrated for {made_for!r}, applied to {sc.name!r}"]
        return []

    def to_dict(self) -> dict:
        """Plain form for JSON outputs: the header, and each set with its weight."""
        return clean(
            {
                "file": str(self.path) if self.path else None,
                "scenario": self.header.get("scenario"),
                "method": self.header.get("method"),
                "sets": len(self),
                "params": self.names,
            }
        )


def header_path(csv: Path) -> Path:
    """The JSON header beside an ensemble CSV."""
    return Path(csv).with_suffix(".json")


def write_ensemble(path: Path, params: pd.DataFrame, weights, header: dict) -> Ensemble:
    """Write ``path`` (CSV) and its JSON header; returns the ensemble."""
    path = Path(path)
    w = np.asarray(weights, dtype=float)
    if not math.isclose(w.sum(), 1.0, rel_tol=1e-12):
        w = w / w.sum()
    df = params.reset_index(drop=True).copy()
    df.insert(0, "weight", w)
    df.insert(0, "set", range(len(df)))
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False)
    head = {"format": FORMAT, "created": now(), **header, "csv": path.name, "sets": len(df)}
    write_json(header_path(path), head)
    return Ensemble(params.reset_index(drop=True), w, head, path)


def load_ensemble(path: Path | str) -> Ensemble:
    """Read an ensemble CSV (and its JSON header if present); HarnessError naming the problem."""
    path = Path(path)
    where = f"--ensemble {path}"
    if path.suffix == ".json":
        path = path.with_suffix(".csv")
    try:
        df = pd.read_csv(path)
    except FileNotFoundError:
        raise HarnessError(f"{where}: no such file") from None
    except (OSError, ValueError) as e:
        raise HarnessError(f"{where}: cannot read it as CSV ({type(e).__name__})") from None
    if "weight" not in df.columns:
        raise HarnessError(f"{path}: weight: missing column (expected set, weight, parameters)")
    names = [c for c in df.columns if c not in ("set", "weight")]
    if not names:
        raise HarnessError(f"{path}: no parameter columns besides set and weight")
    if df.empty:
        raise HarnessError(f"{path}: holds no parameter set")
    for c in ["weight", *names]:
        v = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)
        if not np.all(np.isfinite(v)):
            bad = int(np.flatnonzero(~np.isfinite(v))[0])
            raise HarnessError(f"{path}: {c}: row {bad + 1} is not a finite number")
        df[c] = v
    w = df["weight"].to_numpy(dtype=float)
    if np.any(w < 0) or not w.sum() > 0:
        raise HarnessError(f"{path}: weight: must be >= 0 with a positive sum")
    header = {}
    hp = header_path(path)
    if hp.is_file():
        try:
            header = json.loads(hp.read_text())
        except (OSError, ValueError) as e:
            raise HarnessError(f"{hp}: cannot read the header ({type(e).__name__})") from None
    if not math.isclose(w.sum(), 1.0, rel_tol=1e-6):
        w = w / w.sum()
    return Ensemble(df[names].reset_index(drop=True), w / w.sum(), header, path)


__all__ = ["FORMAT", "Ensemble", "header_path", "load_ensemble", "write_ensemble"]
