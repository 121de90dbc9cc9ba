"""V1 balloon effect: a surge in one transit state pushes flow into its neighbours.

Tables (``CheckResult.tables`` of check V1):

- ``state_flow``: state, arm, flow_mean, ci_low, ci_high — mean weekly quantity arriving
  in each state from the surge's start on, 95% interval across replicates;
- ``series``: tick, arm, state, flow — weekly quantity per state, mean over replicates.

"Flow arriving" in a state (the model's ``state_flow``) is the quantity of the shipments
that ended the week's leg at one of the state's locations: a shipment is counted once
at every location of the state it reaches (twice if it crosses two of its locations),
and a seized shipment counts where it was stopped. The figures' captions say so
(:data:`FLOW_NOTE`).
- ``meta``: key, value — ``start`` (surge start week), ``surged`` (state id); optional
  ``unit`` (quantity unit, default kg).

Figures: ``v1_state_flow`` (flow by state, status quo vs surge) and ``v1_series``
(one panel per state: weekly flow, 8-week rolling mean, surge start marked).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.plotting import meta_value, plot_estimates, plot_lines, save_figure

SMOOTH = 8  # weeks in the rolling mean of the series panels
FLOW_NOTE = (
    "flow arriving: quantity of shipments ending a week's leg at one of the state's "
    "locations, counted once per location reached (a shipment crossing two locations of a "
    "state counts twice; a seized one counts where it was stopped)"
)


def draw(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Draw V1's figures from its tables into ``out_dir``; return the files written."""
    start = meta_value(tables, "start")
    surged = meta_value(tables, "surged", "")
    unit = meta_value(tables, "unit", "kg")
    mark = {surged: f"{surged} (surged)"} if surged else {}
    flow = tables["state_flow"].assign(state=lambda d: d["state"].replace(mark))
    ax = plot_estimates(
        flow,
        x="state",
        mean="flow_mean",
        hue="arm",
        kind="bar",
        ylabel=f"flow arriving ({unit}/week)",
        xlabel="state",
        title=f"V1 balloon effect: mean weekly flow by state from week {start} on "
        "(95% intervals across replicates)",
    )
    _caption(ax.figure)
    paths = save_figure(ax.figure, out_dir, "v1_state_flow")

    states = list(dict.fromkeys(tables["series"]["state"]))  # the scenario's order
    series = tables["series"].sort_values(["arm", "state", "tick"]).copy()
    series["flow"] = series.groupby(["arm", "state"])["flow"].transform(
        lambda s: s.rolling(SMOOTH, min_periods=1).mean()
    )
    ncols = min(3, len(states))
    nrows = int(np.ceil(len(states) / ncols))
    fig, grid = plt.subplots(
        nrows, ncols, figsize=(3.6 * ncols + 1.6, 2.6 * nrows), sharex=True, squeeze=False
    )
    for k, (ax, state) in enumerate(zip(grid.flat, states)):
        plot_lines(
            series[series["state"] == state],
            y="flow",
            hue="arm",
            ax=ax,
            ylabel=f"flow ({unit}/week)" if k % ncols == 0 else "",
            xlabel="week" if k // ncols == nrows - 1 else "",
            title=mark.get(state, state),
            start=start,
            start_label="surge",
        )
        if k != ncols - 1 and ax.get_legend():
            ax.get_legend().remove()
    for ax in list(grid.flat)[len(states) :]:
        ax.set_visible(False)
    fig.suptitle(
        "V1: weekly flow arriving in each state, mean over replicates "
        f"({SMOOTH}-week rolling mean)",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    _caption(fig)
    return paths + save_figure(fig, out_dir, "v1_series")


def _caption(fig) -> None:
    """The definition of "flow arriving" under the figure."""
    import textwrap

    fig.text(0.01, 0.005, "\n".join(textwrap.wrap(FLOW_NOTE, 130)), fontsize=7, va="bottom")
