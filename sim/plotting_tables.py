"""Figures of tidy tables: estimates with intervals, sweeps, lines by arm, heatmaps, strips.

Every function takes a pandas DataFrame in long form plus the names of the columns to
use, and returns the Axes, ``f(data, ax=None, ...) -> Axes``. They serve the
validation recipes under ``plots/`` and any notebook. Intervals are drawn as given
(the tables carry 95% intervals); nothing is re-estimated here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.plotting_style import (
    BAND,
    LINESTYLES,
    SEQUENTIAL,
    axes,
    color,
    interval,
    legend_outside,
    mark_policies,
    tidy,
)


def _levels(df: pd.DataFrame, col: str | None, order=None) -> list:
    if col is None:
        return [None]
    seen = list(dict.fromkeys(df[col]))
    return [v for v in order if v in seen] + [v for v in seen if v not in order] if order else seen


def _text(v) -> str:
    return str(v).replace("_", " ")


def plot_estimates(
    df: pd.DataFrame,
    x: str,
    mean: str = "mean",
    lo: str = "ci_low",
    hi: str = "ci_high",
    hue: str | None = None,
    ax=None,
    kind: str = "point",
    band: tuple[str, str] | None = None,
    ylabel: str = "",
    xlabel: str = "",
    title: str = "",
    order=None,
    hue_order=None,
    log: bool = False,
):
    """Estimates with 95% intervals by category (dots or bars), grouped by ``hue``.

    Args:
        df: one row per category (and hue level) with ``mean``, ``lo``, ``hi`` columns.
        x: the categorical column on the x axis.
        mean: column of the estimate.
        lo: column of the interval's lower end.
        hi: column of the interval's upper end.
        hue: column whose levels get a colour each, side by side.
        ax: axes to draw on (a new figure if None).
        kind: "point" (dot and whisker) or "bar".
        band: (low, high) columns of an expected range, shaded per category (NaN: none).
        ylabel: y label, with the unit.
        xlabel: x label.
        title: axes title.
        order: category order (default: order of appearance).
        hue_order: hue level order.
        log: logarithmic y axis.
    """
    cats = _levels(df, x, order)
    hues = _levels(df, hue, hue_order)
    ax = axes(ax, (max(4.0, 1.1 * len(cats) * max(len(hues), 1) ** 0.5 + 2), 3.8))
    pos = {c: i for i, c in enumerate(cats)}
    width = 0.8 / max(len(hues), 1)
    for j, h in enumerate(hues):
        sub = df if h is None else df[df[hue] == h]
        xs = np.array([pos[c] for c in sub[x]]) + (j - (len(hues) - 1) / 2) * width
        err = interval(sub, mean, lo, hi)
        label = None if h is None else _text(h)
        c = color(j)
        if kind == "bar":
            ax.bar(xs, sub[mean], width * 0.9, color=c, label=label, zorder=2)
            ax.errorbar(xs, sub[mean], yerr=err, fmt="none", ecolor="0.15", capsize=3, lw=1)
        else:
            ax.errorbar(
                xs, sub[mean], yerr=err, fmt="o", color=c, ms=6, capsize=3, lw=1.4, label=label
            )
    if log:
        ax.set_yscale("log")
    elif kind == "bar":
        ax.axhline(0, color="0.3", lw=0.6)
    if band is not None:
        _bands(ax, df, x, pos, band, log)
    ax.set_xticks(range(len(cats)), [_text(c) for c in cats])
    if max((len(_text(c)) for c in cats), default=0) > 12:
        ax.tick_params(axis="x", labelrotation=20)
        for t in ax.get_xticklabels():
            t.set_ha("right")
    ax.set_xlim(-0.6, len(cats) - 0.4)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, fontsize=9)
    if hue is not None or band is not None:
        legend_outside(ax)
    return tidy(ax)


def _bands(ax, df, x, pos, band, log):
    """Shade each category's expected range; an open end runs to the axes' edge."""
    ends = pd.concat([df[band[0]], df[band[1]]]).dropna().to_numpy(float)
    ymin, ymax = ax.get_ylim()
    if len(ends):
        ymin, ymax = min(ymin, ends.min()), max(ymax, ends.max())
    if log:
        ymin, ymax = max(ymin, 1e-3) / 1.5, ymax * 1.5
    else:
        pad = 0.05 * (ymax - ymin)
        ymin, ymax = ymin - pad, ymax + pad
    first = True
    for row in df.drop_duplicates(x).itertuples(index=False):
        b_lo, b_hi = getattr(row, band[0]), getattr(row, band[1])
        if pd.isna(b_lo) and pd.isna(b_hi):
            continue
        i = pos[getattr(row, x)]
        ax.fill_between(
            [i - 0.45, i + 0.45],
            ymin if pd.isna(b_lo) else b_lo,
            ymax if pd.isna(b_hi) else b_hi,
            color=BAND,
            alpha=0.18,
            lw=0,
            zorder=1,
            label="expected range" if first else None,
        )
        first = False
    ax.set_ylim(ymin, ymax)


def plot_sweep(
    df: pd.DataFrame,
    x: str,
    mean: str = "mean",
    lo: str = "ci_low",
    hi: str = "ci_high",
    hue: str | None = None,
    ax=None,
    xlabel: str = "",
    ylabel: str = "",
    title: str = "",
    chord: bool = False,
    logx: bool = False,
):
    """A response over a numeric setting: markers joined by lines, shaded 95% interval.

    Args:
        df: one row per setting (and hue level), with ``x``, ``mean``, ``lo``, ``hi``.
        x: the numeric column (capacity factor, share arrested, ...).
        mean: column of the estimate.
        lo: column of the interval's lower end.
        hi: column of the interval's upper end.
        hue: column whose levels are separate lines.
        ax: axes to draw on (a new figure if None).
        xlabel: x label, with the unit.
        ylabel: y label, with the unit.
        title: axes title.
        chord: dashed straight line from the first to the last point (a curve above it
            has diminishing returns).
        logx: logarithmic x axis (base 2).
    """
    ax = axes(ax, (5.2, 3.6))
    for j, h in enumerate(_levels(df, hue)):
        sub = (df if h is None else df[df[hue] == h]).sort_values(x)
        xs, m = sub[x].to_numpy(float), sub[mean].to_numpy(float)
        c = color(j)
        ax.plot(xs, m, "o-", color=c, ms=5, lw=1.5, label=None if h is None else _text(h))
        if lo in sub and hi in sub:
            ax.fill_between(xs, sub[lo].to_numpy(float), sub[hi].to_numpy(float), color=c,
                            alpha=0.2, lw=0)  # fmt: skip
        if chord and len(xs) > 1:
            ax.plot(
                xs[[0, -1]],
                m[[0, -1]],
                ls="--",
                color="0.45",
                lw=1,
                label="straight line (constant returns)",
            )
    if logx:
        ax.set_xscale("log", base=2)
        xs = np.sort(df[x].unique())
        ax.set_xticks(xs, [f"{v:g}" for v in xs])
    ax.set_xlabel(xlabel or _text(x))
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=9)
    if hue is not None or chord:
        legend_outside(ax)
    return tidy(ax)


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
):
    """Lines over time: colour by ``hue``, line style by ``style``; optional bands.

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
                ax.fill_between(sub[x], sub[lo], sub[hi], color=color(j), alpha=0.15, lw=0)
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


def plot_strip(
    df: pd.DataFrame,
    value: str,
    group: str | None = None,
    ax=None,
    ref: float | None = None,
    ref_label: str = "",
    ylabel: str = "",
    title: str = "",
):
    """Every value as a dot (spread evenly sideways), with each group's mean and 95% interval.

    Args:
        df: long table with ``value`` (e.g. one row per replicate) and optional ``group``.
        value: the column shown.
        group: the column whose levels are separate strips.
        ax: axes to draw on (a new figure if None).
        ref: a reference value (threshold) drawn as a dashed line.
        ref_label: its legend label.
        ylabel: y label, with the unit.
        title: axes title.
    """
    groups = _levels(df, group)
    ax = axes(ax, (max(3.2, 1.3 * len(groups) + 1.5), 3.6))
    for i, g in enumerate(groups):
        v = (df if g is None else df[df[group] == g])[value].dropna().to_numpy(float)
        if not len(v):
            continue
        # deterministic spread: rank-based offsets, no random jitter
        off = (np.argsort(np.argsort(v)) / max(len(v) - 1, 1) - 0.5) * 0.5
        ax.scatter(i + off, v, s=14, color=color(i), alpha=0.7, lw=0, zorder=2)
        m = v.mean()
        half = 1.96 * v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
        ax.errorbar(
            i + 0.4, m, yerr=half, fmt="D", color="0.1", ms=5, capsize=3, zorder=3,
            label="mean, 95% interval" if i == 0 else None,
        )  # fmt: skip
    if ref is not None:
        ax.axhline(ref, color=BAND, ls="--", lw=1.2, label=ref_label or f"reference {ref:g}")
    ax.set_xticks(range(len(groups)), ["" if g is None else _text(g) for g in groups])
    ax.set_xlim(-0.6, len(groups) - 0.2)
    ax.set_ylabel(ylabel or _text(value))
    if title:
        ax.set_title(title, fontsize=9)
    legend_outside(ax)
    return tidy(ax)
