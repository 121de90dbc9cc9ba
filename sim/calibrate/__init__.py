"""Calibration to data: history matching and ABC-SMC against a scenario's ``[targets]``.

:func:`calibrate` (``xborder calibrate``) fits the scenario's uncertain parameters;
its ensemble of weighted parameter sets (:mod:`sim.calibrate.ensemble`) feeds
``run``, ``compare`` and ``recommend --ensemble`` (:mod:`sim.calibrate.across`).
Modules: ``space`` (prior box, designs, weighted quantiles), ``runs`` (the harness
path: every run measures the targets), ``history`` (waves, emulators, implausibility),
``abc`` (ABC-SMC), ``core`` (the driver and its outputs).
"""

from sim.calibrate.abc import AbcSettings
from sim.calibrate.core import METHODS, Calibration, calibrate
from sim.calibrate.ensemble import Ensemble, load_ensemble, write_ensemble
from sim.calibrate.history import HmSettings

__all__ = [
    "METHODS",
    "AbcSettings",
    "Calibration",
    "Ensemble",
    "HmSettings",
    "calibrate",
    "load_ensemble",
    "write_ensemble",
]
