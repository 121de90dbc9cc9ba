"""Figure of experiments/central_america_portfolio.toml, drawn from its tables only.

Tables (``sim.experiments.recommend.tables``): ``settings`` (scenario, objective,
budget, replicates, unit), ``ranking`` (the finalists on fresh seeds), ``frontier`` (the
same portfolios with cost, benefit, 95% interval and whether they are efficient),
``candidates`` and ``search``.

Figure: ``central_america_portfolio_frontier``, benefit (fall in delivered cocaine) against
total cost over the horizon for each finalist, with the efficient frontier and the budget.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.experiments.recommend import doc_from_tables
from sim.plotting import plot_frontier, save_figure


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw the effect/cost frontier into ``out_dir``; return the files written."""
    fig, ax = plt.subplots(figsize=(8.5, 5.2))
    plot_frontier(doc_from_tables(tables), ax=ax)
    fig.tight_layout()
    return save_figure(fig, out_dir, "central_america_portfolio_frontier")
