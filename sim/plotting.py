"""Matplotlib figures: plain functions ``plot_x(data, ax=None, **kw) -> Axes``.

Labels and units come from the metric registry. Nothing here calls ``plt.show()``.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.metrics import MAIN, REGISTRY  # noqa: E402


def plot_series(
    ts: pd.DataFrame,
    metric: str,
    ax=None,
    unit: str = "kg",
    burn_in: int | None = None,
    policies: list[dict] | None = None,
    label: str | None = None,
    color=None,
):
    """Weekly mean of ``metric`` across runs with a 95% band; policy starts marked.

    Args:
        ts: long table with columns ``run``, ``tick`` and one column per metric.
        metric: metric name from the registry.
        ax: axes to draw on (a new figure if None).
        unit: the scenario's quantity unit, for the axis label.
        burn_in: shade the burn-in weeks.
        policies: policy dicts (``start``, ``type``/``label``) to mark.
        label: legend label of the line.
        color: line colour.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    g = ts.groupby("tick")[metric]
    mean, sd, n = g.mean(), g.std(ddof=1).fillna(0.0), g.count().clip(lower=1)
    half = 1.96 * sd / np.sqrt(n)
    line = ax.plot(mean.index, mean.values, lw=1.5, label=label, color=color)[0]
    ax.fill_between(mean.index, mean - half, mean + half, alpha=0.25, color=line.get_color(), lw=0)
    if burn_in:
        ax.axvspan(0, burn_in, color="0.9", zorder=0)
    for p in policies or []:
        ax.axvline(p.get("start", 0), color="0.3", ls="--", lw=0.8)
        ax.annotate(
            p.get("label") or p.get("type", ""),
            (p.get("start", 0), 1.0),
            xycoords=("data", "axes fraction"),
            fontsize=7,
            rotation=90,
            va="top",
            ha="right",
        )
    ax.set_xlabel("week")
    ax.set_ylabel(REGISTRY[metric].label(unit))
    ax.set_title(REGISTRY[metric].description, fontsize=9)
    return ax


def plot_main(ts: pd.DataFrame, title: str = "", unit: str = "kg", burn_in=None, policies=None):
    """A 2 x 2 figure of the main metrics; returns the Figure."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 6.5), constrained_layout=True)
    for ax, metric in zip(axes.flat, MAIN):
        plot_series(ts, metric, ax=ax, unit=unit, burn_in=burn_in, policies=policies)
    if title:
        fig.suptitle(title)
    return fig
