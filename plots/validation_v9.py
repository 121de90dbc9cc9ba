"""V9 arrest dose-response: disruption rises with the share arrested, with diminishing returns.

Tables (``CheckResult.tables`` of check V9):

- ``dose``: share, disruption_mean, ci_low, ci_high — per share of members arrested at
  one week (best-connected first), the disruption: the relative drop in delivered over
  the next 13 weeks against the paired status quo, mean and 95% interval; the row with
  share 0 is 0.

Figure: ``v9_dose``, the dose-response curve with the straight line from no arrests to
the largest share (a curve above it has diminishing returns).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import plot_sweep, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V9's figure from its tables into ``out_dir``; return the files written."""
    dose = tables["dose"]
    ax = plot_sweep(
        dose,
        x="share",
        mean="disruption_mean",
        chord=True,
        xlabel="share of members arrested (best-connected first)",
        ylabel="disruption (share of delivered lost, 13 weeks)",
        title="V9 arrest dose-response: mean and 95% interval across paired replicates",
    )
    ax.axhline(0, color="0.3", lw=0.6)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    return save_figure(ax.figure, out_dir, "v9_dose")
