"""``xborder experiment list | run | verify | plot | update-expected``: reproducible studies."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.helpers import console, drawing, fail, warm

experiment_app = typer.Typer(
    help="Reproducible experiments under experiments/: list, run, verify against committed "
    "tables, redraw figures.\n\nExample: xborder experiment verify agreements_portfolio --quick",
    no_args_is_help=True,
)

NameArg = Annotated[
    str,
    typer.Argument(help="Experiment name (see `xborder experiment list`) or an experiment file."),
]
QuickOpt = Annotated[
    bool, typer.Option("--quick", help="The experiment's \\[quick] settings: seconds, not minutes.")
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(min=1, help="Local processes (default: cores; 1: serial). Same numbers."),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(help="Output directory (default: outputs/experiments/NAME/full or /quick)."),
]


def _guard(fn, *args, **kwargs):
    """Call the library; bad input exits 2 with one line, a failed run or recipe 1."""
    from sim.harness.executors import HarnessError, StudyStopped
    from sim.scenario import ScenarioError

    try:
        return fn(*args, **kwargs)
    except (ScenarioError, HarnessError) as e:
        fail(str(e))
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except (StudyStopped, RuntimeError) as e:
        fail(f"experiment failed: {str(e).splitlines()[0] if str(e) else type(e).__name__}", 1)


@experiment_app.command("list")
def list_() -> None:
    """List the experiments with their kind, description and committed expected tables.

    Example: xborder experiment list
    """
    from rich.table import Table

    from sim.experiments import list_experiments

    t = Table("name", "kind", "description", "expected tables", box=None)
    for exp in _guard(list_experiments):
        have = [m for m in ("quick", "full") if any((exp.expected_dir.parent / m).glob("*.csv"))]
        t.add_row(exp.name, exp.kind, exp.description, ", ".join(have) or "none")
    console().print(t)


@experiment_app.command()
def run(
    name: NameArg,
    quick: QuickOpt = False,
    workers: WorkersOpt = None,
    out: OutOpt = None,
    update_expected: Annotated[
        bool,
        typer.Option(
            "--update-expected",
            help="Maintainers: also write the tables as the committed expected tables "
            "(experiments/expected/NAME/full or /quick).",
        ),
    ] = False,
) -> None:
    """Run an experiment: tables (CSV), figures (PNG, SVG) and manifest.json.

    Examples:
      xborder experiment run agreements_portfolio --quick
      xborder experiment run sensitivity_central_america --workers 2 --out outputs/sa
      xborder experiment run validation_v1 --update-expected
    """
    warm(workers)
    drawing()
    from sim.experiments import run_experiment

    res = _guard(
        run_experiment,
        name,
        quick,
        workers,
        out,
        progress=True,
        update_expected=update_expected,
        command=list(sys.argv),
    )
    typer.echo(res.summary)
    tables = ", ".join(f"{k}.csv ({len(v)} rows)" for k, v in res.tables.items())
    typer.echo(f"tables: {tables}")
    typer.echo(
        f"wrote {len(res.tables)} tables, {len(res.figures)} figures and manifest.json to "
        f"{res.out} in {res.manifest['seconds']:.1f} s"
    )
    if update_expected:
        typer.echo(f"expected tables updated in {res.experiment.expected_dir}")


@experiment_app.command()
def verify(
    name: NameArg,
    quick: QuickOpt = False,
    workers: WorkersOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Keep the re-run's tables here (default: a temporary directory)."),
    ] = None,
    rtol: Annotated[
        float,
        typer.Option(
            min=0.0,
            help="Numbers agree within this relative tolerance (default 0: exact); "
            "for reproducing on another platform, e.g. 1e-9.",
        ),
    ] = 0.0,
) -> None:
    """Re-run an experiment and compare every table with the committed ones.

    Cells compare exactly, or with --rtol numeric cells within that relative
    tolerance (text cells always exactly). Exit 0 when every cell matches, 1 naming
    each differing table, row and column, 2 for a bad name or when no expected
    tables are committed.

    Examples:
      xborder experiment verify agreements_portfolio
      xborder experiment verify validation_v1 --quick
      xborder experiment verify validation_v1 --quick --rtol 1e-9
    """
    warm(workers)
    from sim.experiments import verify_experiment

    res = _guard(verify_experiment, name, quick, workers, out, progress=True, rtol=rtol)
    lines = res.lines()
    if res.ok:
        typer.echo(lines[0])
        return
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(1)


@experiment_app.command()
def plot(
    name: NameArg,
    quick: QuickOpt = False,
    out: Annotated[
        Path | None,
        typer.Option(help="The finished run's directory (default: outputs/experiments/NAME/...)."),
    ] = None,
) -> None:
    """Redraw an experiment's figures from the tables of a finished run (no re-run).

    Example: xborder experiment plot agreements_portfolio --quick
    """
    drawing()
    from sim.experiments import plot_experiment

    paths = _guard(plot_experiment, name, quick, out)
    typer.echo(f"wrote {len(paths)} figure files" + (f" to {paths[0].parent}" if paths else ""))


@experiment_app.command("update-expected")
def update_expected(
    names: Annotated[
        list[str] | None, typer.Argument(help="Experiments (default: every experiment).")
    ] = None,
    full: Annotated[
        bool | None,
        typer.Option(
            "--full/--quick-only",
            help="Full versions too (--full) or not (--quick-only); default: full where "
            "full tables are already committed.",
            show_default=False,
        ),
    ] = None,
    workers: WorkersOpt = None,
) -> None:
    """Maintainers: regenerate the committed expected tables after a deliberate change.

    Rewrites experiments/expected/NAME/quick for each experiment, and /full where full
    tables are committed (or for all with --full: up to an hour). Review the diff of
    experiments/expected/ and commit it.

    Examples:
      xborder experiment update-expected
      xborder experiment update-expected --quick-only
      xborder experiment update-expected sensitivity_central_america --full
    """
    warm(workers)
    from sim.experiments import update_expected as update

    for res in _guard(update, names or None, full, workers, progress=True):
        exp = res.experiment
        typer.echo(f"{exp.name} ({exp.mode}): {exp.expected_dir} ({res.manifest['seconds']:.1f} s)")
