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
    failures = tables["failures"]
    ax = plot_estimates(
        failures,
        x="arm",
        mean="failures_mean",
        kind="bar",
        ylabel="requests refused per run",
        title="C2 harmonisation: evidence requests refused for dual criminality\n"
        "after the laws align (mean and 95% interval across replicates)",
    )
    ax.set_ylim(bottom=0)
    for i, m in enumerate(failures["failures_mean"]):
        ax.annotate(f"{m:.3g}", (i, m), xytext=(-22, 3), textcoords="offset points", ha="center")
    return save_figure(ax.figure, out_dir, "c2_failures")
