"""xborder: a cross-border cooperation policy simulator for drug and firearms trafficking.

Importing ``sim`` is cheap; the model (which imports Mesa) loads on first use::

    from sim import load_scenario, TraffickingModel
    model = TraffickingModel(load_scenario("toy_corridor"), seed=1).run()
    model.summary()["interdiction_rate"]
"""

from sim.scenario import Scenario, ScenarioError, list_scenarios, load_scenario

__all__ = [
    "Scenario",
    "ScenarioError",
    "TraffickingModel",
    "list_scenarios",
    "load_scenario",
    "run_replicates",
]


def __getattr__(name):
    if name == "TraffickingModel":
        from sim.model import TraffickingModel

        return TraffickingModel
    if name == "run_replicates":
        from sim.harness.runner import run_replicates

        return run_replicates
    raise AttributeError(name)
