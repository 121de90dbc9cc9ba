"""V15 replacement: the same seizure near the source and near the market, priced.

Tables (``CheckResult.tables`` of check V15):

- ``price_rise``: arm, mean, ci_low, ci_high — per arm (1,000 kg seized in flight near
  the source, or near the market, in week 104 of the toy), the paired rise of the mean
  retail price over the 13 weeks after, against the same run without the seizure, with
  its 95% interval;
- ``meta``: key, value — ``start``, ``units`` and the units actually seized per arm.

Figure: ``v15_price_rise``, the two rises side by side.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import plot_estimates, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V15's figure from its tables into ``out_dir``; return the files written."""
    ax = plot_estimates(
        tables["price_rise"],
        x="arm",
        kind="bar",
        ylabel="retail price rise (USD/kg, 13 weeks after)",
        xlabel="",
        title="V15 replacement: a seizure near the market costs the market more "
        "(paired, 95% intervals)",
    )
    ax.axhline(0, color="0.3", lw=0.8)
    return save_figure(ax.figure, out_dir, "v15_price_rise")
