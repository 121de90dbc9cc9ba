"""Workshop dashboard: the corridor in a browser, agreements switched on and off live.

``xborder dashboard [SCENARIO] [--port P] [--host H] [--token T]`` serves a Mesa
SolaraViz app, on 127.0.0.1 unless ``--host`` says otherwise; with a token the page
asks for it (``?token=...``) before it shows anything (solara's assets are vendored
by ``solara-assets``, so it works offline). The pieces:

- ``session``: ``CorridorViz``, the Mesa model the app drives: one TraffickingModel
  (plus a status-quo twin on the same seed in side-by-side mode) and the agreement
  switches, applied as the very policy objects of ``sim.policies``;
- ``views``: the map and chart figures (matplotlib) and the solara components;
- ``narrator``: the "what happened" panel in plain words;
- ``app``: the SolaraViz page (``solara run sim.dashboard.app``).

Needs the ``dashboard`` extra: ``pip install 'xborder[dashboard]'``.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys

if importlib.util.find_spec("solara") is None:  # pragma: no cover
    raise ImportError("the dashboard needs solara and mesa's viz extra")

SCENARIO_ENV = "XBORDER_DASHBOARD_SCENARIO"
#: The join token the page asks for (``?token=...``); unset: no token needed.
TOKEN_ENV = "XBORDER_DASHBOARD_TOKEN"
LOOPBACK = "127.0.0.1"


def serve_command(scenario: str = "toy_corridor", port: int = 8765, host: str = LOOPBACK):
    """The command that serves the dashboard on ``host:port`` (loopback by default)."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.dashboard.app",
        "--host",
        host,
        "--port",
        str(int(port)),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]


def port_in_use(host: str, port: int) -> bool:
    """Whether ``host:port`` cannot be bound now (another server holds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, int(port)))
        except OSError:
            return True
    return False


def serve(
    scenario: str = "toy_corridor",
    port: int = 8765,
    host: str = LOOPBACK,
    token: str | None = None,
) -> int:
    """Serve the dashboard (blocks until stopped); return the server's exit code.

    The server runs in its own process group; SIGINT or SIGTERM to this process stops
    that whole group (terminate, then kill after 5 s), so nothing keeps answering on
    the port once the command is stopped.
    """
    env = dict(os.environ, **{SCENARIO_ENV: scenario})
    env.setdefault("MPLBACKEND", "Agg")
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    env.pop(TOKEN_ENV, None)
    if token:
        env[TOKEN_ENV] = token
    proc = subprocess.Popen(serve_command(scenario, port, host), env=env, start_new_session=True)

    def stop(signum, _frame):
        _stop_group(proc)
        raise SystemExit(128 + signum)

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return proc.wait()
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        _stop_group(proc)


def _stop_group(proc: subprocess.Popen) -> None:
    """Terminate the server's process group; kill it if it is still there after 5 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
    except ProcessLookupError:  # pragma: no cover - already gone
        pass
