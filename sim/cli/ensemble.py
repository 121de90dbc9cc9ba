"""``--ensemble`` of ``run``, ``compare`` and ``recommend``: the calibrated parameter sets.

The dispatch of those commands' ensemble mode, kept apart from :mod:`sim.cli.studies`
and :mod:`sim.cli.recommend`: every set of an ensemble file (``ensemble.csv`` of
``xborder calibrate --out``) runs with its replicates
(:mod:`sim.calibrate.across`), or serves as a robustness world of ``recommend``.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from sim.cli.helpers import call, console, fail, report_failures
from sim.cli.tables import fmt


def ensemble_of(path: Path):
    """The ensemble file, or exit 2 naming the problem."""
    from sim.calibrate import load_ensemble
    from sim.harness.executors import HarnessError

    try:
        return load_ensemble(path)
    except HarnessError as e:
        fail(str(e))


def given_worlds(path: Path, sc):
    """``recommend --ensemble``: the ensemble's sets as the robustness worlds."""
    from sim.harness.executors import HarnessError
    from sim.recommend.robustness import GivenWorlds

    ens = ensemble_of(path)
    try:
        warnings = ens.check(sc)
    except HarnessError as e:
        fail(str(e))
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)
    sets = tuple(ens.values(i) for i in range(len(ens)))
    return GivenWorlds(sets, tuple(float(w) for w in ens.weights), str(path))


def run_across(sc, ensemble: Path, replicates, seed, ticks, fmt, ex: dict) -> None:
    """``xborder run --ensemble``: each metric across the calibrated sets."""
    from sim.calibrate.across import run_ensemble

    ens = ensemble_of(ensemble)
    study = call(run_ensemble, sc, ens, replicates, seed, ticks=ticks, **ex)
    title = f"{sc.name}: {len(ens)} calibrated sets x {replicates} replicates, seed {seed}"
    _report(study, fmt, lambda doc: across_table(doc["metrics"], title))


def compare_across(base, alts, ensemble: Path, replicates, seed, ticks, metric, fmt, ex):
    """``xborder compare --ensemble``: each alternative's effect across the calibrated sets."""
    from sim.calibrate.across import compare_ensemble

    ens = ensemble_of(ensemble)
    cmp = call(
        compare_ensemble, base, alts, ens, replicates, seed, ticks=ticks, metrics=metric, **ex
    )

    def tables(doc):
        for alt in doc["alternatives"]:
            across_table(
                alt["metrics"],
                f"{alt['scenario']} vs {doc['baseline']}: effect "
                f"across {len(ens)} calibrated sets x {replicates} paired replicates",
            )

    _report(cmp, fmt, tables)


def _report(study, fmt, tables) -> None:
    """The document's warnings on stderr, then it as JSON or ``tables(doc)``; failed runs."""
    doc = study.to_dict()
    for w in doc["warnings"]:
        typer.echo(f"warning: {w}", err=True)
    if fmt == "json":
        typer.echo(json.dumps(doc, indent=2))
    else:
        tables(doc)
    report_failures(study)


def across_table(metrics: dict, title: str) -> None:
    """Metric -> ensemble mean, parameter spread, combined 95% interval."""
    from rich.table import Table

    t = Table(
        title=title,
        title_justify="left",
        caption="mean: weighted over the sets; 5-95% of sets: parameter uncertainty alone; "
        "95% interval: parameter and replicate uncertainty together",
        caption_justify="left",
    )
    for col in ("metric", "mean", "5-95% of sets", "95% interval", "unit"):
        t.add_column(col, justify="left" if col in ("metric", "unit") else "right")
    for name, v in metrics.items():
        t.add_row(
            name,
            fmt(v["mean"]),
            f"{fmt(v['param_q05'])} .. {fmt(v['param_q95'])}",
            f"{fmt(v['ci_low'])} .. {fmt(v['ci_high'])}",
            v.get("unit", ""),
        )
    console().print(t)


__all__ = ["across_table", "compare_across", "ensemble_of", "given_worlds", "run_across"]
