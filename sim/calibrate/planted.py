"""Known answers: targets measured on the model itself at planted parameter values.

A calibration that cannot recover parameters it was given is not to be trusted with
real data. :func:`plant_targets` runs the scenario at the planted values, on seeds of
their own, and writes each metric's mean over ``runs`` runs as a target; its sd is the
larger of ``sd_share`` of the value (an observation error) and the sd of one run (so
that one run at the planted values is a plausible observation). The calibration must
then put every planted value inside its posterior interval.
"""

from __future__ import annotations

import copy

import numpy as np

from sim.calibrate.space import seeds_for
from sim.harness.executors import HarnessError
from sim.metrics import REGISTRY
from sim.scenario import Scenario, ScenarioError, validate


def plant_targets(
    sc: Scenario,
    planted: dict[str, float],
    metrics: list[str],
    runs: int = 8,
    seed: int = 0,
    ticks: int | None = None,
    sd_share: float = 0.05,  # an observation error of 5% (illustrative)
) -> Scenario:
    """``sc`` with a ``[targets]`` table measured at the ``planted`` parameter values."""
    from sim.model import TraffickingModel

    bad = [m for m in metrics if m not in REGISTRY]
    if bad or not metrics:
        raise HarnessError(f"planted_metrics: unknown or missing metric {bad[:1] or metrics}")
    try:
        at = sc.with_overrides([f"{k}={v!r}" for k, v in planted.items()])
    except ScenarioError as e:
        raise HarnessError(f"planted: {e.key}: {e.problem}") from None
    values = np.array(
        [
            [TraffickingModel(at, seed=s, ticks=ticks).run().summary()[m] for m in metrics]
            for s in seeds_for(seed, "planted", runs)
        ]
    )
    data = copy.deepcopy(sc.data)
    data["targets"] = {}
    for k, m in enumerate(metrics):
        v = float(np.mean(values[:, k]))
        sd = float(max(sd_share * abs(v), np.std(values[:, k], ddof=1)))
        source = f"planted: mean of {runs} runs at {planted} (known-answer check)"
        data["targets"][m] = {"value": v, "sd": sd if sd > 0 else 1e-9, "source": source}
    validate(data, sc.path)
    return Scenario(sc.name, sc.path, data, list(sc.overrides))


__all__ = ["plant_targets"]
