"""Serving the treaty game: a solara server in its own process group, like the dashboard.

The game's settings travel to the server process as one JSON document in the
environment (:data:`SETTINGS_ENV`); the app (:mod:`sim.workshop.app`) builds the one
shared :class:`~sim.workshop.game.Game` from it when solara imports the module.
:func:`serve` blocks until the server stops; SIGINT or SIGTERM to the calling process
stops the whole group (terminate, then kill after 5 s: :func:`sim.dashboard.supervise`),
so nothing keeps answering on the port, and no run started by the game outlives it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess

from sim.dashboard import LOOPBACK, app_command, port_in_use, supervise

#: The game's settings (JSON) for the app process.
SETTINGS_ENV = "XBORDER_WORKSHOP"
APP = "sim.workshop.app"


def serve_command(port: int, host: str = LOOPBACK, module: str = APP) -> list[str]:
    """The command that serves the solara app ``module`` on ``host:port``."""
    return app_command(module, port, host)


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
    return supervise(proc)


__all__ = ["LOOPBACK", "SETTINGS_ENV", "lan_address", "port_in_use", "serve", "serve_command"]
