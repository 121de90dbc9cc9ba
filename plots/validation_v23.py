"""V23 controlled delivery: following loads from Nordia into Marketia instead of seizing.

Tables (``CheckResult.tables`` of check V23):

- ``effects``: metric, baseline_mean, alternative_mean, diff_mean, diff_ci_low,
  diff_ci_high — per outcome (``seized`` kg a week; ``convictions_investigated`` and
  ``leaders_convicted``, members a week), the mean without controlled deliveries, the
  mean with them, and the paired difference (with minus without) with its 95% interval.

Figure: ``v23_controlled_delivery``, a forest plot of the paired changes as a
percentage of the mean without controlled deliveries (outcomes whose mean is 0 are left
out of the plot).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import plot_effects, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V23's figure from its tables into ``out_dir``; return the files written."""
    effects = tables["effects"]
    ax = plot_effects(
        effects,
        relative=True,
        title="V23 controlled delivery Nordia \u2192 Marketia: paired change (95% interval)",
    )
    ax.figure.set_size_inches(7.5, 0.45 * len(effects) + 1.6)
    return save_figure(ax.figure, out_dir, "v23_controlled_delivery")
