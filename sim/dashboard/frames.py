"""What the page draws, built in the participant's worker as one JSON text.

The browser asks for an action (a step, a switch, side by side, other charts) and
gets back a *frame*: every chart and map as a ready ECharts option
(:mod:`sim.dashboard.charts`), the week, the agreement panel of the chosen pair, the
switches, the messages and the narrator's story. It is built where the runs live
(:mod:`sim.dashboard.worker`), so the web process only passes text along: twenty
participants stepping at once cost the server's event loop a copy each, not twenty
renders.
"""

from __future__ import annotations

import json

from sim.dashboard.charts import CHART_CHOICES, DEFAULT_CHARTS, line_option, map_option

#: What the page may ask a worker to do before it draws the frame.
ACTIONS = ("view", "step", "switch_on", "switch_off", "side_by_side")
MAX_CHARTS = 3
MAX_STEP = 52


def charts_asked(names) -> list[str]:
    """The charts to draw: known names, in the order given, two or three (defaults if none)."""
    out = [n for n in dict.fromkeys(names or ()) if n in CHART_CHOICES][:MAX_CHARTS]
    return out or list(DEFAULT_CHARTS)


def pair(viz, a, b) -> tuple[str, str]:
    """The agreement panel's states: those asked if they exist, else the corridor's 2nd and 3rd."""
    ids = list(viz.main.world.state_ids)
    first, second = ids[min(1, len(ids) - 1)], ids[min(2, len(ids) - 1)]
    return (a if a in ids else first), (b if b in ids else second)


def act(viz, msg: dict) -> str:
    """Do what ``msg`` asks of ``viz`` (a :class:`CorridorViz`), then return the frame.

    ``msg`` carries ``op`` (one of :data:`ACTIONS`) and its arguments (``n`` weeks,
    ``kind`` of switch, ``label`` to switch off, ``on`` for side by side), the
    ``charts`` shown and the panel's states ``a`` and ``b``. A participant's mistake
    (a switch already on, two equal states) comes back as the frame's ``error``.
    """
    op = msg.get("op", "view")
    a, b = pair(viz, msg.get("a"), msg.get("b"))
    error = ""
    try:
        if op == "step":
            viz.step(max(1, min(int(msg.get("n", 1)), MAX_STEP)))
        elif op == "switch_on":
            viz.switch_on(str(msg.get("kind")), a, b)
        elif op == "switch_off":
            viz.switch_off(str(msg.get("label")))
        elif op == "side_by_side":
            viz.set_side_by_side(bool(msg.get("on")))
        elif op != "view":
            raise ValueError(f"unknown action {op!r} (one of {', '.join(ACTIONS)})")
    except ValueError as e:
        error = str(e)
    size = map_size(msg.get("map_px"))
    out = frame(viz, charts_asked(msg.get("charts")), a, b, error, size)
    return json.dumps(out, allow_nan=False)


def map_size(px) -> tuple[float, float]:
    """A map's size on the page as the page reports it (pixels), within sane bounds."""
    try:
        w, h = (float(x) for x in px)
    except (TypeError, ValueError):
        return 620.0, 560.0
    return min(max(w, 200.0), 4000.0), min(max(h, 150.0), 4000.0)


def frame(viz, charts: list[str], a: str, b: str, error: str = "", size=(620.0, 560.0)) -> dict:
    """The page's data now: ECharts options for the maps and ``charts``, the panel, the story.

    ``size``: each map's size on the page (pixels), for placing the state names.
    """
    view = viz.view(tuple(charts))
    geo = viz.geometry()
    titles = {
        "main": "With the agreements" if view["side_by_side"] else "The run",
        "base": "Status quo (same seed)",
    }
    return {
        "scenario": view["scenario"],
        "seed": view["seed"],
        "week": view["week"],
        "warmup": view["warmup"],
        "horizon": view["horizon"],
        "running": view["running"],
        "side_by_side": view["side_by_side"],
        "maps": {k: map_option(geo, live, titles[k], size) for k, live in view["maps"].items()},
        "charts": {name: line_option(view, name, geo["unit"]) for name in charts},
        "states": geo["state_ids"],
        "state_names": geo["state_names"],
        "a": a,
        "b": b,
        "panel": viz.panel(a, b)
        if view["running"]
        else {"existing": viz.existing(a, b), "no_effect": {}},  # fmt: skip
        "params": view["params"],
        "switches": view["switches"],
        "messages": view["messages"],
        "story": view["story"],
        "error": error,
    }
