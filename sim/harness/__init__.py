"""Harness: seeded studies on any executor, paired comparison, sensitivity, validation.

The model never imports this package; the CLI and notebooks do::

    from sim.harness import run_study, compare, sensitivity
    study = run_study("toy_corridor", replicates=20, seed=1)
    study.summary()                       # metric, mean, 95% interval, unit
    cmp = compare("toy_corridor", ["scenarios/toy_surge.toml"], replicates=20)
    cmp.table                             # paired differences, A12, Holm p per metric
"""

from sim.harness.comparison import Comparison, compare
from sim.harness.executors import HarnessError, StudyStopped
from sim.harness.runner import (
    FunctionEvaluator,
    ModelEvaluator,
    Run,
    RunResult,
    run_one,
    run_replicates,
)
from sim.harness.sensitivity_analysis import (
    SampleSettings,
    SensitivityResult,
    analyze_study,
    sensitivity,
)
from sim.harness.stats import a12, holm, mean_ci, paired_diff
from sim.harness.study import Execution, Study, StudyData, run_study

__all__ = [
    "Comparison",
    "Execution",
    "FunctionEvaluator",
    "HarnessError",
    "ModelEvaluator",
    "Run",
    "RunResult",
    "SampleSettings",
    "SensitivityResult",
    "Study",
    "StudyData",
    "StudyStopped",
    "a12",
    "analyze_study",
    "compare",
    "holm",
    "mean_ci",
    "paired_diff",
    "run_one",
    "run_replicates",
    "run_study",
    "sensitivity",
]
