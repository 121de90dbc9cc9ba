"""Harness: seeded studies on any executor, paired comparison, sensitivity, validation.

The model never imports this package; the CLI and notebooks do::

    from sim.harness import run_study, compare, sensitivity
    study = run_study("toy_corridor", replicates=20, seed=1)
    study.summary()                       # metric, mean, 95% interval, unit
    cmp = compare("toy_corridor", ["scenarios/toy_surge.toml"], replicates=20)
    cmp.table                             # paired differences, A12, Holm p per metric
    run_experiment("agreements_portfolio", quick=True)
    from sim.harness.recommend import recommend
    rec = recommend("central_america_cocaine", budget=25e6, max_agreements=3)

Names load lazily, so a worker process that only needs ``sim.harness.runner`` does
not import scipy.stats, SALib or matplotlib.
"""

from importlib import import_module

_WHERE = {
    "Comparison": "comparison",
    "compare": "comparison",
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
    "sensitivity": "sensitivity_analysis",
    "a12": "stats",
    "holm": "stats",
    "mean_ci": "stats",
    "paired_diff": "stats",
    "Execution": "study",
    "Study": "study",
    "StudyData": "study",
    "run_study": "study",
    "Experiment": "experiments",
    "list_experiments": "experiments",
    "run_experiment": "experiments",
    "verify_experiment": "experiments",
    "Recommendation": "recommend",
    "discover": "prim_discover",
}
# ``recommend``, ``robustness`` and ``prim`` share their names with their modules, so
# import them from there: ``from sim.harness.recommend import recommend``.

__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        return getattr(import_module(f"sim.harness.{_WHERE[name]}"), name)
    raise AttributeError(name)


def __dir__():
    return [*globals(), *__all__]
