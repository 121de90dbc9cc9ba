"""Figures of studies: weekly series, paired comparisons, sensitivity indices.

Plain functions ``plot_x(data, ax=None, **kw) -> Axes`` (``plot_main`` returns its
Figure). Labels and units come from the metric registry; colours from a
colour-blind-safe palette (:mod:`sim.plotting.style`). Nothing here calls
``plt.show()`` or saves a file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.metrics import MAIN
from sim.plotting.style import (
    PALETTE,
    axes,
    clip_band,
    color,
    legend_outside,
    mark_policies,
    metric_label,
    metric_title,
    physical_bounds,
    shade_burn_in,
    tidy,
)


def plot_series(
    ts: pd.DataFrame,
    metric: str,
    ax=None,
    unit: str = "kg",
    burn_in: int | None = None,
    policies: list[dict] | None = None,
    label: str | None = None,
    color=None,
    title: str | None = None,
):
    """Weekly mean of ``metric`` across runs with its 95% interval; policy starts marked.

    The band is clipped at the metric's physical bounds (:func:`physical_bounds`).

    Args:
        ts: long table with columns ``run``, ``tick`` and one column per metric.
        metric: metric name from the registry.
        ax: axes to draw on (a new figure if None).
        unit: the scenario's quantity unit, for the axis label.
        burn_in: shade the burn-in weeks.
        policies: policy dicts (``start``, ``type``/``label``) to mark.
        label: legend label of the line.
        color: line colour (default: the first palette colour).
        title: axes title (default: the metric's description).
    """
    ax = axes(ax, (6.4, 3.6))
    g = ts.groupby("tick")[metric]
    mean, sd, n = g.mean(), g.std(ddof=1).fillna(0.0), g.count().clip(lower=1)
    half = 1.96 * sd / np.sqrt(n)
    c = color or PALETTE[0]
    ax.plot(mean.index, mean.values, lw=1.5, label=label, color=c, zorder=3)
    lo, hi = clip_band(mean - half, mean + half, physical_bounds(metric))
    ax.fill_between(mean.index, lo, hi, alpha=0.25, color=c, lw=0, zorder=2)
    shade_burn_in(ax, burn_in)
    mark_policies(ax, policies)
    ax.set_xlabel("week")
    ax.set_ylabel(metric_label(metric, unit))
    ax.set_title(metric_title(metric) if title is None else title, fontsize=9)
    ax.set_xlim(mean.index.min(), mean.index.max())
    return tidy(ax)


def plot_main(ts: pd.DataFrame, title: str = "", unit: str = "kg", burn_in=None, policies=None):
    """A 2 x 2 figure of the main metrics (mean and 95% band); returns the Figure."""
    import matplotlib.pyplot as plt

    fig, grid = plt.subplots(2, 2, figsize=(11, 6.5), constrained_layout=True)
    for ax, metric in zip(grid.flat, MAIN):
        plot_series(ts, metric, ax=ax, unit=unit, burn_in=burn_in, policies=policies)
    n = ts["run"].nunique() if "run" in ts else 1
    fig.suptitle(
        f"{title + ': ' if title else ''}weekly mean of {n} runs, shaded 95% interval"
        + ("; grey: burn-in" if burn_in else "")
    )
    return fig


# ---------------------------------------------------------------------- comparisons
def plot_effects(
    effects: pd.DataFrame, ax=None, relative: bool = True, title: str | None = None, unit="kg"
):
    """Forest plot of paired effects: one row per metric, one marker per alternative.

    Args:
        effects: table with ``metric``, ``diff_mean``, ``diff_ci_low``, ``diff_ci_high``
            and (for ``relative``) ``baseline_mean``; optional ``alternative`` (one
            colour each) and ``p_holm`` (filled marker when < 0.05, else hollow).
        ax: axes to draw on (a new figure if None).
        relative: show changes as a percentage of the baseline mean (rows whose
            baseline is 0 or missing are left out); else in the metric's own unit
            (for one metric or metrics sharing a unit).
        title: axes title.
        unit: the quantity unit, for absolute labels.
    """
    ax = axes(ax, (7, 0.35 * max(len(effects), 6) + 1.2))
    df = effects.copy()
    if "alternative" not in df:
        df["alternative"] = ""
    if relative:
        base = df["baseline_mean"].astype(float).abs()
        df = df[base.notna() & (base > 0) & df["diff_mean"].notna()].copy()
        scale = 100.0 / df["baseline_mean"].astype(float).abs()
    else:
        df = df[df["diff_mean"].notna()].copy()
        scale = pd.Series(1.0, index=df.index)
    for c in ("diff_mean", "diff_ci_low", "diff_ci_high"):
        col = df[c] if c in df else df["diff_mean"]
        df[c] = col.fillna(df["diff_mean"]).astype(float) * scale
    names = list(dict.fromkeys(df["metric"]))
    alts = list(dict.fromkeys(df["alternative"]))
    y = dict(zip(names, np.arange(len(names))[::-1]))
    width = 0.6 / max(len(alts), 1)
    for j, alt in enumerate(alts):
        off = (j - (len(alts) - 1) / 2) * width
        c = color(j)
        first = True
        for row in df[df["alternative"] == alt].itertuples():
            yi = y[row.metric] + off
            p = getattr(row, "p_holm", None)
            sig = p is not None and not pd.isna(p) and p < 0.05
            ax.plot([row.diff_ci_low, row.diff_ci_high], [yi, yi], color=c, lw=1.6)
            ax.plot(
                row.diff_mean,
                yi,
                "o",
                color=c,
                mfc=c if sig or "p_holm" not in df else "white",
                ms=6,
                label=(alt or None) if first else None,
            )
            first = False
    if len(alts) == 1 and {"baseline_mean", "alternative_mean"} <= set(df.columns):
        # the means behind each change, right of the axes
        for row in df.itertuples():
            ax.annotate(
                f"{row.baseline_mean:.3g} \u2192 {row.alternative_mean:.3g}",
                (1.02, y[row.metric]),
                xycoords=("axes fraction", "data"),
                fontsize=7,
                va="center",
                color="0.25",
            )
        ax.annotate(
            "means: baseline \u2192 alternative",
            (1.02, 1.0),
            xycoords="axes fraction",
            fontsize=7,
            va="bottom",
            color="0.25",
        )
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_yticks(list(y.values()), [n.replace("_", " ") for n in y])
    ax.set_ylim(-0.7, len(names) - 0.3)
    if relative:
        ax.set_xlabel("paired change (% of baseline mean), 95% interval")
    else:
        units = {metric_label(m, unit) for m in names}
        ax.set_xlabel(f"paired change in {units.pop()}" if len(units) == 1 else "paired change")
    if title:
        ax.set_title(title, fontsize=9)
    if any(alts):
        legend_outside(ax)
    return tidy(ax, grid="x")


def plot_forest(data: dict, ax=None, metrics=None):
    """Forest plot of a comparison: each metric's paired change relative to the baseline.

    Args:
        data: the comparison document (``Comparison.to_dict()``, ``compare.json``).
        ax: axes to draw on (a new figure if None).
        metrics: metrics to show (default: every metric with a non-zero baseline mean).

    Each row is a metric; each alternative is a marker with its 95% interval, as a
    percentage of the baseline mean. Filled markers: Holm-adjusted p < 0.05.
    """
    rows = [
        {"alternative": alt["scenario"], "metric": name, **v}
        for alt in data.get("alternatives", [])
        for name, v in alt["metrics"].items()
        if metrics is None or name in metrics
    ]
    cols = ["alternative", "metric", "baseline_mean", "diff_mean", "diff_ci_low", "diff_ci_high"]
    df = pd.DataFrame(rows, columns=[*cols, "p_holm"]).replace({None: np.nan})
    df = df.astype({c: float for c in [*cols[2:], "p_holm"]})
    ax = plot_effects(
        df,
        ax=ax,
        title=f"paired by seed, {data.get('replicates', '?')} replicates; "
        "filled: Holm-adjusted p < 0.05",
    )
    ax.set_xlabel(f"change vs {data.get('baseline', 'baseline')} (% of baseline mean, 95% CI)")
    return ax


# ---------------------------------------------------------------------- sensitivity
def plot_indices(data: dict, ax=None, metric: str = "", method: str = "sobol"):
    """Bar chart of one metric's sensitivity indices with their 95% intervals.

    Args:
        data: one metric's entry of the sensitivity document (``S1``/``ST`` with
            ``_conf``; Morris: ``mu_star``, ``mu_star_conf``, ``sigma``). Its
            ``flags`` (with ``noise_share``, ``st_sum``), if any, are added to the
            title in red: indices that mean little.
        ax: axes to draw on (a new figure if None).
        metric: the metric's name, for the title.
        method: "sobol", "fast" or "morris".
    """
    ax = axes(ax, (5, 3.6))
    keys = ("mu_star", "sigma") if method == "morris" else ("S1", "ST")
    names = {"S1": "first order (S1)", "ST": "total (ST)", "mu_star": "mu*", "sigma": "sigma"}
    params = list(data.get(keys[0], {}))
    x = np.arange(len(params))
    w = 0.38
    for i, key in enumerate(keys):
        vals = [data[key][p] for p in params]
        conf = data.get(f"{key}_conf")
        err = [conf[p] for p in params] if conf else None
        ax.bar(
            x + (i - 0.5) * w,
            vals,
            w,
            yerr=err,
            capsize=3,
            label=names[key],
            color=color(i),
            error_kw={"lw": 0.9},
        )
    ax.set_xticks(x, [p.replace("_", " ") for p in params], rotation=30, ha="right", fontsize=8)
    ax.axhline(0, color="0.3", lw=0.6)
    ax.set_title(metric_label(metric) if metric else "", fontsize=9)
    ax.set_ylabel("elementary effect (metric units)" if method == "morris" else "share of variance")
    legend_outside(ax)
    _mark_flags(ax, data)
    return tidy(ax)


def _mark_flags(ax, data: dict) -> None:
    """A flagged metric's title in red, with its flags, noise share and ST sum."""
    flags = data.get("flags") or []
    if not flags:
        return
    noise, total = data.get("noise_share"), data.get("st_sum")
    facts = [f"noise share {noise:.2f}" if noise is not None else ""]
    facts.append(f"ST sum {total:.2f}" if total is not None else "")
    title = ax.get_title()
    note = f"FLAGGED: {', '.join(flags)}\n({'; '.join(f for f in facts if f)})"
    ax.set_title(f"{title}\n{note}" if title else note, fontsize=8.5, color="#b2182b")


def plot_convergence(data: list[dict], ax=None, metric: str = "", method: str = "sobol"):
    """A sensitivity index against sample size, with 95% bands, one line per parameter.

    Args:
        data: ``[{"n", "index": {P: v}, "conf": {P: c}}]`` (Sobol ST or Morris mu_star).
        ax: axes to draw on (a new figure if None).
        metric: the metric's name, for the title.
        method: "sobol", "morris", or "emulator" (Sobol ST against design points).
    """
    ax = axes(ax, (5, 3.6))
    if not data:
        return ax
    n = np.array([d["n"] for d in data])
    for i, p in enumerate(data[-1]["index"]):
        v = np.array([d["index"].get(p, np.nan) for d in data], dtype=float)
        c = np.array([d["conf"].get(p, np.nan) for d in data], dtype=float)
        style = "o-" if i < len(PALETTE) else "s--"  # colours cycle: a second line style
        ax.plot(n, v, style, color=color(i), label=p.replace("_", " "), ms=3)
        ax.fill_between(n, v - c, v + c, color=color(i), alpha=0.15, lw=0)
    ax.set_xscale("log", base=2)
    ax.set_xticks(n, [str(int(k)) for k in n])
    xlabel = {"sobol": "base samples", "emulator": "design points (emulator fitted to)"}
    ax.set_xlabel(xlabel.get(method, "trajectories"))
    ax.set_ylabel("mu* (metric units)" if method == "morris" else "total index ST")
    ax.set_title(metric_label(metric) if metric else "", fontsize=9)
    legend_outside(ax)
    return tidy(ax)


def plot_emulator_fit(data: dict, ax=None, metric: str = ""):
    """Held-out point means against the emulator's predictions, with 95% intervals.

    Args:
        data: one metric's validation (``q2``, ``coverage``, ``folds`` and ``held_out``
            with ``observed``, ``predicted``, ``sd``: sd of an observed mean).
        ax: axes to draw on (a new figure if None).
        metric: the metric's name, for the title.
    """
    ax = axes(ax, (4.2, 4))
    held = data.get("held_out") or {}
    obs, pred = np.asarray(held.get("observed", [])), np.asarray(held.get("predicted", []))
    if not len(obs):
        return ax
    sd = np.asarray(held.get("sd", np.zeros(len(obs))), dtype=float)
    inside = np.abs(obs - pred) <= 1.96 * sd
    for mask, c, lab in ((inside, color(0), "inside"), (~inside, color(1), "outside")):
        ax.errorbar(
            pred[mask],
            obs[mask],
            yerr=1.96 * sd[mask],
            fmt="o",
            ms=3,
            color=c,
            lw=0.6,
            label=f"{lab} 95% interval ({int(mask.sum())})",
        )
    lo, hi = float(min(obs.min(), pred.min())), float(max(obs.max(), pred.max()))
    ax.plot([lo, hi], [lo, hi], color="0.3", lw=0.8)
    ax.set_xlabel(f"emulator's prediction ({data.get('folds', '?')}-fold, held out)")
    ax.set_ylabel("observed mean of the replicates")
    q2, cov = data.get("q2"), data.get("coverage")
    note = f"Q2 {q2:.2f}, coverage {cov:.0%}" if q2 is not None and cov is not None else ""
    ax.set_title(f"{metric_label(metric) if metric else ''}\n{note}", fontsize=9)
    legend_outside(ax)
    return tidy(ax)


__all__ = [
    "plot_convergence",
    "plot_emulator_fit",
    "plot_effects",
    "plot_forest",
    "plot_indices",
    "plot_main",
    "plot_series",
]
