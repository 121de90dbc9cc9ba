"""V19 trust shock: records exchanged and request times before, during and after a suspension.

Tables (``CheckResult.tables`` of check V19): ``windows``: window, measure, mean, ci_low,
ci_high (records a week between the pair, and the median planned answer time of their
formal requests, in weeks, per window); ``meta``: the pair and the suspension's weeks.

Figure: ``v19_windows``, one panel per measure.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.plotting import plot_estimates, save_figure

ORDER = ["before", "during", "after"]


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V19's figure from its tables into ``out_dir``; return the files written."""
    w = tables["windows"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    labels = {"records": "records a week between the pair", "latency": "weeks to answer"}
    for ax, (measure, label) in zip(axes, labels.items()):
        plot_estimates(w[w["measure"] == measure], x="window", ax=ax, ylabel=label, order=ORDER)
    fig.suptitle("V19 trust shock: cooperation suspended, then resumed (95% intervals)")
    return save_figure(fig, out_dir, "v19_windows")
