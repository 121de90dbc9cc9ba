"""``xborder dashboard``: serve the workshop dashboard (a separate solara server)."""

from __future__ import annotations

from typing import Annotated

import typer

from sim.cli.helpers import fail, load, policy_warnings


def dashboard(
    scenario: Annotated[
        str, typer.Argument(help="Scenario shown first (name of a shipped one, or a file).")
    ] = "toy_corridor",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8765,
) -> None:
    r"""Serve the workshop dashboard (map, charts, live agreement switches) on 127.0.0.1.

    Needs the dashboard extra: pip install 'xborder\[dashboard]'. Works offline.

    Example: xborder dashboard central_america_cocaine --port 8765
    """
    policy_warnings([load(scenario)], strict=False)
    try:
        from sim.dashboard import serve
    except ImportError as e:  # pragma: no cover
        fail(f"dashboard: {e} (pip install 'xborder[dashboard]')")
    typer.echo(f"xborder dashboard: http://127.0.0.1:{port} (Ctrl-C to stop)", err=True)
    raise typer.Exit(serve(scenario, port))
