"""V2 dispersion under pressure: more interdiction capacity, more and smaller seizures.

Tables (``CheckResult.tables`` of check V2):

- ``sweep``: capacity_factor, metric, mean, ci_low, ci_high — one row per capacity
  level (multiple of every state's capacity) and metric (``seized``,
  ``value_per_seizure``, ``route_entropy``, ``active_legs``), run summaries' mean and
  95% interval across replicates;
- ``meta`` (optional): key, value — ``unit`` (quantity unit, default kg).

Figure: ``v2_sweep``, one panel per metric against the capacity factor (log scale).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.plotting import meta_value, metric_label, metric_title, plot_sweep, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V2's figure from its tables into ``out_dir``; return the files written."""
    unit = meta_value(tables, "unit", "kg")
    sweep = tables["sweep"]
    metrics = list(dict.fromkeys(sweep["metric"]))
    ncols = 2 if len(metrics) > 1 else 1
    nrows = int(np.ceil(len(metrics) / ncols))
    fig, grid = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.2 * nrows), squeeze=False)
    for ax, m in zip(grid.flat, metrics):
        plot_sweep(
            sweep[sweep["metric"] == m],
            x="capacity_factor",
            ax=ax,
            xlabel="interdiction capacity (x status quo)",
            ylabel=metric_label(m, unit),
            title=metric_title(m),
            logx=True,
        )
    for ax in list(grid.flat)[len(metrics) :]:
        ax.set_visible(False)
    fig.suptitle(
        "V2 dispersion under pressure: every state's capacity scaled "
        "(mean and 95% interval across replicates)",
        fontsize=10,
    )
    fig.tight_layout()
    return save_figure(fig, out_dir, "v2_sweep")
