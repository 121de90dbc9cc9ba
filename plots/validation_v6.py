"""V6 transit-zone interdiction share: status-quo interdiction rate of every drug corridor.

Tables (``CheckResult.tables`` of check V6):

- ``rates``: scenario, mean, ci_low, ci_high, band_low, band_high — per shipped drug
  corridor scenario, the interdiction rate (seized / (seized + delivered)) with its
  95% interval across replicates, and the expected band (docs/VALIDATION.md: 0.15-0.35).

Figure: ``v6_rates``, one estimate per scenario over the shaded expected band.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import metric_label, plot_estimates, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V6's figure from its tables into ``out_dir``; return the files written."""
    rates = tables["rates"]
    ax = plot_estimates(
        rates,
        x="scenario",
        band=("band_low", "band_high"),
        ylabel=metric_label("interdiction_rate"),
        xlabel="scenario (status quo)",
        title="V6 interdiction share on the shipped drug corridors (95% intervals); "
        "shaded: expected range",
    )
    ax.set_ylim(bottom=0)
    return save_figure(ax.figure, out_dir, "v6_rates")
