"""V17 free-riding: the partners' interdiction rate without the joiner, and with it joining.

Tables (``CheckResult.tables`` of check V17): ``rates``: arm, mean, ci_low, ci_high (the
partners' interdiction rate over the weeks after the join, 95% interval); ``meta``.

Figure: ``v17_rates``, the three arms side by side.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import plot_estimates, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V17's figure from its tables into ``out_dir``; return the files written."""
    ax = plot_estimates(
        tables["rates"],
        x="arm",
        ylabel="partners' interdiction rate (share)",
        title="V17 free-riding: what a member's own records add (95% intervals)",
    )
    return save_figure(ax.figure, out_dir, "v17_rates")
