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


SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a parameter or a dotted path: exploration=0.3, "
        "states.PAN.capacity=60. Repeatable.",
    ),
]
TicksOpt = Annotated[int | None, typer.Option(min=1, help="Weeks to simulate.")]
SeedOpt = Annotated[int, typer.Option(help="Root seed; run seeds are spawned from it.")]
OutOpt = Annotated[
    Path | None,
    typer.Option(help="Write manifest, parquet tables, csv and figures here, run by run."),
]
WorkersOpt = Annotated[
    int | None, typer.Option(min=1, help="Local processes (default: cores; 1: serial).")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        help="Dask scheduler address tcp://HOST:PORT (needs xborder[distributed]); "
        "start workers with --nthreads 1."
    ),
]
ResumeOpt = Annotated[bool, typer.Option("--resume", help="Finish the interrupted study in --out.")]
MetricOpt = Annotated[
    list[str] | None, typer.Option("--metric", help="Metric to report (repeatable; default all).")
]


def _warm(workers, scheduler) -> None:
    from sim.harness.executors import warm_start

    warm_start(workers, scheduler)


def _exec(out, workers, scheduler, resume) -> dict:
    if resume and out is None:
        _fail("--resume: needs --out DIR (the study to finish)")
    return {
        "out": out,
        "workers": workers,
        "scheduler": scheduler,
        "resume": resume,
        "progress": True,
        "command": list(sys.argv),
    }


def _call(fn, *args, **kwargs):
    """Call a harness function; bad input exits 2, an interrupt 130, a broken executor 1."""
    from sim.harness.executors import HarnessError, StudyStopped

    try:
        return fn(*args, **kwargs)
    except (ScenarioError, HarnessError) as e:
        _fail(str(e))
    except KeyboardInterrupt:
        _fail(f"interrupted; {_saved(kwargs.get('out'))}", 130)
    except StudyStopped as e:
        _fail(
            f"study stopped: {str(e).splitlines()[0] if str(e) else 'executor failed'}; "
            f"{_saved(kwargs.get('out'))}",
            1,
        )


def _saved(out: Path | None) -> str:
    if out is None:
        return "nothing was saved (no --out)"
    try:
        m = json.loads((out / "manifest.json").read_text())
        done = f"{m.get('runs_done', '?')} of {m.get('runs_total', '?')} runs"
    except (OSError, ValueError):
        done = "the finished runs"
    return f"{done} saved in {out}; finish with the same command and --resume"


def _report_failures(data) -> None:
    from sim.harness.report import failure_lines

    failed = data.failed
    for line in failure_lines(data.runs):
        typer.echo(line, err=True)
    if len(failed):
        typer.echo(f"{len(failed)} of {len(data.runs)} runs failed", err=True)
        raise typer.Exit(1)


@app.command()
def run(
    scenario: ScenarioArg,
    replicates: Annotated[int, typer.Option("-r", "--replicates", min=1, help="Seeded runs.")] = 10,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    ticks: TicksOpt = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="table, json or csv on stdout.")
    ] = Format.table,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
) -> None:
    """Run a scenario's replicates and print each metric's mean with a 95% interval.

    Examples:
      xborder run toy_corridor
      xborder run scenarios/central_america_cocaine.toml -r 8 --seed 1 --format json
      xborder run toy_corridor --set states.MID.capacity=40 --out outputs/surge
      xborder run toy_corridor -r 200 --out outputs/big --resume   # after a Ctrl-C
    """
    _warm(workers, scheduler)
    from sim.harness.outputs import clean
    from sim.harness.study import run_study

    sc = _load(scenario, set_)
    study = _call(
        run_study,
        sc,
        replicates,
        seed,
        ticks=ticks,
        **_exec(out, workers, scheduler, resume),
    )
    doc = study.to_dict()
    metrics = doc["metrics"]
    if fmt is Format.json:
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
    _report_failures(study)


@app.command()
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
    fmt: Annotated[
        Format, typer.Option("--format", help="table, json or csv on stdout.")
    ] = Format.table,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
) -> None:
    """Compare alternatives with a baseline, paired by seed (common random numbers).

    Per metric: paired change with a 95% interval, Vargha-Delaney A12, Wilcoxon
    signed-rank p Holm-adjusted across metrics; cost-effectiveness per million USD.
    --set applies to every scenario. --out adds compare.json and figures/forest.png.

    Examples:
      xborder compare toy_corridor scenarios/toy_surge.toml -r 50
      xborder compare toy_corridor toy_surge -r 50 --format json --out outputs/surge
    """
    _warm(workers, scheduler)
    from sim.harness.comparison import compare as compare_fn

    base = _load(baseline, set_)
    alts = [_load(a, set_) for a in alternatives]
    cmp = _call(
        compare_fn,
        base,
        alts,
        replicates,
        seed,
        ticks=ticks,
        metrics=metric,
        **_exec(out, workers, scheduler, resume),
    )
    doc = cmp.to_dict()
    if fmt is Format.json:
        typer.echo(json.dumps(doc, indent=2))
    elif fmt is Format.csv:
        typer.echo(cmp.table.to_csv(index=False).rstrip("\n"))
    else:
        from sim.harness.report import comparison_tables

        comparison_tables(doc)
        if out is not None:
            typer.echo(f"outputs written to {out}", err=True)
    _report_failures(cmp)


@app.command()
def sensitivity(
    scenario: ScenarioArg,
    method: Annotated[str, typer.Option(help="sobol, morris or fast.")] = "sobol",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="Uncertain parameter NAME=LOW:HIGH (repeatable; default: the scenario's "
            "[uncertainties]). Names from sim/params.py or dotted paths (states.MID.capacity).",
        ),
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(
            "-N",
            "--samples",
            min=1,
            help="Base samples (Sobol, power of two; 64), trajectories (Morris; 16) or "
            "samples per parameter (FAST, > 64; 128).",
        ),
    ] = None,
    replicates: Annotated[
        int, typer.Option("-r", "--replicates", min=1, help="Runs per design point, averaged.")
    ] = 1,
    metric: MetricOpt = None,
    second_order: Annotated[
        bool, typer.Option("--second-order", help="Sobol second-order indices (more runs).")
    ] = False,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    ticks: TicksOpt = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, json or csv.")] = Format.table,
    out: OutOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
) -> None:
    """Global sensitivity analysis (SALib) of a scenario's metrics to uncertain parameters.

    Each design point runs -r times on the same seeds and the mean is analysed; the
    table reports the share of variance that is replicate noise. --out adds
    sensitivity.json, figures/indices.png and figures/convergence.png.

    Examples:
      xborder sensitivity toy_corridor --method sobol -N 64 -r 2
      xborder sensitivity toy_corridor --method morris --param exploration=0.05:0.4 \
          --param states.MID.capacity=5:30 --metric delivered --format json
    """
    _warm(workers, scheduler)
    from sim.harness.sensitivity_analysis import sensitivity as sensitivity_fn
    from sim.metrics import MAIN

    sc = _load(scenario, set_)
    res = _call(
        sensitivity_fn,
        sc,
        method,
        param,
        samples,
        replicates,
        seed,
        metrics=metric,
        calc_second_order=second_order,
        ticks=ticks,
        **_exec(out, workers, scheduler, resume),
    )
    doc = res.to_dict()
    if fmt is Format.json:
        typer.echo(json.dumps(doc, indent=2))
    elif fmt is Format.csv:
        typer.echo(res.table().to_csv(index=False).rstrip("\n"))
    else:
        from sim.harness.report import sensitivity_tables

        sensitivity_tables(doc, metric or [m for m in MAIN if m in doc["metrics"]])
        if out is not None:
            typer.echo(f"outputs written to {out}", err=True)
    _report_failures(res)


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


@app.command()
def dashboard(
    scenario: Annotated[
        str, typer.Argument(help="Scenario shown first (name of a shipped one, or a file).")
    ] = "toy_corridor",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8765,
) -> None:
    """Serve the workshop dashboard (map, charts, live agreement switches) on 127.0.0.1.

    Needs the dashboard extra: pip install 'xborder[dashboard]'. Works offline.

    Example: xborder dashboard central_america_cocaine --port 8765
    """
    _load(scenario)
    try:
        from sim.dashboard import serve
    except ImportError as e:  # pragma: no cover
        _fail(f"dashboard: {e} (pip install 'xborder[dashboard]')")
    typer.echo(f"xborder dashboard: http://127.0.0.1:{port} (Ctrl-C to stop)", err=True)
    raise typer.Exit(serve(scenario, port))


# Command groups defined in their own modules (they import `app` and the helpers above).
from sim import cli_experiment, cli_policy  # noqa: E402,F401


def main(argv: list[str] | None = None) -> int:
    """The ``xborder`` console script: the app, with usage errors on one line (exit 2).

    Click prints a usage error as a usage line, a hint and a framed message; analysts
    scripting the CLI get one line naming the command, the option and the problem.
    """
    # typer vendors click: its UsageError derives from BadParameter's base class
    usage_error = typer.BadParameter.__mro__[1]
    try:
        code = app(args=argv, standalone_mode=False)
    except usage_error as e:
        ctx = getattr(e, "ctx", None)
        where = ctx.command_path if ctx is not None else "xborder"
        message = " ".join(e.format_message().split())
        typer.echo(f"{where}: {message} (see {where} --help)", err=True)
        return 2
    except typer.Abort:
        typer.echo("interrupted", err=True)
        return 130
    return code if isinstance(code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    # `python -m sim.cli`: use the imported module, on which the command groups register
    from sim.cli import main as _main

    sys.exit(_main())


def _console() -> None:  # pragma: no cover
    """Console-script entry point (pyproject ``[project.scripts]``)."""
    sys.exit(main())
