"""V16 swamping: the share of the flow into the market state seized, at two traffic levels.

Tables (``CheckResult.tables`` of check V16):

- ``share_seized``: arm, mean, ci_low, ci_high — per arm (status quo, production and so
  traffic doubled), with agencies' effort fixed (no learning, no exploration), the share
  of the flow entering the market state that is seized there, with its 95% interval;
- ``meta``: key, value — the state and the production levels.

Figure: ``v16_share_seized``, the two shares side by side.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import plot_estimates, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V16's figure from its tables into ``out_dir``; return the files written."""
    ax = plot_estimates(
        tables["share_seized"],
        x="arm",
        ylabel="share of the flow into MKT seized there",
        xlabel="",
        title="V16 swamping: twice the traffic at fixed effort, a smaller share seized "
        "(95% intervals)",
    )
    ax.set_ylim(bottom=0)
    return save_figure(ax.figure, out_dir, "v16_share_seized")
