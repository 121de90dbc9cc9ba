"""Figures of tidy tables: estimates with intervals, sweeps over a setting, strips.

Every function takes a pandas DataFrame in long form plus the names of the columns to
use, and returns the Axes, ``f(data, ax=None, ...) -> Axes``. They serve the
validation recipes under ``plots/`` and any notebook. Intervals are drawn as given
(the tables carry 95% intervals); nothing is re-estimated here.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from sim.plotting.style import (
    BAND,
    axes,
    color,
    interval,
    legend_outside,
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
    horizontal: bool = False,
):
    """Estimates with 95% intervals by category (dots or bars), grouped by ``hue``.

    Args:
        df: one row per category (and hue level) with ``mean``, ``lo``, ``hi`` columns.
        x: the categorical column.
        mean: column of the estimate.
        lo: column of the interval's lower end.
        hi: column of the interval's upper end.
        hue: column whose levels get a colour each, side by side.
        ax: axes to draw on (a new figure if None).
        kind: "point" (dot and whisker) or "bar".
        band: (low, high) columns of an expected range, shaded per category (NaN: open).
        ylabel: label of the value axis, with the unit (the x axis when horizontal).
        xlabel: label of the category axis.
        title: axes title.
        order: category order (default: order of appearance).
        hue_order: hue level order.
        log: logarithmic value axis.
        horizontal: categories down the y axis (for long category names), first on top.
    """
    cats = _levels(df, x, order)
    hues = _levels(df, hue, hue_order)
    n = len(cats) * max(len(hues), 1) ** 0.5
    size = (6.4, 0.45 * n + 1.4) if horizontal else (max(4.0, 1.3 * n + 2.0), 3.8)
    ax = axes(ax, size)
    pos = {c: i for i, c in enumerate(cats)}
    width = 0.8 / max(len(hues), 1)
    for j, h in enumerate(hues):
        sub = df if h is None else df[df[hue] == h]
        at = np.array([pos[c] for c in sub[x]]) + (j - (len(hues) - 1) / 2) * width
        err = interval(sub, mean, lo, hi)
        label = None if h is None else _text(h)
        c = color(j)
        xy = (sub[mean], at) if horizontal else (at, sub[mean])
        bars = {"xerr" if horizontal else "yerr": err}
        if kind == "bar":
            draw = ax.barh if horizontal else ax.bar
            draw(at, sub[mean], width * 0.9, color=c, label=label, zorder=2)
            ax.errorbar(*xy, **bars, fmt="none", ecolor="0.15", capsize=3, lw=1)
        else:
            ax.errorbar(*xy, **bars, fmt="o", color=c, ms=6, capsize=3, lw=1.4, label=label)
    (ax.set_xscale if horizontal else ax.set_yscale)("log" if log else "linear")
    if kind == "bar" and not log:
        (ax.axvline if horizontal else ax.axhline)(0, color="0.3", lw=0.6)
    if band is not None:
        _bands(ax, df, x, pos, band, log, horizontal)
    labels = [_text(c) for c in cats]
    if horizontal:
        ax.set_yticks(range(len(cats)), labels)
        ax.set_ylim(len(cats) - 0.4, -0.6)
        ax.set_xlabel(ylabel)
        ax.set_ylabel(xlabel)
    else:
        many = len(cats) > 8
        if not many:
            labels = ["\n".join(textwrap.fill(u, 14) for u in t.split("\n")) for t in labels]
        ax.set_xticks(range(len(cats)), labels)
        if many and max((len(t) for t in labels), default=0) > 12:
            ax.tick_params(axis="x", labelrotation=30)
            for t in ax.get_xticklabels():
                t.set_ha("right")
        ax.set_xlim(-0.6, len(cats) - 0.4)
        ax.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, fontsize=9)
    if hue is not None or band is not None:
        legend_outside(ax)
    return tidy(ax, grid="x" if horizontal else "y")


def _bands(ax, df, x, pos, band, log, horizontal=False):
    """Shade each category's expected range; an open end runs to the axes' edge."""
    ends = pd.concat([df[band[0]], df[band[1]]]).dropna().to_numpy(float)
    if log:
        ends = ends[ends > 0]  # a band down to 0 is open-ended on a log axis
    vmin, vmax = ax.get_xlim() if horizontal else ax.get_ylim()
    if len(ends):
        vmin, vmax = min(vmin, ends.min()), max(vmax, ends.max())
    if log:
        vmin, vmax = max(vmin, 1e-3) / 1.5, vmax * 1.5
    else:
        pad = 0.05 * (vmax - vmin)
        vmin, vmax = vmin - pad, vmax + pad
    fill = ax.fill_betweenx if horizontal else ax.fill_between
    first = True
    for row in df.drop_duplicates(x).itertuples(index=False):
        b_lo, b_hi = getattr(row, band[0]), getattr(row, band[1])
        if pd.isna(b_lo) and pd.isna(b_hi):
            continue
        i = pos[getattr(row, x)]
        fill(
            [i - 0.45, i + 0.45],
            vmin if pd.isna(b_lo) or (log and b_lo <= 0) else b_lo,
            vmax if pd.isna(b_hi) else b_hi,
            color=BAND,
            alpha=0.18,
            lw=0,
            zorder=1,
            label="expected range" if first else None,
        )
        first = False
    (ax.set_xlim if horizontal else ax.set_ylim)(vmin, vmax)


def meta_value(tables: dict[str, pd.DataFrame], key: str, default=None):
    """A value of a check's ``meta`` table (key, value as text): a number when it is one."""
    meta = tables.get("meta")
    if meta is None or key not in set(meta["key"]):
        return default
    v = str(meta.loc[meta["key"] == key, "value"].iloc[0])
    try:
        f = float(v)
    except ValueError:
        return v
    return int(f) if f.is_integer() else f


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
    names = ["" if g is None else textwrap.fill(_text(g), 14) for g in groups]
    ax.set_xticks(range(len(groups)), names)
    ax.set_xlim(-0.6, len(groups) - 0.2)
    ax.set_ylabel(ylabel or _text(value))
    if title:
        ax.set_title(title, fontsize=9)
    legend_outside(ax)
    return tidy(ax)
