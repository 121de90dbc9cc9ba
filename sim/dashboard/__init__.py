"""Workshop dashboard: the corridor in a browser, agreements switched on and off live.

``xborder dashboard [SCENARIO] [--port P]`` serves a Mesa SolaraViz app on 127.0.0.1
(solara's assets are vendored by ``solara-assets``, so it works offline). The pieces:

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
import subprocess
import sys

if importlib.util.find_spec("solara") is None:  # pragma: no cover
    raise ImportError("the dashboard needs solara and mesa's viz extra")

SCENARIO_ENV = "XBORDER_DASHBOARD_SCENARIO"


def serve_command(scenario: str = "toy_corridor", port: int = 8765) -> list[str]:
    """The command that serves the dashboard on 127.0.0.1:``port``."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.dashboard.app",
        "--host",
        "127.0.0.1",
        "--port",
        str(int(port)),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]


def serve(scenario: str = "toy_corridor", port: int = 8765) -> int:
    """Serve the dashboard (blocks until interrupted); return the server's exit code."""
    env = dict(os.environ, **{SCENARIO_ENV: scenario})
    env.setdefault("MPLBACKEND", "Agg")
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    try:
        return subprocess.call(serve_command(scenario, port), env=env)
    except KeyboardInterrupt:
        return 130
