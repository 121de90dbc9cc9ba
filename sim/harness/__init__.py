"""Harness: the study engine, for seeded studies on any executor with durable outputs.

Runs, executors, outputs and resume, statistics, paired comparison and global
sensitivity analysis. The model never imports this package; the other wings
(``sim.recommend``, ``sim.validation``, ``sim.experiments``), the CLI and notebooks
do. It computes and saves tables and draws nothing (figures: ``sim.plotting``)::

    from sim.harness import run_study, compare, sensitivity
    study = run_study("toy_corridor", replicates=20, seed=1)
    study.summary()                       # metric, mean, 95% interval, unit
    cmp = compare("toy_corridor", ["scenarios/toy_surge.toml"], replicates=20)
    cmp.table                             # paired differences, A12, Holm p per metric
    run_design("toy_corridor", [{"exploration": 0.1}, {"exploration": 0.3}], seeds=3)

Names load lazily, so a worker process that only needs ``sim.harness.runner`` does
not import scipy.stats or SALib.
"""

from importlib import import_module

_WHERE = {
    "Comparison": "comparison",
    "compare": "comparison",
    "DesignEvaluator": "design",
    "run_design": "design",
    "HarnessError": "executors",
    "StudyStopped": "executors",
    "FunctionEvaluator": "runner",
    "ModelEvaluator": "runner",
    "Run": "runner",
    "RunResult": "runner",
    "run_one": "runner",
    "run_replicates": "runner",
    "SampleSettings": "sensitivity_analysis",
    "SensitivityResult": "sensitivity_analysis",
    "analyze_study": "sensitivity_analysis",
    "emulator_sensitivity": "emulated_sensitivity",
    "sensitivity": "sensitivity_analysis",
    "a12": "stats",
    "holm": "stats",
    "mean_ci": "stats",
    "paired_diff": "stats",
    "Execution": "study",
    "Replay": "study",
    "replay_first": "study",
    "Study": "study",
    "StudyData": "study",
    "run_study": "study",
}
# ``sensitivity`` lives in ``sensitivity_analysis``, not in a module of its own name:
# importing a submodule ``sim.harness.sensitivity`` would replace the function on the
# package.

__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        return getattr(import_module(f"sim.harness.{_WHERE[name]}"), name)
    raise AttributeError(name)


def __dir__():
    return [*globals(), *__all__]
