"""What every ``xborder`` command shares: the console, one-line errors, calling the library.

Bad input exits 2 with one line, an interrupt 130, a failed run or a broken executor 1.
Heavy modules (the harness, matplotlib) are imported inside the functions.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer

from sim.scenario import Scenario, ScenarioError, load_scenario


def console():
    """A rich console: COLUMNS if set (also when piped), else 160 when not a terminal."""
    from rich.console import Console

    c = Console()
    if os.environ.get("COLUMNS", "").strip().isdigit():
        return Console(width=int(os.environ["COLUMNS"]))
    return c if c.is_terminal else Console(width=160)


def fail(message: str, code: int = 2):
    """Print ``message`` on stderr and exit with ``code``."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def load(scenario: str, overrides: list[str] | None = None) -> Scenario:
    """A scenario by file or shipped name, with ``--set`` overrides; exit 2 if it is bad."""
    try:
        return load_scenario(scenario, overrides or [])
    except ScenarioError as e:
        fail(str(e))


def policy_warnings(scenarios: list[Scenario], strict: bool, ticks: int | None = None) -> None:
    """One line per policy that would change nothing; with ``strict`` they exit 2.

    See :mod:`sim.policy_checks` for what is checked.
    """
    from sim.policy_checks import check_policies

    lines = []
    for sc in scenarios:
        where = f"{sc.path}: " if len(scenarios) > 1 else ""
        lines += [where + w.line() for w in check_policies(sc, ticks)]
    for line in lines:
        typer.echo(f"{'error' if strict else 'warning'}: {line}", err=True)
    if strict and lines:
        raise typer.Exit(2)


def warm(workers, scheduler=None) -> None:
    """Start the process pool's workers early (while the scenario loads)."""
    from sim.harness.executors import warm_start

    warm_start(workers, scheduler)


def execution(out, workers, scheduler, resume, force: bool = False) -> dict:
    """The execution keywords of a study from the command's options."""
    if resume and out is None:
        fail("--resume: needs --out DIR (the study to finish)")
    if force and (out is None or resume):
        fail("--force: needs --out DIR, and not --resume (it replaces the study there)")
    return {
        "out": out,
        "workers": workers,
        "scheduler": scheduler,
        "resume": resume,
        "force": force,
        "progress": True,
        "command": list(sys.argv),
    }


def call(fn, *args, **kwargs):
    """Call a harness function; bad input exits 2, an interrupt 130, a broken executor 1."""
    from sim.harness.executors import HarnessError, StudyStopped

    try:
        return fn(*args, **kwargs)
    except (ScenarioError, HarnessError) as e:
        fail(str(e))
    except KeyboardInterrupt:
        fail(f"interrupted; {saved(kwargs.get('out'))}", 130)
    except StudyStopped as e:
        fail(
            f"study stopped: {str(e).splitlines()[0] if str(e) else 'executor failed'}; "
            f"{saved(kwargs.get('out'))}",
            1,
        )


def saved(out: Path | None) -> str:
    """What an interrupted study kept, and how to finish it."""
    if out is None:
        return "nothing was saved (no --out)"
    try:
        m = json.loads((out / "manifest.json").read_text())
        done = f"{m.get('runs_done', '?')} of {m.get('runs_total', '?')} runs"
    except (OSError, ValueError):
        done = "the finished runs"
    return f"{done} saved in {out}; finish with the same command and --resume"


def failure_lines(runs, limit: int = 10) -> list[str]:
    """One line per failed run (at most ``limit``), then how many more."""
    bad = runs[runs["status"] != "ok"] if len(runs) else runs
    lines = [
        f"run {int(r.run)} ({r.scenario}, replicate {int(r.replicate)}, seed {int(r.seed)}) "
        f"failed: {r.error}"
        for r in bad.head(limit).itertuples()
    ]
    if len(bad) > limit:
        lines.append(f"... and {len(bad) - limit} more (see runs.parquet, column error)")
    return lines


def report_failures(data) -> None:
    """List the failed runs of a study on stderr and exit 1 if there are any."""
    failed = data.failed
    for line in failure_lines(data.runs):
        typer.echo(line, err=True)
    if len(failed):
        typer.echo(f"{len(failed)} of {len(data.runs)} runs failed", err=True)
        raise typer.Exit(1)


def show_figures(paths) -> None:
    """Name the figure files a command wrote (on stderr, like the outputs' folder)."""
    for p in paths or []:
        typer.echo(f"figure: {p}", err=True)


def drawing() -> None:
    """Choose matplotlib's backend before a command draws: Agg, unless MPLBACKEND says.

    The command writes figure files and never shows a window, so it needs no display.
    """
    if not os.environ.get("MPLBACKEND"):
        import matplotlib

        matplotlib.use("Agg")


__all__ = [
    "call",
    "console",
    "drawing",
    "execution",
    "fail",
    "failure_lines",
    "load",
    "policy_warnings",
    "report_failures",
    "saved",
    "show_figures",
    "warm",
]
