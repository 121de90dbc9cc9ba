"""The SolaraViz page: ``solara run sim.dashboard.app`` (or ``xborder dashboard``).

The scenario shown first comes from ``XBORDER_DASHBOARD_SCENARIO`` (set by
``xborder dashboard SCENARIO``); the picker, the sliders and the side-by-side switch
are Mesa model parameters, applied by the Reset button.
"""

from __future__ import annotations

import os

from mesa.visualization import Slider, SolaraViz

from sim.dashboard import SCENARIO_ENV
from sim.dashboard.session import SLIDERS, CorridorViz, scenario_names
from sim.dashboard.views import Agreements, Charts, CorridorMap, Narrator
from sim.scenario import load_scenario


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
model = CorridorViz(SCENARIO)
page = SolaraViz(
    model,
    components=[CorridorMap, Charts, Agreements, Narrator],
    model_params=model_params(SCENARIO),
    name=f"xborder: {SCENARIO}",
    play_interval=150,
)
