"""C1 MLAT between a pair: faster answers between them, more convictions, fewer expiries.

Tables (``CheckResult.tables`` of check C1):

- ``effects``: metric, baseline_mean, alternative_mean, diff_mean, diff_ci_low,
  diff_ci_high — per outcome, the status-quo mean, the mean with the MLAT, and the
  paired difference (with MLAT minus without) with its 95% interval.

Figure: ``c1_effects``, a forest plot of the paired changes as a percentage of the
status-quo mean (outcomes whose status-quo mean is 0 are left out of the plot).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import plot_effects, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw C1's figure from its tables into ``out_dir``; return the files written."""
    effects = tables["effects"]
    ax = plot_effects(
        effects,
        relative=True,
        title="C1 MLAT between a pair: paired change with the MLAT (95% interval)",
    )
    ax.figure.set_size_inches(7.5, 0.45 * len(effects) + 1.6)
    return save_figure(ax.figure, out_dir, "c1_effects")
