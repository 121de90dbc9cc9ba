"""The SolaraViz page: ``solara run sim.dashboard.app`` (or ``xborder dashboard``).

The scenario shown first comes from ``XBORDER_DASHBOARD_SCENARIO`` (set by
``xborder dashboard SCENARIO``); the picker, the sliders and the side-by-side switch
are Mesa model parameters, applied by the Reset button.
"""

from __future__ import annotations

import hmac
import os
from urllib.parse import parse_qs

import matplotlib

matplotlib.use("Agg")  # the server draws figures into the page, never into a window

import solara  # noqa: E402
from mesa.visualization import Slider, SolaraViz  # noqa: E402

from sim.dashboard import SCENARIO_ENV, TOKEN_ENV  # noqa: E402
from sim.dashboard.session import SLIDERS, CorridorViz, scenario_names  # noqa: E402
from sim.dashboard.views import Agreements, Charts, CorridorMap, Narrator  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402


def model_params(scenario: str) -> dict:
    """SolaraViz inputs: scenario picker, seed, side-by-side, parameter sliders."""
    names = scenario_names()
    if scenario not in names:
        names = [scenario, *names]
    params = load_scenario(scenario).params
    out = {
        "scenario_name": {
            "type": "Select",
            "value": scenario,
            "values": names,
            "label": "Scenario",
        },
        "seed": {"type": "SliderInt", "value": 1, "min": 0, "max": 99, "step": 1, "label": "Seed"},
        "side_by_side": {
            "type": "Checkbox",
            "value": False,
            "label": "Side by side with the status quo",
        },
    }
    for name, (label, lo, hi, step) in SLIDERS.items():
        v = float(params.get(name, (lo + hi) / 2))
        out[name] = Slider(label, value=min(max(v, lo), hi), min=lo, max=hi, step=step)
    return out


SCENARIO = os.environ.get(SCENARIO_ENV, "toy_corridor")
PARAMS = model_params(SCENARIO)


TOKEN = os.environ.get(TOKEN_ENV, "")


def token_ok(search: str | None, token: str = "") -> bool:
    """Whether the page's query string carries the join token (always, without one)."""
    if not token:
        return True
    given = parse_qs((search or "").lstrip("?")).get("token", [""])[0]
    return hmac.compare_digest(given.encode(), token.encode())


@solara.component
def Page():
    """The join gate, then the dashboard: without the room's token, only a short request."""
    router = solara.use_router()
    if not token_ok(router.search, TOKEN):
        with solara.Column(classes=["xb-token-required"]):
            solara.Markdown(
                "## xborder dashboard\n\nThis room needs its join link: ask the "
                "facilitator for the address ending in `?token=...`."
            )
        return
    Dashboard()


@solara.component
def Dashboard():
    """One dashboard per browser session, each with its own model.

    Solara imports this module once per server, so a module-level model would be
    shared by every tab (a new tab would open on another tab's run until Reset):
    the model is made per session instead, and Reset replaces it from the sidebar's
    model parameters (scenario, seed, side-by-side, sliders).
    """
    model = solara.use_memo(lambda: CorridorViz(SCENARIO), dependencies=[])
    return SolaraViz(
        model,
        components=[CorridorMap, Charts, Agreements, Narrator],
        model_params=PARAMS,
        name=f"xborder: {SCENARIO}",
        play_interval=150,
    )
