"""``xborder scenarios | describe | run | compare | sensitivity | validate``.

The study commands call the harness, print its tables and, with ``--out``, draw the
figures (:mod:`sim.plotting.figures`) next to the outputs. Heavy imports are lazy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.ensemble import compare_across, run_across
from sim.cli.helpers import (
    call,
    console,
    drawing,
    execution,
    fail,
    load,
    policy_warnings,
    report_failures,
    show_figures,
    warm,
)
from sim.cli.options import (
    AutoReplicatesOpt,
    EnsembleOpt,
    ForceOpt,
    Format,
    FormatOpt,
    MaxReplicatesOpt,
    MetricOpt,
    NoiseTargetOpt,
    OutOpt,
    ResumeOpt,
    ScenarioArg,
    SchedulerOpt,
    SeedOpt,
    SetOpt,
    ShowOpt,
    StrictOpt,
    TicksOpt,
    WorkersOpt,
    replicates_or_auto,
)
from sim.scenario import list_scenarios


def scenarios() -> None:
    """List the shipped scenarios with one line each.

    Example: xborder scenarios
    """
    from rich.table import Table

    t = Table("name", "description", "file", box=None)
    for name, desc, path in list_scenarios():
        t.add_row(
            name,
            desc,
            str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path),
        )
    console().print(t)


def describe(
    scenario: ScenarioArg,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override NAME=VALUE.")] = None,
) -> None:
    """Print a scenario's states, agreements, organisations, policies and metrics.

    Example: xborder describe central_america_cocaine
    """
    from sim.cli.tables import describe_scenario

    sc = load(scenario, set_)
    describe_scenario(sc)


def run(
    scenario: ScenarioArg,
    replicates: Annotated[int, typer.Option("-r", "--replicates", min=1, help="Seeded runs.")] = 10,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    ticks: TicksOpt = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    force: ForceOpt = False,
    strict: StrictOpt = False,
    show: ShowOpt = False,
    ensemble: EnsembleOpt = None,
) -> None:
    """Run a scenario's replicates and print each metric's mean with a 95% interval.

    Examples:
      xborder run toy_corridor
      xborder run central_america_cocaine -r 8 --seed 1 --format json
      xborder run toy_corridor --set states.MID.capacity=40 --out outputs/surge
      xborder run toy_corridor -r 200 --out outputs/big --resume  # after Ctrl-C
    """
    warm(workers, scheduler)
    from sim.harness.outputs import clean
    from sim.harness.study import run_study

    sc = load(scenario, set_)
    policy_warnings([sc], strict, ticks)
    ex = execution(out, workers, scheduler, resume, force)
    if ensemble is not None:
        return run_across(sc, ensemble, replicates, seed, ticks, fmt, ex)
    study = call(run_study, sc, replicates, seed, ticks=ticks, **ex)
    figures = None
    if out is not None and study.state == "finished":
        from sim.harness.study import replay_first

        drawing()
        from sim.plotting.figures import write_run_figures

        figures = write_run_figures(study, sc, replay_first(study, sc, ticks))
        show_figures(figures)
    doc = study.to_dict()
    metrics = doc["metrics"]
    if fmt is Format.json:
        typer.echo(json.dumps(clean(doc), indent=2))
    elif fmt is Format.csv:
        typer.echo("metric,mean,ci_low,ci_high,unit")
        for k, v in metrics.items():
            typer.echo(f"{k},{v['mean']!r},{v['ci_low']!r},{v['ci_high']!r},{v['unit']}")
    else:
        from sim.cli.tables import metrics_table

        metrics_table(
            metrics,
            f"{sc.name}: {replicates} replicates, seed {seed}, "
            f"weeks {sc.burn_in}-{ticks or sc.ticks} (after burn-in)",
        )
        if "policy_cost" in metrics:
            from sim.harness.comparison import nominal_policy_cost

            typer.echo(
                "policy_cost: mean over the weeks after burn-in; the scenario's policies "
                f"cost {nominal_policy_cost(sc):,.0f} USD per year while in force (nominal)"
            )
        if out is not None:
            typer.echo(f"outputs written to {out}", err=True)
    from sim.cli.show import present, series_chart

    unit = doc["metrics"].get("delivered", {}).get("unit", "")
    present(show, figures, lambda: series_chart(study.timeseries, "delivered", unit))
    report_failures(study)


def compare(
    baseline: ScenarioArg,
    alternatives: Annotated[
        list[str],
        typer.Argument(help="Alternative scenarios (files or shipped names), paired with it."),
    ],
    replicates: Annotated[
        int, typer.Option("-r", "--replicates", min=2, help="Paired runs per scenario.")
    ] = 10,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    ticks: TicksOpt = None,
    metric: MetricOpt = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    force: ForceOpt = False,
    strict: StrictOpt = False,
    show: ShowOpt = False,
    ensemble: EnsembleOpt = None,
) -> None:
    r"""Compare alternatives with a baseline, paired by seed (common random numbers).

    Per metric: paired change with a 95% interval, Vargha-Delaney A12,
    Wilcoxon signed-rank p Holm-adjusted across metrics. Cost-effectiveness
    (kg per year per million USD a year) only where the change in delivered
    is detectable (its 95% interval excludes zero). --set applies to every
    scenario. --out adds compare.json and figures/forest.png.

    Examples:
      xborder compare toy_corridor scenarios/toy_surge.toml -r 50
      xborder compare toy_corridor toy_surge -r 50 --format json \
          --out outputs/surge
    """
    warm(workers, scheduler)
    from sim.harness.comparison import compare as compare_fn

    base = load(baseline, set_)
    alts = [load(a, set_) for a in alternatives]
    policy_warnings([base, *alts], strict, ticks)
    ex = execution(out, workers, scheduler, resume, force)
    if ensemble is not None:
        return compare_across(base, alts, ensemble, replicates, seed, ticks, metric, fmt, ex)
    cmp = call(compare_fn, base, alts, replicates, seed, ticks=ticks, metrics=metric, **ex)
    figures = None
    if out is not None and cmp.state == "finished":
        drawing()
        from sim.plotting.figures import write_compare_figures

        figures = write_compare_figures(cmp)
        show_figures(figures)
    doc = cmp.to_dict()
    if fmt is Format.json:
        typer.echo(json.dumps(doc, indent=2))
    elif fmt is Format.csv:
        typer.echo(cmp.table.to_csv(index=False).rstrip("\n"))
    else:
        from sim.cli.reports import comparison_tables

        comparison_tables(doc)
        if out is not None:
            typer.echo(f"outputs written to {out}", err=True)
    from sim.cli.show import compare_chart, present

    present(show, figures, lambda: compare_chart(doc))
    report_failures(cmp)


def sensitivity(
    scenario: ScenarioArg,
    method: Annotated[str, typer.Option(help="sobol, morris or fast.")] = "sobol",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="Uncertain parameter NAME=LOW:HIGH (repeatable; default: the scenario's "
            "uncertainties table). Names from sim/params.py or dotted paths "
            "(states.MID.capacity).",
        ),
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(
            "-N",
            "--samples",
            min=1,
            help="Base samples (Sobol, power of two; 64), trajectories (Morris; 16) or "
            "samples per parameter (FAST, > 64; 128); with --emulator: design points "
            "(10 per parameter, at least 64).",
        ),
    ] = None,
    replicates: AutoReplicatesOpt = "1",
    noise_target: NoiseTargetOpt = 0.1,
    max_replicates: MaxReplicatesOpt = 32,
    metric: MetricOpt = None,
    second_order: Annotated[
        bool, typer.Option("--second-order", help="Sobol second-order indices (more runs).")
    ] = False,
    emulator: Annotated[
        str | None,
        typer.Option(
            help="gp or gbt: run -N space-filling points -r times each, emulate each "
            "metric's mean and take Sobol indices of the emulator (validated out of sample).",
        ),
    ] = None,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    ticks: TicksOpt = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.table,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    force: ForceOpt = False,
    strict: StrictOpt = False,
    show: ShowOpt = False,
) -> None:
    r"""Global sensitivity analysis (SALib) of a scenario's metrics.

    Each design point runs -r times on the same seeds and the mean is
    analysed; the tables report the replicate noise share (unclipped) and
    flag metrics whose indices mean little (noise share > 0.5, total indices
    summing > 1.5). -r auto chooses the replicates from a pilot. --out adds
    sensitivity.json, figures/indices.png and figures/convergence.png.

    Examples:
      xborder sensitivity toy_corridor --method sobol -N 64 -r 2
      xborder sensitivity toy_corridor -N 16 -r auto --metric delivered
      xborder sensitivity toy_corridor --method morris \
          --param exploration=0.05:0.4 --param states.MID.capacity=5:30 \
          --metric delivered --format json
    """
    warm(workers, scheduler)
    from sim.harness.sensitivity_analysis import sensitivity as sensitivity_fn
    from sim.metrics import MAIN

    sc = load(scenario, set_)
    policy_warnings([sc], strict, ticks)
    fn = sensitivity_fn
    if emulator is not None:
        from sim.cli.emulated import emulated

        fn = emulated(emulator, method, second_order)
    res = call(
        fn,
        sc,
        method,
        param,
        samples,
        replicates_or_auto(replicates),
        seed,
        metrics=metric,
        noise_target=noise_target,
        max_replicates=max_replicates,
        calc_second_order=second_order,
        ticks=ticks,
        **execution(out, workers, scheduler, resume, force),
    )
    figures = None
    if out is not None and res.state == "finished":
        drawing()
        from sim.plotting.figures import write_sensitivity_figures

        figures = write_sensitivity_figures(res, metric)
        show_figures(figures)
    doc = res.to_dict()
    if res.replicates_auto:  # what -r auto chose, and why
        typer.echo(res.describe_replicates(), err=True)
    if fmt is Format.json:
        typer.echo(json.dumps(doc, indent=2))
    elif fmt is Format.csv:
        typer.echo(res.table().to_csv(index=False).rstrip("\n"))
    else:
        from sim.cli.reports import sensitivity_tables

        sensitivity_tables(doc, metric or [m for m in MAIN if m in doc["metrics"]])
        if out is not None:
            typer.echo(f"outputs written to {out}", err=True)
    from sim.cli.show import indices_chart, present

    present(show, figures, lambda: indices_chart(doc, metric[0] if metric else None))
    report_failures(res)


def validate(
    only: Annotated[
        str | None, typer.Option(help="Comma-separated check ids, e.g. V1,V14.")
    ] = None,
    replicates: Annotated[
        int | None, typer.Option("-r", "--replicates", min=2, help="Paired replicates per check.")
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Root seed (>= 0).")] = 0,
    fmt: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes (default: cores).")] = None,
) -> None:
    """Run the stylized-fact checks of docs/VALIDATION.md: statistic and verdict.

    Per check and criterion: the statistic with its unit, its 95% interval
    where it has one, the rule it is judged by, and whether it held.

    Examples:
      xborder validate
      xborder validate --only V1,V2,V5,V14 --format json
    """
    from sim.harness.outputs import clean
    from sim.validation import CHECKS, run_checks

    ids = [s.strip() for s in only.split(",")] if only else list(CHECKS)
    unknown = [i for i in ids if i not in CHECKS]
    if unknown:
        from sim.suggest import did_you_mean

        hint = did_you_mean(unknown[0], CHECKS)
        fail(f"--only: unknown check {unknown[0]!r}{hint} (known: {', '.join(CHECKS)})")
    results = run_checks(ids, replicates=replicates, seed=seed, workers=workers)
    if fmt is Format.json:
        typer.echo(json.dumps(clean({"checks": [r.as_dict() for r in results]}), indent=2))
    else:
        from sim.cli.reports import checks_report

        checks_report(results)
    if not all(r.passed for r in results):
        raise typer.Exit(1)
