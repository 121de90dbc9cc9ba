"""The sensitivity kind with ``emulator = "gp"`` (or ``"gbt"``): indices of an emulated mean.

:func:`run_emulated` runs :func:`sim.harness.emulated_sensitivity.emulator_sensitivity`
(``samples`` design points of an optimised Latin hypercube, each run ``replicates``
times on the same seeds) and returns its tables:

- ``indices``: S1 and ST of the emulated mean per metric and parameter, with the 95%
  half-width ``conf`` combining ``mc_conf`` (SALib's bootstrap on the emulator) and
  ``emulator_conf`` (the spread over posterior draws of the emulator);
- ``convergence``: ST of emulators fitted to the first N/4, N/2 and all N design points;
- ``noise``: per metric the noise share of the point means, the ST sum and the flags
  (:func:`noise_table`, also used by the direct Sobol path);
- ``validation``: the k-fold check of each metric's emulator (Q2, its ceiling set by
  the replicate noise, coverage of the 95% intervals, RMSE);
- ``held_out``: each design point's observed mean and its held-out prediction;
- ``settings``: the design and analysis settings, one row each.
"""

from __future__ import annotations

import pandas as pd

from sim.experiments.base import KindOutput, seed_list

#: the columns of the noise table (both sensitivity paths)
NOISE_COLUMNS = ["metric", "noise_share", "st_sum", "flags", "note"]


def noise_table(res, metrics: list[str]) -> pd.DataFrame:
    """Per metric: noise share (unclipped), ST sum, flags (space-separated) and note."""
    rows = []
    for m in metrics:
        q = res.quality(m)
        rows.append(
            {
                "metric": m,
                "noise_share": q["noise_share"],
                "st_sum": q["st_sum"],
                "flags": " ".join(q["flags"]),
                "note": res.indices.get(m, {}).get("note", ""),
            }
        )
    return pd.DataFrame(rows, columns=NOISE_COLUMNS).astype({"noise_share": float, "st_sum": float})


def indices_table(res) -> pd.DataFrame:
    """S1 and ST with their combined, bootstrap and emulator half-widths."""
    rows = []
    for m, ind in res.indices.items():
        for key in ("S1", "ST"):
            for p, v in ind.get(key, {}).items():
                rows.append(
                    {
                        "metric": m,
                        "index": key,
                        "param": p,
                        "value": v,
                        "conf": ind[f"{key}_conf"].get(p),
                        "mc_conf": ind.get(f"{key}_mc_conf", {}).get(p),
                        "emulator_conf": ind.get(f"{key}_emulator_conf", {}).get(p),
                    }
                )
    cols = ["metric", "index", "param", "value", "conf", "mc_conf", "emulator_conf"]
    return pd.DataFrame(rows, columns=cols).astype(
        {c: float for c in ("value", "conf", "mc_conf", "emulator_conf")}
    )


def held_out_table(res) -> pd.DataFrame:
    """Per metric and design point: the observed mean, its k-fold prediction and sd."""
    rows = []
    for m, val in res.validation.items():
        held = val.get("held_out") or {}
        for i, point in enumerate(held.get("point", [])):
            rows.append(
                {
                    "metric": m,
                    "point": int(point),
                    "observed": float(held["observed"][i]),
                    "predicted": float(held["predicted"][i]),
                    "sd": float(held["sd"][i]),
                }
            )
    return pd.DataFrame(rows, columns=["metric", "point", "observed", "predicted", "sd"])


def settings_table(res, ticks: int | None) -> pd.DataFrame:
    """The design's and the analysis' settings as (setting, value) text rows."""
    es = res.emulator
    rows = [
        ("method", f"sobol indices of a {es.kind} emulator of the mean"),
        ("emulator", es.kind),
        ("design", "Latin hypercube (centred-discrepancy optimised)"),
        ("points", es.N),
        ("replicates", es.replicates),
        ("runs", len(res.runs)),
        ("ticks", "scenario's" if ticks is None else ticks),
        ("seed", es.seed),
        ("folds", es.folds),
        ("saltelli_base", es.base),
        ("emulator_draws", es.draws),
        ("draw_base", es.draw_base),
        ("params", len(es.names)),
    ]
    rows += [(f"bounds:{p}", f"{lo}:{hi}") for p, (lo, hi) in es.bounds.items()]
    return pd.DataFrame([(k, str(v)) for k, v in rows], columns=["setting", "value"])


def run_emulated(exp, sc, metrics: list[str], workers: int | None, progress: bool) -> KindOutput:
    """Emulator-based Sobol indices of ``sc``'s mean metrics, with validation and noise."""
    from sim.harness.emulated_sensitivity import (
        design_convergence,
        emulator_sensitivity,
        point_stats,
    )

    ticks = exp.data.get("ticks")
    res = emulator_sensitivity(
        sc,
        exp.data["emulator"],
        exp.data.get("params") or None,
        exp.data.get("samples"),
        exp.replicates,
        exp.seed,
        metrics=metrics,
        ticks=ticks,
        workers=workers,
        progress=progress,
    )
    bad = res.failed
    if len(bad):
        raise RuntimeError(f"{len(bad)} runs failed; first: {bad.iloc[0]['error']}")
    es, X = res.emulator, res.emulator.points()
    conv = [
        {"metric": m, "n": d["n"], "param": p, "index": v, "conf": d["conf"].get(p)}
        for m in metrics
        for d in design_convergence(X, point_stats(res.runs, m, es.N), es, res.indices[m])
        for p, v in d["index"].items()
    ]
    tables = {
        "indices": indices_table(res),
        "convergence": pd.DataFrame(conv, columns=["metric", "n", "param", "index", "conf"]),
        "noise": noise_table(res, metrics),
        "validation": res.validation_table(),
        "held_out": held_out_table(res),
        "settings": settings_table(res, ticks),
    }
    provenance = {
        "scenario": sc.name,
        "scenario_path": str(sc.path),
        "resolved_scenario": sc.data,
        "design": es.to_dict(),
        "fits": res.fits,
        "root_seed": exp.seed,
        "run_seeds": seed_list(exp.seed, exp.replicates),
        "runs": len(res.runs),
    }
    val = res.validation_table().set_index("metric")
    quality = "; ".join(
        f"{m}: noise {q['noise_share']:.3g}, ST sum {q['st_sum']:.3g}, "
        f"Q2 {val.loc[m, 'q2']:.2f}, coverage {val.loc[m, 'coverage']:.2f}"
        for m in metrics
        if (q := res.quality(m))["noise_share"] is not None
        and q["st_sum"] is not None
        and m in val.index
    )
    summary = (
        f"sobol on a {es.kind} emulator: {len(es.names)} parameters, {es.N} design points x "
        f"{es.replicates} replicates = {len(res.runs)} runs" + (f"; {quality}" if quality else "")
    )
    return KindOutput(tables, provenance, summary)


__all__ = ["NOISE_COLUMNS", "noise_table", "run_emulated"]
