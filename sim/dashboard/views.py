"""What the dashboard shows: the corridor map, the live charts, the panels (solara).

The figures are plain matplotlib functions of a ``TraffickingModel`` (testable
without a browser); the components wrap them for SolaraViz, which calls each with
the current ``CorridorViz`` and redraws them after every step. The backend is chosen
by the server program (:mod:`sim.dashboard.app`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import solara
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from mesa.visualization.utils import force_update, update_counter

from sim.dashboard.narrator import what_happened
from sim.dashboard.session import SWITCHES, CorridorViz
from sim.members import ACTIVE, LEADER
from sim.metrics import REGISTRY
from sim.model import TraffickingModel

RECENT = 4  # weeks averaged for the map's flows
CHARTS = (
    "delivered",
    "seized",
    "interdiction_rate",
    "displacement",
    "convictions",
    "request_latency_median",
)


def draw_map(model: TraffickingModel, ax, title: str = "") -> None:
    """The corridor: states shaded by capacity, legs by flow and seizures, leaders."""
    w = model.world
    t = model.tick
    cap = np.asarray(model.capacity, dtype=float)
    cmax = max(float(cap.max()), 1e-9)
    shade = plt.get_cmap("Blues")
    for s in range(len(w.state_ids)):
        locs = np.flatnonzero(w.loc_state == s)
        if not len(locs):
            continue
        ax.scatter(
            w.lon[locs],
            w.lat[locs],
            s=1800,
            color=shade(0.15 + 0.75 * cap[s] / cmax),
            alpha=0.45,
            linewidths=0,
            zorder=1,
        )
        ax.annotate(
            w.state_names[s],
            (w.lon[locs].mean(), w.lat[locs].max()),
            textcoords="offset points",
            xytext=(0, 16),
            ha="center",
            fontsize=8,
            color="#203040",
            zorder=5,
        )
    lo = slice(max(0, t - RECENT), t)
    flow = model.leg_flow[lo].mean(0) if t else np.zeros(w.n_legs)
    sflow = model.state_flow[lo].sum(0) if t else np.zeros(len(w.state_ids))
    sseiz = model.state_seized[lo].sum(0) if t else np.zeros(len(w.state_ids))
    rate = np.divide(sseiz, sflow, out=np.zeros_like(sseiz), where=sflow > 0)
    leg_rate = rate[w.loc_state[w.leg_to]]
    fmax = max(float(flow.max()), 1e-9)
    segs = [[(w.lon[a], w.lat[a]), (w.lon[b], w.lat[b])] for a, b in zip(w.leg_from, w.leg_to)]
    heat = plt.get_cmap("YlOrRd")
    lc = LineCollection(
        segs,
        linewidths=0.6 + 7.0 * flow / fmax,
        colors=[
            heat(0.2 + 0.8 * min(r / 0.3, 1.0)) if f > 0 else "#c8c8c8"
            for r, f in zip(leg_rate, flow)
        ],
        zorder=2,
    )
    ax.add_collection(lc)
    ax.scatter(w.lon, w.lat, s=14, color="#203040", zorder=3)
    m = model.members
    lead = (m.role == LEADER) & (m.status == ACTIVE)
    for k, s in enumerate(m.state[lead]):
        locs = np.flatnonzero(w.loc_state == s)
        if len(locs):
            ax.scatter(
                w.lon[locs].mean() + 0.35 * k,
                w.lat[locs].mean() - 0.6,
                marker="*",
                s=160,
                color="#8b0000",
                edgecolors="white",
                zorder=4,
                label="leader" if k == 0 else None,
            )
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.12)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title or f"Week {t}: leg width = flow, colour = seizure rate", fontsize=9, pad=18)


def map_figure(viz: CorridorViz) -> Figure:
    """The map, or two maps (with the agreements | status quo) in side-by-side mode."""
    runs = [(viz.main, "With the agreements" if viz.base is not None else "")]
    if viz.base is not None:
        runs.append((viz.base, "Status quo (same seed)"))
    fig = Figure(figsize=(5.2 * len(runs), 4.6), dpi=90)
    for i, (m, title) in enumerate(runs):
        ax = fig.add_subplot(1, len(runs), i + 1)
        draw_map(m, ax, f"{title} (week {m.tick})" if title else "")
    fig.tight_layout()
    return fig


def charts_figure(viz: CorridorViz) -> Figure:
    """Six live charts, agreements marked as vertical lines, the twin dashed."""
    fig = Figure(figsize=(9.5, 5.2), dpi=90)
    axes = fig.subplots(2, 3)
    t = viz.tick
    x = np.arange(t)
    for ax, name in zip(axes.ravel(), CHARTS):
        spec = REGISTRY[name]
        ax.plot(
            x,
            viz.main.series[name][:t],
            color="#1f77b4",
            lw=1.2,
            label="with agreements" if viz.base is not None else name,
        )
        if viz.base is not None:
            ax.plot(
                x, viz.base.series[name][:t], color="#777777", lw=1.0, ls="--", label="status quo"
            )
        for week, label in viz.markers:
            ax.axvline(week, color="#d62728", lw=1.0)
            ax.annotate(
                label,
                (week, 1.0),
                xycoords=("data", "axes fraction"),
                fontsize=6,
                color="#d62728",
                rotation=90,
                va="top",
                ha="right",
            )
        ax.set_title(spec.label(viz.main.world.unit), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_xlim(0, max(t, 10))
    if viz.base is not None:
        axes[0, 0].legend(fontsize=6)
    fig.supxlabel("week", fontsize=8)
    fig.tight_layout()
    return fig


@solara.component
def CorridorMap(model: CorridorViz):
    """The map component."""
    update_counter.get()  # redraw after every step (mesa's force_update)
    with solara.Div(classes=["xb-map"]):
        if model.base is not None:  # the DOM marker of side-by-side mode
            solara.Text(
                f"Side by side: left with the agreements, right the status quo "
                f"(seed {model.run_seed}); dashed lines in the charts.",
                classes=["xb-side-by-side"],
            )
        solara.FigureMatplotlib(map_figure(model), format="png")


@solara.component
def Charts(model: CorridorViz):
    """The charts component."""
    update_counter.get()
    with solara.Div(classes=["xb-charts"]):
        solara.FigureMatplotlib(charts_figure(model), format="png")


@solara.component
def Agreements(model: CorridorViz):
    """Agreement switches, acting from this week on in the running model."""
    update_counter.get()
    w = model.main.world
    ids = list(w.state_ids)
    a, set_a = solara.use_state(ids[1] if len(ids) > 1 else ids[0])
    b, set_b = solara.use_state(ids[2] if len(ids) > 2 else ids[0])
    error, set_error = solara.use_state("")
    if a not in ids or b not in ids:  # a new scenario after Reset
        a, b = ids[min(1, len(ids) - 1)], ids[min(2, len(ids) - 1)]

    def switch(kind):
        try:
            model.switch_on(kind, a, b)
            set_error("")
        except ValueError as e:
            set_error(str(e))
        force_update()

    with solara.Column(classes=["xb-agreements"]):
        solara.Markdown(f"**Agreements** (act from week {model.tick} on)")
        with solara.Row():
            solara.Select("State A", values=ids, value=a, on_value=set_a)
            solara.Select("State B", values=ids, value=b, on_value=set_b)
        for kind, label in SWITCHES.items():
            solara.Button(
                label,
                on_click=lambda kind=kind: switch(kind),
                outlined=True,
                classes=[f"xb-switch-{kind}"],
                dense=True,
            )
        if error:
            solara.Error(error)
        for line in model.messages:
            solara.Text(line, classes=["xb-switched"])


@solara.component
def Narrator(model: CorridorViz):
    """The "what happened" panel."""
    update_counter.get()
    lines = what_happened(model.main, model.markers, model.base)
    with solara.Column(classes=["xb-narrator"]):
        solara.Markdown("**What happened**")
        for line in lines:
            solara.Text(line)
