"""V12 information sharing: interdiction rises after states share a database, then erodes.

Tables (``CheckResult.tables`` of check V12):

- ``series``: tick, arm, interdiction_rate — the interdiction rate over a trailing
  13-week window, pooled over replicates, per arm (``status quo`` and the database
  arm);
- ``meta``: key, value — ``start`` (week the database starts).

Figure: ``v12_sharing``: the two arms' rates, and the gain (database arm minus status
quo) with the policy start marked.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.plotting import PALETTE, meta_value, metric_label, plot_lines, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V12's figure from its tables into ``out_dir``; return the files written."""
    start = meta_value(tables, "start")
    series = tables["series"]
    arms = list(dict.fromkeys(series["arm"]))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 5.6), sharex=True)
    plot_lines(
        series,
        y="interdiction_rate",
        hue="arm",
        hue_order=arms,
        ax=top,
        xlabel="",
        ylabel=metric_label("interdiction_rate"),
        title="interdiction rate, trailing 13 weeks, pooled over replicates",
        start=start,
        start_label="database starts",
    )
    wide = series.pivot_table(index="tick", columns="arm", values="interdiction_rate")
    gain = (wide[arms[-1]] - wide[arms[0]]).rename("gain").reset_index()
    plot_lines(
        gain,
        y="gain",
        ax=bottom,
        ylabel="gain (difference in share)",
        title=f"{arms[-1]} minus {arms[0]}",
        start=start,
        start_label="database starts",
    )
    bottom.lines[0].set_color(PALETTE[2])
    bottom.axhline(0, color="0.3", lw=0.7)
    fig.suptitle("V12 information sharing: the gain after a shared database, and its erosion",
                 fontsize=10)  # fmt: skip
    fig.tight_layout()
    return save_figure(fig, out_dir, "v12_sharing")
