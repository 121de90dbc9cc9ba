"""V18 leakage: the partners' gain from a database, with a leaking member and without.

Tables (``CheckResult.tables`` of check V18): ``gains``: arm, mean, ci_low, ci_high (the
partners' interdiction rate minus the no-database arm, 95% interval); ``meta``.

Figure: ``v18_gains``, the two gains side by side.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.plotting import plot_estimates, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V18's figure from its tables into ``out_dir``; return the files written."""
    ax = plot_estimates(
        tables["gains"],
        x="arm",
        kind="bar",
        ylabel="gain in partners' interdiction rate (share)",
        title="V18 leakage: a leaking member shrinks the database's gain (95% intervals)",
    )
    ax.axhline(0, color="0.3", lw=0.8)
    return save_figure(ax.figure, out_dir, "v18_gains")
