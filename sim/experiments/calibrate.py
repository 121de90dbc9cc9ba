"""The ``calibrate`` kind of experiment file: a calibration to a scenario's targets as tables.

Keys (on top of the common ones): ``scenario``; ``method`` (history-matching or abc);
``params`` (``NAME=LOW:HIGH``; default the scenario's ``[uncertainties]``); history
matching's ``waves``, ``points``, ``cut``, ``emulator``; ABC's ``particles``,
``generations``; ``ensemble_size``; and for a known-answer check ``planted`` (a table
parameter = value), ``planted_metrics`` and ``planted_runs``: the targets are then
measured on the model at the planted values (:func:`sim.calibrate.planted.plant_targets`)
instead of read from the scenario. ``replicates`` is the runs per point.

Tables: ``intervals`` (per parameter: prior, posterior 5/50/95%, width ratio and, when
planted, the planted value and whether it is inside), ``fits``, ``diagnostics``,
``posterior`` and ``ensemble``.
"""

from __future__ import annotations

import pandas as pd

from sim.experiments.base import KindOutput, status

SCHEMA = {
    "scenario": (str, True),
    "method": (str, False),
    "params": (list, False),
    "waves": (int, False),
    "points": (int, False),
    "cut": (float, False),
    "emulator": (str, False),
    "particles": (int, False),
    "generations": (int, False),
    "ensemble_size": (int, False),
    "planted": (dict, False),
    "planted_metrics": (list, False),
    "planted_runs": (int, False),
}


def run_calibrate(exp, workers: int | None, progress: bool) -> KindOutput:
    """Calibrate; tables of the posterior, its fit and the per-wave diagnostics."""
    from sim.calibrate import AbcSettings, HmSettings, calibrate
    from sim.calibrate.planted import plant_targets
    from sim.scenario import load_scenario

    d = exp.data
    sc = load_scenario(d["scenario"])
    planted = d.get("planted") or {}
    if planted:
        with status(f"{exp.name}: measuring the targets at the planted values", progress):
            sc = plant_targets(
                sc,
                planted,
                d.get("planted_metrics", []),
                d.get("planted_runs", 8),
                exp.seed,
                d.get("ticks"),
            )
    hm = HmSettings(
        waves=d.get("waves", 3),
        points=d.get("points", 0),
        cut=d.get("cut", 3.0),
        emulator=d.get("emulator", "gp"),
    )
    abc = AbcSettings(particles=d.get("particles", 100), generations=d.get("generations", 4))
    cal = calibrate(
        sc,
        d.get("method", "history-matching"),
        d.get("params") or None,
        replicates=d.get("replicates"),
        hm=hm,
        abc=abc,
        seed=exp.seed,
        ticks=d.get("ticks"),
        ensemble_size=d.get("ensemble_size", 20),
        workers=workers,
        progress=progress,
    )
    intervals = cal.intervals_table()
    if planted:
        intervals["planted"] = intervals["param"].map(planted).astype(float)
        intervals["inside"] = (intervals["q05"] <= intervals["planted"]) & (
            intervals["planted"] <= intervals["q95"]
        )
    ens = cal.ensemble
    ensemble = pd.DataFrame() if ens is None else ens.params.assign(weight=ens.weights)
    tables = {
        "intervals": intervals,
        "fits": cal.fits_table(),
        "diagnostics": pd.json_normalize(cal.diagnostics),
        "posterior": cal.posterior,
        "ensemble": ensemble,
    }
    doc = cal.to_dict()
    provenance = {
        "scenario": sc.name,
        "scenario_path": str(sc.path),
        "resolved_scenario": sc.data,
        "calibration": {k: doc[k] for k in ("method", "params", "targets", "settings")},
        "planted": planted or None,
        "root_seed": exp.seed,
    }
    summary = (
        f"{cal.method}: {doc['posterior_points']} posterior points (ESS {doc['posterior_ess']:.0f})"
    )
    if planted:
        inside = int(intervals["inside"].sum())
        summary += f"; planted values inside their 90% intervals: {inside}/{len(intervals)}"
    return KindOutput(tables, provenance, summary)
