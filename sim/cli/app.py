"""The ``xborder`` command line: the typer app, its commands, and the console script.

Each command group lives in its own module (:mod:`~sim.cli.studies`,
:mod:`~sim.cli.recommend`, :mod:`~sim.cli.experiment`, :mod:`~sim.cli.dashboard`)
and imports only the shared options and helpers; this module imports the groups and
registers their commands. Commands parse, call the library, print; heavy imports
(pandas, mesa, the harness, matplotlib) happen inside them, so ``--help`` is fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from sim.cli.calibrate import calibrate
from sim.cli.catalog import new, policies
from sim.cli.dashboard import dashboard
from sim.cli.experiment import experiment_app
from sim.cli.recommend import discover, recommend
from sim.cli.studies import compare, describe, run, scenarios, sensitivity, validate
from sim.cli.workshop import workshop

app = typer.Typer(
    name="xborder",
    help="Cross-border cooperation policy simulator: trafficking, interdiction and the "
    "agreements between states.\n\nExample: xborder run toy_corridor -r 10 --seed 1",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for command in (
    scenarios,
    describe,
    run,
    compare,
    sensitivity,
    calibrate,
    validate,
    dashboard,
    workshop,
    recommend,
    discover,
    policies,
    new,
):
    app.command()(command)
app.add_typer(experiment_app, name="experiment")


def _show_version(value: bool) -> None:
    if value:
        from sim._version import version

        typer.echo(f"xborder {version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool | None,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = None,
) -> None:
    """Cross-border cooperation policy simulator."""


def main(argv: list[str] | None = None) -> int:
    """The ``xborder`` console script: the app, with usage errors on one line (exit 2).

    Click prints a usage error as a usage line, a hint and a framed message; analysts
    scripting the CLI get one line naming the command, the option and the problem.
    """
    from sim.cli.plain import plain_when_piped

    plain_when_piped()  # ASCII borders in pipes and files (byte-counting tools, awk)
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


def _console() -> None:  # pragma: no cover
    """Console-script entry point (pyproject ``[project.scripts]``: ``sim.cli:_console``)."""
    sys.exit(main())


__all__ = ["app", "main"]
