"""The ``xborder`` command line: parse, call the library, print. Heavy imports are lazy."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sim.scenario import Scenario, ScenarioError, list_scenarios, load_scenario

app = typer.Typer(
    name="xborder",
    help="Cross-border cooperation policy simulator: trafficking, interdiction and the "
    "agreements between states.\n\nExample: xborder run toy_corridor -r 10 --seed 1",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"
    csv = "csv"


def _fail(message: str, code: int = 2):
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _load(scenario: str, overrides: list[str] | None = None) -> Scenario:
    try:
        return load_scenario(scenario, overrides or [])
    except ScenarioError as e:
        _fail(str(e))


ScenarioArg = Annotated[
    str,
    typer.Argument(help="Scenario file, or the name of a shipped one (see `xborder scenarios`)."),
]


@app.command()
def scenarios() -> None:
    """List the shipped scenarios with one line each.

    Example: xborder scenarios
    """
    from rich.table import Table

    from sim.describe import _console

    t = Table("name", "description", "file", box=None)
    for name, desc, path in list_scenarios():
        t.add_row(
            name,
            desc,
            str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path),
        )
    _console().print(t)


@app.command()
def describe(
    scenario: ScenarioArg,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override NAME=VALUE.")] = None,
) -> None:
    """Print a scenario's states, agreement matrix, organisations, policies and metrics.

    Example: xborder describe central_america_cocaine
    """
    from sim.describe import describe_scenario

    sc = _load(scenario, set_)
    describe_scenario(sc)


@app.command()
def run(
    scenario: ScenarioArg,
    replicates: Annotated[int, typer.Option("-r", "--replicates", min=1, help="Seeded runs.")] = 10,
    seed: Annotated[int, typer.Option(help="Root seed; run seeds are spawned from it.")] = 0,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Override a parameter or a dotted path: exploration=0.3, "
            "states.PAN.capacity=60. Repeatable.",
        ),
    ] = None,
    ticks: Annotated[int | None, typer.Option(min=1, help="Weeks to simulate.")] = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="table, json or csv on stdout.")
    ] = Format.table,
    out: Annotated[
        Path | None, typer.Option(help="Write manifest, parquet, csv and figures here.")
    ] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes (default: cores).")] = None,
) -> None:
    """Run a scenario's replicates and print each metric's mean with a 95% interval.

    Examples:
      xborder run toy_corridor
      xborder run scenarios/central_america_cocaine.toml -r 8 --seed 1 --format json
      xborder run toy_corridor --set states.MID.capacity=40 --out outputs/surge
    """
    from sim.harness.outputs import clean, now, write_study
    from sim.harness.progress import progress_bar
    from sim.harness.runner import run_replicates, summarize_runs
    from sim.metrics import REGISTRY
    from sim.world import COMMODITY_UNITS

    sc = _load(scenario, set_)
    if ticks is not None and ticks <= sc.burn_in:
        _fail(f"{sc.path}: --ticks: must be larger than burn_in ({sc.burn_in}), got {ticks}")
    started = now()
    with progress_bar(replicates, f"{sc.name}") as advance:
        results = run_replicates(
            sc, replicates, seed=seed, ticks=ticks, workers=workers, progress=advance
        )
    commodities = {o.get("commodity", "cocaine") for o in sc.data["organizations"]}
    unit = COMMODITY_UNITS.get(next(iter(commodities)), "kg") if len(commodities) == 1 else "units"
    stats = summarize_runs(results)
    metrics = {k: {**v, "unit": REGISTRY[k].unit.format(q=unit)} for k, v in stats.items()}
    if out is not None:
        write_study(out, sc, results, seed, sys.argv, started, unit)
    failed = [r for r in results if r.status != "ok"]
    if fmt is Format.json:
        doc = {"scenario": sc.name, "replicates": replicates, "seed": seed, "metrics": metrics}
        typer.echo(json.dumps(clean(doc), indent=2))
    elif fmt is Format.csv:
        typer.echo("metric,mean,ci_low,ci_high,unit")
        for k, v in metrics.items():
            typer.echo(f"{k},{v['mean']!r},{v['ci_low']!r},{v['ci_high']!r},{v['unit']}")
    else:
        from sim.describe import metrics_table

        metrics_table(
            metrics,
            f"{sc.name}: {replicates} replicates, seed {seed}, "
            f"weeks {sc.burn_in}-{ticks or sc.ticks} (after burn-in)",
        )
        if out is not None:
            typer.echo(f"outputs written to {out}", err=True)
    for r in failed:
        typer.echo(f"run {r.replicate} (seed {r.seed}) failed: {r.error.splitlines()[0]}", err=True)
    if failed:
        raise typer.Exit(1)


@app.command()
def validate(
    only: Annotated[
        str | None, typer.Option(help="Comma-separated check ids, e.g. V1,V14.")
    ] = None,
    replicates: Annotated[
        int | None, typer.Option("-r", "--replicates", min=2, help="Paired replicates per check.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Root seed.")] = 0,
    fmt: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes (default: cores).")] = None,
) -> None:
    """Run the stylized-fact checks of VALIDATION.md and print a pass/fail table.

    Examples:
      xborder validate
      xborder validate --only V1,V2,V5,V14 --format json
    """
    from sim.harness.outputs import clean
    from sim.harness.validate import CHECKS, run_checks

    ids = [s.strip() for s in only.split(",")] if only else list(CHECKS)
    unknown = [i for i in ids if i not in CHECKS]
    if unknown:
        _fail(f"--only: unknown check {unknown[0]!r} (known: {', '.join(CHECKS)})")
    results = run_checks(ids, replicates=replicates, seed=seed, workers=workers)
    if fmt is Format.json:
        typer.echo(json.dumps(clean({"checks": [r.as_dict() for r in results]}), indent=2))
    else:
        from sim.describe import checks_table

        checks_table(results)
    if not all(r.passed for r in results):
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover
    """Entry point for ``python -m sim.cli``."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
