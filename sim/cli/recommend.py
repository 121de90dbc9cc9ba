"""``xborder recommend`` and ``xborder discover``: treaty portfolios and scenario discovery."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.ensemble import given_worlds
from sim.cli.helpers import call, drawing, execution, fail, load, warm
from sim.cli.options import (
    EnsembleOpt,
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


def recommend(
    scenario: ScenarioArg,
    budget: Annotated[
        str,
        typer.Option(
            help="Total USD over the horizon the portfolio may cost (2e7, 20M, 500k). A "
            "candidate costs its USD per year x weeks in force / 52.",
        ),
    ],
    max_agreements: Annotated[
        int, typer.Option("--max-agreements", "-k", help="At most K candidates in a portfolio.")
    ] = 3,
    levers: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated levers to draw candidates from: mlat, extradition, "
            "database, harmonize, joint_team, capacity, scenario (its own candidates table). "
            "Default: all."
        ),
    ] = None,
    objective: Annotated[
        str, typer.Option(help="Metric to improve: delivered, convictions, seized, ...")
    ] = "delivered",
    replicates: Annotated[
        int, typer.Option("-r", "--replicates", help="Paired replicates of each finalist.")
    ] = 16,
    seed: SeedOpt = 0,
    search: Annotated[
        str, typer.Option(help="halving (greedy + successive halving) or greedy (lazy greedy).")
    ] = "halving",
    first_replicates: Annotated[
        int, typer.Option(help="Halving: replicates every candidate portfolio gets first.")
    ] = 2,
    start: Annotated[
        int | None,
        typer.Option(help="Week the new agreements start (default: the scenario's burn-in)."),
    ] = None,
    top: Annotated[int, typer.Option(help="Portfolios shown in the ranking.")] = 10,
    confirm: Annotated[
        bool,
        typer.Option(
            "--confirm/--no-confirm",
            help="Rank the top portfolios on -r fresh replicates the search never saw "
            "(unbiased intervals; 10 x r more runs).",
        ),
    ] = True,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="Uncertain parameter NAME=LOW:HIGH for the robustness analysis (repeatable; "
            "as in `xborder sensitivity`); with --worlds and none given: the scenario's "
            "uncertainties table. --uncertain is the old spelling of --param.",
        ),
    ] = None,
    uncertain: Annotated[
        list[str] | None,
        typer.Option("--uncertain", hidden=True, help="Old spelling of --param."),
    ] = None,
    worlds: Annotated[
        int,
        typer.Option(help="Latin hypercube worlds for robustness (default 20 with --param)."),
    ] = 0,
    world_replicates: Annotated[int, typer.Option(help="Paired replicates per world.")] = 2,
    robust_top: Annotated[int, typer.Option(help="Top portfolios run in every world.")] = 5,
    ensemble: EnsembleOpt = None,
    set_: SetOpt = None,
    ticks: TicksOpt = None,
    fmt: TableOrJsonOpt = "table",
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    force: ForceOpt = False,
) -> None:
    r"""Recommend which agreements to sign next, under a budget.

    Enumerates the agreements the scenario lacks (MLATs, extradition
    treaties, databases, harmonised offences, joint teams, capacity
    programmes, its own candidates table), searches the portfolios that fit
    the budget (greedy with successive halving: clearly poor portfolios stop
    after a few runs), re-runs the best on fresh seeds and ranks them by
    their paired effect on the objective, with cost-effectiveness and how
    often the ranking held; when no portfolio's interval excludes zero it
    says that none beats the status quo detectably. Default costs per lever
    are illustrative (see sim/recommend/candidates.py). --out adds
    recommend.json, summary.csv, runs.parquet and figures/frontier.png
    (with --param or --worlds also worlds.parquet and figures/regret.png).
    --ensemble: the robustness worlds are the calibrated parameter sets
    (--world-replicates each), summaries weighted by the sets' weights.

    Examples:
      xborder recommend toy_corridor --budget 10M -k 2 --levers mlat
      xborder recommend central_america_cocaine --budget 25M -k 3
      xborder recommend toy_corridor --budget 5M --worlds 20 --out outputs/rec
      xborder recommend toy_corridor --budget 5M --out outputs/rec \
          --param exploration=0.1:0.4
      xborder recommend toy_corridor --budget 5M --objective convictions
    """
    warm(workers, scheduler)
    from sim.recommend import recommend as recommend_fn

    sc = load(scenario, set_)
    worlds_given = given_worlds(ensemble, sc) if ensemble is not None else None
    rec = call(
        recommend_fn,
        sc,
        budget,
        max_agreements=max_agreements,
        levers=levers,
        objective=objective,
        replicates=replicates,
        seed=seed,
        search=search,
        first_replicates=first_replicates,
        start=start,
        ticks=ticks,
        top=top,
        confirm=confirm,
        params=[*(param or []), *(uncertain or [])] or None,
        worlds=worlds,
        world_replicates=world_replicates,
        robust_top=robust_top,
        ensemble=worlds_given,
        **execution(out, workers, scheduler, resume, force),
    )
    if out is not None:
        drawing()
        from sim.plotting.figures import write_recommend_figures

        for path in write_recommend_figures(rec):
            typer.echo(f"figure: {path}", err=True)
    doc = rec.to_dict()
    if fmt == TableOrJson.json:
        typer.echo(json.dumps(doc, indent=2))
    else:
        from sim.cli.reports import recommend_tables

        recommend_tables(doc)
        if out is not None:
            typer.echo(f"outputs written to {out}", err=True)


def discover(
    study: Annotated[
        Path,
        typer.Argument(
            help="A study directory: `xborder recommend --param ... --out DIR` or "
            "`xborder sensitivity ... --out DIR`."
        ),
    ],
    metric: Annotated[
        str,
        typer.Option(
            help="benefit, regret or objective_mean (recommend studies); a metric otherwise."
        ),
    ],
    threshold: Annotated[float, typer.Option(help="A world fails beyond this value.")],
    fail_if: Annotated[
        str | None,
        typer.Option(help="above or below (default: the metric's worse side)."),
    ] = None,
    portfolio: Annotated[
        str | None,
        typer.Option(
            help="Portfolio (recommend study; default: the recommended one) or scenario "
            "(other studies)."
        ),
    ] = None,
    boxes: Annotated[int, typer.Option(help="Boxes to find (covering rounds).")] = 2,
    peel_alpha: Annotated[float, typer.Option(help="Share of a box peeled per step.")] = 0.05,
    paste_alpha: Annotated[float, typer.Option(help="Share of a box pasted per step.")] = 0.05,
    mass_min: Annotated[float, typer.Option(help="Smallest box, share of all worlds.")] = 0.05,
    min_density: Annotated[
        float, typer.Option(help="Prefer the widest box at least this dense.")
    ] = 0.8,
    fmt: TableOrJsonOpt = "table",
) -> None:
    """Scenario discovery (PRIM): where in the uncertain inputs a policy fails.

    Each world of the study fails when the metric is beyond --threshold.
    PRIM (Friedman & Fisher 1999) peels boxes of parameter ranges that hold
    the failures; each box is printed with its coverage (share of all
    failures inside), density (share of its worlds that fail) and the
    quasi-p-value of each restriction. Writes STUDY/discover_METRIC.json and
    STUDY/figures/prim_METRIC.png (the coverage-density trade-off). Warns
    when the sample is too small for the boxes: fewer than 30 worlds in the
    study, or fewer than 10 in a box.

    Examples:
      xborder discover outputs/rec --metric benefit --threshold 0
      xborder discover outputs/sobol --metric delivered --threshold 1800
    """
    from sim.harness.executors import HarnessError
    from sim.recommend import discover as discover_fn

    try:
        doc = discover_fn(
            study,
            metric,
            threshold,
            fail_if=fail_if,
            subject=portfolio,
            peel_alpha=peel_alpha,
            paste_alpha=paste_alpha,
            mass_min=mass_min,
            min_density=min_density,
            max_boxes=boxes,
        )
    except HarnessError as e:
        fail(str(e))
    except (OSError, ValueError) as e:
        fail(f"{study}: cannot read the study ({e})")
    drawing()
    from sim.plotting.figures import write_discover_figure

    try:
        write_discover_figure(doc)
    except OSError as e:
        fail(f"{doc['figure']}: cannot write the figure ({e.strerror})")
    if fmt == TableOrJson.json:
        typer.echo(json.dumps(doc, indent=2))
    else:
        from sim.cli.reports import discover_tables

        discover_tables(doc)
        typer.echo(f"figure: {doc.get('figure')}", err=True)
