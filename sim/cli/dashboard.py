"""``xborder dashboard``: serve the workshop dashboard (a separate solara server)."""

from __future__ import annotations

from typing import Annotated

import typer

from sim.cli.helpers import fail, load, policy_warnings
from sim.cli.options import HostOpt, TokenOpt, join_token


def dashboard(
    scenario: Annotated[
        str, typer.Argument(help="Scenario shown first (name of a shipped one, or a file).")
    ] = "toy_corridor",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    host: HostOpt = "127.0.0.1",
    token: TokenOpt = None,
) -> None:
    r"""Serve the workshop dashboard (map, charts, live agreement switches).

    It listens on 127.0.0.1 unless --host says otherwise. With a token, the page asks
    for it before it shows anything; the printed join URL carries it. Ctrl-C or
    SIGTERM stops the server and everything it started.

    Needs the dashboard extra: pip install 'xborder\[dashboard]'. Works offline.

    Examples:
      xborder dashboard central_america_cocaine --port 8765
      xborder dashboard central_america_cocaine --host 0.0.0.0 --token auto
    """
    policy_warnings([load(scenario)], strict=False)
    try:
        from sim.dashboard import port_in_use, serve
    except ImportError as e:  # pragma: no cover
        fail(f"dashboard: {e} (pip install 'xborder[dashboard]')")
    token = join_token(token, host)
    if port_in_use(host, port):
        fail(f"dashboard: port {port} on {host} is in use (choose another with --port)")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    where = " (listening on every interface: use this machine's address)" if shown != host else ""
    typer.echo(f"xborder dashboard: {url}{where} (Ctrl-C to stop)", err=True)
    raise typer.Exit(serve(scenario, port, host, token))
