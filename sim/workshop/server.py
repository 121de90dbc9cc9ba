"""Serving the treaty game: a solara server in its own process group, like the dashboard.

The game's settings travel to the server process as one JSON document in the
environment (:data:`SETTINGS_ENV`); the app (:mod:`sim.workshop.app`) builds the one
shared :class:`~sim.workshop.game.Game` from it when solara imports the module.
:func:`serve` blocks until the server stops; SIGINT or SIGTERM to the calling process
stops the whole group (terminate, then kill after 5 s), so nothing keeps answering
on the port, and no run started by the game outlives it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

#: The game's settings (JSON) for the app process.
SETTINGS_ENV = "XBORDER_WORKSHOP"
LOOPBACK = "127.0.0.1"
APP = "sim.workshop.app"


def serve_command(port: int, host: str = LOOPBACK, module: str = APP) -> list[str]:
    """The command that serves the solara app ``module`` on ``host:port``."""
    return [
        sys.executable,
        "-m",
        "solara",
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


def lan_address() -> str:
    """This machine's address on the room's network (best guess; no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
        except OSError:
            return LOOPBACK


def serve(settings: dict, port: int, host: str = LOOPBACK) -> int:
    """Serve the game (blocks until stopped); return the server's exit code.

    Args:
        settings: the game's settings (see :func:`sim.workshop.app.game_from_settings`),
            with ``token`` (the room's join token, or None) and ``key`` (the
            facilitator's key).
        port: port to listen on.
        host: address to listen on (loopback by default).
    """
    env = dict(os.environ, **{SETTINGS_ENV: json.dumps(settings)})
    env.setdefault("MPLBACKEND", "Agg")
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    proc = subprocess.Popen(serve_command(port, host), env=env, start_new_session=True)

    def stop(signum, _frame):
        # only signal here: the interrupted proc.wait() holds the child's wait lock, so
        # waiting for the group happens in the finally clause below, once it is released
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:  # pragma: no cover - already gone
            pass
        raise SystemExit(128 + signum)

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return proc.wait()
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        stop_group(proc)


def stop_group(proc: subprocess.Popen) -> None:
    """Terminate the server's process group; kill it if it is still there after 5 s.

    The group is signalled even when the server itself has exited, so a pool worker
    it left behind goes too.
    """
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:  # nothing left in the group
        return
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


__all__ = ["LOOPBACK", "SETTINGS_ENV", "lan_address", "port_in_use", "serve", "serve_command"]
