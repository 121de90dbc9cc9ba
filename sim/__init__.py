"""xborder: a cross-border cooperation policy simulator for drug and firearms trafficking.

Importing ``sim`` is cheap; the model (which imports Mesa) and the harness load on
first use::

    from sim import load_scenario, TraffickingModel, run_study, compare, sensitivity, run_design
    model = TraffickingModel(load_scenario("toy_corridor"), seed=1).run()
    model.summary()["interdiction_rate"]
    run_study("toy_corridor", replicates=20).summary()
    run_design("toy_corridor", [{"exploration": 0.1}, {"exploration": 0.3}], seeds=3)

``sim.__version__`` is the version in pyproject.toml (:mod:`sim._version`).
"""

from sim.scenario import Scenario, ScenarioError, list_scenarios, load_scenario

__all__ = [
    "Scenario",
    "ScenarioError",
    "TraffickingModel",
    "__version__",
    "compare",
    "list_scenarios",
    "load_scenario",
    "run_design",
    "run_replicates",
    "run_study",
    "sensitivity",
]

_HARNESS = ("compare", "run_design", "run_replicates", "run_study", "sensitivity")


def __getattr__(name):
    if name == "__version__":
        from sim._version import version

        return version()
    if name == "TraffickingModel":
        from sim.model import TraffickingModel

        return TraffickingModel
    if name in _HARNESS:
        import sim.harness

        return getattr(sim.harness, name)
    raise AttributeError(name)
