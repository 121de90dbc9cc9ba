"""Figures of a calibration: target fits and marginal posteriors, drawn from its tables.

Both take tidy tables (what ``xborder calibrate --out`` writes and the ``calibrate``
experiments keep): ``posterior`` (one row per posterior point: parameters, ``weight``,
``sim:<target>`` simulated means), ``fits`` (``target``, ``value``, ``sd``) and
``intervals`` (``param``, ``prior_low``, ``prior_high``, ``q05``, ``median``, ``q95``,
optionally ``planted``).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.plotting.style import BAND, SEIZURE, color, tidy


def _grid(n: int, width: float = 3.4, height: float = 2.6):
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _weighted_hist(ax, x, w, bins, **kw):
    ok = np.isfinite(x)
    if ok.any():
        ax.hist(x[ok], bins=bins, weights=w[ok] / w[ok].sum(), **kw)


def figure_target_fits(fits: pd.DataFrame, posterior: pd.DataFrame):
    """Per target: the observation with 1 and 2 sd bands, and the posterior's simulated means.

    The histogram is weighted by the posterior weights; its spread is the parameter
    uncertainty left after calibration (each point's replicate mean).
    """
    fig, axes = _grid(len(fits))
    w = posterior["weight"].to_numpy(dtype=float) if len(posterior) else np.zeros(0)
    for ax, (_, t) in zip(axes, fits.iterrows()):
        v, sd = float(t["value"]), float(t["sd"])
        ax.axvspan(v - 2 * sd, v + 2 * sd, color=BAND, alpha=0.12, lw=0, label="observed ± 2 sd")
        ax.axvspan(v - sd, v + sd, color=BAND, alpha=0.25, lw=0, label="observed ± 1 sd")
        ax.axvline(v, color=BAND, lw=1.5, label="observed")
        col = f"sim:{t['target']}"
        if col in posterior and len(w):
            x = posterior[col].to_numpy(dtype=float)
            lo = np.nanmin(np.r_[x, v - 2 * sd])
            hi = np.nanmax(np.r_[x, v + 2 * sd])
            _weighted_hist(
                ax,
                x,
                w,
                np.linspace(lo, hi, 25),
                color=color(0),
                alpha=0.8,
                label="posterior (simulated means)",
            )
        ax.set_title(str(t["target"]).replace("_", " "), fontsize=9)
        ax.set_yticks([])
        tidy(ax, grid="")
    axes[0].legend(fontsize=7, loc="upper left", frameon=False)
    fig.suptitle("Target fits: observation vs calibrated ensemble", fontsize=10)
    fig.tight_layout()
    return fig


def figure_marginals(intervals: pd.DataFrame, posterior: pd.DataFrame):
    """Per parameter: the weighted posterior over the prior range and its 90% interval.

    With a ``planted`` column (known-answer checks), the true value is marked too.
    """
    fig, axes = _grid(len(intervals))
    w = posterior["weight"].to_numpy(dtype=float) if len(posterior) else np.zeros(0)
    for ax, (_, p) in zip(axes, intervals.iterrows()):
        lo, hi = float(p["prior_low"]), float(p["prior_high"])
        name = str(p["param"])
        if name in posterior and len(w):
            x = posterior[name].to_numpy(dtype=float)
            _weighted_hist(
                ax, x, w, np.linspace(lo, hi, 21), color=color(0), alpha=0.8, label="posterior"
            )
        ax.axhline(1 / 20, color="0.5", lw=1, ls=":", label="prior (uniform)")
        if np.isfinite(p.get("q05", np.nan)):
            ax.axvspan(p["q05"], p["q95"], color=color(1), alpha=0.15, lw=0, label="90% interval")
            ax.axvline(p["median"], color=color(1), lw=1.2)
        if "planted" in p and np.isfinite(p["planted"]):
            ax.axvline(p["planted"], color=SEIZURE, lw=1.5, ls="--", label="planted")
        ax.set_xlim(lo, hi)
        ax.set_title(name.replace("_", " "), fontsize=9)
        ax.set_yticks([])
        tidy(ax, grid="")
    axes[0].legend(fontsize=7, loc="upper right", frameon=False)
    fig.suptitle("Marginal posteriors (uniform prior on the range shown)", fontsize=10)
    fig.tight_layout()
    return fig


__all__ = ["figure_marginals", "figure_target_fits"]
