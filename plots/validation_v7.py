"""V7 seizures co-move with supply: production grows; seizures follow; delivered rises.

Tables (``CheckResult.tables`` of check V7):

- ``series``: [scenario,] tick, produced, seized, delivered — weekly quantities, mean over
  replicates (one block per scenario when the column is there);
- ``correlation``: [scenario,] replicate, r — per replicate, the correlation of yearly
  seizures with yearly production after the burn-in year;
- ``meta`` (optional): key, value — ``unit`` (default kg), ``burn_in`` (weeks, default
  52), ``min_r`` (the expected minimum correlation, default 0.7, UNODC WDR 2022
  reports r ~ 0.88 and docs/VALIDATION.md asks for r > 0.7).

Figure: ``v7_supply``: per scenario, yearly production, seizures and deliveries as an
index (first year after burn-in = 1), and the per-replicate correlations.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.plotting import meta_value, plot_lines, plot_strip, save_figure

SERIES = ("produced", "seized", "delivered")


def yearly_index(series: pd.DataFrame, burn_in: int) -> pd.DataFrame:
    """Long table (year, series, index): yearly sums over the first full year after burn-in."""
    df = series[series["tick"] >= burn_in].copy()
    df["year"] = (df["tick"] - burn_in) // 52 + 1
    full = df.groupby("year")["tick"].count() == 52
    yearly = df[df["year"].isin(full[full].index)].groupby("year")[list(SERIES)].sum()
    index = yearly / yearly.iloc[0].where(yearly.iloc[0] > 0)
    return index.reset_index().melt(id_vars="year", var_name="series", value_name="index")


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V7's figure from its tables into ``out_dir``; return the files written."""
    burn_in = int(meta_value(tables, "burn_in", 52))
    min_r = float(meta_value(tables, "min_r", 0.7))
    series = tables["series"]
    corr = tables["correlation"]
    if "scenario" not in series:
        series = series.assign(scenario="")
    if "scenario" not in corr:
        corr = corr.assign(scenario="")
    names = list(dict.fromkeys(series["scenario"]))
    fig, grid = plt.subplots(
        1,
        len(names) + 1,
        figsize=(4.0 * len(names) + 4.6, 3.6),
        gridspec_kw={"width_ratios": [3] * len(names) + [2]},
    )
    for k, (ax, name) in enumerate(zip(grid[:-1], names)):
        plot_lines(
            yearly_index(series[series["scenario"] == name], burn_in),
            y="index",
            x="year",
            hue="series",
            ax=ax,
            xlabel="year after burn-in",
            ylabel="yearly total (first year = 1)" if k == 0 else "",
            title=str(name).replace("_", " "),
        )
        if ax.get_legend():
            ax.get_legend().remove()
        if k == 0:  # the series grow: their upper left is empty
            ax.legend(loc="upper left", frameon=False, fontsize=8)
    plot_strip(
        corr,
        value="r",
        group="scenario",
        ax=grid[-1],
        ref=min_r,
        ref_label=f"expected minimum r = {min_r:g}",
        ylabel="r, yearly seizures vs production",
        title="per replicate",
    )
    grid[-1].set_ylim(top=1.01)
    fig.suptitle(
        "V7 seizures co-move with supply: production grows; means over replicates", fontsize=10
    )
    fig.tight_layout()
    return save_figure(fig, out_dir, "v7_supply")
