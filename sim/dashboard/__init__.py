"""Workshop dashboard: the corridor in a browser, agreements switched on and off live.

``xborder dashboard [SCENARIO] [--port P] [--host H] [--token T]`` serves a page of
our own (HTML, a script, ECharts from ``solara-assets``: it works offline), on
127.0.0.1 unless ``--host`` says otherwise; with a token the page is refused without
it (``?token=...``). The pieces:

- ``session``: ``CorridorViz``, one participant's runs: the main run, its status-quo
  twin on the same seed, a small noise ensemble on other seeds, all warmed up before
  week 0; the agreement switches are the very policy objects of ``sim.policies``;
- ``worker``: a process per participant holding its ``CorridorViz`` (the web process
  only passes text along), the room's cap and the shared warm-up snapshots;
- ``charts``: the map and the charts as ECharts options (data, drawn in the browser);
- ``frames``: what the page draws after each action, built in the worker as JSON;
- ``narrator``: the "what happened" panel in plain words, effects told against noise;
- ``server``: the web server (starlette): the page, its assets, a WebSocket per
  participant; ``assets/``: the page itself (``index.html``, ``page.js``, ``page.css``).

The treaty game (:mod:`sim.workshop`) is a solara app served by :func:`app_command`.

Needs the ``dashboard`` extra: ``pip install 'xborder[dashboard]'``.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

if importlib.util.find_spec("solara") is None:  # pragma: no cover
    raise ImportError("the dashboard needs the dashboard extra (solara's assets, starlette)")

SCENARIO_ENV = "XBORDER_DASHBOARD_SCENARIO"
#: The join token the page asks for (``?token=...``); unset: no token needed.
TOKEN_ENV = "XBORDER_DASHBOARD_TOKEN"
LOOPBACK = "127.0.0.1"
SERVER_MAIN = "from sim.dashboard.server import main; main()"
ASSETS = Path(__file__).parent / "assets"


def app_command(module: str, port: int, host: str = LOOPBACK) -> list[str]:
    """The command that serves the solara app ``module`` on ``host:port``."""
    return [
        sys.executable,
        "-m",
        "sim.dashboard.launch",  # solara's server, static assets compressed once
        "run",
        module,
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


def serve_command(scenario: str = "toy_corridor", port: int = 8765, host: str = LOOPBACK):
    """The command that serves the dashboard on ``host:port`` (loopback by default).

    ``-c``, not ``-m sim.dashboard.server``: multiprocessing re-imports a main module that
    has a name in every worker it starts (the web server's imports, ~0.09 CPU-s per
    participant joining); a ``-c`` main has none.
    """
    return [sys.executable, "-c", SERVER_MAIN, "--host", host, "--port", str(int(port))]


def port_in_use(host: str, port: int) -> bool:
    """Whether ``host:port`` cannot be bound now (another server listens there)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        # as the server will: connections of a server just stopped (TIME_WAIT) do not count
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, int(port)))
        except OSError:
            return True
    return False


def server_env(scenario: str, token: str | None = None) -> dict[str, str]:
    """The environment the dashboard's server runs in (``os.environ`` and our settings)."""
    env = dict(os.environ, **{SCENARIO_ENV: scenario})
    env.setdefault("MPLBACKEND", "Agg")
    env.pop(TOKEN_ENV, None)
    if token:
        env[TOKEN_ENV] = token
    return env


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
    env = server_env(scenario, token)
    proc = subprocess.Popen(serve_command(scenario, port, host), env=env, start_new_session=True)
    return supervise(proc)


def supervise(proc: subprocess.Popen) -> int:
    """Wait for a server started in its own process group; stop the group on SIGINT/SIGTERM.

    The signal handler only signals (it must not wait: the main thread is already in
    ``proc.wait``): SIGTERM to the group at once, SIGKILL 5 s later if it is still there.
    """
    got: list[int] = []
    killer = threading.Timer(5.0, _signal_group, (proc.pid, signal.SIGKILL))
    killer.daemon = True

    def stop(signum, _frame):
        if not got:
            got.append(signum)
            _signal_group(proc.pid, signal.SIGTERM)
            killer.start()

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = proc.wait()
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        killer.cancel()
        if proc.poll() is None:  # an exception in this process: leave nothing behind
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
    _signal_group(proc.pid, signal.SIGKILL)  # stragglers of the group (workers)
    if got:
        raise SystemExit(128 + got[0])
    return code


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
