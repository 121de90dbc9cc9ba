"""Figures of experiments/agreements_portfolio.toml, drawn from its tables only.

- ``agreements_portfolio_effects``: forest plot, one panel per main metric, one row per
  alternative: paired change vs the status quo (% of its mean) with a 95% interval;
  filled markers where the Holm-adjusted p < 0.05.
- ``agreements_portfolio_cost_effectiveness``: bars of the reduction in delivered
  quantity per million USD a year of policy cost, with 95% intervals.

Redraw without re-running: ``xborder experiment plot agreements_portfolio``.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.plotting import plot_effects, plot_estimates, save_figure

PANELS = ("delivered", "seized", "interdiction_rate", "convictions")


def forest(effects: pd.DataFrame):
    """A figure with one forest panel per metric of PANELS found in ``effects``."""
    shown = [m for m in PANELS if m in set(effects["metric"])]
    n_alt = effects["alternative"].nunique()
    fig, axs = plt.subplots(
        1, len(shown), figsize=(3.6 * len(shown), 0.32 * n_alt + 1.6), squeeze=False
    )
    for i, (ax, m) in enumerate(zip(axs[0], shown)):
        rows = effects[effects["metric"] == m]
        # one row per alternative: the alternative goes on the y axis, one colour
        data = rows.assign(metric=rows["alternative"], alternative="")
        plot_effects(data, ax=ax, relative=True, title=m.replace("_", " "))
        ax.set_xlabel("% of status-quo mean" if i else "paired change, % of status quo (95% CI)")
        if i:
            ax.tick_params(axis="y", labelleft=False)
    reps = int(effects["n_pairs"].max()) if "n_pairs" in effects else "?"
    fig.suptitle(
        f"Each lever and combination vs the status quo, {reps} pairs (common random "
        "numbers); filled: Holm-adjusted p < 0.05",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def cost_effectiveness(ce: pd.DataFrame):
    """Bar chart of the reduction in delivered quantity per million USD of policy cost."""
    fig, ax = plt.subplots(figsize=(max(5.0, 0.75 * len(ce) + 2), 4.0))
    unit = ce["unit"].iloc[0] if "unit" in ce and len(ce) else ""
    plot_estimates(
        ce,
        x="alternative",
        mean="reduction_per_million_usd",
        lo="reduction_ci_low",
        hi="reduction_ci_high",
        kind="bar",
        ax=ax,
        ylabel=unit.replace(" less delivered", "\nless delivered"),
        title="Reduction in delivered quantity per million USD a year (95% CI); higher is better",
    )
    return fig


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw both figures from ``effects`` and ``cost_effectiveness``; PNG and SVG each."""
    paths = save_figure(forest(tables["effects"]), out_dir, "agreements_portfolio_effects")
    paths += save_figure(
        cost_effectiveness(tables["cost_effectiveness"]),
        out_dir,
        "agreements_portfolio_cost_effectiveness",
    )
    return paths
