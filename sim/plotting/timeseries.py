"""Figures over weeks from tidy tables: lines by arm or state, state x week heatmaps.

Same conventions as :mod:`sim.plotting.tables`: long DataFrames in, column names as
arguments, ``f(data, ax=None, ...) -> Axes``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.plotting.style import (
    LINESTYLES,
    SEQUENTIAL,
    axes,
    clip_band,
    color,
    legend_outside,
    mark_policies,
    physical_bounds,
    tidy,
)
from sim.plotting.tables import _levels, _text


def plot_lines(
    df: pd.DataFrame,
    y: str,
    x: str = "tick",
    hue: str | None = None,
    style: str | None = None,
    ax=None,
    lo: str | None = None,
    hi: str | None = None,
    xlabel: str = "week",
    ylabel: str = "",
    title: str = "",
    start: float | None = None,
    start_label: str | None = None,
    policies=None,
    hue_order=None,
    style_order=None,
    bounds: tuple[float | None, float | None] | None = None,
):
    """Lines over time: colour by ``hue``, line style by ``style``; optional bands.

    Bands are clipped at ``bounds`` (default: the physical bounds of ``y`` if it is a
    registered metric, :func:`~sim.plotting.style.physical_bounds`).

    Args:
        df: long table with ``x``, ``y`` and the grouping columns.
        y: the value column.
        x: the time column (weeks).
        hue: column whose levels get a colour each (e.g. state).
        style: column whose levels get a line style each (e.g. arm).
        ax: axes to draw on (a new figure if None).
        lo: interval lower-end column (shaded with ``hi`` when both are given).
        hi: interval upper-end column.
        xlabel: x label.
        ylabel: y label, with the unit.
        title: axes title.
        start: a policy start week to mark.
        start_label: its label.
        policies: policy dicts to mark (``start``, ``label``).
        hue_order: hue level order.
        style_order: style level order.
        bounds: (low, high) the quantity cannot leave, None for an open side.
    """
    ax = axes(ax, (6.4, 3.6))
    hues, styles = _levels(df, hue, hue_order), _levels(df, style, style_order)
    for j, h in enumerate(hues):
        for k, s in enumerate(styles):
            sub = df
            if h is not None:
                sub = sub[sub[hue] == h]
            if s is not None:
                sub = sub[sub[style] == s]
            if sub.empty:
                continue
            sub = sub.sort_values(x)
            parts = [_text(v) for v in (h, s) if v is not None]
            ax.plot(
                sub[x],
                sub[y],
                color=color(j),
                ls=LINESTYLES[k % len(LINESTYLES)],
                lw=1.4,
                label=", ".join(parts) or None,
            )
            if lo and hi and lo in sub and hi in sub:
                band = clip_band(sub[lo], sub[hi], bounds or physical_bounds(y))
                ax.fill_between(sub[x], *band, color=color(j), alpha=0.15, lw=0)
    mark_policies(ax, policies, start, start_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(df[x].min(), df[x].max())
    if title:
        ax.set_title(title, fontsize=9)
    if hue is not None or style is not None:
        legend_outside(ax)
    return tidy(ax)


def plot_heatmap(
    df: pd.DataFrame,
    value: str = "flow",
    x: str = "tick",
    y: str = "state",
    ax=None,
    share: bool = False,
    unit: str = "kg",
    order=None,
    labels: dict | None = None,
    title: str = "",
    cbar_label: str | None = None,
    start: float | None = None,
    start_label: str | None = None,
    policies=None,
    burn_in: int | None = None,
    smooth: int = 1,
):
    """A state x week heatmap of flow (or of each state's share of the week's flow).

    Displacement reads as colour moving between rows after a policy starts.

    Args:
        df: long table with ``x`` (week), ``y`` (state) and ``value`` columns; several
            rows per cell (replicates) are averaged.
        value: the column shown (default ``flow``, quantity per week).
        x: the week column.
        y: the state column.
        ax: axes to draw on (a new figure if None).
        share: divide each week by its total over states (0..1 shares).
        unit: the quantity unit, for the colour-bar label.
        order: row order (default: the order of appearance, top to bottom).
        labels: state id -> display name.
        title: axes title.
        cbar_label: colour-bar label (default from ``value``, ``unit`` and ``share``).
        start: a policy start week to mark (dashed white line).
        start_label: its label.
        policies: policy dicts to mark (``start``, ``label``).
        burn_in: mark the end of the burn-in (dotted line).
        smooth: trailing rolling mean over this many weeks (shipments arrive in pulses).
    """
    rows = _levels(df, y, order)
    grid = df.pivot_table(index=y, columns=x, values=value, aggfunc="mean").reindex(rows)
    if smooth > 1:
        grid = grid.T.rolling(smooth, min_periods=1).mean().T
    z = grid.to_numpy(dtype=float)
    if share:
        tot = np.nansum(z, axis=0, keepdims=True)
        z = np.divide(z, tot, out=np.zeros_like(z), where=tot > 0)
    ticks = grid.columns.to_numpy(dtype=float)
    ax = axes(ax, (7.5, 0.35 * len(rows) + 1.8))
    step = float(np.median(np.diff(ticks))) if len(ticks) > 1 else 1.0
    extent = (ticks[0] - step / 2, ticks[-1] + step / 2, len(rows) - 0.5, -0.5)
    im = ax.imshow(
        np.ma.masked_invalid(z),
        aspect="auto",
        interpolation="nearest",
        cmap=SEQUENTIAL,
        extent=extent,
        vmin=0,
        vmax=float(np.nanpercentile(z, 99)) if np.isfinite(z).any() else None,  # robust
    )
    names = labels or {}
    ax.set_yticks(range(len(rows)), [names.get(r, _text(r)) for r in rows])
    ax.set_xlabel("week")
    if burn_in:
        ax.axvline(burn_in, color="white", ls=":", lw=1)
    marks = list(policies or []) + ([{"start": start, "label": start_label}] if start else [])
    for p in marks:
        ax.axvline(p.get("start", 0), color="white", ls="--", lw=1.1)
        ax.annotate(
            p.get("label") or p.get("type", "policy starts"),
            (p.get("start", 0), 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 2),
            textcoords="offset points",
            fontsize=7,
            color="0.2",
            ha="center",
            va="bottom",
        )
    default = "share of the week's flow" if share else f"{value.replace('_', ' ')} ({unit}/week)"
    if smooth > 1:
        default += f"\n{smooth}-week rolling mean"
    cb = ax.figure.colorbar(im, ax=ax, pad=0.015, fraction=0.05)
    cb.set_label(cbar_label or default, fontsize=8)
    cb.ax.tick_params(labelsize=7)
    if title:
        ax.set_title(title, fontsize=9, pad=14 if marks else 6)
    return ax
