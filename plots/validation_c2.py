"""C2 harmonisation: once every state criminalises the offence, no request fails for it.

Tables (``CheckResult.tables`` of check C2):

- ``failures``: arm, failures_mean, ci_low, ci_high — per arm (status quo, harmonised),
  the evidence requests refused for dual criminality about the harmonised offence
  after the policy's start, per run: mean and 95% interval across replicates.

Figure: ``c2_failures``, the two arms' failures.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import plot_estimates, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw C2's figure from its tables into ``out_dir``; return the files written."""
    ax = plot_estimates(
        tables["failures"],
        x="arm",
        mean="failures_mean",
        kind="bar",
        ylabel="requests refused for dual criminality (per run)",
        title="C2 harmonisation: refusals after the laws align (95% intervals)",
    )
    ax.set_ylim(bottom=0)
    return save_figure(ax.figure, out_dir, "c2_failures")
