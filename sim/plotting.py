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


def plot_forest(data: dict, ax=None, metrics=None):
    """Forest plot of a comparison: each metric's paired change relative to the baseline.

    Args:
        data: the comparison document (``Comparison.to_dict()``, ``compare.json``).
        ax: axes to draw on (a new figure if None).
        metrics: metrics to show (default: every metric with a non-zero baseline mean).

    Each row is a metric; each alternative is a marker with its 95% interval, as a
    percentage of the baseline mean. Filled markers: Holm-adjusted p < 0.05.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5))
    alts = data.get("alternatives", [])
    names: list[str] = []
    for alt in alts:
        for name, v in alt["metrics"].items():
            base = v.get("baseline_mean")
            ok = base not in (None, 0) and v.get("diff_mean") is not None
            if ok and name not in names and (metrics is None or name in metrics):
                names.append(name)
    y = np.arange(len(names))[::-1]
    width = 0.6 / max(len(alts), 1)
    for j, alt in enumerate(alts):
        off = (j - (len(alts) - 1) / 2) * width
        for yi, name in zip(y, names):
            v = alt["metrics"].get(name)
            if v is None or v.get("baseline_mean") in (None, 0) or v.get("diff_mean") is None:
                continue
            scale = 100.0 / abs(v["baseline_mean"])
            mid = v["diff_mean"] * scale
            lo = (v["diff_ci_low"] if v["diff_ci_low"] is not None else v["diff_mean"]) * scale
            hi = (v["diff_ci_high"] if v["diff_ci_high"] is not None else v["diff_mean"]) * scale
            color = f"C{j}"
            sig = v.get("p_holm") is not None and v["p_holm"] < 0.05
            ax.plot([lo, hi], [yi + off] * 2, color=color, lw=1.5)
            ax.plot(
                mid,
                yi + off,
                "o",
                color=color,
                mfc=color if sig else "white",
                label=alt["scenario"] if yi == y[0] else None,
            )
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_yticks(y, [n.replace("_", " ") for n in names])
    ax.set_xlabel(f"change vs {data.get('baseline', 'baseline')} (% of baseline mean, 95% CI)")
    ax.set_title(
        f"paired by seed, {data.get('replicates', '?')} replicates; filled: Holm p < 0.05",
        fontsize=9,
    )
    if alts:
        ax.legend(fontsize=8, loc="best")
    return ax


def plot_indices(data: dict, ax=None, metric: str = "", method: str = "sobol"):
    """Bar chart of one metric's sensitivity indices with their 95% intervals.

    Args:
        data: one metric's entry of the sensitivity document (``S1``/``ST`` with
            ``_conf``; Morris: ``mu_star``, ``mu_star_conf``, ``sigma``).
        ax: axes to draw on (a new figure if None).
        metric: the metric's name, for the title.
        method: "sobol", "fast" or "morris".
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    keys = ("mu_star", "sigma") if method == "morris" else ("S1", "ST")
    params = list(data.get(keys[0], {}))
    x = np.arange(len(params))
    w = 0.38
    for i, key in enumerate(keys):
        vals = [data[key][p] for p in params]
        conf = data.get(f"{key}_conf")
        err = [conf[p] for p in params] if conf else None
        ax.bar(x + (i - 0.5) * w, vals, w, yerr=err, capsize=3, label=key, color=f"C{i}")
    ax.set_xticks(x, params, rotation=30, ha="right", fontsize=8)
    ax.axhline(0, color="0.3", lw=0.6)
    label = REGISTRY[metric].label() if metric in REGISTRY else metric
    ax.set_title(label, fontsize=9)
    ax.set_ylabel("elementary effect" if method == "morris" else "share of variance")
    ax.legend(fontsize=8)
    return ax


def plot_convergence(data: list[dict], ax=None, metric: str = "", method: str = "sobol"):
    """A sensitivity index against sample size, with 95% bands, one line per parameter.

    Args:
        data: ``[{"n", "index": {P: v}, "conf": {P: c}}]`` (Sobol ST or Morris mu_star).
        ax: axes to draw on (a new figure if None).
        metric: the metric's name, for the title.
        method: "sobol" or "morris".
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    if not data:
        return ax
    n = np.array([d["n"] for d in data])
    for i, p in enumerate(data[-1]["index"]):
        v = np.array([d["index"].get(p, np.nan) for d in data], dtype=float)
        c = np.array([d["conf"].get(p, np.nan) for d in data], dtype=float)
        ax.plot(n, v, "o-", color=f"C{i}", label=p, ms=3)
        ax.fill_between(n, v - c, v + c, color=f"C{i}", alpha=0.15, lw=0)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("base samples" if method == "sobol" else "trajectories")
    ax.set_ylabel("ST" if method == "sobol" else "mu*")
    label = REGISTRY[metric].label() if metric in REGISTRY else metric
    ax.set_title(label, fontsize=9)
    ax.legend(fontsize=7)
    return ax
