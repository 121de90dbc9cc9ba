"""V14 null model: without interdiction, fewer active legs, flow on the cheapest route.

Tables (``CheckResult.tables`` of check V14):

- ``metrics``: metric, arm, mean, ci_low, ci_high — per metric (``active_legs``,
  ``route_entropy``, ``cheapest_route_share``) and arm (status quo, no interdiction),
  the run summaries' mean and 95% interval across replicates;
- ``meta`` (optional): key, value — ``unit`` (default kg).

Figure: ``v14_null``, one panel per metric comparing the arms.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.plotting import meta_value, metric_label, metric_title, plot_estimates, save_figure

TITLES = {"cheapest_route_share": "share of production on the cheapest route"}
LABELS = {"cheapest_route_share": "cheapest route share (share)"}


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V14's figure from its tables into ``out_dir``; return the files written."""
    unit = meta_value(tables, "unit", "kg")
    df = tables["metrics"]
    metrics = list(dict.fromkeys(df["metric"]))
    fig, grid = plt.subplots(1, len(metrics), figsize=(3.3 * len(metrics), 3.6), squeeze=False)
    for ax, m in zip(grid[0], metrics):
        plot_estimates(
            df[df["metric"] == m],
            x="arm",
            ax=ax,
            ylabel=LABELS.get(m, metric_label(m, unit)),
            title=TITLES.get(m, metric_title(m)),
        )
        ax.title.set_wrap(True)
    fig.suptitle(
        "V14 null model: interdiction switched off (mean and 95% interval across replicates)",
        fontsize=10,
    )
    fig.tight_layout()
    return save_figure(fig, out_dir, "v14_null")
