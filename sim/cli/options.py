"""Options and arguments shared by the ``xborder`` commands (typer ``Annotated`` aliases)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"
    csv = "csv"


class TableOrJson(StrEnum):
    """Output formats of the commands without a CSV form."""

    table = "table"
    json = "json"


ScenarioArg = Annotated[
    str,
    typer.Argument(help="Scenario file, or the name of a shipped one (see `xborder scenarios`)."),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a parameter or a dotted path: exploration=0.3, "
        "states.PAN.capacity=60. Repeatable.",
    ),
]
TicksOpt = Annotated[int | None, typer.Option(min=1, help="Weeks to simulate.")]
SeedOpt = Annotated[
    int, typer.Option(min=0, help="Root seed (>= 0); run seeds are spawned from it.")
]
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
        help="Dask scheduler address tcp://HOST:PORT (needs xborder\\[distributed]); "
        "start workers with --nthreads 1."
    ),
]
ResumeOpt = Annotated[bool, typer.Option("--resume", help="Finish the interrupted study in --out.")]
ForceOpt = Annotated[
    bool,
    typer.Option("--force", help="Replace the study in --out even if its settings differ."),
]
StrictOpt = Annotated[
    bool,
    typer.Option("--strict", help="Policies that would change nothing are errors (exit 2)."),
]
ShowOpt = Annotated[
    bool,
    typer.Option(
        "--show",
        help="Open the main figure (with --out and a display), else draw a terminal chart.",
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", help="table, json or csv on stdout.")]
TableOrJsonOpt = Annotated[TableOrJson, typer.Option("--format", help="table or json.")]
EnsembleOpt = Annotated[
    Path | None,
    typer.Option(
        "--ensemble",
        help="Calibrated parameter sets (ensemble.csv of `xborder calibrate --out`): every "
        "set runs -r replicates; results are reported across the ensemble.",
    ),
]
MetricOpt = Annotated[
    list[str] | None, typer.Option("--metric", help="Metric to report (repeatable; default all).")
]

#: ``xborder sensitivity -r``: a number, or ``auto`` (a pilot chooses; sim.harness.replicates).
AutoReplicatesOpt = Annotated[
    str,
    typer.Option(
        "-r",
        "--replicates",
        help="Runs per design point, averaged; 'auto': a pilot (16 points x 4 replicates) "
        "chooses the number that brings the noise share under --noise-target.",
    ),
]
NoiseTargetOpt = Annotated[
    float, typer.Option("--noise-target", help="With -r auto: the noise share to reach.")
]
MaxReplicatesOpt = Annotated[
    int, typer.Option("--max-replicates", help="With -r auto: at most this many replicates.")
]


def replicates_or_auto(value: str) -> int | str:
    """``-r`` of ``sensitivity``: ``"auto"`` or a whole number >= 1 (else exit 2)."""
    if value.strip().lower() == "auto":
        return "auto"
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        typer.echo(f"-r/--replicates: a whole number >= 1 or 'auto', got {value!r}", err=True)
        raise typer.Exit(2)
    return n


__all__ = [
    "AutoReplicatesOpt",
    "EnsembleOpt",
    "ForceOpt",
    "Format",
    "FormatOpt",
    "MaxReplicatesOpt",
    "MetricOpt",
    "NoiseTargetOpt",
    "OutOpt",
    "ResumeOpt",
    "ScenarioArg",
    "SchedulerOpt",
    "SeedOpt",
    "SetOpt",
    "ShowOpt",
    "StrictOpt",
    "TableOrJson",
    "TableOrJsonOpt",
    "TicksOpt",
    "WorkersOpt",
    "replicates_or_auto",
]

#: Where a served page listens, and who may join (``dashboard``, ``workshop``).
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
HostOpt = Annotated[
    str,
    typer.Option(
        help="Address to listen on: 127.0.0.1 (this machine only, the default) "
        "or 0.0.0.0 (the room's network; a join token is then required)."
    ),
]
TokenOpt = Annotated[
    str | None,
    typer.Option(
        help="Join token every page needs (?token=...): a value, or 'auto' for a "
        "random one. Default: none on 127.0.0.1, 'auto' on any other address."
    ),
]


def join_token(token: str | None, host: str) -> str | None:
    """The room's join token: ``auto`` (the default off loopback) draws a random one."""
    import secrets

    if token is None and host not in LOCAL_HOSTS:
        token = "auto"
    return secrets.token_urlsafe(9) if token == "auto" else token
