"""Scenario discovery on a finished study: where in the uncertain inputs does a policy fail?

:func:`discover` reads a study directory, marks each world (design point) as a
failure when the chosen metric is on the wrong side of a threshold, and runs PRIM
(:mod:`sim.recommend.prim`) over the uncertain parameters. Two kinds of study:

* ``xborder recommend ... --param ... --out DIR`` writes ``worlds.parquet``: one row
  per portfolio and world with ``benefit`` (paired change vs the status quo, signed so
  that positive is better), ``regret`` and ``objective_mean``. Pick the portfolio with
  ``portfolio`` (default: the recommended one).
* ``xborder sensitivity ... --out DIR`` (or any study whose runs carry ``param:``
  columns) writes ``runs.parquet``: the metric is averaged over each point's replicates.

Failure is ``metric > threshold`` (``fail_if="above"``) or ``metric < threshold``
(``"below"``); by default the side where the metric is worse (``benefit`` below,
``regret`` above, a registered metric by its ``higher_is``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.harness.executors import HarnessError
from sim.harness.outputs import PARAM_PREFIX, clean, write_json
from sim.metrics import REGISTRY
from sim.recommend.prim import prim
from sim.suggest import did_you_mean

_DIRECTION = {"benefit": "below", "regret": "above"}
#: Below these a PRIM box is too thin to trust: fewer worlds in the study, or in a box.
MIN_WORLDS = 30
MIN_BOX = 10


def sample_warnings(points: int, boxes: list[dict]) -> list[str]:
    """Warnings when the sample is too small for the boxes reported (the rule in words)."""
    rule = (
        f"rule: at least {MIN_WORLDS} worlds in the study and {MIN_BOX} worlds in a box "
        "before a box is read as a finding"
    )
    out = []
    if points < MIN_WORLDS:
        out.append(
            f"warning: only {points} worlds (fewer than {MIN_WORLDS}): PRIM's boxes are "
            f"unreliable on so small a sample; run more worlds ({rule})"
        )
    for k, b in enumerate(boxes):
        if b["n"] < MIN_BOX:
            out.append(
                f"warning: box {k + 1} holds {b['n']} worlds (fewer than {MIN_BOX}): its "
                f"limits rest on too few points ({rule})"
            )
    return out


def _fail_side(metric: str, fail_if: str | None, objective: dict | None) -> str:
    if fail_if is not None:
        if fail_if not in ("above", "below"):
            raise HarnessError(f"--fail-if: must be above or below, got {fail_if!r}")
        return fail_if
    if metric in _DIRECTION:
        return _DIRECTION[metric]
    name = objective.get("metric") if metric == "objective_mean" and objective else metric
    m = REGISTRY.get(name)
    if m is None or not m.higher_is:
        raise HarnessError(
            f"--fail-if: {metric!r} has no worse direction; say whether failure is above or below"
        )
    return "above" if m.higher_is == "worse" else "below"


def load_points(
    study: Path, metric: str, subject: str | None
) -> tuple[pd.DataFrame, list[str], str, dict | None]:
    """Per world: parameter values and the metric; also the subject's name and the objective.

    Raises:
        HarnessError: no study there, an unknown metric or portfolio / scenario.
    """
    study = Path(study)
    if not study.is_dir():
        raise HarnessError(f"{study}: no such study directory")
    worlds = study / "worlds.parquet"
    if worlds.is_file():
        df = pd.read_parquet(worlds)
        doc = _read_json(study / "recommend.json")
        objective = doc.get("objective") if doc else None
        names = list(dict.fromkeys(df["portfolio"]))
        if subject is None:
            rec = doc.get("recommended") if doc else None
            subject = rec if rec in names else next((n for n in names if n != "status quo"), None)
        if subject not in names:
            raise HarnessError(
                f"--portfolio: {study}: no portfolio {subject!r} (known: {'; '.join(names)})"
            )
        df = df[df["portfolio"] == subject]
        metrics = ("benefit", "regret", "objective_mean")
        if metric not in metrics:
            raise HarnessError(
                f"--metric: {study}/worlds.parquet has no {metric!r}"
                f"{did_you_mean(metric, metrics)} (it has {', '.join(metrics)})"
            )
        params = [c for c in df.columns if c.startswith(PARAM_PREFIX)]
        return df[[*params, metric]].reset_index(drop=True), params, subject, objective
    runs = study / "runs.parquet"
    if not runs.is_file():
        raise HarnessError(
            f"{study}: no worlds.parquet or runs.parquet (run `xborder recommend --param "
            "... --out DIR` or `xborder sensitivity ... --out DIR`)"
        )
    df = pd.read_parquet(runs)
    params = [c for c in df.columns if c.startswith(PARAM_PREFIX)]
    if not params:
        raise HarnessError(f"{study}/runs.parquet: no uncertain parameters (param: columns)")
    if metric not in df.columns or metric in params:
        known = [c for c in df.columns if c in REGISTRY and c not in params]
        raise HarnessError(
            f"--metric: {study}/runs.parquet has no metric {metric!r}{did_you_mean(metric, known)}"
        )
    df = df[(df["status"] == "ok") & df[params].notna().all(axis=1)]
    names = list(dict.fromkeys(df["scenario"])) if "scenario" in df else []
    if subject is None and names:
        subject = names[0]
    if names and subject not in names:
        raise HarnessError(f"--scenario: {study}: no scenario {subject!r} (known: {names})")
    if names:
        df = df[df["scenario"] == subject]
    g = df.groupby("point", sort=True)
    pts = g[params].first().join(g[metric].mean()).reset_index(drop=True)
    return pts, params, subject or "", None


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def discover(
    study: Path | str,
    metric: str,
    threshold: float,
    *,
    fail_if: str | None = None,
    subject: str | None = None,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    min_density: float = 0.8,
    max_boxes: int = 2,
    figure: Path | str | None = "default",
) -> dict:
    """Find the boxes of uncertain parameters where the metric fails; return the JSON document.

    Args:
        study: the study directory.
        metric: ``benefit``, ``regret``, ``objective_mean`` (recommend studies) or a metric.
        threshold: failure threshold.
        fail_if: "above" or "below" (default: the metric's worse side).
        subject: the portfolio (recommend) or scenario (other studies) to look at.
        peel_alpha: share of a box peeled per step (:func:`~sim.recommend.prim.prim`).
        paste_alpha: share of a box pasted per step.
        mass_min: smallest box, as a share of all worlds.
        min_density: prefer the widest box at least this dense.
        max_boxes: covering rounds.
        figure: where the trade-off figure goes ("default": STUDY/figures/prim_METRIC.png),
            recorded in the document, which is then saved as STUDY/discover_METRIC.json;
            None: neither. :func:`sim.plotting.write_discover_figure` draws it there.
    """
    for name, v in (("--peel-alpha", peel_alpha), ("--paste-alpha", paste_alpha)):
        if not 0 < v < 0.5:
            raise HarnessError(f"{name}: must be between 0 and 0.5, got {v}")
    if not 0 < mass_min < 1:
        raise HarnessError(f"--mass-min: must be between 0 and 1, got {mass_min}")
    if max_boxes < 1:
        raise HarnessError(f"--boxes: must be at least 1, got {max_boxes}")
    pts, params, subject, objective = load_points(Path(study), metric, subject)
    side = _fail_side(metric, fail_if, objective)
    v = pts[metric].to_numpy(dtype=float)
    ok = np.isfinite(v)
    X = pts.loc[ok, params].to_numpy(dtype=float)
    y = (v[ok] > threshold) if side == "above" else (v[ok] < threshold)
    names = [p[len(PARAM_PREFIX) :] for p in params]
    doc = {
        "study": str(study),
        "subject": subject,
        "metric": metric,
        "threshold": threshold,
        "fail_if": side,
        "points": int(ok.sum()),
        "failures": int(y.sum()),
        "base_rate": float(y.mean()) if len(y) else None,
        "params": names,
        "ranges": {n: [float(X[:, j].min()), float(X[:, j].max())] for j, n in enumerate(names)}
        if len(X)
        else {},
        "settings": {
            "peel_alpha": peel_alpha,
            "paste_alpha": paste_alpha,
            "mass_min": mass_min,
            "min_density": min_density,
            "max_boxes": max_boxes,
        },
        "boxes": [],
        "trajectory": [],
    }
    if len(y) >= 2 and 0 < y.sum():
        res = prim(
            X,
            y.astype(float),
            peel_alpha=peel_alpha,
            paste_alpha=paste_alpha,
            mass_min=mass_min,
            min_density=min_density,
            max_boxes=max_boxes,
        )
        doc["boxes"] = [_box_dict(b, names, res.low, res.high) for b in res.boxes]
        doc["trajectory"] = [
            {"coverage": b.coverage, "density": b.density, "mass": b.mass,
             "restricted": int(b.restricted.sum())}
            for b in res.trajectory
        ]  # fmt: skip
    doc["warnings"] = sample_warnings(doc["points"], doc["boxes"])
    doc = clean(doc)
    if figure is not None:
        path = Path(study) / "figures" / f"prim_{metric}.png" if figure == "default" else figure
        doc["figure"] = str(path)
        write_json(Path(study) / f"discover_{metric}.json", doc)
    return doc


def _box_dict(b, names: list[str], lo_data, hi_data) -> dict:
    """A box as JSON: only restricted parameters; a side left at the data's end is null."""
    limits = {}
    for j, name in enumerate(names):
        if b.restricted[j]:
            limits[name] = {
                "low": float(b.low[j]) if b.low[j] > lo_data[j] else None,
                "high": float(b.high[j]) if b.high[j] < hi_data[j] else None,
                "qp": float(b.qp[j]),
            }
    return {
        "coverage": b.coverage,
        "density": b.density,
        "mass": b.mass,
        "n": b.n,
        "limits": limits,
    }


__all__ = ["MIN_BOX", "MIN_WORLDS", "discover", "load_points", "sample_warnings"]
