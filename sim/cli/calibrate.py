"""``xborder calibrate``: fit a scenario's uncertain parameters to its ``[targets]``.

Its ensemble (``ensemble.csv``) feeds ``run``, ``compare`` and ``recommend --ensemble``
(:mod:`sim.cli.ensemble`).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from sim.cli.helpers import call, console, drawing, execution, fail, load, warm
from sim.cli.options import (
    ForceOpt,
    OutOpt,
    ResumeOpt,
    ScenarioArg,
    SchedulerOpt,
    SeedOpt,
    SetOpt,
    TableOrJson,
    TableOrJsonOpt,
    TicksOpt,
    WorkersOpt,
)
from sim.cli.tables import fmt


def _line(d: dict) -> str:
    if "wave" in d:
        q2 = ", ".join(f"{k} {fmt(v)}" for k, v in d["q2"].items())
        return (
            f"wave {d['wave']}: {d['points']} points, {d['runs']} runs; non-implausible "
            f"space {d['space_share']:.1%} of the box; {d['share_non_implausible']:.0%} of "
            f"the wave's points non-implausible; emulator Q2: {q2}"
        )
    return (
        f"generation {d['generation']}: tolerance {fmt(d['tolerance'])}, {d['particles']} "
        f"particles, {d['runs']} runs, acceptance {d['acceptance_rate']:.1%}, ESS {d['ess']:.0f}"
    )


def calibrate(
    scenario: ScenarioArg,
    method: Annotated[
        str, typer.Option(help="history-matching (waves of emulators) or abc (ABC-SMC).")
    ] = "history-matching",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="Parameter NAME=LOW:HIGH to calibrate (repeatable; default: the "
            "scenario's uncertainties table). Uniform prior on the range.",
        ),
    ] = None,
    replicates: Annotated[
        int | None,
        typer.Option("-r", "--replicates", min=1, help="Runs per point (default 3; abc: 1)."),
    ] = None,
    waves: Annotated[int, typer.Option(min=1, help="History matching: waves.")] = 3,
    points: Annotated[
        int | None,
        typer.Option(min=4, help="History matching: points per wave (default 10 per parameter)."),
    ] = None,
    cut: Annotated[
        float, typer.Option(min=0.5, help="History matching: implausibility cut.")
    ] = 3.0,
    emulator: Annotated[str, typer.Option(help="History matching: gp or gbt.")] = "gp",
    particles: Annotated[int, typer.Option(min=4, help="ABC: particles.")] = 100,
    generations: Annotated[int, typer.Option(min=0, help="ABC: generations after the first.")] = 4,
    min_tolerance: Annotated[
        float, typer.Option(min=0.0, help="ABC: smallest tolerance (RMS distance in sd).")
    ] = 1.0,
    ensemble_size: Annotated[
        int, typer.Option(min=1, help="Distinct parameter sets at most in ensemble.csv.")
    ] = 20,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    ticks: TicksOpt = None,
    fmt_: TableOrJsonOpt = "table",
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    force: ForceOpt = False,
) -> None:
    r"""Calibrate a scenario's uncertain parameters to its \[targets] table.

    History matching (default): waves of space-filling designs, emulators of
    each target's mean and replicate variance, implausibility cut at --cut;
    the posterior is the non-implausible runs weighted by their likelihood.
    ABC (--method abc): ABC-SMC with Beaumont et al. (2009) weights. --out
    writes calibration.json, posterior.csv, ensemble.csv (+ ensemble.json),
    diagnostics.csv, figures/targets.png and figures/posterior.png; use the
    ensemble with run, compare and recommend --ensemble.

    Examples:
      xborder calibrate my_region.toml --out outputs/cal
      xborder calibrate my_region.toml --method abc --particles 200 --out outputs/abc
      xborder run my_region.toml --ensemble outputs/cal/ensemble.csv -r 5
    """
    warm(workers, scheduler)
    from sim.calibrate import AbcSettings, HmSettings
    from sim.calibrate import calibrate as calibrate_fn

    sc = load(scenario, set_)
    hm = HmSettings(waves=waves, points=points or 0, cut=cut, emulator=emulator)
    abc = AbcSettings(particles=particles, generations=generations, min_tolerance=min_tolerance)
    cal = call(
        calibrate_fn,
        sc,
        method,
        param,
        replicates=replicates,
        hm=hm,
        abc=abc,
        seed=seed,
        ticks=ticks,
        ensemble_size=ensemble_size,
        report=lambda d: typer.echo(_line(d), err=True),
        **execution(out, workers, scheduler, resume, force),
    )
    figures = []
    if out is not None and len(cal.posterior):
        drawing()
        from sim.plotting.figures import write_calibration_figures

        figures = write_calibration_figures(cal)
    doc = cal.to_dict()
    if fmt_ == TableOrJson.json:
        typer.echo(json.dumps(doc, indent=2))
    else:
        calibration_tables(doc)
    for f in figures:
        typer.echo(f"figure: {f}", err=True)
    if out is not None:
        typer.echo(f"outputs written to {out}", err=True)
    if not len(cal.posterior):
        fail(
            "no parameter set fits the targets (every point implausible or rejected): "
            "check the targets' values and sd, widen the ranges, or add model discrepancy",
            1,
        )


def calibration_tables(doc: dict) -> None:
    """Parameters (prior, posterior 90% interval) and targets (observed vs simulated)."""
    from rich.table import Table

    c = console()
    t = Table(
        title=f"{doc['scenario']}: {doc['method']}, {doc['posterior_points']} posterior "
        f"points (ESS {doc['posterior_ess']:.0f})",
        title_justify="left",
        caption="width: the 90% interval over 90% of the prior range (below 1: learnt)",
        caption_justify="left",
    )
    for col in ("parameter", "prior", "posterior median", "90% interval", "width"):
        t.add_column(col, justify="left" if col == "parameter" else "right")
    for k, v in doc["intervals"].items():
        t.add_row(
            k,
            f"{fmt(v['prior_low'])} .. {fmt(v['prior_high'])}",
            fmt(v.get("median")),
            f"{fmt(v.get('q05'))} .. {fmt(v.get('q95'))}",
            fmt(v.get("width_ratio")),
        )
    c.print(t)
    f = Table(title="targets: observed vs the posterior's simulated means", title_justify="left")
    for col in ("target", "observed", "sd", "simulated", "5-95%", "z", "source"):
        f.add_column(col, justify="left" if col in ("target", "source") else "right")
    for k, v in doc["fits"].items():
        f.add_row(
            k,
            fmt(v["value"]),
            fmt(v["sd"]),
            fmt(v.get("sim_mean")),
            f"{fmt(v.get('sim_q05'))} .. {fmt(v.get('sim_q95'))}",
            fmt(v.get("z")),
            v["source"],
        )
    c.print(f)


__all__ = ["calibrate"]
