"""Harness: replicates with spawned seeds, statistics, outputs and validation checks.

The model never imports this package; the CLI and notebooks do.
"""

from sim.harness.runner import RunResult, run_one, run_replicates
from sim.harness.stats import mean_ci, paired_diff

__all__ = ["RunResult", "mean_ci", "paired_diff", "run_one", "run_replicates"]
