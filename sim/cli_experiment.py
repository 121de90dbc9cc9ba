"""``xborder experiment list | run NAME [--quick] | verify NAME``: reproducible studies."""

from __future__ import annotations

import typer

from sim.cli import app

experiment_app = typer.Typer(
    help="Reproducible experiments under experiments/: list, run, verify against committed tables.",
    no_args_is_help=True,
)
app.add_typer(experiment_app, name="experiment")
